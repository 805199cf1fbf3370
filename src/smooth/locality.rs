//! Which blocks touch which variables, and whether a variable lives entirely
//! inside a branch.
//!
//! Lowering gives every `let` its own variable, so a variable declared inside
//! a branch is touched only inside it. Such a *branch-local* variable needs no
//! blending when the branch is relaxed, and is not control-dependent on the
//! branch's condition as far as the code after the branch can tell.

use crate::ir::{BlockId, Func, Inst, VarId};
use cranelift_entity::SecondaryMap;

/// For each variable, the blocks that read or write it.
#[derive(Clone, Debug, Default)]
pub struct VarAccess {
    blocks: SecondaryMap<VarId, Vec<BlockId>>,
}

impl VarAccess {
    pub fn compute(func: &Func) -> VarAccess {
        let mut access = VarAccess::default();
        for (block, data) in func.blocks.iter() {
            for inst in &data.insts {
                let vars = match &func.insts[*inst] {
                    Inst::Read(var)
                    | Inst::Write { var, .. }
                    | Inst::Load { array: var, .. }
                    | Inst::ArgMax { array: var, .. }
                    | Inst::Store { array: var, .. }
                    | Inst::For { counter: var, .. }
                    | Inst::Loop { flag: var, .. }
                    | Inst::PushArray(var)
                    | Inst::PopArray(var) => vec![*var],
                    Inst::SortArray { input, output, .. } => vec![*input, *output],
                    Inst::SortArrayVjp {
                        input,
                        cotangent,
                        target,
                        ..
                    } => vec![*input, *cotangent, *target],
                    _ => continue,
                };
                for var in vars {
                    let blocks = &mut access.blocks[var];
                    if !blocks.contains(&block) {
                        blocks.push(block);
                    }
                }
            }
        }
        access
    }

    /// Whether every access of `var` happens inside the subtrees of `roots`.
    /// Outputs and parameters are never local.
    pub fn is_local_to(&self, func: &Func, var: VarId, roots: &[BlockId]) -> bool {
        if func.outputs.contains(&var) || func.params.contains(&var) {
            return false;
        }
        self.blocks[var]
            .iter()
            .all(|block| roots.iter().any(|root| is_within(func, *block, *root)))
    }
}

/// Whether `block` is `root` or nested inside it.
pub fn is_within(func: &Func, block: BlockId, root: BlockId) -> bool {
    let mut current = Some(block);
    while let Some(candidate) = current {
        if candidate == root {
            return true;
        }
        current = func.blocks[candidate].parent;
    }
    false
}

/// The variables written anywhere inside `block` (nested blocks included),
/// in order of first write.
pub fn written_vars(func: &Func, block: BlockId, out: &mut Vec<VarId>) {
    for inst in &func.blocks[block].insts {
        match &func.insts[*inst] {
            Inst::Write { var, .. } | Inst::Store { array: var, .. } if !out.contains(var) => {
                out.push(*var)
            }
            Inst::If {
                then_block,
                else_block,
                ..
            } => {
                written_vars(func, *then_block, out);
                written_vars(func, *else_block, out);
            }
            Inst::Loop { body, .. } => written_vars(func, *body, out),
            other if other.array_written().is_some_and(|var| !out.contains(&var)) => {
                out.extend(other.array_written());
            }
            Inst::For { counter, body, .. } => {
                if !out.contains(counter) {
                    out.push(*counter);
                }
                written_vars(func, *body, out);
            }
            _ => {}
        }
    }
}

/// Whether a `Write` inside `block` (nested blocks included) assigns the
/// scalar variable `var`.
pub fn assigns(func: &Func, block: BlockId, var: VarId) -> bool {
    func.blocks[block]
        .insts
        .iter()
        .any(|inst| match &func.insts[*inst] {
            Inst::Write { var: target, .. } => *target == var,
            Inst::If {
                then_block,
                else_block,
                ..
            } => assigns(func, *then_block, var) || assigns(func, *else_block, var),
            Inst::For { body, .. } | Inst::Loop { body, .. } => assigns(func, *body, var),
            _ => false,
        })
}
