//! Which writes the forward sweep must save the previous value of
//! (Tapenade's "to be recorded" analysis, on the structured IR).
//!
//! The reverse sweep restores a variable's previous value only so that the
//! recomputation of earlier code reads what the forward sweep read. A
//! write whose previous value no earlier code reads again needs no tape
//! entry: the first write of a local, a `while` flag (the reverse runs the
//! loop from its iteration count and never tests the flag), the
//! initialisation of an array nothing has loaded yet, a temporary written
//! again before any read of the value it held.
//!
//! The forward dataflow tracks the variables whose current value the
//! reverse sweep may read again: a read puts its variable in, a scalar
//! write takes it out again (after deciding that this write is saved if
//! the variable was in). A read preceded in its segment by a write of the
//! same scalar reads the recomputed value, never the restored one, so it
//! does not count. Stores never take an array out: only one element
//! changes; a `SortArray` does, since it writes its whole output (which
//! is saved, as a whole, only if the output was in). Loops iterate to a fixpoint; `If` branches join by union.
//!
//! Analysis only: `forward` and `reverse` consult it, and must agree, since
//! every push has its pop.

use crate::ir::{BlockId, Func, Inst, InstId};
use cranelift_entity::EntityRef;
use fixedbitset::FixedBitSet;
use std::collections::HashMap;

/// The `Write`, `Store` and `SortArray` instructions of a function whose
/// previous value the forward sweep pushes and the reverse sweep restores.
#[derive(Clone, Debug)]
pub(crate) struct SavedWrites {
    saved: FixedBitSet,
}

impl SavedWrites {
    /// Analyses `func` (the function being differentiated).
    pub(crate) fn compute(func: &Func) -> SavedWrites {
        let mut analysis = Analysis {
            func,
            saved: FixedBitSet::with_capacity(func.insts.len()),
            headers: HashMap::new(),
        };
        let _ = analysis.after_block(func.entry, FixedBitSet::with_capacity(func.vars.len()));
        SavedWrites {
            saved: analysis.saved,
        }
    }

    /// Whether the write `inst` saves the value it overwrites.
    pub(crate) fn contains(&self, inst: InstId) -> bool {
        self.saved.contains(inst.index())
    }
}

struct Analysis<'a> {
    func: &'a Func,
    saved: FixedBitSet,
    /// The last fixpoint at each loop header. The sets only grow while an
    /// enclosing loop iterates, so the next fixpoint starts there.
    headers: HashMap<InstId, FixedBitSet>,
}

impl Analysis<'_> {
    /// The variables whose value the reverse sweep may read again, after
    /// `block`, given those before it. Marks the saved writes on the way.
    fn after_block(&mut self, block: BlockId, mut reread: FixedBitSet) -> FixedBitSet {
        let func = self.func;
        // Scalars written earlier in the current segment: reads of them
        // see the recomputed value.
        let mut written_in_segment = FixedBitSet::with_capacity(func.vars.len());
        for &inst in &func.blocks[block].insts {
            match &func.insts[inst] {
                Inst::Read(var) if !written_in_segment.contains(var.index()) => {
                    reread.insert(var.index());
                }
                Inst::Load { array, .. } | Inst::ArgMax { array, .. } => {
                    reread.insert(array.index());
                }
                // The sort overwrites all of its output, like a scalar
                // write; it reads its input first.
                Inst::SortArray { input, output, .. } => {
                    if reread.contains(output.index()) {
                        self.saved.insert(inst.index());
                    }
                    reread.set(output.index(), false);
                    reread.insert(input.index());
                }
                Inst::Write { var, .. } => {
                    if reread.contains(var.index()) {
                        self.saved.insert(inst.index());
                    }
                    reread.set(var.index(), false);
                    written_in_segment.insert(var.index());
                }
                Inst::Store { array, .. } if reread.contains(array.index()) => {
                    self.saved.insert(inst.index());
                }
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    written_in_segment.clear();
                    let mut joined = self.after_block(*then_block, reread.clone());
                    joined.union_with(&self.after_block(*else_block, reread));
                    reread = joined;
                }
                Inst::For { body, .. } | Inst::Loop { body, .. } => {
                    written_in_segment.clear();
                    reread = self.loop_header(inst, *body, reread);
                }
                _ => {}
            }
        }
        reread
    }

    /// The fixpoint at the header of loop `inst` (which is also the state
    /// after it: the body may run zero times).
    fn loop_header(&mut self, inst: InstId, body: BlockId, before: FixedBitSet) -> FixedBitSet {
        let mut header = before;
        if let Some(previous) = self.headers.get(&inst) {
            header.union_with(previous);
        }
        loop {
            let mut next = self.after_block(body, header.clone());
            next.union_with(&header);
            if next == header {
                break;
            }
            header = next;
        }
        let _ = self.headers.insert(inst, header.clone());
        header
    }
}

#[cfg(test)]
mod tests;
