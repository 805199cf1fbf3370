//! Errors after the front end, rendered: programs that relaxed mode cannot
//! smooth (`fixtures/relaxed_errors/`), and runtime faults
//! (`fixtures/runtime_errors/`, with a `// args:` line), which must be the
//! same error on both backends and for both the function and its gradient.

use crate::support::entry_of;
use smoothc::{Backend, Mode, Options, Runtime};
use std::collections::BTreeMap;

fn options(path: &std::path::Path, mode: Mode, backend: Backend) -> Options {
    Options {
        mode,
        backend,
        file_name: path.file_name().unwrap().to_string_lossy().into_owned(),
        ..Options::default()
    }
}

#[test]
fn relaxed_mode_rejects_constructs_without_relaxation() {
    insta::glob!("../fixtures/relaxed_errors", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let entry = entry_of(&source).expect("fixtures name their entry");
        let hard =
            smoothc::compile(&source, &options(path, Mode::Hard, Backend::Jit)).expect("checks");
        assert!(
            hard.function(&entry).is_ok(),
            "hard mode accepts the program"
        );
        let relaxed =
            smoothc::compile(&source, &options(path, Mode::Relaxed, Backend::Jit)).expect("checks");
        let Err(error) = relaxed.function(&entry) else {
            panic!("relaxed mode should reject {}", path.display())
        };
        assert_eq!(error.kind, smoothc::ErrorKind::Compile);
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- DIAGNOSTICS\n{}",
            error.render()
        ));
    });
}

#[test]
fn some_programs_are_rejected_in_every_mode() {
    insta::glob!("../fixtures/smoothing_errors", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let entry = entry_of(&source).expect("fixtures name their entry");
        let mut rendered = Vec::new();
        for mode in [Mode::Hard, Mode::Relaxed] {
            let program =
                smoothc::compile(&source, &options(path, mode, Backend::Jit)).expect("checks");
            let Err(error) = program.function(&entry) else {
                panic!(
                    "{} should be rejected in {} mode",
                    path.display(),
                    mode.name()
                )
            };
            assert_eq!(error.kind, smoothc::ErrorKind::Compile);
            rendered.push(error.render());
        }
        assert_eq!(
            rendered[0], rendered[1],
            "the same diagnostic in both modes"
        );
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- DIAGNOSTICS\n{}",
            rendered[0]
        ));
    });
}

#[test]
fn runtime_faults_are_errors_on_both_backends() {
    insta::glob!("../fixtures/runtime_errors", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let entry = entry_of(&source).expect("fixtures name their entry");
        let args_line = source
            .lines()
            .find_map(|line| line.trim().strip_prefix("// args:"))
            .expect("runtime fixtures give their arguments");
        let args_json: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(args_line).expect("JSON args");
        let mut rendered = Vec::new();
        for backend in [Backend::Jit, Backend::Interp] {
            for mode in [Mode::Hard, Mode::Relaxed] {
                let program =
                    smoothc::compile(&source, &options(path, mode, backend)).expect("checks");
                let function = program.function(&entry).expect("compiles");
                let args =
                    smoothc::json::arguments_from_json(&function, &args_json).expect("args fit");
                let call = function
                    .call(&args, &Runtime::default())
                    .expect_err("the call faults");
                let grad = function
                    .value_and_grad(&args, &Runtime::default())
                    .expect_err("the gradient faults");
                assert_ne!(call.kind, smoothc::ErrorKind::Internal, "{}", call.render());
                rendered.push(call.render());
                rendered.push(grad.render());
            }
        }
        assert!(
            rendered.iter().all(|text| text == &rendered[0]),
            "every backend, mode and entry point reports the same error:\n{}",
            rendered.join("\n")
        );
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- DIAGNOSTICS\n{}",
            rendered[0]
        ));
    });
}
