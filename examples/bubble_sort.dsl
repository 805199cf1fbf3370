// entry: loss
// large-inputs: 1e150 (the loss squares sorted values)
//
// Bubble sort, and a squared-error loss of the sorted values against a
// target. Relaxed, every compare-and-swap becomes a soft swap, which makes
// `bubble_sort` a differentiable sorting network.

/// Sorts `x` in ascending order by repeated compare-and-swap.
fn bubble_sort(x: real[n]) -> real[n] {
    let mut y = x;
    for i in 0..n {
        for j in 0..n - 1 - i {
            if y[j] > y[j + 1] {
                let t = y[j];
                y[j] = y[j + 1];
                y[j + 1] = t;
            }
        }
    }
    y
}

/// Squared distance between the sorted `x` and `target`.
fn loss(x: real[n], target: real[n]) -> real {
    let y = bubble_sort(x);
    let mut total = 0.0;
    for i in 0..n {
        let d = y[i] - target[i];
        total += d * d;
    }
    total
}
