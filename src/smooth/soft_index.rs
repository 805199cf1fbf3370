//! Soft indices: ints computed from real inputs, relaxed into distributions
//! over positions.
//!
//! Two constructs make such an int, each with its distribution of `k`:
//!
//! * `argmax(x)` / `argmin(x)` → weights `w = softmax(±x / (tau * scale))`
//!   over `0..len(x)`, kept in a real array ([`SoftIndex::Weights`]);
//! * `floor(t)`, `round(t)`, `ceil(t)` → the rounding of `t + tau * scale *
//!   eps` with `eps` from the site's family, so that
//!   `P(k >= a) = S((t - a + shift) / (tau * scale))` with `shift` 0, 1/2
//!   and 1 ([`SoftIndex::Kernel`]). Its weights are built where `k` is used,
//!   over the range the use gives.
//!
//! Every use of a soft `k` becomes an expectation under its distribution:
//!
//! | use | relaxation |
//! |---|---|
//! | `y[k]` | `sum_i w_i y[i]` over the indexed axis |
//! | `y[k] = v` | `y[i] = w_i v + (1 - w_i) y[i]` for every `i` |
//! | `k == c`, `k < c`, .. | `P(k in the interval)`: a soft truth value |
//! | `real(k)` | `sum_i i w_i` (argmax only) |
//! | `let k = ..` | `k` names the same soft index |
//!
//! A kernel index used on an axis of length `m` puts the mass below 0 on
//! position 0 and the mass at or above `m - 1` on position `m - 1`
//! (the soft `clamp(k, 0, m - 1)`), so its weights always sum to 1. Any
//! other use (arithmetic, a loop bound, a reassignment) is an error that
//! says what to write instead. The int itself, where a variable or the
//! result keeps it, is the hard answer (`argmax(x)`, `floor(t)`).

use super::rewrite::Smoother;
use super::{Family, SiteKind, SmoothError};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, Size, UnaryOp, VarId, VarRole, VarType};
use crate::sema::attrs::MaxRelaxation;
use crate::syntax::span::Origin;

/// Index into `Smoother::soft_indices`.
pub(super) type SoftIndexId = usize;

/// How a relaxed int is distributed.
#[derive(Clone, Copy, Debug)]
pub(super) enum SoftIndex {
    /// `P(k = i) = weights[i]` for `i` in `0..len(weights)`.
    Weights {
        weights: VarId,
        /// The argmax's input, for `x[argmax(x)]` under
        /// `#[relax(max = "logsumexp")]`.
        source: VarId,
        min: bool,
        logsumexp: bool,
        scale: f64,
    },
    /// `k = rounding(center + tau * scale * eps)`, `eps ~ family`.
    Kernel {
        center: VarId,
        rounding: Rounding,
        family: Family,
        scale: f64,
        /// Stochastic mode, straight-through: the noise of the one
        /// perturbed value; every tail is then a straight-through
        /// probability.
        eps: Option<VarId>,
    },
}

/// The rounding a kernel index relaxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rounding {
    Floor,
    Round,
    Ceil,
}

impl Rounding {
    pub(super) fn of(op: UnaryOp) -> Option<Rounding> {
        match op {
            UnaryOp::Floor => Some(Rounding::Floor),
            UnaryOp::Round => Some(Rounding::Round),
            UnaryOp::Ceil => Some(Rounding::Ceil),
            _ => None,
        }
    }

    pub(super) fn op(self) -> UnaryOp {
        match self {
            Rounding::Floor => UnaryOp::Floor,
            Rounding::Round => UnaryOp::Round,
            Rounding::Ceil => UnaryOp::Ceil,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rounding::Floor => "floor",
            Rounding::Round => "round",
            Rounding::Ceil => "ceil",
        }
    }

    /// `rounding(s) >= a` exactly when `s >= a - shift` (up to the
    /// measure-zero boundary).
    fn shift(self) -> f64 {
        match self {
            Rounding::Floor => 0.0,
            Rounding::Round => 0.5,
            Rounding::Ceil => 1.0,
        }
    }
}

/// A use of a soft index that has no relaxation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftIndexUse {
    Arithmetic,
    LoopBound,
    Reassigned,
    NonRealArray,
    TwoSoftIndices,
    StoredInArray,
    KernelToReal,
    Other,
}

impl SoftIndexUse {
    /// What the program does with the index, for the diagnostic.
    pub fn what(self) -> &'static str {
        match self {
            SoftIndexUse::Arithmetic => "arithmetic on an index that depends on real inputs",
            SoftIndexUse::LoopBound => "a loop bound that depends on real inputs",
            SoftIndexUse::Reassigned => {
                "reassigning a variable that holds an index computed from real inputs"
            }
            SoftIndexUse::NonRealArray => {
                "an int or bool array indexed by an index that depends on real inputs"
            }
            SoftIndexUse::TwoSoftIndices => "two indices that depend on real inputs in one access",
            SoftIndexUse::StoredInArray => {
                "an index that depends on real inputs, stored in an array"
            }
            SoftIndexUse::KernelToReal => "`real` of a `floor`, `round` or `ceil` of real inputs",
            SoftIndexUse::Other => "this use of an index that depends on real inputs",
        }
    }

    /// What to write instead.
    pub fn help(self) -> &'static str {
        match self {
            SoftIndexUse::Arithmetic => {
                "index with it directly (`y[k]`), compare it (`k == 2`, `k < c`) or take `real(k)`; move offsets inside the rounding (`x[floor(t + 1.0)]` rather than `x[floor(t) + 1]`)"
            }
            SoftIndexUse::LoopBound => {
                "loop over the whole range and decide inside: `for i in 0..n { if i <= k { ... } }` relaxes to a blend weighted by `P(i <= k)`"
            }
            SoftIndexUse::Reassigned => "bind it once, `let k = argmax(x);`, and use `k`",
            SoftIndexUse::NonRealArray => "keep the values in a `real` array",
            SoftIndexUse::TwoSoftIndices => {
                "read in two steps: `let row = [y[k, j] for j in 0..m]; row[l]`"
            }
            SoftIndexUse::StoredInArray => {
                "store a real instead (`real(k)`), or keep the decision discrete with `#[hard]`"
            }
            SoftIndexUse::KernelToReal => {
                "use the real itself, or index an array with the rounded value (`y[floor(t)]`)"
            }
            SoftIndexUse::Other => {
                "use it to index an array, compare it with an int, or take `real(k)`; or keep the decision discrete with `#[hard]`"
            }
        }
    }
}

/// One end of an interval of positions.
#[derive(Clone, Copy)]
enum Bound {
    Unbounded,
    /// A new int value.
    At(InstId),
}

impl Smoother<'_> {
    /// `argmax(x)`/`argmin(x)` of data: the hard index (for variables and
    /// results that keep the int, and for the empty-array error) plus the
    /// softmax weights.
    pub(super) fn soft_argmax(
        &mut self,
        inst: InstId,
        array: VarId,
        min: bool,
        origin: Origin,
    ) -> InstId {
        let at = origin.derived();
        let attrs = self.site_attrs();
        let scale = attrs.scale.unwrap_or(1.0);
        let logsumexp = attrs.max == Some(MaxRelaxation::LogSumExp);
        let sign = if min { "-" } else { "" };
        self.record_site(
            SiteKind::Index,
            format!("soft index softmax({sign}x / {})", temperature_text(scale)),
            origin,
        );
        let hard = self.emit(Inst::ArgMax { array, min }, origin);
        let ty = self.new.vars[array].ty.clone();
        let weights = self.new.new_var("weights", ty, VarRole::Temp);
        let temperature = self.emit_temperature(scale, at);
        let (total, _) = self.emit_softmax_terms(array, hard, min, temperature, Some(weights), at);
        self.emit_for_range(weights, at, |smoother, i| {
            let weight = smoother.emit_element(weights, i, at);
            let sum = smoother.emit(Inst::Read(total), at);
            let normalized = smoother.emit(Inst::Binary(BinaryOp::Div, weight, sum), at);
            smoother.emit_store(weights, vec![i], normalized, at);
        });
        self.soft_indices.push(SoftIndex::Weights {
            weights,
            source: array,
            min,
            logsumexp,
            scale,
        });
        self.soft_values[inst] = Some(self.soft_indices.len() - 1);
        hard
    }

    /// `floor(t)`/`round(t)`/`ceil(t)` of data: the hard int, plus `t`
    /// saved for the kernel its uses build.
    pub(super) fn soft_rounding(
        &mut self,
        inst: InstId,
        rounding: Rounding,
        operand: InstId,
        origin: Origin,
    ) -> InstId {
        let at = origin.derived();
        let attrs = self.site_attrs();
        let scale = attrs.scale.unwrap_or(1.0);
        let family = attrs
            .family
            .map_or(self.options.family, Family::from_attribute);
        self.record_site(
            SiteKind::Index,
            format!(
                "soft index {}: P(k >= a) = {}((t - a{}) / {})",
                rounding.name(),
                family.name(),
                match rounding {
                    Rounding::Floor => "",
                    Rounding::Round => " + 0.5",
                    Rounding::Ceil => " + 1",
                },
                temperature_text(scale)
            ),
            origin,
        );
        self.kernel_index(inst, rounding, operand, at);
        let value = self.value(operand);
        self.emit(Inst::Unary(rounding.op(), value), origin)
    }

    /// Registers `rounding(operand)` as a kernel index of the site's
    /// family and scale, with the operand saved in a variable.
    pub(super) fn kernel_index(
        &mut self,
        inst: InstId,
        rounding: Rounding,
        operand: InstId,
        at: Origin,
    ) {
        let attrs = self.site_attrs();
        let scale = attrs.scale.unwrap_or(1.0);
        let family = attrs
            .family
            .map_or(self.options.family, Family::from_attribute);
        let value = self.value(operand);
        let center = self
            .new
            .new_var("center", VarType::Scalar(ScalarType::Real), VarRole::Temp);
        let _ = self.emit(Inst::Write { var: center, value }, at);
        self.soft_indices.push(SoftIndex::Kernel {
            center,
            rounding,
            family,
            scale,
            eps: None,
        });
        self.soft_values[inst] = Some(self.soft_indices.len() - 1);
    }

    /// `P(lower <= k < upper)` of a kernel index, for two int values.
    pub(super) fn kernel_interval(
        &mut self,
        soft: SoftIndexId,
        lower: InstId,
        upper: InstId,
        at: Origin,
    ) -> InstId {
        self.interval_probability(soft, Bound::At(lower), Bound::At(upper), at)
    }

    /// Whether `inst` reads a soft index.
    pub(super) fn uses_soft_index(&self, inst: InstId) -> bool {
        self.old.insts[inst]
            .operands()
            .iter()
            .any(|operand| self.soft_values[*operand].is_some())
    }

    /// Rewrites an instruction that reads a soft index.
    pub(super) fn soft_index_use(
        &mut self,
        inst: InstId,
        origin: Origin,
    ) -> Result<(), SmoothError> {
        let refuse = |kind| {
            Err(SmoothError::SoftIndexUse {
                kind,
                span: origin.span(),
            })
        };
        let result = match self.old.insts[inst].clone() {
            Inst::Write { var, value } => {
                let single = self.write_counts[var] == 1
                    && self.old.vars[var].ty == VarType::Scalar(ScalarType::Int);
                if !single {
                    return refuse(SoftIndexUse::Reassigned);
                }
                self.soft_vars[var] = self.soft_values[value];
                let hard = self.value(value);
                let _ = self.emit(Inst::Write { var, value: hard }, origin);
                return Ok(());
            }
            Inst::Load { array, indices } => {
                if self.old.vars[array].ty.elem() != ScalarType::Real {
                    return refuse(SoftIndexUse::NonRealArray);
                }
                let Some(axis) = self.single_soft_axis(&indices) else {
                    return refuse(SoftIndexUse::TwoSoftIndices);
                };
                self.soft_load(array, &indices, axis, origin)
            }
            Inst::Store {
                array,
                indices,
                value,
            } => {
                if self.soft_values[value].is_some() {
                    return refuse(SoftIndexUse::StoredInArray);
                }
                if self.old.vars[array].ty.elem() != ScalarType::Real {
                    return refuse(SoftIndexUse::NonRealArray);
                }
                let Some(axis) = self.single_soft_axis(&indices) else {
                    return refuse(SoftIndexUse::TwoSoftIndices);
                };
                self.check_discrete_write(array, origin)?;
                self.soft_store(array, &indices, axis, value, origin);
                return Ok(());
            }
            Inst::Binary(op, lhs, rhs) if op.is_comparison() => {
                let (soft, other, op) = match (self.soft_values[lhs], self.soft_values[rhs]) {
                    (Some(soft), None) => (soft, rhs, op),
                    (None, Some(soft)) => (soft, lhs, mirrored(op)),
                    _ => return refuse(SoftIndexUse::Other),
                };
                self.soft_comparison(soft, op, other, origin)
            }
            Inst::Binary(..) | Inst::Unary(UnaryOp::Neg, _) => {
                return refuse(SoftIndexUse::Arithmetic);
            }
            Inst::Unary(UnaryOp::ToReal, operand) => {
                let soft = self.soft_values[operand].expect("the operand is soft");
                match self.soft_indices[soft] {
                    SoftIndex::Weights { weights, .. } => {
                        self.record_site(
                            SiteKind::Index,
                            "expected index sum(i * w_i)".to_string(),
                            origin,
                        );
                        self.expected_position(weights, origin)
                    }
                    SoftIndex::Kernel { .. } => return refuse(SoftIndexUse::KernelToReal),
                }
            }
            Inst::For { lo, hi, .. } => {
                // Point at the bound, not at the whole loop.
                let bound = if self.soft_values[hi].is_some() {
                    hi
                } else {
                    lo
                };
                return Err(SmoothError::SoftIndexUse {
                    kind: SoftIndexUse::LoopBound,
                    span: self.old.origins[bound].span().or(origin.span()),
                });
            }
            _ => return refuse(SoftIndexUse::Other),
        };
        self.values[inst] = Some(result);
        Ok(())
    }

    /// The one axis whose index is soft, if exactly one is.
    fn single_soft_axis(&self, indices: &[InstId]) -> Option<usize> {
        let mut soft_axes = indices
            .iter()
            .enumerate()
            .filter(|(_, index)| self.soft_values[**index].is_some())
            .map(|(axis, _)| axis);
        let axis = soft_axes.next()?;
        soft_axes.next().is_none().then_some(axis)
    }

    /// `y[.., k, ..]` → `sum_i w_i y[.., i, ..]`.
    fn soft_load(
        &mut self,
        array: VarId,
        indices: &[InstId],
        axis: usize,
        origin: Origin,
    ) -> InstId {
        let at = origin.derived();
        let soft = self.soft_values[indices[axis]].expect("the axis is soft");
        if let SoftIndex::Weights {
            source,
            min,
            logsumexp: true,
            scale,
            ..
        } = self.soft_indices[soft]
            && source == array
        {
            self.record_site(
                SiteKind::Index,
                format!(
                    "{}tau * logsumexp({}x / tau)",
                    if min { "-" } else { "" },
                    if min { "-" } else { "" }
                ),
                origin,
            );
            return self.logsumexp_extremum(array, indices[axis], min, scale, at);
        }
        self.record_site(
            SiteKind::Index,
            "soft read sum_i w_i y[i]".to_string(),
            origin,
        );
        let hard: Vec<Option<InstId>> = self.hard_indices(indices, axis);
        let total = self.new_real_var("soft_read", at);
        let positions = self.position_array(soft, array, axis);
        self.emit_for_range_of(positions, at, |smoother, i, length| {
            let weight = smoother.position_weight(soft, i, length, at);
            let element = smoother.emit(
                Inst::Load {
                    array,
                    indices: with_axis(&hard, i),
                },
                at,
            );
            let term = smoother.emit(Inst::Binary(BinaryOp::Mul, weight, element), at);
            smoother.emit_accumulate(total, term, at);
        });
        self.emit(Inst::Read(total), at)
    }

    /// `y[.., k, ..] = v` → `y[.., i, ..] = w_i v + (1 - w_i) y[.., i, ..]`.
    fn soft_store(
        &mut self,
        array: VarId,
        indices: &[InstId],
        axis: usize,
        value: InstId,
        origin: Origin,
    ) {
        let at = origin.derived();
        self.record_site(
            SiteKind::Index,
            "soft write y[i] = w_i v + (1 - w_i) y[i]".to_string(),
            origin,
        );
        let soft = self.soft_values[indices[axis]].expect("the axis is soft");
        let hard = self.hard_indices(indices, axis);
        let value = self.value(value);
        let positions = self.position_array(soft, array, axis);
        self.emit_for_range_of(positions, at, |smoother, i, length| {
            let weight = smoother.position_weight(soft, i, length, at);
            let place = with_axis(&hard, i);
            let old = smoother.emit(
                Inst::Load {
                    array,
                    indices: place.clone(),
                },
                at,
            );
            let mixed =
                super::branch::emit_mix(&mut smoother.new, smoother.block, weight, value, old, at);
            smoother.emit_store(array, place, mixed, at);
        });
    }

    /// `k OP c` for a soft `k` and a hard int `c`: the probability that
    /// `k` lies in the interval the comparison describes.
    fn soft_comparison(
        &mut self,
        soft: SoftIndexId,
        op: BinaryOp,
        other: InstId,
        origin: Origin,
    ) -> InstId {
        let at = origin.derived();
        self.record_site(
            SiteKind::Index,
            "P(k in interval) under the soft index".to_string(),
            origin,
        );
        let c = self.value(other);
        let one = self.emit(Inst::Int(1), at);
        let next = self.emit(Inst::Binary(BinaryOp::Add, c, one), at);
        let (lower, upper, complement) = match op {
            BinaryOp::Eq => (Bound::At(c), Bound::At(next), false),
            BinaryOp::Ne => (Bound::At(c), Bound::At(next), true),
            BinaryOp::Lt => (Bound::Unbounded, Bound::At(c), false),
            BinaryOp::Le => (Bound::Unbounded, Bound::At(next), false),
            BinaryOp::Gt => (Bound::At(next), Bound::Unbounded, false),
            _ => (Bound::At(c), Bound::Unbounded, false),
        };
        let p = self.interval_probability(soft, lower, upper, at);
        if complement {
            let one = self.emit(Inst::Real(1.0), at);
            self.emit(Inst::Binary(BinaryOp::Sub, one, p), at)
        } else {
            p
        }
    }

    /// `P(lower <= k < upper)`.
    fn interval_probability(
        &mut self,
        soft: SoftIndexId,
        lower: Bound,
        upper: Bound,
        at: Origin,
    ) -> InstId {
        match self.soft_indices[soft] {
            SoftIndex::Weights { weights, .. } => {
                let length = self.emit(Inst::SizeOf(first_dim(&self.new.vars[weights].ty)), at);
                let zero = self.emit(Inst::Int(0), at);
                let lo = match lower {
                    Bound::Unbounded => zero,
                    Bound::At(a) => self.emit_int_extremum(a, zero, BinaryOp::Gt, at),
                };
                let hi = match upper {
                    Bound::Unbounded => length,
                    Bound::At(b) => self.emit_int_extremum(b, length, BinaryOp::Lt, at),
                };
                let total = self.new_real_var("mass", at);
                let counter =
                    self.new
                        .new_var("i", VarType::Scalar(ScalarType::Int), VarRole::Temp);
                let body = self.new.emit_for(self.block, counter, (lo, hi), false, at);
                let saved = std::mem::replace(&mut self.block, body);
                let i = self.emit(Inst::Read(counter), at);
                let weight = self.emit_element(weights, i, at);
                self.emit_accumulate(total, weight, at);
                self.block = saved;
                self.emit(Inst::Read(total), at)
            }
            SoftIndex::Kernel { .. } => {
                let at_least_lower = match lower {
                    Bound::Unbounded => None,
                    Bound::At(a) => Some(self.kernel_tail(soft, a, at)),
                };
                let at_least_upper = match upper {
                    Bound::Unbounded => None,
                    Bound::At(b) => Some(self.kernel_tail(soft, b, at)),
                };
                self.tail_difference(at_least_lower, at_least_upper, at)
            }
        }
    }

    /// `P(k >= a)` of a kernel index, as `(P, 1 - P, argument)`, both
    /// probabilities computed directly so that neither loses precision.
    fn kernel_tail(&mut self, soft: SoftIndexId, a: InstId, at: Origin) -> Tail {
        let SoftIndex::Kernel {
            center,
            rounding,
            family,
            scale,
            eps,
        } = self.soft_indices[soft]
        else {
            unreachable!("kernel tails are of kernel indices")
        };
        let position = self.emit(Inst::Unary(UnaryOp::ToReal, a), at);
        let t = self.emit(Inst::Read(center), at);
        let gap = self.emit(Inst::Binary(BinaryOp::Sub, t, position), at);
        let gap = if rounding.shift() == 0.0 {
            gap
        } else {
            let shift = self.emit(Inst::Real(rounding.shift()), at);
            self.emit(Inst::Binary(BinaryOp::Add, gap, shift), at)
        };
        let temperature = self.emit_temperature(scale, at);
        let argument = self.emit(Inst::Binary(BinaryOp::Div, gap, temperature), at);
        let negated = self.emit(Inst::Unary(UnaryOp::Neg, argument), at);
        let cdf = family.cdf();
        let mut at_least = self.emit(Inst::Unary(cdf, argument), at);
        let mut below = self.emit(Inst::Unary(cdf, negated), at);
        if let Some(eps) = eps {
            // Straight-through: the value of the perturbed decision
            // `argument + eps > 0`, the derivative of the relaxed tail.
            let noise = self.emit(Inst::Read(eps), at);
            let perturbed = self.emit(Inst::Binary(BinaryOp::Add, argument, noise), at);
            let zero = self.emit(Inst::Real(0.0), at);
            let reached = self.emit(Inst::Binary(BinaryOp::Gt, perturbed, zero), at);
            let hard = self.emit(Inst::Unary(UnaryOp::ToReal, reached), at);
            let one = self.emit(Inst::Real(1.0), at);
            let hard_below = self.emit(Inst::Binary(BinaryOp::Sub, one, hard), at);
            at_least = self.straight_through_value(hard, at_least, at);
            below = self.straight_through_value(hard_below, below, at);
        }
        Tail {
            at_least,
            below,
            argument,
        }
    }

    /// `hard + (soft - stop_gradient(soft))`.
    pub(super) fn straight_through_value(
        &mut self,
        hard: InstId,
        soft: InstId,
        at: Origin,
    ) -> InstId {
        let frozen = self.emit(Inst::StopGradient(soft), at);
        let zero = self.emit(Inst::Binary(BinaryOp::Sub, soft, frozen), at);
        self.emit(Inst::Binary(BinaryOp::Add, hard, zero), at)
    }

    /// `P(k >= a) - P(k >= b)` with a missing tail meaning the unbounded
    /// side; the form is chosen so that it subtracts small numbers.
    fn tail_difference(&mut self, lower: Option<Tail>, upper: Option<Tail>, at: Origin) -> InstId {
        match (lower, upper) {
            (None, None) => self.emit(Inst::Real(1.0), at),
            (Some(lower), None) => lower.at_least,
            (None, Some(upper)) => upper.below,
            (Some(lower), Some(upper)) => {
                let direct = self.emit(
                    Inst::Binary(BinaryOp::Sub, lower.at_least, upper.at_least),
                    at,
                );
                let mirrored = self.emit(Inst::Binary(BinaryOp::Sub, upper.below, lower.below), at);
                let sum = self.emit(
                    Inst::Binary(BinaryOp::Add, lower.argument, upper.argument),
                    at,
                );
                let zero = self.emit(Inst::Real(0.0), at);
                // Both arguments mostly positive: both CDFs are near 1, so
                // subtract their complements instead.
                let right = self.emit(Inst::Binary(BinaryOp::Gt, sum, zero), at);
                self.emit(
                    Inst::Select {
                        cond: right,
                        then: mirrored,
                        otherwise: direct,
                    },
                    at,
                )
            }
        }
    }

    /// The weight of position `i` (a new int value in the current block)
    /// among `length` positions.
    fn position_weight(
        &mut self,
        soft: SoftIndexId,
        i: InstId,
        length: InstId,
        at: Origin,
    ) -> InstId {
        match self.soft_indices[soft] {
            SoftIndex::Weights { weights, .. } => self.emit_element(weights, i, at),
            SoftIndex::Kernel { .. } => {
                // The interval [i, i + 1), opened to -inf at 0 and to +inf
                // at length - 1.
                let one = self.emit(Inst::Int(1), at);
                let next = self.emit(Inst::Binary(BinaryOp::Add, i, one), at);
                let lower = self.kernel_tail(soft, i, at);
                let upper = self.kernel_tail(soft, next, at);
                let zero = self.emit(Inst::Int(0), at);
                let first = self.emit(Inst::Binary(BinaryOp::Le, i, zero), at);
                let last = self.emit(Inst::Binary(BinaryOp::Ge, next, length), at);
                let lower = self.open_tail(lower, first, true, at);
                let upper = self.open_tail(upper, last, false, at);
                self.tail_difference(Some(lower), Some(upper), at)
            }
        }
    }

    /// A tail that becomes certain (`P(k >= -inf) = 1`) or impossible
    /// (`P(k >= +inf) = 0`) when `open` holds.
    fn open_tail(&mut self, tail: Tail, open: InstId, at_minus_infinity: bool, at: Origin) -> Tail {
        let (at_least, below) = if at_minus_infinity {
            (1.0, 0.0)
        } else {
            (0.0, 1.0)
        };
        let pick = |smoother: &mut Self, fixed: f64, computed: InstId| {
            let fixed = smoother.emit(Inst::Real(fixed), at);
            smoother.emit(
                Inst::Select {
                    cond: open,
                    then: fixed,
                    otherwise: computed,
                },
                at,
            )
        };
        let at_least = pick(self, at_least, tail.at_least);
        let below = pick(self, below, tail.below);
        // The sign of the argument picks the subtraction in
        // `tail_difference`; an open end is infinitely far.
        let infinity = if at_minus_infinity {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        let argument = pick(self, infinity, tail.argument);
        Tail {
            at_least,
            below,
            argument,
        }
    }

    /// `sum_i i w_i`.
    fn expected_position(&mut self, weights: VarId, origin: Origin) -> InstId {
        let at = origin.derived();
        let total = self.new_real_var("expected_index", at);
        self.emit_for_range(weights, at, |smoother, i| {
            let weight = smoother.emit_element(weights, i, at);
            let position = smoother.emit(Inst::Unary(UnaryOp::ToReal, i), at);
            let term = smoother.emit(Inst::Binary(BinaryOp::Mul, position, weight), at);
            smoother.emit_accumulate(total, term, at);
        });
        self.emit(Inst::Read(total), at)
    }

    /// `tau * logsumexp(x / tau)` (negated on `-x` for `min`), shifted by
    /// the hard extremum `x[k]` so that no exponential overflows.
    fn logsumexp_extremum(
        &mut self,
        array: VarId,
        hard_index: InstId,
        min: bool,
        scale: f64,
        at: Origin,
    ) -> InstId {
        let index = self.value(hard_index);
        let temperature = self.emit_temperature(scale, at);
        let (total, best) = self.emit_softmax_terms(array, index, min, temperature, None, at);
        let sum = self.emit(Inst::Read(total), at);
        let log = self.emit(Inst::Unary(UnaryOp::Log, sum), at);
        let offset = self.emit(Inst::Binary(BinaryOp::Mul, temperature, log), at);
        let op = if min { BinaryOp::Sub } else { BinaryOp::Add };
        self.emit(Inst::Binary(op, best, offset), at)
    }

    /// The hard index values of every axis but `axis`.
    fn hard_indices(&self, indices: &[InstId], axis: usize) -> Vec<Option<InstId>> {
        indices
            .iter()
            .enumerate()
            .map(|(position, index)| (position != axis).then(|| self.value(*index)))
            .collect()
    }

    /// The positions a soft index ranges over when it indexes `axis` of
    /// `array`: the weights of an argmax, or the axis itself for a kernel.
    fn position_array(&self, soft: SoftIndexId, array: VarId, axis: usize) -> (VarId, usize) {
        match self.soft_indices[soft] {
            SoftIndex::Weights { weights, .. } => (weights, 0),
            SoftIndex::Kernel { .. } => (array, axis),
        }
    }

    /// The terms `e_i = exp(±(x_i - x_best) / T)` of a softmax over
    /// `array` (`-` for `min`), with `best` the index of the extremum: each
    /// at most 1 and 1 at the extremum, so nothing overflows and their sum
    /// is at least 1. Stores them into `into` when given; returns the
    /// variable holding their sum, and `x_best`.
    pub(super) fn emit_softmax_terms(
        &mut self,
        array: VarId,
        best: InstId,
        min: bool,
        temperature: InstId,
        into: Option<VarId>,
        at: Origin,
    ) -> (VarId, InstId) {
        let extremum = self.emit_element(array, best, at);
        let total = self.new_real_var("exp_sum", at);
        self.emit_for_range(array, at, |smoother, i| {
            let element = smoother.emit_element(array, i, at);
            let scaled = smoother.emit_scaled_gap(element, extremum, min, temperature, at);
            let term = smoother.emit(Inst::Unary(UnaryOp::Exp, scaled), at);
            if let Some(into) = into {
                smoother.emit_store(into, vec![i], term, at);
            }
            smoother.emit_accumulate(total, term, at);
        });
        (total, extremum)
    }

    /// `(x - x_best) / T`, or `(x_best - x) / T` for `min`: at most 0.
    pub(super) fn emit_scaled_gap(
        &mut self,
        element: InstId,
        extremum: InstId,
        min: bool,
        temperature: InstId,
        at: Origin,
    ) -> InstId {
        let gap = if min {
            self.emit(Inst::Binary(BinaryOp::Sub, extremum, element), at)
        } else {
            self.emit(Inst::Binary(BinaryOp::Sub, element, extremum), at)
        };
        self.emit(Inst::Binary(BinaryOp::Div, gap, temperature), at)
    }

    /// `array[index]` of a 1-D array.
    pub(super) fn emit_element(&mut self, array: VarId, index: InstId, at: Origin) -> InstId {
        self.emit(
            Inst::Load {
                array,
                indices: vec![index],
            },
            at,
        )
    }

    /// A new scalar temporary holding `value`.
    pub(super) fn emit_temporary(
        &mut self,
        name: &str,
        ty: ScalarType,
        value: InstId,
        at: Origin,
    ) -> VarId {
        let var = self.new.new_var(name, VarType::Scalar(ty), VarRole::Temp);
        let _ = self.emit(Inst::Write { var, value }, at);
        var
    }

    /// `tau`, or `tau * scale`.
    pub(super) fn emit_temperature(&mut self, scale: f64, at: Origin) -> InstId {
        let tau = self.emit(Inst::Tau, at);
        if scale == 1.0 {
            tau
        } else {
            let factor = self.emit(Inst::Real(scale), at);
            self.emit(Inst::Binary(BinaryOp::Mul, tau, factor), at)
        }
    }

    fn new_real_var(&mut self, name: &str, at: Origin) -> VarId {
        let var = self
            .new
            .new_var(name, VarType::Scalar(ScalarType::Real), VarRole::Temp);
        let zero = self.emit(Inst::Real(0.0), at);
        let _ = self.emit(Inst::Write { var, value: zero }, at);
        var
    }

    pub(super) fn emit_accumulate(&mut self, total: VarId, term: InstId, at: Origin) {
        let running = self.emit(Inst::Read(total), at);
        let sum = self.emit(Inst::Binary(BinaryOp::Add, running, term), at);
        let _ = self.emit(
            Inst::Write {
                var: total,
                value: sum,
            },
            at,
        );
    }

    pub(super) fn emit_store(
        &mut self,
        array: VarId,
        indices: Vec<InstId>,
        value: InstId,
        at: Origin,
    ) {
        let _ = self.emit(
            Inst::Store {
                array,
                indices,
                value,
            },
            at,
        );
    }

    /// `max(a, b)` (`Gt`) or `min(a, b)` (`Lt`) of two ints.
    fn emit_int_extremum(
        &mut self,
        a: InstId,
        b: InstId,
        keep_a_if: BinaryOp,
        at: Origin,
    ) -> InstId {
        let keep = self.emit(Inst::Binary(keep_a_if, a, b), at);
        self.emit(
            Inst::Select {
                cond: keep,
                then: a,
                otherwise: b,
            },
            at,
        )
    }

    /// A loop over `0..len(array)` (first dimension); `body` gets the
    /// counter's value.
    pub(super) fn emit_for_range(
        &mut self,
        array: VarId,
        at: Origin,
        body: impl FnOnce(&mut Self, InstId),
    ) {
        self.emit_for_range_of((array, 0), at, |smoother, i, _| body(smoother, i));
    }

    /// A loop over dimension `axis` of `array`; `body` gets the counter's
    /// value and the dimension's length, both read inside the loop.
    fn emit_for_range_of(
        &mut self,
        (array, axis): (VarId, usize),
        at: Origin,
        body: impl FnOnce(&mut Self, InstId, InstId),
    ) {
        let VarType::Array { dims, .. } = &self.new.vars[array].ty else {
            unreachable!("soft indices range over arrays")
        };
        let dim = dims[axis];
        let lo = self.emit(Inst::Int(0), at);
        let hi = self.emit(Inst::SizeOf(dim), at);
        let counter = self
            .new
            .new_var("i", VarType::Scalar(ScalarType::Int), VarRole::Temp);
        let inner = self.new.emit_for(self.block, counter, (lo, hi), false, at);
        let saved = std::mem::replace(&mut self.block, inner);
        let i = self.emit(Inst::Read(counter), at);
        let length = self.emit(Inst::SizeOf(dim), at);
        body(self, i, length);
        self.block = saved;
    }
}

/// `P(k >= a)`, its complement, and the CDF argument whose sign says which
/// of the two is small.
#[derive(Clone, Copy)]
struct Tail {
    at_least: InstId,
    below: InstId,
    argument: InstId,
}

/// `c OP k` as `k OP' c`.
fn mirrored(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// The hard indices with `i` at the soft axis.
fn with_axis(hard: &[Option<InstId>], i: InstId) -> Vec<InstId> {
    hard.iter().map(|index| index.unwrap_or(i)).collect()
}

fn first_dim(ty: &VarType) -> Size {
    match ty {
        VarType::Array { dims, .. } => dims[0],
        VarType::Scalar(_) => unreachable!("weights are arrays"),
    }
}

fn temperature_text(scale: f64) -> String {
    if scale == 1.0 {
        "tau".to_string()
    } else {
        format!("({scale:?} tau)")
    }
}
