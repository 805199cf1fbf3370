//! The reference interpreter of the IR: the executable specification that
//! the JIT must agree with, bit for bit.
//!
//! A call ([`run`]) checks and binds the arguments (`bind_arguments`),
//! creates zeroed storage for every variable ([`frame`]), copies the
//! parameters in, executes the entry block instruction by instruction and
//! returns the final contents of the output variables. Runtime faults
//! (an index out of bounds, an int division by zero, the tape limit, popping
//! an empty tape, a `while` loop exceeding its bound) stop the call with a [`RuntimeError`].
//!
//! The interpreter assumes the IR is well formed (it passes `ir::verify`):
//! operand types fit their instructions, values are defined before use,
//! `Load`/`Store` give one index per dimension. On malformed IR it panics
//! with a message that starts with "malformed IR", which is a compiler bug,
//! never a fault of the user's program.

mod eval;
mod frame;
#[cfg(test)]
pub(crate) mod test_builder;
#[cfg(test)]
pub(crate) mod test_programs;
#[cfg(test)]
mod tests;

use crate::ir::{BlockId, Func, Inst, InstId, ScalarType};
use crate::runtime::tape::Tape;
use crate::runtime::{RunConfig, RuntimeError, SizeBindings, Value, bind_arguments};
use cranelift_entity::SecondaryMap;
use frame::{Frame, Scalar};

/// Runs `func` on `args` and returns the final contents of its outputs.
///
/// # Panics
///
/// If `func` is malformed IR (see the module documentation).
pub fn run<A: std::borrow::Borrow<Value>>(
    func: &Func,
    args: &[A],
    config: &RunConfig,
) -> Result<Vec<Value>, RuntimeError> {
    let sizes = bind_arguments(func, args)?;
    let mut frame = Frame::new(func, &sizes);
    for (var, arg) in func.params.iter().zip(args) {
        frame.bind_param(*var, arg.borrow());
    }
    crate::runtime::tape::with_tape(config.tape_limit, |tape| {
        let mut machine = Machine {
            func,
            config,
            sizes: &sizes,
            frame,
            values: SecondaryMap::with_capacity(func.insts.len()),
            tape,
        };
        machine.exec_block(func.entry)?;
        Ok(func
            .outputs
            .iter()
            .map(|var| machine.frame.output(*var))
            .collect())
    })
}

/// The state of one call.
struct Machine<'a> {
    func: &'a Func,
    /// The temperature (`Tau`) and the tape limit.
    config: &'a RunConfig,
    /// The value of each size parameter (`SizeOf`).
    sizes: &'a SizeBindings,
    /// The variables.
    frame: Frame,
    /// The most recent result of each instruction; `None` until it runs.
    values: SecondaryMap<InstId, Option<Scalar>>,
    /// The tape of `Push`/`Pop`, empty at the start of the call.
    tape: &'a mut Tape,
}

impl Machine<'_> {
    /// Runs the instructions of `block` in order.
    fn exec_block(&mut self, block: BlockId) -> Result<(), RuntimeError> {
        let func = self.func;
        for &inst in &func.blocks[block].insts {
            self.exec_inst(inst)?;
        }
        Ok(())
    }

    /// The result of an instruction that has already run.
    fn value(&self, inst: InstId) -> Scalar {
        self.values[inst]
            .unwrap_or_else(|| panic!("malformed IR: {inst} is used before it is computed"))
    }

    /// The relaxation strength of a sort (0 when it is hard).
    fn strength(&self, op: &crate::ir::SortArray) -> f64 {
        match op.relaxation {
            Some((_, strength)) => match self.value(strength) {
                Scalar::Real(strength) => strength,
                other => panic!("malformed IR: sort strength {other:?}"),
            },
            None => 0.0,
        }
    }

    fn exec_inst(&mut self, inst: InstId) -> Result<(), RuntimeError> {
        let result = match &self.func.insts[inst] {
            Inst::Select {
                cond,
                then,
                otherwise,
            } => Some(if self.value(*cond).expect_bool() {
                self.value(*then)
            } else {
                self.value(*otherwise)
            }),
            Inst::Loop { flag, body, bound } => {
                self.exec_loop(inst, *flag, *body, *bound)?;
                None
            }
            Inst::SortArray { op, input, output } => {
                let strength = self.strength(op);
                let values = self.frame.real_elements(*input).to_vec();
                let code = crate::runtime::sorting::code(op);
                crate::runtime::sorting::sort(
                    code,
                    &values,
                    strength,
                    self.frame.real_elements_mut(*output),
                );
                None
            }
            Inst::SortArrayVjp {
                op,
                input,
                cotangent,
                target,
            } => {
                let strength = self.strength(op);
                let values = self.frame.real_elements(*input).to_vec();
                let seed = self.frame.real_elements(*cotangent).to_vec();
                let code = crate::runtime::sorting::code(op);
                crate::runtime::sorting::sort_vjp(
                    code,
                    &values,
                    strength,
                    &seed,
                    self.frame.real_elements_mut(*target),
                );
                self.frame.real_elements_mut(*cotangent).fill(0.0);
                None
            }
            Inst::ArgMax { array, min } => {
                let values = self.frame.real_elements(*array);
                if values.is_empty() {
                    return Err(RuntimeError::IndexOutOfBounds {
                        inst,
                        array: *array,
                        dim: 0,
                        index: 0,
                        len: 0,
                    });
                }
                Some(Scalar::Int(crate::runtime::argmax::arg_extremum(
                    values, *min,
                )))
            }
            Inst::PushArray(var) => {
                for value in self.frame.real_elements(*var).to_vec() {
                    self.tape.push_real(value)?;
                }
                None
            }
            Inst::PopArray(var) => {
                let count = self.frame.real_elements(*var).len();
                let mut popped = Vec::with_capacity(count);
                for _ in 0..count {
                    popped.push(self.tape.pop_real()?);
                }
                popped.reverse();
                self.frame.real_elements_mut(*var).copy_from_slice(&popped);
                None
            }
            Inst::Real(value) => Some(Scalar::Real(*value)),
            Inst::Int(value) => Some(Scalar::Int(*value)),
            Inst::Bool(value) => Some(Scalar::Bool(*value)),
            Inst::Tau => Some(Scalar::Real(self.config.tau)),
            Inst::Baseline => Some(Scalar::Real(self.config.baseline)),
            Inst::Noise { kind, counter } => {
                let counter = self.value(*counter).expect_int() as u64;
                let config = &self.config;
                Some(Scalar::Real(crate::runtime::noise::draw(
                    *kind,
                    config.seed,
                    config.sample,
                    counter,
                )))
            }
            Inst::StopGradient(value) => Some(self.value(*value)),
            Inst::SizeOf(size) => Some(Scalar::Int(self.sizes.get(*size))),
            Inst::Read(var) => Some(self.frame.read(*var)),
            Inst::Write { var, value } => {
                self.frame.write(*var, self.value(*value));
                None
            }
            Inst::Load { array, indices } => {
                let indices = self.indices(indices);
                Some(self.frame.load(inst, *array, &indices)?)
            }
            Inst::Store {
                array,
                indices,
                value,
            } => {
                let indices = self.indices(indices);
                self.frame
                    .store(inst, *array, &indices, self.value(*value))?;
                None
            }
            Inst::Unary(op, operand) => Some(eval::unary(*op, self.value(*operand))),
            Inst::Binary(op, lhs, rhs) => {
                Some(eval::binary(inst, *op, self.value(*lhs), self.value(*rhs))?)
            }
            Inst::If {
                cond,
                then_block,
                else_block,
            } => {
                if self.value(*cond).expect_bool() {
                    self.exec_block(*then_block)?;
                } else {
                    self.exec_block(*else_block)?;
                }
                None
            }
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            } => {
                self.exec_for(*counter, *lo, *hi, *body, *reverse)?;
                None
            }
            Inst::Push(value) => {
                match self.value(*value) {
                    Scalar::Real(value) => self.tape.push_real(value)?,
                    Scalar::Int(value) => self.tape.push_int(value)?,
                    Scalar::Bool(value) => self.tape.push_int(i64::from(value))?,
                }
                None
            }
            Inst::Pop(ty) => Some(match ty {
                ScalarType::Real => Scalar::Real(self.tape.pop_real()?),
                ScalarType::Int => Scalar::Int(self.tape.pop_int()?),
                ScalarType::Bool => Scalar::Bool(self.tape.pop_int()? != 0),
            }),
        };
        if result.is_some() {
            self.values[inst] = result;
        }
        Ok(())
    }

    /// The values of a `Load`'s or `Store`'s indices.
    fn indices(&self, indices: &[InstId]) -> Vec<i64> {
        indices
            .iter()
            .map(|index| self.value(*index).expect_int())
            .collect()
    }

    /// A `while` loop: the flag is read before each iteration; with a
    /// bound `b`, finding the flag still set after `b` iterations is an
    /// error (so exactly `b` iterations are allowed).
    fn exec_loop(
        &mut self,
        inst: InstId,
        flag: crate::ir::VarId,
        body: BlockId,
        bound: Option<i64>,
    ) -> Result<(), RuntimeError> {
        let mut iterations: i64 = 0;
        while self.frame.read(flag).expect_bool() {
            if let Some(bound) = bound
                && iterations >= bound
            {
                return Err(RuntimeError::LoopBoundExceeded { inst, bound });
            }
            self.exec_block(body)?;
            iterations += 1;
        }
        Ok(())
    }

    /// A `For` loop. The bounds are evaluated once; the sequence of counter
    /// values does not depend on what the body writes to the counter.
    fn exec_for(
        &mut self,
        counter: crate::ir::VarId,
        lo: InstId,
        hi: InstId,
        body: BlockId,
        reverse: bool,
    ) -> Result<(), RuntimeError> {
        let lo = self.value(lo).expect_int();
        let hi = self.value(hi).expect_int();
        if reverse {
            let mut next = hi;
            while next > lo {
                next -= 1;
                self.frame.write(counter, Scalar::Int(next));
                self.exec_block(body)?;
            }
        } else {
            let mut next = lo;
            while next < hi {
                self.frame.write(counter, Scalar::Int(next));
                self.exec_block(body)?;
                next += 1;
            }
        }
        Ok(())
    }
}
