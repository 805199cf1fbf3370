//! Math kernels written once, generic over how arithmetic is done, so that
//! the JIT emits them inline as Cranelift IR (`jit::translate::inline_math`)
//! and the interpreter evaluates the very same operations on `f64`
//! ([`Direct`], through `runtime::math`): both backends agree bit for bit,
//! and no hot-path operation of a relaxed program makes a call.
//!
//! Each kernel uses only operations that are exact functions of their
//! inputs under IEEE round-to-nearest (`+ - * /`, negation, absolute value,
//! comparisons, selects, integer adds, masks and shifts by constants,
//! reinterpretation of bits, and reads of constant tables), so every
//! implementation of [`Arithmetic`] rounds every step the same way. There
//! are no branches: a kernel computes every case and selects, so that a
//! vector implementation can run it lane by lane.
//!
//! | kernel | file | worst error, in ulps of the true value | doubles apart from libm |
//! |---|---|---|---|
//! | `exp` | `exp.rs` | 0.51 (normal results), 0.75 (subnormal ones) | 1 |
//! | `log` | `log.rs` | 0.98 | 1 |
//! | `log1p` | `log.rs` | 0.98 | 1 |
//! | `sigmoid` | `logistic.rs` | 1.64 | (no libm function) |
//! | `softplus` | `logistic.rs` | 1.38 | (no libm function) |
//! | `tanh` | `tanh.rs` | 1.39 | (libm is itself 1.5 ulp off) |
//! | `atan` | `atan.rs` | (no double-double reference) | 1 |
//! | `erf` | `erf.rs` | 1.14 | 1 |
//! | `erfc` | `erf.rs` | 1.51 | (libm is itself 2.3 ulp off in the tail) |
//! | `clamped_reciprocal` | `clamped_reciprocal.rs` | 0.5 (one correctly rounded division; clamped to `±f64::MAX` where it overflows) | (no libm function) |
//!
//! The true values are double-double evaluations in the tests
//! (`reference.rs`, about 100 bits, checked against mpmath); "doubles
//! apart" compares with the `libm` crate (a port of FreeBSD's msun), whose
//! results are doubles, so it counts whole ulps. The figures are the
//! largest errors over the tests' inputs (`cargo test --lib
//! runtime::kernels -- --nocapture` prints them): random samples of every
//! binade of both signs, subnormals included, and dense samples where a
//! function is delicate (near 0 and 1, the over- and underflow thresholds,
//! the tails of erf and erfc, atan near ±1, log1p near 0 and -1, the
//! kernels' own split points). The tests assert at most 2 ulp (1 where the
//! table says less than 1), and exact results at the special values (±0
//! where the sign matters, ±inf, NaN). `sin`, `cos` and `pow` are not
//! kernels: both backends call `runtime::math`, which calls the platform's.
//!
//! The families' CDFs and densities (`families.rs`) are built from these
//! kernels and plain arithmetic, with the formulas of `smooth::family`.
//!
//! Tables and polynomial coefficients are in `tables.rs`, written by
//! `generate_tables.py` (mpmath).

mod atan;
mod clamped_reciprocal;
mod erf;
mod exp;
mod families;
mod log;
mod logistic;
#[rustfmt::skip]
mod tables;
mod tanh;

#[cfg(test)]
pub(crate) mod accuracy;
#[cfg(test)]
mod reference;

pub use atan::atan;
pub use clamped_reciprocal::clamped_reciprocal;
pub use erf::{erf, erfc};
pub use exp::exp;
pub use families::{cdf, density};
pub use log::{log, log1p};
pub use logistic::{sigmoid, softplus};
pub use tanh::tanh;

use crate::ir::{Distribution, UnaryOp};

/// The operations a kernel is written in: exactly those that lower well,
/// lane by lane, to 128-bit vectors (f64x2 with i64x2 ints and lane masks
/// as bools) on x86-64 with SSE2/SSE4.1 in Cranelift, and nothing else.
/// So there is no rounding to an integer and no conversion between ints
/// and reals (kernels add `1.5 * 2^52` and read the integer from the low
/// bits of the sum instead, see `exp::reduce`), no arithmetic shift of
/// 64-bit ints (no `psraq` before AVX-512), no int comparison, and table
/// reads by a masked index. Do not add a method that no kernel needs.
///
/// The fused multiply-add is correctly rounded in both backends (Rust's
/// `f64::mul_add`, Cranelift's `fma`), so the bits agree; where the host
/// has no FMA instructions both compute it in libm's `fma` (Cranelift
/// calls it, per lane for vectors), slowly but exactly. Kernels use it
/// where it shortens the chain of dependent operations (`exp`'s
/// reduction, polynomial and reconstruction, `sigmoid`'s correction):
/// one fused step in place of a product and a sum.
pub trait Arithmetic {
    type Real: Copy;
    type Int: Copy;
    type Bool: Copy;

    fn real(&mut self, value: f64) -> Self::Real;
    fn add(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn sub(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn mul(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    fn div(&mut self, a: Self::Real, b: Self::Real) -> Self::Real;
    /// `a * b + c`, rounded once.
    fn mul_add(&mut self, a: Self::Real, b: Self::Real, c: Self::Real) -> Self::Real;
    fn neg(&mut self, a: Self::Real) -> Self::Real;
    fn abs(&mut self, a: Self::Real) -> Self::Real;
    /// `a == b` on reals (false when either is NaN).
    fn eq(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    /// `a < b` (false when either is NaN).
    fn lt(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    /// `a <= b` (false when either is NaN).
    fn le(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    /// `a > b` (false when either is NaN).
    fn gt(&mut self, a: Self::Real, b: Self::Real) -> Self::Bool;
    fn select(&mut self, cond: Self::Bool, then: Self::Real, otherwise: Self::Real) -> Self::Real;

    fn int(&mut self, value: i64) -> Self::Int;
    /// Wrapping addition.
    fn iadd(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    /// Wrapping subtraction.
    fn isub(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn band(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn bor(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    /// Shift left by a constant below 64.
    fn shl(&mut self, a: Self::Int, bits: u8) -> Self::Int;
    /// Logical shift right by a constant below 64.
    fn ushr(&mut self, a: Self::Int, bits: u8) -> Self::Int;
    /// The real whose IEEE bits are `a`.
    fn real_from_bits(&mut self, a: Self::Int) -> Self::Real;
    /// The IEEE bits of `a`.
    fn bits_of(&mut self, a: Self::Real) -> Self::Int;

    /// `table[index]`, from a constant table. Kernels only pass an index
    /// masked to the table's length (a power of two), so it is always in
    /// range; implementations need not check it.
    fn lookup_bits(&mut self, table: &'static [u64], index: Self::Int) -> Self::Int;
    /// `table[index]`, as [`Arithmetic::lookup_bits`].
    fn lookup_real(&mut self, table: &'static [f64], index: Self::Int) -> Self::Real;
}

/// Plain `f64` arithmetic: the interpreter's side.
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
    fn mul_add(&mut self, a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    fn neg(&mut self, a: f64) -> f64 {
        -a
    }
    fn abs(&mut self, a: f64) -> f64 {
        a.abs()
    }
    fn eq(&mut self, a: f64, b: f64) -> bool {
        a == b
    }
    fn lt(&mut self, a: f64, b: f64) -> bool {
        a < b
    }
    fn le(&mut self, a: f64, b: f64) -> bool {
        a <= b
    }
    fn gt(&mut self, a: f64, b: f64) -> bool {
        a > b
    }
    fn select(&mut self, cond: bool, then: f64, otherwise: f64) -> f64 {
        if cond { then } else { otherwise }
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
    fn band(&mut self, a: i64, b: i64) -> i64 {
        a & b
    }
    fn bor(&mut self, a: i64, b: i64) -> i64 {
        a | b
    }
    fn shl(&mut self, a: i64, bits: u8) -> i64 {
        a.wrapping_shl(u32::from(bits))
    }
    fn ushr(&mut self, a: i64, bits: u8) -> i64 {
        (a as u64).wrapping_shr(u32::from(bits)) as i64
    }
    fn real_from_bits(&mut self, a: i64) -> f64 {
        f64::from_bits(a as u64)
    }
    fn bits_of(&mut self, a: f64) -> i64 {
        a.to_bits() as i64
    }
    fn lookup_bits(&mut self, table: &'static [u64], index: i64) -> i64 {
        // Kernels mask every index (see the trait); a NaN-like pattern
        // rather than a panic if one ever did not.
        table.get(index as usize).map_or(-1, |bits| *bits as i64)
    }
    fn lookup_real(&mut self, table: &'static [f64], index: i64) -> f64 {
        table.get(index as usize).copied().unwrap_or(f64::NAN)
    }
}

/// A kernel: what the JIT emits inline and the interpreter evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    Exp,
    Log,
    Log1p,
    Sigmoid,
    Softplus,
    Tanh,
    Atan,
    Erf,
    Erfc,
    /// `1 / x` clamped to the largest double.
    ClampedReciprocal,
    /// A sigmoid family's CDF.
    Cdf(Distribution),
    /// A sigmoid family's density.
    Density(Distribution),
}

impl Kernel {
    /// Every kernel, the families' CDFs and densities included.
    pub const ALL: [Kernel; 20] = [
        Kernel::Exp,
        Kernel::Log,
        Kernel::Log1p,
        Kernel::Sigmoid,
        Kernel::Softplus,
        Kernel::Tanh,
        Kernel::Atan,
        Kernel::Erf,
        Kernel::Erfc,
        Kernel::ClampedReciprocal,
        Kernel::Cdf(Distribution::Cauchy),
        Kernel::Cdf(Distribution::Gaussian),
        Kernel::Cdf(Distribution::Laplace),
        Kernel::Cdf(Distribution::Reciprocal),
        Kernel::Cdf(Distribution::Optimal),
        Kernel::Density(Distribution::Cauchy),
        Kernel::Density(Distribution::Gaussian),
        Kernel::Density(Distribution::Laplace),
        Kernel::Density(Distribution::Reciprocal),
        Kernel::Density(Distribution::Optimal),
    ];

    /// The kernel that computes a unary IR operation, if one does.
    pub fn of_unary(op: UnaryOp) -> Option<Kernel> {
        Some(match op {
            UnaryOp::Exp => Kernel::Exp,
            UnaryOp::Log => Kernel::Log,
            UnaryOp::Sigmoid => Kernel::Sigmoid,
            UnaryOp::Softplus => Kernel::Softplus,
            UnaryOp::Tanh => Kernel::Tanh,
            UnaryOp::ClampedReciprocal => Kernel::ClampedReciprocal,
            UnaryOp::Cdf(distribution) => Kernel::Cdf(distribution),
            UnaryOp::Density(distribution) => Kernel::Density(distribution),
            _ => return None,
        })
    }

    /// The kernel's operations on `x`, through `a`.
    pub fn apply<A: Arithmetic>(self, a: &mut A, x: A::Real) -> A::Real {
        match self {
            Kernel::Exp => exp(a, x),
            Kernel::Log => log(a, x),
            Kernel::Log1p => log1p(a, x),
            Kernel::Sigmoid => sigmoid(a, x),
            Kernel::Softplus => softplus(a, x),
            Kernel::Tanh => tanh(a, x),
            Kernel::Atan => atan(a, x),
            Kernel::Erf => erf(a, x),
            Kernel::Erfc => erfc(a, x),
            Kernel::ClampedReciprocal => clamped_reciprocal(a, x),
            Kernel::Cdf(distribution) => cdf(a, distribution, x),
            Kernel::Density(distribution) => density(a, distribution, x),
        }
    }
}

/// `1.5 * 2^52`: adding it to a real of magnitude below `2^51` rounds the
/// real to an integer (ties to even) whose two's complement is in the low
/// bits of the sum's IEEE bits.
pub(super) const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// The int `k` (`|k| < 2^51`) as a real, exactly.
fn small_int_to_real<A: Arithmetic>(a: &mut A, k: A::Int) -> A::Real {
    let shifter_bits = a.int(SHIFTER.to_bits() as i64);
    let bits = a.iadd(shifter_bits, k);
    let sum = a.real_from_bits(bits);
    let shifter = a.real(SHIFTER);
    a.sub(sum, shifter)
}

const SIGN_BIT: i64 = i64::MIN;

/// `magnitude` (not negative, or NaN) with the sign of `sign`, so that
/// odd functions keep the sign of a zero.
fn with_sign_of<A: Arithmetic>(a: &mut A, magnitude: A::Real, sign: A::Real) -> A::Real {
    let sign_bits = a.bits_of(sign);
    let sign_mask = a.int(SIGN_BIT);
    let sign_bit = a.band(sign_bits, sign_mask);
    let magnitude_bits = a.bits_of(magnitude);
    let bits = a.bor(magnitude_bits, sign_bit);
    a.real_from_bits(bits)
}

/// The polynomial `c[0] + c[1] x + ...` (at most 16 coefficients) by
/// Estrin's scheme: pairs `c[i] + c[i+1] x`, then pairs of those with
/// `x^2`, `x^4`, `x^8`, which shortens the dependent chain from the degree
/// to its logarithm.
fn polynomial<A: Arithmetic>(a: &mut A, x: A::Real, coefficients: &[A::Real]) -> A::Real {
    debug_assert!((1..=16).contains(&coefficients.len()));
    let mut powers = [x; 4];
    let mut count = 1;
    while 1 << count < coefficients.len() {
        powers[count] = a.mul(powers[count - 1], powers[count - 1]);
        count += 1;
    }
    estrin(a, &powers[..count], coefficients)
}

/// Estrin's scheme on `coefficients` with `powers[i] = x^(2^i)`.
fn estrin<A: Arithmetic>(a: &mut A, powers: &[A::Real], coefficients: &[A::Real]) -> A::Real {
    if coefficients.len() == 1 {
        return coefficients[0];
    }
    // The largest power of two below the length splits low from high.
    let level = (usize::BITS - (coefficients.len() - 1).leading_zeros() - 1) as usize;
    let split = 1 << level;
    let (low, high) = coefficients.split_at(split);
    let low = estrin(a, powers, low);
    let high = estrin(a, powers, high);
    let scaled = a.mul(high, powers[level]);
    a.add(low, scaled)
}

/// Constants as reals, for [`polynomial`].
fn reals<A: Arithmetic, const N: usize>(a: &mut A, values: &[f64; N]) -> [A::Real; N] {
    std::array::from_fn(|i| a.real(values[i]))
}
