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

mod attributes;
pub mod attrs;
mod builtins;
mod calls;
mod check;
pub mod display;
pub mod error;
mod operators;
mod recursion;
mod scope;
mod signatures;
pub mod size;
pub mod tast;
mod types;

pub use error::{
    Candidate, ConditionSite, MismatchSite, SemaError, SizeDesc, SizeSite, TypeDesc,
    ValueDiscardSite,
};
pub use scope::suggest;
pub use signatures::Unit;

use crate::syntax::ast;

use tast::{FnOrigin, TProgram};

/// Checks one parsed module on its own (no stdlib) and builds its typed AST.
///
/// On failure, returns all errors found, ordered by position.
pub fn check(module: &ast::Module) -> Result<TProgram, Vec<SemaError>> {
    check_units(&[Unit {
        module,
        origin: FnOrigin::User,
    }])
}

/// Checks several modules as one program: the stdlib modules first, the
/// user's module last. Functions of all units share one namespace (with
/// overloading), and `TProgram::fns` lists them in the same order. The file
/// attributes of the user's module become `TProgram::file_attrs`.
pub fn check_units(units: &[Unit<'_>]) -> Result<TProgram, Vec<SemaError>> {
    let mut errors = Vec::new();
    let signatures = signatures::collect(units, &mut errors);
    let mut call_graph = recursion::CallGraph::new(signatures.fns.len());
    let mut fns = Vec::with_capacity(signatures.fns.len());
    let defs = units.iter().flat_map(|unit| unit.module.items.iter());
    for (index, def) in defs.enumerate() {
        let fn_id = tast::FnId(index as u32);
        let checker = check::FnChecker::new(&signatures, fn_id, &mut errors, &mut call_graph);
        fns.push(checker.check_fn(def));
    }
    call_graph.report_cycles(&signatures, &mut errors);
    let mut file_attrs = tast::SiteAttrs::default();
    for unit in units {
        if unit.origin == FnOrigin::User
            && let Some(attrs) = attributes::validate(
                &unit.module.inner_attrs,
                attributes::AttrPlace::File,
                &mut errors,
            )
        {
            file_attrs = attrs;
        }
    }
    if errors.is_empty() {
        // Every body checked without error, so every function was built.
        Ok(TProgram {
            fns: fns.into_iter().flatten().collect(),
            file_attrs,
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

#[cfg(test)]
mod language_tests;
