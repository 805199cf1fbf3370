//! Calls: builtins and user functions.
//!
//! A user call binds each size variable of the callee from the argument
//! types, in parameter order; a later argument that disagrees with an
//! earlier binding is a size mismatch pointing at that argument. The result
//! type is the callee's with its size variables replaced by the bound sizes.
//! Every resolved user call is recorded in the call graph, even if its
//! arguments fail, so recursion is found regardless of other errors.

use crate::syntax::ast;
use crate::syntax::span::Span;

use super::check::FnChecker;
use super::error::{MismatchSite, SemaError, SizeDesc, TypeDesc};
use super::scope::suggest;
use super::signatures::builtin_by_name;
use super::tast::{Builtin, FnId, Scalar, Size, SizeVarId, TExpr, TExprKind, Type};
use super::types::{adapt, can_adapt};

impl FnChecker<'_> {
    pub(super) fn check_call(
        &mut self,
        callee: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        if let Some(builtin) = builtin_by_name(&callee.name) {
            return self.check_builtin_call(builtin, callee, args, span);
        }
        let Some(fn_id) = self.signatures.lookup(&callee.name) else {
            let suggestion = suggest(&callee.name, self.signatures.callable_names());
            self.error(SemaError::UnknownFunction {
                span: callee.span,
                name: callee.name.clone(),
                suggestion,
            });
            // Still check the arguments, for their own errors.
            for arg in args {
                let _ = self.check_value(arg);
            }
            return None;
        };
        self.call_graph.add(self.fn_id, fn_id, span);
        let checked: Vec<Option<TExpr>> = args.iter().map(|arg| self.check_value(arg)).collect();
        let signature = self.signatures.get(fn_id);
        if args.len() != signature.params.len() {
            self.error(SemaError::WrongArity {
                span,
                callee: callee.name.clone(),
                expected: signature.params.len(),
                found: args.len(),
                definition: Some(signature.name_span),
                builtin: None,
            });
            return None;
        }
        let checked: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        self.check_user_call(fn_id, checked, span)
    }

    fn check_user_call(&mut self, fn_id: FnId, args: Vec<TExpr>, span: Span) -> Option<TExpr> {
        let signature = self.signatures.get(fn_id);
        let callee_name = signature.name.clone();
        // For each callee size variable: its value in the caller's terms and
        // the argument that bound it.
        let mut sizes: Vec<Option<(Size, Span)>> = vec![None; signature.size_vars.len()];
        let mut adapted_args = Vec::with_capacity(args.len());
        let mut ok = true;
        for (index, (arg, param)) in args.into_iter().zip(signature.params.clone()).enumerate() {
            let site = MismatchSite::Argument {
                callee: callee_name.clone(),
                index,
            };
            match self.bind_argument(fn_id, arg, &param, &mut sizes, site) {
                Some(arg) => adapted_args.push(arg),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let sizes: Vec<Size> = sizes
            .into_iter()
            .map(|bound| bound.map(|(size, _)| size))
            .collect::<Option<_>>()?;
        let ret = self.signatures.get(fn_id).ret.clone()?;
        Some(TExpr {
            kind: TExprKind::Call {
                callee: fn_id,
                args: adapted_args,
                sizes: sizes.clone(),
            },
            ty: substitute(&ret, &sizes),
            span,
        })
    }

    /// Checks one argument against its parameter type and binds the callee's
    /// size variables it determines.
    fn bind_argument(
        &mut self,
        fn_id: FnId,
        arg: TExpr,
        param: &Type,
        sizes: &mut [Option<(Size, Span)>],
        site: MismatchSite,
    ) -> Option<TExpr> {
        let Type::Array {
            elem: param_elem,
            dims: param_dims,
        } = param
        else {
            return self.expect_type(arg, param, site);
        };
        // An int array literal adapts to a real array parameter of any size.
        let arg = match &arg.ty {
            Type::Array { dims, .. } => {
                let target = Type::Array {
                    elem: *param_elem,
                    dims: dims.clone(),
                };
                if can_adapt(&arg, &target) {
                    adapt(arg, &target)
                } else {
                    arg
                }
            }
            _ => arg,
        };
        let arg_dims = match &arg.ty {
            Type::Array { elem, dims } if elem == param_elem && dims.len() == param_dims.len() => {
                dims.clone()
            }
            _ => {
                self.error(SemaError::TypeMismatch {
                    span: arg.span,
                    expected: self.describe_callee_type(fn_id, param, sizes),
                    found: self.describe(&arg.ty),
                    site,
                });
                return None;
            }
        };
        for (param_dim, arg_dim) in param_dims.iter().zip(&arg_dims) {
            let (consistent, bound_by) = match param_dim {
                Size::Const(_) => (param_dim == arg_dim, None),
                Size::Poly(_) => todo!("issue 3 scaffold"),
                Size::Var(SizeVarId(var)) => match sizes[*var as usize].clone() {
                    None => {
                        sizes[*var as usize] = Some((arg_dim.clone(), arg.span));
                        (true, None)
                    }
                    Some((bound, bound_span)) => {
                        let name = self.signatures.get(fn_id).size_vars[*var as usize]
                            .name
                            .clone();
                        (bound == *arg_dim, Some((name, bound_span)))
                    }
                },
            };
            if !consistent {
                self.error(SemaError::SizeMismatch {
                    span: arg.span,
                    expected: self.describe_callee_type(fn_id, param, sizes),
                    found: self.describe(&arg.ty),
                    site,
                    bound_by,
                });
                return None;
            }
        }
        Some(arg)
    }

    /// A callee parameter type in the caller's terms: bound size variables
    /// become the caller's sizes, unbound ones keep the callee's names.
    fn describe_callee_type(
        &self,
        fn_id: FnId,
        param: &Type,
        sizes: &[Option<(Size, Span)>],
    ) -> TypeDesc {
        match param {
            Type::Array { elem, dims } => TypeDesc::Array {
                elem: *elem,
                dims: dims
                    .iter()
                    .map(|dim| match dim {
                        Size::Const(value) => SizeDesc::Const(*value),
                        Size::Poly(_) => todo!("issue 3 scaffold"),
                        Size::Var(SizeVarId(var)) => match sizes[*var as usize].clone() {
                            Some((size, _)) => super::types::describe_size(size, &self.size_vars),
                            None => SizeDesc::Named(
                                self.signatures.get(fn_id).size_vars[*var as usize]
                                    .name
                                    .clone(),
                            ),
                        },
                    })
                    .collect(),
            },
            other => self.describe(other),
        }
    }

    fn check_builtin_call(
        &mut self,
        builtin: Builtin,
        callee: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        let checked: Vec<Option<TExpr>> = args.iter().map(|arg| self.check_value(arg)).collect();
        // Every builtin of the skeleton language takes one argument.
        if args.len() != 1 {
            self.error(SemaError::WrongArity {
                span,
                callee: callee.name.clone(),
                expected: 1,
                found: args.len(),
                definition: None,
                builtin: Some(builtin),
            });
            return None;
        }
        let arg = checked.into_iter().next().flatten()?;
        // The type the argument must have (after adapting int literals).
        let target = match (builtin, &arg.ty) {
            (Builtin::Sum, Type::Array { dims, .. }) => Some(Type::Array {
                elem: Scalar::Real,
                dims: dims.clone(),
            }),
            (Builtin::Exp | Builtin::Log | Builtin::Sqrt, _) => Some(Type::REAL),
            (Builtin::Len, Type::Array { .. }) => Some(arg.ty.clone()),
            (Builtin::Sum | Builtin::Len, _) => None,
            _ => todo!("issue 3 scaffold"),
        };
        let arg = match target {
            Some(target) if can_adapt(&arg, &target) => adapt(arg, &target),
            _ => {
                self.error(SemaError::BuiltinArgument {
                    span: arg.span,
                    builtin,
                    found: self.describe(&arg.ty),
                });
                return None;
            }
        };
        let ty = match builtin {
            Builtin::Len => Type::INT,
            Builtin::Sum | Builtin::Exp | Builtin::Log | Builtin::Sqrt => Type::REAL,
            _ => todo!("issue 3 scaffold"),
        };
        Some(TExpr {
            kind: TExprKind::Builtin {
                builtin,
                args: vec![arg],
            },
            ty,
            span,
        })
    }
}

/// The callee's type with its size variables replaced by `sizes`.
fn substitute(ty: &Type, sizes: &[Size]) -> Type {
    match ty {
        Type::Array { elem, dims } => Type::Array {
            elem: *elem,
            dims: dims
                .iter()
                .map(|dim| match dim {
                    Size::Var(SizeVarId(var)) => sizes[*var as usize].clone(),
                    Size::Const(_) => dim.clone(),
                    Size::Poly(_) => todo!("issue 3 scaffold"),
                })
                .collect(),
        },
        other => other.clone(),
    }
}
