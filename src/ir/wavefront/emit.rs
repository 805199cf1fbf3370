//! The rewrite of one sweep nest: passes in pairs, each pair one loop of
//! steps that runs an iteration of the first pass and, `lag` iterations
//! behind, one of the second (see the module doc for the code it emits).
//!
//! Values are emitted where they are computed and used wherever needed;
//! `segments::repair` (run by the caller) spills the ones that cross
//! control flow.

use super::nest::SweepNest;
use crate::ir::{
    BinaryOp, BlockId, Func, Inst, InstId, ScalarType, UnaryOp, VarId, VarRole, VarType,
};
use crate::syntax::span::Origin;
use std::collections::HashMap;

/// One pass of a pair: the outer counter's value and the inner bounds.
#[derive(Clone, Copy)]
struct Pass {
    outer: InstId,
    lo: InstId,
    hi: InstId,
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

    let mut emit = Emitter { func, origin };
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

struct Emitter<'f> {
    func: &'f mut Func,
    origin: Origin,
}

impl Emitter<'_> {
    fn append(&mut self, block: BlockId, inst: Inst) -> InstId {
        self.func.append(block, inst, self.origin)
    }

    fn int(&mut self, block: BlockId, value: i64) -> InstId {
        self.append(block, Inst::Int(value))
    }

    fn binary(&mut self, block: BlockId, op: BinaryOp, lhs: InstId, rhs: InstId) -> InstId {
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

    fn int_var(&mut self, name: &str) -> VarId {
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
        let first = self.pass_bounds(block, first_outer, nest);
        let second = self.pass_bounds(block, second_outer, nest);
        let first_fits = self.in_range(block, first, nest);
        let second_fits = self.in_range(block, second, nest);
        let both_fit = self.binary(block, BinaryOp::And, first_fits, second_fits);
        let (jammed, plain) = self.func.emit_if(block, both_fit, self.origin);
        self.jammed_steps(jammed, [first, second], nest);
        for pass in [first, second] {
            self.plain_pass(plain, pass, nest);
        }
    }

    /// The prelude again with the outer counter read as `outer`: the
    /// bounds of that pass.
    fn pass_bounds(&mut self, block: BlockId, outer: InstId, nest: &SweepNest) -> Pass {
        let substitutions = HashMap::from([(nest.outer_counter, outer)]);
        let copies = self.copy(block, &nest.prelude, &substitutions);
        Pass {
            outer,
            lo: copies[&nest.inner_lo],
            hi: copies[&nest.inner_hi],
        }
    }

    /// Whether the pass is empty or every access it makes is in range:
    /// `lo + least >= 0` and `hi - 1 + greatest < len` for every array.
    fn in_range(&mut self, block: BlockId, pass: Pass, nest: &SweepNest) -> InstId {
        let mut fits = self.append(block, Inst::Bool(true));
        for (&array, &(least, greatest)) in &nest.windows {
            let VarType::Array { dims, .. } = &self.func.vars[array].ty else {
                unreachable!("windows are of 1-D arrays");
            };
            let length = self.append(block, Inst::SizeOf(dims[0]));
            let lowest = self.int(block, -least);
            let low_fits = self.binary(block, BinaryOp::Ge, pass.lo, lowest);
            let greatest = self.int(block, greatest);
            let highest = self.binary(block, BinaryOp::Sub, length, greatest);
            let high_fits = self.binary(block, BinaryOp::Le, pass.hi, highest);
            let array_fits = self.binary(block, BinaryOp::And, low_fits, high_fits);
            fits = self.binary(block, BinaryOp::And, fits, array_fits);
        }
        let runs = self.binary(block, BinaryOp::Lt, pass.lo, pass.hi);
        let empty = self.append(block, Inst::Unary(UnaryOp::Not, runs));
        self.binary(block, BinaryOp::Or, empty, fits)
    }

    /// `for t in first..last`, running iteration `t` of the first pass and
    /// iteration `t - lag` of the second, each where its pass has it.
    fn jammed_steps(&mut self, block: BlockId, [first, second]: [Pass; 2], nest: &SweepNest) {
        let lag = self.int(block, nest.lag);
        let second_lo = self.binary(block, BinaryOp::Add, second.lo, lag);
        let second_hi = self.binary(block, BinaryOp::Add, second.hi, lag);
        let first_runs = self.binary(block, BinaryOp::Lt, first.lo, first.hi);
        let second_runs = self.binary(block, BinaryOp::Lt, second.lo, second.hi);
        let zero = self.int(block, 0);
        let start = self.extreme(block, BinaryOp::Lt, [first.lo, second_lo]);
        let end = self.extreme(block, BinaryOp::Gt, [first.hi, second_hi]);
        let start = self.either(
            block,
            [first_runs, second_runs],
            [first.lo, second_lo, start],
            zero,
        );
        let end = self.either(
            block,
            [first_runs, second_runs],
            [first.hi, second_hi, end],
            zero,
        );
        let step_counter = self.int_var("step");
        let step_body = self
            .func
            .emit_for(block, step_counter, (start, end), false, self.origin);
        for (pass, delay) in [(first, 0), (second, nest.lag)] {
            let step = self.append(step_body, Inst::Read(step_counter));
            let behind = self.int(step_body, delay);
            let iteration = self.binary(step_body, BinaryOp::Sub, step, behind);
            let from_lo = self.binary(step_body, BinaryOp::Le, pass.lo, iteration);
            let below_hi = self.binary(step_body, BinaryOp::Lt, iteration, pass.hi);
            let inside = self.binary(step_body, BinaryOp::And, from_lo, below_hi);
            let (runs, _) = self.func.emit_if(step_body, inside, self.origin);
            // The iteration again inside the branch, rather than spilled.
            let step = self.append(runs, Inst::Read(step_counter));
            let behind = self.int(runs, delay);
            let iteration = self.binary(runs, BinaryOp::Sub, step, behind);
            self.body(runs, pass, iteration, nest);
        }
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
    fn plain_pass(&mut self, block: BlockId, pass: Pass, nest: &SweepNest) {
        let counter = self.int_var("i");
        let body = self
            .func
            .emit_for(block, counter, (pass.lo, pass.hi), false, self.origin);
        let iteration = self.append(body, Inst::Read(counter));
        self.body(body, pass, iteration, nest);
    }

    /// One iteration of the inner body, for the pass's outer counter and
    /// the inner counter read as `iteration`.
    fn body(&mut self, block: BlockId, pass: Pass, iteration: InstId, nest: &SweepNest) {
        let substitutions = HashMap::from([
            (nest.outer_counter, pass.outer),
            (nest.inner_counter, iteration),
        ]);
        let _ = self.copy(block, &nest.body, &substitutions);
    }

    /// Appends copies of the straight-line `insts` to `block`, with each
    /// read of a variable in `substitutions` replaced by its value; returns
    /// the copy of each original value.
    fn copy(
        &mut self,
        block: BlockId,
        insts: &[InstId],
        substitutions: &HashMap<VarId, InstId>,
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
            let copy = original.map_operands(|operand| copies[&operand]);
            let origin = self.func.origins[inst];
            let id = self.func.append(block, copy, origin);
            self.func.site_attrs[id] = self.func.site_attrs[inst];
            let _ = copies.insert(inst, id);
        }
        copies
    }
}
