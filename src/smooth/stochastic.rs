//! Stochastic mode: every decision is taken on a perturbed input, and the
//! code records what its gradient estimator needs.
//!
//! A comparison `a > b` at temperature `T = tau * scale` becomes the hard
//! decision `h = (a - b) / T + eps > 0` with `eps` drawn from the site's
//! family (`Inst::Noise`, one draw per execution, numbered by a counter
//! variable so that the reverse sweep recomputes the same draw). `argmax(x)`
//! becomes `argmax(x + T g)` with Gumbel `g`, and `floor(t)` (`round`,
//! `ceil`) becomes `floor(t + T eps)`. Since the noise is symmetric,
//! `P(h) = S((a - b) / T)`: one stochastic decision is, in expectation, the
//! relaxed one.
//!
//! What the site's estimator adds:
//!
//! * `score`: the decision stays a hard bool (real `if`s, real loops), and
//!   `log P(decision taken)` is added to a variable `log_p`. At the end the
//!   result `f` becomes `f + (c log_p - stop_gradient(c log_p))` with
//!   `c = stop_gradient(f - baseline)`: the same value, bit for bit, whose
//!   reverse-mode gradient is the pathwise gradient (decisions frozen) plus
//!   `(f - baseline) grad log_p`, the score-function (REINFORCE) estimator.
//!   `log P` is `log S(±(a - b) / T)` for a comparison,
//!   `log softmax(±x / T)_k` for an argmax, and the log of the kernel
//!   weight of the drawn position for a rounding.
//! * `straight_through`: the relaxed program, with every probability `p`
//!   replaced by `h + (p - stop_gradient(p))`: its value is the hard sample
//!   `h` (0 or 1) and its derivative the relaxed one. Biased.
//!
//! The `perturb` estimator needs no rewrite (see `Function::estimate`).

use super::rewrite::Smoother;
use super::soft_index::{Rounding, SoftIndex};
use super::{Estimator, Family, Mode, SiteKind, SmoothError};
use crate::ir::{BinaryOp, Inst, InstId, NoiseKind, ScalarType, UnaryOp, VarId, VarRole, VarType};
use crate::syntax::span::Origin;

impl Smoother<'_> {
    pub(super) fn is_stochastic(&self) -> bool {
        self.options.mode == Mode::Stochastic
    }

    /// The estimator of the site being rewritten.
    pub(super) fn site_estimator(&self, origin: Origin) -> Result<Estimator, SmoothError> {
        let estimator = self
            .site_attrs()
            .estimator
            .unwrap_or(self.options.estimator);
        if estimator == Estimator::Perturb {
            return Err(SmoothError::NoStochasticMeaning {
                construct: "a site with `estimator = \"perturb\"` (perturb smooths the whole function over its inputs, not one decision)",
                span: origin.span(),
            });
        }
        Ok(estimator)
    }

    /// The next draw of `kind`'s noise.
    pub(super) fn draw_noise(&mut self, kind: NoiseKind, at: Origin) -> InstId {
        let counter = *self.draws.get_or_insert_with(|| {
            self.new
                .new_var("draws", VarType::Scalar(ScalarType::Int), VarRole::Temp)
        });
        let count = self.emit(Inst::Read(counter), at);
        let one = self.emit(Inst::Int(1), at);
        let next = self.emit(Inst::Binary(BinaryOp::Add, count, one), at);
        let _ = self.emit(
            Inst::Write {
                var: counter,
                value: next,
            },
            at,
        );
        self.emit(
            Inst::Noise {
                kind,
                counter: count,
            },
            at,
        )
    }

    /// `log_p += value`.
    fn add_log_probability(&mut self, value: InstId, at: Origin) {
        let var = *self.log_probability.get_or_insert_with(|| {
            self.new
                .new_var("log_p", VarType::Scalar(ScalarType::Real), VarRole::Temp)
        });
        let running = self.emit(Inst::Read(var), at);
        let sum = self.emit(Inst::Binary(BinaryOp::Add, running, value), at);
        let _ = self.emit(Inst::Write { var, value: sum }, at);
    }

    /// `h + (p - stop_gradient(p))`: the value of `h`, the derivative of `p`.
    fn straight_through(&mut self, hard: InstId, soft: InstId, at: Origin) -> InstId {
        self.straight_through_value(hard, soft, at)
    }

    /// `log S(x)`, finite wherever `S(x)` is a normal number (the taken
    /// side of a decision is never further than the noise's reach).
    fn log_cdf(&mut self, family: Family, x: InstId, at: Origin) -> InstId {
        if family == Family::Logistic {
            // log sigmoid(x) = -softplus(-x), stable for every x.
            let negated = self.emit(Inst::Unary(UnaryOp::Neg, x), at);
            let softplus = self.emit(Inst::Unary(UnaryOp::Softplus, negated), at);
            self.emit(Inst::Unary(UnaryOp::Neg, softplus), at)
        } else {
            let cdf = self.emit(Inst::Unary(family.cdf(), x), at);
            self.emit(Inst::Unary(UnaryOp::Log, cdf), at)
        }
    }

    /// The decision `scaled + eps > 0` of a comparison whose scaled
    /// difference is `scaled`: a hard bool (score) or a straight-through
    /// probability.
    pub(super) fn perturbed_comparison(
        &mut self,
        scaled: InstId,
        family: Family,
        origin: Origin,
    ) -> Result<InstId, SmoothError> {
        let at = origin.derived();
        let estimator = self.site_estimator(origin)?;
        self.record_site(
            SiteKind::Comparison,
            format!(
                "perturbed (a - b) / tau + {} noise > 0, {} estimator",
                family.name(),
                estimator.name()
            ),
            origin,
        );
        let eps = self.draw_noise(family.noise_kind(), at);
        let perturbed = self.emit(Inst::Binary(BinaryOp::Add, scaled, eps), at);
        let zero = self.emit(Inst::Real(0.0), at);
        let decision = self.emit(Inst::Binary(BinaryOp::Gt, perturbed, zero), at);
        match estimator {
            Estimator::StraightThrough => {
                let hard = self.emit(Inst::Unary(UnaryOp::ToReal, decision), at);
                let p = self.emit(Inst::Unary(family.cdf(), scaled), at);
                Ok(self.straight_through(hard, p, at))
            }
            _ => {
                // log P(taken) = log S(s * scaled), s = +1 if taken, else -1.
                let plus = self.emit(Inst::Real(1.0), at);
                let minus = self.emit(Inst::Real(-1.0), at);
                let sign = self.emit(
                    Inst::Select {
                        cond: decision,
                        then: plus,
                        otherwise: minus,
                    },
                    at,
                );
                let taken = self.emit(Inst::Binary(BinaryOp::Mul, sign, scaled), at);
                let log_p = self.log_cdf(family, taken, at);
                self.add_log_probability(log_p, at);
                Ok(decision)
            }
        }
    }

    /// `argmax(x + T g)` (or `argmin(x - T g)`) with Gumbel `g`, into a
    /// fresh array; returns the hard index of the perturbed scores.
    fn gumbel_argmax(
        &mut self,
        array: VarId,
        min: bool,
        temperature: InstId,
        at: Origin,
    ) -> InstId {
        let ty = self.new.vars[array].ty.clone();
        let perturbed = self.new.new_var("perturbed", ty, VarRole::Temp);
        self.emit_for_range(array, at, |smoother, i| {
            let element = smoother.emit_element(array, i, at);
            let g = smoother.draw_noise(NoiseKind::Gumbel, at);
            let shift = smoother.emit(Inst::Binary(BinaryOp::Mul, temperature, g), at);
            let op = if min { BinaryOp::Sub } else { BinaryOp::Add };
            let value = smoother.emit(Inst::Binary(op, element, shift), at);
            smoother.emit_store(perturbed, vec![i], value, at);
        });
        self.emit(
            Inst::ArgMax {
                array: perturbed,
                min,
            },
            at,
        )
    }

    /// Stochastic `argmax`/`argmin`: the Gumbel-max sample. Score: a hard
    /// index, with `log softmax(±x / T)_k` added to `log_p`. Straight-through:
    /// a soft index whose weights are `onehot(k) + (w - stop_gradient(w))`
    /// with `w` the relaxed softmax weights.
    pub(super) fn stochastic_argmax(
        &mut self,
        inst: InstId,
        array: VarId,
        min: bool,
        origin: Origin,
    ) -> Result<InstId, SmoothError> {
        let at = origin.derived();
        let estimator = self.site_estimator(origin)?;
        let scale = self.site_attrs().scale.unwrap_or(1.0);
        self.record_site(
            SiteKind::Index,
            format!(
                "Gumbel-max argmax(x + tau g), {} estimator",
                estimator.name()
            ),
            origin,
        );
        // The unperturbed hard index first: it reports an empty array, and
        // shifts the score term's exponentials.
        let unperturbed = self.emit(Inst::ArgMax { array, min }, origin);
        let temperature = self.emit_temperature(scale, at);
        let sampled = self.gumbel_argmax(array, min, temperature, at);
        let sampled_var =
            self.new
                .new_var("sampled", VarType::Scalar(ScalarType::Int), VarRole::Temp);
        let _ = self.emit(
            Inst::Write {
                var: sampled_var,
                value: sampled,
            },
            at,
        );
        if estimator == Estimator::StraightThrough {
            let _ = self.soft_argmax(inst, array, min, origin);
            let Some(SoftIndex::Weights { weights, .. }) =
                self.soft_values[inst].map(|id| self.soft_indices[id])
            else {
                unreachable!("soft_argmax registers weights")
            };
            self.emit_for_range(weights, at, |smoother, i| {
                let k = smoother.emit(Inst::Read(sampled_var), at);
                let is_k = smoother.emit(Inst::Binary(BinaryOp::Eq, i, k), at);
                let hard = smoother.emit(Inst::Unary(UnaryOp::ToReal, is_k), at);
                let w = smoother.emit_element(weights, i, at);
                let value = smoother.straight_through(hard, w, at);
                smoother.emit_store(weights, vec![i], value, at);
            });
            // The int itself is the sample.
            return Ok(self.emit(Inst::Read(sampled_var), at));
        }
        let log_p = self.log_softmax_at(array, min, unperturbed, sampled_var, temperature, at);
        self.add_log_probability(log_p, at);
        Ok(self.emit(Inst::Read(sampled_var), at))
    }

    /// `log softmax(±x / T)_k`, shifted by the unperturbed extremum so that
    /// no exponential overflows.
    fn log_softmax_at(
        &mut self,
        array: VarId,
        min: bool,
        best_index: InstId,
        k: VarId,
        temperature: InstId,
        at: Origin,
    ) -> InstId {
        let (total, best) = self.emit_softmax_terms(array, best_index, min, temperature, None, at);
        let index = self.emit(Inst::Read(k), at);
        let chosen = self.emit_element(array, index, at);
        let chosen_gap = self.emit_scaled_gap(chosen, best, min, temperature, at);
        let sum = self.emit(Inst::Read(total), at);
        let log_sum = self.emit(Inst::Unary(UnaryOp::Log, sum), at);
        self.emit(Inst::Binary(BinaryOp::Sub, chosen_gap, log_sum), at)
    }

    /// Stochastic `floor`/`round`/`ceil`: `rounding(t + T eps)`. Score: a
    /// hard int, with the log of its kernel weight added to `log_p`.
    /// Straight-through: a soft index whose tails are straight-through
    /// probabilities of the one perturbed value.
    pub(super) fn stochastic_rounding(
        &mut self,
        inst: InstId,
        rounding: Rounding,
        operand: InstId,
        origin: Origin,
    ) -> Result<InstId, SmoothError> {
        let at = origin.derived();
        let estimator = self.site_estimator(origin)?;
        self.kernel_index(inst, rounding, operand, at);
        let soft = self.soft_values[inst].expect("kernel_index registers a kernel");
        let SoftIndex::Kernel { family, scale, .. } = self.soft_indices[soft] else {
            unreachable!("a rounding is a kernel index")
        };
        self.record_site(
            SiteKind::Index,
            format!(
                "perturbed rounding of t + tau {} noise, {} estimator",
                family.name(),
                estimator.name()
            ),
            origin,
        );
        let eps = self.draw_noise(family.noise_kind(), at);
        let eps_var = self.emit_temporary("eps", ScalarType::Real, eps, at);
        let t = self.value(operand);
        let temperature = self.emit_temperature(scale, at);
        let shift = self.emit(Inst::Binary(BinaryOp::Mul, temperature, eps), at);
        let perturbed = self.emit(Inst::Binary(BinaryOp::Add, t, shift), at);
        let sampled = self.emit(Inst::Unary(rounding.op(), perturbed), origin);
        if estimator == Estimator::StraightThrough {
            if let SoftIndex::Kernel { eps: slot, .. } = &mut self.soft_indices[soft] {
                *slot = Some(eps_var);
            }
            return Ok(sampled);
        }
        // Score: the int is the sample; its uses are hard.
        self.soft_values[inst] = None;
        let k_var = self.emit_temporary("sampled", ScalarType::Int, sampled, at);
        let k = self.emit(Inst::Read(k_var), at);
        let one = self.emit(Inst::Int(1), at);
        let next = self.emit(Inst::Binary(BinaryOp::Add, k, one), at);
        let weight = self.kernel_interval(soft, k, next, at);
        let log_p = self.emit(Inst::Unary(UnaryOp::Log, weight), at);
        self.add_log_probability(log_p, at);
        Ok(self.emit(Inst::Read(k_var), at))
    }

    /// Score estimator: the result `f` becomes
    /// `f + (c log_p - stop_gradient(c log_p))`, `c = stop_gradient(f -
    /// baseline)`: the same value, with the score-function term in its
    /// gradient.
    pub(super) fn emit_score_surrogate(&mut self) -> Result<(), SmoothError> {
        let Some(log_p) = self.log_probability else {
            return Ok(());
        };
        let output = self.new.outputs[0];
        if self.new.vars[output].ty != VarType::Scalar(ScalarType::Real) {
            return Err(SmoothError::NoStochasticMeaning {
                construct: "a function whose result is not a single real, under the score estimator,",
                span: None,
            });
        }
        let at = crate::syntax::span::Origin::Synthetic;
        let f = self.emit(Inst::Read(output), at);
        let baseline = self.emit(Inst::Baseline, at);
        let advantage = self.emit(Inst::Binary(BinaryOp::Sub, f, baseline), at);
        let weight = self.emit(Inst::StopGradient(advantage), at);
        let log_p = self.emit(Inst::Read(log_p), at);
        let term = self.emit(Inst::Binary(BinaryOp::Mul, weight, log_p), at);
        let zero = self.straight_through(f, term, at);
        let _ = self.emit(
            Inst::Write {
                var: output,
                value: zero,
            },
            at,
        );
        Ok(())
    }
}
