//! Unary and binary operators, including elementwise array arithmetic.
//!
//! On scalars both operands have one type (an int literal next to a real
//! becomes a real). `+ - * /` (and `%` on ints) also work elementwise: on two
//! arrays of one element type and one shape (sizes compared as canonical
//! polynomials), or on an array and a scalar of its element type, which is
//! broadcast. Unary `-` negates real and int arrays elementwise. Comparisons
//! and logic stay scalar.

use crate::syntax::ast::{self, BinaryOp, UnaryOp};
use crate::syntax::span::Span;

use super::check::FnChecker;
use super::error::SemaError;
use super::tast::{Scalar, TExpr, TExprKind, Type};
use super::types::{adapt, can_adapt};

/// The element type of a scalar or array type.
fn elem_of(ty: &Type) -> Option<Scalar> {
    match ty {
        Type::Scalar(scalar) => Some(*scalar),
        Type::Array { elem, .. } => Some(*elem),
        Type::Unit => None,
    }
}

/// `ty` with its element type replaced by `real`.
fn as_real(ty: &Type) -> Type {
    match ty {
        Type::Array { dims, .. } => Type::Array {
            elem: Scalar::Real,
            dims: dims.clone(),
        },
        _ => Type::REAL,
    }
}

fn is_arithmetic(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
    )
}

impl FnChecker<'_> {
    pub(super) fn check_unary(
        &mut self,
        op: UnaryOp,
        operand: &ast::Expr,
        span: Span,
    ) -> Option<TExpr> {
        let operand = self.check_value(operand)?;
        let ok = match op {
            UnaryOp::Neg => matches!(elem_of(&operand.ty), Some(Scalar::Real | Scalar::Int)),
            UnaryOp::Not => operand.ty == Type::BOOL,
        };
        if !ok {
            self.error(SemaError::UnaryOperand {
                span,
                op,
                found: self.describe(&operand.ty),
            });
            return None;
        }
        let ty = operand.ty.clone();
        Some(TExpr {
            kind: TExprKind::Unary(op, Box::new(operand)),
            ty,
            span,
        })
    }

    pub(super) fn check_binary(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Option<TExpr> {
        let lhs = self.check_value(lhs);
        let rhs = self.check_value(rhs);
        self.typed_binary(op, lhs?, rhs?, span)
    }

    /// Types `lhs op rhs` from checked operands. Also used for compound
    /// assignments to whole arrays (`y += x` is `y = y + x`).
    pub(super) fn typed_binary(
        &mut self,
        op: BinaryOp,
        mut lhs: TExpr,
        mut rhs: TExpr,
        span: Span,
    ) -> Option<TExpr> {
        // An int literal (or int array literal) next to a real operand is
        // real.
        let rhs_real = as_real(&rhs.ty);
        if elem_of(&lhs.ty) == Some(Scalar::Real) && can_adapt(&rhs, &rhs_real) {
            rhs = adapt(rhs, &rhs_real);
        }
        let lhs_real = as_real(&lhs.ty);
        if elem_of(&rhs.ty) == Some(Scalar::Real) && can_adapt(&lhs, &lhs_real) {
            lhs = adapt(lhs, &lhs_real);
        }
        let has_array = [&lhs, &rhs]
            .iter()
            .any(|operand| matches!(operand.ty, Type::Array { .. }));
        let result = if is_arithmetic(op) && has_array {
            self.elementwise_type(op, &lhs, &rhs, span)?
        } else {
            let Some(ty) = scalar_result(op, &lhs.ty, &rhs.ty) else {
                self.operand_error(op, &lhs, &rhs, span);
                return None;
            };
            ty
        };
        Some(TExpr {
            kind: TExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
            ty: result,
            span,
        })
    }

    /// The type of elementwise `lhs op rhs` where at least one side is an
    /// array.
    fn elementwise_type(
        &mut self,
        op: BinaryOp,
        lhs: &TExpr,
        rhs: &TExpr,
        span: Span,
    ) -> Option<Type> {
        let (Some(lhs_elem), Some(rhs_elem)) = (elem_of(&lhs.ty), elem_of(&rhs.ty)) else {
            self.operand_error(op, lhs, rhs, span);
            return None;
        };
        let elem_ok = |elem: Scalar| match op {
            BinaryOp::Rem => elem == Scalar::Int,
            _ => matches!(elem, Scalar::Real | Scalar::Int),
        };
        match (&lhs.ty, &rhs.ty) {
            (Type::Array { dims: lhs_dims, .. }, Type::Array { dims: rhs_dims, .. }) => {
                if lhs_elem != rhs_elem || !elem_ok(lhs_elem) {
                    self.operand_error(op, lhs, rhs, span);
                    return None;
                }
                if lhs_dims != rhs_dims {
                    self.error(SemaError::ElementwiseShape {
                        span,
                        op,
                        lhs: self.describe(&lhs.ty),
                        lhs_span: lhs.span,
                        rhs: self.describe(&rhs.ty),
                        rhs_span: rhs.span,
                    });
                    return None;
                }
                Some(lhs.ty.clone())
            }
            _ => {
                let (array, scalar) = if matches!(lhs.ty, Type::Array { .. }) {
                    (lhs, rhs)
                } else {
                    (rhs, lhs)
                };
                let elem = elem_of(&array.ty)?;
                if !elem_ok(elem) {
                    self.operand_error(op, lhs, rhs, span);
                    return None;
                }
                if scalar.ty != Type::Scalar(elem) {
                    self.error(SemaError::BroadcastElement {
                        span,
                        op,
                        array: self.describe(&array.ty),
                        array_span: array.span,
                        scalar: self.describe(&scalar.ty),
                        scalar_span: scalar.span,
                    });
                    return None;
                }
                Some(array.ty.clone())
            }
        }
    }

    fn operand_error(&mut self, op: BinaryOp, lhs: &TExpr, rhs: &TExpr, span: Span) {
        self.error(SemaError::BinaryOperands {
            span,
            op,
            lhs: self.describe(&lhs.ty),
            lhs_span: lhs.span,
            rhs: self.describe(&rhs.ty),
            rhs_span: rhs.span,
        });
    }
}

/// The result type of `op` on two scalars, if the operands suit it.
fn scalar_result(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<Type> {
    let same = lhs == rhs;
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
            (same && matches!(lhs, &Type::REAL | &Type::INT)).then(|| lhs.clone())
        }
        BinaryOp::Rem => (same && *lhs == Type::INT).then_some(Type::INT),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            (same && matches!(lhs, &Type::REAL | &Type::INT)).then_some(Type::BOOL)
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            (same && matches!(lhs, Type::Scalar(_))).then_some(Type::BOOL)
        }
        BinaryOp::And | BinaryOp::Or => (same && *lhs == Type::BOOL).then_some(Type::BOOL),
    }
}
