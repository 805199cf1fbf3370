//! The math functions both backends call.
//!
//! They are `extern "C"` so the JIT can call them through registered
//! symbols; the interpreter calls them as plain Rust functions. Using the
//! same functions in both backends is what makes their results bit-for-bit
//! equal.

/// `e^x`.
pub extern "C" fn exp(x: f64) -> f64 {
    x.exp()
}

/// Natural logarithm (NaN below zero, -inf at zero, as IEEE says).
pub extern "C" fn log(x: f64) -> f64 {
    x.ln()
}

/// The logistic function `1 / (1 + e^-x)`, evaluated so that it never
/// overflows: for negative `x` it uses `e^x / (1 + e^x)`.
pub extern "C" fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^x)`, evaluated so that it is finite for every finite `x`
/// and equal to `x` once `e^-x` is negligible: `x + ln_1p(e^-x)` for
/// positive `x`, `ln_1p(e^x)` otherwise.
pub extern "C" fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Sine (radians).
pub extern "C" fn sin(x: f64) -> f64 {
    x.sin()
}

/// Cosine (radians).
pub extern "C" fn cos(x: f64) -> f64 {
    x.cos()
}

/// Hyperbolic tangent.
pub extern "C" fn tanh(x: f64) -> f64 {
    x.tanh()
}

/// `x^y` with the special cases of IEEE `pow` (`pow(x, 0) == 1` even for a
/// NaN `x`, `pow(1, y) == 1` even for a NaN `y`, NaN for a negative base
/// and a non-integer exponent).
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// The symbols the JIT registers: name and function address.
pub fn symbols() -> [(&'static str, *const u8); 8] {
    [
        ("smoothc_exp", exp as *const u8),
        ("smoothc_log", log as *const u8),
        ("smoothc_sigmoid", sigmoid as *const u8),
        ("smoothc_softplus", softplus as *const u8),
        ("smoothc_sin", sin as *const u8),
        ("smoothc_cos", cos as *const u8),
        ("smoothc_tanh", tanh as *const u8),
        ("smoothc_pow", pow as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
