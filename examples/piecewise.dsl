// entry: piecewise
// large-inputs: no
//
// A function of two reals defined by nested data-dependent branches. Hard,
// it has kinks and jumps along the lines x = 0, y = x and x + y = -1;
// relaxed, each branch is weighted by the probability of its condition.

/// Four pieces selected by nested comparisons.
fn piecewise(x: real, y: real) -> real {
    if x > 0.0 {
        if y > x {
            x * y
        } else {
            x - y
        }
    } else {
        if x + y < -1.0 {
            exp(x)
        } else {
            sqrt(x * x + 1.0) * y
        }
    }
}
