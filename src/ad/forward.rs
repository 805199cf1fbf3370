//! The forward sweep: the original code plus tape pushes.
//!
//! Pushed, in this order, so the reverse sweep can pop them back:
//! * before `Write { var }`: the old value of `var`, when earlier code
//!   reads it again in the reverse sweep (see `saved`);
//! * before `Store { array, indices }`: likewise the old element, then each
//!   index that the reverse sweep cannot recompute (see `stable`);
//! * after a transcendental function (`sigmoid`, `exp`, ...): its result,
//!   which the reverse sweep takes instead of evaluating it again (see
//!   `taped`);
//! * at the end of each branch of an `If`: which branch ran (a bool),
//!   unless the reverse sweep can compute the condition again (see
//!   `stable::recomputable_cond`);
//! * after a `For`: `lo`, then `hi`, each unless the reverse sweep can
//!   compute it again (see `stable::recomputable_bounds`);
//! * after a `Loop` (`while`): the number of iterations it ran.
//!
//! Control decisions are pushed *after* the construct, on top of whatever
//! its body pushed, because the reverse sweep needs them first. The bounds
//! of a `For` are kept in temporaries across the loop for that (values may
//! not cross control flow).

use super::stable::{StableValues, recomputable_bounds, recomputable_cond};
use super::{AdError, GradBuilder};
use crate::ir::build::Place;
use crate::ir::{BlockId, Inst, InstId, ScalarType, VarRole, VarType};
use cranelift_entity::SecondaryMap;

impl GradBuilder<'_> {
    /// Copies old block `old_block` into new block `new_block` with pushes.
    pub(super) fn forward_block(
        &mut self,
        old_block: BlockId,
        new_block: BlockId,
    ) -> Result<(), AdError> {
        let mut values: SecondaryMap<InstId, Option<InstId>> = SecondaryMap::new();
        let old = self.old;
        let stable = StableValues::of_block(old, old_block);
        for &inst in &old.blocks[old_block].insts {
            let origin = old.origins[inst];
            let map =
                |value: &InstId| values[*value].expect("operands come earlier in the segment");
            let copy = match &old.insts[inst] {
                Inst::Push(_)
                | Inst::Pop(_)
                | Inst::PushArray(_)
                | Inst::PopArray(_)
                | Inst::SortArrayVjp { .. } => return Err(AdError::NoRule),
                Inst::SortArray { output, .. } if self.saved.contains(inst) => {
                    // Its previous contents, for the reverse sweep to restore.
                    let _ = self
                        .new
                        .append(new_block, Inst::PushArray(*output), origin.derived());
                    old.insts[inst].map_operands(|value| map(&value))
                }
                old_inst @ (Inst::Write { .. } | Inst::Store { .. })
                    if self.saved.contains(inst) =>
                {
                    let copy = old_inst.map_operands(|value| map(&value));
                    let place =
                        Place::of_access(&copy, |index| index).expect("writes have a place");
                    let previous = self.new.emit_read(new_block, &place, origin.derived());
                    let _ = self
                        .new
                        .append(new_block, Inst::Push(previous), origin.derived());
                    if let Inst::Store { indices, .. } = old_inst {
                        // The reverse sweep recomputes the stable ones.
                        for index in indices.iter().filter(|index| !stable.contains(**index)) {
                            let _ = self.new.append(
                                new_block,
                                Inst::Push(map(index)),
                                origin.derived(),
                            );
                        }
                    }
                    copy
                }
                Inst::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    let cond = map(cond);
                    let (new_then, new_else) = self.new.emit_if(new_block, cond, origin);
                    self.forward_block(*then_block, new_then)?;
                    self.forward_block(*else_block, new_else)?;
                    if !recomputable_cond(old, inst, &stable) {
                        for (block, taken) in [(new_then, true), (new_else, false)] {
                            let flag = self.new.append(block, Inst::Bool(taken), origin.derived());
                            let _ = self.new.append(block, Inst::Push(flag), origin.derived());
                        }
                    }
                    values = SecondaryMap::new();
                    continue;
                }
                Inst::For {
                    counter,
                    lo,
                    hi,
                    body,
                    reverse,
                } => {
                    let (lo, hi) = (map(lo), map(hi));
                    let int = VarType::Scalar(ScalarType::Int);
                    let recomputable = recomputable_bounds(old, inst, &stable);
                    let bounds: Vec<_> = [lo, hi]
                        .into_iter()
                        .zip(recomputable)
                        .filter(|(_, recomputable)| !recomputable)
                        .map(|(bound, _)| {
                            let var = self.new.new_var("bound", int.clone(), VarRole::Temp);
                            let _ = self.new.append(
                                new_block,
                                Inst::Write { var, value: bound },
                                origin.derived(),
                            );
                            var
                        })
                        .collect();
                    let new_body =
                        self.new
                            .emit_for(new_block, *counter, (lo, hi), *reverse, origin);
                    self.forward_block(*body, new_body)?;
                    for var in bounds {
                        let bound = self
                            .new
                            .append(new_block, Inst::Read(var), origin.derived());
                        let _ = self
                            .new
                            .append(new_block, Inst::Push(bound), origin.derived());
                    }
                    values = SecondaryMap::new();
                    continue;
                }
                Inst::Loop { flag, body, bound } => {
                    self.forward_loop(*flag, *body, *bound, new_block, origin)?;
                    values = SecondaryMap::new();
                    continue;
                }
                other => other.map_operands(|value| map(&value)),
            };
            let value = self.new.append(new_block, copy, origin);
            if self.kept.contains(inst) {
                let _ = self
                    .new
                    .append(new_block, Inst::Push(value), origin.derived());
            }
            values[inst] = Some(value);
        }
        Ok(())
    }

    /// A `while` loop counts its iterations and pushes the count after it,
    /// so the reverse sweep can run the reversed body that many times.
    fn forward_loop(
        &mut self,
        flag: crate::ir::VarId,
        body: BlockId,
        bound: Option<i64>,
        new_block: BlockId,
        origin: crate::syntax::span::Origin,
    ) -> Result<(), AdError> {
        let derived = origin.derived();
        let int = VarType::Scalar(ScalarType::Int);
        let count = self.new.new_var("iterations", int, VarRole::Temp);
        let zero = self.new.append(new_block, Inst::Int(0), derived);
        let _ = self.new.append(
            new_block,
            Inst::Write {
                var: count,
                value: zero,
            },
            derived,
        );
        let new_body = self.new.new_block(new_block);
        let _ = self.new.append(
            new_block,
            Inst::Loop {
                flag,
                body: new_body,
                bound,
            },
            origin,
        );
        self.forward_block(body, new_body)?;
        let before = self.new.append(new_body, Inst::Read(count), derived);
        let one = self.new.append(new_body, Inst::Int(1), derived);
        let after = self.new.append(
            new_body,
            Inst::Binary(crate::ir::BinaryOp::Add, before, one),
            derived,
        );
        let _ = self.new.append(
            new_body,
            Inst::Write {
                var: count,
                value: after,
            },
            derived,
        );
        let total = self.new.append(new_block, Inst::Read(count), derived);
        let _ = self.new.append(new_block, Inst::Push(total), derived);
        Ok(())
    }
}
