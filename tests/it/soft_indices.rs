//! Soft indices: `argmax`/`argmin` as softmax weights, `floor`/`round`/
//! `ceil` of data as kernels, and every use of them (read, write, compare,
//! `real`), checked against their closed forms, against finite differences
//! for every family, against the hard program as tau -> 0, at extreme
//! temperatures and inputs, and JIT against the interpreter.

use crate::support::{assert_close, perturb, real_coordinates, reals};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Family, Function, Mode, Options, Runtime, Value};

/// Programs of `(x: real[n], y: real[n])`, one per use of a soft index.
const PROGRAMS: [(&str, &str); 13] = [
    ("read", "y[argmax(x)]"),
    ("read_min", "y[argmin(x)]"),
    ("expected_index", "real(argmax(x)) * y[0]"),
    (
        "compare",
        "let k = argmax(x); if k == 1 { y[0] } else if k < 1 { y[1] } else { y[2] }",
    ),
    ("store", "let mut z = y; z[argmax(x)] = x[0]; dot(z, y)"),
    ("max_min", "max(x) - min(y)"),
    (
        "max_min_logsumexp",
        "let a = #[relax(max = \"logsumexp\")] max(x); let b = #[relax(max = \"logsumexp\")] min(y); a - b",
    ),
    ("floor", "y[floor(x[0] * 2.0)]"),
    ("round", "y[round(x[1])] + y[ceil(x[2])]"),
    (
        "floor_compare",
        "let a = if floor(x[0] * 2.0) >= 1 { y[0] } else { y[1] }; let b = if round(x[3]) != 2 { y[2] } else { 0.0 }; a + b",
    ),
    (
        "inside_soft_branch",
        "let mut z = y; if x[0] > x[1] { z[argmax(x)] = 1.0; } dot(z, z)",
    ),
    (
        "inside_loop",
        "let mut total = 0.0; for j in 0..n { total += y[floor(x[j])]; } total",
    ),
    (
        "write_then_read",
        "let k = floor(x[3]); let mut z = y; z[k] = x[0] * 3.0; z[k] + z[0]",
    ),
];

fn source(body: &str) -> String {
    format!("fn f(x: real[n], y: real[n]) -> real {{\n    {body}\n}}\n")
}

fn compile(body: &str, mode: Mode, backend: Backend, family: Family) -> Function {
    let options = Options {
        mode,
        backend,
        family,
        file_name: "soft_indices.dsl".to_string(),
        ..Options::default()
    };
    smoothc::compile(&source(body), &options)
        .unwrap_or_else(|error| panic!("{}", error.render()))
        .function("f")
        .unwrap_or_else(|error| panic!("{}", error.render()))
}

fn array(values: &[f64]) -> Value {
    Value::Array(ndarray::arr1(values).into_dyn())
}

fn base_args() -> Vec<Value> {
    vec![array(&[0.3, 1.7, 1.1, 2.6]), array(&[1.0, -2.0, 3.0, 0.5])]
}

/// Positions in `0..limit` and values in -3..3. With a limit of 3.4
/// `floor(2 x)` and `round` land inside and outside the 4 positions; below
/// 1.9 every index is in range, so the hard program runs too.
fn random_args(rng: &mut ChaCha8Rng, limit: f64) -> Vec<Value> {
    let x: Vec<f64> = (0..4).map(|_| rng.random_range(0.0..limit)).collect();
    let y: Vec<f64> = (0..4).map(|_| rng.random_range(-3.0..3.0)).collect();
    vec![array(&x), array(&y)]
}

fn run(function: &Function, args: &[Value], tau: f64) -> f64 {
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    function
        .call(args, &runtime)
        .expect("runs")
        .as_real()
        .expect("real result")
}

fn softmax(x: &[f64], tau: f64) -> Vec<f64> {
    let best = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = x.iter().map(|v| ((v - best) / tau).exp()).collect();
    let total: f64 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn assert_near(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{what}: {actual} vs {expected}"
    );
}

#[test]
fn argmax_uses_are_softmax_expectations() {
    let (x, y) = ([0.3, 1.7, 1.1, 2.6], [1.0, -2.0, 3.0, 0.5]);
    let args = base_args();
    for tau in [0.3, 1.0, 4.0] {
        let w = softmax(&x, tau);
        let v = softmax(&x.map(|value| -value), tau);
        let dot = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(p, q)| p * q).sum() };
        let relaxed = |body: &str| {
            run(
                &compile(body, Mode::Relaxed, Backend::Jit, Family::Logistic),
                &args,
                tau,
            )
        };
        assert_near(relaxed("y[argmax(x)]"), dot(&w, &y), "y[argmax(x)]");
        assert_near(relaxed("y[argmin(x)]"), dot(&v, &y), "y[argmin(x)]");
        let positions = [0.0, 1.0, 2.0, 3.0];
        assert_near(
            relaxed("real(argmax(x))"),
            dot(&w, &positions),
            "real(argmax(x))",
        );
        assert_near(
            relaxed("if argmax(x) == 2 { 1.0 } else { 0.0 }"),
            w[2],
            "argmax(x) == 2",
        );
        assert_near(
            relaxed("if argmax(x) <= 1 { 1.0 } else { 0.0 }"),
            w[0] + w[1],
            "argmax(x) <= 1",
        );
        assert_near(
            relaxed("if 1 < argmax(x) { 1.0 } else { 0.0 }"),
            w[2] + w[3],
            "1 < argmax(x)",
        );
        assert_near(relaxed("max(x)"), dot(&w, &x), "max(x)");
        let best = 2.6;
        let lse = best + tau * x.iter().map(|v| ((v - best) / tau).exp()).sum::<f64>().ln();
        assert_near(
            relaxed("#[relax(max = \"logsumexp\")] max(x)"),
            lse,
            "logsumexp max",
        );
        // The store blends every element towards the value by its weight.
        let stored: f64 = (0..4).map(|i| w[i] * 5.0 + (1.0 - w[i]) * y[i]).sum();
        assert_near(
            relaxed("let mut z = y; z[argmax(x)] = 5.0; sum(z)"),
            stored,
            "store",
        );
    }
}

#[test]
fn rounding_indices_are_clamped_kernels() {
    let table = [1.0, 4.0, 9.0, 16.0];
    let tau = 0.4;
    // P(floor(t) >= a) = S((t - a) / tau); round shifts by 1/2, ceil by 1.
    for (rounding, shift) in [("floor", 0.0), ("round", 0.5), ("ceil", 1.0)] {
        for t in [-0.7, 0.2, 1.3, 2.5, 4.9] {
            let at_least = |a: f64| sigmoid((t - a + shift) / tau);
            let weights: Vec<f64> = (0..4)
                .map(|i| {
                    let lower = if i == 0 { 1.0 } else { at_least(i as f64) };
                    let upper = if i == 3 {
                        0.0
                    } else {
                        at_least(i as f64 + 1.0)
                    };
                    lower - upper
                })
                .collect();
            let expected: f64 = weights.iter().zip(&table).map(|(w, v)| w * v).sum();
            let body = format!("y[{rounding}(x[0])]");
            let args = [array(&[t, 0.0, 0.0, 0.0]), array(&table)];
            let value = run(
                &compile(&body, Mode::Relaxed, Backend::Jit, Family::Logistic),
                &args,
                tau,
            );
            assert!(
                (value - expected).abs() < 1e-12,
                "{rounding}({t}): {value} vs {expected}"
            );
        }
    }
    // Without an axis, a comparison is the probability of the interval.
    let args = [array(&[1.3, 0.0, 0.0, 0.0]), array(&table)];
    let value = run(
        &compile(
            "if floor(x[0]) == 1 { 1.0 } else { 0.0 }",
            Mode::Relaxed,
            Backend::Jit,
            Family::Logistic,
        ),
        &args,
        tau,
    );
    assert_near(
        value,
        sigmoid(0.3 / tau) - sigmoid(-0.7 / tau),
        "floor(t) == 1",
    );
}

#[test]
fn kernel_weights_sum_to_one_for_every_family() {
    for family in Family::ALL {
        let function = compile(
            "y[floor(x[0])] + y[round(x[1])] + y[ceil(x[2])]",
            Mode::Relaxed,
            Backend::Jit,
            family,
        );
        for tau in [1e-9, 0.3, 5.0, 1e9] {
            for t in [-3.0, 0.5, 1.999, 7.0] {
                let args = [array(&[t, t, t, 0.0]), array(&[1.0; 4])];
                let value = run(&function, &args, tau);
                assert!(
                    (value - 3.0).abs() < 1e-12,
                    "{} at tau={tau}, t={t}: {value}",
                    family.name()
                );
            }
        }
    }
}

/// Central differences of `function`, one per real coordinate.
fn finite_differences(function: &Function, args: &[Value], tau: f64) -> Vec<f64> {
    let step = 1e-6;
    (0..real_coordinates(args))
        .map(|index| {
            let at = |delta: f64| run(function, &perturb(args, index, delta), tau);
            (at(step) - at(-step)) / (2.0 * step)
        })
        .collect()
}

fn gradient(function: &Function, args: &[Value], tau: f64) -> (f64, Vec<f64>) {
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    let (value, grads) = function.value_and_grad(args, &runtime).expect("grad runs");
    (
        value.as_real().expect("real"),
        grads.iter().flat_map(reals).collect(),
    )
}

#[test]
fn gradients_match_finite_differences_for_every_family_and_both_backends() {
    let mut rng = ChaCha8Rng::seed_from_u64(2611);
    for (name, body) in PROGRAMS {
        for family in Family::ALL {
            let jit = compile(body, Mode::Relaxed, Backend::Jit, family);
            let interp = compile(body, Mode::Relaxed, Backend::Interp, family);
            let mut inputs = vec![base_args()];
            inputs.extend((0..2).map(|_| random_args(&mut rng, 3.4)));
            for args in &inputs {
                for tau in [0.3, 1.0] {
                    let what = format!("{name}, {} at tau={tau}", family.name());
                    let (value, analytic) = gradient(&jit, args, tau);
                    let (interp_value, interp_grad) = gradient(&interp, args, tau);
                    assert_close(&[value], &[interp_value], 0.0, &what);
                    assert_close(&analytic, &interp_grad, 0.0, &what);
                    let numeric = finite_differences(&jit, args, tau);
                    assert_close(&analytic, &numeric, 1e-6, &what);
                }
            }
        }
    }
}

#[test]
fn tau_to_zero_recovers_the_hard_program() {
    let mut rng = ChaCha8Rng::seed_from_u64(97);
    for (name, body) in PROGRAMS {
        let hard = compile(body, Mode::Hard, Backend::Jit, Family::Logistic);
        for family in Family::ALL {
            let relaxed = compile(body, Mode::Relaxed, Backend::Jit, family);
            for _ in 0..5 {
                let args = random_args(&mut rng, 1.9);
                let exact = run(&hard, &args, 1.0);
                let limit = run(&relaxed, &args, 1e-9);
                assert!(
                    (exact - limit).abs() <= 1e-6 * exact.abs().max(1.0),
                    "{name}, {}: hard {exact}, relaxed {limit} at {args:?}",
                    family.name()
                );
            }
        }
    }
}

#[test]
fn extreme_temperatures_and_inputs_stay_finite() {
    for (name, body) in PROGRAMS {
        for family in Family::ALL {
            for backend in [Backend::Jit, Backend::Interp] {
                let function = compile(body, Mode::Relaxed, backend, family);
                for factor in [1.0, 1e300, -1e300] {
                    let mut args = base_args();
                    if let Value::Array(x) = &mut args[0] {
                        x.mapv_inplace(|v| v * factor);
                    }
                    for tau in [1e-9, 1e9] {
                        let (value, grad) = gradient(&function, &args, tau);
                        assert!(
                            value.is_finite() && grad.iter().all(|g| g.is_finite()),
                            "{name}, {} on {backend:?} at tau={tau}, x*{factor}: {value} {grad:?}",
                            family.name()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn soft_index_of_a_matrix_axis() {
    // `m[k, j]` with a soft row index: each column reads its softmax mean.
    let source =
        "fn f(x: real[n], m: real[n, 2]) -> real { let k = argmax(x); m[k, 0] * 2.0 + m[k, 1] }";
    let tau = 0.5;
    let x = [0.1, 0.9, 0.4];
    let matrix = ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).into_dyn();
    let args = [array(&x), Value::Array(matrix)];
    let w = softmax(&x, tau);
    let expected = 2.0 * (w[0] + 3.0 * w[1] + 5.0 * w[2]) + (2.0 * w[0] + 4.0 * w[1] + 6.0 * w[2]);
    let function = crate::support::compile_fn(source, "f", Mode::Relaxed, Backend::Jit);
    assert_near(run(&function, &args, tau), expected, "matrix row");
    let (_, analytic) = gradient(&function, &args, tau);
    assert_close(
        &analytic,
        &finite_differences(&function, &args, tau),
        1e-6,
        "matrix row",
    );
}

#[test]
fn an_int_result_is_the_hard_index() {
    // Ints carry no gradient: a function returning the index returns the
    // hard one in relaxed mode too.
    let source = "fn f(x: real[n]) -> int { let k = argmin(x); k }";
    for backend in [Backend::Jit, Backend::Interp] {
        let function = crate::support::compile_fn(source, "f", Mode::Relaxed, backend);
        let value = function
            .call(&[array(&[0.5, -1.0, 2.0])], &Runtime::default())
            .expect("runs");
        assert!(matches!(value, Value::Int(1)), "{value:?}");
    }
}
