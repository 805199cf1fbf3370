//! The rewrites: passes in pairs, each pair one loop of steps that runs an
//! iteration of the first pass and, `lag` iterations behind, one of the
//! second (see the module doc for the code they emit). `rewrite` pairs the
//! passes of a `for` nest; `speculative.rs` those of a relaxed `while`,
//! through the same `Emitter`.
//!
//! Values are emitted where they are computed and used wherever needed;
//! `segments::repair` (run by the caller) spills the ones that cross
//! control flow.

use super::nest::{Sweep, SweepNest};
use crate::ir::{
    BinaryOp, BlockId, Func, Inst, InstId, ScalarType, UnaryOp, VarId, VarRole, VarType,
};
use crate::syntax::span::Origin;
use std::collections::HashMap;

/// One pass of a pair: its bounds, the values some variables' reads stand
/// for (the outer counter of a `for` nest), and the variables and arrays
/// it uses instead of the sweep's own (the speculative pass of a `while`:
/// `shadowed` then says to copy each stored array's elements into its
/// shadow just before the pass first touches them).
#[derive(Clone, Default)]
pub(super) struct Pass {
    pub lo: Option<InstId>,
    pub hi: Option<InstId>,
    pub substitutions: HashMap<VarId, InstId>,
    pub renames: HashMap<VarId, VarId>,
    pub shadowed: bool,
}

impl Pass {
    fn bounds(&self) -> (InstId, InstId) {
        (
            self.lo.expect("a pass's bounds are set"),
            self.hi.expect("a pass's bounds are set"),
        )
    }
}

/// Rewrites `nest` in place; the IR is valid again after
/// `segments::repair`.
pub fn rewrite(func: &mut Func, nest: &SweepNest) {
    let Inst::For { lo, hi, .. } = func.insts[nest.outer] else {
        unreachable!("a sweep nest starts at a For");
    };
    let origin = func.origins[nest.outer];
    let parent = nest.parent;
    let position = func.blocks[parent]
        .insts
        .iter()
        .position(|inst| *inst == nest.outer)
        .expect("the nest's For is in its parent block");
    let rest = func.blocks[parent].insts.split_off(position);

    let mut emit = Emitter {
        func,
        origin,
        sweep: &nest.sweep,
    };
    // pairs = max(hi - lo, 0) / 2, run as jammed pairs; the outer loop
    // itself then runs what is left (none or one pass) from lo + 2 pairs.
    let trip = emit.binary(parent, BinaryOp::Sub, hi, lo);
    let zero = emit.int(parent, 0);
    let positive = emit.binary(parent, BinaryOp::Gt, trip, zero);
    let trip = emit.select(parent, positive, trip, zero);
    let two = emit.int(parent, 2);
    let pairs = emit.binary(parent, BinaryOp::Div, trip, two);
    let pair_counter = emit.int_var("pair");
    let pair_body = emit
        .func
        .emit_for(parent, pair_counter, (zero, pairs), false, origin);
    emit.pair(pair_body, pair_counter, lo, nest);

    let two = emit.int(parent, 2);
    let done = emit.binary(parent, BinaryOp::Mul, pairs, two);
    let rest_lo = emit.binary(parent, BinaryOp::Add, lo, done);
    let func = emit.func;
    if let Inst::For { lo, .. } = &mut func.insts[nest.outer] {
        *lo = rest_lo;
    }
    func.blocks[parent].insts.extend(rest);
}

pub(super) struct Emitter<'f> {
    pub func: &'f mut Func,
    pub origin: Origin,
    pub sweep: &'f Sweep,
}

impl Emitter<'_> {
    pub fn append(&mut self, block: BlockId, inst: Inst) -> InstId {
        self.func.append(block, inst, self.origin)
    }

    pub fn int(&mut self, block: BlockId, value: i64) -> InstId {
        self.append(block, Inst::Int(value))
    }

    pub fn binary(&mut self, block: BlockId, op: BinaryOp, lhs: InstId, rhs: InstId) -> InstId {
        self.append(block, Inst::Binary(op, lhs, rhs))
    }

    fn select(&mut self, block: BlockId, cond: InstId, then: InstId, otherwise: InstId) -> InstId {
        self.append(
            block,
            Inst::Select {
                cond,
                then,
                otherwise,
            },
        )
    }

    pub fn int_var(&mut self, name: &str) -> VarId {
        self.func
            .new_var(name, VarType::Scalar(ScalarType::Int), VarRole::Temp)
    }

    /// The body of the loop over pairs: the two passes' bounds, then the
    /// jammed steps where every access is in range, else the two passes
    /// one after the other (which fault where the original loop does).
    fn pair(&mut self, block: BlockId, pair_counter: VarId, lo: InstId, nest: &SweepNest) {
        let pair = self.append(block, Inst::Read(pair_counter));
        let two = self.int(block, 2);
        let twice = self.binary(block, BinaryOp::Mul, pair, two);
        let first_outer = self.binary(block, BinaryOp::Add, lo, twice);
        let one = self.int(block, 1);
        let second_outer = self.binary(block, BinaryOp::Add, first_outer, one);
        let first = self.nest_pass(block, first_outer, nest);
        let second = self.nest_pass(block, second_outer, nest);
        let both_fit = self.both_fit(block, [&first, &second]);
        let (jammed, plain) = self.func.emit_if(block, both_fit, self.origin);
        self.jammed_steps(jammed, [&first, &second]);
        for pass in [&first, &second] {
            self.plain_pass(plain, pass);
        }
    }

    /// The pass of a `for` nest whose outer counter is `outer`: the
    /// prelude again with the counter read as `outer` gives its bounds.
    fn nest_pass(&mut self, block: BlockId, outer: InstId, nest: &SweepNest) -> Pass {
        let substitutions = HashMap::from([(nest.outer_counter, outer)]);
        let copies = self.copy(block, &nest.prelude, &substitutions, &HashMap::new());
        Pass {
            lo: Some(copies[&self.sweep.lo]),
            hi: Some(copies[&self.sweep.hi]),
            substitutions,
            ..Pass::default()
        }
    }

    /// Whether both passes are empty or make every access in range.
    pub fn both_fit(&mut self, block: BlockId, [first, second]: [&Pass; 2]) -> InstId {
        let first_fits = self.in_range(block, first.bounds());
        let second_fits = self.in_range(block, second.bounds());
        self.binary(block, BinaryOp::And, first_fits, second_fits)
    }

    /// Whether the pass `lo..hi` is empty or every access it makes is in
    /// range: `lo + least >= 0` and `hi - 1 + greatest < len` for every
    /// array.
    fn in_range(&mut self, block: BlockId, (lo, hi): (InstId, InstId)) -> InstId {
        let mut fits = self.append(block, Inst::Bool(true));
        for (&array, &(least, greatest)) in &self.sweep.windows {
            let length = self.length(block, array);
            let lowest = self.int(block, -least);
            let low_fits = self.binary(block, BinaryOp::Ge, lo, lowest);
            let greatest = self.int(block, greatest);
            let highest = self.binary(block, BinaryOp::Sub, length, greatest);
            let high_fits = self.binary(block, BinaryOp::Le, hi, highest);
            let array_fits = self.binary(block, BinaryOp::And, low_fits, high_fits);
            fits = self.binary(block, BinaryOp::And, fits, array_fits);
        }
        let runs = self.binary(block, BinaryOp::Lt, lo, hi);
        let empty = self.append(block, Inst::Unary(UnaryOp::Not, runs));
        self.binary(block, BinaryOp::Or, empty, fits)
    }

    fn length(&mut self, block: BlockId, array: VarId) -> InstId {
        let VarType::Array { dims, .. } = &self.func.vars[array].ty else {
            unreachable!("windows are of 1-D arrays");
        };
        let dim = dims[0];
        self.append(block, Inst::SizeOf(dim))
    }

    /// `for t in first..last`, running iteration `t` of the first pass and
    /// iteration `t - lag` of the second, each where its pass has it: as
    /// three loops, the middle one over the steps where both passes run
    /// (after the second's first iteration), whose body is straight-line
    /// code (no guards, and reverse mode reserves its tape traffic before
    /// it), and the two around it with each iteration guarded.
    pub fn jammed_steps(&mut self, block: BlockId, [first, second]: [&Pass; 2]) {
        let (first_lo, first_hi) = first.bounds();
        let (second_lo, second_hi) = second.bounds();
        let lag = self.int(block, self.sweep.lag);
        let late_lo = self.binary(block, BinaryOp::Add, second_lo, lag);
        let late_hi = self.binary(block, BinaryOp::Add, second_hi, lag);
        let first_runs = self.binary(block, BinaryOp::Lt, first_lo, first_hi);
        let second_runs = self.binary(block, BinaryOp::Lt, second_lo, second_hi);
        let zero = self.int(block, 0);
        let start = self.extreme(block, BinaryOp::Lt, [first_lo, late_lo]);
        let end = self.extreme(block, BinaryOp::Gt, [first_hi, late_hi]);
        let runs = [first_runs, second_runs];
        let start = self.either(block, runs, [first_lo, late_lo, start], zero);
        let end = self.either(block, runs, [first_hi, late_hi, end], zero);
        // Both run on [max(first_lo, late_lo + 1), min(first_hi, late_hi)),
        // clamped into [start, end] (empty unless both passes run).
        let one = self.int(block, 1);
        let after_first = self.binary(block, BinaryOp::Add, late_lo, one);
        let both_lo = self.extreme(block, BinaryOp::Gt, [first_lo, after_first]);
        let both_hi = self.extreme(block, BinaryOp::Lt, [first_hi, late_hi]);
        let both_lo = self.extreme(block, BinaryOp::Gt, [both_lo, start]);
        let both_lo = self.extreme(block, BinaryOp::Lt, [both_lo, end]);
        let both_hi = self.extreme(block, BinaryOp::Gt, [both_hi, both_lo]);
        let both_hi = self.extreme(block, BinaryOp::Lt, [both_hi, end]);
        self.guarded_steps(block, (start, both_lo), [first, second]);
        self.steady_steps(block, (both_lo, both_hi), [first, second]);
        self.guarded_steps(block, (both_hi, end), [first, second]);
    }

    /// Steps where both passes run: each iteration unguarded, and the
    /// shadowed pass copying in only its window's top element.
    fn steady_steps(&mut self, block: BlockId, range: (InstId, InstId), passes: [&Pass; 2]) {
        let step_counter = self.int_var("step");
        let step_body = self
            .func
            .emit_for(block, step_counter, range, false, self.origin);
        for (pass, delay) in passes.into_iter().zip([0, self.sweep.lag]) {
            if pass.shadowed {
                for &array in &self.sweep.stored {
                    let (_, greatest) = self.sweep.windows[&array];
                    let shadow = pass.renames[&array];
                    self.copy_element(step_body, step_counter, delay, greatest, [array, shadow]);
                }
            }
            let iteration = self.iteration(step_body, step_counter, delay);
            self.body(step_body, pass, iteration);
        }
    }

    /// Steps where a pass may not run: each iteration guarded by its
    /// pass's bounds.
    fn guarded_steps(&mut self, block: BlockId, range: (InstId, InstId), passes: [&Pass; 2]) {
        let step_counter = self.int_var("step");
        let step_body = self
            .func
            .emit_for(block, step_counter, range, false, self.origin);
        for (pass, delay) in passes.into_iter().zip([0, self.sweep.lag]) {
            let (lo, hi) = pass.bounds();
            let iteration = self.iteration(step_body, step_counter, delay);
            let from_lo = self.binary(step_body, BinaryOp::Le, lo, iteration);
            let below_hi = self.binary(step_body, BinaryOp::Lt, iteration, hi);
            let inside = self.binary(step_body, BinaryOp::And, from_lo, below_hi);
            let (runs, _) = self.func.emit_if(step_body, inside, self.origin);
            if pass.shadowed {
                self.copy_into_shadows(runs, step_counter, delay, pass);
            }
            // The iteration again, rather than spilled.
            let iteration = self.iteration(runs, step_counter, delay);
            self.body(runs, pass, iteration);
        }
    }

    /// Before iteration `j` of a shadowed pass: copies into each shadow the
    /// elements the iteration is the first of its pass to touch, the whole
    /// window at the pass's first iteration and its top element after.
    /// The first pass of the pair is done with them (the lag is wider
    /// than any window).
    fn copy_into_shadows(&mut self, block: BlockId, step_counter: VarId, delay: i64, pass: &Pass) {
        let (lo, _) = pass.bounds();
        let iteration = self.iteration(block, step_counter, delay);
        let first = self.binary(block, BinaryOp::Eq, iteration, lo);
        let (whole, top) = self.func.emit_if(block, first, self.origin);
        for &array in &self.sweep.stored {
            let shadow = pass.renames[&array];
            let (least, greatest) = self.sweep.windows[&array];
            for offset in least..=greatest {
                self.copy_element(whole, step_counter, delay, offset, [array, shadow]);
            }
            self.copy_element(top, step_counter, delay, greatest, [array, shadow]);
        }
    }

    /// `t - delay`, the iteration a pass `delay` steps behind runs at step
    /// `t`, read from the step counter.
    fn iteration(&mut self, block: BlockId, step_counter: VarId, delay: i64) -> InstId {
        let step = self.append(block, Inst::Read(step_counter));
        let behind = self.int(block, delay);
        self.binary(block, BinaryOp::Sub, step, behind)
    }

    /// `shadow[t - delay + offset] = array[t - delay + offset]`.
    fn copy_element(
        &mut self,
        block: BlockId,
        step_counter: VarId,
        delay: i64,
        offset: i64,
        [array, shadow]: [VarId; 2],
    ) {
        let step = self.append(block, Inst::Read(step_counter));
        let shift = self.int(block, offset - delay);
        let index = self.binary(block, BinaryOp::Add, step, shift);
        let value = self.append(
            block,
            Inst::Load {
                array,
                indices: vec![index],
            },
        );
        let _ = self.append(
            block,
            Inst::Store {
                array: shadow,
                indices: vec![index],
                value,
            },
        );
    }

    /// `a` if `cond` else `b`, for `cond = a op b`: the smaller or larger.
    fn extreme(&mut self, block: BlockId, op: BinaryOp, [a, b]: [InstId; 2]) -> InstId {
        let cond = self.binary(block, op, a, b);
        self.select(block, cond, a, b)
    }

    /// `both` when both passes run, the one that runs, else `none`.
    fn either(
        &mut self,
        block: BlockId,
        [first_runs, second_runs]: [InstId; 2],
        [first, second, both]: [InstId; 3],
        none: InstId,
    ) -> InstId {
        let with_first = self.select(block, second_runs, both, first);
        let without_first = self.select(block, second_runs, second, none);
        self.select(block, first_runs, with_first, without_first)
    }

    /// The pass as the original inner loop runs it.
    fn plain_pass(&mut self, block: BlockId, pass: &Pass) {
        let counter = self.int_var("i");
        let body = self
            .func
            .emit_for(block, counter, pass.bounds(), false, self.origin);
        let iteration = self.append(body, Inst::Read(counter));
        self.body(body, pass, iteration);
    }

    /// One iteration of the sweep's body for `pass`, with the counter read
    /// as `iteration`.
    fn body(&mut self, block: BlockId, pass: &Pass, iteration: InstId) {
        let mut substitutions = pass.substitutions.clone();
        let _ = substitutions.insert(self.sweep.counter, iteration);
        let body = self.sweep.body.clone();
        let _ = self.copy(block, &body, &substitutions, &pass.renames);
    }

    /// Appends copies of the straight-line `insts` to `block`, with each
    /// read of a variable in `substitutions` replaced by its value and the
    /// variables in `renames` replaced by theirs; returns the copy of each
    /// original value.
    pub fn copy(
        &mut self,
        block: BlockId,
        insts: &[InstId],
        substitutions: &HashMap<VarId, InstId>,
        renames: &HashMap<VarId, VarId>,
    ) -> HashMap<InstId, InstId> {
        let mut copies: HashMap<InstId, InstId> = HashMap::new();
        for &inst in insts {
            let original = &self.func.insts[inst];
            if let Inst::Read(var) = original
                && let Some(value) = substitutions.get(var)
            {
                let _ = copies.insert(inst, *value);
                continue;
            }
            let copy = renamed(&original.map_operands(|operand| copies[&operand]), renames);
            let origin = self.func.origins[inst];
            let id = self.func.append(block, copy, origin);
            self.func.site_attrs[id] = self.func.site_attrs[inst];
            let _ = copies.insert(inst, id);
        }
        copies
    }
}

/// `inst` with the variables of its reads, writes and element accesses
/// replaced as `renames` says.
fn renamed(inst: &Inst, renames: &HashMap<VarId, VarId>) -> Inst {
    let rename = |var: &VarId| *renames.get(var).unwrap_or(var);
    match inst {
        Inst::Read(var) => Inst::Read(rename(var)),
        Inst::Write { var, value } => Inst::Write {
            var: rename(var),
            value: *value,
        },
        Inst::Load { array, indices } => Inst::Load {
            array: rename(array),
            indices: indices.clone(),
        },
        Inst::Store {
            array,
            indices,
            value,
        } => Inst::Store {
            array: rename(array),
            indices: indices.clone(),
            value: *value,
        },
        other => other.clone(),
    }
}
