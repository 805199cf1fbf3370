//! Means and standard errors of Monte-Carlo samples, and the flat layout
//! of one sample's numbers.
//!
//! An estimator turns each of its independent *units* (one sample, or one
//! antithetic pair) into a flat vector of reals: the result's elements, then
//! the elements of each gradient. [`summarize`] averages the units component
//! by component, always summing in unit order, so the outcome depends only
//! on the units and never on how they were computed (threads, backend).
//! [`Layout`] turns the flat means back into [`Value`]s of the right shapes.

use crate::runtime::Value;
use ndarray::{ArrayD, IxDyn};

/// The shape of a real result: a scalar, or an array of these extents.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Scalar,
    Array(Vec<usize>),
}

impl Shape {
    /// The shape of a real value; `None` for ints, bools and their arrays,
    /// which have no mean.
    pub(crate) fn of(value: &Value) -> Option<Shape> {
        match value {
            Value::Real(_) => Some(Shape::Scalar),
            Value::Array(array) => Some(Shape::Array(array.shape().to_vec())),
            Value::Int(_) | Value::Bool(_) | Value::IntArray(_) | Value::BoolArray(_) => None,
        }
    }

    /// How many reals a value of this shape holds.
    pub(crate) fn len(&self) -> usize {
        match self {
            Shape::Scalar => 1,
            Shape::Array(extents) => extents.iter().product(),
        }
    }

    /// The value of this shape holding `flat` (of length [`Shape::len`]), in
    /// the logical (row-major) order of [`push_reals`].
    pub(crate) fn build(&self, flat: &[f64]) -> Value {
        match self {
            Shape::Scalar => Value::Real(flat[0]),
            Shape::Array(extents) => Value::Array(
                ArrayD::from_shape_vec(IxDyn(extents), flat.to_vec())
                    .expect("the flat vector has the shape's length"),
            ),
        }
    }
}

/// Appends the reals of a real value in logical order (nothing for other
/// values).
pub(crate) fn push_reals(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Real(real) => out.push(*real),
        Value::Array(array) => out.extend(array.iter()),
        Value::Int(_) | Value::Bool(_) | Value::IntArray(_) | Value::BoolArray(_) => {}
    }
}

/// The sum of `a[i] * b[i]`: a result paired with its cotangent.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Where each value lives in a unit's flat vector: the result first, then
/// one gradient per real parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layout {
    pub(crate) value: Shape,
    pub(crate) grads: Vec<Shape>,
}

impl Layout {
    /// The values of a flat vector laid out by `self`.
    pub(crate) fn split(&self, flat: &[f64]) -> (Value, Vec<Value>) {
        let mut offset = self.value.len();
        let value = self.value.build(&flat[..offset]);
        let grads = self
            .grads
            .iter()
            .map(|shape| {
                let part = &flat[offset..offset + shape.len()];
                offset += shape.len();
                shape.build(part)
            })
            .collect();
        (value, grads)
    }
}

/// The per-component mean of the units and its standard error.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Summary {
    pub(crate) mean: Vec<f64>,
    /// The sample standard deviation (divisor `n - 1`) over `sqrt(n)`; NaN
    /// with a single unit, where the spread is unknown.
    pub(crate) stderr: Vec<f64>,
}

/// Mean and standard error of each component over `units` (equally long,
/// at least one). Two passes (mean, then squared deviations) for accuracy,
/// each summing in unit order.
pub(crate) fn summarize(units: &[Vec<f64>]) -> Summary {
    let count = units.len();
    let width = units.first().map_or(0, Vec::len);
    let mut mean = vec![0.0; width];
    for unit in units {
        for (total, x) in mean.iter_mut().zip(unit) {
            *total += x;
        }
    }
    for total in &mut mean {
        *total /= count as f64;
    }
    let mut squares = vec![0.0; width];
    for unit in units {
        for ((total, x), m) in squares.iter_mut().zip(unit).zip(&mean) {
            *total += (x - m) * (x - m);
        }
    }
    let stderr = squares
        .iter()
        .map(|total| {
            if count < 2 {
                f64::NAN
            } else {
                (total / (count - 1) as f64).sqrt() / (count as f64).sqrt()
            }
        })
        .collect();
    Summary { mean, stderr }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_mean_and_the_standard_error_of_the_mean() {
        let units = vec![vec![1.0, 10.0], vec![2.0, 10.0], vec![6.0, 10.0]];
        let summary = summarize(&units);
        assert_eq!(summary.mean, vec![3.0, 10.0]);
        // Deviations -2, -1, 3: variance 14 / 2 = 7, stderr sqrt(7 / 3).
        assert!((summary.stderr[0] - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(summary.stderr[1], 0.0);
    }

    #[test]
    fn one_unit_has_an_unknown_standard_error() {
        let summary = summarize(&[vec![4.0]]);
        assert_eq!(summary.mean, vec![4.0]);
        assert!(summary.stderr[0].is_nan());
    }

    #[test]
    fn layout_splits_a_flat_vector_into_values_of_their_shapes() {
        let layout = Layout {
            value: Shape::Scalar,
            grads: vec![Shape::Array(vec![2, 2]), Shape::Scalar],
        };
        let (value, grads) = layout.split(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(value, Value::Real(1.0));
        let matrix = ndarray::arr2(&[[2.0, 3.0], [4.0, 5.0]]).into_dyn();
        assert_eq!(grads, vec![Value::Array(matrix.clone()), Value::Real(6.0)]);
        let mut flat = Vec::new();
        push_reals(&Value::Array(matrix), &mut flat);
        assert_eq!(flat, vec![2.0, 3.0, 4.0, 5.0]);
    }
}
