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

/// The symbols the JIT registers: name and function address.
pub fn symbols() -> [(&'static str, *const u8); 3] {
    [
        ("smoothc_exp", exp as *const u8),
        ("smoothc_log", log as *const u8),
        ("smoothc_sigmoid", sigmoid as *const u8),
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
}
