//! One compiled function: its IR at every stage and its executables.

use crate::diagnostics::pipeline;
use crate::ir::{self, Func};
use crate::runtime::{self, Value};
use crate::smooth::{self, SmoothOptions, SmoothingSite};
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

    fn run(
        &self,
        args: &[Value],
        config: &runtime::RunConfig,
    ) -> Result<Vec<Value>, runtime::RuntimeError> {
        match self {
            Executable::Interp(func) => interp::run(func, args, config),
            Executable::Jit(_, compiled) => compiled.run(args, config),
        }
    }
}

/// A function of a [`Program`], compiled in the program's mode and backend.
pub struct Function {
    name: String,
    params: Vec<ParamInfo>,
    lowered: Func,
    sites: Vec<SmoothingSite>,
    forward: Executable,
    /// `None` when the result is not real.
    grad: Option<Executable>,
    sources: Arc<SourceMap>,
}

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
        let smooth_options = SmoothOptions {
            mode: program.options.mode,
            family: program.options.family,
            estimator: program.options.estimator,
        };
        let (smoothed, sites) = smooth::run(&lowered, &smooth_options)
            .map_err(|error| compile_error(pipeline::smooth_error(&error)))?;
        let smoothed = verified(smoothed, sources)?;
        let grad = match ad::run(&smoothed) {
            Ok(grad) => Some(verified(grad, sources)?),
            Err(ad::AdError::NonRealResult { .. }) => None,
            Err(error) => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    vec![pipeline::ad_error(&error)],
                    sources,
                ));
            }
        };
        let backend = program.options.backend;
        let internal = |diagnostic| Error::new(ErrorKind::Internal, vec![diagnostic], sources);
        let forward = Executable::new(smoothed, backend).map_err(internal)?;
        let grad = grad
            .map(|grad| Executable::new(grad, backend))
            .transpose()
            .map_err(internal)?;
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
        Ok(Function {
            name: name.to_string(),
            params,
            lowered,
            sites,
            forward,
            grad,
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
            runtime::RuntimeError::TapeUnderflow => ErrorKind::Internal,
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

    /// Runs the function.
    pub fn call(&self, args: &[Value], runtime: &Runtime) -> Result<Value, Error> {
        let mut outputs = self
            .forward
            .run(args, &runtime.config())
            .map_err(|error| self.runtime_error(&error, self.forward.func()))?;
        Ok(outputs.remove(0))
    }

    /// The value and the gradient of a real-valued function, one gradient
    /// per real parameter in order (see [`Function::params`]).
    pub fn value_and_grad(
        &self,
        args: &[Value],
        runtime: &Runtime,
    ) -> Result<(Value, Vec<Value>), Error> {
        let seed = match self.lowered.vars[self.lowered.outputs[0]].ty {
            ir::VarType::Scalar(ir::ScalarType::Real) => Value::Real(1.0),
            _ if self.grad.is_none() => return Err(self.not_differentiable()),
            _ => {
                let diagnostic = pipeline::array_result_needs_cotangent(&self.name);
                return Err(Error::new(
                    ErrorKind::Usage,
                    vec![diagnostic],
                    &self.sources,
                ));
            }
        };
        self.vjp(args, seed, runtime)
    }

    /// The value and the vector-Jacobian product with `cotangent` (a value
    /// of the result's type).
    pub fn vjp(
        &self,
        args: &[Value],
        cotangent: Value,
        runtime: &Runtime,
    ) -> Result<(Value, Vec<Value>), Error> {
        let Some(grad) = &self.grad else {
            return Err(self.not_differentiable());
        };
        // Checked against the function's own signature first, so that errors
        // do not mention the extra cotangent parameter of the gradient.
        let forward = self.forward.func();
        let _ = runtime::bind_arguments(forward, args)
            .map_err(|error| self.runtime_error(&error, forward))?;
        let mut full_args = args.to_vec();
        full_args.push(cotangent);
        let mut outputs = grad
            .run(&full_args, &runtime.config())
            .map_err(|error| self.runtime_error(&error, grad.func()))?;
        let value = outputs.remove(0);
        Ok((value, outputs))
    }
}
