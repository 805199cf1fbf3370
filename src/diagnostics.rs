//! User-facing messages: the only module that writes them and the only one
//! that uses codespan-reporting's diagnostic types.
//!
//! Each phase's error enum holds spans and data; [`IntoDiagnostics`] turns it
//! into [`Diagnostic`]s and [`render`] prints them without colour.
//!
//! Style: a lowercase primary message naming the construct, a stable code
//! (`E01xx` syntax, `E02xx` names, calls and modules, `E03xx` types and
//! sizes, `E06xx` attributes), a
//! primary label on the offending span, secondary labels on related spans,
//! notes as full sentences, and a `help:` note with a concrete fix.

pub mod pipeline;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::term::{self, Config};

use crate::sema::attrs::FamilyName;
use crate::sema::tast::{Builtin, LocalKind, Scalar};
use crate::sema::{
    Candidate, ConditionSite, MismatchSite, SemaError, SizeDesc, SizeSite, TypeDesc,
    ValueDiscardSite,
};
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
        SizeDesc::Named(name) | SizeDesc::Expr(name) => name.clone(),
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
/// says "an expression" instead (and `#[`, which starts an attributed
/// expression, is part of it where it is allowed).
const EXPRESSION_STARTS: [&str; 12] = [
    "!",
    "(",
    "-",
    "[",
    "false",
    "identifier",
    "if",
    "int literal",
    "real",
    "real literal",
    "true",
    "{",
];

/// Terminals that belong to the "an expression" summary when present.
const EXPRESSION_EXTRAS: [&str; 1] = ["#["];

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
            if summary == "an expression" {
                remaining.retain(|name| !EXPRESSION_EXTRAS.contains(name));
            }
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
        LexErrorKind::UnterminatedString => Diagnostic::error()
            .with_code("E0109")
            .with_message("unterminated string literal")
            .with_labels(vec![
                primary(span).with_message("this string has no closing `\"` on its line"),
            ])
            .with_notes(vec![help(
                "close the string with `\"` before the end of the line",
            )]),
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
            (SizeDesc::Named(_) | SizeDesc::Expr(_), SizeDesc::Const(_))
                | (SizeDesc::Const(_), SizeDesc::Named(_) | SizeDesc::Expr(_))
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
        Builtin::Sum => "sum(real[..]) -> real",
        Builtin::Exp => "exp(real) -> real",
        Builtin::Log => "log(real) -> real",
        Builtin::Sqrt => "sqrt(real) -> real",
        Builtin::Sin => "sin(real) -> real",
        Builtin::Cos => "cos(real) -> real",
        Builtin::Tanh => "tanh(real) -> real",
        Builtin::Sigmoid => "sigmoid(real) -> real",
        Builtin::Softplus => "softplus(real) -> real",
        Builtin::Pow => "pow(real, real) -> real",
        Builtin::Floor => "floor(real) -> int",
        Builtin::Ceil => "ceil(real) -> int",
        Builtin::Round => "round(real) -> int",
        Builtin::Real => "real(int) -> real",
        Builtin::Len => "len(array) -> int` or `len(array, dim) -> int",
        Builtin::Zeros => "zeros(n, ..) -> real[n, ..]",
        Builtin::Fill => "fill(n, .., v: T) -> T[n, ..]",
        Builtin::SoftSort => "soft_sort(real[n]) -> real[n]",
        Builtin::SoftRank => "soft_rank(real[n]) -> real[n]",
        Builtin::SoftSortKl => "soft_sort_kl(real[n]) -> real[n]",
        Builtin::SoftRankKl => "soft_rank_kl(real[n]) -> real[n]",
        Builtin::Argmax => "argmax(real[n]) -> int",
        Builtin::Argmin => "argmin(real[n]) -> int",
    }
}

/// A note on elementwise use, for the builtins that have one.
fn builtin_elementwise_note(builtin: Builtin) -> Option<&'static str> {
    match builtin {
        math if math.is_elementwise_math() => Some("On a real array it applies to every element."),
        _ => None,
    }
}

fn builtin_expects(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::Sum => "an array of reals",
        Builtin::Exp
        | Builtin::Log
        | Builtin::Sqrt
        | Builtin::Sin
        | Builtin::Cos
        | Builtin::Tanh
        | Builtin::Sigmoid
        | Builtin::Softplus => "a `real` or an array of reals",
        Builtin::Pow | Builtin::Floor | Builtin::Ceil | Builtin::Round => "a `real`",
        Builtin::Real => "an `int`",
        Builtin::Len => "an array",
        Builtin::Zeros => "a size",
        Builtin::Fill => "a scalar value",
        Builtin::SoftSort
        | Builtin::SoftRank
        | Builtin::SoftSortKl
        | Builtin::SoftRankKl
        | Builtin::Argmax
        | Builtin::Argmin => "a 1-D array of reals",
    }
}

/// The fix for a builtin argument of the wrong type.
fn builtin_argument_fix(builtin: Builtin, found: &TypeDesc) -> String {
    match (builtin, found) {
        (Builtin::Floor | Builtin::Ceil | Builtin::Round, TypeDesc::Scalar(Scalar::Int)) => {
            format!(
                "the value is already an `int`; remove the call to `{}`",
                builtin.name()
            )
        }
        (Builtin::Real, TypeDesc::Scalar(Scalar::Real)) => {
            "the value is already a `real`; remove the call to `real`".to_string()
        }
        (_, TypeDesc::Scalar(Scalar::Int)) if builtin_expects(builtin).contains("real") => {
            format!("convert the int first: `{}(real(i))`", builtin.name())
        }
        (Builtin::Fill, TypeDesc::Array { .. }) => {
            "fill with a scalar, e.g. `fill(n, 0.0)`; for an array of arrays use a comprehension"
                .to_string()
        }
        _ => format!("pass {}", builtin_expects(builtin)),
    }
}

/// `fn max(a: real, b: real) -> real`, with the module for stdlib ones.
fn candidate_text(candidate: &Candidate) -> String {
    let params: Vec<String> = candidate
        .params
        .iter()
        .map(|(name, ty)| format!("{name}: {}", type_text(ty)))
        .collect();
    let ret = candidate
        .ret
        .as_ref()
        .map_or_else(|| "?".to_string(), type_text);
    let origin = match &candidate.stdlib_module {
        Some(module) => format!(" (stdlib/{module}.dsl)"),
        None => String::new(),
    };
    format!(
        "fn {}({}) -> {ret}{origin}",
        candidate.name,
        params.join(", ")
    )
}

fn args_text(args: &[TypeDesc]) -> String {
    let args: Vec<String> = args.iter().map(type_text).collect();
    format!("({})", args.join(", "))
}

/// `a`, `a or b`, `a, b or c`, each in backticks.
fn alternatives(items: &[String]) -> String {
    listing(items, "or")
}

/// `a`, `a and b`, `a, b and c`, each in backticks.
fn conjunction(items: &[String]) -> String {
    listing(items, "and")
}

fn listing(items: &[String], word: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn family_list() -> String {
    let names: Vec<String> = FamilyName::ALL
        .iter()
        .map(|family| family.name().to_string())
        .collect();
    conjunction(&names)
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
                        "The builtins are `exp`, `log`, `sqrt`, `sin`, `cos`, `tanh`, `sigmoid`, `softplus`, `pow`, `floor`, `ceil`, `round`, `real`, `sum`, `len`, `argmax`, `argmin`, `soft_sort`, `soft_rank`, `zeros` and `fill`; `min`, `max`, `abs`, `sort` and the other library functions come from the prelude and from `use` modules.".to_string(),
                        help(fix),
                    ])
            }
            SemaError::DuplicateFunction { span, name, first } => Diagnostic::error()
                .with_code("E0203")
                .with_message(format!("function `{name}` is defined twice with the same parameter types"))
                .with_labels(vec![
                    primary(span).with_message("second definition"),
                    secondary(first).with_message("first defined here"),
                ])
                .with_notes(vec![
                    "Functions may share a name only if their parameters differ in kind (`real`, `int`, `bool`) or rank; sizes do not count.".to_string(),
                    help("rename one of the two functions"),
                ]),
            SemaError::AmbiguousCall {
                span,
                name,
                args,
                candidates,
            } => {
                let mut labels = vec![primary(span).with_message(format!(
                    "several functions `{name}` accept {}",
                    args_text(&args)
                ))];
                let mut notes = vec![format!("These candidates match equally well:")];
                for candidate in &candidates {
                    notes.push(format!("    {}", candidate_text(candidate)));
                    labels.push(secondary(candidate.span).with_message("a candidate"));
                }
                notes.push(help(
                    "make the argument types exact, e.g. write `2.0` instead of `2` for a real, so that one candidate fits best",
                ));
                Diagnostic::error()
                    .with_code("E0211")
                    .with_message(format!("ambiguous call to overloaded `{name}`"))
                    .with_labels(labels)
                    .with_notes(notes)
            }
            SemaError::NoMatchingOverload {
                span,
                name,
                args,
                candidates,
            } => {
                let mut notes = vec![format!("The functions called `{name}` are:")];
                for candidate in &candidates {
                    notes.push(format!("    {}", candidate_text(candidate)));
                }
                notes.push(help(format!(
                    "pass arguments of the types of one of these, or define `{name}` for {}",
                    args_text(&args)
                )));
                Diagnostic::error()
                    .with_code("E0212")
                    .with_message(format!("no function `{name}` takes these arguments"))
                    .with_labels(vec![primary(span).with_message(format!(
                        "called with {}",
                        args_text(&args)
                    ))])
                    .with_notes(notes)
            }
            SemaError::UnknownModule {
                span,
                name,
                available,
                suggestion,
            } => {
                let fix = match suggestion {
                    Some(similar) => format!("a module with a similar name exists: `use {similar};`"),
                    None => "use one of the available modules, or remove this `use`".to_string(),
                };
                Diagnostic::error()
                    .with_code("E0213")
                    .with_message(format!("unknown stdlib module `{name}`"))
                    .with_labels(vec![primary(span).with_message(format!("there is no `stdlib/{name}.dsl`"))])
                    .with_notes(vec![
                        format!(
                            "The available modules are {} (the prelude is always loaded).",
                            conjunction(&available)
                        ),
                        help(fix),
                    ])
            }
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
                    if let Some(note) = builtin_elementwise_note(builtin) {
                        notes.push(note.to_string());
                    }
                }
                notes.push(help(format!("pass exactly {}", plural(expected, "argument"))));
                Diagnostic::error()
                    .with_code("E0209")
                    .with_message(format!("wrong number of arguments to `{callee}`"))
                    .with_labels(labels)
                    .with_notes(notes)
            }
            SemaError::BuiltinArgument { span, builtin, found } => {
                let mut notes = vec![format!(
                    "The builtin `{}` has type `{}`.",
                    builtin.name(),
                    builtin_signature(builtin)
                )];
                if let Some(note) = builtin_elementwise_note(builtin) {
                    notes.push(note.to_string());
                }
                notes.push(help(builtin_argument_fix(builtin, &found)));
                Diagnostic::error()
                    .with_code("E0210")
                    .with_message(format!("mismatched argument type for `{}`", builtin.name()))
                    .with_labels(vec![primary(span).with_message(format!(
                        "expected {}, found {}",
                        builtin_expects(builtin),
                        ty(&found)
                    ))])
                    .with_notes(notes)
            }
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
            SemaError::ConditionNotBool { span, found, site } => {
                let fix = match found {
                    TypeDesc::Scalar(Scalar::Real) => "compare it explicitly, e.g. `x != 0.0`".to_string(),
                    TypeDesc::Scalar(Scalar::Int) => "compare it explicitly, e.g. `i != 0`".to_string(),
                    _ => "use a comparison, such as `x[0] > 0.0`, as the condition".to_string(),
                };
                let construct = match site {
                    ConditionSite::If => "if",
                    ConditionSite::While => "while",
                };
                Diagnostic::error()
                    .with_code("E0306")
                    .with_message(format!("`{construct}` condition is not a `bool`"))
                    .with_labels(vec![primary(span).with_message(format!("expected `bool`, found {}", ty(&found)))])
                    .with_notes(vec![help(fix)])
            }
            SemaError::ElementwiseShape {
                span: _,
                op,
                lhs,
                lhs_span,
                rhs,
                rhs_span,
            } => Diagnostic::error()
                .with_code("E0317")
                .with_message(format!("elementwise `{}` on arrays of different shapes", op.symbol()))
                .with_labels(vec![
                    primary(rhs_span).with_message(format!(
                        "expected the shape of the left operand, {}, found {}",
                        ty(&lhs),
                        ty(&rhs)
                    )),
                    secondary(lhs_span).with_message(format!("this is {}", ty(&lhs))),
                ])
                .with_notes(vec![
                    "Sizes are compared as written polynomials in the size names: `n + n` equals `2 * n`, but `n` and `m` differ even if they are equal at run time.".to_string(),
                    help("combine arrays of one shape, or index the elements you mean, e.g. `x[i] + y[j]`"),
                ]),
            SemaError::BroadcastElement {
                span: _,
                op,
                array,
                array_span,
                scalar,
                scalar_span,
            } => {
                let elem = match &array {
                    TypeDesc::Array { elem, .. } => scalar_name(*elem),
                    _ => "real",
                };
                let mut notes = vec![format!(
                    "An array can be combined with a scalar of its element type, `{elem}`, which is applied to every element."
                )];
                let fix = match (&array, &scalar) {
                    (TypeDesc::Array { elem: Scalar::Real, .. }, TypeDesc::Scalar(Scalar::Int)) => {
                        notes.push(NO_CONVERSIONS.to_string());
                        "convert the int with `real(..)`".to_string()
                    }
                    _ => format!("use a `{elem}` scalar"),
                };
                notes.push(help(fix));
                Diagnostic::error()
                    .with_code("E0318")
                    .with_message(format!("cannot broadcast {} over {} in `{}`", ty(&scalar), ty(&array), op.symbol()))
                    .with_labels(vec![
                        primary(scalar_span).with_message(format!("expected `{elem}`, found {}", ty(&scalar))),
                        secondary(array_span).with_message(format!("this is {}", ty(&array))),
                    ])
                    .with_notes(notes)
            }
            SemaError::NotASize {
                span,
                site,
                variable,
            } => {
                let (message, fix) = match site {
                    SizeSite::ComprehensionBound => (
                        "comprehension bound is not a size expression".to_string(),
                        "bound the comprehension by sizes, e.g. `[x[i] * 2.0 for i in 0..n]`; for a run-time count, fill an array with a `for` loop".to_string(),
                    ),
                    SizeSite::BuiltinDimension(builtin) => (
                        format!("dimension of `{}` is not a size expression", builtin.name()),
                        format!("give the dimension as a size, e.g. `{}(n{})` or `{}(len(x){})`", builtin.name(), if builtin == Builtin::Fill { ", 0.0" } else { "" }, builtin.name(), if builtin == Builtin::Fill { ", 0.0" } else { "" }),
                    ),
                };
                let mut notes = vec![
                    "A size expression is made of size names from the parameter types, int literals, `len(..)` and `+`, `-`, `*`, so the array's shape is known when the program is checked.".to_string(),
                ];
                if let Some(name) = variable {
                    notes.push(format!("`{name}` is a variable, whose value is only known at run time."));
                }
                notes.push(help(fix));
                Diagnostic::error()
                    .with_code("E0319")
                    .with_message(message)
                    .with_labels(vec![primary(span).with_message("not a size expression")])
                    .with_notes(notes)
            }
            SemaError::NegativeSize { span, value } => Diagnostic::error()
                .with_code("E0320")
                .with_message("array size is negative")
                .with_labels(vec![primary(span).with_message(format!("this size is {value}"))])
                .with_notes(vec![help("sizes count elements; make the size zero or more")]),
            SemaError::SizeArithmeticInParam { span, fn_name } => Diagnostic::error()
                .with_code("E0321")
                .with_message(format!("size arithmetic in a parameter type of `{fn_name}`"))
                .with_labels(vec![primary(span).with_message("parameter sizes must be names or literals")])
                .with_notes(vec![
                    "A parameter's sizes are read off the argument's shape, which binds a name like `n` but cannot solve `n - 1`.".to_string(),
                    help("name the size in the parameter (`x: real[m]`) and use arithmetic in the result type instead (`-> real[m - 1]`)"),
                ]),
            SemaError::LenDimension { span, array, found } => {
                let rank = match &array {
                    TypeDesc::Array { dims, .. } => dims.len(),
                    _ => 0,
                };
                let label = match found {
                    Some(dim) => format!("{} has no dimension {dim}", ty(&array)),
                    None => "expected an int literal".to_string(),
                };
                let valid: Vec<String> = (0..rank).map(|dim| dim.to_string()).collect();
                Diagnostic::error()
                    .with_code("E0322")
                    .with_message("invalid dimension in `len`")
                    .with_labels(vec![primary(span).with_message(label)])
                    .with_notes(vec![
                        format!(
                            "The dimension of `len(a, d)` is an int literal below the rank of `a`; {} has rank {rank}.",
                            ty(&array)
                        ),
                        help(format!("use {}", alternatives(&valid))),
                    ])
            }
            SemaError::UnknownAttribute {
                span,
                name,
                valid,
                suggestion,
            } => {
                let valid: Vec<String> = valid.iter().map(|name| name.to_string()).collect();
                let fix = match suggestion {
                    Some(similar) => format!("an attribute with a similar name exists: `#[{similar}]`"),
                    None => "remove the attribute, or use one of the valid ones".to_string(),
                };
                Diagnostic::error()
                    .with_code("E0601")
                    .with_message(format!("unknown attribute `{name}`"))
                    .with_labels(vec![primary(span).with_message("not an attribute of the language")])
                    .with_notes(vec![
                        format!("The attributes are {}.", conjunction(&valid)),
                        help(fix),
                    ])
            }
            SemaError::UnknownFamily {
                span,
                name,
                suggestion,
            } => {
                let fix = match suggestion {
                    Some(similar) => format!("a family with a similar name exists: `{similar}`"),
                    None => "use one of the families above".to_string(),
                };
                Diagnostic::error()
                    .with_code("E0602")
                    .with_message(format!("unknown smoothing family `{name}`"))
                    .with_labels(vec![primary(span).with_message("not a family")])
                    .with_notes(vec![format!("The families are {}.", family_list()), help(fix)])
            }
            SemaError::UnknownAttributeKey {
                span,
                attr,
                key,
                valid,
            } => {
                let valid: Vec<String> = valid.iter().map(|name| name.to_string()).collect();
                Diagnostic::error()
                    .with_code("E0603")
                    .with_message(format!("unknown key `{key}` in `#[{attr}]`"))
                    .with_labels(vec![primary(span).with_message(format!("`#[{attr}]` has no key `{key}`"))])
                    .with_notes(vec![
                        format!("The keys of `#[{attr}]` are {}.", conjunction(&valid)),
                        help("use one of these keys, or remove this one"),
                    ])
            }
            SemaError::InvalidAttributeValue {
                span,
                attr,
                key,
                found,
                valid,
            } => Diagnostic::error()
                .with_code("E0604")
                .with_message(format!("invalid value for `{key}` in `#[{attr}]`"))
                .with_labels(vec![primary(span).with_message(format!("`{found}` is not a valid `{key}`"))])
                .with_notes(vec![
                    format!("`{key}` takes {}.", alternatives(&valid).replace("`a positive number`", "a positive number")),
                    help(format!("write e.g. `{key} = {}`", valid.first().cloned().unwrap_or_default().replace("a positive number", "0.5"))),
                ]),
            SemaError::ScaleNotPositive { span } => Diagnostic::error()
                .with_code("E0605")
                .with_message("`scale` must be positive")
                .with_labels(vec![primary(span).with_message("not a positive number")])
                .with_notes(vec![
                    "The scale multiplies the temperature at this site; zero or a negative temperature has no meaning.".to_string(),
                    help("use a positive scale, e.g. `scale = 0.5`, or `#[hard]` for no smoothing"),
                ]),
            SemaError::BoundNotPositive { span } => Diagnostic::error()
                .with_code("E0606")
                .with_message("`#[bound]` must be positive")
                .with_labels(vec![primary(span).with_message("the most iterations must be at least 1")])
                .with_notes(vec![help("give the largest number of iterations the loop may run, e.g. `#[bound(64)]`")]),
            SemaError::BoundMisplaced { span, target } => Diagnostic::error()
                .with_code("E0607")
                .with_message(format!("`#[bound]` on {target}"))
                .with_labels(vec![primary(span).with_message("`#[bound]` only applies to a `while` loop")])
                .with_notes(vec![
                    "A `for` loop already runs a known number of times; only a `while` loop needs a most number of iterations.".to_string(),
                    help("remove the attribute, or move it before a `while` loop: `#[bound(64)] while c { ... }`"),
                ]),
            SemaError::ConflictingModes {
                span,
                first,
                first_name,
                second_name,
            } => Diagnostic::error()
                .with_code("E0608")
                .with_message(format!("conflicting attributes `#[{first_name}]` and `#[{second_name}]`"))
                .with_labels(vec![
                    primary(span).with_message(format!("`#[{second_name}]` asks for another mode")),
                    secondary(first).with_message(format!("`#[{first_name}]` is given here")),
                ])
                .with_notes(vec![
                    "A site has one mode: `#[hard]`, `#[relax(..)]` or `#[stochastic(..)]`.".to_string(),
                    help("keep one of the two attributes"),
                ]),
            SemaError::DuplicateAttribute { span, what, first } => Diagnostic::error()
                .with_code("E0609")
                .with_message(format!("{what} is given twice"))
                .with_labels(vec![
                    primary(span).with_message("second"),
                    secondary(first).with_message("first given here"),
                ])
                .with_notes(vec![help("remove one of the two")]),
            SemaError::AttributeArguments { span, attr, usage } => Diagnostic::error()
                .with_code("E0610")
                .with_message(format!("invalid arguments to `#[{attr}]`"))
                .with_labels(vec![primary(span).with_message("not accepted here")])
                .with_notes(vec![help(format!("write {usage}"))]),
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
                    ValueDiscardSite::WhileBody => (
                        "`while` loop body cannot produce a value",
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
                    "use `real`, `int` or `bool` elements; for a 2-D array use a nested comprehension, e.g. `[[a[i, j] for j in 0..m] for i in 0..n]`",
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
            .map(|location| {
                // Sites inside the standard library name their file.
                let file = site
                    .span
                    .filter(|span| span.file != crate::syntax::span::FileId(0))
                    .map(|span| format!("{}:", sources.name_of(span.file)))
                    .unwrap_or_default();
                format!("{file}{}:{}", location.line_number, location.column_number)
            })
            .unwrap_or_else(|| "-".to_string());
        out.push_str(&format!(
            "; site {location} {}: {}\n",
            site.kind.name(),
            site.rule
        ));
    }
    out
}
