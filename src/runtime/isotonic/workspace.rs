//! Per-thread buffers of the soft sort and rank, and the last problem they
//! solved.
//!
//! A thread keeps one [`Workspace`]: the buffers grow once instead of being
//! allocated on every call, and the last [`Solution`] is kept together with
//! the exact values and problem it solves. A later call on the same problem
//! with bit-for-bit the same values takes that solution instead of solving
//! again. It is the same computation on the same inputs, so the results are
//! the same bits either way; what changes is that a gradient function, which
//! runs the forward sort, runs it again in its reverse sweep and then asks
//! for the VJP on the same values, sorts and pools once.
//!
//! This module must not know the formulas (`solve.rs`, `vjp.rs`).

use super::solve::{Problem, Scratch, Solution, solve};
use std::cell::Cell;

/// Above this many values a thread does not keep its buffers after the
/// call: they hold up to about 130 bytes per value, so a kept workspace
/// stays under about 130 MiB (the tape keeps up to 128 MiB likewise).
const KEPT_LEN: usize = 1 << 20;

#[derive(Debug, Default)]
pub(super) struct Workspace {
    /// The problem `solution` solves, at `input`; `None` before the first.
    solved: Option<Problem>,
    input: Vec<f64>,
    solution: Solution,
    scratch: Scratch,
}

impl Workspace {
    /// The solution of `problem` at `values` (solved now unless it is the
    /// one kept), and the scratch buffers.
    pub(super) fn solve(&mut self, problem: Problem, values: &[f64]) -> (&Solution, &mut Scratch) {
        let kept = self
            .solved
            .is_some_and(|solved| solved.same_as(&problem) && same_bits(&self.input, values));
        if !kept {
            // Not valid while the solution is half written.
            self.solved = None;
            solve(&problem, values, &mut self.solution, &mut self.scratch);
            self.input.clear();
            self.input.extend_from_slice(values);
            self.solved = Some(problem);
        }
        (&self.solution, &mut self.scratch)
    }
}

/// Whether `a` and `b` hold the same bits (so `-0.0 != 0.0`, and a NaN
/// equals itself).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    const CHUNK: usize = 8;
    if a.len() != b.len() {
        return false;
    }
    // In chunks without an early exit inside, which vectorizes.
    let differ = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .fold(0, |acc, (x, y)| acc | (x.to_bits() ^ y.to_bits()))
            != 0
    };
    let mut chunks = a.chunks(CHUNK).zip(b.chunks(CHUNK));
    !chunks.any(|(a, b)| differ(a, b))
}

thread_local! {
    static SPARE_WORKSPACE: Cell<Option<Workspace>> = const { Cell::new(None) };
}

/// Runs `work` with this thread's workspace, taken out for the call (a
/// fresh one if there is none: on the first call, or during the thread's
/// teardown).
pub(super) fn with_workspace<R>(work: impl FnOnce(&mut Workspace) -> R) -> R {
    let mut workspace = SPARE_WORKSPACE
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_default();
    let result = work(&mut workspace);
    if workspace.input.capacity() <= KEPT_LEN {
        // Fails only during the thread's teardown; the buffers are dropped.
        let _ = SPARE_WORKSPACE.try_with(|spare| spare.set(Some(workspace)));
    }
    result
}

/// Forgets this thread's kept solution, keeping its buffers: the next call
/// sorts and pools again, even on the same values.
pub(super) fn forget_solution() {
    let _ = SPARE_WORKSPACE.try_with(|spare| {
        if let Some(mut workspace) = spare.take() {
            workspace.solved = None;
            spare.set(Some(workspace));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether this thread's workspace keeps a solution.
    fn keeps_a_solution() -> bool {
        with_workspace(|workspace| workspace.solved.is_some())
    }

    #[test]
    fn a_forgotten_solution_is_solved_again() {
        let problem = Problem {
            op: super::super::Op::Rank,
            regularization: super::super::Regularization::L2,
            direction: super::super::Direction::Ascending,
            strength: 0.1,
        };
        let values = [3.0, 1.0, 2.0];
        let first =
            with_workspace(|workspace| format!("{:?}", workspace.solve(problem, &values).0));
        assert!(keeps_a_solution());
        forget_solution();
        assert!(!keeps_a_solution());
        let again =
            with_workspace(|workspace| format!("{:?}", workspace.solve(problem, &values).0));
        assert!(keeps_a_solution());
        assert_eq!(first, again);
    }

    #[test]
    fn same_bits_tells_signed_zeros_and_nans() {
        assert!(same_bits(&[], &[]));
        assert!(same_bits(&[f64::NAN; 9], &[f64::NAN; 9]));
        assert!(!same_bits(&[0.0; 9], &[0.0; 8]));
        let mut b = [1.0; 17];
        assert!(same_bits(&[1.0; 17], &b));
        b[16] = -b[16];
        assert!(!same_bits(&[1.0; 17], &b));
        assert!(!same_bits(&[0.0], &[-0.0]));
    }
}
