//! The tape of reverse mode: two stacks (reals, and ints/bools as `i64`)
//! with one shared limit on the number of values held.
//!
//! Both backends use this one type, so that the limit and underflow rules
//! are the same everywhere: the interpreter calls its methods, and the JIT
//! pushes and pops inline while a stack has room (or values) and the limit
//! allows. When a push finds no room the compiled call stops;
//! [`Tape::grow_for_rerun`] then reports the limit or grows the stack for
//! the call to run again. For that the layout is `repr(C)` and the
//! generated code reads the fields at the offsets of [`offsets`].
//!
//! A thread keeps the tape of its last call ([`with_tape`]), so that a
//! compiled function called many times grows its tape once instead of on
//! every call.

use super::RuntimeError;
use std::cell::Cell;
use std::mem::ManuallyDrop;

/// One stack: the allocation of a `Vec<T>`, taken apart so that generated
/// code can push (`data[len] = v; len += 1` while `len < capacity`) and
/// pop without a call.
#[repr(C)]
#[derive(Debug)]
pub struct Stack<T: Copy> {
    data: *mut T,
    len: usize,
    capacity: usize,
}

impl<T: Copy> Stack<T> {
    fn new() -> Stack<T> {
        Stack::from_vec(Vec::new())
    }

    fn from_vec(vec: Vec<T>) -> Stack<T> {
        let mut vec = ManuallyDrop::new(vec);
        Stack {
            data: vec.as_mut_ptr(),
            len: vec.len(),
            capacity: vec.capacity(),
        }
    }

    /// Runs `change` on the stack as a `Vec` (to grow it) and takes the
    /// `Vec` apart again. Should `change` panic, the allocation leaks
    /// rather than being freed twice.
    fn as_vec<R>(&mut self, change: impl FnOnce(&mut Vec<T>) -> R) -> R {
        // SAFETY: `data`, `len` and `capacity` describe the allocation of a
        // `Vec<T>` (see `from_vec`) whose first `len` elements were written
        // (by `push` or by generated code, which writes before it counts).
        let mut vec =
            ManuallyDrop::new(unsafe { Vec::from_raw_parts(self.data, self.len, self.capacity) });
        let result = change(&mut vec);
        self.data = vec.as_mut_ptr();
        self.len = vec.len();
        self.capacity = vec.capacity();
        result
    }

    fn push(&mut self, value: T) {
        if self.len == self.capacity {
            self.as_vec(|vec| vec.reserve(1));
        }
        // SAFETY: `len < capacity` now, so the slot is inside the
        // allocation; it is written before `len` counts it.
        unsafe { self.data.add(self.len).write(value) };
        self.len += 1;
    }

    /// Makes room for `additional` more values without growing again.
    fn reserve(&mut self, additional: usize) {
        if self.capacity - self.len < additional {
            self.as_vec(|vec| vec.reserve(additional));
        }
    }

    fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: the element at `len` (the old `len - 1`) was written.
        Some(unsafe { self.data.add(self.len).read() })
    }

    fn len(&self) -> usize {
        self.len
    }

    fn capacity(&self) -> usize {
        self.capacity
    }
}

impl<T: Copy> Drop for Stack<T> {
    fn drop(&mut self) {
        // SAFETY: as in `as_vec`; the elements are `Copy`, so none needs
        // dropping and a length of 0 frees just the allocation.
        drop(unsafe { Vec::from_raw_parts(self.data, 0, self.capacity) });
    }
}

/// The tape of one call. It starts empty.
#[repr(C)]
#[derive(Debug)]
pub struct Tape {
    /// Values pushed by `Push` of a real.
    reals: Stack<f64>,
    /// Values pushed by `Push` of an int or a bool (as 0/1).
    ints: Stack<i64>,
    /// How many more values the limit allows (`limit - len`).
    remaining: usize,
    /// The most values the two stacks may hold together.
    limit: usize,
}

/// Byte offsets of the fields generated code reads and writes.
pub mod offsets {
    use super::{Stack, Tape};
    use std::mem::offset_of;

    const REALS: usize = offset_of!(Tape, reals);
    const INTS: usize = offset_of!(Tape, ints);
    pub const REALS_DATA: i32 = (REALS + offset_of!(Stack<f64>, data)) as i32;
    pub const REALS_LEN: i32 = (REALS + offset_of!(Stack<f64>, len)) as i32;
    pub const REALS_CAPACITY: i32 = (REALS + offset_of!(Stack<f64>, capacity)) as i32;
    pub const INTS_DATA: i32 = (INTS + offset_of!(Stack<i64>, data)) as i32;
    pub const INTS_LEN: i32 = (INTS + offset_of!(Stack<i64>, len)) as i32;
    pub const INTS_CAPACITY: i32 = (INTS + offset_of!(Stack<i64>, capacity)) as i32;
    pub const REMAINING: i32 = offset_of!(Tape, remaining) as i32;
}

impl Tape {
    /// An empty tape that may hold at most `limit` values.
    pub fn new(limit: usize) -> Tape {
        Tape {
            reals: Stack::new(),
            ints: Stack::new(),
            remaining: limit,
            limit,
        }
    }

    /// Empties the tape (keeping its allocations) for a new limit.
    pub fn reset(&mut self, limit: usize) {
        self.reals.len = 0;
        self.ints.len = 0;
        self.remaining = limit;
        self.limit = limit;
    }

    /// The number of values held (reals and ints together).
    pub fn len(&self) -> usize {
        self.reals.len() + self.ints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many values the two stacks can hold without growing.
    pub fn capacity(&self) -> usize {
        self.reals.capacity() + self.ints.capacity()
    }

    /// Makes room for `reals` more reals and `ints` more ints, so that
    /// that many pushes need not grow a stack (the JIT reserves a whole
    /// loop's pushes at once). The limit is the caller's to check first:
    /// this only allocates.
    pub fn reserve(&mut self, reals: usize, ints: usize) {
        self.reals.reserve(reals);
        self.ints.reserve(ints);
    }

    /// The capacity of each stack (reals, ints).
    pub fn capacities(&self) -> [usize; 2] {
        [self.reals.capacity(), self.ints.capacity()]
    }

    /// After compiled code stopped at a push that found no room: reports
    /// the limit if that was what stopped it, else grows each full stack
    /// (at least doubling it) and empties the tape, for the call to run
    /// again from the start (`JitFunction::run`).
    pub fn grow_for_rerun(&mut self) -> Result<(), RuntimeError> {
        if self.remaining == 0 {
            return Err(RuntimeError::TapeLimit { limit: self.limit });
        }
        if self.reals.len == self.reals.capacity {
            self.reals.reserve(self.reals.capacity.max(MIN_GROWTH));
        }
        if self.ints.len == self.ints.capacity {
            self.ints.reserve(self.ints.capacity.max(MIN_GROWTH));
        }
        self.reset(self.limit);
        Ok(())
    }

    fn take_room(&mut self) -> Result<(), RuntimeError> {
        if self.remaining == 0 {
            return Err(RuntimeError::TapeLimit { limit: self.limit });
        }
        self.remaining -= 1;
        Ok(())
    }

    pub fn push_real(&mut self, value: f64) -> Result<(), RuntimeError> {
        self.take_room()?;
        self.reals.push(value);
        Ok(())
    }

    /// Pushes an int, or a bool as 0/1.
    pub fn push_int(&mut self, value: i64) -> Result<(), RuntimeError> {
        self.take_room()?;
        self.ints.push(value);
        Ok(())
    }

    pub fn pop_real(&mut self) -> Result<f64, RuntimeError> {
        let value = self.reals.pop().ok_or(RuntimeError::TapeUnderflow)?;
        self.remaining += 1;
        Ok(value)
    }

    pub fn pop_int(&mut self) -> Result<i64, RuntimeError> {
        let value = self.ints.pop().ok_or(RuntimeError::TapeUnderflow)?;
        self.remaining += 1;
        Ok(value)
    }
}

/// The fewest values a full stack grows by.
const MIN_GROWTH: usize = 256;

/// A tape kept by a thread between calls holds at most this many values'
/// worth of memory (128 MiB); a larger one is freed after its call.
const KEPT_CAPACITY: usize = 1 << 24;

thread_local! {
    static SPARE_TAPE: Cell<Option<Tape>> = const { Cell::new(None) };
}

/// Runs `call` with an empty tape of `limit` values, reusing the thread's
/// tape from its previous call (and its allocation) when there is one.
pub fn with_tape<R>(limit: usize, call: impl FnOnce(&mut Tape) -> R) -> R {
    let mut tape = SPARE_TAPE
        .with(Cell::take)
        .unwrap_or_else(|| Tape::new(limit));
    tape.reset(limit);
    let result = call(&mut tape);
    if tape.capacity() <= KEPT_CAPACITY {
        SPARE_TAPE.with(|spare| spare.set(Some(tape)));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_stack_grows_for_the_rerun_and_the_limit_is_reported() {
        let mut tape = Tape::new(1000);
        tape.reserve(4, 8);
        let reals = tape.capacities()[0];
        for value in 0..reals {
            assert_eq!(tape.push_real(value as f64), Ok(()));
        }
        // Where compiled code stops: the reals are full, the ints are not.
        let ints = tape.capacities()[1];
        assert_eq!(tape.grow_for_rerun(), Ok(()));
        assert!(tape.capacities()[0] >= reals + reals.max(MIN_GROWTH));
        assert!(tape.is_empty(), "the call runs again from the start");
        assert_eq!(tape.capacities()[1], ints, "only the full stack grows");

        let mut tape = Tape::new(1);
        assert_eq!(tape.push_int(1), Ok(()));
        assert_eq!(
            tape.grow_for_rerun(),
            Err(RuntimeError::TapeLimit { limit: 1 })
        );
    }

    #[test]
    fn stacks_are_separate_and_share_the_limit() {
        let mut tape = Tape::new(2);
        assert_eq!(tape.push_real(1.5), Ok(()));
        assert_eq!(tape.push_int(7), Ok(()));
        assert_eq!(
            tape.push_real(2.0),
            Err(RuntimeError::TapeLimit { limit: 2 })
        );
        assert_eq!(tape.pop_int(), Ok(7));
        assert_eq!(tape.pop_int(), Err(RuntimeError::TapeUnderflow));
        // Popping frees room for a push.
        assert_eq!(tape.push_real(2.5), Ok(()));
        assert_eq!(tape.pop_real(), Ok(2.5));
        assert_eq!(tape.pop_real(), Ok(1.5));
        assert!(tape.is_empty());
    }

    #[test]
    fn stacks_grow_and_keep_their_values() {
        let mut tape = Tape::new(usize::MAX);
        for i in 0..10_000 {
            tape.push_real(i as f64).expect("room");
            tape.push_int(-i).expect("room");
        }
        for i in (0..10_000).rev() {
            assert_eq!(tape.pop_int(), Ok(-i));
            assert_eq!(tape.pop_real(), Ok(i as f64));
        }
    }

    #[test]
    fn a_reservation_makes_room_without_changing_the_contents() {
        let mut tape = Tape::new(100);
        tape.push_real(1.0).expect("room");
        tape.push_int(2).expect("room");
        tape.reserve(40, 30);
        assert!(tape.reals.capacity() >= 41 && tape.ints.capacity() >= 31);
        let capacity = tape.capacity();
        for i in 0..40 {
            tape.push_real(f64::from(i)).expect("room");
        }
        assert_eq!(tape.capacity(), capacity, "no growth after reserving");
        assert_eq!(tape.len(), 42);
        assert_eq!(tape.pop_int(), Ok(2));
        assert_eq!(tape.pop_real(), Ok(39.0));
    }

    #[test]
    fn a_thread_reuses_its_tape_empty() {
        let capacity = with_tape(100, |tape| {
            for i in 0..50 {
                tape.push_real(f64::from(i)).expect("room");
            }
            tape.capacity()
        });
        with_tape(10, |tape| {
            assert!(tape.is_empty());
            assert_eq!(tape.capacity(), capacity);
            for _ in 0..10 {
                tape.push_int(1).expect("room");
            }
            assert_eq!(tape.push_int(1), Err(RuntimeError::TapeLimit { limit: 10 }));
        });
    }
}
