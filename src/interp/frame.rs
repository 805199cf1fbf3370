//! Variable storage of one call of the interpreter.
//!
//! Every variable of the function gets its storage when the call starts, all
//! zero: a scalar is one [`Scalar`], an array a flat row-major buffer of its
//! element type whose extents come from the size bindings of the call.
//! Parameters are then copied in (real, int and bool arrays alike), and the
//! outputs are read back out at the end as [`Value`]s of their own element
//! type.

use crate::ir::{Func, InstId, ScalarType, VarId, VarType};
use crate::runtime::{RuntimeError, SizeBindings, Value};
use cranelift_entity::PrimaryMap;
use ndarray::{ArrayD, IxDyn};

/// One scalar: the value of an instruction or the contents of a scalar
/// variable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar {
    Real(f64),
    Int(i64),
    Bool(bool),
}

impl Scalar {
    /// The zero of a type: `0.0`, `0` or `false`.
    pub(crate) fn zero(ty: ScalarType) -> Scalar {
        match ty {
            ScalarType::Real => Scalar::Real(0.0),
            ScalarType::Int => Scalar::Int(0),
            ScalarType::Bool => Scalar::Bool(false),
        }
    }

    pub(crate) fn ty(self) -> ScalarType {
        match self {
            Scalar::Real(_) => ScalarType::Real,
            Scalar::Int(_) => ScalarType::Int,
            Scalar::Bool(_) => ScalarType::Bool,
        }
    }

    /// The value as an int, for indices and loop bounds.
    ///
    /// # Panics
    ///
    /// If the value is not an int (malformed IR).
    pub(crate) fn expect_int(self) -> i64 {
        match self {
            Scalar::Int(value) => value,
            Scalar::Real(_) | Scalar::Bool(_) => {
                panic!("malformed IR: expected an int, found {self:?}")
            }
        }
    }

    /// The value as a bool, for `If` conditions.
    ///
    /// # Panics
    ///
    /// If the value is not a bool (malformed IR).
    pub(crate) fn expect_bool(self) -> bool {
        match self {
            Scalar::Bool(value) => value,
            Scalar::Real(_) | Scalar::Int(_) => {
                panic!("malformed IR: expected a bool, found {self:?}")
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Scalar::Real(value) => Value::Real(value),
            Scalar::Int(value) => Value::Int(value),
            Scalar::Bool(value) => Value::Bool(value),
        }
    }
}

/// The elements of one array variable, row-major.
#[derive(Clone, Debug)]
enum Elements {
    Real(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
}

/// The storage of one variable.
#[derive(Clone, Debug)]
enum Storage {
    Scalar(Scalar),
    Array {
        /// The extent of each dimension for this call (may be negative only
        /// for a malformed constant size, in which case every index fails
        /// its bounds check).
        extents: Vec<i64>,
        elements: Elements,
    },
}

/// The variables of one call.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    storage: PrimaryMap<VarId, Storage>,
}

impl Frame {
    /// Zero-initialised storage for every variable of `func`.
    pub(crate) fn new(func: &Func, sizes: &SizeBindings) -> Frame {
        let mut storage = PrimaryMap::with_capacity(func.vars.len());
        for (_, data) in func.vars.iter() {
            let slot = match &data.ty {
                VarType::Scalar(ty) => Storage::Scalar(Scalar::zero(*ty)),
                VarType::Array { elem, .. } => {
                    let count = sizes.element_count(&data.ty);
                    let elements = match elem {
                        ScalarType::Real => Elements::Real(vec![0.0; count]),
                        ScalarType::Int => Elements::Int(vec![0; count]),
                        ScalarType::Bool => Elements::Bool(vec![false; count]),
                    };
                    Storage::Array {
                        extents: sizes.dims(&data.ty),
                        elements,
                    }
                }
            };
            let _ = storage.push(slot);
        }
        Frame { storage }
    }

    /// Copies an argument (already checked by `bind_arguments`) into the
    /// parameter variable `var`.
    pub(crate) fn bind_param(&mut self, var: VarId, arg: &Value) {
        match (&mut self.storage[var], arg) {
            (Storage::Scalar(slot), Value::Real(value)) => *slot = Scalar::Real(*value),
            (Storage::Scalar(slot), Value::Int(value)) => *slot = Scalar::Int(*value),
            (Storage::Scalar(slot), Value::Bool(value)) => *slot = Scalar::Bool(*value),
            (
                Storage::Array {
                    elements: Elements::Real(elements),
                    ..
                },
                Value::Array(array),
            ) => copy_in(elements, array),
            (
                Storage::Array {
                    elements: Elements::Int(elements),
                    ..
                },
                Value::IntArray(array),
            ) => copy_in(elements, array),
            (
                Storage::Array {
                    elements: Elements::Bool(elements),
                    ..
                },
                Value::BoolArray(array),
            ) => copy_in(elements, array),
            (storage, arg) => panic!(
                "argument {arg:?} does not fit parameter {var} ({storage:?}); \
                 bind_arguments should have rejected it"
            ),
        }
    }

    /// The contents of a scalar variable.
    pub(crate) fn read(&self, var: VarId) -> Scalar {
        match &self.storage[var] {
            Storage::Scalar(value) => *value,
            Storage::Array { .. } => panic!("malformed IR: `read` of array variable {var}"),
        }
    }

    /// Overwrites a scalar variable.
    pub(crate) fn write(&mut self, var: VarId, value: Scalar) {
        match &mut self.storage[var] {
            Storage::Scalar(slot) if slot.ty() == value.ty() => *slot = value,
            Storage::Scalar(slot) => panic!(
                "malformed IR: writing {value:?} to variable {var} of type {:?}",
                slot.ty()
            ),
            Storage::Array { .. } => panic!("malformed IR: `write` to array variable {var}"),
        }
    }

    /// The elements of a real array variable, row-major.
    pub(crate) fn real_elements(&self, var: VarId) -> &[f64] {
        match &self.storage[var] {
            Storage::Array {
                elements: Elements::Real(elements),
                ..
            } => elements,
            _ => panic!("malformed IR: {var} is not a real array"),
        }
    }

    /// The elements of a real array variable, for writing.
    pub(crate) fn real_elements_mut(&mut self, var: VarId) -> &mut [f64] {
        match &mut self.storage[var] {
            Storage::Array {
                elements: Elements::Real(elements),
                ..
            } => elements,
            _ => panic!("malformed IR: {var} is not a real array"),
        }
    }

    /// One array element; `inst` is the `Load` (for the error).
    pub(crate) fn load(
        &self,
        inst: InstId,
        var: VarId,
        indices: &[i64],
    ) -> Result<Scalar, RuntimeError> {
        let Storage::Array { extents, elements } = &self.storage[var] else {
            panic!("malformed IR: `load` from scalar variable {var}");
        };
        let flat = flat_index(inst, var, extents, indices)?;
        Ok(match elements {
            Elements::Real(elements) => Scalar::Real(elements[flat]),
            Elements::Int(elements) => Scalar::Int(elements[flat]),
            Elements::Bool(elements) => Scalar::Bool(elements[flat]),
        })
    }

    /// Overwrites one array element; `inst` is the `Store` (for the error).
    pub(crate) fn store(
        &mut self,
        inst: InstId,
        var: VarId,
        indices: &[i64],
        value: Scalar,
    ) -> Result<(), RuntimeError> {
        let Storage::Array { extents, elements } = &mut self.storage[var] else {
            panic!("malformed IR: `store` to scalar variable {var}");
        };
        let flat = flat_index(inst, var, extents, indices)?;
        match (elements, value) {
            (Elements::Real(elements), Scalar::Real(value)) => elements[flat] = value,
            (Elements::Int(elements), Scalar::Int(value)) => elements[flat] = value,
            (Elements::Bool(elements), Scalar::Bool(value)) => elements[flat] = value,
            (_, value) => {
                panic!("malformed IR: storing {value:?} into array {var} of another type")
            }
        }
        Ok(())
    }

    /// The final contents of an output variable: a scalar, or an array of
    /// its element type.
    pub(crate) fn output(&self, var: VarId) -> Value {
        match &self.storage[var] {
            Storage::Scalar(value) => value.into_value(),
            Storage::Array { extents, elements } => {
                let shape: Vec<usize> = extents
                    .iter()
                    .map(|extent| (*extent).max(0) as usize)
                    .collect();
                match elements {
                    Elements::Real(elements) => Value::Array(shaped(&shape, elements)),
                    Elements::Int(elements) => Value::IntArray(shaped(&shape, elements)),
                    Elements::Bool(elements) => Value::BoolArray(shaped(&shape, elements)),
                }
            }
        }
    }
}

/// Copies the elements of an argument into a parameter's buffer of the same
/// element count. `iter` walks in logical (row-major) order whatever the
/// memory layout of the argument.
fn copy_in<T: Copy>(elements: &mut [T], array: &ArrayD<T>) {
    for (slot, value) in elements.iter_mut().zip(array.iter()) {
        *slot = *value;
    }
}

/// A row-major array of the given shape holding `elements`.
fn shaped<T: Clone>(shape: &[usize], elements: &[T]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), elements.to_vec())
        .expect("the element count is the product of the extents")
}

/// The row-major position of `indices` in an array of the given extents,
/// checking each index against its extent in order of dimensions.
fn flat_index(
    inst: InstId,
    array: VarId,
    extents: &[i64],
    indices: &[i64],
) -> Result<usize, RuntimeError> {
    assert_eq!(
        extents.len(),
        indices.len(),
        "malformed IR: {inst} indexes array {array} of rank {} with {} indices",
        extents.len(),
        indices.len()
    );
    let mut flat = 0usize;
    for (dim, (&extent, &index)) in extents.iter().zip(indices).enumerate() {
        if index < 0 || index >= extent {
            return Err(RuntimeError::IndexOutOfBounds {
                inst,
                array,
                dim,
                index,
                len: extent,
            });
        }
        // Both are in range, so the product stays below the element count.
        flat = flat * extent as usize + index as usize;
    }
    Ok(flat)
}
