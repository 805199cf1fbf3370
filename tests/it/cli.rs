//! The command line, run as a user would: output formats and exit codes.

use crate::support::repo_path;
use std::process::{Command, Output};

fn smoothc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smoothc"))
        .args(args)
        .current_dir(repo_path(""))
        .output()
        .expect("the binary runs")
}

fn json_of(output: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("not JSON ({error}): {stdout}"))
}

#[test]
fn readme_grad_command_prints_loss_and_gradient() {
    let output = smoothc(&[
        "grad",
        "examples/bubble_sort.dsl",
        "--fn",
        "loss",
        "--args",
        "examples/bubble_sort.json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("value: "), "{stdout}");
    assert!(
        stdout.contains("  x: [") && stdout.contains("  target: ["),
        "{stdout}"
    );
}

#[test]
fn grad_json_has_an_entry_for_every_real_argument() {
    let output = smoothc(&[
        "grad",
        "examples/bubble_sort.dsl",
        "--fn",
        "loss",
        "--args",
        "examples/bubble_sort.json",
        "--format",
        "json",
        "--backend",
        "interp",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = json_of(&output);
    assert!(json["value"].as_f64().is_some());
    assert_eq!(json["grad"]["x"].as_array().map(Vec::len), Some(5));
    assert_eq!(json["grad"]["target"].as_array().map(Vec::len), Some(5));
}

#[test]
fn run_json_with_inline_arguments_and_hard_mode() {
    let output = smoothc(&[
        "run",
        "examples/piecewise.dsl",
        "--arg",
        "x=0.5",
        "--arg",
        "y=2",
        "--mode",
        "hard",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(json_of(&output), serde_json::json!({"value": 1.0}));
}

#[test]
fn exit_code_two_for_usage_errors() {
    assert_eq!(
        smoothc(&["run", "examples/does_not_exist.dsl"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(smoothc(&["frobnicate"]).status.code(), Some(2));
    let missing_arg = smoothc(&["run", "examples/piecewise.dsl", "--arg", "x=1"]);
    assert_eq!(missing_arg.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_arg.stderr).contains("missing argument `y"));
    let unknown_fn = smoothc(&["run", "examples/bubble_sort.dsl", "--fn", "nope"]);
    assert_eq!(unknown_fn.status.code(), Some(2));
}

#[test]
fn exit_code_one_for_program_errors() {
    let dir = std::env::temp_dir().join(format!("smoothc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.dsl");
    std::fs::write(&bad, "fn f(x: real) -> real { x + y }\n").unwrap();
    let output = smoothc(&["check", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error"));

    let out_of_bounds = dir.join("oob.dsl");
    std::fs::write(
        &out_of_bounds,
        "fn f(x: real[n], i: int) -> real { x[i] }\n",
    )
    .unwrap();
    for backend in ["jit", "interp"] {
        let output = smoothc(&[
            "run",
            out_of_bounds.to_str().unwrap(),
            "--arg",
            "x=[1.0, 2.0]",
            "--arg",
            "i=5",
            "--backend",
            backend,
        ]);
        assert_eq!(output.status.code(), Some(1), "{backend}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("index 5 is out of bounds for `x` of length 2"),
            "{backend}: {stderr}"
        );
    }
}

#[test]
fn ir_stages_print() {
    for stage in ["ast", "ir", "smoothed", "grad", "clif"] {
        let output = smoothc(&["ir", "examples/piecewise.dsl", "--stage", stage]);
        assert!(
            output.status.success(),
            "{stage}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "{stage}");
    }
}

#[test]
fn check_list_prints_signatures_and_docs() {
    let output = smoothc(&["check", "examples/bubble_sort.dsl", "--list"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("fn bubble_sort(x: real[n]) -> real[n]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fn loss(x: real[n], target: real[n]) -> real"),
        "{stdout}"
    );
    assert!(stdout.contains("Sorts `x` in ascending order"), "{stdout}");
    assert!(
        !stdout.contains("fn argmax"),
        "prelude functions are not listed: {stdout}"
    );
}

#[test]
fn grad_of_a_function_without_real_result_is_a_usage_error() {
    let dir = std::env::temp_dir().join(format!("smoothc-cli-int-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("count.dsl");
    std::fs::write(&file, "fn count(x: real[n]) -> int { n }\n").unwrap();
    let run = smoothc(&[
        "run",
        file.to_str().unwrap(),
        "--arg",
        "x=[1, 2, 3]",
        "--format",
        "json",
    ]);
    assert_eq!(json_of(&run), serde_json::json!({"value": 3}));
    let grad = smoothc(&["grad", file.to_str().unwrap(), "--arg", "x=[1, 2, 3]"]);
    assert_eq!(grad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&grad.stderr).contains("its result is not real"));
}
