//! Math kernels written once, generic over how arithmetic is done, so that
//! the JIT emits them inline as Cranelift IR (`jit::inline_math`) and the
//! interpreter evaluates the very same operations on `f64` ([`Direct`]):
//! both backends agree bit for bit, and the hot path of a relaxed program
//! (a sigmoid per soft comparison) makes no call.
//!
//! Only IEEE-exact operations appear (`+ - * /`, round-to-nearest-even,
//! comparisons, selects, conversions of in-range integers and bit
//! assembly of powers of two), each rounded the same way on both sides.
//! Accuracy against the host's libm is tested in this module (at most
//! 2 ulp over the whole range, exact at the special values).

/// The operations a kernel is written in.
pub trait Arithmetic {
    type Real: Copy;
    type Int: Copy;
    type Bool: Copy;

    fn real(&mut self, value: f64) -> Self::Real;
    fn add(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn sub(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn mul(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn div(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn neg(&mut self, a: Self::Real) -> Self::Real;
    fn abs(&mut self, a: Self::Real) -> Self::Real;
    /// Round to the nearest integer, ties to even.
    fn nearest(&mut self, a: Self::Real) -> Self::Real;
    /// An integral real in `i64` range to an int (saturating, NaN to 0).
    fn to_int(&mut self, a: Self::Real) -> Self::Int;
    fn int(&mut self, value: i64) -> Self::Int;
    fn iadd(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn isub(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    /// Arithmetic shift right.
    fn sshr(&mut self, a: Self::Int, bits: u8) -> Self::Int;
    fn shl(&mut self, a: Self::Int, bits: u8) -> Self::Int;
    /// The real whose IEEE bits are `a`.
    fn real_from_bits(&mut self, a: Self::Int) -> Self::Real;
    /// The IEEE bits of `a`.
    fn bits_of(&mut self, a: Self::Real) -> Self::Int;
    fn band(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn bor(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    /// Logical shift right.
    fn ushr(&mut self, a: Self::Int, bits: u8) -> Self::Int;
    /// An int to a real (exact below 2^53).
    fn int_to_real(&mut self, a: Self::Int) -> Self::Real;
    /// `a == b` on reals (false when either is NaN).
    fn eq(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    /// `a > b` (false when either is NaN).
    fn gt(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    /// `a < b` (false when either is NaN).
    fn lt(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    fn select(&mut self, cond: Self::Bool, then: Self::Real, otherwise: Self::Real) -> Self::Real;
}

/// Plain `f64` arithmetic: the interpreter's (and the JIT helpers') side.
pub struct Direct;

impl Arithmetic for Direct {
    type Real = f64;
    type Int = i64;
    type Bool = bool;

    fn real(&mut self, value: f64) -> f64 {
        value
    }
    fn add(&mut self, a: f64, b: f64) -> f64 {
        a + b
    }
    fn sub(&mut self, a: f64, b: f64) -> f64 {
        a - b
    }
    fn mul(&mut self, a: f64, b: f64) -> f64 {
        a * b
    }
    fn div(&mut self, a: f64, b: f64) -> f64 {
        a / b
    }
    fn neg(&mut self, a: f64) -> f64 {
        -a
    }
    fn abs(&mut self, a: f64) -> f64 {
        a.abs()
    }
    fn nearest(&mut self, a: f64) -> f64 {
        a.round_ties_even()
    }
    fn to_int(&mut self, a: f64) -> i64 {
        a as i64
    }
    fn int(&mut self, value: i64) -> i64 {
        value
    }
    fn iadd(&mut self, a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
    fn isub(&mut self, a: i64, b: i64) -> i64 {
        a.wrapping_sub(b)
    }
    fn sshr(&mut self, a: i64, bits: u8) -> i64 {
        a >> bits
    }
    fn shl(&mut self, a: i64, bits: u8) -> i64 {
        a << bits
    }
    fn real_from_bits(&mut self, a: i64) -> f64 {
        f64::from_bits(a as u64)
    }
    fn bits_of(&mut self, a: f64) -> i64 {
        a.to_bits() as i64
    }
    fn band(&mut self, a: i64, b: i64) -> i64 {
        a & b
    }
    fn bor(&mut self, a: i64, b: i64) -> i64 {
        a | b
    }
    fn ushr(&mut self, a: i64, bits: u8) -> i64 {
        ((a as u64) >> bits) as i64
    }
    fn int_to_real(&mut self, a: i64) -> f64 {
        a as f64
    }
    fn eq(&mut self, a: f64, b: f64) -> bool {
        a == b
    }
    fn gt(&mut self, a: f64, b: f64) -> bool {
        a > b
    }
    fn lt(&mut self, a: f64, b: f64) -> bool {
        a < b
    }
    fn select(&mut self, cond: bool, then: f64, otherwise: f64) -> f64 {
        if cond { then } else { otherwise }
    }
}

/// Above this, `e^x` overflows to infinity.
const EXP_OVERFLOW: f64 = 709.782_712_893_384;
/// Below this, `e^x` rounds to 0.
const EXP_UNDERFLOW: f64 = -745.133_219_101_941_2;
/// `ln 2` split so that `k * LN2_HI` is exact for `|k| < 2^20`.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const INV_LN2: f64 = std::f64::consts::LOG2_E;

/// `1 / n!` for `n = 2..=13`: the Taylor series of `e^r` on
/// `|r| <= ln(2) / 2`, whose remainder `r^14 / 14!` is below `5e-18`.
const EXP_TAYLOR: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `e^x`: `x = k ln 2 + r` with `k` the nearest integer to `x / ln 2`
/// (Cody-Waite reduction in two parts), `e^r` by its Taylor polynomial,
/// then the exponent `k` assembled in two halves so that no intermediate
/// over- or underflows. `+inf` above 709.78, 0 below -745.13, NaN for NaN.
pub fn exp<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    // Clamp first so that k stays small; the selects at the end give the
    // exact answers outside the range (NaN passes through the arithmetic).
    let high = a.real(710.0);
    let low = a.real(-746.0);
    let above = a.gt(x, high);
    let clamped = a.select(above, high, x);
    let below = a.lt(clamped, low);
    let clamped = a.select(below, low, clamped);

    let inv_ln2 = a.real(INV_LN2);
    let scaled = a.mul(clamped, inv_ln2);
    let k_real = a.nearest(scaled);
    let ln2_hi = a.real(LN2_HI);
    let ln2_lo = a.real(LN2_LO);
    let hi_part = a.mul(k_real, ln2_hi);
    let lo_part = a.mul(k_real, ln2_lo);
    let reduced = a.sub(clamped, hi_part);
    let r = a.sub(reduced, lo_part);

    // e^r = 1 + r + r^2 (1/2 + r (1/6 + ...)), by Horner from the top.
    let mut tail = a.real(EXP_TAYLOR[EXP_TAYLOR.len() - 1]);
    for coefficient in EXP_TAYLOR.iter().rev().skip(1) {
        let product = a.mul(tail, r);
        let c = a.real(*coefficient);
        tail = a.add(product, c);
    }
    let r2 = a.mul(r, r);
    let quadratic = a.mul(r2, tail);
    let linear = a.add(r, quadratic);
    let one = a.real(1.0);
    let e_r = a.add(one, linear);

    // 2^k = 2^(k >> 1) * 2^(k - (k >> 1)), each a normal number for
    // k in [-1077, 1025].
    let k = a.to_int(k_real);
    let half = a.sshr(k, 1);
    let rest = a.isub(k, half);
    let first = power_of_two(a, half);
    let second = power_of_two(a, rest);
    let partial = a.mul(e_r, first);
    let result = a.mul(partial, second);

    let overflow = a.real(EXP_OVERFLOW);
    let underflow = a.real(EXP_UNDERFLOW);
    let infinity = a.real(f64::INFINITY);
    let zero = a.real(0.0);
    let too_big = a.gt(x, overflow);
    let too_small = a.lt(x, underflow);
    let result = a.select(too_small, zero, result);
    a.select(too_big, infinity, result)
}

/// `2^k` for `k` in the normal exponent range, from its bits.
fn power_of_two<A: Arithmetic>(a: &mut A, k: A::Int) -> A::Real {
    let bias = a.int(1023);
    let biased = a.iadd(k, bias);
    let bits = a.shl(biased, 52);
    a.real_from_bits(bits)
}

/// `2 / (2n + 1)` for `n = 1..=10`: `log(m) = 2 atanh(s) = 2 s + s^3 (2/3 +
/// s^2 (2/5 + ...))` with `s = (m - 1) / (m + 1)`, `|s| <= 0.172` for `m` in
/// `[sqrt(1/2), sqrt(2))`; the first term left out, `2 s^23 / 23`, is
/// below `3e-19` of the result.
const LOG_SERIES: [f64; 10] = [
    2.0 / 3.0,
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
    2.0 / 21.0,
];

/// The natural logarithm: `x = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`
/// (subnormal `x` scaled by `2^54` first), `log m = 2 atanh((m - 1) / (m +
/// 1))` by its series, and `k ln 2` added in two parts. NaN below 0 and for
/// NaN, `-inf` at 0, `+inf` at `+inf`.
pub fn log<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    // Subnormals get 54 more bits of exponent, taken back from k.
    let smallest_normal = a.real(f64::MIN_POSITIVE);
    let subnormal = a.lt(x, smallest_normal);
    let scale = a.real(18_014_398_509_481_984.0); // 2^54
    let one = a.real(1.0);
    let factor = a.select(subnormal, scale, one);
    let normal = a.mul(x, factor);
    let bits = a.bits_of(normal);
    let exponent_field = a.ushr(bits, 52);
    let exponent_mask = a.int(0x7ff);
    let exponent_field = a.band(exponent_field, exponent_mask);
    let mantissa_mask = a.int(0x000f_ffff_ffff_ffff);
    let mantissa = a.band(bits, mantissa_mask);
    // m in [1, 2), as a real with exponent 0.
    let unit_exponent = a.int(1023 << 52);
    let m_bits = a.bor(mantissa, unit_exponent);
    let m = a.real_from_bits(m_bits);
    let bias = a.int(1023);
    let k = a.isub(exponent_field, bias);
    let k_real = a.int_to_real(k);
    let shift = a.real(54.0);
    let zero = a.real(0.0);
    let taken = a.select(subnormal, shift, zero);
    let k_real = a.sub(k_real, taken);
    // m above sqrt(2): use m / 2 and k + 1.
    let sqrt2 = a.real(std::f64::consts::SQRT_2);
    let large = a.gt(m, sqrt2);
    let half = a.real(0.5);
    let halved = a.mul(m, half);
    let m = a.select(large, halved, m);
    let k_plus = a.add(k_real, one);
    let k_real = a.select(large, k_plus, k_real);

    let numerator = a.sub(m, one);
    let denominator = a.add(m, one);
    let s = a.div(numerator, denominator);
    let s2 = a.mul(s, s);
    let mut tail = a.real(LOG_SERIES[LOG_SERIES.len() - 1]);
    for coefficient in LOG_SERIES.iter().rev().skip(1) {
        let product = a.mul(tail, s2);
        let c = a.real(*coefficient);
        tail = a.add(product, c);
    }
    let s3 = a.mul(s2, s);
    let odd = a.mul(s3, tail);
    let two = a.real(2.0);
    let linear = a.mul(two, s);
    let ln2_lo = a.real(LN2_LO);
    let ln2_hi = a.real(LN2_HI);
    let low = a.mul(k_real, ln2_lo);
    let small = a.add(odd, low);
    let log_m = a.add(linear, small);
    let high = a.mul(k_real, ln2_hi);
    let result = a.add(high, log_m);

    let negative = a.lt(x, zero);
    let nan = a.real(f64::NAN);
    let is_zero = a.eq(x, zero);
    let minus_infinity = a.real(f64::NEG_INFINITY);
    let infinity = a.real(f64::INFINITY);
    let is_infinite = a.eq(x, infinity);
    let result = a.select(is_infinite, infinity, result);
    let result = a.select(is_zero, minus_infinity, result);
    let result = a.select(negative, nan, result);
    let is_number = a.eq(x, x);
    a.select(is_number, result, nan)
}

/// The logistic function `1 / (1 + e^-x)`, from `e^-|x|` so that nothing
/// overflows: `1 / (1 + e)` for `x >= 0`, `e / (1 + e)` below. NaN for NaN.
pub fn sigmoid<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let minus = a.neg(magnitude);
    let e = exp(a, minus);
    let one = a.real(1.0);
    let denominator = a.add(one, e);
    let positive = a.div(one, denominator);
    let negative = a.div(e, denominator);
    let zero = a.real(0.0);
    let is_negative = a.lt(x, zero);
    a.select(is_negative, negative, positive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The distance in units in the last place between two finite reals.
    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        let scale = b.abs().max(f64::MIN_POSITIVE);
        let ulp = f64::EPSILON * 2f64.powi(scale.log2().floor() as i32);
        (a - b).abs() / ulp
    }

    fn exp_direct(x: f64) -> f64 {
        exp(&mut Direct, x)
    }

    #[test]
    fn exp_is_within_2_ulp_of_libm_over_its_whole_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut worst = 0.0f64;
        for _ in 0..200_000 {
            let x = rng.random_range(-708.0..709.0);
            worst = worst.max(ulps(exp_direct(x), x.exp()));
        }
        for _ in 0..100_000 {
            let x = rng.random_range(-2.0..2.0);
            worst = worst.max(ulps(exp_direct(x), x.exp()));
        }
        println!("exp: worst error {worst} ulp against the host libm");
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp_direct(0.0), 1.0);
        assert_eq!(exp_direct(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_direct(f64::NEG_INFINITY), 0.0);
        assert!(exp_direct(f64::NAN).is_nan());
        assert_eq!(exp_direct(710.0), f64::INFINITY);
        assert_eq!(exp_direct(-746.0), 0.0);
        assert_eq!(exp_direct(1e300), f64::INFINITY);
        assert_eq!(exp_direct(-1e300), 0.0);
        assert!(ulps(exp_direct(709.78), 709.78f64.exp()) <= 2.0);
        // Subnormal results: close in absolute terms.
        assert!((exp_direct(-740.0) - (-740.0f64).exp()).abs() <= 4.0 * f64::from_bits(1));
    }

    #[test]
    fn log_is_within_2_ulp_of_libm_over_its_whole_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut worst = 0.0f64;
        let mut check = |x: f64| {
            let error = ulps(log(&mut Direct, x), x.ln());
            worst = worst.max(error);
        };
        for _ in 0..200_000 {
            // Every binade, normal and subnormal.
            let exponent = rng.random_range(-1074.0..1024.0);
            check(2f64.powf(exponent) * rng.random_range(1.0..2.0));
        }
        for _ in 0..100_000 {
            check(rng.random_range(0.5..2.0));
        }
        println!("log: worst error {worst} ulp against the host libm");
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn log_special_values() {
        let log_direct = |x: f64| log(&mut Direct, x);
        assert_eq!(log_direct(1.0), 0.0);
        assert_eq!(log_direct(0.0), f64::NEG_INFINITY);
        assert_eq!(log_direct(-0.0), f64::NEG_INFINITY);
        assert_eq!(log_direct(f64::INFINITY), f64::INFINITY);
        assert!(log_direct(-1.0).is_nan());
        assert!(log_direct(f64::NEG_INFINITY).is_nan());
        assert!(log_direct(f64::NAN).is_nan());
        assert!(ulps(log_direct(f64::MAX), f64::MAX.ln()) <= 2.0);
        let tiny = f64::from_bits(1);
        assert!(ulps(log_direct(tiny), tiny.ln()) <= 2.0);
    }

    #[test]
    fn sigmoid_is_accurate_and_never_overflows() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let reference = |x: f64| {
            if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                x.exp() / (1.0 + x.exp())
            }
        };
        for _ in 0..100_000 {
            let x = rng.random_range(-40.0..40.0);
            assert!(
                ulps(sigmoid(&mut Direct, x), reference(x)) <= 4.0,
                "sigmoid({x})"
            );
        }
        assert_eq!(sigmoid(&mut Direct, f64::INFINITY), 1.0);
        assert_eq!(sigmoid(&mut Direct, f64::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid(&mut Direct, 0.0), 0.5);
        assert!(sigmoid(&mut Direct, f64::NAN).is_nan());
        assert_eq!(sigmoid(&mut Direct, 1e300), 1.0);
        assert_eq!(sigmoid(&mut Direct, -1e300), 0.0);
    }
}
