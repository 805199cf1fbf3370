//! The math functions of the interpreter, and the few the JIT calls.
//!
//! Everything on a relaxed program's hot path (`exp`, `log`, `sigmoid`,
//! `softplus`, `tanh`, the sigmoid families' CDFs and densities) is a
//! kernel of `runtime::kernels` evaluated on `f64` here, which the JIT
//! emits inline: both backends agree bit for bit. `sin`, `cos` and `pow`
//! are not kernels: they are `extern "C"` so that the JIT calls these very
//! functions through registered symbols (`symbols`).

use super::kernels::{self, Direct, Kernel};
use crate::ir::Distribution;

/// `e^x` (`kernels::exp`, within 1 ulp of libm).
pub extern "C" fn exp(x: f64) -> f64 {
    kernels::exp(&mut Direct, x)
}

/// Natural logarithm (NaN below zero, -inf at zero, as IEEE says), by
/// `kernels::log` (within 1 ulp of libm).
pub extern "C" fn log(x: f64) -> f64 {
    kernels::log(&mut Direct, x)
}

/// The logistic function `1 / (1 + e^-x)`, evaluated so that it never
/// overflows (`kernels::sigmoid`).
pub extern "C" fn sigmoid(x: f64) -> f64 {
    kernels::sigmoid(&mut Direct, x)
}

/// `log(1 + e^x)`, evaluated so that it is finite for every finite `x`
/// and equal to `x` once `e^-x` is negligible: `max(x, 0) + log1p(e^-|x|)`
/// (`kernels::softplus`).
pub extern "C" fn softplus(x: f64) -> f64 {
    kernels::softplus(&mut Direct, x)
}

/// Sine (radians), the platform's.
pub extern "C" fn sin(x: f64) -> f64 {
    x.sin()
}

/// Cosine (radians), the platform's.
pub extern "C" fn cos(x: f64) -> f64 {
    x.cos()
}

/// `1 / x`, clamped to `±f64::MAX` where it overflows
/// (`kernels::clamped_reciprocal`).
pub extern "C" fn clamped_reciprocal(x: f64) -> f64 {
    kernels::clamped_reciprocal(&mut Direct, x)
}

/// Hyperbolic tangent (`kernels::tanh`, within 2 ulp of libm).
pub extern "C" fn tanh(x: f64) -> f64 {
    kernels::tanh(&mut Direct, x)
}

/// `x^y` with the special cases of IEEE `pow` (`pow(x, 0) == 1` even for a
/// NaN `x`, `pow(1, y) == 1` even for a NaN `y`, NaN for a negative base
/// and a non-integer exponent), the platform's.
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

// The sigmoid families: CDFs of zero-mean, unit-scale symmetric
// distributions (`cdf(-x) = 1 - cdf(x)`), and their densities, as
// diffsort defines them, by the kernels of `kernels::families`. Each is
// finite for every finite or infinite x.

/// `atan(x) / pi + 1/2`.
pub extern "C" fn cauchy_cdf(x: f64) -> f64 {
    Kernel::Cdf(Distribution::Cauchy).apply(&mut Direct, x)
}

/// `1 / (pi (1 + x^2))`.
pub extern "C" fn cauchy_density(x: f64) -> f64 {
    Kernel::Density(Distribution::Cauchy).apply(&mut Direct, x)
}

/// The standard normal CDF, `erfc(-x / sqrt 2) / 2` (accurate in both tails).
pub extern "C" fn gaussian_cdf(x: f64) -> f64 {
    Kernel::Cdf(Distribution::Gaussian).apply(&mut Direct, x)
}

/// The standard normal density.
pub extern "C" fn gaussian_density(x: f64) -> f64 {
    Kernel::Density(Distribution::Gaussian).apply(&mut Direct, x)
}

/// `e^x / 2` below zero, `1 - e^-x / 2` above.
pub extern "C" fn laplace_cdf(x: f64) -> f64 {
    Kernel::Cdf(Distribution::Laplace).apply(&mut Direct, x)
}

/// `e^-|x| / 2`.
pub extern "C" fn laplace_density(x: f64) -> f64 {
    Kernel::Density(Distribution::Laplace).apply(&mut Direct, x)
}

/// `(x / (2 + |x|) + 1) / 2`.
pub extern "C" fn reciprocal_cdf(x: f64) -> f64 {
    Kernel::Cdf(Distribution::Reciprocal).apply(&mut Direct, x)
}

/// `1 / (2 + |x|)^2`.
pub extern "C" fn reciprocal_density(x: f64) -> f64 {
    Kernel::Density(Distribution::Reciprocal).apply(&mut Direct, x)
}

/// The optimal monotonic sigmoid of monotonic differentiable sorting
/// networks: `clamp(x, -1/4, 1/4) + 1/2 + s(x) (1/4 - 1 / (16 |x|))`, with
/// `s(x)` the sign of x outside `[-1/4, 1/4]` and 0 inside.
pub extern "C" fn optimal_cdf(x: f64) -> f64 {
    Kernel::Cdf(Distribution::Optimal).apply(&mut Direct, x)
}

/// 1 inside `[-1/4, 1/4]`, `1 / (16 x^2)` outside.
pub extern "C" fn optimal_density(x: f64) -> f64 {
    Kernel::Density(Distribution::Optimal).apply(&mut Direct, x)
}

/// The CDF and density functions of a family, and their names.
pub fn distribution_functions(
    distribution: Distribution,
) -> [(&'static str, extern "C" fn(f64) -> f64); 2] {
    match distribution {
        Distribution::Cauchy => [
            ("cauchy_cdf", cauchy_cdf),
            ("cauchy_density", cauchy_density),
        ],
        Distribution::Gaussian => [
            ("gaussian_cdf", gaussian_cdf),
            ("gaussian_density", gaussian_density),
        ],
        Distribution::Laplace => [
            ("laplace_cdf", laplace_cdf),
            ("laplace_density", laplace_density),
        ],
        Distribution::Reciprocal => [
            ("reciprocal_cdf", reciprocal_cdf),
            ("reciprocal_density", reciprocal_density),
        ],
        Distribution::Optimal => [
            ("optimal_cdf", optimal_cdf),
            ("optimal_density", optimal_density),
        ],
    }
}

#[cfg(test)]
const DISTRIBUTIONS: [Distribution; 5] = [
    Distribution::Cauchy,
    Distribution::Gaussian,
    Distribution::Laplace,
    Distribution::Reciprocal,
    Distribution::Optimal,
];

/// The symbols the JIT registers (the functions it calls rather than
/// inlines): name and function address.
pub fn symbols() -> [(&'static str, *const u8); 3] {
    [
        ("smoothc_sin", sin as *const u8),
        ("smoothc_cos", cos as *const u8),
        ("smoothc_pow", pow as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_symmetric_cdfs_with_their_densities() {
        for distribution in DISTRIBUTIONS {
            let [(_, cdf), (_, density)] = distribution_functions(distribution);
            assert_eq!(cdf(0.0), 0.5, "{distribution:?}");
            for x in [
                -1e300,
                -50.0,
                -3.0,
                -0.3,
                -0.25,
                -0.1,
                0.1,
                0.2,
                0.3,
                3.0,
                50.0,
                1e300,
                f64::INFINITY,
            ] {
                let (p, q) = (cdf(x), cdf(-x));
                assert!(
                    (0.0..=1.0).contains(&p) && (p + q - 1.0).abs() < 1e-15,
                    "{distribution:?} at {x}"
                );
                assert!(
                    density(x).is_finite() && density(x) >= 0.0,
                    "{distribution:?} density at {x}"
                );
            }
            for x in [-2.0, -0.7, -0.2, 0.05, 0.4, 1.5] {
                let h = 1e-6;
                let slope = (cdf(x + h) - cdf(x - h)) / (2.0 * h);
                assert!(
                    (slope - density(x)).abs() < 1e-7,
                    "{distribution:?} slope at {x}: {slope} vs {}",
                    density(x)
                );
            }
        }
        assert!((gaussian_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-15);
        // The lower tail keeps its relative accuracy (Phi(-30) is about 4.9e-198).
        assert!((gaussian_cdf(-30.0) / 4.906_713_927_148_187e-198 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn sigmoid_is_finite_and_symmetric_at_extremes() {
        for x in [-1e308, -1e3, -40.0, -1.0, 0.0, 1.0, 40.0, 1e3, 1e308] {
            let s = sigmoid(x);
            assert!(
                s.is_finite() && (0.0..=1.0).contains(&s),
                "sigmoid({x}) = {s}"
            );
            assert!((s + sigmoid(-x) - 1.0).abs() < 1e-15);
        }
        assert_eq!(sigmoid(0.0), 0.5);
    }

    #[test]
    fn softplus_is_stable_and_matches_the_definition() {
        // Finite everywhere, equal to x for large x, to e^x for very negative x.
        for x in [-1e308, -800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0, 1e308] {
            let s = softplus(x);
            assert!(s.is_finite() && s >= 0.0, "softplus({x}) = {s}");
        }
        assert_eq!(softplus(800.0), 800.0);
        assert_eq!(softplus(1e308), 1e308);
        assert_eq!(softplus(-1e308), 0.0);
        assert_eq!(softplus(0.0), std::f64::consts::LN_2);
        for x in [-3.0, -0.5, 0.25, 2.0, 10.0] {
            let naive = (1.0 + f64::exp(x)).ln();
            assert!((softplus(x) - naive).abs() <= 1e-15 * naive.abs().max(1.0));
        }
        // softplus(x) - softplus(-x) == x.
        for x in [0.5, 3.0, 30.0] {
            assert!((softplus(x) - softplus(-x) - x).abs() < 1e-14);
        }
        assert!(softplus(f64::NAN).is_nan());
        assert_eq!(softplus(f64::INFINITY), f64::INFINITY);
        assert_eq!(softplus(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn pow_follows_ieee_special_cases() {
        assert_eq!(pow(f64::NAN, 0.0), 1.0);
        assert_eq!(pow(1.0, f64::NAN), 1.0);
        assert!(pow(-2.0, 0.5).is_nan());
        assert_eq!(pow(-2.0, 3.0), -8.0);
        assert_eq!(pow(0.0, -1.0), f64::INFINITY);
        assert_eq!(pow(-0.0, -1.0), f64::NEG_INFINITY);
        assert_eq!(pow(2.0, 0.5), std::f64::consts::SQRT_2);
    }
}
