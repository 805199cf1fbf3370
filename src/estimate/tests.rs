//! The protocols against fake samplers whose samples are known in closed
//! form, so that every number the driver returns can be checked exactly.

use super::*;
use crate::runtime::noise;
use std::sync::Mutex;

/// A stand-in for a compiled score-function program: sample `k` has the
/// value `f_k = x + u_k` (`u_k` a uniform of the sample's noise stream), and
/// its gradient is the surrogate's `1 + (f_k - baseline) * h_k` with
/// `h_k = u_k - 1/2` playing `d log p / dx`.
struct ScoreFake {
    /// `(sample, baseline)` of every gradient call, to check the protocol.
    calls: Mutex<Vec<(u64, f64)>>,
}

impl ScoreFake {
    fn new() -> ScoreFake {
        ScoreFake {
            calls: Mutex::new(Vec::new()),
        }
    }

    fn noise(config: &RunConfig) -> f64 {
        noise::uniform(config.seed, config.sample, 0)
    }

    fn value_of(args: &[Value], config: &RunConfig) -> f64 {
        args[0].as_real().expect("a real argument") + ScoreFake::noise(config)
    }
}

impl Sampler for ScoreFake {
    fn value(&self, args: &[Value], config: &RunConfig) -> Result<Value, Error> {
        Ok(Value::Real(ScoreFake::value_of(args, config)))
    }

    fn gradient(
        &self,
        args: &[Value],
        cotangent: &Value,
        config: &RunConfig,
    ) -> Result<(Value, Vec<Value>), Error> {
        self.calls
            .lock()
            .expect("not poisoned")
            .push((config.sample, config.baseline));
        let value = ScoreFake::value_of(args, config);
        let score = ScoreFake::noise(config) - 0.5;
        let seed = cotangent.as_real().expect("a real cotangent");
        let grad = seed * (1.0 + (value - config.baseline) * score);
        Ok((Value::Real(value), vec![Value::Real(grad)]))
    }
}

fn runtime(samples: usize) -> Runtime {
    Runtime {
        samples,
        seed: 9,
        ..Runtime::default()
    }
}

fn run_score(fake: &ScoreFake, runtime: &Runtime) -> Estimate {
    let args = [Value::Real(2.0)];
    run(
        fake,
        Protocol::Decisions { baseline: true },
        &args,
        Target::Vjp(&Value::Real(1.0)),
        runtime,
    )
    .expect("the fake never fails")
}

#[test]
fn score_gets_leave_one_out_baselines_and_averages_the_gradients() {
    let fake = ScoreFake::new();
    let runtime = runtime(5);
    let estimate = run_score(&fake, &runtime);
    let configs: Vec<RunConfig> = (0..5).map(|k| runtime.sample_config(k, 0.0)).collect();
    let values: Vec<f64> = configs
        .iter()
        .map(|config| 2.0 + ScoreFake::noise(config))
        .collect();
    let total: f64 = values.iter().sum();
    let mut calls = fake.calls.lock().expect("not poisoned").clone();
    calls.sort_by_key(|(sample, _)| *sample);
    for (k, (sample, baseline)) in calls.iter().enumerate() {
        assert_eq!(*sample, k as u64);
        assert_eq!(*baseline, (total - values[k]) / 4.0);
    }
    let grads: Vec<f64> = (0..5)
        .map(|k| 1.0 + (values[k] - calls[k].1) * (ScoreFake::noise(&configs[k]) - 0.5))
        .collect();
    let mean = grads.iter().sum::<f64>() / 5.0;
    let grad = estimate.grad[0].as_real().expect("a real gradient");
    assert!((grad - mean).abs() < 1e-15, "{grad} vs {mean}");
    let value = estimate.value.as_real().expect("a real value");
    assert!((value - total / 5.0).abs() < 1e-15);
    assert_eq!(estimate.samples, 5);
}

#[test]
fn without_variance_reduction_score_runs_one_pass_with_a_zero_baseline() {
    let fake = ScoreFake::new();
    let runtime = Runtime {
        variance_reduction: false,
        ..runtime(4)
    };
    let _ = run_score(&fake, &runtime);
    let calls = fake.calls.lock().expect("not poisoned");
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|(_, baseline)| *baseline == 0.0));
}

#[test]
fn a_single_sample_has_a_zero_baseline_and_no_standard_error() {
    let fake = ScoreFake::new();
    let estimate = run_score(&fake, &runtime(1));
    assert_eq!(fake.calls.lock().expect("not poisoned")[0], (0, 0.0));
    assert!(estimate.grad_stderr[0].as_real().is_some_and(f64::is_nan));
}

#[test]
fn the_baseline_reduces_the_variance_of_the_score_term() {
    // f_k is about 2.5 while the score term is centred, so without a
    // baseline the gradient samples spread by about 2.5 * 0.29.
    let with = run_score(&ScoreFake::new(), &runtime(400));
    let without = run_score(
        &ScoreFake::new(),
        &Runtime {
            variance_reduction: false,
            ..runtime(400)
        },
    );
    let stderr = |estimate: &Estimate| estimate.grad_stderr[0].as_real().expect("real");
    assert!(
        stderr(&without) > 5.0 * stderr(&with),
        "{} vs {}",
        stderr(&without),
        stderr(&with)
    );
}

#[test]
fn estimates_do_not_depend_on_the_number_of_threads() {
    let runtime = runtime(3 * PARALLEL_THRESHOLD);
    let in_pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| run_score(&ScoreFake::new(), &runtime))
    };
    let one = in_pool(1);
    let four = in_pool(4);
    let bits = |estimate: &Estimate| {
        [
            estimate.value.as_real(),
            estimate.grad[0].as_real(),
            estimate.grad_stderr[0].as_real(),
        ]
        .map(|x| x.expect("real").to_bits())
    };
    assert_eq!(bits(&one), bits(&four));
}

/// A function of the inputs only, for `perturb` (no noise of its own).
struct Deterministic(fn(&[Value]) -> Value);

impl Sampler for Deterministic {
    fn value(&self, args: &[Value], _: &RunConfig) -> Result<Value, Error> {
        Ok((self.0)(args))
    }

    fn gradient(
        &self,
        _: &[Value],
        _: &Value,
        _: &RunConfig,
    ) -> Result<(Value, Vec<Value>), Error> {
        unreachable!("perturb never calls the gradient function")
    }
}

fn perturb_constant(variance_reduction: bool) -> Estimate {
    let constant = Deterministic(|_| Value::Real(3.0));
    let args = [
        Value::Real(0.5),
        Value::Array(ndarray::arr1(&[1.0, 2.0]).into_dyn()),
    ];
    let runtime = Runtime {
        variance_reduction,
        ..runtime(7)
    };
    run(
        &constant,
        Protocol::Perturb(Family::Logistic),
        &args,
        Target::Vjp(&Value::Real(1.0)),
        &runtime,
    )
    .expect("the fake never fails")
}

#[test]
fn antithetic_pairs_cancel_a_constant_exactly() {
    let estimate = perturb_constant(true);
    assert_eq!(estimate.value, Value::Real(3.0));
    assert_eq!(estimate.value_stderr, Value::Real(0.0));
    assert_eq!(estimate.grad[0], Value::Real(0.0));
    let zeros = Value::Array(ndarray::arr1(&[0.0, 0.0]).into_dyn());
    assert_eq!(estimate.grad[1], zeros);
    assert_eq!(estimate.grad_stderr[1], zeros);
    // 7 samples round up to 4 pairs.
    assert_eq!(estimate.samples, 8);
}

#[test]
fn the_plain_perturb_estimator_sees_the_constant_as_noise() {
    let estimate = perturb_constant(false);
    assert_eq!(estimate.samples, 7);
    let stderr = estimate.grad_stderr[0].as_real().expect("real");
    assert!(stderr > 0.1, "{stderr}");
}

#[test]
fn plain_perturb_samples_are_value_times_score_over_tau() {
    // f(x) = x: sample k is (x + tau e_k) s(e_k) / tau.
    let identity = Deterministic(|args| args[0].clone());
    let runtime = Runtime {
        tau: 0.5,
        variance_reduction: false,
        ..runtime(3)
    };
    let estimate = run(
        &identity,
        Protocol::Perturb(Family::Gaussian),
        &[Value::Real(1.0)],
        Target::Vjp(&Value::Real(2.0)),
        &runtime,
    )
    .expect("the fake never fails");
    let draws: Vec<f64> = (0..3)
        .map(|k| noise::draw(crate::ir::NoiseKind::Gaussian, 9, k, 0))
        .collect();
    let grads: Vec<f64> = draws
        .iter()
        .map(|e| 2.0 * (1.0 + 0.5 * e) * e / 0.5)
        .collect();
    let values: Vec<f64> = draws.iter().map(|e| 1.0 + 0.5 * e).collect();
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / 3.0;
    let grad = estimate.grad[0].as_real().expect("real");
    assert!(
        (grad - mean(&grads)).abs() < 1e-12,
        "{grad} vs {}",
        mean(&grads)
    );
    assert_eq!(estimate.value.as_real(), Some(mean(&values)));
}
