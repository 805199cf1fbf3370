// entry: cube_root
// large-inputs: no
// modes: hard relaxed
// check-hard-gradient: no
//
// Root finding by bisection: a `while` loop whose condition depends on the
// data, so it carries a `#[bound]`. Hard, the gradient freezes every
// halving decision (and so says nothing about how the root moves with
// `a`); relaxed, the loop is the expectation over its stopping step and
// every halving decision is soft.

/// The real cube root of `a`, searched in [lo, hi] by bisection.
fn cube_root(a: real, lo: real, hi: real) -> real {
    let mut left = lo;
    let mut right = hi;
    #[bound(200)]
    while right - left > 1e-12 {
        let mid = 0.5 * (left + right);
        if mid * mid * mid > a {
            right = mid;
        } else {
            left = mid;
        }
    }
    0.5 * (left + right)
}
