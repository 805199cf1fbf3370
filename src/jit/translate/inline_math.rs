//! The math kernels of `runtime::kernels` emitted inline as Cranelift IR:
//! the same operations, in the same order, as the interpreter evaluates,
//! so both backends agree bit for bit without a call per `exp`.
//!
//! This is the scalar emitter (`f64`, `i64`, and the `i8` flags of `fcmp`
//! as bools); it must not grow operations the trait does not have, since a
//! vector emitter implements the same trait.

use crate::runtime::kernels::{Arithmetic, Kernel};
use cranelift::prelude::*;

/// Emits `kernel` applied to `value` at the builder's current position.
pub(super) fn emit(builder: &mut FunctionBuilder<'_>, kernel: Kernel, value: Value) -> Value {
    kernel.apply(&mut Emitter { builder }, value)
}

/// Emits each operation of a kernel at the builder's current position.
pub(super) struct Emitter<'b, 'f> {
    pub(super) builder: &'b mut FunctionBuilder<'f>,
}

/// A load of `table[index]` (8-byte entries of type `ty`). The table is a
/// `static`, so its address is a constant for the life of the process and
/// the code can embed it; the kernels mask every index to the table's
/// length (a power of two), so the load is in bounds: it cannot trap and
/// reads memory nothing writes (`readonly`, `can_move`). The vector
/// emitter calls this once per lane.
pub(crate) fn load_table_entry(
    builder: &mut FunctionBuilder,
    ty: Type,
    table: *const u8,
    index: Value,
) -> Value {
    let base = builder.ins().iconst(types::I64, table as i64);
    let offset = builder.ins().ishl_imm_u(index, 3);
    let address = builder.ins().iadd(base, offset);
    let flags = MemFlagsData::trusted().with_readonly().with_can_move();
    builder.ins().load(ty, flags, address, 0)
}

/// The `Arithmetic` operations whose Cranelift instruction is the same on
/// `f64`/`i64` and on `f64x2`/`i64x2` (Cranelift's arithmetic and
/// comparisons are polymorphic in the lane count): written once, for the
/// scalar emitter here and the vector emitter of `vectorize::kernels`.
/// Both impls need `self.builder`.
macro_rules! lane_polymorphic_operations {
    () => {
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
        fn mul_add(&mut self, a: Value, b: Value, c: Value) -> Value {
            self.builder.ins().fma(a, b, c)
        }
        fn neg(&mut self, a: Value) -> Value {
            self.builder.ins().fneg(a)
        }
        fn abs(&mut self, a: Value) -> Value {
            self.builder.ins().fabs(a)
        }
        fn eq(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().fcmp(FloatCC::Equal, a, b)
        }
        fn lt(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().fcmp(FloatCC::LessThan, a, b)
        }
        fn le(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().fcmp(FloatCC::LessThanOrEqual, a, b)
        }
        fn gt(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().fcmp(FloatCC::GreaterThan, a, b)
        }
        fn iadd(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().iadd(a, b)
        }
        fn isub(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().isub(a, b)
        }
        fn band(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().band(a, b)
        }
        fn bor(&mut self, a: Value, b: Value) -> Value {
            self.builder.ins().bor(a, b)
        }
    };
}
pub(crate) use lane_polymorphic_operations;

impl Arithmetic for Emitter<'_, '_> {
    type Real = Value;
    type Int = Value;
    type Bool = Value;

    lane_polymorphic_operations!();

    fn real(&mut self, value: f64) -> Value {
        self.builder.ins().f64const(value)
    }
    fn select(&mut self, cond: Value, then: Value, otherwise: Value) -> Value {
        self.builder.ins().select(cond, then, otherwise)
    }
    fn int(&mut self, value: i64) -> Value {
        self.builder.ins().iconst(types::I64, value)
    }
    fn shl(&mut self, a: Value, bits: u8) -> Value {
        self.builder.ins().ishl_imm_u(a, i64::from(bits))
    }
    fn ushr(&mut self, a: Value, bits: u8) -> Value {
        self.builder.ins().ushr_imm_u(a, i64::from(bits))
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
    fn lookup_bits(&mut self, table: &'static [u64], index: Value) -> Value {
        load_table_entry(self.builder, types::I64, table.as_ptr().cast(), index)
    }
    fn lookup_real(&mut self, table: &'static [f64], index: Value) -> Value {
        load_table_entry(self.builder, types::F64, table.as_ptr().cast(), index)
    }
}

#[cfg(test)]
mod tests {
    //! Each kernel compiled alone to `extern "C" fn(f64) -> f64` and run on
    //! thousands of inputs: the same bits as the interpreter's evaluation.

    use super::*;
    use crate::jit::Jit;
    use crate::runtime::kernels::Direct;
    use crate::runtime::kernels::accuracy::same_bits;
    use cranelift_module::{Linkage, Module};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    type KernelFn = extern "C" fn(f64) -> f64;

    /// Compiles `kernel` and runs `check` on the native function.
    fn with_compiled(kernel: Kernel, check: impl FnOnce(KernelFn)) {
        let mut jit = Jit::new().expect("a JIT for the host");
        let mut signature = jit.module.make_signature();
        signature.params.push(AbiParam::new(types::F64));
        signature.returns.push(AbiParam::new(types::F64));
        let id = jit
            .module
            .declare_function("kernel", Linkage::Local, &signature)
            .expect("declares");
        jit.ctx.func.signature = signature;
        let target = jit.module.target_config();
        {
            let mut builder = FunctionBuilder::new(&mut jit.ctx.func, &mut jit.builder_context);
            let block = builder.create_block();
            builder.append_block_params_for_function_params(block);
            builder.switch_to_block(block);
            builder.seal_block(block);
            let x = builder.block_params(block)[0];
            let y = emit(&mut builder, kernel, x);
            let _ = builder.ins().return_(&[y]);
            builder.finalize(target);
        }
        jit.module
            .define_function(id, &mut jit.ctx)
            .unwrap_or_else(|error| panic!("{kernel:?} compiles: {error:?}"));
        jit.module.clear_context(&mut jit.ctx);
        jit.module.finalize_definitions().expect("finalizes");
        let code = jit.module.get_finalized_function(id);
        // SAFETY: `code` is the finalized code of a function built with the
        // signature `(f64) -> f64` in the host's default (C) calling
        // convention, which is `KernelFn`; it lives until `free_memory`.
        let function = unsafe { std::mem::transmute::<*const u8, KernelFn>(code) };
        check(function);
        // SAFETY: `function` is not used after this, and nothing else
        // points into the module's memory.
        unsafe { jit.module.free_memory() };
    }

    /// Special values, the edges of every kernel's ranges, random bit
    /// patterns (every binade, NaN payloads, subnormals) and random reals
    /// where the kernels do their work.
    fn inputs() -> Vec<f64> {
        let mut inputs = vec![
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            1.0,
            -1.0,
            0.25,
            -0.25,
            0.4769362762044699,
            0.55,
            7.0 / 16.0,
            39.0 / 16.0,
            20.0,
            27.9,
            28.0,
            709.78,
            709.79,
            -745.13,
            -745.14,
            1000.0,
            -1000.0,
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        inputs.extend((0..3_000).map(|_| f64::from_bits(rng.random())));
        inputs.extend((0..3_000).map(|_| rng.random_range(-40.0..40.0)));
        inputs.extend((0..1_000).map(|_| rng.random_range(-800.0..800.0)));
        inputs.extend((0..1_000).map(|_| rng.random_range(-1.0..1.0) * 1e-6));
        inputs
    }

    #[test]
    fn every_kernel_compiles_to_the_bits_the_interpreter_computes() {
        let inputs = inputs();
        for kernel in Kernel::ALL {
            with_compiled(kernel, |native| {
                for &x in &inputs {
                    let expected = kernel.apply(&mut Direct, x);
                    let got = native(x);
                    assert!(
                        same_bits(got, expected),
                        "{kernel:?} at {x:e} ({:#x}): jit {got:e}, interpreter {expected:e}",
                        x.to_bits()
                    );
                }
            });
        }
    }
}
