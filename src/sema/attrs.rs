//! Smoothing attributes after validation: what `#[relax(..)]`, `#[hard]`,
//! `#[stochastic(..)]` and `#[bound(N)]` ask for, and the file defaults of
//! `#![relax(..)]`.
//!
//! `sema` checks the attribute syntax (unknown families or keys are errors
//! that list the valid ones) and produces a [`SiteAttrs`]; lowering attaches
//! it to every IR instruction of the attributed statement or expression
//! (inlined calls included), and the smoothing pass reads it. This module
//! only defines the data.

/// The CDF family of a relaxed comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FamilyName {
    Logistic,
    Cauchy,
    Gaussian,
    Laplace,
    Reciprocal,
    Optimal,
}

impl FamilyName {
    pub const ALL: [FamilyName; 6] = [
        FamilyName::Logistic,
        FamilyName::Cauchy,
        FamilyName::Gaussian,
        FamilyName::Laplace,
        FamilyName::Reciprocal,
        FamilyName::Optimal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FamilyName::Logistic => "logistic",
            FamilyName::Cauchy => "cauchy",
            FamilyName::Gaussian => "gaussian",
            FamilyName::Laplace => "laplace",
            FamilyName::Reciprocal => "reciprocal",
            FamilyName::Optimal => "optimal",
        }
    }

    pub fn from_name(name: &str) -> Option<FamilyName> {
        FamilyName::ALL
            .into_iter()
            .find(|family| family.name() == name)
    }
}

/// Which meaning a site asks for, overriding the program's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SiteMode {
    /// `#[hard]`: keep the discrete construct.
    Hard,
    /// `#[relax(..)]`
    Relaxed,
    /// `#[stochastic(..)]`
    Stochastic,
}

/// The sorting network a `sort`/`rank` site is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Network {
    OddEven,
    Bitonic,
}

/// What `x[argmax(x)]` (the prelude's array `max`/`min`) relaxes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaxRelaxation {
    /// `sum(softmax(x / tau) * x)`: the value at the soft argmax (default).
    Softmax,
    /// `tau * logsumexp(x / tau)`: whose gradient is the soft argmax.
    LogSumExp,
}

/// The t-norm pair that relaxes `&&` and `||`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TNorm {
    Product,
    Godel,
    Lukasiewicz,
}

/// A stochastic gradient estimator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Estimator {
    #[default]
    Score,
    StraightThrough,
    Perturb,
}

/// The validated attributes of one site (or of a file). `None` fields
/// inherit from the enclosing site, the file, then the compile options.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SiteAttrs {
    pub mode: Option<SiteMode>,
    pub family: Option<FamilyName>,
    /// Multiplies the global temperature at this site (> 0).
    pub scale: Option<f64>,
    pub network: Option<Network>,
    pub tnorm: Option<TNorm>,
    pub max: Option<MaxRelaxation>,
    pub estimator: Option<Estimator>,
    /// `#[bound(N)]` on a `while`: the most iterations (> 0).
    pub bound: Option<u64>,
}

impl SiteAttrs {
    /// `inner` where it says something, else `self` (the enclosing site).
    pub fn overridden_by(&self, inner: &SiteAttrs) -> SiteAttrs {
        SiteAttrs {
            mode: inner.mode.or(self.mode),
            family: inner.family.or(self.family),
            scale: inner.scale.or(self.scale),
            network: inner.network.or(self.network),
            tnorm: inner.tnorm.or(self.tnorm),
            max: inner.max.or(self.max),
            estimator: inner.estimator.or(self.estimator),
            bound: inner.bound.or(self.bound),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == SiteAttrs::default()
    }
}
