// entry: loss
// large-inputs: 1e150 (the loss squares the target matrix, which the check scales too)
//
// Ranking supervision with a differentiable sorting network (Petersen et
// al., "Differentiable Sorting Networks for Scalable Sorting and Ranking
// Supervision", 2021): the relaxed permutation matrix of the scores, from
// the bitonic network the site asks for, against the permutation matrix of
// the true order. The five scores ride on eight wires: the bitonic network
// pads them as diffsort does.

/// Squared distance between the relaxed permutation matrix of `scores` and
/// `target`, the permutation matrix of the true order (`target[i, j]` is 1
/// when element i belongs at position j of the ascending order).
fn loss(scores: real[n], target: real[n, n]) -> real {
    let p = #[relax(network = "bitonic")] sort_perm(scores);
    let error = p - target;
    sum(error * error)
}
