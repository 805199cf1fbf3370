//! The sweep fixtures of `tests/fixtures/wavefront/`, compiled as users get
//! them (sweep pipelining on): the JIT agrees with the interpreter to the
//! bit and the gradient matches finite differences; a fixture that faults
//! faults on both backends. (`ir::wavefront`'s unit tests check that the
//! pipelined code computes what the plain code does.)

use crate::gradcheck;
use crate::support::{self, assert_close, reals};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Mode, Runtime, Value};
use std::path::PathBuf;

fn sweep_fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(support::repo_path("tests/fixtures/wavefront"))
        .expect("tests/fixtures/wavefront is readable")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    paths.sort();
    paths
}

/// `x` of `loss(x: real[n])`, uniform on [-2, 2].
fn uniform_x(n: usize, seed: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
    vec![Value::Array(ndarray::Array1::from(values).into_dyn())]
}

#[test]
fn sweep_fixtures_agree_across_backends_and_with_finite_differences() {
    let paths = sweep_fixtures();
    assert!(paths.len() >= 10, "the sweep fixtures are found");
    let mut checked = 0;
    for path in paths {
        let source = std::fs::read_to_string(&path).expect("readable");
        let name = path.display().to_string();
        let jit = support::compile_fn(&source, "loss", Mode::Relaxed, Backend::Jit);
        let interp = support::compile_fn(&source, "loss", Mode::Relaxed, Backend::Interp);
        for (n, tau) in [(8, 0.1), (13, 1.0)] {
            let args = uniform_x(n, 20261205 + n as u64);
            let runtime = Runtime {
                tau,
                ..Runtime::default()
            };
            let what = format!("{name} n={n} tau={tau}");
            let (jit_value, jit_grads) = match jit.value_and_grad(&args, &runtime) {
                Ok(result) => result,
                Err(error) => {
                    let interp_error = interp
                        .value_and_grad(&args, &runtime)
                        .expect_err("the interpreter faults where the JIT does");
                    assert_eq!(error.to_string(), interp_error.to_string(), "{what}");
                    continue;
                }
            };
            let (interp_value, interp_grads) =
                interp.value_and_grad(&args, &runtime).expect("interp runs");
            assert_close(&reals(&jit_value), &reals(&interp_value), 0.0, &what);
            for (jit_grad, interp_grad) in jit_grads.iter().zip(&interp_grads) {
                assert_close(&reals(jit_grad), &reals(interp_grad), 0.0, &what);
            }
            gradcheck::check(&jit, &args, tau, &what);
            checked += 1;
        }
    }
    assert!(checked >= 20, "most fixtures run: {checked}");
}
