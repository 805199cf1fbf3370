//! Reference values for the accuracy tests, in double-double arithmetic
//! (an unevaluated sum of two doubles, about 106 bits): `exp` by a Taylor
//! series after halving the argument ten times, `log` and `log1p` by a
//! Newton step on it from libm's value, `erfc` by its everywhere-positive
//! series below 3 and its continued fraction above, and the other
//! functions by their definitions on top. Each is good to far better than
//! `2^-60` relative (checked against mpmath while writing them), which is
//! all an ulp measurement needs. Test-only code.

use std::f64::consts::LN_2;

/// `ln 2`, `sqrt(pi)` and `2 / sqrt(pi)` as double-doubles.
const LN2: DoubleDouble = DoubleDouble {
    hi: LN_2,
    lo: 2.319_046_813_846_299_6e-17,
};
const SQRT_PI: DoubleDouble = DoubleDouble {
    hi: 1.772_453_850_905_516,
    lo: -7.666_586_499_825_799e-17,
};
const TWO_OVER_SQRT_PI: DoubleDouble = DoubleDouble {
    hi: std::f64::consts::FRAC_2_SQRT_PI,
    lo: 1.533_545_961_316_588e-17,
};

/// An unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`: about 106 bits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DoubleDouble {
    pub(crate) hi: f64,
    pub(crate) lo: f64,
}

impl DoubleDouble {
    /// `a + b` normalized (`|a| >= |b|`, or `a == 0`).
    pub(crate) fn new(a: f64, b: f64) -> DoubleDouble {
        let hi = a + b;
        let lo = b - (hi - a);
        DoubleDouble { hi, lo }
    }

    pub(crate) fn from(x: f64) -> DoubleDouble {
        DoubleDouble { hi: x, lo: 0.0 }
    }

    pub(crate) fn value(self) -> f64 {
        self.hi + self.lo
    }

    pub(crate) fn neg(self) -> DoubleDouble {
        DoubleDouble {
            hi: -self.hi,
            lo: -self.lo,
        }
    }

    pub(crate) fn add(self, other: DoubleDouble) -> DoubleDouble {
        // Knuth's two-sum of the high parts, then the low parts.
        let hi = self.hi + other.hi;
        let virtual_other = hi - self.hi;
        let error = (self.hi - (hi - virtual_other)) + (other.hi - virtual_other);
        DoubleDouble::new(hi, error + self.lo + other.lo)
    }

    pub(crate) fn sub(self, other: DoubleDouble) -> DoubleDouble {
        self.add(other.neg())
    }

    pub(crate) fn mul(self, other: DoubleDouble) -> DoubleDouble {
        let hi = self.hi * other.hi;
        let error = self.hi.mul_add(other.hi, -hi);
        let lo = error + self.hi * other.lo + self.lo * other.hi;
        DoubleDouble::new(hi, lo)
    }

    pub(crate) fn square(self) -> DoubleDouble {
        self.mul(self)
    }

    pub(crate) fn div(self, other: DoubleDouble) -> DoubleDouble {
        // A quotient and one correction: q + (self - q other) / other.
        let q = self.hi / other.hi;
        let residual = self.sub(other.mul(DoubleDouble::from(q)));
        DoubleDouble::new(q, residual.hi / other.hi)
    }

    pub(crate) fn recip(self) -> DoubleDouble {
        DoubleDouble::from(1.0).div(self)
    }

    /// Times `2^k`, exact unless the parts leave the normal range.
    fn scale(self, k: i32) -> DoubleDouble {
        // In two steps so that 2^k itself stays finite.
        let half = 2f64.powi(k / 2);
        let rest = 2f64.powi(k - k / 2);
        let hi = self.hi * half * rest;
        if !hi.is_finite() {
            return DoubleDouble::from(hi);
        }
        DoubleDouble {
            hi: self.hi * half * rest,
            lo: self.lo * half * rest,
        }
    }
}

/// How far below the normal range a reference may keep its bits: results
/// smaller than `2^-900` are returned times `2^SUBNORMAL_SCALE`.
pub(crate) const SUBNORMAL_SCALE: i32 = 600;

/// A reference value: `value 2^-scale`, so that results in the subnormal
/// range keep their bits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reference {
    pub(crate) value: DoubleDouble,
    pub(crate) scale: i32,
}

impl From<DoubleDouble> for Reference {
    fn from(value: DoubleDouble) -> Reference {
        Reference { value, scale: 0 }
    }
}

/// `e^x`, scaled when tiny.
pub(crate) fn exp_scaled(x: f64) -> Reference {
    exp_of_sum_scaled(DoubleDouble::from(x), DoubleDouble::from(1.0))
}

/// `e^x times factor` (factor near 1), scaled by `2^SUBNORMAL_SCALE` when
/// below `2^-900`.
fn exp_of_sum_scaled(x: DoubleDouble, factor: DoubleDouble) -> Reference {
    if x.hi > 710.0 {
        return DoubleDouble::from(f64::INFINITY).into();
    }
    if x.hi < -900.0 * LN_2 {
        let shift = LN2.mul(DoubleDouble::from(f64::from(SUBNORMAL_SCALE)));
        Reference {
            value: exp(x.add(shift)).mul(factor),
            scale: SUBNORMAL_SCALE,
        }
    } else {
        let e = exp(x);
        if !e.hi.is_finite() {
            return e.into();
        }
        e.mul(factor).into()
    }
}

/// `e^x`.
pub(crate) fn exp(x: DoubleDouble) -> DoubleDouble {
    if x.hi > 710.0 {
        return DoubleDouble::from(f64::INFINITY);
    }
    if x.hi < -746.0 {
        return DoubleDouble::from(0.0);
    }
    let k = (x.hi / LN_2).round();
    let r = x.sub(LN2.mul(DoubleDouble::from(k)));
    // e^(r / 1024) by Taylor (|r / 1024| < 3.4e-4: 10 terms are plenty),
    // then squared ten times.
    let small = r.mul(DoubleDouble::from(1.0 / 1024.0));
    let mut sum = DoubleDouble::from(1.0);
    let mut term = DoubleDouble::from(1.0);
    for n in 1..=10 {
        term = term.mul(small).div(DoubleDouble::from(f64::from(n)));
        sum = sum.add(term);
    }
    for _ in 0..10 {
        sum = sum.square();
    }
    sum.scale(k as i32)
}

/// `e^x - 1`, without cancellation for small `x`.
pub(crate) fn expm1(x: f64) -> DoubleDouble {
    if x.abs() > 0.5 {
        return exp(DoubleDouble::from(x)).sub(DoubleDouble::from(1.0));
    }
    let mut sum = DoubleDouble::from(0.0);
    let mut term = DoubleDouble::from(1.0);
    for n in 1..=40 {
        term = term
            .mul(DoubleDouble::from(x))
            .div(DoubleDouble::from(f64::from(n)));
        sum = sum.add(term);
    }
    sum
}

/// `log(y)` for a positive finite double-double: one Newton step from
/// libm's value `l`, `l + y e^-l - 1`, with `y e^-l - 1` as `(y - 1) e^-l
/// + (e^-l - 1)` near `y = 1` so that nothing cancels.
fn log_dd(y: DoubleDouble) -> DoubleDouble {
    let start = libm::log(y.value());
    let one = DoubleDouble::from(1.0);
    let step = if start.abs() < 0.5 {
        let expm1 = expm1(-start);
        y.sub(one).mul(expm1.add(one)).add(expm1)
    } else {
        y.mul(exp(DoubleDouble::from(-start))).sub(one)
    };
    DoubleDouble::from(start).add(step)
}

/// `log(x)` for a positive finite x.
pub(crate) fn log(x: f64) -> DoubleDouble {
    if x == 0.0 || !x.is_finite() {
        return DoubleDouble::from(libm::log(x));
    }
    if x < 1e-300 {
        // exp of the start would overflow: log(x 2^600) - 600 ln 2.
        return log(x * 2f64.powi(600)).sub(LN2.mul(DoubleDouble::from(600.0)));
    }
    log_dd(DoubleDouble::from(x))
}

/// `log(1 + x)` for `x > -1`, exact in `1 + x`.
pub(crate) fn log1p(x: f64) -> DoubleDouble {
    if x <= -1.0 || !x.is_finite() {
        return DoubleDouble::from(libm::log1p(x));
    }
    if x.abs() < 1e-3 {
        // The series x - x^2/2 + x^3/3 - ...
        let mut sum = DoubleDouble::from(0.0);
        let mut power = DoubleDouble::from(1.0);
        for n in 1..=30 {
            power = power.mul(DoubleDouble::from(-x));
            sum = sum.sub(power.div(DoubleDouble::from(f64::from(n))));
        }
        return sum;
    }
    if x > 1e300 {
        return log(x);
    }
    log_dd(DoubleDouble::from(1.0).add(DoubleDouble::from(x)))
}

/// `tanh(x)`: `m / (m + 2)` with `m = e^(2x) - 1`, or `(1 - e) / (1 + e)`
/// with `e = e^(-2x)`, for `x >= 0`; odd.
pub(crate) fn tanh(x: f64) -> DoubleDouble {
    if x < 0.0 {
        return tanh(-x).neg();
    }
    if x < 0.5 {
        let m = expm1(2.0 * x);
        return m.div(m.add(DoubleDouble::from(2.0)));
    }
    let e = exp(DoubleDouble::from(-2.0 * x));
    let one = DoubleDouble::from(1.0);
    one.sub(e).div(one.add(e))
}

/// `1 / (1 + e^-x)`.
pub(crate) fn sigmoid(x: f64) -> DoubleDouble {
    let e = exp(DoubleDouble::from(-x.abs()));
    let d = DoubleDouble::from(1.0).add(e).recip();
    if x < 0.0 { e.mul(d) } else { d }
}

/// `max(x, 0) + log1p(e^-|x|)`.
pub(crate) fn softplus(x: f64) -> DoubleDouble {
    let e = exp(DoubleDouble::from(-x.abs()));
    let log_term = if e.hi < 1e-3 {
        // log1p(e) = e - e^2/2 + e^3/3 - ... on the double-double e.
        let mut sum = DoubleDouble::from(0.0);
        let mut power = DoubleDouble::from(1.0);
        for n in 1..=12 {
            power = power.mul(e.neg());
            sum = sum.sub(power.div(DoubleDouble::from(f64::from(n))));
        }
        sum
    } else {
        log_dd(DoubleDouble::from(1.0).add(e))
    };
    DoubleDouble::from(x.max(0.0)).add(log_term)
}

/// `erfc(y)`, scaled when tiny.
pub(crate) fn erfc_scaled(y: f64) -> Reference {
    if y < 0.0 {
        return DoubleDouble::from(2.0).sub(erfc_scaled(-y).value).into();
    }
    if y <= 3.0 {
        return DoubleDouble::from(1.0).sub(erf_series(y)).into();
    }
    // e^(-y^2) / sqrt(pi) / (y + (1/2) / (y + 1 / (y + (3/2) / (y + ...)))),
    // 150 levels deep (enough from y = 3 on).
    let y_dd = DoubleDouble::from(y);
    let mut t = y_dd;
    for n in (1..=150).rev() {
        t = y_dd.add(DoubleDouble::from(f64::from(n) / 2.0).div(t));
    }
    exp_of_sum_scaled(y_dd.square().neg(), SQRT_PI.mul(t).recip())
}

/// `erf(y)`.
pub(crate) fn erf(y: f64) -> DoubleDouble {
    if y < 0.0 {
        return erf(-y).neg();
    }
    if y <= 3.0 {
        return erf_series(y);
    }
    DoubleDouble::from(1.0).sub(erfc_scaled(y).value)
}

/// `erf(y) = 2/sqrt(pi) e^(-y^2) (y + 2y^3/3 + 4y^5/15 + ...)`, every term
/// positive, for `0 <= y <= 3`.
fn erf_series(y: f64) -> DoubleDouble {
    let y_dd = DoubleDouble::from(y);
    let twice_square = y_dd.square().mul(DoubleDouble::from(2.0));
    let mut term = y_dd;
    let mut sum = y_dd;
    for n in 1..200 {
        term = term
            .mul(twice_square)
            .div(DoubleDouble::from(f64::from(2 * n + 1)));
        sum = sum.add(term);
        if term.hi < sum.hi * 1e-34 {
            break;
        }
    }
    TWO_OVER_SQRT_PI.mul(exp(y_dd.square().neg())).mul(sum)
}
