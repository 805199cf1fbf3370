//! The one intermediate representation, from lowering to code generation.
//!
//! A [`Func`] is a tree of *structured* blocks: control flow is `If` and `For`
//! instructions that own their child blocks, never arbitrary jumps. Data lives
//! in two places:
//!
//! * **variables** ([`VarId`]): mutable storage, scalar or array, zero
//!   initialised at function entry. Parameters and outputs are variables.
//!   Arrays are only ever touched element by element (`Load`/`Store`);
//!   whole-array copies are loops written by the passes.
//! * **values** ([`InstId`]): the scalar result of an instruction, immutable.
//!
//! Invariant (checked by `verify`): a value is used only inside the *segment*
//! that defines it, where a segment is a maximal run of non-control
//! instructions of one block. The one exception is the `cond` of an `If` and
//! the bounds of a `For`, which come from the segment just before them.
//! Anything that must cross control flow goes through a variable. This keeps
//! reverse mode simple: the reverse of a segment can recompute the segment's
//! values from the variables alone.
//!
//! Spans live in a side table (`origins`) so that passes which do not care
//! never see them.

pub mod build;
pub mod display;
pub mod liveness;
pub mod lower;
pub mod optimize;
pub mod parallel;
pub mod segments;
pub mod verify;
pub mod wavefront;

use crate::syntax::span::Origin;
use cranelift_entity::{PrimaryMap, SecondaryMap, entity_impl};

/// An instruction; when the instruction has a result, also that value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstId(u32);
entity_impl!(InstId, "v");

/// A variable (scalar or array storage).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(u32);
entity_impl!(VarId, "%");

/// A block: an ordered list of instructions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(u32);
entity_impl!(BlockId, "block");

/// A size parameter of the function, bound from argument shapes at call time.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SizeId(u32);
entity_impl!(SizeId, "size");

/// A size computed from the size parameters (`n - 1`, `2 * n`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DerivedSizeId(u32);
entity_impl!(DerivedSizeId, "dsize");

/// The smoothing attributes of a site, shared by its instructions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrsId(u32);
entity_impl!(AttrsId, "attrs");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// f64
    Real,
    /// i64
    Int,
    /// a truth value (stored as 0/1)
    Bool,
}

/// The length of one array dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    Const(i64),
    Param(SizeId),
    /// Computed from the parameters when the call starts (see
    /// [`DerivedSize`]); a negative value is a runtime error then.
    Derived(DerivedSizeId),
}

/// `sum of coefficient * product of size parameters`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DerivedSize {
    pub terms: Vec<(Vec<SizeId>, i64)>,
    /// As the source writes it (`n - 1`), for printing and errors.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VarType {
    Scalar(ScalarType),
    /// Row-major, one size per dimension.
    Array {
        elem: ScalarType,
        dims: Vec<Size>,
    },
}

impl VarType {
    pub fn elem(&self) -> ScalarType {
        match self {
            VarType::Scalar(scalar) => *scalar,
            VarType::Array { elem, .. } => *elem,
        }
    }

    pub fn is_array(&self) -> bool {
        matches!(self, VarType::Array { .. })
    }
}

/// What a variable is for; printed, and used by passes to find parameters,
/// adjoints and temporaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarRole {
    /// The n-th parameter. Read-only.
    Param(usize),
    /// A user binding (`let`, loop variable).
    Local,
    /// Introduced by lowering or a pass.
    Temp,
    /// The adjoint of another variable (created by `ad`).
    Adjoint(VarId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct VarData {
    /// For printing only; need not be unique.
    pub name: String,
    pub ty: VarType,
    pub role: VarRole,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SizeData {
    pub name: String,
    /// The (parameter index, dimension) whose extent defines this size.
    pub bound_by: (usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x` on real or int.
    Neg,
    /// `!b` on bool.
    Not,
    Exp,
    Log,
    Sqrt,
    /// The logistic function, computed stably for any input.
    Sigmoid,
    /// `log(1 + e^x)`, computed stably for any input.
    Softplus,
    Sin,
    Cos,
    Tanh,
    /// `1 / x`, clamped to `±f64::MAX` where it overflows (so that `0 *`
    /// it is 0): the reciprocal of a temperature.
    ClampedReciprocal,
    /// Real to int, rounding down; saturating at the int range, NaN gives 0.
    Floor,
    /// Real to int, rounding up; saturating, NaN gives 0.
    Ceil,
    /// Real to int, rounding halves away from zero; saturating, NaN gives 0.
    Round,
    /// int or bool to real.
    ToReal,
    /// The CDF of a sigmoid family (the logistic one is `Sigmoid`).
    Cdf(Distribution),
    /// The density of a sigmoid family: the derivative of its `Cdf`.
    Density(Distribution),
}

/// What a `SortArray` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortArray {
    /// Sorted values, or 1-based ascending ranks.
    pub ranks: bool,
    /// `None`: the hard sort; else the isotonic-regression relaxation with
    /// this regularization and strength (a real value: `tau` times the
    /// site's scale).
    pub relaxation: Option<(Regularization, InstId)>,
}

/// The regularization of the isotonic-regression soft sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regularization {
    L2,
    Kl,
}

/// The zero-mean, unit-scale distributions whose CDFs relax comparisons,
/// besides the logistic (see `smooth::family` for their formulas).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Distribution {
    Cauchy,
    Gaussian,
    Laplace,
    Reciprocal,
    Optimal,
}

impl Distribution {
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Cauchy => "cauchy",
            Distribution::Gaussian => "gaussian",
            Distribution::Laplace => "laplace",
            Distribution::Reciprocal => "reciprocal",
            Distribution::Optimal => "optimal",
        }
    }
}

/// The distributions stochastic mode draws noise from: the families'
/// (zero-mean, unit-scale, symmetric) and the standard Gumbel of the
/// Gumbel-max trick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoiseKind {
    Logistic,
    Gaussian,
    Cauchy,
    Laplace,
    Reciprocal,
    Optimal,
    Gumbel,
}

impl NoiseKind {
    pub fn name(self) -> &'static str {
        match self {
            NoiseKind::Logistic => "logistic",
            NoiseKind::Gaussian => "gaussian",
            NoiseKind::Cauchy => "cauchy",
            NoiseKind::Laplace => "laplace",
            NoiseKind::Reciprocal => "reciprocal",
            NoiseKind::Optimal => "optimal",
            NoiseKind::Gumbel => "gumbel",
        }
    }

    /// The code the JIT passes to the noise helper.
    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> NoiseKind {
        [
            NoiseKind::Logistic,
            NoiseKind::Gaussian,
            NoiseKind::Cauchy,
            NoiseKind::Laplace,
            NoiseKind::Reciprocal,
            NoiseKind::Optimal,
            NoiseKind::Gumbel,
        ][code.clamp(0, 6) as usize]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Real division; on ints, division truncating toward zero.
    Div,
    /// Int remainder (sign of the dividend).
    Rem,
    /// `a^b` on reals (IEEE `pow`).
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// A real constant.
    Real(f64),
    Int(i64),
    Bool(bool),
    /// The runtime temperature (real). Never a constant: annealing needs no
    /// recompilation.
    Tau,
    /// The value of a size (int).
    SizeOf(Size),
    /// Stochastic mode: the draw number `counter` (an int) of the call's
    /// noise stream, from `kind`'s distribution (see `runtime::noise`). A
    /// pure function of the counter, the seed and the sample index, so
    /// recomputing it gives the same value.
    Noise {
        kind: NoiseKind,
        counter: InstId,
    },
    /// Stochastic mode: the baseline of the score-function surrogate, a
    /// runtime real like `Tau`.
    Baseline,
    /// The operand's value; reverse mode sends no adjoint through it.
    StopGradient(InstId),
    /// The current value of a scalar variable.
    Read(VarId),
    /// Overwrites a scalar variable.
    Write {
        var: VarId,
        value: InstId,
    },
    /// An array element; one int index per dimension, bounds-checked at run
    /// time (an out-of-range index is a runtime error, never UB).
    Load {
        array: VarId,
        indices: Vec<InstId>,
    },
    /// Overwrites an array element; bounds-checked like `Load`.
    Store {
        array: VarId,
        indices: Vec<InstId>,
        value: InstId,
    },
    Unary(UnaryOp, InstId),
    /// Both operands have the same type; comparisons give a bool.
    Binary(BinaryOp, InstId, InstId),
    /// Runs `then_block` if `cond` (a bool) holds, else `else_block`.
    If {
        cond: InstId,
        then_block: BlockId,
        else_block: BlockId,
    },
    /// `cond ? then : else` on values of one type; both are evaluated.
    Select {
        cond: InstId,
        then: InstId,
        otherwise: InstId,
    },
    /// A `while` loop: runs `body` as long as the bool variable `flag` holds
    /// (checked before each iteration; the body updates it). More than
    /// `bound` iterations, when given, is a runtime error.
    Loop {
        flag: VarId,
        body: BlockId,
        bound: Option<i64>,
    },
    /// Runs `body` with `counter` (an int variable) set to `lo, lo+1, ..,
    /// hi-1`, or in the opposite order when `reverse`. No iteration when
    /// `hi <= lo`.
    For {
        counter: VarId,
        lo: InstId,
        hi: InstId,
        body: BlockId,
        reverse: bool,
    },
    /// `output = sort(input)` or the ranks of `input` (1-D real arrays of
    /// one length), hard or relaxed by isotonic regression (see
    /// [`SortArray`]).
    SortArray {
        op: SortArray,
        input: VarId,
        output: VarId,
    },
    /// `target += vjp(input, cotangent)`: the vector-Jacobian product of
    /// the `SortArray` `op` at `input` (created by reverse mode).
    SortArrayVjp {
        op: SortArray,
        input: VarId,
        cotangent: VarId,
        target: VarId,
    },
    /// The index of the largest element of a 1-D real array (the smallest
    /// when `min`), the first one on ties; NaN elements never win, except
    /// a NaN at index 0. An empty array is an index-out-of-bounds error
    /// (index 0 of length 0), as `x[argmax(x)]` would be.
    ArgMax {
        array: VarId,
        min: bool,
    },
    /// Pushes every element of an array to the tape, in order.
    PushArray(VarId),
    /// Pops an array pushed by `PushArray` back into the variable.
    PopArray(VarId),
    /// Pushes a value to the tape (reals and ints/bools on separate stacks).
    Push(InstId),
    /// Pops the most recent value of the given type from the tape.
    Pop(ScalarType),
}

impl Inst {
    /// Whether the instruction owns blocks (ends a segment).
    /// The variable an array-level instruction writes, if any.
    pub fn array_written(&self) -> Option<VarId> {
        match self {
            Inst::SortArray { output, .. } => Some(*output),
            Inst::SortArrayVjp { target, .. } => Some(*target),
            Inst::PopArray(var) => Some(*var),
            _ => None,
        }
    }

    pub fn is_control(&self) -> bool {
        matches!(self, Inst::If { .. } | Inst::For { .. } | Inst::Loop { .. })
    }

    /// A copy of the instruction with every operand value replaced by
    /// `map(operand)`; child blocks and variables are kept.
    pub fn map_operands(&self, mut map: impl FnMut(InstId) -> InstId) -> Inst {
        match self {
            Inst::Write { var, value } => Inst::Write {
                var: *var,
                value: map(*value),
            },
            Inst::Load { array, indices } => Inst::Load {
                array: *array,
                indices: indices.iter().map(|index| map(*index)).collect(),
            },
            Inst::Store {
                array,
                indices,
                value,
            } => Inst::Store {
                array: *array,
                indices: indices.iter().map(|index| map(*index)).collect(),
                value: map(*value),
            },
            Inst::Unary(op, operand) => Inst::Unary(*op, map(*operand)),
            Inst::Binary(op, lhs, rhs) => Inst::Binary(*op, map(*lhs), map(*rhs)),
            Inst::Select {
                cond,
                then,
                otherwise,
            } => Inst::Select {
                cond: map(*cond),
                then: map(*then),
                otherwise: map(*otherwise),
            },
            Inst::Loop { .. } | Inst::PushArray(_) | Inst::PopArray(_) | Inst::ArgMax { .. } => {
                self.clone()
            }
            Inst::SortArray { op, input, output } => Inst::SortArray {
                op: op.map_strength(map),
                input: *input,
                output: *output,
            },
            Inst::SortArrayVjp {
                op,
                input,
                cotangent,
                target,
            } => Inst::SortArrayVjp {
                op: op.map_strength(map),
                input: *input,
                cotangent: *cotangent,
                target: *target,
            },
            Inst::Push(value) => Inst::Push(map(*value)),
            Inst::Noise { kind, counter } => Inst::Noise {
                kind: *kind,
                counter: map(*counter),
            },
            Inst::StopGradient(value) => Inst::StopGradient(map(*value)),
            Inst::If {
                cond,
                then_block,
                else_block,
            } => Inst::If {
                cond: map(*cond),
                then_block: *then_block,
                else_block: *else_block,
            },
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            } => Inst::For {
                counter: *counter,
                lo: map(*lo),
                hi: map(*hi),
                body: *body,
                reverse: *reverse,
            },
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::SizeOf(_)
            | Inst::Read(_)
            | Inst::Baseline
            | Inst::Pop(_) => self.clone(),
        }
    }

    /// The values this instruction reads, in order.
    pub fn operands(&self) -> Vec<InstId> {
        match self {
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::SizeOf(_)
            | Inst::Read(_)
            | Inst::Baseline
            | Inst::Pop(_) => Vec::new(),
            Inst::Noise { counter, .. } => vec![*counter],
            Inst::StopGradient(value) => vec![*value],
            Inst::Write { value, .. } => vec![*value],
            Inst::Load { indices, .. } => indices.clone(),
            Inst::Store { indices, value, .. } => {
                let mut operands = indices.clone();
                operands.push(*value);
                operands
            }
            Inst::Unary(_, operand) | Inst::Push(operand) => vec![*operand],
            Inst::Binary(_, lhs, rhs) => vec![*lhs, *rhs],
            Inst::Select {
                cond,
                then,
                otherwise,
            } => vec![*cond, *then, *otherwise],
            Inst::If { cond, .. } => vec![*cond],
            Inst::For { lo, hi, .. } => vec![*lo, *hi],
            Inst::Loop { .. } | Inst::PushArray(_) | Inst::PopArray(_) | Inst::ArgMax { .. } => {
                Vec::new()
            }
            Inst::SortArray { op, .. } | Inst::SortArrayVjp { op, .. } => op
                .relaxation
                .map(|(_, strength)| strength)
                .into_iter()
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct BlockData {
    pub insts: Vec<InstId>,
    /// The block whose `If`/`For` owns this one (`None` for the entry).
    pub parent: Option<BlockId>,
}

/// One function of the IR.
#[derive(Clone, Debug)]
pub struct Func {
    pub name: String,
    pub insts: PrimaryMap<InstId, Inst>,
    /// The result type of each instruction, `None` for instructions without
    /// a result (writes, stores, control flow, pushes).
    pub types: SecondaryMap<InstId, Option<ScalarType>>,
    pub origins: SecondaryMap<InstId, Origin>,
    pub vars: PrimaryMap<VarId, VarData>,
    pub blocks: PrimaryMap<BlockId, BlockData>,
    pub sizes: PrimaryMap<SizeId, SizeData>,
    /// Sizes computed from `sizes` when a call starts.
    pub derived_sizes: PrimaryMap<DerivedSizeId, DerivedSize>,
    /// The smoothing attributes of the sites (see `sema::attrs`).
    pub attrs: PrimaryMap<AttrsId, crate::sema::attrs::SiteAttrs>,
    /// Which attributes apply to each instruction (`None`: the defaults).
    pub site_attrs: SecondaryMap<InstId, Option<AttrsId>>,
    pub entry: BlockId,
    /// Input variables in call order (all read-only).
    pub params: Vec<VarId>,
    /// Variables whose final contents are the function's results, in order.
    pub outputs: Vec<VarId>,
}

impl Func {
    /// An empty function with an empty entry block.
    pub fn new(name: impl Into<String>) -> Func {
        let mut blocks = PrimaryMap::new();
        let entry = blocks.push(BlockData::default());
        Func {
            name: name.into(),
            insts: PrimaryMap::new(),
            types: SecondaryMap::new(),
            origins: SecondaryMap::new(),
            vars: PrimaryMap::new(),
            blocks,
            sizes: PrimaryMap::new(),
            derived_sizes: PrimaryMap::new(),
            attrs: PrimaryMap::new(),
            site_attrs: SecondaryMap::new(),
            entry,
            params: Vec::new(),
            outputs: Vec::new(),
        }
    }

    pub fn new_var(&mut self, name: impl Into<String>, ty: VarType, role: VarRole) -> VarId {
        self.vars.push(VarData {
            name: name.into(),
            ty,
            role,
        })
    }

    pub fn new_block(&mut self, parent: BlockId) -> BlockId {
        self.blocks.push(BlockData {
            insts: Vec::new(),
            parent: Some(parent),
        })
    }

    /// Appends `inst` to `block`, computing its result type from its operands.
    pub fn append(&mut self, block: BlockId, inst: Inst, origin: Origin) -> InstId {
        let ty = self.result_type(&inst);
        let id = self.insts.push(inst);
        self.types[id] = ty;
        self.origins[id] = origin;
        self.blocks[block].insts.push(id);
        id
    }

    /// The type of the value `inst` would produce.
    pub fn result_type(&self, inst: &Inst) -> Option<ScalarType> {
        match inst {
            Inst::Real(_) | Inst::Tau | Inst::Baseline | Inst::Noise { .. } => {
                Some(ScalarType::Real)
            }
            Inst::StopGradient(value) => self.types[*value],
            Inst::Int(_) | Inst::SizeOf(_) | Inst::ArgMax { .. } => Some(ScalarType::Int),
            Inst::Bool(_) => Some(ScalarType::Bool),
            Inst::Read(var) | Inst::Load { array: var, .. } => Some(self.vars[*var].ty.elem()),
            Inst::Unary(op, operand) => match op {
                UnaryOp::Neg | UnaryOp::Not => self.types[*operand],
                UnaryOp::Exp
                | UnaryOp::Log
                | UnaryOp::Sqrt
                | UnaryOp::Sigmoid
                | UnaryOp::Softplus
                | UnaryOp::Sin
                | UnaryOp::Cos
                | UnaryOp::Tanh
                | UnaryOp::ClampedReciprocal
                | UnaryOp::Cdf(_)
                | UnaryOp::Density(_)
                | UnaryOp::ToReal => Some(ScalarType::Real),
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round => Some(ScalarType::Int),
            },
            Inst::Select { then, .. } => self.types[*then],
            Inst::Binary(op, lhs, _) => {
                if op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or) {
                    Some(ScalarType::Bool)
                } else {
                    self.types[*lhs]
                }
            }
            Inst::Pop(ty) => Some(*ty),
            Inst::Write { .. }
            | Inst::Store { .. }
            | Inst::If { .. }
            | Inst::For { .. }
            | Inst::Loop { .. }
            | Inst::SortArray { .. }
            | Inst::SortArrayVjp { .. }
            | Inst::PushArray(_)
            | Inst::PopArray(_)
            | Inst::Push(_) => None,
        }
    }

    pub fn ty(&self, value: InstId) -> Option<ScalarType> {
        self.types[value]
    }

    /// The parameter index of the `n`-th real-typed (scalar or array) parameter list.
    pub fn real_params(&self) -> Vec<(usize, VarId)> {
        self.params
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, var)| self.vars[*var].ty.elem() == ScalarType::Real)
            .collect()
    }
}

impl SortArray {
    /// The same choices with the strength value replaced by `map(strength)`.
    pub fn map_strength(self, map: impl FnOnce(InstId) -> InstId) -> SortArray {
        SortArray {
            ranks: self.ranks,
            relaxation: self
                .relaxation
                .map(|(regularization, strength)| (regularization, map(strength))),
        }
    }
}
