//! The smoothing pass: gives the discrete constructs of a program their
//! meaning in the chosen [`Mode`].
//!
//! * `hard`: the program is left as it is; sites are only reported.
//! * `relaxed`: every smoothing site found by [`discreteness`] is rewritten
//!   into its temperature-controlled relaxation: comparisons of reals become
//!   probabilities (see [`family`]), logic becomes a t-norm, and an `If` on a
//!   soft condition runs both branches and blends what they write (see
//!   [`branch`]).
//!
//! Input and output are IR; the pass never looks at syntax. `tau` stays a
//! runtime value (`Inst::Tau`), so annealing needs no recompilation.

pub mod branch;
pub mod condition;
pub mod discreteness;
pub mod family;
pub mod locality;
pub mod loops;
mod rewrite;
pub mod soft_index;
pub mod stochastic;

use crate::ir::{Func, InstId};
use crate::syntax::span::Span;
pub use family::Family;

/// What the discrete constructs of a program mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// The discrete program itself.
    Hard,
    /// Temperature-controlled relaxations.
    #[default]
    Relaxed,
    /// Decisions on perturbed inputs, with an unbiased (or, for
    /// straight-through, a biased) gradient estimator.
    Stochastic,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Hard => "hard",
            Mode::Relaxed => "relaxed",
            Mode::Stochastic => "stochastic",
        }
    }
}

/// Compile-time smoothing choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SmoothOptions {
    pub mode: Mode,
    pub family: Family,
    /// The gradient estimator of stochastic mode's sites (a site may choose
    /// its own with `#[stochastic(estimator = ..)]`).
    pub estimator: Estimator,
}

pub use crate::sema::attrs::Estimator;

impl Estimator {
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Score => "score",
            Estimator::StraightThrough => "straight_through",
            Estimator::Perturb => "perturb",
        }
    }
}

/// What kind of discrete construct a site is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// A comparison of reals.
    Comparison,
    /// `&&`, `||` or `!` over soft truth values.
    Logic,
    /// An `if` on a data-dependent condition.
    Branch,
    /// A `while` on a data-dependent condition.
    Loop,
    /// A `soft_sort`/`soft_rank` intrinsic.
    Sort,
    /// An int computed from data (`argmax`, `floor`) or a use of one.
    Index,
}

impl SiteKind {
    pub fn name(self) -> &'static str {
        match self {
            SiteKind::Comparison => "comparison",
            SiteKind::Logic => "logic",
            SiteKind::Branch => "branch",
            SiteKind::Loop => "loop",
            SiteKind::Sort => "sort",
            SiteKind::Index => "index",
        }
    }
}

/// One smoothing site and what the pass did with it, for `smoothc ir
/// --stage smoothed` and for diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct SmoothingSite {
    pub kind: SiteKind,
    /// The rule applied, e.g. `logistic((a - b) / tau)`; `hard` in hard mode.
    pub rule: String,
    /// Where the construct is in the source (`None` for synthetic code).
    pub span: Option<Span>,
}

/// A program construct that has no relaxation in the chosen mode.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SmoothError {
    /// `==`/`!=` between data-dependent reals or soft truth values.
    #[error("equality of data-dependent values has no relaxation")]
    Equality { span: Option<Span> },
    /// An int or bool-array variable written under a data-dependent
    /// condition and used after it.
    #[error("an int variable is written under a data-dependent condition")]
    DiscreteWrite {
        var_name: String,
        span: Option<Span>,
    },
    /// A `while` whose condition depends on data, without `#[bound(N)]`.
    /// (An int that depends on data comes from a decision kept hard, so
    /// using one as an index, a bound or in a comparison needs no rule.)
    #[error("a data-dependent while loop has no bound")]
    UnboundedWhile { span: Option<Span> },
    /// A construct that stochastic mode cannot perturb with the chosen
    /// estimator.
    #[error("{construct} has no stochastic smoothing with this estimator")]
    NoStochasticMeaning {
        construct: &'static str,
        span: Option<Span>,
    },
    /// A use of a soft index (an int computed from data) that has no
    /// relaxation.
    #[error("{} has no relaxation", kind.what())]
    SoftIndexUse {
        kind: soft_index::SoftIndexUse,
        span: Option<Span>,
    },
}

/// Smooths `func` according to `options`; returns the new function and the
/// sites it found.
pub fn run(
    func: &Func,
    options: &SmoothOptions,
) -> Result<(Func, Vec<SmoothingSite>), SmoothError> {
    let data = discreteness::analyze(func);
    check_loop_bounds(func, &data)?;
    match options.mode {
        // `perturb` smooths the whole function over its inputs (see
        // `Function::estimate`): its decisions are the hard ones.
        Mode::Hard => Ok(hardened(func, &data)),
        Mode::Stochastic if options.estimator == Estimator::Perturb => Ok(hardened(func, &data)),
        Mode::Relaxed | Mode::Stochastic => rewrite::Smoother::new(func, data, *options).run(),
    }
}

/// The hard program: sorts lose their relaxation; sites are only reported.
fn hardened(func: &Func, data: &discreteness::Discreteness) -> (Func, Vec<SmoothingSite>) {
    let mut hard = func.clone();
    harden_sorts(&mut hard);
    (hard, hard_sites(func, data))
}

/// The sites of a program in hard mode: every data-dependent `If`.
fn hard_sites(func: &Func, data: &discreteness::Discreteness) -> Vec<SmoothingSite> {
    let mut sites = Vec::new();
    let mut ids: Vec<InstId> = func.insts.keys().collect();
    ids.sort();
    for inst in ids {
        if let crate::ir::Inst::If { cond, .. } = func.insts[inst]
            && data.is_data(cond)
        {
            sites.push(SmoothingSite {
                kind: SiteKind::Branch,
                rule: "hard".to_string(),
                span: func.origins[inst].span(),
            });
        }
    }
    sites
}

/// A `while` whose condition depends on data must say how often it may run
/// (`#[bound(N)]`), in every mode: relaxed, it is unrolled that often.
fn check_loop_bounds(func: &Func, data: &discreteness::Discreteness) -> Result<(), SmoothError> {
    for (inst, instruction) in func.insts.iter() {
        if let crate::ir::Inst::Loop {
            flag, bound: None, ..
        } = instruction
            && data.is_data_var(*flag)
        {
            return Err(SmoothError::UnboundedWhile {
                span: func.origins[inst].span(),
            });
        }
    }
    Ok(())
}

/// In hard mode the sort intrinsics are the hard sort and ranks.
fn harden_sorts(func: &mut Func) {
    for (_, inst) in func.insts.iter_mut() {
        if let crate::ir::Inst::SortArray { op, .. } = inst {
            op.relaxation = None;
        }
    }
}
