//! `perturb`: smoothing of the whole function over its real inputs.
//!
//! With `theta` the real inputs (every real scalar argument and every
//! element of every real array argument) and `eps` a vector of independent
//! draws from the family's distribution, of density `p`, the smoothed
//! function is `F(theta) = E[f(theta + tau * eps)]`. Moving `theta` moves
//! the density of `y = theta + tau * eps`, not `f`, so
//!
//! ```text
//! grad F(theta) = E[f(theta + tau * eps) * s(eps)] / tau,   s = -p' / p per coordinate
//! ```
//!
//! (differentiate `integral f(y) p((y - theta) / tau) dy / tau^d` under
//! the integral). Only values of `f` enter: the estimator needs no
//! derivative of `f` and works for programs whose decisions have no
//! derivative at all; the compiled forward function is the hard program.
//!
//! The score `s` of each family (the densities are continuous and
//! piecewise smooth, so `s` exists wherever they are differentiable, which
//! is all the identity needs):
//!
//! | family | `s(e)` |
//! |---|---|
//! | logistic | `tanh(e / 2)` |
//! | gaussian | `e` |
//! | cauchy | `2 e / (1 + e^2)` |
//! | laplace | `sign(e)` |
//! | reciprocal | `2 sign(e) / (2 + abs(e))` (density `1 / (2 + abs(e))^2`) |
//! | optimal | `0` for `abs(e) <= 1/4`, `2 / e` beyond (density `1 / (16 e^2)` there) |
//!
//! Cauchy, reciprocal and optimal noise have no mean: `F` exists only for
//! functions that grow slower than `abs(theta)`.
//!
//! **Antithetic pairs** (with `Runtime::variance_reduction`): `s` is odd,
//! so each draw `eps` is used twice, as `+eps` and `-eps`, and the pair
//! contributes `(f(theta + tau eps) - f(theta - tau eps)) s(eps) / (2 tau)`.
//! A constant part of `f` cancels in the difference (the pair is its own
//! baseline) and so does, near `theta`, every even part. `K` evaluations
//! make `ceil(K / 2)` pairs (an odd `K` is rounded up); the pairs are the
//! independent units of the standard errors. Without variance reduction,
//! each of the `K` samples contributes `f(theta + tau eps) s(eps) / tau`.
//!
//! **Noise layout:** coordinate `c` of unit `u` (a pair or a sample) is
//! `runtime::noise::draw(family, seed, u, c)`, with the coordinates
//! numbered in parameter order, array elements in row-major order. A
//! unit's noise depends only on `(seed, u)`, so the units run on any
//! thread (see `parallel`).

use super::parallel::map_units;
use super::stats::{Layout, Shape, dot, push_reals};
use super::{Estimate, Sampler, assemble};
use crate::runtime::{Value, noise};
use crate::smooth::Family;
use crate::{Error, Runtime};

/// `s(e) = -p'(e) / p(e)` for the family's density `p` (table above).
pub(crate) fn noise_score(family: Family, e: f64) -> f64 {
    // `f64::signum` is 1 at 0, where the density is symmetric and the
    // score of the kinked densities is 0.
    let sign = if e == 0.0 { 0.0 } else { e.signum() };
    match family {
        Family::Logistic => (e / 2.0).tanh(),
        Family::Gaussian => e,
        Family::Cauchy => 2.0 * e / (1.0 + e * e),
        Family::Laplace => sign,
        Family::Reciprocal => 2.0 * sign / (2.0 + e.abs()),
        Family::Optimal if e.abs() <= 0.25 => 0.0,
        Family::Optimal => 2.0 / e,
    }
}

/// What every unit of one estimate shares.
struct Setup<'a> {
    sampler: &'a dyn Sampler,
    args: &'a [Value],
    runtime: &'a Runtime,
    family: Family,
    /// How many real coordinates the arguments hold.
    coordinates: usize,
    /// The result's cotangent, flattened; `None` for a value-only estimate.
    cotangent: Option<Vec<f64>>,
}

/// The estimate of `E[f(theta + tau eps)]` and, when `cotangent` is given,
/// of the gradient of `<cotangent, E[f(theta + tau eps)]>`.
pub(crate) fn estimate(
    sampler: &dyn Sampler,
    args: &[Value],
    cotangent: Option<&Value>,
    runtime: &Runtime,
    family: Family,
) -> Result<Estimate, Error> {
    let grad_shapes: Vec<Shape> = args.iter().filter_map(Shape::of).collect();
    let setup = Setup {
        sampler,
        args,
        runtime,
        family,
        coordinates: grad_shapes.iter().map(Shape::len).sum(),
        cotangent: cotangent.map(|cotangent| {
            let mut flat = Vec::new();
            push_reals(cotangent, &mut flat);
            flat
        }),
    };
    let antithetic = runtime.variance_reduction;
    let (count, samples) = if antithetic {
        let pairs = runtime.samples.div_ceil(2);
        (pairs, 2 * pairs)
    } else {
        (runtime.samples, runtime.samples)
    };
    let units = map_units(count, |unit| {
        if antithetic {
            setup.pair(unit)
        } else {
            setup.single(unit)
        }
    })?;
    let layout = Layout {
        value: units[0].0.clone(),
        grads: if setup.cotangent.is_some() {
            grad_shapes
        } else {
            Vec::new()
        },
    };
    let flats: Vec<Vec<f64>> = units.into_iter().map(|(_, flat)| flat).collect();
    Ok(assemble(&layout, &flats, samples))
}

impl Setup<'_> {
    /// The noise of unit `unit`, one draw per coordinate.
    fn noise(&self, unit: u64) -> Vec<f64> {
        let kind = self.family.noise_kind();
        (0..self.coordinates as u64)
            .map(|coordinate| noise::draw(kind, self.runtime.seed, unit, coordinate))
            .collect()
    }

    /// `f(theta + step * eps)`: its shape and its reals.
    fn evaluate(&self, unit: u64, eps: &[f64], step: f64) -> Result<(Shape, Vec<f64>), Error> {
        let args = shifted(self.args, eps, step);
        let value = self
            .sampler
            .value(&args, &self.runtime.sample_config(unit, 0.0))?;
        let shape = Shape::of(&value).expect("the caller checked that the result is real");
        let mut flat = Vec::new();
        push_reals(&value, &mut flat);
        Ok((shape, flat))
    }

    /// One plain sample: `f(theta + tau eps)` and `<c, f> s(eps) / tau`.
    fn single(&self, unit: u64) -> Result<(Shape, Vec<f64>), Error> {
        let tau = self.runtime.tau;
        let eps = self.noise(unit);
        let (shape, mut flat) = self.evaluate(unit, &eps, tau)?;
        if let Some(cotangent) = &self.cotangent {
            let weight = dot(cotangent, &flat) / tau;
            flat.extend(eps.iter().map(|e| weight * noise_score(self.family, *e)));
        }
        Ok((shape, flat))
    }

    /// One antithetic pair: the mean of `f(theta +- tau eps)` and
    /// `(<c, f+> - <c, f->) s(eps) / (2 tau)`.
    fn pair(&self, unit: u64) -> Result<(Shape, Vec<f64>), Error> {
        let tau = self.runtime.tau;
        let eps = self.noise(unit);
        let (shape, plus) = self.evaluate(unit, &eps, tau)?;
        let (_, minus) = self.evaluate(unit, &eps, -tau)?;
        let mut flat: Vec<f64> = plus
            .iter()
            .zip(&minus)
            .map(|(a, b)| (a + b) / 2.0)
            .collect();
        if let Some(cotangent) = &self.cotangent {
            let weight = (dot(cotangent, &plus) - dot(cotangent, &minus)) / (2.0 * tau);
            flat.extend(eps.iter().map(|e| weight * noise_score(self.family, *e)));
        }
        Ok((shape, flat))
    }
}

/// The arguments with real coordinate `c` moved by `step * eps[c]`; ints
/// and bools unchanged.
fn shifted(args: &[Value], eps: &[f64], step: f64) -> Vec<Value> {
    let mut next = eps.iter();
    let mut shift = |x: f64| x + step * next.next().expect("one draw per coordinate");
    args.iter()
        .map(|arg| match arg {
            Value::Real(x) => Value::Real(shift(*x)),
            Value::Array(array) => Value::Array(array.mapv(&mut shift)),
            Value::Int(_) | Value::Bool(_) | Value::IntArray(_) | Value::BoolArray(_) => {
                arg.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::math;

    /// `E[g(eps)]` by the midpoint rule on the quantiles: deterministic and
    /// accurate for the bounded `g` of these tests.
    fn expectation(family: Family, g: impl Fn(f64) -> f64) -> f64 {
        let count = 200_000;
        (0..count)
            .map(|i| {
                let u = (i as f64 + 0.5) / count as f64;
                g(noise::inverse_cdf(family.noise_kind(), u))
            })
            .sum::<f64>()
            / count as f64
    }

    #[test]
    fn scores_are_minus_the_log_density_slope() {
        let density = |family: Family, x: f64| match family {
            Family::Logistic => math::sigmoid(x) * (1.0 - math::sigmoid(x)),
            Family::Gaussian => math::gaussian_density(x),
            Family::Cauchy => math::cauchy_density(x),
            Family::Laplace => math::laplace_density(x),
            Family::Reciprocal => math::reciprocal_density(x),
            Family::Optimal => math::optimal_density(x),
        };
        for family in Family::ALL {
            // Away from the kinks at 0 and +-1/4.
            for x in [-3.0, -0.7, -0.1, 0.15, 0.4, 2.5] {
                let h = 1e-6;
                let slope = (density(family, x + h).ln() - density(family, x - h).ln()) / (2.0 * h);
                let score = noise_score(family, x);
                assert!(
                    (score + slope).abs() < 1e-6,
                    "{family:?} at {x}: {score} vs {}",
                    -slope
                );
            }
        }
    }

    #[test]
    fn scores_satisfy_the_integration_by_parts_identities() {
        // E[s(eps)] = 0 and E[eps s(eps)] = integral p = 1 for every
        // density that vanishes at infinity; both are bounded here.
        for family in Family::ALL {
            let mean = expectation(family, |e| noise_score(family, e));
            let moment = expectation(family, |e| e * noise_score(family, e));
            assert!(mean.abs() < 1e-9, "{family:?}: E[s] = {mean}");
            assert!(
                (moment - 1.0).abs() < 1e-3,
                "{family:?}: E[eps s] = {moment}"
            );
        }
    }

    #[test]
    fn shifted_moves_every_real_coordinate_in_order() {
        let args = vec![
            Value::Real(1.0),
            Value::Int(7),
            Value::Array(ndarray::arr2(&[[0.0, 0.0], [0.0, 10.0]]).into_dyn()),
        ];
        let moved = shifted(&args, &[1.0, 2.0, 3.0, 4.0, 5.0], -0.5);
        assert_eq!(moved[0], Value::Real(0.5));
        assert_eq!(moved[1], Value::Int(7));
        let expected = ndarray::arr2(&[[-1.0, -1.5], [-2.0, 7.5]]).into_dyn();
        assert_eq!(moved[2], Value::Array(expected));
    }
}
