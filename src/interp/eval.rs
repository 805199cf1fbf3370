//! The pure operations: `Unary` and `Binary` on scalars.
//!
//! These functions are the definition of the arithmetic both backends
//! implement: ints wrap, int `Div`/`Rem` fail only on a zero divisor (with
//! `i64::MIN / -1 == i64::MIN` and `i64::MIN % -1 == 0`), reals follow IEEE,
//! and bools order as `false < true`. `Floor`, `Ceil` and `Round` are
//! Rust's `f64::floor`/`ceil`/`round` (halves away from zero) followed by
//! `as i64`, which saturates at the int range and maps NaN to 0. The
//! transcendental functions and `pow` are those of `runtime::math`.

use super::frame::Scalar;
use crate::ir::{BinaryOp, InstId, UnaryOp};
use crate::runtime::{RuntimeError, math};

/// `op operand`.
///
/// # Panics
///
/// If the operand type does not fit the operation (malformed IR).
pub(crate) fn unary(op: UnaryOp, operand: Scalar) -> Scalar {
    match (op, operand) {
        (UnaryOp::Neg, Scalar::Real(x)) => Scalar::Real(-x),
        (UnaryOp::Neg, Scalar::Int(x)) => Scalar::Int(x.wrapping_neg()),
        (UnaryOp::Not, Scalar::Bool(x)) => Scalar::Bool(!x),
        (UnaryOp::Exp, Scalar::Real(x)) => Scalar::Real(math::exp(x)),
        (UnaryOp::Log, Scalar::Real(x)) => Scalar::Real(math::log(x)),
        (UnaryOp::Sqrt, Scalar::Real(x)) => Scalar::Real(x.sqrt()),
        (UnaryOp::Sigmoid, Scalar::Real(x)) => Scalar::Real(math::sigmoid(x)),
        (UnaryOp::Softplus, Scalar::Real(x)) => Scalar::Real(math::softplus(x)),
        (UnaryOp::Sin, Scalar::Real(x)) => Scalar::Real(math::sin(x)),
        (UnaryOp::Cos, Scalar::Real(x)) => Scalar::Real(math::cos(x)),
        (UnaryOp::Tanh, Scalar::Real(x)) => Scalar::Real(math::tanh(x)),
        (UnaryOp::ClampedReciprocal, Scalar::Real(x)) => Scalar::Real(math::clamped_reciprocal(x)),
        (UnaryOp::Cdf(family), Scalar::Real(x)) => {
            Scalar::Real(math::distribution_functions(family)[0].1(x))
        }
        (UnaryOp::Density(family), Scalar::Real(x)) => {
            Scalar::Real(math::distribution_functions(family)[1].1(x))
        }
        // `as` saturates at the i64 range and maps NaN to 0.
        (UnaryOp::Floor, Scalar::Real(x)) => Scalar::Int(x.floor() as i64),
        (UnaryOp::Ceil, Scalar::Real(x)) => Scalar::Int(x.ceil() as i64),
        // Halves away from zero.
        (UnaryOp::Round, Scalar::Real(x)) => Scalar::Int(x.round() as i64),
        (UnaryOp::ToReal, Scalar::Int(x)) => Scalar::Real(x as f64),
        (UnaryOp::ToReal, Scalar::Bool(x)) => Scalar::Real(if x { 1.0 } else { 0.0 }),
        (op, operand) => panic!("malformed IR: {op:?} applied to {operand:?}"),
    }
}

/// `lhs op rhs`; `inst` is the instruction, for the division error.
///
/// # Panics
///
/// If the operand types do not fit the operation (malformed IR).
pub(crate) fn binary(
    inst: InstId,
    op: BinaryOp,
    lhs: Scalar,
    rhs: Scalar,
) -> Result<Scalar, RuntimeError> {
    Ok(match (lhs, rhs) {
        (Scalar::Real(a), Scalar::Real(b)) => real_binary(op, a, b),
        (Scalar::Int(a), Scalar::Int(b)) => int_binary(inst, op, a, b)?,
        (Scalar::Bool(a), Scalar::Bool(b)) => bool_binary(op, a, b),
        (lhs, rhs) => panic!("malformed IR: {op:?} applied to {lhs:?} and {rhs:?}"),
    })
}

fn real_binary(op: BinaryOp, a: f64, b: f64) -> Scalar {
    match op {
        BinaryOp::Pow => Scalar::Real(math::pow(a, b)),
        BinaryOp::Add => Scalar::Real(a + b),
        BinaryOp::Sub => Scalar::Real(a - b),
        BinaryOp::Mul => Scalar::Real(a * b),
        BinaryOp::Div => Scalar::Real(a / b),
        // IEEE comparisons: every one is false on NaN except `Ne`.
        BinaryOp::Lt => Scalar::Bool(a < b),
        BinaryOp::Le => Scalar::Bool(a <= b),
        BinaryOp::Gt => Scalar::Bool(a > b),
        BinaryOp::Ge => Scalar::Bool(a >= b),
        BinaryOp::Eq => Scalar::Bool(a == b),
        BinaryOp::Ne => Scalar::Bool(a != b),
        BinaryOp::Rem | BinaryOp::And | BinaryOp::Or => {
            panic!("malformed IR: {op:?} applied to reals")
        }
    }
}

fn int_binary(inst: InstId, op: BinaryOp, a: i64, b: i64) -> Result<Scalar, RuntimeError> {
    Ok(match op {
        BinaryOp::Add => Scalar::Int(a.wrapping_add(b)),
        BinaryOp::Sub => Scalar::Int(a.wrapping_sub(b)),
        BinaryOp::Mul => Scalar::Int(a.wrapping_mul(b)),
        BinaryOp::Div | BinaryOp::Rem if b == 0 => {
            return Err(RuntimeError::DivisionByZero { inst });
        }
        // `wrapping_div` gives `i64::MIN / -1 == i64::MIN` and
        // `wrapping_rem` gives `i64::MIN % -1 == 0`.
        BinaryOp::Div => Scalar::Int(a.wrapping_div(b)),
        BinaryOp::Rem => Scalar::Int(a.wrapping_rem(b)),
        BinaryOp::Lt => Scalar::Bool(a < b),
        BinaryOp::Le => Scalar::Bool(a <= b),
        BinaryOp::Gt => Scalar::Bool(a > b),
        BinaryOp::Ge => Scalar::Bool(a >= b),
        BinaryOp::Eq => Scalar::Bool(a == b),
        BinaryOp::Ne => Scalar::Bool(a != b),
        BinaryOp::Pow | BinaryOp::And | BinaryOp::Or => {
            panic!("malformed IR: {op:?} applied to ints")
        }
    })
}

fn bool_binary(op: BinaryOp, a: bool, b: bool) -> Scalar {
    match op {
        BinaryOp::And => Scalar::Bool(a && b),
        BinaryOp::Or => Scalar::Bool(a || b),
        BinaryOp::Lt => Scalar::Bool(!a & b),
        BinaryOp::Le => Scalar::Bool(a <= b),
        BinaryOp::Gt => Scalar::Bool(a & !b),
        BinaryOp::Ge => Scalar::Bool(a >= b),
        BinaryOp::Eq => Scalar::Bool(a == b),
        BinaryOp::Ne => Scalar::Bool(a != b),
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Rem
        | BinaryOp::Pow => {
            panic!("malformed IR: {op:?} applied to bools")
        }
    }
}
