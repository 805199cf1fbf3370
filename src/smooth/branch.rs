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
//! An array written only by stores at the top of the branches, at indices
//! computed from ints the branches do not write (a compare-and-swap
//! `y[i]`, `y[i + 1]`), is blended at those elements only: their indices are
//! computed before the branches, and the elements are saved, restored and
//! blended like scalars (all `else` values are read before any blend is
//! written, so two stores at one element blend it once). Any other written
//! array is snapshotted and blended whole. Applied to a compare-and-swap
//! this is exactly the relaxed conditional swap of differentiable sorting
//! networks. As `tau -> 0`,
//! `p -> 1` or `0` and the blend selects the branch the hard program takes.

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
        // Arrays written only at indices fixed before the branch are blended
        // at those elements; everything else is snapshotted whole.
        let (elementwise, whole): (Vec<_>, Vec<_>) = written
            .iter()
            .map(|var| (*var, self.element_stores(*var, then_block, else_block)))
            .partition(|(_, stores)| stores.is_some());
        let whole: Vec<VarId> = whole.into_iter().map(|(var, _)| var).collect();
        let elements: Vec<ElementSlot> = elementwise
            .into_iter()
            .flat_map(|(array, stores)| {
                stores
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |indices| (array, indices))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(array, indices)| self.element_slot(array, &indices, derived))
            .collect();

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
        for slot in &elements {
            self.save_element(slot, slot.then_value, derived);
        }
        // Last saved first, so that aliased indices end at the oldest value.
        for slot in elements.iter().rev() {
            let previous = self
                .new
                .append(self.block, Inst::Read(slot.original), derived);
            let place = self.element_place(slot, derived);
            self.new.emit_write(self.block, &place, previous, derived);
        }
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

/// One array element a relaxed branch writes, at indices fixed before it.
struct ElementSlot {
    array: VarId,
    /// Int variables holding the indices (they must survive the branches'
    /// control flow).
    indices: Vec<VarId>,
    /// The element before the branches.
    original: VarId,
    /// The element after the `then` branch.
    then_value: VarId,
}

impl Smoother<'_> {
    /// The index lists of the stores to `array` in either branch, when every
    /// write of `array` there is a store at the top of a branch whose
    /// indices depend only on ints the branches do not write.
    fn element_stores(
        &self,
        array: VarId,
        then_block: BlockId,
        else_block: BlockId,
    ) -> Option<Vec<Vec<InstId>>> {
        if !self.old.vars[array].ty.is_array() {
            return None;
        }
        let mut written_anywhere = Vec::new();
        written_vars(self.old, then_block, &mut written_anywhere);
        written_vars(self.old, else_block, &mut written_anywhere);
        let mut stores = Vec::new();
        for block in [then_block, else_block] {
            for &inst in &self.old.blocks[block].insts {
                match &self.old.insts[inst] {
                    Inst::Store {
                        array: target,
                        indices,
                        ..
                    } if *target == array => stores.push(indices.clone()),
                    nested if nested.is_control() => {
                        let mut inner = Vec::new();
                        match nested {
                            Inst::If {
                                then_block,
                                else_block,
                                ..
                            } => {
                                written_vars(self.old, *then_block, &mut inner);
                                written_vars(self.old, *else_block, &mut inner);
                            }
                            Inst::For { body, .. } | Inst::Loop { body, .. } => {
                                written_vars(self.old, *body, &mut inner);
                            }
                            _ => {}
                        }
                        if inner.contains(&array) {
                            return None;
                        }
                    }
                    other if other.array_written() == Some(array) => return None,
                    _ => {}
                }
            }
        }
        let fixed = stores
            .iter()
            .flatten()
            .all(|index| self.is_fixed_index(*index, &written_anywhere));
        fixed.then_some(stores)
    }

    /// Whether an old int value is computed from constants, sizes and int
    /// variables outside `written` only (so it can be computed before the
    /// branches, with the same result).
    fn is_fixed_index(&self, value: InstId, written: &[VarId]) -> bool {
        match &self.old.insts[value] {
            Inst::Int(_) | Inst::SizeOf(_) => true,
            Inst::Read(var) => {
                !written.contains(var) && self.old.vars[*var].ty == VarType::Scalar(ScalarType::Int)
            }
            Inst::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, lhs, rhs) => {
                self.is_fixed_index(*lhs, written) && self.is_fixed_index(*rhs, written)
            }
            _ => false,
        }
    }

    /// Computes a fixed index again, before the branches.
    fn hoist_index(&mut self, value: InstId, origin: Origin) -> InstId {
        let inst = match &self.old.insts[value] {
            Inst::Binary(op, lhs, rhs) => {
                let (op, lhs, rhs) = (*op, *lhs, *rhs);
                let lhs = self.hoist_index(lhs, origin);
                let rhs = self.hoist_index(rhs, origin);
                Inst::Binary(op, lhs, rhs)
            }
            leaf => leaf.clone(),
        };
        self.new.append(self.block, inst, origin)
    }

    /// Before the branches: the element's indices and its original value.
    fn element_slot(&mut self, array: VarId, indices: &[InstId], origin: Origin) -> ElementSlot {
        let int = VarType::Scalar(ScalarType::Int);
        let real = VarType::Scalar(ScalarType::Real);
        let index_vars = indices
            .iter()
            .map(|index| {
                let value = self.hoist_index(*index, origin);
                let var = self.new.new_var("index", int.clone(), VarRole::Temp);
                let _ = self
                    .new
                    .append(self.block, Inst::Write { var, value }, origin);
                var
            })
            .collect();
        let slot = ElementSlot {
            array,
            indices: index_vars,
            original: self
                .new
                .new_var("element_orig", real.clone(), VarRole::Temp),
            then_value: self.new.new_var("element_then", real, VarRole::Temp),
        };
        self.save_element(&slot, slot.original, origin);
        slot
    }

    fn element_place(&mut self, slot: &ElementSlot, origin: Origin) -> crate::ir::build::Place {
        let indices = slot
            .indices
            .iter()
            .map(|var| self.new.append(self.block, Inst::Read(*var), origin))
            .collect();
        crate::ir::build::Place::Element {
            array: slot.array,
            indices,
        }
    }

    /// `into = array[indices]`.
    fn save_element(&mut self, slot: &ElementSlot, into: VarId, origin: Origin) {
        let place = self.element_place(slot, origin);
        let value = self.new.emit_read(self.block, &place, origin);
        let _ = self
            .new
            .append(self.block, Inst::Write { var: into, value }, origin);
    }

    /// Every element's `else` value is read before any is written, so that
    /// two stores at the same element blend it once.
    fn blend_elements(&mut self, elements: &[ElementSlot], p_var: VarId, origin: Origin) {
        let else_values: Vec<InstId> = elements
            .iter()
            .map(|slot| {
                let place = self.element_place(slot, origin);
                self.new.emit_read(self.block, &place, origin)
            })
            .collect();
        for (slot, else_value) in elements.iter().zip(else_values) {
            let then_value = self
                .new
                .append(self.block, Inst::Read(slot.then_value), origin);
            let p = self.new.append(self.block, Inst::Read(p_var), origin);
            let mixed = emit_mix(&mut self.new, self.block, p, then_value, else_value, origin);
            let place = self.element_place(slot, origin);
            self.new.emit_write(self.block, &place, mixed, origin);
        }
    }
}
