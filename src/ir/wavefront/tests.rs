//! The wavefront as a specification: which nests are sweeps
//! (`tests/fixtures/wavefront/*.dsl`, each saying how many it has), and
//! that the pipelined function computes what the plain one computes, bit
//! for bit, forward and gradient, on both backends, for every length from
//! an empty array up, and on every example.

use super::{find_all, find_speculative};
use crate::example_files::{dsl_files, examples};
use crate::ir::Func;
use crate::runtime::Value;
use crate::{Backend, Function, Mode, Options, Runtime};
use ndarray::ArrayD;
use std::path::Path;

fn compile(source: &str, entry: &str, backend: Backend, pipeline_sweeps: bool) -> Function {
    let options = Options {
        mode: Mode::Relaxed,
        backend,
        pipeline_sweeps,
        ..Options::default()
    };
    crate::compile(source, &options)
        .and_then(|program| program.function(entry))
        .expect("compiles")
}

/// A deterministic input of length `n` with ties and values far apart.
fn input(n: usize, seed: u64) -> Value {
    let values = (0..n as u64)
        .map(|k| {
            let mixed = (k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ seed) >> 40;
            match mixed % 7 {
                0 => 0.25,
                1 => 1e6 * (mixed % 5) as f64,
                _ => (mixed % 1000) as f64 / 300.0 - 1.5,
            }
        })
        .collect();
    Value::Array(ArrayD::from_shape_vec(vec![n], values).expect("a vector"))
}

/// A result as text (reals print shortest round-trip, so two texts are
/// equal exactly when the bits are, zeros' signs included), or its error.
fn outcome<T: std::fmt::Debug>(result: Result<T, crate::Error>) -> String {
    match result {
        Ok(value) => format!("{value:?}"),
        Err(error) => error.render(),
    }
}

/// The sweep nests and the speculative sweeps of `func`.
fn sweeps(func: &Func) -> usize {
    find_all(func).len() + find_speculative(func).len()
}

#[test]
fn each_fixture_has_the_sweep_nests_it_says() {
    let files = dsl_files("tests/fixtures/wavefront");
    assert!(files.len() >= 8, "the fixtures are found");
    for path in files {
        let source = std::fs::read_to_string(&path).expect("readable");
        let expected: usize = source
            .lines()
            .find_map(|line| line.strip_prefix("// nests: "))
            .expect("a nests line")
            .trim()
            .parse()
            .expect("a count");
        let function = compile(&source, "loss", Backend::Interp, false);
        assert_eq!(
            sweeps(function.forward_ir()),
            expected,
            "{}",
            path.display()
        );
        let pipelined = compile(&source, "loss", Backend::Interp, true);
        assert!(
            find_all(pipelined.forward_ir()).len() <= expected,
            "{}: the rewrite leaves at most the odd last pass's nest",
            path.display()
        );
    }
}

/// The one sweep nest of `tests/fixtures/wavefront/{name}`.
fn only_nest(name: &str) -> super::SweepNest {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/wavefront")
            .join(name),
    )
    .expect("readable");
    let function = compile(&source, "loss", Backend::Interp, false);
    let [nest] = find_all(function.forward_ir())
        .try_into()
        .expect("one nest");
    nest
}

#[test]
fn bubble_sort_runs_its_second_pass_two_steps_behind() {
    let nest = only_nest("bubble.dsl");
    assert_eq!(nest.sweep.lag, 2);
    assert_eq!(
        nest.sweep.windows.values().copied().collect::<Vec<_>>(),
        [(0, 1)]
    );
    assert_eq!(only_nest("wide_window.dsl").sweep.lag, 3);
}

#[test]
fn pipelined_sweeps_compute_the_same_bits_forward_and_backward() {
    // At 1e-9 the sigmoids are 0 or 1: a pass that swaps nothing stops a
    // relaxed while, and the pass run ahead of it is dropped.
    for tau in [0.3, 1e-9] {
        let runtime = Runtime {
            tau,
            ..Runtime::default()
        };
        for path in dsl_files("tests/fixtures/wavefront") {
            let source = std::fs::read_to_string(&path).expect("readable");
            for backend in [Backend::Interp, Backend::Jit] {
                let plain = compile(&source, "loss", backend, false);
                let pipelined = compile(&source, "loss", backend, true);
                let sizes = [0, 1, 2, 3, 4, 5, 8, 17, 33];
                let shuffled = sizes.map(|n| (format!("n = {n}"), input(n, n as u64)));
                // Sorted and far apart, every pass swaps with a tiny
                // probability: a relaxed while stops below its threshold
                // with a pass run ahead (early_exit_in_a_loop runs it again).
                let far_apart = (0..33).map(|k| 3.0 * f64::from(k)).collect();
                let sorted =
                    Value::Array(ArrayD::from_shape_vec(vec![33], far_apart).expect("1-D"));
                for (name, input) in shuffled.into_iter().chain([("sorted".into(), sorted)]) {
                    let args = [input];
                    let what = format!("{} {backend:?} tau {tau} {name}", path.display());
                    assert_same_bits([&pipelined, &plain], &args, &runtime, &what);
                }
            }
        }
    }
}

/// The pipelined function's value and gradient are the plain one's, bit
/// for bit (or both fail alike).
fn assert_same_bits(
    [pipelined, plain]: [&Function; 2],
    args: &[Value],
    runtime: &Runtime,
    what: &str,
) {
    assert_eq!(
        outcome(pipelined.call(args, runtime)),
        outcome(plain.call(args, runtime)),
        "{what} forward"
    );
    assert_eq!(
        outcome(pipelined.value_and_grad(args, runtime)),
        outcome(plain.value_and_grad(args, runtime)),
        "{what} gradient"
    );
}

#[test]
fn every_example_computes_the_same_bits_pipelined() {
    let runtime = Runtime {
        tau: 0.1,
        ..Runtime::default()
    };
    let mut pipelined_examples = 0;
    for example in examples() {
        let plain = compile(&example.source, &example.entry, Backend::Interp, false);
        let pipelined = compile(&example.source, &example.entry, Backend::Interp, true);
        pipelined_examples += usize::from(sweeps(plain.forward_ir()) > 0);
        let args = crate::json::arguments_from_json(&plain, &example.inputs).expect("inputs fit");
        let what = example.path.display().to_string();
        assert_same_bits([&pipelined, &plain], &args, &runtime, &what);
    }
    assert!(pipelined_examples >= 1, "bubble_sort is a sweep");
}
