//! Stochastic mode's Monte-Carlo driver, by statistics that can fail: the
//! `perturb` estimator against closed-form smoothed functions, the variance
//! its antithetic pairs remove, and the determinism of the samples (same
//! seed, same bits, on both backends and with any number of threads).
//!
//! Run with `--nocapture` to see the measured variance ratios that
//! docs/LANGUAGE.md reports.

use crate::support::{self, reals};
use smoothc::{Backend, ErrorKind, Estimate, Estimator, Family, Function, Mode, Options};
use smoothc::{Runtime, Value};

fn perturbed(source: &str, entry: &str, family: Family, backend: Backend) -> Function {
    let options = Options {
        mode: Mode::Stochastic,
        estimator: Estimator::Perturb,
        family,
        backend,
        file_name: "stochastic.dsl".to_string(),
        ..Options::default()
    };
    smoothc::compile(source, &options)
        .and_then(|program| program.function(entry))
        .unwrap_or_else(|error| panic!("{}", error.render()))
}

fn runtime(tau: f64, samples: usize, seed: u64, variance_reduction: bool) -> Runtime {
    Runtime {
        tau,
        samples,
        seed,
        variance_reduction,
        ..Runtime::default()
    }
}

fn real(value: &Value) -> f64 {
    value.as_real().expect("a real")
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn normal_cdf(x: f64) -> f64 {
    use statrs::distribution::ContinuousCDF;
    statrs::distribution::Normal::standard().cdf(x)
}

fn normal_density(x: f64) -> f64 {
    (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Estimates from `seeds` independent seeds: each component's mean over the
/// seeds, the standard error of that mean measured from their spread, and
/// the mean standard error the driver reported for one estimate.
struct OverSeeds {
    mean: Vec<f64>,
    stderr: Vec<f64>,
    reported: Vec<f64>,
    spread: Vec<f64>,
}

/// Value then gradient components of an estimate, flattened.
fn components(estimate: &Estimate) -> (Vec<f64>, Vec<f64>) {
    let mut means = reals(&estimate.value);
    let mut errors = reals(&estimate.value_stderr);
    for (grad, stderr) in estimate.grad.iter().zip(&estimate.grad_stderr) {
        means.extend(reals(grad));
        errors.extend(reals(stderr));
    }
    (means, errors)
}

fn over_seeds(function: &Function, args: &[Value], runtime: &Runtime, seeds: u64) -> OverSeeds {
    let runs: Vec<(Vec<f64>, Vec<f64>)> = (0..seeds)
        .map(|seed| {
            let runtime = Runtime { seed, ..*runtime };
            components(&function.estimate(args, &runtime).expect("estimates"))
        })
        .collect();
    let count = seeds as f64;
    let width = runs[0].0.len();
    let column = |index: usize, errors: bool| -> Vec<f64> {
        runs.iter()
            .map(|(means, stderrs)| if errors { stderrs[index] } else { means[index] })
            .collect()
    };
    let mut result = OverSeeds {
        mean: Vec::new(),
        stderr: Vec::new(),
        reported: Vec::new(),
        spread: Vec::new(),
    };
    for index in 0..width {
        let values = column(index, false);
        let mean = values.iter().sum::<f64>() / count;
        let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1.0);
        result.mean.push(mean);
        result.spread.push(variance.sqrt());
        result.stderr.push(variance.sqrt() / count.sqrt());
        result
            .reported
            .push(column(index, true).iter().sum::<f64>() / count);
    }
    result
}

/// The mean over seeds is within 4 standard errors of `exact` (value, then
/// gradient components), and the driver's reported standard error matches
/// the spread of its estimates across seeds to within 25%.
fn assert_unbiased(what: &str, found: &OverSeeds, exact: &[f64]) {
    for (index, expected) in exact.iter().enumerate() {
        let (mean, stderr) = (found.mean[index], found.stderr[index]);
        assert!(
            (mean - expected).abs() <= 4.0 * stderr,
            "{what}[{index}]: {mean} vs exact {expected} (standard error {stderr})"
        );
        let ratio = found.reported[index] / found.spread[index];
        assert!(
            (0.8..1.25).contains(&ratio),
            "{what}[{index}]: reported standard error {} vs measured spread {}",
            found.reported[index],
            found.spread[index]
        );
    }
}

const SQUARE: &str = "fn f(x: real) -> real { x * x }";
const STEP: &str = "fn f(x: real) -> real { if x > 0.0 { 1.0 } else { 0.0 } }";

#[test]
fn perturb_is_unbiased_for_the_square_under_gaussian_noise() {
    // E[(x + tau e)^2] = x^2 + tau^2, so the gradient is 2 x.
    let function = perturbed(SQUARE, "f", Family::Gaussian, Backend::Jit);
    let (x, tau) = (0.7, 0.5);
    for variance_reduction in [true, false] {
        let runtime = runtime(tau, 400, 0, variance_reduction);
        let found = over_seeds(&function, &[Value::Real(x)], &runtime, 100);
        assert_unbiased(
            &format!("square, variance reduction {variance_reduction}"),
            &found,
            &[x * x + tau * tau, 2.0 * x],
        );
    }
}

#[test]
fn perturb_is_unbiased_for_a_step_under_logistic_noise() {
    // P(x + tau e > 0) = sigmoid(x / tau) for logistic e: the smoothed
    // step is the logistic relaxation, with gradient sigmoid' / tau.
    let function = perturbed(STEP, "f", Family::Logistic, Backend::Jit);
    let (x, tau) = (0.3, 0.5);
    let p = sigmoid(x / tau);
    for variance_reduction in [true, false] {
        let runtime = runtime(tau, 400, 0, variance_reduction);
        let found = over_seeds(&function, &[Value::Real(x)], &runtime, 100);
        assert_unbiased(
            &format!("step, variance reduction {variance_reduction}"),
            &found,
            &[p, p * (1.0 - p) / tau],
        );
    }
}

#[test]
fn perturb_of_a_step_is_the_families_cdf_for_every_family() {
    // P(x + tau e > 0) = S(x / tau) for a symmetric family with CDF S,
    // heavy tails included (the step is bounded), with gradient
    // S'(x / tau) / tau.
    use smoothc::runtime::math;
    let families: [(Family, extern "C" fn(f64) -> f64, extern "C" fn(f64) -> f64); 5] = [
        (Family::Gaussian, math::gaussian_cdf, math::gaussian_density),
        (Family::Cauchy, math::cauchy_cdf, math::cauchy_density),
        (Family::Laplace, math::laplace_cdf, math::laplace_density),
        (
            Family::Reciprocal,
            math::reciprocal_cdf,
            math::reciprocal_density,
        ),
        (Family::Optimal, math::optimal_cdf, math::optimal_density),
    ];
    let (x, tau) = (-0.2, 0.5);
    for (family, cdf, density) in families {
        let function = perturbed(STEP, "f", family, Backend::Jit);
        let found = over_seeds(
            &function,
            &[Value::Real(x)],
            &runtime(tau, 200, 0, true),
            60,
        );
        assert_unbiased(
            &format!("step, {family:?}"),
            &found,
            &[cdf(x / tau), density(x / tau) / tau],
        );
    }
}

#[test]
fn perturb_smooths_every_array_element_with_its_own_noise() {
    // With independent gaussian noise on x[0] and x[1]: E[x0 x1] = x0 x1,
    // and P(x0 - x1 + tau (e0 - e1) > 0) = Phi(d / (tau sqrt 2)).
    let source = "fn f(x: real[2]) -> real {
        let jump = if x[0] > x[1] { 1.0 } else { 0.0 };
        x[0] * x[1] + jump
    }";
    let function = perturbed(source, "f", Family::Gaussian, Backend::Jit);
    let (x0, x1, tau) = (0.4, 0.1, 0.5);
    let args = [Value::Array(ndarray::arr1(&[x0, x1]).into_dyn())];
    let scaled = (x0 - x1) / (tau * std::f64::consts::SQRT_2);
    let slope = normal_density(scaled) / (tau * std::f64::consts::SQRT_2);
    let exact = [x0 * x1 + normal_cdf(scaled), x1 + slope, x0 - slope];
    let found = over_seeds(&function, &args, &runtime(tau, 200, 0, true), 60);
    assert_unbiased("two coordinates", &found, &exact);
}

/// The measured variance of the plain estimator over that of the
/// antithetic one, per gradient component, at the same number of
/// function evaluations.
fn variance_ratios(function: &Function, args: &[Value], tau: f64, samples: usize) -> Vec<f64> {
    let stderrs = |variance_reduction| {
        let estimate = function
            .estimate(args, &runtime(tau, samples, 1, variance_reduction))
            .expect("estimates");
        estimate
            .grad_stderr
            .iter()
            .flat_map(reals)
            .collect::<Vec<f64>>()
    };
    let plain = stderrs(false);
    let paired = stderrs(true);
    plain
        .iter()
        .zip(&paired)
        .map(|(plain, paired)| (plain / paired).powi(2))
        .collect()
}

#[test]
fn antithetic_pairs_reduce_the_variance_of_closed_form_cases() {
    // Exact figures, as variances per function evaluation: the square
    // (x = 0.7, tau = 0.5, gaussian) has x^4 / tau^2 + 14 x^2 + 15 tau^2
    // = 11.57 plain against 16 x^2 = 7.84 paired, a ratio of 1.48; the step
    // at x = 0 (logistic, tau = 1) has 1/6 - 1/16 = 0.104 plain against
    // 2 (1/12 - 1/16) = 0.042 paired, a ratio of 2.5.
    let square = perturbed(SQUARE, "f", Family::Gaussian, Backend::Jit);
    let square_ratio = variance_ratios(&square, &[Value::Real(0.7)], 0.5, 20_000)[0];
    let step = perturbed(STEP, "f", Family::Logistic, Backend::Jit);
    let step_ratio = variance_ratios(&step, &[Value::Real(0.0)], 1.0, 20_000)[0];
    println!("variance ratio plain / antithetic: square {square_ratio:.2}, step {step_ratio:.2}");
    assert!((1.3..1.6).contains(&square_ratio), "square: {square_ratio}");
    assert!((2.2..2.8).contains(&step_ratio), "step: {step_ratio}");
}

#[test]
fn antithetic_pairs_reduce_the_variance_on_the_examples() {
    // Measured (seed 1, 4000 evaluations): piecewise 2.9 and 3.1, bubble
    // sort's loss 8.6 to 13.7 (its large constant part cancels in a pair).
    for (name, tau, bound) in [("piecewise", 0.5, 2.0), ("bubble_sort", 0.5, 5.0)] {
        let example = support::examples()
            .into_iter()
            .find(|example| example.name == name)
            .expect("the example exists");
        let function = perturbed(
            &example.source,
            &example.entry,
            Family::Logistic,
            Backend::Jit,
        );
        let args = example.args(&function);
        let ratios = variance_ratios(&function, &args, tau, 4_000);
        let shown: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.2}")).collect();
        println!(
            "{name}: variance ratio plain / antithetic per gradient component: {}",
            shown.join(" ")
        );
        for ratio in &ratios {
            assert!(*ratio > bound, "{name}: {ratios:?}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_bits_on_both_backends() {
    let example = support::examples()
        .into_iter()
        .find(|example| example.name == "bubble_sort")
        .expect("the example exists");
    let jit = perturbed(
        &example.source,
        &example.entry,
        Family::Logistic,
        Backend::Jit,
    );
    let interp = perturbed(
        &example.source,
        &example.entry,
        Family::Logistic,
        Backend::Interp,
    );
    let args = example.args(&jit);
    let runtime = runtime(0.5, 40, 11, true);
    let bits = |function: &Function, runtime: &Runtime| {
        let (means, errors) = components(&function.estimate(&args, runtime).expect("estimates"));
        means
            .iter()
            .chain(&errors)
            .map(|x| x.to_bits())
            .collect::<Vec<u64>>()
    };
    let first = bits(&jit, &runtime);
    assert_eq!(first, bits(&jit, &runtime), "twice on the JIT");
    assert_eq!(first, bits(&interp, &runtime), "JIT against interpreter");
    let other_seed = Runtime {
        seed: 12,
        ..runtime
    };
    assert_ne!(first, bits(&jit, &other_seed), "another seed, other noise");
}

#[test]
fn estimates_do_not_depend_on_the_number_of_threads() {
    let function = perturbed(STEP, "f", Family::Logistic, Backend::Jit);
    let runtime = runtime(0.5, 4 * smoothc::PARALLEL_THRESHOLD + 1, 5, true);
    let estimate_on = |threads: Option<usize>| {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(threads) = threads {
            builder = builder.num_threads(threads);
        }
        let pool = builder.build().expect("a thread pool");
        pool.install(|| function.estimate(&[Value::Real(0.2)], &runtime))
            .expect("estimates")
    };
    let single = estimate_on(Some(1));
    assert_eq!(
        single,
        estimate_on(None),
        "one thread against the default pool"
    );
    assert_eq!(single, estimate_on(Some(3)), "one thread against three");
}

#[test]
fn call_value_and_grad_and_vjp_return_the_estimates_means() {
    let function = perturbed(SQUARE, "f", Family::Gaussian, Backend::Jit);
    let args = [Value::Real(0.7)];
    let runtime = runtime(0.5, 15, 3, true);
    let estimate = function.estimate(&args, &runtime).expect("estimates");
    // 15 samples round up to 8 antithetic pairs.
    assert_eq!(estimate.samples, 16);
    let value_only = function.estimate_value(&args, &runtime).expect("estimates");
    assert!(value_only.grad.is_empty() && value_only.grad_stderr.is_empty());
    assert_eq!(value_only.value, estimate.value);
    assert_eq!(
        function.call(&args, &runtime).expect("runs"),
        estimate.value
    );
    let (value, grads) = function.value_and_grad(&args, &runtime).expect("runs");
    assert_eq!(
        (value, grads),
        (estimate.value.clone(), estimate.grad.clone())
    );
    let (_, doubled) = function
        .vjp(&args, Value::Real(2.0), &runtime)
        .expect("runs");
    assert_eq!(real(&doubled[0]), 2.0 * real(&estimate.grad[0]));
}

#[test]
fn perturb_vjp_of_an_array_result_is_the_gradient_of_the_contracted_loss() {
    // Same seed, same noise on `x` (coordinates 0..3 in both): the VJP of
    // the sorted array with cotangent c is the gradient of sum(c * sort(x)).
    let sorting = "
        fn sorted(x: real[n]) -> real[n] {
            let mut y = x;
            for i in 0..n {
                for j in 0..n - 1 - i {
                    if y[j] > y[j + 1] {
                        let t = y[j];
                        y[j] = y[j + 1];
                        y[j + 1] = t;
                    }
                }
            }
            y
        }";
    let contracted = format!(
        "{sorting}
        fn loss(x: real[3]) -> real {{
            let y = sorted(x);
            y[0] - 2.0 * y[1] + 0.5 * y[2]
        }}"
    );
    let x = Value::Array(ndarray::arr1(&[0.3, -0.2, 0.9]).into_dyn());
    let c = Value::Array(ndarray::arr1(&[1.0, -2.0, 0.5]).into_dyn());
    let runtime = runtime(0.4, 64, 2, true);
    let sorted = perturbed(sorting, "sorted", Family::Logistic, Backend::Jit);
    let vjp = sorted
        .estimate_vjp(std::slice::from_ref(&x), c, &runtime)
        .expect("estimates");
    assert_eq!(reals(&vjp.value).len(), 3, "the mean sorted array");
    let loss = perturbed(&contracted, "loss", Family::Logistic, Backend::Jit);
    let gradient = loss.estimate(&[x], &runtime).expect("estimates");
    support::assert_close(
        &reals(&vjp.grad[0]),
        &reals(&gradient.grad[0]),
        1e-12,
        "vjp",
    );
    support::assert_close(
        &reals(&vjp.grad_stderr[0]),
        &reals(&gradient.grad_stderr[0]),
        1e-12,
        "stderr",
    );
}

#[test]
fn hard_and_relaxed_estimates_are_exact() {
    let function = support::compile_fn(SQUARE, "f", Mode::Relaxed, Backend::Jit);
    let estimate = function
        .estimate(&[Value::Real(3.0)], &Runtime::default())
        .expect("runs");
    assert_eq!(estimate.value, Value::Real(9.0));
    assert_eq!(estimate.grad, vec![Value::Real(6.0)]);
    assert_eq!(estimate.grad_stderr, vec![Value::Real(0.0)]);
    assert_eq!(estimate.samples, 1);
    assert!(!function.is_stochastic());
}

#[test]
fn bad_stochastic_calls_are_usage_errors() {
    let function = perturbed(STEP, "f", Family::Logistic, Backend::Interp);
    let no_samples = function
        .call(&[Value::Real(0.0)], &runtime(1.0, 0, 0, true))
        .expect_err("zero samples");
    assert_eq!(no_samples.kind, ErrorKind::Usage);
    assert!(
        no_samples.render().contains("E0508"),
        "{}",
        no_samples.render()
    );
    let cold = function
        .estimate(&[Value::Real(0.0)], &runtime(0.0, 10, 0, true))
        .expect_err("zero temperature");
    assert!(cold.render().contains("`tau` is 0"), "{}", cold.render());

    let counting = perturbed(
        "fn f(x: real) -> int { if x > 0.0 { 1 } else { 0 } }",
        "f",
        Family::Logistic,
        Backend::Jit,
    );
    let error = counting
        .call(&[Value::Real(0.0)], &Runtime::default())
        .expect_err("an int has no mean");
    assert_eq!(error.kind, ErrorKind::Usage);
    assert!(error.render().contains("E0452"), "{}", error.render());

    let wrong_cotangent = perturbed(SQUARE, "f", Family::Logistic, Backend::Jit)
        .vjp(
            &[Value::Real(0.0)],
            Value::Array(ndarray::arr1(&[1.0]).into_dyn()),
            &Runtime::default(),
        )
        .expect_err("the cotangent of a real is a real");
    assert_eq!(wrong_cotangent.kind, ErrorKind::Usage);
}
