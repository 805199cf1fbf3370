//! Snapshot tests of error messages: every `tests/fixtures/errors/*.dsl` is a
//! minimal bad program, and its snapshot shows the source and the rendered
//! diagnostics from parsing and, if that succeeds, checking (with the
//! stdlib loaded, as `compile` does).

use smoothc::diagnostics::{IntoDiagnostics, render};
use smoothc::syntax::parser::parse;
use smoothc::syntax::span::SourceMap;

/// Parses and checks `source` (registered as `name`) with the stdlib and
/// renders every diagnostic; an empty string means the program is accepted.
pub fn diagnose(name: &str, source: &str) -> String {
    let mut files = SourceMap::new();
    let file = files.add(name, source);
    let diagnostics = match parse(file, source) {
        Err(errors) => errors.into_diagnostics(),
        Ok(module) => match smoothc::stdlib::check_program(&mut files, &module) {
            Err(diagnostics) => diagnostics,
            Ok(_) => Vec::new(),
        },
    };
    render(&files, &diagnostics)
}

#[test]
fn error_fixtures() {
    insta::glob!("../fixtures/errors", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is readable");
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("fixture has a UTF-8 file name");
        let rendered = diagnose(name, &source);
        // Every fixture is a bad program: it must produce a diagnostic.
        assert!(rendered.contains("error["), "{name} was accepted");
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}\n----- DIAGNOSTICS\n{rendered}"
        ));
    });
}

#[test]
fn a_good_program_has_no_diagnostics() {
    let source = "fn mean(x: real[n]) -> real { sum(x) / len(x) }";
    // `sum(x) / len(x)` mixes real and int: this must be rejected...
    assert!(diagnose("mean.dsl", source).contains("E0303"));
    // ...and the fixed program must be accepted.
    let fixed =
        "fn total(x: real[n]) -> real { let mut s = 0.0; for i in 0..len(x) { s += x[i]; } s }";
    assert_eq!(diagnose("total.dsl", fixed), "");
}
