//! Relaxed comparisons and logic.
//!
//! * `a > b`, `a >= b` → `S((a - b) / tau)`; `a < b`, `a <= b` →
//!   `S((b - a) / tau)`, with `S` the family's CDF (logistic:
//!   `sigmoid`). As `tau -> 0` this tends to the hard 0/1 answer for
//!   `a != b`; at `a == b` it is 1/2 for every `tau`.
//! * `!p` → `1 - p`.
//! * `p && q` → `p * q`, `p || q` → `p + q - p * q` (the product t-norm and
//!   its dual); with 0/1 inputs these are exactly the boolean operators.
//! * A non-data bool inside soft logic is used as 0 or 1.
//! * `==` and `!=` on data have no relaxation (a diagnostic suggests a
//!   comparison with a tolerance instead).

use super::rewrite::Smoother;
use super::{SiteKind, SmoothError};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, UnaryOp};
use crate::syntax::span::Origin;

impl Smoother<'_> {
    /// The probability (a new real value) that the old bool `cond` holds: a
    /// relaxed truth value as it is, a hard one as 0 or 1.
    pub(super) fn probability(&mut self, cond: InstId, origin: Origin) -> InstId {
        let value = self.value(cond);
        if self.is_soft_value(cond) {
            value
        } else {
            self.emit(Inst::Unary(UnaryOp::ToReal, value), origin.derived())
        }
    }

    /// Whether the old bool `value` became a probability.
    pub(super) fn is_soft_value(&self, value: InstId) -> bool {
        self.new.types[self.value(value)] == Some(ScalarType::Real)
    }

    /// A data-dependent comparison or logic operator, as a probability.
    pub(super) fn soft_binary(
        &mut self,
        op: BinaryOp,
        lhs: InstId,
        rhs: InstId,
        origin: Origin,
    ) -> Result<InstId, SmoothError> {
        let derived = origin.derived();
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let p = self.probability(lhs, origin);
                let q = self.probability(rhs, origin);
                let both = self.emit(Inst::Binary(BinaryOp::Mul, p, q), derived);
                let rule = if op == BinaryOp::And {
                    self.record_site(SiteKind::Logic, "product t-norm p * q".to_string(), origin);
                    both
                } else {
                    self.record_site(
                        SiteKind::Logic,
                        "probabilistic sum p + q - p * q".to_string(),
                        origin,
                    );
                    let sum = self.emit(Inst::Binary(BinaryOp::Add, p, q), derived);
                    self.emit(Inst::Binary(BinaryOp::Sub, sum, both), derived)
                };
                Ok(rule)
            }
            BinaryOp::Eq | BinaryOp::Ne => Err(SmoothError::Equality {
                span: origin.span(),
            }),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (high, low) = if matches!(op, BinaryOp::Gt | BinaryOp::Ge) {
                    (lhs, rhs)
                } else {
                    (rhs, lhs)
                };
                let family = self.options.family;
                self.record_site(
                    SiteKind::Comparison,
                    format!("{}((a - b) / tau)", family.name()),
                    origin,
                );
                let difference = self.emit(
                    Inst::Binary(BinaryOp::Sub, self.value(high), self.value(low)),
                    derived,
                );
                let tau = self.emit(Inst::Tau, derived);
                let scaled = self.emit(Inst::Binary(BinaryOp::Div, difference, tau), derived);
                Ok(self.emit_cdf(scaled, origin))
            }
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::Rem
            | BinaryOp::Pow => {
                unreachable!("arithmetic never has a bool result")
            }
        }
    }

    /// `!p` → `1 - p`.
    pub(super) fn soft_not(&mut self, operand: InstId, origin: Origin) -> InstId {
        self.record_site(SiteKind::Logic, "complement 1 - p".to_string(), origin);
        let p = self.probability(operand, origin);
        let one = self.emit(Inst::Real(1.0), origin.derived());
        self.emit(Inst::Binary(BinaryOp::Sub, one, p), origin.derived())
    }

    /// The family's CDF at `x`.
    fn emit_cdf(&mut self, x: InstId, origin: Origin) -> InstId {
        match self.options.family {
            super::Family::Logistic => {
                self.emit(Inst::Unary(UnaryOp::Sigmoid, x), origin.derived())
            }
        }
    }
}
