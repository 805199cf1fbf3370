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
//! | `sigmoid x` | `x̄ += a y (1 - y)` |

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
                        emit(self, Inst::Binary(BinaryOp::Mul, adjoint, slope))
                    }
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
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::SizeOf(_)
            | Inst::Read(_)
            | Inst::Write { .. }
            | Inst::Load { .. }
            | Inst::Store { .. }
            | Inst::If { .. }
            | Inst::For { .. }
            | Inst::Push(_)
            | Inst::Pop(_) => {}
        }
    }
}
