//! The logistic function and its integral, from `e = e^-|x|` so that
//! nothing overflows: `sigmoid(x) = 1 / (1 + e)` for `x >= 0` and `e / (1 +
//! e)` below (one division of the selected numerator, corrected for the
//! rounding of `1 + e`), `softplus(x) = max(x, 0) + log1p(e)`.

use super::exp::exp_non_positive;
use super::{Arithmetic, log1p};

/// `1 / (1 + e^-x)`: in `[0, 1]` for every input, 1/2 at ±0, NaN for NaN;
/// within 2 ulp of the formula in double-double over libm's exp.
pub fn sigmoid<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let minus = a.neg(magnitude);
    let e = exp_non_positive(a, minus);
    let one = a.real(1.0);
    let denominator = a.add(one, e);
    let zero = a.real(0.0);
    let is_negative = a.lt(x, zero);
    let numerator = a.select(is_negative, e, one);
    let quotient = a.div(numerator, denominator);
    // 1 + e lost `lost = e - (denominator - 1)` (exactly, as e <= 1), and
    // n / (denominator + lost) = quotient (1 - lost / (1 + e)) to first
    // order. The correction is below 2^-53 of the quotient, so 1 / (1 + e)
    // needs only a few bits: 16/17 - 8/17 e is within 6% on [0, 1], and
    // comes from e alone, so that the division is the only long step.
    // Without the correction the result could be 2.5 ulp off (and 1 / (1
    // + e) times e, a division and a product, 2.1 ulp).
    let denominator_less_one = a.sub(denominator, one);
    let lost = a.sub(e, denominator_less_one);
    let minus_slope = a.real(-8.0 / 17.0);
    let intercept = a.real(16.0 / 17.0);
    let inverse = a.mul_add(minus_slope, e, intercept);
    let relative = a.mul(lost, inverse);
    let minus_relative = a.neg(relative);
    a.mul_add(quotient, minus_relative, quotient)
}

/// `log(1 + e^x)`: finite for every finite `x`, `x` itself once `e^-x` is
/// negligible, `ln 2` at 0, 0 at `-inf`, `+inf` at `+inf`, NaN for NaN.
pub fn softplus<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let minus = a.neg(magnitude);
    let e = exp_non_positive(a, minus);
    let log_term = log1p(a, e);
    let zero = a.real(0.0);
    let positive = a.gt(x, zero);
    let linear = a.select(positive, x, zero);
    a.add(linear, log_term)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure_dd};
    use super::super::reference;
    use super::*;

    fn inputs(seed: u64) -> Vec<f64> {
        let mut sampler = Sampler::new(seed);
        let mut inputs = sampler.binades(200_000, -1074, 11);
        inputs.extend(sampler.uniform(200_000, -40.0, 40.0));
        inputs.extend(sampler.uniform(20_000, -750.0, -700.0));
        inputs
    }

    #[test]
    fn sigmoid_is_within_2_ulp_over_its_whole_range() {
        let worst = measure_dd(
            "sigmoid",
            |x| sigmoid(&mut Direct, x),
            |x| reference::sigmoid(x).into(),
            &inputs(4),
        );
        assert!(worst <= 2.0, "sigmoid: {worst} ulp");
    }

    #[test]
    fn sigmoid_special_values() {
        assert_exact(
            |x| sigmoid(&mut Direct, x),
            &[
                (0.0, 0.5),
                (-0.0, 0.5),
                (f64::INFINITY, 1.0),
                (f64::NEG_INFINITY, 0.0),
                (1e300, 1.0),
                (-1e300, 0.0),
                (40.0, 1.0),
                (f64::NAN, f64::NAN),
            ],
        );
    }

    #[test]
    fn softplus_is_within_2_ulp_over_its_whole_range() {
        let worst = measure_dd(
            "softplus",
            |x| softplus(&mut Direct, x),
            |x| reference::softplus(x).into(),
            &inputs(5),
        );
        assert!(worst <= 2.0, "softplus: {worst} ulp");
    }

    #[test]
    fn softplus_special_values() {
        assert_exact(
            |x| softplus(&mut Direct, x),
            &[
                (0.0, std::f64::consts::LN_2),
                (f64::INFINITY, f64::INFINITY),
                (f64::NEG_INFINITY, 0.0),
                (800.0, 800.0),
                (1e308, 1e308),
                (-1e308, 0.0),
                (f64::NAN, f64::NAN),
            ],
        );
    }
}
