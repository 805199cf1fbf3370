//! Liveness at loop boundaries, on loops built by hand: what a loop writes
//! and nothing reads again is dead; what an iteration reads before writing
//! it, or the code after the loop reads, is live.

use super::Liveness;
use crate::interp::test_builder::{BOOL, Builder, REAL, array};
use crate::ir::{BinaryOp, Inst, ScalarType, VarId};

fn sorted(mut vars: Vec<VarId>) -> Vec<VarId> {
    vars.sort();
    vars
}

#[test]
fn a_temporary_of_each_iteration_is_dead_at_both_boundaries() {
    // for k in 0..n { t = x[k] * 2; y[k] = t }
    let mut b = Builder::new("temporary");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let k = b.local("k", crate::interp::test_builder::INT);
    let t = b.local("t", REAL);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let target = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        let two = b.real(2.0);
        let doubled = b.bin(BinaryOp::Mul, element, two);
        let _ = b.write(t, doubled);
        let tv = b.read(t);
        let _ = b.store(y, &[kv], tv);
    });
    let liveness = Liveness::compute(&b.finish());
    // The body reads the counter, set just before the body starts.
    assert_eq!(liveness.dead_at_body_entry(target), vec![t]);
    assert_eq!(sorted(liveness.dead_at_exit(target)), vec![k, t]);
}

#[test]
fn a_sum_is_live_at_both_boundaries_and_so_is_a_counter_read_after_the_loop() {
    // for k in 0..n { s = s + x[k] }; last = k; return s, last
    let mut b = Builder::new("sum");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let last = b.out_var("last", crate::interp::test_builder::INT);
    let k = b.local("k", crate::interp::test_builder::INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let target = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        b.accumulate(s, element);
    });
    let kv = b.read(k);
    let _ = b.write(last, kv);
    let liveness = Liveness::compute(&b.finish());
    assert_eq!(liveness.dead_at_body_entry(target), Vec::<VarId>::new());
    assert_eq!(liveness.dead_at_exit(target), Vec::<VarId>::new());
    // After the loop, `k` is read and the output `s` is read at the end;
    // `last` is written before anything reads it.
    assert_eq!(sorted(liveness.live_at_exit(target)), sorted(vec![s, k]));
}

#[test]
fn a_value_written_in_an_inner_loop_and_read_by_the_next_outer_iteration_is_live() {
    // for i in 0..n { u = carry; for j in 0..n { carry = x[j] + u } }
    // `carry` is read at the start of the outer body (the previous outer
    // iteration's value) but written before any read in the inner one;
    // `j` is read by the inner body, set just before it starts.
    let mut b = Builder::new("nested");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let carry = b.out_var("carry", REAL);
    let u = b.local("u", REAL);
    let i = b.local("i", crate::interp::test_builder::INT);
    let j = b.local("j", crate::interp::test_builder::INT);
    let mut inner = None;
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let outer = b.for_loop(i, lo, hi, false, |b, _| {
        let previous = b.read(carry);
        let _ = b.write(u, previous);
        let lo = b.int(0);
        let hi = b.inst(Inst::SizeOf(n));
        inner = Some(b.for_loop(j, lo, hi, false, |b, j| {
            let jv = b.read(j);
            let element = b.load(x, &[jv]);
            let uv = b.read(u);
            let next = b.bin(BinaryOp::Add, element, uv);
            let _ = b.write(carry, next);
        }));
    });
    let inner = inner.expect("built");
    let liveness = Liveness::compute(&b.finish());
    // Inner: `u` is read by every iteration but never written there;
    // `carry` is written first in each iteration, and read after the inner
    // loop by the next outer iteration (and at the end).
    assert_eq!(liveness.dead_at_body_entry(inner), vec![carry]);
    assert_eq!(liveness.dead_at_exit(inner), vec![j]);
    // Outer: `carry` is live everywhere, `u` is written before it is read.
    assert_eq!(sorted(liveness.dead_at_body_entry(outer)), vec![u, i, j]);
    assert_eq!(sorted(liveness.dead_at_exit(outer)), vec![u, i, j]);
}

#[test]
fn a_while_loop_reads_its_flag_at_the_header_and_a_branch_may_skip_a_write() {
    // while go { if x[0] > 0 { t = 1 } else {}; go = t > 2; t2 = t }
    // `t` may keep the previous iteration's value (the else path), so it
    // is live at the body's entry.
    let mut b = Builder::new("while");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let go = b.local("go", BOOL);
    let t = b.local("t", REAL);
    let copy = b.local("copy", REAL);
    let target = b.while_loop(go, Some(10), |b| {
        let zero = b.int(0);
        let first = b.load(x, &[zero]);
        let origin = b.real(0.0);
        let positive = b.bin(BinaryOp::Gt, first, origin);
        let _ = b.if_else(
            positive,
            |b| {
                let one = b.real(1.0);
                let _ = b.write(t, one);
            },
            |_| {},
        );
        let tv = b.read(t);
        let two = b.real(2.0);
        let more = b.bin(BinaryOp::Gt, tv, two);
        let _ = b.write(go, more);
        let again = b.read(t);
        let _ = b.write(copy, again);
    });
    let liveness = Liveness::compute(&b.finish());
    // `go` is read at the header, but the body writes it before going
    // back there, so it is dead at the body's entry.
    assert_eq!(sorted(liveness.dead_at_body_entry(target)), vec![go, copy]);
    // Nothing reads anything after the loop.
    assert_eq!(sorted(liveness.dead_at_exit(target)), vec![go, t, copy]);
}
