//! Checking one function body: statements, blocks and expressions.
//!
//! Every `check_*` method returns `None` when the construct is in error; the
//! error has then already been pushed, and callers stay silent about it so a
//! mistake is reported once. Locals whose type could not be determined are
//! "poisoned": they stay in scope (no follow-up "unknown variable"), and
//! their uses fail silently.

use std::collections::HashSet;

use crate::syntax::ast::{self, AssignOp, BinaryOp, ExprKind, StmtKind};
use crate::syntax::span::Span;

use super::attributes::{self, AttrPlace};
use super::error::{ConditionSite, MismatchSite, SemaError, SizeSite, TypeDesc, ValueDiscardSite};
use super::recursion::CallGraph;
use super::scope::{Scopes, suggest};
use super::signatures::{Signatures, builtin_by_name};
use super::tast::{
    FnId, LocalId, LocalInfo, LocalKind, Size, SizeVarId, SizeVarInfo, TBlock, TExpr, TExprKind,
    TFn, TStmt, TStmtKind, Type,
};
use super::types::{self, adapt, adapt_block, can_adapt};

pub struct FnChecker<'a> {
    pub(super) signatures: &'a Signatures,
    /// The function being checked.
    pub(super) fn_id: FnId,
    pub(super) errors: &'a mut Vec<SemaError>,
    pub(super) call_graph: &'a mut CallGraph,
    /// This function's size variables (from its signature).
    pub(super) size_vars: Vec<SizeVarInfo>,
    pub(super) locals: Vec<LocalInfo>,
    /// Locals whose type is unknown because their initializer failed.
    poisoned: HashSet<LocalId>,
    pub(super) scopes: Scopes,
    /// How many expressions and blocks enclose the one being checked; the
    /// checker recurses on the syntax tree, so this bounds its stack use.
    depth: usize,
    /// Whether `NestingTooDeep` was reported already for this function.
    reported_too_deep: bool,
}

/// The deepest nesting of expressions and blocks the checker accepts. Each
/// level costs a few kilobytes of stack in debug builds; 128 levels stay well
/// inside a 2 MiB thread stack.
pub const MAX_NESTING: usize = 128;

impl<'a> FnChecker<'a> {
    pub fn new(
        signatures: &'a Signatures,
        fn_id: FnId,
        errors: &'a mut Vec<SemaError>,
        call_graph: &'a mut CallGraph,
    ) -> FnChecker<'a> {
        FnChecker {
            size_vars: signatures.get(fn_id).size_vars.clone(),
            signatures,
            fn_id,
            errors,
            call_graph,
            locals: Vec::new(),
            poisoned: HashSet::new(),
            scopes: Scopes::default(),
            depth: 0,
            reported_too_deep: false,
        }
    }

    pub(super) fn error(&mut self, error: SemaError) {
        self.errors.push(error);
    }

    pub(super) fn describe(&self, ty: &Type) -> TypeDesc {
        types::describe(ty, &self.size_vars)
    }

    /// Checks the whole function; `None` if anything in it failed.
    pub fn check_fn(mut self, def: &ast::FnDef) -> Option<TFn> {
        let errors_before = self.errors.len();
        let signature = self.signatures.get(self.fn_id);
        self.scopes.push();
        let mut params = Vec::with_capacity(def.params.len());
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for (param, ty) in def.params.iter().zip(&signature.params) {
            if let Some((_, first)) = seen.iter().find(|(name, _)| *name == param.name.name) {
                self.error(SemaError::DuplicateParam {
                    span: param.name.span,
                    name: param.name.name.clone(),
                    first: *first,
                });
                continue;
            }
            seen.push((&param.name.name, param.name.span));
            let local = self.new_local(&param.name, ty.clone(), false, LocalKind::Param);
            params.push(local);
        }
        let ret = signature.ret.clone();
        let body = self.check_block(&def.body);
        self.scopes.pop();

        let body = match (body, &ret) {
            (Some(body), Some(ret)) => self.check_fn_result(def, body, ret),
            _ => None,
        };
        let (body, ret) = (body?, ret?);
        if self.errors.len() > errors_before {
            return None;
        }
        Some(TFn {
            name: def.name.name.clone(),
            params,
            ret,
            body,
            locals: self.locals,
            size_vars: self.size_vars,
            docs: def.docs.clone(),
            span: def.span,
            name_span: def.name.span,
            ret_span: def.ret.span,
            origin: signature.origin.clone(),
        })
    }

    /// The body's tail must exist and have the result type.
    fn check_fn_result(
        &mut self,
        def: &ast::FnDef,
        mut body: TBlock,
        ret: &Type,
    ) -> Option<TBlock> {
        let site = MismatchSite::FnResult {
            fn_name: def.name.name.clone(),
            ret_span: def.ret.span,
        };
        let Some(tail) = body.tail.take() else {
            let trailing_semicolon = match body.stmts.last() {
                Some(TStmt {
                    kind: TStmtKind::Expr(expr),
                    span,
                }) if span.end > expr.span.end && can_adapt(expr, ret) => {
                    Some(Span::new(span.file, span.end - 1, span.end))
                }
                _ => None,
            };
            let end = def.body.span.end;
            self.error(SemaError::MissingTail {
                fn_name: def.name.name.clone(),
                body_end: Span::new(def.body.span.file, end.saturating_sub(1), end),
                ret: self.describe(ret),
                ret_span: def.ret.span,
                trailing_semicolon,
            });
            return None;
        };
        let tail = self.expect_type(*tail, ret, site)?;
        body.ty = tail.ty.clone();
        body.tail = Some(Box::new(tail));
        Some(body)
    }

    fn new_local(
        &mut self,
        name: &ast::Ident,
        ty: Type,
        mutable: bool,
        kind: LocalKind,
    ) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(LocalInfo {
            name: name.name.clone(),
            ty,
            mutable,
            kind,
            span: name.span,
        });
        self.scopes.bind(&name.name, id);
        id
    }

    /// Binds a local whose type is unknown (its initializer failed).
    fn new_poisoned_local(&mut self, name: &ast::Ident, mutable: bool) {
        let id = self.new_local(name, Type::Unit, mutable, LocalKind::Let);
        let _ = self.poisoned.insert(id);
    }

    // ------------------------------------------------------------ blocks and statements

    /// Runs `check` one nesting level deeper, or reports `NestingTooDeep`.
    fn nested<T>(&mut self, span: Span, check: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_NESTING {
            if !self.reported_too_deep {
                self.reported_too_deep = true;
                self.error(SemaError::NestingTooDeep {
                    span,
                    limit: MAX_NESTING,
                });
            }
            return None;
        }
        self.depth += 1;
        let result = check(self);
        self.depth -= 1;
        result
    }

    pub(super) fn check_block(&mut self, block: &ast::Block) -> Option<TBlock> {
        self.nested(block.span, |checker| checker.check_block_inner(block))
    }

    fn check_block_inner(&mut self, block: &ast::Block) -> Option<TBlock> {
        self.scopes.push();
        let mut stmts = Vec::with_capacity(block.stmts.len());
        let mut ok = true;
        for stmt in &block.stmts {
            match self.check_stmt(stmt) {
                Some(stmt) => stmts.push(stmt),
                None => ok = false,
            }
        }
        let tail = match &block.tail {
            Some(tail) => match self.check_expr(tail) {
                Some(tail) => Some(Box::new(tail)),
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        self.scopes.pop();
        if !ok {
            return None;
        }
        let ty = tail.as_ref().map_or(Type::Unit, |tail| tail.ty.clone());
        Some(TBlock {
            stmts,
            tail,
            ty,
            span: block.span,
        })
    }

    fn check_stmt(&mut self, stmt: &ast::Stmt) -> Option<TStmt> {
        let kind = match &stmt.kind {
            StmtKind::Let {
                name,
                mutable,
                ty,
                init,
            } => self.check_let(name, *mutable, ty.as_ref(), init),
            StmtKind::Assign { target, op, value } => self.check_assign(target, *op, value),
            StmtKind::For { var, lo, hi, body } => self.check_for(var, lo, hi, body),
            StmtKind::While { cond, body } => self.check_while(cond, body, None),
            StmtKind::Expr(expr) => self.check_expr(expr).map(TStmtKind::Expr),
            StmtKind::Attributed { attrs, stmt } => self.check_attributed_stmt(attrs, stmt),
        }?;
        Some(TStmt {
            kind,
            span: stmt.span,
        })
    }

    fn check_let(
        &mut self,
        name: &ast::Ident,
        mutable: bool,
        ty: Option<&ast::TypeExpr>,
        init: &ast::Expr,
    ) -> Option<TStmtKind> {
        let signatures = self.signatures;
        let fn_name = &signatures.get(self.fn_id).name;
        let declared = ty.map(|ty| types::resolve(ty, &self.size_vars, fn_name, self.errors));
        // The initializer is checked before the name is bound: in
        // `let x = x + 1`, the right side refers to the outer `x`.
        let init = self.check_value(init);
        let init = match (&declared, init) {
            (Some(Some(ty)), Some(init)) => self.expect_type(init, ty, MismatchSite::LetInit),
            (_, init) => init,
        };
        let local_ty = match (&declared, &init) {
            (Some(Some(ty)), _) => Some(ty.clone()),
            (None, Some(init)) => Some(init.ty.clone()),
            _ => None,
        };
        match (local_ty, init) {
            (Some(ty), Some(init)) => {
                let local = self.new_local(name, ty, mutable, LocalKind::Let);
                Some(TStmtKind::Let { local, init })
            }
            (Some(ty), None) => {
                let _ = self.new_local(name, ty, mutable, LocalKind::Let);
                None
            }
            (None, _) => {
                self.new_poisoned_local(name, mutable);
                None
            }
        }
    }

    fn check_assign(
        &mut self,
        target: &ast::Place,
        op: AssignOp,
        value: &ast::Expr,
    ) -> Option<TStmtKind> {
        let local = self.lookup_local(&target.name);
        let indices: Vec<Option<TExpr>> = target
            .indices
            .iter()
            .map(|index| self.check_value(index))
            .collect();
        let value = self.check_value(value);
        let local = local?;
        let info = self.locals[local.0 as usize].clone();
        if !info.mutable {
            self.error(SemaError::AssignToImmutable {
                span: target.span,
                name: info.name.clone(),
                kind: info.kind,
                binding: info.span,
            });
            return None;
        }
        let indices: Vec<TExpr> = indices.into_iter().collect::<Option<_>>()?;
        let target_ty = if indices.is_empty() {
            info.ty.clone()
        } else {
            self.index_result(&info.ty, target.name.span, &indices, target.span)?
        };
        let value = value?;
        let value = if op == AssignOp::Set {
            self.expect_type(value, &target_ty, MismatchSite::Assign)?
        } else {
            let binary_op = match op {
                AssignOp::Add | AssignOp::Set => BinaryOp::Add,
                AssignOp::Sub => BinaryOp::Sub,
                AssignOp::Mul => BinaryOp::Mul,
                AssignOp::Div => BinaryOp::Div,
            };
            if matches!(target_ty, Type::Array { .. }) {
                // `y += x` on a whole array is `y = y + x`, elementwise.
                let current = TExpr {
                    kind: TExprKind::Local(local),
                    ty: target_ty.clone(),
                    span: target.span,
                };
                let span = target.span.merge(value.span);
                let combined = self.typed_binary(binary_op, current, value, span)?;
                let value = self.expect_type(combined, &target_ty, MismatchSite::Assign)?;
                return Some(TStmtKind::Assign {
                    local,
                    indices,
                    op: AssignOp::Set,
                    value,
                });
            }
            if !matches!(target_ty, Type::REAL | Type::INT) {
                self.error(SemaError::BinaryOperands {
                    span: target.span.merge(value.span),
                    op: binary_op,
                    lhs: self.describe(&target_ty),
                    lhs_span: target.span,
                    rhs: self.describe(&value.ty),
                    rhs_span: value.span,
                });
                return None;
            }
            self.expect_type(value, &target_ty, MismatchSite::Assign)?
        };
        Some(TStmtKind::Assign {
            local,
            indices,
            op,
            value,
        })
    }

    fn check_for(
        &mut self,
        var: &ast::Ident,
        lo: &ast::Expr,
        hi: &ast::Expr,
        body: &ast::Block,
    ) -> Option<TStmtKind> {
        let lo = self
            .check_value(lo)
            .and_then(|lo| self.expect_type(lo, &Type::INT, MismatchSite::LoopBound));
        let hi = self
            .check_value(hi)
            .and_then(|hi| self.expect_type(hi, &Type::INT, MismatchSite::LoopBound));
        self.scopes.push();
        let var = self.new_local(var, Type::INT, false, LocalKind::LoopVar);
        let body = self.check_block(body);
        self.scopes.pop();
        let body = body?;
        self.no_discarded_value(&body, ValueDiscardSite::ForBody)?;
        Some(TStmtKind::For {
            var,
            lo: Box::new(lo?),
            hi: Box::new(hi?),
            body,
        })
    }

    /// `while cond { body }`; `bound` comes from a `#[bound(N)]` before it.
    fn check_while(
        &mut self,
        cond: &ast::Expr,
        body: &ast::Block,
        bound: Option<u64>,
    ) -> Option<TStmtKind> {
        let cond = self.check_condition(cond, ConditionSite::While);
        let body = self.check_block(body);
        let body = body?;
        self.no_discarded_value(&body, ValueDiscardSite::WhileBody)?;
        Some(TStmtKind::While {
            cond: Box::new(cond?),
            body,
            bound,
        })
    }

    /// `#[attrs] stmt`: a `#[bound(N)]` goes into the `while` it stands
    /// before; the other attributes wrap the statement.
    fn check_attributed_stmt(
        &mut self,
        attrs: &[ast::Attribute],
        stmt: &ast::Stmt,
    ) -> Option<TStmtKind> {
        let place = match &stmt.kind {
            StmtKind::While { .. } => AttrPlace::While,
            StmtKind::For { .. } => AttrPlace::Stmt("a `for` loop"),
            StmtKind::Let { .. } => AttrPlace::Stmt("a `let` statement"),
            StmtKind::Assign { .. } => AttrPlace::Stmt("an assignment"),
            StmtKind::Expr(_) | StmtKind::Attributed { .. } => AttrPlace::Stmt("a statement"),
        };
        let attrs = attributes::validate(attrs, place, self.errors);
        let mut inner = match &stmt.kind {
            StmtKind::While { cond, body } => {
                let bound = attrs.as_ref().and_then(|attrs| attrs.bound);
                self.check_while(cond, body, bound)
            }
            _ => self.check_stmt(stmt).map(|checked| checked.kind),
        };
        let mut attrs = attrs?;
        attrs.bound = None;
        if attrs.is_empty() {
            return inner;
        }
        let kind = inner.take()?;
        Some(TStmtKind::Attributed {
            attrs,
            stmt: Box::new(TStmt {
                kind,
                span: stmt.span,
            }),
        })
    }

    /// A condition of an `if` or `while`: a `bool`.
    fn check_condition(&mut self, cond: &ast::Expr, site: ConditionSite) -> Option<TExpr> {
        let cond = self.check_value(cond)?;
        if cond.ty == Type::BOOL {
            return Some(cond);
        }
        self.error(SemaError::ConditionNotBool {
            span: cond.span,
            found: self.describe(&cond.ty),
            site,
        });
        None
    }

    /// A block in statement position must not end with a value.
    fn no_discarded_value(&mut self, block: &TBlock, site: ValueDiscardSite) -> Option<()> {
        match &block.tail {
            Some(tail) if tail.ty != Type::Unit => {
                self.error(SemaError::ValueDiscarded {
                    span: tail.span,
                    found: self.describe(&tail.ty),
                    site,
                });
                None
            }
            _ => Some(()),
        }
    }

    // ------------------------------------------------------------ expressions

    /// Checks an expression that must produce a value (not `Unit`).
    pub(super) fn check_value(&mut self, expr: &ast::Expr) -> Option<TExpr> {
        let checked = self.check_expr(expr)?;
        if checked.ty == Type::Unit {
            self.error(SemaError::NoValue {
                span: expr.span,
                is_if_without_else: matches!(
                    expr.kind,
                    ExprKind::If {
                        else_block: None,
                        ..
                    }
                ),
            });
            return None;
        }
        Some(checked)
    }

    /// Adapts int literals to `expected` and reports a mismatch if the types
    /// still differ.
    pub(super) fn expect_type(
        &mut self,
        expr: TExpr,
        expected: &Type,
        site: MismatchSite,
    ) -> Option<TExpr> {
        if can_adapt(&expr, expected) {
            return Some(adapt(expr, expected));
        }
        let found = self.describe(&expr.ty);
        let expected_desc = self.describe(expected);
        if types::same_shape_kind(&expr.ty, expected) {
            self.error(SemaError::SizeMismatch {
                span: expr.span,
                expected: expected_desc,
                found,
                site,
                bound_by: None,
            });
        } else {
            self.error(SemaError::TypeMismatch {
                span: expr.span,
                expected: expected_desc,
                found,
                site,
            });
        }
        None
    }

    pub(super) fn check_expr(&mut self, expr: &ast::Expr) -> Option<TExpr> {
        self.nested(expr.span, |checker| checker.check_expr_inner(expr))
    }

    fn check_expr_inner(&mut self, expr: &ast::Expr) -> Option<TExpr> {
        let span = expr.span;
        let (kind, ty) = match &expr.kind {
            ExprKind::Real(value) => (TExprKind::Real(*value), Type::REAL),
            ExprKind::Int(value) => (TExprKind::Int(*value), Type::INT),
            ExprKind::Bool(value) => (TExprKind::Bool(*value), Type::BOOL),
            ExprKind::Var(name) => return self.check_var(name),
            ExprKind::Unary(op, operand) => return self.check_unary(*op, operand, span),
            ExprKind::Binary(op, lhs, rhs) => return self.check_binary(*op, lhs, rhs, span),
            ExprKind::Call { callee, args } => return self.check_call(callee, args, span),
            ExprKind::Index { base, indices } => {
                let base = self.check_value(base);
                let indices: Vec<Option<TExpr>> = indices
                    .iter()
                    .map(|index| self.check_value(index))
                    .collect();
                let base = base?;
                let indices: Vec<TExpr> = indices.into_iter().collect::<Option<_>>()?;
                let ty = self.index_result(&base.ty, base.span, &indices, span)?;
                (
                    TExprKind::Index {
                        base: Box::new(base),
                        indices,
                    },
                    ty,
                )
            }
            ExprKind::ArrayLit(elems) => return self.check_array_lit(elems, span),
            ExprKind::If {
                cond,
                then_block,
                else_block,
            } => return self.check_if(cond, then_block, else_block.as_ref(), span),
            ExprKind::Block(block) => {
                let block = self.check_block(block)?;
                let ty = block.ty.clone();
                (TExprKind::Block(block), ty)
            }
            ExprKind::Comprehension { body, var, lo, hi } => {
                return self.check_comprehension(body, var, lo, hi, span);
            }
            ExprKind::Attributed { attrs, expr } => {
                let attrs = attributes::validate(attrs, AttrPlace::Expr, self.errors);
                let inner = self.check_expr(expr);
                let (attrs, inner) = (attrs?, inner?);
                let ty = inner.ty.clone();
                (
                    TExprKind::Attributed {
                        attrs,
                        expr: Box::new(inner),
                    },
                    ty,
                )
            }
        };
        Some(TExpr { kind, ty, span })
    }

    fn lookup_local(&mut self, name: &ast::Ident) -> Option<LocalId> {
        match self.scopes.lookup(&name.name) {
            Some(local) if self.poisoned.contains(&local) => None,
            Some(local) => Some(local),
            None => {
                self.unknown_variable(name);
                None
            }
        }
    }

    pub(super) fn unknown_variable(&mut self, name: &ast::Ident) {
        let candidates: Vec<&str> = self
            .scopes
            .visible_names()
            .chain(self.size_vars.iter().map(|var| var.name.as_str()))
            .collect();
        let suggestion = suggest(&name.name, candidates);
        let is_function = !self.signatures.overloads(&name.name).is_empty()
            || builtin_by_name(&name.name).is_some();
        self.error(SemaError::UnknownVariable {
            span: name.span,
            name: name.name.clone(),
            suggestion,
            is_function,
        });
    }

    fn check_var(&mut self, name: &ast::Ident) -> Option<TExpr> {
        if let Some(local) = self.scopes.lookup(&name.name) {
            if self.poisoned.contains(&local) {
                return None;
            }
            return Some(TExpr {
                kind: TExprKind::Local(local),
                ty: self.locals[local.0 as usize].ty.clone(),
                span: name.span,
            });
        }
        if let Some(index) = self.size_vars.iter().position(|var| var.name == name.name) {
            return Some(TExpr {
                kind: TExprKind::SizeVar(SizeVarId(index as u32)),
                ty: Type::INT,
                span: name.span,
            });
        }
        self.unknown_variable(name);
        None
    }

    /// The element type of `base[indices]`, checking one int index per
    /// dimension.
    fn index_result(
        &mut self,
        base: &Type,
        base_span: Span,
        indices: &[TExpr],
        span: Span,
    ) -> Option<Type> {
        let Type::Array { elem, dims } = base else {
            self.error(SemaError::IndexNonArray {
                span: base_span,
                found: self.describe(base),
            });
            return None;
        };
        if dims.len() != indices.len() {
            self.error(SemaError::WrongIndexCount {
                span,
                array: self.describe(base),
                expected: dims.len(),
                found: indices.len(),
            });
            return None;
        }
        let mut ok = true;
        for index in indices {
            if index.ty != Type::INT {
                self.error(SemaError::IndexNotInt {
                    span: index.span,
                    found: self.describe(&index.ty),
                });
                ok = false;
            }
        }
        ok.then_some(Type::Scalar(*elem))
    }

    /// `[body for var in lo..hi]`: the bounds are size expressions, so the
    /// length `hi - lo` is a size of the result type.
    fn check_comprehension(
        &mut self,
        body: &ast::Expr,
        var: &ast::Ident,
        lo: &ast::Expr,
        hi: &ast::Expr,
        span: Span,
    ) -> Option<TExpr> {
        let lo_size = self.size_of(lo, SizeSite::ComprehensionBound);
        let hi_size = self.size_of(hi, SizeSite::ComprehensionBound);
        self.scopes.push();
        let var = self.new_local(var, Type::INT, false, LocalKind::LoopVar);
        let body = self.check_value(body);
        self.scopes.pop();
        let (lo_size, hi_size, body) = (lo_size?, hi_size?, body?);
        let length = hi_size.sub(&lo_size);
        if let Size::Const(value) = length
            && value < 0
        {
            self.error(SemaError::NegativeSize { span, value });
            return None;
        }
        let ty = match &body.ty {
            Type::Scalar(elem) => Type::Array {
                elem: *elem,
                dims: vec![length],
            },
            Type::Array { elem, dims } => Type::Array {
                elem: *elem,
                dims: std::iter::once(length)
                    .chain(dims.iter().cloned())
                    .collect(),
            },
            Type::Unit => return None,
        };
        let size_value = |size: Size, span: Span| TExpr {
            kind: TExprKind::SizeValue(size),
            ty: Type::INT,
            span,
        };
        Some(TExpr {
            kind: TExprKind::Comprehension {
                var,
                lo: Box::new(size_value(lo_size, lo.span)),
                hi: Box::new(size_value(hi_size, hi.span)),
                body: Box::new(body),
            },
            ty,
            span,
        })
    }

    fn check_array_lit(&mut self, elems: &[ast::Expr], span: Span) -> Option<TExpr> {
        if elems.is_empty() {
            self.error(SemaError::EmptyArrayLiteral { span });
            return None;
        }
        let checked: Vec<Option<TExpr>> = elems.iter().map(|elem| self.check_value(elem)).collect();
        let mut checked: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let mut ok = true;
        for elem in &checked {
            if !matches!(elem.ty, Type::Scalar(_)) {
                self.error(SemaError::ArrayElementNotScalar {
                    span: elem.span,
                    found: self.describe(&elem.ty),
                });
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        // One real element makes the int literals among the others real.
        let elem_ty = if checked.iter().any(|elem| elem.ty == Type::REAL) {
            Type::REAL
        } else {
            checked[0].ty.clone()
        };
        let mut adapted = Vec::with_capacity(checked.len());
        for elem in checked.drain(..) {
            adapted.push(self.expect_type(elem, &elem_ty, MismatchSite::ArrayElement));
        }
        let adapted: Vec<TExpr> = adapted.into_iter().collect::<Option<_>>()?;
        let Type::Scalar(elem) = elem_ty else {
            return None;
        };
        let ty = Type::Array {
            elem,
            dims: vec![super::tast::Size::Const(adapted.len() as i64)],
        };
        Some(TExpr {
            kind: TExprKind::ArrayLit(adapted),
            ty,
            span,
        })
    }

    fn check_if(
        &mut self,
        cond: &ast::Expr,
        then_block: &ast::Block,
        else_block: Option<&ast::Block>,
        span: Span,
    ) -> Option<TExpr> {
        let cond = self.check_condition(cond, ConditionSite::If);
        let then_checked = self.check_block(then_block);
        let Some(else_block) = else_block else {
            let then_checked = then_checked?;
            self.no_discarded_value(&then_checked, ValueDiscardSite::IfWithoutElse)?;
            return Some(TExpr {
                kind: TExprKind::If {
                    cond: Box::new(cond?),
                    then_block: then_checked,
                    else_block: None,
                },
                ty: Type::Unit,
                span,
            });
        };
        let else_checked = self.check_block(else_block);
        let (mut then_checked, mut else_checked) = (then_checked?, else_checked?);
        if then_checked.ty != else_checked.ty {
            if types::can_adapt_block(&then_checked, &else_checked.ty) {
                then_checked = adapt_block(then_checked, &else_checked.ty.clone());
            } else if types::can_adapt_block(&else_checked, &then_checked.ty) {
                else_checked = adapt_block(else_checked, &then_checked.ty.clone());
            } else {
                let tail_span =
                    |block: &TBlock| block.tail.as_ref().map_or(block.span, |tail| tail.span);
                self.error(SemaError::IfBranchMismatch {
                    span,
                    then_ty: self.describe(&then_checked.ty),
                    then_span: tail_span(&then_checked),
                    else_ty: self.describe(&else_checked.ty),
                    else_span: tail_span(&else_checked),
                });
                return None;
            }
        }
        let ty = then_checked.ty.clone();
        Some(TExpr {
            kind: TExprKind::If {
                cond: Box::new(cond?),
                then_block: then_checked,
                else_block: Some(else_checked),
            },
            ty,
            span,
        })
    }
}
