// entry: cube_root
// modes: hard
// check-hard-gradient: no
//
// Root finding by bisection: a `while` loop whose condition depends on the
// data, so it carries a `#[bound]`. Relaxing such loops comes with the
// relaxation catalogue; until then this example runs in hard mode, where
// the gradient freezes every halving decision.

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
