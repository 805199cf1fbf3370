//! Temperature limits on the examples: tau -> 0 recovers the hard program,
//! and extreme temperatures or inputs (magnitude 1e300, or less where the
//! example's own arithmetic overflows in hard mode) give no NaN or
//! infinity. `extremes` does the same site kind by site kind.

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
            // Inputs of magnitude 1e300, or the largest the example's own
            // arithmetic allows (see `hard_programs_overflow_beyond_their_large_input_limit`).
            let factors: Vec<f64> = std::iter::once(1.0).chain(example.large_inputs).collect();
            for factor in factors {
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

/// An example tested below inputs of magnitude 1e300 (`// large-inputs:`)
/// must owe that to its own arithmetic: at 1e300 its *hard* value or
/// gradient overflows, so no relaxation could be finite there.
#[test]
fn hard_programs_overflow_beyond_their_large_input_limit() {
    for example in support::examples() {
        if example.large_inputs == Some(1e300) {
            continue;
        }
        let function = example.function(Mode::Hard, Backend::Jit);
        let args = scaled(&example.args(&function), 1e300);
        let overflows = match function.value_and_grad(&args, &Runtime::default()) {
            Ok((value, grads)) => reals(&value)
                .into_iter()
                .chain(grads.iter().flat_map(reals))
                .any(|x| !x.is_finite()),
            // A fault (a `while` exceeding its bound on absurd inputs) is
            // just as much the program's own limit.
            Err(_) => true,
        };
        assert!(
            overflows,
            "{} is finite in hard mode at 1e300: drop its `large-inputs` limit",
            example.name
        );
    }
}
