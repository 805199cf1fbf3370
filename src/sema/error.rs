//! The errors `sema` reports: spans and data only, no text.
//!
//! `diagnostics` turns each variant into a message. Types appear as
//! [`TypeDesc`], a type whose size variables are already replaced by their
//! names, so the renderer needs no access to the function they belong to.

use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::syntax::span::Span;

use super::tast::{Builtin, LocalKind, Scalar};

/// One array dimension as the user wrote or would read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SizeDesc {
    Const(i64),
    Named(String),
}

/// A type with size variables resolved to their names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeDesc {
    Scalar(Scalar),
    Array { elem: Scalar, dims: Vec<SizeDesc> },
    Unit,
}

/// Where a value of the wrong type was found; selects the wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MismatchSite {
    /// `let x: T = value`
    LetInit,
    /// `x = value`, `x[i] = value`, `x += value`
    Assign,
    /// Argument `index` (0-based) of a call of `callee`.
    Argument { callee: String, index: usize },
    /// The tail of the function body against the declared result type.
    FnResult { fn_name: String, ret_span: Span },
    /// An element of an array literal against the first element's type.
    ArrayElement,
    /// The bound of a `for` loop.
    LoopBound,
}

/// Which kind of statement-position block may not produce a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDiscardSite {
    /// The block of an `if` without `else`.
    IfWithoutElse,
    /// The body of a `for` loop.
    ForBody,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SemaError {
    /// A variable name that is not in scope.
    UnknownVariable {
        span: Span,
        name: String,
        /// A name in scope within a small edit distance.
        suggestion: Option<String>,
        /// The name is a function, so the user probably meant to call it.
        is_function: bool,
    },
    /// A call of a name that is neither a function nor a builtin.
    UnknownFunction {
        span: Span,
        name: String,
        suggestion: Option<String>,
    },
    DuplicateFunction {
        span: Span,
        name: String,
        first: Span,
    },
    /// A user function named like a builtin.
    BuiltinRedefined {
        span: Span,
        name: String,
    },
    DuplicateParam {
        span: Span,
        name: String,
        first: Span,
    },
    /// A size name in a result or `let` type that no parameter binds.
    UnboundSize {
        span: Span,
        name: String,
        fn_name: String,
    },
    /// Assignment to a `let` without `mut`, a parameter or a loop variable.
    AssignToImmutable {
        span: Span,
        name: String,
        kind: LocalKind,
        binding: Span,
    },
    /// A value of one type where another was required.
    TypeMismatch {
        span: Span,
        expected: TypeDesc,
        found: TypeDesc,
        site: MismatchSite,
    },
    /// Array types with the same element type but different sizes.
    SizeMismatch {
        span: Span,
        expected: TypeDesc,
        found: TypeDesc,
        site: MismatchSite,
        /// For call arguments: the size variable of the callee and the
        /// argument that bound it to the expected size.
        bound_by: Option<(String, Span)>,
    },
    /// A binary operator applied to operand types it does not accept.
    BinaryOperands {
        span: Span,
        op: BinaryOp,
        lhs: TypeDesc,
        lhs_span: Span,
        rhs: TypeDesc,
        rhs_span: Span,
    },
    /// A unary operator applied to an operand type it does not accept.
    UnaryOperand {
        span: Span,
        op: UnaryOp,
        found: TypeDesc,
    },
    /// `+ - * / %` or unary `-` with an array operand.
    ArrayArithmetic {
        span: Span,
        /// The operator's symbol: `+`, `-`, `*`, `/`, `%` or unary `-`.
        op: &'static str,
        array_span: Span,
        array: TypeDesc,
    },
    /// The condition of an `if` is not `bool`.
    ConditionNotBool {
        span: Span,
        found: TypeDesc,
    },
    /// The two branches of an `if`/`else` have different types.
    IfBranchMismatch {
        span: Span,
        then_ty: TypeDesc,
        then_span: Span,
        else_ty: TypeDesc,
        else_span: Span,
    },
    /// An expression without a value (an `if` without `else`, a block without
    /// a tail) where a value is needed.
    NoValue {
        span: Span,
        is_if_without_else: bool,
    },
    /// A block in statement position ends with a value that would be lost.
    ValueDiscarded {
        span: Span,
        found: TypeDesc,
        site: ValueDiscardSite,
    },
    /// Indexing something that is not an array.
    IndexNonArray {
        span: Span,
        found: TypeDesc,
    },
    /// An index that is not an `int`.
    IndexNotInt {
        span: Span,
        found: TypeDesc,
    },
    /// Not one index per dimension.
    WrongIndexCount {
        span: Span,
        array: TypeDesc,
        expected: usize,
        found: usize,
    },
    EmptyArrayLiteral {
        span: Span,
    },
    /// An array literal element that is itself an array (or has no value).
    ArrayElementNotScalar {
        span: Span,
        found: TypeDesc,
    },
    /// The function body ends without a value.
    MissingTail {
        fn_name: String,
        /// The closing brace of the body.
        body_end: Span,
        ret: TypeDesc,
        ret_span: Span,
        /// The last statement is `expr;` whose expression has the result
        /// type: removing the `;` fixes the error.
        trailing_semicolon: Option<Span>,
    },
    WrongArity {
        span: Span,
        callee: String,
        expected: usize,
        found: usize,
        /// The callee's definition, for user functions.
        definition: Option<Span>,
        /// The callee, for builtins.
        builtin: Option<Builtin>,
    },
    /// A builtin called with an argument of a type it does not accept.
    BuiltinArgument {
        span: Span,
        builtin: Builtin,
        found: TypeDesc,
    },
    /// Expressions or blocks nested deeper than the checker supports
    /// (reported once per function, at the first construct too deep).
    NestingTooDeep {
        span: Span,
        limit: usize,
    },
    /// A call that closes a cycle in the call graph.
    Recursion {
        span: Span,
        /// The functions of the cycle, starting and ending with the caller.
        cycle: Vec<String>,
    },
}

impl SemaError {
    /// The primary span, for ordering errors by position.
    pub fn span(&self) -> Span {
        match self {
            SemaError::UnknownVariable { span, .. }
            | SemaError::UnknownFunction { span, .. }
            | SemaError::DuplicateFunction { span, .. }
            | SemaError::BuiltinRedefined { span, .. }
            | SemaError::DuplicateParam { span, .. }
            | SemaError::UnboundSize { span, .. }
            | SemaError::AssignToImmutable { span, .. }
            | SemaError::TypeMismatch { span, .. }
            | SemaError::SizeMismatch { span, .. }
            | SemaError::BinaryOperands { span, .. }
            | SemaError::UnaryOperand { span, .. }
            | SemaError::ArrayArithmetic { span, .. }
            | SemaError::ConditionNotBool { span, .. }
            | SemaError::IfBranchMismatch { span, .. }
            | SemaError::NoValue { span, .. }
            | SemaError::ValueDiscarded { span, .. }
            | SemaError::IndexNonArray { span, .. }
            | SemaError::IndexNotInt { span, .. }
            | SemaError::WrongIndexCount { span, .. }
            | SemaError::EmptyArrayLiteral { span }
            | SemaError::ArrayElementNotScalar { span, .. }
            | SemaError::WrongArity { span, .. }
            | SemaError::BuiltinArgument { span, .. }
            | SemaError::NestingTooDeep { span, .. }
            | SemaError::Recursion { span, .. } => *span,
            SemaError::MissingTail { body_end, .. } => *body_end,
        }
    }
}
