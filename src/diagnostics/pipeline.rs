//! Diagnostics for the errors of the middle and back end: smoothing,
//! reverse mode, lowering, runtime faults and internal errors.

use crate::ad::AdError;
use crate::ir::Func;
use crate::ir::lower::LowerError;
use crate::runtime::RuntimeError;
use crate::smooth::SmoothError;
use crate::syntax::span::{FileId, Span};
use codespan_reporting::diagnostic::{Diagnostic, Label};

/// A primary label at `span` when the construct has one.
fn labelled(
    diagnostic: Diagnostic<FileId>,
    span: Option<Span>,
    message: &str,
) -> Diagnostic<FileId> {
    match span {
        Some(span) => diagnostic.with_labels(vec![
            Label::primary(span.file, span.range()).with_message(message),
        ]),
        None => diagnostic,
    }
}

pub fn smooth_error(error: &SmoothError) -> Diagnostic<FileId> {
    match error {
        SmoothError::Equality { span } => labelled(
            Diagnostic::error()
                .with_code("E0401")
                .with_message("equality of data-dependent values has no relaxation"),
            *span,
            "this comparison depends on real inputs",
        )
        .with_notes(vec![
            "In relaxed mode every decision on real inputs becomes a probability, and the probability that two reals are exactly equal is zero almost everywhere, so `==` and `!=` have no useful relaxation.".to_string(),
            "help: compare with a tolerance instead, e.g. `a - b < 1e-6 && b - a < 1e-6`, or run with `--mode hard`.".to_string(),
        ]),
        SmoothError::DiscreteWrite { var_name, span } => labelled(
            Diagnostic::error()
                .with_code("E0402")
                .with_message(format!("int variable `{var_name}` is assigned under a data-dependent condition")),
            *span,
            "this assignment runs only for some values of the real inputs",
        )
        .with_notes(vec![
            "In relaxed mode both branches of a data-dependent `if` run and their results are blended with the branch probability; a blend of two ints is not an int.".to_string(),
            format!("help: make `{var_name}` a real (`let mut {var_name} = 0.0;`) so it can hold the blend, keep the decision discrete with `#[hard]` before the statement (or the call) that contains it, or run with `--mode hard`."),
        ]),
        SmoothError::UnboundedWhile { span } => labelled(
            Diagnostic::error()
                .with_code("E0405")
                .with_message("this `while` loop depends on real inputs but has no bound"),
            *span,
            "its condition depends on real inputs",
        )
        .with_notes(vec![
            "How often a data-dependent loop runs depends on the inputs; relaxed mode needs an upper bound on the number of iterations to unroll the loop, and hard mode checks it.".to_string(),
            "help: put `#[bound(N)]` before the loop, with N the most iterations it may run: `#[bound(64)] while ... { ... }`.".to_string(),
        ]),
        SmoothError::NoStochasticMeaning { construct, span } => labelled(
            Diagnostic::error()
                .with_code("E0407")
                .with_message(format!("{construct} has no stochastic smoothing with this estimator")),
            *span,
            "this decision depends on real inputs",
        )
        .with_notes(vec![
            "help: choose another estimator (`--estimator straight_through` or `--estimator perturb`, which smooths the whole function over its inputs and works for every program), or run with `--mode relaxed`.".to_string(),
        ]),
        SmoothError::SoftIndexUse { kind, span } => labelled(
            Diagnostic::error()
                .with_code("E0406")
                .with_message(format!("{} has no relaxation", kind.what())),
            *span,
            "this int depends on real inputs",
        )
        .with_notes(vec![
            "In relaxed mode an int computed from real inputs (`argmax`, `argmin`, `floor`, `round`, `ceil`) is a soft index: a distribution over positions. Reading `y[k]`, writing `y[k] = v`, comparing `k == c` or `k < c`, and `real(k)` (for argmax) have relaxations; other uses have none.".to_string(),
            format!("help: {}; or run with `--mode hard`.", kind.help()),
        ]),
    }
}

pub fn ad_error(error: &AdError) -> Diagnostic<FileId> {
    match error {
        AdError::NonRealResult { func } => Diagnostic::error()
            .with_code("E0450")
            .with_message(format!("cannot differentiate `{func}`: its result is not real"))
            .with_notes(vec![
                "Gradients exist only for functions whose result is a real or a real array.".to_string(),
                "help: use `smoothc run` for this function, or differentiate a function that returns a real.".to_string(),
            ]),
        AdError::NoRule => internal("reverse mode met a tape instruction in its input"),
    }
}

pub fn lower_error(error: &LowerError) -> Diagnostic<FileId> {
    match error {
        LowerError::InlineDepth { span } => labelled(
            internal(&error.to_string()),
            Some(*span),
            "while inlining this call",
        ),
    }
}

/// An error that can only come from a bug in smoothc itself.
pub fn internal(reason: &str) -> Diagnostic<FileId> {
    Diagnostic::bug()
        .with_code("E0900")
        .with_message(format!("internal compiler error: {reason}"))
        .with_notes(vec![
            "This is a bug in the compiler, not in your program. Please report it with the program that triggers it.".to_string(),
        ])
}

/// A runtime fault, pointed at the source construct through `func`'s origins;
/// `name` is the function as the user calls it.
pub fn runtime_error(error: &RuntimeError, func: &Func, name: &str) -> Diagnostic<FileId> {
    let at = |inst| func.origins[inst].span();
    match error {
        RuntimeError::IndexOutOfBounds {
            inst,
            array,
            dim,
            index,
            len,
        } => {
            let name = &func.vars[*array].name;
            let dimension = if *dim == 0 && !is_multi_dim(func, *array) {
                String::new()
            } else {
                format!(" in dimension {dim}")
            };
            labelled(
                Diagnostic::error().with_code("E0501").with_message(format!(
                    "index {index} is out of bounds for `{name}` of length {len}{dimension}"
                )),
                at(*inst),
                "this index is out of range",
            )
            .with_notes(vec![format!(
                "help: valid indices are 0 to {} inclusive.",
                len - 1
            )])
        }
        RuntimeError::DivisionByZero { inst } => labelled(
            Diagnostic::error()
                .with_code("E0502")
                .with_message("integer division by zero"),
            at(*inst),
            "the divisor is zero here",
        )
        .with_notes(vec![
            "help: check the divisor before dividing, or divide reals.".to_string(),
        ]),
        RuntimeError::TapeLimit { limit } => Diagnostic::error()
            .with_code("E0503")
            .with_message(format!(
                "the gradient tape exceeded its limit of {limit} values"
            ))
            .with_notes(vec![
                "The reverse sweep stores every value the program overwrites.".to_string(),
                "help: raise the limit (`--tape-limit`) or reduce the number of loop iterations."
                    .to_string(),
            ]),
        RuntimeError::TapeUnderflow => internal("the gradient tape was popped while empty"),
        RuntimeError::Internal { reason } => internal(reason),
        RuntimeError::LoopBoundExceeded { inst, bound } => labelled(
            Diagnostic::error()
                .with_code("E0506")
                .with_message(format!("this `while` loop ran more than its bound of {bound} iterations")),
            at(*inst),
            "the loop was still running here",
        )
        .with_notes(vec![
            "The bound comes from `#[bound(N)]`; in hard mode running past it is an error rather than a silent cut-off.".to_string(),
            "help: raise the bound if the loop needs more iterations, or check that its condition eventually fails.".to_string(),
        ]),
        RuntimeError::NegativeSize { size, value } => Diagnostic::error()
            .with_code("E0507")
            .with_message(format!("the array size `{size}` is {value} for these arguments"))
            .with_notes(vec![format!(
                "help: `{name}` needs arguments for which every size in its types is at least 0."
            )]),
        RuntimeError::ArgumentCount { .. }
        | RuntimeError::ArgumentType { .. }
        | RuntimeError::SizeMismatch { .. } => argument_error(error, func, name),
    }
}

fn is_multi_dim(func: &Func, array: crate::ir::VarId) -> bool {
    matches!(&func.vars[array].ty, crate::ir::VarType::Array { dims, .. } if dims.len() > 1)
}

/// Errors in the arguments of a call: they name the parameter.
fn argument_error(error: &RuntimeError, func: &Func, name: &str) -> Diagnostic<FileId> {
    let param_name = |index: usize| {
        func.params
            .get(index)
            .map(|var| func.vars[*var].name.clone())
            .unwrap_or_else(|| format!("#{index}"))
    };
    let message = match error {
        RuntimeError::ArgumentCount { expected, got } => {
            format!(
                "`{}` takes {expected} arguments but {got} were given",
                func.name
            )
        }
        RuntimeError::ArgumentType {
            param,
            expected,
            got,
        } => {
            format!(
                "argument `{}` should be {expected}, but is a {got}",
                param_name(*param)
            )
        }
        RuntimeError::SizeMismatch {
            size,
            first,
            second,
            param,
            dim,
        } => format!(
            "argument `{}` has extent {second} in dimension {dim}, but size `{size}` is already {first}",
            param_name(*param)
        ),
        _ => error.to_string(),
    };
    Diagnostic::error()
        .with_code("E0504")
        .with_message(message)
        .with_notes(vec![format!(
            "help: pass arguments matching the signature of `{name}`."
        )])
}

/// `program.function(name)` for a name the program does not define.
pub fn unknown_function(name: &str, known: &[String]) -> Diagnostic<FileId> {
    Diagnostic::error()
        .with_code("E0505")
        .with_message(format!("no function named `{name}`"))
        .with_notes(vec![format!(
            "help: the program defines: {}.",
            known.join(", ")
        )])
}

/// `value_and_grad` on a function whose result is an array.
pub fn array_result_needs_cotangent(name: &str) -> Diagnostic<FileId> {
    Diagnostic::error()
        .with_code("E0451")
        .with_message(format!("`{name}` returns an array, so it has no single gradient"))
        .with_notes(vec![
            "help: differentiate a scalar loss of it instead, or call `vjp` with a cotangent of the result's shape."
                .to_string(),
        ])
}

/// Stochastic mode on a function whose result has no mean.
pub fn stochastic_result_not_real(name: &str, ty: &str) -> Diagnostic<FileId> {
    Diagnostic::error()
        .with_code("E0452")
        .with_message(format!(
            "`{name}` returns {ty}, which stochastic mode cannot average"
        ))
        .with_notes(vec![
            "In stochastic mode a call is the mean over Monte-Carlo samples, and only reals and real arrays have a mean.".to_string(),
            "help: return a real (`real(k)` for an int `k`), or run this function with `--mode hard` or `--mode relaxed`.".to_string(),
        ])
}

/// `vjp` of an array result with the score estimator.
pub fn score_needs_scalar_result(name: &str) -> Diagnostic<FileId> {
    Diagnostic::error()
        .with_code("E0453")
        .with_message(format!(
            "the score estimator has no vector-Jacobian product for `{name}`, which returns an array"
        ))
        .with_notes(vec![
            "The score-function terms subtract a baseline from the sampled value, which needs a real (scalar) result.".to_string(),
            "help: estimate the gradient of a real loss of the array instead, or use `--estimator straight_through` or `--estimator perturb`, which support vector-Jacobian products.".to_string(),
        ])
}

/// A runtime setting stochastic mode cannot sample with.
pub fn invalid_runtime(setting: &str, value: &str, requirement: &str) -> Diagnostic<FileId> {
    Diagnostic::error()
        .with_code("E0508")
        .with_message(format!(
            "`{setting}` is {value}, but stochastic mode needs {requirement}"
        ))
        .with_notes(vec![format!(
            "help: set `Runtime::{setting}` (`--{setting}` on the command line) to {requirement}."
        )])
}
