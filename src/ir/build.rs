//! Small builders that several passes share: element loops and copies.

use super::{BlockId, Func, Inst, InstId, ScalarType, Size, VarId, VarRole, VarType};
use crate::syntax::span::Origin;

impl Func {
    /// Emits nested `For` loops over every index of an array with `dims`
    /// (row-major order) at the end of `block`, then calls `body` with the
    /// innermost block and the index values read inside it.
    pub fn emit_element_loops(
        &mut self,
        block: BlockId,
        dims: &[Size],
        origin: Origin,
        body: impl FnOnce(&mut Func, BlockId, Vec<InstId>),
    ) {
        let mut current = block;
        let mut counters = Vec::with_capacity(dims.len());
        for dim in dims {
            let lo = self.append(current, Inst::Int(0), origin);
            let hi = self.append(current, Inst::SizeOf(*dim), origin);
            let counter = self.new_var("k", VarType::Scalar(ScalarType::Int), VarRole::Temp);
            let loop_body = self.new_block(current);
            let _ = self.append(
                current,
                Inst::For {
                    counter,
                    lo,
                    hi,
                    body: loop_body,
                    reverse: false,
                },
                origin,
            );
            counters.push(counter);
            current = loop_body;
        }
        let indices = counters
            .into_iter()
            .map(|counter| self.append(current, Inst::Read(counter), origin))
            .collect();
        body(self, current, indices);
    }

    /// Emits `dest = source` (scalars) or an element-by-element copy (arrays
    /// of equal shape) at the end of `block`.
    pub fn emit_copy(&mut self, block: BlockId, dest: VarId, source: VarId, origin: Origin) {
        if dest == source {
            return;
        }
        match self.vars[source].ty.clone() {
            VarType::Scalar(_) => {
                let value = self.append(block, Inst::Read(source), origin);
                let _ = self.append(block, Inst::Write { var: dest, value }, origin);
            }
            VarType::Array { dims, .. } => {
                self.emit_element_loops(block, &dims, origin, |func, inner, indices| {
                    let value = func.append(
                        inner,
                        Inst::Load {
                            array: source,
                            indices: indices.clone(),
                        },
                        origin,
                    );
                    let _ = func.append(
                        inner,
                        Inst::Store {
                            array: dest,
                            indices,
                            value,
                        },
                        origin,
                    );
                });
            }
        }
    }
}
