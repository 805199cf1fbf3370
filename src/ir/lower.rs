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
    BinaryOp, BlockId, Func, Inst, InstId, ScalarType, Size, SizeData, UnaryOp, VarId, VarRole,
    VarType,
};
use crate::sema::tast::{
    self, Builtin, FnId, LocalId, Scalar, TBlock, TExpr, TExprKind, TFn, TProgram, TStmt,
    TStmtKind, Type,
};
use crate::syntax::ast::{self, AssignOp};
use crate::syntax::span::{Origin, Span};

/// Calls nested deeper than this are a compiler bug (sema rejects recursion).
const MAX_INLINE_DEPTH: usize = 256;

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
    let sizes: Vec<Size> = tfn
        .size_vars
        .iter()
        .map(|size_var| {
            Size::Param(func.sizes.push(SizeData {
                name: size_var.name.clone(),
                bound_by: size_var.bound_by,
            }))
        })
        .collect();
    let mut scope = FnScope::new(tfn, sizes);
    for (param_index, local) in tfn.params.iter().enumerate() {
        let info = tfn.local(*local);
        let ty = scope.var_type(&info.ty);
        let var = func.new_var(info.name.clone(), ty, VarRole::Param(param_index));
        func.params.push(var);
        scope.bind(*local, var);
    }
    let result_ty = scope.var_type(&tfn.ret);
    let result = func.new_var("result", result_ty, VarRole::Temp);
    func.outputs.push(result);
    let block = func.entry;
    let mut lowerer = Lowerer {
        program,
        func,
        block,
        depth: 0,
    };
    let origin = Origin::Source(tfn.span);
    lowerer.lower_block_into(&mut scope, &tfn.body, result, origin)?;
    Ok(lowerer.func)
}

/// The variables and sizes of one (possibly inlined) function activation.
struct FnScope<'p> {
    tfn: &'p TFn,
    locals: Vec<Option<VarId>>,
    sizes: Vec<Size>,
}

impl<'p> FnScope<'p> {
    fn new(tfn: &'p TFn, sizes: Vec<Size>) -> FnScope<'p> {
        FnScope {
            tfn,
            locals: vec![None; tfn.locals.len()],
            sizes,
        }
    }

    fn bind(&mut self, local: LocalId, var: VarId) {
        self.locals[local.0 as usize] = Some(var);
    }

    fn var(&self, local: LocalId) -> VarId {
        self.locals[local.0 as usize].expect("sema resolves every local before its use")
    }

    fn size(&self, size: tast::Size) -> Size {
        match size {
            tast::Size::Const(value) => Size::Const(value),
            tast::Size::Var(id) => self.sizes[id.0 as usize],
            tast::Size::Poly(_) => todo!("issue 3 scaffold"),
        }
    }

    fn var_type(&self, ty: &Type) -> VarType {
        match ty {
            Type::Scalar(scalar) => VarType::Scalar(scalar_type(*scalar)),
            Type::Array { elem, dims } => VarType::Array {
                elem: scalar_type(*elem),
                dims: dims.iter().map(|dim| self.size(dim.clone())).collect(),
            },
            // Unit never reaches a variable: sema allows it only as a statement.
            Type::Unit => VarType::Scalar(ScalarType::Bool),
        }
    }
}

fn scalar_type(scalar: Scalar) -> ScalarType {
    match scalar {
        Scalar::Real => ScalarType::Real,
        Scalar::Int => ScalarType::Int,
        Scalar::Bool => ScalarType::Bool,
    }
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
    func: Func,
    /// Where instructions are appended.
    block: BlockId,
    depth: usize,
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
            TStmtKind::While { .. } | TStmtKind::Attributed { .. } => todo!("issue 3 scaffold"),
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
        let ty = scope.var_type(&info.ty);
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
            TExprKind::SizeValue(_) | TExprKind::Comprehension { .. } | TExprKind::Attributed { .. } => todo!("issue 3 scaffold"),
            TExprKind::Real(value) => self.emit(Inst::Real(*value), span),
            TExprKind::Int(value) => self.emit(Inst::Int(*value), span),
            TExprKind::Bool(value) => self.emit(Inst::Bool(*value), span),
            TExprKind::Local(local) => {
                let var = scope.var(*local);
                self.emit(Inst::Read(var), span)
            }
            TExprKind::SizeVar(id) => {
                let size = scope.size(tast::Size::Var(*id));
                self.emit(Inst::SizeOf(size), span)
            }
            TExprKind::Unary(op, operand) => {
                let value = self.lower_scalar(scope, operand)?;
                let op = match op {
                    ast::UnaryOp::Neg => UnaryOp::Neg,
                    ast::UnaryOp::Not => UnaryOp::Not,
                };
                self.emit(Inst::Unary(op, value), span)
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
                let ty = scope.var_type(&expr.ty);
                let dest = self.temp("if_value", ty);
                self.lower_valued_control(scope, expr, dest)?;
                self.emit(Inst::Read(dest), span)
            }
            TExprKind::ArrayLit(_) => unreachable!("sema gives array literals an array type"),
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
        let op = match op {
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
        };
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

    fn lower_builtin(
        &mut self,
        scope: &mut FnScope<'p>,
        builtin: Builtin,
        args: &[TExpr],
        span: Span,
    ) -> Lowered<InstId> {
        let unary = |op| {
            move |this: &mut Self, scope: &mut FnScope<'p>| -> Lowered<InstId> {
                let value = this.lower_scalar(scope, &args[0])?;
                Ok(this.emit(Inst::Unary(op, value), span))
            }
        };
        match builtin {
            Builtin::Exp => unary(UnaryOp::Exp)(self, scope),
            Builtin::Log => unary(UnaryOp::Log)(self, scope),
            Builtin::Sqrt => unary(UnaryOp::Sqrt)(self, scope),
            Builtin::Len => {
                let array = self.lower_array(scope, &args[0])?;
                let VarType::Array { dims, .. } = &self.func.vars[array.var].ty else {
                    unreachable!("sema checks that len takes an array")
                };
                let first = dims[0];
                Ok(self.emit(Inst::SizeOf(first), span))
            }
            Builtin::Sum => {
                let array = self.lower_array(scope, &args[0])?;
                let total = self.temp("sum", VarType::Scalar(ScalarType::Real));
                let origin = Origin::Derived(span);
                let VarType::Array { dims, .. } = self.func.vars[array.var].ty.clone() else {
                    unreachable!("sema checks that sum takes an array")
                };
                self.func
                    .emit_element_loops(self.block, &dims, origin, |func, inner, indices| {
                        let element = func.append(
                            inner,
                            Inst::Load {
                                array: array.var,
                                indices,
                            },
                            origin,
                        );
                        let running = func.append(inner, Inst::Read(total), origin);
                        let value = func.append(
                            inner,
                            Inst::Binary(BinaryOp::Add, running, element),
                            origin,
                        );
                        let _ = func.append(inner, Inst::Write { var: total, value }, origin);
                    });
                Ok(self.emit(Inst::Read(total), span))
            }
            _ => todo!("issue 3 scaffold"),
        }
    }

    // ----- array expressions --------------------------------------------------------

    fn lower_array(&mut self, scope: &mut FnScope<'p>, expr: &TExpr) -> Lowered<ArrayRef> {
        match &expr.kind {
            TExprKind::SizeValue(_) | TExprKind::Comprehension { .. } | TExprKind::Attributed { .. } => todo!("issue 3 scaffold"),
            TExprKind::Local(local) => Ok(ArrayRef {
                var: scope.var(*local),
                fresh: false,
            }),
            TExprKind::Call {
                callee,
                args,
                sizes,
            } => Ok(ArrayRef {
                var: self.inline_call(scope, *callee, args, sizes, expr.span)?,
                fresh: true,
            }),
            TExprKind::ArrayLit(elements) => {
                let ty = scope.var_type(&expr.ty);
                let var = self.temp("array", ty);
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
                Ok(ArrayRef { var, fresh: true })
            }
            TExprKind::If { .. } | TExprKind::Block(_) => {
                let ty = scope.var_type(&expr.ty);
                let var = self.temp("if_value", ty);
                self.lower_valued_control(scope, expr, var)?;
                Ok(ArrayRef { var, fresh: true })
            }
            TExprKind::Real(_)
            | TExprKind::Int(_)
            | TExprKind::Bool(_)
            | TExprKind::SizeVar(_)
            | TExprKind::Unary(..)
            | TExprKind::Binary(..)
            | TExprKind::Builtin { .. }
            | TExprKind::Index { .. } => unreachable!("sema gives these expressions scalar types"),
        }
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
        let tfn = program.func(callee);
        let caller_sizes: Vec<Size> = sizes.iter().map(|size| scope.size(size.clone())).collect();
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
            let ty = callee_scope.var_type(&tfn.local(local).ty);
            let var = self
                .func
                .new_var(tfn.local(local).name.clone(), ty, VarRole::Local);
            let _ = self.emit(Inst::Write { var, value }, arg.span);
            callee_scope.bind(local, var);
        }
        let result_ty = callee_scope.var_type(&tfn.ret);
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

/// Whether lowering `expr` may emit control flow (and so end a segment).
fn has_control(expr: &TExpr) -> bool {
    match &expr.kind {
        TExprKind::SizeValue(_) | TExprKind::Comprehension { .. } | TExprKind::Attributed { .. } => todo!("issue 3 scaffold"),
        TExprKind::Real(_)
        | TExprKind::Int(_)
        | TExprKind::Bool(_)
        | TExprKind::Local(_)
        | TExprKind::SizeVar(_) => false,
        TExprKind::If { .. } | TExprKind::Block(_) | TExprKind::Call { .. } => true,
        TExprKind::Builtin { builtin, args } => {
            *builtin == Builtin::Sum || args.iter().any(has_control)
        }
        TExprKind::Unary(_, operand) => has_control(operand),
        TExprKind::Binary(op, lhs, rhs) => {
            has_control(lhs)
                || has_control(rhs)
                || (matches!(op, ast::BinaryOp::And | ast::BinaryOp::Or) && may_fault(rhs))
        }
        TExprKind::Index { base, indices } => has_control(base) || indices.iter().any(has_control),
        TExprKind::ArrayLit(elements) => elements.iter().any(has_control),
    }
}

/// Whether evaluating `expr` may raise a runtime error.
fn may_fault(expr: &TExpr) -> bool {
    match &expr.kind {
        TExprKind::SizeValue(_) | TExprKind::Comprehension { .. } | TExprKind::Attributed { .. } => todo!("issue 3 scaffold"),
        TExprKind::Real(_)
        | TExprKind::Int(_)
        | TExprKind::Bool(_)
        | TExprKind::Local(_)
        | TExprKind::SizeVar(_) => false,
        TExprKind::Index { .. }
        | TExprKind::Call { .. }
        | TExprKind::If { .. }
        | TExprKind::Block(_) => true,
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
