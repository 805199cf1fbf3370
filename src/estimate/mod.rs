//! Stochastic mode's Monte-Carlo driver: runs one compiled function K times
//! and reduces the samples to an [`Estimate`] with standard errors.
//!
//! Which protocol runs depends on the function's estimator ([`Protocol`]):
//!
//! * `perturb` ([`perturb`]): the compiled function is the hard program;
//!   the driver perturbs the real inputs itself and estimates the gradient
//!   from values only, with antithetic pairs.
//! * `score` and `straight_through` ([`decisions`]): the compiled code
//!   perturbs its own decisions, one Monte-Carlo sample per call
//!   (`RunConfig::sample`); the estimate is the mean of K gradient calls.
//!   When the gradient function has score-function terms (it reads
//!   `Inst::Baseline`), each sample gets the leave-one-out baseline of the
//!   K values first.
//!
//! Determinism: every sample is a pure function of `(seed, sample index)`
//! and the samples are reduced in index order on one thread, so the same
//! seed gives the same bits on both backends and with any number of
//! threads (the units of one estimate run on rayon's pool when there are at
//! least [`PARALLEL_THRESHOLD`] of them).

mod decisions;
mod parallel;
mod perturb;
mod stats;

pub use parallel::PARALLEL_THRESHOLD;

use crate::runtime::{RunConfig, Value};
use crate::smooth::Family;
use crate::{Error, Runtime};
use stats::{Layout, summarize};

/// A Monte-Carlo estimate of a stochastic function's value and gradient.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The mean of the function's value: a real, or a real array of the
    /// result's shape.
    pub value: Value,
    /// The estimated gradient, one per real parameter with the shapes of
    /// [`Function::value_and_grad`](crate::Function::value_and_grad);
    /// empty for [`Function::estimate_value`](crate::Function::estimate_value).
    pub grad: Vec<Value>,
    /// The standard error of each component of `value`: the sample standard
    /// deviation of the independent units (samples, or antithetic pairs)
    /// over the square root of their number. NaN with a single unit.
    pub value_stderr: Value,
    /// The standard error of each component of `grad`, same shapes.
    pub grad_stderr: Vec<Value>,
    /// How many evaluations the means are over: K, rounded up to an even
    /// number for `perturb` with antithetic pairs. 1 for an exact result.
    pub samples: usize,
}

impl Estimate {
    /// An exact result (hard and relaxed modes) as an estimate: zero error,
    /// one evaluation.
    pub(crate) fn exact(value: Value, grad: Vec<Value>) -> Estimate {
        Estimate {
            value_stderr: zero_like(&value),
            grad_stderr: grad.iter().map(zero_like).collect(),
            value,
            grad,
            samples: 1,
        }
    }
}

/// Zeros of the shape of `value` (reals, whatever the value's type).
fn zero_like(value: &Value) -> Value {
    match value {
        Value::Real(_) | Value::Int(_) | Value::Bool(_) => Value::Real(0.0),
        Value::Array(array) => Value::Array(array.mapv(|_| 0.0)),
        Value::IntArray(array) => Value::Array(array.mapv(|_| 0.0)),
        Value::BoolArray(array) => Value::Array(array.mapv(|_| 0.0)),
    }
}

/// What the estimators need from a compiled function: single runs of its
/// forward and gradient code for one sample.
pub(crate) trait Sampler: Sync {
    /// The forward function's result under `config`.
    fn value(&self, args: &[Value], config: &RunConfig) -> Result<Value, Error>;
    /// The gradient function's value and vector-Jacobian product with
    /// `cotangent` under `config`.
    fn gradient(
        &self,
        args: &[Value],
        cotangent: &Value,
        config: &RunConfig,
    ) -> Result<(Value, Vec<Value>), Error>;
}

/// How a function's samples are drawn and combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// Whole-function smoothing over the real inputs with noise of the
    /// family.
    Perturb(Family),
    /// The compiled code perturbs its decisions; `baseline` says whether
    /// its gradient has score-function terms that subtract a baseline.
    Decisions { baseline: bool },
}

/// What to estimate besides the value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'a> {
    /// The value only.
    Value,
    /// The value and the vector-Jacobian product with this cotangent (1.0
    /// for the gradient of a real result).
    Vjp(&'a Value),
}

/// Runs the protocol. The caller has checked the arguments, that the
/// result is real, that `runtime.samples >= 1` and that a `Vjp` target has
/// a gradient function (for `Decisions`) and, with a baseline, a real
/// scalar result.
pub(crate) fn run(
    sampler: &dyn Sampler,
    protocol: Protocol,
    args: &[Value],
    target: Target<'_>,
    runtime: &Runtime,
) -> Result<Estimate, Error> {
    match (protocol, target) {
        (Protocol::Perturb(family), Target::Value) => {
            perturb::estimate(sampler, args, None, runtime, family)
        }
        (Protocol::Perturb(family), Target::Vjp(cotangent)) => {
            perturb::estimate(sampler, args, Some(cotangent), runtime, family)
        }
        (Protocol::Decisions { .. }, Target::Value) => decisions::values(sampler, args, runtime),
        (Protocol::Decisions { baseline: true }, Target::Vjp(cotangent))
            if runtime.variance_reduction =>
        {
            decisions::with_baseline(sampler, args, cotangent, runtime)
        }
        (Protocol::Decisions { .. }, Target::Vjp(cotangent)) => {
            let no_baselines = vec![0.0; runtime.samples];
            decisions::gradients(sampler, args, cotangent, runtime, &no_baselines)
        }
    }
}

/// The estimate from the units' flat vectors laid out by `layout`.
fn assemble(layout: &Layout, units: &[Vec<f64>], samples: usize) -> Estimate {
    let summary = summarize(units);
    let (value, grad) = layout.split(&summary.mean);
    let (value_stderr, grad_stderr) = layout.split(&summary.stderr);
    Estimate {
        value,
        grad,
        value_stderr,
        grad_stderr,
        samples,
    }
}

#[cfg(test)]
mod tests;
