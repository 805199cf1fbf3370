//! Shared helpers of the integration tests: loading examples, compiling a
//! function in a mode and backend, comparing values.

use smoothc::{Backend, Function, Mode, Options, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A runnable example: `examples/NAME.dsl` with inputs in `NAME.json`, its
/// entry function named by a `// entry: NAME` line, and optionally
/// `// modes: hard` (the modes it runs in; default hard and relaxed) and
/// `// check-hard-gradient: no` (for programs whose decisions move under
/// any perturbation, so that finite differences never see a frozen branch)
/// and `// large-inputs: MAGNITUDE` or `// large-inputs: no`.
pub struct Example {
    pub name: String,
    pub source: String,
    pub entry: String,
    pub args_json: BTreeMap<String, serde_json::Value>,
    pub modes: Vec<Mode>,
    pub check_hard_gradient: bool,
    /// The largest factor by which every real input is scaled in the
    /// extreme-input tests: 1e300 unless `// large-inputs: 1e150` says that
    /// the program's own arithmetic overflows beyond (squares or products
    /// of inputs), or `None` for `// large-inputs: no` (cubes, exponentials).
    /// Either says nothing about the relaxation; `limits` checks that the
    /// hard program overflows there too.
    pub large_inputs: Option<f64>,
    /// `// taus: A B`: the temperatures at which the example is snapshotted
    /// in relaxed mode (default 0.1 and 1), chosen on the scale of the
    /// example's quantities.
    pub taus: Vec<f64>,
}

fn header(source: &str, key: &str) -> Option<String> {
    source
        .lines()
        .find_map(|line| line.trim().strip_prefix(&format!("// {key}:")))
        .map(|value| value.trim().to_string())
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub fn entry_of(source: &str) -> Option<String> {
    header(source, "entry")
}

pub fn examples() -> Vec<Example> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_path("examples"))
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 9, "the examples are found");
    paths
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("readable example");
            let entry = entry_of(&source)
                .unwrap_or_else(|| panic!("{} has no `// entry:` line", path.display()));
            let json_text = std::fs::read_to_string(path.with_extension("json"))
                .expect("every example has inputs");
            let args_json =
                serde_json::from_str(&json_text).expect("example inputs are a JSON object");
            let modes = match header(&source, "modes") {
                None => vec![Mode::Hard, Mode::Relaxed],
                Some(list) => list
                    .split_whitespace()
                    .map(|mode| match mode {
                        "hard" => Mode::Hard,
                        "relaxed" => Mode::Relaxed,
                        other => panic!("{}: unknown mode {other}", path.display()),
                    })
                    .collect(),
            };
            // The first word counts; a reason in parentheses may follow.
            let large_inputs = match header(&source, "large-inputs")
                .as_deref()
                .and_then(|value| value.split_whitespace().next())
            {
                None => Some(1e300),
                Some("no") => None,
                Some(magnitude) => Some(magnitude.parse().expect("large-inputs: a number or no")),
            };
            let taus = header(&source, "taus").map_or_else(
                || vec![0.1, 1.0],
                |list| {
                    list.split_whitespace()
                        .map(|tau| tau.parse().expect("taus are numbers"))
                        .collect()
                },
            );
            let check_hard_gradient =
                header(&source, "check-hard-gradient").as_deref() != Some("no");
            Example {
                name: path
                    .file_stem()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned(),
                source,
                entry,
                args_json,
                modes,
                check_hard_gradient,
                large_inputs,
                taus,
            }
        })
        .collect()
}

pub fn compile_fn(source: &str, entry: &str, mode: Mode, backend: Backend) -> Function {
    let options = Options {
        mode,
        backend,
        file_name: "test.dsl".to_string(),
        ..Options::default()
    };
    let program =
        smoothc::compile(source, &options).unwrap_or_else(|error| panic!("{}", error.render()));
    program
        .function(entry)
        .unwrap_or_else(|error| panic!("{}", error.render()))
}

impl Example {
    pub fn function(&self, mode: Mode, backend: Backend) -> Function {
        compile_fn(&self.source, &self.entry, mode, backend)
    }

    pub fn args(&self, function: &Function) -> Vec<Value> {
        smoothc::json::arguments_from_json(function, &self.args_json)
            .expect("example inputs fit the signature")
    }
}

/// Every real number inside a value, in order.
pub fn reals(value: &Value) -> Vec<f64> {
    match value {
        Value::Real(real) => vec![*real],
        Value::Int(int) => vec![*int as f64],
        Value::Bool(boolean) => vec![f64::from(u8::from(*boolean))],
        Value::Array(array) => array.iter().copied().collect(),
        Value::IntArray(array) => array.iter().map(|x| *x as f64).collect(),
        Value::BoolArray(array) => array.iter().map(|x| f64::from(u8::from(*x))).collect(),
    }
}

/// `|a - b| <= tol * max(1, |a|, |b|)` for every pair.
pub fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (index, (x, y)) in a.iter().zip(b).enumerate() {
        let scale = 1f64.max(x.abs()).max(y.abs());
        assert!(
            (x - y).abs() <= tol * scale,
            "{what}[{index}]: {x} vs {y} (tolerance {tol})"
        );
    }
}

/// The values of a real parameter list, perturbed: coordinate `index` of the
/// flattened real inputs moved by `step`.
pub fn perturb(args: &[Value], index: usize, step: f64) -> Vec<Value> {
    let mut remaining = index;
    let mut out = args.to_vec();
    for arg in out.iter_mut() {
        match arg {
            Value::Real(real) => {
                if remaining == 0 {
                    *real += step;
                    return out;
                }
                remaining -= 1;
            }
            Value::Array(array) => {
                if remaining < array.len() {
                    let slot = array.iter_mut().nth(remaining).expect("index in range");
                    *slot += step;
                    return out;
                }
                remaining -= array.len();
            }
            Value::Int(_) | Value::Bool(_) | Value::IntArray(_) | Value::BoolArray(_) => {}
        }
    }
    panic!("coordinate {index} is beyond the real inputs")
}

/// How many real coordinates the arguments hold.
pub fn real_coordinates(args: &[Value]) -> usize {
    args.iter()
        .map(|arg| match arg {
            Value::Real(_) => 1,
            Value::Array(array) => array.len(),
            Value::Int(_) | Value::Bool(_) | Value::IntArray(_) | Value::BoolArray(_) => 0,
        })
        .sum()
}

/// A reference file of `../shared/reference/` (outputs of published
/// libraries; see its README).
pub fn reference(name: &str) -> serde_json::Value {
    let path = repo_path(&format!("../shared/reference/{name}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).expect("reference files are JSON")
}

/// The numbers of a JSON array.
pub fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}
