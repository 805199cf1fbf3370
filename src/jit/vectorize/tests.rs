//! Vectorized loops against the interpreter: bit-identical values at every
//! trip count (the vector loop, its scalar remainder and its fallback),
//! the same faults, and the loops of the odd-even network vectorized.

use crate::interp;
use crate::interp::test_builder::{Builder, INT, arr, array, identical};
use crate::ir::parallel::examples::{self, LoopProgram};
use crate::ir::parallel::{self, Rejection};
use crate::ir::{BinaryOp, Func, Inst, InstId, ScalarType};
use crate::jit::JitFunction;
use crate::runtime::{RunConfig, RuntimeError, Value};
use crate::{Backend, Mode, Options, compile};

/// The trip counts every program runs at: none, a lone scalar iteration,
/// one vector step, a step and a remainder, several of each.
const LENGTHS: [usize; 7] = [0, 1, 2, 3, 7, 8, 9];

/// Reals with every kind of value the kernels branch on.
fn input(n: usize) -> Value {
    let pool = [
        0.5,
        -1.25,
        3.0,
        f64::NAN,
        -0.0,
        1e300,
        -7.5,
        f64::INFINITY,
        2.0,
        0.1,
        -1e-310,
    ];
    arr(
        &[n],
        &(0..n)
            .map(|i| pool[(i * 5 + 3) % pool.len()])
            .collect::<Vec<_>>(),
    )
}

fn config() -> RunConfig {
    RunConfig {
        tau: 0.3,
        ..RunConfig::default()
    }
}

/// Runs `func` on both backends and asserts identical results; returns
/// the interpreter's.
fn agree(func: &Func, jit: &JitFunction, args: &[Value], config: &RunConfig, what: &str) {
    let expected = interp::run(func, args, config);
    let result = jit.run(args, config);
    assert!(
        identical(&result, &expected),
        "{what}:\n jit {result:?}\ninterp {expected:?}\n{func}"
    );
}

/// Whether this host vectorizes at all (else the tests still compare the
/// backends, and expect every loop scalar).
fn vectors() -> bool {
    crate::jit::host_vectorizes().expect("a host Cranelift supports")
}

fn report_of(jit: &JitFunction, inst: InstId) -> &crate::jit::LoopReport {
    jit.loop_reports()
        .iter()
        .find(|report| report.inst == inst)
        .expect("every loop is reported")
}

#[test]
fn hand_built_loops_agree_with_the_interpreter_at_every_trip_count() {
    let programs: Vec<(&str, LoopProgram)> = vec![
        ("odd_even_layer(0)", examples::odd_even_layer(0)),
        ("odd_even_layer(1)", examples::odd_even_layer(1)),
        ("restore_layer", examples::restore_layer()),
        ("elementwise", examples::elementwise()),
        ("matrix_row", examples::matrix_row()),
        ("bubble_pass", examples::bubble_pass()),
        ("prefix_sum_in_array", examples::prefix_sum_in_array()),
        ("prefix_sum_in_scalar", examples::prefix_sum_in_scalar()),
        ("stride_two", examples::stride_two_offsets_zero_and_two()),
        ("invariant_store", examples::invariant_store()),
        ("relax_from(0)", examples::relax_from(0)),
        ("relax_from(1)", examples::relax_from(1)),
        ("relax_from(2)", examples::relax_from(2)),
        ("relax_from(5)", examples::relax_from(5)),
        ("division_by_variable", examples::division_by_variable()),
        ("bitonic_block", examples::bitonic_block(0, false)),
        ("bitonic_block(extra)", examples::bitonic_block(1, false)),
        ("bitonic_block(rewritten)", examples::bitonic_block(0, true)),
    ];
    for (name, program) in programs {
        let jit = JitFunction::compile(&program.func).expect("compiles");
        let parallel = parallel::analyze(&program.func, program.target).is_ok();
        assert_eq!(
            report_of(&jit, program.target).vectorized,
            parallel && vectors(),
            "{name}: vectorized exactly when the analysis allows"
        );
        for n in LENGTHS {
            agree(
                &program.func,
                &jit,
                &[input(n)],
                &config(),
                &format!("{name} at n = {n}"),
            );
        }
    }
}

/// `for p in lo..hi (reverse) { y[p] = x[p] * 2; y2[p] = x[p + shift] }`
/// with `x, y, y2: real[n]` and `hi` a parameter, so that the last (or, reversed,
/// the first) iterations index out of bounds.
fn out_of_bounds_program(reverse: bool, shift: i64) -> LoopProgram {
    let mut b = Builder::new("out_of_bounds");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let hi_param = b.param("hi", INT);
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let shifted = b.out_var("shifted", array(ScalarType::Real, &[n]));
    let p = b.local("p", INT);
    let lo = b.int(0);
    let hi = b.read(hi_param);
    let target = b.for_loop(p, lo, hi, reverse, |b, p| {
        let pv = b.read(p);
        let value = b.load(x, &[pv]);
        let two = b.real(2.0);
        let doubled = b.bin(BinaryOp::Mul, value, two);
        let _ = b.store(y, &[pv], doubled);
        let offset = b.int(shift);
        let index = b.bin(BinaryOp::Add, pv, offset);
        let later = b.load(x, &[index]);
        let _ = b.store(shifted, &[pv], later);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

#[test]
fn an_index_out_of_bounds_in_one_lane_is_the_interpreters_error() {
    // Forward, `hi = n + 1`: at odd n the last step's lane 1 is out of
    // bounds, at even n the scalar remainder. Reversed, the first step's
    // lane 0 is. A shift of 1 faults in the second access of lane 1 of
    // the last step, after lane 0's iteration would have stored; a shift
    // of -1 at index -1, in the first step's lane 0 (reversed: the last
    // step's lane 1).
    for (reverse, shift, hi_delta) in [
        (false, 0, 1),
        (true, 0, 1),
        (false, 1, 0),
        (true, 1, 0),
        (false, -1, 0),
        (true, -1, 0),
    ] {
        let program = out_of_bounds_program(reverse, shift);
        let jit = JitFunction::compile(&program.func).expect("compiles");
        assert_eq!(report_of(&jit, program.target).vectorized, vectors());
        for n in LENGTHS {
            let args = [input(n), Value::Int(n as i64 + hi_delta)];
            let expected = interp::run(&program.func, &args, &config());
            if n > 0 || hi_delta > 0 {
                assert!(
                    matches!(expected, Err(RuntimeError::IndexOutOfBounds { .. })),
                    "the program faults: {expected:?}"
                );
            }
            agree(
                &program.func,
                &jit,
                &args,
                &config(),
                &format!("reverse {reverse}, shift {shift}, n = {n}"),
            );
        }
    }
}

#[test]
fn a_popped_index_outside_its_window_runs_as_scalar_code() {
    // The forward loop pushes `x[p] * 3` and the index `p + 1`; the
    // reversed loop pops them, stores at the popped index and then reads
    // `y[p]`. Run two at a time, iteration `p - 1`'s store to `y[p]` would
    // come before iteration `p`'s read of it: the window check sends every
    // step to the scalar loop.
    let (mut b, y, n) = {
        let mut b = Builder::new("outside_window");
        let n = b.size("n", 0, 0);
        let x = b.param("x", array(ScalarType::Real, &[n]));
        let y = b.out_var("y", array(ScalarType::Real, &[n]));
        let p = b.local("p", INT);
        let lo = b.int(0);
        let size = b.inst(Inst::SizeOf(n));
        let one = b.int(1);
        let hi = b.bin(BinaryOp::Sub, size, one);
        let _ = b.for_loop(p, lo, hi, false, |b, p| {
            let pv = b.read(p);
            let value = b.load(x, &[pv]);
            let three = b.real(3.0);
            let scaled = b.bin(BinaryOp::Mul, value, three);
            let _ = b.inst(Inst::Push(scaled));
            let one = b.int(1);
            let next = b.bin(BinaryOp::Add, pv, one);
            let _ = b.inst(Inst::Push(next));
            let _ = b.store(y, &[pv], value);
        });
        (b, y, n)
    };
    let p = b.local("q", INT);
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let one = b.int(1);
    let hi = b.bin(BinaryOp::Sub, size, one);
    let target = b.for_loop(p, lo, hi, true, |b, p| {
        let index = b.inst(Inst::Pop(ScalarType::Int));
        let value = b.inst(Inst::Pop(ScalarType::Real));
        let _ = b.store(y, &[index], value);
        let pv = b.read(p);
        let old = b.load(y, &[pv]);
        let two = b.real(2.0);
        let doubled = b.bin(BinaryOp::Mul, old, two);
        let _ = b.store(y, &[pv], doubled);
    });
    let func = b.finish();
    let jit = JitFunction::compile(&func).expect("compiles");
    assert_eq!(report_of(&jit, target).vectorized, vectors());
    for n in LENGTHS {
        let values: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
        agree(
            &func,
            &jit,
            &[arr(&[n], &values)],
            &config(),
            &format!("n = {n}"),
        );
    }
}

/// The relaxed `sum(w * sort(x))` through the odd-even network: its
/// forward and gradient IR.
fn odd_even(mode: Mode) -> (Func, Func) {
    let source = "fn loss(x: real[n], w: real[n]) -> real { sum(w * sort(x)) }";
    let options = Options {
        mode,
        backend: Backend::Interp,
        ..Options::default()
    };
    let function = compile(source, &options)
        .and_then(|program| program.function("loss"))
        .expect("compiles");
    (
        function.forward_ir().clone(),
        function.grad_ir().expect("differentiable").clone(),
    )
}

/// The loops nested in another loop, as (inst, reverse).
fn inner_loops(func: &Func) -> Vec<(InstId, bool)> {
    let mut found = Vec::new();
    for inst in func.insts.values() {
        if let Inst::For { body, .. } = inst {
            for &child in &func.blocks[*body].insts {
                if let Inst::For { reverse, .. } = func.insts[child] {
                    found.push((child, reverse));
                }
            }
        }
    }
    found
}

#[test]
fn the_odd_even_layers_are_vectorized_forward_and_in_both_sweeps() {
    let (forward, grad) = odd_even(Mode::Relaxed);
    let jit = JitFunction::compile(&forward).expect("compiles");
    let layers = inner_loops(&forward);
    assert_eq!(layers.len(), 1);
    assert_eq!(report_of(&jit, layers[0].0).vectorized, vectors());

    let jit = JitFunction::compile(&grad).expect("compiles");
    let layers = inner_loops(&grad);
    assert_eq!(
        layers.len(),
        2,
        "the forward sweep's and the reverse sweep's"
    );
    assert!(layers.iter().any(|(_, reverse)| *reverse));
    assert!(layers.iter().any(|(_, reverse)| !*reverse));
    for (inst, _) in layers {
        let report = report_of(&jit, inst);
        assert_eq!(report.vectorized, vectors(), "{report:?}");
        assert!(report.tape_reserved, "{report:?}");
    }
    // Turned off, nothing is.
    let scalar = JitFunction::compile_with(&grad, false).expect("compiles");
    assert_eq!(scalar.vectorized_loops(), 0);
}

/// The relaxed gradient of `sum(w * sorted(x))` by bubble sort with early
/// exit: its inner loop carries the `swapped` flag (not vectorized) but
/// its tape traffic is reserved before it.
fn bubble_gradient() -> Func {
    let source = format!(
        "{}\nfn loss(x: real[n], w: real[n]) -> real {{ sum(w * sorted(x)) }}\n",
        include_str!("../../../tests/fixtures/reference/bubble_early_exit.dsl")
    );
    let options = Options {
        backend: Backend::Interp,
        ..Options::default()
    };
    let function = compile(&source, &options)
        .and_then(|program| program.function("loss"))
        .expect("compiles");
    function.grad_ir().expect("differentiable").clone()
}

#[test]
fn every_tape_limit_fails_where_the_interpreter_fails() {
    let (_, odd_even_grad) = odd_even(Mode::Relaxed);
    let bubble = bubble_gradient();
    for (name, grad) in [("odd-even", &odd_even_grad), ("bubble", &bubble)] {
        let jit = JitFunction::compile(grad).expect("compiles");
        assert!(
            jit.loop_reports()
                .iter()
                .any(|report| report.tape_reserved && !report.vectorized),
            "{name}: a loop runs its reserved copy without vectors"
        );
        for n in [3, 8] {
            let args = [input(n), input(n), Value::Real(1.0)];
            // Every limit up to well past what the call needs: the limit
            // hits inside reserved and vectorized loops, at every position
            // of a step.
            let mut failures = 0;
            for tape_limit in 0..400 {
                let config = RunConfig {
                    tape_limit,
                    ..config()
                };
                if interp::run(grad, &args, &config).is_err() {
                    failures += 1;
                }
                agree(
                    grad,
                    &jit,
                    &args,
                    &config,
                    &format!("{name}, n = {n}, limit {tape_limit}"),
                );
            }
            assert!(failures > 10, "some limits are reached");
        }
        assert!(
            jit.checked.get().is_some(),
            "{name}: a failed reservation ran the variant that checks every push"
        );
    }
}

#[test]
fn an_underflow_in_a_popping_loop_is_the_interpreters() {
    // Pushes `pushed` reals, then a reversed loop pops one per iteration.
    for pushed in [0, 1, 2, 3, 5] {
        let mut b = Builder::new("underflow");
        let n = b.size("n", 0, 0);
        let x = b.param("x", array(ScalarType::Real, &[n]));
        let y = b.out_var("y", array(ScalarType::Real, &[n]));
        for _ in 0..pushed {
            let value = b.real(1.5);
            let _ = b.inst(Inst::Push(value));
        }
        let p = b.local("p", INT);
        let lo = b.int(0);
        let hi = b.inst(Inst::SizeOf(n));
        let target = b.for_loop(p, lo, hi, true, |b, p| {
            let pv = b.read(p);
            let value = b.inst(Inst::Pop(ScalarType::Real));
            let old = b.load(x, &[pv]);
            let sum = b.bin(BinaryOp::Add, value, old);
            let _ = b.store(y, &[pv], sum);
        });
        let func = b.finish();
        let jit = JitFunction::compile(&func).expect("compiles");
        assert_eq!(report_of(&jit, target).vectorized, vectors());
        for n in LENGTHS {
            agree(
                &func,
                &jit,
                &[input(n)],
                &config(),
                &format!("{pushed} pushed, n = {n}"),
            );
        }
    }
}

#[test]
fn networks_and_elementwise_code_agree_in_every_mode_forward_and_reversed() {
    let source = "\
fn loss(x: real[n], w: real[n]) -> real { sum(w * sort(x)) }
fn smooth(x: real[n], w: real[n]) -> real {
    let larger = [if x[i] > w[i] { x[i] } else { w[i] } for i in 0..n];
    sum(exp(x) * w + log(1.0 + x * x) - sqrt(w * w + 1.0) + larger)
}
fn ranks(x: real[n], w: real[n]) -> real { sum(w * rank(x)) }
";
    for mode in [Mode::Hard, Mode::Relaxed, Mode::Stochastic] {
        let options = Options {
            mode,
            backend: Backend::Interp,
            ..Options::default()
        };
        let program = compile(source, &options).expect("compiles");
        for name in ["loss", "smooth", "ranks"] {
            let function = program.function(name).expect("builds");
            let mut funcs = vec![(function.forward_ir().clone(), false)];
            funcs.extend(function.grad_ir().map(|grad| (grad.clone(), true)));
            for (func, gradient) in funcs {
                let jit = JitFunction::compile(&func).expect("compiles");
                for n in LENGTHS {
                    let weights: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
                    let mut args = vec![input(n), arr(&[n], &weights)];
                    if gradient {
                        args.push(Value::Real(1.0));
                    }
                    for sample in [0, 3] {
                        let config = RunConfig {
                            seed: 11,
                            sample,
                            ..config()
                        };
                        agree(
                            &func,
                            &jit,
                            &args,
                            &config,
                            &format!("{name} {mode:?} gradient {gradient} n = {n}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn rejected_loops_say_why() {
    let jit = JitFunction::compile(&examples::bubble_pass().func).expect("compiles");
    assert!(
        jit.loop_reports()
            .iter()
            .any(|report| matches!(report.rejection, Some(Rejection::CarriedArray(_))))
    );
}
