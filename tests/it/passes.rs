//! Snapshots of the passes: for each program in `tests/fixtures/ir/`, the
//! lowered IR, the smoothed IR (with its sites) and the gradient IR, and,
//! for a program with an `// args:` line, its hard-mode value and gradient
//! (checked equal on the JIT and the interpreter). Each program is checked
//! by the IR verifier at every stage (debug builds).

use crate::support::{assert_close, entry_of, reals};
use smoothc::{Backend, Mode, Options, Runtime, Stage};
use std::collections::BTreeMap;

fn options(path: &std::path::Path, mode: Mode, backend: Backend) -> Options {
    Options {
        mode,
        backend,
        file_name: path.file_name().unwrap().to_string_lossy().into_owned(),
        ..Options::default()
    }
}

/// The hard-mode value and gradient, the same on both backends.
fn hard_output(path: &std::path::Path, source: &str, entry: &str, args_line: &str) -> String {
    let args_json: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(args_line).expect("JSON args");
    let mut outputs = Vec::new();
    for backend in [Backend::Jit, Backend::Interp] {
        let program =
            smoothc::compile(source, &options(path, Mode::Hard, backend)).expect("compiles");
        let function = program
            .function(entry)
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let args = smoothc::json::arguments_from_json(&function, &args_json).expect("args fit");
        let runtime = Runtime::default();
        let value = function
            .call(&args, &runtime)
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let grads = if function.is_differentiable() && matches!(value, smoothc::Value::Real(_)) {
            function
                .value_and_grad(&args, &runtime)
                .expect("gradient runs")
                .1
        } else {
            Vec::new()
        };
        outputs.push((value, grads));
    }
    let (jit, interp) = (&outputs[0], &outputs[1]);
    assert_close(
        &reals(&jit.0),
        &reals(&interp.0),
        0.0,
        "value on both backends",
    );
    for (a, b) in jit.1.iter().zip(&interp.1) {
        assert_close(&reals(a), &reals(b), 0.0, "gradient on both backends");
    }
    let mut text = format!("value: {}\n", smoothc::json::value_to_json(&jit.0));
    for grad in &jit.1 {
        text.push_str(&format!("grad: {}\n", smoothc::json::value_to_json(grad)));
    }
    text
}

#[test]
fn pass_snapshots() {
    insta::glob!("../fixtures/ir", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).expect("readable fixture");
        let entry = entry_of(&source).expect("fixtures name their entry");
        let program = smoothc::compile(&source, &options(path, Mode::Relaxed, Backend::Jit))
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let function = program
            .function(&entry)
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let mut report = String::new();
        report.push_str("----- SOURCE\n");
        report.push_str(&source);
        report.push_str("----- IR\n");
        report.push_str(&function.ir_text(Stage::Ir).unwrap());
        report.push_str("----- SMOOTHED IR\n");
        report.push_str(&function.describe_sites());
        report.push_str(&function.ir_text(Stage::Smoothed).unwrap());
        report.push_str("----- GRADIENT IR\n");
        report.push_str(
            &function
                .ir_text(Stage::Grad)
                .unwrap_or_else(|| "(no gradient)\n".to_string()),
        );
        if let Some(args_line) = source
            .lines()
            .find_map(|line| line.trim().strip_prefix("// args:"))
        {
            report.push_str("----- HARD OUTPUT\n");
            report.push_str(&hard_output(path, &source, &entry, args_line));
        }
        insta::assert_snapshot!(report);
    });
}
