//! The `.dsl` files of a folder and the examples with their entry
//! functions and inputs, for the unit tests that run every example (the
//! integration tests in `tests/` have their own). Test-only: reads files
//! under the crate root and panics on anything missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An example of `examples/`: its source, its `// entry:` function and the
/// arguments of its `.json` file.
pub struct Example {
    pub path: PathBuf,
    pub source: String,
    pub entry: String,
    pub inputs: BTreeMap<String, serde_json::Value>,
}

/// The `.dsl` files of `dir` (relative to the crate root), sorted.
pub fn dsl_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the directory exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    files.sort();
    files
}

/// Every example, in file name order.
pub fn examples() -> Vec<Example> {
    dsl_files("examples")
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("readable example");
            let entry = source
                .lines()
                .find_map(|line| line.strip_prefix("// entry: "))
                .expect("an entry line")
                .trim()
                .to_string();
            let inputs = serde_json::from_str(
                &std::fs::read_to_string(path.with_extension("json")).expect("inputs"),
            )
            .expect("a JSON object");
            Example {
                path,
                source,
                entry,
                inputs,
            }
        })
        .collect()
}
