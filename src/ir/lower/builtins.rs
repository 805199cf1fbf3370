//! Builtins with a scalar result. (Builtins with an array result, and unary
//! math applied elementwise to an array, are in `arrays`.)

use super::{FnScope, Lowered, Lowerer};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, UnaryOp, VarType};
use crate::sema::tast::{Builtin, TExpr, TExprKind};
use crate::syntax::span::{Origin, Span};

/// The IR operation of a builtin that maps one real to one value.
pub(super) fn unary_builtin(builtin: Builtin) -> Option<UnaryOp> {
    Some(match builtin {
        Builtin::Exp => UnaryOp::Exp,
        Builtin::Log => UnaryOp::Log,
        Builtin::Sqrt => UnaryOp::Sqrt,
        Builtin::Sin => UnaryOp::Sin,
        Builtin::Cos => UnaryOp::Cos,
        Builtin::Tanh => UnaryOp::Tanh,
        Builtin::Sigmoid => UnaryOp::Sigmoid,
        Builtin::Softplus => UnaryOp::Softplus,
        Builtin::Floor => UnaryOp::Floor,
        Builtin::Ceil => UnaryOp::Ceil,
        Builtin::Round => UnaryOp::Round,
        Builtin::Real => UnaryOp::ToReal,
        Builtin::Sum
        | Builtin::Pow
        | Builtin::Len
        | Builtin::Zeros
        | Builtin::Fill
        | Builtin::SoftSort
        | Builtin::SoftRank
        | Builtin::SoftSortKl
        | Builtin::SoftRankKl
        | Builtin::Argmax
        | Builtin::Argmin => return None,
    })
}

impl<'p> Lowerer<'p> {
    pub(super) fn lower_builtin(
        &mut self,
        scope: &mut FnScope<'p>,
        builtin: Builtin,
        args: &[TExpr],
        span: Span,
    ) -> Lowered<InstId> {
        if let Some(op) = unary_builtin(builtin) {
            let value = self.lower_scalar(scope, &args[0])?;
            return Ok(self.emit(Inst::Unary(op, value), span));
        }
        match builtin {
            Builtin::Pow => {
                let values = self.lower_operands(scope, &[&args[0], &args[1]])?;
                Ok(self.emit(Inst::Binary(BinaryOp::Pow, values[0], values[1]), span))
            }
            Builtin::Len => {
                let array = self.lower_array(scope, &args[0])?;
                let dim = match args.get(1).map(|arg| &arg.kind) {
                    Some(TExprKind::Int(dim)) => *dim as usize,
                    _ => 0,
                };
                let VarType::Array { dims, .. } = &self.func.vars[array.var].ty else {
                    unreachable!("sema checks that len takes an array")
                };
                let size = dims[dim];
                Ok(self.emit(Inst::SizeOf(size), span))
            }
            Builtin::Sum => self.lower_sum(scope, &args[0], span),
            Builtin::Argmax | Builtin::Argmin => {
                let array = self.lower_array(scope, &args[0])?;
                let min = builtin == Builtin::Argmin;
                Ok(self.emit(
                    Inst::ArgMax {
                        array: array.var,
                        min,
                    },
                    span,
                ))
            }
            _ => unreachable!("sema gives {} an array type", builtin.name()),
        }
    }

    /// `sum(x)`: a loop over every element.
    fn lower_sum(&mut self, scope: &mut FnScope<'p>, arg: &TExpr, span: Span) -> Lowered<InstId> {
        let array = self.lower_array(scope, arg)?;
        let total = self.temp("sum", VarType::Scalar(ScalarType::Real));
        let origin = Origin::Derived(span);
        let zero = self.emit_derived(Inst::Real(0.0), origin);
        let _ = self.emit_derived(
            Inst::Write {
                var: total,
                value: zero,
            },
            origin,
        );
        self.func
            .emit_for_each_place(self.block, array.var, origin, |func, inner, place| {
                let element = func.emit_read(inner, &place, origin);
                let running = func.append(inner, Inst::Read(total), origin);
                let value =
                    func.append(inner, Inst::Binary(BinaryOp::Add, running, element), origin);
                let _ = func.append(inner, Inst::Write { var: total, value }, origin);
            });
        Ok(self.emit(Inst::Read(total), span))
    }
}
