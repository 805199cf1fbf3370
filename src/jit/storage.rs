//! The memory of one call of compiled code: what the [`Frame`]'s pointers
//! point into.
//!
//! A call needs a slot per variable, the elements of every array variable
//! (zeroed: variables are zero at entry) and the size table. All of it
//! lives in one buffer of 8-byte words that each thread keeps between calls
//! (like its tape), so a call allocates nothing but its results. Array
//! parameters of reals or ints whose elements are contiguous in row-major
//! order are not copied at all: the frame points at the argument's own
//! elements, which the code only reads (parameters are never written; the
//! JIT refuses a function that would, see `check_params_read_only`).
//!
//! This module owns the layout of the storage and nothing else: it does not
//! look at the code, the tape or the status of a call.

use super::abi::{Frame, SLOT_BYTES};
use crate::ir::{Func, ScalarType, Size, VarId, VarType};
use crate::runtime::tape::Tape;
use crate::runtime::{RunConfig, SizeBindings, Value};
use cranelift_entity::EntityRef;
use ndarray::{ArrayD, IxDyn};
use std::borrow::Borrow;
use std::cell::Cell;
use std::marker::PhantomData;

/// The buffers a thread reuses from call to call.
#[derive(Default)]
struct Buffers {
    /// Scalar slots, then the size table, then the elements of every array
    /// that is not borrowed from an argument.
    words: Vec<u64>,
    /// One element pointer per variable (null for scalars).
    pointers: Vec<*mut u64>,
    /// Per variable, where its elements start in `words` (`usize::MAX`
    /// for scalars and borrowed parameters).
    starts: Vec<usize>,
}

thread_local! {
    /// The buffers of the thread's last call, taken by the next one.
    static REUSED: Cell<Option<Buffers>> = const { Cell::new(None) };
}

/// The storage of one call. `'a` is the lifetime of the arguments, whose
/// elements the storage may point to.
pub(crate) struct CallStorage<'a> {
    buffers: Buffers,
    /// Where the size table starts in `buffers.words`.
    sizes_at: usize,
    /// The variables' elements may be the arguments' own.
    arguments: PhantomData<&'a [Value]>,
}

impl<'a> CallStorage<'a> {
    /// Zeroed storage for every variable of `func`, with the parameters
    /// bound to `args` (already checked by `bind_arguments`).
    ///
    /// # Panics
    ///
    /// If the variables have more elements than memory can hold.
    pub(crate) fn new<A: Borrow<Value>>(
        func: &Func,
        sizes: &SizeBindings,
        args: &'a [A],
    ) -> CallStorage<'a> {
        let mut buffers = REUSED.with(Cell::take).unwrap_or_default();
        let Buffers {
            words,
            pointers,
            starts,
        } = &mut buffers;
        pointers.clear();
        pointers.resize(func.vars.len(), std::ptr::null_mut());
        for (var, arg) in func.params.iter().zip(args) {
            if let Some(pointer) = borrowable(arg.borrow()) {
                pointers[var.index()] = pointer;
            }
        }
        // The layout: scalar slots, the size table, then the elements of
        // each array that is not borrowed.
        let sizes_at = func.vars.len();
        let size_count = func.sizes.len() + func.derived_sizes.len();
        let mut next = sizes_at + size_count;
        starts.clear();
        for (var, data) in func.vars.iter() {
            let owned = data.ty.is_array() && pointers[var.index()].is_null();
            starts.push(if owned {
                let count = element_count(&data.ty, sizes)
                    .unwrap_or_else(|| panic!("array `{}` has too many elements", data.name));
                let start = next;
                next = next
                    .checked_add(count)
                    .unwrap_or_else(|| panic!("the arrays of `{}` do not fit", func.name));
                start
            } else {
                usize::MAX
            });
        }
        words.clear();
        words.resize(next, 0);
        let size_values = func
            .sizes
            .keys()
            .map(Size::Param)
            .chain(func.derived_sizes.keys().map(Size::Derived))
            .map(|size| sizes.get(size));
        for (slot, value) in words[sizes_at..].iter_mut().zip(size_values) {
            *slot = value as u64;
        }
        let base = words.as_mut_ptr();
        for (pointer, start) in pointers.iter_mut().zip(starts.iter()) {
            if *start != usize::MAX {
                // SAFETY: `start` plus the array's element count is at most
                // `next`, the length of `words`, which is not resized again
                // before the call ends.
                *pointer = unsafe { base.add(*start) };
            }
        }
        let mut storage = CallStorage {
            buffers,
            sizes_at,
            arguments: PhantomData,
        };
        for (var, arg) in func.params.iter().zip(args) {
            let start = storage.buffers.starts[var.index()];
            if start != usize::MAX {
                let count = element_count(&func.vars[*var].ty, sizes).unwrap_or(0);
                storage.copy_param(*var, arg.borrow(), start, count);
            } else if !func.vars[*var].ty.is_array() {
                storage.buffers.words[var.index()] = scalar_bits(arg.borrow());
            }
        }
        storage
    }

    /// Copies an array argument that could not be borrowed.
    fn copy_param(&mut self, var: VarId, arg: &Value, start: usize, count: usize) {
        let elements = &mut self.buffers.words[start..start + count];
        // `iter` walks in logical (row-major) order whatever the layout.
        match arg {
            Value::Array(array) => copy_in(elements, array.iter(), |x| x.to_bits()),
            Value::IntArray(array) => copy_in(elements, array.iter(), |x| x as u64),
            Value::BoolArray(array) => copy_in(elements, array.iter(), u64::from),
            scalar => panic!("{var} is an array parameter, bound to {scalar:?}"),
        }
    }

    /// The frame of a call that uses this storage and `tape`.
    pub(crate) fn frame(&mut self, tape: &mut Tape, config: &RunConfig) -> Frame {
        let words = self.buffers.words.as_mut_ptr();
        Frame {
            scalars: words,
            arrays: self.buffers.pointers.as_ptr(),
            // SAFETY: `sizes_at` is within `words` (the size table is
            // followed by the elements, possibly none).
            sizes: unsafe { words.add(self.sizes_at) }.cast::<i64>(),
            tape,
            tau: config.tau,
            seed: config.seed,
            sample: config.sample,
            baseline: config.baseline,
            error: super::abi::ErrorRecord::default(),
        }
    }

    /// The final contents of an output variable: a scalar, or an array of
    /// its element type, as in the interpreter.
    pub(crate) fn output(&self, func: &Func, sizes: &SizeBindings, var: VarId) -> Value {
        match &func.vars[var].ty {
            VarType::Scalar(ty) => {
                let bits = self.buffers.words[var.index()];
                match ty {
                    ScalarType::Real => Value::Real(f64::from_bits(bits)),
                    ScalarType::Int => Value::Int(bits as i64),
                    ScalarType::Bool => Value::Bool(bits != 0),
                }
            }
            ty @ VarType::Array { elem, .. } => {
                let shape: Vec<usize> = sizes
                    .dims(ty)
                    .iter()
                    .map(|extent| (*extent).max(0) as usize)
                    .collect();
                let count = shape.iter().product();
                let pointer = self.buffers.pointers[var.index()];
                // SAFETY: the pointer is to `count` initialised words: owned
                // elements in `words`, or a borrowed argument of that many
                // 8-byte elements (`borrowed_params`), alive for `'a`.
                let elements = unsafe { std::slice::from_raw_parts(pointer, count) };
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

impl Drop for CallStorage<'_> {
    fn drop(&mut self) {
        // Pointers into the arguments must not outlive the call.
        self.buffers.pointers.clear();
        let buffers = std::mem::take(&mut self.buffers);
        REUSED.with(|reused| reused.set(Some(buffers)));
    }
}

/// A pointer to the elements of an argument that the code can read in
/// place: reals or ints (8-byte elements, as the code expects them) stored
/// contiguously in row-major order.
fn borrowable(arg: &Value) -> Option<*mut u64> {
    let pointer = match arg {
        Value::Array(array) => array.as_slice().map(|s| s.as_ptr().cast::<u64>()),
        Value::IntArray(array) => array.as_slice().map(|s| s.as_ptr().cast::<u64>()),
        _ => None,
    };
    // `*mut` only to share the pointer table with the variables the code
    // writes; parameters are never written.
    pointer.map(<*const u64>::cast_mut)
}

fn scalar_bits(arg: &Value) -> u64 {
    match arg {
        Value::Real(value) => value.to_bits(),
        Value::Int(value) => *value as u64,
        Value::Bool(value) => u64::from(*value),
        _ => 0,
    }
}

/// Copies the elements of an argument, converted to their 8-byte form, in
/// the order given.
fn copy_in<'v, T: Copy + 'v>(
    slots: &mut [u64],
    values: impl Iterator<Item = &'v T>,
    convert: impl Fn(T) -> u64,
) {
    for (slot, value) in slots.iter_mut().zip(values) {
        *slot = convert(*value);
    }
}

/// A row-major array of the given shape from 8-byte elements.
fn shaped<T>(shape: &[usize], elements: &[u64], convert: impl Fn(u64) -> T) -> ArrayD<T> {
    let data: Vec<T> = elements.iter().map(|bits| convert(*bits)).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data)
        .expect("the element count is the product of the extents")
}

/// The number of elements of an array variable (negative extents count as
/// zero), or `None` if it does not fit in memory.
fn element_count(ty: &VarType, sizes: &SizeBindings) -> Option<usize> {
    let VarType::Array { dims, .. } = ty else {
        return Some(0);
    };
    let count = dims.iter().try_fold(1usize, |count, dim| {
        count.checked_mul(usize::try_from(sizes.get(*dim).max(0)).ok()?)
    })?;
    // The generated code computes byte offsets as `index * 8` in an i64.
    (count <= (i64::MAX / SLOT_BYTES) as usize).then_some(count)
}
