//! The estimators whose compiled code perturbs the decisions themselves
//! (`score` and `straight_through`): sample `k` is one call of the forward
//! or the gradient function with `RunConfig::sample = k`, and the estimate
//! is the mean over `k = 0..K`.
//!
//! The score-function surrogate subtracts `RunConfig::baseline` from the
//! sample's value in its score term. [`with_baseline`] gives sample `k` the
//! leave-one-out baseline `b_k = (sum_j f_j - f_k) / (K - 1)`: it depends on
//! the other samples only, so `E[(f_k - b_k) grad log p_k] = 0` and the
//! estimate stays unbiased while the baseline removes most of the score
//! term's variance. That takes two passes: the K values first, then the K
//! gradients with their baselines (the same seed and sample index give the
//! same noise, hence the same `f_k`, in both).

use super::parallel::map_units;
use super::stats::{Layout, Shape, push_reals};
use super::{Estimate, Sampler, assemble};
use crate::runtime::Value;
use crate::{Error, Runtime};

/// The mean of the function's value over K samples (no gradient).
pub(crate) fn values(
    sampler: &dyn Sampler,
    args: &[Value],
    runtime: &Runtime,
) -> Result<Estimate, Error> {
    let values = sample_values(sampler, args, runtime)?;
    Ok(value_estimate(&values, runtime.samples))
}

/// The value of each of the K samples, in sample order.
fn sample_values(
    sampler: &dyn Sampler,
    args: &[Value],
    runtime: &Runtime,
) -> Result<Vec<Value>, Error> {
    map_units(runtime.samples, |sample| {
        sampler.value(args, &runtime.sample_config(sample, 0.0))
    })
}

fn value_estimate(values: &[Value], samples: usize) -> Estimate {
    let layout = Layout {
        value: value_shape(&values[0]),
        grads: Vec::new(),
    };
    let units: Vec<Vec<f64>> = values.iter().map(flat).collect();
    assemble(&layout, &units, samples)
}

/// The means of K gradient calls with `cotangent`; sample `k` subtracts
/// `baselines[k]` in its score terms, if any.
pub(crate) fn gradients(
    sampler: &dyn Sampler,
    args: &[Value],
    cotangent: &Value,
    runtime: &Runtime,
    baselines: &[f64],
) -> Result<Estimate, Error> {
    let samples = map_units(runtime.samples, |sample| {
        let config = runtime.sample_config(sample, baselines[sample as usize]);
        sampler.gradient(args, cotangent, &config)
    })?;
    let (first_value, first_grads) = &samples[0];
    let layout = Layout {
        value: value_shape(first_value),
        grads: first_grads.iter().map(value_shape).collect(),
    };
    let units: Vec<Vec<f64>> = samples
        .iter()
        .map(|(value, grads)| {
            let mut unit = flat(value);
            for grad in grads {
                push_reals(grad, &mut unit);
            }
            unit
        })
        .collect();
    Ok(assemble(&layout, &units, runtime.samples))
}

/// The score estimator with the leave-one-out baseline, for a function with
/// a real (scalar) result: K values, then K gradients with `cotangent`,
/// each with its baseline. The value estimate is the mean of the first
/// pass's values.
pub(crate) fn with_baseline(
    sampler: &dyn Sampler,
    args: &[Value],
    cotangent: &Value,
    runtime: &Runtime,
) -> Result<Estimate, Error> {
    let values = sample_values(sampler, args, runtime)?;
    let reals: Vec<f64> = values.iter().map(|value| flat(value)[0]).collect();
    let baselines = leave_one_out(&reals);
    let gradient_estimate = gradients(sampler, args, cotangent, runtime, &baselines)?;
    let value_estimate = value_estimate(&values, runtime.samples);
    Ok(Estimate {
        value: value_estimate.value,
        value_stderr: value_estimate.value_stderr,
        ..gradient_estimate
    })
}

/// `b_k = (sum_j f_j - f_k) / (K - 1)`, the mean of the other samples
/// (0 for a single sample, which has no others).
pub(crate) fn leave_one_out(values: &[f64]) -> Vec<f64> {
    let count = values.len();
    if count < 2 {
        return vec![0.0; count];
    }
    let total: f64 = values.iter().sum();
    values
        .iter()
        .map(|value| (total - value) / (count - 1) as f64)
        .collect()
}

fn value_shape(value: &Value) -> Shape {
    Shape::of(value).expect("the caller checked that the result is real")
}

fn flat(value: &Value) -> Vec<f64> {
    let mut out = Vec::new();
    push_reals(value, &mut out);
    out
}
