//! Pool adjacent violators for a decreasing isotonic regression, and the
//! two kinds of block it pools: L2 (means) and KL (log-sum-exps). Returns
//! only the partition (the blocks' ends); the callers compute what they
//! need from it (see the module docs of `isotonic`).
//!
//! The stack is a buffer the caller keeps, so a call allocates nothing once
//! the buffers have grown.

use super::numerics::scaled_diff;

/// One pooled block on the stack: its end (exclusive; its start is the end
/// of the block below), its key and its summary.
pub(super) type Pooled<B> = (usize, f64, B);

/// Pool adjacent violators over `leaves` (element `k` as a block of its
/// own): `key` is a block's value (or any increasing function of it),
/// `pool` merges two adjacent blocks. Pools while the later block's key is
/// not below the earlier one's. Writes the blocks' ends, in order, into
/// `ends`.
///
/// The last block stays in locals rather than on the stack: when most
/// elements pool into it (a large strength), the loop then never waits for
/// a value it has just stored.
pub(super) fn pav<B: Copy>(
    leaves: impl Iterator<Item = B>,
    key: impl Fn(&B) -> f64,
    pool: impl Fn(B, B) -> B,
    stack: &mut Vec<Pooled<B>>,
    ends: &mut Vec<usize>,
) {
    stack.clear();
    ends.clear();
    let mut leaves = leaves;
    let Some(first) = leaves.next() else {
        return;
    };
    // The last block: `last_end`, `last_key`, `last`.
    let (mut last_end, mut last_key, mut last) = (1, key(&first), first);
    for (k, leaf) in (1..).zip(leaves) {
        let leaf_key = key(&leaf);
        if last_key > leaf_key {
            stack.push((last_end, last_key, last));
            (last_end, last_key, last) = (k + 1, leaf_key, leaf);
            continue;
        }
        // Pool the leaf into the last block, then that into the blocks
        // before it while they violate the order.
        last = pool(last, leaf);
        last_key = key(&last);
        last_end = k + 1;
        while let Some(&(_, previous_key, previous)) = stack.last() {
            if previous_key > last_key {
                break;
            }
            let _ = stack.pop();
            last = pool(previous, last);
            last_key = key(&last);
        }
    }
    stack.push((last_end, last_key, last));
    ends.extend(stack.iter().map(|&(end, _, _)| end));
}

/// An L2 block: the mean of its targets and its size.
#[derive(Clone, Copy, Debug)]
pub(super) struct MeanBlock {
    pub mean: f64,
    pub len: f64,
}

impl MeanBlock {
    pub(super) fn leaf(target: f64) -> MeanBlock {
        MeanBlock {
            mean: target,
            len: 1.0,
        }
    }

    pub(super) fn key(&self) -> f64 {
        self.mean
    }

    /// The mean as a convex combination, which cannot overflow.
    pub(super) fn pool(self, later: MeanBlock) -> MeanBlock {
        let len = self.len + later.len;
        MeanBlock {
            mean: self.mean * (self.len / len) + later.mean * (later.len / len),
            len,
        }
    }
}

/// A KL block: `LSE(s_B / eps)` as `s_max / eps + ln(s_sum)` and `LSE(w_B)`
/// as `w_max + ln(w_sum)`.
#[derive(Clone, Copy, Debug)]
pub(super) struct LseBlock {
    s_max: f64,
    s_sum: f64,
    w_max: f64,
    w_sum: f64,
}

impl LseBlock {
    pub(super) fn leaf(s: f64, w: f64) -> LseBlock {
        LseBlock {
            s_max: s,
            s_sum: 1.0,
            w_max: w,
            w_sum: 1.0,
        }
    }

    /// `min(eps, 1) * (LSE(s_B / eps) - LSE(w_B))`: the KL block value
    /// times a positive constant, formed without overflow.
    pub(super) fn key(&self, eps: f64) -> f64 {
        let rest = self.s_sum.ln() - self.w_max - self.w_sum.ln();
        if eps == 0.0 {
            self.s_max
        } else if eps < 1.0 {
            self.s_max + eps * rest
        } else {
            self.s_max / eps + rest
        }
    }

    pub(super) fn pool(self, later: LseBlock, eps: f64) -> LseBlock {
        let merge = |max_a: f64, sum_a: f64, max_b: f64, sum_b: f64, eps: f64| {
            let max = if max_a >= max_b { max_a } else { max_b };
            let sum = sum_a * scaled_diff(max_a, max, eps).exp()
                + sum_b * scaled_diff(max_b, max, eps).exp();
            (max, sum)
        };
        let (s_max, s_sum) = merge(self.s_max, self.s_sum, later.s_max, later.s_sum, eps);
        let (w_max, w_sum) = merge(self.w_max, self.w_sum, later.w_max, later.w_sum, 1.0);
        LseBlock {
            s_max,
            s_sum,
            w_max,
            w_sum,
        }
    }
}
