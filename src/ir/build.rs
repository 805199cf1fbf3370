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
            counters.push(counter);
            current = self.emit_for(current, counter, (lo, hi), false, origin);
        }
        let indices = counters
            .into_iter()
            .map(|counter| self.append(current, Inst::Read(counter), origin))
            .collect();
        body(self, current, indices);
    }

    /// Appends an `If` on `cond` with two new empty child blocks; returns
    /// them (then, else).
    pub fn emit_if(&mut self, block: BlockId, cond: InstId, origin: Origin) -> (BlockId, BlockId) {
        let then_block = self.new_block(block);
        let else_block = self.new_block(block);
        let _ = self.append(
            block,
            Inst::If {
                cond,
                then_block,
                else_block,
            },
            origin,
        );
        (then_block, else_block)
    }

    /// Appends a `For` over `lo..hi` with a new empty body; returns the body.
    pub fn emit_for(
        &mut self,
        block: BlockId,
        counter: VarId,
        (lo, hi): (InstId, InstId),
        reverse: bool,
        origin: Origin,
    ) -> BlockId {
        let body = self.new_block(block);
        let _ = self.append(
            block,
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            },
            origin,
        );
        body
    }

    /// Calls `body` once for a scalar variable (with its `Place`), or inside
    /// element loops over an array (with the element's `Place`).
    pub fn emit_for_each_place(
        &mut self,
        block: BlockId,
        var: VarId,
        origin: Origin,
        body: impl FnOnce(&mut Func, BlockId, Place),
    ) {
        match self.vars[var].ty.clone() {
            VarType::Scalar(_) => body(self, block, Place::Var(var)),
            VarType::Array { dims, .. } => {
                self.emit_element_loops(block, &dims, origin, |func, inner, indices| {
                    body(
                        func,
                        inner,
                        Place::Element {
                            array: var,
                            indices,
                        },
                    );
                });
            }
        }
    }

    /// Emits `dest = source` (scalars) or an element-by-element copy (arrays
    /// of equal shape) at the end of `block`.
    pub fn emit_copy(&mut self, block: BlockId, dest: VarId, source: VarId, origin: Origin) {
        if dest == source {
            return;
        }
        self.emit_for_each_place(block, source, origin, |func, inner, place| {
            let value = func.emit_read(inner, &place, origin);
            func.emit_write(inner, &place.in_var(dest), value, origin);
        });
    }
}

/// One scalar storage location: a scalar variable or one array element.
/// Lets passes treat `Read`/`Load` and `Write`/`Store` alike.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Var(VarId),
    Element { array: VarId, indices: Vec<InstId> },
}

impl Place {
    /// The variable holding the location.
    pub fn var(&self) -> VarId {
        match self {
            Place::Var(var) | Place::Element { array: var, .. } => *var,
        }
    }

    /// The same location (same indices) in another variable.
    pub fn in_var(&self, var: VarId) -> Place {
        match self {
            Place::Var(_) => Place::Var(var),
            Place::Element { indices, .. } => Place::Element {
                array: var,
                indices: indices.clone(),
            },
        }
    }

    /// The location an instruction reads (`Read`, `Load`) or writes
    /// (`Write`, `Store`), with its index values mapped by `map`.
    pub fn of_access(inst: &Inst, map: impl Fn(InstId) -> InstId) -> Option<Place> {
        match inst {
            Inst::Read(var) | Inst::Write { var, .. } => Some(Place::Var(*var)),
            Inst::Load { array, indices } | Inst::Store { array, indices, .. } => {
                Some(Place::Element {
                    array: *array,
                    indices: indices.iter().map(|index| map(*index)).collect(),
                })
            }
            _ => None,
        }
    }
}

impl Func {
    /// Appends a `Read` or `Load` of `place`.
    pub fn emit_read(&mut self, block: BlockId, place: &Place, origin: Origin) -> InstId {
        let inst = match place {
            Place::Var(var) => Inst::Read(*var),
            Place::Element { array, indices } => Inst::Load {
                array: *array,
                indices: indices.clone(),
            },
        };
        self.append(block, inst, origin)
    }

    /// Appends a `Write` or `Store` of `value` to `place`.
    pub fn emit_write(&mut self, block: BlockId, place: &Place, value: InstId, origin: Origin) {
        let inst = match place {
            Place::Var(var) => Inst::Write { var: *var, value },
            Place::Element { array, indices } => Inst::Store {
                array: *array,
                indices: indices.clone(),
                value,
            },
        };
        let _ = self.append(block, inst, origin);
    }
}
