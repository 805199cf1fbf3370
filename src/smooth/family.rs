//! Sigmoid families: the CDF `S` that turns a comparison into a probability.
//!
//! `a > b` becomes `S((a - b) / tau)`. As `tau -> 0` the argument goes to
//! `±inf` for `a != b`, so `S` goes to the hard 0/1 answer.

/// A zero-mean, unit-scale distribution whose CDF relaxes comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Family {
    /// `S(x) = 1 / (1 + e^-x)`, computed stably.
    #[default]
    Logistic,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Logistic => "logistic",
        }
    }
}
