//! The programs only `cargo bench` runs (benches/programs/*.dsl): they
//! compile natively, the JIT agrees with the interpreter, and their
//! gradients match finite differences, so that a benchmark never times a
//! program that is wrong.

use crate::gradcheck;
use crate::support::{self, assert_close, reals};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Mode, Runtime, Value};
use std::path::PathBuf;

fn bench_programs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(support::repo_path("benches/programs"))
        .expect("benches/programs is readable")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    paths.sort();
    paths
}

/// `x` and `w` of `loss(x: real[n], w: real[n])`, uniform on [-2, 2].
fn uniform_args(n: usize, seed: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut vector = || {
        let values: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
        Value::Array(ndarray::Array1::from(values).into_dyn())
    };
    vec![vector(), vector()]
}

#[test]
fn bench_programs_agree_across_backends_and_with_finite_differences() {
    let paths = bench_programs();
    assert!(
        !paths.is_empty(),
        "benches/programs holds the control programs"
    );
    for path in paths {
        let source = std::fs::read_to_string(&path).expect("readable");
        let name = path.display().to_string();
        let jit = support::compile_fn(&source, "loss", Mode::Relaxed, Backend::Jit);
        let interp = support::compile_fn(&source, "loss", Mode::Relaxed, Backend::Interp);
        for (n, tau) in [(8, 0.1), (13, 1.0)] {
            let args = uniform_args(n, 20261205 + n as u64);
            let runtime = Runtime {
                tau,
                ..Runtime::default()
            };
            let what = format!("{name} n={n} tau={tau}");
            let (jit_value, jit_grads) = jit.value_and_grad(&args, &runtime).expect("jit runs");
            let (interp_value, interp_grads) =
                interp.value_and_grad(&args, &runtime).expect("interp runs");
            assert_close(&reals(&jit_value), &reals(&interp_value), 0.0, &what);
            for (jit_grad, interp_grad) in jit_grads.iter().zip(&interp_grads) {
                assert_close(&reals(jit_grad), &reals(interp_grad), 0.0, &what);
            }
            gradcheck::check(&jit, &args, tau, &what);
        }
    }
}

/// The scalar-carried bubble sort does the same soft swaps as the
/// reference program, so its relaxed result is the same bits.
#[test]
fn bubble_carried_in_a_scalar_is_bubble_sort_to_the_bit() {
    let carried = std::fs::read_to_string(support::repo_path(
        "benches/programs/bubble_carried_in_a_scalar.dsl",
    ))
    .expect("readable");
    let reference = std::fs::read_to_string(support::repo_path(
        "tests/fixtures/reference/bubble_early_exit.dsl",
    ))
    .expect("readable");
    let carried = support::compile_fn(&carried, "sorted", Mode::Relaxed, Backend::Jit);
    let reference = support::compile_fn(&reference, "sorted", Mode::Relaxed, Backend::Jit);
    for (n, tau) in [(8, 0.1), (32, 0.1), (13, 1.0)] {
        let args = uniform_args(n, 7 + n as u64);
        let runtime = Runtime {
            tau,
            ..Runtime::default()
        };
        let x = &args[..1];
        let ours = carried.call(x, &runtime).expect("runs");
        let theirs = reference.call(x, &runtime).expect("runs");
        assert_close(
            &reals(&ours),
            &reals(&theirs),
            0.0,
            &format!("n={n} tau={tau}"),
        );
    }
}
