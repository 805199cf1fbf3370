//! Which values of a segment the reverse sweep can compute again at the
//! segment's start instead of taking them from the tape.
//!
//! The reverse of a segment begins where the segment ended, and its first
//! step (restore) needs the index of every element the segment stored to.
//! An index that depends only on constants, sizes, `tau` and what the
//! segment leaves untouched (scalar variables it never writes, arrays it
//! never stores to) has the same value at the end of the segment as where
//! the forward sweep computed it, so the restore recomputes it and the
//! forward sweep pushes nothing for it. The typical case is an index built
//! from loop counters (`y[start + 2 * p]`): the tape then holds only the
//! overwritten values, half of what it held with the indices.
//!
//! This module only decides; `forward` and `reverse` both ask it, so the
//! pushes and the pops stay balanced. It must not emit anything.

use super::{Piece, split};
use crate::ir::{BlockId, Func, Inst, InstId, VarId};
use cranelift_entity::SecondaryMap;
use std::collections::HashSet;

/// The values of one segment whose value does not change between their
/// definition and the end of the segment.
pub(crate) struct StableValues {
    stable: SecondaryMap<InstId, bool>,
}

impl StableValues {
    /// Analyses `segment`, a straight-line run of instructions of `func`
    /// in program order.
    pub(crate) fn of_segment(func: &Func, segment: &[InstId]) -> StableValues {
        let written = variables_written(func, segment);
        let mut stable: SecondaryMap<InstId, bool> = SecondaryMap::new();
        for &inst in segment {
            stable[inst] = match &func.insts[inst] {
                Inst::Real(_) | Inst::Int(_) | Inst::Bool(_) | Inst::Tau | Inst::SizeOf(_) => true,
                Inst::Read(var) => !written.contains(var),
                Inst::Load { array, indices } => {
                    !written.contains(array) && indices.iter().all(|index| stable[*index])
                }
                Inst::Unary(_, operand) | Inst::StopGradient(operand) => stable[*operand],
                Inst::Binary(_, lhs, rhs) => stable[*lhs] && stable[*rhs],
                Inst::Select {
                    cond,
                    then,
                    otherwise,
                } => stable[*cond] && stable[*then] && stable[*otherwise],
                // Noise and baselines are runtime draws and settings: left to
                // the tape rather than reasoned about here.
                _ => false,
            };
        }
        StableValues { stable }
    }

    /// The stable values of every segment of `block` (not of its child
    /// blocks), in one map: value ids are unique to their segment.
    pub(crate) fn of_block(func: &Func, block: BlockId) -> StableValues {
        let mut all = StableValues {
            stable: SecondaryMap::new(),
        };
        for piece in split(func, block) {
            if let Piece::Segment(segment) = piece {
                let one = StableValues::of_segment(func, &segment);
                for inst in segment {
                    all.stable[inst] = one.stable[inst];
                }
            }
        }
        all
    }

    /// Whether `value` (defined in the segment) can be recomputed at the
    /// segment's end with the same result.
    pub(crate) fn contains(&self, value: InstId) -> bool {
        self.stable[value]
    }
}

/// Which bounds of the `For` loop `for_inst` (`[lo, hi]`) the reverse
/// sweep can compute again where it starts the loop's reverse, that is in
/// the state right after the loop, with the same value. That holds for a
/// bound stable in the segment before the loop (`stable`, the stable
/// values of the loop's block) that reads no variable or array the loop
/// writes, its counter included. The forward sweep pushes the other
/// bounds.
pub(crate) fn recomputable_bounds(
    func: &Func,
    for_inst: InstId,
    stable: &StableValues,
) -> [bool; 2] {
    let Inst::For {
        counter,
        lo,
        hi,
        body,
        ..
    } = &func.insts[for_inst]
    else {
        return [false; 2];
    };
    let mut written = HashSet::from([*counter]);
    collect_written(func, *body, &mut written);
    [*lo, *hi].map(|bound| stable.contains(bound) && !reads_any(func, bound, &written))
}

/// Whether the reverse sweep can compute the condition of the `If`
/// `if_inst` again where it starts the `If`'s reverse, in the state right
/// after it, instead of popping which branch ran: the same test as for a
/// `For` bound, with what either branch writes.
pub(crate) fn recomputable_cond(func: &Func, if_inst: InstId, stable: &StableValues) -> bool {
    let Inst::If {
        cond,
        then_block,
        else_block,
    } = &func.insts[if_inst]
    else {
        return false;
    };
    let mut written = HashSet::new();
    collect_written(func, *then_block, &mut written);
    collect_written(func, *else_block, &mut written);
    stable.contains(*cond) && !reads_any(func, *cond, &written)
}

/// Whether computing `value` reads one of `vars` (scalars or arrays).
fn reads_any(func: &Func, value: InstId, vars: &HashSet<VarId>) -> bool {
    let inst = &func.insts[value];
    let reads = match inst {
        Inst::Read(var) | Inst::Load { array: var, .. } => vars.contains(var),
        _ => false,
    };
    reads
        || inst
            .operands()
            .into_iter()
            .any(|operand| reads_any(func, operand, vars))
}

/// Adds every variable `block` and its child blocks write or store to,
/// and the counters of its loops, to `written`.
fn collect_written(func: &Func, block: BlockId, written: &mut HashSet<VarId>) {
    for &inst in &func.blocks[block].insts {
        match &func.insts[inst] {
            Inst::Write { var, .. } | Inst::Store { array: var, .. } => {
                let _ = written.insert(*var);
            }
            Inst::If {
                then_block,
                else_block,
                ..
            } => {
                collect_written(func, *then_block, written);
                collect_written(func, *else_block, written);
            }
            Inst::For { counter, body, .. } => {
                let _ = written.insert(*counter);
                collect_written(func, *body, written);
            }
            Inst::Loop { body, .. } => collect_written(func, *body, written),
            other => written.extend(other.array_written()),
        }
    }
}

/// Every variable the segment writes or stores to.
fn variables_written(func: &Func, segment: &[InstId]) -> HashSet<VarId> {
    segment
        .iter()
        .filter_map(|&inst| match &func.insts[inst] {
            Inst::Write { var, .. } => Some(*var),
            Inst::Store { array, .. } => Some(*array),
            other => other.array_written(),
        })
        .collect()
}
