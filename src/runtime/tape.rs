//! The tape of reverse mode: two stacks (reals, and ints/bools as `i64`)
//! with one shared limit on the number of values held.
//!
//! Both backends use this one type, so that the limit and underflow rules
//! are the same everywhere: the interpreter calls it directly, and the JIT's
//! runtime helpers call it through a pointer held in the call frame.

use super::RuntimeError;

/// The tape of one call. It starts empty.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    /// Values pushed by `Push` of a real.
    reals: Vec<f64>,
    /// Values pushed by `Push` of an int or a bool (as 0/1).
    ints: Vec<i64>,
    /// The most values the two stacks may hold together.
    limit: usize,
}

impl Tape {
    /// An empty tape that may hold at most `limit` values.
    pub fn new(limit: usize) -> Tape {
        Tape {
            reals: Vec::new(),
            ints: Vec::new(),
            limit,
        }
    }

    /// The number of values held (reals and ints together).
    pub fn len(&self) -> usize {
        self.reals.len() + self.ints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check_room(&self) -> Result<(), RuntimeError> {
        if self.len() >= self.limit {
            Err(RuntimeError::TapeLimit { limit: self.limit })
        } else {
            Ok(())
        }
    }

    pub fn push_real(&mut self, value: f64) -> Result<(), RuntimeError> {
        self.check_room()?;
        self.reals.push(value);
        Ok(())
    }

    /// Pushes an int, or a bool as 0/1.
    pub fn push_int(&mut self, value: i64) -> Result<(), RuntimeError> {
        self.check_room()?;
        self.ints.push(value);
        Ok(())
    }

    pub fn pop_real(&mut self) -> Result<f64, RuntimeError> {
        self.reals.pop().ok_or(RuntimeError::TapeUnderflow)
    }

    pub fn pop_int(&mut self) -> Result<i64, RuntimeError> {
        self.ints.pop().ok_or(RuntimeError::TapeUnderflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(tape.pop_real(), Ok(1.5));
        assert!(tape.is_empty());
    }
}
