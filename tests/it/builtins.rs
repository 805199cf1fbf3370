//! Every builtin and prelude function, by its hard meaning: each row is a
//! small program, its arguments and the expected result, run in hard mode
//! on both backends.

use crate::support::{assert_close, compile_fn, reals};
use smoothc::{Backend, Mode, Runtime};
use std::collections::BTreeMap;

/// (body of `f`, parameters, arguments, expected result)
const CASES: &[(&str, &str, &str, &str)] = &[
    ("sum(x)", "x: real[n]", r#"{"x": [1.0, 2.5, -0.5]}"#, "3.0"),
    ("mean(x)", "x: real[n]", r#"{"x": [1.0, 2.0, 6.0]}"#, "3.0"),
    (
        "prod(x)",
        "x: real[n]",
        r#"{"x": [2.0, -3.0, 0.5]}"#,
        "-3.0",
    ),
    (
        "dot(x, y)",
        "x: real[n], y: real[n]",
        r#"{"x": [1.0, 2.0], "y": [3.0, 4.0]}"#,
        "11.0",
    ),
    (
        "real(len(m, 1))",
        "m: real[n, k]",
        r#"{"m": [[1.0, 2.0, 3.0]]}"#,
        "3.0",
    ),
    (
        "exp(1.0) + log(1.0) + sqrt(x)",
        "x: real",
        r#"{"x": 4.0}"#,
        "4.718281828459045",
    ),
    (
        "sin(0.0) + cos(0.0) + tanh(0.0)",
        "x: real",
        r#"{"x": 0.0}"#,
        "1.0",
    ),
    (
        "sigmoid(x) + softplus(0.0)",
        "x: real",
        r#"{"x": 0.0}"#,
        "1.1931471805599454",
    ),
    ("pow(x, 3.0)", "x: real", r#"{"x": 2.0}"#, "8.0"),
    (
        "real(floor(x) + ceil(x) + round(x))",
        "x: real",
        r#"{"x": -2.5}"#,
        "-8.0",
    ),
    ("real(7 % 3 - 7 / 2)", "x: real", r#"{"x": 0.0}"#, "-2.0"),
    (
        "min(x, 2.0) + max(x, 2.0)",
        "x: real",
        r#"{"x": 5.0}"#,
        "7.0",
    ),
    (
        "real(min(3, 4) + max(3, 4))",
        "x: real",
        r#"{"x": 0.0}"#,
        "7.0",
    ),
    (
        "min(x) + 10.0 * max(x)",
        "x: real[n]",
        r#"{"x": [3.0, -1.0, 2.0]}"#,
        "29.0",
    ),
    (
        "abs(x) + real(abs(-4)) + sign(x) + real(sign(0))",
        "x: real",
        r#"{"x": -1.5}"#,
        "4.5",
    ),
    (
        "clamp(x, 0.0, 1.0) + relu(x - 2.0)",
        "x: real",
        r#"{"x": 3.0}"#,
        "2.0",
    ),
    (
        "real(argmax(x) * 10 + argmin(x))",
        "x: real[n]",
        r#"{"x": [2.0, 5.0, 5.0, -1.0]}"#,
        "13.0",
    ),
    (
        "dot(sort(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "321.0",
    ),
    (
        "dot(rank(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "213.0",
    ),
    (
        "dot(topk(x, 2), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "101.0",
    ),
    (
        "sum(softmax(x))",
        "x: real[n]",
        r#"{"x": [1000.0, 0.0, -1000.0]}"#,
        "1.0",
    ),
    (
        "logsumexp(x)",
        "x: real[n]",
        r#"{"x": [1000.0, 1000.0]}"#,
        "1000.6931471805599",
    ),
    (
        "sum(zeros(n) + fill(n, 2.0))",
        "x: real[n]",
        r#"{"x": [0.0, 0.0, 0.0]}"#,
        "6.0",
    ),
    (
        "sum([real(i * i) for i in 0..n])",
        "x: real[n]",
        r#"{"x": [0.0, 0.0, 0.0]}"#,
        "5.0",
    ),
    (
        "sum(exp(x) - x * 2.0)",
        "x: real[n]",
        r#"{"x": [0.0, 0.0]}"#,
        "2.0",
    ),
];

#[test]
fn builtins_and_prelude_have_their_hard_meaning() {
    for (body, params, args, expected) in CASES {
        let source = format!("fn f({params}) -> real {{\n    {body}\n}}\n");
        let args_json: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(args).expect("JSON args");
        let expected: f64 = expected.parse().expect("a number");
        for backend in [Backend::Jit, Backend::Interp] {
            let function = compile_fn(&source, "f", Mode::Hard, backend);
            let args = smoothc::json::arguments_from_json(&function, &args_json).expect("args fit");
            let value = function
                .call(&args, &Runtime::default())
                .unwrap_or_else(|error| panic!("{}", error.render()));
            assert_close(&reals(&value), &[expected], 1e-14, body);
        }
    }
}

#[test]
fn bitonic_sort_from_the_sorting_module() {
    let source = "use sorting;\nfn f(x: real[n]) -> real[n] {\n    bitonic_sort(x)\n}\n";
    let function = compile_fn(source, "f", Mode::Hard, Backend::Jit);
    let args_json: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(r#"{"x": [5.0, -1.0, 3.0, 2.0, 8.0, 0.0, 7.0, 4.0]}"#).expect("JSON");
    let args = smoothc::json::arguments_from_json(&function, &args_json).expect("args fit");
    let value = function.call(&args, &Runtime::default()).expect("runs");
    assert_eq!(reals(&value), vec![-1.0, 0.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0]);
}
