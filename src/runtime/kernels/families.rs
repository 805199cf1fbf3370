//! The sigmoid families' CDFs and densities (`smooth::family`: CDFs of
//! zero-mean, unit-scale symmetric distributions, as diffsort defines them)
//! as kernels, with the formulas `runtime::math` documents: the logistic
//! family is `sigmoid` itself, cauchy needs `atan`, gaussian `erfc` and
//! `exp`, laplace `exp`, reciprocal and optimal only arithmetic. Each is
//! finite for every finite or infinite input; branches are selects.

use super::exp::exp_non_positive;
use super::{Arithmetic, atan, erfc};
use crate::ir::Distribution;
use std::f64::consts::{PI, SQRT_2};

/// The family's CDF at `x`.
pub fn cdf<A: Arithmetic>(a: &mut A, distribution: Distribution, x: A::Real) -> A::Real {
    match distribution {
        Distribution::Cauchy => cauchy_cdf(a, x),
        Distribution::Gaussian => gaussian_cdf(a, x),
        Distribution::Laplace => laplace_cdf(a, x),
        Distribution::Reciprocal => reciprocal_cdf(a, x),
        Distribution::Optimal => optimal_cdf(a, x),
    }
}

/// The family's density (the derivative of its CDF) at `x`.
pub fn density<A: Arithmetic>(a: &mut A, distribution: Distribution, x: A::Real) -> A::Real {
    match distribution {
        Distribution::Cauchy => cauchy_density(a, x),
        Distribution::Gaussian => gaussian_density(a, x),
        Distribution::Laplace => laplace_density(a, x),
        Distribution::Reciprocal => reciprocal_density(a, x),
        Distribution::Optimal => optimal_density(a, x),
    }
}

/// `atan(x) / pi + 1/2`.
fn cauchy_cdf<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let angle = atan(a, x);
    let pi = a.real(PI);
    let turn = a.div(angle, pi);
    let half = a.real(0.5);
    a.add(turn, half)
}

/// `1 / pi / (1 + x^2)`, divided twice so that `x^2` overflowing to inf
/// gives a zero density, not a NaN.
fn cauchy_density<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let inverse_pi = a.real(1.0 / PI);
    let one = a.real(1.0);
    let square = a.mul(x, x);
    let denominator = a.add(one, square);
    a.div(inverse_pi, denominator)
}

/// `erfc(-x / sqrt 2) / 2`: accurate in both tails.
fn gaussian_cdf<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let minus = a.neg(x);
    let sqrt2 = a.real(SQRT_2);
    let scaled = a.div(minus, sqrt2);
    let complement = erfc(a, scaled);
    let half = a.real(0.5);
    a.mul(half, complement)
}

/// `e^(-x^2 / 2) / sqrt(2 pi)`.
fn gaussian_density<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let minus_half = a.real(-0.5);
    let scaled = a.mul(minus_half, x);
    let exponent = a.mul(scaled, x);
    let e = exp_non_positive(a, exponent);
    let normalizer = a.real((2.0 * PI).sqrt());
    a.div(e, normalizer)
}

/// `e^x / 2` below zero, `1 - e^-x / 2` above, from `e^-|x|`.
fn laplace_cdf<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let half_e = laplace_density(a, x);
    let one = a.real(1.0);
    let upper = a.sub(one, half_e);
    let zero = a.real(0.0);
    let negative = a.lt(x, zero);
    a.select(negative, half_e, upper)
}

/// `e^-|x| / 2`.
fn laplace_density<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let minus = a.neg(magnitude);
    let e = exp_non_positive(a, minus);
    let half = a.real(0.5);
    a.mul(half, e)
}

/// `(x / (2 + |x|) + 1) / 2`, and exactly 0 or 1 at ∓inf (where the
/// quotient would be NaN).
fn reciprocal_cdf<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let two = a.real(2.0);
    let denominator = a.add(two, magnitude);
    let quotient = a.div(x, denominator);
    let one = a.real(1.0);
    let shifted = a.add(quotient, one);
    let finite = a.div(shifted, two);
    let infinity = a.real(f64::INFINITY);
    let is_infinite = a.eq(magnitude, infinity);
    let zero = a.real(0.0);
    let positive = a.gt(x, zero);
    let limit = a.select(positive, one, zero);
    a.select(is_infinite, limit, finite)
}

/// `1 / (2 + |x|)^2`, as two divisions (no overflow).
fn reciprocal_density<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let two = a.real(2.0);
    let denominator = a.add(two, magnitude);
    let one = a.real(1.0);
    let once = a.div(one, denominator);
    a.div(once, denominator)
}

/// `1 - 1 / (16 x)` above 1/4, `-1 / (16 x)` below -1/4, `x + 1/2` between.
fn optimal_cdf<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let sixteen = a.real(16.0);
    let scaled = a.mul(sixteen, x);
    let one = a.real(1.0);
    let inverse = a.div(one, scaled);
    let upper = a.sub(one, inverse);
    let minus_one = a.real(-1.0);
    let lower = a.div(minus_one, scaled);
    let half = a.real(0.5);
    let middle = a.add(x, half);
    let quarter = a.real(0.25);
    let is_upper = a.gt(x, quarter);
    let minus_quarter = a.real(-0.25);
    let is_lower = a.lt(x, minus_quarter);
    let outside = a.select(is_lower, lower, middle);
    a.select(is_upper, upper, outside)
}

/// 1 within `[-1/4, 1/4]`, `1 / (16 x) / x` outside (NaN for NaN).
fn optimal_density<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let magnitude = a.abs(x);
    let quarter = a.real(0.25);
    let inside = a.le(magnitude, quarter);
    let sixteen = a.real(16.0);
    let scaled = a.mul(sixteen, x);
    let one = a.real(1.0);
    let inverse = a.div(one, scaled);
    let outside = a.div(inverse, x);
    a.select(inside, one, outside)
}
