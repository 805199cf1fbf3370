//! `For` loops: the choice between the vectorized form (`jit::vectorize`),
//! the loop whose tape traffic is reserved before it (`tape_cursor`; the
//! code variant without reservations runs when that fails), and the plain
//! counted loop, and the scalar loop all three are built from.
//!
//! The scalar loop's header carries the counter's next position and the
//! position to stop at as block parameters, independent of what the body
//! writes to the counter variable. Forward, the body sees `position` and
//! the header tests `position < stop`; reversed, the header carries
//! `position` from `hi` down, tests `position > stop` and the body sees
//! `position - 1`. Neither form can overflow. The vectorized form stops
//! the scalar loop early (after the iterations of one vector step) to go
//! back to its vector loop.

use super::FunctionTranslator;
use crate::ir::parallel::{self, Rejection, TapeTraffic};
use crate::ir::{BlockId, InstId, ScalarType, VarId};
use crate::jit::{IrFault, JitError};
use cranelift::prelude::*;

/// A `For` loop being translated, its bounds evaluated.
#[derive(Clone, Copy, Debug)]
pub(in crate::jit) struct ForLoop {
    /// The `For` instruction.
    pub(in crate::jit) inst: InstId,
    pub(in crate::jit) counter: Variable,
    pub(in crate::jit) lo: Value,
    pub(in crate::jit) hi: Value,
    pub(in crate::jit) body: BlockId,
    pub(in crate::jit) reverse: bool,
}

impl ForLoop {
    /// The header position of the first iteration.
    pub(in crate::jit) fn start(&self) -> Value {
        if self.reverse { self.hi } else { self.lo }
    }

    /// The header position after the last iteration.
    pub(in crate::jit) fn end(&self) -> Value {
        if self.reverse { self.lo } else { self.hi }
    }
}

/// What the translator made of one `For` loop (for tests and for
/// `smoothc ir --stage clif`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopReport {
    /// The `For` instruction.
    pub inst: InstId,
    /// Whether two iterations run at a time in vector registers.
    pub vectorized: bool,
    /// Whether the loop's tape traffic is checked once before the loop.
    pub tape_reserved: bool,
    /// Why the loop is not vectorized (`None` when it is, or when
    /// vectorization is off).
    pub rejection: Option<Rejection>,
}

/// The blocks of one scalar copy of a loop: `header(position, stop)` runs
/// iterations until `position` reaches `stop`, then jumps to
/// `done(position)`.
#[derive(Clone, Copy, Debug)]
pub(in crate::jit) struct ScalarLoop {
    pub(in crate::jit) header: Block,
    pub(in crate::jit) done: Block,
}

impl FunctionTranslator<'_> {
    pub(super) fn translate_for(
        &mut self,
        inst: InstId,
        counter: VarId,
        lo: InstId,
        hi: InstId,
        body: BlockId,
        reverse: bool,
    ) -> Result<(), JitError> {
        let counter_variable = self.variable(inst, counter)?;
        if self.func.vars[counter].ty.elem() != ScalarType::Int {
            return Err(self.malformed(inst, IrFault::CounterType { var: counter }));
        }
        let for_loop = ForLoop {
            inst,
            counter: counter_variable,
            lo: self.typed_operand(inst, lo, ScalarType::Int)?,
            hi: self.typed_operand(inst, hi, ScalarType::Int)?,
            body,
            reverse,
        };
        // Reserved only when the body pushes or pops, not both.
        let traffic = parallel::tape_traffic(self.func, body)
            .filter(|traffic| (traffic.pushes() > 0) != (traffic.pops() > 0));
        let analysis = self.vectorize.then(|| parallel::analyze(self.func, inst));
        let report = LoopReport {
            inst,
            vectorized: matches!(analysis, Some(Ok(_))),
            tape_reserved: traffic.is_some()
                && (matches!(analysis, Some(Ok(_))) || self.reserves_tape),
            rejection: analysis
                .as_ref()
                .and_then(|analysis| analysis.as_ref().err().cloned()),
        };
        self.loop_reports.push(report);
        match (analysis, traffic) {
            (Some(Ok(parallel)), _) => {
                crate::jit::vectorize::translate_vector_for(self, &for_loop, &parallel, traffic)?;
            }
            // The vectorized form reserves in both variants: it falls back
            // to its scalar loop, which checks every push and pop.
            (_, Some(traffic)) if self.reserves_tape => {
                self.translate_reserved_for(&for_loop, traffic)?;
            }
            (_, _) => self.translate_plain_for(&for_loop)?,
        }
        // Every form ends in the block after the loop.
        self.forget_dead_at_exit(inst);
        Ok(())
    }

    /// The loop as it is: one scalar copy over all iterations.
    fn translate_plain_for(&mut self, for_loop: &ForLoop) -> Result<(), JitError> {
        let exit = self.builder.create_block();
        let _ = self.builder.append_block_param(exit, types::I64);
        let scalar = self.create_scalar_loop(exit);
        let (start, end) = (for_loop.start(), for_loop.end());
        let _ = self
            .builder
            .ins()
            .jump(scalar.header, &[start.into(), end.into()]);
        self.emit_scalar_loop(&scalar, for_loop, None)?;
        self.builder.seal_block(scalar.header);
        self.builder.seal_block(exit);
        self.builder.switch_to_block(exit);
        Ok(())
    }

    /// The loop whose pushes (or pops) go unchecked after one check of the
    /// whole loop's traffic. When that check fails the call stops with
    /// `STATUS_UNRESERVED`, and runs again on the variant of the code
    /// without reservations (`JitFunction::run`): a checked copy of every
    /// such loop here would double its code for a path only a failing call
    /// takes.
    fn translate_reserved_for(
        &mut self,
        for_loop: &ForLoop,
        traffic: TapeTraffic,
    ) -> Result<(), JitError> {
        let reserved = self.reserve_tape(for_loop.lo, for_loop.hi, traffic)?;
        let exit = self.builder.create_block();
        let _ = self.builder.append_block_param(exit, types::I64);
        let fast = self.create_scalar_loop(exit);
        let unreserved = self.status_block(crate::jit::abi::STATUS_UNRESERVED);
        let (start, end) = (for_loop.start(), for_loop.end());
        let _ = self.builder.ins().brif(
            reserved,
            fast.header,
            &[start.into(), end.into()],
            unreserved,
            &[],
        );
        self.emit_scalar_loop(&fast, for_loop, Some(traffic))?;
        self.builder.seal_block(fast.header);
        self.builder.seal_block(exit);
        self.builder.switch_to_block(exit);
        Ok(())
    }

    /// The header block of a scalar copy ending in `done` (which takes the
    /// final position as its one `i64` parameter).
    pub(in crate::jit) fn create_scalar_loop(&mut self, done: Block) -> ScalarLoop {
        let header = self.builder.create_block();
        let _ = self.builder.append_block_param(header, types::I64);
        let _ = self.builder.append_block_param(header, types::I64);
        ScalarLoop { header, done }
    }

    /// Emits the header and body of a scalar copy (the current block must
    /// be filled). With `reserved`, its pushes and pops go through a tape
    /// cursor without checks. Seals neither the header nor `done`.
    pub(in crate::jit) fn emit_scalar_loop(
        &mut self,
        scalar: &ScalarLoop,
        for_loop: &ForLoop,
        reserved: Option<TapeTraffic>,
    ) -> Result<(), JitError> {
        let body_clif = self.builder.create_block();
        self.builder.switch_to_block(scalar.header);
        let (position, stop) = {
            let params = self.builder.block_params(scalar.header);
            (params[0], params[1])
        };
        let condition = if for_loop.reverse {
            IntCC::SignedGreaterThan
        } else {
            IntCC::SignedLessThan
        };
        let more = self.builder.ins().icmp(condition, position, stop);
        let _ = self
            .builder
            .ins()
            .brif(more, body_clif, &[], scalar.done, &[position.into()]);
        self.builder.seal_block(body_clif);

        self.builder.switch_to_block(body_clif);
        self.forget_dead_at_body_entry(for_loop.inst);
        let (current, next) = if for_loop.reverse {
            let current = self.builder.ins().iadd_imm_s(position, -1);
            (current, current)
        } else {
            (position, self.builder.ins().iadd_imm_s(position, 1))
        };
        self.builder.def_var(for_loop.counter, current);
        if let Some(traffic) = reserved {
            self.tape_cursor = Some(super::tape_cursor::TapeCursor::new(traffic, 1));
        }
        let recorded = self.counters_in_range.enter(self.func, for_loop.inst);
        self.translate_block(for_loop.body)?;
        if recorded {
            self.counters_in_range.leave();
        }
        if reserved.is_some() {
            self.finish_tape_cursor();
        }
        let _ = self
            .builder
            .ins()
            .jump(scalar.header, &[next.into(), stop.into()]);
        Ok(())
    }
}
