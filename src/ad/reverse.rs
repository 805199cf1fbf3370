//! The reverse sweep: control flow replayed backwards from the tape, and
//! each segment restored, recomputed and differentiated (see the module
//! docs of `ad`).

use super::rules::Cotangents;
use super::stable::{StableValues, recomputable_bounds, recomputable_cond};
use super::{AdError, GradBuilder, Piece, split};
use crate::ir::build::Place;
use crate::ir::{BinaryOp, BlockId, Inst, InstId, ScalarType};
use crate::syntax::span::Origin;
use cranelift_entity::SecondaryMap;

/// What step 1 popped: per saved write, the previous value (which step 3
/// writes back again), and per kept result, the result.
struct Restored {
    undos: SecondaryMap<InstId, Option<InstId>>,
    kept: SecondaryMap<InstId, Option<InstId>>,
}

impl GradBuilder<'_> {
    /// Emits, at the end of new block `new_block`, the reverse of old block
    /// `old_block`.
    pub(super) fn reverse_block(
        &mut self,
        old_block: BlockId,
        new_block: BlockId,
    ) -> Result<(), AdError> {
        for piece in split(self.old, old_block).into_iter().rev() {
            match piece {
                Piece::Segment(insts) => self.reverse_segment(&insts, new_block)?,
                Piece::Control(inst) => self.reverse_control(inst, new_block)?,
            }
        }
        Ok(())
    }

    fn reverse_control(&mut self, inst: InstId, new_block: BlockId) -> Result<(), AdError> {
        let origin = self.old.origins[inst].derived();
        match self.old.insts[inst].clone() {
            Inst::If {
                cond,
                then_block,
                else_block,
            } => {
                let parent = self.old.blocks[then_block]
                    .parent
                    .expect("a branch has the `If`'s block as parent");
                let stable = StableValues::of_block(self.old, parent);
                let cond = if recomputable_cond(self.old, inst, &stable) {
                    self.recompute_stable(cond, new_block, &mut SecondaryMap::new())
                } else {
                    self.new
                        .append(new_block, Inst::Pop(ScalarType::Bool), origin)
                };
                let (new_then, new_else) = self.new.emit_if(new_block, cond, origin);
                self.reverse_block(then_block, new_then)?;
                self.reverse_block(else_block, new_else)
            }
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            } => {
                let parent = self.old.blocks[body]
                    .parent
                    .expect("a loop body has the loop's block as parent");
                let stable = StableValues::of_block(self.old, parent);
                let [lo_recomputable, hi_recomputable] =
                    recomputable_bounds(self.old, inst, &stable);
                let mut pop_or_recompute = |bound: InstId, recomputable: bool| {
                    if recomputable {
                        let mut recomputed = SecondaryMap::new();
                        self.recompute_stable(bound, new_block, &mut recomputed)
                    } else {
                        self.new
                            .append(new_block, Inst::Pop(ScalarType::Int), origin)
                    }
                };
                let hi = pop_or_recompute(hi, hi_recomputable);
                let lo = pop_or_recompute(lo, lo_recomputable);
                let new_body = self
                    .new
                    .emit_for(new_block, counter, (lo, hi), !reverse, origin);
                self.reverse_block(body, new_body)
            }
            Inst::Loop { body, .. } => {
                // The body ran `count` times; its reverse runs as many times.
                let count = self
                    .new
                    .append(new_block, Inst::Pop(ScalarType::Int), origin);
                let zero = self.new.append(new_block, Inst::Int(0), origin);
                let int = crate::ir::VarType::Scalar(ScalarType::Int);
                let counter = self.new.new_var("iteration", int, crate::ir::VarRole::Temp);
                let new_body = self
                    .new
                    .emit_for(new_block, counter, (zero, count), true, origin);
                self.reverse_block(body, new_body)
            }
            _ => unreachable!("split only yields control instructions as control"),
        }
    }

    fn reverse_segment(&mut self, segment: &[InstId], block: BlockId) -> Result<(), AdError> {
        let Restored { undos, kept } = self.restore(segment, block);
        let values = self.recompute(segment, block, &kept)?;
        self.differentiate(segment, block, &undos, &values);
        Ok(())
    }

    /// Step 1: pops what the forward sweep pushed for each saved write of
    /// the segment and writes it back, last write first, and pops the kept
    /// results (see `taped`).
    fn restore(&mut self, segment: &[InstId], block: BlockId) -> Restored {
        let mut undos: SecondaryMap<InstId, Option<InstId>> = SecondaryMap::new();
        let mut kept: SecondaryMap<InstId, Option<InstId>> = SecondaryMap::new();
        let mut sorted_arrays = Vec::new();
        let stable = StableValues::of_segment(self.old, segment);
        let mut recomputed: SecondaryMap<InstId, Option<InstId>> = SecondaryMap::new();
        for &inst in segment.iter().rev() {
            let origin = self.old.origins[inst].derived();
            let old_inst = &self.old.insts[inst];
            if self.kept.contains(inst) {
                kept[inst] = Some(self.new.append(block, Inst::Pop(ScalarType::Real), origin));
                continue;
            }
            if let Inst::SortArray { output, .. } = old_inst
                && self.saved.contains(inst)
            {
                let _ = self.new.append(block, Inst::PopArray(*output), origin);
                sorted_arrays.push((*output, origin));
                continue;
            }
            if !matches!(old_inst, Inst::Write { .. } | Inst::Store { .. })
                || !self.saved.contains(inst)
            {
                continue;
            }
            let Some(place) = Place::of_access(old_inst, |index| index) else {
                continue;
            };
            // The forward sweep pushed the old value, then each index that
            // is not stable; the stable ones are computed again here.
            let place = match place {
                Place::Var(var) => Place::Var(var),
                Place::Element { array, indices } => {
                    let mut restored: Vec<Option<InstId>> = vec![None; indices.len()];
                    for (slot, index) in restored.iter_mut().zip(&indices).rev() {
                        if !stable.contains(*index) {
                            *slot =
                                Some(self.new.append(block, Inst::Pop(ScalarType::Int), origin));
                        }
                    }
                    let indices = restored
                        .into_iter()
                        .zip(indices)
                        .map(|(popped, index)| {
                            popped.unwrap_or_else(|| {
                                self.recompute_stable(index, block, &mut recomputed)
                            })
                        })
                        .collect();
                    Place::Element { array, indices }
                }
            };
            let ty = self.old.vars[place.var()].ty.elem();
            let previous = self.new.append(block, Inst::Pop(ty), origin);
            self.new.emit_write(block, &place, previous, origin);
            undos[inst] = Some(previous);
        }
        // An array's previous contents cannot be held in a value like a
        // scalar's: they go back on the tape (in forward order, so step 3
        // pops them last write first). Lowering gives each sort its own
        // output, written once per segment, so each holds here what it
        // held before its write.
        for (output, origin) in sorted_arrays.into_iter().rev() {
            let _ = self.new.append(block, Inst::PushArray(output), origin);
        }
        Restored { undos, kept }
    }

    /// Emits (once per restore) the instructions computing the stable value
    /// `old_value` of the segment being restored.
    fn recompute_stable(
        &mut self,
        old_value: InstId,
        block: BlockId,
        recomputed: &mut SecondaryMap<InstId, Option<InstId>>,
    ) -> InstId {
        if let Some(value) = recomputed[old_value] {
            return value;
        }
        let old_inst = &self.old.insts[old_value];
        let operands: Vec<InstId> = old_inst.operands();
        for operand in operands {
            let _ = self.recompute_stable(operand, block, recomputed);
        }
        let copy = old_inst
            .map_operands(|operand| recomputed[operand].expect("operands are recomputed first"));
        let value = self
            .new
            .append(block, copy, self.old.origins[old_value].derived());
        recomputed[old_value] = Some(value);
        value
    }

    /// Step 2: runs the segment again, without pushes, but for the kept
    /// results, which step 1 popped.
    fn recompute(
        &mut self,
        segment: &[InstId],
        block: BlockId,
        kept: &SecondaryMap<InstId, Option<InstId>>,
    ) -> Result<SecondaryMap<InstId, Option<InstId>>, AdError> {
        let mut values: SecondaryMap<InstId, Option<InstId>> = SecondaryMap::new();
        for &inst in segment {
            if let Some(result) = kept[inst] {
                values[inst] = Some(result);
                continue;
            }
            let old_inst = &self.old.insts[inst];
            if matches!(
                old_inst,
                Inst::Push(_)
                    | Inst::Pop(_)
                    | Inst::PushArray(_)
                    | Inst::PopArray(_)
                    | Inst::SortArrayVjp { .. }
            ) {
                return Err(AdError::NoRule);
            }
            let copy = old_inst
                .map_operands(|value| values[value].expect("operands come earlier in the segment"));
            values[inst] = Some(
                self.new
                    .append(block, copy, self.old.origins[inst].derived()),
            );
        }
        Ok(values)
    }

    /// Step 3: the adjoint rules, last instruction first, undoing each write.
    fn differentiate(
        &mut self,
        segment: &[InstId],
        block: BlockId,
        undos: &SecondaryMap<InstId, Option<InstId>>,
        values: &SecondaryMap<InstId, Option<InstId>>,
    ) {
        let mut cotangents = Cotangents {
            of: SecondaryMap::new(),
        };
        let value = |old: InstId| values[old].expect("every segment value is recomputed");
        for &inst in segment.iter().rev() {
            let origin = self.old.origins[inst].derived();
            let old_inst = &self.old.insts[inst];
            let place = Place::of_access(old_inst, value);
            match (old_inst, place) {
                (
                    Inst::Write { value: written, .. } | Inst::Store { value: written, .. },
                    Some(place),
                ) => {
                    let written = *written;
                    self.write_rule(&mut cotangents, block, &place, written, origin);
                    // An unsaved write stays: nothing before it reads the
                    // value it overwrote.
                    if let Some(previous) = undos[inst] {
                        self.new.emit_write(block, &place, previous, origin);
                    }
                }
                (Inst::Read(_) | Inst::Load { .. }, Some(place)) => {
                    if let Some(adjoint) = cotangents.of[inst] {
                        let adjoint_place = place.in_var(self.adjoint(place.var()));
                        let running = self.new.emit_read(block, &adjoint_place, origin);
                        let sum = self.new.append(
                            block,
                            Inst::Binary(BinaryOp::Add, running, adjoint),
                            origin,
                        );
                        self.new.emit_write(block, &adjoint_place, sum, origin);
                    }
                }
                (Inst::SortArray { op, input, output }, _) => {
                    let op = op.map_strength(value);
                    let _ = self.new.append(
                        block,
                        Inst::SortArrayVjp {
                            op,
                            input: *input,
                            cotangent: self.adjoint(*output),
                            target: self.adjoint(*input),
                        },
                        origin,
                    );
                    // Its previous contents, if earlier code reads them.
                    if self.saved.contains(inst) {
                        let _ = self.new.append(block, Inst::PopArray(*output), origin);
                    }
                }
                (Inst::Unary(..) | Inst::Binary(..) | Inst::Select { .. }, _) => {
                    if let Some(adjoint) = cotangents.of[inst] {
                        self.arithmetic_rule(
                            &mut cotangents,
                            block,
                            inst,
                            value(inst),
                            adjoint,
                            values,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// The adjoint of a write: the cotangent of the written value is what
    /// the location's adjoint holds; the location's adjoint restarts at zero
    /// because the value it had before the write is overwritten.
    fn write_rule(
        &mut self,
        cotangents: &mut Cotangents,
        block: BlockId,
        place: &Place,
        written: InstId,
        origin: Origin,
    ) {
        if self.old.vars[place.var()].ty.elem() != ScalarType::Real {
            return;
        }
        let adjoint_place = place.in_var(self.adjoint(place.var()));
        let adjoint = self.new.emit_read(block, &adjoint_place, origin);
        self.accumulate(cotangents, block, written, adjoint, origin);
        let zero = self.new.append(block, Inst::Real(0.0), origin);
        self.new.emit_write(block, &adjoint_place, zero, origin);
    }
}
