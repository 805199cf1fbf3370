//! Lowering: the typed AST of one entry function to an IR [`Func`].
//!
//! Calls of user functions are inlined here: each call lowers the callee's
//! checked body into the caller's IR with fresh variables, its size
//! variables replaced by the caller's sizes. `sema` rejects recursion, so this
//! terminates; a depth limit guards against compiler bugs anyway.
//!
//! Lowering keeps the IR's segment invariant (see `ir`): when an operand is
//! followed by another operand whose lowering emits control flow (an `if`
//! expression, a call, `sum`, a block), the earlier operand's value is
//! *spilled* to a temporary variable and read back afterwards.
//!
//! `a && b` and `a || b` short-circuit when evaluating `b` could fault (an
//! index, an int division) or emit control flow; they become an `If` that
//! the smoothing pass treats like any other branch, and whose relaxation is
//! the same t-norm as the plain operator's.

use super::{
    BinaryOp, BlockId, DerivedSizeId, Func, Inst, InstId, ScalarType, SizeData, UnaryOp, VarId,
    VarRole, VarType,
};
use crate::sema::tast::{
    self, FnId, LocalId, Scalar, SiteAttrs, SizePoly, TBlock, TExpr, TExprKind, TFn, TProgram,
    TStmt, TStmtKind, Type,
};
use crate::syntax::ast::{self, AssignOp};
use crate::syntax::span::{Origin, Span};
use analysis::{has_control, may_fault};
use scope::FnScope;
use std::collections::HashMap;

/// Calls nested deeper than this are a compiler bug (sema rejects recursion).
const MAX_INLINE_DEPTH: usize = 256;

mod analysis;
mod arrays;
mod builtins;
mod networks;
mod scope;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LowerError {
    #[error("calls nested more than {MAX_INLINE_DEPTH} deep")]
    InlineDepth { span: Span },
}

/// Lowers `entry` (and everything it calls, inlined) to one IR function whose
/// single output is the function's result.
pub fn lower(program: &TProgram, entry: FnId) -> Result<Func, LowerError> {
    let tfn = program.func(entry);
    let mut func = Func::new(tfn.name.clone());
    for size_var in &tfn.size_vars {
        let _ = func.sizes.push(SizeData {
            name: size_var.name.clone(),
            bound_by: size_var.bound_by,
        });
    }
    let block = func.entry;
    let mut lowerer = Lowerer {
        program,
        entry: tfn,
        func,
        block,
        depth: 0,
        derived: HashMap::new(),
        attrs: Vec::new(),
        networks: networks::NetworkChoice::new(program),
    };
    let mut scope = FnScope::entry(tfn);
    for (param_index, local) in tfn.params.iter().enumerate() {
        let info = tfn.local(*local);
        let ty = lowerer.var_type(&scope, &info.ty);
        let var = lowerer
            .func
            .new_var(info.name.clone(), ty, VarRole::Param(param_index));
        lowerer.func.params.push(var);
        scope.bind(*local, var);
    }
    let result_ty = lowerer.var_type(&scope, &tfn.ret);
    let result = lowerer.func.new_var("result", result_ty, VarRole::Temp);
    lowerer.func.outputs.push(result);
    let origin = Origin::Source(tfn.span);
    lowerer.with_attrs(&program.file_attrs, |this| {
        this.lower_block_into(&mut scope, &tfn.body, result, origin)
    })?;
    Ok(lowerer.func)
}

/// An array produced by lowering an expression.
#[derive(Clone, Copy)]
struct ArrayRef {
    var: VarId,
    /// True when the variable was created for this expression alone, so the
    /// consumer may take it over instead of copying.
    fresh: bool,
}

struct Lowerer<'p> {
    program: &'p TProgram,
    /// The function being lowered; sizes are kept in its size variables.
    entry: &'p TFn,
    func: Func,
    /// Where instructions are appended.
    block: BlockId,
    /// How many calls deep the inliner is.
    depth: usize,
    /// Derived sizes already interned, by polynomial.
    derived: HashMap<SizePoly, DerivedSizeId>,
    /// The attributes of the enclosing attributed constructs, innermost last
    /// (each already merged with the ones outside it).
    attrs: Vec<SiteAttrs>,
    /// Which prelude function a call of `sort`, `sort_perm` or `rank` runs
    /// under the enclosing sites' `network`.
    networks: networks::NetworkChoice,
}

type Lowered<T> = Result<T, LowerError>;

impl<'p> Lowerer<'p> {
    fn emit(&mut self, inst: Inst, span: Span) -> InstId {
        self.func.append(self.block, inst, Origin::Source(span))
    }

    fn emit_derived(&mut self, inst: Inst, origin: Origin) -> InstId {
        self.func.append(self.block, inst, origin.derived())
    }

    fn temp(&mut self, name: &str, ty: VarType) -> VarId {
        self.func.new_var(name, ty, VarRole::Temp)
    }

    /// Runs `body` with instructions going to `block`, then restores.
    fn in_block<T>(
        &mut self,
        block: BlockId,
        body: impl FnOnce(&mut Self) -> Lowered<T>,
    ) -> Lowered<T> {
        let saved = self.block;
        self.block = block;
        let result = body(self);
        self.block = saved;
        result
    }

    // ----- blocks and statements -------------------------------------------------

    /// Lowers a block whose value (if any) goes to `dest`.
    fn lower_block_into(
        &mut self,
        scope: &mut FnScope<'p>,
        block: &TBlock,
        dest: VarId,
        origin: Origin,
    ) -> Lowered<()> {
        for stmt in &block.stmts {
            self.lower_stmt(scope, stmt)?;
        }
        if let Some(tail) = &block.tail {
            self.lower_into(scope, tail, dest, origin)?;
        }
        Ok(())
    }

    /// Lowers a block used for its effects only.
    fn lower_block_unit(&mut self, scope: &mut FnScope<'p>, block: &TBlock) -> Lowered<()> {
        for stmt in &block.stmts {
            self.lower_stmt(scope, stmt)?;
        }
        if let Some(tail) = &block.tail {
            self.lower_effect(scope, tail)?;
        }
        Ok(())
    }

    /// Evaluates `expr` and stores its value in `dest` (scalar or array).
    fn lower_into(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        dest: VarId,
        origin: Origin,
    ) -> Lowered<()> {
        if self.func.vars[dest].ty.is_array() {
            let source = self.lower_array(scope, expr)?;
            self.copy_array(dest, source.var, origin);
        } else {
            let value = self.lower_scalar(scope, expr)?;
            let _ = self.emit_derived(Inst::Write { var: dest, value }, origin);
        }
        Ok(())
    }

    fn lower_stmt(&mut self, scope: &mut FnScope<'p>, stmt: &TStmt) -> Lowered<()> {
        match &stmt.kind {
            TStmtKind::While { cond, body, bound } => {
                self.lower_while(scope, cond, body, *bound, stmt.span)
            }
            TStmtKind::Attributed { attrs, stmt } => {
                self.with_attrs(attrs, |this| this.lower_stmt(scope, stmt))
            }
            TStmtKind::Let { local, init } => self.lower_let(scope, *local, init, stmt.span),
            TStmtKind::Assign {
                local,
                indices,
                op,
                value,
            } => self.lower_assign(scope, *local, indices, *op, value, stmt.span),
            TStmtKind::For { var, lo, hi, body } => {
                self.lower_for(scope, *var, lo, hi, body, stmt.span)
            }
            TStmtKind::Expr(expr) => self.lower_effect(scope, expr),
        }
    }

    fn lower_let(
        &mut self,
        scope: &mut FnScope<'p>,
        local: LocalId,
        init: &TExpr,
        span: Span,
    ) -> Lowered<()> {
        let info = scope.tfn.local(local);
        let ty = self.var_type(scope, &info.ty);
        if ty.is_array() {
            let source = self.lower_array(scope, init)?;
            if source.fresh {
                // Take over the temporary: nothing else can see it.
                self.func.vars[source.var].name = info.name.clone();
                self.func.vars[source.var].role = VarRole::Local;
                scope.bind(local, source.var);
            } else {
                let var = self.func.new_var(info.name.clone(), ty, VarRole::Local);
                self.copy_array(var, source.var, Origin::Source(span));
                scope.bind(local, var);
            }
        } else {
            let value = self.lower_scalar(scope, init)?;
            let var = self.func.new_var(info.name.clone(), ty, VarRole::Local);
            let _ = self.emit(Inst::Write { var, value }, span);
            scope.bind(local, var);
        }
        Ok(())
    }

    fn lower_assign(
        &mut self,
        scope: &mut FnScope<'p>,
        local: LocalId,
        indices: &[TExpr],
        op: AssignOp,
        value: &TExpr,
        span: Span,
    ) -> Lowered<()> {
        let var = scope.var(local);
        if self.func.vars[var].ty.is_array() && indices.is_empty() {
            let source = self.lower_array(scope, value)?;
            self.copy_array(var, source.var, Origin::Source(span));
            return Ok(());
        }
        let mut operands: Vec<&TExpr> = indices.iter().collect();
        operands.push(value);
        let mut values = self.lower_operands(scope, &operands)?;
        let mut new_value = values.pop().expect("the value is the last operand");
        let binary = match op {
            AssignOp::Set => None,
            AssignOp::Add => Some(BinaryOp::Add),
            AssignOp::Sub => Some(BinaryOp::Sub),
            AssignOp::Mul => Some(BinaryOp::Mul),
            AssignOp::Div => Some(BinaryOp::Div),
        };
        if indices.is_empty() {
            if let Some(binary) = binary {
                let old = self.emit(Inst::Read(var), span);
                new_value = self.emit(Inst::Binary(binary, old, new_value), span);
            }
            let _ = self.emit(
                Inst::Write {
                    var,
                    value: new_value,
                },
                span,
            );
        } else {
            if let Some(binary) = binary {
                let old = self.emit(
                    Inst::Load {
                        array: var,
                        indices: values.clone(),
                    },
                    span,
                );
                new_value = self.emit(Inst::Binary(binary, old, new_value), span);
            }
            let _ = self.emit(
                Inst::Store {
                    array: var,
                    indices: values,
                    value: new_value,
                },
                span,
            );
        }
        Ok(())
    }

    fn lower_for(
        &mut self,
        scope: &mut FnScope<'p>,
        local: LocalId,
        lo: &TExpr,
        hi: &TExpr,
        body: &TBlock,
        span: Span,
    ) -> Lowered<()> {
        let bounds = self.lower_operands(scope, &[lo, hi])?;
        let name = scope.tfn.local(local).name.clone();
        let counter = self
            .func
            .new_var(name, VarType::Scalar(ScalarType::Int), VarRole::Local);
        scope.bind(local, counter);
        let body_block = self.func.emit_for(
            self.block,
            counter,
            (bounds[0], bounds[1]),
            false,
            Origin::Source(span),
        );
        self.in_block(body_block, |this| this.lower_block_unit(scope, body))
    }

    /// `while c { body }` as `flag = c; loop while flag { body; flag = c }`.
    fn lower_while(
        &mut self,
        scope: &mut FnScope<'p>,
        cond: &TExpr,
        body: &TBlock,
        bound: Option<u64>,
        span: Span,
    ) -> Lowered<()> {
        let flag = self.temp("while_flag", VarType::Scalar(ScalarType::Bool));
        self.lower_condition_into(scope, cond, flag)?;
        let loop_body = self.func.new_block(self.block);
        let bound = bound.map(|bound| i64::try_from(bound).unwrap_or(i64::MAX));
        let _ = self.emit(
            Inst::Loop {
                flag,
                body: loop_body,
                bound,
            },
            span,
        );
        self.in_block(loop_body, |this| {
            this.lower_block_unit(scope, body)?;
            this.lower_condition_into(scope, cond, flag)
        })
    }

    /// Evaluates a loop condition into the loop's flag variable.
    fn lower_condition_into(
        &mut self,
        scope: &mut FnScope<'p>,
        cond: &TExpr,
        flag: VarId,
    ) -> Lowered<()> {
        let value = self.lower_scalar(scope, cond)?;
        let _ = self.emit(Inst::Write { var: flag, value }, cond.span);
        Ok(())
    }

    /// Lowers an expression used as a statement.
    fn lower_effect(&mut self, scope: &mut FnScope<'p>, expr: &TExpr) -> Lowered<()> {
        match (&expr.kind, &expr.ty) {
            (
                TExprKind::If {
                    cond,
                    then_block,
                    else_block,
                },
                Type::Unit,
            ) => {
                let cond = self.lower_scalar(scope, cond)?;
                let (then_id, else_id) = self.emit_if(cond, expr.span);
                self.in_block(then_id, |this| this.lower_block_unit(scope, then_block))?;
                if let Some(else_block) = else_block {
                    self.in_block(else_id, |this| this.lower_block_unit(scope, else_block))?;
                }
                Ok(())
            }
            (TExprKind::Block(block), Type::Unit) => self.lower_block_unit(scope, block),
            (_, Type::Array { .. }) => self.lower_array(scope, expr).map(|_| ()),
            (_, Type::Unit) => Ok(()),
            (_, Type::Scalar(_)) => self.lower_scalar(scope, expr).map(|_| ()),
        }
    }

    fn emit_if(&mut self, cond: InstId, span: Span) -> (BlockId, BlockId) {
        self.func.emit_if(self.block, cond, Origin::Source(span))
    }

    // ----- scalar expressions ------------------------------------------------------

    /// Lowers operands left to right, spilling each one that a later operand's
    /// control flow would otherwise separate from its use.
    fn lower_operands(
        &mut self,
        scope: &mut FnScope<'p>,
        exprs: &[&TExpr],
    ) -> Lowered<Vec<InstId>> {
        enum Lowered {
            Value(InstId),
            Spilled(VarId),
        }
        let mut lowered = Vec::with_capacity(exprs.len());
        for (position, expr) in exprs.iter().enumerate() {
            let value = self.lower_scalar(scope, expr)?;
            if exprs[position + 1..].iter().any(|later| has_control(later)) {
                let ty = self.func.types[value].expect("scalar expressions have a value");
                let spill = self.temp("spill", VarType::Scalar(ty));
                let _ =
                    self.emit_derived(Inst::Write { var: spill, value }, Origin::Source(expr.span));
                lowered.push(Lowered::Spilled(spill));
            } else {
                lowered.push(Lowered::Value(value));
            }
        }
        Ok(lowered
            .into_iter()
            .zip(exprs)
            .map(|(item, expr)| match item {
                Lowered::Value(value) => value,
                Lowered::Spilled(var) => self.emit(Inst::Read(var), expr.span),
            })
            .collect())
    }

    fn lower_scalar(&mut self, scope: &mut FnScope<'p>, expr: &TExpr) -> Lowered<InstId> {
        let span = expr.span;
        Ok(match &expr.kind {
            TExprKind::Attributed { attrs, expr } => {
                self.with_attrs(attrs, |this| this.lower_scalar(scope, expr))?
            }
            TExprKind::SizeValue(size) => {
                let size = self.ir_size(scope, size);
                self.emit(Inst::SizeOf(size), span)
            }
            TExprKind::Real(value) => self.emit(Inst::Real(*value), span),
            TExprKind::Int(value) => self.emit(Inst::Int(*value), span),
            TExprKind::Bool(value) => self.emit(Inst::Bool(*value), span),
            TExprKind::Local(local) => {
                let var = scope.var(*local);
                self.emit(Inst::Read(var), span)
            }
            TExprKind::SizeVar(id) => {
                let size = self.ir_size(scope, &tast::Size::Var(*id));
                self.emit(Inst::SizeOf(size), span)
            }
            TExprKind::Unary(op, operand) => {
                let value = self.lower_scalar(scope, operand)?;
                self.emit(Inst::Unary(unary_op(*op), value), span)
            }
            TExprKind::Binary(op, lhs, rhs) => self.lower_binary(scope, *op, lhs, rhs, span)?,
            TExprKind::Call {
                callee,
                args,
                sizes,
            } => {
                let result = self.inline_call(scope, *callee, args, sizes, span)?;
                self.emit(Inst::Read(result), span)
            }
            TExprKind::Builtin { builtin, args } => {
                self.lower_builtin(scope, *builtin, args, span)?
            }
            TExprKind::Index { base, indices } => {
                let array = self.lower_array(scope, base)?;
                let operands: Vec<&TExpr> = indices.iter().collect();
                let indices = self.lower_operands(scope, &operands)?;
                self.emit(
                    Inst::Load {
                        array: array.var,
                        indices,
                    },
                    span,
                )
            }
            TExprKind::If { .. } | TExprKind::Block(_) => {
                let ty = self.var_type(scope, &expr.ty);
                let dest = self.temp("if_value", ty);
                self.lower_valued_control(scope, expr, dest)?;
                self.emit(Inst::Read(dest), span)
            }
            TExprKind::ArrayLit(_) | TExprKind::Comprehension { .. } => {
                unreachable!("sema gives array literals and comprehensions array types")
            }
        })
    }

    fn lower_binary(
        &mut self,
        scope: &mut FnScope<'p>,
        op: ast::BinaryOp,
        lhs: &TExpr,
        rhs: &TExpr,
        span: Span,
    ) -> Lowered<InstId> {
        if matches!(op, ast::BinaryOp::And | ast::BinaryOp::Or)
            && (has_control(rhs) || may_fault(rhs))
        {
            return self.lower_short_circuit(scope, op, lhs, rhs, span);
        }
        let values = self.lower_operands(scope, &[lhs, rhs])?;
        let op = binary_op(op);
        Ok(self.emit(Inst::Binary(op, values[0], values[1]), span))
    }

    /// `a && b` as `if a { t = b } else { t = false }`, and `a || b` as
    /// `if a { t = true } else { t = b }`. Each branch writes the value the
    /// operator has there, so that relaxing the `if` gives exactly the
    /// product t-norm `p * q` and its dual `p + q - p * q`.
    fn lower_short_circuit(
        &mut self,
        scope: &mut FnScope<'p>,
        op: ast::BinaryOp,
        lhs: &TExpr,
        rhs: &TExpr,
        span: Span,
    ) -> Lowered<InstId> {
        let result = self.temp("logic", VarType::Scalar(ScalarType::Bool));
        let first = self.lower_scalar(scope, lhs)?;
        let (then_block, else_block) = self.emit_if(first, span);
        let (evaluate_in, constant_in, constant) = match op {
            ast::BinaryOp::And => (then_block, else_block, false),
            _ => (else_block, then_block, true),
        };
        self.in_block(evaluate_in, |this| {
            let second = this.lower_scalar(scope, rhs)?;
            let _ = this.emit(
                Inst::Write {
                    var: result,
                    value: second,
                },
                span,
            );
            Ok(())
        })?;
        self.in_block(constant_in, |this| {
            let value = this.emit(Inst::Bool(constant), span);
            let _ = this.emit(Inst::Write { var: result, value }, span);
            Ok(())
        })?;
        Ok(self.emit(Inst::Read(result), span))
    }

    /// An `if` or block expression whose value goes to `dest`.
    fn lower_valued_control(
        &mut self,
        scope: &mut FnScope<'p>,
        expr: &TExpr,
        dest: VarId,
    ) -> Lowered<()> {
        let origin = Origin::Source(expr.span);
        match &expr.kind {
            TExprKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let cond = self.lower_scalar(scope, cond)?;
                let (then_id, else_id) = self.emit_if(cond, expr.span);
                self.in_block(then_id, |this| {
                    this.lower_block_into(scope, then_block, dest, origin)
                })?;
                if let Some(else_block) = else_block {
                    self.in_block(else_id, |this| {
                        this.lower_block_into(scope, else_block, dest, origin)
                    })?;
                }
                Ok(())
            }
            TExprKind::Block(block) => self.lower_block_into(scope, block, dest, origin),
            _ => self.lower_into(scope, expr, dest, origin),
        }
    }

    /// Inlines a call; returns the variable holding the callee's result.
    fn inline_call(
        &mut self,
        scope: &mut FnScope<'p>,
        callee: FnId,
        args: &[TExpr],
        sizes: &[tast::Size],
        span: Span,
    ) -> Lowered<VarId> {
        if self.depth >= MAX_INLINE_DEPTH {
            return Err(LowerError::InlineDepth { span });
        }
        let program = self.program;
        let network = self.attrs.last().and_then(|attrs| attrs.network);
        let tfn = program.func(self.networks.callee(callee, network));
        let caller_sizes: Vec<tast::Size> =
            sizes.iter().map(|size| scope.entry_size(size)).collect();
        let mut callee_scope = FnScope::new(tfn, caller_sizes);
        // Scalars are evaluated (and spilled) first; arrays are passed by
        // reference because parameters are read-only, and copied only when a
        // later argument could change them before the call.
        let mut scalar_args: Vec<(usize, &TExpr)> = Vec::new();
        for (position, arg) in args.iter().enumerate() {
            if matches!(arg.ty, Type::Array { .. }) {
                let array = self.lower_array(scope, arg)?;
                let var = if !array.fresh && args[position + 1..].iter().any(has_control) {
                    let ty = self.func.vars[array.var].ty.clone();
                    let copy = self.temp("arg", ty);
                    self.copy_array(copy, array.var, Origin::Source(arg.span));
                    copy
                } else {
                    array.var
                };
                callee_scope.bind(tfn.params[position], var);
            } else {
                scalar_args.push((position, arg));
            }
        }
        let operands: Vec<&TExpr> = scalar_args.iter().map(|(_, arg)| *arg).collect();
        let values = self.lower_operands(scope, &operands)?;
        for ((position, arg), value) in scalar_args.into_iter().zip(values) {
            let local = tfn.params[position];
            let ty = self.var_type(&callee_scope, &tfn.local(local).ty);
            let var = self
                .func
                .new_var(tfn.local(local).name.clone(), ty, VarRole::Local);
            let _ = self.emit(Inst::Write { var, value }, arg.span);
            callee_scope.bind(local, var);
        }
        let result_ty = self.var_type(&callee_scope, &tfn.ret);
        let result = self.temp(&format!("{}_result", tfn.name), result_ty);
        self.depth += 1;
        let lowered =
            self.lower_block_into(&mut callee_scope, &tfn.body, result, Origin::Source(span));
        self.depth -= 1;
        lowered?;
        Ok(result)
    }

    /// `dest = source`, element by element for arrays (same shape, checked
    /// by sema).
    fn copy_array(&mut self, dest: VarId, source: VarId, origin: Origin) {
        self.func
            .emit_copy(self.block, dest, source, origin.derived());
    }
}

pub(super) fn unary_op(op: ast::UnaryOp) -> UnaryOp {
    match op {
        ast::UnaryOp::Neg => UnaryOp::Neg,
        ast::UnaryOp::Not => UnaryOp::Not,
    }
}

pub(super) fn binary_op(op: ast::BinaryOp) -> BinaryOp {
    match op {
        ast::BinaryOp::Add => BinaryOp::Add,
        ast::BinaryOp::Sub => BinaryOp::Sub,
        ast::BinaryOp::Mul => BinaryOp::Mul,
        ast::BinaryOp::Div => BinaryOp::Div,
        ast::BinaryOp::Rem => BinaryOp::Rem,
        ast::BinaryOp::Lt => BinaryOp::Lt,
        ast::BinaryOp::Le => BinaryOp::Le,
        ast::BinaryOp::Gt => BinaryOp::Gt,
        ast::BinaryOp::Ge => BinaryOp::Ge,
        ast::BinaryOp::Eq => BinaryOp::Eq,
        ast::BinaryOp::Ne => BinaryOp::Ne,
        ast::BinaryOp::And => BinaryOp::And,
        ast::BinaryOp::Or => BinaryOp::Or,
    }
}

pub(super) fn scalar_type(scalar: Scalar) -> ScalarType {
    match scalar {
        Scalar::Real => ScalarType::Real,
        Scalar::Int => ScalarType::Int,
        Scalar::Bool => ScalarType::Bool,
    }
}
