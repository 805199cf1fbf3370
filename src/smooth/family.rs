//! Sigmoid families: the CDF `S` that turns a comparison into a probability.
//!
//! `a > b` becomes `S((a - b) / (tau * scale))`, with `scale` the site's
//! `#[relax(scale = ..)]` (1 by default). Every family is the CDF of a
//! zero-mean, unit-scale symmetric distribution, so `S(-x) = 1 - S(x)` and
//! `S(0) = 1/2`; as `tau -> 0` the argument goes to `±inf` for `a != b`, so
//! `S` goes to the hard 0/1 answer. The formulas are diffsort's:
//!
//! | family | `S(x)` |
//! |---|---|
//! | logistic | `1 / (1 + e^-x)` |
//! | cauchy | `atan(x) / pi + 1/2` |
//! | gaussian | `Phi(x)`, the standard normal CDF (via `libm::erfc`) |
//! | laplace | `e^x / 2` for `x < 0`, `1 - e^-x / 2` otherwise |
//! | reciprocal | `(x / (2 + |x|) + 1) / 2` |
//! | optimal | `clamp(x, -1/4, 1/4) + 1/2 + s(x) (1/4 - 1 / (16 |x|))` |
//!
//! The heavy-tailed families (cauchy, reciprocal, optimal) keep gradients
//! alive far from a decision; that is why sorting networks built from them
//! are monotonic (Petersen et al., "Monotonic Differentiable Sorting
//! Networks", 2022).

use crate::ir::{Distribution, NoiseKind, UnaryOp};
use crate::sema::attrs::FamilyName;

/// A zero-mean, unit-scale distribution whose CDF relaxes comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Family {
    #[default]
    Logistic,
    Cauchy,
    Gaussian,
    Laplace,
    Reciprocal,
    Optimal,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Logistic,
        Family::Cauchy,
        Family::Gaussian,
        Family::Laplace,
        Family::Reciprocal,
        Family::Optimal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Logistic => "logistic",
            Family::Cauchy => "cauchy",
            Family::Gaussian => "gaussian",
            Family::Laplace => "laplace",
            Family::Reciprocal => "reciprocal",
            Family::Optimal => "optimal",
        }
    }

    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|family| family.name() == name)
    }

    /// The family an attribute names.
    pub fn from_attribute(name: FamilyName) -> Family {
        match name {
            FamilyName::Logistic => Family::Logistic,
            FamilyName::Cauchy => Family::Cauchy,
            FamilyName::Gaussian => Family::Gaussian,
            FamilyName::Laplace => Family::Laplace,
            FamilyName::Reciprocal => Family::Reciprocal,
            FamilyName::Optimal => Family::Optimal,
        }
    }

    /// The noise whose CDF is `S`: stochastic mode perturbs with it.
    pub fn noise_kind(self) -> NoiseKind {
        match self {
            Family::Logistic => NoiseKind::Logistic,
            Family::Cauchy => NoiseKind::Cauchy,
            Family::Gaussian => NoiseKind::Gaussian,
            Family::Laplace => NoiseKind::Laplace,
            Family::Reciprocal => NoiseKind::Reciprocal,
            Family::Optimal => NoiseKind::Optimal,
        }
    }

    /// The IR operation computing `S`.
    pub fn cdf(self) -> UnaryOp {
        match self {
            Family::Logistic => UnaryOp::Sigmoid,
            Family::Cauchy => UnaryOp::Cdf(Distribution::Cauchy),
            Family::Gaussian => UnaryOp::Cdf(Distribution::Gaussian),
            Family::Laplace => UnaryOp::Cdf(Distribution::Laplace),
            Family::Reciprocal => UnaryOp::Cdf(Distribution::Reciprocal),
            Family::Optimal => UnaryOp::Cdf(Distribution::Optimal),
        }
    }
}
