//! The math kernels of `runtime::kernels` on two lanes at once: the
//! `Arithmetic` operations on `f64x2` reals, `i64x2` ints and `i64x2`
//! masks, each IEEE-exact per lane, so that every lane computes exactly
//! what the scalar kernel (hence the interpreter) computes.
//!
//! Table lookups are done lane by lane (a gather needs AVX2): each lane's
//! index is extracted and its entry loaded as the scalar kernels load it.
//! The operations that are one polymorphic Cranelift instruction come
//! from `inline_math::lane_polymorphic_operations`, shared with the scalar
//! emitter; this file has the ones that differ on vectors (constants are
//! splats, shifts take a vector amount, selects are bit selects).

use super::lanes::{LANE_COUNT, REALS, WORDS, lane_order, pack};
use crate::jit::translate::inline_math::{lane_polymorphic_operations, load_table_entry};
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

    lane_polymorphic_operations!();

    fn real(&mut self, value: f64) -> Value {
        let scalar = self.builder.ins().f64const(value);
        self.builder.ins().splat(REALS, scalar)
    }
    fn int(&mut self, value: i64) -> Value {
        let scalar = self.builder.ins().iconst(types::I64, value);
        self.builder.ins().splat(WORDS, scalar)
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
    fn ushr(&mut self, a: Value, bits: u8) -> Value {
        let amount = self.shift_amount(bits);
        self.builder.ins().ushr(a, amount)
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
