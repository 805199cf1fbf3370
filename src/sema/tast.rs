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

pub use super::attrs::SiteAttrs;
pub use super::size::{Size, SizePoly};

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
    /// The functions of the stdlib modules first (prelude, then each `use`d
    /// module), then the user's file, in source order.
    pub fns: Vec<TFn>,
    /// The defaults of the user's file (`#![relax(..)]`).
    pub file_attrs: SiteAttrs,
}

impl TProgram {
    /// The user's function called `name` (stdlib functions are not entry
    /// points; the first definition wins if there are several overloads).
    pub fn fn_by_name(&self, name: &str) -> Option<FnId> {
        self.fns
            .iter()
            .position(|f| f.name == name && f.origin == FnOrigin::User)
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
    /// Whether the user wrote it or it comes from the stdlib.
    pub origin: FnOrigin,
}

/// Where a function is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FnOrigin {
    User,
    /// `stdlib/<module>.dsl` (the prelude is `prelude`).
    Stdlib(String),
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
    /// `while cond { body }`; `bound` from `#[bound(N)]`.
    While {
        cond: Box<TExpr>,
        body: TBlock,
        bound: Option<u64>,
    },
    Expr(TExpr),
    /// A statement with smoothing attributes (`#[hard] if .. { }`).
    Attributed {
        attrs: SiteAttrs,
        stmt: Box<TStmt>,
    },
}

/// The builtins that lower to IR directly. (`min`, `max`, `abs`, `sort`,
/// `argmax`, ... are functions of `stdlib/prelude.dsl`, written in the
/// language.) Unary math builtins apply elementwise to arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `sum(real array) -> real`, all elements.
    Sum,
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tanh,
    /// `1 / (1 + e^-x)`
    Sigmoid,
    /// `log(1 + e^x)`
    Softplus,
    /// `pow(real, real) -> real`
    Pow,
    /// `floor(real) -> int`
    Floor,
    /// `ceil(real) -> int`
    Ceil,
    /// `round(real) -> int`, halves away from zero.
    Round,
    /// `real(int) -> real`
    Real,
    /// `len(array)`, `len(array, dim)` (dim an int literal) -> int.
    Len,
    /// `soft_sort(real[n]) -> real[n]`: ascending sort; relaxed, the
    /// isotonic-regression soft sort (L2) with strength tau.
    SoftSort,
    /// `soft_rank(real[n]) -> real[n]`: 1-based ascending ranks; relaxed,
    /// the isotonic-regression soft rank (L2).
    SoftRank,
    /// As `SoftSort`, with entropic (KL) regularization when relaxed.
    SoftSortKl,
    /// As `SoftRank`, with entropic (KL) regularization when relaxed.
    SoftRankKl,
    /// `argmax(real[n]) -> int`: the index of the largest element, the
    /// first on ties; relaxed, a soft index with weights `softmax(x / tau)`.
    Argmax,
    /// `argmin(real[n]) -> int`: as `Argmax` for the smallest element;
    /// relaxed, weights `softmax(-x / tau)`.
    Argmin,
    /// `zeros(n)`, `zeros(n, m)`: the dimensions are in the expression's type;
    /// no arguments are kept.
    Zeros,
    /// `fill(n, v)`, `fill(n, m, v)`: the dimensions are in the type; the one
    /// argument kept is the value.
    Fill,
}

impl Builtin {
    /// The real-to-real math builtins, which also apply elementwise to real
    /// arrays (`exp` to `softplus`).
    pub fn is_elementwise_math(self) -> bool {
        matches!(
            self,
            Builtin::Exp
                | Builtin::Log
                | Builtin::Sqrt
                | Builtin::Sin
                | Builtin::Cos
                | Builtin::Tanh
                | Builtin::Sigmoid
                | Builtin::Softplus
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sum => "sum",
            Builtin::Exp => "exp",
            Builtin::Log => "log",
            Builtin::Sqrt => "sqrt",
            Builtin::Sin => "sin",
            Builtin::Cos => "cos",
            Builtin::Tanh => "tanh",
            Builtin::Sigmoid => "sigmoid",
            Builtin::Softplus => "softplus",
            Builtin::Pow => "pow",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Round => "round",
            Builtin::Real => "real",
            Builtin::Len => "len",
            Builtin::SoftSort => "soft_sort",
            Builtin::SoftRank => "soft_rank",
            Builtin::SoftSortKl => "soft_sort_kl",
            Builtin::SoftRankKl => "soft_rank_kl",
            Builtin::Argmax => "argmax",
            Builtin::Argmin => "argmin",
            Builtin::Zeros => "zeros",
            Builtin::Fill => "fill",
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
    /// The value of a size as an `int`: `len(a)`, `len(a, 1)`.
    SizeValue(Size),
    Unary(UnaryOp, Box<TExpr>),
    /// On scalars, both operands have the same type. Arithmetic (`+ - * /`,
    /// `%` on ints) also works elementwise on arrays of the same shape, or
    /// an array and a scalar of its element type (broadcast); the expression
    /// then has the array's type. `Unary(Neg, array)` is elementwise too.
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
    /// `[body for var in lo..hi]`: `lo` and `hi` are ints whose values are
    /// sizes; the first dimension of the type is `hi - lo`, the rest is the
    /// body's shape when the body is an array (nested comprehensions give
    /// 2-D arrays). Element `k` is the body with `var = lo + k`.
    Comprehension {
        var: LocalId,
        lo: Box<TExpr>,
        hi: Box<TExpr>,
        body: Box<TExpr>,
    },
    /// An expression with smoothing attributes.
    Attributed {
        attrs: SiteAttrs,
        expr: Box<TExpr>,
    },
    If {
        cond: Box<TExpr>,
        then_block: TBlock,
        else_block: Option<TBlock>,
    },
    Block(TBlock),
}
