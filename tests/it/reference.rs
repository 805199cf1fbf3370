//! Published implementations, reproduced: the plain programs in
//! `tests/fixtures/reference/`, relaxed by smoothc, against the outputs of
//! the libraries in `../shared/reference/` (see its README).

use crate::support::{assert_close, numbers, reals, reference, repo_path};
use smoothc::{Backend, Mode, Options, Runtime, Value};

/// AlgoVision relaxes bubble sort with early exit at inverse temperature
/// beta; smoothc relaxes the same plain program at tau = 1 / beta. The two
/// stop the loop slightly differently (AlgoVision also skips branches whose
/// probability is below 1e-5), which moves results by about 1e-5 relative:
/// the README allows 1e-4.
#[test]
fn relaxed_early_exit_bubble_sort_matches_algovision() {
    let source =
        std::fs::read_to_string(repo_path("tests/fixtures/reference/bubble_early_exit.dsl"))
            .unwrap();
    let program = smoothc::compile(&source, &Options::default())
        .unwrap_or_else(|error| panic!("{}", error.render()));
    let sorted = program
        .function("sorted")
        .unwrap_or_else(|error| panic!("{}", error.render()));
    let swap_count = program
        .function("swap_count")
        .unwrap_or_else(|error| panic!("{}", error.render()));
    let cases = reference("algovision.json");
    let mut checked = 0;
    for case in cases["cases"].as_array().expect("cases") {
        let id = case["id"].as_str().unwrap_or_default();
        if !id.starts_with("bubble_sort/") {
            continue;
        }
        let beta = case["call"]["beta"].as_f64().expect("beta");
        let runtime = Runtime {
            tau: 1.0 / beta,
            ..Runtime::default()
        };
        let input =
            Value::Array(ndarray::Array1::from(numbers(&case["inputs"]["array"])).into_dyn());
        let w = Value::Array(ndarray::Array1::from(numbers(&case["inputs"]["w"])).into_dyn());
        let tolerance = 1e-4;
        let (array, grad_array) = sorted
            .vjp(std::slice::from_ref(&input), w, &runtime)
            .expect("runs");
        assert_close(
            &reals(&array),
            &numbers(&case["outputs"]["array"]),
            tolerance,
            &format!("{id} array"),
        );
        assert_close(
            &reals(&grad_array[0]),
            &numbers(&case["gradients"]["grad_L_array"]),
            tolerance,
            &format!("{id} d sum(w * array)"),
        );
        let (count, grad_count) = swap_count.value_and_grad(&[input], &runtime).expect("runs");
        let expected_count = case["outputs"]["loss_sum"].as_f64().expect("loss_sum");
        assert_close(
            &reals(&count),
            &[expected_count],
            tolerance,
            &format!("{id} loss_sum"),
        );
        assert_close(
            &reals(&grad_count[0]),
            &numbers(&case["gradients"]["grad_loss_sum"]),
            tolerance,
            &format!("{id} d loss_sum"),
        );
        checked += 1;
    }
    assert_eq!(checked, 8, "every bubble sort case was compared");
    // The same program in hard mode is plain bubble sort.
    let hard = smoothc::compile(
        &source,
        &Options {
            mode: Mode::Hard,
            backend: Backend::Interp,
            ..Options::default()
        },
    )
    .expect("compiles");
    let hard_sorted = hard.function("sorted").expect("builds");
    let x = Value::Array(ndarray::arr1(&[2.0, -1.0, 0.5]).into_dyn());
    assert_eq!(
        reals(&hard_sorted.call(&[x], &Runtime::default()).expect("runs")),
        vec![-1.0, 0.5, 2.0]
    );
}

/// diffsort's relaxed odd-even transposition network is the prelude's plain
/// `sort` (an odd-even transposition network of if-swaps, the default)
/// relaxed with the same family at tau = 1 / steepness: same sorted values,
/// same gradient of `sum(w * sorted)`; and the prelude's `sort_perm` is
/// diffsort's relaxed permutation matrix `P` (`sorted = x P`) with the same
/// gradient of `sum(M * P)`. (`logistic_phi`, which is not a CDF, is not
/// part of the language.)
#[test]
fn relaxed_odd_even_sort_matches_diffsort() {
    let source = "fn f(x: real[n]) -> real[n] {\n    sort(x)\n}\nfn perm(x: real[n]) -> real[n, n] {\n    sort_perm(x)\n}\n";
    check_diffsort_network(source, "odd_even");
}

/// diffsort's bitonic network, the lengths that are not a power of two
/// included (n = 3 and 5, padded as diffsort pads them), is the prelude's
/// `sort` and `sort_perm` at a site that asks for `network = "bitonic"`.
#[test]
fn relaxed_bitonic_sort_matches_diffsort() {
    let source = "fn f(x: real[n]) -> real[n] {\n    #[relax(network = \"bitonic\")] sort(x)\n}\nfn perm(x: real[n]) -> real[n, n] {\n    #[relax(network = \"bitonic\")] sort_perm(x)\n}\n";
    check_diffsort_network(source, "bitonic");
}

/// Compares `f` (the sort) and `perm` (its permutation matrix) of `source`
/// with every case of diffsort's `network` in every family of the language.
fn check_diffsort_network(source: &str, network: &str) {
    let cases = reference("diffsort.json");
    let mut compiled: std::collections::HashMap<&str, (smoothc::Function, smoothc::Function)> =
        std::collections::HashMap::new();
    let mut checked = 0;
    let mut checked_p = 0;
    for case in cases["cases"].as_array().expect("cases") {
        let call = &case["call"];
        if call["network"] != network {
            continue;
        }
        let distribution = call["distribution"].as_str().expect("distribution");
        let Some(family) = smoothc::Family::from_name(distribution) else {
            assert_eq!(distribution, "logistic_phi", "every CDF family is covered");
            continue;
        };
        let (sort, perm) = compiled.entry(distribution).or_insert_with(|| {
            let options = Options {
                family,
                ..Options::default()
            };
            let program = smoothc::compile(source, &options).expect("compiles");
            (
                program.function("f").expect("builds"),
                program.function("perm").expect("builds"),
            )
        });
        let runtime = Runtime {
            tau: 1.0 / call["steepness"].as_f64().expect("steepness"),
            ..Runtime::default()
        };
        let x = Value::Array(ndarray::Array1::from(numbers(&case["inputs"]["x"])).into_dyn());
        let w = Value::Array(ndarray::Array1::from(numbers(&case["inputs"]["w"])).into_dyn());
        let (sorted, grads) = sort
            .vjp(std::slice::from_ref(&x), w, &runtime)
            .expect("runs");
        let id = case["id"].as_str().unwrap_or_default();
        assert_close(
            &reals(&sorted),
            &numbers(&case["outputs"]["sorted"]),
            1e-10,
            &format!("{id} sorted"),
        );
        assert_close(
            &reals(&grads[0]),
            &numbers(&case["gradients"]["grad_L_sort"]),
            1e-8,
            &format!("{id} d sum(w * sorted)"),
        );
        // The permutation matrix is in the reference for n <= 16.
        if let Some(expected_p) = case["outputs"]["P"].as_array() {
            let rows: Vec<Vec<f64>> = expected_p.iter().map(numbers).collect();
            let n = rows.len();
            let m_rows: Vec<Vec<f64>> = case["inputs"]["M"]
                .as_array()
                .expect("M")
                .iter()
                .map(numbers)
                .collect();
            let m = ndarray::Array2::from_shape_vec((n, n), m_rows.concat())
                .expect("square")
                .into_dyn();
            let (p, grads) = perm
                .vjp(std::slice::from_ref(&x), Value::Array(m), &runtime)
                .expect("runs");
            assert_close(&reals(&p), &rows.concat(), 1e-10, &format!("{id} P"));
            assert_close(
                &reals(&grads[0]),
                &numbers(&case["gradients"]["grad_L_perm"]),
                1e-8,
                &format!("{id} d sum(M * P)"),
            );
            checked_p += 1;
        }
        checked += 1;
    }
    assert_eq!(
        checked_p, 80,
        "every {network} case carries its permutation matrix"
    );
    assert_eq!(
        checked, 80,
        "{network}: five families, four steepnesses, four inputs each"
    );
}
