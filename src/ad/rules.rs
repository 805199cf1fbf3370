//! The adjoint rule of each instruction, one `match` arm per operation.
//!
//! `adjoint` is the cotangent of the instruction's result; each rule adds
//! its contribution to the cotangents of the operands (always accumulating,
//! never overwriting). Only real values carry cotangents; ints, bools,
//! comparisons and logic contribute nothing. The formulas, with `y` the
//! result and `a` its cotangent:
//!
//! | op | contribution |
//! |---|---|
//! | `x + z`, `x - z` | `x̄ += a`, `z̄ ±= a` |
//! | `x * z` | `x̄ += a z`, `z̄ += a x` |
//! | `x / z` | `x̄ += a / z`, `z̄ -= a y / z` |
//! | `-x` | `x̄ -= a` |
//! | `exp x` | `x̄ += a y` |
//! | `log x` | `x̄ += a / x` |
//! | `sqrt x` | `x̄ += a / (2 y)` |
//! | `sigmoid x` | `x̄ += a y (1 - y)`, 0 where `y (1 - y)` is 0 |
//! | `cdf_F x` | `x̄ += a density_F(x)`, 0 where the density is 0 |
//! | `softplus x` | `x̄ += a sigmoid(x)` |
//! | `sin x`, `cos x` | `x̄ += a cos x`, `x̄ -= a sin x` |
//! | `tanh x` | `x̄ += a (1 - y²)` |
//! | `pow(x, z)` | `x̄ += a z x^(z-1)`, `z̄ += a y ln x` |
//! | `select(c, x, z)` | `x̄ += c ? a : 0`, `z̄ += c ? 0 : a` |
//! | `floor`, `ceil`, `round` | nothing (zero almost everywhere) |

use super::GradBuilder;
use crate::ir::{BinaryOp, BlockId, Inst, InstId, ScalarType, UnaryOp};
use crate::syntax::span::Origin;
use cranelift_entity::SecondaryMap;

/// Cotangents of one segment's values, symbolic: `None` is a zero that was
/// never materialised.
pub(super) struct Cotangents {
    pub(super) of: SecondaryMap<InstId, Option<InstId>>,
}

impl GradBuilder<'_> {
    /// Adds `contribution` (a new value) to the cotangent of old value `target`.
    pub(super) fn accumulate(
        &mut self,
        cotangents: &mut Cotangents,
        block: BlockId,
        target: InstId,
        contribution: InstId,
        origin: Origin,
    ) {
        if self.old.types[target] != Some(ScalarType::Real) {
            return;
        }
        let total = match cotangents.of[target] {
            None => contribution,
            Some(previous) => self.new.append(
                block,
                Inst::Binary(BinaryOp::Add, previous, contribution),
                origin,
            ),
        };
        cotangents.of[target] = Some(total);
    }

    /// Applies the rule of the pure instruction `inst` (old), whose
    /// recomputed value is `primal` (new), given its cotangent `adjoint`.
    /// `value_of` maps old operands to their recomputed new values.
    pub(super) fn arithmetic_rule(
        &mut self,
        cotangents: &mut Cotangents,
        block: BlockId,
        inst: InstId,
        primal: InstId,
        adjoint: InstId,
        value_of: &SecondaryMap<InstId, Option<InstId>>,
    ) {
        let origin = self.old.origins[inst].derived();
        let value =
            |old: InstId| value_of[old].expect("operands are recomputed before the rules run");
        let emit = |builder: &mut Self, inst: Inst| builder.new.append(block, inst, origin);
        match self.old.insts[inst].clone() {
            Inst::Unary(op, operand) => {
                let contribution = match op {
                    UnaryOp::Neg => emit(self, Inst::Unary(UnaryOp::Neg, adjoint)),
                    UnaryOp::Exp => emit(self, Inst::Binary(BinaryOp::Mul, adjoint, primal)),
                    UnaryOp::Log => {
                        emit(self, Inst::Binary(BinaryOp::Div, adjoint, value(operand)))
                    }
                    UnaryOp::Sqrt => {
                        let twice = emit(self, Inst::Binary(BinaryOp::Add, primal, primal));
                        emit(self, Inst::Binary(BinaryOp::Div, adjoint, twice))
                    }
                    UnaryOp::Sigmoid => {
                        let one = emit(self, Inst::Real(1.0));
                        let complement = emit(self, Inst::Binary(BinaryOp::Sub, one, primal));
                        let slope = emit(self, Inst::Binary(BinaryOp::Mul, primal, complement));
                        self.times_density(block, adjoint, slope, origin)
                    }
                    UnaryOp::Softplus => {
                        let slope = emit(self, Inst::Unary(UnaryOp::Sigmoid, value(operand)));
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
                    UnaryOp::Sin => {
                        let slope = emit(self, Inst::Unary(UnaryOp::Cos, value(operand)));
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
                    UnaryOp::Cos => {
                        let sine = emit(self, Inst::Unary(UnaryOp::Sin, value(operand)));
                        let slope = emit(self, Inst::Unary(UnaryOp::Neg, sine));
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
                    UnaryOp::ClampedReciprocal => {
                        // -1 / x^2 = -r^2 (and -inf where r is clamped,
                        // the limit of the true slope there).
                        let square = emit(self, Inst::Binary(BinaryOp::Mul, primal, primal));
                        let slope = emit(self, Inst::Unary(UnaryOp::Neg, square));
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
                    UnaryOp::Tanh => {
                        let one = emit(self, Inst::Real(1.0));
                        let square = emit(self, Inst::Binary(BinaryOp::Mul, primal, primal));
                        let slope = emit(self, Inst::Binary(BinaryOp::Sub, one, square));
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
                    UnaryOp::Cdf(family) => {
                        let slope =
                            emit(self, Inst::Unary(UnaryOp::Density(family), value(operand)));
                        self.times_density(block, adjoint, slope, origin)
                    }
                    // Densities appear only in gradient code, which is never
                    // differentiated again.
                    UnaryOp::Density(_) => return,
                    // Piecewise constant: zero almost everywhere (and the
                    // result is an int, which carries no cotangent anyway).
                    UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round => return,
                    UnaryOp::Not | UnaryOp::ToReal => return,
                };
                self.accumulate(cotangents, block, operand, contribution, origin);
            }
            Inst::Binary(op, lhs, rhs) => match op {
                BinaryOp::Add => {
                    self.accumulate(cotangents, block, lhs, adjoint, origin);
                    self.accumulate(cotangents, block, rhs, adjoint, origin);
                }
                BinaryOp::Sub => {
                    self.accumulate(cotangents, block, lhs, adjoint, origin);
                    let negated = emit(self, Inst::Unary(UnaryOp::Neg, adjoint));
                    self.accumulate(cotangents, block, rhs, negated, origin);
                }
                BinaryOp::Mul => {
                    let for_lhs = emit(self, Inst::Binary(BinaryOp::Mul, adjoint, value(rhs)));
                    self.accumulate(cotangents, block, lhs, for_lhs, origin);
                    let for_rhs = emit(self, Inst::Binary(BinaryOp::Mul, adjoint, value(lhs)));
                    self.accumulate(cotangents, block, rhs, for_rhs, origin);
                }
                BinaryOp::Div => {
                    let for_lhs = emit(self, Inst::Binary(BinaryOp::Div, adjoint, value(rhs)));
                    self.accumulate(cotangents, block, lhs, for_lhs, origin);
                    let scaled = emit(self, Inst::Binary(BinaryOp::Mul, for_lhs, primal));
                    let for_rhs = emit(self, Inst::Unary(UnaryOp::Neg, scaled));
                    self.accumulate(cotangents, block, rhs, for_rhs, origin);
                }
                BinaryOp::Pow => {
                    // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a. The second
                    // is NaN for a < 0, where a^b is only defined for
                    // integral b, whose cotangent is then never used.
                    let one = emit(self, Inst::Real(1.0));
                    let lowered = emit(self, Inst::Binary(BinaryOp::Sub, value(rhs), one));
                    let power = emit(self, Inst::Binary(BinaryOp::Pow, value(lhs), lowered));
                    let slope = emit(self, Inst::Binary(BinaryOp::Mul, value(rhs), power));
                    let for_lhs = emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope));
                    self.accumulate(cotangents, block, lhs, for_lhs, origin);
                    if self.old.types[rhs] == Some(crate::ir::ScalarType::Real)
                        && !matches!(self.old.insts[rhs], Inst::Real(_))
                    {
                        let log = emit(self, Inst::Unary(UnaryOp::Log, value(lhs)));
                        let slope = emit(self, Inst::Binary(BinaryOp::Mul, primal, log));
                        let for_rhs = emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope));
                        self.accumulate(cotangents, block, rhs, for_rhs, origin);
                    }
                }
                BinaryOp::Rem
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::And
                | BinaryOp::Or => {}
            },
            Inst::Select {
                cond,
                then,
                otherwise,
            } => {
                let zero = emit(self, Inst::Real(0.0));
                let for_then = emit(
                    self,
                    Inst::Select {
                        cond: value(cond),
                        then: adjoint,
                        otherwise: zero,
                    },
                );
                self.accumulate(cotangents, block, then, for_then, origin);
                let for_otherwise = emit(
                    self,
                    Inst::Select {
                        cond: value(cond),
                        then: zero,
                        otherwise: adjoint,
                    },
                );
                self.accumulate(cotangents, block, otherwise, for_otherwise, origin);
            }
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::SizeOf(_)
            | Inst::Read(_)
            | Inst::Write { .. }
            | Inst::Load { .. }
            | Inst::ArgMax { .. }
            | Inst::Noise { .. }
            | Inst::Baseline
            | Inst::StopGradient(_)
            | Inst::Store { .. }
            | Inst::If { .. }
            | Inst::For { .. }
            | Inst::Loop { .. }
            | Inst::SortArray { .. }
            | Inst::SortArrayVjp { .. }
            | Inst::PushArray(_)
            | Inst::PopArray(_)
            | Inst::Push(_)
            | Inst::Pop(_) => {}
        }
    }
}

impl GradBuilder<'_> {
    /// `adjoint * density`, exactly 0 where the density is 0. Far from a
    /// decision a comparison's density underflows to 0 while the cotangent
    /// of its probability can overflow (a difference of states near the
    /// largest double, as in a relaxed `while`): the true product is a huge
    /// number times a vanishing one, whose rounding is 0, but `inf * 0` is
    /// NaN. A comparison that cannot move its probability passes nothing
    /// back.
    fn times_density(
        &mut self,
        block: BlockId,
        adjoint: InstId,
        density: InstId,
        origin: Origin,
    ) -> InstId {
        let emit = |builder: &mut Self, inst: Inst| builder.new.append(block, inst, origin);
        let product = emit(self, Inst::Binary(BinaryOp::Mul, adjoint, density));
        let zero = emit(self, Inst::Real(0.0));
        let flat = emit(self, Inst::Binary(BinaryOp::Eq, density, zero));
        emit(
            self,
            Inst::Select {
                cond: flat,
                then: zero,
                otherwise: product,
            },
        )
    }
}
