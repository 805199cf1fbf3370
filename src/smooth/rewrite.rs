//! The relaxed-mode rewriter: copies a function instruction by instruction,
//! replacing each smoothing site by its relaxation.
//!
//! Data-dependent bool values become real probabilities in `[0, 1]`, and
//! data-dependent bool variables become real variables holding them. The
//! per-construct rules live in `condition` (comparisons and logic) and
//! `branch` (soft `if`).

use super::discreteness::Discreteness;
use super::locality::VarAccess;
use super::soft_index::{Rounding, SoftIndex, SoftIndexId};
use super::{SiteKind, SmoothError, SmoothOptions, SmoothingSite};
use crate::ir::{BlockId, Func, Inst, InstId, ScalarType, UnaryOp, VarType};
use crate::syntax::span::Origin;
use cranelift_entity::SecondaryMap;

pub(crate) struct Smoother<'f> {
    pub(super) old: &'f Func,
    pub(super) new: Func,
    pub(super) data: Discreteness,
    pub(super) access: VarAccess,
    pub(super) options: SmoothOptions,
    /// Old value → new value (for data bools: the new probability).
    pub(super) values: SecondaryMap<InstId, Option<InstId>>,
    /// Where new instructions go.
    pub(super) block: BlockId,
    pub(super) sites: Vec<SmoothingSite>,
    /// How many relaxed branches enclose the instruction being rewritten.
    pub(super) soft_depth: usize,
    /// The site attributes of the old instruction being rewritten.
    pub(super) site: Option<crate::ir::AttrsId>,
    /// The relaxed ints (see `soft_index`).
    pub(super) soft_indices: Vec<SoftIndex>,
    /// Old int values that are soft indices.
    pub(super) soft_values: SecondaryMap<InstId, Option<SoftIndexId>>,
    /// Old int variables bound once to a soft index.
    pub(super) soft_vars: SecondaryMap<crate::ir::VarId, Option<SoftIndexId>>,
    /// How many `Write`s of each old variable the function has.
    pub(super) write_counts: SecondaryMap<crate::ir::VarId, u32>,
    /// Stochastic mode: the counter of noise draws (see `stochastic`).
    pub(super) draws: Option<crate::ir::VarId>,
    /// Stochastic mode, score estimator: the log-probability of the
    /// decisions taken.
    pub(super) log_probability: Option<crate::ir::VarId>,
}

impl<'f> Smoother<'f> {
    pub(crate) fn new(old: &'f Func, data: Discreteness, options: SmoothOptions) -> Smoother<'f> {
        let mut new = Func::new(old.name.clone());
        new.sizes = old.sizes.clone();
        new.params = old.params.clone();
        new.outputs = old.outputs.clone();
        new.derived_sizes = old.derived_sizes.clone();
        new.attrs = old.attrs.clone();
        new.vars = old.vars.clone();
        let hard_flags = hard_loop_flags(old);
        let blends = blends_decisions(old, &options);
        for (var, var_data) in new.vars.iter_mut() {
            // A data-dependent bool variable holds a probability from now on
            // (except the flag of a loop kept hard, which stays a bool), when
            // decisions are blended rather than taken.
            if blends
                && var_data.ty == VarType::Scalar(ScalarType::Bool)
                && data.is_data_var(var)
                && !hard_flags.contains(&var)
            {
                var_data.ty = VarType::Scalar(ScalarType::Real);
            }
        }
        let block = new.entry;
        Smoother {
            old,
            new,
            access: VarAccess::compute(old),
            data,
            options,
            values: SecondaryMap::new(),
            block,
            sites: Vec::new(),
            soft_depth: 0,
            site: None,
            soft_indices: Vec::new(),
            soft_values: SecondaryMap::new(),
            soft_vars: SecondaryMap::new(),
            write_counts: write_counts(old),
            draws: None,
            log_probability: None,
        }
    }

    pub(crate) fn run(mut self) -> Result<(Func, Vec<SmoothingSite>), SmoothError> {
        self.rewrite_block(self.old.entry)?;
        self.emit_score_surrogate()?;
        // Relaxations that became loops split the segments they sat in.
        crate::ir::segments::repair(&mut self.new);
        Ok((self.new, self.sites))
    }

    /// Appends to the current block; the new instruction belongs to the
    /// site of the old instruction being rewritten.
    pub(super) fn emit(&mut self, inst: Inst, origin: Origin) -> InstId {
        let id = self.new.append(self.block, inst, origin);
        self.new.site_attrs[id] = self.site;
        id
    }

    pub(super) fn value(&self, old: InstId) -> InstId {
        self.values[old].expect("operands are rewritten before their uses")
    }

    pub(super) fn record_site(&mut self, kind: SiteKind, rule: String, origin: Origin) {
        self.sites.push(SmoothingSite {
            kind,
            rule,
            span: origin.span(),
        });
    }

    /// Rewrites every instruction of the old block `block` into the current
    /// new block.
    pub(super) fn rewrite_block(&mut self, block: BlockId) -> Result<(), SmoothError> {
        for &inst in &self.old.blocks[block].insts {
            self.rewrite_inst(inst)?;
        }
        Ok(())
    }

    /// Whether the site of `inst` asks to stay discrete (`#[hard]`).
    fn is_hard_site(&self, inst: InstId) -> bool {
        self.old.site_attrs[inst].is_some_and(|attrs| {
            self.old.attrs[attrs].mode == Some(crate::sema::attrs::SiteMode::Hard)
        })
    }

    fn rewrite_inst(&mut self, inst: InstId) -> Result<(), SmoothError> {
        let enclosing = self.site;
        self.site = self.old.site_attrs[inst];
        let result = self.rewrite_inst_at_site(inst);
        self.site = enclosing;
        result
    }

    fn rewrite_inst_at_site(&mut self, inst: InstId) -> Result<(), SmoothError> {
        let origin = self.old.origins[inst];
        if self.uses_soft_index(inst) {
            return self.soft_index_use(inst, origin);
        }
        let relax_here = self.data.is_data(inst) && !self.is_hard_site(inst);
        let new_value = match &self.old.insts[inst] {
            Inst::If {
                cond,
                then_block,
                else_block,
            } => {
                if self.is_soft_value(*cond) && !self.is_hard_site(inst) {
                    self.soft_if(*cond, *then_block, *else_block, origin)?;
                } else {
                    self.hard_if(*cond, *then_block, *else_block, origin)?;
                }
                return Ok(());
            }
            Inst::Loop { flag, body, bound } => {
                // A flag that holds a probability makes a relaxed loop (in
                // stochastic mode with the score estimator, flags stay
                // bools and loops stay loops).
                let soft_flag = self.new.vars[*flag].ty == VarType::Scalar(ScalarType::Real);
                if soft_flag && !self.is_hard_site(inst) {
                    // `check_loop_bounds` guarantees data-dependent loops a bound.
                    let bound = bound.unwrap_or(i64::MAX);
                    return self.soft_loop(*flag, *body, bound, origin);
                }
                let new_body = self.new.new_block(self.block);
                let copy = Inst::Loop {
                    flag: *flag,
                    body: new_body,
                    bound: *bound,
                };
                let _ = self.emit(copy, origin);
                let saved = self.block;
                self.block = new_body;
                let result = self.rewrite_block(*body);
                self.block = saved;
                return result;
            }
            Inst::Unary(op @ (UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round), operand)
                if relax_here =>
            {
                let rounding = Rounding::of(*op).expect("a rounding op");
                if self.is_stochastic() {
                    self.stochastic_rounding(inst, rounding, *operand, origin)?
                } else {
                    self.soft_rounding(inst, rounding, *operand, origin)
                }
            }
            Inst::ArgMax { array, min } if relax_here => {
                if self.is_stochastic() {
                    self.stochastic_argmax(inst, *array, *min, origin)?
                } else {
                    self.soft_argmax(inst, *array, *min, origin)
                }
            }
            Inst::Read(var) if self.soft_vars[*var].is_some() => {
                self.soft_values[inst] = self.soft_vars[*var];
                self.emit(Inst::Read(*var), origin)
            }
            Inst::Select {
                cond,
                then,
                otherwise,
            } if self.is_soft_value(*cond) && !self.is_hard_site(inst) => {
                self.soft_select(*cond, *then, *otherwise, origin)
            }
            Inst::For {
                counter,
                lo,
                hi,
                body,
                reverse,
            } => {
                let bounds = (self.value(*lo), self.value(*hi));
                let new_body = self
                    .new
                    .emit_for(self.block, *counter, bounds, *reverse, origin);
                let saved = self.block;
                self.block = new_body;
                let result = self.rewrite_block(*body);
                self.block = saved;
                return result;
            }
            Inst::Binary(op, lhs, rhs)
                if self.old.types[inst] == Some(ScalarType::Bool)
                    && self.relaxes(*op, *lhs, *rhs, relax_here) =>
            {
                self.soft_binary(*op, *lhs, *rhs, origin)?
            }
            Inst::Unary(UnaryOp::Not, operand) if self.is_soft_value(*operand) => {
                self.soft_not(*operand, origin)
            }
            Inst::SortArray { op, input, output } => {
                let mut op = op.map_strength(|strength| self.value(strength));
                if self.is_hard_site(inst) || !self.data.is_data_var(*input) {
                    op.relaxation = None;
                } else if self.is_stochastic() {
                    return Err(SmoothError::NoStochasticMeaning {
                        construct: "`soft_sort`/`soft_rank` (the prelude's `sort`, `rank` and `topk` perturb their comparisons one by one; the perturb estimator smooths any program)",
                        span: origin.span(),
                    });
                } else if let Some((regularization, _)) = op.relaxation {
                    let regularization = match regularization {
                        crate::ir::Regularization::L2 => "l2",
                        crate::ir::Regularization::Kl => "kl",
                    };
                    let what = if op.ranks { "rank" } else { "sort" };
                    self.record_site(
                        SiteKind::Sort,
                        format!("isotonic soft {what} ({regularization}), strength tau"),
                        origin,
                    );
                }
                let _ = self.emit(
                    Inst::SortArray {
                        op,
                        input: *input,
                        output: *output,
                    },
                    origin,
                );
                return Ok(());
            }
            Inst::Write { var, value } => {
                self.check_discrete_write(*var, origin)?;
                let value = self.as_var_type(*var, *value, origin);
                self.emit(Inst::Write { var: *var, value }, origin)
            }
            Inst::Store { array, .. } => {
                self.check_discrete_write(*array, origin)?;
                let copy = self.map_operands(&self.old.insts[inst]);
                self.emit(copy, origin)
            }
            other => {
                let copy = self.map_operands(other);
                self.emit(copy, origin)
            }
        };
        self.values[inst] = Some(new_value);
        Ok(())
    }

    /// The new value of `value`, converted to 0/1 when a hard bool is written
    /// to a bool variable that now holds a probability.
    fn as_var_type(&mut self, var: crate::ir::VarId, value: InstId, origin: Origin) -> InstId {
        let new_value = self.value(value);
        let var_is_real = self.new.vars[var].ty.elem() == ScalarType::Real;
        if var_is_real && self.new.types[new_value] == Some(ScalarType::Bool) {
            self.emit(
                Inst::Unary(crate::ir::UnaryOp::ToReal, new_value),
                origin.derived(),
            )
        } else {
            new_value
        }
    }

    /// Whether a bool-valued binary operation becomes a probability: a
    /// comparison of data outside `#[hard]`, or logic over probabilities.
    fn relaxes(&self, op: crate::ir::BinaryOp, lhs: InstId, rhs: InstId, relax_here: bool) -> bool {
        use crate::ir::BinaryOp;
        match op {
            BinaryOp::And | BinaryOp::Or => self.is_soft_value(lhs) || self.is_soft_value(rhs),
            BinaryOp::Eq | BinaryOp::Ne if self.old.types[lhs] == Some(ScalarType::Bool) => {
                self.is_soft_value(lhs) || self.is_soft_value(rhs)
            }
            // Ints that depend on data were produced by decisions kept hard
            // (`#[hard]`); comparing them is exact.
            _ => relax_here && self.old.types[lhs] == Some(ScalarType::Real),
        }
    }

    /// A copy of `inst` reading the new values of its operands.
    fn map_operands(&self, inst: &Inst) -> Inst {
        inst.map_operands(|value| self.value(value))
    }

    /// An `If` that stays exact (its condition does not depend on data, or
    /// its site is `#[hard]`).
    fn hard_if(
        &mut self,
        cond: InstId,
        then_block: BlockId,
        else_block: BlockId,
        origin: Origin,
    ) -> Result<(), SmoothError> {
        let mut cond_value = self.value(cond);
        if self.is_soft_value(cond) {
            // A `#[hard]` branch on a soft truth value takes the likelier side.
            let half = self.emit(Inst::Real(0.5), origin.derived());
            cond_value = self.emit(
                Inst::Binary(crate::ir::BinaryOp::Gt, cond_value, half),
                origin.derived(),
            );
        }
        let (new_then, new_else) = self.new.emit_if(self.block, cond_value, origin);
        let saved = self.block;
        self.block = new_then;
        let then_result = self.rewrite_block(then_block);
        self.block = new_else;
        let else_result = then_result.and_then(|()| self.rewrite_block(else_block));
        self.block = saved;
        else_result
    }

    /// Writing an int variable inside a relaxed branch cannot be relaxed
    /// when the int is used after the branch: a blend of ints is no int.
    pub(super) fn check_discrete_write(
        &self,
        var: crate::ir::VarId,
        origin: Origin,
    ) -> Result<(), SmoothError> {
        let var_data = &self.new.vars[var];
        if self.soft_depth > 0
            && var_data.ty.elem() == ScalarType::Int
            && self.data.is_data_var(var)
        {
            return Err(SmoothError::DiscreteWrite {
                var_name: var_data.name.clone(),
                span: origin.span(),
            });
        }
        Ok(())
    }
}

/// Whether decisions become probabilities that branches blend: always in
/// relaxed mode; in stochastic mode when some site uses the
/// straight-through estimator (score decisions stay hard bools).
fn blends_decisions(func: &Func, options: &SmoothOptions) -> bool {
    use super::{Estimator, Mode};
    match options.mode {
        Mode::Relaxed => true,
        Mode::Hard => false,
        Mode::Stochastic => {
            options.estimator == Estimator::StraightThrough
                || func
                    .attrs
                    .values()
                    .any(|attrs| attrs.estimator == Some(Estimator::StraightThrough))
        }
    }
}

/// How many `Write`s of each variable `func` has.
fn write_counts(func: &Func) -> SecondaryMap<crate::ir::VarId, u32> {
    let mut counts = SecondaryMap::new();
    for instruction in func.insts.values() {
        if let Inst::Write { var, .. } = instruction {
            counts[*var] += 1;
        }
    }
    counts
}

/// The flags of the `while` loops marked `#[hard]`.
fn hard_loop_flags(func: &Func) -> Vec<crate::ir::VarId> {
    func.insts
        .iter()
        .filter_map(|(inst, instruction)| match instruction {
            Inst::Loop { flag, .. }
                if func.site_attrs[inst].is_some_and(|attrs| {
                    func.attrs[attrs].mode == Some(crate::sema::attrs::SiteMode::Hard)
                }) =>
            {
                Some(*flag)
            }
            _ => None,
        })
        .collect()
}
