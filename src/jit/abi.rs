//! The calling convention between Rust and the generated code.
//!
//! A compiled function has the signature `extern "C" fn(*mut Frame) -> i32`.
//! Before the call, Rust binds the arguments and lays out zeroed storage for
//! every variable (`storage::CallStorage`), with the parameters in; all sizes,
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

use crate::ir::{Func, InstId, Size, VarId};
use crate::runtime::tape::Tape;
use crate::runtime::{RunConfig, RuntimeError};
use cranelift_entity::EntityRef;
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

/// A push found its stack full, or the limit reached: `JitFunction::run`
/// grows the stack and runs the call again, or reports the limit.
pub(crate) const STATUS_TAPE_FULL: i32 = 6;
/// A loop's check of its whole tape traffic failed (the limit is ahead,
/// or the tape holds fewer values than the loop pops): `JitFunction::run`
/// runs the call again on the code that checks every push and pop.
pub(crate) const STATUS_UNRESERVED: i32 = 7;

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
        // `run` handles a full stack and a failed reservation; what
        // reaches here is the limit.
        STATUS_TAPE_LIMIT | STATUS_TAPE_FULL | STATUS_UNRESERVED => RuntimeError::TapeLimit {
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
