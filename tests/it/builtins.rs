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
        "dot(sort_bitonic(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "321.0",
    ),
    (
        "dot(#[relax(network = \"bitonic\")] sort(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "321.0",
    ),
    (
        "sort_perm(x)[0, 2] + 10.0 * sort_perm_bitonic(x)[1, 0] + 100.0 * sort_perm_odd_even(x)[2, 1]",
        "x: real[3]",
        r#"{"x": [3.0, 1.0, 2.0]}"#,
        "111.0",
    ),
    // Network ranks are positions: tied elements get distinct ranks.
    (
        "dot(rank_bitonic(x), [1.0, 10.0, 100.0]) + 1000.0 * dot(rank_odd_even(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [2.0, 2.0, 1.0]}"#,
        "132123.0",
    ),
    (
        "dot(#[relax(network = \"odd_even\")] rank(x), [1.0, 10.0, 100.0])",
        "x: real[3]",
        r#"{"x": [2.0, 2.0, 1.0]}"#,
        "132.0",
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

/// The bitonic network sorts inputs of every length, not only powers of
/// two: by the 0-1 principle it is enough that it sorts every input of
/// zeros and ones, checked for all of them up to n = 10; random inputs
/// check longer lengths (22 is the first at which diffsort's pass-through
/// padding would not sort). Its ranks put each element where the sort puts
/// it, and its permutation matrix moves the inputs there.
#[test]
fn bitonic_network_sorts_every_length() {
    use rand::{Rng, SeedableRng};
    let source = "fn f(x: real[n]) -> real[n] {\n    #[relax(network = \"bitonic\")] sort(x)\n}\nfn r(x: real[n]) -> real[n] {\n    #[relax(network = \"bitonic\")] rank(x)\n}\n";
    let sort = compile_fn(source, "f", Mode::Hard, Backend::Jit);
    let rank = compile_fn(source, "r", Mode::Hard, Backend::Jit);
    let perm = compile_fn(
        "fn p(x: real[n]) -> real[n, n] {\n    #[relax(network = \"bitonic\")] sort_perm(x)\n}\n",
        "p",
        Mode::Hard,
        Backend::Jit,
    );
    let run = |function: &smoothc::Function, x: &[f64]| {
        let arg = smoothc::Value::Array(ndarray::Array1::from(x.to_vec()).into_dyn());
        reals(&function.call(&[arg], &Runtime::default()).expect("runs"))
    };
    let sorted = |x: &[f64]| {
        let mut y = x.to_vec();
        y.sort_by(f64::total_cmp);
        y
    };
    for n in 0..=10 {
        for bits in 0..1u32 << n {
            let x: Vec<f64> = (0..n).map(|i| f64::from((bits >> i) & 1)).collect();
            assert_eq!(run(&sort, &x), sorted(&x), "0/1 input {x:?}");
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    for n in 11..=40 {
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(-100.0..100.0)).collect();
        assert_eq!(run(&sort, &x), sorted(&x), "n = {n}");
        // Random reals are distinct, so each rank is 1 + the count of
        // smaller elements.
        let expected: Vec<f64> = x
            .iter()
            .map(|xi| 1.0 + x.iter().filter(|xj| *xj < xi).count() as f64)
            .collect();
        assert_eq!(run(&rank, &x), expected, "ranks, n = {n}");
        // Hard, P is a 0/1 matrix, so x P is exact.
        let p = run(&perm, &x);
        let moved: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| x[i] * p[i * n + j]).sum())
            .collect();
        assert_eq!(moved, sorted(&x), "x P, n = {n}");
    }
}

/// For n a power of two, `sort_bitonic` runs `sort_bitonic_unpadded`, its
/// comparators regrouped so that each layer's inner loop has independent
/// iterations. A layer's comparators touch disjoint wires, so the order
/// they run in cannot change a bit: the value and the gradient equal those
/// of the general (padded) network exactly, hard and relaxed. (Stochastic
/// mode numbers its noise draws in the order the comparators run, so there
/// the two draw differently, with the same distribution.)
#[test]
fn the_unpadded_bitonic_network_is_the_padded_one_regrouped() {
    use rand::{Rng, SeedableRng};
    let source = "fn unpadded(x: real[n], w: real[n]) -> real { dot(sort_bitonic_unpadded(x), w) }
fn padded(x: real[n], w: real[n]) -> real { dot(sort_bitonic_padded(x), w) }";
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for mode in [Mode::Hard, Mode::Relaxed] {
        let unpadded = compile_fn(source, "unpadded", mode, Backend::Jit);
        let padded = compile_fn(source, "padded", mode, Backend::Jit);
        for n in [1, 2, 4, 8, 32, 128] {
            let vector = |rng: &mut rand_chacha::ChaCha8Rng| {
                let values: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
                smoothc::Value::Array(ndarray::Array1::from(values).into_dyn())
            };
            let args = [vector(&mut rng), vector(&mut rng)];
            let runtime = Runtime {
                tau: 0.3,
                ..Runtime::default()
            };
            let expected = padded.value_and_grad(&args, &runtime).expect("runs");
            let got = unpadded.value_and_grad(&args, &runtime).expect("runs");
            assert_eq!(got, expected, "{} n = {n}", mode.name());
        }
    }
}
