//! Expressions with an array value: variables, calls, literals, `if` and
//! block expressions, comprehensions, elementwise arithmetic with scalar
//! broadcast, elementwise math builtins, `zeros` and `fill`.
//!
//! Every array expression other than a variable gets a fresh temporary,
//! written in full each time the expression is evaluated (so a `zeros(n)`
//! inside a loop is zero on every iteration, not only on the first).

use super::builtins::unary_builtin;
use super::{ArrayRef, FnScope, Lowered, Lowerer, binary_op, unary_op};
use crate::ir::build::Place;
use crate::ir::{Func, Inst, InstId, ScalarType, VarId, VarType};
use crate::sema::tast::{Builtin, LocalId, TExpr, TExprKind, Type};
use crate::syntax::span::{Origin, Span};

/// One input of an elementwise operation.
enum Operand {
    /// An array read at the current index.
    Array(VarId),
    /// A scalar, kept in a variable because the loops separate it from its
    /// definition.
    Scalar(VarId),
}

impl<'p> Lowerer<'p> {
    pub(super) fn lower_array(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
    ) -> Lowered<ArrayRef> {
        let fresh = |var| Ok(ArrayRef { var, fresh: true });
        match &expr.kind {
            TExprKind::Local(local) => Ok(ArrayRef {
                var: scope.var(*local),
                fresh: false,
            }),
            TExprKind::Attributed { attrs, expr } => {
                self.with_attrs(attrs, |this| this.lower_array(scope, expr))
            }
            TExprKind::Call {
                callee,
                args,
                sizes,
            } => fresh(self.inline_call(scope, *callee, args, sizes, expr.span)?),
            TExprKind::ArrayLit(elements) => {
                fresh(self.lower_array_literal(scope, expr, elements)?)
            }
            TExprKind::If { .. } | TExprKind::Block(_) => {
                let ty = self.var_type(scope, &expr.ty);
                let var = self.temp("if_value", ty);
                self.lower_valued_control(scope, expr, var)?;
                fresh(var)
            }
            TExprKind::Comprehension { var, lo, hi, body } => {
                fresh(self.lower_comprehension(scope, expr, *var, (lo, hi), body)?)
            }
            TExprKind::Unary(op, operand) => {
                let op = unary_op(*op);
                fresh(self.lower_elementwise(
                    scope,
                    expr,
                    &[operand],
                    move |func, block, values, origin| {
                        func.append(block, Inst::Unary(op, values[0]), origin)
                    },
                )?)
            }
            TExprKind::Binary(op, lhs, rhs) => {
                let op = binary_op(*op);
                fresh(self.lower_elementwise(
                    scope,
                    expr,
                    &[lhs, rhs],
                    move |func, block, values, origin| {
                        func.append(block, Inst::Binary(op, values[0], values[1]), origin)
                    },
                )?)
            }
            TExprKind::Builtin { builtin, args } => {
                fresh(self.lower_array_builtin(scope, expr, *builtin, args)?)
            }
            TExprKind::Real(_)
            | TExprKind::Int(_)
            | TExprKind::Bool(_)
            | TExprKind::SizeVar(_)
            | TExprKind::SizeValue(_)
            | TExprKind::Index { .. } => unreachable!("sema gives these expressions scalar types"),
        }
    }

    fn fresh_array(&mut self, scope: &FnScope<'p>, ty: &Type, name: &str) -> VarId {
        let ty = self.var_type(scope, ty);
        self.temp(name, ty)
    }

    fn lower_array_literal(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        elements: &[TExpr],
    ) -> Lowered<VarId> {
        let var = self.fresh_array(scope, &expr.ty, "array");
        let operands: Vec<&TExpr> = elements.iter().collect();
        let values = self.lower_operands(scope, &operands)?;
        for (position, (value, element)) in values.into_iter().zip(elements).enumerate() {
            let index = self.emit(Inst::Int(position as i64), element.span);
            let _ = self.emit(
                Inst::Store {
                    array: var,
                    indices: vec![index],
                    value,
                },
                element.span,
            );
        }
        Ok(var)
    }

    /// `[body for var in lo..hi]`: element `k` (or row `k`, for an array
    /// body) is the body evaluated with `var = lo + k`.
    fn lower_comprehension(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        local: LocalId,
        (lo, hi): (&TExpr, &TExpr),
        body: &TExpr,
    ) -> Lowered<VarId> {
        let origin = Origin::Source(expr.span);
        let result = self.fresh_array(scope, &expr.ty, "comprehension");
        let bounds = self.lower_operands(scope, &[lo, hi])?;
        let int = VarType::Scalar(ScalarType::Int);
        let start = self.temp("start", int.clone());
        let _ = self.emit_derived(
            Inst::Write {
                var: start,
                value: bounds[0],
            },
            origin,
        );
        let counter = self.func.new_var(
            scope.tfn.local(local).name.clone(),
            int,
            crate::ir::VarRole::Local,
        );
        scope.bind(local, counter);
        let loop_body =
            self.func
                .emit_for(self.block, counter, (bounds[0], bounds[1]), false, origin);
        self.in_block(loop_body, |this| {
            // The row index is computed where it is used, after the body,
            // whose lowering may have emitted control flow.
            let row = |func: &mut Func, block| {
                let at = func.append(block, Inst::Read(counter), origin.derived());
                let first = func.append(block, Inst::Read(start), origin.derived());
                func.append(
                    block,
                    Inst::Binary(crate::ir::BinaryOp::Sub, at, first),
                    origin.derived(),
                )
            };
            if matches!(body.ty, Type::Array { .. }) {
                let inner = this.lower_array(scope, body)?;
                this.func.emit_for_each_place(
                    this.block,
                    inner.var,
                    origin.derived(),
                    |func, block, place| {
                        let value = func.emit_read(block, &place, origin.derived());
                        let Place::Element { indices, .. } = place else {
                            unreachable!("an array's places are elements")
                        };
                        let mut target = vec![row(func, block)];
                        target.extend(indices);
                        func.emit_write(
                            block,
                            &Place::Element {
                                array: result,
                                indices: target,
                            },
                            value,
                            origin.derived(),
                        );
                    },
                );
            } else {
                let value = this.lower_scalar(scope, body)?;
                let index = row(&mut this.func, this.block);
                this.func.emit_write(
                    this.block,
                    &Place::Element {
                        array: result,
                        indices: vec![index],
                    },
                    value,
                    origin.derived(),
                );
            }
            Ok(())
        })?;
        Ok(result)
    }

    /// Arrays of `expr`'s shape from `operands` (arrays of that shape or
    /// scalars, broadcast), element by element with `combine`.
    fn lower_elementwise(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        operands: &[&TExpr],
        combine: impl Fn(&mut Func, crate::ir::BlockId, &[InstId], Origin) -> InstId,
    ) -> Lowered<VarId> {
        let origin = Origin::Source(expr.span);
        let mut inputs = Vec::with_capacity(operands.len());
        for operand in operands {
            if matches!(operand.ty, Type::Array { .. }) {
                inputs.push(Operand::Array(self.lower_array(scope, operand)?.var));
            } else {
                let value = self.lower_scalar(scope, operand)?;
                inputs.push(Operand::Scalar(self.spill(value, operand.span)));
            }
        }
        let result = self.fresh_array(scope, &expr.ty, "elementwise");
        self.func
            .emit_for_each_place(self.block, result, origin, |func, block, place| {
                let values: Vec<InstId> = inputs
                    .iter()
                    .map(|input| match input {
                        Operand::Array(array) => {
                            func.emit_read(block, &place.in_var(*array), origin)
                        }
                        Operand::Scalar(var) => func.append(block, Inst::Read(*var), origin),
                    })
                    .collect();
                let value = combine(func, block, &values, origin);
                func.emit_write(block, &place, value, origin);
            });
        Ok(result)
    }

    /// `zeros(..)`, `fill(.., v)` and unary math applied to an array.
    fn lower_array_builtin(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        builtin: Builtin,
        args: &[TExpr],
    ) -> Lowered<VarId> {
        if let Some(op) = unary_builtin(builtin) {
            return self.lower_elementwise(
                scope,
                expr,
                &[&args[0]],
                move |func, block, values, origin| {
                    func.append(block, Inst::Unary(op, values[0]), origin)
                },
            );
        }
        match builtin {
            Builtin::Zeros => {
                let Type::Array { elem, .. } = &expr.ty else {
                    unreachable!("zeros has an array type")
                };
                let zero = match elem {
                    crate::sema::tast::Scalar::Real => Inst::Real(0.0),
                    crate::sema::tast::Scalar::Int => Inst::Int(0),
                    crate::sema::tast::Scalar::Bool => Inst::Bool(false),
                };
                self.lower_elementwise(scope, expr, &[], move |func, block, _, origin| {
                    func.append(block, zero.clone(), origin)
                })
            }
            Builtin::Fill => {
                self.lower_elementwise(scope, expr, &[&args[0]], |_, _, values, _| values[0])
            }
            Builtin::SoftSort | Builtin::SoftRank | Builtin::SoftSortKl | Builtin::SoftRankKl => {
                self.lower_soft_sort(scope, expr, builtin, &args[0])
            }
            _ => unreachable!("sema gives {} a scalar type", builtin.name()),
        }
    }

    /// `soft_sort(x)` and friends: a `SortArray` into a fresh output. It is
    /// emitted relaxed, with strength `tau` times the site's scale; the
    /// smoothing pass makes it hard in hard mode and at `#[hard]` sites.
    fn lower_soft_sort(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        builtin: Builtin,
        arg: &TExpr,
    ) -> Lowered<VarId> {
        let origin = Origin::Source(expr.span);
        let input = self.lower_array(scope, arg)?.var;
        let output = self.fresh_array(scope, &expr.ty, builtin.name());
        let regularization = match builtin {
            Builtin::SoftSortKl | Builtin::SoftRankKl => crate::ir::Regularization::Kl,
            _ => crate::ir::Regularization::L2,
        };
        let mut strength = self.emit_derived(Inst::Tau, origin);
        if let Some(scale) = self.attrs.last().and_then(|attrs| attrs.scale) {
            let factor = self.emit_derived(Inst::Real(scale), origin);
            strength = self.emit_derived(
                Inst::Binary(crate::ir::BinaryOp::Mul, strength, factor),
                origin,
            );
        }
        let op = crate::ir::SortArray {
            ranks: matches!(builtin, Builtin::SoftRank | Builtin::SoftRankKl),
            relaxation: Some((regularization, strength)),
        };
        let _ = self.emit(Inst::SortArray { op, input, output }, expr.span);
        Ok(output)
    }

    /// Keeps `value` in a fresh variable, for use after control flow.
    pub(super) fn spill(&mut self, value: InstId, span: Span) -> VarId {
        let ty = self.func.types[value].expect("spilled values are scalars");
        let var = self.temp("spill", VarType::Scalar(ty));
        let _ = self.emit_derived(Inst::Write { var, value }, Origin::Source(span));
        var
    }
}
