//! `1 / x`, clamped to the largest double: what a relaxed comparison
//! multiplies its difference by (the reciprocal of the temperature, see
//! `smooth::condition`), so that a temperature whose reciprocal overflows
//! gives a finite factor and `0 * factor` stays 0.

use super::Arithmetic;

/// `1 / x` where that is finite, else `±f64::MAX` with its sign (at ±0
/// and below about 5.6e-309 in magnitude); NaN for NaN, ±0 at ±inf.
/// Correctly rounded wherever it is not clamped.
pub fn clamped_reciprocal<A: Arithmetic>(a: &mut A, x: A::Real) -> A::Real {
    let one = a.real(1.0);
    let quotient = a.div(one, x);
    let magnitude = a.abs(quotient);
    let largest = a.real(f64::MAX);
    let overflowed = a.gt(magnitude, largest);
    let clamped = super::with_sign_of(a, largest, quotient);
    a.select(overflowed, clamped, quotient)
}

#[cfg(test)]
mod tests {
    use super::super::Direct;
    use super::super::accuracy::assert_exact;
    use super::*;

    #[test]
    fn reciprocal_is_the_quotient_clamped_to_the_largest_double() {
        assert_exact(
            |x| clamped_reciprocal(&mut Direct, x),
            &[
                (2.0, 0.5),
                (-4.0, -0.25),
                (0.1, 1.0 / 0.1),
                (1e-300, 1.0 / 1e-300),
                (1e-309, f64::MAX),
                (-1e-309, -f64::MAX),
                (0.0, f64::MAX),
                (-0.0, -f64::MAX),
                (f64::INFINITY, 0.0),
                (f64::NEG_INFINITY, -0.0),
                (f64::NAN, f64::NAN),
            ],
        );
    }
}
