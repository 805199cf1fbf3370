//! How the vectorized body holds a value of two iterations (lanes), and
//! the conversions between the forms.
//!
//! Lane 0 is the earlier iteration in the scalar order, lane 1 the later.

use crate::ir::ScalarType;
use crate::jit::translate::clif_type;
use cranelift::prelude::*;
use cranelift_codegen::ir::Endianness;

/// Two reals.
pub(super) const REALS: Type = types::F64X2;
/// Two ints, or two bools as all-ones (true) or zero (false) masks.
pub(super) const WORDS: Type = types::I64X2;
/// Iterations run at once.
pub(super) const LANE_COUNT: usize = 2;

/// The flags of a `bitcast` between vector types: lanes in memory order
/// (which the generated code's vector loads and stores use too).
pub(super) fn lane_order() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// A value of the body in the two lanes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Lanes {
    /// The same scalar in both lanes, of the IR type's Cranelift type.
    Uniform(Value),
    /// One scalar per lane: ints, and bools computed from ints.
    Scalars([Value; LANE_COUNT]),
    /// Reals, one `f64x2`.
    Reals(Value),
    /// Reals built from one scalar per lane: the `f64x2` and the scalars,
    /// so that a lane's value needs no extraction.
    Packed(Value, [Value; LANE_COUNT]),
    /// Bools from real comparisons, one `i64x2` of masks.
    Mask(Value),
}

impl Lanes {
    /// The scalar of lane `lane` (of the IR type `ty`, as the scalar code
    /// holds it: `f64`, `i64`, or an `i8` 0/1 bool).
    pub(super) fn lane(self, builder: &mut FunctionBuilder, ty: ScalarType, lane: usize) -> Value {
        match self {
            Lanes::Uniform(value) => value,
            Lanes::Scalars(values) | Lanes::Packed(_, values) => values[lane],
            Lanes::Reals(vector) => builder.ins().extractlane(vector, lane as u8),
            Lanes::Mask(mask) => {
                let word = builder.ins().extractlane(mask, lane as u8);
                debug_assert_eq!(clif_type(ty), types::I8);
                builder.ins().icmp_imm_s(IntCC::NotEqual, word, 0)
            }
        }
    }

    /// The lanes as an `f64x2` (the value is a real).
    pub(super) fn reals(self, builder: &mut FunctionBuilder) -> Value {
        match self {
            Lanes::Reals(vector) | Lanes::Packed(vector, _) => vector,
            Lanes::Uniform(value) => builder.ins().splat(REALS, value),
            Lanes::Scalars(values) => pack(builder, REALS, values),
            Lanes::Mask(_) => unreachable!("a mask holds bools, not reals"),
        }
    }

    /// The lanes as an `i64x2` of masks (the value is a bool).
    pub(super) fn mask(self, builder: &mut FunctionBuilder) -> Value {
        match self {
            Lanes::Mask(mask) => mask,
            Lanes::Uniform(flag) => {
                let word = builder.ins().bmask(types::I64, flag);
                builder.ins().splat(WORDS, word)
            }
            Lanes::Scalars(flags) => {
                let words = flags.map(|flag| builder.ins().bmask(types::I64, flag));
                pack(builder, WORDS, words)
            }
            Lanes::Reals(_) | Lanes::Packed(..) => unreachable!("reals are not bools"),
        }
    }
}

/// A vector of `ty` from one scalar per lane.
pub(super) fn pack(builder: &mut FunctionBuilder, ty: Type, values: [Value; LANE_COUNT]) -> Value {
    let vector = builder.ins().scalar_to_vector(ty, values[0]);
    builder.ins().insertlane(vector, values[1], 1)
}

/// Reals from one scalar per lane (the vector is dropped when unused).
pub(super) fn packed_reals(builder: &mut FunctionBuilder, values: [Value; LANE_COUNT]) -> Lanes {
    Lanes::Packed(pack(builder, REALS, values), values)
}

/// The two lanes of a 128-bit vector exchanged.
pub(super) fn swap(builder: &mut FunctionBuilder, vector: Value) -> Value {
    let ty = builder.func.dfg.value_type(vector);
    let bytes = builder.ins().bitcast(types::I8X16, lane_order(), vector);
    let order: Vec<u8> = (8..16).chain(0..8).collect();
    let mask = builder.func.dfg.immediates.push(order.as_slice().into());
    let swapped = builder.ins().shuffle(bytes, bytes, mask);
    builder.ins().bitcast(ty, lane_order(), swapped)
}
