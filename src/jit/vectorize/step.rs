//! One vector step: two iterations of a parallel loop's body, lane 0 the
//! earlier one.
//!
//! [`VectorStep::precheck`] computes every uniform value (once) and every
//! index value (per lane) and checks, before anything is written, every
//! index of both lanes against its extent and every window check of the
//! analysis; its result tells the caller to run the step's iterations as
//! scalar code instead. [`VectorStep::body`] then runs the body with no
//! check: reals on `f64x2`, bools from real comparisons as `i64x2` masks,
//! ints as one scalar per lane, and any operation with no vector form
//! lane by lane through the scalar translation itself (so each lane
//! computes bit for bit what the scalar code computes).

use super::kernels::VectorEmitter;
use super::lanes::{LANE_COUNT, Lanes, REALS, packed_reals, swap};
use crate::ir::parallel::affine::Affine;
use crate::ir::parallel::{ParallelLoop, Variation};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, Size, UnaryOp, VarId, VarType};
use crate::jit::JitError;
use crate::jit::abi::SLOT_BYTES;
use crate::jit::translate::loops::ForLoop;
use crate::jit::translate::tape_cursor::StackKind;
use crate::jit::translate::{FunctionTranslator, trusted};
use crate::runtime::kernels;
use cranelift::prelude::*;
use cranelift_codegen::ir::BlockArg;
use std::collections::{HashMap, HashSet};

/// Memory flags of a 16-byte access to 8-byte aligned elements that were
/// checked in bounds: never trapping, not 16-byte aligned.
fn unaligned() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The state of one vector step's translation.
pub(super) struct VectorStep<'t, 'a> {
    t: &'t mut FunctionTranslator<'a>,
    parallel: &'t ParallelLoop,
    for_loop: ForLoop,
    /// The counter of each lane, per group of lanes: group `g`'s lane `l`
    /// runs the `(g * LANE_COUNT + l)`-th iteration of the step.
    counters: Vec<[Value; LANE_COUNT]>,
    /// The group being emitted.
    group: usize,
    /// The lanes of each value computed so far, per group.
    lanes: HashMap<(InstId, usize), Lanes>,
}

impl<'t, 'a> VectorStep<'t, 'a> {
    pub(super) fn new(
        t: &'t mut FunctionTranslator<'a>,
        parallel: &'t ParallelLoop,
        for_loop: ForLoop,
        counters: Vec<[Value; LANE_COUNT]>,
    ) -> VectorStep<'t, 'a> {
        VectorStep {
            t,
            parallel,
            for_loop,
            counters,
            group: 0,
            lanes: HashMap::new(),
        }
    }

    /// The position of lane `lane` of the current group among the step's
    /// iterations (its lane for the tape cursor).
    fn iteration(&self, lane: usize) -> i64 {
        (self.group * LANE_COUNT + lane) as i64
    }

    fn set(&mut self, inst: InstId, value: Lanes) {
        let _ = self.lanes.insert((inst, self.group), value);
    }

    fn body_insts(&self) -> &'a [InstId] {
        let func = self.t.func;
        &func.blocks[self.for_loop.body].insts
    }

    fn ty(&self, value: InstId) -> ScalarType {
        self.t.func.types[value].expect("a value has a type")
    }

    fn lanes_of(&self, value: InstId) -> Lanes {
        self.lanes[&(value, self.group)]
    }

    /// Computes the uniform and index values and checks every index of the
    /// step and every window check: on a failure jumps to `fallback` with
    /// `arguments`, else continues in a new block, where the body goes.
    pub(super) fn precheck(
        &mut self,
        fallback: Block,
        arguments: &[Value],
    ) -> Result<(), JitError> {
        let func = self.t.func;
        for &inst in self.body_insts() {
            match self.parallel.variation.get(&inst) {
                Some(Variation::Uniform) => {
                    self.group = 0;
                    let value = self.uniform(inst)?;
                    for group in 0..self.counters.len() {
                        let _ = self.lanes.insert((inst, group), value);
                    }
                }
                Some(Variation::Index) => {
                    for group in 0..self.counters.len() {
                        self.group = group;
                        let value = self.index(inst)?;
                        self.set(inst, value);
                    }
                    if let Inst::Pop(_) = func.insts[inst] {
                        self.t.advance_tape_cursor(StackKind::Ints);
                    }
                }
                Some(Variation::Varying) | None => {}
            }
        }
        let mut failed = self.t.builder.ins().iconst(types::I8, 0);
        for check in self.bounds_checks() {
            failed = self.t.builder.ins().bor(failed, check);
        }
        for check in self.window_checks() {
            failed = self.t.builder.ins().bor(failed, check);
        }
        let body = self.t.builder.create_block();
        let arguments: Vec<BlockArg> = arguments.iter().map(|value| (*value).into()).collect();
        let _ = self
            .t
            .builder
            .ins()
            .brif(failed, fallback, &arguments, body, &[]);
        self.t.builder.seal_block(body);
        self.t.builder.switch_to_block(body);
        Ok(())
    }

    /// A uniform value, computed once as the scalar code computes it.
    fn uniform(&mut self, inst: InstId) -> Result<Lanes, JitError> {
        if let Some(Some(value)) = self.parallel.forwarded.get(&inst) {
            return Ok(self.lanes_of(*value));
        }
        let value = self.scalar(inst, 0)?;
        Ok(Lanes::Uniform(value))
    }

    /// An index value: one scalar per lane.
    fn index(&mut self, inst: InstId) -> Result<Lanes, JitError> {
        let func = self.t.func;
        match (&func.insts[inst], self.parallel.forwarded.get(&inst)) {
            (Inst::Read(_), Some(None)) => return Ok(Lanes::Scalars(self.counters[self.group])),
            (Inst::Read(_), Some(Some(value))) => return Ok(self.lanes_of(*value)),
            (Inst::Pop(ty), _) => {
                let ty = *ty;
                let words: [Value; LANE_COUNT] = std::array::from_fn(|lane| {
                    let iteration = self.iteration(lane);
                    let word = self.t.load_at_cursor(StackKind::Ints, iteration);
                    match ty {
                        ScalarType::Bool => {
                            self.t.builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0)
                        }
                        ScalarType::Int | ScalarType::Real => word,
                    }
                });
                return Ok(Lanes::Scalars(words));
            }
            _ => {}
        }
        let mut values = [None; LANE_COUNT];
        for (lane, slot) in values.iter_mut().enumerate() {
            *slot = Some(self.scalar(inst, lane)?);
        }
        Ok(Lanes::Scalars(values.map(|value| value.expect("computed"))))
    }

    /// Lane `lane` of `inst` computed by the scalar translation, with the
    /// operands bound to their lane's scalars. An int division here is by a
    /// nonzero constant (the analysis allows no other), so it cannot fault.
    fn scalar(&mut self, inst: InstId, lane: usize) -> Result<Value, JitError> {
        let func = self.t.func;
        let operands = func.insts[inst].operands();
        if let Inst::Binary(op @ (BinaryOp::Div | BinaryOp::Rem), lhs, rhs) = &func.insts[inst]
            && let Inst::Int(divisor) = func.insts[*rhs]
            && self.ty(inst) == ScalarType::Int
        {
            let dividend = self
                .lanes_of(*lhs)
                .lane(&mut self.t.builder, ScalarType::Int, lane);
            return Ok(divide_by_constant(
                &mut self.t.builder,
                *op,
                dividend,
                divisor,
            ));
        }
        for &operand in &operands {
            let ty = self.ty(operand);
            let value = self.lanes_of(operand).lane(&mut self.t.builder, ty, lane);
            self.t.values[operand] = Some(value);
        }
        let result = self.t.translate_inst(inst);
        for &operand in &operands {
            self.t.values[operand] = None;
        }
        Ok(result?.expect("a value-producing instruction"))
    }

    /// The bounds checks of the step: `index >= extent` (unsigned) for
    /// the indices of both lanes, with three savings. An index the
    /// analysis checks against its iteration's window needs no bounds
    /// check in that dimension (the window lies between two checked
    /// indices). Indices with the same affine form up to the constant
    /// (same extent) take values `v + k` for known constants `k` in both
    /// lanes, so checking the smallest and the largest covers them all.
    /// Everything else is checked once per distinct index and extent.
    fn bounds_checks(&mut self) -> Vec<Value> {
        let func = self.t.func;
        let covered: HashSet<(Size, InstId)> = self
            .parallel
            .window_checks
            .iter()
            // An index outside the windows is not between checked ones.
            .filter(|check| !check.outside)
            .filter_map(|check| match &func.vars[check.array].ty {
                VarType::Array { dims, .. } => Some((dims[check.dim], check.index)),
                VarType::Scalar(_) => None,
            })
            .collect();
        let mut seen = HashSet::new();
        let mut groups: Vec<BoundsGroup> = Vec::new();
        let mut singles = Vec::new();
        // Lane 1's counter is lane 0's plus this.
        let step = if self.for_loop.reverse { -1 } else { 1 };
        let iterations = self.counters.len() * LANE_COUNT;
        for &inst in self.body_insts() {
            let (Inst::Load { array, indices } | Inst::Store { array, indices, .. }) =
                &func.insts[inst]
            else {
                continue;
            };
            let VarType::Array { dims, .. } = &func.vars[*array].ty else {
                continue;
            };
            for (&size, &index) in dims.iter().zip(indices) {
                if covered.contains(&(size, index)) || !seen.insert((size, index)) {
                    continue;
                }
                let Some(form) = self.parallel.forms.get(&index) else {
                    singles.push((size, index));
                    continue;
                };
                let base = Affine {
                    constant: 0,
                    ..form.clone()
                };
                let members = (0..iterations).map(|iteration| {
                    let shift = i128::from(form.counter) * step * iteration as i128;
                    BoundsMember {
                        offset: i128::from(form.constant) + shift,
                        index,
                        iteration,
                    }
                });
                match groups
                    .iter_mut()
                    .find(|group| group.size == size && group.base == base)
                {
                    Some(group) => group.members.extend(members),
                    None => groups.push(BoundsGroup {
                        size,
                        base,
                        members: members.collect(),
                    }),
                }
            }
        }
        let mut checks = Vec::new();
        for BoundsGroup { size, members, .. } in groups {
            let low = *members
                .iter()
                .min_by_key(|member| member.offset)
                .expect("a member");
            let high = *members
                .iter()
                .max_by_key(|member| member.offset)
                .expect("a member");
            let ends = if high.offset - low.offset < 1 << 62 {
                vec![low, high]
            } else {
                members
            };
            let (_, checked) = self.t.size_value(size);
            for BoundsMember {
                index, iteration, ..
            } in ends
            {
                self.group = iteration / LANE_COUNT;
                let value = self.lanes_of(index).lane(
                    &mut self.t.builder,
                    ScalarType::Int,
                    iteration % LANE_COUNT,
                );
                checks.push(self.out_of_bounds(value, checked));
            }
        }
        for (size, index) in singles {
            let (_, checked) = self.t.size_value(size);
            for group in 0..self.counters.len() {
                self.group = group;
                let lanes = self.lanes_of(index);
                if group > 0 && matches!(lanes, Lanes::Uniform(_)) {
                    break;
                }
                let count = if matches!(lanes, Lanes::Uniform(_)) {
                    1
                } else {
                    LANE_COUNT
                };
                for lane in 0..count {
                    let value = lanes.lane(&mut self.t.builder, ScalarType::Int, lane);
                    checks.push(self.out_of_bounds(value, checked));
                }
            }
        }
        checks
    }

    /// `value >= checked` as unsigned numbers: out of bounds (negative
    /// indices included, `checked` is never negative).
    fn out_of_bounds(&mut self, value: Value, checked: Value) -> Value {
        self.t
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, value, checked)
    }

    /// The failures of the analysis's window checks, per lane: an index
    /// outside its lane's window, or (`outside`) one inside any lane's.
    fn window_checks(&mut self) -> Vec<Value> {
        let mut checks = Vec::new();
        for check in &self.parallel.window_checks {
            let width = check.max_offset - check.min_offset;
            let shift = check.reference_offset - check.min_offset;
            for (group, lane) in (0..self.counters.len())
                .flat_map(|group| (0..LANE_COUNT).map(move |lane| (group, lane)))
            {
                self.group = group;
                let index =
                    self.lanes_of(check.index)
                        .lane(&mut self.t.builder, ScalarType::Int, lane);
                let reference =
                    self.lanes_of(check.reference)
                        .lane(&mut self.t.builder, ScalarType::Int, lane);
                let distance = self.t.builder.ins().isub(index, reference);
                let distance = self.t.builder.ins().iadd_imm_s(distance, shift);
                // Inside the lane's window is `0 <= distance <= width`.
                let fails_when = if check.outside {
                    IntCC::UnsignedLessThanOrEqual
                } else {
                    IntCC::UnsignedGreaterThan
                };
                checks.push(self.t.builder.ins().icmp_imm_u(fails_when, distance, width));
            }
        }
        checks
    }

    /// The body, with no check: loads, stores, pushes, pops and the values
    /// that vary per lane, in order. Ends by giving the counter and every
    /// written variable lane 1's value, as after the later iteration.
    pub(super) fn body(&mut self) -> Result<(), JitError> {
        let func = self.t.func;
        for &inst in self.body_insts() {
            // Group by group at each instruction: the groups' iterations
            // are independent too, and their operations interleave.
            for group in 0..self.counters.len() {
                self.group = group;
                match &func.insts[inst] {
                    Inst::Store {
                        array,
                        indices,
                        value,
                    } => self.store(inst, *array, indices, *value),
                    Inst::Push(value) => self.push(*value),
                    Inst::Write { .. } => {}
                    _ if self.parallel.variation.get(&inst) == Some(&Variation::Varying) => {
                        let value = self.varying(inst)?;
                        self.set(inst, value);
                    }
                    _ => {}
                }
            }
            match &func.insts[inst] {
                Inst::Push(value) => {
                    let stack = StackKind::of(self.ty(*value));
                    self.t.advance_tape_cursor(stack);
                }
                Inst::Pop(ScalarType::Real) => self.t.advance_tape_cursor(StackKind::Reals),
                _ => {}
            }
        }
        let last = LANE_COUNT - 1;
        self.group = self.counters.len() - 1;
        self.t
            .builder
            .def_var(self.for_loop.counter, self.counters[self.group][last]);
        for &(var, value) in &self.parallel.written {
            let ty = self.ty(value);
            let scalar = self.lanes_of(value).lane(&mut self.t.builder, ty, last);
            let variable = self.t.variables[var].expect("a written variable is a scalar");
            self.t.builder.def_var(variable, scalar);
        }
        Ok(())
    }

    /// A value that varies per lane.
    fn varying(&mut self, inst: InstId) -> Result<Lanes, JitError> {
        let func = self.t.func;
        Ok(match &func.insts[inst] {
            Inst::Read(_) | Inst::StopGradient(_) => match self.parallel.forwarded.get(&inst) {
                Some(Some(value)) => self.lanes_of(*value),
                _ => {
                    let Inst::StopGradient(value) = &func.insts[inst] else {
                        unreachable!("a varying read is forwarded");
                    };
                    self.lanes_of(*value)
                }
            },
            Inst::Load { array, indices } => self.load(inst, *array, indices),
            Inst::Pop(_) => {
                let words: [Value; LANE_COUNT] = std::array::from_fn(|lane| {
                    let iteration = self.iteration(lane);
                    self.t.load_at_cursor(StackKind::Reals, iteration)
                });
                packed_reals(&mut self.t.builder, words)
            }
            Inst::Unary(op, operand) => match self.vector_unary(*op, *operand) {
                Some(value) => value,
                None => self.per_lane(inst)?,
            },
            Inst::Binary(op, lhs, rhs) => match self.vector_binary(*op, *lhs, *rhs) {
                Some(value) => value,
                None => self.per_lane(inst)?,
            },
            Inst::Select {
                cond,
                then,
                otherwise,
            } if self.ty(inst) == ScalarType::Real => {
                let mask = self.lanes_of(*cond).mask(&mut self.t.builder);
                let then = self.lanes_of(*then).reals(&mut self.t.builder);
                let otherwise = self.lanes_of(*otherwise).reals(&mut self.t.builder);
                let mut emitter = VectorEmitter {
                    builder: &mut self.t.builder,
                };
                Lanes::Reals(kernels::Arithmetic::select(
                    &mut emitter,
                    mask,
                    then,
                    otherwise,
                ))
            }
            _ => self.per_lane(inst)?,
        })
    }

    /// `op` on reals or masks as one vector operation, when it has one.
    fn vector_unary(&mut self, op: UnaryOp, operand: InstId) -> Option<Lanes> {
        let lanes = self.lanes_of(operand);
        let ty = self.ty(operand);
        let builder = &mut self.t.builder;
        match (op, ty) {
            (UnaryOp::Not, ScalarType::Bool) => match lanes {
                Lanes::Mask(mask) => Some(Lanes::Mask(builder.ins().bnot(mask))),
                _ => None,
            },
            (UnaryOp::Neg, ScalarType::Real) => {
                let x = lanes.reals(builder);
                Some(Lanes::Reals(builder.ins().fneg(x)))
            }
            (UnaryOp::Sqrt, ScalarType::Real) => {
                let x = lanes.reals(builder);
                Some(Lanes::Reals(builder.ins().sqrt(x)))
            }
            (op, ScalarType::Real) => {
                // Every math kernel of the scalar code, on both lanes.
                let kernel = kernels::Kernel::of_unary(op)?;
                let x = lanes.reals(builder);
                let mut emitter = VectorEmitter { builder };
                Some(Lanes::Reals(kernel.apply(&mut emitter, x)))
            }
            _ => None,
        }
    }

    /// `op` on reals (or on masks) as one vector operation, when it has
    /// one.
    fn vector_binary(&mut self, op: BinaryOp, lhs: InstId, rhs: InstId) -> Option<Lanes> {
        let (a, b) = (self.lanes_of(lhs), self.lanes_of(rhs));
        let builder = &mut self.t.builder;
        match self.t.func.types[lhs]? {
            ScalarType::Real => {
                let cc = match op {
                    BinaryOp::Lt => Some(FloatCC::LessThan),
                    BinaryOp::Le => Some(FloatCC::LessThanOrEqual),
                    BinaryOp::Gt => Some(FloatCC::GreaterThan),
                    BinaryOp::Ge => Some(FloatCC::GreaterThanOrEqual),
                    BinaryOp::Eq => Some(FloatCC::Equal),
                    // Unordered or not equal: true on NaN, as the scalar code.
                    BinaryOp::Ne => Some(FloatCC::NotEqual),
                    _ => None,
                };
                if let Some(cc) = cc {
                    let (x, y) = (a.reals(builder), b.reals(builder));
                    return Some(Lanes::Mask(builder.ins().fcmp(cc, x, y)));
                }
                let arithmetic = match op {
                    BinaryOp::Add => InstBuilder::fadd,
                    BinaryOp::Sub => InstBuilder::fsub,
                    BinaryOp::Mul => InstBuilder::fmul,
                    BinaryOp::Div => InstBuilder::fdiv,
                    _ => return None,
                };
                let (x, y) = (a.reals(builder), b.reals(builder));
                Some(Lanes::Reals(arithmetic(builder.ins(), x, y)))
            }
            ScalarType::Bool if matches!(a, Lanes::Mask(_)) || matches!(b, Lanes::Mask(_)) => {
                let (x, y) = (a.mask(builder), b.mask(builder));
                Some(Lanes::Mask(match op {
                    BinaryOp::And => builder.ins().band(x, y),
                    BinaryOp::Or => builder.ins().bor(x, y),
                    BinaryOp::Eq => builder.ins().icmp(IntCC::Equal, x, y),
                    BinaryOp::Ne => builder.ins().icmp(IntCC::NotEqual, x, y),
                    _ => return None,
                }))
            }
            ScalarType::Int | ScalarType::Bool => None,
        }
    }

    /// `inst` lane by lane through the scalar translation.
    fn per_lane(&mut self, inst: InstId) -> Result<Lanes, JitError> {
        let mut values = [None; LANE_COUNT];
        for (lane, slot) in values.iter_mut().enumerate() {
            *slot = Some(self.scalar(inst, lane)?);
        }
        let values = values.map(|value| value.expect("computed"));
        Ok(match self.ty(inst) {
            ScalarType::Real => packed_reals(&mut self.t.builder, values),
            ScalarType::Int | ScalarType::Bool => Lanes::Scalars(values),
        })
    }

    /// The address of lane `lane`'s element (its indices checked by the
    /// precheck).
    fn address(&mut self, array: VarId, indices: &[InstId], lane: usize) -> Value {
        let func = self.t.func;
        let VarType::Array { dims, .. } = &func.vars[array].ty else {
            unreachable!("the analysis accepts element accesses only");
        };
        let base = self.t.array_base(array).expect("an array has storage");
        let mut flat = None;
        for (&size, &index) in dims.iter().zip(indices) {
            let index = self
                .lanes_of(index)
                .lane(&mut self.t.builder, ScalarType::Int, lane);
            let (_, checked) = self.t.size_value(size);
            flat = Some(match flat {
                None => index,
                Some(flat) => {
                    let scaled = self.t.builder.ins().imul(flat, checked);
                    self.t.builder.ins().iadd(scaled, index)
                }
            });
        }
        let offset = match flat {
            Some(flat) => self.t.builder.ins().imul_imm_s(flat, SLOT_BYTES),
            None => self.t.builder.ins().iconst(types::I64, 0),
        };
        let offset = self.t.pointer_from_i64(offset);
        self.t.builder.ins().iadd(base, offset)
    }

    fn load(&mut self, inst: InstId, array: VarId, indices: &[InstId]) -> Lanes {
        let elem = self.t.func.vars[array].ty.elem();
        let delta = self.parallel.accesses[&inst].lane_delta;
        if elem == ScalarType::Real
            && let Some(first @ (0 | 1)) = adjacent_first_lane(delta)
        {
            let address = self.address(array, indices, first);
            let vector = self.t.builder.ins().load(REALS, unaligned(), address, 0);
            return Lanes::Reals(if first == 0 {
                vector
            } else {
                swap(&mut self.t.builder, vector)
            });
        }
        let words: [Value; LANE_COUNT] = std::array::from_fn(|lane| {
            let address = self.address(array, indices, lane);
            let ty = match elem {
                ScalarType::Real => types::F64,
                ScalarType::Int | ScalarType::Bool => types::I64,
            };
            self.t.builder.ins().load(ty, trusted(), address, 0)
        });
        match elem {
            ScalarType::Real => packed_reals(&mut self.t.builder, words),
            ScalarType::Int => Lanes::Scalars(words),
            ScalarType::Bool => Lanes::Scalars(
                words.map(|word| self.t.builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0)),
            ),
        }
    }

    fn store(&mut self, inst: InstId, array: VarId, indices: &[InstId], value: InstId) {
        let elem = self.t.func.vars[array].ty.elem();
        let lanes = self.lanes_of(value);
        let delta = self.parallel.accesses[&inst].lane_delta;
        if elem == ScalarType::Real
            && let Some(first @ (0 | 1)) = adjacent_first_lane(delta)
        {
            let vector = lanes.reals(&mut self.t.builder);
            let vector = if first == 0 {
                vector
            } else {
                swap(&mut self.t.builder, vector)
            };
            let address = self.address(array, indices, first);
            let _ = self.t.builder.ins().store(unaligned(), vector, address, 0);
            return;
        }
        for lane in 0..LANE_COUNT {
            let scalar = lanes.lane(&mut self.t.builder, elem, lane);
            let word = match elem {
                ScalarType::Bool => self.t.builder.ins().uextend(types::I64, scalar),
                ScalarType::Real | ScalarType::Int => scalar,
            };
            let address = self.address(array, indices, lane);
            let _ = self.t.builder.ins().store(trusted(), word, address, 0);
        }
    }

    /// Both lanes' push of `value`, at their slots of the step's cursor
    /// (which moves on once every group has pushed).
    fn push(&mut self, value: InstId) {
        let ty = self.ty(value);
        let lanes = self.lanes_of(value);
        let stack = StackKind::of(ty);
        for lane in 0..LANE_COUNT {
            let scalar = lanes.lane(&mut self.t.builder, ty, lane);
            let word = match ty {
                ScalarType::Bool => self.t.builder.ins().uextend(types::I64, scalar),
                ScalarType::Real | ScalarType::Int => scalar,
            };
            let iteration = self.iteration(lane);
            let (top, offset) = self.t.tape_cursor_slot(stack, iteration);
            let _ = self.t.builder.ins().store(trusted(), word, top, offset);
        }
    }
}

/// Indices of one extent whose affine forms differ only in the constant:
/// their values in the step's iterations are `v + offset` for one `v`.
struct BoundsGroup {
    size: Size,
    /// The common form, with constant 0.
    base: Affine,
    members: Vec<BoundsMember>,
}

/// One index of a [`BoundsGroup`] in one iteration of the step.
#[derive(Clone, Copy)]
struct BoundsMember {
    offset: i128,
    index: InstId,
    iteration: usize,
}

/// For two adjacent elements (`lane_delta` of 1 or -1): the lane whose
/// element comes first in memory.
fn adjacent_first_lane(delta: Option<i64>) -> Option<usize> {
    match delta {
        Some(1) => Some(0),
        Some(-1) => Some(1),
        _ => None,
    }
}

/// `a / divisor` or `a % divisor` for a nonzero constant divisor, as
/// `eval` defines them (wrapping: `i64::MIN / -1 == i64::MIN`).
fn divide_by_constant(
    builder: &mut FunctionBuilder,
    op: BinaryOp,
    a: Value,
    divisor: i64,
) -> Value {
    match (op, divisor) {
        (BinaryOp::Div, -1) => builder.ins().ineg(a),
        (_, -1) => builder.ins().iconst(types::I64, 0),
        (BinaryOp::Div, _) => {
            let divisor = builder.ins().iconst(types::I64, divisor);
            builder.ins().sdiv(a, divisor)
        }
        _ => {
            let divisor = builder.ins().iconst(types::I64, divisor);
            builder.ins().srem(a, divisor)
        }
    }
}
