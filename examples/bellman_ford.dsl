// entry: loss
// large-inputs: 1e150 (the loss squares path lengths)
//
// Shortest path lengths by Bellman-Ford relaxation. Relaxed, every
// "shorter path found" decision becomes a soft update, so the loss has a
// gradient with respect to every edge weight.

/// Lengths of the shortest paths from node 0 in a graph of n nodes, given
/// as the n x n matrix of edge weights (a large weight means no edge,
/// a positive diagonal means self-loops never help).
fn shortest_paths(w: real[n, n]) -> real[n] {
    let mut d = fill(n, 1000.0);
    d[0] = 0.0;
    for round in 0..n - 1 {
        for u in 0..n {
            for v in 0..n {
                let candidate = d[u] + w[u, v];
                if candidate < d[v] {
                    d[v] = candidate;
                }
            }
        }
    }
    d
}

/// Squared error of the path lengths against `target`.
fn loss(w: real[n, n], target: real[n]) -> real {
    let error = shortest_paths(w) - target;
    sum(error * error)
}
