//! The noise of stochastic mode: one reproducible draw per
//! `(seed, sample, counter)`.
//!
//! Every draw is a pure function of the call's seed, the index of the
//! Monte-Carlo sample and a counter the generated code increments at each
//! draw. That makes the noise
//!
//! * the same on both backends (both call [`draw`]),
//! * the same however the samples are spread over threads (a sample's
//!   noise depends on nothing but its index), and
//! * recomputable: the reverse sweep of a gradient recomputes a segment
//!   from its variables, counter included, and gets the same draws.
//!
//! The generator is ChaCha with 8 rounds (`rand_chacha::ChaCha8Rng`): the
//! key is expanded from the seed, the stream is the sample index, and the
//! counter selects the 64-bit word. A uniform `u` in (0, 1) (53 random bits,
//! never 0 or 1) is turned into the distribution's value by its inverse CDF.

use crate::ir::NoiseKind;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// The uniform in (0, 1) of one draw.
pub fn uniform(seed: u64, sample: u64, counter: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(sample);
    // Two 32-bit words per draw.
    rng.set_word_pos(u128::from(counter) * 2);
    let bits = rng.next_u64() >> 11;
    (bits as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// One draw of `kind`'s distribution.
pub fn draw(kind: NoiseKind, seed: u64, sample: u64, counter: u64) -> f64 {
    inverse_cdf(kind, uniform(seed, sample, counter))
}

/// The value below which the distribution has mass `u`, for `u` in (0, 1).
pub fn inverse_cdf(kind: NoiseKind, u: f64) -> f64 {
    match kind {
        NoiseKind::Logistic => u.ln() - (1.0 - u).ln(),
        NoiseKind::Gaussian => Normal::standard().inverse_cdf(u),
        NoiseKind::Cauchy => (std::f64::consts::PI * (u - 0.5)).tan(),
        NoiseKind::Laplace => {
            if u < 0.5 {
                (2.0 * u).ln()
            } else {
                -(2.0 * (1.0 - u)).ln()
            }
        }
        // S(x) = (x / (2 + |x|) + 1) / 2, so with y = 2u - 1 in (-1, 1),
        // x = 2y / (1 - |y|).
        NoiseKind::Reciprocal => {
            let y = 2.0 * u - 1.0;
            2.0 * y / (1.0 - y.abs())
        }
        // S is linear on [-1/4, 1/4] (mass 1/4..3/4) and
        // 1 - 1 / (16 x) beyond.
        NoiseKind::Optimal => {
            if u < 0.25 {
                -1.0 / (16.0 * u)
            } else if u > 0.75 {
                1.0 / (16.0 * (1.0 - u))
            } else {
                u - 0.5
            }
        }
        // The standard Gumbel: -log(-log u).
        NoiseKind::Gumbel => -(-u.ln()).ln(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::math;

    #[test]
    fn draws_are_pure_functions_of_their_coordinates() {
        let a = uniform(7, 3, 11);
        assert_eq!(a.to_bits(), uniform(7, 3, 11).to_bits());
        assert_ne!(a, uniform(7, 3, 12));
        assert_ne!(a, uniform(7, 4, 11));
        assert_ne!(a, uniform(8, 3, 11));
        assert!(a > 0.0 && a < 1.0);
    }

    #[test]
    fn inverse_cdfs_invert_the_family_cdfs() {
        use crate::ir::Distribution;
        let cdf_of = |distribution| math::distribution_functions(distribution)[0].1;
        let cdfs: [(NoiseKind, extern "C" fn(f64) -> f64); 6] = [
            (NoiseKind::Logistic, math::sigmoid),
            (NoiseKind::Gaussian, cdf_of(Distribution::Gaussian)),
            (NoiseKind::Cauchy, cdf_of(Distribution::Cauchy)),
            (NoiseKind::Laplace, cdf_of(Distribution::Laplace)),
            (NoiseKind::Reciprocal, cdf_of(Distribution::Reciprocal)),
            (NoiseKind::Optimal, cdf_of(Distribution::Optimal)),
        ];
        for (kind, cdf) in cdfs {
            for u in [1e-9, 0.01, 0.2, 0.5, 0.6, 0.8, 0.999] {
                let x = inverse_cdf(kind, u);
                assert!((cdf(x) - u).abs() < 1e-9, "{kind:?} at {u}: {}", cdf(x));
            }
        }
        let gumbel = inverse_cdf(NoiseKind::Gumbel, 0.3);
        assert!(((-(-gumbel).exp()).exp() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn uniforms_have_the_moments_of_the_uniform() {
        let count = 20_000;
        let values: Vec<f64> = (0..count).map(|i| uniform(1, 0, i)).collect();
        let mean = values.iter().sum::<f64>() / count as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count as f64;
        // Standard errors: 0.29 / sqrt(20000) = 0.002 for the mean.
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!((variance - 1.0 / 12.0).abs() < 0.005, "{variance}");
    }
}
