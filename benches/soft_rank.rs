//! The isotonic soft rank (`soft_rank`, L2 regularisation of strength
//! tau = 0.1): forward, and forward + VJP with a cotangent `w`, on both
//! backends (both call the same `runtime::sorting` code for the rank itself),
//! and that runtime code alone (`runtime_*`: the rank into a buffer, and the
//! rank then its VJP added to a gradient, as a gradient function calls them).
//!
//! Successive iterations alternate between two inputs. The runtime keeps
//! the last sort it solved on a thread and reuses it for bit-for-bit the
//! same values (that is how the VJP reuses the forward's sort within one
//! gradient call); with a single input, every forward call after the first
//! would time that reuse instead of a sort, which new data never gets.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use smoothc::runtime::isotonic::{self, Direction, Regularization};
use std::hint::black_box;
use std::time::Duration;
use support::{BACKENDS, TAU};

const SIZES: [usize; 2] = [1000, 10_000];

fn soft_rank(c: &mut Criterion) {
    let mut group = c.benchmark_group("soft_rank");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let runtime = support::runtime(TAU);
    for (backend, backend_name) in BACKENDS {
        let ranks = support::compile(support::SOFT_RANK, "ranks", backend);
        for n in SIZES {
            let inputs = [1, 3].map(|seed| [support::vector(support::normal(n, seed))]);
            let w = support::vector(support::normal(n, 2));
            let mut turn = 0;
            let forward = BenchmarkId::new(format!("{backend_name}_forward"), n);
            group.bench_function(forward, |b| {
                b.iter(|| {
                    turn = 1 - turn;
                    ranks
                        .call(black_box(&inputs[turn]), &runtime)
                        .expect("runs")
                })
            });
            let vjp = BenchmarkId::new(format!("{backend_name}_vjp"), n);
            group.bench_function(vjp, |b| {
                b.iter(|| {
                    turn = 1 - turn;
                    let x = black_box(&inputs[turn]);
                    ranks.vjp(x, w.clone(), &runtime).expect("runs")
                })
            });
        }
    }
    for n in SIZES {
        let inputs = [1, 3].map(|seed| support::normal(n, seed));
        let w = support::normal(n, 2);
        let mut output = vec![0.0; n];
        let mut gradient = vec![0.0; n];
        let (l2, up) = (Regularization::L2, Direction::Ascending);
        let mut turn = 0;
        let forward = BenchmarkId::new("runtime_forward", n);
        group.bench_function(forward, |b| {
            b.iter(|| {
                turn = 1 - turn;
                isotonic::soft_rank_into(black_box(&inputs[turn]), TAU, l2, up, &mut output);
            })
        });
        let vjp = BenchmarkId::new("runtime_vjp", n);
        group.bench_function(vjp, |b| {
            b.iter(|| {
                turn = 1 - turn;
                let x = black_box(&inputs[turn]);
                isotonic::soft_rank_into(x, TAU, l2, up, &mut output);
                isotonic::add_soft_rank_vjp(x, TAU, l2, up, &w, &mut gradient);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, soft_rank);
criterion_main!(benches);
