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

#[cfg(test)]
mod gradient_tests {
    //! Relaxed programs only take the reciprocal of the temperature, which
    //! carries no gradient; reverse mode's rule for it is checked here, on
    //! a function of a parameter, against central finite differences.

    use crate::interp;
    use crate::interp::test_builder::{Builder, REAL};
    use crate::ir::{BinaryOp, UnaryOp};
    use crate::runtime::{RunConfig, Value};

    #[test]
    fn reverse_mode_differentiates_the_reciprocal_like_finite_differences() {
        // y = 3 * clamped_reciprocal(x)
        let mut b = Builder::new("reciprocal");
        let x = b.param("x", REAL);
        let y = b.out_var("y", REAL);
        let xv = b.read(x);
        let reciprocal = b.un(UnaryOp::ClampedReciprocal, xv);
        let three = b.real(3.0);
        let scaled = b.bin(BinaryOp::Mul, reciprocal, three);
        let _ = b.write(y, scaled);
        let func = b.finish();
        let grad = crate::ad::run(&func).expect("differentiable");
        let config = RunConfig::default();
        let value_at = |at: f64| match interp::run(&func, &[Value::Real(at)], &config) {
            Ok(values) => match values[..] {
                [Value::Real(value)] => value,
                _ => panic!("one real result"),
            },
            Err(error) => panic!("{error:?}"),
        };
        for at in [0.5, -2.0, 7.25] {
            let outputs = interp::run(&grad, &[Value::Real(at), Value::Real(1.0)], &config)
                .expect("the gradient runs");
            let Value::Real(derivative) = outputs[1] else {
                panic!("a real derivative: {outputs:?}");
            };
            let step = 1e-6 * at.abs();
            let central = (value_at(at + step) - value_at(at - step)) / (2.0 * step);
            assert!(
                (derivative - central).abs() <= 1e-6 * central.abs(),
                "at {at}: {derivative} against {central}"
            );
            let exact = -3.0 / (at * at);
            assert!(
                (derivative - exact).abs() <= 4.0 * f64::EPSILON * exact.abs(),
                "at {at}: {derivative} against {exact}"
            );
        }
    }
}
