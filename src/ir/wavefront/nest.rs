//! Which loop nests are sweeps that the wavefront may run two passes of at
//! once: the conditions of the module doc, checked on the IR, and the
//! facts the rewrite needs (`SweepNest`).

use super::cost;
use crate::ir::{BinaryOp, BlockId, Func, Inst, InstId, ScalarType, VarId, VarType};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The largest offset `i + c` the analysis accepts, so that the range
/// checks' arithmetic on sizes cannot overflow.
const MAX_OFFSET: i64 = 1 << 20;

/// An inner `For` that sweeps: its straight-line body carries a value from
/// one iteration to the next through an array, at constant offsets of the
/// counter (see the module doc).
#[derive(Clone, Debug)]
pub struct Sweep {
    pub inst: InstId,
    pub counter: VarId,
    pub lo: InstId,
    pub hi: InstId,
    pub block: BlockId,
    pub body: Vec<InstId>,
    /// For every array the body touches, the least and greatest offset
    /// `c` of its indices `i + c`.
    pub windows: BTreeMap<VarId, (i64, i64)>,
    /// The arrays the body stores to.
    pub stored: BTreeSet<VarId>,
    /// How many steps pass `k + 1` runs behind pass `k`: one more than the
    /// widest window of an array the body stores to (the least lag that
    /// keeps every conflicting pair in order is that width).
    pub lag: i64,
    /// The scalar variables the body writes.
    pub written: BTreeSet<VarId>,
    /// Those it reads before it writes them: carried from one iteration
    /// to the next (a pass's soft `swapped` flag).
    pub carried: BTreeSet<VarId>,
}

/// The sweep the `For` instruction `inst` is, if it is one.
pub fn sweep(func: &Func, inst: InstId) -> Option<Sweep> {
    let Inst::For {
        counter,
        lo,
        hi,
        body: block,
        reverse: false,
    } = &func.insts[inst]
    else {
        return None;
    };
    let body = func.blocks[*block].insts.clone();
    let (written, carried) = body_scalars(func, &body)?;
    if written.contains(counter) {
        return None;
    }
    let accesses = accesses(func, &body, *counter)?;
    // Nothing carried: no chain to overlap. A chain shorter than the
    // work: a pass already runs at the machine's throughput.
    let carried_loads = accesses.carried_loads();
    if carried_loads.is_empty() || !cost::latency_bound(func, &body, &carried_loads) {
        return None;
    }
    let lag = lag(&accesses)?;
    let stored = accesses
        .list
        .iter()
        .filter(|access| access.is_store)
        .map(|access| access.array)
        .collect();
    Some(Sweep {
        inst,
        counter: *counter,
        lo: *lo,
        hi: *hi,
        block: *block,
        body,
        windows: accesses.windows,
        stored,
        lag,
        written,
        carried,
    })
}

/// An outer `For` whose body is a prelude and one inner `For`, a sweep
/// whose consecutive passes may overlap with a lag (see the module doc).
#[derive(Clone, Debug)]
pub struct SweepNest {
    /// The outer `For` instruction and the block that holds it.
    pub outer: InstId,
    pub parent: BlockId,
    pub outer_counter: VarId,
    /// The prelude: the outer body's instructions before the inner `For`,
    /// which compute its bounds.
    pub prelude: Vec<InstId>,
    pub sweep: Sweep,
}

/// The sweep nest the `For` instruction `outer` (in `parent`) heads, if it
/// is one.
pub fn find(func: &Func, parent: BlockId, outer: InstId) -> Option<SweepNest> {
    let Inst::For {
        counter: outer_counter,
        body: outer_body,
        reverse: false,
        ..
    } = &func.insts[outer]
    else {
        return None;
    };
    let (&inner, prelude) = func.blocks[*outer_body].insts.split_last()?;
    let sweep = sweep(func, inner)?;
    // Both passes of a pair write the body's variables: none may carry a
    // value between iterations (or passes).
    if !sweep.carried.is_empty() || sweep.written.contains(outer_counter) {
        return None;
    }
    let allowed = |inst: &InstId| prelude_allows(func, *inst, sweep.counter, &sweep.written);
    if !prelude.iter().all(allowed) {
        return None;
    }
    let scoped = Scope {
        outer_counter: *outer_counter,
        inner_counter: sweep.counter,
        outer_body: *outer_body,
        inner_body: sweep.block,
    };
    if !scoped.read_only_inside(func, &sweep.written) {
        return None;
    }
    Some(SweepNest {
        outer,
        parent,
        outer_counter: *outer_counter,
        prelude: prelude.to_vec(),
        sweep,
    })
}

/// The scalar variables the body writes, and those of them it reads
/// before it writes them, when every instruction is one the rewrite may
/// reorder; `None` otherwise.
fn body_scalars(func: &Func, body: &[InstId]) -> Option<(BTreeSet<VarId>, BTreeSet<VarId>)> {
    let mut written = BTreeSet::new();
    let mut read_first = BTreeSet::new();
    for &inst in body {
        match &func.insts[inst] {
            Inst::Read(var) if !written.contains(var) => {
                let _ = read_first.insert(*var);
            }
            Inst::Read(_) => {}
            Inst::Write { var, .. } => {
                let _ = written.insert(*var);
            }
            other if !reorderable(func, other) => return None,
            _ => {}
        }
    }
    let carried = written.intersection(&read_first).copied().collect();
    Some((written, carried))
}

/// Whether running `inst` earlier or later, on the same operands, can
/// change nothing but its own result: scalar arithmetic, element accesses
/// (checked separately) and no int division by what may be zero.
pub(super) fn reorderable(func: &Func, inst: &Inst) -> bool {
    match inst {
        Inst::Real(_)
        | Inst::Int(_)
        | Inst::Bool(_)
        | Inst::Tau
        | Inst::SizeOf(_)
        | Inst::StopGradient(_)
        | Inst::Read(_)
        | Inst::Write { .. }
        | Inst::Load { .. }
        | Inst::Store { .. }
        | Inst::Unary(..)
        | Inst::Select { .. } => true,
        Inst::Binary(BinaryOp::Div | BinaryOp::Rem, _, divisor)
            if func.types[*divisor] == Some(ScalarType::Int) =>
        {
            matches!(func.insts[*divisor], Inst::Int(value) if value != 0)
        }
        Inst::Binary(..) => true,
        _ => false,
    }
}

/// Whether a prelude instruction may run a pass early: pure scalar code
/// that reads neither the inner counter nor the body's variables, loads
/// nothing and writes nothing.
fn prelude_allows(
    func: &Func,
    inst: InstId,
    inner_counter: VarId,
    private: &BTreeSet<VarId>,
) -> bool {
    match &func.insts[inst] {
        Inst::Read(var) => *var != inner_counter && !private.contains(var),
        Inst::Write { .. } | Inst::Load { .. } | Inst::Store { .. } => false,
        other => reorderable(func, other),
    }
}

/// The element accesses of the body: every one to a 1-D array at `i + c`
/// (`i` the inner counter, `c` a constant).
struct Accesses {
    /// Per array, the least and greatest offset.
    windows: BTreeMap<VarId, (i64, i64)>,
    /// Every access, in body order.
    list: Vec<Access>,
}

/// A load or store of the body at `i + offset`.
struct Access {
    inst: InstId,
    array: VarId,
    offset: i64,
    is_store: bool,
}

impl Accesses {
    /// The loads below a store of the same array: each reads what an
    /// earlier iteration stored, carrying a value along the pass.
    fn carried_loads(&self) -> HashSet<InstId> {
        self.list
            .iter()
            .filter(|load| !load.is_store && self.stored_above(load))
            .map(|load| load.inst)
            .collect()
    }

    fn stored_above(&self, load: &Access) -> bool {
        self.list
            .iter()
            .any(|store| store.is_store && store.array == load.array && store.offset > load.offset)
    }
}

/// The body's accesses, or `None` when one is not of the accepted form.
fn accesses(func: &Func, body: &[InstId], inner_counter: VarId) -> Option<Accesses> {
    let mut offsets: HashMap<InstId, i64> = HashMap::new();
    let mut accesses = Accesses {
        windows: BTreeMap::new(),
        list: Vec::new(),
    };
    for &inst in body {
        match &func.insts[inst] {
            Inst::Read(var) if *var == inner_counter => {
                let _ = offsets.insert(inst, 0);
            }
            Inst::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), lhs, rhs) => {
                if let Some(offset) = offset_of(func, &offsets, *op, *lhs, *rhs) {
                    let _ = offsets.insert(inst, offset);
                }
            }
            Inst::Load { array, indices } | Inst::Store { array, indices, .. } => {
                let VarType::Array { dims, .. } = &func.vars[*array].ty else {
                    return None;
                };
                let ([_], [index]) = (dims.as_slice(), indices.as_slice()) else {
                    return None;
                };
                let offset = *offsets.get(index)?;
                let window = accesses.windows.entry(*array).or_insert((offset, offset));
                window.0 = window.0.min(offset);
                window.1 = window.1.max(offset);
                accesses.list.push(Access {
                    inst,
                    array: *array,
                    offset,
                    is_store: matches!(func.insts[inst], Inst::Store { .. }),
                });
            }
            _ => {}
        }
    }
    Some(accesses)
}

/// The offset of `lhs op rhs` when one side is `i + c` and the other an
/// int constant (only on the right for a subtraction).
fn offset_of(
    func: &Func,
    offsets: &HashMap<InstId, i64>,
    op: BinaryOp,
    lhs: InstId,
    rhs: InstId,
) -> Option<i64> {
    let constant = |value: InstId| match func.insts[value] {
        Inst::Int(c) if c.abs() <= MAX_OFFSET => Some(c),
        _ => None,
    };
    let offset = match op {
        BinaryOp::Add => match (offsets.get(&lhs), offsets.get(&rhs)) {
            (Some(base), None) => base + constant(rhs)?,
            (None, Some(base)) => base + constant(lhs)?,
            _ => return None,
        },
        BinaryOp::Sub => offsets.get(&lhs)? - constant(rhs)?,
        _ => return None,
    };
    (offset.abs() <= MAX_OFFSET).then_some(offset)
}

/// The lag between two passes of a body that carries a value from one
/// iteration to the next through an array it writes (a load below a
/// store of the same array: bubble sort's larger element moving up):
/// one more than the widest window of a stored array.
fn lag(accesses: &Accesses) -> Option<i64> {
    let widest = accesses
        .list
        .iter()
        .filter(|access| access.is_store)
        .map(|store| {
            let (least, greatest) = accesses.windows[&store.array];
            greatest - least
        })
        .max()?;
    Some(widest + 1)
}

/// The variables whose reads must all lie inside the nest.
struct Scope {
    outer_counter: VarId,
    inner_counter: VarId,
    outer_body: BlockId,
    inner_body: BlockId,
}

impl Scope {
    /// Whether the counters and the body's variables are read nowhere
    /// else in the function: the rewrite leaves other values in them than
    /// the loops would (a private variable holds what the last iteration
    /// to run wrote, which is not always the last iteration of the last
    /// pass).
    fn read_only_inside(&self, func: &Func, private: &BTreeSet<VarId>) -> bool {
        func.blocks.iter().all(|(block, data)| {
            data.insts.iter().all(|inst| match &func.insts[*inst] {
                Inst::Read(var) if *var == self.outer_counter => {
                    block == self.outer_body || block == self.inner_body
                }
                Inst::Read(var) if *var == self.inner_counter || private.contains(var) => {
                    block == self.inner_body
                }
                _ => true,
            })
        })
    }
}
