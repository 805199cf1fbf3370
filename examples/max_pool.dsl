// entry: score
// large-inputs: 1e150 (the score multiplies inputs x and w)
//
// The running maximum of an array, computed with an if-else per element,
// and a weighted sum of it. Relaxed, "keep the best so far" becomes a soft
// update, so every element gets a share of the gradient.

/// `y[i]` is the largest of `x[0]`, ..., `x[i]`.
fn running_max(x: real[n]) -> real[n] {
    let mut y = x;
    let mut best = x[0];
    for i in 0..n {
        if x[i] > best {
            best = x[i];
        }
        y[i] = best;
    }
    y
}

/// The running maximum weighted by `w`.
fn score(x: real[n], w: real[n]) -> real {
    let y = running_max(x);
    let mut total = 0.0;
    for i in 0..n {
        total += w[i] * y[i];
    }
    total
}
