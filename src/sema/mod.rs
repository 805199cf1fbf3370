//! Semantic checking: the AST to the typed AST.
//!
//! [`check`] resolves names, checks types and array sizes, checks
//! mutability, and rejects recursion. It collects every error it can instead
//! of stopping at the first; a construct whose parts already failed reports
//! nothing more, so one mistake gives one error.
//!
//! The work is split by concept:
//! * `signatures` resolves every function's parameter and result types
//!   first, so bodies can call functions defined later in the file;
//! * `check` walks one body (statements, expressions, blocks);
//! * `calls` checks calls of builtins and user functions;
//! * `recursion` finds cycles in the call graph;
//! * `scope` and `types` are the helpers they share;
//! * `error` is the [`SemaError`] enum, rendered by `crate::diagnostics`.

pub mod attrs;
mod calls;
mod check;
pub mod display;
pub mod error;
mod recursion;
mod scope;
mod signatures;
pub mod size;
pub mod tast;
mod types;

pub use error::{MismatchSite, SemaError, SizeDesc, TypeDesc, ValueDiscardSite};

use crate::syntax::ast;

use tast::TProgram;

/// Checks a parsed module and builds its typed AST.
///
/// On failure, returns all errors found, ordered by position.
pub fn check(module: &ast::Module) -> Result<TProgram, Vec<SemaError>> {
    let mut errors = Vec::new();
    let signatures = signatures::collect(module, &mut errors);
    let mut call_graph = recursion::CallGraph::new(module.items.len());
    let mut fns = Vec::with_capacity(module.items.len());
    for (index, def) in module.items.iter().enumerate() {
        let checker = check::FnChecker::new(&signatures, index, &mut errors, &mut call_graph);
        fns.push(checker.check_fn(def));
    }
    call_graph.report_cycles(&signatures, &mut errors);
    if errors.is_empty() {
        // Every body checked without error, so every function was built.
        Ok(TProgram {
            fns: fns.into_iter().flatten().collect(),
            file_attrs: Default::default(),
        })
    } else {
        errors.sort_by_key(|error| {
            let span = error.span();
            (span.file, span.start, span.end)
        });
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
