//! The JIT against the interpreter on every hand-built test program.

use super::{IrFault, JitError, JitFunction, clif_text};
use crate::interp;
use crate::interp::test_builder::{BOOL, Builder, INT, REAL, identical};
use crate::interp::test_programs::all_cases;
use crate::ir::{BinaryOp, Inst, ScalarType, UnaryOp};
use crate::runtime::{RunConfig, RuntimeError, Value};

#[test]
fn jit_agrees_with_the_interpreter_on_every_test_program() {
    for case in all_cases() {
        let expected = interp::run(&case.func, &case.args, &case.config);
        let jit = JitFunction::compile(&case.func)
            .unwrap_or_else(|error| panic!("`{}` does not compile: {error}", case.name));
        let result = jit.run(&case.args, &case.config);
        assert!(
            identical(&result, &expected),
            "test program `{}`:\n jit {result:?}\ninterp {expected:?}",
            case.name
        );
    }
}

#[test]
fn clif_text_shows_the_function_after_a_line_per_loop() {
    for case in all_cases() {
        let text = clif_text(&case.func).expect("translates");
        let loops = case
            .func
            .insts
            .values()
            .filter(|inst| matches!(inst, Inst::For { .. }))
            .count();
        let mut lines = text.lines();
        for _ in 0..loops {
            let line = lines.next().expect("a line per loop");
            assert!(line.starts_with("; loop v"), "{text}");
        }
        assert!(
            lines.next().expect("the function").starts_with("function"),
            "{text}"
        );
    }
}

#[test]
fn a_compiled_function_starts_each_call_afresh() {
    // Accumulates into a local and pushes to the tape without popping: a
    // second call must see zeroed variables and an empty tape again.
    let mut b = Builder::new("fresh");
    let x = b.param("x", REAL);
    let acc = b.out_var("acc", REAL);
    let xv = b.read(x);
    b.accumulate(acc, xv);
    let _ = b.inst(Inst::Push(xv));
    let _ = b.inst(Inst::Push(xv));
    let func = b.finish();
    let jit = JitFunction::compile(&func).expect("compiles");
    let config = RunConfig {
        tau: 1.0,
        tape_limit: 2,
        ..RunConfig::default()
    };
    for x in [1.5, -4.0, 2.0] {
        assert_eq!(
            jit.run(&[Value::Real(x)], &config),
            Ok(vec![Value::Real(x)])
        );
    }
}

#[test]
fn loops_are_loops_not_unrolled() {
    // Ten million iterations finish quickly and the code stays small.
    let mut b = Builder::new("long_loop");
    let n = b.param("n", INT);
    let total = b.out_var("total", INT);
    let i = b.local("i", INT);
    let zero = b.int(0);
    let hi = b.read(n);
    let _ = b.for_loop(i, zero, hi, false, |b, i| {
        let iv = b.read(i);
        let three = b.int(3);
        let term = b.bin(BinaryOp::Rem, iv, three);
        b.accumulate(total, term);
    });
    let func = b.finish();
    let jit = JitFunction::compile(&func).expect("compiles");
    let n = 10_000_000i64;
    let expected = (0..n).map(|i| i % 3).sum::<i64>();
    assert_eq!(
        jit.run(&[Value::Int(n)], &RunConfig::default()),
        Ok(vec![Value::Int(expected)])
    );
    let text = clif_text(&func).expect("translates");
    assert_eq!(text.matches("srem").count(), 1, "{text}");
}

#[test]
fn while_loops_are_loops_not_unrolled() {
    // `i = 0; w = i < n; while w { i += 1; w = i < n }`, ten million times.
    for bound in [None, Some(20_000_000)] {
        let mut b = Builder::new("long_while");
        let n = b.param("n", INT);
        let i = b.out_var("i", INT);
        let w = b.local("w", BOOL);
        let iv = b.read(i);
        let nv = b.read(n);
        let more = b.bin(BinaryOp::Lt, iv, nv);
        let _ = b.write(w, more);
        let _ = b.while_loop(w, bound, |b| {
            let one = b.int(1);
            b.accumulate(i, one);
            let iv = b.read(i);
            let nv = b.read(n);
            let more = b.bin(BinaryOp::Lt, iv, nv);
            let _ = b.write(w, more);
        });
        let func = b.finish();
        let jit = JitFunction::compile(&func).expect("compiles");
        assert_eq!(
            jit.run(&[Value::Int(10_000_000)], &RunConfig::default()),
            Ok(vec![Value::Int(10_000_000)])
        );
        let text = clif_text(&func).expect("translates");
        // One comparison `i < n` before the loop and one in the body.
        assert_eq!(text.matches("icmp slt").count(), 2, "{text}");
        assert_eq!(
            text.matches(" sge ").count(),
            usize::from(bound.is_some()),
            "{text}"
        );
    }
}

#[test]
fn round_is_not_ties_to_even() {
    // Cranelift's `nearest` rounds 2.5 to 2; `Round` must give 3.
    let mut b = Builder::new("round");
    let x = b.param("x", REAL);
    let out = b.out_var("out", INT);
    let xv = b.read(x);
    let rounded = b.un(UnaryOp::Round, xv);
    let _ = b.write(out, rounded);
    let func = b.finish();
    let text = clif_text(&func).expect("translates");
    assert!(!text.contains("nearest"), "{text}");
    let jit = JitFunction::compile(&func).expect("compiles");
    for (x, want) in [
        (2.5, 3),
        (-2.5, -3),
        (3.5, 4),
        (0.5, 1),
        (-0.5, -1),
        (1.4999, 1),
    ] {
        assert_eq!(
            jit.run(&[Value::Real(x)], &RunConfig::default()),
            Ok(vec![Value::Int(want)]),
            "round({x})"
        );
    }
}

#[test]
fn a_loop_flag_that_is_not_a_bool_is_malformed() {
    let mut b = Builder::new("int_flag");
    let flag = b.local("flag", INT);
    let looped = b.while_loop(flag, None, |_| {});
    let func = b.finish();
    let error = JitFunction::compile(&func).expect_err("int flag");
    assert!(
        matches!(&error, JitError::MalformedIr { inst, fault: IrFault::FlagType { var }, .. } if *inst == looped && *var == flag),
        "{error:?}"
    );
}

#[test]
fn compiling_and_dropping_many_functions_frees_their_code() {
    let cases = all_cases();
    for _ in 0..20 {
        for case in &cases {
            let jit = JitFunction::compile(&case.func).expect("compiles");
            let _ = jit.run(&case.args, &case.config);
            drop(jit);
        }
    }
}

#[test]
fn malformed_ir_is_an_error_not_a_panic() {
    let mut b = Builder::new("malformed");
    let out = b.out_var("out", REAL);
    let one = b.real(1.0);
    let two = b.int(2);
    let sum = b.bin(BinaryOp::Add, one, two);
    let _ = b.write(out, sum);
    let func = b.finish();
    let error = JitFunction::compile(&func).expect_err("mixes real and int");
    assert!(
        matches!(
            &error,
            JitError::MalformedIr {
                inst,
                fault: IrFault::OperandType {
                    operand,
                    expected: ScalarType::Real,
                    found: ScalarType::Int,
                },
                ..
            } if *inst == sum && *operand == two
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("this is a bug in the compiler"));

    // A value used after the `If` whose branch computed it.
    let mut b = Builder::new("out_of_scope");
    let out = b.out_var("out", INT);
    let cond = b.boolean(true);
    let mut inner = None;
    let _ = b.if_else(cond, |b| inner = Some(b.int(1)), |_| {});
    let inner = inner.expect("built");
    let _ = b.write(out, inner);
    let func = b.finish();
    let error = JitFunction::compile(&func).expect_err("out of scope");
    assert!(
        matches!(&error, JitError::MalformedIr { fault: IrFault::OutOfScope { operand }, .. } if *operand == inner),
        "{error:?}"
    );
}

#[test]
fn runtime_errors_leave_the_function_usable() {
    let case = all_cases()
        .into_iter()
        .find(|case| case.name == "out_of_bounds")
        .expect("exists");
    let jit = JitFunction::compile(&case.func).expect("compiles");
    for _ in 0..3 {
        assert!(matches!(
            jit.run(&case.args, &case.config),
            Err(RuntimeError::IndexOutOfBounds { .. })
        ));
    }
}

#[test]
fn the_jit_verifies_in_debug_builds_and_optimises_for_speed() {
    use cranelift_module::Module;
    let jit = super::Jit::new().expect("host is supported");
    let flags = jit.module.isa().flags();
    assert_eq!(flags.enable_verifier(), cfg!(debug_assertions));
    assert_eq!(
        flags.opt_level(),
        cranelift_codegen::settings::OptLevel::Speed
    );
}

#[test]
fn compiled_functions_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<JitFunction>();
}

#[test]
fn a_written_parameter_is_malformed() {
    // Calls read array arguments in place, so the JIT must never compile
    // code that writes one.
    let mut b = Builder::new("writes_param");
    let size = b.size("n", 0, 0);
    let x = b.param(
        "x",
        crate::interp::test_builder::array(ScalarType::Real, &[size]),
    );
    let zero = b.int(0);
    let one = b.real(1.0);
    let store = b.store(x, &[zero], one);
    let func = b.finish();
    let error = JitFunction::compile(&func).expect_err("writes its parameter");
    assert!(
        matches!(&error, JitError::MalformedIr { inst, fault: IrFault::ParamWritten(var), .. } if *inst == store && *var == x),
        "{error:?}"
    );
}

/// `fn f(m: real[r, c]) -> real`, compiled for the JIT.
fn weighted_matrix_sum() -> crate::Function {
    let source = "fn f(m: real[r, c]) -> real {
        let mut total = 0.0;
        for i in 0..r { for j in 0..c { total += m[i, j] * real(1 + i * c + j); } }
        total
    }";
    let options = crate::Options {
        backend: crate::Backend::Jit,
        ..crate::Options::default()
    };
    let program = crate::compile(source, &options).expect("compiles");
    program.function("f").expect("builds")
}

#[test]
fn arguments_in_any_memory_layout_give_the_same_results() {
    // A row-major argument is read in place; a column-major one (the same
    // logical matrix) is copied. Both must be read in logical order.
    let f = weighted_matrix_sum();
    let runtime = crate::Runtime::default();
    let row_major = ndarray::Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f64 - 2.5);
    let mut column_major = ndarray::Array2::zeros(ndarray::ShapeBuilder::f((2, 3)));
    column_major.assign(&row_major);
    assert!(row_major.is_standard_layout() && !column_major.is_standard_layout());
    assert_eq!(row_major, column_major);
    let results: Vec<_> = [row_major, column_major]
        .into_iter()
        .map(|m| {
            let args = [Value::Array(m.into_dyn())];
            f.value_and_grad(&args, &runtime).expect("runs")
        })
        .collect();
    // sum over (i*3 + j - 2.5) * (1 + i*3 + j) for the 6 elements.
    let expected: f64 = (0..6).map(|k| (k as f64 - 2.5) * (1 + k) as f64).sum();
    assert_eq!(results[0].0, Value::Real(expected));
    assert_eq!(results[0], results[1]);
}

#[test]
fn calls_reusing_storage_see_zeroed_variables() {
    // Each thread reuses one buffer for every call; a call after a larger
    // one must still start from zeroed variables (the gradient's adjoints
    // accumulate from zero).
    let f = weighted_matrix_sum();
    let runtime = crate::Runtime::default();
    let matrix = |rows: usize, cols: usize| {
        let m = ndarray::Array2::from_shape_fn((rows, cols), |(i, j)| (i + 2 * j) as f64);
        vec![Value::Array(m.into_dyn())]
    };
    let small = matrix(2, 2);
    let first = f.value_and_grad(&small, &runtime).expect("runs");
    let _ = f.value_and_grad(&matrix(40, 30), &runtime).expect("runs");
    let again = f.value_and_grad(&small, &runtime).expect("runs");
    assert_eq!(first, again);
}
