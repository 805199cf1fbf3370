//! Every ```dsl block of docs/LANGUAGE.md compiles, and every function in it
//! builds (lowering, smoothing, reverse mode, JIT) in both modes. A block
//! followed by `<!-- run: FN {JSON args} = JSON result -->` is also run in
//! hard mode on both backends and must give that result.

use crate::support::{assert_close, reals, repo_path};
use smoothc::{Backend, Mode, Options, Runtime};
use std::collections::BTreeMap;

struct DocBlock {
    source: String,
    /// `(function, arguments, expected result)` from a `<!-- run: -->` line.
    run: Option<(String, String, String)>,
}

fn dsl_blocks(markdown: &str) -> Vec<DocBlock> {
    let mut blocks: Vec<DocBlock> = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed == "```dsl" => current = Some(String::new()),
            None => {
                if let Some(run) = trimmed
                    .strip_prefix("<!-- run:")
                    .and_then(|rest| rest.strip_suffix("-->"))
                {
                    let block = blocks.last_mut().expect("a run line follows a dsl block");
                    let (call, expected) =
                        run.rsplit_once('=').expect("run lines end in `= RESULT`");
                    let (function, args) = call
                        .trim()
                        .split_once(' ')
                        .expect("run lines name the function");
                    block.run = Some((
                        function.to_string(),
                        args.trim().to_string(),
                        expected.trim().to_string(),
                    ));
                }
            }
            Some(block) if trimmed == "```" => {
                blocks.push(DocBlock {
                    source: std::mem::take(block),
                    run: None,
                });
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

fn options(mode: Mode, backend: Backend) -> Options {
    Options {
        mode,
        backend,
        file_name: "LANGUAGE.md".to_string(),
        ..Options::default()
    }
}

#[test]
fn language_reference_examples_compile_and_run() {
    let markdown = std::fs::read_to_string(repo_path("docs/LANGUAGE.md")).expect("docs exist");
    let blocks = dsl_blocks(&markdown);
    assert!(blocks.len() >= 8, "the reference has examples");
    assert!(blocks.iter().filter(|block| block.run.is_some()).count() >= 6);
    for block in &blocks {
        for mode in [Mode::Hard, Mode::Relaxed] {
            let program = smoothc::compile(&block.source, &options(mode, Backend::Jit))
                .unwrap_or_else(|error| panic!("{}\n{}", error.render(), block.source));
            for name in program.function_names() {
                if let Err(error) = program.function(&name) {
                    panic!("{}\n{}", error.render(), block.source);
                }
            }
        }
        let Some((function, args, expected)) = &block.run else {
            continue;
        };
        let args_json: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(args).expect("JSON arguments");
        let expected: serde_json::Value = serde_json::from_str(expected).expect("JSON result");
        let expected: Vec<f64> = match &expected {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|item| item.as_f64().expect("numbers"))
                .collect(),
            number => vec![number.as_f64().expect("a number")],
        };
        for backend in [Backend::Jit, Backend::Interp] {
            let program =
                smoothc::compile(&block.source, &options(Mode::Hard, backend)).expect("compiles");
            let compiled = program.function(function).expect("builds");
            let args =
                smoothc::json::arguments_from_json(&compiled, &args_json).expect("arguments fit");
            let value = compiled
                .call(&args, &Runtime::default())
                .unwrap_or_else(|error| panic!("{}", error.render()));
            assert_close(&reals(&value), &expected, 1e-12, function);
        }
    }
}
