//! IR to Cranelift IR, one `translate_*` method per construct.
//!
//! The structure follows the cranelift-jit-demo: a [`FunctionTranslator`]
//! owns the `FunctionBuilder` of one function and walks the structured
//! blocks of the IR. Scalar variables become Cranelift `Variable`s
//! (cranelift-frontend builds the SSA form); arrays are memory reached
//! through the frame (see `abi`). Types: real is `f64`, int is `i64`, bool
//! is `i8` holding 0 or 1 (and an `i64` 0/1 in memory).
//!
//! Faults do not trap: every check (array bounds, int division, `while`
//! bounds) branches to a shared cold block that records the fault in the
//! frame and returns a non-zero status through the one exit block.
//!
//! `Floor` and `Ceil` are Cranelift's exact `floor`/`ceil`, `Round` is
//! built from `trunc` (see `translate_round`), and all three convert with
//! `fcvt_to_sint_sat`, which saturates and maps NaN to 0 as Rust's `as i64`
//! does; the transcendental functions and `pow` call `runtime::math`.

use super::abi::{
    SLOT_BYTES, STATUS_DIVISION_BY_ZERO, STATUS_LOOP_BOUND, STATUS_OK, STATUS_OUT_OF_BOUNDS,
    offsets, size_slot,
};
use super::parts::Part;
use super::runtime as helpers;
use super::{IrFault, JitError};
use crate::ir::liveness::Liveness;
use crate::ir::{
    BinaryOp, BlockId, Func, Inst, InstId, ScalarType, Size, UnaryOp, VarId, VarRole, VarType,
};
use cranelift::prelude::*;
use cranelift_codegen::ir::FuncRef;
use cranelift_entity::{EntityRef, SecondaryMap};
use cranelift_jit::JITModule;
use cranelift_module::Module;
use std::collections::HashMap;

mod calls;
mod index_range;
pub(crate) mod inline_math;
pub(in crate::jit) mod loops;
pub(in crate::jit) mod tape_cursor;

/// The Cranelift type of an IR scalar type (in registers).
pub(crate) fn clif_type(ty: ScalarType) -> Type {
    match ty {
        ScalarType::Real => types::F64,
        ScalarType::Int => types::I64,
        ScalarType::Bool => types::I8,
    }
}

/// Memory accesses to the frame and to bounds-checked array elements:
/// aligned, and never trapping.
pub(in crate::jit) fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// How a cold block leaves the function: the frame's error fields its
/// `i64` parameters are stored to, in order, and the status it returns.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FaultExit {
    status: i32,
    fields: &'static [i32],
}

/// An index out of its extent: params inst, array, dim, index, len.
const OUT_OF_BOUNDS: FaultExit = FaultExit {
    status: STATUS_OUT_OF_BOUNDS,
    fields: &[
        offsets::ERROR_INST,
        offsets::ERROR_ARRAY,
        offsets::ERROR_DIM,
        offsets::ERROR_INDEX,
        offsets::ERROR_LEN,
    ],
};

/// An int division by zero: param inst.
const DIVISION_BY_ZERO: FaultExit = FaultExit {
    status: STATUS_DIVISION_BY_ZERO,
    fields: &[offsets::ERROR_INST],
};

/// A `while` loop past its bound: params inst, bound.
const LOOP_BOUND: FaultExit = FaultExit {
    status: STATUS_LOOP_BOUND,
    fields: &[offsets::ERROR_INST, offsets::ERROR_BOUND],
};

/// Translates one IR function into the function of a `FunctionBuilder`.
pub(crate) struct FunctionTranslator<'a> {
    /// The builder of the Cranelift function being written.
    pub(in crate::jit) builder: FunctionBuilder<'a>,
    /// The module, to import the runtime helpers into the function.
    pub(in crate::jit) module: &'a mut JITModule,
    /// The IR function being translated.
    pub(in crate::jit) func: &'a Func,
    /// The pointer-sized integer type of the host.
    pub(in crate::jit) pointer_type: Type,
    /// The `*mut Frame` argument.
    frame: Value,
    /// The frame's tape pointer, loaded at entry.
    pub(in crate::jit) tape: Value,
    /// `Tau`, loaded at entry.
    pub(in crate::jit) tau: Value,
    /// The scalar slot table, loaded at entry (for parameters and outputs).
    scalars: Value,
    /// The value of each size parameter, then of each derived size (as
    /// `abi::size_slot` orders them), loaded at entry.
    sizes: Vec<Value>,
    /// The frame's table of element buffers, one per array variable (see
    /// `array_base`).
    array_table: Value,
    /// The Cranelift variable of each scalar IR variable.
    pub(in crate::jit) variables: SecondaryMap<VarId, Option<Variable>>,
    /// Which variables each loop writes and leaves dead at its boundaries.
    liveness: &'a Liveness,
    /// A zero of each scalar type, defined at entry: the value a dead
    /// variable is given (see `forget_dead`).
    dead_values: DeadValues,
    /// The Cranelift value of each IR value, while it is in scope (from its
    /// definition to the end of its block).
    pub(in crate::jit) values: SecondaryMap<InstId, Option<Value>>,
    /// Runtime helpers imported so far, by symbol.
    imports: HashMap<&'static str, FuncRef>,
    /// The cold blocks that record a fault (an index out of bounds, a
    /// division by zero, a loop past its bound) or only exit with a status
    /// (a full tape, an underflow), each created on first use.
    fault_blocks: Vec<(FaultExit, Block)>,
    /// The block that returns its `i32` parameter.
    pub(in crate::jit) exit_block: Block,
    /// Whether loops whose iterations are independent run two at a time
    /// in vector registers (`jit::vectorize`).
    pub(in crate::jit) vectorize: bool,
    /// Whether a loop's tape traffic is checked once before it
    /// (`tape_cursor`); the code that checks every push and pop instead is
    /// what runs when such a check fails (see `JitFunction::run`).
    pub(in crate::jit) reserves_tape: bool,
    /// While translating the body of a loop whose tape traffic was
    /// reserved before the loop: where its pushes and pops go.
    pub(in crate::jit) tape_cursor: Option<tape_cursor::TapeCursor>,
    /// What became of each `For` loop, in translation order.
    pub(in crate::jit) loop_reports: Vec<loops::LoopReport>,
    /// The enclosing loops whose counters index without a check.
    pub(in crate::jit) counters_in_range: index_range::CountersInRange,
}

impl<'a> FunctionTranslator<'a> {
    /// Writes the whole function: entry (loading the frame), body, the
    /// normal return (storing the outputs) and the fault blocks. Returns
    /// what became of each `For` loop; `variant` says whether independent
    /// iterations may run two at a time and loops reserve their tape
    /// traffic.
    pub(crate) fn translate_function(
        builder: FunctionBuilder<'a>,
        module: &'a mut JITModule,
        func: &'a Func,
        liveness: &'a Liveness,
        variant: super::CodeVariant,
        part: &Part,
    ) -> Result<Vec<loops::LoopReport>, JitError> {
        let mut translator =
            FunctionTranslator::translate_entry(builder, module, func, liveness, variant, part);
        translator.translate_insts(&func.blocks[func.entry].insts[part.insts.clone()])?;
        translator.translate_return(&part.stored);
        translator.finish_fault_blocks();
        let FunctionTranslator {
            mut builder,
            module,
            loop_reports,
            ..
        } = translator;
        builder.seal_all_blocks();
        builder.finalize(module.target_config());
        Ok(loop_reports)
    }

    /// Starts the function: its entry block loads the frame's fields, the
    /// sizes and the array pointers, and gives every scalar variable its
    /// initial value: the argument of a parameter, the value a variable
    /// the part loads had at the end of the part before (`parts`), zero
    /// for the others.
    fn translate_entry(
        mut builder: FunctionBuilder<'a>,
        module: &'a mut JITModule,
        func: &'a Func,
        liveness: &'a Liveness,
        variant: super::CodeVariant,
        part: &Part,
    ) -> FunctionTranslator<'a> {
        let pointer_type = module.target_config().pointer_type();
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        builder.seal_block(entry);
        let frame = builder.block_params(entry)[0];
        let load_frame = |builder: &mut FunctionBuilder, ty: Type, offset: i32| {
            builder.ins().load(ty, trusted(), frame, offset)
        };
        let tape = load_frame(&mut builder, pointer_type, offsets::TAPE);
        let tau = load_frame(&mut builder, types::F64, offsets::TAU);
        let scalars = load_frame(&mut builder, pointer_type, offsets::SCALARS);
        let size_table = load_frame(&mut builder, pointer_type, offsets::SIZES);
        let array_table = load_frame(&mut builder, pointer_type, offsets::ARRAYS);

        // Derived sizes were computed (and checked non-negative) before the
        // call; they sit after the parameters in the size table.
        let sizes: Vec<Value> = (0..func.sizes.len() + func.derived_sizes.len())
            .map(|slot| {
                builder
                    .ins()
                    .load(types::I64, trusted(), size_table, slot_offset(slot))
            })
            .collect();

        let mut variables = SecondaryMap::new();
        for (var, data) in func.vars.iter() {
            let offset = slot_offset(var.index());
            match &data.ty {
                VarType::Array { .. } => {}
                VarType::Scalar(ty) => {
                    let variable = builder.declare_var(clif_type(*ty));
                    // Every variable starts at zero; parameters at their
                    // argument.
                    let in_slot =
                        matches!(data.role, VarRole::Param(_)) || part.loaded.contains(&var);
                    let initial = match (in_slot, ty) {
                        (true, ScalarType::Bool) => {
                            let word = builder.ins().load(types::I64, trusted(), scalars, offset);
                            builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0)
                        }
                        (true, _) => builder
                            .ins()
                            .load(clif_type(*ty), trusted(), scalars, offset),
                        (false, ScalarType::Real) => builder.ins().f64const(0.0),
                        (false, ScalarType::Int | ScalarType::Bool) => {
                            builder.ins().iconst(clif_type(*ty), 0)
                        }
                    };
                    builder.def_var(variable, initial);
                    variables[var] = Some(variable);
                }
            }
        }

        let dead_values = DeadValues {
            real: builder.ins().f64const(0.0),
            int: builder.ins().iconst(types::I64, 0),
            bool: builder.ins().iconst(types::I8, 0),
        };
        let exit_block = builder.create_block();
        let _ = builder.append_block_param(exit_block, types::I32);
        FunctionTranslator {
            builder,
            module,
            func,
            pointer_type,
            frame,
            tape,
            tau,
            scalars,
            sizes,
            array_table,
            variables,
            liveness,
            dead_values,
            values: SecondaryMap::new(),
            imports: HashMap::new(),
            fault_blocks: Vec::new(),
            exit_block,
            vectorize: variant.vectorize,
            reserves_tape: variant.reserve_tape,
            tape_cursor: None,
            loop_reports: Vec::new(),
            counters_in_range: index_range::CountersInRange::default(),
        }
    }

    /// Stores the scalar variables `stored` (the outputs, or what the next
    /// part loads) to their slots and exits with `STATUS_OK`.
    fn translate_return(&mut self, stored: &[VarId]) {
        for &var in stored {
            if let Some(variable) = self.variables[var] {
                let value = self.builder.use_var(variable);
                let value = match self.func.vars[var].ty.elem() {
                    ScalarType::Bool => self.builder.ins().uextend(types::I64, value),
                    ScalarType::Real | ScalarType::Int => value,
                };
                let offset = slot_offset(var.index());
                let _ = self
                    .builder
                    .ins()
                    .store(trusted(), value, self.scalars, offset);
            }
        }
        let ok = self.builder.ins().iconst(types::I32, i64::from(STATUS_OK));
        let _ = self.builder.ins().jump(self.exit_block, &[ok.into()]);
    }

    /// The exit block and the fault blocks that were used.
    fn finish_fault_blocks(&mut self) {
        for (fault, block) in std::mem::take(&mut self.fault_blocks) {
            self.builder.switch_to_block(block);
            let params = self.builder.block_params(block).to_vec();
            for (value, &offset) in params.into_iter().zip(fault.fields) {
                let _ = self
                    .builder
                    .ins()
                    .store(trusted(), value, self.frame, offset);
            }
            let status = self
                .builder
                .ins()
                .iconst(types::I32, i64::from(fault.status));
            let _ = self.builder.ins().jump(self.exit_block, &[status.into()]);
        }
        self.builder.switch_to_block(self.exit_block);
        let status = self.builder.block_params(self.exit_block)[0];
        let _ = self.builder.ins().return_(&[status]);
    }

    /// Translates the instructions of `block`; its values go out of scope
    /// at its end.
    pub(in crate::jit) fn translate_block(&mut self, block: BlockId) -> Result<(), JitError> {
        let func = self.func;
        self.translate_insts(&func.blocks[block].insts)
    }

    /// Translates a run of one block's instructions; their values go out
    /// of scope at its end.
    fn translate_insts(&mut self, insts: &[InstId]) -> Result<(), JitError> {
        for &inst in insts {
            if let Some(value) = self.translate_inst(inst)? {
                self.values[inst] = Some(value);
            }
        }
        for &inst in insts {
            self.values[inst] = None;
        }
        Ok(())
    }

    /// Translates one instruction; returns its value, if it has one.
    pub(in crate::jit) fn translate_inst(
        &mut self,
        inst: InstId,
    ) -> Result<Option<Value>, JitError> {
        let func = self.func;
        let value = match &func.insts[inst] {
            Inst::Select {
                cond,
                then,
                otherwise,
            } => self.translate_select(inst, *cond, *then, *otherwise)?,
            Inst::Loop { flag, body, bound } => {
                self.translate_loop(inst, *flag, *body, *bound)?;
                return Ok(None);
            }
            Inst::SortArray { op, input, output } => {
                self.translate_sort_array(inst, op, &[*input, *output])?;
                return Ok(None);
            }
            Inst::SortArrayVjp {
                op,
                input,
                cotangent,
                target,
            } => {
                self.translate_sort_array(inst, op, &[*input, *cotangent, *target])?;
                return Ok(None);
            }
            Inst::PushArray(var) => {
                self.translate_tape_array(inst, helpers::TAPE_PUSH_ARRAY, *var)?;
                return Ok(None);
            }
            Inst::PopArray(var) => {
                self.translate_tape_array(inst, helpers::TAPE_POP_ARRAY, *var)?;
                return Ok(None);
            }
            Inst::Real(value) => self.builder.ins().f64const(*value),
            Inst::Int(value) => self.builder.ins().iconst(types::I64, *value),
            Inst::Bool(value) => self.builder.ins().iconst(types::I8, i64::from(*value)),
            Inst::Tau => self.tau,
            Inst::Baseline => {
                self.builder
                    .ins()
                    .load(types::F64, trusted(), self.frame, offsets::BASELINE)
            }
            Inst::Noise { kind, counter } => self.translate_noise(inst, *kind, *counter)?,
            Inst::StopGradient(value) => self.operand(inst, *value)?.0,
            Inst::SizeOf(size) => self.size_value(*size).0,
            Inst::Read(var) => {
                let variable = self.variable(inst, *var)?;
                self.builder.use_var(variable)
            }
            Inst::Write { var, value } => {
                self.translate_write(inst, *var, *value)?;
                return Ok(None);
            }
            Inst::Load { array, indices } => self.translate_load(inst, *array, indices)?,
            Inst::ArgMax { array, min } => self.translate_argmax(inst, *array, *min)?,
            Inst::Store {
                array,
                indices,
                value,
            } => {
                self.translate_store(inst, *array, indices, *value)?;
                return Ok(None);
            }
            Inst::Unary(op, operand) => self.translate_unary(inst, *op, *operand)?,
            Inst::Binary(op, lhs, rhs) => self.translate_binary(inst, *op, *lhs, *rhs)?,
            Inst::If {
                cond,
                then_block,
                else_block,
            } => {
                self.translate_if(inst, *cond, *then_block, *else_block)?;
                return Ok(None);
            }
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            } => {
                self.translate_for(inst, *counter, *lo, *hi, *body, *reverse)?;
                return Ok(None);
            }
            Inst::Push(value) => {
                self.translate_push(inst, *value)?;
                return Ok(None);
            }
            Inst::Pop(ty) => self.translate_pop(*ty)?,
        };
        Ok(Some(value))
    }

    pub(in crate::jit) fn malformed(&self, inst: InstId, fault: IrFault) -> JitError {
        JitError::MalformedIr {
            func: self.func.name.clone(),
            inst,
            fault,
        }
    }

    /// The Cranelift value and type of operand `operand` of `inst`.
    pub(in crate::jit) fn operand(
        &self,
        inst: InstId,
        operand: InstId,
    ) -> Result<(Value, ScalarType), JitError> {
        let value = self.values[operand]
            .ok_or_else(|| self.malformed(inst, IrFault::OutOfScope { operand }))?;
        let ty = self.func.types[operand]
            .ok_or_else(|| self.malformed(inst, IrFault::NoResult { operand }))?;
        Ok((value, ty))
    }

    /// Operand `operand` of `inst`, which must have type `expected`.
    pub(in crate::jit) fn typed_operand(
        &self,
        inst: InstId,
        operand: InstId,
        expected: ScalarType,
    ) -> Result<Value, JitError> {
        let (value, ty) = self.operand(inst, operand)?;
        if ty != expected {
            return Err(self.malformed(
                inst,
                IrFault::OperandType {
                    operand,
                    expected,
                    found: ty,
                },
            ));
        }
        Ok(value)
    }

    pub(in crate::jit) fn variable(&self, inst: InstId, var: VarId) -> Result<Variable, JitError> {
        self.variables[var].ok_or_else(|| self.malformed(inst, IrFault::NotScalar { var }))
    }

    /// The value of a size as `(value, checked)`: `checked` is the extent
    /// indices are compared against, clamped at zero for a (malformed)
    /// negative constant, so that every index fails as in the interpreter.
    pub(in crate::jit) fn size_value(&mut self, size: Size) -> (Value, Value) {
        match size {
            Size::Const(extent) => {
                let value = self.builder.ins().iconst(types::I64, extent);
                let checked = if extent < 0 {
                    self.builder.ins().iconst(types::I64, 0)
                } else {
                    value
                };
                (value, checked)
            }
            // Never negative: `bind_arguments` rejects a negative derived
            // size before the call.
            Size::Param(_) | Size::Derived(_) => {
                let slot = size_slot(self.func, size).expect("not a constant");
                let value = self.sizes[slot];
                (value, value)
            }
        }
    }

    fn translate_write(&mut self, inst: InstId, var: VarId, value: InstId) -> Result<(), JitError> {
        let variable = self.variable(inst, var)?;
        let value = self.typed_operand(inst, value, self.func.vars[var].ty.elem())?;
        self.builder.def_var(variable, value);
        Ok(())
    }

    /// Checks each index against its extent, in order of dimensions (but
    /// for the indices in range by construction, see `index_range`), and
    /// returns the address of the element.
    fn element_address(
        &mut self,
        inst: InstId,
        array: VarId,
        indices: &[InstId],
    ) -> Result<Value, JitError> {
        let func = self.func;
        let base = self.array_base(array);
        let (base, dims) = match (&func.vars[array].ty, base) {
            (VarType::Array { dims, .. }, Some(base)) => (base, dims),
            (VarType::Array { .. } | VarType::Scalar(_), _) => {
                return Err(self.malformed(inst, IrFault::NotArray { var: array }));
            }
        };
        if dims.len() != indices.len() {
            return Err(self.malformed(
                inst,
                IrFault::IndexCount {
                    var: array,
                    rank: dims.len(),
                    found: indices.len(),
                },
            ));
        }
        let mut index_values = Vec::with_capacity(indices.len());
        for &index in indices {
            index_values.push(self.typed_operand(inst, index, ScalarType::Int)?);
        }
        let mut flat = None;
        for (dim, (&size, &index)) in dims.iter().zip(&index_values).enumerate() {
            let (extent, checked) = self.size_value(size);
            if !self.counters_in_range.in_range(func, indices[dim], size) {
                self.translate_bounds_check(inst, array, dim, index, extent, checked);
            }
            flat = Some(match flat {
                None => index,
                Some(flat) => {
                    let scaled = self.builder.ins().imul(flat, checked);
                    self.builder.ins().iadd(scaled, index)
                }
            });
        }
        let offset = match flat {
            Some(flat) => self.builder.ins().imul_imm_s(flat, SLOT_BYTES),
            // A rank-0 array has one element.
            None => self.builder.ins().iconst(types::I64, 0),
        };
        let offset = self.pointer_from_i64(offset);
        Ok(self.builder.ins().iadd(base, offset))
    }

    /// `0 <= index < checked`, else record the fault and exit; continues in
    /// a new block. One unsigned comparison covers both bounds because
    /// `checked` is never negative.
    fn translate_bounds_check(
        &mut self,
        inst: InstId,
        array: VarId,
        dim: usize,
        index: Value,
        extent: Value,
        checked: Value,
    ) {
        let out_of_bounds =
            self.builder
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, index, checked);
        let fault = self.fault_block(OUT_OF_BOUNDS);
        let in_bounds = self.builder.create_block();
        let inst_value = self.builder.ins().iconst(types::I64, inst.index() as i64);
        let array_value = self.builder.ins().iconst(types::I64, array.index() as i64);
        let dim_value = self.builder.ins().iconst(types::I64, dim as i64);
        let _ = self.builder.ins().brif(
            out_of_bounds,
            fault,
            &[
                inst_value.into(),
                array_value.into(),
                dim_value.into(),
                index.into(),
                extent.into(),
            ],
            in_bounds,
            &[],
        );
        self.builder.seal_block(in_bounds);
        self.builder.switch_to_block(in_bounds);
    }

    /// A cold block that exits with `status`, shared by every use.
    pub(in crate::jit) fn status_block(&mut self, status: i32) -> Block {
        self.fault_block(FaultExit {
            status,
            fields: &[],
        })
    }

    /// The cold block of `fault`, created on first use and shared by
    /// every later one: it takes one `i64` parameter per field.
    fn fault_block(&mut self, fault: FaultExit) -> Block {
        if let Some(&(_, block)) = self.fault_blocks.iter().find(|(of, _)| *of == fault) {
            return block;
        }
        let block = self.builder.create_block();
        for _ in fault.fields {
            let _ = self.builder.append_block_param(block, types::I64);
        }
        self.builder.set_cold_block(block);
        self.fault_blocks.push((fault, block));
        block
    }

    /// The element buffer of `var`, if it is an array. Loaded from the
    /// frame where it is used rather than once at entry: a function with
    /// dozens of arrays would otherwise hold dozens of pointers live
    /// across its whole body, and the register allocator's time grows
    /// with them (the gradient of a sorting network took twice as long to
    /// compile). Cranelift merges the loads of one pointer between stores.
    pub(in crate::jit) fn array_base(&mut self, var: VarId) -> Option<Value> {
        matches!(self.func.vars[var].ty, VarType::Array { .. }).then(|| {
            self.builder.ins().load(
                self.pointer_type,
                trusted(),
                self.array_table,
                slot_offset(var.index()),
            )
        })
    }

    pub(in crate::jit) fn pointer_from_i64(&mut self, value: Value) -> Value {
        if self.pointer_type == types::I64 {
            value
        } else {
            self.builder.ins().ireduce(self.pointer_type, value)
        }
    }

    fn translate_load(
        &mut self,
        inst: InstId,
        array: VarId,
        indices: &[InstId],
    ) -> Result<Value, JitError> {
        let address = self.element_address(inst, array, indices)?;
        Ok(match self.func.vars[array].ty.elem() {
            ScalarType::Real => self.builder.ins().load(types::F64, trusted(), address, 0),
            ScalarType::Int => self.builder.ins().load(types::I64, trusted(), address, 0),
            ScalarType::Bool => {
                let word = self.builder.ins().load(types::I64, trusted(), address, 0);
                self.builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0)
            }
        })
    }

    fn translate_store(
        &mut self,
        inst: InstId,
        array: VarId,
        indices: &[InstId],
        value: InstId,
    ) -> Result<(), JitError> {
        let elem = self.func.vars[array].ty.elem();
        // The value is checked before the indices only for its type; the
        // bounds checks come first at run time, as in the interpreter.
        let value = self.typed_operand(inst, value, elem)?;
        let address = self.element_address(inst, array, indices)?;
        let value = match elem {
            ScalarType::Bool => self.builder.ins().uextend(types::I64, value),
            ScalarType::Real | ScalarType::Int => value,
        };
        let _ = self.builder.ins().store(trusted(), value, address, 0);
        Ok(())
    }

    fn translate_unary(
        &mut self,
        inst: InstId,
        op: UnaryOp,
        operand: InstId,
    ) -> Result<Value, JitError> {
        let (value, ty) = self.operand(inst, operand)?;
        // exp, log, sigmoid, softplus, tanh and the families' CDFs and
        // densities: the kernels the interpreter evaluates, emitted inline.
        if ty == ScalarType::Real
            && let Some(kernel) = crate::runtime::kernels::Kernel::of_unary(op)
        {
            return Ok(inline_math::emit(&mut self.builder, kernel, value));
        }
        Ok(match (op, ty) {
            (UnaryOp::Neg, ScalarType::Real) => self.builder.ins().fneg(value),
            (UnaryOp::Neg, ScalarType::Int) => self.builder.ins().ineg(value),
            (UnaryOp::Not, ScalarType::Bool) => self.builder.ins().bxor_imm_u(value, 1),
            (UnaryOp::Sqrt, ScalarType::Real) => self.builder.ins().sqrt(value),
            (UnaryOp::Sin, ScalarType::Real) => self.call_math(helpers::SIN, value)?,
            (UnaryOp::Cos, ScalarType::Real) => self.call_math(helpers::COS, value)?,
            (UnaryOp::Floor, ScalarType::Real) => {
                let floor = self.builder.ins().floor(value);
                self.builder.ins().fcvt_to_sint_sat(types::I64, floor)
            }
            (UnaryOp::Ceil, ScalarType::Real) => {
                let ceil = self.builder.ins().ceil(value);
                self.builder.ins().fcvt_to_sint_sat(types::I64, ceil)
            }
            (UnaryOp::Round, ScalarType::Real) => self.translate_round(value),
            (UnaryOp::ToReal, ScalarType::Int) => {
                self.builder.ins().fcvt_from_sint(types::F64, value)
            }
            (UnaryOp::ToReal, ScalarType::Bool) => {
                let wide = self.builder.ins().uextend(types::I64, value);
                self.builder.ins().fcvt_from_sint(types::F64, wide)
            }
            (op, ty) => {
                return Err(self.malformed(
                    inst,
                    IrFault::Operation {
                        op: format!("{op:?}"),
                        ty,
                    },
                ));
            }
        })
    }

    fn translate_binary(
        &mut self,
        inst: InstId,
        op: BinaryOp,
        lhs: InstId,
        rhs: InstId,
    ) -> Result<Value, JitError> {
        let (a, ty) = self.operand(inst, lhs)?;
        let b = self.typed_operand(inst, rhs, ty)?;
        let unsupported = |translator: &Self| {
            translator.malformed(
                inst,
                IrFault::Operation {
                    op: format!("{op:?}"),
                    ty,
                },
            )
        };
        Ok(match ty {
            ScalarType::Real => match op {
                BinaryOp::Pow => self.call_math2(helpers::POW, a, b)?,
                BinaryOp::Add => self.builder.ins().fadd(a, b),
                BinaryOp::Sub => self.builder.ins().fsub(a, b),
                BinaryOp::Mul => self.builder.ins().fmul(a, b),
                BinaryOp::Div => self.builder.ins().fdiv(a, b),
                BinaryOp::Lt => self.builder.ins().fcmp(FloatCC::LessThan, a, b),
                BinaryOp::Le => self.builder.ins().fcmp(FloatCC::LessThanOrEqual, a, b),
                BinaryOp::Gt => self.builder.ins().fcmp(FloatCC::GreaterThan, a, b),
                BinaryOp::Ge => self.builder.ins().fcmp(FloatCC::GreaterThanOrEqual, a, b),
                BinaryOp::Eq => self.builder.ins().fcmp(FloatCC::Equal, a, b),
                // `NotEqual` is "unordered or not equal": true on NaN.
                BinaryOp::Ne => self.builder.ins().fcmp(FloatCC::NotEqual, a, b),
                BinaryOp::Rem | BinaryOp::And | BinaryOp::Or => return Err(unsupported(self)),
            },
            ScalarType::Int => match op {
                BinaryOp::Add => self.builder.ins().iadd(a, b),
                BinaryOp::Sub => self.builder.ins().isub(a, b),
                BinaryOp::Mul => self.builder.ins().imul(a, b),
                BinaryOp::Div | BinaryOp::Rem => self.translate_int_division(inst, op, a, b),
                BinaryOp::Lt => self.builder.ins().icmp(IntCC::SignedLessThan, a, b),
                BinaryOp::Le => self.builder.ins().icmp(IntCC::SignedLessThanOrEqual, a, b),
                BinaryOp::Gt => self.builder.ins().icmp(IntCC::SignedGreaterThan, a, b),
                BinaryOp::Ge => self
                    .builder
                    .ins()
                    .icmp(IntCC::SignedGreaterThanOrEqual, a, b),
                BinaryOp::Eq => self.builder.ins().icmp(IntCC::Equal, a, b),
                BinaryOp::Ne => self.builder.ins().icmp(IntCC::NotEqual, a, b),
                BinaryOp::Pow | BinaryOp::And | BinaryOp::Or => return Err(unsupported(self)),
            },
            ScalarType::Bool => match op {
                BinaryOp::And => self.builder.ins().band(a, b),
                BinaryOp::Or => self.builder.ins().bor(a, b),
                // Bools are 0/1, ordered as false < true.
                BinaryOp::Lt => self.builder.ins().icmp(IntCC::UnsignedLessThan, a, b),
                BinaryOp::Le => self
                    .builder
                    .ins()
                    .icmp(IntCC::UnsignedLessThanOrEqual, a, b),
                BinaryOp::Gt => self.builder.ins().icmp(IntCC::UnsignedGreaterThan, a, b),
                BinaryOp::Ge => self
                    .builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThanOrEqual, a, b),
                BinaryOp::Eq => self.builder.ins().icmp(IntCC::Equal, a, b),
                BinaryOp::Ne => self.builder.ins().icmp(IntCC::NotEqual, a, b),
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Rem
                | BinaryOp::Pow => {
                    return Err(unsupported(self));
                }
            },
        })
    }

    /// Int `Div`/`Rem`. A zero divisor is a fault. Cranelift's `sdiv` and
    /// `srem` trap on `i64::MIN / -1`, so a divisor of -1 is replaced by 1
    /// and the result fixed up: `a / -1 == -a` (wrapping) and `a % -1 == 0`.
    fn translate_int_division(&mut self, inst: InstId, op: BinaryOp, a: Value, b: Value) -> Value {
        let is_zero = self.builder.ins().icmp_imm_s(IntCC::Equal, b, 0);
        let fault = self.fault_block(DIVISION_BY_ZERO);
        let nonzero = self.builder.create_block();
        let inst_value = self.builder.ins().iconst(types::I64, inst.index() as i64);
        let _ = self
            .builder
            .ins()
            .brif(is_zero, fault, &[inst_value.into()], nonzero, &[]);
        self.builder.seal_block(nonzero);
        self.builder.switch_to_block(nonzero);

        let is_minus_one = self.builder.ins().icmp_imm_s(IntCC::Equal, b, -1);
        let one = self.builder.ins().iconst(types::I64, 1);
        let safe_divisor = self.builder.ins().select(is_minus_one, one, b);
        if op == BinaryOp::Div {
            let quotient = self.builder.ins().sdiv(a, safe_divisor);
            let negated = self.builder.ins().ineg(a);
            self.builder.ins().select(is_minus_one, negated, quotient)
        } else {
            let remainder = self.builder.ins().srem(a, safe_divisor);
            let zero = self.builder.ins().iconst(types::I64, 0);
            self.builder.ins().select(is_minus_one, zero, remainder)
        }
    }

    /// `Round`: halves away from zero, as Rust's `f64::round`, then to an
    /// int saturating as `as i64` does. Cranelift's `nearest` rounds ties
    /// to even, so the rounding is built from `trunc`: `x - trunc(x)` is
    /// exact, and when its magnitude is at least one half the result moves
    /// one away from zero (exact too: such an `x` is below 2^52 in
    /// magnitude). Infinities and NaN pass through `trunc` unchanged (the
    /// difference is NaN, so no adjustment) and saturate or give 0.
    fn translate_round(&mut self, x: Value) -> Value {
        let truncated = self.builder.ins().trunc(x);
        let fraction = self.builder.ins().fsub(x, truncated);
        let magnitude = self.builder.ins().fabs(fraction);
        let half = self.builder.ins().f64const(0.5);
        let away = self
            .builder
            .ins()
            .fcmp(FloatCC::GreaterThanOrEqual, magnitude, half);
        let one = self.builder.ins().f64const(1.0);
        let step = self.builder.ins().fcopysign(one, x);
        let adjusted = self.builder.ins().fadd(truncated, step);
        let rounded = self.builder.ins().select(away, adjusted, truncated);
        self.builder.ins().fcvt_to_sint_sat(types::I64, rounded)
    }

    /// `cond ? then : otherwise`, both already computed, of one type.
    fn translate_select(
        &mut self,
        inst: InstId,
        cond: InstId,
        then: InstId,
        otherwise: InstId,
    ) -> Result<Value, JitError> {
        let cond = self.typed_operand(inst, cond, ScalarType::Bool)?;
        let (then, ty) = self.operand(inst, then)?;
        let otherwise = self.typed_operand(inst, otherwise, ty)?;
        Ok(self.builder.ins().select(cond, then, otherwise))
    }

    /// A `while` loop. The header reads the flag variable and leaves when it
    /// is false. With a bound, the header also carries the number of
    /// iterations done so far, and finding the flag set after `bound` of
    /// them exits through the loop-bound fault block.
    fn translate_loop(
        &mut self,
        inst: InstId,
        flag: VarId,
        body: BlockId,
        bound: Option<i64>,
    ) -> Result<(), JitError> {
        let flag_variable = self.variable(inst, flag)?;
        if self.func.vars[flag].ty.elem() != ScalarType::Bool {
            return Err(self.malformed(inst, IrFault::FlagType { var: flag }));
        }
        let header = self.builder.create_block();
        let body_clif = self.builder.create_block();
        let exit = self.builder.create_block();
        let done = match bound {
            Some(_) => {
                let done = self.builder.append_block_param(header, types::I64);
                let zero = self.builder.ins().iconst(types::I64, 0);
                let _ = self.builder.ins().jump(header, &[zero.into()]);
                Some(done)
            }
            None => {
                let _ = self.builder.ins().jump(header, &[]);
                None
            }
        };

        self.builder.switch_to_block(header);
        let more = self.builder.use_var(flag_variable);
        match bound.zip(done) {
            Some((bound, done)) => {
                let check = self.builder.create_block();
                let _ = self.builder.ins().brif(more, check, &[], exit, &[]);
                self.builder.seal_block(check);
                self.builder.switch_to_block(check);
                let over =
                    self.builder
                        .ins()
                        .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, done, bound);
                let fault = self.fault_block(LOOP_BOUND);
                let inst_value = self.builder.ins().iconst(types::I64, inst.index() as i64);
                let bound_value = self.builder.ins().iconst(types::I64, bound);
                let _ = self.builder.ins().brif(
                    over,
                    fault,
                    &[inst_value.into(), bound_value.into()],
                    body_clif,
                    &[],
                );
            }
            None => {
                let _ = self.builder.ins().brif(more, body_clif, &[], exit, &[]);
            }
        }
        self.builder.seal_block(body_clif);
        self.builder.seal_block(exit);

        self.builder.switch_to_block(body_clif);
        self.forget_dead_at_body_entry(inst);
        self.translate_block(body)?;
        match done {
            Some(done) => {
                let next = self.builder.ins().iadd_imm_s(done, 1);
                let _ = self.builder.ins().jump(header, &[next.into()]);
            }
            None => {
                let _ = self.builder.ins().jump(header, &[]);
            }
        }
        // Sealed only now: the back edge is its last predecessor.
        self.builder.seal_block(header);

        self.builder.switch_to_block(exit);
        self.forget_dead_at_exit(inst);
        Ok(())
    }

    fn translate_if(
        &mut self,
        inst: InstId,
        cond: InstId,
        then_block: BlockId,
        else_block: BlockId,
    ) -> Result<(), JitError> {
        let cond = self.typed_operand(inst, cond, ScalarType::Bool)?;
        let then_clif = self.builder.create_block();
        let else_clif = self.builder.create_block();
        let merge = self.builder.create_block();
        let _ = self
            .builder
            .ins()
            .brif(cond, then_clif, &[], else_clif, &[]);
        self.builder.seal_block(then_clif);
        self.builder.seal_block(else_clif);

        self.builder.switch_to_block(then_clif);
        self.translate_block(then_block)?;
        let _ = self.builder.ins().jump(merge, &[]);

        self.builder.switch_to_block(else_clif);
        self.translate_block(else_block)?;
        let _ = self.builder.ins().jump(merge, &[]);

        self.builder.seal_block(merge);
        self.builder.switch_to_block(merge);
        Ok(())
    }
}

/// The zeros of `FunctionTranslator::dead_values`.
struct DeadValues {
    real: Value,
    int: Value,
    bool: Value,
}

impl FunctionTranslator<'_> {
    /// At the start of the body of the loop `inst` (before a `For` sets
    /// its counter), forgets the variables the loop writes that the body
    /// does not read before writing them again.
    pub(in crate::jit) fn forget_dead_at_body_entry(&mut self, inst: InstId) {
        let dead = self.liveness.dead_at_body_entry(inst);
        self.forget_dead(&dead);
    }

    /// Right after the loop `inst`, forgets the variables it writes that
    /// nothing after it reads before writing them again.
    pub(in crate::jit) fn forget_dead_at_exit(&mut self, inst: InstId) {
        let dead = self.liveness.dead_at_exit(inst);
        self.forget_dead(&dead);
    }

    /// Gives each of `dead` a zero defined at entry. Without it,
    /// cranelift-frontend would find the value a loop's last iteration
    /// left and thread it through the loop's header as a block parameter,
    /// although nothing reads it (`ir::liveness`). The zero is never read
    /// either, so the code computes what it did before.
    fn forget_dead(&mut self, dead: &[VarId]) {
        for &var in dead {
            let Some(variable) = self.variables[var] else {
                continue;
            };
            let zero = match self.func.vars[var].ty.elem() {
                ScalarType::Real => self.dead_values.real,
                ScalarType::Int => self.dead_values.int,
                ScalarType::Bool => self.dead_values.bool,
            };
            self.builder.def_var(variable, zero);
        }
    }
}

/// The byte offset of slot `index` of an 8-byte table.
fn slot_offset(index: usize) -> i32 {
    i32::try_from(index as i64 * SLOT_BYTES).expect("fewer than 2^28 variables and sizes")
}
