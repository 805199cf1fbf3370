//! Static questions lowering asks about typed expressions before lowering
//! them.

use crate::sema::tast::{Builtin, TExpr, TExprKind, Type};
use crate::syntax::ast;

/// Whether lowering `expr` may emit control flow (and so end a segment).
/// Every array value other than a variable or a literal is built by loops.
pub(super) fn has_control(expr: &TExpr) -> bool {
    let is_array = matches!(expr.ty, Type::Array { .. });
    match &expr.kind {
        TExprKind::Real(_)
        | TExprKind::Int(_)
        | TExprKind::Bool(_)
        | TExprKind::Local(_)
        | TExprKind::SizeVar(_)
        | TExprKind::SizeValue(_) => false,
        TExprKind::If { .. }
        | TExprKind::Block(_)
        | TExprKind::Call { .. }
        | TExprKind::Comprehension { .. } => true,
        TExprKind::Attributed { expr, .. } => has_control(expr),
        TExprKind::Builtin { builtin, args } => {
            is_array || *builtin == Builtin::Sum || args.iter().any(has_control)
        }
        TExprKind::Unary(_, operand) => is_array || has_control(operand),
        TExprKind::Binary(op, lhs, rhs) => {
            is_array
                || has_control(lhs)
                || has_control(rhs)
                || (matches!(op, ast::BinaryOp::And | ast::BinaryOp::Or) && may_fault(rhs))
        }
        TExprKind::Index { base, indices } => has_control(base) || indices.iter().any(has_control),
        TExprKind::ArrayLit(elements) => elements.iter().any(has_control),
    }
}

/// Whether evaluating `expr` may raise a runtime error.
pub(super) fn may_fault(expr: &TExpr) -> bool {
    match &expr.kind {
        TExprKind::Real(_)
        | TExprKind::Int(_)
        | TExprKind::Bool(_)
        | TExprKind::Local(_)
        | TExprKind::SizeVar(_)
        | TExprKind::SizeValue(_) => false,
        TExprKind::Index { .. }
        | TExprKind::Call { .. }
        | TExprKind::If { .. }
        | TExprKind::Block(_)
        | TExprKind::Comprehension { .. } => true,
        TExprKind::Attributed { expr, .. } => may_fault(expr),
        TExprKind::Builtin { args, .. } => args.iter().any(may_fault),
        TExprKind::Unary(_, operand) => may_fault(operand),
        TExprKind::Binary(op, lhs, rhs) => {
            (matches!(op, ast::BinaryOp::Div | ast::BinaryOp::Rem) && lhs.ty == Type::INT)
                || may_fault(lhs)
                || may_fault(rhs)
        }
        TExprKind::ArrayLit(elements) => elements.iter().any(may_fault),
    }
}
