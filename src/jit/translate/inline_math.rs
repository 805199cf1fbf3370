//! The math kernels of `runtime::kernels` emitted inline as Cranelift IR:
//! the same operations, in the same order, as the interpreter evaluates,
//! so both backends agree bit for bit without a call per `exp`.

use crate::runtime::kernels::Arithmetic;
use cranelift::prelude::*;

/// Emits each operation of a kernel at the builder's current position.
pub(super) struct Emitter<'b, 'f> {
    pub(super) builder: &'b mut FunctionBuilder<'f>,
}

impl Arithmetic for Emitter<'_, '_> {
    type Real = Value;
    type Int = Value;
    type Bool = Value;

    fn real(&mut self, value: f64) -> Value {
        self.builder.ins().f64const(value)
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
        self.builder.ins().nearest(a)
    }
    fn to_int(&mut self, a: Value) -> Value {
        // Saturating, NaN to 0: Rust's `as i64`.
        self.builder.ins().fcvt_to_sint_sat(types::I64, a)
    }
    fn int(&mut self, value: i64) -> Value {
        self.builder.ins().iconst(types::I64, value)
    }
    fn iadd(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().iadd(a, b)
    }
    fn isub(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().isub(a, b)
    }
    fn sshr(&mut self, a: Value, bits: u8) -> Value {
        self.builder.ins().sshr_imm_u(a, i64::from(bits))
    }
    fn shl(&mut self, a: Value, bits: u8) -> Value {
        self.builder.ins().ishl_imm_u(a, i64::from(bits))
    }
    fn real_from_bits(&mut self, a: Value) -> Value {
        self.builder
            .ins()
            .bitcast(types::F64, MemFlagsData::new(), a)
    }
    fn bits_of(&mut self, a: Value) -> Value {
        self.builder
            .ins()
            .bitcast(types::I64, MemFlagsData::new(), a)
    }
    fn band(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().band(a, b)
    }
    fn bor(&mut self, a: Value, b: Value) -> Value {
        self.builder.ins().bor(a, b)
    }
    fn ushr(&mut self, a: Value, bits: u8) -> Value {
        self.builder.ins().ushr_imm_u(a, i64::from(bits))
    }
    fn int_to_real(&mut self, a: Value) -> Value {
        self.builder.ins().fcvt_from_sint(types::F64, a)
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
        self.builder.ins().select(cond, then, otherwise)
    }
}
