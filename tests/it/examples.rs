//! Snapshot of every example: its inputs and, in hard and relaxed mode, the
//! value and gradient (checked equal on both backends before printing).

use crate::support::{self, assert_close, reals};
use smoothc::{Backend, Mode, Runtime, Value};
use std::fmt::Write;

/// Reals with 12 significant digits, so the snapshot does not depend on the
/// last bits of the platform's `exp`.
fn show(value: &Value) -> String {
    let numbers: Vec<String> = reals(value).iter().map(|x| format!("{x:.11e}")).collect();
    match value {
        Value::Array(_) => format!("[{}]", numbers.join(", ")),
        _ => numbers.join(""),
    }
}

#[test]
fn examples_run_in_every_mode_on_both_backends() {
    insta::glob!("../../examples", "*.dsl", |path| {
        let name = path.file_stem().expect("file name").to_string_lossy();
        let example = support::examples()
            .into_iter()
            .find(|example| example.name == name)
            .expect("every example file is loaded");
        let mut report = String::new();
        writeln!(report, "----- ENTRY\n{}", example.entry).unwrap();
        writeln!(
            report,
            "----- ARGS\n{}",
            serde_json::to_string(&example.args_json).unwrap()
        )
        .unwrap();
        let mut runs = vec![(Mode::Hard, 1.0)];
        runs.extend(example.taus.iter().map(|tau| (Mode::Relaxed, *tau)));
        for (mode, tau) in runs
            .into_iter()
            .filter(|(mode, _)| example.modes.contains(mode))
        {
            let jit = example.function(mode, Backend::Jit);
            let interp = example.function(mode, Backend::Interp);
            let args = example.args(&jit);
            let runtime = Runtime {
                tau,
                ..Runtime::default()
            };
            let (value, grads) = jit.value_and_grad(&args, &runtime).expect("jit runs");
            let (interp_value, interp_grads) =
                interp.value_and_grad(&args, &runtime).expect("interp runs");
            assert_close(&reals(&value), &reals(&interp_value), 1e-12, &example.name);
            for (a, b) in grads.iter().zip(&interp_grads) {
                assert_close(&reals(a), &reals(b), 1e-12, &example.name);
            }
            writeln!(report, "----- {} tau={tau}", mode.name()).unwrap();
            writeln!(report, "value: {}", show(&value)).unwrap();
            let names = jit
                .params()
                .iter()
                .filter(|param| param.is_real)
                .map(|param| param.name.clone());
            for (name, grad) in names.zip(&grads) {
                writeln!(report, "grad {name}: {}", show(grad)).unwrap();
            }
        }
        insta::assert_snapshot!(report);
    });
}

#[test]
fn every_example_and_fixture_compiles_natively_in_every_mode() {
    // The JIT has no fallback: every IR construct of every mode, forward
    // and reverse, is translated to native code, or compiling fails
    // loudly. A program may be refused by a mode (a construct without a
    // stochastic meaning under some estimator); it must never be an
    // internal error.
    let mut paths = Vec::new();
    for dir in ["examples", "tests/fixtures/ir"] {
        for entry in std::fs::read_dir(support::repo_path(dir)).expect("readable") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|ext| ext == "dsl") {
                paths.push(path);
            }
        }
    }
    let configurations = [
        (Mode::Hard, smoothc::Estimator::Score),
        (Mode::Relaxed, smoothc::Estimator::Score),
        (Mode::Stochastic, smoothc::Estimator::Score),
        (Mode::Stochastic, smoothc::Estimator::StraightThrough),
        (Mode::Stochastic, smoothc::Estimator::Perturb),
    ];
    let mut native = 0;
    for path in &paths {
        let source = std::fs::read_to_string(path).expect("readable");
        let entry = support::entry_of(&source).expect("programs name their entry");
        for (mode, estimator) in configurations {
            let options = smoothc::Options {
                mode,
                estimator,
                backend: Backend::Jit,
                ..smoothc::Options::default()
            };
            let program = smoothc::compile(&source, &options).expect("checks");
            match program.function(&entry) {
                Ok(_) => native += 1,
                Err(error) => assert_eq!(
                    error.kind,
                    smoothc::ErrorKind::Compile,
                    "{} in {} mode: {}",
                    path.display(),
                    mode.name(),
                    error.render()
                ),
            }
        }
    }
    assert!(
        native > 4 * paths.len(),
        "{native} of {} compiled",
        5 * paths.len()
    );
}
