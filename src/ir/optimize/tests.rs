//! The cleanup as a specification: what a relaxed swap becomes, and that
//! the cleaned-up function computes what the original computed, bit for
//! bit, including when the two swapped indices are one element.

use super::optimize;
use crate::interp::{
    self,
    test_builder::{Builder, INT, arr, array, identical},
};
use crate::ir::{BinaryOp, Func, Inst, ScalarType, UnaryOp};
use crate::runtime::{RunConfig, Value};

/// `y = x; a = y[i]; c = y[i + gap]` then the swap as the smoother writes
/// a relaxed `if a > c { swap }`: swap, read the swapped elements, restore,
/// read the restored ones, blend; `gap` is a parameter, so the two
/// indices may be the same element.
fn relaxed_swap_with_gap() -> Func {
    let mut b = Builder::new("relaxed_swap");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let gap_param = b.param("gap", INT);
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let k = b.local("k", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let value = b.load(x, &[kv]);
        let _ = b.store(y, &[kv], value);
    });
    let i = b.int(0);
    let gap = b.read(gap_param);
    let j = b.bin(BinaryOp::Add, i, gap);
    let a = b.load(y, &[i]);
    let c = b.load(y, &[j]);
    let difference = b.bin(BinaryOp::Sub, a, c);
    let tau = b.inst(Inst::Tau);
    let scaled = b.bin(BinaryOp::Div, difference, tau);
    let p = b.un(UnaryOp::Sigmoid, scaled);
    // Then branch: the swap.
    let _ = b.store(y, &[i], c);
    let _ = b.store(y, &[j], a);
    let swapped_i = b.load(y, &[i]);
    // Restore, for the else branch (which does nothing).
    let _ = b.store(y, &[j], c);
    let _ = b.store(y, &[i], a);
    let kept_j = b.load(y, &[j]);
    // Blend.
    let one = b.real(1.0);
    let q = b.bin(BinaryOp::Sub, one, p);
    let then_i = b.bin(BinaryOp::Mul, p, swapped_i);
    let else_i = b.bin(BinaryOp::Mul, q, a);
    let low = b.bin(BinaryOp::Add, then_i, else_i);
    let _ = b.store(y, &[i], low);
    let then_j = b.bin(BinaryOp::Mul, p, a);
    let else_j = b.bin(BinaryOp::Mul, q, kept_j);
    let high = b.bin(BinaryOp::Add, then_j, else_j);
    let _ = b.store(y, &[j], high);
    b.finish()
}

fn count(func: &Func, wanted: fn(&Inst) -> bool) -> usize {
    func.blocks
        .values()
        .flat_map(|block| &block.insts)
        .filter(|inst| wanted(&func.insts[**inst]))
        .count()
}

#[test]
fn a_swap_whose_indices_may_be_one_element_becomes_two_loads_and_two_stores() {
    let original = relaxed_swap_with_gap();
    let mut cleaned = original.clone();
    optimize(&mut cleaned);
    // The copy loop's load and store, then the swap's two of each.
    assert_eq!(
        count(&cleaned, |inst| matches!(inst, Inst::Load { .. })),
        3,
        "{cleaned}"
    );
    assert_eq!(
        count(&cleaned, |inst| matches!(inst, Inst::Store { .. })),
        3,
        "{cleaned}"
    );
    let config = RunConfig {
        tau: 0.7,
        ..RunConfig::default()
    };
    let x = arr(&[4], &[2.5, -1.0, 0.75, 3.0]);
    // gap 0: both indices are element 0; gap 5: out of bounds.
    for gap in [0, 1, 3, 5] {
        let args = [x.clone(), Value::Int(gap)];
        let expected = interp::run(&original, &args, &config);
        let result = interp::run(&cleaned, &args, &config);
        assert!(
            identical(&result, &expected),
            "gap {gap}: cleaned {result:?}, original {expected:?}"
        );
    }
}
