//! Which `For` loops may run consecutive iterations at the same time, side
//! by side in the lanes of a vector, and what every value of such a loop's
//! body is across iterations.
//!
//! A pure analysis of the IR for the JIT's vectorizer (`jit::vectorize`);
//! it changes nothing and knows nothing of Cranelift. Running iterations
//! `p` and `p + 1` (`p - 1` for a reversed loop) instruction by
//! instruction, both lanes at each instruction, gives what running them
//! one after the other gives when:
//!
//! * the body is straight-line code of [`supported`] instructions: no
//!   control flow, no array-level instruction; no `Push` together with
//!   `Pop` (a body either fills the tape or empties it);
//! * every scalar variable the body writes is written before the body
//!   reads it (iteration-private); a variable only read is the same in
//!   every iteration. The counter counts as written at the start;
//! * every index is computed, before the iteration writes anything, from
//!   ints alone: constants, sizes, variables the body does not write, the
//!   counter, ints popped from the tape, and int arithmetic on those (an
//!   int division only by a nonzero constant, here and everywhere in the
//!   body, so that nothing in the body can fault once the indices are
//!   checked);
//! * for every array the body writes there is a dimension `d` in which
//!   each access's index is either affine in the counter,
//!   `base + s * p + offset` with one loop-invariant `base` and one
//!   nonzero constant stride `s` for all of them and offsets spanning less
//!   than `|s|` (so different iterations touch different elements), or,
//!   for an index the analysis cannot write that way (one popped from the
//!   tape), checked when the code runs to fall in the same window
//!   `base + s * p + [min offset, max offset]` of its own iteration
//!   ([`WindowCheck`]). A load whose index there is the same in every
//!   iteration (`d[u]` in a loop over `v` that writes `d[v]`) is checked
//!   when the code runs to fall outside the windows of every iteration the
//!   step runs. Arrays only read are unconstrained.
//!   Accesses may also have different bases, all with the stride `s`, when
//!   the loop's trip count `hi - lo` has a form in the same atoms and the
//!   bases are at least `|s| * (hi - lo)` apart (the offsets' spans
//!   included): a compare-and-swap of `y[first + c]` and
//!   `y[first + c + gap]` over `c in 0..gap`, a bitonic layer, touches
//!   `gap` elements below `first + gap` and `gap` from there up. That
//!   difference is an exact constant (at most 2^40) of the ring of
//!   2^64-wrapping ints; it proves the windows apart when `|s|` times the
//!   trip count is below 2^62, where the true distance of two lanes'
//!   elements cannot wrap to zero (a loop that long would run for a
//!   century).
//!
//! The runtime window checks are a deviation from the plain affine rule:
//! reverse mode restores the elements a swap overwrote through indices it
//! pushed to the tape, and only the running code can see that a popped
//! index is its own iteration's.
//!
//! [`tape_traffic`] is the simpler question asked of every loop: how many
//! values one iteration of a straight-line body pushes or pops.

pub mod affine;
#[cfg(test)]
pub(crate) mod examples;
#[cfg(test)]
mod tests;

use super::{BinaryOp, BlockId, Func, Inst, InstId, ScalarType, Size, UnaryOp, VarId, VarType};
use affine::{Affine, Atom};
use std::collections::{HashMap, HashSet};

/// How a value of the body varies across the iterations run together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variation {
    /// The same in every iteration of one run of the loop (constants, the
    /// temperature, sizes, variables the body does not write, and pure
    /// operations on those).
    Uniform,
    /// An int or bool that differs per iteration but is computed from ints
    /// alone (the counter, popped ints, uniform ints): the vectorizer
    /// computes it for every lane before the iteration writes anything.
    Index,
    /// Differs per iteration and depends on what the body loads or pops
    /// as a real: computed lane by lane in the body.
    Varying,
}

/// The values one iteration pushes to or pops from the tape, per stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TapeTraffic {
    pub pushed_reals: usize,
    /// Ints and bools (the int stack).
    pub pushed_ints: usize,
    pub popped_reals: usize,
    pub popped_ints: usize,
}

impl TapeTraffic {
    pub fn pushes(&self) -> usize {
        self.pushed_reals + self.pushed_ints
    }

    pub fn pops(&self) -> usize {
        self.popped_reals + self.popped_ints
    }
}

/// A runtime check of an index the analysis could not write as an affine
/// form: in each lane, `index - (reference - reference_offset)` must lie in
/// `[min_offset, max_offset]`, the window of elements only that lane's
/// iteration touches in this dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCheck {
    /// The array and dimension the index is of.
    pub array: VarId,
    pub dim: usize,
    /// The index value checked (an `Index` int).
    pub index: InstId,
    /// The index (in the same dimension) of an affine access of the same
    /// array: `base + s * p + reference_offset`.
    pub reference: InstId,
    pub reference_offset: i64,
    pub min_offset: i64,
    pub max_offset: i64,
    /// The opposite check: the index, the same in every iteration (a read
    /// of `d[u]` in a loop over `v` that writes `d[v]`, as Bellman-Ford
    /// relaxes edges), must lie outside the window of every lane of the
    /// step, so that no lane's store changes what another lane reads.
    pub outside: bool,
}

/// What the vectorizer needs to know about one `Load` or `Store`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Lane 1's flat element index minus lane 0's, when it is a constant
    /// (1: the two elements are adjacent, lane 0 first).
    pub lane_delta: Option<i64>,
}

/// A loop whose iterations may run two at a time.
#[derive(Clone, Debug)]
pub struct ParallelLoop {
    /// The variation of every value the body defines.
    pub variation: HashMap<InstId, Variation>,
    /// For each `Read` of a variable the body wrote before: the value it
    /// reads (`None`: the counter's own value).
    pub forwarded: HashMap<InstId, Option<InstId>>,
    /// The scalar variables the body writes and the value each holds at
    /// the end of an iteration, in the order of their first write.
    pub written: Vec<(VarId, InstId)>,
    /// Every `Load` and `Store` of the body.
    pub accesses: HashMap<InstId, Access>,
    /// The checks that run before each group of iterations, in body order.
    pub window_checks: Vec<WindowCheck>,
    /// The affine form of every int value of the body that has one.
    pub forms: HashMap<InstId, Affine>,
    pub tape: TapeTraffic,
}

/// Why a loop may not run its iterations together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The instruction is not one the analysis handles (control flow,
    /// array-level, an int division by a non-constant).
    Unsupported(InstId),
    /// The body reads the variable before it writes it: a value carried
    /// from one iteration to the next.
    CarriedScalar(VarId),
    /// The index of this access depends on a loaded value or a real.
    IndexFromData(InstId),
    /// No dimension of this written array separates the iterations.
    CarriedArray(VarId),
    /// The body both pushes and pops.
    MixedTape,
    /// Not a `For` loop.
    NotAFor,
}

impl Rejection {
    /// The reason in words, for `smoothc ir --stage clif`.
    pub fn describe(&self, func: &Func) -> String {
        let name = |var: &VarId| format!("`{}` ({var})", func.vars[*var].name);
        match self {
            Rejection::Unsupported(inst) => match &func.insts[*inst] {
                Inst::Binary(..) => format!("{inst} divides ints by a non-constant"),
                _ => format!("{inst} is control flow or an array-level instruction"),
            },
            Rejection::CarriedScalar(var) => {
                format!("{} is carried from one iteration to the next", name(var))
            }
            Rejection::IndexFromData(inst) => format!("the index of {inst} depends on data"),
            Rejection::CarriedArray(var) => {
                format!("two iterations may touch one element of {}", name(var))
            }
            Rejection::MixedTape => "the body both pushes and pops".to_string(),
            Rejection::NotAFor => "not a for loop".to_string(),
        }
    }
}

/// Whether the `For` loop `inst` of `func` may run its iterations two at
/// a time, and the facts the vectorizer needs if so.
pub fn analyze(func: &Func, inst: InstId) -> Result<ParallelLoop, Rejection> {
    let Inst::For {
        counter,
        body,
        reverse,
        lo,
        hi,
    } = &func.insts[inst]
    else {
        return Err(Rejection::NotAFor);
    };
    let mut analysis = Analysis::new(func, *counter, *body, *reverse);
    analysis.trip = analysis.trip_form(inst, *lo, *hi);
    analysis.classify()?;
    let tape = tape_traffic(func, *body).ok_or(Rejection::MixedTape)?;
    if tape.pushes() > 0 && tape.pops() > 0 {
        return Err(Rejection::MixedTape);
    }
    let (accesses, window_checks) = analysis.arrays()?;
    let Analysis {
        variation,
        forwarded,
        forms,
        last_write,
        write_order,
        ..
    } = analysis;
    let written = write_order
        .into_iter()
        .map(|var| (var, last_write[&var]))
        .collect();
    Ok(ParallelLoop {
        variation,
        forwarded,
        written,
        accesses,
        window_checks,
        forms,
        tape,
    })
}

/// The tape traffic of one run of `body`, when the body is straight-line
/// code whose every push and pop is of one value (no `PushArray`, no
/// control flow); `None` otherwise.
pub fn tape_traffic(func: &Func, body: BlockId) -> Option<TapeTraffic> {
    let mut traffic = TapeTraffic::default();
    for &inst in &func.blocks[body].insts {
        match &func.insts[inst] {
            Inst::If { .. }
            | Inst::For { .. }
            | Inst::Loop { .. }
            | Inst::PushArray(_)
            | Inst::PopArray(_) => return None,
            Inst::Push(value) => match func.types[*value] {
                Some(ScalarType::Real) => traffic.pushed_reals += 1,
                _ => traffic.pushed_ints += 1,
            },
            Inst::Pop(ScalarType::Real) => traffic.popped_reals += 1,
            Inst::Pop(ScalarType::Int | ScalarType::Bool) => traffic.popped_ints += 1,
            _ => {}
        }
    }
    Some(traffic)
}

/// Whether the analysis handles `inst` at all (before looking at its
/// operands): scalar instructions and element accesses, no control flow
/// and nothing array-level.
pub fn supported(inst: &Inst) -> bool {
    match inst {
        Inst::Real(_)
        | Inst::Int(_)
        | Inst::Bool(_)
        | Inst::Tau
        | Inst::Baseline
        | Inst::SizeOf(_)
        | Inst::Noise { .. }
        | Inst::StopGradient(_)
        | Inst::Read(_)
        | Inst::Write { .. }
        | Inst::Load { .. }
        | Inst::Store { .. }
        | Inst::Unary(..)
        | Inst::Binary(..)
        | Inst::Select { .. }
        | Inst::Push(_)
        | Inst::Pop(_) => true,
        Inst::If { .. }
        | Inst::For { .. }
        | Inst::Loop { .. }
        | Inst::SortArray { .. }
        | Inst::SortArrayVjp { .. }
        | Inst::ArgMax { .. }
        | Inst::PushArray(_)
        | Inst::PopArray(_) => false,
    }
}

/// The affine indices of one array dimension that share a base (stride
/// and atoms), with the span of their constant offsets.
struct Cluster {
    base: Affine,
    min_offset: i64,
    max_offset: i64,
}

impl Cluster {
    fn group(forms: &[(InstId, &Affine)]) -> Vec<Cluster> {
        let mut clusters: Vec<Cluster> = Vec::new();
        for (_, form) in forms {
            let base = Affine {
                constant: 0,
                ..(*form).clone()
            };
            match clusters.iter_mut().find(|cluster| cluster.base == base) {
                Some(cluster) => {
                    cluster.min_offset = cluster.min_offset.min(form.constant);
                    cluster.max_offset = cluster.max_offset.max(form.constant);
                }
                None => clusters.push(Cluster {
                    base,
                    min_offset: form.constant,
                    max_offset: form.constant,
                }),
            }
        }
        clusters
    }

    /// Whether no element of one cluster's windows is one of the other's
    /// in another iteration: one cluster lies at least `sweep` (the
    /// stride's size times the number of iterations) above the other, as
    /// a constant difference (`Some(false)` when that is not known).
    fn apart_from(&self, other: &Cluster, sweep: &Affine) -> Option<bool> {
        let gap = |low: &Cluster, high: &Cluster| -> Option<bool> {
            let distance = high
                .base
                .sub(&low.base)?
                .add(&Affine::constant(
                    high.min_offset.checked_sub(low.max_offset)?,
                ))?
                .sub(sweep)?;
            // A margin of at most 2^40 keeps the sum below 2^64 (see the
            // module documentation), where wrapping cannot make it zero.
            Some(
                distance
                    .as_constant()
                    .is_some_and(|margin| (0..=1 << 40).contains(&margin)),
            )
        };
        Some(gap(self, other)? || gap(other, self)?)
    }
}

/// The state of one analysis.
struct Analysis<'f> {
    func: &'f Func,
    counter: VarId,
    body: BlockId,
    reverse: bool,
    /// Every scalar variable the body writes anywhere.
    written_anywhere: HashSet<VarId>,
    variation: HashMap<InstId, Variation>,
    forwarded: HashMap<InstId, Option<InstId>>,
    /// The affine form of each int value that has one.
    forms: HashMap<InstId, Affine>,
    /// The value each variable holds at this point of the body.
    last_write: HashMap<VarId, InstId>,
    /// The variables written so far, in the order of their first write.
    write_order: Vec<VarId>,
    /// The number of iterations `hi - lo` (when positive), as a form of
    /// the atoms the body sees, when the bounds have one.
    trip: Option<Affine>,
}

impl<'f> Analysis<'f> {
    fn new(func: &'f Func, counter: VarId, body: BlockId, reverse: bool) -> Analysis<'f> {
        let written_anywhere = func.blocks[body]
            .insts
            .iter()
            .filter_map(|inst| match &func.insts[*inst] {
                Inst::Write { var, .. } => Some(*var),
                _ => None,
            })
            .collect();
        Analysis {
            func,
            counter,
            body,
            reverse,
            written_anywhere,
            variation: HashMap::new(),
            forwarded: HashMap::new(),
            forms: HashMap::new(),
            last_write: HashMap::new(),
            write_order: Vec::new(),
            trip: None,
        }
    }

    /// `hi - lo` of the loop `inst` as a form of the atoms the body sees.
    /// The bounds come from the segment just before the loop; a read of a
    /// variable there is the atom of that variable when neither the rest
    /// of the segment nor the body writes it.
    fn trip_form(&self, inst: InstId, lo: InstId, hi: InstId) -> Option<Affine> {
        let func = self.func;
        let parent = func.blocks[self.body].parent?;
        let insts = &func.blocks[parent].insts;
        let position = insts.iter().position(|candidate| *candidate == inst)?;
        let start = insts[..position]
            .iter()
            .rposition(|candidate| func.insts[*candidate].is_control())
            .map_or(0, |control| control + 1);
        let segment = &insts[start..position];
        self.bound_form(hi, segment)?
            .sub(&self.bound_form(lo, segment)?)
    }

    /// The form of a value of the segment before the loop (see
    /// `trip_form`).
    fn bound_form(&self, value: InstId, segment: &[InstId]) -> Option<Affine> {
        let func = self.func;
        match &func.insts[value] {
            Inst::Int(constant) | Inst::SizeOf(Size::Const(constant)) => {
                Some(Affine::constant(*constant))
            }
            Inst::SizeOf(Size::Param(id)) => Some(Affine::atom(Atom::Size(*id))),
            Inst::SizeOf(Size::Derived(id)) => Some(Affine::atom(Atom::Derived(*id))),
            Inst::Read(var) => {
                let at = segment.iter().position(|inst| *inst == value)?;
                let written_later = segment[at + 1..].iter().any(
                    |inst| matches!(&func.insts[*inst], Inst::Write { var: written, .. } if written == var),
                );
                let invariant =
                    *var != self.counter && !self.written_anywhere.contains(var) && !written_later;
                invariant.then(|| Affine::atom(Atom::Var(*var)))
            }
            Inst::Unary(UnaryOp::Neg, operand) => self.bound_form(*operand, segment)?.scale(-1),
            Inst::Binary(op, lhs, rhs) => {
                let lhs = self.bound_form(*lhs, segment)?;
                let rhs = self.bound_form(*rhs, segment)?;
                match op {
                    BinaryOp::Add => lhs.add(&rhs),
                    BinaryOp::Sub => lhs.sub(&rhs),
                    BinaryOp::Mul => lhs.mul(&rhs),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn var_of(&self, value: InstId) -> Variation {
        self.variation[&value]
    }

    /// Classifies every value of the body, in order, and finds the affine
    /// form of each int that has one.
    fn classify(&mut self) -> Result<(), Rejection> {
        let func = self.func;
        for &inst in &func.blocks[self.body].insts {
            let data = &func.insts[inst];
            if !supported(data) {
                return Err(Rejection::Unsupported(inst));
            }
            if let Some(variation) = self.classify_inst(inst, data)? {
                let _ = self.variation.insert(inst, variation);
                if func.types[inst] == Some(ScalarType::Int)
                    && let Some(form) = self.form(inst, data, variation)
                {
                    let _ = self.forms.insert(inst, form);
                }
            }
        }
        Ok(())
    }

    /// The variation of `inst`'s value (`None` when it has none).
    fn classify_inst(&mut self, inst: InstId, data: &Inst) -> Result<Option<Variation>, Rejection> {
        let func = self.func;
        let operands_join = |analysis: &Self| {
            data.operands()
                .iter()
                .map(|operand| analysis.var_of(*operand))
                .max()
                .unwrap_or(Variation::Uniform)
        };
        Ok(Some(match data {
            Inst::Real(_)
            | Inst::Int(_)
            | Inst::Bool(_)
            | Inst::Tau
            | Inst::Baseline
            | Inst::SizeOf(_) => Variation::Uniform,
            Inst::Read(var) => self.classify_read(inst, *var)?,
            Inst::Write { var, value } => {
                if self.last_write.insert(*var, *value).is_none() {
                    self.write_order.push(*var);
                }
                return Ok(None);
            }
            Inst::Load { indices, .. } => {
                self.check_indices(inst, indices)?;
                Variation::Varying
            }
            Inst::Store { indices, .. } => {
                self.check_indices(inst, indices)?;
                return Ok(None);
            }
            Inst::Push(_) => return Ok(None),
            Inst::Pop(ScalarType::Real) => Variation::Varying,
            Inst::Pop(ScalarType::Int | ScalarType::Bool) => Variation::Index,
            Inst::Binary(BinaryOp::Div | BinaryOp::Rem, _, divisor)
                if func.types[inst] == Some(ScalarType::Int) =>
            {
                match func.insts[*divisor] {
                    Inst::Int(value) if value != 0 => operands_join(self),
                    _ => return Err(Rejection::Unsupported(inst)),
                }
            }
            Inst::Unary(..)
            | Inst::Binary(..)
            | Inst::Select { .. }
            | Inst::StopGradient(_)
            | Inst::Noise { .. } => {
                let joined = operands_join(self);
                // A real that differs per iteration is computed in the
                // body; `Index` is for ints and bools only.
                if joined == Variation::Index && func.types[inst] == Some(ScalarType::Real) {
                    Variation::Varying
                } else {
                    joined
                }
            }
            Inst::If { .. }
            | Inst::For { .. }
            | Inst::Loop { .. }
            | Inst::SortArray { .. }
            | Inst::SortArrayVjp { .. }
            | Inst::ArgMax { .. }
            | Inst::PushArray(_)
            | Inst::PopArray(_) => return Err(Rejection::Unsupported(inst)),
        }))
    }

    fn classify_read(&mut self, inst: InstId, var: VarId) -> Result<Variation, Rejection> {
        if let Some(&value) = self.last_write.get(&var) {
            let _ = self.forwarded.insert(inst, Some(value));
            return Ok(self.var_of(value));
        }
        if var == self.counter {
            let _ = self.forwarded.insert(inst, None);
            return Ok(Variation::Index);
        }
        if self.written_anywhere.contains(&var) {
            return Err(Rejection::CarriedScalar(var));
        }
        Ok(Variation::Uniform)
    }

    /// Every index of an access must be known before the iteration runs.
    fn check_indices(&self, inst: InstId, indices: &[InstId]) -> Result<(), Rejection> {
        if indices
            .iter()
            .all(|index| self.var_of(*index) != Variation::Varying)
        {
            Ok(())
        } else {
            Err(Rejection::IndexFromData(inst))
        }
    }

    /// The affine form of the int value `inst`, if it has one.
    fn form(&self, inst: InstId, data: &Inst, variation: Variation) -> Option<Affine> {
        let operand = |value: &InstId| self.forms.get(value);
        let form = match data {
            Inst::Int(value) => Some(Affine::constant(*value)),
            Inst::SizeOf(Size::Const(value)) => Some(Affine::constant(*value)),
            Inst::SizeOf(Size::Param(id)) => Some(Affine::atom(Atom::Size(*id))),
            Inst::SizeOf(Size::Derived(id)) => Some(Affine::atom(Atom::Derived(*id))),
            Inst::Read(var) => match self.forwarded.get(&inst) {
                Some(Some(value)) => operand(value).cloned(),
                Some(None) => Some(Affine::counter()),
                None => Some(Affine::atom(Atom::Var(*var))),
            },
            Inst::StopGradient(value) => operand(value).cloned(),
            Inst::Unary(UnaryOp::Neg, value) => operand(value).and_then(|form| form.scale(-1)),
            Inst::Binary(op, lhs, rhs) => {
                let both = operand(lhs).zip(operand(rhs));
                match op {
                    BinaryOp::Add => both.and_then(|(a, b)| a.add(b)),
                    BinaryOp::Sub => both.and_then(|(a, b)| a.sub(b)),
                    BinaryOp::Mul => both.and_then(|(a, b)| a.mul(b)),
                    _ => None,
                }
            }
            _ => None,
        };
        // Any other loop-invariant int is an atom of its own.
        form.or_else(|| (variation == Variation::Uniform).then(|| Affine::atom(Atom::Value(inst))))
    }

    /// The access facts of every `Load` and `Store`, and the window checks,
    /// or the written array whose accesses may touch one element from two
    /// iterations.
    fn arrays(&self) -> Result<(HashMap<InstId, Access>, Vec<WindowCheck>), Rejection> {
        let func = self.func;
        let mut by_array: HashMap<VarId, Vec<(InstId, &[InstId])>> = HashMap::new();
        let mut stored = Vec::new();
        let mut accesses = HashMap::new();
        for &inst in &func.blocks[self.body].insts {
            let (array, indices) = match &func.insts[inst] {
                Inst::Load { array, indices } => (*array, indices.as_slice()),
                Inst::Store { array, indices, .. } => {
                    if !stored.contains(array) {
                        stored.push(*array);
                    }
                    (*array, indices.as_slice())
                }
                _ => continue,
            };
            by_array.entry(array).or_default().push((inst, indices));
            let _ = accesses.insert(
                inst,
                Access {
                    lane_delta: self.lane_delta(array, indices),
                },
            );
        }
        let mut window_checks = Vec::new();
        for array in stored {
            let checks = self
                .separating_dimension(array, &by_array[&array])
                .ok_or(Rejection::CarriedArray(array))?;
            window_checks.extend(checks);
        }
        Ok((accesses, window_checks))
    }

    /// A dimension in which the accesses of one array are separated by
    /// iteration, and the runtime checks of the indices in it that have no
    /// affine form.
    fn separating_dimension(
        &self,
        array: VarId,
        accesses: &[(InstId, &[InstId])],
    ) -> Option<Vec<WindowCheck>> {
        let rank = accesses.first()?.1.len();
        (0..rank).find_map(|dim| self.separates(array, accesses, dim))
    }

    fn separates(
        &self,
        array: VarId,
        accesses: &[(InstId, &[InstId])],
        dim: usize,
    ) -> Option<Vec<WindowCheck>> {
        let mut affine: Vec<(InstId, &Affine)> = Vec::new();
        let mut dynamic = Vec::new();
        let mut uniform_reads = Vec::new();
        for (access, indices) in accesses {
            let index = indices[dim];
            let is_load = matches!(self.func.insts[*access], Inst::Load { .. });
            match self.forms.get(&index) {
                Some(form) if form.counter == 0 && is_load => uniform_reads.push(index),
                Some(form) => affine.push((index, form)),
                None => dynamic.push(index),
            }
        }
        let (reference, reference_form) = *affine.first()?;
        let stride = reference_form.counter;
        if stride == 0 {
            return None;
        }
        let clusters = Cluster::group(&affine);
        if clusters
            .iter()
            .any(|cluster| cluster.base.counter != stride)
        {
            return None;
        }
        // Offsets spanning less than the stride: the windows
        // `s * p + [min, max]` of different iterations do not overlap.
        for cluster in &clusters {
            if cluster.max_offset.checked_sub(cluster.min_offset)? >= stride.checked_abs()? {
                return None;
            }
        }
        if clusters.len() > 1 {
            // Windows of different bases: apart by at least what the
            // counter sweeps, and no window checks to place.
            let sweep = self.trip.as_ref()?.scale(stride.checked_abs()?)?;
            for (index, first) in clusters.iter().enumerate() {
                for second in &clusters[index + 1..] {
                    if !first.apart_from(second, &sweep)? {
                        return None;
                    }
                }
            }
            return (dynamic.is_empty() && uniform_reads.is_empty()).then(Vec::new);
        }
        let min_offset = clusters[0].min_offset;
        let max_offset = clusters[0].max_offset;
        let mut checks: Vec<WindowCheck> = Vec::new();
        let wanted = dynamic
            .into_iter()
            .map(|index| (index, false))
            .chain(uniform_reads.into_iter().map(|index| (index, true)));
        for (index, outside) in wanted {
            if checks.iter().any(|check| check.index == index) {
                continue;
            }
            checks.push(WindowCheck {
                array,
                dim,
                index,
                reference,
                reference_offset: reference_form.constant,
                min_offset,
                max_offset,
                outside,
            });
        }
        Some(checks)
    }

    /// Lane 1's flat element index minus lane 0's when it is a constant:
    /// every dimension but the last uniform, the last affine.
    fn lane_delta(&self, array: VarId, indices: &[InstId]) -> Option<i64> {
        let VarType::Array { .. } = &self.func.vars[array].ty else {
            return None;
        };
        let (last, outer) = indices.split_last()?;
        if outer
            .iter()
            .any(|index| self.var_of(*index) != Variation::Uniform)
        {
            return None;
        }
        let stride = self.forms.get(last)?.counter;
        // Lane 1 is the next iteration: `p + 1`, or `p - 1` reversed.
        if self.reverse {
            stride.checked_neg()
        } else {
            Some(stride)
        }
    }
}
