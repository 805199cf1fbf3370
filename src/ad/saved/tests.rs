//! Which writes save their previous value, on functions built by hand:
//! a write is saved exactly when code that runs before it reads the value
//! it overwrites again in the reverse sweep.

use super::SavedWrites;
use crate::interp::test_builder::{BOOL, Builder, INT, REAL, array};
use crate::ir::{BinaryOp, Inst, ScalarType};

#[test]
fn first_writes_and_array_initialisation_are_not_saved() {
    // s = 0; for k in 0..n { y[k] = x[k] }; s = y[0]
    let mut b = Builder::new("first");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.local("y", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let k = b.local("k", INT);
    let zero = b.real(0.0);
    let first = b.write(s, zero);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let mut init = None;
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        init = Some(b.store(y, &[kv], element));
    });
    let head = b.load(y, &[lo]);
    let last = b.write(s, head);
    let saved = SavedWrites::compute(&b.finish());
    assert!(!saved.contains(first));
    assert!(!saved.contains(init.expect("built above")));
    // Nothing read `s` since the first write.
    assert!(!saved.contains(last));
}

#[test]
fn an_accumulator_and_a_swapped_array_are_saved() {
    // for k in 0..n { s = s + x[k]; y[k] = y[k + 1] }
    let mut b = Builder::new("loop");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.local("y", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let k = b.local("k", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let (mut sum, mut shift) = (None, None);
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        let old = b.read(s);
        let new = b.bin(BinaryOp::Add, old, element);
        sum = Some(b.write(s, new));
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, kv, one);
        let moved = b.load(y, &[next]);
        shift = Some(b.store(y, &[kv], moved));
    });
    let saved = SavedWrites::compute(&b.finish());
    assert!(saved.contains(sum.expect("built above")));
    assert!(saved.contains(shift.expect("built above")));
}

#[test]
fn a_temporary_written_before_its_read_and_a_while_flag_are_not_saved() {
    // go = true; while go { t = x * 2; s = t; go = false }
    let mut b = Builder::new("temporary");
    let x = b.param("x", REAL);
    let s = b.out_var("s", REAL);
    let t = b.local("t", REAL);
    let go = b.local("go", BOOL);
    let yes = b.boolean(true);
    let _ = b.write(go, yes);
    let (mut temporary, mut result, mut flag) = (None, None, None);
    let _ = b.while_loop(go, None, |b| {
        let xv = b.read(x);
        let two = b.real(2.0);
        let doubled = b.bin(BinaryOp::Mul, xv, two);
        temporary = Some(b.write(t, doubled));
        let tv = b.read(t);
        result = Some(b.write(s, tv));
        let no = b.boolean(false);
        flag = Some(b.write(go, no));
    });
    let saved = SavedWrites::compute(&b.finish());
    // `t` is read only after the write of the same segment, which the
    // reverse sweep recomputes; the loop never tests `go` backwards.
    assert!(!saved.contains(temporary.expect("built above")));
    assert!(!saved.contains(result.expect("built above")));
    assert!(!saved.contains(flag.expect("built above")));
}

#[test]
fn a_value_read_after_a_branch_is_saved_in_the_next_iteration() {
    // for k in 0..n { if x[k] > 0 { t = 1 } else { t = 2 }; s = s + t }
    let mut b = Builder::new("branch");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let t = b.local("t", REAL);
    let k = b.local("k", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let (mut then_write, mut else_write) = (None, None);
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let element = b.load(x, &[kv]);
        let zero = b.real(0.0);
        let positive = b.bin(BinaryOp::Gt, element, zero);
        let _ = b.if_else(
            positive,
            |b| {
                let one = b.real(1.0);
                then_write = Some(b.write(t, one));
            },
            |b| {
                let two = b.real(2.0);
                else_write = Some(b.write(t, two));
            },
        );
        let tv = b.read(t);
        b.accumulate(s, tv);
    });
    let saved = SavedWrites::compute(&b.finish());
    // The segment after the `If` reads `t` at its start, so the reverse of
    // iteration k needs the `t` that iteration k + 1 overwrote.
    assert!(saved.contains(then_write.expect("built above")));
    assert!(saved.contains(else_write.expect("built above")));
}

#[test]
fn a_sort_saves_its_output_only_when_earlier_code_read_it() {
    // s = 0; r = sort(x); for k in 0..n { q = sort(x); s = s + q[0] }
    let mut b = Builder::new("sorts");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let r = b.local("r", array(ScalarType::Real, &[n]));
    let q = b.local("q", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let k = b.local("k", INT);
    let zero = b.real(0.0);
    let _ = b.write(s, zero);
    let hard = crate::ir::SortArray {
        ranks: false,
        relaxation: None,
    };
    let sort = |b: &mut Builder, output| {
        b.inst(Inst::SortArray {
            op: hard,
            input: x,
            output,
        })
    };
    let fresh = sort(&mut b, r);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let mut again = None;
    let _ = b.for_loop(k, lo, hi, false, |b, _| {
        again = Some(sort(b, q));
        let first = b.int(0);
        let head = b.load(q, &[first]);
        b.accumulate(s, head);
    });
    let saved = SavedWrites::compute(&b.finish());
    // Nothing read `r` before the sort wrote all of it.
    assert!(!saved.contains(fresh));
    // The previous iteration's body read `q[0]`.
    assert!(saved.contains(again.expect("built above")));
}
