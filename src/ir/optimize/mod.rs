//! Local cleanup after smoothing: forwarding within a segment, then dead
//! code removal. Relaxations are written simply (a soft swap runs the swap,
//! restores it and blends, through temporaries); this pass turns them into
//! the few loads and stores they need, which also shrinks the tape that
//! reverse mode records (one push per write or store).
//!
//! Within a segment (straight-line code, see the `ir` module doc):
//!
//! * a pure operation with the same operands as an earlier one is that one
//!   (local value numbering);
//! * a read of a variable written or read earlier is that value;
//! * a load of an element stored or loaded earlier is that value, unless a
//!   store in between may have written it; two indices differ for sure
//!   when they are the same value plus different constants (`i`, `i + 1`);
//! * a store in between that may write the same element does not matter
//!   when, should it write that element, it writes the value already known
//!   there: the same value, or two values loaded from the same array in
//!   the same state, from the two addresses involved. That is what a swap
//!   of `y[a]` and `y[a + gap]` does when `gap` is a variable: if `gap` is
//!   0 both elements are one and every value involved is that element's;
//! * a store overwritten in the same segment, before any load that may
//!   read it, is dropped.
//!
//! Then, over the whole function: writes of temporaries that nothing reads
//! are dropped, and so are pure values nothing uses. Faults keep their
//! meaning: a dropped store's index is stored to again (and checked) later
//! in the segment; a forwarded load reads an element a store or a load
//! already checked.

use super::{BlockId, Func, Inst, InstId, VarId, VarRole};
use std::collections::{HashMap, HashSet};

/// Runs the pass on `func`.
pub fn optimize(func: &mut Func) {
    let mut pass = Forwarding::default();
    let blocks: Vec<BlockId> = func.blocks.keys().collect();
    for block in blocks {
        pass.block(func, block);
    }
    remove_dead_writes(func);
    remove_unused_values(func);
    *func = compacted(func);
}

/// A copy of `func` without the instructions no block holds, numbered in
/// program order.
fn compacted(func: &Func) -> Func {
    let mut new = Func {
        insts: cranelift_entity::PrimaryMap::new(),
        types: cranelift_entity::SecondaryMap::new(),
        origins: cranelift_entity::SecondaryMap::new(),
        site_attrs: cranelift_entity::SecondaryMap::new(),
        blocks: func.blocks.clone(),
        ..func.clone()
    };
    let mut renamed: HashMap<InstId, InstId> = HashMap::new();
    copy_block(func, &mut new, func.entry, &mut renamed);
    new
}

fn copy_block(old: &Func, new: &mut Func, block: BlockId, renamed: &mut HashMap<InstId, InstId>) {
    let mut insts = Vec::with_capacity(old.blocks[block].insts.len());
    for &inst in &old.blocks[block].insts {
        let copy = old.insts[inst].map_operands(|value| renamed[&value]);
        let id = new.insts.push(copy);
        new.types[id] = old.types[inst];
        new.origins[id] = old.origins[inst];
        new.site_attrs[id] = old.site_attrs[inst];
        let _ = renamed.insert(inst, id);
        insts.push(id);
        match &old.insts[inst] {
            Inst::If {
                then_block,
                else_block,
                ..
            } => {
                copy_block(old, new, *then_block, renamed);
                copy_block(old, new, *else_block, renamed);
            }
            Inst::For { body, .. } | Inst::Loop { body, .. } => {
                copy_block(old, new, *body, renamed);
            }
            _ => {}
        }
    }
    new.blocks[block].insts = insts;
}

/// An index as a known base value plus a constant (`None`: a constant).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct IndexKey {
    base: Option<InstId>,
    offset: i64,
}

impl IndexKey {
    /// Whether the two indices are surely different.
    fn differs(self, other: IndexKey) -> bool {
        self.base == other.base && self.offset != other.offset
    }
}

/// Whether two element addresses may be the same element.
fn may_alias(a: &[IndexKey], b: &[IndexKey]) -> bool {
    !a.iter().zip(b).any(|(x, y)| x.differs(*y))
}

#[derive(Default)]
struct Forwarding {
    /// Old value → the value that replaces it.
    replaced: HashMap<InstId, InstId>,
}

/// What the current segment knows.
#[derive(Default)]
struct Segment {
    /// Pure operations by their (replaced) operands.
    pure: HashMap<String, InstId>,
    /// The current value of scalar variables.
    vars: HashMap<VarId, InstId>,
    /// Known element values per array.
    elements: HashMap<VarId, Vec<(Vec<IndexKey>, InstId)>>,
    /// Stores not yet read, per array: (address, store).
    pending: HashMap<VarId, Vec<(Vec<IndexKey>, InstId)>>,
    /// How many stores each array has had in the segment: its state.
    states: HashMap<VarId, u32>,
    /// Where each value loaded in the segment came from.
    loaded: HashMap<InstId, LoadedFrom>,
}

/// The element a load read, and the state of its array then.
#[derive(Clone, Debug, PartialEq)]
struct LoadedFrom {
    array: VarId,
    address: Vec<IndexKey>,
    state: u32,
}

impl Segment {
    /// Whether storing `stored` to `store_address` of `array` leaves
    /// `known` the value at `known_address`, in case the two addresses are
    /// the same element: `known` and `stored` are the same value, or were
    /// loaded from `array` in the same state, each from one of the two
    /// addresses (which are one element in that case).
    fn same_if_aliased(
        &self,
        array: VarId,
        (known_address, known): (&[IndexKey], InstId),
        (store_address, stored): (&[IndexKey], InstId),
    ) -> bool {
        if known == stored {
            return true;
        }
        let (Some(first), Some(second)) = (self.loaded.get(&known), self.loaded.get(&stored))
        else {
            return false;
        };
        let involved = |from: &LoadedFrom| {
            from.array == array && (from.address == known_address || from.address == store_address)
        };
        first.state == second.state && involved(first) && involved(second)
    }
}

impl Forwarding {
    fn block(&mut self, func: &mut Func, block: BlockId) {
        let insts = std::mem::take(&mut func.blocks[block].insts);
        let mut kept = Vec::with_capacity(insts.len());
        let mut dead_stores: HashSet<InstId> = HashSet::new();
        let mut segment = Segment::default();
        for inst in insts {
            let rewritten = func.insts[inst].map_operands(|value| self.resolve(value));
            func.insts[inst] = rewritten;
            if func.insts[inst].is_control() {
                segment = Segment::default();
                kept.push(inst);
                continue;
            }
            if self.forward(func, inst, &mut segment, &mut dead_stores) {
                kept.push(inst);
            }
        }
        kept.retain(|inst| !dead_stores.contains(inst));
        func.blocks[block].insts = kept;
    }

    fn resolve(&self, value: InstId) -> InstId {
        let mut current = value;
        while let Some(next) = self.replaced.get(&current) {
            current = *next;
        }
        current
    }

    /// Handles one non-control instruction; false when it is replaced by
    /// an earlier value (and so removed).
    fn forward(
        &mut self,
        func: &Func,
        inst: InstId,
        segment: &mut Segment,
        dead_stores: &mut HashSet<InstId>,
    ) -> bool {
        match &func.insts[inst] {
            Inst::Read(var) => {
                if let Some(known) = segment.vars.get(var) {
                    let _ = self.replaced.insert(inst, *known);
                    return false;
                }
                let _ = segment.vars.insert(*var, inst);
                true
            }
            Inst::Write { var, value } => {
                let _ = segment.vars.insert(*var, *value);
                true
            }
            Inst::Load { array, indices } => {
                let address = self.address(func, indices);
                let known = segment.elements.get(array).and_then(|known| {
                    known
                        .iter()
                        .find(|(place, _)| *place == address)
                        .map(|(_, value)| *value)
                });
                if let Some(value) = known {
                    let _ = self.replaced.insert(inst, value);
                    return false;
                }
                // A real read: pending stores it may see stay.
                if let Some(pending) = segment.pending.get_mut(array) {
                    pending.retain(|(place, _)| !may_alias(place, &address));
                }
                let state = segment.states.get(array).copied().unwrap_or(0);
                let _ = segment.loaded.insert(
                    inst,
                    LoadedFrom {
                        array: *array,
                        address: address.clone(),
                        state,
                    },
                );
                segment
                    .elements
                    .entry(*array)
                    .or_default()
                    .push((address, inst));
                true
            }
            Inst::Store {
                array,
                indices,
                value,
            } => {
                let address = self.address(func, indices);
                let mut known = segment.elements.remove(array).unwrap_or_default();
                known.retain(|(place, element)| {
                    *place != address
                        && (!may_alias(place, &address)
                            || segment.same_if_aliased(
                                *array,
                                (place, *element),
                                (&address, *value),
                            ))
                });
                known.push((address.clone(), *value));
                let _ = segment.elements.insert(*array, known);
                *segment.states.entry(*array).or_default() += 1;
                // A store to the very same address overwrites a pending
                // one, whatever the stores in between wrote (if one of
                // them wrote this element too, it is overwritten as well).
                let pending = segment.pending.entry(*array).or_default();
                if let Some(position) = pending.iter().position(|(place, _)| *place == address) {
                    let _ = dead_stores.insert(pending[position].1);
                    let _ = pending.remove(position);
                }
                pending.push((address, inst));
                true
            }
            Inst::ArgMax { array, .. } | Inst::PushArray(array) => {
                let _ = segment.pending.remove(array);
                true
            }
            Inst::SortArray { input, output, .. } => {
                let _ = segment.pending.remove(input);
                let _ = segment.pending.remove(output);
                let _ = segment.elements.remove(output);
                true
            }
            Inst::SortArrayVjp {
                input,
                cotangent,
                target,
                ..
            } => {
                for array in [input, cotangent, target] {
                    let _ = segment.pending.remove(array);
                    let _ = segment.elements.remove(array);
                }
                true
            }
            Inst::PopArray(array) => {
                let _ = segment.pending.remove(array);
                let _ = segment.elements.remove(array);
                true
            }
            pure if is_pure(pure) => {
                let key = format!("{pure:?}");
                if let Some(earlier) = segment.pure.get(&key) {
                    let _ = self.replaced.insert(inst, *earlier);
                    return false;
                }
                let _ = segment.pure.insert(key, inst);
                true
            }
            _ => true,
        }
    }

    /// The address of an element, each index as base plus constant.
    fn address(&self, func: &Func, indices: &[InstId]) -> Vec<IndexKey> {
        indices
            .iter()
            .map(|index| index_key(func, *index))
            .collect()
    }
}

/// `v` as a known base plus a constant, looking through `+`/`-` of ints.
fn index_key(func: &Func, value: InstId) -> IndexKey {
    match &func.insts[value] {
        Inst::Int(constant) => IndexKey {
            base: None,
            offset: *constant,
        },
        Inst::Binary(op @ (super::BinaryOp::Add | super::BinaryOp::Sub), lhs, rhs) => {
            match &func.insts[*rhs] {
                Inst::Int(constant) => {
                    let inner = index_key(func, *lhs);
                    let delta = if *op == super::BinaryOp::Add {
                        constant.checked_add(0)
                    } else {
                        constant.checked_neg()
                    };
                    match delta.and_then(|delta| inner.offset.checked_add(delta)) {
                        Some(offset) => IndexKey {
                            base: inner.base,
                            offset,
                        },
                        None => IndexKey {
                            base: Some(value),
                            offset: 0,
                        },
                    }
                }
                _ => IndexKey {
                    base: Some(value),
                    offset: 0,
                },
            }
        }
        _ => IndexKey {
            base: Some(value),
            offset: 0,
        },
    }
}

/// Operations whose value depends only on their operands (and the call's
/// constants): two with the same operands are one.
fn is_pure(inst: &Inst) -> bool {
    matches!(
        inst,
        Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::Baseline
            | Inst::SizeOf(_)
            | Inst::Unary(..)
            | Inst::Binary(..)
            | Inst::Select { .. }
            | Inst::StopGradient(_)
            | Inst::Noise { .. }
    )
}

/// Drops the writes of temporaries and locals that nothing reads.
fn remove_dead_writes(func: &mut Func) {
    let mut read: HashSet<VarId> = func.outputs.iter().copied().collect();
    let placed: Vec<InstId> = func
        .blocks
        .values()
        .flat_map(|block| block.insts.iter().copied())
        .collect();
    for inst in placed.iter().map(|id| &func.insts[*id]) {
        match inst {
            Inst::Read(var) | Inst::Loop { flag: var, .. } | Inst::For { counter: var, .. } => {
                let _ = read.insert(*var);
            }
            _ => {}
        }
    }
    let droppable = |var: VarId| {
        !read.contains(&var) && matches!(func.vars[var].role, VarRole::Temp | VarRole::Local)
    };
    let dead: HashSet<InstId> = func
        .insts
        .iter()
        .filter(|(_, inst)| matches!(inst, Inst::Write { var, .. } if droppable(*var)))
        .map(|(id, _)| id)
        .collect();
    for block in func.blocks.values_mut() {
        block.insts.retain(|inst| !dead.contains(inst));
    }
}

/// Drops pure values and reads that nothing uses, until none is left.
/// Loads and int divisions stay: they may fault, and a fault is part of
/// what the program does.
fn remove_unused_values(func: &mut Func) {
    loop {
        let mut used: HashSet<InstId> = HashSet::new();
        for block in func.blocks.values() {
            for inst in &block.insts {
                used.extend(func.insts[*inst].operands());
            }
        }
        let mut removed = false;
        for block in func.blocks.values_mut() {
            let before = block.insts.len();
            block.insts.retain(|inst| {
                let instruction = &func.insts[*inst];
                let may_fault = matches!(
                    instruction,
                    Inst::Binary(super::BinaryOp::Div | super::BinaryOp::Rem, ..)
                ) && func.types[*inst] == Some(super::ScalarType::Int);
                let droppable =
                    (is_pure(instruction) && !may_fault) || matches!(instruction, Inst::Read(_));
                !droppable || used.contains(inst)
            });
            removed |= block.insts.len() != before;
        }
        if !removed {
            break;
        }
    }
}

#[cfg(test)]
mod tests;
