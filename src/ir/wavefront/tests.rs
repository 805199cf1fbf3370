//! The wavefront as a specification: which nests are sweeps
//! (`tests/fixtures/wavefront/*.dsl`, each saying how many it has), and
//! that the pipelined function computes what the plain one computes, bit
//! for bit, forward and gradient, on both backends, for every length from
//! an empty array up, and on every example.

use super::find_all;
use crate::runtime::Value;
use crate::{Backend, Function, Mode, Options, Runtime};
use ndarray::ArrayD;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

fn dsl_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the directory exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    files.sort();
    files
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
        let nests = find_all(function.forward_ir());
        assert_eq!(nests.len(), expected, "{}", path.display());
        let pipelined = compile(&source, "loss", Backend::Interp, true);
        assert!(
            find_all(pipelined.forward_ir()).len() <= expected,
            "{}: the rewrite leaves at most the odd last pass's nest",
            path.display()
        );
    }
}

#[test]
fn bubble_sort_runs_its_second_pass_two_steps_behind() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wavefront/bubble.dsl"),
    )
    .expect("readable");
    let function = compile(&source, "loss", Backend::Interp, false);
    let [nest] = find_all(function.forward_ir())
        .try_into()
        .expect("one nest");
    assert_eq!(nest.lag, 2);
    assert_eq!(nest.windows.values().copied().collect::<Vec<_>>(), [(0, 1)]);
    let wide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wavefront/wide_window.dsl"),
    )
    .expect("readable");
    let function = compile(&wide, "loss", Backend::Interp, false);
    let [nest] = find_all(function.forward_ir())
        .try_into()
        .expect("one nest");
    assert_eq!(nest.lag, 3);
}

#[test]
fn pipelined_sweeps_compute_the_same_bits_forward_and_backward() {
    let runtime = Runtime {
        tau: 0.3,
        ..Runtime::default()
    };
    for path in dsl_files("tests/fixtures/wavefront") {
        let source = std::fs::read_to_string(&path).expect("readable");
        for backend in [Backend::Interp, Backend::Jit] {
            let plain = compile(&source, "loss", backend, false);
            let pipelined = compile(&source, "loss", backend, true);
            for n in [0, 1, 2, 3, 4, 5, 8, 17, 33] {
                let args = [input(n, n as u64)];
                let what = format!("{} {backend:?} n = {n}", path.display());
                assert_eq!(
                    outcome(pipelined.call(&args, &runtime)),
                    outcome(plain.call(&args, &runtime)),
                    "{what} forward"
                );
                assert_eq!(
                    outcome(pipelined.value_and_grad(&args, &runtime)),
                    outcome(plain.value_and_grad(&args, &runtime)),
                    "{what} gradient"
                );
            }
        }
    }
}

#[test]
fn every_example_computes_the_same_bits_pipelined() {
    let runtime = Runtime {
        tau: 0.1,
        ..Runtime::default()
    };
    let mut pipelined_examples = 0;
    for path in dsl_files("examples") {
        let source = std::fs::read_to_string(&path).expect("readable example");
        let entry = source
            .lines()
            .find_map(|line| line.strip_prefix("// entry: "))
            .expect("an entry line")
            .trim()
            .to_string();
        let inputs: BTreeMap<String, serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("json")).expect("inputs"),
        )
        .expect("a JSON object");
        let plain = compile(&source, &entry, Backend::Interp, false);
        let pipelined = compile(&source, &entry, Backend::Interp, true);
        pipelined_examples += usize::from(!find_all(plain.forward_ir()).is_empty());
        let args = crate::json::arguments_from_json(&plain, &inputs).expect("inputs fit");
        let what = path.display();
        assert_eq!(
            outcome(pipelined.call(&args, &runtime)),
            outcome(plain.call(&args, &runtime)),
            "{what} forward"
        );
        assert_eq!(
            outcome(pipelined.value_and_grad(&args, &runtime)),
            outcome(plain.value_and_grad(&args, &runtime)),
            "{what} gradient"
        );
    }
    assert!(pipelined_examples >= 1, "bubble_sort is a sweep");
}
