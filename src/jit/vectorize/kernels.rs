//! The math kernels of `runtime::kernels` on two lanes at once: the
//! `Arithmetic` operations on `f64x2` reals, `i64x2` ints and `i64x2`
//! masks, each IEEE-exact per lane, so that every lane computes exactly
//! what the scalar kernel (hence the interpreter) computes.
//!
//! Operations with no 128-bit lowering on x86-64 without AVX-512 are done
//! lane by lane: `to_int` (`fcvt_to_sint_sat` from `f64x2` to `i64x2`).
//! Adding or removing an operation of the trait is a change to this file
//! only.

use super::lanes::{LANE_COUNT, REALS, WORDS, lane_order, pack};
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
    fn nearest(&mut self, a: Value) -> Value {
        // `roundpd` with SSE4.1 (which vectorization requires on x86-64).
        self.builder.ins().nearest(a)
    }
    fn to_int(&mut self, a: Value) -> Value {
        // Lane by lane: no SSE lowering of the saturating conversion.
        let lanes: [Value; LANE_COUNT] = std::array::from_fn(|lane| {
            let scalar = self.builder.ins().extractlane(a, lane as u8);
            self.builder.ins().fcvt_to_sint_sat(types::I64, scalar)
        });
        pack(self.builder, WORDS, lanes)
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
    fn sshr(&mut self, a: Value, bits: u8) -> Value {
        let amount = self.shift_amount(bits);
        self.builder.ins().sshr(a, amount)
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
    fn int_to_real(&mut self, a: Value) -> Value {
        self.builder.ins().fcvt_from_sint(REALS, a)
    }
    fn eq(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().fcmp(FloatCC::Equal, a, b)
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
}
