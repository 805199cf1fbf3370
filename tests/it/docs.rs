//! Every ```dsl block of docs/LANGUAGE.md compiles, and every function in it
//! builds (lowering, smoothing, reverse mode, JIT) in both modes.

use crate::support::repo_path;
use smoothc::{Mode, Options};

fn dsl_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```dsl") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().expect("inside a block")),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn language_reference_examples_compile() {
    let markdown = std::fs::read_to_string(repo_path("docs/LANGUAGE.md")).expect("docs exist");
    let blocks = dsl_blocks(&markdown);
    assert!(blocks.len() >= 5, "the reference has examples");
    for block in blocks {
        for mode in [Mode::Hard, Mode::Relaxed] {
            let options = Options {
                mode,
                file_name: "LANGUAGE.md".to_string(),
                ..Options::default()
            };
            let program = smoothc::compile(&block, &options)
                .unwrap_or_else(|error| panic!("{}\n{block}", error.render()));
            for name in program.function_names() {
                if let Err(error) = program.function(&name) {
                    panic!("{}\n{block}", error.render());
                }
            }
        }
    }
}
