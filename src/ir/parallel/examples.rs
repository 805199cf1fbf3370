//! Hand-built loops for the tests of the analysis and of the JIT's
//! vectorizer: each function returns a program and its loop of interest.
//!
//! Every program takes `x: real[n]` (which binds `n`) and returns the
//! arrays it writes, so that a backend test can run it at any `n`.

use crate::interp::test_builder::{Builder, INT, REAL, array};
use crate::ir::{BinaryOp, Func, Inst, InstId, ScalarType, Size, UnaryOp, VarId};

/// A program and the `For` the test is about.
pub(crate) struct LoopProgram {
    pub(crate) func: Func,
    pub(crate) target: InstId,
}

/// `x: real[n]`, its size, and an output `y: real[n]` holding a copy of
/// `x` (copied by a loop that is itself elementwise).
fn with_copy(name: &str) -> (Builder, VarId, VarId, Size) {
    let mut b = Builder::new(name);
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let k = b.local("k", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(k, lo, hi, false, |b, k| {
        let kv = b.read(k);
        let value = b.load(x, &[kv]);
        let _ = b.store(y, &[kv], value);
    });
    (b, x, y, n)
}

/// The relaxed compare-and-swap of `y[i]`, `y[i + 1]` (as the cleanup
/// leaves it: two loads, a sigmoid, two stores).
fn soft_swap(b: &mut Builder, y: VarId, i: InstId) {
    let a = b.load(y, &[i]);
    let one = b.int(1);
    let j = b.bin(BinaryOp::Add, i, one);
    let c = b.load(y, &[j]);
    let difference = b.bin(BinaryOp::Sub, a, c);
    let tau = b.inst(Inst::Tau);
    let scaled = b.bin(BinaryOp::Div, difference, tau);
    let p = b.un(UnaryOp::Sigmoid, scaled);
    let one = b.real(1.0);
    let q = b.bin(BinaryOp::Sub, one, p);
    let pc = b.bin(BinaryOp::Mul, p, c);
    let qa = b.bin(BinaryOp::Mul, q, a);
    let low = b.bin(BinaryOp::Add, pc, qa);
    let _ = b.store(y, &[i], low);
    let pa = b.bin(BinaryOp::Mul, p, a);
    let qc = b.bin(BinaryOp::Mul, q, c);
    let high = b.bin(BinaryOp::Add, pa, qc);
    let _ = b.store(y, &[j], high);
}

/// The relaxed compare-and-swap of `y[i]`, `y[j]`.
fn soft_swap_of(b: &mut Builder, y: VarId, i: InstId, j: InstId) {
    let a = b.load(y, &[i]);
    let c = b.load(y, &[j]);
    let difference = b.bin(BinaryOp::Sub, a, c);
    let tau = b.inst(Inst::Tau);
    let scaled = b.bin(BinaryOp::Div, difference, tau);
    let p = b.un(UnaryOp::Sigmoid, scaled);
    let one = b.real(1.0);
    let q = b.bin(BinaryOp::Sub, one, p);
    let pc = b.bin(BinaryOp::Mul, p, c);
    let qa = b.bin(BinaryOp::Mul, q, a);
    let low = b.bin(BinaryOp::Add, pc, qa);
    let _ = b.store(y, &[i], low);
    let pa = b.bin(BinaryOp::Mul, p, a);
    let qc = b.bin(BinaryOp::Mul, q, c);
    let high = b.bin(BinaryOp::Add, pa, qc);
    let _ = b.store(y, &[j], high);
}

/// One block of a bitonic layer, `gap = n / 2` in a variable:
/// `for c in 0..gap + extra { soft swap of y[c], y[c + gap] }`. With
/// `extra = 0` the two halves never meet; with `extra = 1` the last
/// iteration swaps `y[gap]`, which the first one wrote. `rewrite_gap`
/// writes `gap` again between reading the bound and the loop.
pub(crate) fn bitonic_block(extra: i64, rewrite_gap: bool) -> LoopProgram {
    let (mut b, _, y, n) = with_copy("bitonic_block");
    let gap = b.local("gap", INT);
    let size = b.inst(Inst::SizeOf(n));
    let two = b.int(2);
    let half = b.bin(BinaryOp::Div, size, two);
    let _ = b.write(gap, half);
    let c = b.local("c", INT);
    let lo = b.int(0);
    let gap_value = b.read(gap);
    let extra_value = b.int(extra);
    let hi = b.bin(BinaryOp::Add, gap_value, extra_value);
    if rewrite_gap {
        let one = b.int(1);
        let _ = b.write(gap, one);
    }
    let target = b.for_loop(c, lo, hi, false, |b, c| {
        let cv = b.read(c);
        let gv = b.read(gap);
        let partner = b.bin(BinaryOp::Add, cv, gv);
        soft_swap_of(b, y, cv, partner);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// One layer of the relaxed odd-even network, `start` in a variable:
/// `for p in 0..(n - start) / 2 { soft swap of y[start + 2p], y[start + 2p + 1] }`.
pub(crate) fn odd_even_layer(start: i64) -> LoopProgram {
    let (mut b, _, y, n) = with_copy("odd_even_layer");
    let first = b.local("start", INT);
    let value = b.int(start);
    let _ = b.write(first, value);
    let p = b.local("p", INT);
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let start_value = b.read(first);
    let rest = b.bin(BinaryOp::Sub, size, start_value);
    let two = b.int(2);
    let hi = b.bin(BinaryOp::Div, rest, two);
    let target = b.for_loop(p, lo, hi, false, |b, p| {
        let s = b.read(first);
        let two = b.int(2);
        let pv = b.read(p);
        let twice = b.bin(BinaryOp::Mul, two, pv);
        let i = b.bin(BinaryOp::Add, s, twice);
        soft_swap(b, y, i);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// A layer's forward sweep and its reversed restore loop, as reverse mode
/// writes them: the forward loop pushes each overwritten element and its
/// index, the reversed loop pops them, stores the element back at the
/// popped index and then reads and writes the adjoint `d` at the affine
/// indices. The target is the reversed loop.
pub(crate) fn restore_layer() -> LoopProgram {
    let (mut b, _, y, n) = with_copy("restore_layer");
    let d = b.out_var("d", array(ScalarType::Real, &[n]));
    let p = b.local("p", INT);
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let two = b.int(2);
    let hi = b.bin(BinaryOp::Div, size, two);
    let _ = b.for_loop(p, lo, hi, false, |b, p| {
        let two = b.int(2);
        let pv = b.read(p);
        let i = b.bin(BinaryOp::Mul, two, pv);
        let one = b.int(1);
        let j = b.bin(BinaryOp::Add, i, one);
        for index in [i, j] {
            let old = b.load(y, &[index]);
            let _ = b.inst(Inst::Push(old));
            let _ = b.inst(Inst::Push(index));
            let scaled = b.real(3.0);
            let new = b.bin(BinaryOp::Mul, old, scaled);
            let _ = b.store(y, &[index], new);
        }
    });
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let two = b.int(2);
    let hi = b.bin(BinaryOp::Div, size, two);
    let target = b.for_loop(p, lo, hi, true, |b, p| {
        for _ in 0..2 {
            let index = b.inst(Inst::Pop(ScalarType::Int));
            let old = b.inst(Inst::Pop(ScalarType::Real));
            let _ = b.store(y, &[index], old);
        }
        let two = b.int(2);
        let pv = b.read(p);
        let i = b.bin(BinaryOp::Mul, two, pv);
        let one = b.int(1);
        let j = b.bin(BinaryOp::Add, i, one);
        let a = b.load(y, &[i]);
        let c = b.load(y, &[j]);
        let sum = b.bin(BinaryOp::Add, a, c);
        let da = b.load(d, &[i]);
        let dsum = b.bin(BinaryOp::Add, da, sum);
        let _ = b.store(d, &[i], dsum);
        let _ = b.store(d, &[j], a);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// `out[p] = x[p] * x[p] + t` through a private variable `t = x[p] / 2`,
/// with a bool array written from a real comparison.
pub(crate) fn elementwise() -> LoopProgram {
    let mut b = Builder::new("elementwise");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let out = b.out_var("out", array(ScalarType::Real, &[n]));
    let flags = b.out_var("flags", array(ScalarType::Bool, &[n]));
    let t = b.local("t", REAL);
    let p = b.local("p", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let target = b.for_loop(p, lo, hi, false, |b, p| {
        let pv = b.read(p);
        let value = b.load(x, &[pv]);
        let two = b.real(2.0);
        let half = b.bin(BinaryOp::Div, value, two);
        let _ = b.write(t, half);
        let square = b.bin(BinaryOp::Mul, value, value);
        let tv = b.read(t);
        let result = b.bin(BinaryOp::Add, square, tv);
        let _ = b.store(out, &[pv], result);
        let zero = b.real(0.0);
        let positive = b.bin(BinaryOp::Gt, value, zero);
        let _ = b.store(flags, &[pv], positive);
    });
    b.output(t);
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// `m[k, p] = x[p] + k` for a fixed row `k` read from a variable: the row
/// index is uniform, the column separates the iterations.
pub(crate) fn matrix_row() -> LoopProgram {
    let mut b = Builder::new("matrix_row");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let m = b.out_var("m", array(ScalarType::Real, &[Size::Const(3), n]));
    let row = b.local("row", INT);
    let value = b.int(2);
    let _ = b.write(row, value);
    let p = b.local("p", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let target = b.for_loop(p, lo, hi, false, |b, p| {
        let pv = b.read(p);
        let k = b.read(row);
        let value = b.load(x, &[pv]);
        let kr = b.un(UnaryOp::ToReal, k);
        let sum = b.bin(BinaryOp::Add, value, kr);
        let _ = b.store(m, &[k, pv], sum);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// A loop over `p` in `0..n - 1` whose body is built by `body` from `y`
/// (a copy of `x`) and the counter's value.
fn loop_over_copy(
    name: &str,
    reverse: bool,
    body: impl FnOnce(&mut Builder, VarId, InstId),
) -> LoopProgram {
    let (mut b, _, y, n) = with_copy(name);
    let p = b.local("p", INT);
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let one = b.int(1);
    let hi = b.bin(BinaryOp::Sub, size, one);
    let target = b.for_loop(p, lo, hi, reverse, |b, p| {
        let pv = b.read(p);
        body(b, y, pv);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// Bubble sort's inner loop: the swap of `y[p]`, `y[p + 1]`, so that
/// iteration `p + 1` reads what iteration `p` wrote.
pub(crate) fn bubble_pass() -> LoopProgram {
    loop_over_copy("bubble_pass", false, soft_swap)
}

/// `y[p + 1] = y[p] + y[p + 1]`: a prefix sum in the array.
pub(crate) fn prefix_sum_in_array() -> LoopProgram {
    loop_over_copy("prefix_sum_in_array", false, |b, y, p| {
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, p, one);
        let a = b.load(y, &[p]);
        let c = b.load(y, &[next]);
        let sum = b.bin(BinaryOp::Add, a, c);
        let _ = b.store(y, &[next], sum);
    })
}

/// `s = s + y[p]; y[p] = s`: a prefix sum through a scalar.
pub(crate) fn prefix_sum_in_scalar() -> LoopProgram {
    loop_over_copy("prefix_sum_in_scalar", false, |b, y, p| {
        // Variables are function-wide: declaring `s` here is only brevity.
        let s = b.out_var("s", REAL);
        let a = b.load(y, &[p]);
        b.accumulate(s, a);
        let total = b.read(s);
        let _ = b.store(y, &[p], total);
    })
}

/// `y[2p] = y[2p + 2] * 2`: offsets 0 and 2 at stride 2, so iteration
/// `p + 1` overwrites what iteration `p` read.
pub(crate) fn stride_two_offsets_zero_and_two() -> LoopProgram {
    let (mut b, _, y, n) = with_copy("stride_two");
    let p = b.local("p", INT);
    let lo = b.int(0);
    let size = b.inst(Inst::SizeOf(n));
    let three = b.int(3);
    let rest = b.bin(BinaryOp::Sub, size, three);
    let two = b.int(2);
    let hi = b.bin(BinaryOp::Div, rest, two);
    let target = b.for_loop(p, lo, hi, false, |b, p| {
        let pv = b.read(p);
        let two = b.int(2);
        let i = b.bin(BinaryOp::Mul, pv, two);
        let j = b.bin(BinaryOp::Add, i, two);
        let value = b.load(y, &[j]);
        let scale = b.real(2.0);
        let doubled = b.bin(BinaryOp::Mul, value, scale);
        let _ = b.store(y, &[i], doubled);
    });
    LoopProgram {
        func: b.finish(),
        target,
    }
}

/// `y[p] = y[p] + y[from]`: every iteration reads the element `from`,
/// which iteration `from` writes (Bellman-Ford's `d[v]` against `d[u]`).
pub(crate) fn relax_from(from: i64) -> LoopProgram {
    loop_over_copy("relax_from", false, |b, y, p| {
        let source = b.int(from);
        let through = b.load(y, &[source]);
        let own = b.load(y, &[p]);
        let sum = b.bin(BinaryOp::Add, own, through);
        let _ = b.store(y, &[p], sum);
    })
}

/// `y[0] = y[p + 1]`: every iteration stores to the same element.
pub(crate) fn invariant_store() -> LoopProgram {
    loop_over_copy("invariant_store", false, |b, y, p| {
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, p, one);
        let value = b.load(y, &[next]);
        let zero = b.int(0);
        let _ = b.store(y, &[zero], value);
    })
}

/// `y[floor(y[p])] = 1`: an index computed from data.
pub(crate) fn index_from_data() -> LoopProgram {
    loop_over_copy("index_from_data", false, |b, y, p| {
        let value = b.load(y, &[p]);
        let index = b.un(UnaryOp::Floor, value);
        let one = b.real(1.0);
        let _ = b.store(y, &[index], one);
    })
}

/// `y[p] = real(p / (p + 1))`: an int division by a non-constant.
pub(crate) fn division_by_variable() -> LoopProgram {
    loop_over_copy("division_by_variable", false, |b, y, p| {
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, p, one);
        let quotient = b.bin(BinaryOp::Div, p, next);
        let value = b.un(UnaryOp::ToReal, quotient);
        let _ = b.store(y, &[p], value);
    })
}

/// `if y[p] > 0 { y[p] = 0 }`: control flow in the body.
pub(crate) fn branch_in_body() -> LoopProgram {
    loop_over_copy("branch_in_body", false, |b, y, p| {
        let value = b.load(y, &[p]);
        let zero = b.real(0.0);
        let positive = b.bin(BinaryOp::Gt, value, zero);
        let _ = b.if_else(
            positive,
            |b| {
                let zero = b.real(0.0);
                let _ = b.store(y, &[p], zero);
            },
            |_| {},
        );
    })
}

/// A body that pushes and pops.
pub(crate) fn push_and_pop() -> LoopProgram {
    loop_over_copy("push_and_pop", false, |b, y, p| {
        let value = b.load(y, &[p]);
        let _ = b.inst(Inst::Push(value));
        let back = b.inst(Inst::Pop(ScalarType::Real));
        let _ = b.store(y, &[p], back);
    })
}
