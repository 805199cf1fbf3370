//! Which indices skip their bounds check: a loop counter over the index's
//! own dimension, in a body that leaves the counter alone, and constants
//! inside a constant extent; nothing else.

use super::CountersInRange;
use crate::interp::test_builder::{Builder, INT, REAL, array};
use crate::ir::{BinaryOp, Func, Inst, InstId, ScalarType, Size};

/// `for k in lo..hi { x[k] }` with `x: real[n]`, where `body` may add more
/// to the loop body; returns the function, the loop, the read of `k` and
/// the sizes `n` and `m` (a second, unrelated size).
fn counted_loop(
    lo: i64,
    hi_is_m: bool,
    body: impl FnOnce(&mut Builder, crate::ir::VarId),
) -> (Func, InstId, InstId, Size, Size) {
    let mut b = Builder::new("counted");
    let n = b.size("n", 0, 0);
    let m = b.size("m", 1, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let _y = b.param("y", array(ScalarType::Real, &[m]));
    let s = b.out_var("s", REAL);
    let k = b.local("k", INT);
    let lo = b.int(lo);
    let hi = b.inst(Inst::SizeOf(if hi_is_m { m } else { n }));
    let mut read = None;
    let for_inst = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        read = Some(kv);
        let element = b.load(x, &[kv]);
        b.accumulate(s, element);
        body(b, k);
    });
    (b.finish(), for_inst, read.expect("built above"), n, m)
}

#[test]
fn a_counter_over_its_own_dimension_needs_no_check() {
    let (func, for_inst, read, n, m) = counted_loop(0, false, |_, _| {});
    let mut counters = CountersInRange::default();
    assert!(!counters.in_range(&func, read, n), "outside the loop");
    assert!(counters.enter(&func, for_inst));
    assert!(counters.in_range(&func, read, n));
    // Another dimension's extent says nothing about the counter.
    assert!(!counters.in_range(&func, read, m));
    counters.leave();
    assert!(!counters.in_range(&func, read, n));
}

#[test]
fn a_loop_up_to_another_size_or_from_a_negative_start_keeps_the_check() {
    let (func, for_inst, read, n, _) = counted_loop(0, true, |_, _| {});
    let mut counters = CountersInRange::default();
    assert!(counters.enter(&func, for_inst));
    assert!(!counters.in_range(&func, read, n));

    let (func, for_inst, read, n, _) = counted_loop(-1, false, |_, _| {});
    let mut counters = CountersInRange::default();
    assert!(counters.enter(&func, for_inst));
    assert!(!counters.in_range(&func, read, n));
}

#[test]
fn a_body_that_writes_its_counter_or_loops_over_it_again_keeps_the_check() {
    let (func, for_inst, _, _, _) = counted_loop(0, false, |b, k| {
        let kv = b.read(k);
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, kv, one);
        let _ = b.write(k, next);
    });
    assert!(!CountersInRange::default().enter(&func, for_inst));

    let (func, for_inst, _, _, _) = counted_loop(0, false, |b, k| {
        let lo = b.int(0);
        let hi = b.int(3);
        let _ = b.for_loop(k, lo, hi, false, |_, _| {});
    });
    assert!(!CountersInRange::default().enter(&func, for_inst));
}

#[test]
fn a_constant_index_is_in_range_only_inside_a_constant_extent() {
    let mut b = Builder::new("constants");
    let n = b.size("n", 0, 0);
    let _x = b.param("x", array(ScalarType::Real, &[n]));
    let two = b.int(2);
    let minus_one = b.int(-1);
    let func = b.finish();
    let counters = CountersInRange::default();
    assert!(counters.in_range(&func, two, Size::Const(3)));
    assert!(!counters.in_range(&func, two, Size::Const(2)));
    assert!(!counters.in_range(&func, minus_one, Size::Const(3)));
    assert!(!counters.in_range(&func, two, n));
}
