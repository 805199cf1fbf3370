//! Which array indices are in bounds by construction, so the scalar
//! translation can skip their run-time check.
//!
//! The one case recognised is the counter of an enclosing `For` loop
//! (or a constant) used as the index of a dimension the loop runs over:
//! `for k in 0..n { y[k] = .. }` with `y: real[n]`. Inside the body of a
//! loop that starts at a constant or a size (never negative) and stops at
//! the dimension's own size (or a smaller constant), the counter holds a
//! value in range, provided nothing in the body writes the counter: no
//! `Write` to it and no nested `For` over the same variable (the reverse
//! sweep reuses a counter variable for the reversed loop, but as a
//! sibling, never nested). Everything else keeps its check, so a program
//! whose index is out of range still gets the interpreter's error.
//!
//! Decides only; `element_address` emits (or skips) the checks.

use crate::ir::{BlockId, Func, Inst, InstId, Size, VarId};

/// The `For` loops enclosing the code being translated whose counter is
/// in `lo..hi` wherever the body reads it, innermost last.
#[derive(Clone, Debug, Default)]
pub(in crate::jit) struct CountersInRange {
    loops: Vec<CountedLoop>,
}

#[derive(Clone, Copy, Debug)]
struct CountedLoop {
    counter: VarId,
    lo: InstId,
    hi: InstId,
}

impl CountersInRange {
    /// Enters the body of `for_inst`; returns whether it was recorded (and
    /// must be left with [`CountersInRange::leave`]).
    pub(in crate::jit) fn enter(&mut self, func: &Func, for_inst: InstId) -> bool {
        let Inst::For {
            counter,
            lo,
            hi,
            body,
            ..
        } = &func.insts[for_inst]
        else {
            return false;
        };
        if writes_counter(func, *body, *counter) {
            return false;
        }
        self.loops.push(CountedLoop {
            counter: *counter,
            lo: *lo,
            hi: *hi,
        });
        true
    }

    pub(in crate::jit) fn leave(&mut self) {
        let _ = self.loops.pop();
    }

    /// Whether `index` is in `0..extent` whenever it is computed here.
    pub(in crate::jit) fn in_range(&self, func: &Func, index: InstId, extent: Size) -> bool {
        match &func.insts[index] {
            Inst::Int(value) => matches!(extent, Size::Const(len) if (0..len).contains(value)),
            Inst::Read(var) => self
                .loops
                .iter()
                .rev()
                .find(|counted| counted.counter == *var)
                .is_some_and(|counted| {
                    never_negative(func, counted.lo) && at_most(func, counted.hi, extent)
                }),
            _ => false,
        }
    }
}

/// Whether the value `bound` is `>= 0`: a non-negative constant or a size.
fn never_negative(func: &Func, bound: InstId) -> bool {
    match &func.insts[bound] {
        Inst::Int(value) => *value >= 0,
        Inst::SizeOf(Size::Const(len)) => *len >= 0,
        // Sizes are checked non-negative when the call starts.
        Inst::SizeOf(Size::Param(_) | Size::Derived(_)) => true,
        _ => false,
    }
}

/// Whether the value `bound` is at most `extent`.
fn at_most(func: &Func, bound: InstId, extent: Size) -> bool {
    match (&func.insts[bound], extent) {
        (Inst::SizeOf(size), _) if *size == extent => true,
        (Inst::Int(value) | Inst::SizeOf(Size::Const(value)), Size::Const(len)) => *value <= len,
        _ => false,
    }
}

/// Whether `block` or a block inside it writes `counter` or runs a `For`
/// over it.
fn writes_counter(func: &Func, block: BlockId, counter: VarId) -> bool {
    func.blocks[block]
        .insts
        .iter()
        .any(|&inst| match &func.insts[inst] {
            Inst::Write { var, .. } => *var == counter,
            Inst::For {
                counter: inner,
                body,
                ..
            } => *inner == counter || writes_counter(func, *body, counter),
            Inst::If {
                then_block,
                else_block,
                ..
            } => {
                writes_counter(func, *then_block, counter)
                    || writes_counter(func, *else_block, counter)
            }
            Inst::Loop { body, .. } => writes_counter(func, *body, counter),
            _ => false,
        })
}

#[cfg(test)]
mod tests;
