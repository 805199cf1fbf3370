//! The `extern "C"` helpers the generated code calls, and the table of
//! symbols registered with the JIT.
//!
//! The math functions called here (`sin`, `cos`, `pow`) are those of
//! `runtime::math`, shared with the interpreter so both backends round
//! identically; the others are inline kernels. The tape helpers wrap
//! `runtime::tape::Tape`, the type the interpreter uses, and turn its errors
//! into a status code: they never panic across the FFI boundary (the only
//! failure left is an allocation failure, which aborts).

use super::abi::{STATUS_OK, STATUS_TAPE_LIMIT, STATUS_TAPE_UNDERFLOW};
use crate::runtime::tape::Tape;
use crate::runtime::{RuntimeError, math};

/// The symbol of a loop's reservation: `(tape: ptr, reals: i64, ints: i64)`,
/// room for that many more values on each stack (see `Tape::reserve`).
pub(crate) const TAPE_RESERVE: &str = "smoothc_tape_reserve";
/// The math symbols, as `runtime::math::symbols` names them (the other
/// math functions are kernels the JIT emits inline).
pub(crate) const SIN: &str = "smoothc_sin";
pub(crate) const COS: &str = "smoothc_cos";
/// `(f64, f64) -> f64`; the other math symbols are `f64 -> f64`.
pub(crate) const POW: &str = "smoothc_pow";

/// Every symbol the generated code may call, with its address.
pub(crate) fn symbols() -> Vec<(&'static str, *const u8)> {
    let mut symbols: Vec<(&'static str, *const u8)> = math::symbols().to_vec();
    symbols.extend([
        (TAPE_RESERVE, tape_reserve as *const u8),
        (TAPE_PUSH_ARRAY, tape_push_array as *const u8),
        (TAPE_POP_ARRAY, tape_pop_array as *const u8),
        (SORT_ARRAY, sort_array as *const u8),
        (SORT_ARRAY_VJP, sort_array_vjp as *const u8),
        (ARG_EXTREMUM, arg_extremum as *const u8),
        (NOISE, noise as *const u8),
    ]);
    symbols
}

/// `(tape, elements, count) -> status`.
pub(crate) const TAPE_PUSH_ARRAY: &str = "smoothc_tape_push_array";
/// `(tape, elements, count) -> status`.
pub(crate) const TAPE_POP_ARRAY: &str = "smoothc_tape_pop_array";
/// `(code, input, output, length, strength)`.
pub(crate) const SORT_ARRAY: &str = "smoothc_sort_array";
/// `(code, input, cotangent, target, length, strength)`.
pub(crate) const SORT_ARRAY_VJP: &str = "smoothc_sort_array_vjp";

/// `(kind code, seed, sample, counter) -> f64`.
pub(crate) const NOISE: &str = "smoothc_noise";

/// `Noise` through `runtime::noise::draw`.
extern "C" fn noise(kind: i64, seed: i64, sample: i64, counter: i64) -> f64 {
    crate::runtime::noise::draw(
        crate::ir::NoiseKind::from_code(kind),
        seed as u64,
        sample as u64,
        counter as u64,
    )
}

/// `(elements, length, min) -> index`.
pub(crate) const ARG_EXTREMUM: &str = "smoothc_arg_extremum";

/// `ArgMax` through `runtime::argmax` (0 for an empty array; the caller
/// checks the index against the length).
///
/// # Safety
///
/// `elements` must be valid for `length` reads of `f64`.
unsafe extern "C" fn arg_extremum(elements: *const f64, length: i64, min: i64) -> i64 {
    let length = length.max(0) as usize;
    if length == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees the pointer and length (see above).
    let elements = unsafe { std::slice::from_raw_parts(elements, length) };
    crate::runtime::argmax::arg_extremum(elements, min != 0)
}

/// Pushes `count` reals from `elements` onto the tape, in order.
///
/// # Safety
///
/// `tape` must point to a live `Tape` that nothing else accesses during the
/// call, and `elements` must be valid for `count` reads of `f64`.
unsafe extern "C" fn tape_push_array(tape: *mut Tape, elements: *const f64, count: i64) -> i32 {
    // SAFETY: the caller guarantees both pointers (see above).
    let (tape, elements) = unsafe {
        (
            &mut *tape,
            std::slice::from_raw_parts(elements, count.max(0) as usize),
        )
    };
    for value in elements {
        if let Err(error) = tape.push_real(*value) {
            return status_of(&error);
        }
    }
    STATUS_OK
}

/// Pops `count` reals from the tape into `elements` (the last pushed into
/// the last element).
///
/// # Safety
///
/// `tape` must point to a live `Tape` that nothing else accesses during the
/// call, and `elements` must be valid for `count` writes of `f64`.
unsafe extern "C" fn tape_pop_array(tape: *mut Tape, elements: *mut f64, count: i64) -> i32 {
    // SAFETY: the caller guarantees both pointers (see above).
    let (tape, elements) = unsafe {
        (
            &mut *tape,
            std::slice::from_raw_parts_mut(elements, count.max(0) as usize),
        )
    };
    for slot in elements.iter_mut().rev() {
        match tape.pop_real() {
            Ok(value) => *slot = value,
            Err(error) => return status_of(&error),
        }
    }
    STATUS_OK
}

/// `output = sort(input)` (or ranks) through `runtime::sorting`.
///
/// # Safety
///
/// `input` must be valid for `length` reads and `output` for `length`
/// writes of `f64`, and the two must not overlap.
unsafe extern "C" fn sort_array(
    code: i64,
    input: *const f64,
    output: *mut f64,
    length: i64,
    strength: f64,
) {
    let length = length.max(0) as usize;
    // SAFETY: the caller guarantees the pointers and lengths (see above).
    let (input, output) = unsafe {
        (
            std::slice::from_raw_parts(input, length),
            std::slice::from_raw_parts_mut(output, length),
        )
    };
    crate::runtime::sorting::sort(code, input, strength, output);
}

/// `target += vjp(input, cotangent)`, then `cotangent = 0`.
///
/// # Safety
///
/// Each pointer must be valid for `length` elements (`input` for reads,
/// `cotangent` and `target` for reads and writes), and they must not
/// overlap.
unsafe extern "C" fn sort_array_vjp(
    code: i64,
    input: *const f64,
    cotangent: *mut f64,
    target: *mut f64,
    length: i64,
    strength: f64,
) {
    let length = length.max(0) as usize;
    // SAFETY: the caller guarantees the pointers and lengths (see above).
    let (input, cotangent, target) = unsafe {
        (
            std::slice::from_raw_parts(input, length),
            std::slice::from_raw_parts_mut(cotangent, length),
            std::slice::from_raw_parts_mut(target, length),
        )
    };
    crate::runtime::sorting::sort_vjp(code, input, strength, cotangent, target);
    cotangent.fill(0.0);
}

fn status_of(error: &RuntimeError) -> i32 {
    match error {
        RuntimeError::TapeUnderflow => STATUS_TAPE_UNDERFLOW,
        // The tape reports nothing else; a limit is the only other fault.
        _ => STATUS_TAPE_LIMIT,
    }
}

/// Makes room on the tape for `reals` more reals and `ints` more ints.
///
/// # Safety
///
/// `tape` must point to a live `Tape` that nothing else accesses during the
/// call (the frame's tape, during the compiled function's run). The counts are those of one loop, which the
/// generated code has checked against the tape's limit (so they are
/// non-negative and fit in memory as far as the limit allows).
unsafe extern "C" fn tape_reserve(tape: *mut Tape, reals: i64, ints: i64) {
    // SAFETY: the caller guarantees `tape` is valid and not aliased.
    let tape = unsafe { &mut *tape };
    tape.reserve(reals.max(0) as usize, ints.max(0) as usize);
}
