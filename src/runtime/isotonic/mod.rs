//! Fast differentiable sorting and ranking (Blondel, Teboul, Berthet and
//! Djolonga, "Fast Differentiable Sorting and Ranking", ICML 2020), with the
//! conventions of the google-research `fast-soft-sort` library
//! (`numpy_ops.soft_sort` / `numpy_ops.soft_rank`): O(n log n) forward by
//! isotonic regression, hand-written vector-Jacobian products.
//!
//! # Projection onto the permutahedron
//!
//! The permutahedron `P(w)` is the convex hull of all permutations of a
//! vector `w`. Let `rho = (n, n - 1, ..., 1)`. For `w` sorted in decreasing
//! order, the regularized projections are
//!
//! * L2 (quadratic): `P_Q(z, w) = argmin_{mu in P(w)} 1/2 ||mu - z||^2`,
//! * KL (entropic): `P_E(z, w) = log argmin_{mu in P(e^w)} KL(mu, e^z)`
//!   (returned in log space, as the library does).
//!
//! Both reduce to an isotonic regression. Let `sigma` sort `z` decreasingly
//! and `s = z_sigma`. Then `P(z, w) = z - v(s, w)_{sigma^-1}` where `v` is
//! the decreasing (`v_1 >= v_2 >= ... >= v_n`) solution of
//!
//! * L2: `v = argmin 1/2 ||v - (s - w)||^2`; on each block `B` of equal
//!   values of the solution, `v_B = mean(s_B) - mean(w_B)`;
//! * KL: `v = argmin <e^{s - v}, 1> + <e^w, v>`; on each block
//!   `v_B = LSE(s_B) - LSE(w_B)` (`LSE` is log-sum-exp).
//!
//! The pool-adjacent-violators algorithm (PAV) finds the blocks in O(n):
//! scan left to right, push every element as a block of its own, and while
//! the last block's value is not below the previous one's (a violation of
//! the decreasing order, or a tie), pool the two. Sorting costs O(n log n).
//!
//! # Soft sort and soft rank (library conventions)
//!
//! With strength `eps > 0`:
//!
//! * `soft_rank(x)`: `z = sign * x / eps`, `sign = +1` for
//!   [`Direction::Ascending`] (rank 1 = smallest), `-1` for descending
//!   (rank 1 = largest). L2: `P_Q(z, rho)`; KL: `exp(P_E(z, log rho))`.
//!   As `eps -> 0` these are the hard ranks (tied values share the average
//!   of their ranks); as `eps -> inf` every rank tends to `(n + 1) / 2`.
//! * `soft_sort(x)`: `theta = sort_decreasing(sign * x)`, `sign = -1` for
//!   ascending, `+1` for descending; the result is
//!   `sign * (rho / eps - v(rho / eps, theta))`, that is
//!   `sign * P(rho / eps, theta)` with the L2 or KL isotonic problem (note
//!   that, as in the library, `theta` enters the KL problem unscaled).
//!   As `eps -> 0` this is the hard sort; as `eps -> inf` the L2 soft sort
//!   tends to the mean of `x`.
//!
//! Written out per block `B` (positions `k` in sorted order):
//!
//! * rank L2: `r_k = (x'_k - mean(x'_B)) / eps + mean(rho_B)`, `x' = sign x`;
//! * rank KL: `r_k = sum(rho_B) * softmax(x'_B / eps)_k`;
//! * sort L2: `y_k = (rho_k - mean(rho_B)) / eps + mean(theta_B)`;
//! * sort KL: `y_k = log_softmax(rho_B / eps)_k + LSE(theta_B)`.
//!
//! These forms are what is computed: every log-sum-exp and softmax is taken
//! relative to the block maximum, and differences are formed before the
//! division by `eps` only when `eps < 1` (after it otherwise), so values of
//! magnitude `1e300` give finite results for any positive strength that
//! does not overflow `x / eps`. Within a PAV block the (scaled) targets
//! cannot rise by more than about 1 per step, so the spread inside a block
//! is at most about `n` in units of `eps`, and `(x'_k - x'_first) / eps`
//! stays small.
//!
//! # Vector-Jacobian products
//!
//! The block partition is locally constant (almost everywhere), so the
//! Jacobian is block diagonal in sorted order:
//!
//! * isotonic L2: `dv_B / ds_j = 1 / |B|` for `j in B` (the block average);
//! * isotonic KL: `dv_B / ds_j = softmax(s_B)_j` (softmax-like weights);
//!   `v_B` does not depend on `s` outside `B`.
//!
//! Hence, with cotangent `g` (in sorted order):
//!
//! * rank L2: `dx'_k = (g_k - mean(g_B)) / eps`;
//! * rank KL: `dx'_k = r_k (g_k - sum_{i in B} p_i g_i) / eps`,
//!   `p = softmax(x'_B / eps)`;
//! * sort L2: `dtheta_k = mean(g_B)`;
//! * sort KL: `dtheta_k = softmax(theta_B)_k * sum(g_B)` (the library's own
//!   KL soft-sort VJP uses the softmax of `rho / eps` here, which is wrong;
//!   this is the derivative of the forward it computes).
//!
//! and the sorting permutation and the sign carry these back to `x`. At a
//! point where two blocks have equal values (a kink), the pooled block is
//! used, as the library does.
//!
//! Tied inputs are another kink of the soft sort (not of the soft rank:
//! tied values always share a PAV block there, and the rank is smooth in
//! each of them). Which of the tied values takes which sorted position is
//! arbitrary, so `soft_sort_vjp` gives each of them the average of the
//! derivatives at their positions: for a pair this is the central
//! difference (the mean of the two one-sided derivatives), and it keeps the
//! VJP independent of the order of the input.
//!
//! # Degenerate inputs
//!
//! No function panics. Length 0 gives an empty result. A strength that is
//! not positive (zero, negative or NaN) is taken as the limit `eps -> 0+`:
//! hard sort (VJP: the permuted cotangent) and hard ranks with ties averaged
//! (VJP: zero, the almost-everywhere derivative of a piecewise constant
//! function). An infinite strength gives the `eps -> inf` limits. Infinite
//! or NaN values do not panic (NaN sorts by `f64::total_cmp`), but results
//! involving them may be non-finite. A cotangent shorter than `values` is
//! padded with zeros; extra entries are ignored.
//!
//! # Implementation
//!
//! One call sorts (`argsort.rs`: a radix sort on the values' bits, exactly
//! the stable `total_cmp` order), pools (`pav.rs`) and applies the formulas
//! above (`solve.rs`, `vjp.rs`) in buffers that the thread keeps
//! (`workspace.rs`), so that it allocates nothing once they have grown. The
//! thread also keeps the last solution with the values it solved, and a
//! call on the same problem and bit-for-bit the same values reuses it: a
//! gradient function sorts in its forward sweep, sorts the same values
//! again in its reverse sweep and then asks for the VJP, and only the first
//! of the three sorts and pools. The results are the same bits whether a
//! solution is reused or not, and the same bits as the plain
//! implementation this one replaced (`plain.rs`, kept as the oracle of the
//! tests in `tests.rs`).
//!
//! The `_into` and `add_` functions write into (or add to) a caller's
//! buffer; the others return a new vector. An output or target shorter than
//! `values` is filled as far as it goes, and extra entries are left alone.

mod argsort;
mod numerics;
mod pav;
mod solve;
mod vjp;
mod workspace;

#[cfg(test)]
mod plain;
#[cfg(test)]
mod tests;

use solve::{Op, Problem};
use workspace::{forget_solution, with_workspace};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regularization {
    /// Quadratic regularization: blocks are averaged.
    L2,
    /// Entropic (KL) regularization: blocks are log-sum-exp'd.
    Kl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

/// Soft sort of `values` with regularization strength `strength` (> 0; as
/// strength -> 0 it is the hard sort).
pub fn soft_sort(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
) -> Vec<f64> {
    let mut output = vec![0.0; values.len()];
    soft_sort_into(values, strength, regularization, direction, &mut output);
    output
}

/// [`soft_sort`] written into `output`.
pub fn soft_sort_into(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    output: &mut [f64],
) {
    let problem = problem(Op::Sort, strength, regularization, direction);
    forward_into(problem, values, output);
}

/// Vector-Jacobian product of soft_sort at `values` with cotangent
/// `cotangent` (same length): returns d<cotangent, soft_sort(values)>/d values.
pub fn soft_sort_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
) -> Vec<f64> {
    let problem = problem(Op::Sort, strength, regularization, direction);
    vjp_vec(problem, values, cotangent)
}

/// `target += d<cotangent, soft_sort(values)>/d values`.
pub fn add_soft_sort_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
    target: &mut [f64],
) {
    let problem = problem(Op::Sort, strength, regularization, direction);
    add_vjp(problem, values, cotangent, target);
}

/// Soft ranks (1-based; for Ascending, 1 = smallest), as fast-soft-sort's
/// soft_rank.
pub fn soft_rank(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
) -> Vec<f64> {
    let mut output = vec![0.0; values.len()];
    soft_rank_into(values, strength, regularization, direction, &mut output);
    output
}

/// [`soft_rank`] written into `output`.
pub fn soft_rank_into(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    output: &mut [f64],
) {
    let problem = problem(Op::Rank, strength, regularization, direction);
    forward_into(problem, values, output);
}

/// Vector-Jacobian product of soft_rank at `values` with cotangent
/// `cotangent` (same length): returns d<cotangent, soft_rank(values)>/d values.
pub fn soft_rank_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
) -> Vec<f64> {
    let problem = problem(Op::Rank, strength, regularization, direction);
    vjp_vec(problem, values, cotangent)
}

/// `target += d<cotangent, soft_rank(values)>/d values`.
pub fn add_soft_rank_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
    target: &mut [f64],
) {
    let problem = problem(Op::Rank, strength, regularization, direction);
    add_vjp(problem, values, cotangent, target);
}

/// Makes the next soft sort or rank on this thread solve its problem anew,
/// even for the values of the last call, as it would for new data. For
/// timing repeated calls on one input (`smoothc bench` does this before
/// each timed call); results are the same bits either way.
pub fn forget_kept_solution() {
    forget_solution();
}

fn problem(op: Op, strength: f64, regularization: Regularization, direction: Direction) -> Problem {
    Problem {
        op,
        regularization,
        direction,
        strength,
    }
}

fn forward_into(problem: Problem, values: &[f64], output: &mut [f64]) {
    with_workspace(|workspace| {
        let (solution, _) = workspace.solve(problem, values);
        for (out, &value) in output.iter_mut().zip(&solution.output) {
            *out = value;
        }
    });
}

/// The VJP, handed to `emit(i, value)` once for every index `i` of `values`.
fn vjp_with(problem: Problem, values: &[f64], cotangent: &[f64], emit: impl FnMut(usize, f64)) {
    with_workspace(|workspace| {
        let (solution, scratch) = workspace.solve(problem, values);
        match problem.op {
            Op::Rank => vjp::rank_vjp(problem.regularization, solution, scratch, cotangent, emit),
            Op::Sort => vjp::sort_vjp(problem.regularization, solution, scratch, cotangent, emit),
        }
    });
}

fn vjp_vec(problem: Problem, values: &[f64], cotangent: &[f64]) -> Vec<f64> {
    let mut gradient = vec![0.0; values.len()];
    vjp_with(problem, values, cotangent, |index, value| {
        gradient[index] = value;
    });
    gradient
}

fn add_vjp(problem: Problem, values: &[f64], cotangent: &[f64], target: &mut [f64]) {
    vjp_with(problem, values, cotangent, |index, value| {
        if let Some(slot) = target.get_mut(index) {
            *slot += value;
        }
    });
}
