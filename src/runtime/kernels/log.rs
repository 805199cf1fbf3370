//! `log` and `log1p`: `y = 2^k (1 + f)` with `1 + f` in `[sqrt(1/2),
//! sqrt(2))` (the exponent taken from the bits, offset so the split lands
//! there), then `log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2))` with `s = f /
//! (2 + f)` and `R` the tail of the `2 atanh(s)` series: `f` is exact and
//! the rest small, so little rounding reaches the result. `log1p` passes
//! the rounding error of `1 + x` as a relative correction.

use super::tables::{LN2_HI, LN2_LO};
use super::{Arithmetic, polynomial, reals, small_int_to_real};

/// `2 / (2n + 1)` for `n = 1..=9`: `R(z) = z (2/3 + 2/5 z + ...)` with `z =
/// s^2 <= 0.0295`; the first term left out, `2 z^10 / 21`, changes the
/// result by less than `2^-60` of it.
const LOG_SERIES: [f64; 9] = [
    2.0 / 3.0,
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
];

/// The bits of `sqrt(1/2)`: the offset that puts the mantissa in
/// `[sqrt(1/2), sqrt(2))`.
const HALF_SQRT2_BITS: i64 = 0x3fe6_a09e_667f_3bcd;
const ONE_BITS: i64 = 0x3ff0_0000_0000_0000;
const MANTISSA_MASK: i64 = 0x000f_ffff_ffff_ffff;

/// `log(y) + c` for a positive normal `y` and a small relative correction
/// `c` (none for `log`); `exponent_offset` is added to `k` (subnormals
/// arrive scaled by `2^54`). Finite garbage for 0, infinities and NaN,
/// which the callers select away.
fn log_core<A: Arithmetic>(
    a: &mut A,
    y: A::Real,
    correction: Option<A::Real>,
    exponent_offset: Option<A::Real>,
) -> A::Real {
    let bits = a.bits_of(y);
    let offset = a.int(ONE_BITS - HALF_SQRT2_BITS);
    let shifted = a.iadd(bits, offset);
    let biased = a.ushr(shifted, 52);
    let bias = a.int(1023);
    let k = a.isub(biased, bias);
    let mantissa_mask = a.int(MANTISSA_MASK);
    let mantissa = a.band(shifted, mantissa_mask);
    let half_sqrt2 = a.int(HALF_SQRT2_BITS);
    let m_bits = a.iadd(mantissa, half_sqrt2);
    let m = a.real_from_bits(m_bits);
    let mut k_real = small_int_to_real(a, k);
    if let Some(offset) = exponent_offset {
        k_real = a.add(k_real, offset);
    }

    let one = a.real(1.0);
    let f = a.sub(m, one);
    let two = a.real(2.0);
    let denominator = a.add(two, f);
    let s = a.div(f, denominator);
    let z = a.mul(s, s);
    let coefficients = reals(a, &LOG_SERIES);
    let series = polynomial(a, z, &coefficients);
    let r = a.mul(z, series);
    let half = a.real(0.5);
    let half_f = a.mul(half, f);
    let hfsq = a.mul(half_f, f);

    // k ln2_hi + (f - (hfsq - (s (hfsq + R) + (k ln2_lo + c)))).
    let ln2_lo = a.real(LN2_LO);
    let mut small = a.mul(k_real, ln2_lo);
    if let Some(c) = correction {
        small = a.add(small, c);
    }
    let sum = a.add(hfsq, r);
    let odd = a.mul(s, sum);
    let odd = a.add(odd, small);
    let difference = a.sub(hfsq, odd);
    let log_m = a.sub(f, difference);
    let ln2_hi = a.real(LN2_HI);
    let high = a.mul(k_real, ln2_hi);
    a.add(high, log_m)
}

/// The natural logarithm: NaN below 0 and for NaN, `-inf` at ±0, `+inf` at
/// `+inf`, exactly 0 at 1; within 1 ulp of libm. Subnormal `x` is scaled
/// by `2^54` first.
pub fn log<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let smallest_normal = a.real(f64::MIN_POSITIVE);
    let subnormal = a.lt(x, smallest_normal);
    let scale = a.real(18_014_398_509_481_984.0); // 2^54
    let one = a.real(1.0);
    let factor = a.select(subnormal, scale, one);
    let y = a.mul(x, factor);
    let minus_54 = a.real(-54.0);
    let zero = a.real(0.0);
    let offset = a.select(subnormal, minus_54, zero);
    let result = log_core(a, y, None, Some(offset));

    let infinity = a.real(f64::INFINITY);
    let is_infinite = a.eq(x, infinity);
    let result = a.select(is_infinite, infinity, result);
    let positive = a.gt(x, zero);
    let is_zero = a.eq(x, zero);
    let minus_infinity = a.real(f64::NEG_INFINITY);
    let nan = a.real(f64::NAN);
    let not_positive = a.select(is_zero, minus_infinity, nan);
    a.select(positive, result, not_positive)
}

/// `log(1 + x)`, accurate near 0 (`log1p(±0) = ±0`, `log1p(x) = x` for
/// tiny `x`): `-inf` at -1, NaN below -1 and for NaN, `+inf` at `+inf`;
/// within 1 ulp of libm.
pub fn log1p<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    // u = 1 + x rounded, and what the rounding lost, exactly (the larger
    // addend first), as a correction relative to u.
    let one = a.real(1.0);
    let u = a.add(one, x);
    let u_less_one = a.sub(u, one);
    let lost_small = a.sub(x, u_less_one);
    let u_less_x = a.sub(u, x);
    let lost_large = a.sub(one, u_less_x);
    let large = a.gt(x, one);
    let lost = a.select(large, lost_large, lost_small);
    let correction = a.div(lost, u);
    let result = log_core(a, u, Some(correction), None);

    let infinity = a.real(f64::INFINITY);
    let is_infinite = a.eq(x, infinity);
    let result = a.select(is_infinite, infinity, result);
    let zero = a.real(0.0);
    let is_zero = a.eq(x, zero);
    let result = a.select(is_zero, x, result);
    let minus_one = a.real(-1.0);
    let in_domain = a.gt(x, minus_one);
    let is_minus_one = a.eq(x, minus_one);
    let minus_infinity = a.real(f64::NEG_INFINITY);
    let nan = a.real(f64::NAN);
    let outside = a.select(is_minus_one, minus_infinity, nan);
    a.select(in_domain, result, outside)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure, measure_dd};
    use super::super::reference;
    use super::*;

    #[test]
    fn log_is_within_1_ulp_over_its_whole_range() {
        let mut sampler = Sampler::new(2);
        let mut inputs: Vec<f64> = sampler
            .binades(300_000, -1100, 1024)
            .into_iter()
            .map(f64::abs)
            .collect();
        inputs.extend(sampler.uniform(100_000, 0.5, 2.0));
        inputs.extend(Sampler::around(1.0, 20_000));
        inputs.extend(Sampler::around(std::f64::consts::SQRT_2, 2_000));
        inputs.extend(Sampler::around(std::f64::consts::FRAC_1_SQRT_2, 2_000));
        inputs.extend(Sampler::around(f64::MIN_POSITIVE, 2_000));
        let kernel = |x| log(&mut Direct, x);
        let apart = measure("log", kernel, libm::log, &inputs);
        assert!(apart <= 1.0, "log: {apart} ulp from libm");
        let worst = measure_dd("log", kernel, |x| reference::log(x).into(), &inputs);
        assert!(worst <= 1.0, "log: {worst} ulp");
    }

    #[test]
    fn log_special_values() {
        assert_exact(
            |x| log(&mut Direct, x),
            &[
                (1.0, 0.0),
                (0.0, f64::NEG_INFINITY),
                (-0.0, f64::NEG_INFINITY),
                (f64::INFINITY, f64::INFINITY),
                (-1.0, f64::NAN),
                (-1e-310, f64::NAN),
                (f64::NEG_INFINITY, f64::NAN),
                (f64::NAN, f64::NAN),
                (std::f64::consts::E, 1.0),
                (2.0, std::f64::consts::LN_2),
            ],
        );
    }

    #[test]
    fn log1p_is_within_1_ulp_over_its_whole_range() {
        let mut sampler = Sampler::new(3);
        let mut inputs: Vec<f64> = sampler
            .binades(300_000, -1100, 1024)
            .into_iter()
            .map(|x| if x < -1.0 { -1.0 / x } else { x })
            .collect();
        // Near 0 and near -1, where cancellation would hurt.
        inputs.extend(sampler.uniform(100_000, -1e-3, 1e-3));
        inputs.extend(sampler.uniform(100_000, -1.0, -0.99));
        inputs.extend(sampler.uniform(100_000, -0.5, 1.5));
        inputs.extend(Sampler::around(-1.0 + f64::EPSILON, 2_000));
        inputs.extend(Sampler::around(1.0, 2_000));
        inputs.extend(Sampler::around(std::f64::consts::SQRT_2 - 1.0, 2_000));
        inputs.extend(Sampler::around(
            std::f64::consts::FRAC_1_SQRT_2 - 1.0,
            2_000,
        ));
        let kernel = |x| log1p(&mut Direct, x);
        let apart = measure("log1p", kernel, libm::log1p, &inputs);
        assert!(apart <= 1.0, "log1p: {apart} ulp from libm");
        let worst = measure_dd("log1p", kernel, |x| reference::log1p(x).into(), &inputs);
        assert!(worst <= 1.0, "log1p: {worst} ulp");
    }

    #[test]
    fn log1p_special_values() {
        let tiny = f64::from_bits(1);
        assert_exact(
            |x| log1p(&mut Direct, x),
            &[
                (0.0, 0.0),
                (-0.0, -0.0),
                (tiny, tiny),
                (-tiny, -tiny),
                (1e-300, 1e-300),
                (-1.0, f64::NEG_INFINITY),
                (-1.5, f64::NAN),
                (f64::NEG_INFINITY, f64::NAN),
                (f64::INFINITY, f64::INFINITY),
                (f64::NAN, f64::NAN),
                (1.0, std::f64::consts::LN_2),
                (f64::MAX, libm::log(f64::MAX)),
            ],
        );
    }
}
