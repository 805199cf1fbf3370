//! Whether a sweep's passes wait on their chain: the estimate that decides
//! if running two passes at once can pay for the longer code.
//!
//! A pass is a chain when each iteration loads what the one before it
//! stored; the chain's *latency* is the longest path of dependent
//! instructions from such a load to a store. Overlapping two passes helps
//! only when that latency, not the sheer amount of work, bounds a pass:
//! bubble sort's chain runs through a sigmoid and takes several times
//! longer than its iteration's work, while the control benchmark
//! `bubble_decided_by_input` computes every sigmoid from the input and
//! carries only a blend (a multiply and an add), so a pass of it already
//! runs at the processor's throughput and a second pass beside it only
//! adds guards and copies: pipelined, its forward ran no faster and its
//! gradient 1.15x to 1.9x slower (n = 1024 to 8, `smoothc bench` with and
//! without `--no-sweep-pipelining`, 2026-12-05).
//!
//! The costs are rough cycle counts of a current x86-64 or AArch64 core
//! (latency of a dependent use; issue cost at about two simple
//! instructions a cycle), not measurements of this crate; they only have
//! to order the two quantities. The estimates: bubble sort's chain 68
//! against 21 to 25 of work, Gauss-Seidel's 20 against 6, the control's
//! 16 against 22 to 24. Reads nothing but the sweep's body.

use crate::ir::{BinaryOp, Func, Inst, InstId, ScalarType, UnaryOp};
use std::collections::{HashMap, HashSet};

/// Whether the chain through the body's carried loads (`carried_loads`)
/// takes longer than the body's work: the passes wait on it.
pub fn latency_bound(func: &Func, body: &[InstId], carried_loads: &HashSet<InstId>) -> bool {
    chain_latency(func, body, carried_loads) > work(func, body)
}

/// The longest latency from a carried load to a store, through the
/// body's values and the scalar variables it writes and then reads.
fn chain_latency(func: &Func, body: &[InstId], carried_loads: &HashSet<InstId>) -> f64 {
    // For each value, the latency of the longest chain from a carried load
    // that ends with it (None: no carried load reaches it).
    let mut reached: HashMap<InstId, f64> = HashMap::new();
    let mut variables = HashMap::new();
    let mut longest: f64 = 0.0;
    for &inst in body {
        let before = match &func.insts[inst] {
            _ if carried_loads.contains(&inst) => Some(0.0),
            Inst::Read(var) => variables.get(var).copied(),
            other => other
                .operands()
                .iter()
                .filter_map(|operand| reached.get(operand).copied())
                .reduce(f64::max),
        };
        let Some(before) = before else { continue };
        let at = before + latency(func, &func.insts[inst]);
        match &func.insts[inst] {
            Inst::Write { var, .. } => {
                let _ = variables.insert(*var, at);
            }
            Inst::Store { .. } => longest = longest.max(at),
            _ => {}
        }
        let _ = reached.insert(inst, at);
    }
    longest
}

/// The cycles the body's instructions take to issue, none waiting.
fn work(func: &Func, body: &[InstId]) -> f64 {
    body.iter()
        .map(|inst| issue_cost(func, &func.insts[*inst]))
        .sum()
}

/// How the estimate sorts an instruction.
enum Kind {
    /// Constants and variable traffic, which the compiler keeps in
    /// registers.
    Free,
    /// One simple instruction: integer and float add, multiply, compare,
    /// select, a load or a store.
    Simple,
    /// A division, square root or reciprocal.
    Divide,
    /// exp, log, sigmoid and the other transcendental kernels, a few
    /// dozen dependent instructions each.
    Transcendental,
}

fn kind(func: &Func, inst: &Inst) -> Kind {
    match inst {
        Inst::Real(_)
        | Inst::Int(_)
        | Inst::Bool(_)
        | Inst::Tau
        | Inst::SizeOf(_)
        | Inst::StopGradient(_)
        | Inst::Read(_)
        | Inst::Write { .. } => Kind::Free,
        Inst::Unary(op, _) => match op {
            UnaryOp::Neg
            | UnaryOp::Not
            | UnaryOp::Floor
            | UnaryOp::Ceil
            | UnaryOp::Round
            | UnaryOp::ToReal => Kind::Simple,
            UnaryOp::Sqrt | UnaryOp::ClampedReciprocal => Kind::Divide,
            UnaryOp::Exp
            | UnaryOp::Log
            | UnaryOp::Sigmoid
            | UnaryOp::Softplus
            | UnaryOp::Sin
            | UnaryOp::Cos
            | UnaryOp::Tanh
            | UnaryOp::Cdf(_)
            | UnaryOp::Density(_) => Kind::Transcendental,
        },
        Inst::Binary(BinaryOp::Pow, _, _) => Kind::Transcendental,
        Inst::Binary(BinaryOp::Div | BinaryOp::Rem, lhs, _)
            if func.types[*lhs] == Some(ScalarType::Real) =>
        {
            Kind::Divide
        }
        _ => Kind::Simple,
    }
}

/// Cycles from the instruction's operands to its result.
fn latency(func: &Func, inst: &Inst) -> f64 {
    cycles(kind(func, inst)).0
}

/// Cycles of the processor's issue bandwidth the instruction takes.
fn issue_cost(func: &Func, inst: &Inst) -> f64 {
    cycles(kind(func, inst)).1
}

/// (latency, issue cost) of an instruction of `kind`.
fn cycles(kind: Kind) -> (f64, f64) {
    match kind {
        Kind::Free => (0.0, 0.0),
        Kind::Simple => (4.0, 0.5),
        Kind::Divide => (14.0, 4.0),
        Kind::Transcendental => (40.0, 10.0),
    }
}
