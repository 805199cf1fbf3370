// A control for the bubble-sort benchmark, not a sort: the passes, soft
// swaps and early exit of tests/fixtures/reference/bubble_early_exit.dsl,
// but every swap decides on the input `a` instead of the current `y`. The
// relaxed program evaluates as many sigmoids, blends, loads and stores as
// bubble sort does, but no sigmoid waits for the swap before it, so the
// difference in time between the two is what bubble sort's chain of
// dependent soft swaps costs (BENCHMARKS.md, "What is left, and why").

fn passes(a: real[n]) -> real[n] {
    let mut y = a;
    let mut swapped = true;
    let mut m = n - 1;
    #[bound(1024)]
    while swapped {
        swapped = false;
        for i in 0..m {
            if a[i] > a[i + 1] {
                let t = y[i];
                y[i] = y[i + 1];
                y[i + 1] = t;
                swapped = true;
            }
        }
        m -= 1;
    }
    y
}

fn loss(x: real[n], w: real[n]) -> real {
    sum(w * passes(x))
}
