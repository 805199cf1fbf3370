// Bubble sort with early exit, written so that the value a pass carries
// forward stays in the scalar `c` instead of going through `y[i + 1]`: the
// same soft swaps in the same order on the same values, so the relaxed
// result is the same bits as tests/fixtures/reference/bubble_early_exit.dsl
// (tests/it/bench_programs.rs checks it). Timed beside that program with
// `smoothc bench`, it shows that the round trip through memory is not what
// makes the chain of soft swaps slow (BENCHMARKS.md, "What is left, and
// why").

fn sorted(a: real[n]) -> real[n] {
    let mut y = a;
    let mut swapped = true;
    let mut m = n - 1;
    #[bound(1024)]
    while swapped {
        swapped = false;
        let mut c = y[0];
        for i in 0..m {
            let b = y[i + 1];
            if c > b {
                y[i] = b;
                swapped = true;
            } else {
                y[i] = c;
                c = b;
            }
        }
        y[m] = c;
        m -= 1;
    }
    y
}

fn loss(x: real[n], w: real[n]) -> real {
    sum(w * sorted(x))
}
