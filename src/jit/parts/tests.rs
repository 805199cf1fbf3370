//! Where the JIT cuts a function, and that the parts compute what the
//! whole function does: on a loop built by hand, and on every example's
//! forward and gradient code cut after every top-level loop.

use super::{PART_WEIGHT, Part, plan};
use crate::example_files::examples;
use crate::interp;
use crate::interp::test_builder::{Builder, INT, REAL, array, identical};
use crate::ir::liveness::Liveness;
use crate::ir::{Func, Inst, ScalarType};
use crate::jit::{CodeVariant, JitFunction};
use crate::runtime::{RunConfig, Value};
use crate::{Backend, Mode, Options};
use std::path::Path;

/// `s = 0; for k in 0..n { s += x[k] }; t = s * 2; for j in 0..n { y[j] = t }`,
/// returning `y` and `s`.
fn two_loops() -> Func {
    let mut b = Builder::new("two_loops");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let t = b.local("t", REAL);
    let k = b.local("k", INT);
    let j = b.local("j", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        b.accumulate(s, element);
    });
    let sv = b.read(s);
    let two = b.real(2.0);
    let doubled = b.bin(crate::ir::BinaryOp::Mul, sv, two);
    let _ = b.write(t, doubled);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(j, lo, hi, false, |b, j| {
        let jv = b.read(j);
        let tv = b.read(t);
        let _ = b.store(y, &[jv], tv);
    });
    b.finish()
}

fn parts_of(func: &Func, part_weight: usize) -> Vec<Part> {
    plan(func, &Liveness::compute(func), part_weight)
}

#[test]
fn a_small_function_is_one_part_that_stores_its_scalar_outputs() {
    let func = two_loops();
    let parts = parts_of(&func, PART_WEIGHT);
    let s = func.outputs[1];
    assert_eq!(
        parts,
        vec![Part {
            insts: 0..func.blocks[func.entry].insts.len(),
            loaded: vec![],
            stored: vec![s],
        }]
    );
}

#[test]
fn a_cut_falls_after_a_top_level_loop_and_hands_over_what_is_live_there() {
    let func = two_loops();
    let parts = parts_of(&func, 1);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let entry = &func.blocks[func.entry].insts;
    let first_loop = entry
        .iter()
        .position(|inst| matches!(func.insts[*inst], Inst::For { .. }))
        .expect("a loop");
    assert_eq!(parts[0].insts, 0..first_loop + 1);
    assert_eq!(parts[1].insts, first_loop + 1..entry.len());
    // After the first loop, only the sum is read again (by `t = s * 2`
    // and as an output); the counter `k` and the array `y` are not
    // handed over, and the parameter `x` is loaded by every part anyway.
    let s = func.outputs[1];
    assert_eq!(parts[0].loaded, vec![]);
    assert_eq!(parts[0].stored, vec![s]);
    assert_eq!(parts[1].loaded, vec![s]);
    assert_eq!(parts[1].stored, vec![s]);
    // The whole function and its parts compute the same bits.
    let args = [Value::Array(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[3]), vec![0.5, -1.25, 3.0])
            .expect("shape"),
    )];
    let config = RunConfig::default();
    let cut = in_parts(&func, 1);
    assert_eq!(cut.part_count(), 2);
    let whole = JitFunction::compile(&func).expect("compiles");
    assert_eq!(whole.part_count(), 1);
    let expected = interp::run(&func, &args, &config);
    assert!(identical(&cut.run(&args, &config), &expected));
    assert!(identical(&whole.run(&args, &config), &expected));
}

/// `func` compiled with parts of about `part_weight` instructions.
fn in_parts(func: &Func, part_weight: usize) -> JitFunction {
    JitFunction::compile_variant(
        func,
        CodeVariant {
            part_weight,
            ..CodeVariant::FAST
        },
    )
    .expect("compiles")
}

#[test]
fn every_example_computes_the_same_bits_cut_after_every_top_level_loop() {
    let examples = examples();
    assert!(examples.len() >= 9, "the examples are found");
    let config = RunConfig {
        tau: 0.1,
        ..RunConfig::default()
    };
    let mut cut_gradients = 0;
    for example in examples {
        let options = Options {
            mode: Mode::Relaxed,
            backend: Backend::Interp,
            ..Options::default()
        };
        let function = crate::compile(&example.source, &options)
            .and_then(|program| program.function(&example.entry))
            .expect("compiles");
        let args =
            crate::json::arguments_from_json(&function, &example.inputs).expect("inputs fit");
        let name = example.path.display();
        let _ = check_parts(
            &format!("{name} forward"),
            function.forward_ir(),
            &args,
            &config,
        );
        let grad = function.grad_ir().expect("every example is differentiable");
        let mut grad_args = args.clone();
        grad_args.push(Value::Real(1.0));
        let parts = check_parts(&format!("{name} gradient"), grad, &grad_args, &config);
        cut_gradients += usize::from(parts > 1);
    }
    assert!(cut_gradients >= 8, "most examples loop: {cut_gradients}");
}

/// Runs `func` cut after every top-level loop against the interpreter;
/// returns the number of parts, checked to be one more than the
/// top-level loops that are not the function's last instruction.
fn check_parts(what: &str, func: &Func, args: &[Value], config: &RunConfig) -> usize {
    let expected = interp::run(func, args, config);
    assert!(expected.is_ok(), "{what}: {expected:?}");
    let cut = in_parts(func, 1);
    let result = cut.run(args, config);
    assert!(
        identical(&result, &expected),
        "{what} in {} parts:\n jit {result:?}\ninterp {expected:?}",
        cut.part_count()
    );
    let entry = &func.blocks[func.entry].insts;
    let loops_before_the_end = entry[..entry.len().saturating_sub(1)]
        .iter()
        .filter(|inst| matches!(func.insts[**inst], Inst::For { .. } | Inst::Loop { .. }))
        .count();
    assert_eq!(cut.part_count(), 1 + loops_before_the_end, "{what}");
    cut.part_count()
}

#[test]
fn the_clif_text_of_a_function_in_parts_says_what_each_part_hands_over() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ranking_supervision.dsl");
    let source = std::fs::read_to_string(path).expect("readable example");
    let options = Options {
        backend: Backend::Interp,
        ..Options::default()
    };
    let function = crate::compile(&source, &options)
        .and_then(|program| program.function("loss"))
        .expect("compiles");
    let grad = function.grad_ir().expect("differentiable");
    let text = crate::jit::clif_text(grad).expect("translates");
    let part_lines: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("; part"))
        .collect();
    assert_eq!(part_lines.len(), 2, "{part_lines:?}");
    assert!(part_lines[0].starts_with("; part 1 of 2 (entry-block instructions 0.."));
    assert!(
        part_lines[0].contains("loads nothing; stores %"),
        "{}",
        part_lines[0]
    );
    assert!(
        part_lines[1].starts_with("; part 2 of 2"),
        "{}",
        part_lines[1]
    );
    assert_eq!(
        text.lines()
            .filter(|line| line.starts_with("function"))
            .count(),
        2
    );
}
