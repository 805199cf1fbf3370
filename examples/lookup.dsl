// entry: loss
// taus: 0.1 1
//
// Two soft indices. `argmax` picks the best-scoring candidate and reads its
// value; `floor` looks a real position up in a piecewise-constant table.
// Hard, both are exact lookups and the scores and the position get no
// gradient. Relaxed, the reads are expectations: over softmax(scores / tau)
// for the candidate, and over a logistic kernel around `t` (clamped to the
// table) for the position, so both get one.

/// The value of the best candidate plus the table entry at position `t`.
fn loss(scores: real[n], values: real[n], table: real[m], t: real) -> real {
    let best = argmax(scores);
    values[best] + table[floor(t)]
}
