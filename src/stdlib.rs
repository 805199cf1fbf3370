//! The standard library: `stdlib/*.dsl`, embedded in the binary with
//! `include_str!` so that the compiler works from any directory.
//!
//! `stdlib/prelude.dsl` is loaded into every program; `use NAME;` loads
//! `stdlib/NAME.dsl` (and whatever that module `use`s). Each loaded file is
//! registered in the [`SourceMap`] as `stdlib/NAME.dsl`, so diagnostics and
//! runtime errors inside library code point at its source. The functions
//! of all loaded modules and the user's file are checked together
//! ([`sema::check_units`]); library functions come first in
//! `TProgram::fns`, marked with `FnOrigin::Stdlib`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use codespan_reporting::diagnostic::Diagnostic;

use crate::diagnostics::IntoDiagnostics;
use crate::sema::tast::{FnOrigin, TProgram};
use crate::sema::{self, SemaError, Unit};
use crate::syntax::ast;
use crate::syntax::parser::parse;
use crate::syntax::span::{FileId, SourceMap, Span};

/// The module every program loads.
pub const PRELUDE: &str = "prelude";

/// Every module: its name and its source.
const MODULES: [(&str, &str); 2] = [
    (PRELUDE, include_str!("../stdlib/prelude.dsl")),
    ("sorting", include_str!("../stdlib/sorting.dsl")),
];

/// The names of the stdlib modules, the prelude first.
pub fn module_names() -> Vec<&'static str> {
    MODULES.iter().map(|(name, _)| *name).collect()
}

/// The source of module `name`, if there is one.
pub fn source(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(module, _)| *module == name)
        .map(|(_, source)| *source)
}

/// The file name a module has in diagnostics: `stdlib/NAME.dsl`.
pub fn file_name(name: &str) -> String {
    format!("stdlib/{name}.dsl")
}

/// Loads the prelude and the modules `user` needs into `sources`, then
/// checks them together with `user`. Errors of every phase come back as
/// diagnostics: an unknown module stops before checking (its functions
/// would all be reported as unknown otherwise).
pub fn check_program(
    sources: &mut SourceMap,
    user: &ast::Module,
) -> Result<TProgram, Vec<Diagnostic<FileId>>> {
    let mut loaded: Vec<(String, Arc<ast::Module>)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    let mut queue: VecDeque<(String, Option<Span>)> = VecDeque::new();
    queue.push_back((PRELUDE.to_string(), None));
    queue.extend(use_requests(user));
    while let Some((name, span)) = queue.pop_front() {
        if loaded.iter().any(|(loaded_name, _)| *loaded_name == name) {
            continue;
        }
        let Some(text) = source(&name) else {
            if let Some(span) = span {
                errors.push(unknown_module(&name, span));
            }
            continue;
        };
        let file = sources.add(file_name(&name), text);
        match parsed(&name, file, text) {
            Ok(module) => {
                queue.extend(use_requests(&module));
                loaded.push((name, module));
            }
            Err(syntax_errors) => diagnostics.extend(syntax_errors.into_diagnostics()),
        }
    }
    if !errors.is_empty() || !diagnostics.is_empty() {
        diagnostics.extend(errors.into_diagnostics());
        return Err(diagnostics);
    }
    let mut units: Vec<Unit<'_>> = loaded
        .iter()
        .map(|(name, module)| Unit {
            module: module.as_ref(),
            origin: FnOrigin::Stdlib(name.clone()),
        })
        .collect();
    units.push(Unit {
        module: user,
        origin: FnOrigin::User,
    });
    sema::check_units(&units).map_err(IntoDiagnostics::into_diagnostics)
}

/// Module `name` parsed as file `file`. A process parses each module once
/// per file id it is registered under (the prelude is nearly always file
/// 1, after the user's): parsing the prelude took about 0.4 ms, most of
/// the front end's parse and check of a small program.
fn parsed(
    name: &str,
    file: FileId,
    text: &str,
) -> Result<Arc<ast::Module>, Vec<crate::syntax::parser::SyntaxError>> {
    type Parsed = HashMap<(String, FileId), Arc<ast::Module>>;
    static PARSED: OnceLock<Mutex<Parsed>> = OnceLock::new();
    let cache = PARSED.get_or_init(Mutex::default);
    let key = (name.to_string(), file);
    // A poisoned lock only means another thread panicked while inserting;
    // the map is still a valid cache.
    let cached = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .cloned();
    if let Some(module) = cached {
        return Ok(module);
    }
    let module = Arc::new(parse(file, text)?);
    let _ = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, Arc::clone(&module));
    Ok(module)
}

fn use_requests(module: &ast::Module) -> impl Iterator<Item = (String, Option<Span>)> + '_ {
    module
        .uses
        .iter()
        .map(|use_item| (use_item.name.name.clone(), Some(use_item.name.span)))
}

fn unknown_module(name: &str, span: Span) -> SemaError {
    let available = module_names();
    SemaError::UnknownModule {
        span,
        name: name.to_string(),
        suggestion: crate::sema::suggest(name, available.iter().copied()),
        available: available.iter().map(|name| name.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::tast::Type;

    fn check(source: &str) -> (SourceMap, Result<TProgram, Vec<Diagnostic<FileId>>>) {
        let mut sources = SourceMap::new();
        let file = sources.add("input.dsl", source);
        let module = parse(file, source).expect("test program parses");
        let result = check_program(&mut sources, &module);
        (sources, result)
    }

    #[test]
    fn a_module_is_parsed_once_per_file_id() {
        let text = source(PRELUDE).expect("the prelude exists");
        let first = parsed(PRELUDE, FileId(1), text).expect("parses");
        let again = parsed(PRELUDE, FileId(1), text).expect("parses");
        assert!(Arc::ptr_eq(&first, &again));
        // Under another file id its spans differ, so it is parsed again.
        let elsewhere = parsed(PRELUDE, FileId(7), text).expect("parses");
        assert!(!Arc::ptr_eq(&first, &elsewhere));
        assert_eq!(elsewhere.items.len(), first.items.len());
    }

    #[test]
    fn every_module_checks_without_errors() {
        for name in module_names() {
            let (sources, result) = check(&format!("use {name};\nfn f(x: real) -> real {{ x }}"));
            if let Err(diagnostics) = result {
                panic!(
                    "stdlib/{name}.dsl has errors:\n{}",
                    crate::diagnostics::render(&sources, &diagnostics)
                );
            }
        }
    }

    #[test]
    fn prelude_is_loaded_and_registered_and_modules_are_marked() {
        let (sources, result) = check(
            "use sorting;\nfn f(x: real[n]) -> real[n] { bitonic_sort(x) + sort(x) }\nfn g(a: real, b: real) -> real { max(a, b) }",
        );
        let program = result.expect("checks");
        assert_eq!(sources.name_of(FileId(1)), "stdlib/prelude.dsl");
        assert_eq!(sources.name_of(FileId(2)), "stdlib/sorting.dsl");
        let origin_of = |name: &str| {
            program
                .fns
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.origin.clone())
        };
        assert_eq!(
            origin_of("sort"),
            Some(FnOrigin::Stdlib("prelude".to_string()))
        );
        assert_eq!(
            origin_of("bitonic_sort"),
            Some(FnOrigin::Stdlib("sorting".to_string()))
        );
        assert_eq!(origin_of("f"), Some(FnOrigin::User));
        // Library functions come first, the user's last.
        assert_eq!(program.fns.last().map(|f| f.name.as_str()), Some("g"));
        // Entry points are user functions only.
        assert!(program.fn_by_name("sort").is_none());
        let g = program.func(program.fn_by_name("g").expect("g"));
        assert_eq!(g.ret, Type::REAL);
    }

    #[test]
    fn unknown_module_lists_the_available_ones() {
        let (sources, result) = check("use sortin;\nfn f(x: real) -> real { x }");
        let diagnostics = result.expect_err("unknown module");
        let text = crate::diagnostics::render(&sources, &diagnostics);
        assert!(text.contains("unknown stdlib module `sortin`"), "{text}");
        assert!(text.contains("`prelude` and `sorting`"), "{text}");
        assert!(text.contains("use sorting;"), "{text}");
    }

    #[test]
    fn user_function_shadows_a_prelude_function_with_the_same_parameters() {
        let (_, result) =
            check("fn relu(x: real) -> real { 2.0 * x }\nfn f(x: real) -> real { relu(x) }");
        let program = result.expect("checks");
        let f = program.func(program.fn_by_name("f").expect("f"));
        let tail = f.body.tail.as_ref().expect("tail");
        let crate::sema::tast::TExprKind::Call { callee, .. } = &tail.kind else {
            panic!("expected a call")
        };
        assert_eq!(program.func(*callee).origin, FnOrigin::User);
    }
}
