//! A large function compiled as several Cranelift functions, on several
//! threads.
//!
//! Cranelift compiles a function on one thread, and the time its register
//! allocator takes grows faster than the function: the gradient of a
//! sorting network, a forward sweep and a reverse sweep of several loops
//! each, took three quarters of the compile time of `ranking_supervision`
//! as one function. The JIT cuts the entry block of a large function into
//! *parts*, runs of consecutive instructions that end after a top-level
//! loop, translates each into its own `extern "C" fn(*mut Frame) -> i32`
//! and compiles them in parallel; a call runs the parts in order for as
//! long as each returns `STATUS_OK`.
//!
//! Nothing but scalar variables has to cross a cut. No IR value does: a
//! value is used only in its IR segment, which a loop ends (the `ir` module
//! doc). Arrays and the tape live in memory already. The scalar variables
//! live after the loop that ends a part go through their slots of the
//! frame: the part stores them at its end and the next part loads them at
//! its start, as every part loads the scalar parameters.
//!
//! This module only decides where the cuts go; `translate` writes the
//! parts and `jit::JitFunction` compiles and calls them.

use crate::ir::liveness::Liveness;
use crate::ir::{BlockId, Func, Inst, VarId};
use std::ops::Range;

/// How many IR instructions (nested ones included) a part holds at least
/// before the JIT cuts: a function of fewer than twice this many is one
/// part. At 300, of the examples only `ranking_supervision`'s gradient
/// (874 instructions) is cut, in two; the other examples' functions (47
/// to 439 instructions) compile in a few milliseconds as they are, and
/// every part pays for its own module, entry and exit. The cuts can only
/// fall after top-level loops, so a lower weight would not cut that
/// gradient finer (its sweeps are one loop nest each).
pub(in crate::jit) const PART_WEIGHT: usize = 300;

/// One part: which instructions of the entry block it runs, and the
/// scalar variables it takes from and leaves in the frame's slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::jit) struct Part {
    /// Positions in the entry block's instruction list.
    pub(in crate::jit) insts: Range<usize>,
    /// Scalar variables (never parameters, which every part loads) that
    /// the part reads from their slots at its start: those live at the
    /// cut before it.
    pub(in crate::jit) loaded: Vec<VarId>,
    /// Scalar variables that the part stores to their slots at its end:
    /// those live at the cut after it, or the outputs for the last part.
    pub(in crate::jit) stored: Vec<VarId>,
}

/// The parts of `func`, in order, for parts of about `part_weight`
/// instructions each (one part when `func` is smaller than twice that).
pub(in crate::jit) fn plan(func: &Func, liveness: &Liveness, part_weight: usize) -> Vec<Part> {
    let insts = &func.blocks[func.entry].insts;
    let weights: Vec<usize> = insts
        .iter()
        .map(|&inst| 1 + nested_weight(func, &func.insts[inst]))
        .collect();
    let total: usize = weights.iter().sum();
    let wanted = total / part_weight.max(1);
    let mut cuts = Vec::new();
    if wanted >= 2 {
        let mut so_far = 0;
        for (position, &inst) in insts.iter().enumerate() {
            so_far += weights[position];
            let is_loop = matches!(func.insts[inst], Inst::For { .. } | Inst::Loop { .. });
            let due = total * (cuts.len() + 1) / wanted;
            if is_loop && so_far >= due && position + 1 < insts.len() && cuts.len() + 1 < wanted {
                cuts.push(position + 1);
            }
        }
    }
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    let mut loaded = Vec::new();
    for &cut in &cuts {
        let stored = live_scalars(func, liveness.live_at_exit(insts[cut - 1]));
        parts.push(Part {
            insts: start..cut,
            loaded: std::mem::take(&mut loaded),
            stored: stored.clone(),
        });
        start = cut;
        loaded = stored;
    }
    parts.push(Part {
        insts: start..insts.len(),
        loaded,
        stored: func
            .outputs
            .iter()
            .copied()
            .filter(|var| !func.vars[*var].ty.is_array())
            .collect(),
    });
    parts
}

/// The scalar variables of `vars` that are not parameters.
fn live_scalars(func: &Func, vars: Vec<VarId>) -> Vec<VarId> {
    vars.into_iter()
        .filter(|var| !func.vars[*var].ty.is_array() && !func.params.contains(var))
        .collect()
}

/// The number of instructions in the blocks `inst` owns, nested ones
/// included.
fn nested_weight(func: &Func, inst: &Inst) -> usize {
    let block_weight = |block: BlockId| -> usize {
        func.blocks[block]
            .insts
            .iter()
            .map(|&inner| 1 + nested_weight(func, &func.insts[inner]))
            .sum()
    };
    match inst {
        Inst::If {
            then_block,
            else_block,
            ..
        } => block_weight(*then_block) + block_weight(*else_block),
        Inst::For { body, .. } | Inst::Loop { body, .. } => block_weight(*body),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
