// The prelude: loaded into every program.
//
// Everything here is ordinary code of the language (if-else, loops,
// comparisons), so relaxed and stochastic mode smooth it with the same rules
// as user code: `max(a, b)` relaxes as the `if` it is, and `sort` is an
// odd-even transposition network whose compare-and-swaps become soft swaps.
// A user function with the same name and parameter types replaces the one
// here.

/// The smaller of two reals.
fn min(a: real, b: real) -> real {
    if a < b { a } else { b }
}

/// The smaller of two ints.
fn min(a: int, b: int) -> int {
    if a < b { a } else { b }
}

/// The larger of two reals.
fn max(a: real, b: real) -> real {
    if a > b { a } else { b }
}

/// The larger of two ints.
fn max(a: int, b: int) -> int {
    if a > b { a } else { b }
}

/// The smallest element: `x[argmin(x)]`. Relaxed, `argmin` is a soft
/// index, so this is `sum(softmax(-x / tau) * x)`, the value consistent with
/// the relaxed `argmin` (`#[relax(max = "logsumexp")]` gives
/// `-tau * logsumexp(-x / tau)` instead).
fn min(x: real[n]) -> real {
    x[argmin(x)]
}

/// The largest element: `x[argmax(x)]`. Relaxed, `argmax` is a soft index,
/// so this is `sum(softmax(x / tau) * x)`, the value consistent with the
/// relaxed `argmax` (`#[relax(max = "logsumexp")]` gives
/// `tau * logsumexp(x / tau)` instead).
fn max(x: real[n]) -> real {
    x[argmax(x)]
}

/// The absolute value of a real.
fn abs(x: real) -> real {
    if x < 0.0 { -x } else { x }
}

/// The absolute value of an int.
fn abs(x: int) -> int {
    if x < 0 { -x } else { x }
}

/// -1.0, 0.0 or 1.0 by the sign of `x`.
fn sign(x: real) -> real {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// -1, 0 or 1 by the sign of `x`.
fn sign(x: int) -> int {
    if x > 0 {
        1
    } else if x < 0 {
        -1
    } else {
        0
    }
}

/// `x` limited to `lo..=hi` (`lo` if `x < lo`, `hi` if `x > hi`).
fn clamp(x: real, lo: real, hi: real) -> real {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `x` limited to `lo..=hi` (`lo` if `x < lo`, `hi` if `x > hi`).
fn clamp(x: int, lo: int, hi: int) -> int {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `x` if it is positive, else 0.0.
fn relu(x: real) -> real {
    if x > 0.0 { x } else { 0.0 }
}

/// `x` in ascending order, by an odd-even transposition network: n layers;
/// layer k compares and swaps the pairs (i, i + 1) for i = k mod 2,
/// k mod 2 + 2, ... while i + 1 < n.
fn sort(x: real[n]) -> real[n] {
    let mut y = x;
    for k in 0..n {
        let start = k % 2;
        for p in 0..(n - start) / 2 {
            let i = start + 2 * p;
            if y[i] > y[i + 1] {
                let t = y[i];
                y[i] = y[i + 1];
                y[i + 1] = t;
            }
        }
    }
    y
}

/// The permutation matrix of `sort`: `sort(x)[j]` is the sum over `i` of
/// `x[i] * P[i, j]`. It runs the same odd-even transposition network as
/// `sort`, swapping columns of the identity along with the values, so that
/// relaxed it is the doubly stochastic matrix of differentiable sorting
/// networks (for ranking supervision: compare it with a target matrix).
fn sort_perm(x: real[n]) -> real[n, n] {
    let mut y = x;
    let mut p = [[if i == j { 1.0 } else { 0.0 } for j in 0..n] for i in 0..n];
    for k in 0..n {
        let start = k % 2;
        for q in 0..(n - start) / 2 {
            let i = start + 2 * q;
            if y[i] > y[i + 1] {
                let t = y[i];
                y[i] = y[i + 1];
                y[i + 1] = t;
                for r in 0..n {
                    let s = p[r, i];
                    p[r, i] = p[r, i + 1];
                    p[r, i + 1] = s;
                }
            }
        }
    }
    p
}

/// The 1-based ascending rank of each element, by counting:
/// `rank(x)[i] = 1 + #{j : x[j] < x[i]}` (tied elements share a rank).
fn rank(x: real[n]) -> real[n] {
    let mut r = fill(n, 1.0);
    for i in 0..n {
        for j in 0..n {
            // An element is not compared with itself: relaxed, x[i] < x[i]
            // would count one half.
            if j != i {
                if x[j] < x[i] {
                    r[i] += 1.0;
                }
            }
        }
    }
    r
}

/// A mask of the `k` largest elements: 1.0 where the descending rank
/// (`1 + #{j : x[j] > x[i]}`) is at most `k`, else 0.0. Ties at the
/// boundary are all selected. Ranks are compared with `k + 0.5`, halfway to
/// the next rank, so that relaxed the mask is near 1 for rank k and near 0
/// for rank k + 1 (not 1/2 at the boundary).
fn topk(x: real[n], k: int) -> real[n] {
    let descending = rank(-x);
    let limit = real(k) + 0.5;
    [if descending[i] < limit { 1.0 } else { 0.0 } for i in 0..n]
}

/// `exp(x) / sum(exp(x))`, computed after subtracting the largest element
/// (which changes nothing but keeps `exp` from overflowing). The shift is
/// `#[hard]`: softmax does not depend on it, so its gradient is exact.
fn softmax(x: real[n]) -> real[n] {
    let shift = #[hard] max(x);
    let e = exp(x - shift);
    e / sum(e)
}

/// `log(sum(exp(x)))`, computed stably as `m + log(sum(exp(x - m)))` with
/// `m` the largest element (`#[hard]`: the result does not depend on it).
fn logsumexp(x: real[n]) -> real {
    let shift = #[hard] max(x);
    shift + log(sum(exp(x - shift)))
}

/// The arithmetic mean of the elements.
fn mean(x: real[n]) -> real {
    sum(x) / real(n)
}

/// The dot product `sum(a[i] * b[i])`.
fn dot(a: real[n], b: real[n]) -> real {
    sum(a * b)
}

/// The product of the elements (1.0 for an empty array).
fn prod(x: real[n]) -> real {
    let mut p = 1.0;
    for i in 0..n {
        p *= x[i];
    }
    p
}
