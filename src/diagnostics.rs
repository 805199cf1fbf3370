//! User-facing messages: the only module that writes them and the only one
//! that uses codespan-reporting's diagnostic types.
//!
//! Each phase's error enum holds spans and data; [`IntoDiagnostics`] turns it
//! into [`Diagnostic`]s and [`render`] prints them without colour.
//!
//! Style: a lowercase primary message naming the construct, a stable code
//! (`E01xx` syntax, `E02xx` names and calls, `E03xx` types and sizes), a
//! primary label on the offending span, secondary labels on related spans,
//! notes as full sentences, and a `help:` note with a concrete fix.

pub mod pipeline;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::term::{self, Config};

use crate::sema::tast::{Builtin, LocalKind, Scalar};
use crate::sema::{MismatchSite, SemaError, SizeDesc, TypeDesc, ValueDiscardSite};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::syntax::lexer::{LexError, LexErrorKind};
use crate::syntax::parser::SyntaxError;
use crate::syntax::span::{FileId, SourceMap, Span};

/// Conversion of a phase's errors into diagnostics.
pub trait IntoDiagnostics {
    fn into_diagnostics(self) -> Vec<Diagnostic<FileId>>;
}

impl<T: IntoDiagnostics> IntoDiagnostics for Vec<T> {
    fn into_diagnostics(self) -> Vec<Diagnostic<FileId>> {
        self.into_iter()
            .flat_map(IntoDiagnostics::into_diagnostics)
            .collect()
    }
}

/// Renders diagnostics as plain text (no colour), one after another.
///
/// A diagnostic whose span does not fit its file (which would be a compiler
/// bug) is rendered without source snippets rather than dropped.
pub fn render(files: &SourceMap, diagnostics: &[Diagnostic<FileId>]) -> String {
    let config = Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        match term::emit_into_string(&config, files, diagnostic) {
            Ok(text) => out.push_str(&text),
            Err(_) => {
                let mut bare = diagnostic.clone();
                bare.labels.clear();
                if let Ok(text) = term::emit_into_string(&config, files, &bare) {
                    out.push_str(&text);
                }
            }
        }
    }
    out
}

fn primary(span: Span) -> Label<FileId> {
    Label::primary(span.file, span.range())
}

fn secondary(span: Span) -> Label<FileId> {
    Label::secondary(span.file, span.range())
}

fn help(text: impl AsRef<str>) -> String {
    format!("help: {}", text.as_ref())
}

// ---------------------------------------------------------------- describing types

fn scalar_name(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::Real => "real",
        Scalar::Int => "int",
        Scalar::Bool => "bool",
    }
}

fn size_text(size: &SizeDesc) -> String {
    match size {
        SizeDesc::Const(value) => value.to_string(),
        SizeDesc::Named(name) => name.clone(),
    }
}

/// A type as written in source, e.g. `real[n, 3]`, or `()` for no value.
fn type_text(ty: &TypeDesc) -> String {
    match ty {
        TypeDesc::Scalar(scalar) => scalar_name(*scalar).to_string(),
        TypeDesc::Unit => "()".to_string(),
        TypeDesc::Array { elem, dims } => {
            let dims: Vec<String> = dims.iter().map(size_text).collect();
            format!("{}[{}]", scalar_name(*elem), dims.join(", "))
        }
    }
}

/// `` `real` `` with backticks.
fn ty(ty: &TypeDesc) -> String {
    format!("`{}`", type_text(ty))
}

fn is_int_real_mix(a: &TypeDesc, b: &TypeDesc) -> bool {
    matches!(
        (a, b),
        (
            TypeDesc::Scalar(Scalar::Int),
            TypeDesc::Scalar(Scalar::Real)
        ) | (
            TypeDesc::Scalar(Scalar::Real),
            TypeDesc::Scalar(Scalar::Int)
        )
    )
}

const NO_CONVERSIONS: &str = "There are no implicit conversions between `int` and `real`; only an int literal such as `2` is read as a real where a real is expected.";

fn ordinal(index: usize) -> String {
    let n = index + 1;
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

// ---------------------------------------------------------------- syntax errors

/// Terminal names that are token classes rather than literal text.
const TOKEN_CLASSES: [&str; 4] = ["identifier", "int literal", "real literal", "doc comment"];

/// Terminals that can start an expression; when all are expected, the list
/// says "an expression" instead.
const EXPRESSION_STARTS: [&str; 11] = [
    "!",
    "(",
    "-",
    "[",
    "false",
    "identifier",
    "if",
    "int literal",
    "real literal",
    "true",
    "{",
];

/// Binary operators; when all are expected, the list says "an operator".
const BINARY_OPERATORS: [&str; 13] = [
    "!=", "%", "&&", "*", "+", "-", "/", "<", "<=", "==", ">", ">=", "||",
];

/// Assignment operators; when all are expected, the list says so.
const ASSIGNMENT_OPERATORS: [&str; 5] = ["*=", "+=", "-=", "/=", "="];

/// A readable list of expected terminals: groups summarized, the rest in
/// backticks (token classes without).
fn expected_text(expected: &[String]) -> String {
    let mut remaining: Vec<&str> = expected.iter().map(String::as_str).collect();
    let mut names: Vec<String> = Vec::new();
    for (group, summary) in [
        (&EXPRESSION_STARTS[..], "an expression"),
        (&BINARY_OPERATORS[..], "an operator"),
        (&ASSIGNMENT_OPERATORS[..], "an assignment operator"),
    ] {
        if group.iter().all(|name| remaining.contains(name)) {
            remaining.retain(|name| !group.contains(name));
            names.push(summary.to_string());
        }
    }
    names.extend(remaining.iter().map(|name| {
        if TOKEN_CLASSES.contains(name) {
            name.to_string()
        } else {
            format!("`{name}`")
        }
    }));
    let summarized = names.first().is_some_and(|name| name.starts_with("an "));
    match names.as_slice() {
        [] => "nothing more".to_string(),
        [one] => one.clone(),
        [init @ .., last] if summarized => format!("{} or {last}", init.join(", ")),
        [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
    }
}

fn lex_diagnostic(error: LexError) -> Diagnostic<FileId> {
    let span = error.span;
    match error.kind {
        LexErrorKind::InvalidCharacter => Diagnostic::error()
            .with_code("E0101")
            .with_message("invalid character")
            .with_labels(vec![
                primary(span).with_message("this character is not part of the language"),
            ])
            .with_notes(vec![help(
                "delete it; names use letters, digits and `_`, and comments start with `//`",
            )]),
        LexErrorKind::IntOutOfRange => Diagnostic::error()
            .with_code("E0102")
            .with_message("int literal out of range")
            .with_labels(vec![
                primary(span).with_message("does not fit in a 64-bit int"),
            ])
            .with_notes(vec![
                format!("An int literal can be at most {}.", i64::MAX),
                help("if a large number is intended, write it as a real literal, e.g. `1e20`"),
            ]),
        LexErrorKind::RealOutOfRange => Diagnostic::error()
            .with_code("E0103")
            .with_message("real literal out of range")
            .with_labels(vec![
                primary(span).with_message("too large for a 64-bit float"),
            ])
            .with_notes(vec![
                "The largest finite real is about 1.8e308.".to_string(),
                help("use a smaller value"),
            ]),
    }
}

impl IntoDiagnostics for SyntaxError {
    fn into_diagnostics(self) -> Vec<Diagnostic<FileId>> {
        let diagnostic = match self {
            SyntaxError::Lex(error) => lex_diagnostic(error),
            SyntaxError::UnexpectedToken {
                span,
                found,
                expected,
            } => {
                let fix = if found == "doc comment" {
                    "doc comments (`///`) may only stand before a `fn`; use `//` for an ordinary comment".to_string()
                } else if expected.iter().any(|name| name == "identifier")
                    && expected.iter().any(|name| name == "real literal")
                {
                    format!("write the missing expression before this {found}, e.g. `x` or `1.0`")
                } else if let [only] = expected.as_slice() {
                    format!("insert {} before this {found}", expected_text(std::slice::from_ref(only)))
                } else if expected.iter().any(|name| name == ";") {
                    format!("if the statement should end here, insert `;` before this {found}")
                } else {
                    format!("write {} here, or remove this {found}", expected_text(&expected))
                };
                Diagnostic::error()
                    .with_code("E0104")
                    .with_message(format!("unexpected {found}"))
                    .with_labels(vec![primary(span).with_message(format!("expected {}", expected_text(&expected)))])
                    .with_notes(vec![help(fix)])
            }
            SyntaxError::UnexpectedEof { span, expected } => {
                let fix = if expected.iter().any(|name| name == "}") {
                    "a block is still open; add the missing `}`".to_string()
                } else {
                    format!("complete the construct with {}", expected_text(&expected))
                };
                Diagnostic::error()
                    .with_code("E0105")
                    .with_message("unexpected end of file")
                    .with_labels(vec![primary(span).with_message(format!(
                        "the file ends here, but {} was expected",
                        expected_text(&expected)
                    ))])
                    .with_notes(vec![help(fix)])
            }
            SyntaxError::ExtraToken { span, found } => Diagnostic::error()
                .with_code("E0106")
                .with_message(format!("unexpected {found} after the last item"))
                .with_labels(vec![primary(span).with_message("only `fn` items may appear at the top level")])
                .with_notes(vec![help("remove it, or move it into a function body")]),
            SyntaxError::InvalidAssignTarget { span } => Diagnostic::error()
                .with_code("E0107")
                .with_message("invalid assignment target")
                .with_labels(vec![primary(span).with_message("cannot assign to this expression")])
                .with_notes(vec![
                    "Only a variable (`x = ...`) or an element of an array variable (`x[i] = ...`) can be assigned.".to_string(),
                    help("store the value in a `let mut` variable and assign to that"),
                ]),
            SyntaxError::FileTooLarge { file, len } => Diagnostic::error()
                .with_code("E0108")
                .with_message(format!("source file too large ({len} bytes)"))
                .with_labels(vec![Label::primary(file, 0..0)])
                .with_notes(vec![help("split the program into files smaller than 4 GiB")]),
        };
        vec![diagnostic]
    }
}

// ---------------------------------------------------------------- semantic errors

fn mismatch_diagnostic(
    code: &str,
    span: Span,
    expected: &TypeDesc,
    found: &TypeDesc,
    site: &MismatchSite,
    is_size: bool,
) -> Diagnostic<FileId> {
    let what = if is_size {
        "size mismatch"
    } else {
        "mismatched types"
    };
    let (message, fix, extra_label) = match site {
        MismatchSite::LetInit => (
            format!("{what} in `let`"),
            format!(
                "change the annotation to {}, or give a value of type {}",
                ty(found),
                ty(expected)
            ),
            None,
        ),
        MismatchSite::Assign => (
            format!("{what} in assignment"),
            format!(
                "assign a value of type {}, or bind the new value with its own `let`",
                ty(expected)
            ),
            None,
        ),
        MismatchSite::Argument { callee, index } => (
            format!("{what} in the {} argument of `{callee}`", ordinal(*index)),
            format!("pass a value of type {}", ty(expected)),
            None,
        ),
        MismatchSite::FnResult { fn_name, ret_span } => (
            format!("{what} in the result of `{fn_name}`"),
            format!(
                "produce a value of type {}, or change the result type to {}",
                ty(expected),
                ty(found)
            ),
            Some(secondary(*ret_span).with_message(format!("the result type is {}", ty(expected)))),
        ),
        MismatchSite::ArrayElement => (
            format!("{what} in array literal"),
            format!("make every element a {}", ty(expected)),
            None,
        ),
        MismatchSite::LoopBound => (
            format!("{what} in `for` loop bound"),
            "use an `int` bound, such as `len(x)` or a size name".to_string(),
            None,
        ),
    };
    let mut labels =
        vec![primary(span).with_message(format!("expected {}, found {}", ty(expected), ty(found)))];
    labels.extend(extra_label);
    let mut notes = Vec::new();
    if is_int_real_mix(expected, found) {
        notes.push(NO_CONVERSIONS.to_string());
    }
    if is_size && has_named_and_const(expected, found) {
        notes.push(
            "Sizes are checked at compile time: a size name and a literal size differ even if they are equal at run time."
                .to_string(),
        );
    }
    notes.push(help(fix));
    Diagnostic::error()
        .with_code(code)
        .with_message(message)
        .with_labels(labels)
        .with_notes(notes)
}

fn has_named_and_const(a: &TypeDesc, b: &TypeDesc) -> bool {
    let (TypeDesc::Array { dims: dims_a, .. }, TypeDesc::Array { dims: dims_b, .. }) = (a, b)
    else {
        return false;
    };
    dims_a.iter().zip(dims_b).any(|pair| {
        matches!(
            pair,
            (SizeDesc::Named(_), SizeDesc::Const(_)) | (SizeDesc::Const(_), SizeDesc::Named(_))
        )
    })
}

fn binary_operands_fix(op: BinaryOp, lhs: &TypeDesc, rhs: &TypeDesc) -> String {
    match op {
        BinaryOp::And | BinaryOp::Or => format!(
            "`{}` combines two bools; turn numbers into bools with a comparison such as `x > 0.0`",
            op.symbol()
        ),
        BinaryOp::Rem => "`%` works on two ints; use int operands".to_string(),
        BinaryOp::Eq | BinaryOp::Ne => "compare two values of the same scalar type".to_string(),
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge => {
            if is_int_real_mix(lhs, rhs) {
                "use two reals or two ints: write real literals with a decimal point (`2.0`), or declare the int value as a real (`let x: real = ...`)".to_string()
            } else {
                format!("`{}` needs two reals or two ints", op.symbol())
            }
        }
    }
}

fn builtin_signature(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::Sum => "sum(real[n]) -> real",
        Builtin::Exp => "exp(real) -> real",
        Builtin::Log => "log(real) -> real",
        Builtin::Sqrt => "sqrt(real) -> real",
        Builtin::Len => "len(array) -> int",
        _ => todo!("issue 3 scaffold"),
    }
}

fn builtin_expects(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::Sum => "an array of reals",
        Builtin::Exp | Builtin::Log | Builtin::Sqrt => "a `real`",
        Builtin::Len => "an array",
        _ => todo!("issue 3 scaffold"),
    }
}

/// `a[i, j]` with one index name per dimension.
fn index_example(count: usize) -> String {
    const NAMES: [&str; 4] = ["i", "j", "k", "l"];
    let indices: Vec<String> = (0..count)
        .map(|index| {
            NAMES
                .get(index)
                .map_or_else(|| format!("i{index}"), |name| name.to_string())
        })
        .collect();
    format!("a[{}]", indices.join(", "))
}

impl IntoDiagnostics for SemaError {
    fn into_diagnostics(self) -> Vec<Diagnostic<FileId>> {
        let diagnostic = match self {
            SemaError::UnknownVariable {
                span,
                name,
                suggestion,
                is_function,
            } => {
                let fix = match (suggestion, is_function) {
                    (Some(similar), _) => format!("a variable with a similar name exists: `{similar}`"),
                    (None, true) => format!("`{name}` is a function; call it with `{name}(...)`"),
                    (None, false) => format!("declare it before this use, e.g. `let {name} = 0.0;`"),
                };
                Diagnostic::error()
                    .with_code("E0201")
                    .with_message(format!("unknown variable `{name}`"))
                    .with_labels(vec![primary(span).with_message("not found in this scope")])
                    .with_notes(vec![help(fix)])
            }
            SemaError::UnknownFunction {
                span,
                name,
                suggestion,
            } => {
                let fix = match suggestion {
                    Some(similar) => format!("a function with a similar name exists: `{similar}`"),
                    None => format!("define it with `fn {name}(...) -> real {{ ... }}`"),
                };
                Diagnostic::error()
                    .with_code("E0202")
                    .with_message(format!("unknown function `{name}`"))
                    .with_labels(vec![primary(span).with_message("no function or builtin has this name")])
                    .with_notes(vec![
                        "The builtins are `sum`, `exp`, `log`, `sqrt` and `len`.".to_string(),
                        help(fix),
                    ])
            }
            SemaError::DuplicateFunction { span, name, first } => Diagnostic::error()
                .with_code("E0203")
                .with_message(format!("function `{name}` is defined twice"))
                .with_labels(vec![
                    primary(span).with_message("second definition"),
                    secondary(first).with_message("first defined here"),
                ])
                .with_notes(vec![help("rename one of the two functions")]),
            SemaError::BuiltinRedefined { span, name } => Diagnostic::error()
                .with_code("E0204")
                .with_message(format!("function `{name}` has the name of a builtin"))
                .with_labels(vec![primary(span).with_message("builtins cannot be redefined")])
                .with_notes(vec![help(format!("rename it, e.g. `my_{name}`"))]),
            SemaError::DuplicateParam { span, name, first } => Diagnostic::error()
                .with_code("E0205")
                .with_message(format!("parameter `{name}` is declared twice"))
                .with_labels(vec![
                    primary(span).with_message("second declaration"),
                    secondary(first).with_message("first declared here"),
                ])
                .with_notes(vec![help("rename one of the parameters")]),
            SemaError::UnboundSize { span, name, fn_name } => Diagnostic::error()
                .with_code("E0206")
                .with_message(format!("size `{name}` is not bound by a parameter of `{fn_name}`"))
                .with_labels(vec![primary(span).with_message("unknown size")])
                .with_notes(vec![
                    "Sizes are bound from the shapes of the arguments, so a size name must appear in a parameter's type before a result or `let` type can use it.".to_string(),
                    help(format!(
                        "add a parameter whose type uses `{name}` (e.g. `x: real[{name}]`), or write a literal size"
                    )),
                ]),
            SemaError::AssignToImmutable {
                span,
                name,
                kind,
                binding,
            } => {
                let (binding_label, fix) = match kind {
                    LocalKind::Let => (
                        format!("`{name}` is declared here without `mut`"),
                        format!("declare it as mutable: `let mut {name}`"),
                    ),
                    LocalKind::Param => (
                        format!("`{name}` is a parameter, and parameters are immutable"),
                        format!("copy it into a mutable local first: `let mut {name} = {name};`"),
                    ),
                    LocalKind::LoopVar => (
                        format!("`{name}` is a loop variable, and loop variables are immutable"),
                        format!("copy it into a mutable local inside the loop: `let mut k = {name};`"),
                    ),
                };
                Diagnostic::error()
                    .with_code("E0207")
                    .with_message(format!("cannot assign to immutable `{name}`"))
                    .with_labels(vec![
                        primary(span).with_message("assignment to an immutable binding"),
                        secondary(binding).with_message(binding_label),
                    ])
                    .with_notes(vec![help(fix)])
            }
            SemaError::Recursion { span, cycle } => {
                let callee = cycle.get(1).cloned().unwrap_or_default();
                let caller = cycle.first().cloned().unwrap_or_default();
                let path: Vec<String> = cycle.iter().map(|name| format!("`{name}`")).collect();
                let label = if cycle.len() <= 2 {
                    format!("`{caller}` calls itself here")
                } else {
                    format!("this call closes the cycle {}", path.join(" -> "))
                };
                Diagnostic::error()
                    .with_code("E0208")
                    .with_message(format!("recursive call to `{callee}`"))
                    .with_labels(vec![primary(span).with_message(label)])
                    .with_notes(vec![
                        "Calls are inlined before smoothing, so a function may not call itself, directly or through other functions.".to_string(),
                        help("rewrite the recursion as a `for` loop"),
                    ])
            }
            SemaError::WrongArity {
                span,
                callee,
                expected,
                found,
                definition,
                builtin,
            } => {
                let mut labels = vec![primary(span).with_message(format!(
                    "expected {}, found {}",
                    plural(expected, "argument"),
                    found
                ))];
                let mut notes = Vec::new();
                if let Some(definition) = definition {
                    labels.push(secondary(definition).with_message(format!("`{callee}` is defined here")));
                }
                if let Some(builtin) = builtin {
                    notes.push(format!("The builtin `{callee}` has type `{}`.", builtin_signature(builtin)));
                }
                notes.push(help(format!("pass exactly {}", plural(expected, "argument"))));
                Diagnostic::error()
                    .with_code("E0209")
                    .with_message(format!("wrong number of arguments to `{callee}`"))
                    .with_labels(labels)
                    .with_notes(notes)
            }
            SemaError::BuiltinArgument { span, builtin, found } => Diagnostic::error()
                .with_code("E0210")
                .with_message(format!("mismatched argument type for `{}`", builtin.name()))
                .with_labels(vec![primary(span).with_message(format!(
                    "expected {}, found {}",
                    builtin_expects(builtin),
                    ty(&found)
                ))])
                .with_notes(vec![
                    format!("The builtin `{}` has type `{}`.", builtin.name(), builtin_signature(builtin)),
                    help(format!("pass {}", builtin_expects(builtin))),
                ]),
            SemaError::TypeMismatch {
                span,
                expected,
                found,
                site,
            } => mismatch_diagnostic("E0301", span, &expected, &found, &site, false),
            SemaError::SizeMismatch {
                span,
                expected,
                found,
                site,
                bound_by,
            } => {
                let mut diagnostic = mismatch_diagnostic("E0302", span, &expected, &found, &site, true);
                if let Some((name, bound_span)) = bound_by {
                    diagnostic
                        .labels
                        .push(secondary(bound_span).with_message(format!("this argument sets the size `{name}`")));
                }
                diagnostic
            }
            SemaError::BinaryOperands {
                span,
                op,
                lhs,
                lhs_span,
                rhs,
                rhs_span,
            } => {
                let mut notes = Vec::new();
                if is_int_real_mix(&lhs, &rhs) {
                    notes.push(NO_CONVERSIONS.to_string());
                }
                notes.push(help(binary_operands_fix(op, &lhs, &rhs)));
                Diagnostic::error()
                    .with_code("E0303")
                    .with_message(format!("invalid operand types for `{}`", op.symbol()))
                    .with_labels(vec![
                        primary(span),
                        secondary(lhs_span).with_message(format!("this is {}", ty(&lhs))),
                        secondary(rhs_span).with_message(format!("this is {}", ty(&rhs))),
                    ])
                    .with_notes(notes)
            }
            SemaError::UnaryOperand { span, op, found } => {
                let (symbol, needs, fix) = match op {
                    UnaryOp::Neg => ("-", "a `real` or an `int`", "negate a number; for a bool, use `!`"),
                    UnaryOp::Not => ("!", "a `bool`", "negate a number with `-`, or compare it first, e.g. `!(x > 0.0)`"),
                };
                Diagnostic::error()
                    .with_code("E0304")
                    .with_message(format!("invalid operand type for unary `{symbol}`"))
                    .with_labels(vec![primary(span).with_message(format!("`{symbol}` needs {needs}, found {}", ty(&found)))])
                    .with_notes(vec![help(fix)])
            }
            SemaError::ArrayArithmetic {
                span,
                op,
                array_span,
                array,
            } => Diagnostic::error()
                .with_code("E0305")
                .with_message("elementwise array arithmetic is not supported yet")
                .with_labels(vec![
                    primary(span),
                    secondary(array_span).with_message(format!("this is {}", ty(&array))),
                ])
                .with_notes(vec![help(format!(
                    "write a `for` loop over the elements, e.g. `let mut out = x; for i in 0..len(x) {{ out[i] = x[i] {op} y[i]; }}`"
                ))]),
            SemaError::ConditionNotBool { span, found } => {
                let fix = match found {
                    TypeDesc::Scalar(Scalar::Real) => "compare it explicitly, e.g. `x != 0.0`".to_string(),
                    TypeDesc::Scalar(Scalar::Int) => "compare it explicitly, e.g. `i != 0`".to_string(),
                    _ => "use a comparison, such as `x[0] > 0.0`, as the condition".to_string(),
                };
                Diagnostic::error()
                    .with_code("E0306")
                    .with_message("`if` condition is not a `bool`")
                    .with_labels(vec![primary(span).with_message(format!("expected `bool`, found {}", ty(&found)))])
                    .with_notes(vec![help(fix)])
            }
            SemaError::IfBranchMismatch {
                span: _,
                then_ty,
                then_span,
                else_ty,
                else_span,
            } => {
                let mut notes = Vec::new();
                if is_int_real_mix(&then_ty, &else_ty) {
                    notes.push(NO_CONVERSIONS.to_string());
                }
                notes.push(help("make both branches produce a value of the same type"));
                Diagnostic::error()
                    .with_code("E0307")
                    .with_message("`if` and `else` have different types")
                    .with_labels(vec![
                        primary(else_span).with_message(format!(
                            "expected {} like the `if` branch, found {}",
                            ty(&then_ty),
                            ty(&else_ty)
                        )),
                        secondary(then_span).with_message(format!("this is {}", ty(&then_ty))),
                    ])
                    .with_notes(notes)
            }
            SemaError::NoValue {
                span,
                is_if_without_else,
            } => {
                let notes = if is_if_without_else {
                    vec![
                        "An `if` without `else` is a statement and produces no value.".to_string(),
                        help("add an `else` branch that produces a value"),
                    ]
                } else {
                    vec![help("end the block with an expression, without `;`, to give it a value")]
                };
                Diagnostic::error()
                    .with_code("E0308")
                    .with_message("expression has no value")
                    .with_labels(vec![primary(span).with_message("a value is needed here")])
                    .with_notes(notes)
            }
            SemaError::ValueDiscarded { span, found, site } => {
                let (message, fix) = match site {
                    ValueDiscardSite::IfWithoutElse => (
                        "`if` without `else` cannot produce a value",
                        "add an `else` branch, or end this expression with `;`",
                    ),
                    ValueDiscardSite::ForBody => (
                        "`for` loop body cannot produce a value",
                        "end this expression with `;`, or assign its value to a variable",
                    ),
                };
                Diagnostic::error()
                    .with_code("E0309")
                    .with_message(message)
                    .with_labels(vec![primary(span).with_message(format!("this value of type {} would be lost", ty(&found)))])
                    .with_notes(vec![help(fix)])
            }
            SemaError::IndexNonArray { span, found } => Diagnostic::error()
                .with_code("E0310")
                .with_message(format!("cannot index a value of type {}", ty(&found)))
                .with_labels(vec![primary(span).with_message("this is not an array")])
                .with_notes(vec![help("only arrays can be indexed; remove the `[...]`")]),
            SemaError::IndexNotInt { span, found } => {
                let mut notes = Vec::new();
                if found == TypeDesc::Scalar(Scalar::Real) {
                    notes.push("There are no implicit conversions from `real` to `int`.".to_string());
                }
                notes.push(help("index with an `int`, such as a loop variable or a literal like `0`"));
                Diagnostic::error()
                    .with_code("E0311")
                    .with_message("array index is not an `int`")
                    .with_labels(vec![primary(span).with_message(format!("expected `int`, found {}", ty(&found)))])
                    .with_notes(notes)
            }
            SemaError::WrongIndexCount {
                span,
                array,
                expected,
                found,
            } => Diagnostic::error()
                .with_code("E0312")
                .with_message("wrong number of indices")
                .with_labels(vec![primary(span).with_message(format!(
                    "{} needs {}, found {}",
                    ty(&array),
                    plural(expected, "index").replace("indexs", "indices"),
                    found
                ))])
                .with_notes(vec![help(format!(
                    "write one index per dimension, e.g. `{}`",
                    index_example(expected)
                ))]),
            SemaError::EmptyArrayLiteral { span } => Diagnostic::error()
                .with_code("E0313")
                .with_message("empty array literal")
                .with_labels(vec![primary(span).with_message("an array literal needs at least one element")])
                .with_notes(vec![help("write the elements, e.g. `[0.0]`")]),
            SemaError::ArrayElementNotScalar { span, found } => Diagnostic::error()
                .with_code("E0314")
                .with_message("array literal element is not a scalar")
                .with_labels(vec![primary(span).with_message(format!("this is {}", ty(&found)))])
                .with_notes(vec![help(
                    "use `real`, `int` or `bool` elements; multi-dimensional literals are not supported yet",
                )]),
            SemaError::NestingTooDeep { span, limit } => Diagnostic::error()
                .with_code("E0316")
                .with_message("expression nested too deeply")
                .with_labels(vec![primary(span).with_message(format!(
                    "more than {limit} levels of nested expressions and blocks"
                ))])
                .with_notes(vec![help(
                    "split the expression into several `let` statements, or move inner loops into functions",
                )]),
            SemaError::MissingTail {
                fn_name,
                body_end,
                ret,
                ret_span,
                trailing_semicolon,
            } => {
                let mut labels = vec![
                    primary(body_end).with_message(format!("expected a value of type {} before this `}}`", ty(&ret))),
                    secondary(ret_span).with_message(format!("`{fn_name}` returns {}", ty(&ret))),
                ];
                let fix = match trailing_semicolon {
                    Some(semicolon) => {
                        labels.push(secondary(semicolon).with_message("this `;` discards the value"));
                        "remove the `;` so that the last expression is the result".to_string()
                    }
                    None => format!("end the body with an expression of type {}, without `;`", ty(&ret)),
                };
                Diagnostic::error()
                    .with_code("E0315")
                    .with_message(format!("function `{fn_name}` has no result value"))
                    .with_labels(labels)
                    .with_notes(vec![
                        "The value of a function is the expression at the end of its body.".to_string(),
                        help(fix),
                    ])
            }
        };
        vec![diagnostic]
    }
}

/// One line per smoothing site: `; line:column kind rule`.
pub fn describe_sites(sources: &SourceMap, sites: &[crate::smooth::SmoothingSite]) -> String {
    use codespan_reporting::files::Files;
    let mut out = String::new();
    for site in sites {
        let location = site
            .span
            .and_then(|span| sources.location(span.file, span.start as usize).ok())
            .map(|location| format!("{}:{}", location.line_number, location.column_number))
            .unwrap_or_else(|| "-".to_string());
        out.push_str(&format!(
            "; site {location} {}: {}\n",
            site.kind.name(),
            site.rule
        ));
    }
    out
}
