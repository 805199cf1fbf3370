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
    /// Size arithmetic, already written out: `n - 1`, `2 * n`.
    Expr(String),
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
    /// The body of a `while` loop.
    WhileBody,
}

/// The construct whose condition must be a `bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionSite {
    If,
    While,
}

/// Where a size expression (size names, int literals, `+ - *`) is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeSite {
    /// A bound of a comprehension `[e for i in lo..hi]`.
    ComprehensionBound,
    /// A dimension argument of `zeros` or `fill`.
    BuiltinDimension(Builtin),
}

/// A candidate of an overloaded call: its signature and definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// Parameter names and types.
    pub params: Vec<(String, TypeDesc)>,
    /// `None` if the written result type did not resolve.
    pub ret: Option<TypeDesc>,
    /// The name in the definition.
    pub span: Span,
    /// `Some(module)` for a stdlib function.
    pub stdlib_module: Option<String>,
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
    /// Two functions with one name and the same parameter types (scalar
    /// kinds and ranks).
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
    /// The condition of an `if` or `while` is not `bool`.
    ConditionNotBool {
        span: Span,
        found: TypeDesc,
        site: ConditionSite,
    },
    /// Elementwise arithmetic on two arrays of different shapes.
    ElementwiseShape {
        span: Span,
        op: BinaryOp,
        lhs: TypeDesc,
        lhs_span: Span,
        rhs: TypeDesc,
        rhs_span: Span,
    },
    /// An array combined with a scalar that is not of its element type.
    BroadcastElement {
        span: Span,
        op: BinaryOp,
        array: TypeDesc,
        array_span: Span,
        scalar: TypeDesc,
        scalar_span: Span,
    },
    /// Something other than a size expression where a size is needed.
    NotASize {
        /// The offending part of the expression.
        span: Span,
        site: SizeSite,
        /// When the offending part is a variable: its name.
        variable: Option<String>,
    },
    /// A size that is a negative constant.
    NegativeSize {
        span: Span,
        value: i64,
    },
    /// Size arithmetic (`real[n - 1]`) in a parameter type.
    SizeArithmeticInParam {
        span: Span,
        fn_name: String,
    },
    /// `len(a, d)` with `d` not an int literal below the rank of `a`.
    LenDimension {
        span: Span,
        array: TypeDesc,
        /// The literal, or `None` if `d` is not an int literal.
        found: Option<i64>,
    },
    /// Several overloads match the arguments equally well.
    AmbiguousCall {
        span: Span,
        name: String,
        args: Vec<TypeDesc>,
        candidates: Vec<Candidate>,
    },
    /// No overload of an overloaded name matches the arguments.
    NoMatchingOverload {
        span: Span,
        name: String,
        args: Vec<TypeDesc>,
        candidates: Vec<Candidate>,
    },
    /// `use NAME;` with no `stdlib/NAME.dsl`.
    UnknownModule {
        span: Span,
        name: String,
        available: Vec<String>,
        suggestion: Option<String>,
    },
    /// `#[name]` with a name that is not an attribute.
    UnknownAttribute {
        span: Span,
        name: String,
        /// The attributes allowed at this place.
        valid: Vec<&'static str>,
        suggestion: Option<String>,
    },
    /// A family name that `FamilyName` does not know.
    UnknownFamily {
        span: Span,
        name: String,
        suggestion: Option<String>,
    },
    /// `key = value` with a key the attribute does not take.
    UnknownAttributeKey {
        span: Span,
        attr: String,
        key: String,
        valid: Vec<&'static str>,
    },
    /// A value of the wrong kind, or a string that is not one of the choices.
    InvalidAttributeValue {
        span: Span,
        attr: String,
        key: String,
        found: String,
        /// The accepted values, as they are written.
        valid: Vec<String>,
    },
    /// `scale = s` with `s <= 0`.
    ScaleNotPositive {
        span: Span,
    },
    /// `#[bound(N)]` with `N <= 0`.
    BoundNotPositive {
        span: Span,
    },
    /// `#[bound(N)]` anywhere but before a `while`.
    BoundMisplaced {
        span: Span,
        /// What it stands before: "a `for` loop", "an expression", "the file".
        target: &'static str,
    },
    /// Two attributes of one site ask for different modes.
    ConflictingModes {
        span: Span,
        first: Span,
        first_name: String,
        second_name: String,
    },
    /// The same attribute, family or key twice on one site.
    DuplicateAttribute {
        span: Span,
        what: String,
        first: Span,
    },
    /// Arguments an attribute does not take (`#[hard(x)]`, `#[bound]`).
    AttributeArguments {
        span: Span,
        attr: String,
        /// The form it takes: "`#[hard]`", "`#[bound(N)]`", ...
        usage: &'static str,
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
            | SemaError::ConditionNotBool { span, .. }
            | SemaError::ElementwiseShape { span, .. }
            | SemaError::BroadcastElement { span, .. }
            | SemaError::NotASize { span, .. }
            | SemaError::NegativeSize { span, .. }
            | SemaError::SizeArithmeticInParam { span, .. }
            | SemaError::LenDimension { span, .. }
            | SemaError::AmbiguousCall { span, .. }
            | SemaError::NoMatchingOverload { span, .. }
            | SemaError::UnknownModule { span, .. }
            | SemaError::UnknownAttribute { span, .. }
            | SemaError::UnknownFamily { span, .. }
            | SemaError::UnknownAttributeKey { span, .. }
            | SemaError::InvalidAttributeValue { span, .. }
            | SemaError::ScaleNotPositive { span }
            | SemaError::BoundNotPositive { span }
            | SemaError::BoundMisplaced { span, .. }
            | SemaError::ConflictingModes { span, .. }
            | SemaError::DuplicateAttribute { span, .. }
            | SemaError::AttributeArguments { span, .. }
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
