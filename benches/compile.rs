//! Compile time: source to a callable `Function` (parse, check, lower,
//! smooth, differentiate, and on the JIT backend Cranelift code for the
//! forward and the reverse function), in relaxed mode. Timed for every
//! example (its `// entry:` function) and for the programs of the other
//! bench files. Sizes are bound at call time, so one compilation serves
//! every `n`.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use support::BACKENDS;

/// Every example as (name, source, entry function), in file name order.
fn examples() -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "dsl"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("readable");
            let entry = source
                .lines()
                .find_map(|line| line.strip_prefix("// entry:"))
                .unwrap_or_else(|| panic!("{} has no `// entry:` line", path.display()))
                .trim()
                .to_string();
            let name = path.file_stem().expect("a file").to_string_lossy();
            (format!("example_{name}"), source, entry)
        })
        .collect()
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let program = |name: &str, source: &str, function: &str| {
        (name.to_string(), source.to_string(), function.to_string())
    };
    let mut programs = examples();
    programs.extend([
        program("odd_even", support::ODD_EVEN, "loss"),
        program("bubble_early_exit", &support::bubble_early_exit(), "loss"),
        program("bitonic", support::BITONIC, "loss"),
        program("soft_rank", support::SOFT_RANK, "ranks"),
        program("raster_64x64", &support::raster(64), "loss"),
    ]);
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
