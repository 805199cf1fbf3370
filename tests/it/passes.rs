//! Snapshots of the passes: for each program in `tests/fixtures/ir/`, the
//! lowered IR, the smoothed IR (with its sites) and the gradient IR.
//! Each program is checked by the IR verifier at every stage (debug builds).

use smoothc::{Options, Stage};

#[test]
fn pass_snapshots() {
    insta::glob!("../fixtures/ir", "*.dsl", |path| {
        let source = std::fs::read_to_string(path).expect("readable fixture");
        let entry = crate::support::entry_of(&source).expect("fixtures name their entry");
        let options = Options {
            file_name: path.file_name().unwrap().to_string_lossy().into_owned(),
            ..Options::default()
        };
        let program = smoothc::compile(&source, &options)
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let function = program
            .function(&entry)
            .unwrap_or_else(|error| panic!("{}", error.render()));
        let mut report = String::new();
        report.push_str("----- SOURCE\n");
        report.push_str(&source);
        report.push_str("----- IR\n");
        report.push_str(&function.ir_text(Stage::Ir).unwrap());
        report.push_str("----- SMOOTHED IR\n");
        report.push_str(&function.describe_sites());
        report.push_str(&function.ir_text(Stage::Smoothed).unwrap());
        report.push_str("----- GRADIENT IR\n");
        report.push_str(
            &function
                .ir_text(Stage::Grad)
                .unwrap_or_else(|| "(no gradient)\n".to_string()),
        );
        insta::assert_snapshot!(report);
    });
}
