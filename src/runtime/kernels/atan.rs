//! `atan` by reduction to `|t| <= 7/16`: `atan(a) = atan(c) + atan((a - c)
//! / (1 + c a))` with `c` in `{0, 1/2, 1, 3/2}` chosen by the size of `a =
//! |x|`, or `atan(a) = pi/2 + atan(-1/a)` beyond `39/16`; then `atan(t)` is
//! `t + t z P(z)` with `z = t^2` and `P` a degree-11 fit. Every case is
//! computed and selected, and the sign put back last.

use super::tables::{ATAN_BASE_HI, ATAN_BASE_LO, ATAN_P};
use super::{Arithmetic, polynomial, reals, with_sign_of};

/// The upper ends of the reduction's intervals: `|t| <= 7/16` on each.
const BOUNDS: [f64; 4] = [7.0 / 16.0, 11.0 / 16.0, 19.0 / 16.0, 39.0 / 16.0];
/// The `c` of each interval beyond the first (the last has its own form).
const CENTERS: [f64; 3] = [0.5, 1.0, 1.5];

/// The arctangent: odd (`atan(-0) = -0`), `±pi/2` at ±inf, NaN for NaN;
/// within 1 ulp of libm.
pub fn atan<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let above: [A::Bool; 4] = std::array::from_fn(|i| {
        let bound = a.real(BOUNDS[i]);
        a.gt(magnitude, bound)
    });
    // Select from the last interval the input is above.
    let zero = a.real(0.0);
    let mut center = zero;
    let mut base_hi = zero;
    let mut base_lo = zero;
    for (i, is_above) in above.iter().enumerate() {
        if let Some(value) = CENTERS.get(i) {
            let value = a.real(*value);
            center = a.select(*is_above, value, center);
        }
        let hi = a.real(ATAN_BASE_HI[i]);
        let lo = a.real(ATAN_BASE_LO[i]);
        base_hi = a.select(*is_above, hi, base_hi);
        base_lo = a.select(*is_above, lo, base_lo);
    }
    // t = (a - c) / (1 + c a), or -1 / a: a - c is exact.
    let far = above[3];
    let difference = a.sub(magnitude, center);
    let product = a.mul(center, magnitude);
    let one = a.real(1.0);
    let sum = a.add(one, product);
    let minus_one = a.real(-1.0);
    let numerator = a.select(far, minus_one, difference);
    let denominator = a.select(far, magnitude, sum);
    let t = a.div(numerator, denominator);

    let z = a.mul(t, t);
    let coefficients = reals(a, &ATAN_P);
    let p = polynomial(a, z, &coefficients);
    let tz = a.mul(t, z);
    let correction = a.mul(tz, p);
    // base_hi + (t + (correction + base_lo)): small terms first.
    let small = a.add(correction, base_lo);
    let reduced = a.add(t, small);
    let result = a.add(base_hi, reduced);
    with_sign_of(a, result, x)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure};
    use super::*;

    #[test]
    fn atan_is_within_1_ulp_of_libm_over_its_whole_range() {
        let mut sampler = Sampler::new(7);
        let mut inputs = sampler.binades(300_000, -1074, 1024);
        inputs.extend(sampler.uniform(200_000, -4.0, 4.0));
        for center in [1.0, -1.0] {
            inputs.extend(sampler.uniform(20_000, center - 1e-3, center + 1e-3));
            inputs.extend(Sampler::around(center, 2_000));
        }
        for bound in BOUNDS {
            inputs.extend(Sampler::around(bound, 500));
        }
        let worst = measure("atan", |x| atan(&mut Direct, x), libm::atan, &inputs);
        assert!(worst <= 1.0, "atan: {worst} ulp");
    }

    #[test]
    fn atan_special_values() {
        let tiny = f64::from_bits(1);
        let half_pi = std::f64::consts::FRAC_PI_2;
        assert_exact(
            |x| atan(&mut Direct, x),
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (tiny, tiny),
                (-tiny, -tiny),
                (f64::INFINITY, half_pi),
                (f64::NEG_INFINITY, -half_pi),
                (1e300, half_pi),
                (-1e300, -half_pi),
                (1.0, std::f64::consts::FRAC_PI_4),
                (f64::NAN, f64::NAN),
            ],
        );
    }
}
