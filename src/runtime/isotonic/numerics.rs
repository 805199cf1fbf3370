//! The overflow-safe scalar pieces of the soft sort and rank: differences
//! scaled by the strength, means, log-sum-exp and softmax relative to the
//! maximum (see the module docs of `isotonic` for why each is formed as it
//! is). Nothing here allocates; the softmax writes into a buffer it is
//! given.

/// The strength as used: anything not positive (including NaN) is the
/// hard limit 0.
pub(super) fn clean_strength(strength: f64) -> f64 {
    if strength > 0.0 { strength } else { 0.0 }
}

/// `(a - b) / eps`, formed so as not to overflow for large `a`, `b` and
/// exactly 0 when `a == b` (also for `eps == 0` and infinite `a`, `b`).
pub(super) fn scaled_diff(a: f64, b: f64, eps: f64) -> f64 {
    if a == b {
        0.0
    } else if eps >= 1.0 {
        a / eps - b / eps
    } else {
        (a - b) / eps
    }
}

/// `num / eps`, but exactly 0 when `num == 0` (so `eps == 0` is harmless).
pub(super) fn div_or_zero(num: f64, eps: f64) -> f64 {
    if num == 0.0 { 0.0 } else { num / eps }
}

/// Mean without overflow (a convex combination of the values).
pub(super) fn mean(values: &[f64]) -> f64 {
    let len = values.len() as f64;
    values.iter().map(|value| value / len).sum()
}

pub(super) fn max_of(values: &[f64]) -> f64 {
    values.iter().copied().fold(
        f64::NEG_INFINITY,
        |max, value| if value > max { value } else { max },
    )
}

/// `log sum exp(values)`, relative to the maximum.
pub(super) fn log_sum_exp(values: &[f64]) -> f64 {
    let max = max_of(values);
    let total: f64 = values
        .iter()
        .map(|&value| scaled_diff(value, max, 1.0).exp())
        .sum();
    max + total.ln()
}

/// `weights = softmax(values / eps)`, relative to the maximum.
pub(super) fn softmax_into(values: &[f64], eps: f64, weights: &mut Vec<f64>) {
    let max = max_of(values);
    weights.clear();
    weights.extend(
        values
            .iter()
            .map(|&value| scaled_diff(value, max, eps).exp()),
    );
    let total: f64 = weights.iter().sum();
    for weight in weights.iter_mut() {
        *weight /= total;
    }
}

/// The L2 isotonic target `a / eps - b`, times `min(eps, 1)`.
pub(super) fn l2_target(a: f64, b: f64, eps: f64) -> f64 {
    if eps < 1.0 { a - eps * b } else { a / eps - b }
}

/// `rho_k = n - k`.
pub(super) fn rho(n: usize, k: usize) -> f64 {
    (n - k) as f64
}
