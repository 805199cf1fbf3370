//! Discreteness analysis: which values and variables depend on data.
//!
//! A value is *data* when it depends, through data flow or control flow, on
//! a real parameter. Real constants and `tau` are not data. A variable is
//! data when a data value is written to it, when it is written at a data
//! index, or when it is written inside an `If` whose condition is data
//! (control dependence) and is used outside that `If` (a variable local to
//! the branch, such as a loop counter or a `let` inside it, is not). Loops make this a fixpoint: the analysis repeats
//! until nothing changes (sets only grow, so it terminates).
//!
//! An `If` whose condition is data is a *smoothing site*; one whose condition
//! is not data (ints, loop counters, sizes) stays exact control flow in every
//! mode.

use super::locality::VarAccess;
use crate::ir::{BlockId, Func, Inst, InstId, ScalarType, VarId, VarRole};
use cranelift_entity::SecondaryMap;

/// The result of the analysis.
#[derive(Clone, Debug, Default)]
pub struct Discreteness {
    values: SecondaryMap<InstId, bool>,
    vars: SecondaryMap<VarId, bool>,
}

impl Discreteness {
    pub fn is_data(&self, value: InstId) -> bool {
        self.values[value]
    }

    pub fn is_data_var(&self, var: VarId) -> bool {
        self.vars[var]
    }
}

/// Runs the analysis on `func`.
pub fn analyze(func: &Func) -> Discreteness {
    let mut result = Discreteness::default();
    for (var, data) in func.vars.iter() {
        if matches!(data.role, VarRole::Param(_)) && data.ty.elem() == ScalarType::Real {
            result.vars[var] = true;
        }
    }
    let access = VarAccess::compute(func);
    let mut walker = Walker {
        func,
        access: &access,
        result,
        changed: false,
    };
    loop {
        walker.changed = false;
        walker.walk(func.entry, None);
        if !walker.changed {
            return walker.result;
        }
    }
}

struct Walker<'f> {
    func: &'f Func,
    access: &'f VarAccess,
    result: Discreteness,
    changed: bool,
}

impl Walker<'_> {
    /// Marks `var` as data if `data_write`, or if it is written inside the
    /// data-dependent branch `under` and used outside it.
    fn mark_written(&mut self, var: VarId, data_write: bool, under: Option<[BlockId; 2]>) {
        let control_dependent = match under {
            Some(branches) => !self.access.is_local_to(self.func, var, &branches),
            None => false,
        };
        if (data_write || control_dependent) && !self.result.vars[var] {
            self.result.vars[var] = true;
            self.changed = true;
        }
    }

    /// One pass over `block`; `under` holds the two branches of the innermost
    /// enclosing data-dependent `If`.
    fn walk(&mut self, block: BlockId, under: Option<[BlockId; 2]>) {
        let func = self.func;
        for &inst in &func.blocks[block].insts {
            let result = &self.result;
            let operands_data = func.insts[inst]
                .operands()
                .iter()
                .any(|value| result.values[*value]);
            let is_data = match &func.insts[inst] {
                Inst::Real(_)
                | Inst::Int(_)
                | Inst::Bool(_)
                | Inst::Tau
                | Inst::Baseline
                | Inst::Noise { .. }
                | Inst::SizeOf(_)
                | Inst::Pop(_) => false,
                Inst::StopGradient(_) => operands_data,
                Inst::Read(var) => result.vars[*var],
                Inst::Load { array, .. } => result.vars[*array] || operands_data,
                Inst::ArgMax { array, .. } => result.vars[*array],
                Inst::Write { var, .. } | Inst::Store { array: var, .. } => {
                    self.mark_written(*var, operands_data, under);
                    false
                }
                Inst::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    let nested = if result.values[*cond] {
                        Some([*then_block, *else_block])
                    } else {
                        under
                    };
                    self.walk(*then_block, nested);
                    self.walk(*else_block, nested);
                    false
                }
                Inst::For { counter, body, .. } => {
                    self.mark_written(*counter, operands_data, under);
                    self.walk(*body, under);
                    false
                }
                Inst::Loop { flag, body, .. } => {
                    // A loop whose flag depends on data runs a data-dependent
                    // number of times: what its body writes depends on data.
                    let nested = if result.vars[*flag] {
                        Some([*body, *body])
                    } else {
                        under
                    };
                    self.walk(*body, nested);
                    false
                }
                Inst::SortArray { input, output, .. } => {
                    let data_write = result.vars[*input];
                    self.mark_written(*output, data_write, under);
                    false
                }
                Inst::SortArrayVjp { target, .. } | Inst::PopArray(target) => {
                    self.mark_written(*target, true, under);
                    false
                }
                Inst::PushArray(_) => false,
                Inst::Unary(..) | Inst::Binary(..) | Inst::Select { .. } | Inst::Push(_) => {
                    operands_data
                }
            };
            if is_data && !self.result.values[inst] {
                self.result.values[inst] = true;
                self.changed = true;
            }
        }
    }
}
