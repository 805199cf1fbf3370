//! One compiled function: its IR at every stage, its executables, and the
//! entry points that run them.
//!
//! In hard and relaxed modes a call runs the forward or the gradient
//! function once. In stochastic mode every entry point goes through the
//! Monte-Carlo driver (`estimate`): `call`, `value_and_grad` and `vjp`
//! return the means of [`Function::estimate_value`],
//! [`Function::estimate`] and [`Function::estimate_vjp`], which also report
//! the standard errors.

use crate::diagnostics::pipeline;
use crate::estimate::{self, Estimate, Protocol, Target};
use crate::ir::{self, Func};
use crate::runtime::{self, Value};
use crate::smooth::{self, Estimator, Family, Mode, SmoothOptions, SmoothingSite};
use crate::syntax::span::{FileId, SourceMap};
use crate::{Backend, Error, ErrorKind, Program, Runtime, ad, interp, jit};
use codespan_reporting::diagnostic::Diagnostic;
use std::sync::Arc;

/// A stage of the pipeline, for printing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Lowered and inlined, before smoothing.
    Ir,
    /// After the smoothing pass.
    Smoothed,
    /// The gradient function.
    Grad,
}

/// A parameter as callers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    /// The type as the language writes it (`real[n]`).
    pub ty: String,
    /// Whether the gradient has an entry for it.
    pub is_real: bool,
    /// The scalar type of the parameter or of its elements.
    pub elem: ir::ScalarType,
    /// 0 for scalars, else the number of array dimensions.
    pub rank: usize,
}

/// The code that runs one IR function.
enum Executable {
    Interp(Func),
    Jit(Func, Box<jit::JitFunction>),
}

impl Executable {
    fn new(func: Func, backend: Backend) -> Result<Executable, Diagnostic<FileId>> {
        match backend {
            Backend::Interp => Ok(Executable::Interp(func)),
            Backend::Jit => {
                let compiled = jit::JitFunction::compile(&func)
                    .map_err(|error| pipeline::internal(&error.to_string()))?;
                Ok(Executable::Jit(func, Box::new(compiled)))
            }
        }
    }

    fn func(&self) -> &Func {
        match self {
            Executable::Interp(func) | Executable::Jit(func, _) => func,
        }
    }

    fn run<A: std::borrow::Borrow<Value>>(
        &self,
        args: &[A],
        config: &runtime::RunConfig,
    ) -> Result<Vec<Value>, runtime::RuntimeError> {
        match self {
            Executable::Interp(func) => interp::run(func, args, config),
            Executable::Jit(_, compiled) => compiled.run(args, config),
        }
    }
}

/// A function of a [`Program`], compiled in the program's mode and backend.
///
/// `Send + Sync`: stochastic mode runs its samples on several threads, and
/// callers may share one compiled function between threads the same way.
pub struct Function {
    name: String,
    params: Vec<ParamInfo>,
    lowered: Func,
    sites: Vec<SmoothingSite>,
    forward: Executable,
    /// `None` when the result is not real.
    grad: Option<Executable>,
    /// The program's mode.
    mode: Mode,
    /// How calls run: once, or as a Monte-Carlo estimate (stochastic mode,
    /// or any function whose code draws noise).
    sampled: bool,
    /// The whole-function estimator of stochastic mode: the file's
    /// `#![stochastic(estimator = ..)]`, else `Options::estimator`.
    estimator: Estimator,
    /// The noise family of `perturb`: the file's family, else
    /// `Options::family`.
    family: Family,
    sources: Arc<SourceMap>,
}

/// Compile-time proof of the claim on [`Function`].
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Function>();
};

fn verified(func: Func, sources: &Arc<SourceMap>) -> Result<Func, Error> {
    if cfg!(debug_assertions) {
        ir::verify::verify(&func).map_err(|error| {
            Error::new(
                ErrorKind::Internal,
                vec![pipeline::internal(&error.to_string())],
                sources,
            )
        })?;
    }
    Ok(func)
}

/// The gradient function of `smoothed`, optimised; `None` when its result
/// is not real.
fn differentiate(smoothed: &Func, sources: &Arc<SourceMap>) -> Result<Option<Func>, Error> {
    match ad::run(smoothed) {
        Ok(grad) => {
            let mut grad = verified(grad, sources)?;
            // The reverse sweep recomputes each segment, stores included,
            // before restoring it: most of that is dead.
            ir::optimize::optimize(&mut grad);
            Ok(Some(verified(grad, sources)?))
        }
        Err(ad::AdError::NonRealResult { .. }) => Ok(None),
        Err(error) => Err(Error::new(
            ErrorKind::Internal,
            vec![pipeline::ad_error(&error)],
            sources,
        )),
    }
}

impl Function {
    pub(crate) fn build(program: &Program, name: &str) -> Result<Function, Error> {
        let sources = &program.sources;
        let compile_error = |diagnostic| Error::new(ErrorKind::Compile, vec![diagnostic], sources);
        let Some(id) = program.typed.fn_by_name(name) else {
            let diagnostic = pipeline::unknown_function(name, &program.function_names());
            return Err(Error::new(ErrorKind::Usage, vec![diagnostic], sources));
        };
        let tfn = program.typed.func(id);
        let lowered = ir::lower::lower(&program.typed, id)
            .map_err(|error| compile_error(pipeline::lower_error(&error)))?;
        let lowered = verified(lowered, sources)?;
        let file_attrs = &program.typed.file_attrs;
        let estimator = file_attrs.estimator.unwrap_or(program.options.estimator);
        let family = file_attrs
            .family
            .map_or(program.options.family, Family::from_attribute);
        let smooth_options = SmoothOptions {
            mode: program.options.mode,
            family: program.options.family,
            estimator,
        };
        let (smoothed, sites) = smooth::run(&lowered, &smooth_options)
            .map_err(|error| compile_error(pipeline::smooth_error(&error)))?;
        let mut smoothed = verified(smoothed, sources)?;
        ir::optimize::optimize(&mut smoothed);
        let mut smoothed = verified(smoothed, sources)?;
        if program.options.pipeline_sweeps && ir::wavefront::run(&mut smoothed) > 0 {
            // The rewrite's spills read their variables again at each use.
            ir::optimize::optimize(&mut smoothed);
            smoothed = verified(smoothed, sources)?;
        }
        // The forward code compiles on one thread while the reverse code is
        // derived and compiled on another: Cranelift takes nearly all of the
        // compile time, and the two functions share nothing.
        let backend = program.options.backend;
        let internal = |diagnostic| Error::new(ErrorKind::Internal, vec![diagnostic], sources);
        let (forward, grad) = rayon::join(
            || Executable::new(smoothed.clone(), backend).map_err(internal),
            || -> Result<Option<Executable>, Error> {
                differentiate(&smoothed, sources)?
                    .map(|grad| Executable::new(grad, backend))
                    .transpose()
                    .map_err(internal)
            },
        );
        let (forward, grad) = (forward?, grad?);
        let params = tfn
            .params
            .iter()
            .zip(&lowered.params)
            .map(|(_, var)| {
                let data = &lowered.vars[*var];
                ParamInfo {
                    name: data.name.clone(),
                    ty: runtime::describe_var_type(&lowered, &data.ty),
                    is_real: data.ty.elem() == ir::ScalarType::Real,
                    elem: data.ty.elem(),
                    rank: match &data.ty {
                        ir::VarType::Scalar(_) => 0,
                        ir::VarType::Array { dims, .. } => dims.len(),
                    },
                }
            })
            .collect();
        let sampled = program.options.mode == Mode::Stochastic || draws_noise(forward.func());
        Ok(Function {
            name: name.to_string(),
            params,
            lowered,
            sites,
            forward,
            grad,
            mode: program.options.mode,
            sampled,
            estimator,
            family,
            sources: Arc::clone(sources),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The smoothing sites, one per line with its source location.
    pub fn describe_sites(&self) -> String {
        crate::diagnostics::describe_sites(&self.sources, &self.sites)
    }

    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    /// The smoothing sites and the rule applied to each.
    pub fn sites(&self) -> &[SmoothingSite] {
        &self.sites
    }

    /// Whether calls are Monte-Carlo estimates: stochastic mode, or a
    /// program whose code draws noise. Then [`Function::estimate`] and
    /// [`Function::estimate_value`] report standard errors.
    pub fn is_stochastic(&self) -> bool {
        self.sampled
    }

    /// The whole-function estimator of stochastic mode (see
    /// [`Estimator`]).
    pub fn estimator(&self) -> Estimator {
        self.estimator
    }

    /// Whether [`Function::value_and_grad`] is available (the result is real).
    pub fn is_differentiable(&self) -> bool {
        self.grad.is_some()
    }

    /// The IR of a stage, as text.
    pub fn ir_text(&self, stage: Stage) -> Option<String> {
        match stage {
            Stage::Ir => Some(self.lowered.to_string()),
            Stage::Smoothed => Some(self.forward.func().to_string()),
            Stage::Grad => self.grad.as_ref().map(|grad| grad.func().to_string()),
        }
    }

    /// The IR the forward code runs (after smoothing).
    #[cfg(test)]
    pub(crate) fn forward_ir(&self) -> &Func {
        self.forward.func()
    }

    /// The IR the gradient code runs, if the function has a gradient.
    #[cfg(test)]
    pub(crate) fn grad_ir(&self) -> Option<&Func> {
        self.grad.as_ref().map(Executable::func)
    }

    /// The Cranelift IR of the forward and gradient functions.
    pub fn clif_text(&self) -> Result<String, Error> {
        let mut text = jit::clif_text(self.forward.func())
            .map_err(|error| self.internal(&error.to_string()))?;
        if let Some(grad) = &self.grad {
            text.push('\n');
            text.push_str(
                &jit::clif_text(grad.func()).map_err(|error| self.internal(&error.to_string()))?,
            );
        }
        Ok(text)
    }

    fn not_differentiable(&self) -> Error {
        let error = ad::AdError::NonRealResult {
            func: self.name.clone(),
        };
        Error::new(
            ErrorKind::Usage,
            vec![pipeline::ad_error(&error)],
            &self.sources,
        )
    }

    fn internal(&self, reason: &str) -> Error {
        Error::new(
            ErrorKind::Internal,
            vec![pipeline::internal(reason)],
            &self.sources,
        )
    }

    fn runtime_error(&self, error: &runtime::RuntimeError, func: &Func) -> Error {
        let kind = match error {
            runtime::RuntimeError::ArgumentCount { .. }
            | runtime::RuntimeError::ArgumentType { .. }
            | runtime::RuntimeError::SizeMismatch { .. } => ErrorKind::Usage,
            runtime::RuntimeError::TapeUnderflow | runtime::RuntimeError::Internal { .. } => {
                ErrorKind::Internal
            }
            runtime::RuntimeError::IndexOutOfBounds { .. }
            | runtime::RuntimeError::DivisionByZero { .. }
            | runtime::RuntimeError::TapeLimit { .. }
            | runtime::RuntimeError::LoopBoundExceeded { .. }
            | runtime::RuntimeError::NegativeSize { .. } => ErrorKind::Runtime,
        };
        Error::new(
            kind,
            vec![pipeline::runtime_error(error, func, &self.name)],
            &self.sources,
        )
    }

    /// Runs the function. In stochastic mode: the mean over
    /// `runtime.samples` Monte-Carlo samples, as [`Function::estimate_value`]
    /// (which also gives its standard error).
    pub fn call(&self, args: &[Value], runtime: &Runtime) -> Result<Value, Error> {
        if self.sampled {
            return Ok(self.estimate_value(args, runtime)?.value);
        }
        self.run_forward(args, &runtime.config())
    }

    /// [`Function::call`] on every input of `batch`, spread over the cores
    /// (rayon's current pool); the results come in the order of the inputs.
    pub fn call_batch(&self, batch: &[Vec<Value>], runtime: &Runtime) -> Vec<Result<Value, Error>> {
        use rayon::prelude::*;
        batch
            .par_iter()
            .map(|args| self.call(args, runtime))
            .collect()
    }

    /// [`Function::value_and_grad`] on every input of `batch`, spread over
    /// the cores; the results come in the order of the inputs.
    pub fn value_and_grad_batch(
        &self,
        batch: &[Vec<Value>],
        runtime: &Runtime,
    ) -> Vec<Result<(Value, Vec<Value>), Error>> {
        use rayon::prelude::*;
        batch
            .par_iter()
            .map(|args| self.value_and_grad(args, runtime))
            .collect()
    }

    /// The value and the gradient of a real-valued function, one gradient
    /// per real parameter in order (see [`Function::params`]). In stochastic
    /// mode: the means of [`Function::estimate`].
    pub fn value_and_grad(
        &self,
        args: &[Value],
        runtime: &Runtime,
    ) -> Result<(Value, Vec<Value>), Error> {
        let seed = self.scalar_seed()?;
        self.vjp(args, seed, runtime)
    }

    /// The value and the vector-Jacobian product with `cotangent` (a value
    /// of the result's type). In stochastic mode: the means of
    /// [`Function::estimate_vjp`].
    pub fn vjp(
        &self,
        args: &[Value],
        cotangent: Value,
        runtime: &Runtime,
    ) -> Result<(Value, Vec<Value>), Error> {
        if self.sampled {
            let estimate = self.estimate_vjp(args, cotangent, runtime)?;
            return Ok((estimate.value, estimate.grad));
        }
        self.exact_vjp(args, &cotangent, &runtime.config())
    }

    /// Stochastic mode: the Monte-Carlo estimate of the value and the
    /// gradient of a function with a real result, with standard errors,
    /// over `runtime.samples` samples drawn from `runtime.seed` (see
    /// [`Estimate`] and the module `estimate` for each estimator). In hard
    /// and relaxed modes: the exact value and gradient, with zero errors.
    pub fn estimate(&self, args: &[Value], runtime: &Runtime) -> Result<Estimate, Error> {
        let seed = self.scalar_seed()?;
        self.estimate_vjp(args, seed, runtime)
    }

    /// [`Function::estimate`] for the vector-Jacobian product with
    /// `cotangent`, for array results. Stochastic mode supports it with the
    /// `perturb` and `straight_through` estimators; the score estimator's
    /// baseline needs a real (scalar) result.
    pub fn estimate_vjp(
        &self,
        args: &[Value],
        cotangent: Value,
        runtime: &Runtime,
    ) -> Result<Estimate, Error> {
        if !self.sampled {
            let (value, grad) = self.exact_vjp(args, &cotangent, &runtime.config())?;
            return Ok(Estimate::exact(value, grad));
        }
        self.check_cotangent(args, &cotangent)?;
        self.sample(args, Target::Vjp(&cotangent), runtime)
    }

    /// Stochastic mode: the Monte-Carlo estimate of the value alone (no
    /// gradient function runs; `grad` and `grad_stderr` are empty). The
    /// result must be real (a real or a real array) to have a mean. In hard
    /// and relaxed modes: the exact value with zero error.
    pub fn estimate_value(&self, args: &[Value], runtime: &Runtime) -> Result<Estimate, Error> {
        if !self.sampled {
            let value = self.run_forward(args, &runtime.config())?;
            return Ok(Estimate::exact(value, Vec::new()));
        }
        self.sample(args, Target::Value, runtime)
    }

    /// Checks what every stochastic estimate needs, then runs the driver.
    fn sample(
        &self,
        args: &[Value],
        target: Target<'_>,
        runtime: &Runtime,
    ) -> Result<Estimate, Error> {
        self.check_sampling(runtime)?;
        let forward = self.forward.func();
        let _ = runtime::bind_arguments(forward, args)
            .map_err(|error| self.runtime_error(&error, forward))?;
        if self.result_type().elem() != ir::ScalarType::Real {
            return Err(self.usage(pipeline::stochastic_result_not_real(
                &self.name,
                &runtime::describe_var_type(&self.lowered, self.result_type()),
            )));
        }
        let protocol = self.protocol(target)?;
        estimate::run(self, protocol, args, target, runtime)
    }

    /// The estimator's protocol, if it can compute `target`. Whole-function
    /// `perturb` belongs to stochastic mode; noise drawn by the sites of
    /// another mode's program is sampled as its code draws it.
    fn protocol(&self, target: Target<'_>) -> Result<Protocol, Error> {
        if self.mode == Mode::Stochastic && self.estimator == Estimator::Perturb {
            return Ok(Protocol::Perturb(self.family));
        }
        let baseline = self
            .grad
            .as_ref()
            .is_some_and(|grad| reads_baseline(grad.func()));
        if let Target::Vjp(_) = target {
            if self.grad.is_none() {
                return Err(self.not_differentiable());
            }
            if baseline && self.result_type().is_array() {
                return Err(self.usage(pipeline::score_needs_scalar_result(&self.name)));
            }
        }
        Ok(Protocol::Decisions { baseline })
    }

    /// `runtime.samples >= 1` and a usable temperature.
    fn check_sampling(&self, runtime: &Runtime) -> Result<(), Error> {
        if runtime.samples == 0 {
            return Err(self.usage(pipeline::invalid_runtime("samples", "0", "at least 1")));
        }
        if !(runtime.tau > 0.0 && runtime.tau.is_finite()) {
            return Err(self.usage(pipeline::invalid_runtime(
                "tau",
                &runtime.tau.to_string(),
                "a positive finite number",
            )));
        }
        Ok(())
    }

    /// The cotangent against the result's type (as the gradient function's
    /// last parameter), before any sample runs.
    fn check_cotangent(&self, args: &[Value], cotangent: &Value) -> Result<(), Error> {
        let Some(grad) = &self.grad else {
            return Err(self.not_differentiable());
        };
        let full_args: Vec<&Value> = args.iter().chain([cotangent]).collect();
        let _ = runtime::bind_arguments(grad.func(), &full_args)
            .map_err(|error| self.runtime_error(&error, grad.func()))?;
        Ok(())
    }

    fn result_type(&self) -> &ir::VarType {
        &self.lowered.vars[self.lowered.outputs[0]].ty
    }

    /// The cotangent 1.0 of a real result; an error for other results.
    fn scalar_seed(&self) -> Result<Value, Error> {
        match self.result_type() {
            ir::VarType::Scalar(ir::ScalarType::Real) => Ok(Value::Real(1.0)),
            _ if self.grad.is_none() => Err(self.not_differentiable()),
            _ => Err(self.usage(pipeline::array_result_needs_cotangent(&self.name))),
        }
    }

    fn usage(&self, diagnostic: Diagnostic<FileId>) -> Error {
        Error::new(ErrorKind::Usage, vec![diagnostic], &self.sources)
    }

    /// One run of the forward function.
    fn run_forward(&self, args: &[Value], config: &runtime::RunConfig) -> Result<Value, Error> {
        let mut outputs = self
            .forward
            .run(args, config)
            .map_err(|error| self.runtime_error(&error, self.forward.func()))?;
        Ok(outputs.remove(0))
    }

    /// One run of the gradient function: the value and the vector-Jacobian
    /// product with `cotangent`.
    fn exact_vjp(
        &self,
        args: &[Value],
        cotangent: &Value,
        config: &runtime::RunConfig,
    ) -> Result<(Value, Vec<Value>), Error> {
        let Some(grad) = &self.grad else {
            return Err(self.not_differentiable());
        };
        // Checked against the function's own signature first, so that errors
        // do not mention the extra cotangent parameter of the gradient.
        let forward = self.forward.func();
        let _ = runtime::bind_arguments(forward, args)
            .map_err(|error| self.runtime_error(&error, forward))?;
        let full_args: Vec<&Value> = args.iter().chain([cotangent]).collect();
        let mut outputs = grad
            .run(&full_args, config)
            .map_err(|error| self.runtime_error(&error, grad.func()))?;
        let value = outputs.remove(0);
        Ok((value, outputs))
    }
}

/// The driver's view of a compiled function: one run per sample.
impl estimate::Sampler for Function {
    fn value(&self, args: &[Value], config: &runtime::RunConfig) -> Result<Value, Error> {
        self.run_forward(args, config)
    }

    fn gradient(
        &self,
        args: &[Value],
        cotangent: &Value,
        config: &runtime::RunConfig,
    ) -> Result<(Value, Vec<Value>), Error> {
        self.exact_vjp(args, cotangent, config)
    }
}

/// Whether `func` draws noise (`Inst::Noise`): its calls are then samples,
/// whatever the program's mode (a `#[stochastic]` site in a relaxed
/// program).
fn draws_noise(func: &Func) -> bool {
    func.insts
        .values()
        .any(|inst| matches!(inst, ir::Inst::Noise { .. }))
}

/// Whether `func` reads the score-function baseline (`Inst::Baseline`):
/// its gradient then has score terms, and the driver gives each sample the
/// leave-one-out baseline.
fn reads_baseline(func: &Func) -> bool {
    func.insts
        .values()
        .any(|inst| matches!(inst, ir::Inst::Baseline))
}
