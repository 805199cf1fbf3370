//! The calls of the translator: the math helpers and the tape.
//!
//! `Exp`, `Log`, `Sigmoid`, `Softplus`, `Sin`, `Cos`, `Tanh` and `Pow` call
//! the functions of `runtime::math`
//! (registered as symbols), so the JIT rounds as the interpreter does.
//! `Push` and `Pop` run inline. A push that finds its stack full (or the
//! limit reached) exits with `STATUS_TAPE_FULL`, and `JitFunction::run`
//! grows the stack and runs the call again (or reports the limit); a pop
//! from an empty stack exits with `STATUS_TAPE_UNDERFLOW`. Neither calls
//! anything, so the register allocator keeps the live values in registers
//! across them. Inside a loop whose traffic was reserved before the loop
//! (`tape_cursor`), they write and read without a check.

use super::{FunctionTranslator, trusted};
use crate::ir::{InstId, ScalarType};
use crate::jit::JitError;
use crate::jit::abi::{SLOT_BYTES, STATUS_TAPE_FULL, STATUS_TAPE_UNDERFLOW, offsets};
use crate::jit::runtime as helpers;
use crate::runtime::tape::offsets as tape_offsets;

/// The fields of one of the tape's stacks.
struct TapeStack {
    data: i32,
    len: i32,
    capacity: i32,
}

impl TapeStack {
    const REALS: TapeStack = TapeStack {
        data: tape_offsets::REALS_DATA,
        len: tape_offsets::REALS_LEN,
        capacity: tape_offsets::REALS_CAPACITY,
    };
    const INTS: TapeStack = TapeStack {
        data: tape_offsets::INTS_DATA,
        len: tape_offsets::INTS_LEN,
        capacity: tape_offsets::INTS_CAPACITY,
    };
}
use cranelift::prelude::*;
use cranelift_codegen::ir::FuncRef;
use cranelift_module::{Linkage, Module};

impl FunctionTranslator<'_> {
    /// Imports a runtime helper (once) and returns its reference.
    pub(in crate::jit) fn import(
        &mut self,
        symbol: &'static str,
        params: &[Type],
        returns: &[Type],
    ) -> Result<FuncRef, JitError> {
        if let Some(func_ref) = self.imports.get(symbol) {
            return Ok(*func_ref);
        }
        let mut signature = self.module.make_signature();
        signature
            .params
            .extend(params.iter().map(|ty| AbiParam::new(*ty)));
        signature
            .returns
            .extend(returns.iter().map(|ty| AbiParam::new(*ty)));
        let func_id = self
            .module
            .declare_function(symbol, Linkage::Import, &signature)
            .map_err(|error| JitError::module(self.func, error))?;
        let func_ref = self.module.declare_func_in_func(func_id, self.builder.func);
        let _ = self.imports.insert(symbol, func_ref);
        Ok(func_ref)
    }

    pub(super) fn call_math(
        &mut self,
        symbol: &'static str,
        value: Value,
    ) -> Result<Value, JitError> {
        let func_ref = self.import(symbol, &[types::F64], &[types::F64])?;
        let call = self.builder.ins().call(func_ref, &[value]);
        Ok(self.builder.inst_results(call)[0])
    }

    /// A math helper of two reals (`pow`).
    pub(super) fn call_math2(
        &mut self,
        symbol: &'static str,
        lhs: Value,
        rhs: Value,
    ) -> Result<Value, JitError> {
        let func_ref = self.import(symbol, &[types::F64, types::F64], &[types::F64])?;
        let call = self.builder.ins().call(func_ref, &[lhs, rhs]);
        Ok(self.builder.inst_results(call)[0])
    }

    /// Exits with `status` unless it is `STATUS_OK`; continues in a new block.
    fn check_status(&mut self, status: Value) {
        let ok = self.builder.create_block();
        let _ = self
            .builder
            .ins()
            .brif(status, self.exit_block, &[status.into()], ok, &[]);
        self.builder.seal_block(ok);
        self.builder.switch_to_block(ok);
    }

    pub(super) fn translate_push(&mut self, inst: InstId, value: InstId) -> Result<(), JitError> {
        let (value, ty) = self.operand(inst, value)?;
        if self.tape_cursor.is_some() {
            // The loop reserved room for this push (`tape_cursor`).
            self.push_at_cursor(ty, value);
            return Ok(());
        }
        let (value, stack) = match ty {
            ScalarType::Real => (value, TapeStack::REALS),
            ScalarType::Int => (value, TapeStack::INTS),
            ScalarType::Bool => (
                self.builder.ins().uextend(types::I64, value),
                TapeStack::INTS,
            ),
        };
        // Inline while the stack has room and the limit allows; otherwise
        // the call stops, and `JitFunction::run` grows the stack and runs
        // it again (or reports the limit). No call here: a call on every
        // push's slow path costs the register allocator a clobber of every
        // live value at every push.
        let remaining = self.load_tape(tape_offsets::REMAINING);
        let len = self.load_tape(stack.len);
        let capacity = self.load_tape(stack.capacity);
        let has_room = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedLessThan, len, capacity);
        let allowed = self.builder.ins().icmp_imm_s(IntCC::NotEqual, remaining, 0);
        let fast_path = self.builder.ins().band(has_room, allowed);
        let fast = self.builder.create_block();
        let full = self.status_block(STATUS_TAPE_FULL);
        let _ = self.builder.ins().brif(fast_path, fast, &[], full, &[]);
        self.builder.seal_block(fast);

        self.builder.switch_to_block(fast);
        let data = self.load_tape_pointer(stack.data);
        let offset = self.builder.ins().imul_imm_s(len, SLOT_BYTES);
        let offset = self.pointer_from_i64(offset);
        let address = self.builder.ins().iadd(data, offset);
        let _ = self.builder.ins().store(trusted(), value, address, 0);
        let next_len = self.builder.ins().iadd_imm_s(len, 1);
        self.store_tape(next_len, stack.len);
        let next_remaining = self.builder.ins().iadd_imm_s(remaining, -1);
        self.store_tape(next_remaining, tape_offsets::REMAINING);
        Ok(())
    }

    pub(super) fn translate_pop(&mut self, ty: ScalarType) -> Result<Value, JitError> {
        if self.tape_cursor.is_some() {
            // The loop checked that the stack holds this value.
            return Ok(self.pop_at_cursor(ty));
        }
        let (stack, value_type) = match ty {
            ScalarType::Real => (TapeStack::REALS, types::F64),
            ScalarType::Int | ScalarType::Bool => (TapeStack::INTS, types::I64),
        };
        // An empty stack is an underflow, reported without a call.
        let len = self.load_tape(stack.len);
        let fast = self.builder.create_block();
        let underflow = self.status_block(STATUS_TAPE_UNDERFLOW);
        let _ = self.builder.ins().brif(len, fast, &[], underflow, &[]);
        self.builder.seal_block(fast);

        self.builder.switch_to_block(fast);
        let last = self.builder.ins().iadd_imm_s(len, -1);
        self.store_tape(last, stack.len);
        let remaining = self.load_tape(tape_offsets::REMAINING);
        let more = self.builder.ins().iadd_imm_s(remaining, 1);
        self.store_tape(more, tape_offsets::REMAINING);
        let data = self.load_tape_pointer(stack.data);
        let offset = self.builder.ins().imul_imm_s(last, SLOT_BYTES);
        let offset = self.pointer_from_i64(offset);
        let address = self.builder.ins().iadd(data, offset);
        let word = self.builder.ins().load(value_type, trusted(), address, 0);
        Ok(match ty {
            ScalarType::Bool => self.builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0),
            ScalarType::Real | ScalarType::Int => word,
        })
    }

    /// An 8-byte integer field of the tape.
    fn load_tape(&mut self, offset: i32) -> Value {
        let tape = self.tape;
        self.builder.ins().load(types::I64, trusted(), tape, offset)
    }

    fn load_tape_pointer(&mut self, offset: i32) -> Value {
        let (tape, pointer_type) = (self.tape, self.pointer_type);
        self.builder
            .ins()
            .load(pointer_type, trusted(), tape, offset)
    }

    fn store_tape(&mut self, value: Value, offset: i32) {
        let tape = self.tape;
        let _ = self.builder.ins().store(trusted(), value, tape, offset);
    }

    /// The base pointer and element count of an array variable.
    fn array_extent(
        &mut self,
        inst: InstId,
        var: crate::ir::VarId,
    ) -> Result<(Value, Value), JitError> {
        let dims = match &self.func.vars[var].ty {
            crate::ir::VarType::Array { dims, .. } => dims.clone(),
            crate::ir::VarType::Scalar(_) => {
                return Err(self.malformed(inst, crate::jit::IrFault::NotArray { var }));
            }
        };
        let base = self
            .array_base(var)
            .ok_or_else(|| self.malformed(inst, crate::jit::IrFault::NotArray { var }))?;
        let mut count = self.builder.ins().iconst(types::I64, 1);
        for dim in dims {
            let (_, extent) = self.size_value(dim);
            count = self.builder.ins().imul(count, extent);
        }
        Ok((base, count))
    }

    /// `Noise` through the `runtime::noise` helper, with the seed and the
    /// sample index read from the frame.
    pub(super) fn translate_noise(
        &mut self,
        inst: InstId,
        kind: crate::ir::NoiseKind,
        counter: InstId,
    ) -> Result<Value, JitError> {
        let counter = self.typed_operand(inst, counter, ScalarType::Int)?;
        let code = self.builder.ins().iconst(types::I64, kind.code());
        let frame = self.frame;
        let seed = self
            .builder
            .ins()
            .load(types::I64, trusted(), frame, offsets::SEED);
        let sample = self
            .builder
            .ins()
            .load(types::I64, trusted(), frame, offsets::SAMPLE);
        let func_ref = self.import(helpers::NOISE, &[types::I64; 4], &[types::F64])?;
        let call = self
            .builder
            .ins()
            .call(func_ref, &[code, seed, sample, counter]);
        Ok(self.builder.inst_results(call)[0])
    }

    /// `ArgMax` through the `runtime::argmax` helper, then a bounds check
    /// of the index (which fails exactly when the array is empty).
    pub(super) fn translate_argmax(
        &mut self,
        inst: InstId,
        array: crate::ir::VarId,
        min: bool,
    ) -> Result<Value, JitError> {
        let (base, count) = self.array_extent(inst, array)?;
        let min_flag = self.builder.ins().iconst(types::I64, i64::from(min));
        let pointer_type = self.pointer_type;
        let func_ref = self.import(
            helpers::ARG_EXTREMUM,
            &[pointer_type, types::I64, types::I64],
            &[types::I64],
        )?;
        let call = self.builder.ins().call(func_ref, &[base, count, min_flag]);
        let index = self.builder.inst_results(call)[0];
        self.translate_bounds_check(inst, array, 0, index, count, count);
        Ok(index)
    }

    /// `SortArray` (arrays: input, output) and `SortArrayVjp` (input,
    /// cotangent, target) through the helpers of `runtime::sorting`.
    pub(super) fn translate_sort_array(
        &mut self,
        inst: InstId,
        op: &crate::ir::SortArray,
        arrays: &[crate::ir::VarId],
    ) -> Result<(), JitError> {
        let pointer_type = self.pointer_type;
        let code = self
            .builder
            .ins()
            .iconst(types::I64, crate::runtime::sorting::code(op));
        let strength = match op.relaxation {
            Some((_, strength)) => self.typed_operand(inst, strength, ScalarType::Real)?,
            None => self.builder.ins().f64const(0.0),
        };
        let mut args = vec![code];
        let mut length = None;
        for var in arrays {
            let (base, count) = self.array_extent(inst, *var)?;
            args.push(base);
            length = Some(count);
        }
        let length = length.expect("sorts have arrays");
        args.push(length);
        args.push(strength);
        let (symbol, pointers) = if arrays.len() == 2 {
            (helpers::SORT_ARRAY, 2)
        } else {
            (helpers::SORT_ARRAY_VJP, 3)
        };
        let mut params = vec![types::I64];
        params.extend(std::iter::repeat_n(pointer_type, pointers));
        params.extend([types::I64, types::F64]);
        let func_ref = self.import(symbol, &params, &[])?;
        let _ = self.builder.ins().call(func_ref, &args);
        Ok(())
    }

    /// `PushArray` / `PopArray` through the tape helpers.
    pub(super) fn translate_tape_array(
        &mut self,
        inst: InstId,
        symbol: &'static str,
        var: crate::ir::VarId,
    ) -> Result<(), JitError> {
        let pointer_type = self.pointer_type;
        let (base, count) = self.array_extent(inst, var)?;
        let func_ref = self.import(
            symbol,
            &[pointer_type, pointer_type, types::I64],
            &[types::I32],
        )?;
        let call = self.builder.ins().call(func_ref, &[self.tape, base, count]);
        let status = self.builder.inst_results(call)[0];
        self.check_status(status);
        Ok(())
    }
}
