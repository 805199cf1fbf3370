//! The relaxed `if`: both branches run and what they write is blended.
//!
//! For an `if c { T } else { E }` whose condition is data, with `p` the
//! probability of `c` and `W` the variables that `T` or `E` write and that
//! live outside the `if`:
//!
//! ```text
//! p_var = p
//! orig_w = w            for w in W
//! T
//! then_w = w; w = orig_w
//! E
//! w = p * then_w + (1 - p) * w
//! ```
//!
//! Arrays are blended at the elements the branches write when those can be
//! located before the branches run (see `elements` for the exact rule):
//!
//! * stores at the top of a branch, at indices computed from ints the
//!   branches do not write (a compare-and-swap `y[i]`, `y[i + 1]`): the
//!   indices are computed before the branches, and the elements are saved,
//!   restored and blended like scalars;
//! * stores inside `for` loops of a branch (nested loops included), when the
//!   loop bounds and the indices are computed from such ints and the loop
//!   counters (`for j in 0..3 { y[i + j] = .. }`, `for r in 0..n { p[r, i]
//!   = .. }`): the loops are run again outside the branches to save,
//!   restore and blend exactly the elements they visit.
//!
//! Any other written array (a store under a nested `if` or `while`, at an
//! index the branch computes from what it writes, or an array-level write
//! such as a sort) is snapshotted and blended whole. Element-wise blending
//! costs what the branch's own stores cost, and leaves the elements the
//! branches do not write untouched, which the whole blend does not quite do:
//! `p * v + (1 - p) * v` may differ from `v` by rounding, and is NaN for
//! `v = ±inf` when `p` is 0 or 1. All `else` values are read before any
//! blend is written, so an element two stores reach is blended once.
//!
//! Applied to a compare-and-swap this is exactly the relaxed conditional
//! swap of differentiable sorting networks. As `tau -> 0`, `p -> 1` or `0`
//! and the blend selects the branch the hard program takes.

mod elements;

use super::locality::{VarAccess, written_vars};
use super::rewrite::Smoother;
use super::{SiteKind, SmoothError};
use crate::ir::{BinaryOp, BlockId, Inst, InstId, ScalarType, VarId, VarRole, VarType};
use crate::syntax::span::Origin;

impl Smoother<'_> {
    pub(super) fn soft_if(
        &mut self,
        cond: InstId,
        then_block: BlockId,
        else_block: BlockId,
        origin: Origin,
    ) -> Result<(), SmoothError> {
        let derived = origin.derived();
        self.record_site(
            SiteKind::Branch,
            "blend p * then + (1 - p) * else".to_string(),
            origin,
        );
        let p = self.probability(cond, origin);
        let p_var = self
            .new
            .new_var("p", VarType::Scalar(ScalarType::Real), VarRole::Temp);
        let _ = self.emit(
            Inst::Write {
                var: p_var,
                value: p,
            },
            derived,
        );

        let written = self.blended_vars(then_block, else_block);
        // Arrays whose written elements can be located before the branches
        // are blended at those elements; everything else is snapshotted
        // whole.
        let (elements, whole) = self.plan_elements(&written, then_block, else_block);
        let originals: Vec<VarId> = whole
            .iter()
            .map(|var| self.snapshot(*var, "orig", derived))
            .collect();
        self.soft_depth += 1;
        self.rewrite_block(then_block)?;
        let then_values: Vec<VarId> = whole
            .iter()
            .map(|var| self.snapshot(*var, "then", derived))
            .collect();
        for (var, original) in whole.iter().zip(&originals) {
            self.new.emit_copy(self.block, *var, *original, derived);
        }
        self.restore_elements(&elements, derived);
        self.rewrite_block(else_block)?;
        self.soft_depth -= 1;
        for (var, then_value) in whole.iter().zip(&then_values) {
            self.blend(*var, *then_value, p_var, derived);
        }
        self.blend_elements(&elements, p_var, derived);
        Ok(())
    }

    /// The variables either branch writes that are visible after the `if`.
    fn blended_vars(&self, then_block: BlockId, else_block: BlockId) -> Vec<VarId> {
        let mut written = Vec::new();
        written_vars(self.old, then_block, &mut written);
        written_vars(self.old, else_block, &mut written);
        let access: &VarAccess = &self.access;
        written.retain(|var| !access.is_local_to(self.old, *var, &[then_block, else_block]));
        written
    }

    /// A fresh copy of `var`'s current contents.
    fn snapshot(&mut self, var: VarId, suffix: &str, origin: Origin) -> VarId {
        let data = &self.new.vars[var];
        let name = format!("{}_{suffix}", data.name);
        let copy = self.new.new_var(name, data.ty.clone(), VarRole::Temp);
        self.new.emit_copy(self.block, copy, var, origin);
        copy
    }

    /// `var = p * then_value + (1 - p) * var`, elementwise for arrays.
    fn blend(&mut self, var: VarId, then_value: VarId, p_var: VarId, origin: Origin) {
        self.new
            .emit_for_each_place(self.block, var, origin, |func, block, place| {
                let then_read = func.emit_read(block, &place.in_var(then_value), origin);
                let else_read = func.emit_read(block, &place, origin);
                let p = func.append(block, Inst::Read(p_var), origin);
                let mixed = emit_mix(func, block, p, then_read, else_read, origin);
                func.emit_write(block, &place, mixed, origin);
            });
    }
}

/// `p * a + (1 - p) * b`. Written as two products rather than
/// `b + p * (a - b)` so that `a - b` cannot overflow.
pub(super) fn emit_mix(
    func: &mut crate::ir::Func,
    block: BlockId,
    p: InstId,
    then_value: InstId,
    else_value: InstId,
    origin: Origin,
) -> InstId {
    let one = func.append(block, Inst::Real(1.0), origin);
    let q = func.append(block, Inst::Binary(BinaryOp::Sub, one, p), origin);
    let then_part = func.append(block, Inst::Binary(BinaryOp::Mul, p, then_value), origin);
    let else_part = func.append(block, Inst::Binary(BinaryOp::Mul, q, else_value), origin);
    func.append(
        block,
        Inst::Binary(BinaryOp::Add, then_part, else_part),
        origin,
    )
}

impl Smoother<'_> {
    /// `select(c, a, b)` on a soft `c`: `p * a + (1 - p) * b` (soft truth
    /// values of bool arms are blended as probabilities).
    pub(super) fn soft_select(
        &mut self,
        cond: InstId,
        then: InstId,
        otherwise: InstId,
        origin: Origin,
    ) -> InstId {
        let derived = origin.derived();
        self.record_site(
            SiteKind::Branch,
            "blend p * a + (1 - p) * b".to_string(),
            origin,
        );
        let p = self.value(cond);
        let (a, b) = if self.old.types[then] == Some(ScalarType::Bool) {
            (
                self.probability(then, origin),
                self.probability(otherwise, origin),
            )
        } else {
            (self.value(then), self.value(otherwise))
        };
        emit_mix(&mut self.new, self.block, p, a, b, derived)
    }
}
