//! The isotonic soft rank (`soft_rank`, L2 regularisation of strength
//! tau = 0.1): forward, and forward + VJP with a cotangent `w`, on both
//! backends (both call the same `runtime::sorting` code for the rank itself).

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use support::{BACKENDS, TAU};

fn soft_rank(c: &mut Criterion) {
    let mut group = c.benchmark_group("soft_rank");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let runtime = support::runtime(TAU);
    for (backend, backend_name) in BACKENDS {
        let ranks = support::compile(support::SOFT_RANK, "ranks", backend);
        for n in [1000, 10_000] {
            let x = [support::vector(support::normal(n, 1))];
            let w = support::vector(support::normal(n, 2));
            let forward = BenchmarkId::new(format!("{backend_name}_forward"), n);
            group.bench_function(forward, |b| {
                b.iter(|| ranks.call(black_box(&x), &runtime).expect("runs"))
            });
            let vjp = BenchmarkId::new(format!("{backend_name}_vjp"), n);
            group.bench_function(vjp, |b| {
                b.iter(|| ranks.vjp(black_box(&x), w.clone(), &runtime).expect("runs"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, soft_rank);
criterion_main!(benches);
