//! The calling convention between Rust and the generated code.
//!
//! A compiled function has the signature `extern "C" fn(*mut Frame) -> i32`.
//! Before the call, Rust binds the arguments, allocates zeroed storage for
//! every variable ([`CallStorage`]) and copies the parameters in; all sizes,
//! derived sizes included, are known at that point and passed in the
//! frame's size table. The generated code keeps scalar variables in
//! registers (Cranelift `Variable`s): it reads scalar parameters from their
//! slot at entry and writes scalar outputs to their slot before returning
//! [`STATUS_OK`]. Arrays live in memory, one flat row-major buffer of 8-byte
//! elements per variable (`f64` bits, `i64`, or a bool as `0`/`1`).
//!
//! A non-zero status is a runtime fault; the generated code (or a runtime
//! helper) has filled [`Frame::error`] where the fault needs more data than
//! its status.

use crate::ir::{Func, InstId, ScalarType, Size, VarId, VarType};
use crate::runtime::tape::Tape;
use crate::runtime::{RunConfig, RuntimeError, SizeBindings, Value};
use cranelift_entity::EntityRef;
use ndarray::{ArrayD, IxDyn};
use std::mem::offset_of;

/// The call finished; the outputs are in place.
pub(crate) const STATUS_OK: i32 = 0;
/// An index was out of bounds; [`Frame::error`] says which.
pub(crate) const STATUS_OUT_OF_BOUNDS: i32 = 1;
/// An int division or remainder by zero; [`ErrorRecord::inst`] says which.
pub(crate) const STATUS_DIVISION_BY_ZERO: i32 = 2;
/// A push would have held more than `tape_limit` values.
pub(crate) const STATUS_TAPE_LIMIT: i32 = 3;
/// A pop found its stack empty.
pub(crate) const STATUS_TAPE_UNDERFLOW: i32 = 4;
/// A `while` loop found its flag set after `bound` iterations;
/// [`ErrorRecord::inst`] and [`ErrorRecord::bound`] say which.
pub(crate) const STATUS_LOOP_BOUND: i32 = 5;

/// The size in bytes of one variable slot and of one array element.
pub(crate) const SLOT_BYTES: i64 = 8;

/// The argument of a compiled function.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct Frame {
    /// One 8-byte slot per variable, by `VarId` index: scalar parameters are
    /// read from here at entry, scalar outputs written here at exit.
    pub(crate) scalars: *mut u64,
    /// One pointer per variable, by `VarId` index, to the elements of an
    /// array variable (unused for scalar variables).
    pub(crate) arrays: *const *mut u64,
    /// The value of each size parameter, by `SizeId` index, followed by
    /// the value of each derived size, by `DerivedSizeId` index (all
    /// computed before the call, see [`size_slot`]).
    pub(crate) sizes: *const i64,
    /// The tape of this call, passed to the tape helpers.
    pub(crate) tape: *mut Tape,
    /// The temperature (`Tau`).
    pub(crate) tau: f64,
    /// Stochastic mode: the seed and the sample index of the noise.
    pub(crate) seed: u64,
    pub(crate) sample: u64,
    /// Stochastic mode: `Baseline`.
    pub(crate) baseline: f64,
    /// Filled by the generated code before it returns an error status.
    pub(crate) error: ErrorRecord,
}

/// The details of a runtime fault, written by the generated code.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ErrorRecord {
    /// The faulting instruction (`InstId` index).
    pub(crate) inst: i64,
    /// The array indexed (`VarId` index), for an out-of-bounds index.
    pub(crate) array: i64,
    /// The dimension whose index was out of bounds.
    pub(crate) dim: i64,
    /// The index that was out of bounds.
    pub(crate) index: i64,
    /// The extent it was checked against.
    pub(crate) len: i64,
    /// The bound of the `while` loop that exceeded it.
    pub(crate) bound: i64,
}

/// Byte offsets of the fields the generated code reads or writes.
pub(crate) mod offsets {
    use super::{ErrorRecord, Frame, offset_of};

    pub(crate) const SCALARS: i32 = offset_of!(Frame, scalars) as i32;
    pub(crate) const ARRAYS: i32 = offset_of!(Frame, arrays) as i32;
    pub(crate) const SIZES: i32 = offset_of!(Frame, sizes) as i32;
    pub(crate) const TAPE: i32 = offset_of!(Frame, tape) as i32;
    pub(crate) const TAU: i32 = offset_of!(Frame, tau) as i32;
    pub(crate) const SEED: i32 = offset_of!(Frame, seed) as i32;
    pub(crate) const SAMPLE: i32 = offset_of!(Frame, sample) as i32;
    pub(crate) const BASELINE: i32 = offset_of!(Frame, baseline) as i32;
    const ERROR: usize = offset_of!(Frame, error);
    pub(crate) const ERROR_INST: i32 = (ERROR + offset_of!(ErrorRecord, inst)) as i32;
    pub(crate) const ERROR_ARRAY: i32 = (ERROR + offset_of!(ErrorRecord, array)) as i32;
    pub(crate) const ERROR_DIM: i32 = (ERROR + offset_of!(ErrorRecord, dim)) as i32;
    pub(crate) const ERROR_INDEX: i32 = (ERROR + offset_of!(ErrorRecord, index)) as i32;
    pub(crate) const ERROR_LEN: i32 = (ERROR + offset_of!(ErrorRecord, len)) as i32;
    pub(crate) const ERROR_BOUND: i32 = (ERROR + offset_of!(ErrorRecord, bound)) as i32;
}

/// The index in [`Frame::sizes`] of a size parameter or a derived size:
/// the parameters come first, then the derived sizes.
pub(crate) fn size_slot(func: &Func, size: Size) -> Option<usize> {
    match size {
        Size::Const(_) => None,
        Size::Param(id) => Some(id.index()),
        Size::Derived(id) => Some(func.sizes.len() + id.index()),
    }
}

/// The storage of one call: what the [`Frame`]'s pointers point into.
#[derive(Debug)]
pub(crate) struct CallStorage {
    /// The scalar slots, one per variable.
    scalars: Vec<u64>,
    /// The elements of each array variable (empty for scalar variables).
    arrays: Vec<Vec<u64>>,
    /// `arrays[i].as_mut_ptr()`, the table the frame points to.
    array_pointers: Vec<*mut u64>,
    /// The value of each size parameter, then of each derived size.
    sizes: Vec<i64>,
    /// The extents of each variable (empty for scalars), for the outputs.
    extents: Vec<Vec<i64>>,
}

impl CallStorage {
    /// Zeroed storage for every variable of `func`, with the parameters
    /// copied in from `args` (already checked by `bind_arguments`).
    ///
    /// # Panics
    ///
    /// If an array variable has more elements than memory can hold.
    pub(crate) fn new(func: &Func, sizes: &SizeBindings, args: &[Value]) -> CallStorage {
        let mut extents = Vec::with_capacity(func.vars.len());
        let mut arrays = Vec::with_capacity(func.vars.len());
        for (_, data) in func.vars.iter() {
            let dims = sizes.dims(&data.ty);
            let count = if data.ty.is_array() {
                element_count(&dims)
                    .unwrap_or_else(|| panic!("array `{}` has too many elements", data.name))
            } else {
                0
            };
            arrays.push(vec![0u64; count]);
            extents.push(dims);
        }
        let mut storage = CallStorage {
            scalars: vec![0; func.vars.len()],
            arrays,
            array_pointers: Vec::new(),
            sizes: func
                .sizes
                .keys()
                .map(Size::Param)
                .chain(func.derived_sizes.keys().map(Size::Derived))
                .map(|size| sizes.get(size))
                .collect(),
            extents,
        };
        for (var, arg) in func.params.iter().zip(args) {
            storage.bind_param(*var, arg);
        }
        // Taken last: the element buffers do not move from here on.
        storage.array_pointers = storage
            .arrays
            .iter_mut()
            .map(|elements| elements.as_mut_ptr())
            .collect();
        storage
    }

    fn bind_param(&mut self, var: VarId, arg: &Value) {
        let index = var.index();
        match arg {
            Value::Real(value) => self.scalars[index] = value.to_bits(),
            Value::Int(value) => self.scalars[index] = *value as u64,
            Value::Bool(value) => self.scalars[index] = u64::from(*value),
            // `iter` walks in logical (row-major) order whatever the memory
            // layout of the argument.
            Value::Array(array) => copy_in(&mut self.arrays[index], array, |x| x.to_bits()),
            Value::IntArray(array) => copy_in(&mut self.arrays[index], array, |x| x as u64),
            Value::BoolArray(array) => copy_in(&mut self.arrays[index], array, u64::from),
        }
    }

    /// The frame of a call that uses this storage and `tape`.
    pub(crate) fn frame(&mut self, tape: &mut Tape, config: &RunConfig) -> Frame {
        Frame {
            scalars: self.scalars.as_mut_ptr(),
            arrays: self.array_pointers.as_ptr(),
            sizes: self.sizes.as_ptr(),
            tape,
            tau: config.tau,
            seed: config.seed,
            sample: config.sample,
            baseline: config.baseline,
            error: ErrorRecord::default(),
        }
    }

    /// The final contents of an output variable: a scalar, or an array of
    /// its element type, as in the interpreter.
    pub(crate) fn output(&self, func: &Func, var: VarId) -> Value {
        let index = var.index();
        match &func.vars[var].ty {
            VarType::Scalar(ty) => {
                let bits = self.scalars[index];
                match ty {
                    ScalarType::Real => Value::Real(f64::from_bits(bits)),
                    ScalarType::Int => Value::Int(bits as i64),
                    ScalarType::Bool => Value::Bool(bits != 0),
                }
            }
            VarType::Array { elem, .. } => {
                let shape: Vec<usize> = self.extents[index]
                    .iter()
                    .map(|extent| (*extent).max(0) as usize)
                    .collect();
                let elements = &self.arrays[index];
                match elem {
                    ScalarType::Real => Value::Array(shaped(&shape, elements, f64::from_bits)),
                    ScalarType::Int => {
                        Value::IntArray(shaped(&shape, elements, |bits| bits as i64))
                    }
                    ScalarType::Bool => {
                        Value::BoolArray(shaped(&shape, elements, |bits| bits != 0))
                    }
                }
            }
        }
    }
}

/// Copies the elements of an argument, converted to their 8-byte form, into
/// a buffer of the same element count, in logical (row-major) order.
fn copy_in<T: Copy>(slots: &mut [u64], array: &ArrayD<T>, convert: impl Fn(T) -> u64) {
    for (slot, value) in slots.iter_mut().zip(array.iter()) {
        *slot = convert(*value);
    }
}

/// A row-major array of the given shape from 8-byte elements.
fn shaped<T>(shape: &[usize], elements: &[u64], convert: impl Fn(u64) -> T) -> ArrayD<T> {
    let data: Vec<T> = elements.iter().map(|bits| convert(*bits)).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data)
        .expect("the element count is the product of the extents")
}

/// The number of elements of an array of these extents (negative extents
/// count as zero), or `None` if it does not fit in memory.
fn element_count(extents: &[i64]) -> Option<usize> {
    let count = extents.iter().try_fold(1usize, |count, extent| {
        count.checked_mul(usize::try_from((*extent).max(0)).ok()?)
    })?;
    // The generated code computes byte offsets as `index * 8` in an i64.
    (count <= (i64::MAX / SLOT_BYTES) as usize).then_some(count)
}

/// The runtime error of a non-zero status.
pub(crate) fn decode_error(status: i32, error: &ErrorRecord, config: &RunConfig) -> RuntimeError {
    match status {
        STATUS_OUT_OF_BOUNDS => RuntimeError::IndexOutOfBounds {
            inst: InstId::new(error.inst as usize),
            array: VarId::new(error.array as usize),
            dim: error.dim as usize,
            index: error.index,
            len: error.len,
        },
        STATUS_DIVISION_BY_ZERO => RuntimeError::DivisionByZero {
            inst: InstId::new(error.inst as usize),
        },
        STATUS_TAPE_LIMIT => RuntimeError::TapeLimit {
            limit: config.tape_limit,
        },
        STATUS_TAPE_UNDERFLOW => RuntimeError::TapeUnderflow,
        STATUS_LOOP_BOUND => RuntimeError::LoopBoundExceeded {
            inst: InstId::new(error.inst as usize),
            bound: error.bound,
        },
        other => panic!("the generated code returned the unknown status {other}"),
    }
}
