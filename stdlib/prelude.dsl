// The prelude: loaded into every program.
//
// Everything here is ordinary code of the language (if-else, loops,
// comparisons), so relaxed and stochastic mode smooth it with the same rules
// as user code: `max(a, b)` relaxes as the `if` it is, and `sort` is a
// sorting network (odd-even transposition, or bitonic where the call site
// says `#[relax(network = "bitonic")]`) whose compare-and-swaps become soft
// swaps.
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

/// `x` in ascending order, by the sorting network the call site chooses:
/// `#[relax(network = "bitonic")]` runs `sort_bitonic`, otherwise (the
/// default) `sort_odd_even`. Lowering makes that choice at each call, so
/// this body only states what the default means.
fn sort(x: real[n]) -> real[n] {
    sort_odd_even(x)
}

/// The permutation matrix of `sort`: `sort(x)[j]` is the sum over `i` of
/// `x[i] * P[i, j]`, from the network the call site chooses like `sort`
/// (`sort_perm_odd_even` by default, `sort_perm_bitonic`).
fn sort_perm(x: real[n]) -> real[n, n] {
    sort_perm_odd_even(x)
}

/// `x` in ascending order, by an odd-even transposition network: n layers;
/// layer k compares and swaps the pairs (i, i + 1) for i = k mod 2,
/// k mod 2 + 2, ... while i + 1 < n.
fn sort_odd_even(x: real[n]) -> real[n] {
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

/// The permutation matrix of `sort_odd_even`. It runs the same odd-even
/// transposition network, swapping columns of the identity along with the
/// values, so that relaxed it is the doubly stochastic matrix of
/// differentiable sorting networks (for ranking supervision: compare it
/// with a target matrix).
fn sort_perm_odd_even(x: real[n]) -> real[n, n] {
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

/// The number of wires of the bitonic network for `n` inputs: the smallest
/// power of two that is at least `n` (1 for `n <= 1`).
fn bitonic_wires(n: int) -> int {
    let mut wires = 1;
    while wires < n {
        wires = wires * 2;
    }
    wires
}

/// `x` in ascending order, by the bitonic sorting network of differentiable
/// sorting networks (Petersen et al. 2021), as diffsort builds it. On `w`
/// wires (`w = bitonic_wires(n)`, a power of two) it merges blocks of size
/// 2, 4, ..., w; merging blocks of size `b` takes the layers with gap b/2,
/// b/4, ..., 1, and the layer with gap `g` compares the wires (l, l + g)
/// for every l with the bit `g` clear: ascending if l lies in an even block
/// of size `b`, descending in an odd one, so that each pair of blocks being
/// merged is bitonic. For n a power of two this is diffsort's network,
/// comparator for comparator. Otherwise input `i` starts on wire
/// `w - n + i` and the first `w - n` wires hold padding below every input:
/// a comparator that meets padding sends it to its minimum side without a
/// comparison (where the padding is depends on n alone), and the inputs end
/// on the last n wires, sorted. (diffsort instead passes an input unchanged
/// through a comparator that meets padding: the same network for many n,
/// including every length in its reference tests, but for some n, 22 the
/// smallest, that network does not sort.)
fn sort_bitonic(x: real[n]) -> real[n] {
    if bitonic_wires(n) == n {
        sort_bitonic_unpadded(x)
    } else {
        sort_bitonic_padded(x)
    }
}

/// `sort_bitonic` for n a power of two (no padding): the same comparators,
/// grouped so that the innermost loop of each layer runs comparators that
/// touch disjoint wires at a fixed stride, which the JIT compiles with
/// vector instructions. Within a block of size `b` (all its comparators
/// point the same way), the layer with gap `g` compares `first + c` with
/// `first + c + g` for the groups `first = base + 2gj` and the offsets
/// `c < g`; the inner loop runs over whichever of `j` and `c` has more
/// iterations.
fn sort_bitonic_unpadded(x: real[n]) -> real[n] {
    let mut y = x;
    let mut block = 2;
    while block <= n {
        let mut gap = block / 2;
        while gap > 0 {
            let groups = block / (2 * gap);
            for index in 0..n / block {
                let base = index * block;
                let ascending = index % 2 == 0;
                if gap >= groups {
                    for j in 0..groups {
                        let first = base + 2 * gap * j;
                        if ascending {
                            for c in 0..gap {
                                let a = first + c;
                                if y[a] > y[a + gap] {
                                    let t = y[a];
                                    y[a] = y[a + gap];
                                    y[a + gap] = t;
                                }
                            }
                        } else {
                            for c in 0..gap {
                                let a = first + c;
                                if y[a + gap] > y[a] {
                                    let t = y[a];
                                    y[a] = y[a + gap];
                                    y[a + gap] = t;
                                }
                            }
                        }
                    }
                } else {
                    for c in 0..gap {
                        if ascending {
                            for j in 0..groups {
                                let a = base + c + 2 * gap * j;
                                if y[a] > y[a + gap] {
                                    let t = y[a];
                                    y[a] = y[a + gap];
                                    y[a + gap] = t;
                                }
                            }
                        } else {
                            for j in 0..groups {
                                let a = base + c + 2 * gap * j;
                                if y[a + gap] > y[a] {
                                    let t = y[a];
                                    y[a] = y[a + gap];
                                    y[a + gap] = t;
                                }
                            }
                        }
                    }
                }
            }
            gap = gap / 2;
        }
        block = block * 2;
    }
    y
}

/// `sort_bitonic` for any n: when n is not a power of two, the first
/// `w - n` wires hold padding (see `sort_bitonic`).
fn sort_bitonic_padded(x: real[n]) -> real[n] {
    let wires = bitonic_wires(n);
    let pad = wires - n;
    // The w wires live in 2n slots: w < 2n for every n >= 1.
    let mut y = zeros(2 * n);
    for i in 0..n {
        y[pad + i] = x[i];
    }
    let mut padding = [w < pad for w in 0..2 * n];
    let mut block = 2;
    while block <= wires {
        let mut gap = block / 2;
        while gap > 0 {
            for c in 0..wires / 2 {
                // The c-th wire whose bit `gap` is clear, and its partner.
                let a = (c / gap) * 2 * gap + c % gap;
                let b = a + gap;
                // The wire that receives the minimum.
                let low = if (a / block) % 2 == 0 { a } else { b };
                let high = a + b - low;
                if !padding[a] && !padding[b] {
                    if y[low] > y[high] {
                        let t = y[low];
                        y[low] = y[high];
                        y[high] = t;
                    }
                } else if padding[high] && !padding[low] {
                    // The padding is the minimum: the input moves up.
                    y[high] = y[low];
                    padding[high] = false;
                    padding[low] = true;
                }
            }
            gap = gap / 2;
        }
        block = block * 2;
    }
    [y[pad + i] for i in 0..n]
}

/// The permutation matrix of `sort_bitonic`: the same network, moving the
/// columns of the identity (column `w` says how much of each input is on
/// wire `w`) along with the values. Each column swap is its own `if` on
/// the comparator's decision, so that relaxed it blends only the two
/// columns, with the swap's probability, as diffsort does.
fn sort_perm_bitonic(x: real[n]) -> real[n, n] {
    let wires = bitonic_wires(n);
    let pad = wires - n;
    let mut y = zeros(2 * n);
    for i in 0..n {
        y[pad + i] = x[i];
    }
    let mut p = [[if w == pad + i { 1.0 } else { 0.0 } for w in 0..2 * n] for i in 0..n];
    let mut padding = [w < pad for w in 0..2 * n];
    let mut block = 2;
    while block <= wires {
        let mut gap = block / 2;
        while gap > 0 {
            for c in 0..wires / 2 {
                let a = (c / gap) * 2 * gap + c % gap;
                let b = a + gap;
                let low = if (a / block) % 2 == 0 { a } else { b };
                let high = a + b - low;
                if !padding[a] && !padding[b] {
                    let out_of_order = y[low] > y[high];
                    if out_of_order {
                        let t = y[low];
                        y[low] = y[high];
                        y[high] = t;
                    }
                    for r in 0..n {
                        if out_of_order {
                            let s = p[r, low];
                            p[r, low] = p[r, high];
                            p[r, high] = s;
                        }
                    }
                } else if padding[high] && !padding[low] {
                    y[high] = y[low];
                    for r in 0..n {
                        p[r, high] = p[r, low];
                    }
                    padding[high] = false;
                    padding[low] = true;
                }
            }
            gap = gap / 2;
        }
        block = block * 2;
    }
    [[p[i, pad + j] for j in 0..n] for i in 0..n]
}

/// The 1-based ascending rank of each element, by counting:
/// `rank(x)[i] = 1 + #{j : x[j] < x[i]}` (tied elements share a rank).
/// A call site that names a network (`#[relax(network = "bitonic")]` or
/// `"odd_even"`) ranks by that network instead: lowering runs
/// `rank_bitonic` or `rank_odd_even` there.
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

/// The 1-based position each element takes under the permutation matrix
/// `p` (`sorted[j] = sum over i of x[i] * p[i, j]`): `1 + sum over j of
/// j * p[i, j]`. Relaxed, it is the expected position.
fn rank_from_perm(p: real[n, n]) -> real[n] {
    [1.0 + sum([real(j) * p[i, j] for j in 0..n]) for i in 0..n]
}

/// The 1-based ascending rank of each element by the odd-even network:
/// where `sort_odd_even` puts it. Tied elements get distinct ranks.
fn rank_odd_even(x: real[n]) -> real[n] {
    rank_from_perm(sort_perm_odd_even(x))
}

/// The 1-based ascending rank of each element by the bitonic network:
/// where `sort_bitonic` puts it. Tied elements get distinct ranks.
fn rank_bitonic(x: real[n]) -> real[n] {
    rank_from_perm(sort_perm_bitonic(x))
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
