//! Two of the examples with their own losses: Bellman-Ford shortest paths
//! on a 32-node graph (tau = 0.1) and the disc rasteriser on a 16 x 16 and a
//! 64 x 64 grid (tau = 0.01, the example's own temperature: it compares
//! squared distances in the unit square).

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use smoothc::Value;
use std::time::Duration;
use support::{BACKENDS, TAU};

fn bellman_ford(c: &mut Criterion) {
    let mut group = c.benchmark_group("bellman_ford");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let n = 32;
    // Edge weights in [0.5, 5.5], targets in [0, 5].
    let weights = support::normal(n * n, 3)
        .iter()
        .map(|z| 3.0 + z.clamp(-2.5, 2.5))
        .collect();
    let target = support::normal(n, 4)
        .iter()
        .map(|z| 2.5 + z.clamp(-2.5, 2.5))
        .collect();
    let args = [support::matrix(n, n, weights), support::vector(target)];
    let runtime = support::runtime(TAU);
    for (backend, backend_name) in BACKENDS {
        let loss = support::compile(support::BELLMAN_FORD, "loss", backend);
        support::bench_forward_and_grad(&mut group, backend_name, n, &loss, &args, &runtime);
    }
    group.finish();
}

fn raster(c: &mut Criterion) {
    let mut group = c.benchmark_group("raster");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let runtime = support::runtime(0.01);
    for side in [16, 64] {
        let source = support::raster(side);
        // The target: a hard disc of radius 0.3 at the centre of the square.
        let centre = |k: usize| (k as f64 + 0.5) / side as f64 - 0.5;
        let target = (0..side * side)
            .map(|p| {
                let (i, j) = (p / side, p % side);
                let inside = centre(i).powi(2) + centre(j).powi(2) < 0.09;
                if inside { 1.0 } else { 0.0 }
            })
            .collect();
        let args = [
            Value::Real(0.55),
            Value::Real(0.5),
            Value::Real(0.25),
            support::matrix(side, side, target),
        ];
        for (backend, backend_name) in BACKENDS {
            let loss = support::compile(&source, "loss", backend);
            let size = format!("{side}x{side}");
            support::bench_forward_and_grad(&mut group, backend_name, size, &loss, &args, &runtime);
        }
    }
    group.finish();
}

criterion_group!(benches, bellman_ford, raster);
criterion_main!(benches);
