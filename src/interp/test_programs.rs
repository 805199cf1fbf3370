//! Hand-built IR programs with their expected results, shared by the tests
//! of the interpreter (which check the expected results) and of the JIT
//! (which checks that it agrees with the interpreter bit for bit).

mod loops_and_arrays;
mod scalar_ops;

use super::test_builder::{BOOL, Builder, INT, REAL, arr, array, bool_arr, int_arr};
use crate::ir::{BinaryOp, Func, Inst, ScalarType, Size, UnaryOp, VarId};
use crate::runtime::{RunConfig, RuntimeError, Value};

/// A test program: a function, arguments and the expected result.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) func: Func,
    pub(crate) args: Vec<Value>,
    pub(crate) config: RunConfig,
    pub(crate) expected: Result<Vec<Value>, RuntimeError>,
}

fn case(
    name: &'static str,
    func: Func,
    args: Vec<Value>,
    expected: Result<Vec<Value>, RuntimeError>,
) -> Case {
    Case {
        name,
        func,
        args,
        config: RunConfig::default(),
        expected,
    }
}

/// Every test program.
pub(crate) fn all_cases() -> Vec<Case> {
    let mut cases = vec![
        real_arithmetic(),
        int_arithmetic(),
        int_division_edge_cases(),
        bool_logic(),
        real_comparisons_with_nan(),
        math_functions(),
        tau_and_sizes(),
        sum_and_reverse_1d(),
        transpose_2d(),
        nested_loops_trace(),
        empty_loop_and_counter_writes(),
        bubble_sort(),
        tape_round_trip(),
        tape_limit(),
        tape_underflow(),
        tape_underflow_wrong_stack(),
        zero_initialisation(),
        scalar_passthrough(),
    ];
    cases.extend(division_by_zero());
    cases.extend(out_of_bounds());
    cases.extend(argument_errors());
    cases.extend(scalar_ops::cases());
    cases.extend(loops_and_arrays::cases());
    cases
}

fn real_arithmetic() -> Case {
    let mut b = Builder::new("real_arithmetic");
    let x = b.param("x", REAL);
    let y = b.param("y", REAL);
    let outs: Vec<VarId> = (0..5).map(|_| b.out_var("r", REAL)).collect();
    let xv = b.read(x);
    let yv = b.read(y);
    let sum = b.bin(BinaryOp::Add, xv, yv);
    let diff = b.bin(BinaryOp::Sub, xv, yv);
    let prod = b.bin(BinaryOp::Mul, sum, diff);
    let quot = b.bin(BinaryOp::Div, prod, yv);
    let neg = b.un(UnaryOp::Neg, quot);
    let zero = b.real(0.0);
    let inf = b.bin(BinaryOp::Div, xv, zero);
    let neg_zero = b.un(UnaryOp::Neg, zero);
    for (var, value) in outs.iter().zip([sum, prod, neg, inf, neg_zero]) {
        let _ = b.write(*var, value);
    }
    case(
        "real_arithmetic",
        b.finish(),
        vec![Value::Real(3.0), Value::Real(0.5)],
        Ok(vec![
            Value::Real(3.5),
            Value::Real(3.5 * 2.5),
            Value::Real(-(3.5 * 2.5 / 0.5)),
            Value::Real(f64::INFINITY),
            Value::Real(-0.0),
        ]),
    )
}

fn int_arithmetic() -> Case {
    let mut b = Builder::new("int_arithmetic");
    let x = b.param("x", INT);
    let xv = b.read(x);
    let max = b.int(i64::MAX);
    let one = b.int(1);
    let seven = b.int(7);
    let minus_two = b.int(-2);
    let minus_seven = b.int(-7);
    let two = b.int(2);
    let min = b.int(i64::MIN);
    let results = [
        b.bin(BinaryOp::Add, max, one),
        b.bin(BinaryOp::Sub, min, one),
        b.bin(BinaryOp::Mul, max, xv),
        b.un(UnaryOp::Neg, min),
        b.un(UnaryOp::Neg, xv),
        b.bin(BinaryOp::Div, seven, minus_two),
        b.bin(BinaryOp::Rem, seven, minus_two),
        b.bin(BinaryOp::Div, minus_seven, two),
        b.bin(BinaryOp::Rem, minus_seven, two),
    ];
    let as_real = b.un(UnaryOp::ToReal, xv);
    let big_real = b.un(UnaryOp::ToReal, max);
    for value in results {
        let var = b.out_var("r", INT);
        let _ = b.write(var, value);
    }
    for value in [as_real, big_real] {
        let var = b.out_var("r", REAL);
        let _ = b.write(var, value);
    }
    case(
        "int_arithmetic",
        b.finish(),
        vec![Value::Int(3)],
        Ok(vec![
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Int(i64::MAX.wrapping_mul(3)),
            Value::Int(i64::MIN),
            Value::Int(-3),
            Value::Int(-3),
            Value::Int(1),
            Value::Int(-3),
            Value::Int(-1),
            Value::Real(3.0),
            Value::Real(9_223_372_036_854_775_808.0),
        ]),
    )
}

fn int_division_edge_cases() -> Case {
    let mut b = Builder::new("int_division_edge_cases");
    let x = b.param("x", INT);
    let d = b.param("d", INT);
    let q = b.out_var("q", INT);
    let r = b.out_var("r", INT);
    let xv = b.read(x);
    let dv = b.read(d);
    let quotient = b.bin(BinaryOp::Div, xv, dv);
    let remainder = b.bin(BinaryOp::Rem, xv, dv);
    let _ = b.write(q, quotient);
    let _ = b.write(r, remainder);
    case(
        "int_division_edge_cases",
        b.finish(),
        vec![Value::Int(i64::MIN), Value::Int(-1)],
        Ok(vec![Value::Int(i64::MIN), Value::Int(0)]),
    )
}

fn division_by_zero() -> Vec<Case> {
    [BinaryOp::Div, BinaryOp::Rem]
        .into_iter()
        .map(|op| {
            let mut b = Builder::new("division_by_zero");
            let x = b.param("x", INT);
            let out = b.out_var("out", INT);
            let xv = b.read(x);
            let one = b.int(1);
            // A first division that succeeds, so the error names the second.
            let ok = b.bin(op, xv, one);
            let _ = b.write(out, ok);
            let zero = b.int(0);
            let failing = b.bin(op, xv, zero);
            let _ = b.write(out, failing);
            case(
                "division_by_zero",
                b.finish(),
                vec![Value::Int(5)],
                Err(RuntimeError::DivisionByZero { inst: failing }),
            )
        })
        .collect()
}

fn bool_logic() -> Case {
    let mut b = Builder::new("bool_logic");
    let p = b.param("p", BOOL);
    let q = b.param("q", BOOL);
    let pv = b.read(p);
    let qv = b.read(q);
    let results = [
        b.bin(BinaryOp::And, pv, qv),
        b.bin(BinaryOp::Or, pv, qv),
        b.un(UnaryOp::Not, pv),
        b.bin(BinaryOp::Lt, qv, pv),
        b.bin(BinaryOp::Le, pv, qv),
        b.bin(BinaryOp::Gt, pv, qv),
        b.bin(BinaryOp::Ge, qv, pv),
        b.bin(BinaryOp::Eq, pv, qv),
        b.bin(BinaryOp::Ne, pv, qv),
    ];
    let three = b.int(3);
    let four = b.int(4);
    let int_results = [
        b.bin(BinaryOp::Lt, three, four),
        b.bin(BinaryOp::Ge, three, four),
        b.bin(BinaryOp::Eq, three, three),
    ];
    let p_real = b.un(UnaryOp::ToReal, pv);
    for value in results.into_iter().chain(int_results) {
        let var = b.out_var("r", BOOL);
        let _ = b.write(var, value);
    }
    let var = b.out_var("r", REAL);
    let _ = b.write(var, p_real);
    let expected = [
        false, true, false, true, false, true, false, false, true, true, false, true,
    ];
    let mut expected: Vec<Value> = expected.into_iter().map(Value::Bool).collect();
    expected.push(Value::Real(1.0));
    case(
        "bool_logic",
        b.finish(),
        vec![Value::Bool(true), Value::Bool(false)],
        Ok(expected),
    )
}

fn real_comparisons_with_nan() -> Case {
    let mut b = Builder::new("real_comparisons_with_nan");
    let x = b.param("x", REAL);
    let xv = b.read(x);
    let one = b.real(1.0);
    let zero = b.real(0.0);
    let nan = b.bin(BinaryOp::Div, zero, zero);
    let ops = [
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Eq,
        BinaryOp::Ne,
    ];
    let mut results = Vec::new();
    for op in ops {
        results.push(b.bin(op, nan, one));
    }
    for op in ops {
        results.push(b.bin(op, xv, one));
    }
    results.push(b.bin(BinaryOp::Ne, nan, nan));
    results.push(b.bin(BinaryOp::Eq, nan, nan));
    for value in results {
        let var = b.out_var("r", BOOL);
        let _ = b.write(var, value);
    }
    let expected = [
        false, false, false, false, false, true, // NaN vs 1
        false, true, false, true, true, false, // 1 vs 1
        true, false,
    ];
    case(
        "real_comparisons_with_nan",
        b.finish(),
        vec![Value::Real(1.0)],
        Ok(expected.into_iter().map(Value::Bool).collect()),
    )
}

fn math_functions() -> Case {
    let mut b = Builder::new("math_functions");
    let xs = b.param("xs", array(ScalarType::Real, &[Size::Const(6)]));
    let ops = [UnaryOp::Exp, UnaryOp::Log, UnaryOp::Sqrt, UnaryOp::Sigmoid];
    let outs: Vec<VarId> = ops
        .iter()
        .map(|_| b.out_var("r", array(ScalarType::Real, &[Size::Const(6)])))
        .collect();
    let i = b.local("i", INT);
    let lo = b.int(0);
    let hi = b.int(6);
    let _ = b.for_loop(i, lo, hi, false, |b, i| {
        let index = b.read(i);
        let x = b.load(xs, &[index]);
        for (op, out) in ops.iter().zip(&outs) {
            let y = b.un(*op, x);
            let _ = b.store(*out, &[index], y);
        }
    });
    let inputs = [0.0, 1.0, -1.0, 2.5, -1000.0, 1e300];
    // `exp`, `log` and `sigmoid` are the inlined kernels (within 2 ulp of
    // libm: e^1 comes out one ulp above the correctly rounded e).
    let expected: Vec<Value> = [
        (|x| crate::runtime::math::exp(x)) as fn(f64) -> f64,
        |x| crate::runtime::math::log(x),
        f64::sqrt,
        |x| crate::runtime::math::sigmoid(x),
    ]
    .iter()
    .map(|f| arr(&[6], &inputs.map(f)))
    .collect();
    case(
        "math_functions",
        b.finish(),
        vec![arr(&[6], &inputs)],
        Ok(expected),
    )
}

fn tau_and_sizes() -> Case {
    let mut b = Builder::new("tau_and_sizes");
    let n = b.size("n", 0, 0);
    let m = b.size("m", 0, 1);
    let _a = b.param("a", array(ScalarType::Real, &[n, m]));
    let out = b.out_var("out", REAL);
    let count = b.out_var("count", INT);
    let tau = b.inst(Inst::Tau);
    let nv = b.inst(Inst::SizeOf(n));
    let mv = b.inst(Inst::SizeOf(m));
    let seven = b.inst(Inst::SizeOf(Size::Const(7)));
    let nm = b.bin(BinaryOp::Mul, nv, mv);
    let total = b.bin(BinaryOp::Add, nm, seven);
    let total_real = b.un(UnaryOp::ToReal, total);
    let scaled = b.bin(BinaryOp::Mul, tau, total_real);
    let _ = b.write(out, scaled);
    let _ = b.write(count, total);
    let mut case = case(
        "tau_and_sizes",
        b.finish(),
        vec![arr(&[2, 3], &[0.0; 6])],
        Ok(vec![Value::Real(0.25 * 13.0), Value::Int(13)]),
    );
    case.config.tau = 0.25;
    case
}

/// `s = sum(x)` and `y[n - 1 - i] = x[i]`.
fn sum_and_reverse_1d() -> Case {
    let mut b = Builder::new("sum_and_reverse_1d");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let s = b.out_var("s", REAL);
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let i = b.local("i", INT);
    let lo = b.int(0);
    let hi = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, lo, hi, false, |b, i| {
        let index = b.read(i);
        let value = b.load(x, &[index]);
        b.accumulate(s, value);
        let size = b.inst(Inst::SizeOf(n));
        let one = b.int(1);
        let last = b.bin(BinaryOp::Sub, size, one);
        let target = b.bin(BinaryOp::Sub, last, index);
        let _ = b.store(y, &[target], value);
    });
    case(
        "sum_and_reverse_1d",
        b.finish(),
        vec![arr(&[4], &[1.0, 2.0, 3.5, -0.25])],
        Ok(vec![Value::Real(6.25), arr(&[4], &[-0.25, 3.5, 2.0, 1.0])]),
    )
}

/// `t[j, i] = a[i, j]` and a weighted sum `w = sum a[i, j] * (i + 10 j)`.
fn transpose_2d() -> Case {
    let mut b = Builder::new("transpose_2d");
    let n = b.size("n", 0, 0);
    let m = b.size("m", 0, 1);
    let a = b.param("a", array(ScalarType::Real, &[n, m]));
    let t = b.out_var("t", array(ScalarType::Real, &[m, n]));
    let w = b.out_var("w", REAL);
    let i = b.local("i", INT);
    let j = b.local("j", INT);
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let zero = b.int(0);
        let mv = b.inst(Inst::SizeOf(m));
        let _ = b.for_loop(j, zero, mv, false, |b, j| {
            let iv = b.read(i);
            let jv = b.read(j);
            let value = b.load(a, &[iv, jv]);
            let _ = b.store(t, &[jv, iv], value);
            let ten = b.int(10);
            let tj = b.bin(BinaryOp::Mul, ten, jv);
            let weight = b.bin(BinaryOp::Add, iv, tj);
            let weight = b.un(UnaryOp::ToReal, weight);
            let term = b.bin(BinaryOp::Mul, value, weight);
            b.accumulate(w, term);
        });
    });
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    // a = [[1, 2, 3], [4, 5, 6]]
    let weighted = 1.0 * 0.0 + 2.0 * 10.0 + 3.0 * 20.0 + 4.0 * 1.0 + 5.0 * 11.0 + 6.0 * 21.0;
    case(
        "transpose_2d",
        b.finish(),
        vec![arr(&[2, 3], &data)],
        Ok(vec![
            arr(&[3, 2], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]),
            Value::Real(weighted),
        ]),
    )
}

/// Records the counter values of a reverse outer loop around a forward
/// inner loop (whose bounds depend on the outer counter) in an int array.
fn nested_loops_trace() -> Case {
    let mut b = Builder::new("nested_loops_trace");
    let trace = b.out_var("trace", array(ScalarType::Int, &[Size::Const(9)]));
    let k = b.out_var("k", INT);
    let i = b.local("i", INT);
    let j = b.local("j", INT);
    let one = b.int(1);
    let four = b.int(4);
    let _ = b.for_loop(i, one, four, true, |b, i| {
        let iv = b.read(i);
        let minus = b.int(-1);
        let lo = b.bin(BinaryOp::Add, iv, minus);
        let hi = b.bin(BinaryOp::Add, iv, iv);
        let _ = b.for_loop(j, lo, hi, false, |b, j| {
            let iv = b.read(i);
            let jv = b.read(j);
            let ten = b.int(10);
            let code = b.bin(BinaryOp::Mul, iv, ten);
            let code = b.bin(BinaryOp::Add, code, jv);
            let kv = b.read(k);
            let _ = b.store(trace, &[kv], code);
            let one = b.int(1);
            let next = b.bin(BinaryOp::Add, kv, one);
            let _ = b.write(k, next);
        });
    });
    // i = 3: j in 2..6; i = 2: j in 1..4; i = 1: j in 0..2.
    case(
        "nested_loops_trace",
        b.finish(),
        vec![],
        Ok(vec![
            int_arr(&[9], &[32, 33, 34, 35, 21, 22, 23, 10, 11]),
            Value::Int(9),
        ]),
    )
}

/// A loop with `hi <= lo` runs no iteration, and a body that overwrites its
/// counter does not change the sequence of counter values.
fn empty_loop_and_counter_writes() -> Case {
    let mut b = Builder::new("empty_loop_and_counter_writes");
    let count = b.out_var("count", INT);
    let last = b.out_var("last", INT);
    let trace = b.out_var("trace", array(ScalarType::Int, &[Size::Const(5)]));
    let i = b.local("i", INT);
    let five = b.int(5);
    let three = b.int(3);
    for reverse in [false, true] {
        let _ = b.for_loop(i, five, three, reverse, |b, _| {
            let one = b.int(1);
            b.accumulate(count, one);
        });
    }
    let zero = b.int(0);
    let _ = b.for_loop(i, zero, five, true, |b, i| {
        let iv = b.read(i);
        let hundred = b.int(100);
        let bigger = b.bin(BinaryOp::Mul, iv, hundred);
        let _ = b.store(trace, &[iv], bigger);
        let _ = b.write(i, bigger);
        let _ = b.write(last, bigger);
    });
    case(
        "empty_loop_and_counter_writes",
        b.finish(),
        vec![],
        Ok(vec![
            Value::Int(0),
            Value::Int(0),
            int_arr(&[5], &[0, 100, 200, 300, 400]),
        ]),
    )
}

/// Bubble sort with an `If` swap inside two nested loops, also counting
/// the swaps and recording which comparisons swapped in a bool array.
fn bubble_sort() -> Case {
    let mut b = Builder::new("bubble_sort");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.out_var("y", array(ScalarType::Real, &[n]));
    let swaps = b.out_var("swaps", INT);
    let swapped_first = b.out_var("swapped_first", array(ScalarType::Bool, &[n]));
    let i = b.local("i", INT);
    let j = b.local("j", INT);
    let t = b.local("t", REAL);
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let iv = b.read(i);
        let value = b.load(x, &[iv]);
        let _ = b.store(y, &[iv], value);
    });
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let zero = b.int(0);
        let nv = b.inst(Inst::SizeOf(n));
        let one = b.int(1);
        let iv = b.read(i);
        let hi = b.bin(BinaryOp::Sub, nv, one);
        let hi = b.bin(BinaryOp::Sub, hi, iv);
        let _ = b.for_loop(j, zero, hi, false, |b, j| {
            let jv = b.read(j);
            let one = b.int(1);
            let next = b.bin(BinaryOp::Add, jv, one);
            let left = b.load(y, &[jv]);
            let right = b.load(y, &[next]);
            let cond = b.bin(BinaryOp::Gt, left, right);
            let _ = b.if_else(
                cond,
                |b| {
                    let jv = b.read(j);
                    let one = b.int(1);
                    let next = b.bin(BinaryOp::Add, jv, one);
                    let left = b.load(y, &[jv]);
                    let _ = b.write(t, left);
                    let right = b.load(y, &[next]);
                    let _ = b.store(y, &[jv], right);
                    let tv = b.read(t);
                    let _ = b.store(y, &[next], tv);
                    let one = b.int(1);
                    b.accumulate(swaps, one);
                    let iv = b.read(i);
                    let zero = b.int(0);
                    let first = b.bin(BinaryOp::Eq, iv, zero);
                    let _ = b.if_else(
                        first,
                        |b| {
                            let jv = b.read(j);
                            let yes = b.boolean(true);
                            let _ = b.store(swapped_first, &[jv], yes);
                        },
                        |_| {},
                    );
                },
                |_| {},
            );
        });
    });
    // Pass 0 on [3, 1, 2, 0]: swaps at j = 0, 1, 2 -> [1, 2, 0, 3];
    // pass 1: j = 1 -> [1, 0, 2, 3]; pass 2: j = 0 -> [0, 1, 2, 3].
    case(
        "bubble_sort",
        b.finish(),
        vec![arr(&[4], &[3.0, 1.0, 2.0, 0.0])],
        Ok(vec![
            arr(&[4], &[0.0, 1.0, 2.0, 3.0]),
            Value::Int(5),
            bool_arr(&[4], &[true, true, true, false]),
        ]),
    )
}

/// Pushes reals, ints and bools in a forward loop and pops them in a
/// reverse loop, rebuilding the sequence and checking the stacks are
/// separate.
fn tape_round_trip() -> Case {
    let mut b = Builder::new("tape_round_trip");
    let n = b.size("n", 0, 0);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let reals = b.out_var("reals", array(ScalarType::Real, &[n]));
    let ints = b.out_var("ints", array(ScalarType::Int, &[n]));
    let flags = b.out_var("flags", array(ScalarType::Bool, &[n]));
    let i = b.local("i", INT);
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let iv = b.read(i);
        let value = b.load(x, &[iv]);
        let _ = b.inst(Inst::Push(value));
        let three = b.int(3);
        let code = b.bin(BinaryOp::Mul, iv, three);
        let _ = b.inst(Inst::Push(code));
        let zero = b.real(0.0);
        let positive = b.bin(BinaryOp::Gt, value, zero);
        let _ = b.inst(Inst::Push(positive));
    });
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, true, |b, i| {
        let iv = b.read(i);
        let flag = b.inst(Inst::Pop(ScalarType::Bool));
        let _ = b.store(flags, &[iv], flag);
        let code = b.inst(Inst::Pop(ScalarType::Int));
        let _ = b.store(ints, &[iv], code);
        let value = b.inst(Inst::Pop(ScalarType::Real));
        let _ = b.store(reals, &[iv], value);
    });
    let input = [1.5, -2.0, 0.0, 7.25];
    case(
        "tape_round_trip",
        b.finish(),
        vec![arr(&[4], &input)],
        Ok(vec![
            arr(&[4], &input),
            int_arr(&[4], &[0, 3, 6, 9]),
            bool_arr(&[4], &[true, false, false, true]),
        ]),
    )
}

/// Pushes `n` values, alternating stacks, against a limit of 3.
fn tape_limit() -> Case {
    let mut b = Builder::new("tape_limit");
    let count = b.param("count", INT);
    let pushed = b.out_var("pushed", INT);
    let i = b.local("i", INT);
    let zero = b.int(0);
    let hi = b.read(count);
    let _ = b.for_loop(i, zero, hi, false, |b, i| {
        let iv = b.read(i);
        let two = b.int(2);
        let parity = b.bin(BinaryOp::Rem, iv, two);
        let zero = b.int(0);
        let even = b.bin(BinaryOp::Eq, parity, zero);
        let _ = b.if_else(
            even,
            |b| {
                let value = b.real(1.0);
                let _ = b.inst(Inst::Push(value));
            },
            |b| {
                let iv = b.read(i);
                let _ = b.inst(Inst::Push(iv));
            },
        );
        let one = b.int(1);
        b.accumulate(pushed, one);
    });
    let mut case = case(
        "tape_limit",
        b.finish(),
        vec![Value::Int(5)],
        Err(RuntimeError::TapeLimit { limit: 3 }),
    );
    case.config.tape_limit = 3;
    case
}

fn tape_underflow() -> Case {
    let mut b = Builder::new("tape_underflow");
    let out = b.out_var("out", REAL);
    let value = b.inst(Inst::Pop(ScalarType::Real));
    let _ = b.write(out, value);
    case(
        "tape_underflow",
        b.finish(),
        vec![],
        Err(RuntimeError::TapeUnderflow),
    )
}

/// An int on the tape does not satisfy a pop of a real.
fn tape_underflow_wrong_stack() -> Case {
    let mut b = Builder::new("tape_underflow_wrong_stack");
    let out = b.out_var("out", INT);
    let one = b.int(1);
    let _ = b.inst(Inst::Push(one));
    let flag = b.boolean(true);
    let _ = b.inst(Inst::Push(flag));
    let popped = b.inst(Inst::Pop(ScalarType::Int));
    let _ = b.write(out, popped);
    let _ = b.inst(Inst::Pop(ScalarType::Real));
    case(
        "tape_underflow_wrong_stack",
        b.finish(),
        vec![],
        Err(RuntimeError::TapeUnderflow),
    )
}

/// Out-of-bounds loads and stores, in each dimension, low and high.
fn out_of_bounds() -> Vec<Case> {
    // (store?, indices, expected dim, expected index, expected len)
    let scenarios: [(bool, [i64; 2], usize, i64, i64); 5] = [
        (false, [2, 0], 0, 2, 2),
        (false, [-1, 0], 0, -1, 2),
        (false, [1, 3], 1, 3, 3),
        (true, [0, -5], 1, -5, 3),
        // Dimension 0 is checked first even when both are out of range.
        (true, [7, 9], 0, 7, 2),
    ];
    scenarios
        .into_iter()
        .map(|(is_store, [i, j], dim, index, len)| {
            let mut b = Builder::new("out_of_bounds");
            let n = b.size("n", 0, 0);
            let m = b.size("m", 0, 1);
            let a = b.param("a", array(ScalarType::Real, &[n, m]));
            let local = b.local("local", array(ScalarType::Real, &[n, m]));
            let out = b.out_var("out", REAL);
            let iv = b.int(i);
            let jv = b.int(j);
            let zero = b.int(0);
            let ok = b.load(a, &[zero, zero]);
            let _ = b.write(out, ok);
            let (failing, array) = if is_store {
                let value = b.real(1.0);
                (b.store(local, &[iv, jv], value), local)
            } else {
                let value = b.load(a, &[iv, jv]);
                let _ = b.write(out, value);
                (value, a)
            };
            case(
                "out_of_bounds",
                b.finish(),
                vec![arr(&[2, 3], &[1.0; 6])],
                Err(RuntimeError::IndexOutOfBounds {
                    inst: failing,
                    array,
                    dim,
                    index,
                    len,
                }),
            )
        })
        .collect()
}

/// Locals, outputs and arrays start at zero; reading before writing gives 0.
fn zero_initialisation() -> Case {
    let mut b = Builder::new("zero_initialisation");
    let r = b.out_var("r", REAL);
    let k = b.out_var("k", INT);
    let p = b.out_var("p", BOOL);
    let a = b.out_var(
        "a",
        array(ScalarType::Real, &[Size::Const(2), Size::Const(2)]),
    );
    let acc = b.local("acc", REAL);
    let one = b.real(1.0);
    b.accumulate(acc, one);
    let total = b.read(acc);
    let two = b.int(2);
    b.accumulate(k, two);
    let zero = b.int(0);
    let one_index = b.int(1);
    let _ = b.store(a, &[one_index, zero], total);
    let old = b.read(r);
    let _ = b.write(r, old);
    let flag = b.read(p);
    let _ = b.write(p, flag);
    case(
        "zero_initialisation",
        b.finish(),
        vec![],
        Ok(vec![
            Value::Real(0.0),
            Value::Int(2),
            Value::Bool(false),
            arr(&[2, 2], &[0.0, 0.0, 1.0, 0.0]),
        ]),
    )
}

/// Parameters can be outputs, of every scalar type, and arrays too.
fn scalar_passthrough() -> Case {
    let mut b = Builder::new("scalar_passthrough");
    let x = b.param("x", REAL);
    let k = b.param("k", INT);
    let p = b.param("p", BOOL);
    let a = b.param("a", array(ScalarType::Real, &[Size::Const(3)]));
    for var in [p, k, x, a] {
        b.output(var);
    }
    case(
        "scalar_passthrough",
        b.finish(),
        vec![
            Value::Real(-2.5),
            Value::Int(-9),
            Value::Bool(true),
            arr(&[3], &[1.0, 2.0, 3.0]),
        ],
        Ok(vec![
            Value::Bool(true),
            Value::Int(-9),
            Value::Real(-2.5),
            arr(&[3], &[1.0, 2.0, 3.0]),
        ]),
    )
}

/// Wrong argument count, type, shape and inconsistent sizes.
fn argument_errors() -> Vec<Case> {
    let build = || {
        let mut b = Builder::new("argument_errors");
        let n = b.size("n", 0, 0);
        let x = b.param("x", array(ScalarType::Real, &[n]));
        let y = b.param("y", array(ScalarType::Real, &[n, Size::Const(2)]));
        let k = b.param("k", INT);
        for var in [x, y, k] {
            b.output(var);
        }
        b.finish()
    };
    let good_y = arr(&[3, 2], &[0.0; 6]);
    vec![
        case(
            "argument_count",
            build(),
            vec![arr(&[3], &[0.0; 3])],
            Err(RuntimeError::ArgumentCount {
                expected: 3,
                got: 1,
            }),
        ),
        case(
            "argument_type",
            build(),
            vec![arr(&[3], &[0.0; 3]), good_y.clone(), Value::Real(1.0)],
            Err(RuntimeError::ArgumentType {
                param: 2,
                expected: "int".to_string(),
                got: "real".to_string(),
            }),
        ),
        case(
            "argument_rank",
            build(),
            vec![arr(&[3], &[0.0; 3]), arr(&[6], &[0.0; 6]), Value::Int(1)],
            Err(RuntimeError::ArgumentType {
                param: 1,
                expected: "real[n, 2]".to_string(),
                got: "real array of shape [6]".to_string(),
            }),
        ),
        case(
            "size_mismatch",
            build(),
            vec![arr(&[4], &[0.0; 4]), good_y, Value::Int(1)],
            Err(RuntimeError::SizeMismatch {
                size: "n".to_string(),
                first: 4,
                second: 3,
                param: 1,
                dim: 0,
            }),
        ),
    ]
}
