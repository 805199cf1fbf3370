//! Relaxed comparisons and logic.
//!
//! * `a > b`, `a >= b` → `S((a - b) / (tau * scale))`; `a < b`, `a <= b` →
//!   `S((b - a) / (tau * scale))`, with `S` the CDF of the site's family
//!   (see `family`) and `scale` the site's `#[relax(scale = ..)]`. As `tau -> 0` this tends to the hard 0/1 answer for
//!   `a != b`; at `a == b` it is 1/2 for every `tau`. Relaxed mode
//!   multiplies by the reciprocal of the temperature rather than divide
//!   (see `reciprocal_temperature`).
//! * `!p` → `1 - p`.
//! * `p && q` → `p * q`, `p || q` → `p + q - p * q` (the product t-norm and
//!   its dual); with 0/1 inputs these are exactly the boolean operators.
//! * A non-data bool inside soft logic is used as 0 or 1.
//! * `==` and `!=` on data have no relaxation (a diagnostic suggests a
//!   comparison with a tolerance instead).

use super::Family;
use super::rewrite::Smoother;
use super::{SiteKind, SmoothError};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, UnaryOp};
use crate::sema::attrs::{SiteAttrs, TNorm};
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
                Ok(self.emit_tnorm(op, p, q, origin))
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
                let attrs = self.site_attrs();
                let family = attrs
                    .family
                    .map_or(self.options.family, Family::from_attribute);
                let scale = attrs.scale.unwrap_or(1.0);
                if self.is_stochastic() {
                    let difference = self.emit(
                        Inst::Binary(BinaryOp::Sub, self.value(high), self.value(low)),
                        derived,
                    );
                    let temperature = self.emit_temperature(scale, derived);
                    let scaled = self.emit(
                        Inst::Binary(BinaryOp::Div, difference, temperature),
                        derived,
                    );
                    return self.perturbed_comparison(scaled, family, origin);
                }
                let temperature = if scale == 1.0 {
                    "tau".to_string()
                } else {
                    format!("({scale:?} tau)")
                };
                self.record_site(
                    SiteKind::Comparison,
                    format!("{}((a - b) / {temperature})", family.name()),
                    origin,
                );
                let difference = self.emit(
                    Inst::Binary(BinaryOp::Sub, self.value(high), self.value(low)),
                    derived,
                );
                let mut tau = self.emit(Inst::Tau, derived);
                if scale != 1.0 {
                    let factor = self.emit(Inst::Real(scale), derived);
                    tau = self.emit(Inst::Binary(BinaryOp::Mul, tau, factor), derived);
                }
                let reciprocal = self.reciprocal_temperature(tau, derived);
                let scaled =
                    self.emit(Inst::Binary(BinaryOp::Mul, difference, reciprocal), derived);
                Ok(self.emit(Inst::Unary(family.cdf(), scaled), derived))
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

    /// `1 / temperature` (clamped to the largest double, `UnaryOp::
    /// Reciprocal`), which a comparison multiplies its difference by. The
    /// product leaves the division out of the chain of dependent
    /// operations that runs from one comparison to the next (a bubble-sort
    /// pass, a sorting network's wire), as diffsort's `(b - a) *
    /// steepness` does; it is the quotient to within an ulp. The clamp
    /// keeps a temperature whose reciprocal overflows (below 5.6e-309, far
    /// under any useful `tau`) from turning `0 * inf` into NaN.
    fn reciprocal_temperature(&mut self, temperature: InstId, origin: Origin) -> InstId {
        self.emit(Inst::Unary(UnaryOp::ClampedReciprocal, temperature), origin)
    }

    /// `!p` → `1 - p`.
    pub(super) fn soft_not(&mut self, operand: InstId, origin: Origin) -> InstId {
        self.record_site(SiteKind::Logic, "complement 1 - p".to_string(), origin);
        let p = self.probability(operand, origin);
        let one = self.emit(Inst::Real(1.0), origin.derived());
        self.emit(Inst::Binary(BinaryOp::Sub, one, p), origin.derived())
    }

    /// The attributes of the site being rewritten (defaults when none).
    pub(super) fn site_attrs(&self) -> SiteAttrs {
        self.site
            .map(|id| self.old.attrs[id].clone())
            .unwrap_or_default()
    }

    /// `p && q` and `p || q` under the site's t-norm:
    ///
    /// | t-norm | `p && q` | `p \|\| q` |
    /// |---|---|---|
    /// | product (default) | `p q` | `p + q - p q` |
    /// | godel | `min(p, q)` | `max(p, q)` |
    /// | lukasiewicz | `max(0, p + q - 1)` | `min(1, p + q)` |
    ///
    /// All three are exact on 0/1 inputs.
    fn emit_tnorm(&mut self, op: BinaryOp, p: InstId, q: InstId, origin: Origin) -> InstId {
        let at = origin.derived();
        let tnorm = self.site_attrs().tnorm.unwrap_or(TNorm::Product);
        let is_and = op == BinaryOp::And;
        let (name, formula) = match (tnorm, is_and) {
            (TNorm::Product, true) => ("product t-norm", "p * q"),
            (TNorm::Product, false) => ("probabilistic sum", "p + q - p * q"),
            (TNorm::Godel, true) => ("godel t-norm", "min(p, q)"),
            (TNorm::Godel, false) => ("godel t-conorm", "max(p, q)"),
            (TNorm::Lukasiewicz, true) => ("lukasiewicz t-norm", "max(0, p + q - 1)"),
            (TNorm::Lukasiewicz, false) => ("lukasiewicz t-conorm", "min(1, p + q)"),
        };
        self.record_site(SiteKind::Logic, format!("{name} {formula}"), origin);
        match tnorm {
            TNorm::Product => {
                let both = self.emit(Inst::Binary(BinaryOp::Mul, p, q), at);
                if is_and {
                    return both;
                }
                let sum = self.emit(Inst::Binary(BinaryOp::Add, p, q), at);
                self.emit(Inst::Binary(BinaryOp::Sub, sum, both), at)
            }
            TNorm::Godel => {
                let pick_p = self.emit(
                    Inst::Binary(if is_and { BinaryOp::Lt } else { BinaryOp::Gt }, p, q),
                    at,
                );
                self.emit(
                    Inst::Select {
                        cond: pick_p,
                        then: p,
                        otherwise: q,
                    },
                    at,
                )
            }
            TNorm::Lukasiewicz => {
                let sum = self.emit(Inst::Binary(BinaryOp::Add, p, q), at);
                let (bound, shifted) = if is_and {
                    let one = self.emit(Inst::Real(1.0), at);
                    (
                        self.emit(Inst::Real(0.0), at),
                        self.emit(Inst::Binary(BinaryOp::Sub, sum, one), at),
                    )
                } else {
                    (self.emit(Inst::Real(1.0), at), sum)
                };
                let beyond = self.emit(
                    Inst::Binary(
                        if is_and { BinaryOp::Lt } else { BinaryOp::Gt },
                        shifted,
                        bound,
                    ),
                    at,
                );
                self.emit(
                    Inst::Select {
                        cond: beyond,
                        then: bound,
                        otherwise: shifted,
                    },
                    at,
                )
            }
        }
    }
}
