//! The forward computation of a soft sort or rank: the sorting
//! permutation, the PAV partition and the result, kept together in a
//! [`Solution`] so that the vector-Jacobian product (`vjp.rs`) can start
//! from them. The formulas are those of the module docs of `isotonic`.
//!
//! Everything is written into buffers the caller keeps ([`Solution`],
//! [`Scratch`]): once they have grown, solving allocates nothing.

use super::argsort::{self, ArgsortScratch};
use super::numerics::{
    clean_strength, div_or_zero, l2_target, log_sum_exp, mean, rho, scaled_diff, softmax_into,
};
use super::pav::{LseBlock, MeanBlock, Pooled, pav};
use super::{Direction, Regularization};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Sort,
    Rank,
}

/// What is computed, apart from the values.
#[derive(Clone, Copy, Debug)]
pub(super) struct Problem {
    pub op: Op,
    pub regularization: Regularization,
    pub direction: Direction,
    pub strength: f64,
}

impl Problem {
    /// Whether the two compute the same function (the strengths compared
    /// bit for bit, so that NaN is the same as itself).
    pub(super) fn same_as(&self, other: &Problem) -> bool {
        self.op == other.op
            && self.regularization == other.regularization
            && self.direction == other.direction
            && self.strength.to_bits() == other.strength.to_bits()
    }
}

/// A solved problem.
#[derive(Debug, Default)]
pub(super) struct Solution {
    /// The strength as used (see `clean_strength`).
    pub eps: f64,
    /// The sign the values are multiplied by before sorting (rank:
    /// `x' = sign x`; sort: `theta = sort(sign x)`).
    pub sign: f64,
    /// `sorted[k] = sign * values[perm[k]]`, decreasing.
    pub perm: Vec<usize>,
    pub sorted: Vec<f64>,
    /// The PAV blocks, as their ends in sorted order (block `b` is
    /// `ends[b - 1]..ends[b]`, the first starts at 0).
    pub ends: Vec<usize>,
    /// The result: ranks in input order, or the sorted values in order.
    pub output: Vec<f64>,
}

impl Solution {
    /// The blocks as `(start, end)` ranges in sorted order.
    pub(super) fn blocks(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied())
    }
}

/// Buffers that only live during a call.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub argsort: ArgsortScratch,
    /// `sign * values`, in input order.
    signed: Vec<f64>,
    means: Vec<Pooled<MeanBlock>>,
    lses: Vec<Pooled<LseBlock>>,
    /// One block's softmax weights (or L2 rank offsets).
    pub weights: Vec<f64>,
    /// The soft sort's VJP with respect to the sorted values.
    pub by_position: Vec<f64>,
}

/// Solves `problem` at `values` into `solution`.
pub(super) fn solve(
    problem: &Problem,
    values: &[f64],
    solution: &mut Solution,
    scratch: &mut Scratch,
) {
    solution.eps = clean_strength(problem.strength);
    solution.sign = match (problem.op, problem.direction) {
        (Op::Rank, Direction::Ascending) | (Op::Sort, Direction::Descending) => 1.0,
        (Op::Rank, Direction::Descending) | (Op::Sort, Direction::Ascending) => -1.0,
    };
    let sign = solution.sign;
    scratch.signed.clear();
    scratch
        .signed
        .extend(values.iter().map(|value| sign * value));
    argsort::sort_decreasing(
        &scratch.signed,
        &mut scratch.argsort,
        &mut solution.perm,
        &mut solution.sorted,
    );
    match problem.op {
        Op::Rank => {
            rank_blocks(problem.regularization, solution, scratch);
            rank_output(problem.regularization, solution, scratch);
        }
        Op::Sort => {
            sort_blocks(problem.regularization, solution, scratch);
            sort_output(problem.regularization, solution);
        }
    }
}

/// Isotonic regression of `s = x' / eps` against `w = rho` (L2) or
/// `log rho` (KL).
fn rank_blocks(regularization: Regularization, solution: &mut Solution, scratch: &mut Scratch) {
    let n = solution.sorted.len();
    let eps = solution.eps;
    let xs = solution.sorted.iter().enumerate();
    match regularization {
        Regularization::L2 => pav(
            xs.map(|(k, &x)| MeanBlock::leaf(l2_target(x, rho(n, k), eps))),
            MeanBlock::key,
            MeanBlock::pool,
            &mut scratch.means,
            &mut solution.ends,
        ),
        Regularization::Kl => pav(
            xs.map(|(k, &x)| LseBlock::leaf(x, rho(n, k).ln())),
            |block| block.key(eps),
            |a, b| a.pool(b, eps),
            &mut scratch.lses,
            &mut solution.ends,
        ),
    }
}

/// Isotonic regression of `s = rho / eps` against `w = theta`.
fn sort_blocks(regularization: Regularization, solution: &mut Solution, scratch: &mut Scratch) {
    let n = solution.sorted.len();
    let eps = solution.eps;
    let thetas = solution.sorted.iter().enumerate();
    match regularization {
        Regularization::L2 => pav(
            thetas.map(|(k, &theta)| MeanBlock::leaf(l2_target(rho(n, k), theta, eps))),
            MeanBlock::key,
            MeanBlock::pool,
            &mut scratch.means,
            &mut solution.ends,
        ),
        Regularization::Kl => pav(
            thetas.map(|(k, &theta)| LseBlock::leaf(rho(n, k), theta)),
            |block| block.key(eps),
            |a, b| a.pool(b, eps),
            &mut scratch.lses,
            &mut solution.ends,
        ),
    }
}

/// The ranks, in input order: per block `B`, L2
/// `r_k = (x'_k - mean(x'_B)) / eps + mean(rho_B)` (the differences taken
/// from the block's first value), KL `r_k = sum(rho_B) softmax(x'_B / eps)_k`.
fn rank_output(regularization: Regularization, solution: &mut Solution, scratch: &mut Scratch) {
    let n = solution.sorted.len();
    let eps = solution.eps;
    let output = &mut solution.output;
    output.clear();
    output.resize(n, 0.0);
    let starts = std::iter::once(0).chain(solution.ends.iter().copied());
    for (start, end) in starts.zip(solution.ends.iter().copied()) {
        let len = (end - start) as f64;
        // mean(rho_B) = n - (start + end - 1) / 2.
        let rho_mean = n as f64 - (start + end - 1) as f64 / 2.0;
        let xs = &solution.sorted[start..end];
        let perm = &solution.perm[start..end];
        match regularization {
            Regularization::L2 => {
                let first = xs[0];
                let offsets = &mut scratch.weights;
                offsets.clear();
                offsets.extend(xs.iter().map(|&x| scaled_diff(x, first, eps)));
                let offset_mean: f64 = offsets.iter().map(|offset| offset / len).sum();
                for (offset, &index) in offsets.iter().zip(perm) {
                    output[index] = offset - offset_mean + rho_mean;
                }
            }
            Regularization::Kl => {
                let rho_sum = rho_mean * len;
                softmax_into(xs, eps, &mut scratch.weights);
                for (&weight, &index) in scratch.weights.iter().zip(perm) {
                    output[index] = rho_sum * weight;
                }
            }
        }
    }
}

/// The soft sort, in sorted order: per block `B`, L2
/// `y_k = sign ((rho_k - mean(rho_B)) / eps + mean(theta_B))`, KL
/// `y_k = sign (log_softmax(rho_B / eps)_k + LSE(theta_B))`.
fn sort_output(regularization: Regularization, solution: &mut Solution) {
    let n = solution.sorted.len();
    let (eps, sign) = (solution.eps, solution.sign);
    let output = &mut solution.output;
    output.clear();
    output.resize(n, 0.0);
    let starts = std::iter::once(0).chain(solution.ends.iter().copied());
    for (start, end) in starts.zip(solution.ends.iter().copied()) {
        let thetas = &solution.sorted[start..end];
        let block = output[start..end].iter_mut().zip(start..end);
        match regularization {
            Regularization::L2 => {
                let theta_mean = mean(thetas);
                let center = (start + end - 1) as f64 / 2.0;
                for (out, k) in block {
                    *out = sign * (div_or_zero(center - k as f64, eps) + theta_mean);
                }
            }
            Regularization::Kl => {
                // rho_k - rho_start = start - k <= 0, the block maximum is at start.
                let log_total = (start..end)
                    .map(|j| div_or_zero(start as f64 - j as f64, eps).exp())
                    .sum::<f64>()
                    .ln();
                let theta_lse = log_sum_exp(thetas);
                for (out, k) in block {
                    let log_softmax = div_or_zero(start as f64 - k as f64, eps) - log_total;
                    *out = sign * (log_softmax + theta_lse);
                }
            }
        }
    }
}
