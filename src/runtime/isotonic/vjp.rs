//! The vector-Jacobian products of the soft sort and rank, from a
//! [`Solution`] (the permutation and PAV partition of the forward): the
//! block-diagonal Jacobians of the module docs of `isotonic`.
//!
//! Each product is handed out one input index at a time through `emit(i,
//! value)`, so that the caller decides whether it is stored or added to a
//! gradient, with no buffer in between. Every index in `0..n` is emitted
//! exactly once. A cotangent shorter than the values counts as padded with
//! zeros.

use super::Regularization;
use super::numerics::{mean, softmax_into};
use super::solve::{Scratch, Solution};

/// `d<cotangent, soft_rank(values)>/d values`.
pub(super) fn rank_vjp(
    regularization: Regularization,
    solution: &Solution,
    scratch: &mut Scratch,
    cotangent: &[f64],
    mut emit: impl FnMut(usize, f64),
) {
    let eps = solution.eps;
    if eps == 0.0 {
        // The hard ranks are piecewise constant.
        for index in 0..solution.perm.len() {
            emit(index, 0.0);
        }
        return;
    }
    let g = |index: usize| cotangent.get(index).copied().unwrap_or(0.0);
    let factor = solution.sign / eps;
    for (start, end) in solution.blocks() {
        let perm = &solution.perm[start..end];
        match regularization {
            Regularization::L2 => {
                let len = (end - start) as f64;
                let g_mean = perm.iter().map(|&index| g(index) / len).sum::<f64>();
                for &index in perm {
                    emit(index, factor * (g(index) - g_mean));
                }
            }
            Regularization::Kl => {
                softmax_into(&solution.sorted[start..end], eps, &mut scratch.weights);
                let weighted = perm
                    .iter()
                    .zip(&scratch.weights)
                    .map(|(&index, weight)| weight * g(index))
                    .sum::<f64>();
                for &index in perm {
                    emit(
                        index,
                        factor * solution.output[index] * (g(index) - weighted),
                    );
                }
            }
        }
    }
}

/// `d<cotangent, soft_sort(values)>/d values`.
pub(super) fn sort_vjp(
    regularization: Regularization,
    solution: &Solution,
    scratch: &mut Scratch,
    cotangent: &[f64],
    mut emit: impl FnMut(usize, f64),
) {
    let n = solution.sorted.len();
    let g = |k: usize| cotangent.get(k).copied().unwrap_or(0.0);
    // The derivative with respect to theta, in sorted order.
    let by_position = &mut scratch.by_position;
    by_position.clear();
    by_position.resize(n, 0.0);
    for (start, end) in solution.blocks() {
        let len = (end - start) as f64;
        match regularization {
            Regularization::L2 => {
                let g_mean = (start..end).map(|k| g(k) / len).sum::<f64>();
                by_position[start..end].fill(g_mean);
            }
            Regularization::Kl => {
                let g_sum = (start..end).map(g).sum::<f64>();
                softmax_into(&solution.sorted[start..end], 1.0, &mut scratch.weights);
                for (slot, weight) in by_position[start..end].iter_mut().zip(&scratch.weights) {
                    *slot = weight * g_sum;
                }
            }
        }
    }
    // Tied values: the average over their positions (see the module docs).
    let theta = &solution.sorted;
    let mut start = 0;
    for run in theta.chunk_by(|a, b| a == b) {
        let end = start + run.len();
        let average = mean(&by_position[start..end]);
        for &index in &solution.perm[start..end] {
            emit(index, average);
        }
        start = end;
    }
}
