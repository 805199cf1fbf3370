//! The Cranelift JIT: compiles one IR function to native code.
//!
//! [`JitFunction::compile`] translates the IR ([`translate`]) into one
//! Cranelift function `extern "C" fn(*mut Frame) -> i32` ([`abi`]), or a
//! large function into several run one after the other ([`parts`]),
//! compiles them in parallel (with Cranelift's verifier on in debug
//! builds, see [`Jit::new`]), and keeps the modules that own the code.
//! [`JitFunction::run`] binds the arguments exactly as the interpreter does,
//! allocates the variables' storage, calls the code and turns its status
//! into results or a `RuntimeError`. The JIT agrees with the interpreter
//! bit for bit: it emits inline the math kernels of `runtime::kernels`
//! (`exp`, `log`, `sigmoid`, `softplus`, `tanh`, the families' CDFs and
//! densities) that the interpreter evaluates, calls the same `sin`, `cos`
//! and `pow` of `runtime::math`, and uses the tape of `runtime::tape`; `sqrt`, `floor`, `ceil` and `trunc` are exact
//! (correctly rounded) in both, `Round` is built from `trunc` to round
//! halves away from zero as Rust's `f64::round`, and the conversion to int
//! saturates with NaN giving 0, as Rust's `as i64`.
//!
//! Layout, after the cranelift-jit-demo: [`Jit`] owns the module and the
//! contexts, `translate::FunctionTranslator` has one `translate_*` method
//! per construct, `vectorize` runs independent loop iterations two at a
//! time in vector registers, `abi` is the frame layout and `runtime` the
//! `extern "C"` helpers. This is the only module with `unsafe` code.

mod abi;
mod parts;
mod runtime;
mod storage;
mod translate;
mod vectorize;

#[cfg(test)]
mod differential;
#[cfg(test)]
mod tests;

use crate::ir::liveness::Liveness;
use crate::ir::{Func, Inst, InstId, ScalarType, VarId};
use crate::runtime::{RunConfig, RuntimeError, Value, bind_arguments};
use abi::{Frame, STATUS_OK, STATUS_TAPE_FULL, STATUS_UNRESERVED};
use cranelift::prelude::*;
use cranelift_codegen::Context;
use cranelift_codegen::ir::UserFuncName;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleError, default_libcall_names};
use parts::Part;
use rayon::prelude::*;
use std::borrow::Borrow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use storage::CallStorage;
use translate::FunctionTranslator;
pub use translate::loops::LoopReport;

/// A failure to compile. Every variant is a bug in the compiler (or an
/// unsupported host), never a fault of the user's program.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error("Cranelift does not support this host machine: {0}")]
    UnsupportedHost(&'static str),
    #[error("invalid Cranelift setting (this is a bug in the compiler): {0}")]
    Settings(#[from] cranelift_codegen::settings::SetError),
    #[error("Cranelift failed to compile `{func}` (this is a bug in the compiler): {source}")]
    Codegen {
        func: String,
        #[source]
        source: Box<ModuleError>,
    },
    #[error("malformed IR in `{func}` at {inst} (this is a bug in the compiler): {fault}")]
    MalformedIr {
        func: String,
        inst: InstId,
        fault: IrFault,
    },
}

impl JitError {
    fn module(func: &Func, error: ModuleError) -> JitError {
        JitError::Codegen {
            func: func.name.clone(),
            source: Box::new(error),
        }
    }
}

/// What is wrong with an instruction the JIT cannot translate.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IrFault {
    #[error("operand {operand} is used outside the block that computes it, or before")]
    OutOfScope { operand: InstId },
    #[error("operand {operand} has no result")]
    NoResult { operand: InstId },
    #[error("operand {operand} is {found:?} where {expected:?} is expected")]
    OperandType {
        operand: InstId,
        expected: ScalarType,
        found: ScalarType,
    },
    #[error("{op} is not defined on {ty:?}")]
    Operation { op: String, ty: ScalarType },
    #[error("variable {var} is an array, used as a scalar")]
    NotScalar { var: VarId },
    #[error("variable {var} is a scalar, used as an array")]
    NotArray { var: VarId },
    #[error("array {var} of rank {rank} is indexed with {found} indices")]
    IndexCount {
        var: VarId,
        rank: usize,
        found: usize,
    },
    #[error("loop counter {var} is not an int variable")]
    CounterType { var: VarId },
    #[error("while-loop flag {var} is not a bool variable")]
    FlagType { var: VarId },
    #[error("parameter {0} is written")]
    ParamWritten(VarId),
}

/// The signature of compiled code.
type EntryPoint = unsafe extern "C" fn(*mut Frame) -> i32;

/// A function compiled to native code, ready to run.
///
/// `Send + Sync`, so that stochastic mode can run the Monte-Carlo samples of
/// one call on several threads: [`JitFunction::run`] takes `&self` and every
/// call has its own frame, storage and tape (see the `SAFETY` comment there).
pub struct JitFunction {
    /// The IR, for argument binding and the layout of variables.
    func: Func,
    /// The modules that own the code, one per part (`parts`); `None` only
    /// while dropping. A `JITModule` is `Send` but not `Sync` (it keeps
    /// its symbol table in a `RefCell`); the `Mutex` makes `JitFunction`
    /// `Sync` without `unsafe`. It is never locked: only `drop`, which has
    /// `&mut self`, touches the modules after compilation.
    modules: Option<Mutex<Vec<JITModule>>>,
    /// The compiled code of each part, in the order a call runs them,
    /// valid while `modules` live.
    entries: Vec<EntryPoint>,
    /// What became of each `For` loop.
    loop_reports: Vec<LoopReport>,
    /// The capacity of each tape stack (reals, ints) that the last call
    /// that had to grow one needed: later calls reserve it up front, so
    /// they do not run again to grow (see `run`).
    tape_hint: [AtomicUsize; 2],
    /// How the code was translated.
    variant: CodeVariant,
    /// The same function translated to check every push and pop, compiled
    /// the first time a loop's reservation fails (see `run`).
    checked: OnceLock<Result<Box<JitFunction>, String>>,
}

/// How a function is translated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CodeVariant {
    /// Independent loop iterations run two at a time (`vectorize`).
    pub(crate) vectorize: bool,
    /// A loop whose straight-line body pushes (or pops) checks its whole
    /// traffic once before it and then runs without a check per push
    /// (`translate::tape_cursor`); when that check fails, the call stops
    /// and runs again on the variant without reservations, which fails at
    /// the push or pop where the interpreter does.
    pub(crate) reserve_tape: bool,
    /// About how many IR instructions each separately compiled part of the
    /// function holds (`parts`).
    pub(crate) part_weight: usize,
}

impl CodeVariant {
    const FAST: CodeVariant = CodeVariant {
        vectorize: true,
        reserve_tape: true,
        part_weight: parts::PART_WEIGHT,
    };
}

impl std::fmt::Debug for JitFunction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("JitFunction")
            .field("func", &self.func.name)
            .field("parts", &self.entries.len())
            .finish()
    }
}

impl JitFunction {
    /// Compiles `func` to native code, vectorizing the loops that allow it
    /// where the host has 128-bit vectors.
    pub fn compile(func: &Func) -> Result<JitFunction, JitError> {
        JitFunction::compile_with(func, true)
    }

    /// Compiles `func`; `vectorize: false` keeps every loop scalar.
    pub fn compile_with(func: &Func, vectorize: bool) -> Result<JitFunction, JitError> {
        JitFunction::compile_variant(
            func,
            CodeVariant {
                vectorize,
                ..CodeVariant::FAST
            },
        )
    }

    /// Compiles the parts of `func` (`parts`), each in its own module, in
    /// parallel.
    fn compile_variant(func: &Func, variant: CodeVariant) -> Result<JitFunction, JitError> {
        check_params_read_only(func)?;
        let liveness = Liveness::compute(func);
        let parts = parts::plan(func, &liveness, variant.part_weight);
        let compiled: Vec<Result<CompiledPart, JitError>> = parts
            .par_iter()
            .map(|part| CompiledPart::compile(func, &liveness, variant, part))
            .collect();
        let mut modules = Vec::with_capacity(compiled.len());
        let mut entries = Vec::with_capacity(compiled.len());
        let mut loop_reports = Vec::new();
        let mut failure = None;
        for result in compiled {
            match result {
                Ok(part) => {
                    modules.push(part.module);
                    entries.push(part.entry);
                    loop_reports.extend(part.loop_reports);
                }
                Err(error) => failure = failure.or(Some(error)),
            }
        }
        if let Some(error) = failure {
            for module in modules {
                // SAFETY: the entries into these modules are dropped here,
                // never called.
                unsafe { module.free_memory() };
            }
            return Err(error);
        }
        Ok(JitFunction {
            func: func.clone(),
            modules: Some(Mutex::new(modules)),
            entries,
            loop_reports,
            tape_hint: [AtomicUsize::new(0), AtomicUsize::new(0)],
            variant,
            checked: OnceLock::new(),
        })
    }

    /// What became of each `For` loop of the function, in translation
    /// order (outer loops before the loops they contain).
    pub fn loop_reports(&self) -> &[LoopReport] {
        &self.loop_reports
    }

    /// How many separately compiled parts the code has (`parts`).
    pub fn part_count(&self) -> usize {
        self.entries.len()
    }

    /// How many loops run two iterations at a time.
    pub fn vectorized_loops(&self) -> usize {
        self.loop_reports
            .iter()
            .filter(|report| report.vectorized)
            .count()
    }

    /// Runs the compiled code on `args`; same contract as `interp::run`.
    pub fn run<A: Borrow<Value>>(
        &self,
        args: &[A],
        config: &RunConfig,
    ) -> Result<Vec<Value>, RuntimeError> {
        let sizes = bind_arguments(&self.func, args)?;
        let finished = crate::runtime::tape::with_tape(config.tape_limit, |tape| {
            let [reals, ints] = self
                .tape_hint
                .each_ref()
                .map(|hint| hint.load(Ordering::Relaxed));
            tape.reserve(reals, ints);
            // A push that finds its stack full stops the call, which runs
            // again from the start on a grown tape; it computes the same
            // values (the code is deterministic and writes only its own
            // storage, made afresh). Each run at least doubles a stack, and
            // the hint spares later calls the reruns.
            loop {
                let mut storage = CallStorage::new(&self.func, &sizes, args);
                let (status, error) = self.call_once(&mut storage, tape, config);
                if status == STATUS_UNRESERVED {
                    return Ok(None);
                }
                if status == STATUS_TAPE_FULL {
                    tape.grow_for_rerun()?;
                    for (hint, capacity) in self.tape_hint.iter().zip(tape.capacities()) {
                        let _ = hint.fetch_max(capacity, Ordering::Relaxed);
                    }
                    continue;
                }
                if status != STATUS_OK {
                    return Err(abi::decode_error(status, &error, config));
                }
                return Ok(Some(storage));
            }
        })?;
        let Some(storage) = finished else {
            // A loop's reservation failed: the call is going to fail (or
            // the tape is malformed), and the variant that checks each push
            // and pop says where, as the interpreter would.
            return self.checked_variant()?.run(args, config);
        };
        Ok(self
            .func
            .outputs
            .iter()
            .map(|var| storage.output(&self.func, &sizes, *var))
            .collect())
    }

    /// The variant of this function without tape reservations, compiled
    /// on first use.
    fn checked_variant(&self) -> Result<&JitFunction, RuntimeError> {
        self.checked
            .get_or_init(|| {
                let variant = CodeVariant {
                    reserve_tape: false,
                    ..self.variant
                };
                JitFunction::compile_variant(&self.func, variant)
                    .map(Box::new)
                    .map_err(|error| error.to_string())
            })
            .as_deref()
            .map_err(|reason| RuntimeError::Internal {
                reason: reason.clone(),
            })
    }

    /// One run of the code (its parts in order, up to the first that does
    /// not return `STATUS_OK`) on `storage` and `tape`: its status and the
    /// details of a fault.
    fn call_once(
        &self,
        storage: &mut CallStorage<'_>,
        tape: &mut crate::runtime::tape::Tape,
        config: &RunConfig,
    ) -> (i32, abi::ErrorRecord) {
        let mut frame = storage.frame(tape, config);
        // SAFETY: the frame points into `storage` and `tape`, which
        // outlive the call and are not touched by Rust during it (nor
        // between the calls of two parts, which hand their scalar
        // variables over in the storage's slots, see `parts`). The
        // storage holds one slot per variable, one value per size and the
        // elements of every array variable, laid out as the generated
        // code expects (`abi`); every array has the element count of its
        // variable's extents, and the generated code checks every index
        // against those extents before it touches an element (or knows it
        // in range: a loop counter over the index's own dimension,
        // `translate::index_range`). Array
        // parameters may be the arguments' own elements, borrowed for the
        // call: the code never writes a parameter
        // (`check_params_read_only` at compile time). The tape
        // is `repr(C)`; the code writes a stack's element only below its
        // capacity and counts it after writing, and calls the tape
        // helper to grow a stack before a loop (`runtime::tape` keeps its
        // fields consistent). The module that owns the code is alive
        // (`self.module` is only taken in `drop`). Calls may run at the
        // same time on several threads (`JitFunction` is `Sync`): the
        // code writes only through the pointers of its own frame (each
        // thread has its own tape), and the helpers it calls
        // (`runtime.rs`: math, noise, tape, sorting, error records) keep
        // no global state; they are pure or work on the call's buffers.
        for entry in &self.entries {
            let status = unsafe { entry(&mut frame) };
            if status != STATUS_OK {
                return (status, frame.error);
            }
        }
        (STATUS_OK, frame.error)
    }
}

impl Drop for JitFunction {
    fn drop(&mut self) {
        if let Some(modules) = self.modules.take() {
            // Never locked, so never poisoned; either way the modules are ours.
            let modules = modules.into_inner().unwrap_or_else(PoisonError::into_inner);
            for module in modules {
                // SAFETY: no call of the code is running (`run` borrows
                // `self`, and `drop` has it exclusively), and
                // `self.entries`, the only pointers into the modules'
                // memory, are dropped with `self`.
                unsafe { module.free_memory() };
            }
        }
    }
}

/// Refuses a function that writes one of its parameters. The IR never
/// does (lowering copies a parameter before changing it, and the IR
/// verifier checks it in debug builds), and calls rely on it: an array
/// argument's own elements may be what the code reads (`storage`).
fn check_params_read_only(func: &Func) -> Result<(), JitError> {
    for (inst, data) in func.insts.iter() {
        let written = match data {
            Inst::Write { var, .. } | Inst::Store { array: var, .. } => Some(*var),
            other => other.array_written(),
        };
        if let Some(var) = written.filter(|var| func.params.contains(var)) {
            return Err(JitError::MalformedIr {
                func: func.name.clone(),
                inst,
                fault: IrFault::ParamWritten(var),
            });
        }
    }
    Ok(())
}

/// Compile-time proof of the claim on [`JitFunction`].
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<JitFunction>();
};

/// The Cranelift IR text of `func` as the JIT translates it (before
/// Cranelift's own optimisations), for `smoothc ir --stage clif`: for each
/// part (`parts`; a comment line says which when there are several), one
/// comment line per `For` loop saying whether it was vectorized (and if
/// not, why) and whether its tape traffic is reserved before it, then the
/// part's function.
pub fn clif_text(func: &Func) -> Result<String, JitError> {
    let liveness = Liveness::compute(func);
    let parts = parts::plan(func, &liveness, CodeVariant::FAST.part_weight);
    let mut text = String::new();
    for (index, part) in parts.iter().enumerate() {
        if parts.len() > 1 {
            text.push_str(&describe_part(func, &parts, index));
            text.push('\n');
        }
        let mut jit = Jit::new()?;
        let (_, reports) = jit.translate(func, &liveness, CodeVariant::FAST, part)?;
        for report in &reports {
            text.push_str(&describe_loop(func, report));
            text.push('\n');
        }
        text.push_str(&jit.ctx.func.display().to_string());
        jit.module.clear_context(&mut jit.ctx);
        // SAFETY: nothing was defined or finalized, so no pointer into the
        // module's memory exists.
        unsafe { jit.module.free_memory() };
    }
    Ok(text)
}

/// One part of a function, compiled in its own module.
struct CompiledPart {
    module: JITModule,
    /// The part's code, valid while `module` lives.
    entry: EntryPoint,
    loop_reports: Vec<LoopReport>,
}

impl CompiledPart {
    fn compile(
        func: &Func,
        liveness: &Liveness,
        variant: CodeVariant,
        part: &Part,
    ) -> Result<CompiledPart, JitError> {
        let mut jit = Jit::new()?;
        let (func_id, loop_reports) = jit.translate(func, liveness, variant, part)?;
        jit.module
            .define_function(func_id, &mut jit.ctx)
            .map_err(|error| JitError::module(func, error))?;
        jit.module.clear_context(&mut jit.ctx);
        jit.module
            .finalize_definitions()
            .map_err(|error| JitError::module(func, error))?;
        let code = jit.module.get_finalized_function(func_id);
        // SAFETY: `code` is the finalized code of a function built with the
        // signature `(pointer) -> i32` in the host's default (C) calling
        // convention, which is `EntryPoint`. It stays valid while the module
        // lives, and `JitFunction` owns the module.
        let entry = unsafe { std::mem::transmute::<*const u8, EntryPoint>(code) };
        Ok(CompiledPart {
            module: jit.module,
            entry,
            loop_reports,
        })
    }
}

/// The JIT state of one compilation, after the cranelift-jit-demo.
struct Jit {
    /// The function builder context, reused across functions.
    builder_context: FunctionBuilderContext,
    /// The main Cranelift context, holding the function being built.
    ctx: Context,
    /// The module: declarations, linking, and the memory of the code.
    module: JITModule,
}

impl Jit {
    /// A JIT for the host, with `opt_level=speed` and the runtime helpers
    /// registered as symbols. Cranelift's verifier runs in debug builds,
    /// hence on every test; release builds skip it, because it took about a
    /// quarter of the compile time of the bitonic network (callgrind
    /// instruction counts of `smoothc bench`) and only ever finds bugs of
    /// this translator, which the tests are there to find.
    fn new() -> Result<Jit, JitError> {
        let mut flags = settings::builder();
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        flags.set("enable_verifier", verify)?;
        flags.set("opt_level", "speed")?;
        // As cranelift-jit requires: calls to the helpers may be far away.
        flags.set("use_colocated_libcalls", "false")?;
        flags.set("is_pic", "false")?;
        let isa = cranelift_native::builder()
            .map_err(JitError::UnsupportedHost)?
            .finish(settings::Flags::new(flags))
            .map_err(|error| JitError::Codegen {
                func: String::new(),
                source: Box::new(ModuleError::Compilation(error)),
            })?;
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        for (name, address) in runtime::symbols() {
            let _ = builder.symbol(name, address);
        }
        let module = JITModule::new(builder);
        Ok(Jit {
            builder_context: FunctionBuilderContext::new(),
            ctx: module.make_context(),
            module,
        })
    }

    /// Whether the host has the vector operations vectorized loops use.
    fn vectors(&self) -> bool {
        vectorize::host_supports(self.module.isa())
    }

    /// Declares a function in the module and translates `part` of `func`
    /// into `self.ctx` (vectorizing loops if `vectorize` and the host
    /// allows).
    fn translate(
        &mut self,
        func: &Func,
        liveness: &Liveness,
        variant: CodeVariant,
        part: &Part,
    ) -> Result<(FuncId, Vec<LoopReport>), JitError> {
        let variant = CodeVariant {
            vectorize: variant.vectorize && self.vectors(),
            ..variant
        };
        let pointer_type = self.module.target_config().pointer_type();
        let mut signature = self.module.make_signature();
        signature.params.push(AbiParam::new(pointer_type));
        signature.returns.push(AbiParam::new(types::I32));
        let func_id = self
            .module
            .declare_function("smoothc_entry", Linkage::Local, &signature)
            .map_err(|error| JitError::module(func, error))?;
        self.ctx.func.signature = signature;
        self.ctx.func.name = UserFuncName::user(0, func_id.as_u32());
        let builder = FunctionBuilder::new(&mut self.ctx.func, &mut self.builder_context);
        let reports = FunctionTranslator::translate_function(
            builder,
            &mut self.module,
            func,
            liveness,
            variant,
            part,
        )?;
        Ok((func_id, reports))
    }
}

/// Whether loops are vectorized on this host (see `vectorize`).
pub fn host_vectorizes() -> Result<bool, JitError> {
    let jit = Jit::new()?;
    let vectors = jit.vectors();
    // SAFETY: nothing was defined or finalized, so no pointer into the
    // module's memory exists.
    unsafe { jit.module.free_memory() };
    Ok(vectors)
}

/// The comment line before the text of part `index`, for [`clif_text`].
fn describe_part(func: &Func, parts: &[Part], index: usize) -> String {
    let part = &parts[index];
    let names = |vars: &[VarId]| -> String {
        if vars.is_empty() {
            return "nothing".to_string();
        }
        vars.iter()
            .map(|var| format!("{var} {}", func.vars[*var].name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "; part {} of {} (entry-block instructions {}..{}): loads {}; stores {}",
        index + 1,
        parts.len(),
        part.insts.start,
        part.insts.end,
        names(&part.loaded),
        names(&part.stored),
    )
}

/// One comment line about a loop, for [`clif_text`].
fn describe_loop(func: &Func, report: &LoopReport) -> String {
    let counter = match &func.insts[report.inst] {
        crate::ir::Inst::For { counter, .. } => func.vars[*counter].name.as_str(),
        _ => "?",
    };
    let shape = if report.vectorized {
        "vectorized (2 lanes)".to_string()
    } else {
        match &report.rejection {
            Some(rejection) => format!("scalar: {}", rejection.describe(func)),
            None => "scalar (vectorization off on this host)".to_string(),
        }
    };
    let tape = if report.tape_reserved {
        ", tape reserved before the loop"
    } else {
        ""
    };
    format!("; loop {} (for {counter}): {shape}{tape}", report.inst)
}
