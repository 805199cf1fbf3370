//! `e^x` by a table: `x = (k N + j) ln2/N + r` with `N = 128`, so `e^x =
//! 2^k 2^(j/N) e^r` with `2^(j/N)` read from a table (and its rounding
//! error, so that nothing is lost) and `e^r` a degree-5 polynomial on
//! `|r| <= ln2/256`. The dependent chain is short (ten operations, five
//! of them fused multiply-adds): the relaxed programs' sigmoid per soft
//! comparison is one `exp`.
//!
//! `reduce` is shared with `erfc`, which passes `-y^2` as a sum of two
//! reals and multiplies by its `erfcx` before the last rounding.

use super::tables::{
    EXP_INV_LN2_N, EXP_LN2_N_HI, EXP_LN2_N_LO, EXP_SCALE_BITS, EXP_TABLE_BITS, EXP_TAIL,
};
use super::{Arithmetic, SHIFTER};

/// Beyond this magnitude `exp` is `+inf` or 0 by a select; up to it the
/// arithmetic gets there by itself (`|k N + j|` stays below `2^18`, which
/// the split of `ln2/N` needs, and `k` within the rescaling's range).
const NATURAL_LIMIT: f64 = 1000.0;

/// The exponent moved between the scale and the final factor when a result
/// is near or beyond the ends of the normal range.
const RESCALE: i64 = 512;

/// `1/n!` for `n = 2..=5`: `e^r - 1 - r` on `|r| <= ln2/256` to within
/// `r^6/720 < 6e-19` (a Taylor series is enough on so short a range).
const EXP_POLY: [f64; 4] = [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0];

/// `e^x` taken apart: `e^x = rescaled (1 + tail) factor` to within the
/// rounding of the last steps, where `rescaled` stays normal for every
/// `|x| <= NATURAL_LIMIT`.
pub(super) struct Reduced<R> {
    /// `2^(k + j/N)` divided (for `x > 0`) or multiplied by `2^512`.
    pub(super) rescaled: R,
    /// `2^512` or `2^-512`, what `rescaled` lacks.
    pub(super) factor: R,
    /// `e^r (1 + table rounding error) - 1`, small.
    pub(super) tail: R,
}

/// What a caller knows of the sign of the argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sign {
    Any,
    /// Not positive (or NaN): `sigmoid`, `softplus` and the families take
    /// `e^-|x|`, which saves the choice of rescaling and the overflow test.
    NonPositive,
}

/// Reduces `x + x_lo` (`x_lo` a small correction, or none) as the module
/// says. NaN and infinite `x` give NaN or infinite parts (never a table
/// index out of range: the index is masked).
pub(super) fn reduce<A: Arithmetic>(
    a: &mut A,
    x: A::Real,
    x_lo: Option<A::Real>,
    sign: Sign,
) -> Reduced<A::Real> {
    // kd = round(x N / ln2), with the shifter added in the same rounding.
    let inv_ln2_n = a.real(EXP_INV_LN2_N);
    let shifter = a.real(SHIFTER);
    let shifted = a.mul_add(x, inv_ln2_n, shifter);
    let ki = a.bits_of(shifted);
    let kd = a.sub(shifted, shifter);
    // r = x - kd ln2/N: the first product is exact, the difference too
    // (Sterbenz), so r keeps every bit of x; the second is fused.
    let minus_ln2_n_hi = a.real(-EXP_LN2_N_HI);
    let minus_ln2_n_lo = a.real(-EXP_LN2_N_LO);
    let r = a.mul_add(kd, minus_ln2_n_hi, x);
    let mut r = a.mul_add(kd, minus_ln2_n_lo, r);
    if let Some(x_lo) = x_lo {
        r = a.add(r, x_lo);
    }

    // 2^(k + j/N): the table's bits plus (k N + j) << 45, where the bits
    // of the shifter above bit 51 of `ki` are shifted out.
    let mask = a.int((1 << EXP_TABLE_BITS) - 1);
    let j = a.band(ki, mask);
    let table_bits = a.lookup_bits(&EXP_SCALE_BITS, j);
    let table_tail = a.lookup_real(&EXP_TAIL, j);
    let exponent = a.shl(ki, 52 - EXP_TABLE_BITS);
    let scale_bits = a.iadd(table_bits, exponent);
    let shift = a.int(RESCALE << 52);
    let up_bits = a.iadd(scale_bits, shift);
    let up = a.real_from_bits(up_bits);
    let small = a.real(2f64.powi(-RESCALE as i32));
    let (rescaled, factor) = match sign {
        Sign::NonPositive => (up, small),
        Sign::Any => {
            let down_bits = a.isub(scale_bits, shift);
            let down = a.real_from_bits(down_bits);
            let zero = a.real(0.0);
            let positive = a.gt(x, zero);
            let big = a.real(2f64.powi(RESCALE as i32));
            (a.select(positive, down, up), a.select(positive, big, small))
        }
    };

    // e^r - 1 + table tail = tail + r + r^2 (c2 + c3 r) + r^4 (c4 + c5 r),
    // three fused steps after r^4.
    let [c2, c3, c4, c5] = super::reals(a, &EXP_POLY);
    let r2 = a.mul(r, r);
    let r4 = a.mul(r2, r2);
    let low_pair = a.mul_add(c3, r, c2);
    let high_pair = a.mul_add(c5, r, c4);
    let linear = a.add(table_tail, r);
    let up_to_cubic = a.mul_add(r2, low_pair, linear);
    let tail = a.mul_add(r4, high_pair, up_to_cubic);
    Reduced {
        rescaled,
        factor,
        tail,
    }
}

/// `e^x`: `+inf` above 709.78, 0 below -745.13 (subnormal results rounded
/// once more), exactly 1 at ±0, NaN for NaN; within 1 ulp of libm.
pub fn exp<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    exp_with(a, x, Sign::Any)
}

/// `exp` of an argument that is not positive (or NaN), a little cheaper.
pub(super) fn exp_non_positive<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    exp_with(a, x, Sign::NonPositive)
}

fn exp_with<A: Arithmetic>(a: &mut A, x: A::Real, sign: Sign) -> A::Real {
    let Reduced {
        rescaled,
        factor,
        tail,
    } = reduce(a, x, None, sign);
    let sum = a.mul_add(rescaled, tail, rescaled);
    let result = a.mul(sum, factor);
    // Far out of range the reduction is meaningless: select the limit.
    let zero = a.real(0.0);
    match sign {
        Sign::NonPositive => {
            let limit = a.real(-NATURAL_LIMIT);
            let far = a.lt(x, limit);
            a.select(far, zero, result)
        }
        Sign::Any => {
            let magnitude = a.abs(x);
            let limit = a.real(NATURAL_LIMIT);
            let far = a.gt(magnitude, limit);
            let positive = a.gt(x, zero);
            let infinity = a.real(f64::INFINITY);
            let limit_value = a.select(positive, infinity, zero);
            a.select(far, limit_value, result)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::{Sampler, assert_exact, measure, measure_dd};
    use super::super::reference;
    use super::*;

    fn exp_direct(x: f64) -> f64 {
        exp(&mut Direct, x)
    }

    #[test]
    fn exp_is_within_1_ulp_over_its_whole_range() {
        let mut sampler = Sampler::new(1);
        let mut inputs = sampler.binades(200_000, -1074, 10);
        // Where the result is subnormal, overflows, or r is largest.
        inputs.extend(sampler.uniform(100_000, -746.0, 710.0));
        inputs.extend(sampler.uniform(20_000, -745.2, -708.0));
        inputs.extend(sampler.uniform(20_000, 708.0, 709.8));
        inputs.extend(sampler.uniform(20_000, -1e-3, 1e-3));
        let apart = measure("exp", exp_direct, libm::exp, &inputs);
        assert!(apart <= 1.0, "exp: {apart} ulp from libm");
        let worst = measure_dd("exp", exp_direct, reference::exp_scaled, &inputs);
        assert!(worst <= 1.0, "exp: {worst} ulp");
        // Normal results alone: one rounding fewer.
        inputs.retain(|x| (-708.39..=709.78).contains(x));
        let normal = measure_dd(
            "exp (normal results)",
            exp_direct,
            reference::exp_scaled,
            &inputs,
        );
        assert!(normal <= 0.6, "exp: {normal} ulp for normal results");
    }

    #[test]
    fn the_non_positive_variant_is_exp_itself() {
        let mut inputs = Sampler::new(12).binades(100_000, -1074, 11);
        inputs.extend([0.0, -0.0, f64::NEG_INFINITY, f64::NAN, -745.2, -1e300]);
        for x in inputs.into_iter().map(|x| -x.abs()) {
            let got = exp_non_positive(&mut Direct, x);
            assert_eq!(got.to_bits(), exp_direct(x).to_bits(), "at {x:e}");
        }
    }

    #[test]
    fn exp_special_values() {
        assert_exact(
            exp_direct,
            &[
                (0.0, 1.0),
                (-0.0, 1.0),
                (f64::INFINITY, f64::INFINITY),
                (f64::NEG_INFINITY, 0.0),
                (f64::NAN, f64::NAN),
                (709.79, f64::INFINITY),
                (-745.2, 0.0),
                (1e300, f64::INFINITY),
                (-1e300, 0.0),
                (1.0, std::f64::consts::E),
            ],
        );
    }

    #[test]
    fn the_table_is_two_to_the_j_over_n() {
        // (scale (1 + tail))^N == 2^j, in double-double arithmetic.
        for (j, (bits, tail)) in EXP_SCALE_BITS.iter().zip(EXP_TAIL).enumerate() {
            let scale = f64::from_bits(bits + ((j as u64) << (52 - EXP_TABLE_BITS)));
            let mut value = reference::DoubleDouble::new(scale, scale * tail);
            for _ in 0..EXP_TABLE_BITS {
                value = value.square();
            }
            let relative = (value.hi - 2f64.powi(j as i32) + value.lo) / 2f64.powi(j as i32);
            assert!(relative.abs() < 1e-28, "entry {j}: {relative:e}");
        }
    }
}
