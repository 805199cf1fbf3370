//! Stochastic mode's per-sample estimators, checked by statistics that can
//! fail: for programs whose smoothed expectation has a closed form, the
//! mean of single-sample estimates over many seeds lies within 4 standard
//! errors of the exact value and gradient. Also: the JIT draws the same
//! noise as the interpreter, and a seed gives the same bits every time.

use crate::support::reals;
use smoothc::{Backend, Estimator, Family, Function, Mode, Options, Runtime, Value};

fn compile(
    source: &str,
    name: &str,
    estimator: Estimator,
    family: Family,
    backend: Backend,
) -> Function {
    let options = Options {
        mode: Mode::Stochastic,
        estimator,
        family,
        backend,
        file_name: "stochastic.dsl".to_string(),
        ..Options::default()
    };
    smoothc::compile(source, &options)
        .unwrap_or_else(|error| panic!("{}", error.render()))
        .function(name)
        .unwrap_or_else(|error| panic!("{}", error.render()))
}

/// One sample per seed: the value and the flattened gradient.
fn sample(function: &Function, args: &[Value], tau: f64, seed: u64) -> (f64, Vec<f64>) {
    let runtime = Runtime {
        tau,
        seed,
        samples: 1,
        ..Runtime::default()
    };
    let (value, grads) = function.value_and_grad(args, &runtime).expect("runs");
    (
        value.as_real().expect("real"),
        grads.iter().flat_map(reals).collect(),
    )
}

/// Mean and standard error of each coordinate over `count` seeds.
fn statistics(function: &Function, args: &[Value], tau: f64, count: u64) -> (Vec<f64>, Vec<f64>) {
    let samples: Vec<Vec<f64>> = (0..count)
        .map(|seed| {
            let (value, grad) = sample(function, args, tau, seed);
            std::iter::once(value).chain(grad).collect()
        })
        .collect();
    let width = samples[0].len();
    let n = count as f64;
    let means: Vec<f64> = (0..width)
        .map(|j| samples.iter().map(|s| s[j]).sum::<f64>() / n)
        .collect();
    let errors = (0..width)
        .map(|j| {
            let variance = samples
                .iter()
                .map(|s| (s[j] - means[j]).powi(2))
                .sum::<f64>()
                / (n - 1.0);
            (variance / n).sqrt()
        })
        .collect();
    (means, errors)
}

fn assert_within_4_se(what: &str, means: &[f64], errors: &[f64], exact: &[f64]) {
    for (j, ((mean, error), expected)) in means.iter().zip(errors).zip(exact).enumerate() {
        // A floor on the error for coordinates that are exact in every sample.
        let allowed = 4.0 * error.max(1e-12);
        assert!(
            (mean - expected).abs() <= allowed,
            "{what}[{j}]: mean {mean} vs exact {expected} (4 se = {allowed})"
        );
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

const STEP: &str = "fn step(x: real) -> real { if x > 0.0 { 1.0 } else { 0.0 } }";

#[test]
fn one_logistic_comparison_is_the_logistic_relaxation_in_expectation() {
    let (x, tau) = (0.3, 0.5);
    let p = sigmoid(x / tau);
    let exact = [p, p * (1.0 - p) / tau];
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let function = compile(STEP, "step", estimator, Family::Logistic, Backend::Jit);
        let (means, errors) = statistics(&function, &[Value::Real(x)], tau, 4000);
        assert_within_4_se(
            &format!("step, {}", estimator.name()),
            &means,
            &errors,
            &exact,
        );
    }
}

#[test]
fn gumbel_argmax_is_the_softmax_in_expectation() {
    let source = "fn pick(x: real[n], y: real[n]) -> real { y[argmax(x)] }";
    let (x, y, tau): ([f64; 3], [f64; 3], f64) = ([0.2, 0.9, 0.5], [1.0, -2.0, 3.0], 0.7);
    let exps: Vec<f64> = x.iter().map(|v| (v / tau).exp()).collect();
    let total: f64 = exps.iter().sum();
    let w: Vec<f64> = exps.iter().map(|e| e / total).collect();
    let value: f64 = w.iter().zip(&y).map(|(w, y)| w * y).sum();
    // d/dx_i sum_j w_j y_j = w_i (y_i - value) / tau; d/dy_i = w_i.
    let mut exact = vec![value];
    exact.extend((0..3).map(|i| w[i] * (y[i] - value) / tau));
    exact.extend(w.iter().copied());
    let args = [
        Value::Array(ndarray::arr1(&x).into_dyn()),
        Value::Array(ndarray::arr1(&y).into_dyn()),
    ];
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let function = compile(source, "pick", estimator, Family::Logistic, Backend::Jit);
        let (means, errors) = statistics(&function, &args, tau, 4000);
        if estimator == Estimator::Score {
            assert_within_4_se("Gumbel argmax, score", &means, &errors, &exact);
        } else {
            // Straight-through is biased in the scores; its value and its
            // gradient in `y` (the pathwise part) are not.
            assert_within_4_se(
                "Gumbel argmax, straight-through value",
                &means[..1],
                &errors[..1],
                &exact[..1],
            );
            assert_within_4_se(
                "Gumbel argmax, straight-through d/dy",
                &means[4..],
                &errors[4..],
                &exact[4..],
            );
        }
    }
}

#[test]
fn piecewise_linear_under_gaussian_noise_has_the_erf_closed_form() {
    let source = "fn piece(x: real) -> real { if x > 0.0 { 2.0 * x } else { -x } }";
    let (x, tau) = (0.2, 0.4);
    let z = x / tau;
    let phi = 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
    let density = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    // E = P 2x + (1 - P)(-x), P = Phi(x / tau).
    let value = phi * 2.0 * x - (1.0 - phi) * x;
    let gradient = 2.0 * phi - (1.0 - phi) + 3.0 * x * density / tau;
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let function = compile(source, "piece", estimator, Family::Gaussian, Backend::Jit);
        let (means, errors) = statistics(&function, &[Value::Real(x)], tau, 4000);
        assert_within_4_se(
            &format!("piecewise, {}", estimator.name()),
            &means,
            &errors,
            &[value, gradient],
        );
    }
}

#[test]
fn perturbed_floor_is_the_kernel_in_expectation() {
    let source = "fn look(t: real, y: real[n]) -> real { y[floor(t)] }";
    let (t, y, tau) = (3.6, [1.0, 4.0, 9.0, 16.0, 25.0, 36.0, 49.0, 64.0], 0.25);
    let at_least = |a: f64| sigmoid((t - a) / tau);
    let density = |a: f64| at_least(a) * (1.0 - at_least(a)) / tau;
    // floor(t + tau eps) is the hard index of a sample: t sits far enough
    // from both ends that a draw outside 0..8 (an index error, as in hard
    // mode) has probability below 1e-6 per call.
    let weights: Vec<f64> = (0..8)
        .map(|i| at_least(i as f64) - at_least(i as f64 + 1.0))
        .collect();
    let value: f64 = weights.iter().zip(&y).map(|(w, y)| w * y).sum();
    // d/dt sum_i w_i y_i = sum_{a=1..7} density(a) (y_a - y_{a-1}).
    let dt: f64 = (1..8).map(|a| density(a as f64) * (y[a] - y[a - 1])).sum();
    let mut exact = vec![value, dt];
    exact.extend(weights.iter().copied());
    let args = [Value::Real(t), Value::Array(ndarray::arr1(&y).into_dyn())];
    let function = compile(
        source,
        "look",
        Estimator::Score,
        Family::Logistic,
        Backend::Jit,
    );
    let (means, errors) = statistics(&function, &args, tau, 3000);
    // Positions drawn with probability below 1% are seen a handful of
    // times in 3000 samples, too few for a standard error to mean much:
    // check the value, d/dt and the well-sampled positions.
    let checked: Vec<usize> = (0..exact.len())
        .filter(|j| *j < 2 || weights[j - 2] > 0.01)
        .collect();
    let pick = |values: &[f64]| checked.iter().map(|j| values[*j]).collect::<Vec<f64>>();
    assert_within_4_se(
        "perturbed floor, score",
        &pick(&means),
        &pick(&errors),
        &pick(&exact),
    );
    // Straight-through: the value and the pathwise gradient in `y` are
    // unbiased.
    let function = compile(
        source,
        "look",
        Estimator::StraightThrough,
        Family::Logistic,
        Backend::Jit,
    );
    let (means, errors) = statistics(&function, &args, tau, 3000);
    let pathwise: Vec<usize> = checked.iter().copied().filter(|j| *j != 1).collect();
    let pick = |values: &[f64]| pathwise.iter().map(|j| values[*j]).collect::<Vec<f64>>();
    assert_within_4_se(
        "perturbed floor, straight-through",
        &pick(&means),
        &pick(&errors),
        &pick(&exact),
    );
}

#[test]
fn stochastic_loops_run_their_perturbed_iterations() {
    // Bubble sort with early exit: score keeps real loops (the samples are
    // hard sorts of the input, so the sorted output is the input's sort at
    // a tiny tau); straight-through runs the relaxed loop with 0/1 weights.
    let source = "fn sorted_first(x: real[n]) -> real {\n    let mut a = x;\n    let mut swapped = true;\n    #[bound(16)] while swapped {\n        swapped = false;\n        for i in 0..n - 1 {\n            if a[i] > a[i + 1] {\n                let t = a[i];\n                a[i] = a[i + 1];\n                a[i + 1] = t;\n                swapped = true;\n            }\n        }\n    }\n    a[0] * 10.0 + a[n - 1]\n}\n";
    let args = [Value::Array(
        ndarray::arr1(&[0.4, -1.0, 2.5, 0.9]).into_dyn(),
    )];
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let function = compile(
            source,
            "sorted_first",
            estimator,
            Family::Logistic,
            Backend::Jit,
        );
        let (value, _) = sample(&function, &args, 1e-9, 3);
        assert!(
            (value - (-10.0 + 2.5)).abs() < 1e-9,
            "{}: {value}",
            estimator.name()
        );
    }
}

#[test]
fn smoothed_ir_of_a_stochastic_program() {
    let source = "fn f(x: real, y: real[n]) -> real {\n    let k = argmax(y);\n    if x > y[k] { x } else { 0.0 }\n}\n";
    let mut report = String::new();
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let function = compile(source, "f", estimator, Family::Gaussian, Backend::Interp);
        report.push_str(&format!("----- {}\n", estimator.name()));
        report.push_str(&function.describe_sites());
        report.push_str(
            &function
                .ir_text(smoothc::Stage::Smoothed)
                .expect("smoothed IR"),
        );
    }
    insta::assert_snapshot!(report);
}

#[test]
fn both_backends_draw_the_same_noise_and_a_seed_repeats_its_bits() {
    let source = "fn f(x: real[n]) -> real {\n    let mut total = 0.0;\n    for i in 0..n {\n        if x[i] > 0.5 { total += x[i] * x[i]; } else { total -= x[i]; }\n    }\n    total + x[argmax(x)]\n}\n";
    let args = [Value::Array(
        ndarray::arr1(&[0.3, 0.7, 0.5, 1.2]).into_dyn(),
    )];
    for estimator in [Estimator::Score, Estimator::StraightThrough] {
        let jit = compile(source, "f", estimator, Family::Gaussian, Backend::Jit);
        let interp = compile(source, "f", estimator, Family::Gaussian, Backend::Interp);
        for seed in [0, 1, 42] {
            let first = sample(&jit, &args, 0.3, seed);
            let again = sample(&jit, &args, 0.3, seed);
            let reference = sample(&interp, &args, 0.3, seed);
            let bits = |(value, grad): &(f64, Vec<f64>)| -> Vec<u64> {
                std::iter::once(*value)
                    .chain(grad.iter().copied())
                    .map(f64::to_bits)
                    .collect()
            };
            assert_eq!(
                bits(&first),
                bits(&again),
                "{} seed {seed} twice",
                estimator.name()
            );
            assert_eq!(
                bits(&first),
                bits(&reference),
                "{} seed {seed} on both backends",
                estimator.name()
            );
        }
    }
}

/// `(plain stderr / baseline stderr)^2` per gradient component of the score
/// estimator, at the same `K`: how much variance the leave-one-out
/// baseline removes.
fn baseline_variance_ratios(example: &str, entry: &str, tau: f64) -> Vec<f64> {
    let path = crate::support::repo_path(&format!("examples/{example}.dsl"));
    let source = std::fs::read_to_string(path).expect("the example exists");
    let function = compile(
        &source,
        entry,
        Estimator::Score,
        Family::Logistic,
        Backend::Jit,
    );
    let args_path = crate::support::repo_path(&format!("examples/{example}.json"));
    let args_json: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(args_path).expect("args")).expect("JSON");
    let args = smoothc::json::arguments_from_json(&function, &args_json).expect("args fit");
    let errors = |variance_reduction: bool| -> Vec<f64> {
        let runtime = Runtime {
            tau,
            samples: 4000,
            seed: 1,
            variance_reduction,
            ..Runtime::default()
        };
        let estimate = function.estimate(&args, &runtime).expect("runs");
        estimate.grad_stderr.iter().flat_map(reals).collect()
    };
    let (with, without) = (errors(true), errors(false));
    with.iter()
        .zip(&without)
        .map(|(with, without)| (without / with).powi(2))
        .collect()
}

#[test]
fn the_leave_one_out_baseline_reduces_the_score_estimators_variance() {
    // Only the components with a score term can change: bubble sort's
    // `target` enters pathwise only (ratio exactly 1).
    let bubble = baseline_variance_ratios("bubble_sort", "loss", 0.5);
    println!("bubble_sort loss, score, plain/baseline variance: {bubble:?}");
    let (x, target) = bubble.split_at(bubble.len() / 2);
    assert!(x.iter().all(|ratio| *ratio > 1.3), "{x:?}");
    assert!(
        target.iter().all(|ratio| (ratio - 1.0).abs() < 1e-12),
        "{target:?}"
    );
    let piecewise = baseline_variance_ratios("piecewise", "piecewise", 0.5);
    println!("piecewise, score, plain/baseline variance: {piecewise:?}");
    assert!(piecewise.iter().all(|ratio| *ratio > 1.2), "{piecewise:?}");
}

#[test]
fn sites_may_choose_their_own_estimator() {
    // A score site and a straight-through site in one program: each is
    // unbiased here (the result is linear in each decision), so the mean
    // of many samples is the sum of two logistic relaxations.
    let source = "fn f(x: real, y: real) -> real {\n    let a = if x > 0.0 { 1.0 } else { 0.0 };\n    let b = #[stochastic(estimator = \"straight_through\")] if y > 0.0 { 2.0 } else { 0.0 };\n    a + b\n}\n";
    let (x, y, tau) = (0.2, -0.4, 0.5);
    let (p, q) = (sigmoid(x / tau), sigmoid(y / tau));
    let exact = [p + 2.0 * q, p * (1.0 - p) / tau, 2.0 * q * (1.0 - q) / tau];
    let function = compile(
        source,
        "f",
        Estimator::Score,
        Family::Logistic,
        Backend::Jit,
    );
    let sites = function.describe_sites();
    assert!(
        sites.contains("score estimator") && sites.contains("straight_through estimator"),
        "{sites}"
    );
    let (means, errors) = statistics(&function, &[Value::Real(x), Value::Real(y)], tau, 4000);
    assert_within_4_se("mixed estimators", &means, &errors, &exact);
}
