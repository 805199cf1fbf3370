//! A small builder of IR functions for tests, and an exact comparison of
//! results (reals by their bits).

use crate::ir::{
    BinaryOp, BlockId, DerivedSize, Func, Inst, InstId, ScalarType, Size, SizeData, SizeId,
    UnaryOp, VarId, VarRole, VarType,
};
use crate::runtime::kernels::accuracy::same_bits;
use crate::runtime::{RuntimeError, Value};
use crate::syntax::span::Origin;
use ndarray::{ArrayD, IxDyn};

/// A small builder of IR functions: appends to a current block, and opens
/// child blocks for `For`/`If` through closures.
pub(crate) struct Builder {
    pub(crate) func: Func,
    block: BlockId,
}

pub(crate) const REAL: VarType = VarType::Scalar(ScalarType::Real);
pub(crate) const INT: VarType = VarType::Scalar(ScalarType::Int);
pub(crate) const BOOL: VarType = VarType::Scalar(ScalarType::Bool);

pub(crate) fn array(elem: ScalarType, dims: &[Size]) -> VarType {
    VarType::Array {
        elem,
        dims: dims.to_vec(),
    }
}

impl Builder {
    pub(crate) fn new(name: &str) -> Builder {
        let func = Func::new(name);
        let block = func.entry;
        Builder { func, block }
    }

    /// A size bound by dimension `dim` of parameter `param`.
    pub(crate) fn size(&mut self, name: &str, param: usize, dim: usize) -> Size {
        let id: SizeId = self.func.sizes.push(SizeData {
            name: name.to_string(),
            bound_by: (param, dim),
        });
        Size::Param(id)
    }

    /// A derived size `sum of coefficient * product of sizes`, printed as
    /// `text`.
    pub(crate) fn derived(&mut self, text: &str, terms: &[(&[Size], i64)]) -> Size {
        let terms = terms
            .iter()
            .map(|(monomial, coefficient)| {
                let monomial = monomial
                    .iter()
                    .map(|size| match size {
                        Size::Param(id) => *id,
                        Size::Const(_) | Size::Derived(_) => {
                            panic!("derived sizes are made of size parameters")
                        }
                    })
                    .collect();
                (monomial, *coefficient)
            })
            .collect();
        let id = self.func.derived_sizes.push(DerivedSize {
            terms,
            text: text.to_string(),
        });
        Size::Derived(id)
    }

    pub(crate) fn param(&mut self, name: &str, ty: VarType) -> VarId {
        let index = self.func.params.len();
        let var = self.func.new_var(name, ty, VarRole::Param(index));
        self.func.params.push(var);
        var
    }

    pub(crate) fn local(&mut self, name: &str, ty: VarType) -> VarId {
        self.func.new_var(name, ty, VarRole::Local)
    }

    pub(crate) fn output(&mut self, var: VarId) {
        self.func.outputs.push(var);
    }

    /// A local variable that is also an output.
    pub(crate) fn out_var(&mut self, name: &str, ty: VarType) -> VarId {
        let var = self.local(name, ty);
        self.output(var);
        var
    }

    pub(crate) fn inst(&mut self, inst: Inst) -> InstId {
        self.func.append(self.block, inst, Origin::Synthetic)
    }

    pub(crate) fn real(&mut self, value: f64) -> InstId {
        self.inst(Inst::Real(value))
    }

    pub(crate) fn int(&mut self, value: i64) -> InstId {
        self.inst(Inst::Int(value))
    }

    pub(crate) fn boolean(&mut self, value: bool) -> InstId {
        self.inst(Inst::Bool(value))
    }

    pub(crate) fn read(&mut self, var: VarId) -> InstId {
        self.inst(Inst::Read(var))
    }

    pub(crate) fn write(&mut self, var: VarId, value: InstId) -> InstId {
        self.inst(Inst::Write { var, value })
    }

    pub(crate) fn load(&mut self, array: VarId, indices: &[InstId]) -> InstId {
        self.inst(Inst::Load {
            array,
            indices: indices.to_vec(),
        })
    }

    pub(crate) fn store(&mut self, array: VarId, indices: &[InstId], value: InstId) -> InstId {
        self.inst(Inst::Store {
            array,
            indices: indices.to_vec(),
            value,
        })
    }

    pub(crate) fn un(&mut self, op: UnaryOp, operand: InstId) -> InstId {
        self.inst(Inst::Unary(op, operand))
    }

    pub(crate) fn bin(&mut self, op: BinaryOp, lhs: InstId, rhs: InstId) -> InstId {
        self.inst(Inst::Binary(op, lhs, rhs))
    }

    /// `var = var + value`.
    pub(crate) fn accumulate(&mut self, var: VarId, value: InstId) {
        let old = self.read(var);
        let new = self.bin(BinaryOp::Add, old, value);
        let _ = self.write(var, new);
    }

    /// A `For` whose body is built by `body` (the counter is passed in).
    pub(crate) fn for_loop(
        &mut self,
        counter: VarId,
        lo: InstId,
        hi: InstId,
        reverse: bool,
        body: impl FnOnce(&mut Builder, VarId),
    ) -> InstId {
        let outer = self.block;
        let body_block = self.func.new_block(outer);
        self.block = body_block;
        body(self, counter);
        self.block = outer;
        self.inst(Inst::For {
            counter,
            lo,
            hi,
            body: body_block,
            reverse,
        })
    }

    /// A `while` loop on the bool variable `flag`, whose body is built by
    /// `body` (which must update the flag).
    pub(crate) fn while_loop(
        &mut self,
        flag: VarId,
        bound: Option<i64>,
        body: impl FnOnce(&mut Builder),
    ) -> InstId {
        let outer = self.block;
        let body_block = self.func.new_block(outer);
        self.block = body_block;
        body(self);
        self.block = outer;
        self.inst(Inst::Loop {
            flag,
            body: body_block,
            bound,
        })
    }

    /// `cond ? then : otherwise`.
    pub(crate) fn select(&mut self, cond: InstId, then: InstId, otherwise: InstId) -> InstId {
        self.inst(Inst::Select {
            cond,
            then,
            otherwise,
        })
    }

    pub(crate) fn if_else(
        &mut self,
        cond: InstId,
        then_body: impl FnOnce(&mut Builder),
        else_body: impl FnOnce(&mut Builder),
    ) -> InstId {
        let outer = self.block;
        let then_block = self.func.new_block(outer);
        let else_block = self.func.new_block(outer);
        self.block = then_block;
        then_body(self);
        self.block = else_block;
        else_body(self);
        self.block = outer;
        self.inst(Inst::If {
            cond,
            then_block,
            else_block,
        })
    }

    /// The block instructions are appended to.
    pub(crate) fn current_block(&self) -> BlockId {
        self.block
    }

    /// Makes `block` the one instructions are appended to.
    pub(crate) fn set_block(&mut self, block: BlockId) {
        self.block = block;
    }

    pub(crate) fn finish(self) -> Func {
        self.func
    }
}

/// A real array argument or result of the given shape.
pub(crate) fn arr(shape: &[usize], data: &[f64]) -> Value {
    Value::Array(ArrayD::from_shape_vec(IxDyn(shape), data.to_vec()).expect("shape fits data"))
}

/// An int array argument or result of the given shape.
pub(crate) fn int_arr(shape: &[usize], data: &[i64]) -> Value {
    Value::IntArray(ArrayD::from_shape_vec(IxDyn(shape), data.to_vec()).expect("shape fits data"))
}

/// A bool array argument or result of the given shape.
pub(crate) fn bool_arr(shape: &[usize], data: &[bool]) -> Value {
    Value::BoolArray(ArrayD::from_shape_vec(IxDyn(shape), data.to_vec()).expect("shape fits data"))
}

/// Whether two results are identical, comparing reals by their bits (so
/// NaN equals the same NaN, and `0.0` differs from `-0.0`).
pub(crate) fn identical(
    left: &Result<Vec<Value>, RuntimeError>,
    right: &Result<Vec<Value>, RuntimeError>,
) -> bool {
    match (left, right) {
        (Ok(left), Ok(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| identical_values(left, right))
        }
        (Err(left), Err(right)) => left == right,
        (Ok(_), Err(_)) | (Err(_), Ok(_)) => false,
    }
}

fn identical_values(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Real(left), Value::Real(right)) => same_bits(*left, *right),
        (Value::Array(left), Value::Array(right)) => {
            left.shape() == right.shape()
                && left
                    .iter()
                    .zip(right.iter())
                    .all(|(left, right)| same_bits(*left, *right))
        }
        (left, right) => left == right,
    }
}
