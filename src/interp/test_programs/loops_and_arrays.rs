//! Test programs for `while` loops (`Loop`), derived sizes and int and bool
//! array arguments and results.

use super::{Case, case};
use crate::interp::test_builder::{BOOL, Builder, INT, REAL, arr, array, bool_arr, int_arr};
use crate::ir::{BinaryOp, Inst, ScalarType, Size, UnaryOp};
use crate::runtime::{RuntimeError, Value};
use ndarray::{Array2, ArrayD};

pub(super) fn cases() -> Vec<Case> {
    let mut cases = count_up();
    cases.extend([
        collatz(),
        nested_while_and_for(),
        error_inside_while(),
        derived_sizes(),
        int_and_bool_arrays(),
    ]);
    cases.extend(derived_size_errors());
    cases.extend(array_argument_type_errors());
    cases
}

/// `i = 0; w = i < n; while w (bound) { i += 1; w = i < n }`, for 0, 1 and
/// many iterations, exactly at the bound, and one over it.
fn count_up() -> Vec<Case> {
    // n, bound, expected iterations (None: the bound is exceeded)
    let scenarios: [(i64, Option<i64>, Option<i64>); 9] = [
        (0, Some(10), Some(0)),
        (-5, Some(1), Some(0)),
        (1, Some(10), Some(1)),
        (1, Some(1), Some(1)),
        (7, None, Some(7)),
        (1000, None, Some(1000)),
        (10, Some(10), Some(10)),
        (11, Some(10), None),
        (2, Some(1), None),
    ];
    scenarios
        .into_iter()
        .map(|(n, bound, iterations)| {
            let mut b = Builder::new("count_up");
            let n_var = b.param("n", INT);
            let i = b.out_var("i", INT);
            let w = b.out_var("w", BOOL);
            let iv = b.read(i);
            let nv = b.read(n_var);
            let more = b.bin(BinaryOp::Lt, iv, nv);
            let _ = b.write(w, more);
            let looped = b.while_loop(w, bound, |b| {
                let one = b.int(1);
                b.accumulate(i, one);
                let iv = b.read(i);
                let nv = b.read(n_var);
                let more = b.bin(BinaryOp::Lt, iv, nv);
                let _ = b.write(w, more);
            });
            let expected = match (iterations, bound) {
                (Some(iterations), _) => Ok(vec![Value::Int(iterations), Value::Bool(false)]),
                (None, Some(bound)) => Err(RuntimeError::LoopBoundExceeded {
                    inst: looped,
                    bound,
                }),
                (None, None) => unreachable!("an unbounded loop cannot exceed its bound"),
            };
            case("count_up", b.finish(), vec![Value::Int(n)], expected)
        })
        .collect()
}

/// The Collatz sequence from 27 (111 steps) in an unbounded loop with an
/// `If` in its body, recording the first eight values in an int array.
fn collatz() -> Case {
    let mut b = Builder::new("collatz");
    let start = b.param("start", INT);
    let steps = b.out_var("steps", INT);
    let trace = b.out_var("trace", array(ScalarType::Int, &[Size::Const(8)]));
    let x = b.local("x", INT);
    let w = b.local("w", BOOL);
    let first = b.read(start);
    let _ = b.write(x, first);
    let one = b.int(1);
    let more = b.bin(BinaryOp::Ne, first, one);
    let _ = b.write(w, more);
    let _ = b.while_loop(w, None, |b| {
        let sv = b.read(steps);
        let eight = b.int(8);
        let early = b.bin(BinaryOp::Lt, sv, eight);
        let _ = b.if_else(
            early,
            |b| {
                let sv = b.read(steps);
                let xv = b.read(x);
                let _ = b.store(trace, &[sv], xv);
            },
            |_| {},
        );
        let xv = b.read(x);
        let two = b.int(2);
        let parity = b.bin(BinaryOp::Rem, xv, two);
        let zero = b.int(0);
        let even = b.bin(BinaryOp::Eq, parity, zero);
        let half = b.bin(BinaryOp::Div, xv, two);
        let three = b.int(3);
        let tripled = b.bin(BinaryOp::Mul, xv, three);
        let one = b.int(1);
        let odd_next = b.bin(BinaryOp::Add, tripled, one);
        let next = b.select(even, half, odd_next);
        let _ = b.write(x, next);
        b.accumulate(steps, one);
        let more = b.bin(BinaryOp::Ne, next, one);
        let _ = b.write(w, more);
    });
    case(
        "collatz",
        b.finish(),
        vec![Value::Int(27)],
        Ok(vec![
            Value::Int(111),
            int_arr(&[8], &[27, 82, 41, 124, 62, 31, 94, 47]),
        ]),
    )
}

/// A bounded `while` inside a `For` (the inner flag is reset each outer
/// iteration) and a `For` inside a bounded `while`.
fn nested_while_and_for() -> Case {
    let mut b = Builder::new("nested_while_and_for");
    let acc = b.out_var("acc", INT);
    let inner_runs = b.out_var("inner_runs", INT);
    let acc2 = b.out_var("acc2", INT);
    let k = b.out_var("k", INT);
    let i = b.local("i", INT);
    let j = b.local("j", INT);
    let w = b.local("w", BOOL);
    let lo = b.int(0);
    let hi = b.int(3);
    let _ = b.for_loop(i, lo, hi, false, |b, i| {
        let zero = b.int(0);
        let _ = b.write(j, zero);
        let iv = b.read(i);
        let more = b.bin(BinaryOp::Lt, zero, iv);
        let _ = b.write(w, more);
        let _ = b.while_loop(w, Some(5), |b| {
            let iv = b.read(i);
            let jv = b.read(j);
            let ten = b.int(10);
            let code = b.bin(BinaryOp::Mul, iv, ten);
            let code = b.bin(BinaryOp::Add, code, jv);
            b.accumulate(acc, code);
            let one = b.int(1);
            b.accumulate(inner_runs, one);
            let next = b.bin(BinaryOp::Add, jv, one);
            let _ = b.write(j, next);
            let more = b.bin(BinaryOp::Lt, next, iv);
            let _ = b.write(w, more);
        });
    });
    let yes = b.boolean(true);
    let _ = b.write(w, yes);
    let _ = b.while_loop(w, Some(4), |b| {
        let zero = b.int(0);
        let kv = b.read(k);
        let _ = b.for_loop(j, zero, kv, false, |b, _| {
            let one = b.int(1);
            b.accumulate(acc2, one);
        });
        let one = b.int(1);
        b.accumulate(k, one);
        let kv = b.read(k);
        let four = b.int(4);
        let more = b.bin(BinaryOp::Lt, kv, four);
        let _ = b.write(w, more);
    });
    // i = 1: 10; i = 2: 20 + 21. The second loop runs k = 0, 1, 2, 3.
    case(
        "nested_while_and_for",
        b.finish(),
        vec![],
        Ok(vec![
            Value::Int(51),
            Value::Int(3),
            Value::Int(6),
            Value::Int(4),
        ]),
    )
}

/// A fault inside a `while` body leaves the loop with that fault.
fn error_inside_while() -> Case {
    let mut b = Builder::new("error_inside_while");
    let a = b.out_var("a", array(ScalarType::Real, &[Size::Const(3)]));
    let i = b.local("i", INT);
    let w = b.local("w", BOOL);
    let yes = b.boolean(true);
    let _ = b.write(w, yes);
    let mut failing = None;
    let _ = b.while_loop(w, Some(100), |b| {
        let iv = b.read(i);
        let one = b.real(1.0);
        failing = Some(b.store(a, &[iv], one));
        let step = b.int(1);
        let next = b.bin(BinaryOp::Add, iv, step);
        let _ = b.write(i, next);
        let five = b.int(5);
        let more = b.bin(BinaryOp::Lt, next, five);
        let _ = b.write(w, more);
    });
    case(
        "error_inside_while",
        b.finish(),
        vec![],
        Err(RuntimeError::IndexOutOfBounds {
            inst: failing.expect("built"),
            array: a,
            dim: 0,
            index: 3,
            len: 3,
        }),
    )
}

/// Arrays sized `n - 1`, `2 * n`, `n * m` and `[2, n - 1]` (a derived
/// stride), filled in loops bounded by `SizeOf` the derived sizes.
fn derived_sizes() -> Case {
    let mut b = Builder::new("derived_sizes");
    let n = b.size("n", 0, 0);
    let m = b.size("m", 1, 0);
    let n_minus_1 = b.derived("n - 1", &[(&[n], 1), (&[], -1)]);
    let two_n = b.derived("2 * n", &[(&[n], 2)]);
    let n_m = b.derived("n * m", &[(&[n, m], 1)]);
    let x = b.param("x", array(ScalarType::Real, &[n]));
    let y = b.param("y", array(ScalarType::Real, &[m]));
    let diffs = b.out_var("diffs", array(ScalarType::Real, &[n_minus_1]));
    let squares = b.out_var("squares", array(ScalarType::Int, &[two_n]));
    let outer = b.out_var("outer", array(ScalarType::Real, &[n_m]));
    let grid = b.out_var(
        "grid",
        array(ScalarType::Bool, &[Size::Const(2), n_minus_1]),
    );
    let code = b.out_var("code", INT);
    let i = b.local("i", INT);
    let j = b.local("j", INT);

    let zero = b.int(0);
    let hi = b.inst(Inst::SizeOf(n_minus_1));
    let _ = b.for_loop(i, zero, hi, false, |b, i| {
        let iv = b.read(i);
        let one = b.int(1);
        let next = b.bin(BinaryOp::Add, iv, one);
        let right = b.load(x, &[next]);
        let left = b.load(x, &[iv]);
        let diff = b.bin(BinaryOp::Sub, right, left);
        let _ = b.store(diffs, &[iv], diff);
    });
    let zero = b.int(0);
    let hi = b.inst(Inst::SizeOf(two_n));
    let _ = b.for_loop(i, zero, hi, false, |b, i| {
        let iv = b.read(i);
        let square = b.bin(BinaryOp::Mul, iv, iv);
        let _ = b.store(squares, &[iv], square);
    });
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let zero = b.int(0);
        let mv = b.inst(Inst::SizeOf(m));
        let _ = b.for_loop(j, zero, mv, false, |b, j| {
            let iv = b.read(i);
            let jv = b.read(j);
            let mv = b.inst(Inst::SizeOf(m));
            let row = b.bin(BinaryOp::Mul, iv, mv);
            let flat = b.bin(BinaryOp::Add, row, jv);
            let xi = b.load(x, &[iv]);
            let yj = b.load(y, &[jv]);
            let product = b.bin(BinaryOp::Mul, xi, yj);
            let _ = b.store(outer, &[flat], product);
        });
    });
    let zero = b.int(0);
    let two = b.int(2);
    let _ = b.for_loop(i, zero, two, false, |b, i| {
        let zero = b.int(0);
        let hi = b.inst(Inst::SizeOf(n_minus_1));
        let _ = b.for_loop(j, zero, hi, false, |b, j| {
            let iv = b.read(i);
            let jv = b.read(j);
            let sum = b.bin(BinaryOp::Add, iv, jv);
            let two = b.int(2);
            let parity = b.bin(BinaryOp::Rem, sum, two);
            let zero = b.int(0);
            let even = b.bin(BinaryOp::Eq, parity, zero);
            let _ = b.store(grid, &[iv, jv], even);
        });
    });
    let sizes = [n_minus_1, two_n, n_m].map(|size| b.inst(Inst::SizeOf(size)));
    let hundred = b.int(100);
    let total = b.bin(BinaryOp::Mul, sizes[0], hundred);
    let total = b.bin(BinaryOp::Add, total, sizes[1]);
    let total = b.bin(BinaryOp::Mul, total, hundred);
    let total = b.bin(BinaryOp::Add, total, sizes[2]);
    let _ = b.write(code, total);
    case(
        "derived_sizes",
        b.finish(),
        vec![
            arr(&[4], &[1.0, 4.0, 9.0, 16.0]),
            arr(&[3], &[0.5, -1.0, 2.0]),
        ],
        Ok(vec![
            arr(&[3], &[3.0, 5.0, 7.0]),
            int_arr(&[8], &[0, 1, 4, 9, 16, 25, 36, 49]),
            arr(
                &[12],
                &[
                    0.5, -1.0, 2.0, 2.0, -4.0, 8.0, 4.5, -9.0, 18.0, 8.0, -16.0, 32.0,
                ],
            ),
            bool_arr(&[2, 3], &[true, false, true, false, true, false]),
            Value::Int(30812),
        ]),
    )
}

/// A derived size that comes out negative, and an index out of bounds of
/// an array of derived size (reporting the derived length).
fn derived_size_errors() -> Vec<Case> {
    let build = || {
        let mut b = Builder::new("derived_size_errors");
        let n = b.size("n", 0, 0);
        let n_minus_1 = b.derived("n - 1", &[(&[n], 1), (&[], -1)]);
        let _x = b.param("x", array(ScalarType::Real, &[n]));
        let d = b.out_var("d", array(ScalarType::Int, &[n_minus_1]));
        let index = b.inst(Inst::SizeOf(n_minus_1));
        let value = b.int(1);
        let store = b.store(d, &[index], value);
        (b.finish(), d, store)
    };
    let (func, _, _) = build();
    let negative = case(
        "negative_derived_size",
        func,
        vec![arr(&[0], &[])],
        Err(RuntimeError::NegativeSize {
            size: "n - 1".to_string(),
            value: -1,
        }),
    );
    let (func, d, store) = build();
    let out_of_bounds = case(
        "derived_size_out_of_bounds",
        func,
        vec![arr(&[5], &[0.0; 5])],
        Err(RuntimeError::IndexOutOfBounds {
            inst: store,
            array: d,
            dim: 0,
            index: 4,
            len: 4,
        }),
    );
    vec![negative, out_of_bounds]
}

/// Int and bool array parameters (one 2-D, passed in column-major memory
/// order) read elementwise, int and bool array results, and parameters
/// returned as they are.
fn int_and_bool_arrays() -> Case {
    let mut b = Builder::new("int_and_bool_arrays");
    let n = b.size("n", 0, 0);
    let ks = b.param("ks", array(ScalarType::Int, &[n]));
    let bs = b.param("bs", array(ScalarType::Bool, &[n]));
    let grid = b.param(
        "grid",
        array(ScalarType::Int, &[Size::Const(2), Size::Const(3)]),
    );
    let masked = b.out_var("masked", INT);
    let negated = b.out_var("negated", array(ScalarType::Int, &[n]));
    let flipped = b.out_var("flipped", array(ScalarType::Bool, &[n]));
    let transposed = b.out_var(
        "transposed",
        array(ScalarType::Int, &[Size::Const(3), Size::Const(2)]),
    );
    let mean = b.out_var("mean", REAL);
    b.output(ks);
    b.output(bs);
    let i = b.local("i", INT);
    let j = b.local("j", INT);
    let zero = b.int(0);
    let nv = b.inst(Inst::SizeOf(n));
    let _ = b.for_loop(i, zero, nv, false, |b, i| {
        let iv = b.read(i);
        let k = b.load(ks, &[iv]);
        let flag = b.load(bs, &[iv]);
        let zero = b.int(0);
        let kept = b.select(flag, k, zero);
        b.accumulate(masked, kept);
        let minus = b.un(UnaryOp::Neg, k);
        let _ = b.store(negated, &[iv], minus);
        let not = b.un(UnaryOp::Not, flag);
        let _ = b.store(flipped, &[iv], not);
        let as_real = b.un(UnaryOp::ToReal, flag);
        b.accumulate(mean, as_real);
    });
    let zero = b.int(0);
    let two = b.int(2);
    let _ = b.for_loop(i, zero, two, false, |b, i| {
        let zero = b.int(0);
        let three = b.int(3);
        let _ = b.for_loop(j, zero, three, false, |b, j| {
            let iv = b.read(i);
            let jv = b.read(j);
            let value = b.load(grid, &[iv, jv]);
            let _ = b.store(transposed, &[jv, iv], value);
        });
    });
    let total = b.read(mean);
    let count = b.inst(Inst::SizeOf(n));
    let count = b.un(UnaryOp::ToReal, count);
    let average = b.bin(BinaryOp::Div, total, count);
    let _ = b.write(mean, average);
    // [[1, 3, 5], [2, 4, 6]], stored column by column.
    let grid_arg: ArrayD<i64> = Array2::from_shape_vec((3, 2), vec![1, 2, 3, 4, 5, 6])
        .expect("shape fits")
        .reversed_axes()
        .into_dyn();
    let ks_arg = [5, -3, i64::MAX, 7];
    let bs_arg = [true, false, true, true];
    case(
        "int_and_bool_arrays",
        b.finish(),
        vec![
            int_arr(&[4], &ks_arg),
            bool_arr(&[4], &bs_arg),
            Value::IntArray(grid_arg),
        ],
        Ok(vec![
            Value::Int(i64::MAX.wrapping_add(12)),
            int_arr(&[4], &[-5, 3, -i64::MAX, -7]),
            bool_arr(&[4], &[false, true, false, false]),
            int_arr(&[3, 2], &[1, 2, 3, 4, 5, 6]),
            Value::Real(0.75),
            int_arr(&[4], &ks_arg),
            bool_arr(&[4], &bs_arg),
        ]),
    )
}

/// Arrays of the wrong element type are rejected before the call.
fn array_argument_type_errors() -> Vec<Case> {
    let build = || {
        let mut b = Builder::new("array_argument_type_errors");
        let n = b.size("n", 0, 0);
        let ks = b.param("ks", array(ScalarType::Int, &[n]));
        let bs = b.param("bs", array(ScalarType::Bool, &[n]));
        b.output(ks);
        b.output(bs);
        b.finish()
    };
    vec![
        case(
            "real_array_for_int_array",
            build(),
            vec![arr(&[2], &[1.0, 2.0]), bool_arr(&[2], &[true, false])],
            Err(RuntimeError::ArgumentType {
                param: 0,
                expected: "int[n]".to_string(),
                got: "real array of shape [2]".to_string(),
            }),
        ),
        case(
            "int_array_for_bool_array",
            build(),
            vec![int_arr(&[2], &[1, 2]), int_arr(&[2], &[0, 1])],
            Err(RuntimeError::ArgumentType {
                param: 1,
                expected: "bool[n]".to_string(),
                got: "int array of shape [2]".to_string(),
            }),
        ),
    ]
}
