//! What the bench files share: the benchmarked programs, their inputs, and
//! one way to time a compiled function's forward and gradient calls.
//!
//! Every program is compiled in relaxed mode with the logistic family; the
//! temperature is a runtime value, so one compiled function serves every
//! size `n`. Inputs are drawn from a fixed seed, so every run times the
//! same calls.

#![allow(dead_code)] // Each bench file uses a part of this module.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Function, Options, Runtime, Value};
use std::hint::black_box;

/// The temperature of the sorting benchmarks (diffsort's steepness 10).
pub const TAU: f64 = 0.1;

/// The largest `n` the interpreter is timed at: beyond it a single call of
/// the O(n^2) networks takes seconds.
pub const INTERP_MAX_N: usize = 128;

/// The odd-even transposition network: the prelude's `sort`.
pub const ODD_EVEN: &str = "
fn loss(x: real[n], w: real[n]) -> real { sum(w * sort(x)) }
";

/// The bitonic network of the `sorting` module (n a power of two).
pub const BITONIC: &str = "
use sorting;
fn loss(x: real[n], w: real[n]) -> real { sum(w * bitonic_sort(x)) }
";

/// Bubble sort with early exit, as AlgoVision defines it (the reference
/// fixture), under the same loss as the networks.
pub fn bubble_early_exit() -> String {
    let program = include_str!("../../tests/fixtures/reference/bubble_early_exit.dsl");
    format!("{program}\nfn loss(x: real[n], w: real[n]) -> real {{ sum(w * sorted(x)) }}\n")
}

/// Bubble sort's passes with every swap decided on the input: as many soft
/// swaps, none waiting for the one before.
pub const BUBBLE_DECIDED_BY_INPUT: &str = include_str!("../programs/bubble_decided_by_input.dsl");

/// The isotonic soft rank; timed as forward + VJP with a cotangent `w`.
pub const SOFT_RANK: &str = "
fn ranks(x: real[n]) -> real[n] { soft_rank(x) }
";

pub const BELLMAN_FORD: &str = include_str!("../../examples/bellman_ford.dsl");

/// The 16 x 16 disc rasteriser of the examples, or the same program on a
/// `side` x `side` grid (its only constant is the side, 16).
pub fn raster(side: usize) -> String {
    include_str!("../../examples/raster.dsl").replace("16", &side.to_string())
}

/// Both backends, with the names the benchmark ids use.
pub const BACKENDS: [(Backend, &str); 2] = [(Backend::Jit, "jit"), (Backend::Interp, "interp")];

/// Parses, checks, smooths, differentiates and compiles `function` of
/// `source`: everything that happens before the first call.
pub fn compile(source: &str, function: &str, backend: Backend) -> Function {
    let options = Options {
        backend,
        ..Options::default()
    };
    let program = smoothc::compile(source, &options).unwrap_or_else(|e| panic!("{}", e.render()));
    program
        .function(function)
        .unwrap_or_else(|e| panic!("{}", e.render()))
}

pub fn runtime(tau: f64) -> Runtime {
    Runtime {
        tau,
        ..Runtime::default()
    }
}

/// `len` standard normal samples (Box-Muller), the same for the same seed.
pub fn normal(len: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..len)
        .map(|_| {
            let u: f64 = 1.0 - rng.random::<f64>(); // in (0, 1]
            let v: f64 = rng.random();
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        })
        .collect()
}

pub fn vector(values: Vec<f64>) -> Value {
    Value::Array(ndarray::Array1::from(values).into_dyn())
}

pub fn matrix(rows: usize, cols: usize, values: Vec<f64>) -> Value {
    let array = ndarray::Array2::from_shape_vec((rows, cols), values).expect("rows * cols values");
    Value::Array(array.into_dyn())
}

/// Times `Function::call` as `<backend>_forward/<size>` and
/// `Function::value_and_grad` as `<backend>_grad/<size>`.
pub fn bench_forward_and_grad(
    group: &mut BenchmarkGroup<'_, WallTime>,
    backend: &str,
    size: impl std::fmt::Display,
    function: &Function,
    args: &[Value],
    runtime: &Runtime,
) {
    let forward = BenchmarkId::new(format!("{backend}_forward"), &size);
    group.bench_with_input(forward, args, |b, args| {
        b.iter(|| function.call(black_box(args), runtime).expect("runs"))
    });
    let grad = BenchmarkId::new(format!("{backend}_grad"), &size);
    group.bench_with_input(grad, args, |b, args| {
        b.iter(|| {
            function
                .value_and_grad(black_box(args), runtime)
                .expect("runs")
        })
    });
}
