//! The math kernels of `runtime::kernels` on two lanes at once: the
//! `Arithmetic` operations on `f64x2` reals, `i64x2` ints and `i64x2`
//! masks, each IEEE-exact per lane, so that every lane computes exactly
//! what the scalar kernel (hence the interpreter) computes.
//!
//! Table lookups are done lane by lane (a gather needs AVX2): each lane's
//! index is extracted and its entry loaded as the scalar kernels load it.
//! Adding or removing an operation of the trait is a change to this file
//! only.

use super::lanes::{LANE_COUNT, REALS, WORDS, lane_order, pack};
use crate::jit::translate::inline_math::load_table_entry;
use crate::runtime::kernels::Arithmetic;
use cranelift::prelude::*;

/// Emits each operation of a kernel on two lanes at the builder's
/// current position.
pub(super) struct VectorEmitter<'b, 'f> {
    pub(super) builder: &'b mut FunctionBuilder<'f>,
}

impl VectorEmitter<'_, '_> {
    fn shift_amount(&mut self, bits: u8) -> Value {
        self.builder.ins().iconst(types::I32, i64::from(bits))
    }

    /// `table[index]` in each lane, loaded as the scalar kernels load it.
    fn gather(&mut self, lane_ty: Type, ty: Type, table: *const u8, index: Value) -> Value {
        let lanes: [Value; LANE_COUNT] = std::array::from_fn(|lane| {
            let lane_index = self.builder.ins().extractlane(index, lane as u8);
            load_table_entry(self.builder, lane_ty, table, lane_index)
        });
        pack(self.builder, ty, lanes)
    }

    /// The bits of a mask as reals, for `bitselect` on reals.
    fn mask_as_reals(&mut self, mask: Value) -> Value {
        self.builder.ins().bitcast(REALS, lane_order(), mask)
    }
}

impl Arithmetic for VectorEmitter<'_, '_> {
    type Real = Value;
    type Int = Value;
    type Bool = Value;

    fn real(&mut self, value: f64) -> Value {
        let scalar = self.builder.ins().f64const(value);
        self.builder.ins().splat(REALS, scalar)
    }
    fn add(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fadd(a, b)
    }
    fn sub(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fsub(a, b)
    }
    fn mul(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fmul(a, b)
    }
    fn div(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fdiv(a, b)
    }
    fn neg(&mut self, a: Value) -> Value {
        self.builder.ins().fneg(a)
    }
    fn abs(&mut self, a: Value) -> Value {
        self.builder.ins().fabs(a)
    }
    fn int(&mut self, value: i64) -> Value {
        let scalar = self.builder.ins().iconst(types::I64, value);
        self.builder.ins().splat(WORDS, scalar)
    }
    fn iadd(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().iadd(a, b)
    }
    fn isub(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().isub(a, b)
    }
    fn shl(&mut self, a: Value, bits: u8) -> Value {
        let amount = self.shift_amount(bits);
        self.builder.ins().ishl(a, amount)
    }
    fn real_from_bits(&mut self, a: Value) -> Value {
        self.mask_as_reals(a)
    }
    fn bits_of(&mut self, a: Value) -> Value {
        self.builder.ins().bitcast(WORDS, lane_order(), a)
    }
    fn band(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().band(a, b)
    }
    fn bor(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().bor(a, b)
    }
    fn ushr(&mut self, a: Value, bits: u8) -> Value {
        let amount = self.shift_amount(bits);
        self.builder.ins().ushr(a, amount)
    }
    fn eq(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fcmp(FloatCC::Equal, a, b)
    }
    fn le(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fcmp(FloatCC::LessThanOrEqual, a, b)
    }
    fn gt(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fcmp(FloatCC::GreaterThan, a, b)
    }
    fn lt(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fcmp(FloatCC::LessThan, a, b)
    }
    fn select(&mut self, cond: Value, then: Value, otherwise: Value) -> Value {
        let mask = self.mask_as_reals(cond);
        self.builder.ins().bitselect(mask, then, otherwise)
    }
    fn lookup_bits(&mut self, table: &'static [u64], index: Value) -> Value {
        self.gather(types::I64, WORDS, table.as_ptr().cast(), index)
    }
    fn lookup_real(&mut self, table: &'static [f64], index: Value) -> Value {
        self.gather(types::F64, REALS, table.as_ptr().cast(), index)
    }
}
