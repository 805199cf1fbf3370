//! `SortArray`: sort and rank of a real array, hard or relaxed by isotonic
//! regression, and their vector-Jacobian products. Both backends call these
//! functions (the JIT through `extern "C"` helpers), so they agree bit for
//! bit.
//!
//! The relaxations are [`super::isotonic`]'s `soft_sort` and `soft_rank`
//! (Blondel et al. 2020), ascending, with the instruction's regularization
//! and strength; the hard sort and ranks are their limit at strength 0
//! (tied values share the average of their ranks; the hard sort sends each
//! cotangent back to the value that took its place, the hard ranks have
//! none).

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

/// The regularization of a relaxed sort, and its strength; the hard sort
/// is the `strength -> 0` limit, which `isotonic` computes exactly for a
/// strength of 0.
fn relaxation(code: i64, strength: f64) -> (isotonic::Regularization, f64) {
    match (code >> 1) & 3 {
        1 => (isotonic::Regularization::L2, strength),
        2 => (isotonic::Regularization::Kl, strength),
        _ => (isotonic::Regularization::L2, 0.0),
    }
}

/// `output = sort(input)` or `ranks(input)` as `code` says.
pub fn sort(code: i64, input: &[f64], strength: f64, output: &mut [f64]) {
    let (regularization, strength) = relaxation(code, strength);
    let direction = Direction::Ascending;
    if code & 1 == 1 {
        isotonic::soft_rank_into(input, strength, regularization, direction, output);
    } else {
        isotonic::soft_sort_into(input, strength, regularization, direction, output);
    }
}

/// `target += d<cotangent, sort(input)>/d input` (or of the ranks). After
/// a `sort` of the same input on the same thread, this reuses its
/// permutation and partition (see `isotonic`).
pub fn sort_vjp(code: i64, input: &[f64], strength: f64, cotangent: &[f64], target: &mut [f64]) {
    let (regularization, strength) = relaxation(code, strength);
    let direction = Direction::Ascending;
    if code & 1 == 1 {
        isotonic::add_soft_rank_vjp(
            input,
            strength,
            regularization,
            direction,
            cotangent,
            target,
        );
    } else {
        isotonic::add_soft_sort_vjp(
            input,
            strength,
            regularization,
            direction,
            cotangent,
            target,
        );
    }
}
