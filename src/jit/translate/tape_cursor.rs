//! Tape traffic sized from loop bounds: one check before a loop instead of
//! one per push or pop.
//!
//! A loop whose body is straight-line code that pushes `P` values per
//! iteration (and pops none) runs `trip = max(hi - lo, 0)` iterations, so
//! it pushes exactly `trip * P` values. Before the loop, the generated code
//! checks that the limit allows that many more values
//! (`trip <= remaining / P`), grows the stacks once if their capacity is
//! short (the `smoothc_tape_reserve` helper), and then runs a copy of the
//! loop whose pushes write at `len + k` without a check, updating the
//! lengths and the room left once per iteration. A loop that pops `Q`
//! values per iteration (and pushes none) checks once that each stack
//! holds `trip * Q_stack` values. When a check fails, the call stops and
//! runs again on the variant of the code without reservations, whose
//! every push and pop is checked (`JitFunction::run`), so a limit or an
//! underflow is reported at the push or pop where the interpreter reports
//! it. (A vectorized loop falls back to its scalar loop instead, which it
//! has anyway.)
//!
//! [`TapeCursor`] is where one iteration's (or one vector step's) pushes
//! and pops go: slot `len + lane * P + k` for the `k`-th push of lane
//! `lane` (the layout of running the iterations one after the other), and
//! `len - 1 - lane * Q - k` for the `k`-th pop.

use super::{FunctionTranslator, trusted};
use crate::ir::ScalarType;
use crate::ir::parallel::TapeTraffic;
use crate::jit::JitError;
use crate::jit::abi::SLOT_BYTES;
use crate::jit::runtime as helpers;
use crate::runtime::tape::offsets as tape_offsets;
use cranelift::prelude::*;

/// One of the tape's two stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::jit) enum StackKind {
    Reals,
    /// Ints and bools.
    Ints,
}

impl StackKind {
    pub(in crate::jit) fn of(ty: ScalarType) -> StackKind {
        match ty {
            ScalarType::Real => StackKind::Reals,
            ScalarType::Int | ScalarType::Bool => StackKind::Ints,
        }
    }

    fn index(self) -> usize {
        match self {
            StackKind::Reals => 0,
            StackKind::Ints => 1,
        }
    }

    fn data_offset(self) -> i32 {
        match self {
            StackKind::Reals => tape_offsets::REALS_DATA,
            StackKind::Ints => tape_offsets::INTS_DATA,
        }
    }

    fn len_offset(self) -> i32 {
        match self {
            StackKind::Reals => tape_offsets::REALS_LEN,
            StackKind::Ints => tape_offsets::INTS_LEN,
        }
    }

    fn capacity_offset(self) -> i32 {
        match self {
            StackKind::Reals => tape_offsets::REALS_CAPACITY,
            StackKind::Ints => tape_offsets::INTS_CAPACITY,
        }
    }
}

/// A stack as the cursor saw it when first used in this iteration.
#[derive(Clone, Copy, Debug)]
struct CursorStack {
    /// The address of slot `len`.
    top: Value,
    len: Value,
}

/// Where the pushes (or pops) of one iteration, or of one vector step of
/// `lanes` iterations, go once the loop's traffic is reserved.
#[derive(Clone, Debug)]
pub(in crate::jit) struct TapeCursor {
    /// Whether the body pushes (else it pops).
    pushes: bool,
    /// Iterations run at once.
    lanes: i64,
    /// Values one iteration moves, per stack.
    per_lane: [i64; 2],
    stacks: [Option<CursorStack>; 2],
    /// Pushes or pops of one iteration so far, per stack.
    done: [i64; 2],
}

impl TapeCursor {
    /// A cursor for `lanes` iterations of a body with this traffic (which
    /// pushes or pops, not both).
    pub(in crate::jit) fn new(traffic: TapeTraffic, lanes: i64) -> TapeCursor {
        let pushes = traffic.pushes() > 0;
        let per_lane = if pushes {
            [traffic.pushed_reals, traffic.pushed_ints]
        } else {
            [traffic.popped_reals, traffic.popped_ints]
        };
        TapeCursor {
            pushes,
            lanes,
            per_lane: per_lane.map(|count| count as i64),
            stacks: [None; 2],
            done: [0; 2],
        }
    }
}

impl FunctionTranslator<'_> {
    /// Emits the check of a loop's whole tape traffic: the returned `i8`
    /// is true when the loop may push (or pop) without checks. Grows the
    /// stacks when they are short of capacity.
    pub(in crate::jit) fn reserve_tape(
        &mut self,
        lo: Value,
        hi: Value,
        traffic: TapeTraffic,
    ) -> Result<Value, JitError> {
        let nonempty = self.builder.ins().icmp(IntCC::SignedGreaterThan, hi, lo);
        let span = self.builder.ins().isub(hi, lo);
        let zero = self.builder.ins().iconst(types::I64, 0);
        // `hi - lo` is exact as an unsigned number when `hi > lo`.
        let trip = self.builder.ins().select(nonempty, span, zero);
        if traffic.pushes() > 0 {
            self.reserve_pushes(trip, traffic)
        } else {
            Ok(self.check_pops(trip, traffic))
        }
    }

    /// `trip * pushes <= remaining`, then capacity for the pushes.
    fn reserve_pushes(&mut self, trip: Value, traffic: TapeTraffic) -> Result<Value, JitError> {
        let remaining = self.load_tape_field(tape_offsets::REMAINING);
        let per_trip = self
            .builder
            .ins()
            .udiv_imm_u(remaining, traffic.pushes() as i64);
        let allowed = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, trip, per_trip);
        let check_capacity = self.builder.create_block();
        let grow = self.builder.create_block();
        let join = self.builder.create_block();
        let reserved = self.builder.append_block_param(join, types::I8);
        let no = self.builder.ins().iconst(types::I8, 0);
        let _ = self
            .builder
            .ins()
            .brif(allowed, check_capacity, &[], join, &[no.into()]);
        self.builder.seal_block(check_capacity);

        // No overflow below: `trip * pushes <= remaining <= limit`, and
        // `len + remaining <= limit`.
        self.builder.switch_to_block(check_capacity);
        let mut short = self.builder.ins().iconst(types::I8, 0);
        let mut counts = Vec::new();
        for (stack, per_iteration) in [
            (StackKind::Reals, traffic.pushed_reals),
            (StackKind::Ints, traffic.pushed_ints),
        ] {
            let count = self.builder.ins().imul_imm_s(trip, per_iteration as i64);
            counts.push(count);
            if per_iteration == 0 {
                continue;
            }
            let len = self.load_tape_field(stack.len_offset());
            let capacity = self.load_tape_field(stack.capacity_offset());
            let needed = self.builder.ins().iadd(len, count);
            let over = self
                .builder
                .ins()
                .icmp(IntCC::UnsignedGreaterThan, needed, capacity);
            short = self.builder.ins().bor(short, over);
        }
        let yes = self.builder.ins().iconst(types::I8, 1);
        let _ = self
            .builder
            .ins()
            .brif(short, grow, &[], join, &[yes.into()]);
        self.builder.seal_block(grow);
        self.builder.set_cold_block(grow);

        self.builder.switch_to_block(grow);
        let pointer_type = self.pointer_type;
        let func_ref = self.import(
            helpers::TAPE_RESERVE,
            &[pointer_type, types::I64, types::I64],
            &[],
        )?;
        let tape = self.tape;
        let _ = self
            .builder
            .ins()
            .call(func_ref, &[tape, counts[0], counts[1]]);
        let yes = self.builder.ins().iconst(types::I8, 1);
        let _ = self.builder.ins().jump(join, &[yes.into()]);
        self.builder.seal_block(join);

        self.builder.switch_to_block(join);
        Ok(reserved)
    }

    /// Each stack holds the values the loop pops from it.
    fn check_pops(&mut self, trip: Value, traffic: TapeTraffic) -> Value {
        let mut enough = self.builder.ins().iconst(types::I8, 1);
        for (stack, per_iteration) in [
            (StackKind::Reals, traffic.popped_reals),
            (StackKind::Ints, traffic.popped_ints),
        ] {
            if per_iteration == 0 {
                continue;
            }
            let len = self.load_tape_field(stack.len_offset());
            let per_trip = self.builder.ins().udiv_imm_u(len, per_iteration as i64);
            let holds = self
                .builder
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, trip, per_trip);
            enough = self.builder.ins().band(enough, holds);
        }
        enough
    }

    /// The address and the byte offset of lane `lane`'s next push or pop
    /// on `stack` under the current cursor (see [`TapeCursor`]); call
    /// [`Self::advance_tape_cursor`] after the last lane.
    pub(in crate::jit) fn tape_cursor_slot(&mut self, stack: StackKind, lane: i64) -> (Value, i32) {
        let index = stack.index();
        let cursor = self.tape_cursor.as_ref().expect("a tape cursor is set");
        let stacks = cursor.stacks[index];
        let (pushes, per_lane, done) = (cursor.pushes, cursor.per_lane[index], cursor.done[index]);
        let top = match stacks {
            Some(state) => state.top,
            None => {
                let data = self.load_tape_pointer_field(stack.data_offset());
                let len = self.load_tape_field(stack.len_offset());
                let bytes = self.builder.ins().imul_imm_s(len, SLOT_BYTES);
                let bytes = self.pointer_from_i64(bytes);
                let top = self.builder.ins().iadd(data, bytes);
                let cursor = self.tape_cursor.as_mut().expect("a tape cursor is set");
                cursor.stacks[index] = Some(CursorStack { top, len });
                top
            }
        };
        let slot = if pushes {
            lane * per_lane + done
        } else {
            -1 - lane * per_lane - done
        };
        let offset = i32::try_from(slot * SLOT_BYTES).expect("a body has few pushes");
        (top, offset)
    }

    /// Moves the cursor past one push or pop of every lane on `stack`.
    pub(in crate::jit) fn advance_tape_cursor(&mut self, stack: StackKind) {
        let cursor = self.tape_cursor.as_mut().expect("a tape cursor is set");
        cursor.done[stack.index()] += 1;
    }

    /// `Push` without a check, under the cursor (one lane).
    pub(super) fn push_at_cursor(&mut self, ty: ScalarType, value: Value) {
        let value = match ty {
            ScalarType::Bool => self.builder.ins().uextend(types::I64, value),
            ScalarType::Real | ScalarType::Int => value,
        };
        let stack = StackKind::of(ty);
        let (top, offset) = self.tape_cursor_slot(stack, 0);
        let _ = self.builder.ins().store(trusted(), value, top, offset);
        self.advance_tape_cursor(stack);
    }

    /// `Pop` without a check, under the cursor (one lane).
    pub(super) fn pop_at_cursor(&mut self, ty: ScalarType) -> Value {
        let stack = StackKind::of(ty);
        let word = self.load_at_cursor(stack, 0);
        self.advance_tape_cursor(stack);
        match ty {
            ScalarType::Bool => self.builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0),
            ScalarType::Real | ScalarType::Int => word,
        }
    }

    /// The word lane `lane`'s next pop on `stack` reads (`f64` or `i64`).
    pub(in crate::jit) fn load_at_cursor(&mut self, stack: StackKind, lane: i64) -> Value {
        let (top, offset) = self.tape_cursor_slot(stack, lane);
        let ty = match stack {
            StackKind::Reals => types::F64,
            StackKind::Ints => types::I64,
        };
        self.builder.ins().load(ty, trusted(), top, offset)
    }

    /// Ends the iteration (or step) of the current cursor: stores the new
    /// lengths and the room left, and clears the cursor.
    pub(in crate::jit) fn finish_tape_cursor(&mut self) {
        let cursor = self.tape_cursor.take().expect("a tape cursor is set");
        let mut moved = 0;
        for stack in [StackKind::Reals, StackKind::Ints] {
            let index = stack.index();
            let Some(state) = cursor.stacks[index] else {
                continue;
            };
            let count = cursor.lanes * cursor.done[index];
            moved += count;
            let delta = if cursor.pushes { count } else { -count };
            let len = self.builder.ins().iadd_imm_s(state.len, delta);
            self.store_tape_field(len, stack.len_offset());
        }
        if moved > 0 {
            let remaining = self.load_tape_field(tape_offsets::REMAINING);
            let delta = if cursor.pushes { -moved } else { moved };
            let remaining = self.builder.ins().iadd_imm_s(remaining, delta);
            self.store_tape_field(remaining, tape_offsets::REMAINING);
        }
    }

    fn load_tape_field(&mut self, offset: i32) -> Value {
        let tape = self.tape;
        self.builder.ins().load(types::I64, trusted(), tape, offset)
    }

    fn load_tape_pointer_field(&mut self, offset: i32) -> Value {
        let (tape, pointer_type) = (self.tape, self.pointer_type);
        self.builder
            .ins()
            .load(pointer_type, trusted(), tape, offset)
    }

    fn store_tape_field(&mut self, value: Value, offset: i32) {
        let tape = self.tape;
        let _ = self.builder.ins().store(trusted(), value, tape, offset);
    }
}
