//! Compile time: source to a callable `Function` (parse, check, lower,
//! smooth, differentiate, and on the JIT backend Cranelift code for the
//! forward and the reverse function). Sizes are bound at call time, so one
//! compilation serves every `n`.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use support::BACKENDS;

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let programs = [
        ("odd_even", support::ODD_EVEN.to_string(), "loss"),
        ("bubble_early_exit", support::bubble_early_exit(), "loss"),
        ("bitonic", support::BITONIC.to_string(), "loss"),
        ("soft_rank", support::SOFT_RANK.to_string(), "ranks"),
        ("bellman_ford", support::BELLMAN_FORD.to_string(), "loss"),
        ("raster_16x16", support::raster(16), "loss"),
        ("raster_64x64", support::raster(64), "loss"),
    ];
    for (backend, backend_name) in BACKENDS {
        for (name, source, function) in &programs {
            let id = BenchmarkId::new(backend_name, name);
            // The compiled function is dropped outside the timed region.
            group.bench_function(id, |b| {
                b.iter_with_large_drop(|| support::compile(black_box(source), function, backend))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
