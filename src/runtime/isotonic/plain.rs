//! The implementation before the buffers, the radix sort and the reuse of
//! solutions (commit 779d896), kept for the tests: the simplest statement
//! of the formulas of the module docs, which the fast path must reproduce
//! bit for bit.

#![allow(clippy::unwrap_used)]

use super::{Direction, Regularization};

/// Soft sort of `values` with regularization strength `strength` (> 0; as
/// strength -> 0 it is the hard sort).
pub(super) fn soft_sort(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
) -> Vec<f64> {
    let sorted = SortState::new(values, strength, regularization, direction);
    let mut output = vec![0.0; values.len()];
    for &(start, end) in &sorted.blocks {
        match regularization {
            Regularization::L2 => {
                let theta_mean = mean(&sorted.theta[start..end]);
                let center = (start + end - 1) as f64 / 2.0;
                for (k, out) in output.iter_mut().enumerate().take(end).skip(start) {
                    *out = sorted.sign * (div_or_zero(center - k as f64, sorted.eps) + theta_mean);
                }
            }
            Regularization::Kl => {
                // rho_k - rho_start = start - k <= 0, the block maximum is at start.
                let log_total = (start..end)
                    .map(|j| div_or_zero(start as f64 - j as f64, sorted.eps).exp())
                    .sum::<f64>()
                    .ln();
                let theta_lse = log_sum_exp(&sorted.theta[start..end]);
                for (k, out) in output.iter_mut().enumerate().take(end).skip(start) {
                    let log_softmax = div_or_zero(start as f64 - k as f64, sorted.eps) - log_total;
                    *out = sorted.sign * (log_softmax + theta_lse);
                }
            }
        }
    }
    output
}

/// Vector-Jacobian product of soft_sort at `values` with cotangent
/// `cotangent` (same length): returns d<cotangent, soft_sort(values)>/d values.
pub(super) fn soft_sort_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
) -> Vec<f64> {
    let sorted = SortState::new(values, strength, regularization, direction);
    let g = |k: usize| cotangent.get(k).copied().unwrap_or(0.0);
    let n = values.len();
    // The derivative with respect to theta, in sorted order.
    let mut by_position = vec![0.0; n];
    for &(start, end) in &sorted.blocks {
        let len = (end - start) as f64;
        match regularization {
            Regularization::L2 => {
                let g_mean = (start..end).map(|k| g(k) / len).sum::<f64>();
                by_position[start..end].fill(g_mean);
            }
            Regularization::Kl => {
                let g_sum = (start..end).map(g).sum::<f64>();
                let weights = softmax(&sorted.theta[start..end], 1.0);
                for (k, weight) in (start..end).zip(weights) {
                    by_position[k] = weight * g_sum;
                }
            }
        }
    }
    // Tied values: the average over their positions (see the module docs).
    let mut gradient = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && sorted.theta[end] == sorted.theta[start] {
            end += 1;
        }
        let average = mean(&by_position[start..end]);
        for &i in &sorted.perm[start..end] {
            gradient[i] = average;
        }
        start = end;
    }
    gradient
}

/// Soft ranks (1-based; for Ascending, 1 = smallest), as fast-soft-sort's
/// soft_rank.
pub(super) fn soft_rank(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
) -> Vec<f64> {
    RankState::new(values, strength, regularization, direction).ranks
}

/// Vector-Jacobian product of soft_rank at `values` with cotangent
/// `cotangent` (same length): returns d<cotangent, soft_rank(values)>/d values.
pub(super) fn soft_rank_vjp(
    values: &[f64],
    strength: f64,
    regularization: Regularization,
    direction: Direction,
    cotangent: &[f64],
) -> Vec<f64> {
    let n = values.len();
    let ranked = RankState::new(values, strength, regularization, direction);
    let mut gradient = vec![0.0; n];
    if ranked.eps == 0.0 {
        return gradient;
    }
    let g = |k: usize| cotangent.get(ranked.perm[k]).copied().unwrap_or(0.0);
    let factor = ranked.sign / ranked.eps;
    for &(start, end) in &ranked.blocks {
        match regularization {
            Regularization::L2 => {
                let len = (end - start) as f64;
                let g_mean = (start..end).map(|k| g(k) / len).sum::<f64>();
                for k in start..end {
                    gradient[ranked.perm[k]] = factor * (g(k) - g_mean);
                }
            }
            Regularization::Kl => {
                let weights = softmax(&ranked.xs[start..end], ranked.eps);
                let weighted = (start..end)
                    .zip(&weights)
                    .map(|(k, weight)| weight * g(k))
                    .sum::<f64>();
                for k in start..end {
                    let i = ranked.perm[k];
                    gradient[i] = factor * ranked.ranks[i] * (g(k) - weighted);
                }
            }
        }
    }
    gradient
}

/// The strength as used: anything not positive (including NaN) is the
/// hard limit 0.
fn clean_strength(strength: f64) -> f64 {
    if strength > 0.0 { strength } else { 0.0 }
}

/// `(a - b) / eps`, formed so as not to overflow for large `a`, `b` and
/// exactly 0 when `a == b` (also for `eps == 0` and infinite `a`, `b`).
fn scaled_diff(a: f64, b: f64, eps: f64) -> f64 {
    if a == b {
        0.0
    } else if eps >= 1.0 {
        a / eps - b / eps
    } else {
        (a - b) / eps
    }
}

/// `num / eps`, but exactly 0 when `num == 0` (so `eps == 0` is harmless).
fn div_or_zero(num: f64, eps: f64) -> f64 {
    if num == 0.0 { 0.0 } else { num / eps }
}

/// Mean without overflow (a convex combination of the values).
fn mean(values: &[f64]) -> f64 {
    let len = values.len() as f64;
    values.iter().map(|value| value / len).sum()
}

fn max_of(values: &[f64]) -> f64 {
    values.iter().copied().fold(
        f64::NEG_INFINITY,
        |max, value| if value > max { value } else { max },
    )
}

/// `log sum exp(values)`, relative to the maximum.
fn log_sum_exp(values: &[f64]) -> f64 {
    let max = max_of(values);
    let total: f64 = values
        .iter()
        .map(|&value| scaled_diff(value, max, 1.0).exp())
        .sum();
    max + total.ln()
}

/// `softmax(values / eps)`, relative to the maximum.
fn softmax(values: &[f64], eps: f64) -> Vec<f64> {
    let max = max_of(values);
    let exps: Vec<f64> = values
        .iter()
        .map(|&value| scaled_diff(value, max, eps).exp())
        .collect();
    let total: f64 = exps.iter().sum();
    exps.into_iter().map(|value| value / total).collect()
}

/// Indices sorting `sign * values` decreasingly, and the sorted `sign * values`.
fn sort_decreasing(values: &[f64], sign: f64) -> (Vec<usize>, Vec<f64>) {
    let signed: Vec<f64> = values.iter().map(|value| sign * value).collect();
    let mut perm: Vec<usize> = (0..values.len()).collect();
    perm.sort_by(|&i, &j| signed[j].total_cmp(&signed[i]));
    let sorted = perm.iter().map(|&i| signed[i]).collect();
    (perm, sorted)
}

/// Pool adjacent violators for a decreasing isotonic regression: `init(k)`
/// is element `k` as a block of its own, `key` a block's value (or any
/// increasing function of it), `pool` merges two adjacent blocks. Pools
/// while the later block's key is not below the earlier one's. Returns the
/// blocks as `(start, end)` ranges.
fn pav<B>(
    n: usize,
    init: impl Fn(usize) -> B,
    key: impl Fn(&B) -> f64,
    pool: impl Fn(B, B) -> B,
) -> Vec<(usize, usize)> {
    let mut stack: Vec<(usize, usize, f64, B)> = Vec::with_capacity(n);
    for k in 0..n {
        let block = init(k);
        let mut current = (k, k + 1, key(&block), block);
        while let Some((start, _, previous_key, _)) = stack.last() {
            if *previous_key > current.2 {
                break;
            }
            let start = *start;
            let Some((_, _, _, previous)) = stack.pop() else {
                break;
            };
            let merged = pool(previous, current.3);
            current = (start, current.1, key(&merged), merged);
        }
        stack.push(current);
    }
    stack
        .into_iter()
        .map(|(start, end, _, _)| (start, end))
        .collect()
}

/// An L2 block: the mean of its targets and its size.
#[derive(Clone, Copy)]
struct MeanBlock {
    mean: f64,
    len: f64,
}

fn pool_means(a: MeanBlock, b: MeanBlock) -> MeanBlock {
    let len = a.len + b.len;
    MeanBlock {
        mean: a.mean * (a.len / len) + b.mean * (b.len / len),
        len,
    }
}

/// A KL block: `LSE(s_B / eps)` as `s_max / eps + ln(s_sum)` and `LSE(w_B)`
/// as `w_max + ln(w_sum)`.
#[derive(Clone, Copy)]
struct LseBlock {
    s_max: f64,
    s_sum: f64,
    w_max: f64,
    w_sum: f64,
}

fn lse_leaf(s: f64, w: f64) -> LseBlock {
    LseBlock {
        s_max: s,
        s_sum: 1.0,
        w_max: w,
        w_sum: 1.0,
    }
}

fn pool_lse(a: LseBlock, b: LseBlock, eps: f64) -> LseBlock {
    let merge = |max_a: f64, sum_a: f64, max_b: f64, sum_b: f64, eps: f64| {
        let max = if max_a >= max_b { max_a } else { max_b };
        let sum =
            sum_a * scaled_diff(max_a, max, eps).exp() + sum_b * scaled_diff(max_b, max, eps).exp();
        (max, sum)
    };
    let (s_max, s_sum) = merge(a.s_max, a.s_sum, b.s_max, b.s_sum, eps);
    let (w_max, w_sum) = merge(a.w_max, a.w_sum, b.w_max, b.w_sum, 1.0);
    LseBlock {
        s_max,
        s_sum,
        w_max,
        w_sum,
    }
}

/// `min(eps, 1) * (LSE(s_B / eps) - LSE(w_B))`: the KL block value times a
/// positive constant, formed without overflow.
fn lse_key(block: &LseBlock, eps: f64) -> f64 {
    let rest = block.s_sum.ln() - block.w_max - block.w_sum.ln();
    if eps == 0.0 {
        block.s_max
    } else if eps < 1.0 {
        block.s_max + eps * rest
    } else {
        block.s_max / eps + rest
    }
}

/// The L2 isotonic target `a / eps - b`, times `min(eps, 1)`.
fn l2_target(a: f64, b: f64, eps: f64) -> f64 {
    if eps < 1.0 { a - eps * b } else { a / eps - b }
}

/// `rho_k = n - k`.
fn rho(n: usize, k: usize) -> f64 {
    (n - k) as f64
}

struct SortState {
    eps: f64,
    sign: f64,
    perm: Vec<usize>,
    /// `sort_decreasing(sign * x)`.
    theta: Vec<f64>,
    blocks: Vec<(usize, usize)>,
}

impl SortState {
    fn new(
        values: &[f64],
        strength: f64,
        regularization: Regularization,
        direction: Direction,
    ) -> SortState {
        let n = values.len();
        let eps = clean_strength(strength);
        let sign = match direction {
            Direction::Ascending => -1.0,
            Direction::Descending => 1.0,
        };
        let (perm, theta) = sort_decreasing(values, sign);
        // Isotonic regression of s = rho / eps against w = theta.
        let blocks = match regularization {
            Regularization::L2 => pav(
                n,
                |k| MeanBlock {
                    mean: l2_target(rho(n, k), theta[k], eps),
                    len: 1.0,
                },
                |block| block.mean,
                pool_means,
            ),
            Regularization::Kl => pav(
                n,
                |k| lse_leaf(rho(n, k), theta[k]),
                |block| lse_key(block, eps),
                |a, b| pool_lse(a, b, eps),
            ),
        };
        SortState {
            eps,
            sign,
            perm,
            theta,
            blocks,
        }
    }
}

struct RankState {
    eps: f64,
    sign: f64,
    perm: Vec<usize>,
    /// `sort_decreasing(sign * x)` (unscaled; `s = xs / eps`).
    xs: Vec<f64>,
    blocks: Vec<(usize, usize)>,
    /// The soft ranks, in input order.
    ranks: Vec<f64>,
}

impl RankState {
    fn new(
        values: &[f64],
        strength: f64,
        regularization: Regularization,
        direction: Direction,
    ) -> RankState {
        let n = values.len();
        let eps = clean_strength(strength);
        let sign = match direction {
            Direction::Ascending => 1.0,
            Direction::Descending => -1.0,
        };
        let (perm, xs) = sort_decreasing(values, sign);
        // Isotonic regression of s = xs / eps against w = rho (L2) or log rho (KL).
        let blocks = match regularization {
            Regularization::L2 => pav(
                n,
                |k| MeanBlock {
                    mean: l2_target(xs[k], rho(n, k), eps),
                    len: 1.0,
                },
                |block| block.mean,
                pool_means,
            ),
            Regularization::Kl => pav(
                n,
                |k| lse_leaf(xs[k], rho(n, k).ln()),
                |block| lse_key(block, eps),
                |a, b| pool_lse(a, b, eps),
            ),
        };
        let mut ranks = vec![0.0; n];
        for &(start, end) in &blocks {
            let len = (end - start) as f64;
            // mean(rho_B) = n - (start + end - 1) / 2.
            let rho_mean = n as f64 - (start + end - 1) as f64 / 2.0;
            match regularization {
                Regularization::L2 => {
                    let first = xs[start];
                    let offsets: Vec<f64> = xs[start..end]
                        .iter()
                        .map(|&x| scaled_diff(x, first, eps))
                        .collect();
                    let offset_mean = mean(&offsets);
                    for (k, offset) in (start..end).zip(offsets) {
                        ranks[perm[k]] = offset - offset_mean + rho_mean;
                    }
                }
                Regularization::Kl => {
                    let rho_sum = rho_mean * len;
                    let weights = softmax(&xs[start..end], eps);
                    for (k, weight) in (start..end).zip(weights) {
                        ranks[perm[k]] = rho_sum * weight;
                    }
                }
            }
        }
        RankState {
            eps,
            sign,
            perm,
            xs,
            blocks,
            ranks,
        }
    }
}
