//! The typed AST: what `sema` hands to lowering.
//!
//! Names are resolved (locals to [`LocalId`], calls to [`FnId`] or
//! [`Builtin`]), every expression has its [`Type`], and integer literals that
//! stand where a real is expected have already become real literals. Sizes in
//! array types are [`Size`] values: a constant or one of the function's size
//! variables (bound from the shapes of its arguments at call time).
//!
//! This module only defines data; building it is `sema::check`'s job.

use crate::syntax::ast::{AssignOp, BinaryOp, UnaryOp};
use crate::syntax::span::Span;

/// A function of the program, by position in [`TProgram::fns`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(pub u32);

/// A local (parameter, `let` binding or loop variable) of one function, by
/// position in [`TFn::locals`]. Shadowing creates a new `LocalId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A size variable of one function (`n` in `real[n]`), by position in
/// [`TFn::size_vars`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SizeVarId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    Real,
    Int,
    Bool,
}

/// The length of one array dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    Const(i64),
    Var(SizeVarId),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Scalar(Scalar),
    /// Row-major array; one size per dimension.
    Array {
        elem: Scalar,
        dims: Vec<Size>,
    },
    /// The type of statements and of `if` without `else`.
    Unit,
}

impl Type {
    pub const REAL: Type = Type::Scalar(Scalar::Real);
    pub const INT: Type = Type::Scalar(Scalar::Int);
    pub const BOOL: Type = Type::Scalar(Scalar::Bool);
}

#[derive(Clone, Debug, PartialEq)]
pub struct TProgram {
    pub fns: Vec<TFn>,
}

impl TProgram {
    pub fn fn_by_name(&self, name: &str) -> Option<FnId> {
        self.fns
            .iter()
            .position(|f| f.name == name)
            .map(|index| FnId(index as u32))
    }

    pub fn func(&self, id: FnId) -> &TFn {
        &self.fns[id.0 as usize]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TFn {
    pub name: String,
    /// Parameters in order; each is also an entry of `locals`.
    pub params: Vec<LocalId>,
    pub ret: Type,
    pub body: TBlock,
    pub locals: Vec<LocalInfo>,
    pub size_vars: Vec<SizeVarInfo>,
    pub docs: Vec<String>,
    /// The span of the whole definition.
    pub span: Span,
    /// The span of the name in the definition.
    pub name_span: Span,
    /// The span of the result type.
    pub ret_span: Span,
}

impl TFn {
    pub fn local(&self, id: LocalId) -> &LocalInfo {
        &self.locals[id.0 as usize]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LocalInfo {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub kind: LocalKind,
    /// Where the local is bound.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    Param,
    Let,
    LoopVar,
}

/// A size variable: its name and the parameter dimension that binds it first.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeVarInfo {
    pub name: String,
    /// Index into `TFn::params` and the dimension of that parameter's type.
    pub bound_by: (usize, usize),
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TBlock {
    pub stmts: Vec<TStmt>,
    pub tail: Option<Box<TExpr>>,
    /// The block's type: the tail's type, or `Unit`.
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TStmt {
    pub kind: TStmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TStmtKind {
    Let {
        local: LocalId,
        init: TExpr,
    },
    /// `local[indices] op= value`; `indices` is empty for a whole-variable
    /// assignment. For an array target with no indices, `value` is an array
    /// of the same shape and `op` is `Set`.
    Assign {
        local: LocalId,
        indices: Vec<TExpr>,
        op: AssignOp,
        value: TExpr,
    },
    /// Bounds boxed to keep statements small.
    For {
        var: LocalId,
        lo: Box<TExpr>,
        hi: Box<TExpr>,
        body: TBlock,
    },
    Expr(TExpr),
}

/// The builtins of the skeleton language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `sum(real[n]) -> real`
    Sum,
    /// `exp(real) -> real`
    Exp,
    /// `log(real) -> real`
    Log,
    /// `sqrt(real) -> real`
    Sqrt,
    /// `len(array) -> int`, the length of the first dimension.
    Len,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sum => "sum",
            Builtin::Exp => "exp",
            Builtin::Log => "log",
            Builtin::Sqrt => "sqrt",
            Builtin::Len => "len",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TExprKind {
    Real(f64),
    Int(i64),
    Bool(bool),
    Local(LocalId),
    /// The value of a size variable of the enclosing function, as an `int`:
    /// `n` in `for i in 0..n` where a parameter has type `real[n]`.
    SizeVar(SizeVarId),
    Unary(UnaryOp, Box<TExpr>),
    /// Both operands have the same type, except that arithmetic on arrays is
    /// not part of the skeleton language (sema rejects it).
    Binary(BinaryOp, Box<TExpr>, Box<TExpr>),
    /// A call of a user function. `sizes` gives, for each size variable of
    /// the callee, its value in the caller's terms.
    Call {
        callee: FnId,
        args: Vec<TExpr>,
        sizes: Vec<Size>,
    },
    Builtin {
        builtin: Builtin,
        args: Vec<TExpr>,
    },
    /// `base[indices]` with one int index per dimension of `base`.
    Index {
        base: Box<TExpr>,
        indices: Vec<TExpr>,
    },
    /// `[a, b, c]`: elements all of the element type.
    ArrayLit(Vec<TExpr>),
    If {
        cond: Box<TExpr>,
        then_block: TBlock,
        else_block: Option<TBlock>,
    },
    Block(TBlock),
}
