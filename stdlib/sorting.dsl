// Sorting networks (`use sorting;`), written in the language so that
// relaxed mode turns every compare-and-swap into a soft swap.

/// `x` in ascending order by a bitonic sorting network: log2(n) stages of
/// bitonic merges, n/2 compare-and-swaps per step. `n` must be a power of
/// two; other lengths fault with an index out of bounds.
fn bitonic_sort(x: real[n]) -> real[n] {
    let mut y = x;
    let mut k = 2;
    while k <= n {
        let mut j = k / 2;
        while j > 0 {
            for i in 0..n {
                // Each pair (i, i + j) once: i has the bit j clear.
                if (i / j) % 2 == 0 {
                    let l = i + j;
                    // Blocks of size k alternate between ascending and
                    // descending, so that their union is bitonic.
                    if (i / k) % 2 == 0 {
                        if y[i] > y[l] {
                            let t = y[i];
                            y[i] = y[l];
                            y[l] = t;
                        }
                    } else {
                        if y[i] < y[l] {
                            let t = y[i];
                            y[i] = y[l];
                            y[l] = t;
                        }
                    }
                }
            }
            j = j / 2;
        }
        k = k * 2;
    }
    y
}

/// `x` in ascending order by odd-even transposition: the network of the
/// prelude's `sort` (n layers of neighbour compare-and-swaps), for any n.
fn odd_even_sort(x: real[n]) -> real[n] {
    sort(x)
}
