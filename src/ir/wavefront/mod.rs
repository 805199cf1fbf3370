//! Wavefront pipelining of sweeps: two consecutive passes of a sweep run
//! together, the second a few iterations behind the first.
//!
//! A *sweep nest* is `for o in a..b { prelude; for i in lo(o)..hi(o) {
//! body } }` where the body carries a value from one iteration to the
//! next through an array: bubble sort's pass `if y[i] > y[i + 1] { swap
//! }`, relaxed into a soft swap, hands the larger element up to the next
//! iteration, so a pass is one chain of dependent sigmoids and runs at the
//! latency of that chain, not at the machine's throughput. Pass `o + 1`
//! only needs the elements pass `o` has finished with, so this pass
//! rewrites the nest to run the passes in pairs, each pair as one loop of
//! steps `t` that runs iteration `t` of the first pass and then iteration
//! `t - lag` of the second: two independent chains that the processor
//! overlaps. Bubble sort's relaxed forward runs about 1.7x to 1.9x faster,
//! with or without early exit (BENCHMARKS.md).
//!
//! The rewrite computes exactly what the nest computed, bit for bit: it
//! only reorders iterations that touch different elements. A nest
//! qualifies when
//!
//! * neither loop is reversed, the outer body is the prelude and the inner
//!   loop, and the prelude is pure scalar code (no load, store or write)
//!   that reads neither the inner counter nor the body's variables;
//! * the body is straight-line code of scalar instructions, element
//!   accesses and writes of scalar variables that it writes before it
//!   reads them (nothing carried between iterations but array elements);
//!   an int division only by a nonzero constant;
//! * every access of the body is to a 1-D array at `i + c`, a constant
//!   offset of the inner counter; per array the offsets span
//!   `[least, greatest]`. Iterations `i` of one pass and `j` of the next
//!   touch a common element only when `|i - j|` is at most the widest
//!   span of an array the body stores to, and the rewrite runs `i` at step
//!   `i` and `j` at step `j + lag` (the first pass first within a step),
//!   so such pairs keep their order when the lag is at least that span.
//!   The lag is the span plus one, a step of slack for the processor
//!   (about 2% faster on bubble sort than the least lag; the tests fail
//!   with one less than the least). Pairs of one pass keep their order; no
//!   other pair touches a common element;
//! * some load of the body is at a lower offset than a store to the same
//!   array (a value is carried: otherwise there is no chain to overlap),
//!   and the chain from such loads to the stores is estimated to take
//!   longer than the iteration's work (`cost.rs`: otherwise a pass runs
//!   at the machine's throughput and a second beside it only adds code);
//! * the counters and the body's variables are read nowhere else, since
//!   after the rewrite they may hold other values than after the nest.
//!
//! The jammed steps run only when every access of both passes is in range
//! (checked once per pair, from the bounds); otherwise the pair runs as
//! two plain passes, which fault exactly where the nest does. An odd last
//! pass runs in the original loop, whose lower bound moves past the
//! pairs.
//!
//! **Relaxed `while` loops** (`speculative.rs`). The smoother turns
//! `while swapped { swapped = false; for i in 0..m { swap }; m -= 1 }`
//! into a loop whose iterations each do some bookkeeping, then, if the
//! loop is still running, the pass, then decide whether to go on; whether
//! the next pass runs depends on the `swapped` this pass computes, so it
//! cannot simply be paired. Instead each iteration that runs its pass
//! (and finds both passes in range) also runs the next iteration's pass,
//! `lag` steps behind, on shadows: a copy of every scalar the region
//! writes and of every array the sweep stores to, each element copied in
//! when the real pass is done with it. The next iteration, if it runs its
//! pass at all, takes the shadows over instead (the scalars, and the
//! elements the pass touched); otherwise, or if the loop ends first, the
//! shadows are dropped. This needs the bookkeeping to write nothing the
//! region reads first nor any array the sweep touches, and every variable
//! the region both reads first and writes (`m`) to get its last value
//! from the postlude by a computation that reads nothing the pass writes,
//! so that it can run ahead; a flag cleared before the loop keeps a pass
//! left ahead from one run of the loop out of the next.
//!
//! Applied to the smoothed function before reverse mode, so the
//! gradient's forward and reverse sweeps overlap their chains too, and
//! both backends run the same code. The interpreter, which pays per
//! instruction, runs the rewritten code more slowly (the guards, the
//! copies): 2% to 17% slower on relaxed bubble sort with early exit
//! (BENCHMARKS.md, "Sweep pipelining").
//!
//! It changes no instruction of the original code but the outer `for`
//! loop's lower bound (and moves a `while`'s guarded region into a branch);
//! everything else it adds.

mod cost;
mod emit;
mod nest;
mod speculative;
#[cfg(test)]
mod tests;

use super::{Func, Inst};
pub use nest::{Sweep, SweepNest};
pub use speculative::SpeculativeSweep;

/// Rewrites every sweep nest and every speculative sweep of `func`;
/// returns how many there were.
pub fn run(func: &mut Func) -> usize {
    let nests = find_all(func);
    let loops = find_speculative(func);
    for nest in &nests {
        emit::rewrite(func, nest);
    }
    for found in &loops {
        speculative::rewrite(func, found);
    }
    let rewritten = nests.len() + loops.len();
    if rewritten > 0 {
        super::segments::repair(func);
    }
    rewritten
}

/// The relaxed `while` loops of `func` whose passes may run ahead.
pub fn find_speculative(func: &Func) -> Vec<SpeculativeSweep> {
    func.blocks
        .iter()
        .flat_map(|(block, data)| {
            data.insts
                .iter()
                .filter(|inst| matches!(func.insts[**inst], Inst::Loop { .. }))
                .filter_map(move |inst| speculative::find(func, block, *inst))
        })
        .collect()
}

/// The sweep nests of `func`, in block order.
pub fn find_all(func: &Func) -> Vec<SweepNest> {
    func.blocks
        .iter()
        .flat_map(|(block, data)| {
            data.insts
                .iter()
                .filter(|inst| matches!(func.insts[**inst], Inst::For { .. }))
                .filter_map(move |inst| nest::find(func, block, *inst))
        })
        .collect()
}
