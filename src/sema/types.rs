//! Types: resolving written types, describing them for errors, and the one
//! implicit adaptation the language has (int literals where a real is
//! expected).
//!
//! Adaptation is syntactic: only an int literal, a negated int literal, an
//! array literal of those, or an `if`/block whose tails are those becomes
//! real. `let i = 1; i + 2.0` is an error, `1 + 2.0` is not.

use crate::syntax::ast::{ScalarKind, SizeExpr, SizeOp, TypeExpr, TypeExprKind, UnaryOp};

use super::error::{SemaError, SizeDesc, TypeDesc};
use super::tast::{Builtin, Scalar, Size, SizeVarId, SizeVarInfo, TBlock, TExpr, TExprKind, Type};

pub fn scalar(kind: ScalarKind) -> Scalar {
    match kind {
        ScalarKind::Real => Scalar::Real,
        ScalarKind::Int => Scalar::Int,
        ScalarKind::Bool => Scalar::Bool,
    }
}

/// Resolves a type in a context where every size name must already be a size
/// variable (result types, `let` annotations). Size arithmetic is allowed
/// and canonicalized (`n + n` is `2 * n`). Reports unbound names and
/// negative constant sizes; `None` if there were any.
pub fn resolve(
    ty: &TypeExpr,
    size_vars: &[SizeVarInfo],
    fn_name: &str,
    errors: &mut Vec<SemaError>,
) -> Option<Type> {
    match &ty.kind {
        TypeExprKind::Scalar(kind) => Some(Type::Scalar(scalar(*kind))),
        TypeExprKind::Array { elem, dims } => {
            let errors_before = errors.len();
            let mut sizes = Vec::with_capacity(dims.len());
            for dim in dims {
                let size = resolve_size(dim, size_vars, fn_name, errors);
                if let Some(Size::Const(value)) = size
                    && value < 0
                {
                    errors.push(SemaError::NegativeSize {
                        span: dim.span(),
                        value,
                    });
                }
                sizes.extend(size);
            }
            (errors.len() == errors_before).then(|| Type::Array {
                elem: scalar(*elem),
                dims: sizes,
            })
        }
    }
}

/// The canonical size of a written size expression; unbound names are
/// reported (all of them) and give `None`.
fn resolve_size(
    size: &SizeExpr,
    size_vars: &[SizeVarInfo],
    fn_name: &str,
    errors: &mut Vec<SemaError>,
) -> Option<Size> {
    match size {
        SizeExpr::Lit { value, .. } => Some(Size::Const(*value)),
        SizeExpr::Name(name) => match size_vars.iter().position(|var| var.name == name.name) {
            Some(index) => Some(Size::Var(SizeVarId(index as u32))),
            None => {
                errors.push(SemaError::UnboundSize {
                    span: name.span,
                    name: name.name.clone(),
                    fn_name: fn_name.to_string(),
                });
                None
            }
        },
        SizeExpr::Binary { op, lhs, rhs, .. } => {
            let lhs = resolve_size(lhs, size_vars, fn_name, errors);
            let rhs = resolve_size(rhs, size_vars, fn_name, errors);
            let (lhs, rhs) = (lhs?, rhs?);
            Some(match op {
                SizeOp::Add => lhs.add(&rhs),
                SizeOp::Sub => lhs.sub(&rhs),
                SizeOp::Mul => lhs.mul(&rhs),
            })
        }
    }
}

/// Resolves a parameter type, creating a size variable for each size name
/// seen for the first time (`param_index` is recorded as its binder).
/// Parameter sizes are names or literals: a parameter's shape binds its
/// sizes, and `real[n - 1]` could not bind `n`. Arithmetic is reported and
/// stands for size 0, so the signature stays usable for further checks.
pub fn resolve_param(
    ty: &TypeExpr,
    param_index: usize,
    size_vars: &mut Vec<SizeVarInfo>,
    fn_name: &str,
    errors: &mut Vec<SemaError>,
) -> Type {
    match &ty.kind {
        TypeExprKind::Scalar(kind) => Type::Scalar(scalar(*kind)),
        TypeExprKind::Array { elem, dims } => {
            let sizes = dims
                .iter()
                .enumerate()
                .map(|(dim_index, dim)| match dim {
                    SizeExpr::Lit { value, .. } => Size::Const(*value),
                    SizeExpr::Name(name) => {
                        let existing = size_vars.iter().position(|var| var.name == name.name);
                        let index = existing.unwrap_or_else(|| {
                            size_vars.push(SizeVarInfo {
                                name: name.name.clone(),
                                bound_by: (param_index, dim_index),
                                span: name.span,
                            });
                            size_vars.len() - 1
                        });
                        Size::Var(SizeVarId(index as u32))
                    }
                    SizeExpr::Binary { span, .. } => {
                        errors.push(SemaError::SizeArithmeticInParam {
                            span: *span,
                            fn_name: fn_name.to_string(),
                        });
                        // Its names still become size variables, so that
                        // their uses report nothing more.
                        declare_names(dim, param_index, dim_index, size_vars);
                        Size::Const(0)
                    }
                })
                .collect();
            Type::Array {
                elem: scalar(*elem),
                dims: sizes,
            }
        }
    }
}

/// Makes every size name in `size` a size variable if it is not one yet.
fn declare_names(
    size: &SizeExpr,
    param_index: usize,
    dim_index: usize,
    size_vars: &mut Vec<SizeVarInfo>,
) {
    match size {
        SizeExpr::Lit { .. } => {}
        SizeExpr::Name(name) => {
            if !size_vars.iter().any(|var| var.name == name.name) {
                size_vars.push(SizeVarInfo {
                    name: name.name.clone(),
                    bound_by: (param_index, dim_index),
                    span: name.span,
                });
            }
        }
        SizeExpr::Binary { lhs, rhs, .. } => {
            declare_names(lhs, param_index, dim_index, size_vars);
            declare_names(rhs, param_index, dim_index, size_vars);
        }
    }
}

/// Describes a type for an error, naming size variables.
pub fn describe(ty: &Type, size_vars: &[SizeVarInfo]) -> TypeDesc {
    match ty {
        Type::Scalar(scalar) => TypeDesc::Scalar(*scalar),
        Type::Unit => TypeDesc::Unit,
        Type::Array { elem, dims } => TypeDesc::Array {
            elem: *elem,
            dims: dims
                .iter()
                .map(|size| describe_size(size.clone(), size_vars))
                .collect(),
        },
    }
}

pub fn describe_size(size: Size, size_vars: &[SizeVarInfo]) -> SizeDesc {
    match size {
        Size::Const(value) => SizeDesc::Const(value),
        Size::Var(var) => SizeDesc::Named(size_var_name(var, size_vars)),
        Size::Poly(_) => SizeDesc::Expr(size.display(&|var| size_var_name(var, size_vars))),
    }
}

/// The name of a size variable (`#3` if it is not one of `size_vars`, which
/// would be a bug, but must not panic while reporting an error).
pub fn size_var_name(SizeVarId(index): SizeVarId, size_vars: &[SizeVarInfo]) -> String {
    size_vars
        .get(index as usize)
        .map_or_else(|| format!("#{index}"), |var| var.name.clone())
}

/// Whether two types differ only in their sizes.
pub fn same_shape_kind(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (
            Type::Array {
                elem: elem_a,
                dims: dims_a,
            },
            Type::Array {
                elem: elem_b,
                dims: dims_b,
            },
        ) => elem_a == elem_b && dims_a.len() == dims_b.len(),
        _ => false,
    }
}

/// Whether `expr` has type `target` or becomes it by turning int literals
/// into real literals.
pub fn can_adapt(expr: &TExpr, target: &Type) -> bool {
    if &expr.ty == target {
        return true;
    }
    match (&expr.kind, target) {
        (TExprKind::Int(_), &Type::REAL) => true,
        (TExprKind::Unary(UnaryOp::Neg, inner), &Type::REAL) => {
            matches!(inner.kind, TExprKind::Int(_))
        }
        (
            TExprKind::ArrayLit(elems),
            Type::Array {
                elem: Scalar::Real,
                dims,
            },
        ) => {
            matches!(&expr.ty, Type::Array { elem: Scalar::Int, dims: own } if own == dims)
                && elems.iter().all(|elem| can_adapt(elem, &Type::REAL))
        }
        (
            TExprKind::If {
                then_block,
                else_block: Some(else_block),
                ..
            },
            _,
        ) => can_adapt_block(then_block, target) && can_adapt_block(else_block, target),
        (TExprKind::Block(block), _) => can_adapt_block(block, target),
        (TExprKind::Attributed { expr: inner, .. }, _) => can_adapt(inner, target),
        // `fill(n, 0)` where a real array is expected.
        (
            TExprKind::Builtin {
                builtin: Builtin::Fill,
                args,
            },
            Type::Array {
                elem: Scalar::Real,
                dims,
            },
        ) => {
            matches!(&expr.ty, Type::Array { elem: Scalar::Int, dims: own } if own == dims)
                && matches!(args.as_slice(), [value] if can_adapt(value, &Type::REAL))
        }
        _ => false,
    }
}

pub fn can_adapt_block(block: &TBlock, target: &Type) -> bool {
    block
        .tail
        .as_ref()
        .is_some_and(|tail| can_adapt(tail, target))
}

/// Converts `expr` to `target`; call only when [`can_adapt`] holds.
pub fn adapt(mut expr: TExpr, target: &Type) -> TExpr {
    if &expr.ty == target {
        return expr;
    }
    expr.kind = match expr.kind {
        TExprKind::Int(value) => TExprKind::Real(value as f64),
        TExprKind::Unary(UnaryOp::Neg, inner) => {
            TExprKind::Unary(UnaryOp::Neg, Box::new(adapt(*inner, target)))
        }
        TExprKind::ArrayLit(elems) => TExprKind::ArrayLit(
            elems
                .into_iter()
                .map(|elem| adapt(elem, &Type::REAL))
                .collect(),
        ),
        TExprKind::If {
            cond,
            then_block,
            else_block,
        } => TExprKind::If {
            cond,
            then_block: adapt_block(then_block, target),
            else_block: else_block.map(|block| adapt_block(block, target)),
        },
        TExprKind::Block(block) => TExprKind::Block(adapt_block(block, target)),
        TExprKind::Attributed { attrs, expr: inner } => TExprKind::Attributed {
            attrs,
            expr: Box::new(adapt(*inner, target)),
        },
        TExprKind::Builtin {
            builtin: Builtin::Fill,
            args,
        } => TExprKind::Builtin {
            builtin: Builtin::Fill,
            args: args
                .into_iter()
                .map(|value| adapt(value, &Type::REAL))
                .collect(),
        },
        other => other,
    };
    expr.ty = target.clone();
    expr
}

pub fn adapt_block(mut block: TBlock, target: &Type) -> TBlock {
    block.tail = block.tail.map(|tail| Box::new(adapt(*tail, target)));
    block.ty = target.clone();
    block
}
