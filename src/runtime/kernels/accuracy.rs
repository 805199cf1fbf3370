//! What the kernels' accuracy tests share: inputs sampled over every binade
//! (or densely where a function is delicate), the error in ulps against a
//! reference, and exact checks at special values.
//!
//! Two kinds of reference: the `libm` crate (a port of FreeBSD's msun),
//! whose results are doubles, so the error is a whole number of ulps (how
//! many doubles apart); and double-double evaluations (`reference.rs`,
//! about 100 bits), which measure the error in fractions of an ulp. The
//! latter are needed where libm itself is not within 1 ulp (its `tanh` is
//! up to 1.5 ulp off, its `erfc` 2.3 ulp in the tail, checked with mpmath)
//! and where libm has no such function (sigmoid, softplus).

pub(crate) use super::reference::Reference;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The same bits, except that any two NaNs match: what "bit for bit"
/// means between the backends and between two implementations. Which NaN
/// an operation returns is not a property of the program: x86 returns its
/// first NaN operand's (or a negative default NaN), Cranelift may swap the
/// operands of a commutative operation (to fold a load into it), and Rust
/// leaves the sign and payload of a NaN result unspecified, so an
/// optimised build of the interpreter may produce another NaN than a
/// debug build.
pub(crate) fn same_bits(left: f64, right: f64) -> bool {
    left.to_bits() == right.to_bits() || (left.is_nan() && right.is_nan())
}

/// The error of `got` in units in the last place of `want` (the spacing of
/// doubles in `want`'s binade; `2^-1074` for subnormals). 0 when both are
/// the same infinity or both NaN; infinite when only one of them is
/// infinite or NaN.
pub(crate) fn ulp_error(got: f64, want: f64) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    (got - want).abs() / ulp_of(want)
}

/// The spacing of doubles in the binade of `x` (`2^-1074` for subnormals).
fn ulp_of(x: f64) -> f64 {
    // 2^(e - 1075) for the biased exponent e: a normal number from e = 53,
    // a subnormal power of two below.
    let exponent = (x.to_bits() >> 52) & 0x7ff;
    match exponent {
        0 => f64::from_bits(1),
        1..=52 => f64::from_bits(1 << (exponent - 1)),
        _ => f64::from_bits((exponent - 52) << 52),
    }
}

/// The error of `got` in ulps of the reference `want` (see [`ulp_error`]
/// for the non-finite cases).
pub(crate) fn ulp_error_dd(got: f64, want: Reference) -> f64 {
    let factor = 2f64.powi(want.scale);
    let value = want.value.value() / factor;
    if !got.is_finite() || !value.is_finite() {
        return ulp_error(got, value);
    }
    // Scaled up, a subnormal `got` and its ulp are exact and normal.
    let scaled = got * factor;
    ((scaled - want.value.hi) - want.value.lo).abs() / (ulp_of(value) * factor)
}

/// The largest error of `kernel` against the double-double `reference`
/// over `inputs`, printed with its input (`--nocapture` shows it).
pub(crate) fn measure_dd(
    name: &str,
    kernel: impl Fn(f64) -> f64,
    reference: impl Fn(f64) -> Reference,
    inputs: &[f64],
) -> f64 {
    worst_of(name, "double-double", inputs, |x| {
        ulp_error_dd(kernel(x), reference(x))
    })
}

/// The largest error of `kernel` against the double `reference` (libm)
/// over `inputs`, printed with its input (`--nocapture` shows it).
pub(crate) fn measure(
    name: &str,
    kernel: impl Fn(f64) -> f64,
    reference: impl Fn(f64) -> f64,
    inputs: &[f64],
) -> f64 {
    worst_of(name, "libm", inputs, |x| ulp_error(kernel(x), reference(x)))
}

fn worst_of(name: &str, reference: &str, inputs: &[f64], error_at: impl Fn(f64) -> f64) -> f64 {
    let mut worst = (0.0, f64::NAN);
    for &x in inputs {
        let error = error_at(x);
        if error > worst.0 || error.is_nan() {
            worst = (error, x);
        }
    }
    println!(
        "{name}: worst error {:.3} ulp against {reference} at {:e} over {} inputs",
        worst.0,
        worst.1,
        inputs.len()
    );
    worst.0
}

/// Asserts `kernel(x)` has exactly the bits of each expected value (any NaN
/// for NaN).
pub(crate) fn assert_exact(kernel: impl Fn(f64) -> f64, cases: &[(f64, f64)]) {
    for &(x, want) in cases {
        let got = kernel(x);
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "at {x:e}: {got:e} ({:#x}), expected {want:e} ({:#x})",
            got.to_bits(),
            want.to_bits()
        );
    }
}

/// Seeded random inputs.
pub(crate) struct Sampler {
    rng: ChaCha8Rng,
}

impl Sampler {
    pub(crate) fn new(seed: u64) -> Sampler {
        Sampler {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// `count` reals of both signs whose binary exponents are uniform in
    /// `min_exponent..max_exponent` (-1074 and below: subnormals) with
    /// uniform random mantissa bits.
    pub(crate) fn binades(
        &mut self,
        count: usize,
        min_exponent: i32,
        max_exponent: i32,
    ) -> Vec<f64> {
        (0..count)
            .map(|_| {
                let exponent = self.rng.random_range(min_exponent..max_exponent);
                let mantissa: u64 = self.rng.random::<u64>() & ((1 << 52) - 1);
                let magnitude = if exponent < -1022 {
                    // A subnormal of about that size.
                    f64::from_bits(mantissa >> (-1022 - exponent).min(52))
                } else {
                    f64::from_bits((((exponent + 1023) as u64) << 52) | mantissa)
                };
                if self.rng.random::<bool>() {
                    -magnitude
                } else {
                    magnitude
                }
            })
            .collect()
    }

    /// `count` reals uniform in `[low, high)`.
    pub(crate) fn uniform(&mut self, count: usize, low: f64, high: f64) -> Vec<f64> {
        (0..count)
            .map(|_| self.rng.random_range(low..high))
            .collect()
    }

    /// Every double in the `count` ulps on each side of `center`.
    pub(crate) fn around(center: f64, count: u64) -> Vec<f64> {
        let bits = center.to_bits();
        (bits.saturating_sub(count)..=bits.saturating_add(count))
            .map(f64::from_bits)
            .filter(|x| x.is_finite())
            .collect()
    }
}
