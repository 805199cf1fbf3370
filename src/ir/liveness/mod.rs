//! Which scalar variables are live at the boundaries of each loop: at the
//! start of its body and right after it. A variable is live at a point
//! when some path from there reads it before writing it; the function's
//! outputs are read at its end, and a `while` loop reads its flag before
//! each iteration.
//!
//! The JIT needs this because cranelift-frontend builds SSA form without
//! liveness: a variable written inside a loop and read anywhere the loop's
//! header reaches becomes a block parameter of the header, threaded through
//! every jump of the loop, even when no iteration ever reads the value the
//! previous one left. The gradient of a sorting network has dozens of such
//! temporaries per loop, and the register allocator's time grows with
//! them. A variable dead at a loop boundary can be given any value there,
//! which cuts those parameters.
//!
//! Analysis only: it never changes the IR. Array variables are never in
//! the sets (only scalars are read and written whole).

use super::{BlockId, Func, Inst, InstId, VarId};
use cranelift_entity::EntityRef;
use fixedbitset::FixedBitSet;
use std::collections::HashMap;

/// The live and written scalar variables of one loop (`For` or `Loop`).
#[derive(Clone, Debug)]
struct LoopBoundaries {
    /// Live at the start of the body block (a `For` sets its counter just
    /// before it).
    body_entry: FixedBitSet,
    /// Live right after the loop.
    exit: FixedBitSet,
    /// Written anywhere in the loop, nested loops and a `For`'s counter
    /// included.
    written: FixedBitSet,
}

/// The liveness of scalar variables at every loop of a function.
#[derive(Clone, Debug, Default)]
pub struct Liveness {
    loops: HashMap<InstId, LoopBoundaries>,
}

impl Liveness {
    /// Analyses `func`.
    pub fn compute(func: &Func) -> Liveness {
        let mut analysis = Analysis {
            func,
            loops: HashMap::new(),
            headers: HashMap::new(),
        };
        let mut at_end = analysis.empty();
        for var in &func.outputs {
            at_end.insert(var.index());
        }
        let _ = analysis.live_before(func.entry, at_end);
        Liveness {
            loops: analysis.loops,
        }
    }

    /// The variables the loop `inst` writes that no path from the start of
    /// its body reads before writing them again.
    pub fn dead_at_body_entry(&self, inst: InstId) -> Vec<VarId> {
        self.dead(inst, |boundaries| &boundaries.body_entry)
    }

    /// The variables the loop `inst` writes that nothing after the loop
    /// reads before writing them again.
    pub fn dead_at_exit(&self, inst: InstId) -> Vec<VarId> {
        self.dead(inst, |boundaries| &boundaries.exit)
    }

    /// The variables live right after the loop `inst`: those some path
    /// from there reads before writing them (outputs included, which the
    /// function's end reads). Empty if `inst` is not a loop.
    pub fn live_at_exit(&self, inst: InstId) -> Vec<VarId> {
        self.loops
            .get(&inst)
            .map(|boundaries| boundaries.exit.ones().map(VarId::new).collect())
            .unwrap_or_default()
    }

    fn dead(&self, inst: InstId, live: impl Fn(&LoopBoundaries) -> &FixedBitSet) -> Vec<VarId> {
        let Some(boundaries) = self.loops.get(&inst) else {
            return Vec::new();
        };
        boundaries
            .written
            .difference(live(boundaries))
            .map(VarId::new)
            .collect()
    }
}

/// The backward dataflow over the structured blocks.
struct Analysis<'a> {
    func: &'a Func,
    loops: HashMap<InstId, LoopBoundaries>,
    /// The last fixpoint found at each loop header. Live sets only grow
    /// while an enclosing loop iterates, so an inner loop's next fixpoint
    /// starts from its last one: each loop converges in a few rounds
    /// however deep the nesting.
    headers: HashMap<InstId, FixedBitSet>,
}

impl Analysis<'_> {
    fn empty(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.func.vars.len())
    }

    /// The variables live at the start of `block`, given those live at its
    /// end.
    fn live_before(&mut self, block: BlockId, live_out: FixedBitSet) -> FixedBitSet {
        let func = self.func;
        let mut live = live_out;
        for &inst in func.blocks[block].insts.iter().rev() {
            match &func.insts[inst] {
                Inst::Read(var) => live.insert(var.index()),
                Inst::Write { var, .. } => live.set(var.index(), false),
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    let mut then_live = self.live_before(*then_block, live.clone());
                    then_live.union_with(&self.live_before(*else_block, live));
                    live = then_live;
                }
                Inst::For { counter, body, .. } => {
                    live = self.loop_header(inst, *body, live, Some(*counter), None);
                }
                Inst::Loop { flag, body, .. } => {
                    live = self.loop_header(inst, *body, live, None, Some(*flag));
                }
                _ => {}
            }
        }
        live
    }

    /// The variables live at the header of the loop `inst` (before its
    /// first iteration), given those live after it; records the loop's
    /// boundaries. A `For` sets `counter` at the start of each iteration;
    /// a `Loop` reads `flag` at the header.
    fn loop_header(
        &mut self,
        inst: InstId,
        body: BlockId,
        after: FixedBitSet,
        counter: Option<VarId>,
        flag: Option<VarId>,
    ) -> FixedBitSet {
        let mut outside = after.clone();
        if let Some(flag) = flag {
            outside.insert(flag.index());
        }
        let mut header = outside.clone();
        if let Some(previous) = self.headers.get(&inst) {
            header.union_with(previous);
        }
        let body_entry = loop {
            let body_entry = self.live_before(body, header.clone());
            let mut next = body_entry.clone();
            if let Some(counter) = counter {
                next.set(counter.index(), false);
            }
            next.union_with(&outside);
            if next == header {
                break body_entry;
            }
            header = next;
        };
        let mut written = self.empty();
        self.collect_written(body, &mut written);
        if let Some(counter) = counter {
            written.insert(counter.index());
        }
        let _ = self.loops.insert(
            inst,
            LoopBoundaries {
                body_entry,
                exit: after,
                written,
            },
        );
        let _ = self.headers.insert(inst, header.clone());
        header
    }

    /// Adds the scalar variables written in `block` and the blocks it
    /// holds to `written`.
    fn collect_written(&self, block: BlockId, written: &mut FixedBitSet) {
        let func = self.func;
        for &inst in &func.blocks[block].insts {
            match &func.insts[inst] {
                Inst::Write { var, .. } => written.insert(var.index()),
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.collect_written(*then_block, written);
                    self.collect_written(*else_block, written);
                }
                Inst::For { counter, body, .. } => {
                    written.insert(counter.index());
                    self.collect_written(*body, written);
                }
                Inst::Loop { body, .. } => self.collect_written(*body, written),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
