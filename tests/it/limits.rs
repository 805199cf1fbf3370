//! Temperature limits: tau -> 0 recovers the hard program, and extreme
//! temperatures or inputs give no NaN or infinity.

use crate::support::{self, assert_close, reals};
use smoothc::{Backend, Mode, Runtime, Value};

fn bubble_sort_example() -> support::Example {
    support::examples()
        .into_iter()
        .find(|example| example.name == "bubble_sort")
        .expect("the bubble sort example exists")
}

#[test]
fn small_tau_recovers_hard_bubble_sort() {
    let example = bubble_sort_example();
    for entry in ["bubble_sort", "loss"] {
        let relaxed = support::compile_fn(&example.source, entry, Mode::Relaxed, Backend::Jit);
        let hard = support::compile_fn(&example.source, entry, Mode::Hard, Backend::Jit);
        let all_args = example.args(&support::compile_fn(
            &example.source,
            "loss",
            Mode::Hard,
            Backend::Jit,
        ));
        let args = if entry == "loss" {
            all_args
        } else {
            all_args[..1].to_vec()
        };
        let runtime = Runtime {
            tau: 1e-6,
            ..Runtime::default()
        };
        let relaxed_value = relaxed.call(&args, &runtime).expect("relaxed runs");
        let hard_value = hard.call(&args, &runtime).expect("hard runs");
        assert_close(&reals(&relaxed_value), &reals(&hard_value), 1e-6, entry);
    }
}

#[test]
fn small_tau_recovers_hard_on_every_example() {
    for example in support::examples()
        .into_iter()
        .filter(|example| example.modes.contains(&Mode::Relaxed))
    {
        let relaxed = example.function(Mode::Relaxed, Backend::Jit);
        let hard = example.function(Mode::Hard, Backend::Jit);
        let args = example.args(&relaxed);
        let runtime = Runtime {
            tau: 1e-6,
            ..Runtime::default()
        };
        let relaxed_value = relaxed.call(&args, &runtime).expect("relaxed runs");
        let hard_value = hard.call(&args, &runtime).expect("hard runs");
        assert_close(
            &reals(&relaxed_value),
            &reals(&hard_value),
            1e-6,
            &example.name,
        );
    }
}

fn scaled(args: &[Value], factor: f64) -> Vec<Value> {
    args.iter()
        .map(|arg| match arg {
            Value::Real(real) => Value::Real(real * factor),
            Value::Array(array) => Value::Array(array.mapv(|x| x * factor)),
            other => other.clone(),
        })
        .collect()
}

#[test]
fn extreme_temperatures_and_inputs_stay_finite() {
    for example in support::examples()
        .into_iter()
        .filter(|example| example.modes.contains(&Mode::Relaxed))
    {
        for backend in [Backend::Jit, Backend::Interp] {
            let function = example.function(Mode::Relaxed, backend);
            let base = example.args(&function);
            // Squares of 1e150 stay below the largest double; the
            // comparisons see differences of size 1e150 at every tau.
            let factors: &[f64] = if example.large_inputs {
                &[1.0, 1e150]
            } else {
                &[1.0]
            };
            for &factor in factors {
                let args = scaled(&base, factor);
                for tau in [1e-9, 1e9] {
                    let runtime = Runtime {
                        tau,
                        ..Runtime::default()
                    };
                    let (value, grads) = function.value_and_grad(&args, &runtime).expect("runs");
                    let all: Vec<f64> = reals(&value)
                        .into_iter()
                        .chain(grads.iter().flat_map(reals))
                        .collect();
                    assert!(
                        all.iter().all(|x| x.is_finite()),
                        "{} at tau={tau}, inputs x{factor}: {all:?}",
                        example.name
                    );
                }
            }
        }
    }
}
