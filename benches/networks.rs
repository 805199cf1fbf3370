//! Relaxed sorting networks: forward and forward + gradient of
//! `sum(w * sort(x))` for the odd-even transposition network (the prelude's
//! `sort`), bubble sort with early exit, its control with every swap
//! decided on the input (n = 32 and 128) and the bitonic network (n = 128
//! and 1024), on the JIT and (up to `INTERP_MAX_N` = 128) the interpreter,
//! at tau = 0.1.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use smoothc::Backend;
use std::time::Duration;
use support::{BACKENDS, INTERP_MAX_N, TAU};

fn network(c: &mut Criterion, name: &str, source: &str, sizes: &[usize]) {
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let runtime = support::runtime(TAU);
    for (backend, backend_name) in BACKENDS {
        let loss = support::compile(source, "loss", backend);
        for &n in sizes {
            if backend == Backend::Interp && n > INTERP_MAX_N {
                continue;
            }
            // Large calls take tens of milliseconds: fewer samples keep the
            // run short.
            group.sample_size(if n >= 1024 { 10 } else { 20 });
            let args = [
                support::vector(support::normal(n, 1)),
                support::vector(support::normal(n, 2)),
            ];
            support::bench_forward_and_grad(&mut group, backend_name, n, &loss, &args, &runtime);
        }
    }
    group.finish();
}

fn odd_even(c: &mut Criterion) {
    network(c, "odd_even", support::ODD_EVEN, &[8, 32, 128, 1024]);
}

fn bubble(c: &mut Criterion) {
    let source = support::bubble_early_exit();
    network(c, "bubble_early_exit", &source, &[8, 32, 128, 1024]);
}

/// The control of `bubble_early_exit`: the same passes with every swap
/// decided on the input, so that no sigmoid waits for the previous swap
/// (benches/programs/bubble_decided_by_input.dsl).
fn bubble_decided_by_input(c: &mut Criterion) {
    network(
        c,
        "bubble_decided_by_input",
        support::BUBBLE_DECIDED_BY_INPUT,
        &[32, 128],
    );
}

fn bitonic(c: &mut Criterion) {
    network(c, "bitonic", support::BITONIC, &[128, 1024]);
}

criterion_group!(benches, odd_even, bubble, bubble_decided_by_input, bitonic);
criterion_main!(benches);
