//! `tanh`: below `|x| = 0.55` (where `tanh < 1/2`) `x + x z P(z)` with `z =
//! x^2` and `P` a degree-11 fit (no cancellation, no division); above it
//! `1 - 2e / (1 + e)` with `e = e^(-2|x|)` (at most 1/3, so the difference
//! keeps its bits). Both are computed and one selected; the sign is put
//! back last.

use super::exp::exp_non_positive;
use super::tables::{TANH_P, TANH_SMALL};
use super::{Arithmetic, polynomial, reals, with_sign_of};

/// Above this `|x|`, `tanh` rounds to ±1; arguments are clamped to it so
/// that the exponential stays in range (a NaN stays a NaN).
const SATURATED: f64 = 20.0;

/// The hyperbolic tangent: odd (`tanh(-0) = -0`), ±1 at ±inf, NaN for NaN;
/// within 2 ulp.
pub fn tanh<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let saturated = a.real(SATURATED);
    let beyond = a.gt(magnitude, saturated);
    let magnitude = a.select(beyond, saturated, magnitude);

    let z = a.mul(magnitude, magnitude);
    let coefficients = reals(a, &TANH_P);
    let p = polynomial(a, z, &coefficients);
    let tz = a.mul(magnitude, z);
    let correction = a.mul(tz, p);
    let below = a.add(magnitude, correction);

    let twice = a.add(magnitude, magnitude);
    let minus_twice = a.neg(twice);
    let e = exp_non_positive(a, minus_twice);
    let twice_e = a.add(e, e);
    let one = a.real(1.0);
    let one_plus_e = a.add(one, e);
    let quotient = a.div(twice_e, one_plus_e);
    let above = a.sub(one, quotient);

    let small_limit = a.real(TANH_SMALL);
    let small = a.lt(magnitude, small_limit);
    let result = a.select(small, below, above);
    with_sign_of(a, result, x)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure_dd};
    use super::super::reference;
    use super::*;

    #[test]
    fn tanh_is_within_2_ulp_over_its_whole_range() {
        let mut sampler = Sampler::new(6);
        let mut inputs = sampler.binades(200_000, -1074, 8);
        inputs.extend(sampler.uniform(200_000, -3.0, 3.0));
        inputs.extend(sampler.uniform(20_000, 0.5, 0.6));
        inputs.extend(sampler.uniform(20_000, 18.0, 22.0));
        inputs.extend(Sampler::around(TANH_SMALL, 1_000));
        // Not against libm's tanh, which is itself up to 1.5 ulp off.
        let worst = measure_dd(
            "tanh",
            |x| tanh(&mut Direct, x),
            |x| reference::tanh(x).into(),
            &inputs,
        );
        assert!(worst <= 2.0, "tanh: {worst} ulp");
    }

    #[test]
    fn tanh_special_values() {
        let tiny = f64::from_bits(1);
        assert_exact(
            |x| tanh(&mut Direct, x),
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (tiny, tiny),
                (-tiny, -tiny),
                (f64::INFINITY, 1.0),
                (f64::NEG_INFINITY, -1.0),
                (1e300, 1.0),
                (-25.0, -1.0),
                (f64::NAN, f64::NAN),
            ],
        );
    }
}
