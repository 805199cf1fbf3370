//! What both backends share: argument and result values, size binding, the
//! runtime configuration, runtime errors and the math functions.
//!
//! The interpreter calls the functions of [`math`] directly and the JIT
//! registers the very same functions as symbols, so both backends round
//! identically. This module must not depend on either backend.

pub mod argmax;
pub mod isotonic;
pub mod kernels;
pub mod math;
pub mod noise;
pub mod sorting;
pub mod tape;

use crate::ir::{Func, InstId, ScalarType, Size, SizeId, VarId, VarType};
use cranelift_entity::SecondaryMap;
use ndarray::ArrayD;

/// A value passed to or returned from a compiled function.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Real(f64),
    Int(i64),
    Bool(bool),
    /// A real array of any rank.
    Array(ArrayD<f64>),
    /// An int array of any rank.
    IntArray(ArrayD<i64>),
    /// A bool array of any rank.
    BoolArray(ArrayD<bool>),
}

impl Value {
    pub fn as_real(&self) -> Option<f64> {
        match self {
            Value::Real(value) => Some(*value),
            Value::Int(_)
            | Value::Bool(_)
            | Value::Array(_)
            | Value::IntArray(_)
            | Value::BoolArray(_) => None,
        }
    }

    pub fn as_array(&self) -> Option<&ArrayD<f64>> {
        match self {
            Value::Array(array) => Some(array),
            Value::Real(_)
            | Value::Int(_)
            | Value::Bool(_)
            | Value::IntArray(_)
            | Value::BoolArray(_) => None,
        }
    }

    /// A short description of the value's type, for error messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Real(_) => "real".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Array(array) => format!("real array of shape {:?}", array.shape()),
            Value::IntArray(array) => format!("int array of shape {:?}", array.shape()),
            Value::BoolArray(array) => format!("bool array of shape {:?}", array.shape()),
        }
    }
}

/// Runtime settings of one call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    /// The global temperature of relaxed mode.
    pub tau: f64,
    /// The most values the tape may hold (reals and ints together).
    pub tape_limit: usize,
    /// Stochastic mode: the seed of the noise (see `noise`).
    pub seed: u64,
    /// Stochastic mode: the index of the Monte-Carlo sample this call
    /// computes (its noise stream).
    pub sample: u64,
    /// Stochastic mode: the baseline the score-function surrogate
    /// subtracts (`Inst::Baseline`).
    pub baseline: f64,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            tau: 1.0,
            tape_limit: 1 << 28,
            seed: 0,
            sample: 0,
            baseline: 0.0,
        }
    }
}

/// A fault while running a function. Carries IR ids; the library maps them
/// back to source spans through `Func::origins`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    #[error("index {index} is out of bounds for dimension {dim} of length {len}")]
    IndexOutOfBounds {
        inst: InstId,
        array: VarId,
        dim: usize,
        index: i64,
        len: i64,
    },
    #[error("integer division by zero")]
    DivisionByZero { inst: InstId },
    #[error("expected {expected} arguments, got {got}")]
    ArgumentCount { expected: usize, got: usize },
    #[error("argument {param} has the wrong type: expected {expected}, got {got}")]
    ArgumentType {
        param: usize,
        expected: String,
        got: String,
    },
    #[error("size {size} is {first} from one argument and {second} from another")]
    SizeMismatch {
        size: String,
        first: i64,
        second: i64,
        param: usize,
        dim: usize,
    },
    #[error("the tape exceeded its limit of {limit} values")]
    TapeLimit { limit: usize },
    #[error("a while loop exceeded its bound of {bound} iterations")]
    LoopBoundExceeded { inst: InstId, bound: i64 },
    #[error("size {size} is {value}, which is negative")]
    NegativeSize { size: String, value: i64 },
    #[error("the tape was popped while empty (a bug in the compiler)")]
    TapeUnderflow,
    /// The JIT could not compile the checking variant of a function it had
    /// compiled (a bug in the compiler).
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

/// The value of every size parameter for one call.
#[derive(Clone, Debug, Default)]
pub struct SizeBindings {
    values: SecondaryMap<SizeId, i64>,
    derived: SecondaryMap<crate::ir::DerivedSizeId, i64>,
}

impl SizeBindings {
    pub fn get(&self, size: Size) -> i64 {
        match size {
            Size::Const(value) => value,
            Size::Param(id) => self.values[id],
            Size::Derived(id) => self.derived[id],
        }
    }

    /// Computes every derived size from the bound parameters; a negative
    /// one is an error (e.g. `real[n - 1]` called with `n = 0`).
    fn derive(&mut self, func: &Func) -> Result<(), RuntimeError> {
        for (id, derived) in func.derived_sizes.iter() {
            let value = derived
                .terms
                .iter()
                .map(|(monomial, coefficient)| {
                    monomial.iter().fold(*coefficient, |product, size| {
                        product.wrapping_mul(self.values[*size])
                    })
                })
                .fold(0i64, i64::wrapping_add);
            if value < 0 {
                return Err(RuntimeError::NegativeSize {
                    size: derived.text.clone(),
                    value,
                });
            }
            self.derived[id] = value;
        }
        Ok(())
    }

    /// The number of elements of an array variable (1 for a scalar).
    pub fn element_count(&self, ty: &VarType) -> usize {
        match ty {
            VarType::Scalar(_) => 1,
            VarType::Array { dims, .. } => dims
                .iter()
                .map(|dim| self.get(*dim).max(0) as usize)
                .product(),
        }
    }

    /// The extents of each dimension of an array variable.
    pub fn dims(&self, ty: &VarType) -> Vec<i64> {
        match ty {
            VarType::Scalar(_) => Vec::new(),
            VarType::Array { dims, .. } => dims.iter().map(|dim| self.get(*dim)).collect(),
        }
    }
}

/// Checks `args` against the parameters of `func` and binds every size
/// parameter from the argument shapes.
pub fn bind_arguments<A: std::borrow::Borrow<Value>>(
    func: &Func,
    args: &[A],
) -> Result<SizeBindings, RuntimeError> {
    if args.len() != func.params.len() {
        return Err(RuntimeError::ArgumentCount {
            expected: func.params.len(),
            got: args.len(),
        });
    }
    let mut bindings = SizeBindings::default();
    let mut bound: SecondaryMap<SizeId, bool> = SecondaryMap::new();
    for (param_index, (var, arg)) in func.params.iter().zip(args).enumerate() {
        let arg: &Value = arg.borrow();
        let ty = &func.vars[*var].ty;
        let type_error = || RuntimeError::ArgumentType {
            param: param_index,
            expected: describe_var_type(func, ty),
            got: arg.describe(),
        };
        let shape = match (ty, arg) {
            (VarType::Scalar(ScalarType::Real), Value::Real(_))
            | (VarType::Scalar(ScalarType::Int), Value::Int(_))
            | (VarType::Scalar(ScalarType::Bool), Value::Bool(_)) => continue,
            (
                VarType::Array {
                    elem: ScalarType::Real,
                    ..
                },
                Value::Array(array),
            ) => array.shape(),
            (
                VarType::Array {
                    elem: ScalarType::Int,
                    ..
                },
                Value::IntArray(array),
            ) => array.shape(),
            (
                VarType::Array {
                    elem: ScalarType::Bool,
                    ..
                },
                Value::BoolArray(array),
            ) => array.shape(),
            _ => return Err(type_error()),
        };
        let VarType::Array { dims, .. } = ty else {
            return Err(type_error());
        };
        if shape.len() != dims.len() {
            return Err(type_error());
        }
        for (dim_index, (dim, extent)) in dims.iter().zip(shape).enumerate() {
            let extent = *extent as i64;
            match dim {
                Size::Const(expected) if *expected != extent => return Err(type_error()),
                Size::Const(_) => {}
                Size::Param(size) if bound[*size] => {
                    if bindings.values[*size] != extent {
                        return Err(RuntimeError::SizeMismatch {
                            size: func.sizes[*size].name.clone(),
                            first: bindings.values[*size],
                            second: extent,
                            param: param_index,
                            dim: dim_index,
                        });
                    }
                }
                Size::Param(size) => {
                    bindings.values[*size] = extent;
                    bound[*size] = true;
                }
                // Parameters bind sizes; they are never typed by derived ones.
                Size::Derived(_) => return Err(type_error()),
            }
        }
    }
    bindings.derive(func)?;
    Ok(bindings)
}

/// `real`, `int[3]`, `real[n, m]`, as the language writes types.
pub fn describe_var_type(func: &Func, ty: &VarType) -> String {
    let scalar = |s: ScalarType| match s {
        ScalarType::Real => "real",
        ScalarType::Int => "int",
        ScalarType::Bool => "bool",
    };
    match ty {
        VarType::Scalar(s) => scalar(*s).to_string(),
        VarType::Array { elem, dims } => {
            let dims: Vec<String> = dims
                .iter()
                .map(|dim| match dim {
                    Size::Const(value) => value.to_string(),
                    Size::Param(id) => func.sizes[*id].name.clone(),
                    Size::Derived(id) => func.derived_sizes[*id].text.clone(),
                })
                .collect();
            format!("{}[{}]", scalar(*elem), dims.join(", "))
        }
    }
}
