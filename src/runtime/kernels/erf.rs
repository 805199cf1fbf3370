//! `erf` and `erfc`, split where both are 1/2 (`|y| = 0.4769`), so that
//! neither loses bits to cancellation: below, `erf(y) = y + y Q(y^2)` and
//! `erfc = 1 - erf`; above, `erfc(y) = e^(-y^2) erfcx(y)` and `erf = 1 -
//! erfc`. `erfcx` (smooth, about `1 / (y sqrt(pi))`) is a degree-11
//! polynomial on each eighth of a binade up to 28, its coefficients read
//! from a table by the bits of `y`; `e^(-y^2)` takes `y^2` as an exact sum
//! of two reals, since an error in it would be multiplied by `y^2` in the
//! result.

use super::exp::{Reduced, Sign, reduce};
use super::tables::{ERF_Q, ERF_SPLIT, ERFCX, ERFCX_FIRST, ERFCX_LAST, ERFCX_SUB_BITS};
use super::{Arithmetic, polynomial, reals, with_sign_of};

/// Keeps the top 26 bits of a double, so that its square is exact.
const HALF_MANTISSA_MASK: i64 = !((1 << 27) - 1);

/// `erf(|y|)` below the split, from the polynomial.
fn erf_small<A: Arithmetic>(a: &mut A, magnitude: A::Real) -> A::Real {
    let z = a.mul(magnitude, magnitude);
    let coefficients = reals(a, &ERF_Q);
    let q = polynomial(a, z, &coefficients);
    let correction = a.mul(magnitude, q);
    a.add(magnitude, correction)
}

/// `erfc(|y|)` above the split, from `|y|` clamped to the erfcx
/// intervals (NaN to their start, which keeps the table index in range:
/// callers select NaN back).
fn erfc_large<A: Arithmetic>(a: &mut A, magnitude: A::Real) -> A::Real {
    let split = a.real(ERF_SPLIT);
    let above = a.gt(magnitude, split);
    let y = a.select(above, magnitude, split);
    let last = a.real(ERFCX_LAST);
    let below = a.lt(y, last);
    let y = a.select(below, y, last);

    // y^2 = hi + lo exactly: hi from the top 26 bits of y.
    let bits = a.bits_of(y);
    let mask = a.int(HALF_MANTISSA_MASK);
    let top_bits = a.band(bits, mask);
    let top = a.real_from_bits(top_bits);
    let rest = a.sub(y, top);
    let square_hi = a.mul(top, top);
    let top_plus_y = a.add(top, y);
    let square_lo = a.mul(rest, top_plus_y);
    let minus_hi = a.neg(square_hi);
    let minus_lo = a.neg(square_lo);
    let Reduced {
        rescaled,
        factor,
        tail,
    } = reduce(a, minus_hi, Some(minus_lo), Sign::NonPositive);

    // The interval of y, numbered by its exponent and top mantissa bits,
    // and d = y - its center (exact: both are in the same binade).
    let shift = 52 - ERFCX_SUB_BITS;
    let key = a.ushr(bits, shift);
    let first_key = a.int((ERFCX_FIRST.to_bits() >> shift) as i64);
    let interval = a.isub(key, first_key);
    let slots = a.int(ERFCX[0].len() as i64 - 1);
    let interval = a.band(interval, slots);
    let start_bits = a.shl(key, shift);
    let half_width = a.int(1 << (shift - 1));
    let center_bits = a.bor(start_bits, half_width);
    let center = a.real_from_bits(center_bits);
    let d = a.sub(y, center);
    let coefficients: [A::Real; 11] =
        std::array::from_fn(|k| a.lookup_real(&ERFCX[k + 2], interval));
    let p = polynomial(a, d, &coefficients);
    let c0_hi = a.lookup_real(&ERFCX[0], interval);
    let c0_lo = a.lookup_real(&ERFCX[1], interval);
    let dp = a.mul(d, p);
    let lower = a.add(c0_lo, dp);

    // e^(-y^2) erfcx(y) = rescaled (1 + tail) (c0_hi + lower) factor, with
    // the one large product c0_hi rounded last.
    let lower_tail = a.mul(lower, tail);
    let lower = a.add(lower, lower_tail);
    let hi_tail = a.mul(c0_hi, tail);
    let small = a.add(hi_tail, lower);
    let erfcx = a.add(c0_hi, small);
    let product = a.mul(rescaled, erfcx);
    a.mul(product, factor)
}

/// The error function: odd (`erf(-0) = -0`), ±1 at ±inf, NaN for NaN;
/// within 1 ulp of libm.
pub fn erf<A: Arithmetic>(a: &mut A, y: A::Real) -> A::Real {
    let magnitude = a.abs(y);
    let split = a.real(ERF_SPLIT);
    let small = a.lt(magnitude, split);
    let below = erf_small(a, magnitude);
    let complement = erfc_large(a, magnitude);
    let one = a.real(1.0);
    let above = a.sub(one, complement);
    let result = a.select(small, below, above);
    let result = with_sign_of(a, result, y);
    let is_number = a.eq(y, y);
    a.select(is_number, result, y)
}

/// The complementary error function `1 - erf(y)`, with its relative
/// accuracy in the upper tail (subnormal from 26.55, 0 from 27.23): 2 at
/// `-inf`, 0 at `+inf`, NaN for NaN; within 2 ulp of libm.
pub fn erfc<A: Arithmetic>(a: &mut A, y: A::Real) -> A::Real {
    let magnitude = a.abs(y);
    let split = a.real(ERF_SPLIT);
    let small = a.lt(magnitude, split);
    let below = erf_small(a, magnitude);
    let complement = erfc_large(a, magnitude);
    let one = a.real(1.0);
    let two = a.real(2.0);
    let small_positive = a.sub(one, below);
    let small_negative = a.add(one, below);
    let large_negative = a.sub(two, complement);
    let positive = a.select(small, small_positive, complement);
    let negative = a.select(small, small_negative, large_negative);
    let zero = a.real(0.0);
    let is_negative = a.lt(y, zero);
    let result = a.select(is_negative, negative, positive);
    let is_number = a.eq(y, y);
    a.select(is_number, result, y)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure, measure_dd};
    use super::super::reference;
    use super::*;

    fn inputs(seed: u64) -> Vec<f64> {
        let mut sampler = Sampler::new(seed);
        let mut inputs = sampler.binades(200_000, -1074, 6);
        inputs.extend(sampler.uniform(200_000, -6.0, 6.0));
        inputs.extend(sampler.uniform(100_000, -28.0, 28.0));
        inputs.extend(Sampler::around(ERF_SPLIT, 2_000));
        inputs.extend(Sampler::around(-ERF_SPLIT, 2_000));
        inputs
    }

    #[test]
    fn erf_is_within_2_ulp_over_its_whole_range() {
        let inputs = inputs(8);
        let kernel = |x| erf(&mut Direct, x);
        let apart = measure("erf", kernel, libm::erf, &inputs);
        assert!(apart <= 1.0, "erf: {apart} ulp from libm");
        let worst = measure_dd("erf", kernel, |x| reference::erf(x).into(), &inputs);
        assert!(worst <= 2.0, "erf: {worst} ulp");
    }

    #[test]
    fn erfc_is_within_2_ulp_over_its_whole_range() {
        let mut inputs = inputs(9);
        // The tail, down to the subnormal results.
        inputs.extend(Sampler::new(10).uniform(100_000, 5.0, 27.3));
        // Not against libm's erfc, which is itself up to 2.3 ulp off in the
        // tail.
        let worst = measure_dd(
            "erfc",
            |x| erfc(&mut Direct, x),
            reference::erfc_scaled,
            &inputs,
        );
        assert!(worst <= 2.0, "erfc: {worst} ulp");
    }

    #[test]
    fn erf_and_erfc_special_values() {
        let tiny = f64::from_bits(1);
        assert_exact(
            |x| erf(&mut Direct, x),
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (f64::INFINITY, 1.0),
                (f64::NEG_INFINITY, -1.0),
                (7.0, 1.0),
                (-1e300, -1.0),
                (f64::NAN, f64::NAN),
            ],
        );
        assert!(erf(&mut Direct, tiny) > 0.0 && erf(&mut Direct, -tiny) < 0.0);
        assert_exact(
            |x| erfc(&mut Direct, x),
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (f64::INFINITY, 0.0),
                (f64::NEG_INFINITY, 2.0),
                (28.0, 0.0),
                (1e300, 0.0),
                (-7.0, 2.0),
                (f64::NAN, f64::NAN),
            ],
        );
    }
}
