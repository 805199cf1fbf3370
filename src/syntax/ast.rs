//! The surface syntax tree, exactly as the parser builds it.
//!
//! Grammar actions only construct these nodes; every check (names, types,
//! sizes, mutability) happens later in `sema`. Every node carries the
//! [`Span`] of the text it was parsed from.

use super::span::Span;

/// One parsed source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// `#![relax(..)]` at the top of the file: the file's defaults.
    pub inner_attrs: Vec<Attribute>,
    /// `use NAME;` items, in source order.
    pub uses: Vec<UseItem>,
    pub items: Vec<FnDef>,
}

/// `use NAME;`: loads `stdlib/NAME.dsl`.
#[derive(Clone, Debug, PartialEq)]
pub struct UseItem {
    pub name: Ident,
    /// From `use` to `;`.
    pub span: Span,
}

/// `#[name]` or `#[name(args)]` before a statement or expression, or
/// `#![name(args)]` at the top of a file. Only syntax: `sema` validates
/// names, keys and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    /// `None` for `#[name]`, `Some` (possibly empty) for `#[name(..)]`.
    pub args: Option<Vec<AttrArg>>,
    /// From `#[` (or `#![`) to `]`.
    pub span: Span,
}

/// One argument of an attribute: a bare word (`cauchy`), a literal (`64`
/// in `#[bound(64)]`) or `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrArg {
    Word(Ident),
    Value(AttrValue),
    KeyValue {
        key: Ident,
        value: AttrValue,
        /// From the key to the end of the value.
        span: Span,
    },
}

impl AttrArg {
    pub fn span(&self) -> Span {
        match self {
            AttrArg::Word(word) => word.span,
            AttrArg::Value(value) => value.span,
            AttrArg::KeyValue { span, .. } => *span,
        }
    }
}

/// The literal value of `key = value` in an attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrValue {
    pub kind: AttrValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttrValueKind {
    Str(String),
    Int(i64),
    Real(f64),
}

/// A name as written, with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `/// docs` `fn name(params) -> ret { body }`
#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: TypeExpr,
    pub body: Block,
    /// The lines of the `///` comment before the function, without the `///`.
    pub docs: Vec<String>,
    /// From `fn` to the closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Real,
    Int,
    Bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    Scalar(ScalarKind),
    /// `real[n]`, `real[n, m]`: element type and one size per dimension.
    Array {
        elem: ScalarKind,
        dims: Vec<SizeExpr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

/// A size in a type: a name bound from an argument's shape, a literal, or
/// (in result and `let` types) `+ - *` of those: `real[n - 1]`.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeExpr {
    Name(Ident),
    Lit {
        value: i64,
        span: Span,
    },
    Binary {
        op: SizeOp,
        lhs: Box<SizeExpr>,
        rhs: Box<SizeExpr>,
        span: Span,
    },
}

/// The operators of size arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeOp {
    Add,
    Sub,
    Mul,
}

impl SizeOp {
    pub fn symbol(self) -> &'static str {
        match self {
            SizeOp::Add => "+",
            SizeOp::Sub => "-",
            SizeOp::Mul => "*",
        }
    }
}

impl SizeExpr {
    pub fn span(&self) -> Span {
        match self {
            SizeExpr::Name(ident) => ident.span,
            SizeExpr::Lit { span, .. } | SizeExpr::Binary { span, .. } => *span,
        }
    }
}

/// `{ stmt; stmt; tail }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The final expression without a semicolon, the block's value.
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let [mut] name [: ty] = init;`
    Let {
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        init: Expr,
    },
    /// `target op value;`
    Assign {
        target: Place,
        op: AssignOp,
        value: Expr,
    },
    /// `for var in lo..hi { body }`
    For {
        var: Ident,
        lo: Expr,
        hi: Expr,
        body: Block,
    },
    /// `while cond { body }`
    While { cond: Expr, body: Block },
    /// An expression used as a statement: `if` without a value, a call, or
    /// `expr;`.
    Expr(Expr),
    /// `#[attr] stmt`: attributes before a statement (a `#[bound(N)]`
    /// before a `while` among them).
    Attributed {
        attrs: Vec<Attribute>,
        stmt: Box<Stmt>,
    },
}

/// The left side of an assignment: `x` or `x[i]` or `x[i, j]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub name: Ident,
    pub indices: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal with a decimal point or exponent: `1.0`, `2e-3`.
    Real(f64),
    /// A literal without one: `3`.
    Int(i64),
    Bool(bool),
    Var(Ident),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `name(args)`: a user function or a builtin.
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    /// `base[i]`, `base[i, j]`.
    Index {
        base: Box<Expr>,
        indices: Vec<Expr>,
    },
    /// `[a, b, c]`
    ArrayLit(Vec<Expr>),
    /// `[body for var in lo..hi]`
    Comprehension {
        body: Box<Expr>,
        var: Ident,
        lo: Box<Expr>,
        hi: Box<Expr>,
    },
    /// `#[attr] expr` inside an expression (`let k = #[hard] argmax(x);`).
    Attributed {
        attrs: Vec<Attribute>,
        expr: Box<Expr>,
    },
    /// `if cond { .. } else { .. }`; `else_block` is `None` when absent
    /// (`else if` is parsed as an `else` block whose tail is an `if`).
    If {
        cond: Box<Expr>,
        then_block: Block,
        else_block: Option<Block>,
    },
    /// `{ stmts; tail }` in expression position.
    Block(Block),
}
