//! smoothc: a compiler for smoothed programs.
//!
//! A program is an ordinary discrete program (comparisons, `if`, loops over
//! arrays). smoothc gives it a *mode*: `hard` runs it as written; `relaxed`
//! (the default) rewrites every decision that depends on real inputs into a
//! temperature-controlled relaxation, so the result is differentiable;
//! `stochastic` takes the decisions on randomly perturbed inputs and makes
//! every call a Monte-Carlo [`Estimate`] with standard errors.
//! Every function is compiled twice, as itself and as its gradient (reverse
//! mode), and runs on a Cranelift JIT or on the reference interpreter.
//!
//! ```
//! use smoothc::{compile, Options, Runtime, Value};
//!
//! let source = r#"
//!     fn relu_sum(x: real[n]) -> real {
//!         let mut total = 0.0;
//!         for i in 0..n {
//!             if x[i] > 0.0 { total = total + x[i]; }
//!         }
//!         total
//!     }
//! "#;
//! let program = compile(source, &Options::default()).expect("the program compiles");
//! let relu_sum = program.function("relu_sum").expect("the function exists");
//! let x = Value::Array(ndarray::arr1(&[-1.0, 2.0]).into_dyn());
//!
//! // Relaxed at a tiny temperature, the program is (almost) the hard one.
//! let runtime = Runtime { tau: 1e-6, ..Runtime::default() };
//! let value = relu_sum.call(&[x.clone()], &runtime).unwrap();
//! assert!((value.as_real().unwrap() - 2.0).abs() < 1e-9);
//!
//! // The gradient with respect to `x` (the only real parameter).
//! let (_, grads) = relu_sum.value_and_grad(&[x], &runtime).unwrap();
//! let dx = grads[0].as_array().unwrap();
//! assert!((dx[[0]] - 0.0).abs() < 1e-9 && (dx[[1]] - 1.0).abs() < 1e-9);
//! ```
//!
//! Stochastic mode with the `perturb` estimator smooths a whole function
//! over its real inputs, `E[f(x + tau * eps)]`; for a step under logistic
//! noise that is exactly `sigmoid(x / tau)`:
//!
//! ```
//! use smoothc::{compile, Estimator, Mode, Options, Runtime, Value};
//!
//! let options = Options {
//!     mode: Mode::Stochastic,
//!     estimator: Estimator::Perturb,
//!     ..Options::default()
//! };
//! let source = "fn step(x: real) -> real { if x > 0.0 { 1.0 } else { 0.0 } }";
//! let step = compile(source, &options).unwrap().function("step").unwrap();
//! let runtime = Runtime { tau: 0.5, samples: 4000, seed: 1, ..Runtime::default() };
//! let estimate = step.estimate(&[Value::Real(0.3)], &runtime).unwrap();
//! let p = 1.0 / (1.0 + (-0.3f64 / 0.5).exp());
//! let (value, stderr) = (estimate.value.as_real().unwrap(), estimate.value_stderr.as_real().unwrap());
//! assert!((value - p).abs() < 4.0 * stderr);
//! let (slope, stderr) = (estimate.grad[0].as_real().unwrap(), estimate.grad_stderr[0].as_real().unwrap());
//! assert!((slope - p * (1.0 - p) / 0.5).abs() < 4.0 * stderr);
//! ```
#![deny(unused_results)]
#![warn(clippy::unwrap_used)]

pub mod ad;
pub mod diagnostics;
pub mod interp;
pub mod ir;
pub mod jit;
pub mod runtime;
pub mod sema;
pub mod smooth;
pub mod stdlib;
pub mod syntax;

mod estimate;
#[cfg(test)]
mod example_files;
mod function;
pub mod json;

pub use estimate::{Estimate, PARALLEL_THRESHOLD};
pub use function::{Function, ParamInfo, Stage};
pub use runtime::Value;
pub use smooth::{Estimator, Family, Mode, SiteKind, SmoothingSite};

use codespan_reporting::diagnostic::Diagnostic;
use diagnostics::IntoDiagnostics;
use std::fmt;
use std::sync::Arc;
use syntax::span::{FileId, SourceMap};

/// Which engine runs the compiled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Backend {
    /// Native code through Cranelift.
    #[default]
    Jit,
    /// The reference interpreter of the IR.
    Interp,
}

/// Compile-time options.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub mode: Mode,
    pub family: Family,
    /// The gradient estimator of stochastic mode (sites may choose their
    /// own).
    pub estimator: Estimator,
    pub backend: Backend,
    /// The name diagnostics give the source file.
    pub file_name: String,
    /// Run consecutive passes of a sweep together, the second a few
    /// iterations behind the first (`ir::wavefront`): the same results,
    /// bit for bit, in less time. On by default; off to measure the gain.
    pub pipeline_sweeps: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::Relaxed,
            family: Family::Logistic,
            estimator: Estimator::Score,
            backend: Backend::Jit,
            file_name: "input.dsl".to_string(),
            pipeline_sweeps: true,
        }
    }
}

/// Run-time settings of one call. The temperature is here, not in
/// [`Options`], so annealing needs no recompilation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Runtime {
    /// The global temperature of relaxed mode (> 0).
    pub tau: f64,
    /// The most values the gradient tape may hold before the call fails.
    pub tape_limit: usize,
    /// Stochastic mode: the number K of Monte-Carlo samples per call.
    pub samples: usize,
    /// Stochastic mode: the seed of the noise; the same seed gives the same
    /// bits on both backends and with any number of threads.
    pub seed: u64,
    /// Stochastic mode: whether the estimators reduce their variance (the
    /// leave-one-out baseline of `score`, the antithetic pairs of
    /// `perturb`). On by default; off gives the plain estimators, so that
    /// the reduction can be measured.
    pub variance_reduction: bool,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            tau: 1.0,
            tape_limit: runtime::RunConfig::default().tape_limit,
            samples: 100,
            seed: 0,
            variance_reduction: true,
        }
    }
}

impl Runtime {
    fn config(&self) -> runtime::RunConfig {
        runtime::RunConfig {
            tau: self.tau,
            tape_limit: self.tape_limit,
            seed: self.seed,
            ..runtime::RunConfig::default()
        }
    }

    /// The configuration of Monte-Carlo sample number `sample`, whose
    /// score-function surrogate subtracts `baseline`.
    fn sample_config(&self, sample: u64, baseline: f64) -> runtime::RunConfig {
        runtime::RunConfig {
            sample,
            baseline,
            ..self.config()
        }
    }
}

/// What went wrong, in which category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The program is not valid (syntax, types, no relaxation, ...).
    Compile,
    /// The program faulted while running (index out of bounds, ...).
    Runtime,
    /// The caller asked for something that does not exist (unknown function,
    /// wrong arguments).
    Usage,
    /// A bug in smoothc.
    Internal,
}

/// Diagnostics for one failure, renderable against the program's sources.
#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub diagnostics: Vec<Diagnostic<FileId>>,
    sources: Arc<SourceMap>,
}

impl Error {
    fn new(
        kind: ErrorKind,
        diagnostics: Vec<Diagnostic<FileId>>,
        sources: &Arc<SourceMap>,
    ) -> Error {
        Error {
            kind,
            diagnostics,
            sources: Arc::clone(sources),
        }
    }

    /// The diagnostics as text, with source snippets, without colour.
    pub fn render(&self) -> String {
        diagnostics::render(&self.sources, &self.diagnostics)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Error {}

/// A checked program: its functions can be compiled and run.
#[derive(Clone, Debug)]
pub struct Program {
    sources: Arc<SourceMap>,
    typed: sema::tast::TProgram,
    options: Options,
}

/// Parses and checks `source` together with the stdlib (the prelude and
/// the modules it `use`s). Functions are compiled on demand by
/// [`Program::function`].
pub fn compile(source: &str, options: &Options) -> Result<Program, Error> {
    let mut sources = SourceMap::new();
    let file = sources.add(options.file_name.clone(), source.to_string());
    let checked = syntax::parser::parse(file, source)
        .map_err(IntoDiagnostics::into_diagnostics)
        .and_then(|module| stdlib::check_program(&mut sources, &module));
    let sources = Arc::new(sources);
    let typed =
        checked.map_err(|diagnostics| Error::new(ErrorKind::Compile, diagnostics, &sources))?;
    Ok(Program {
        sources,
        typed,
        options: options.clone(),
    })
}

impl Program {
    /// Names of the user's functions, in source order, each once (several
    /// overloads share a name; stdlib functions are not listed).
    pub fn function_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in &self.typed.fns {
            if f.origin == sema::tast::FnOrigin::User && !names.contains(&f.name) {
                names.push(f.name.clone());
            }
        }
        names
    }

    /// The checked program, for tools that print it.
    pub fn typed(&self) -> &sema::tast::TProgram {
        &self.typed
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The smoothing sites of `function` with their source locations.
    pub fn describe_sites(&self, function: &Function) -> String {
        function.describe_sites()
    }

    /// Lowers, smooths, differentiates and compiles the function `name`.
    pub fn function(&self, name: &str) -> Result<Function, Error> {
        function::Function::build(self, name)
    }
}

/// The parsed AST of `source` as text (`smoothc ir --stage ast`).
pub fn ast_text(source: &str, options: &Options) -> Result<String, Error> {
    let mut sources = SourceMap::new();
    let file = sources.add(options.file_name.clone(), source.to_string());
    let sources = Arc::new(sources);
    let module = syntax::parser::parse(file, source)
        .map_err(|errors| Error::new(ErrorKind::Compile, errors.into_diagnostics(), &sources))?;
    Ok(syntax::display::module_to_string(&module))
}
