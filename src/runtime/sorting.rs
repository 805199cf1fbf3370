//! `SortArray`: sort and rank of a real array, hard or relaxed by isotonic
//! regression, and their vector-Jacobian products. Both backends call these
//! functions (the JIT through `extern "C"` helpers), so they agree bit for
//! bit.
//!
//! The hard sort is ascending and stable; hard ranks are 1-based positions
//! in that order (ties broken by index, the `strength -> 0` limit of the
//! soft rank). The relaxations are [`super::isotonic`]'s `soft_sort` and
//! `soft_rank` (Blondel et al. 2020), ascending, with the instruction's
//! regularization and strength.

use super::isotonic::{self, Direction};
use crate::ir::{Regularization, SortArray};

/// The instruction's choices packed in an int, for the JIT helpers:
/// bit 0 ranks, bits 1-2 the relaxation (0 hard, 1 L2, 2 KL).
pub fn code(op: &SortArray) -> i64 {
    let relaxation = match op.relaxation {
        None => 0,
        Some((Regularization::L2, _)) => 1,
        Some((Regularization::Kl, _)) => 2,
    };
    i64::from(op.ranks) | (relaxation << 1)
}

fn regularization(code: i64) -> Option<isotonic::Regularization> {
    match (code >> 1) & 3 {
        1 => Some(isotonic::Regularization::L2),
        2 => Some(isotonic::Regularization::Kl),
        _ => None,
    }
}

/// The ascending order of `values` (a stable argsort).
fn order(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    order
}

/// `output = sort(input)` or `ranks(input)` as `code` says.
pub fn sort(code: i64, input: &[f64], strength: f64, output: &mut [f64]) {
    let ranks = code & 1 == 1;
    let result = match (regularization(code), ranks) {
        (Some(regularization), false) => {
            isotonic::soft_sort(input, strength, regularization, Direction::Ascending)
        }
        (Some(regularization), true) => {
            isotonic::soft_rank(input, strength, regularization, Direction::Ascending)
        }
        (None, false) => order(input).into_iter().map(|index| input[index]).collect(),
        (None, true) => {
            let mut ranks = vec![0.0; input.len()];
            for (position, index) in order(input).into_iter().enumerate() {
                ranks[index] = (position + 1) as f64;
            }
            ranks
        }
    };
    output.copy_from_slice(&result);
}

/// `target += d<cotangent, sort(input)>/d input` (or of the ranks).
pub fn sort_vjp(code: i64, input: &[f64], strength: f64, cotangent: &[f64], target: &mut [f64]) {
    let ranks = code & 1 == 1;
    let contribution = match (regularization(code), ranks) {
        (Some(regularization), false) => isotonic::soft_sort_vjp(
            input,
            strength,
            regularization,
            Direction::Ascending,
            cotangent,
        ),
        (Some(regularization), true) => isotonic::soft_rank_vjp(
            input,
            strength,
            regularization,
            Direction::Ascending,
            cotangent,
        ),
        // The hard sort moves each value to its place: its cotangent goes back.
        (None, false) => {
            let mut back = vec![0.0; input.len()];
            for (position, index) in order(input).into_iter().enumerate() {
                back[index] = cotangent[position];
            }
            back
        }
        // Hard ranks are piecewise constant.
        (None, true) => vec![0.0; input.len()],
    };
    for (slot, value) in target.iter_mut().zip(contribution) {
        *slot += value;
    }
}
