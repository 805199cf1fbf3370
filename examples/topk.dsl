// entry: loss
//
// Selecting the k largest entries with the prelude's `topk`, a mask built
// by comparing ranks with k. Relaxed, the mask is soft.

/// The sum of `w` over the k largest entries of `x`.
fn loss(x: real[n], w: real[n], k: int) -> real {
    dot(topk(x, k), w)
}
