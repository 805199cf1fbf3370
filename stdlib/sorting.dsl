// Sorting networks by name (`use sorting;`). Both are the prelude's
// networks, written in the language so that relaxed mode turns every
// compare-and-swap into a soft swap; unlike the prelude's `sort`, these
// names fix the network whatever the call site's `network` attribute says.

/// `x` in ascending order by the bitonic sorting network of diffsort: the
/// prelude's `sort_bitonic`, for any n (lengths that are not a power of two
/// are padded as diffsort pads them).
fn bitonic_sort(x: real[n]) -> real[n] {
    sort_bitonic(x)
}

/// `x` in ascending order by odd-even transposition: the prelude's
/// `sort_odd_even` (n layers of neighbour compare-and-swaps), for any n.
fn odd_even_sort(x: real[n]) -> real[n] {
    sort_odd_even(x)
}
