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

/// A file in a fresh temporary directory of this test process.
fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smoothc-cli-stochastic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const BUBBLE_SORT_PERTURB: [&str; 14] = [
    "grad",
    "examples/bubble_sort.dsl",
    "--fn",
    "loss",
    "--args",
    "examples/bubble_sort.json",
    "--mode",
    "stochastic",
    "--estimator",
    "perturb",
    "--tau",
    "0.5",
    "--samples",
    "51",
];

#[test]
fn stochastic_grad_json_adds_standard_errors_of_the_same_shapes() {
    let mut args = BUBBLE_SORT_PERTURB.to_vec();
    args.extend(["--seed", "4", "--format", "json"]);
    let json = json_of(&smoothc(&args));
    assert!(json["value"].as_f64().is_some(), "{json}");
    assert!(
        json["value_stderr"].as_f64().is_some_and(|e| e > 0.0),
        "{json}"
    );
    for name in ["x", "target"] {
        assert_eq!(
            json["grad"][name].as_array().map(Vec::len),
            Some(5),
            "{json}"
        );
        assert_eq!(
            json["grad_stderr"][name].as_array().map(Vec::len),
            Some(5),
            "{json}"
        );
    }
    // 51 samples round up to 26 antithetic pairs.
    assert_eq!(json["samples"], 52);
    let mut plain = BUBBLE_SORT_PERTURB.to_vec();
    plain.extend(["--no-variance-reduction", "--format", "json"]);
    assert_eq!(json_of(&smoothc(&plain))["samples"], 51);
}

#[test]
fn stochastic_output_is_the_same_for_the_same_seed_on_both_backends() {
    let run = |seed: &str, backend: &str| {
        let mut args = BUBBLE_SORT_PERTURB.to_vec();
        args.extend(["--seed", seed, "--backend", backend]);
        stdout_of(&smoothc(&args))
    };
    let first = run("8", "jit");
    assert_eq!(first, run("8", "jit"));
    assert_eq!(first, run("8", "interp"));
    assert_ne!(first, run("9", "jit"));
    assert!(
        first.contains(" ± ") && first.contains("samples: 52"),
        "{first}"
    );
}

#[test]
fn stochastic_run_prints_the_mean_its_standard_error_and_k() {
    // A step's samples are 0 or 1, so the mean and its standard error are
    // exact decimals whatever the platform's libm.
    let step = temp_file(
        "step.dsl",
        "fn step(x: real) -> real { if x > 0.0 { 1.0 } else { 0.0 } }\n",
    );
    let path = step.to_str().unwrap();
    let args = [
        "run",
        path,
        "--arg",
        "x=0.3",
        "--mode",
        "stochastic",
        "--estimator",
        "perturb",
        "--samples",
        "1000",
        "--seed",
        "3",
    ];
    let text = stdout_of(&smoothc(&args));
    let json = stdout_of(&smoothc(&[&args[..], &["--format", "json"]].concat()));
    insta::assert_snapshot!(format!("{text}{json}"));
}

#[test]
fn stochastic_flags_are_checked() {
    let zero = smoothc(&[
        "run",
        "examples/piecewise.dsl",
        "--args",
        "examples/piecewise.json",
        "--mode",
        "stochastic",
        "--estimator",
        "perturb",
        "--samples",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("`samples` is 0"));
    let unknown = smoothc(&[
        "run",
        "examples/piecewise.dsl",
        "--mode",
        "stochastic",
        "--estimator",
        "magic",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    // The estimator names are the attribute's (`straight_through`, with an
    // underscore), whether or not this build implements them.
    let straight_through = smoothc(&[
        "run",
        "examples/piecewise.dsl",
        "--args",
        "examples/piecewise.json",
        "--mode",
        "stochastic",
        "--estimator",
        "straight_through",
    ]);
    assert_ne!(straight_through.status.code(), Some(2));
}

#[test]
fn readme_stochastic_command_prints_the_estimate() {
    let stdout = stdout_of(&smoothc(&[
        "grad",
        "examples/piecewise.dsl",
        "--args",
        "examples/piecewise.json",
        "--mode",
        "stochastic",
        "--estimator",
        "perturb",
        "--tau",
        "0.5",
        "--samples",
        "1000",
        "--seed",
        "7",
    ]));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(
        lines[0].starts_with("value: ") && lines[0].contains(" ± "),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("  x: ") && lines[3].starts_with("  y: "),
        "{stdout}"
    );
    assert_eq!(lines[4], "samples: 1000 (± one standard error)");
}

#[test]
fn bench_reports_compile_forward_and_gradient_times() {
    let output = smoothc(&[
        "bench",
        "examples/bubble_sort.dsl",
        "--fn",
        "loss",
        "--args",
        "examples/bubble_sort.json",
        "--repeat",
        "3",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_of(&output);
    for key in ["compile_ms", "forward_ms", "grad_ms"] {
        let ms = report[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {report}"));
        assert!(ms > 0.0 && ms.is_finite(), "{key}: {report}");
    }
    assert_eq!(report["repeat"], 3);
    // An array result times its vector-Jacobian product; an int result has
    // no gradient to time.
    let output = smoothc(&[
        "bench",
        "examples/bubble_sort.dsl",
        "--fn",
        "bubble_sort",
        "--arg",
        "x=[2, 1]",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(json_of(&output)["grad_ms"].as_f64().is_some());
    std::fs::write(
        std::env::temp_dir().join("smoothc_bench_int.dsl"),
        "fn f(x: real[n]) -> int { argmax(x) }\n",
    )
    .expect("temp file");
    let int_file = std::env::temp_dir().join("smoothc_bench_int.dsl");
    let output = smoothc(&[
        "bench",
        int_file.to_str().expect("UTF-8 path"),
        "--arg",
        "x=[2, 1]",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(json_of(&output)["grad_ms"].is_null());
    let output = smoothc(&[
        "bench",
        "examples/bubble_sort.dsl",
        "--fn",
        "loss",
        "--repeat",
        "0",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_args_file_with_an_array_is_a_batch_with_one_result_per_input() {
    let batch = std::env::temp_dir().join("smoothc_batch_args.json");
    std::fs::write(
        &batch,
        r#"[{"x": [3, 1, 2], "target": [1, 2, 3]}, {"x": [1, 2, 3], "target": [1, 2, 3]}]"#,
    )
    .expect("temp file");
    let batch_path = batch.to_str().expect("UTF-8 path");
    let output = smoothc(&[
        "grad",
        "examples/bubble_sort.dsl",
        "--fn",
        "loss",
        "--args",
        batch_path,
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = json_of(&output);
    let results = results.as_array().expect("a JSON array");
    assert_eq!(results.len(), 2);
    // Each result is what the single input gives.
    for (result, x) in results.iter().zip(["[3, 1, 2]", "[1, 2, 3]"]) {
        let single = smoothc(&[
            "grad",
            "examples/bubble_sort.dsl",
            "--fn",
            "loss",
            "--arg",
            &format!("x={x}"),
            "--arg",
            "target=[1, 2, 3]",
            "--format",
            "json",
        ]);
        assert_eq!(result, &json_of(&single));
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    // The gradient's Cranelift IR is far larger than a pipe's buffer, so
    // the write fails once the reading end is closed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_smoothc"))
        .args(["ir", "examples/ranking_supervision.dsl", "--stage", "clif"])
        .current_dir(repo_path(""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("smoothc starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("smoothc ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
}
