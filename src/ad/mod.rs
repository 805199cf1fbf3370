//! Reverse mode as an IR-to-IR pass.
//!
//! From a (smoothed) function `f(params) -> result`, build one gradient
//! function
//!
//! ```text
//! grad_f(params, seed) -> (result, adjoint of each real param)
//! ```
//!
//! that runs a **forward sweep** (the original code, pushing to the tape
//! the values it overwrites that earlier code reads again, see `saved`,
//! the results of its transcendental functions inside control flow, see
//! `taped`,
//! and the `If` conditions and `For` bounds the reverse cannot recompute,
//! see [`stable`]) and then a **reverse sweep** (the code backwards,
//! popping them).
//! `seed` is the cotangent of the result: `1.0` gives the gradient of a
//! scalar result; an array seed gives a vector-Jacobian product.
//!
//! The reverse of one *segment* (straight-line run of instructions, see
//! `ir`) works in three steps:
//!
//! 1. **restore**: pop the saved overwritten values in reverse order and
//!    write them back, so every variable the segment reads before writing
//!    holds what it held when the segment began;
//! 2. **recompute**: run the segment's instructions again (writes included,
//!    without pushing), which brings back every intermediate value, except
//!    the transcendental results inside control flow, which the forward
//!    sweep pushed and step 1 popped (see `taped`);
//! 3. **adjoint**: walk the segment backwards applying the rules of
//!    [`rules`], and undo each write again with the value popped in step 1.
//!
//! Afterwards the variables hold the state at the start of the segment, as
//! the reverse of the preceding code expects (the variables it reads, at
//! least). Tape memory is one entry per saved overwritten value, plus each
//! stored-to index that step 1 cannot compute again (see [`stable`]), plus
//! the control decisions it cannot recompute; the extra work is one
//! recomputation of each segment.
//!
//! Decisions replayed from a recomputed condition and from the tape are
//! the same: both give the branch the forward sweep took.
//!
//! Decisions that survive smoothing (`If` on ints, every `If` in hard mode)
//! are replayed from the tape: derivatives flow through the branch that ran
//! and never through the decision itself.

mod forward;
mod reverse;
mod rules;
mod saved;
mod stable;
mod taped;

use crate::ir::{BlockId, Func, InstId, ScalarType, VarId, VarRole, VarType};
use crate::syntax::span::Origin;
use cranelift_entity::SecondaryMap;

/// Why a function cannot be differentiated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AdError {
    /// Only real results (scalar or array) have gradients.
    #[error("the result of `{func}` is not real")]
    NonRealResult { func: String },
    /// The input already contains tape instructions (a compiler bug).
    #[error("no reverse-mode rule for a tape instruction")]
    NoRule,
}

/// Builds the gradient function of `func` (see the module docs).
pub fn run(func: &Func) -> Result<Func, AdError> {
    let [result] = func.outputs[..] else {
        return Err(AdError::NonRealResult {
            func: func.name.clone(),
        });
    };
    if func.vars[result].ty.elem() != ScalarType::Real {
        return Err(AdError::NonRealResult {
            func: func.name.clone(),
        });
    }
    let mut builder = GradBuilder::new(func);
    builder.build(result)?;
    Ok(builder.new)
}

/// Shared state of both sweeps.
pub(crate) struct GradBuilder<'f> {
    /// The function being differentiated.
    pub(crate) old: &'f Func,
    /// The gradient function under construction. Its variables start as a
    /// copy of `old`'s, so a `VarId` means the same variable in both.
    pub(crate) new: Func,
    /// The adjoint variable of each real variable.
    pub(crate) adjoints: SecondaryMap<VarId, Option<VarId>>,
    /// The writes of `old` whose previous value goes on the tape.
    pub(crate) saved: saved::SavedWrites,
    /// The results the forward sweep pushes and the reverse sweep pops.
    pub(crate) kept: taped::KeptResults,
}

impl<'f> GradBuilder<'f> {
    fn new(old: &'f Func) -> GradBuilder<'f> {
        let mut new = Func::new(format!("grad_{}", old.name));
        new.vars = old.vars.clone();
        new.sizes = old.sizes.clone();
        new.derived_sizes = old.derived_sizes.clone();
        new.params = old.params.clone();
        let mut adjoints = SecondaryMap::new();
        let real_vars: Vec<VarId> = old
            .vars
            .iter()
            .filter(|(_, data)| data.ty.elem() == ScalarType::Real)
            .map(|(var, _)| var)
            .collect();
        for var in real_vars {
            let data = &old.vars[var];
            let adjoint = new.new_var(
                format!("d_{}", data.name),
                data.ty.clone(),
                VarRole::Adjoint(var),
            );
            adjoints[var] = Some(adjoint);
        }
        let saved = saved::SavedWrites::compute(old);
        let kept = taped::KeptResults::of(old);
        GradBuilder {
            old,
            new,
            adjoints,
            saved,
            kept,
        }
    }

    pub(crate) fn adjoint(&self, var: VarId) -> VarId {
        self.adjoints[var].expect("every real variable has an adjoint")
    }

    fn build(&mut self, result: VarId) -> Result<(), AdError> {
        let entry = self.new.entry;
        let result_ty: VarType = self.old.vars[result].ty.clone();
        let seed = self.new.new_var(
            "seed",
            result_ty.clone(),
            VarRole::Param(self.old.params.len()),
        );
        self.new.params.push(seed);

        self.forward_block(self.old.entry, entry)?;
        // The reverse sweep undoes every write, the result's included, so
        // the value is saved first.
        let value = self.new.new_var("value", result_ty, VarRole::Temp);
        self.new.emit_copy(entry, value, result, Origin::Synthetic);
        let result_adjoint = self.adjoint(result);
        self.new
            .emit_copy(entry, result_adjoint, seed, Origin::Synthetic);
        self.reverse_block(self.old.entry, entry)?;

        self.new.outputs.push(value);
        for (_, param) in self.old.real_params() {
            let adjoint = self.adjoint(param);
            self.new.outputs.push(adjoint);
        }
        Ok(())
    }
}

/// A piece of a block: a straight-line segment or one control instruction.
pub(crate) enum Piece {
    Segment(Vec<InstId>),
    Control(InstId),
}

/// Splits a block into its segments and control instructions, in order.
pub(crate) fn split(func: &Func, block: BlockId) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut segment = Vec::new();
    for &inst in &func.blocks[block].insts {
        if func.insts[inst].is_control() {
            if !segment.is_empty() {
                pieces.push(Piece::Segment(std::mem::take(&mut segment)));
            }
            pieces.push(Piece::Control(inst));
        } else {
            segment.push(inst);
        }
    }
    if !segment.is_empty() {
        pieces.push(Piece::Segment(segment));
    }
    pieces
}
