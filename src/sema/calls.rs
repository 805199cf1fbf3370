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
use super::error::{MismatchSite, SemaError, TypeDesc};
use super::scope::suggest;
use super::signatures::builtin_by_name;
use super::tast::{FnId, Size, SizeVarId, TExpr, TExprKind, Type};
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
        let overloads = self.signatures.overloads(&callee.name).to_vec();
        let [fn_id] = overloads.as_slice() else {
            if overloads.is_empty() {
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
            }
            return self.check_overloaded_call(callee, &overloads, args, span);
        };
        let fn_id = *fn_id;
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

    /// A call of a name with several overloads: the one whose parameters
    /// match the arguments with the fewest int-literal adaptations wins;
    /// no match or a tie is an error listing the candidates.
    fn check_overloaded_call(
        &mut self,
        callee: &ast::Ident,
        overloads: &[FnId],
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        let checked: Vec<Option<TExpr>> = args.iter().map(|arg| self.check_value(arg)).collect();
        let same_arity: Vec<FnId> = overloads
            .iter()
            .copied()
            .filter(|id| self.signatures.get(*id).params.len() == args.len())
            .collect();
        let Some(checked) = checked.into_iter().collect::<Option<Vec<TExpr>>>() else {
            // The arguments already failed; if the arity alone decides the
            // overload, record the call so recursion is still found.
            if let [only] = same_arity.as_slice() {
                self.call_graph.add(self.fn_id, *only, span);
            }
            return None;
        };
        let costs: Vec<(FnId, usize)> = same_arity
            .iter()
            .filter_map(|id| {
                match_cost(&self.signatures.get(*id).params, &checked).map(|cost| (*id, cost))
            })
            .collect();
        let best = costs.iter().map(|(_, cost)| *cost).min();
        let winners: Vec<FnId> = costs
            .iter()
            .filter(|(_, cost)| Some(*cost) == best)
            .map(|(id, _)| *id)
            .collect();
        match winners.as_slice() {
            [winner] => {
                self.call_graph.add(self.fn_id, *winner, span);
                self.check_user_call(*winner, checked, span)
            }
            [] => {
                self.error(SemaError::NoMatchingOverload {
                    span,
                    name: callee.name.clone(),
                    args: checked.iter().map(|arg| self.describe(&arg.ty)).collect(),
                    candidates: overloads
                        .iter()
                        .map(|id| self.signatures.get(*id).candidate())
                        .collect(),
                });
                None
            }
            _ => {
                self.error(SemaError::AmbiguousCall {
                    span,
                    name: callee.name.clone(),
                    args: checked.iter().map(|arg| self.describe(&arg.ty)).collect(),
                    candidates: winners
                        .iter()
                        .map(|id| self.signatures.get(*id).candidate())
                        .collect(),
                });
                None
            }
        }
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
                // Parameter types never hold size arithmetic (sema rejects
                // it), but a polynomial is checked once all its variables
                // are bound, like a constant.
                Size::Poly(poly) => {
                    let bound: Option<Vec<Size>> = sizes
                        .iter()
                        .map(|size| size.as_ref().map(|(size, _)| size.clone()))
                        .collect();
                    let all_bound = poly
                        .terms
                        .iter()
                        .flat_map(|(monomial, _)| monomial)
                        .all(|SizeVarId(var)| sizes[*var as usize].is_some());
                    match bound {
                        _ if !all_bound => (true, None),
                        Some(bound) => (substitute_size(param_dim, &bound) == *arg_dim, None),
                        None => {
                            let expected = param_dim.substitute(&|SizeVarId(var)| {
                                sizes[var as usize]
                                    .as_ref()
                                    .map_or(Size::Const(0), |(size, _)| size.clone())
                            });
                            (expected == *arg_dim, None)
                        }
                    }
                }
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
                    .map(|dim| {
                        let callee_vars = &self.signatures.get(fn_id).size_vars;
                        let bound: Option<Vec<Size>> = dim
                            .to_poly()
                            .terms
                            .iter()
                            .flat_map(|(monomial, _)| monomial)
                            .map(|SizeVarId(var)| {
                                sizes[*var as usize].as_ref().map(|(size, _)| size.clone())
                            })
                            .collect();
                        match bound {
                            // Every variable bound: the size in the caller's terms.
                            Some(_) => {
                                let in_caller = dim.substitute(&|SizeVarId(var)| {
                                    sizes[var as usize]
                                        .as_ref()
                                        .map_or(Size::Const(0), |(size, _)| size.clone())
                                });
                                super::types::describe_size(in_caller, &self.size_vars)
                            }
                            None => super::types::describe_size(dim.clone(), callee_vars),
                        }
                    })
                    .collect(),
            },
            other => self.describe(other),
        }
    }
}

/// The callee's type with its size variables replaced by `sizes`.
fn substitute(ty: &Type, sizes: &[Size]) -> Type {
    match ty {
        Type::Array { elem, dims } => Type::Array {
            elem: *elem,
            dims: dims.iter().map(|dim| substitute_size(dim, sizes)).collect(),
        },
        other => other.clone(),
    }
}

/// A callee size in the caller's terms (`n - 1` with `n := 2 * m` is
/// `2 * m - 1`).
fn substitute_size(size: &Size, sizes: &[Size]) -> Size {
    size.substitute(&|SizeVarId(var)| sizes.get(var as usize).cloned().unwrap_or(Size::Const(0)))
}

/// How well checked arguments fit a parameter list: `None` if some argument
/// has the wrong scalar kind or rank, else the number of arguments that
/// need int literals read as reals. Sizes do not take part.
fn match_cost(params: &[Type], args: &[TExpr]) -> Option<usize> {
    let mut cost = 0;
    for (param, arg) in params.iter().zip(args) {
        let target = match (param, &arg.ty) {
            (Type::Array { elem, dims }, Type::Array { dims: arg_dims, .. })
                if dims.len() == arg_dims.len() =>
            {
                Type::Array {
                    elem: *elem,
                    dims: arg_dims.clone(),
                }
            }
            (Type::Array { .. }, _) => return None,
            _ => param.clone(),
        };
        if arg.ty == target {
            continue;
        }
        if can_adapt(arg, &target) {
            cost += 1;
        } else {
            return None;
        }
    }
    Some(cost)
}
