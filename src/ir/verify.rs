//! The IR verifier: checks the invariants every pass must keep.
//!
//! * every instruction sits in exactly one block, and every child block of an
//!   `If`/`For` names its owner's block as parent;
//! * a value is used only in the segment (run of non-control instructions)
//!   that defines it, after its definition; `If` conditions and `For` bounds
//!   come from the segment just before them;
//! * operand types match the operation; indices are ints, one per dimension;
//! * parameters are never written.
//!
//! The library runs it after every pass in debug builds and in tests. A
//! failure is a bug in the compiler, never the user's fault.

use super::{BinaryOp, BlockId, Func, Inst, InstId, ScalarType, UnaryOp, VarId, VarRole, VarType};
use std::collections::HashSet;

/// An invariant violation; `reason` is for compiler developers.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("IR verifier: in fn {func}, at {inst:?}: {reason}")]
pub struct VerifyError {
    pub func: String,
    pub inst: Option<InstId>,
    pub reason: String,
}

/// Checks all invariants of `func`.
pub fn verify(func: &Func) -> Result<(), VerifyError> {
    let mut verifier = Verifier {
        func,
        placed: HashSet::new(),
    };
    verifier.block(func.entry, None)?;
    if verifier.placed.len() != func.insts.len() {
        // Unplaced instructions are harmless garbage, but passes should not
        // leave any: they would show up in no printer and confuse readers.
        let unplaced = func
            .insts
            .keys()
            .find(|inst| !verifier.placed.contains(inst));
        return Err(verifier.error(unplaced, "instruction not placed in any block"));
    }
    for output in &func.outputs {
        if !func.vars.is_valid(*output) {
            return Err(verifier.error(None, &format!("output {output} is not a variable")));
        }
    }
    Ok(())
}

struct Verifier<'f> {
    func: &'f Func,
    placed: HashSet<InstId>,
}

impl Verifier<'_> {
    fn error(&self, inst: Option<InstId>, reason: &str) -> VerifyError {
        VerifyError {
            func: self.func.name.clone(),
            inst,
            reason: reason.to_string(),
        }
    }

    fn block(&mut self, block: BlockId, parent: Option<BlockId>) -> Result<(), VerifyError> {
        if self.func.blocks[block].parent != parent {
            return Err(self.error(None, &format!("{block} has the wrong parent")));
        }
        let mut segment: HashSet<InstId> = HashSet::new();
        for &inst in &self.func.blocks[block].insts {
            if !self.placed.insert(inst) {
                return Err(self.error(Some(inst), "instruction placed twice"));
            }
            for operand in self.func.insts[inst].operands() {
                if !segment.contains(&operand) {
                    return Err(self.error(
                        Some(inst),
                        &format!("operand {operand} is not defined earlier in this segment"),
                    ));
                }
            }
            self.types(inst)?;
            match &self.func.insts[inst] {
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.block(*then_block, Some(block))?;
                    self.block(*else_block, Some(block))?;
                    segment.clear();
                }
                Inst::For { body, .. } | Inst::Loop { body, .. } => {
                    self.block(*body, Some(block))?;
                    segment.clear();
                }
                _ => {
                    let _ = segment.insert(inst);
                }
            }
        }
        Ok(())
    }

    fn ty(&self, value: InstId) -> Option<ScalarType> {
        self.func.types[value]
    }

    fn expect(&self, inst: InstId, value: InstId, expected: ScalarType) -> Result<(), VerifyError> {
        if self.ty(value) == Some(expected) {
            Ok(())
        } else {
            Err(self.error(
                Some(inst),
                &format!(
                    "{value} has type {:?}, expected {expected:?}",
                    self.ty(value)
                ),
            ))
        }
    }

    fn scalar_var(&self, inst: InstId, var: VarId) -> Result<ScalarType, VerifyError> {
        match &self.func.vars[var].ty {
            VarType::Scalar(scalar) => Ok(*scalar),
            VarType::Array { .. } => Err(self.error(Some(inst), &format!("{var} is an array"))),
        }
    }

    fn indices(
        &self,
        inst: InstId,
        array: VarId,
        indices: &[InstId],
    ) -> Result<ScalarType, VerifyError> {
        let VarType::Array { elem, dims } = &self.func.vars[array].ty else {
            return Err(self.error(Some(inst), &format!("{array} is not an array")));
        };
        if dims.len() != indices.len() {
            return Err(self.error(Some(inst), "wrong number of indices"));
        }
        for index in indices {
            self.expect(inst, *index, ScalarType::Int)?;
        }
        Ok(*elem)
    }

    fn not_param(&self, inst: InstId, var: VarId) -> Result<(), VerifyError> {
        if matches!(self.func.vars[var].role, VarRole::Param(_)) {
            return Err(self.error(Some(inst), &format!("parameter {var} is written")));
        }
        Ok(())
    }

    /// `SortArray` operands: 1-D real arrays of one length; a real strength.
    fn sort_operands(
        &self,
        inst: InstId,
        op: &super::SortArray,
        arrays: &[VarId],
    ) -> Result<(), VerifyError> {
        let mut length = None;
        for var in arrays {
            match &self.func.vars[*var].ty {
                VarType::Array {
                    elem: ScalarType::Real,
                    dims,
                } if dims.len() == 1 => {
                    if length.is_some_and(|length| length != dims[0]) {
                        return Err(self.error(Some(inst), "sort arrays differ in length"));
                    }
                    length = Some(dims[0]);
                }
                _ => return Err(self.error(Some(inst), &format!("{var} is not a 1-D real array"))),
            }
        }
        match op.relaxation {
            Some((_, strength)) => self.expect(inst, strength, ScalarType::Real),
            None => Ok(()),
        }
    }

    fn types(&self, inst: InstId) -> Result<(), VerifyError> {
        let func = self.func;
        if func.types[inst] != func.result_type(&func.insts[inst]) {
            return Err(self.error(Some(inst), "recorded type differs from the computed one"));
        }
        match &func.insts[inst] {
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::Baseline
            | Inst::SizeOf(_)
            | Inst::StopGradient(_)
            | Inst::Pop(_) => Ok(()),
            Inst::Noise { counter, .. } => self.expect(inst, *counter, ScalarType::Int),
            Inst::Read(var) => self.scalar_var(inst, *var).map(|_| ()),
            Inst::Write { var, value } => {
                self.not_param(inst, *var)?;
                let scalar = self.scalar_var(inst, *var)?;
                self.expect(inst, *value, scalar)
            }
            Inst::Load { array, indices } => self.indices(inst, *array, indices).map(|_| ()),
            Inst::ArgMax { array, .. } => match &func.vars[*array].ty {
                VarType::Array {
                    elem: ScalarType::Real,
                    dims,
                } if dims.len() == 1 => Ok(()),
                _ => Err(self.error(Some(inst), "argmax needs a 1-D real array")),
            },
            Inst::Store {
                array,
                indices,
                value,
            } => {
                self.not_param(inst, *array)?;
                let elem = self.indices(inst, *array, indices)?;
                self.expect(inst, *value, elem)
            }
            Inst::Unary(op, operand) => match op {
                UnaryOp::Neg => match self.ty(*operand) {
                    Some(ScalarType::Real | ScalarType::Int) => Ok(()),
                    _ => Err(self.error(Some(inst), "neg needs a real or an int")),
                },
                UnaryOp::Not => self.expect(inst, *operand, ScalarType::Bool),
                UnaryOp::ToReal => match self.ty(*operand) {
                    Some(ScalarType::Int | ScalarType::Bool) => Ok(()),
                    _ => Err(self.error(Some(inst), "to_real needs an int or a bool")),
                },
                UnaryOp::Exp
                | UnaryOp::Log
                | UnaryOp::Sqrt
                | UnaryOp::Sigmoid
                | UnaryOp::Softplus
                | UnaryOp::Sin
                | UnaryOp::Cos
                | UnaryOp::Tanh
                | UnaryOp::ClampedReciprocal
                | UnaryOp::Cdf(_)
                | UnaryOp::Density(_)
                | UnaryOp::Floor
                | UnaryOp::Ceil
                | UnaryOp::Round => self.expect(inst, *operand, ScalarType::Real),
            },
            Inst::Binary(op, lhs, rhs) => {
                let ty = self.ty(*lhs);
                if ty != self.ty(*rhs) {
                    return Err(self.error(Some(inst), "binary operands differ in type"));
                }
                let ok = match op {
                    BinaryOp::And | BinaryOp::Or => ty == Some(ScalarType::Bool),
                    BinaryOp::Eq | BinaryOp::Ne => ty.is_some(),
                    BinaryOp::Rem => ty == Some(ScalarType::Int),
                    BinaryOp::Pow => ty == Some(ScalarType::Real),
                    BinaryOp::Add
                    | BinaryOp::Sub
                    | BinaryOp::Mul
                    | BinaryOp::Div
                    | BinaryOp::Lt
                    | BinaryOp::Le
                    | BinaryOp::Gt
                    | BinaryOp::Ge => matches!(ty, Some(ScalarType::Real | ScalarType::Int)),
                };
                if ok {
                    Ok(())
                } else {
                    Err(self.error(Some(inst), &format!("{op:?} on operands of type {ty:?}")))
                }
            }
            Inst::If { cond, .. } => self.expect(inst, *cond, ScalarType::Bool),
            Inst::Select {
                cond,
                then,
                otherwise,
            } => {
                self.expect(inst, *cond, ScalarType::Bool)?;
                match self.ty(*then) {
                    Some(ty) if self.ty(*otherwise) == Some(ty) => Ok(()),
                    _ => Err(self.error(Some(inst), "select arms differ in type")),
                }
            }
            Inst::Loop { flag, bound, .. } => {
                if self.scalar_var(inst, *flag)? != ScalarType::Bool {
                    return Err(self.error(Some(inst), "loop flag is not a bool"));
                }
                match bound {
                    Some(bound) if *bound <= 0 => {
                        Err(self.error(Some(inst), "loop bound is not positive"))
                    }
                    _ => Ok(()),
                }
            }
            Inst::For {
                counter, lo, hi, ..
            } => {
                self.expect(inst, *lo, ScalarType::Int)?;
                self.expect(inst, *hi, ScalarType::Int)?;
                if self.scalar_var(inst, *counter)? != ScalarType::Int {
                    return Err(self.error(Some(inst), "loop counter is not an int"));
                }
                Ok(())
            }
            Inst::SortArray { op, input, output } => {
                self.not_param(inst, *output)?;
                self.sort_operands(inst, op, &[*input, *output])
            }
            Inst::SortArrayVjp {
                op,
                input,
                cotangent,
                target,
            } => {
                self.not_param(inst, *target)?;
                self.sort_operands(inst, op, &[*input, *cotangent, *target])
            }
            Inst::PushArray(var) | Inst::PopArray(var) => {
                if matches!(self.func.insts[inst], Inst::PopArray(_)) {
                    self.not_param(inst, *var)?;
                }
                match &self.func.vars[*var].ty {
                    VarType::Array {
                        elem: ScalarType::Real,
                        ..
                    } => Ok(()),
                    _ => Err(self.error(Some(inst), "push_array and pop_array take real arrays")),
                }
            }
            Inst::Push(value) => match self.ty(*value) {
                Some(_) => Ok(()),
                None => Err(self.error(Some(inst), "push of an instruction without a value")),
            },
        }
    }
}
