//! Pairs of passes of a relaxed `while` whose body guards a sweep: each
//! iteration that runs its pass also runs the next iteration's pass,
//! `lag` steps behind, into shadow variables and arrays, and the next
//! iteration, if it runs its pass at all, takes the shadows' contents
//! instead (see the module doc).
//!
//! The shape is the one the smoother gives `while swapped { swapped =
//! false; for i in 0..m { soft swap } m -= 1 }`:
//!
//! ```text
//! loop while go {
//!     top                      // bookkeeping: reads the array, no writes to it
//!     if running { prelude; for i in lo..hi { body }; postlude } else {}
//!     bottom
//! }
//! ```
//!
//! Call `prelude; sweep; postlude` the *region*. Its *inputs* are the
//! variables it reads before it writes them; the next iteration's region
//! sees them as this iteration leaves them, since `top` and `bottom` may
//! not write them. An input the region writes itself (`m`) must get its
//! last value in the postlude, from a computation (its *hand-over*) that
//! reads nothing the prelude or the sweep writes, so that it can run
//! before the sweep. The speculative region reads the arrays the sweep
//! stores to through shadows, each element copied in when the real pass
//! is done with it.

use super::emit::{Emitter, Pass};
use super::nest::{Sweep, reorderable, sweep};
use crate::ir::{BinaryOp, BlockId, Func, Inst, InstId, ScalarType, VarId, VarRole, VarType};
use std::collections::{BTreeSet, HashMap};

/// A `Loop` whose guarded region is a sweep with its prelude and
/// postlude.
#[derive(Clone, Debug)]
pub struct SpeculativeSweep {
    pub looped: InstId,
    pub parent: BlockId,
    /// The `If` that guards the region, and its blocks.
    pub guard: InstId,
    pub region: BlockId,
    pub otherwise: BlockId,
    pub prelude: Vec<InstId>,
    pub sweep: Sweep,
    pub postlude: Vec<InstId>,
    /// The scalar variables the region writes.
    pub written: BTreeSet<VarId>,
    /// The inputs the region writes, each with the postlude's last value
    /// of it and the postlude's instructions that compute that value.
    pub hand_overs: Vec<(VarId, InstId, Vec<InstId>)>,
}

/// The speculative sweep the `Loop` instruction `looped` (in `parent`)
/// is, if it is one.
pub fn find(func: &Func, parent: BlockId, looped: InstId) -> Option<SpeculativeSweep> {
    let Inst::Loop { body, .. } = &func.insts[looped] else {
        return None;
    };
    func.blocks[*body]
        .insts
        .iter()
        .find_map(|inst| find_guarded(func, parent, looped, *body, *inst))
}

fn find_guarded(
    func: &Func,
    parent: BlockId,
    looped: InstId,
    loop_body: BlockId,
    guard: InstId,
) -> Option<SpeculativeSweep> {
    let Inst::If {
        then_block: region,
        else_block: otherwise,
        ..
    } = &func.insts[guard]
    else {
        return None;
    };
    if !func.blocks[*otherwise].insts.is_empty() {
        return None;
    }
    let insts = &func.blocks[*region].insts;
    let position = insts
        .iter()
        .position(|inst| func.insts[*inst].is_control())?;
    let (prelude, rest) = insts.split_at(position);
    let (&inner, postlude) = rest.split_first()?;
    let sweep = sweep(func, inner)?;
    // Scalar code: no element access, no read of the sweep's counter.
    let scalar_code = |inst: &InstId| {
        let inst = &func.insts[*inst];
        !matches!(inst, Inst::Load { .. } | Inst::Store { .. })
            && !reads_var(inst, sweep.counter)
            && reorderable(func, inst)
    };
    if !prelude.iter().chain(postlude).all(scalar_code) {
        return None;
    }
    let regions = Region {
        prelude,
        sweep: &sweep,
        postlude,
    };
    let (written, inputs) = regions.written_and_inputs(func);
    let hand_overs = regions.hand_overs(func, &written, &inputs)?;
    let outside = Outside::of(func, loop_body, *region);
    let arrays_untouched = sweep
        .windows
        .keys()
        .all(|array| !outside.stored.contains(array));
    let inputs_untouched = inputs.iter().all(|var| !outside.written.contains(var));
    let counter_private = func.blocks.iter().all(|(block, data)| {
        block == sweep.block
            || data
                .insts
                .iter()
                .all(|inst| !reads_var(&func.insts[*inst], sweep.counter))
    });
    (arrays_untouched && inputs_untouched && counter_private).then(|| SpeculativeSweep {
        looped,
        parent,
        guard,
        region: *region,
        otherwise: *otherwise,
        prelude: prelude.to_vec(),
        postlude: postlude.to_vec(),
        written,
        hand_overs,
        sweep,
    })
}

fn reads_var(inst: &Inst, var: VarId) -> bool {
    matches!(inst, Inst::Read(read) if *read == var)
}

/// The region's three parts, in order.
struct Region<'a> {
    prelude: &'a [InstId],
    sweep: &'a Sweep,
    postlude: &'a [InstId],
}

impl Region<'_> {
    fn insts(&self) -> impl Iterator<Item = &InstId> {
        self.prelude
            .iter()
            .chain(&self.sweep.body)
            .chain(self.postlude)
    }

    /// The scalar variables the region writes, and those it reads before
    /// writing them (the sweep's counter is written by its loop).
    fn written_and_inputs(&self, func: &Func) -> (BTreeSet<VarId>, BTreeSet<VarId>) {
        let mut written = BTreeSet::from([self.sweep.counter]);
        let mut inputs = BTreeSet::new();
        for inst in self.insts() {
            match &func.insts[*inst] {
                Inst::Read(var) if !written.contains(var) => {
                    let _ = inputs.insert(*var);
                }
                Inst::Write { var, .. } => {
                    let _ = written.insert(*var);
                }
                _ => {}
            }
        }
        let _ = written.remove(&self.sweep.counter);
        (written, inputs)
    }

    /// For each input the region writes: its last value, written in the
    /// postlude, and the postlude's instructions that compute it, when they
    /// read nothing the prelude or the sweep writes nor anything the
    /// postlude writes before them; `None` when an input has no such
    /// hand-over.
    fn hand_overs(
        &self,
        func: &Func,
        written: &BTreeSet<VarId>,
        inputs: &BTreeSet<VarId>,
    ) -> Option<Vec<(VarId, InstId, Vec<InstId>)>> {
        let written_before: BTreeSet<VarId> = self
            .prelude
            .iter()
            .filter_map(|inst| written_var(&func.insts[*inst]))
            .chain(self.sweep.written.iter().copied())
            .collect();
        inputs
            .intersection(written)
            .map(|var| {
                if written_before.contains(var) {
                    return None;
                }
                let (position, value) = self.postlude.iter().enumerate().rev().find_map(
                    |(position, inst)| match &func.insts[*inst] {
                        Inst::Write { var: target, value } if target == var => {
                            Some((position, *value))
                        }
                        _ => None,
                    },
                )?;
                let slice = self.slice(func, position, value, &written_before)?;
                Some((*var, value, slice))
            })
            .collect()
    }

    /// The postlude's instructions before `position` that `value` depends
    /// on, in order, when none reads a variable of `written_before` or one
    /// the postlude writes before it.
    fn slice(
        &self,
        func: &Func,
        position: usize,
        value: InstId,
        written_before: &BTreeSet<VarId>,
    ) -> Option<Vec<InstId>> {
        let mut needed = BTreeSet::from([value]);
        let mut slice = Vec::new();
        for (index, inst) in self.postlude[..position].iter().enumerate().rev() {
            if !needed.contains(inst) {
                continue;
            }
            if let Inst::Read(var) = &func.insts[*inst] {
                let rewritten = self.postlude[..index]
                    .iter()
                    .any(|earlier| written_var(&func.insts[*earlier]) == Some(*var));
                if written_before.contains(var) || rewritten {
                    return None;
                }
            }
            needed.extend(func.insts[*inst].operands());
            slice.push(*inst);
        }
        slice.reverse();
        // Every value the slice needs is its own (none from before).
        slice.contains(&value).then_some(slice)
    }
}

fn written_var(inst: &Inst) -> Option<VarId> {
    match inst {
        Inst::Write { var, .. } => Some(*var),
        _ => None,
    }
}

/// What the loop's body does outside the region, nested blocks included.
#[derive(Default)]
struct Outside {
    written: BTreeSet<VarId>,
    stored: BTreeSet<VarId>,
}

impl Outside {
    fn of(func: &Func, loop_body: BlockId, region: BlockId) -> Outside {
        let mut outside = Outside::default();
        outside.block(func, loop_body, region);
        outside
    }

    fn block(&mut self, func: &Func, block: BlockId, region: BlockId) {
        if block == region {
            return;
        }
        for &inst in &func.blocks[block].insts {
            let inst = &func.insts[inst];
            match inst {
                Inst::Write { var, .. } => {
                    let _ = self.written.insert(*var);
                }
                Inst::Store { array, .. } => {
                    let _ = self.stored.insert(*array);
                }
                Inst::For { counter, body, .. } => {
                    let _ = self.written.insert(*counter);
                    self.block(func, *body, region);
                }
                Inst::Loop { body, .. } => self.block(func, *body, region),
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.block(func, *then_block, region);
                    self.block(func, *else_block, region);
                }
                _ => {}
            }
            if let Some(array) = inst.array_written() {
                let _ = self.stored.insert(array);
            }
        }
    }
}

/// Rewrites `found` in place; the IR is valid again after
/// `segments::repair`.
pub fn rewrite(func: &mut Func, found: &SpeculativeSweep) {
    let origin = func.origins[found.guard];
    let ahead = func.new_var("ahead", VarType::Scalar(ScalarType::Bool), VarRole::Temp);
    let shadows = shadow_vars(func, found);
    let spec_lo = func.new_var("ahead_lo", VarType::Scalar(ScalarType::Int), VarRole::Temp);
    let spec_hi = func.new_var("ahead_hi", VarType::Scalar(ScalarType::Int), VarRole::Temp);
    let mut emit = Emitter {
        func,
        origin,
        sweep: &found.sweep,
    };
    emit.not_ahead_before_the_loop(found, ahead);
    // Where the region does not run, the pass run ahead is dropped (the
    // smoother's guard never holds again then, but another's might).
    emit.set_bool(found.otherwise, ahead, false);

    let region = found.region;
    emit.func.blocks[region].insts.clear();
    let is_ahead = emit.append(region, Inst::Read(ahead));
    let (take_over, run) = emit.func.emit_if(region, is_ahead, emit.origin);
    emit.take_over(take_over, found, &shadows, [spec_lo, spec_hi]);
    emit.set_bool(take_over, ahead, false);

    // The real pass, with the next one ahead when both fit.
    emit.func.blocks[run].insts.extend(&found.prelude);
    for (var, value, slice) in &found.hand_overs {
        let copies = emit.copy(run, slice, &HashMap::new(), &HashMap::new());
        let _ = emit.append(
            run,
            Inst::Write {
                var: shadows[var],
                value: copies[value],
            },
        );
    }
    let copies = emit.copy(run, &found.prelude, &HashMap::new(), &shadows);
    let real = Pass {
        lo: Some(found.sweep.lo),
        hi: Some(found.sweep.hi),
        ..Pass::default()
    };
    let next = Pass {
        lo: Some(copies[&found.sweep.lo]),
        hi: Some(copies[&found.sweep.hi]),
        renames: shadows.clone(),
        shadowed: true,
        ..Pass::default()
    };
    let both_fit = emit.both_fit(run, [&real, &next]);
    let (jammed, plain) = emit.func.emit_if(run, both_fit, emit.origin);
    emit.jammed_steps(jammed, [&real, &next]);
    let (next_lo, next_hi) = (copies[&found.sweep.lo], copies[&found.sweep.hi]);
    for (var, value) in [(spec_lo, next_lo), (spec_hi, next_hi)] {
        let _ = emit.append(jammed, Inst::Write { var, value });
    }
    let _ = emit.copy(jammed, &found.postlude, &HashMap::new(), &shadows);
    emit.set_bool(jammed, ahead, true);
    emit.func.blocks[plain].insts.push(found.sweep.inst);
    emit.func.blocks[found.sweep.block].parent = Some(plain);
    emit.func.blocks[run].insts.extend(&found.postlude);
}

/// A shadow for every scalar the region writes and every array its sweep
/// stores to.
fn shadow_vars(func: &mut Func, found: &SpeculativeSweep) -> HashMap<VarId, VarId> {
    found
        .written
        .iter()
        .chain(&found.sweep.stored)
        .map(|var| {
            let data = func.vars[*var].clone();
            let name = format!("{}_ahead", data.name);
            (*var, func.new_var(name, data.ty, VarRole::Temp))
        })
        .collect()
}

impl Emitter<'_> {
    fn set_bool(&mut self, block: BlockId, var: VarId, value: bool) {
        let value = self.append(block, Inst::Bool(value));
        let _ = self.append(block, Inst::Write { var, value });
    }

    /// `ahead = false` just before the loop, so that a pass left ahead
    /// when the loop last ended is not taken over when it runs again.
    fn not_ahead_before_the_loop(&mut self, found: &SpeculativeSweep, ahead: VarId) {
        let insts = &self.func.blocks[found.parent].insts;
        let position = insts
            .iter()
            .position(|inst| *inst == found.looped)
            .expect("the loop is in its parent block");
        let rest = self.func.blocks[found.parent].insts.split_off(position);
        self.set_bool(found.parent, ahead, false);
        self.func.blocks[found.parent].insts.extend(rest);
    }

    /// The region's effect, from the pass run ahead: every scalar it wrote
    /// and the elements it touched.
    fn take_over(
        &mut self,
        block: BlockId,
        found: &SpeculativeSweep,
        shadows: &HashMap<VarId, VarId>,
        [spec_lo, spec_hi]: [VarId; 2],
    ) {
        for var in &found.written {
            let value = self.append(block, Inst::Read(shadows[var]));
            let _ = self.append(block, Inst::Write { var: *var, value });
        }
        let lo = self.append(block, Inst::Read(spec_lo));
        let hi = self.append(block, Inst::Read(spec_hi));
        let ran = self.binary(block, BinaryOp::Lt, lo, hi);
        let (copy, _) = self.func.emit_if(block, ran, self.origin);
        for &array in &found.sweep.stored {
            let (least, greatest) = found.sweep.windows[&array];
            let lo = self.append(copy, Inst::Read(spec_lo));
            let hi = self.append(copy, Inst::Read(spec_hi));
            let least = self.int(copy, least);
            let greatest = self.int(copy, greatest);
            let first = self.binary(copy, BinaryOp::Add, lo, least);
            let end = self.binary(copy, BinaryOp::Add, hi, greatest);
            let counter = self.int_var("k");
            let body = self
                .func
                .emit_for(copy, counter, (first, end), false, self.origin);
            let index = self.append(body, Inst::Read(counter));
            let value = self.append(
                body,
                Inst::Load {
                    array: shadows[&array],
                    indices: vec![index],
                },
            );
            let _ = self.append(
                body,
                Inst::Store {
                    array,
                    indices: vec![index],
                    value,
                },
            );
        }
    }
}
