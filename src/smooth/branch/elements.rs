//! Element-wise blending: the array elements a relaxed branch writes, when
//! the branch's stores can be located before it runs.
//!
//! A *store site* is a `Store` to the array together with the `For` loops
//! around it inside the branch (none for a store at the top of a branch).
//! An array is blended element-wise when every write of it in either
//! branch is such a store (no store under a nested `If` or `while`, no
//! array-level instruction) and the loop bounds and the store's indices are
//! computed by `+`, `-`, `*` from constants, sizes, ints the branches do not
//! write, and the counters of the enclosing loops. Then the elements the
//! branch writes are the same before the branch, after `then` and after
//! `else`, and can be visited from outside it:
//!
//! * a store at the top of a branch is an [`ElementSlot`]: its indices are
//!   computed once before the branch into int variables, and its element is
//!   saved, restored and blended through two scalar variables;
//! * stores inside loops are a [`LoopedArray`]: each pass over them runs
//!   the loops again (bounds recomputed from the same ints, fresh counters)
//!   and saves elements into two temporary arrays of the array's shape, *at
//!   the element's own index*. Only the visited elements of the temporaries
//!   are ever written or read, so a pass costs the loops' trip count, not
//!   the array's size; and aliasing is harmless: two iterations or two
//!   stores that reach one element save, restore and blend the same value
//!   there. A loop with no iteration visits nothing, as in the branch.
//!
//! The blend reads every `else` value (into the scalar slots' reads and the
//! looped arrays' temporaries) before it writes any blended element, so an
//! element two stores reach is blended once, from unblended values.

use super::emit_mix;
use crate::ir::build::Place;
use crate::ir::{BinaryOp, BlockId, Inst, InstId, ScalarType, VarId, VarRole, VarType};
use crate::smooth::locality::{assigns, written_vars};
use crate::smooth::rewrite::Smoother;
use crate::syntax::span::Origin;

/// A `For` around a store inside a relaxed branch (old IR).
#[derive(Clone, Copy, Debug)]
struct LoopRange {
    counter: VarId,
    lo: InstId,
    hi: InstId,
}

/// A store inside a relaxed branch (old IR).
#[derive(Clone, Debug)]
struct StoreSite {
    /// The loops around the store inside the branch, outermost first.
    loops: Vec<LoopRange>,
    indices: Vec<InstId>,
    /// Where the store is written: the accesses that repeat it outside the
    /// branches point there, so that an index out of range is reported at
    /// the store, as in hard mode.
    origin: Origin,
}

/// One array element a relaxed branch writes at the top of a branch, at
/// indices fixed before it.
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

/// An array written by stores inside loops of a relaxed branch, blended at
/// the elements those loops visit.
struct LoopedArray {
    array: VarId,
    /// Every store to the array in either branch (top-level ones included:
    /// visiting them here too is harmless and keeps one rule).
    sites: Vec<StoreSite>,
    /// At each visited index: the element before the branches, then (once
    /// `else` has run) its `else` value. Other elements are never read.
    saved: VarId,
    /// At each visited index: the element after `then`.
    then_values: VarId,
}

/// The element-wise blending of one relaxed `if`.
pub(super) struct ElementPlan {
    slots: Vec<ElementSlot>,
    looped: Vec<LoopedArray>,
}

impl Smoother<'_> {
    /// Splits the written variables into those blended element by element
    /// (returned as a plan, with their original elements already saved,
    /// before the branches) and those blended whole (returned in order).
    pub(super) fn plan_elements(
        &mut self,
        written: &[VarId],
        then_block: BlockId,
        else_block: BlockId,
    ) -> (ElementPlan, Vec<VarId>) {
        let mut whole = Vec::new();
        let mut top_level = Vec::new();
        let mut in_loops = Vec::new();
        for &var in written {
            match self.element_stores(var, then_block, else_block) {
                None => whole.push(var),
                Some(sites) if sites.iter().all(|site| site.loops.is_empty()) => {
                    top_level.extend(sites.into_iter().map(|site| (var, site)));
                }
                Some(sites) => in_loops.push((var, sites)),
            }
        }
        let slots = top_level
            .into_iter()
            .map(|(array, site)| self.element_slot(array, &site.indices, site.origin))
            .collect();
        let looped = in_loops
            .into_iter()
            .map(|(array, sites)| self.looped_array(array, sites))
            .collect();
        (ElementPlan { slots, looped }, whole)
    }

    /// After `then`: saves the elements it wrote, and restores their
    /// originals for `else`.
    pub(super) fn restore_elements(&mut self, plan: &ElementPlan, origin: Origin) {
        for slot in &plan.slots {
            self.save_element(slot, slot.then_value, origin);
        }
        for looped in &plan.looped {
            self.copy_visited(looped, looped.array, looped.then_values);
        }
        // Last saved first, so that aliased indices end at the oldest value.
        for slot in plan.slots.iter().rev() {
            let previous = self
                .new
                .append(self.block, Inst::Read(slot.original), origin);
            let place = self.element_place(slot, origin);
            self.new.emit_write(self.block, &place, previous, origin);
        }
        for looped in &plan.looped {
            self.copy_visited(looped, looped.saved, looped.array);
        }
    }

    /// After `else`: `element = p * then + (1 - p) * else` at every element
    /// of the plan. Every `else` value is read before any blend is written,
    /// so that an element two stores reach is blended once.
    pub(super) fn blend_elements(&mut self, plan: &ElementPlan, p_var: VarId, origin: Origin) {
        for looped in &plan.looped {
            self.copy_visited(looped, looped.array, looped.saved);
        }
        let else_values: Vec<InstId> = plan
            .slots
            .iter()
            .map(|slot| {
                let place = self.element_place(slot, origin);
                self.new.emit_read(self.block, &place, origin)
            })
            .collect();
        for (slot, else_value) in plan.slots.iter().zip(else_values) {
            let then_value = self
                .new
                .append(self.block, Inst::Read(slot.then_value), origin);
            let p = self.new.append(self.block, Inst::Read(p_var), origin);
            let mixed = emit_mix(&mut self.new, self.block, p, then_value, else_value, origin);
            let place = self.element_place(slot, origin);
            self.new.emit_write(self.block, &place, mixed, origin);
        }
        for looped in &plan.looped {
            self.blend_visited(looped, p_var);
        }
    }

    /// The store sites of `array` in either branch, when the array can be
    /// blended element-wise (see the module doc); `None` otherwise.
    fn element_stores(
        &self,
        array: VarId,
        then_block: BlockId,
        else_block: BlockId,
    ) -> Option<Vec<StoreSite>> {
        if !self.old.vars[array].ty.is_array() {
            return None;
        }
        let mut written_anywhere = Vec::new();
        written_vars(self.old, then_block, &mut written_anywhere);
        written_vars(self.old, else_block, &mut written_anywhere);
        let mut sites = Vec::new();
        for block in [then_block, else_block] {
            self.collect_store_sites(array, block, &mut Vec::new(), &mut sites)?;
        }
        let branches = [then_block, else_block];
        let fixed = sites
            .iter()
            .all(|site| self.is_fixed_site(site, &written_anywhere, &branches));
        fixed.then_some(sites)
    }

    /// Adds the store sites of `array` in `block` (inside `loops`) to
    /// `sites`; `None` when `array` is written some other way.
    fn collect_store_sites(
        &self,
        array: VarId,
        block: BlockId,
        loops: &mut Vec<LoopRange>,
        sites: &mut Vec<StoreSite>,
    ) -> Option<()> {
        for &inst in &self.old.blocks[block].insts {
            match &self.old.insts[inst] {
                Inst::Store {
                    array: target,
                    indices,
                    ..
                } if *target == array => sites.push(StoreSite {
                    loops: loops.clone(),
                    indices: indices.clone(),
                    origin: self.old.origins[inst].derived(),
                }),
                Inst::For {
                    counter,
                    lo,
                    hi,
                    body,
                    ..
                } => {
                    loops.push(LoopRange {
                        counter: *counter,
                        lo: *lo,
                        hi: *hi,
                    });
                    let found = self.collect_store_sites(array, *body, loops, sites);
                    let _ = loops.pop();
                    found?;
                }
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    let mut inner = Vec::new();
                    written_vars(self.old, *then_block, &mut inner);
                    written_vars(self.old, *else_block, &mut inner);
                    if inner.contains(&array) {
                        return None;
                    }
                }
                Inst::Loop { body, .. } => {
                    let mut inner = Vec::new();
                    written_vars(self.old, *body, &mut inner);
                    if inner.contains(&array) {
                        return None;
                    }
                }
                other if other.array_written() == Some(array) => return None,
                _ => {}
            }
        }
        Some(())
    }

    /// Whether a store site's loop bounds and indices can be recomputed
    /// outside the branches with the same results: each bound from
    /// `written`-free ints and the counters of the loops outside it, the
    /// indices also from the counters of all its loops. A counter counts
    /// only if nothing in the branches assigns it (the language forbids
    /// that; the check keeps the rule local).
    fn is_fixed_site(&self, site: &StoreSite, written: &[VarId], branches: &[BlockId]) -> bool {
        let counters: Vec<VarId> = site.loops.iter().map(|range| range.counter).collect();
        let counters_untouched = counters
            .iter()
            .all(|counter| !branches.iter().any(|b| assigns(self.old, *b, *counter)));
        let bounds_fixed = site.loops.iter().enumerate().all(|(depth, range)| {
            let outer = &counters[..depth];
            self.is_fixed_index(range.lo, written, outer)
                && self.is_fixed_index(range.hi, written, outer)
        });
        counters_untouched
            && bounds_fixed
            && site
                .indices
                .iter()
                .all(|index| self.is_fixed_index(*index, written, &counters))
    }

    /// Whether an old int value is computed from constants, sizes, int
    /// variables outside `written` and the loop `counters` only (so it can
    /// be computed outside the branches, with the same result).
    fn is_fixed_index(&self, value: InstId, written: &[VarId], counters: &[VarId]) -> bool {
        match &self.old.insts[value] {
            Inst::Int(_) | Inst::SizeOf(_) => true,
            Inst::Read(var) => {
                counters.contains(var)
                    || (!written.contains(var)
                        && self.old.vars[*var].ty == VarType::Scalar(ScalarType::Int)
                        // A soft index names many positions, not one.
                        && self.soft_vars[*var].is_none())
            }
            Inst::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, lhs, rhs) => {
                self.is_fixed_index(*lhs, written, counters)
                    && self.is_fixed_index(*rhs, written, counters)
            }
            _ => false,
        }
    }

    /// Computes a fixed index again in the current block, reading each old
    /// loop counter from its replacement in `counters` (old, new).
    fn hoist_index(
        &mut self,
        value: InstId,
        counters: &[(VarId, VarId)],
        origin: Origin,
    ) -> InstId {
        let inst = match &self.old.insts[value] {
            Inst::Binary(op, lhs, rhs) => {
                let (op, lhs, rhs) = (*op, *lhs, *rhs);
                let lhs = self.hoist_index(lhs, counters, origin);
                let rhs = self.hoist_index(rhs, counters, origin);
                Inst::Binary(op, lhs, rhs)
            }
            Inst::Read(var) => {
                let replaced = counters.iter().find(|(old, _)| old == var);
                Inst::Read(replaced.map_or(*var, |(_, new)| *new))
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
                let value = self.hoist_index(*index, &[], origin);
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

    fn element_place(&mut self, slot: &ElementSlot, origin: Origin) -> Place {
        let indices = slot
            .indices
            .iter()
            .map(|var| self.new.append(self.block, Inst::Read(*var), origin))
            .collect();
        Place::Element {
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

    /// Before the branches: the temporaries of a looped array, with the
    /// original elements saved.
    fn looped_array(&mut self, array: VarId, sites: Vec<StoreSite>) -> LoopedArray {
        let data = &self.new.vars[array];
        let (name, ty) = (data.name.clone(), data.ty.clone());
        let looped = LoopedArray {
            array,
            sites,
            saved: self
                .new
                .new_var(format!("{name}_saved"), ty.clone(), VarRole::Temp),
            then_values: self.new.new_var(format!("{name}_then"), ty, VarRole::Temp),
        };
        self.copy_visited(&looped, looped.array, looped.saved);
        looped
    }

    /// `to[index] = from[index]` at every index the stores of `looped` reach.
    fn copy_visited(&mut self, looped: &LoopedArray, from: VarId, to: VarId) {
        for site in &looped.sites {
            self.visit_site(looped.array, site, |smoother, place, origin| {
                let value = smoother
                    .new
                    .emit_read(smoother.block, &place.in_var(from), origin);
                smoother
                    .new
                    .emit_write(smoother.block, &place.in_var(to), value, origin);
            });
        }
    }

    /// `array[index] = p * then[index] + (1 - p) * saved[index]` at every
    /// index the stores reach (`saved` holds the `else` values by now).
    fn blend_visited(&mut self, looped: &LoopedArray, p_var: VarId) {
        for site in &looped.sites {
            self.visit_site(looped.array, site, |smoother, place, origin| {
                let block = smoother.block;
                let func = &mut smoother.new;
                let then_value = func.emit_read(block, &place.in_var(looped.then_values), origin);
                let else_value = func.emit_read(block, &place.in_var(looped.saved), origin);
                let p = func.append(block, Inst::Read(p_var), origin);
                let mixed = emit_mix(func, block, p, then_value, else_value, origin);
                func.emit_write(block, &place, mixed, origin);
            });
        }
    }

    /// Runs the loops of `site` again at the end of the current block (new
    /// counters, bounds recomputed) and calls `body` in the innermost block
    /// with the element of `array` the store writes there and the store's
    /// origin.
    fn visit_site(
        &mut self,
        array: VarId,
        site: &StoreSite,
        body: impl FnOnce(&mut Self, Place, Origin),
    ) {
        let origin = site.origin;
        let outer_block = self.block;
        let mut counters: Vec<(VarId, VarId)> = Vec::with_capacity(site.loops.len());
        for range in &site.loops {
            let lo = self.hoist_index(range.lo, &counters, origin);
            let hi = self.hoist_index(range.hi, &counters, origin);
            let name = self.old.vars[range.counter].name.clone();
            let counter = self
                .new
                .new_var(name, VarType::Scalar(ScalarType::Int), VarRole::Temp);
            self.block = self
                .new
                .emit_for(self.block, counter, (lo, hi), false, origin);
            counters.push((range.counter, counter));
        }
        let indices = site
            .indices
            .iter()
            .map(|index| self.hoist_index(*index, &counters, origin))
            .collect();
        body(self, Place::Element { array, indices }, origin);
        self.block = outer_block;
    }
}
