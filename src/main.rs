//! The `smoothc` command line: check, run, differentiate and print programs.
//!
//! This is the only place that reads files and prints. Exit codes: 0 on
//! success, 1 when the program is wrong or faults, 2 when the command line
//! is (unknown flag, missing file, bad arguments, unknown function).

use clap::{Parser, Subcommand, ValueEnum};
use smoothc::{Backend, ErrorKind, Estimator, Family, Mode, Options, Runtime};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "smoothc",
    version,
    about = "Compile, run and differentiate smoothed programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a file.
    Check {
        file: PathBuf,
        /// List the functions with their signatures and docs.
        #[arg(long)]
        list: bool,
    },
    /// Run a function and print its result.
    Run(RunArgs),
    /// Run a function and print its result and its gradient with respect to
    /// every real argument.
    Grad(RunArgs),
    /// Time a function: compile time, then the median forward and
    /// forward+gradient times over repeated calls of the compiled function.
    Bench(BenchArgs),
    /// Print a stage of the pipeline.
    Ir {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "ir")]
        stage: StageArg,
        #[command(flatten)]
        compile: CompileArgs,
    },
}

#[derive(clap::Args)]
struct CompileArgs {
    /// The function (defaults to the only function of the file).
    #[arg(long = "fn", value_name = "NAME")]
    function: Option<String>,
    #[arg(long, value_enum, default_value = "relaxed")]
    mode: ModeArg,
    #[arg(long, value_enum, default_value = "jit")]
    backend: BackendArg,
    /// The sigmoid family of relaxed comparisons and the noise of
    /// stochastic mode (files and sites may choose their own with
    /// `#![relax(..)]` and `#[relax(..)]`).
    #[arg(long, value_enum, default_value = "logistic")]
    family: FamilyArg,
    /// The gradient estimator of stochastic mode.
    #[arg(long, value_enum, default_value = "score")]
    estimator: EstimatorArg,
    /// Run the passes of a sweep (bubble sort's, say) one after another
    /// instead of two at a time: the same results, to measure the gain.
    #[arg(long)]
    no_sweep_pipelining: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum EstimatorArg {
    Score,
    #[value(name = "straight_through")]
    StraightThrough,
    Perturb,
}

#[derive(Clone, Copy, ValueEnum)]
enum FamilyArg {
    Logistic,
    Cauchy,
    Gaussian,
    Laplace,
    Reciprocal,
    Optimal,
}

#[derive(clap::Args)]
struct RunArgs {
    file: PathBuf,
    #[command(flatten)]
    compile: CompileArgs,
    /// A JSON file with an object mapping argument names to values.
    #[arg(long, value_name = "FILE.json")]
    args: Option<PathBuf>,
    /// One argument as NAME=JSON, e.g. `--arg x=[1,2,3]`; overrides --args.
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    arg: Vec<String>,
    /// The temperature of relaxed mode.
    #[arg(long, default_value_t = 1.0)]
    tau: f64,
    /// The most values the gradient tape may hold.
    #[arg(long, default_value_t = Runtime::default().tape_limit)]
    tape_limit: usize,
    /// Stochastic mode: the number K of Monte-Carlo samples.
    #[arg(long, value_name = "K", default_value_t = Runtime::default().samples)]
    samples: usize,
    /// Stochastic mode: the seed of the noise (the same seed gives the same
    /// bits).
    #[arg(long, value_name = "S", default_value_t = Runtime::default().seed)]
    seed: u64,
    /// Stochastic mode: the plain estimators, without the leave-one-out
    /// baseline or antithetic pairs (to measure what they gain).
    #[arg(long)]
    no_variance_reduction: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

#[derive(clap::Args)]
struct BenchArgs {
    #[command(flatten)]
    run: RunArgs,
    /// How many calls to time (the median is reported).
    #[arg(long, value_name = "R", default_value_t = 20)]
    repeat: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Hard,
    Relaxed,
    Stochastic,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Jit,
    Interp,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum FormatArg {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum StageArg {
    Ast,
    Ir,
    Smoothed,
    Grad,
    Clif,
}

/// A failure and the exit code it maps to.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }
}

impl From<smoothc::Error> for Failure {
    fn from(error: smoothc::Error) -> Failure {
        let code = if error.kind == ErrorKind::Usage { 2 } else { 1 };
        Failure {
            message: error.render(),
            code,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(output) => write_output(&output),
        Err(failure) => {
            // Nothing is left to tell if stderr itself is gone.
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(failure.message.as_bytes());
            if !failure.message.ends_with('\n') {
                let _ = stderr.write_all(b"\n");
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Prints the result. A reader that stops reading early (`| head`) ends
/// the output quietly, as it does for other command-line tools; any other
/// failure to write is an error.
fn write_output(output: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the output: {error}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(command: Command) -> Result<String, Failure> {
    match command {
        Command::Check { file, list } => check(&file, list),
        Command::Run(args) => run(&args, false),
        Command::Grad(args) => run(&args, true),
        Command::Bench(args) => bench(&args),
        Command::Ir {
            file,
            stage,
            compile,
        } => ir(&file, stage, &compile),
    }
}

fn read_source(file: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(file)
        .map_err(|error| Failure::usage(format!("error: cannot read {}: {error}", file.display())))
}

fn options(file: &Path, compile: Option<&CompileArgs>) -> Options {
    let file_name = file.display().to_string();
    let mut options = Options {
        file_name,
        family: Family::Logistic,
        ..Options::default()
    };
    if let Some(compile) = compile {
        options.mode = match compile.mode {
            ModeArg::Hard => Mode::Hard,
            ModeArg::Relaxed => Mode::Relaxed,
            ModeArg::Stochastic => Mode::Stochastic,
        };
        options.estimator = match compile.estimator {
            EstimatorArg::Score => Estimator::Score,
            EstimatorArg::StraightThrough => Estimator::StraightThrough,
            EstimatorArg::Perturb => Estimator::Perturb,
        };
        options.backend = match compile.backend {
            BackendArg::Jit => Backend::Jit,
            BackendArg::Interp => Backend::Interp,
        };
        options.family = match compile.family {
            FamilyArg::Logistic => Family::Logistic,
            FamilyArg::Cauchy => Family::Cauchy,
            FamilyArg::Gaussian => Family::Gaussian,
            FamilyArg::Laplace => Family::Laplace,
            FamilyArg::Reciprocal => Family::Reciprocal,
            FamilyArg::Optimal => Family::Optimal,
        };
        options.pipeline_sweeps = !compile.no_sweep_pipelining;
    }
    options
}

fn check(file: &Path, list: bool) -> Result<String, Failure> {
    let source = read_source(file)?;
    let program = smoothc::compile(&source, &options(file, None))?;
    if !list {
        return Ok(format!(
            "ok: {} function(s)\n",
            program.function_names().len()
        ));
    }
    let mut out = String::new();
    let user_functions = program
        .typed()
        .fns
        .iter()
        .filter(|tfn| tfn.origin == smoothc::sema::tast::FnOrigin::User);
    for tfn in user_functions {
        out.push_str(&smoothc::sema::display::signature(tfn));
        out.push('\n');
        for line in &tfn.docs {
            out.push_str(&format!("    {}\n", line.trim()));
        }
    }
    Ok(out)
}

fn function_name(program: &smoothc::Program, compile: &CompileArgs) -> Result<String, Failure> {
    if let Some(name) = &compile.function {
        return Ok(name.clone());
    }
    let names = program.function_names();
    match names.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(Failure::usage(format!(
            "error: the file defines several functions; choose one with --fn ({})",
            names.join(", ")
        ))),
    }
}

fn ir(file: &Path, stage: StageArg, compile: &CompileArgs) -> Result<String, Failure> {
    let source = read_source(file)?;
    let options = options(file, Some(compile));
    if let StageArg::Ast = stage {
        return smoothc::ast_text(&source, &options).map_err(Failure::from);
    }
    let program = smoothc::compile(&source, &options)?;
    let name = function_name(&program, compile)?;
    let function = program.function(&name)?;
    let text = match stage {
        StageArg::Ast => unreachable!("handled above"),
        StageArg::Ir => function.ir_text(smoothc::Stage::Ir),
        StageArg::Smoothed => function
            .ir_text(smoothc::Stage::Smoothed)
            .map(|text| format!("{}{text}", program.describe_sites(&function))),
        StageArg::Grad => function.ir_text(smoothc::Stage::Grad),
        StageArg::Clif => Some(function.clif_text()?),
    };
    text.ok_or_else(|| {
        Failure::usage(format!(
            "error: `{name}` has no gradient: its result is not real"
        ))
    })
}

fn run(args: &RunArgs, with_grad: bool) -> Result<String, Failure> {
    let source = read_source(&args.file)?;
    let program = smoothc::compile(&source, &options(&args.file, Some(&args.compile)))?;
    let name = function_name(&program, &args.compile)?;
    let function = program.function(&name)?;
    let values = match read_argument_sets(args)? {
        ArgumentSets::One(values) => values,
        ArgumentSets::Batch(batch) => return run_batch(&function, &batch, args, with_grad),
    };
    let inputs = smoothc::json::arguments_from_json(&function, &values).map_err(Failure::usage)?;
    let runtime = runtime_of(args)?;
    let real_names: Vec<String> = function
        .params()
        .iter()
        .filter(|param| param.is_real)
        .map(|param| param.name.clone())
        .collect();
    if function.is_stochastic() {
        return estimate(
            &function,
            &inputs,
            &runtime,
            with_grad,
            args.format,
            &real_names,
        );
    }
    let (value, grads) = if with_grad {
        let (value, grads) = function.value_and_grad(&inputs, &runtime)?;
        (value, Some(grads))
    } else {
        (function.call(&inputs, &runtime)?, None)
    };
    Ok(match args.format {
        FormatArg::Json => {
            smoothc::json::result_to_json(&value, grads.as_deref(), &real_names) + "\n"
        }
        FormatArg::Text => smoothc::json::result_to_text(&value, grads.as_deref(), &real_names),
    })
}

/// `run`/`grad` on a batch of inputs, spread over the cores: one result
/// per input, in order (a JSON array with `--format json`). The first
/// input that fails stops the command with its error.
fn run_batch(
    function: &smoothc::Function,
    batch: &[Arguments],
    args: &RunArgs,
    with_grad: bool,
) -> Result<String, Failure> {
    let runtime = runtime_of(args)?;
    let inputs = batch
        .iter()
        .map(|values| smoothc::json::arguments_from_json(function, values).map_err(Failure::usage))
        .collect::<Result<Vec<_>, Failure>>()?;
    let results: Vec<(smoothc::Value, Option<Vec<smoothc::Value>>)> = if with_grad {
        function
            .value_and_grad_batch(&inputs, &runtime)
            .into_iter()
            .map(|result| result.map(|(value, grads)| (value, Some(grads))))
            .collect::<Result<_, _>>()?
    } else {
        function
            .call_batch(&inputs, &runtime)
            .into_iter()
            .map(|result| result.map(|value| (value, None)))
            .collect::<Result<_, _>>()?
    };
    let real_names: Vec<String> = function
        .params()
        .iter()
        .filter(|param| param.is_real)
        .map(|param| param.name.clone())
        .collect();
    Ok(match args.format {
        FormatArg::Json => {
            let items: Vec<String> = results
                .iter()
                .map(|(value, grads)| {
                    smoothc::json::result_to_json(value, grads.as_deref(), &real_names)
                })
                .collect();
            format!("[{}]\n", items.join(", "))
        }
        FormatArg::Text => results
            .iter()
            .enumerate()
            .map(|(index, (value, grads))| {
                format!(
                    "input {index}:\n{}",
                    smoothc::json::result_to_text(value, grads.as_deref(), &real_names)
                )
            })
            .collect(),
    })
}

/// The runtime settings of the command line.
fn runtime_of(args: &RunArgs) -> Result<Runtime, Failure> {
    let runtime = Runtime {
        tau: args.tau,
        tape_limit: args.tape_limit,
        samples: args.samples,
        seed: args.seed,
        variance_reduction: !args.no_variance_reduction,
    };
    if !(runtime.tau > 0.0 && runtime.tau.is_finite()) {
        return Err(Failure::usage(
            "error: --tau must be a positive finite number",
        ));
    }
    Ok(runtime)
}

/// `bench`: compile once (timed), then time `repeat` calls of the forward
/// function and of the gradient and report the medians in milliseconds.
fn bench(args: &BenchArgs) -> Result<String, Failure> {
    if args.repeat == 0 {
        return Err(Failure::usage("error: --repeat must be at least 1"));
    }
    let run = &args.run;
    let source = read_source(&run.file)?;
    let started = std::time::Instant::now();
    let program = smoothc::compile(&source, &options(&run.file, Some(&run.compile)))?;
    let name = function_name(&program, &run.compile)?;
    let function = program.function(&name)?;
    let compile_ms = milliseconds(started.elapsed());
    let values = read_arguments(run)?;
    let inputs = smoothc::json::arguments_from_json(&function, &values).map_err(Failure::usage)?;
    let runtime = runtime_of(run)?;
    let forward_ms = median_ms(args.repeat, || function.call(&inputs, &runtime).map(drop))?;
    // A real result is differentiated; an array result gets the
    // vector-Jacobian product with a cotangent of ones.
    let grad_ms = match function.call(&inputs, &runtime)? {
        smoothc::Value::Real(_) if function.is_differentiable() => {
            Some(median_ms(args.repeat, || {
                function.value_and_grad(&inputs, &runtime).map(drop)
            })?)
        }
        smoothc::Value::Array(result) if function.is_differentiable() => {
            let ones = smoothc::Value::Array(result.mapv(|_| 1.0));
            Some(median_ms(args.repeat, || {
                function.vjp(&inputs, ones.clone(), &runtime).map(drop)
            })?)
        }
        _ => None,
    };
    let number = |value: Option<f64>| value.map_or("null".to_string(), |ms| format!("{ms}"));
    Ok(match run.format {
        FormatArg::Json => format!(
            "{{\"compile_ms\": {compile_ms}, \"forward_ms\": {forward_ms}, \"grad_ms\": {}, \"repeat\": {}}}\n",
            number(grad_ms),
            args.repeat
        ),
        FormatArg::Text => format!(
            "compile: {compile_ms:.3} ms\nforward: {forward_ms:.4} ms (median of {repeat})\ngrad: {} (median of {repeat})\n",
            grad_ms.map_or("none (the result is not real)".to_string(), |ms| format!(
                "{ms:.4} ms"
            )),
            repeat = args.repeat
        ),
    })
}

fn milliseconds(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The median time of `repeat` runs of `call`, in milliseconds.
fn median_ms(
    repeat: usize,
    mut call: impl FnMut() -> Result<(), smoothc::Error>,
) -> Result<f64, Failure> {
    let mut times = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        // The runtime keeps the last soft sort or rank it solved and reuses
        // it for the same values; every timed call here has the same
        // inputs, and would otherwise time that reuse instead of a sort.
        smoothc::runtime::isotonic::forget_kept_solution();
        let started = std::time::Instant::now();
        call()?;
        times.push(milliseconds(started.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// `run` and `grad` in stochastic mode: the estimate with its standard
/// errors and the number of samples.
fn estimate(
    function: &smoothc::Function,
    inputs: &[smoothc::Value],
    runtime: &Runtime,
    with_grad: bool,
    format: FormatArg,
    real_names: &[String],
) -> Result<String, Failure> {
    let estimate = if with_grad {
        function.estimate(inputs, runtime)?
    } else {
        function.estimate_value(inputs, runtime)?
    };
    Ok(match format {
        FormatArg::Json => smoothc::json::estimate_to_json(&estimate, real_names) + "\n",
        FormatArg::Text => smoothc::json::estimate_to_text(&estimate, real_names),
    })
}

type Arguments = BTreeMap<String, serde_json::Value>;

/// The arguments of one call (`--args` holding an object, and `--arg`).
fn read_arguments(args: &RunArgs) -> Result<Arguments, Failure> {
    match read_argument_sets(args)? {
        ArgumentSets::One(values) => Ok(values),
        ArgumentSets::Batch(_) => Err(Failure::usage(format!(
            "error: {} holds a batch (a JSON array); this command takes one input",
            args.args
                .as_deref()
                .unwrap_or(Path::new("--args"))
                .display()
        ))),
    }
}

/// One input, or a batch: `--args` may hold a JSON array of objects.
enum ArgumentSets {
    One(Arguments),
    Batch(Vec<Arguments>),
}

/// The inputs `--args` and `--arg` give (each `--arg` applies to every
/// input of a batch).
fn read_argument_sets(args: &RunArgs) -> Result<ArgumentSets, Failure> {
    let parsed = match &args.args {
        Some(path) => {
            let text = read_source(path)?;
            let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
                Failure::usage(format!(
                    "error: {} is not valid JSON: {error}",
                    path.display()
                ))
            })?;
            Some((path, parsed))
        }
        None => None,
    };
    let not_an_object = |path: &Path| {
        Failure::usage(format!(
            "error: {} must hold a JSON object mapping argument names to values, or an array of such objects (a batch)",
            path.display()
        ))
    };
    let sets = match parsed {
        None => ArgumentSets::One(BTreeMap::new()),
        Some((_, serde_json::Value::Object(object))) => {
            ArgumentSets::One(object.into_iter().collect())
        }
        Some((path, serde_json::Value::Array(items))) => {
            let objects = items
                .into_iter()
                .map(|item| match item {
                    serde_json::Value::Object(object) => Ok(object.into_iter().collect()),
                    _ => Err(not_an_object(path)),
                })
                .collect::<Result<Vec<Arguments>, Failure>>()?;
            ArgumentSets::Batch(objects)
        }
        Some((path, _)) => return Err(not_an_object(path)),
    };
    let overrides = command_line_arguments(args)?;
    Ok(match sets {
        ArgumentSets::One(mut values) => {
            values.extend(overrides);
            ArgumentSets::One(values)
        }
        ArgumentSets::Batch(mut batch) => {
            for values in &mut batch {
                values.extend(overrides.clone());
            }
            ArgumentSets::Batch(batch)
        }
    })
}

/// The `--arg NAME=VALUE` arguments.
fn command_line_arguments(args: &RunArgs) -> Result<Arguments, Failure> {
    let mut values = BTreeMap::new();
    for item in &args.arg {
        let Some((name, text)) = item.split_once('=') else {
            return Err(Failure::usage(format!(
                "error: --arg {item}: expected NAME=VALUE"
            )));
        };
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| Failure::usage(format!("error: --arg {name}: {error}")))?;
        let _ = values.insert(name.trim().to_string(), value);
    }
    Ok(values)
}
