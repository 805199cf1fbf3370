//! The relaxed `while`: the expectation over the step at which the loop
//! stops, as in AlgoVision.
//!
//! With `s_0` the state on entry, `s_{k+1} = body(s_k)` (the body itself
//! relaxed as usual), `c_k` the soft condition on `s_k`, `r_0 = 1` and
//! `r_{k+1} = r_k c_k` the probability that the loop is still running
//! before step `k + 1`, every variable the loop writes and uses afterwards
//! ends as
//!
//! ```text
//! sum_k r_k (1 - c_k) s_k  +  r_K s_K
//! ```
//!
//! where `K` is the bound (`#[bound(N)]`), or the first step at which
//! `r_K <= EPSILON`: the loop stops early once the chance that it is still
//! running is negligible, and the remaining weight stays on the state
//! reached, so the weights always sum to one. As `tau -> 0` every `c_k` is 0
//! or 1 and this is the hard loop.
//!
//! A step is run only while the probability `r_{k+1}` of reaching it is
//! positive: once a condition is exactly 0 the remaining terms are 0
//! whatever the state, and not running the body keeps a state the hard
//! program never computes (which may overflow) out of the result.
//!
//! Ints the body writes are not blended (a blend of ints is no int): they
//! follow the unrolled iteration, and after the loop hold their value from
//! the last step run (step `K - 1`, or the step at which a condition was
//! exactly 0, as in the hard program).

use super::locality::written_vars;
use super::rewrite::Smoother;
use super::{SiteKind, SmoothError};
use crate::ir::{BinaryOp, BlockId, Inst, ScalarType, VarId, VarRole, VarType};
use crate::syntax::span::Origin;

/// Below this probability of still running, a relaxed loop stops early.
pub const EPSILON: f64 = 1e-5;

impl Smoother<'_> {
    pub(super) fn soft_loop(
        &mut self,
        flag: VarId,
        body: BlockId,
        bound: i64,
        origin: Origin,
    ) -> Result<(), SmoothError> {
        let at = origin.derived();
        self.record_site(
            SiteKind::Loop,
            format!(
                "expectation over the stopping step, at most {bound} steps, stop below {EPSILON:e}"
            ),
            origin,
        );
        let blended = self.loop_blended_vars(body);
        let real = VarType::Scalar(ScalarType::Real);
        let running = self
            .new
            .new_var("still_running", real.clone(), VarRole::Temp);
        let step = self
            .new
            .new_var("step", VarType::Scalar(ScalarType::Int), VarRole::Temp);
        let go = self
            .new
            .new_var("go", VarType::Scalar(ScalarType::Bool), VarRole::Temp);
        let one = self.emit(Inst::Real(1.0), at);
        let _ = self.emit(
            Inst::Write {
                var: running,
                value: one,
            },
            at,
        );
        let zero = self.emit(Inst::Int(0), at);
        let _ = self.emit(
            Inst::Write {
                var: step,
                value: zero,
            },
            at,
        );
        let yes = self.emit(Inst::Bool(true), at);
        let _ = self.emit(
            Inst::Write {
                var: go,
                value: yes,
            },
            at,
        );
        let sums: Vec<VarId> = blended
            .iter()
            .map(|var| self.zeroed_like(*var, at))
            .collect();

        let loop_body = self.new.new_block(self.block);
        let _ = self.emit(
            Inst::Loop {
                flag: go,
                body: loop_body,
                bound: None,
            },
            origin,
        );
        let saved = self.block;
        self.block = loop_body;
        // The loop stops here with probability r_k (1 - c_k).
        let flag_value = self.emit(Inst::Read(flag), at);
        let continues = if self.new.types[flag_value] == Some(ScalarType::Bool) {
            self.emit(Inst::Unary(crate::ir::UnaryOp::ToReal, flag_value), at)
        } else {
            flag_value
        };
        let r = self.emit(Inst::Read(running), at);
        let one = self.emit(Inst::Real(1.0), at);
        let stops = self.emit(Inst::Binary(BinaryOp::Sub, one, continues), at);
        let weight = self.emit(Inst::Binary(BinaryOp::Mul, r, stops), at);
        let weight_var = self.new.new_var("stop_weight", real, VarRole::Temp);
        let _ = self.emit(
            Inst::Write {
                var: weight_var,
                value: weight,
            },
            at,
        );
        let next_r = self.emit(Inst::Binary(BinaryOp::Mul, r, continues), at);
        let _ = self.emit(
            Inst::Write {
                var: running,
                value: next_r,
            },
            at,
        );
        for (var, sum) in blended.iter().zip(&sums) {
            self.accumulate_weighted(*sum, *var, weight_var, at);
        }
        let result = self.rewrite_body_if_reached(body, running, loop_body, at);
        let count = self.emit(Inst::Read(step), at);
        let one_step = self.emit(Inst::Int(1), at);
        let count = self.emit(Inst::Binary(BinaryOp::Add, count, one_step), at);
        let _ = self.emit(
            Inst::Write {
                var: step,
                value: count,
            },
            at,
        );
        let limit = self.emit(Inst::Int(bound), at);
        let below_bound = self.emit(Inst::Binary(BinaryOp::Lt, count, limit), at);
        let r = self.emit(Inst::Read(running), at);
        let epsilon = self.emit(Inst::Real(EPSILON), at);
        let likely = self.emit(Inst::Binary(BinaryOp::Gt, r, epsilon), at);
        let again = self.emit(Inst::Binary(BinaryOp::And, below_bound, likely), at);
        let _ = self.emit(
            Inst::Write {
                var: go,
                value: again,
            },
            at,
        );
        self.block = saved;
        result?;
        // The weight left when the loop stopped stays on the state reached.
        for (var, sum) in blended.iter().zip(&sums) {
            self.accumulate_weighted(*sum, *var, running, at);
            self.new.emit_copy(self.block, *var, *sum, at);
        }
        Ok(())
    }

    /// Runs the body (rewritten) only if the step it computes is reached
    /// with a positive probability `running`. When a condition is exactly 0
    /// (far from the decision, or as `tau -> 0`) the hard program stops
    /// there, the next state would carry no weight, and running the body
    /// anyway could overflow (its state then enters the result as
    /// `0 * inf`, NaN) or fault where the hard program does not. Then the
    /// loop runs exactly the steps the hard program runs.
    fn rewrite_body_if_reached(
        &mut self,
        body: BlockId,
        running: VarId,
        loop_body: BlockId,
        at: Origin,
    ) -> Result<(), SmoothError> {
        let r = self.emit(Inst::Read(running), at);
        let zero = self.emit(Inst::Real(0.0), at);
        let reached = self.emit(Inst::Binary(BinaryOp::Gt, r, zero), at);
        let (then_block, _) = self.new.emit_if(self.block, reached, at);
        self.block = then_block;
        let result = self.rewrite_block(body);
        self.block = loop_body;
        result
    }

    /// The real variables the loop body writes that are used after it.
    fn loop_blended_vars(&self, body: BlockId) -> Vec<VarId> {
        let mut written = Vec::new();
        written_vars(self.old, body, &mut written);
        written
            .into_iter()
            .filter(|var| !self.access.is_local_to(self.old, *var, &[body]))
            .filter(|var| self.new.vars[*var].ty.elem() == ScalarType::Real)
            .collect()
    }

    /// A new variable of `like`'s type holding zeros.
    fn zeroed_like(&mut self, like: VarId, at: Origin) -> VarId {
        let data = &self.new.vars[like];
        let name = format!("{}_expected", data.name);
        let var = self.new.new_var(name, data.ty.clone(), VarRole::Temp);
        self.new
            .emit_for_each_place(self.block, var, at, |func, block, place| {
                let zero = func.append(block, Inst::Real(0.0), at);
                func.emit_write(block, &place, zero, at);
            });
        var
    }

    /// `sum += weight * var`, elementwise for arrays.
    fn accumulate_weighted(&mut self, sum: VarId, var: VarId, weight: VarId, at: Origin) {
        self.new
            .emit_for_each_place(self.block, var, at, |func, block, place| {
                let value = func.emit_read(block, &place, at);
                let w = func.append(block, Inst::Read(weight), at);
                let term = func.append(block, Inst::Binary(BinaryOp::Mul, w, value), at);
                let target = place.in_var(sum);
                let total = func.emit_read(block, &target, at);
                let total = func.append(block, Inst::Binary(BinaryOp::Add, total, term), at);
                func.emit_write(block, &target, total, at);
            });
    }
}
