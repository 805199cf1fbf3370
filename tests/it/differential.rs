//! The JIT against the interpreter: same values and gradients, on every
//! example, in every mode, at several temperatures.

use crate::support::{self, assert_close, reals};
use smoothc::{Backend, Runtime};

#[test]
fn jit_agrees_with_interpreter_on_examples() {
    for example in support::examples() {
        for mode in example.modes.clone() {
            let jit = example.function(mode, Backend::Jit);
            let interp = example.function(mode, Backend::Interp);
            let args = example.args(&jit);
            for tau in [1e-3, 0.5, 2.0] {
                let runtime = Runtime {
                    tau,
                    ..Runtime::default()
                };
                let what = format!("{} {} tau={tau}", example.name, mode.name());
                let (jit_value, jit_grads) = jit.value_and_grad(&args, &runtime).expect("jit runs");
                let (interp_value, interp_grads) =
                    interp.value_and_grad(&args, &runtime).expect("interp runs");
                assert_close(
                    &reals(&jit_value),
                    &reals(&interp_value),
                    1e-12,
                    &format!("{what} value"),
                );
                for (jit_grad, interp_grad) in jit_grads.iter().zip(&interp_grads) {
                    assert_close(
                        &reals(jit_grad),
                        &reals(interp_grad),
                        1e-12,
                        &format!("{what} grad"),
                    );
                }
                let called = jit.call(&args, &runtime).expect("jit call runs");
                assert_close(
                    &reals(&called),
                    &reals(&jit_value),
                    0.0,
                    &format!("{what} call vs grad value"),
                );
            }
        }
    }
}

/// The bitonic network (sort, permutation matrix and ranks, at a length
/// that is padded): the same values and vector-Jacobian products on both
/// backends.
#[test]
fn jit_agrees_with_interpreter_on_the_bitonic_network() {
    let source = "\
fn sorted(x: real[n]) -> real[n] {
    #[relax(network = \"bitonic\")] sort(x)
}
fn perm(x: real[n]) -> real[n, n] {
    #[relax(network = \"bitonic\")] sort_perm(x)
}
fn ranks(x: real[n]) -> real[n] {
    #[relax(network = \"bitonic\")] rank(x)
}
";
    let x = ndarray::arr1(&[0.4, -1.3, 2.2, 0.9, 0.95, -0.2]).into_dyn();
    let n = x.len();
    for mode in [smoothc::Mode::Hard, smoothc::Mode::Relaxed] {
        for (name, shape) in [
            ("sorted", vec![n]),
            ("perm", vec![n, n]),
            ("ranks", vec![n]),
        ] {
            let jit = support::compile_fn(source, name, mode, Backend::Jit);
            let interp = support::compile_fn(source, name, mode, Backend::Interp);
            let size: usize = shape.iter().product();
            let cotangent = ndarray::ArrayD::from_shape_vec(
                shape,
                (0..size).map(|k| (k as f64 * 0.7).sin()).collect(),
            )
            .expect("shape fits");
            for tau in [1e-3, 0.5, 2.0] {
                let runtime = Runtime {
                    tau,
                    ..Runtime::default()
                };
                let what = format!("bitonic {name} {} tau={tau}", mode.name());
                let args = [smoothc::Value::Array(x.clone())];
                let cotangent = smoothc::Value::Array(cotangent.clone());
                let (jit_value, jit_grads) = jit
                    .vjp(&args, cotangent.clone(), &runtime)
                    .expect("jit runs");
                let (interp_value, interp_grads) =
                    interp.vjp(&args, cotangent, &runtime).expect("interp runs");
                assert_close(
                    &reals(&jit_value),
                    &reals(&interp_value),
                    0.0,
                    &format!("{what} value"),
                );
                assert_close(
                    &reals(&jit_grads[0]),
                    &reals(&interp_grads[0]),
                    0.0,
                    &format!("{what} vjp"),
                );
            }
        }
    }
}

#[test]
fn batch_calls_equal_single_calls_in_order() {
    let example = crate::support::examples()
        .into_iter()
        .find(|example| example.name == "bubble_sort")
        .expect("the bubble sort example exists");
    let function = example.function(smoothc::Mode::Relaxed, smoothc::Backend::Jit);
    let base = example.args(&function);
    let batch: Vec<Vec<smoothc::Value>> = (0..40)
        .map(|shift| {
            base.iter()
                .map(|arg| match arg {
                    smoothc::Value::Array(array) => {
                        smoothc::Value::Array(array.mapv(|x| x + f64::from(shift) * 0.1))
                    }
                    other => other.clone(),
                })
                .collect()
        })
        .collect();
    let runtime = smoothc::Runtime::default();
    let values = function.call_batch(&batch, &runtime);
    let grads = function.value_and_grad_batch(&batch, &runtime);
    for ((args, value), grad) in batch.iter().zip(values).zip(grads) {
        let single = function.call(args, &runtime).expect("runs");
        assert_eq!(value.expect("runs"), single);
        assert_eq!(
            grad.expect("runs"),
            function.value_and_grad(args, &runtime).expect("runs")
        );
    }
}
