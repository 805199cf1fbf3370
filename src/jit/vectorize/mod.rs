//! Loops whose iterations are independent, two at a time in 128-bit
//! vector registers (`f64x2`).
//!
//! `ir::parallel` decides which `For` loops qualify and what each value of
//! the body is across iterations; this module writes the code, forward and
//! reversed alike:
//!
//! ```text
//!        [tape reserved for the whole loop?] ──no──▶ scalar(start, end)
//!                      │ yes (or no tape traffic)
//!                      ▼
//!   ┌──▶ vector header(p): two iterations left? ──no──▶ scalar(p, end)
//!   │                  │ yes
//!   │                  ▼
//!   │    precheck: uniform and index values, every index of both lanes
//!   │    in bounds, the window checks ──fail──▶ scalar(p, p ± 2)
//!   │                  │ pass
//!   │                  ▼
//!   └─── body of both lanes, no checks
//!
//!   scalar(p, stop): the ordinary checked loop from p to stop, then back
//!   to the vector header (or out, at the end).
//! ```
//!
//! A failed check sends the step's two iterations to the scalar loop,
//! which runs them with its own checks, so a fault is reported exactly as
//! the interpreter reports it (same instruction, index and order) and
//! nothing of the step was written. The vector path runs only when the
//! loop's tape traffic was reserved before the loop (`tape_cursor`): a
//! step's pushes then go to the slots the scalar iterations would have
//! used (lane `l`'s `k`-th push of a stack at `len + l * P + k`; pops
//! mirrored), with no check.
//!
//! Vectorization needs 128-bit vectors with the operations the body uses:
//! on x86-64 SSE4.1 (`roundpd`, `pinsrq`/`pextrq`), which
//! `cranelift_native` detects. Elsewhere every loop stays scalar: aarch64
//! has the operations too, but the code has not been run there yet, so it
//! is off until a test machine confirms it.

mod kernels;
mod lanes;
mod step;
#[cfg(test)]
mod tests;

use crate::ir::parallel::{ParallelLoop, TapeTraffic};
use crate::jit::JitError;
use crate::jit::translate::FunctionTranslator;
use crate::jit::translate::loops::ForLoop;
use crate::jit::translate::tape_cursor::TapeCursor;
use cranelift::prelude::*;
use cranelift_codegen::isa::TargetIsa;
use lanes::LANE_COUNT;
use step::VectorStep;

/// Whether the host has the vector operations the vectorized code uses.
pub(crate) fn host_supports(isa: &dyn TargetIsa) -> bool {
    match isa.name() {
        "x64" => isa.has_round(),
        _ => false,
    }
}

/// The groups of `LANE_COUNT` iterations a vector step may run, widest
/// first: the header takes the widest step that fits in the iterations
/// left. A step of two groups runs four iterations with their operations
/// interleaved (the analysis makes any number of iterations independent).
/// Measured on the odd-even network at n = 128 (`[2, 1]` against `[1]`),
/// it executed 1% (forward) and 5% (forward + gradient) fewer
/// instructions, but the wall times did not differ beyond the noise of a
/// shared machine, so vector steps stay one group wide (smaller code,
/// faster compilation).
const STEP_WIDTHS: &[usize] = &[1];

/// Translates a loop the analysis found parallel: the vector loop, then
/// the scalar loop for what is left (see the module documentation).
pub(crate) fn translate_vector_for(
    t: &mut FunctionTranslator,
    for_loop: &ForLoop,
    parallel: &ParallelLoop,
    traffic: Option<TapeTraffic>,
) -> Result<(), JitError> {
    let exit = t.builder.create_block();
    let vector_header = t.builder.create_block();
    let position = t.builder.append_block_param(vector_header, types::I64);
    let done = t.builder.create_block();
    let done_position = t.builder.append_block_param(done, types::I64);
    let scalar = t.create_scalar_loop(done);
    let (start, end) = (for_loop.start(), for_loop.end());

    match traffic {
        Some(traffic) => {
            let reserved = t.reserve_tape(for_loop.lo, for_loop.hi, traffic)?;
            let _ = t.builder.ins().brif(
                reserved,
                vector_header,
                &[start.into()],
                scalar.header,
                &[start.into(), end.into()],
            );
        }
        None => {
            let _ = t.builder.ins().jump(vector_header, &[start.into()]);
        }
    }

    // The header: the widest step that fits in the iterations left.
    t.builder.switch_to_block(vector_header);
    let left = if for_loop.reverse {
        t.builder.ins().isub(position, end)
    } else {
        t.builder.ins().isub(end, position)
    };
    let before_end = if for_loop.reverse {
        t.builder
            .ins()
            .icmp(IntCC::SignedGreaterThan, position, end)
    } else {
        t.builder.ins().icmp(IntCC::SignedLessThan, position, end)
    };
    let widths = STEP_WIDTHS;
    let mut steps = Vec::new();
    for (index, &groups) in widths.iter().enumerate() {
        // `left` is exact as an unsigned number when `before_end`.
        let enough = t.builder.ins().icmp_imm_u(
            IntCC::UnsignedGreaterThanOrEqual,
            left,
            (groups * LANE_COUNT) as i64,
        );
        let enter = t.builder.ins().band(before_end, enough);
        let step_block = t.builder.create_block();
        if index + 1 < widths.len() {
            let narrower = t.builder.create_block();
            let _ = t.builder.ins().brif(enter, step_block, &[], narrower, &[]);
            t.builder.seal_block(narrower);
            t.builder.switch_to_block(narrower);
        } else {
            let _ = t.builder.ins().brif(
                enter,
                step_block,
                &[],
                scalar.header,
                &[position.into(), end.into()],
            );
        }
        t.builder.seal_block(step_block);
        steps.push((step_block, groups));
    }
    for (step_block, groups) in steps {
        t.builder.switch_to_block(step_block);
        let next = emit_step(
            t,
            for_loop,
            parallel,
            traffic,
            position,
            groups,
            scalar.header,
        )?;
        let _ = t.builder.ins().jump(vector_header, &[next.into()]);
    }

    // The scalar loop, then back to the vector loop unless at the end.
    t.emit_scalar_loop(&scalar, for_loop, None)?;
    t.builder.switch_to_block(done);
    let finished = if for_loop.reverse {
        t.builder
            .ins()
            .icmp(IntCC::SignedLessThanOrEqual, done_position, end)
    } else {
        t.builder
            .ins()
            .icmp(IntCC::SignedGreaterThanOrEqual, done_position, end)
    };
    let _ = t
        .builder
        .ins()
        .brif(finished, exit, &[], vector_header, &[done_position.into()]);
    for block in [vector_header, scalar.header, done, exit] {
        t.builder.seal_block(block);
    }
    t.builder.switch_to_block(exit);
    Ok(())
}

/// One vector step of `groups` groups of lanes from header position
/// `position`: counters, precheck (on a failure the scalar loop runs the
/// step's iterations), body. Returns the position after the step.
fn emit_step(
    t: &mut FunctionTranslator,
    for_loop: &ForLoop,
    parallel: &ParallelLoop,
    traffic: Option<TapeTraffic>,
    position: Value,
    groups: usize,
    scalar_header: Block,
) -> Result<Value, JitError> {
    let direction: i64 = if for_loop.reverse { -1 } else { 1 };
    let first = if for_loop.reverse {
        t.builder.ins().iadd_imm_s(position, -1)
    } else {
        position
    };
    let counters: Vec<[Value; LANE_COUNT]> = (0..groups)
        .map(|group| {
            std::array::from_fn(|lane| {
                let iteration = (group * LANE_COUNT + lane) as i64;
                t.builder.ins().iadd_imm_s(first, direction * iteration)
            })
        })
        .collect();
    let iterations = (groups * LANE_COUNT) as i64;
    let next = t.builder.ins().iadd_imm_s(position, direction * iterations);
    if let Some(traffic) = traffic {
        t.tape_cursor = Some(TapeCursor::new(traffic, iterations));
    }
    {
        let mut vector_step = VectorStep::new(t, parallel, *for_loop, counters);
        vector_step.precheck(scalar_header, &[position, next])?;
        vector_step.body()?;
    }
    if traffic.is_some() {
        t.finish_tape_cursor();
    }
    Ok(next)
}
