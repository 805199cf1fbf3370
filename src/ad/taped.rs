//! Which results the forward sweep keeps on the tape instead of the reverse
//! sweep computing them again: the transcendental functions of one real
//! (`exp`, `log`, `sigmoid`, `softplus`, `tanh`, `sin`, `cos` and the
//! families' CDFs and densities) inside control flow.
//!
//! Recomputing a segment (see the module docs of `ad`) costs what the
//! forward sweep cost. For a soft swap that is mostly its sigmoid, which
//! also feeds the adjoint (`sigmoid' = s (1 - s)`), so that a sorting
//! network's reverse sweep evaluated every sigmoid a second time. One tape
//! slot per such result (8 bytes, a store and a load) replaces several
//! dozen operations; cheap arithmetic is still recomputed, since a slot
//! would cost about as much as the operation. The popped value is the one
//! the forward sweep computed, so the gradient is the same bits either way.
//!
//! The function's top-level block is the exception: its forward and
//! reverse code end up in one block, where the IR cleanup merges each
//! recomputed instruction with the forward's, so recomputing is free there
//! and a pushed value would only stop that merge.
//!
//! This module must not know how the tape is laid out or popped.

use crate::ir::{Func, Inst, InstId, UnaryOp};
use crate::runtime::kernels::Kernel;
use cranelift_entity::EntityRef;
use fixedbitset::FixedBitSet;

/// The instructions whose result the forward sweep pushes right after
/// them, and the reverse sweep pops instead of evaluating them again.
pub(crate) struct KeptResults {
    kept: FixedBitSet,
}

impl KeptResults {
    /// The kept results of `func` (the function being differentiated).
    pub(crate) fn of(func: &Func) -> KeptResults {
        let mut kept = FixedBitSet::with_capacity(func.insts.len());
        for (block, data) in func.blocks.iter() {
            if block == func.entry {
                continue;
            }
            for &inst in &data.insts {
                if is_transcendental(&func.insts[inst]) {
                    kept.insert(inst.index());
                }
            }
        }
        KeptResults { kept }
    }

    pub(crate) fn contains(&self, inst: InstId) -> bool {
        self.kept.contains(inst.index())
    }
}

fn is_transcendental(inst: &Inst) -> bool {
    match inst {
        // A reciprocal is one division: cheaper to recompute than to tape.
        Inst::Unary(UnaryOp::ClampedReciprocal, _) => false,
        Inst::Unary(op, _) => {
            Kernel::of_unary(*op).is_some() || matches!(op, UnaryOp::Sin | UnaryOp::Cos)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::test_builder::{Builder, INT, REAL};
    use crate::ir::BinaryOp;

    #[test]
    fn transcendentals_inside_control_flow_are_kept_and_top_level_ones_are_not() {
        let mut b = Builder::new("f");
        let x = b.param("x", REAL);
        let total = b.out_var("total", REAL);
        let counter = b.local("k", INT);
        let read = b.read(x);
        let top_level = b.un(UnaryOp::Exp, read);
        let _ = b.write(total, top_level);
        let (lo, hi) = (b.int(0), b.int(3));
        let mut in_loop = Vec::new();
        let _ = b.for_loop(counter, lo, hi, false, |b, _| {
            let read = b.read(x);
            let sigmoid = b.un(UnaryOp::Sigmoid, read);
            let cosine = b.un(UnaryOp::Cos, sigmoid);
            let square_root = b.un(UnaryOp::Sqrt, cosine);
            let product = b.bin(BinaryOp::Mul, square_root, read);
            b.accumulate(total, product);
            in_loop.extend([sigmoid, cosine, square_root, product]);
        });
        let func = b.finish();
        let kept = KeptResults::of(&func);
        assert!(
            !kept.contains(top_level),
            "the top-level block recomputes for free"
        );
        assert!(kept.contains(in_loop[0]), "sigmoid");
        assert!(kept.contains(in_loop[1]), "cos");
        assert!(!kept.contains(in_loop[2]), "sqrt is one instruction");
        assert!(!kept.contains(in_loop[3]), "arithmetic is recomputed");
    }
}
