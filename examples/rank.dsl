// entry: loss
// large-inputs: 1e150 (the loss squares rank errors against scaled targets)
//
// Ranking by counting (the prelude's `rank`: 1 + how many entries are
// smaller). Relaxed, each count is a sum of sigmoids, which is the
// pairwise soft rank.

/// Squared error of the ranks of `x` against target ranks.
fn loss(x: real[n], target: real[n]) -> real {
    let error = rank(x) - target;
    dot(error, error)
}
