//! The `soft_sort`/`soft_rank` intrinsics (isotonic regression, Blondel et
//! al. 2020) through the whole compiler: relaxed programs against the
//! outputs and gradients of the fast-soft-sort library, on both backends;
//! hard mode is the plain sort and ranks.

use crate::support::{assert_close, compile_fn, numbers, reals, reference};
use smoothc::{Backend, Mode, Runtime, Value};

fn array(values: Vec<f64>) -> Value {
    Value::Array(ndarray::Array1::from(values).into_dyn())
}

/// The program computing a case: descending order is the ascending one of
/// `-x` (negated back for sorts).
fn program(function: &str, regularization: &str, direction: &str) -> String {
    let suffix = if regularization == "kl" { "_kl" } else { "" };
    let body = match (function, direction) {
        ("soft_sort", "ASCENDING") => format!("soft_sort{suffix}(x)"),
        ("soft_sort", _) => format!("-soft_sort{suffix}(-x)"),
        ("soft_rank", "ASCENDING") => format!("soft_rank{suffix}(x)"),
        _ => format!("soft_rank{suffix}(-x)"),
    };
    format!("fn f(x: real[n]) -> real[n] {{\n    {body}\n}}\n")
}

#[test]
fn relaxed_soft_sort_and_rank_match_fast_soft_sort() {
    let mut checked = 0;
    for case in reference("fast_soft_sort.json")["cases"]
        .as_array()
        .expect("cases")
    {
        let call = &case["call"];
        let Some(function) = call["function"]
            .as_str()
            .and_then(|name| name.strip_prefix("fast_soft_sort.numpy_ops."))
        else {
            continue;
        };
        let regularization = call["regularization"].as_str().expect("regularization");
        let direction = call["direction"].as_str().expect("direction");
        let source = program(function, regularization, direction);
        let runtime = Runtime {
            tau: call["regularization_strength"].as_f64().expect("strength"),
            ..Runtime::default()
        };
        let x = array(numbers(&case["inputs"]["values"]));
        let w = array(numbers(&case["inputs"]["w_for_grad"]));
        let id = case["id"].as_str().unwrap_or_default();
        for backend in [Backend::Jit, Backend::Interp] {
            let compiled = compile_fn(&source, "f", Mode::Relaxed, backend);
            let (result, grads) = compiled
                .vjp(std::slice::from_ref(&x), w.clone(), &runtime)
                .unwrap_or_else(|error| panic!("{}", error.render()));
            assert_close(
                &reals(&result),
                &numbers(&case["outputs"]["result"]),
                1e-9,
                &format!("{id} result"),
            );
            let gradients = &case["gradients"];
            if gradients["nondifferentiable_point"].as_bool() != Some(true) {
                assert_close(
                    &reals(&grads[0]),
                    &numbers(&gradients["grad_reference_central_diff"]),
                    1e-5,
                    &format!("{id} gradient"),
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 100, "the soft cases were compared ({checked})");
}

#[test]
fn hard_mode_soft_sort_is_the_sort() {
    let source = "fn f(x: real[n], w: real[n]) -> real {\n    dot(soft_sort(x), w) + dot(soft_rank(x), w)\n}\n";
    for backend in [Backend::Jit, Backend::Interp] {
        let function = compile_fn(source, "f", Mode::Hard, backend);
        let args = [array(vec![3.0, 1.0, 2.0]), array(vec![1.0, 10.0, 100.0])];
        let (value, grads) = function
            .value_and_grad(&args, &Runtime::default())
            .expect("runs");
        // sorted [1, 2, 3] and ranks [3, 1, 2] against w.
        assert_eq!(reals(&value), vec![321.0 + 213.0]);
        // The sort sends each weight back to the value that took its place;
        // ranks are piecewise constant.
        assert_eq!(reals(&grads[0]), vec![100.0, 1.0, 10.0]);
        assert_eq!(reals(&grads[1]), vec![1.0 + 3.0, 2.0 + 1.0, 3.0 + 2.0]);
    }
}

#[test]
fn soft_sort_inside_loops_and_branches_differentiates_exactly() {
    // The sort's output is overwritten on every iteration: reverse mode must
    // restore it from the tape for each one.
    let source = r#"
        fn f(x: real[n], w: real[n]) -> real {
            let mut total = 0.0;
            let mut y = x;
            for k in 0..3 {
                let s = soft_sort(y * 0.5 + x);
                if s[0] > 0.0 {
                    total += dot(s, w);
                }
                y = s;
            }
            total + sum(soft_rank_kl(x))
        }
    "#;
    let x = array(vec![0.3, -1.2, 2.0, 0.9]);
    let w = array(vec![1.0, -0.5, 0.25, 2.0]);
    for tau in [0.3, 1.0] {
        let runtime = Runtime {
            tau,
            ..Runtime::default()
        };
        let jit = compile_fn(source, "f", Mode::Relaxed, Backend::Jit);
        let interp = compile_fn(source, "f", Mode::Relaxed, Backend::Interp);
        let args = [x.clone(), w.clone()];
        let (value, grads) = jit.value_and_grad(&args, &runtime).expect("runs");
        let (interp_value, interp_grads) = interp.value_and_grad(&args, &runtime).expect("runs");
        assert_close(
            &reals(&value),
            &reals(&interp_value),
            1e-12,
            "value on both backends",
        );
        let analytic: Vec<f64> = grads.iter().flat_map(reals).collect();
        assert_close(
            &analytic,
            &interp_grads.iter().flat_map(reals).collect::<Vec<_>>(),
            1e-12,
            "gradients on both backends",
        );
        let step = 1e-6;
        let numeric: Vec<f64> = (0..8)
            .map(|index| {
                let at = |delta| {
                    let moved = crate::support::perturb(&args, index, delta);
                    jit.call(&moved, &runtime)
                        .expect("runs")
                        .as_real()
                        .expect("real")
                };
                (at(step) - at(-step)) / (2.0 * step)
            })
            .collect();
        assert_close(
            &analytic,
            &numeric,
            1e-6,
            &format!("soft sort in a loop at tau={tau}"),
        );
    }
}

/// Inputs long enough for the radix argsort, with ties: the value and VJP
/// are the same bits on both backends and the same as the runtime's
/// functions called directly (every sort of a gradient call after the
/// first reuses the first one's solution; this checks that nothing of it
/// leaks between programs, backends or calls on other values).
#[test]
fn long_inputs_agree_bit_for_bit_across_backends_and_the_runtime() {
    use rand::{Rng, SeedableRng};
    use smoothc::runtime::isotonic::{self, Direction, Regularization};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let n = 3000;
    let x: Vec<f64> = (0..n)
        .map(|k| {
            if k % 10 == 0 {
                0.5
            } else {
                rng.random::<f64>() - 0.5
            }
        })
        .collect();
    let w: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let tau = 0.01;
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (name, regularization) in [
        ("soft_rank", Regularization::L2),
        ("soft_rank_kl", Regularization::Kl),
        ("soft_sort", Regularization::L2),
        ("soft_sort_kl", Regularization::Kl),
    ] {
        let source = format!("fn f(x: real[n]) -> real[n] {{ {name}(x) }}\n");
        let up = Direction::Ascending;
        let (expected, expected_grad) = if name.starts_with("soft_rank") {
            (
                isotonic::soft_rank(&x, tau, regularization, up),
                isotonic::soft_rank_vjp(&x, tau, regularization, up, &w),
            )
        } else {
            (
                isotonic::soft_sort(&x, tau, regularization, up),
                isotonic::soft_sort_vjp(&x, tau, regularization, up, &w),
            )
        };
        for backend in [Backend::Jit, Backend::Interp] {
            let function = compile_fn(&source, "f", Mode::Relaxed, backend);
            // A call on other values in between, so the next is no reuse.
            let other = array(x.iter().map(|v| -v).collect());
            let _ = function.call(&[other], &runtime).expect("runs");
            let (value, grads) = function
                .vjp(&[array(x.clone())], array(w.clone()), &runtime)
                .expect("runs");
            let what = format!("{name} on {backend:?}");
            assert_eq!(bits(&reals(&value)), bits(&expected), "{what}: value");
            assert_eq!(bits(&reals(&grads[0])), bits(&expected_grad), "{what}: VJP");
            let forward = function.call(&[array(x.clone())], &runtime).expect("runs");
            assert_eq!(bits(&reals(&forward)), bits(&expected), "{what}: call");
        }
    }
}
