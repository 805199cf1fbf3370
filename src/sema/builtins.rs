//! Calls of builtins, and size expressions in value position.
//!
//! | builtin | arguments | result |
//! | --- | --- | --- |
//! | `exp log sqrt sin cos tanh sigmoid softplus` | `real` or a real array | the argument's type (elementwise) |
//! | `pow` | `real, real` | `real` |
//! | `floor ceil round` | `real` | `int` |
//! | `real` | `int` | `real` |
//! | `argmax argmin` | `real[n]` | `int` |
//! | `sum` | a real array of any rank | `real` |
//! | `len` | an array, and optionally a dimension (int literal) | `int`, as [`TExprKind::SizeValue`] |
//! | `zeros` | sizes | `real[sizes]`, no arguments kept |
//! | `fill` | sizes, then a scalar `v` | `T[sizes]` with `T` the type of `v`; `v` is the one argument kept |
//!
//! A *size expression* is a size name, an int literal, `len(..)`, or `+ - *`
//! of those; it has a canonical [`Size`]. Comprehension bounds and the
//! dimensions of `zeros` and `fill` must be size expressions, so the shape
//! of the result is known at compile time in terms of the function's sizes.

use crate::syntax::ast::{self, BinaryOp, ExprKind};
use crate::syntax::span::Span;

use super::check::FnChecker;
use super::error::{SemaError, SizeSite};
use super::tast::{Builtin, Scalar, Size, SizeVarId, TExpr, TExprKind, Type};
use super::types::{adapt, can_adapt};

/// The argument counts a builtin accepts: `(fewest, most)`.
fn arity(builtin: Builtin) -> (usize, usize) {
    match builtin {
        Builtin::Pow => (2, 2),
        Builtin::Len => (1, 2),
        Builtin::Zeros => (1, usize::MAX),
        Builtin::Fill => (2, usize::MAX),
        Builtin::SoftSort
        | Builtin::SoftRank
        | Builtin::SoftSortKl
        | Builtin::SoftRankKl
        | Builtin::Argmax
        | Builtin::Argmin => (1, 1),
        Builtin::Sum
        | Builtin::Exp
        | Builtin::Log
        | Builtin::Sqrt
        | Builtin::Sin
        | Builtin::Cos
        | Builtin::Tanh
        | Builtin::Sigmoid
        | Builtin::Softplus
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Round
        | Builtin::Real => (1, 1),
    }
}

impl FnChecker<'_> {
    pub(super) fn check_builtin_call(
        &mut self,
        builtin: Builtin,
        callee: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        let (fewest, most) = arity(builtin);
        if args.len() < fewest || args.len() > most {
            for arg in args {
                let _ = self.check_value(arg);
            }
            self.error(SemaError::WrongArity {
                span,
                callee: callee.name.clone(),
                expected: if args.len() < fewest { fewest } else { most },
                found: args.len(),
                definition: None,
                builtin: Some(builtin),
            });
            return None;
        }
        match builtin {
            Builtin::Zeros => {
                let dims = self.dimensions(builtin, args)?;
                Some(TExpr {
                    kind: TExprKind::Builtin {
                        builtin,
                        args: Vec::new(),
                    },
                    ty: Type::Array {
                        elem: Scalar::Real,
                        dims,
                    },
                    span,
                })
            }
            Builtin::Fill => {
                let (value, sizes) = args.split_last()?;
                let dims = self.dimensions(builtin, sizes);
                let value = self.check_value(value);
                let (dims, value) = (dims?, value?);
                let Type::Scalar(elem) = value.ty else {
                    self.builtin_argument(builtin, &value);
                    return None;
                };
                Some(TExpr {
                    kind: TExprKind::Builtin {
                        builtin,
                        args: vec![value],
                    },
                    ty: Type::Array { elem, dims },
                    span,
                })
            }
            Builtin::Len => self.check_len(args, span),
            _ => self.check_value_builtin(builtin, args, span),
        }
    }

    /// Builtins whose arguments are all values: math, `pow`, rounding,
    /// `real` and `sum`.
    fn check_value_builtin(
        &mut self,
        builtin: Builtin,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        let checked: Vec<Option<TExpr>> = args.iter().map(|arg| self.check_value(arg)).collect();
        let checked: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let mut adapted = Vec::with_capacity(checked.len());
        for arg in checked {
            // The type the argument must have (after adapting int literals).
            let target = match (builtin, &arg.ty) {
                (Builtin::Sum, Type::Array { dims, .. }) => Some(Type::Array {
                    elem: Scalar::Real,
                    dims: dims.clone(),
                }),
                (math, Type::Array { dims, .. }) if math.is_elementwise_math() => {
                    Some(Type::Array {
                        elem: Scalar::Real,
                        dims: dims.clone(),
                    })
                }
                (Builtin::Pow | Builtin::Floor | Builtin::Ceil | Builtin::Round, _) => {
                    Some(Type::REAL)
                }
                (math, _) if math.is_elementwise_math() => Some(Type::REAL),
                (Builtin::Real, _) => Some(Type::INT),
                (
                    Builtin::SoftSort
                    | Builtin::SoftRank
                    | Builtin::SoftSortKl
                    | Builtin::SoftRankKl,
                    Type::Array { dims, .. },
                ) if dims.len() == 1 => Some(Type::Array {
                    elem: Scalar::Real,
                    dims: dims.clone(),
                }),
                (Builtin::Argmax | Builtin::Argmin, Type::Array { dims, .. })
                    if dims.len() == 1 =>
                {
                    Some(Type::Array {
                        elem: Scalar::Real,
                        dims: dims.clone(),
                    })
                }
                _ => None,
            };
            match target {
                Some(target) if can_adapt(&arg, &target) => adapted.push(adapt(arg, &target)),
                _ => {
                    self.builtin_argument(builtin, &arg);
                    return None;
                }
            }
        }
        let ty = match builtin {
            Builtin::Floor | Builtin::Ceil | Builtin::Round | Builtin::Argmax | Builtin::Argmin => {
                Type::INT
            }
            Builtin::Sum | Builtin::Pow | Builtin::Real => Type::REAL,
            // Elementwise math keeps the argument's type.
            _ => adapted.first().map_or(Type::REAL, |arg| arg.ty.clone()),
        };
        Some(TExpr {
            kind: TExprKind::Builtin {
                builtin,
                args: adapted,
            },
            ty,
            span,
        })
    }

    fn builtin_argument(&mut self, builtin: Builtin, arg: &TExpr) {
        self.error(SemaError::BuiltinArgument {
            span: arg.span,
            builtin,
            found: self.describe(&arg.ty),
        });
    }

    /// `len(a)` and `len(a, d)`: the size of dimension `d` (default 0) of
    /// `a`'s type.
    fn check_len(&mut self, args: &[ast::Expr], span: Span) -> Option<TExpr> {
        let array = self.check_value(&args[0])?;
        let Type::Array { dims, .. } = &array.ty else {
            self.builtin_argument(Builtin::Len, &array);
            return None;
        };
        let dim = match args.get(1) {
            None => Some(0),
            Some(ast::Expr {
                kind: ExprKind::Int(value),
                ..
            }) => Some(*value),
            Some(_) => None,
        };
        let size = dim
            .and_then(|dim| usize::try_from(dim).ok())
            .and_then(|dim| dims.get(dim));
        let Some(size) = size else {
            self.error(SemaError::LenDimension {
                span: args.get(1).map_or(span, |dim| dim.span),
                array: self.describe(&array.ty),
                found: dim,
            });
            return None;
        };
        Some(TExpr {
            kind: TExprKind::SizeValue(size.clone()),
            ty: Type::INT,
            span,
        })
    }

    /// The size arguments of `zeros`/`fill`, every one checked.
    fn dimensions(&mut self, builtin: Builtin, args: &[ast::Expr]) -> Option<Vec<Size>> {
        let sizes: Vec<Option<Size>> = args
            .iter()
            .map(|arg| {
                let size = self.size_of(arg, SizeSite::BuiltinDimension(builtin))?;
                if let Size::Const(value) = size
                    && value < 0
                {
                    self.error(SemaError::NegativeSize {
                        span: arg.span,
                        value,
                    });
                    return None;
                }
                Some(size)
            })
            .collect();
        sizes.into_iter().collect()
    }

    /// The size a size expression denotes, or an error saying why `expr` is
    /// not one.
    pub(super) fn size_of(&mut self, expr: &ast::Expr, site: SizeSite) -> Option<Size> {
        match &expr.kind {
            ExprKind::Int(value) => Some(Size::Const(*value)),
            ExprKind::Var(name) => {
                if self.scopes.lookup(&name.name).is_some() {
                    // A local (even an int one) is a run-time value.
                    self.error(SemaError::NotASize {
                        span: expr.span,
                        site,
                        variable: Some(name.name.clone()),
                    });
                    return None;
                }
                match self.size_vars.iter().position(|var| var.name == name.name) {
                    Some(index) => Some(Size::Var(SizeVarId(index as u32))),
                    None => {
                        self.unknown_variable(name);
                        None
                    }
                }
            }
            ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul), lhs, rhs) => {
                let lhs = self.size_of(lhs, site);
                let rhs = self.size_of(rhs, site);
                let (lhs, rhs) = (lhs?, rhs?);
                Some(match op {
                    BinaryOp::Add => lhs.add(&rhs),
                    BinaryOp::Sub => lhs.sub(&rhs),
                    _ => lhs.mul(&rhs),
                })
            }
            ExprKind::Call { callee, .. } if callee.name == Builtin::Len.name() => {
                let checked = self.check_value(expr)?;
                match checked.kind {
                    TExprKind::SizeValue(size) => Some(size),
                    _ => None,
                }
            }
            _ => {
                self.error(SemaError::NotASize {
                    span: expr.span,
                    site,
                    variable: None,
                });
                None
            }
        }
    }
}
