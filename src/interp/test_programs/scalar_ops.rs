//! Test programs for the scalar operations of issue 3: `Softplus`, `Sin`,
//! `Cos`, `Tanh`, `Floor`, `Ceil`, `Round`, `Pow` and `Select`.

use super::{Case, case};
use crate::interp::test_builder::{BOOL, Builder, INT, REAL, arr, array, int_arr};
use crate::ir::{BinaryOp, ScalarType, Size, UnaryOp, VarId};
use crate::runtime::{Value, math};

pub(super) fn cases() -> Vec<Case> {
    let mut cases = vec![real_functions(), rounding_to_int(), pow_edge_cases()];
    cases.extend(select_of_each_type());
    cases
}

/// Applies each of `ops` elementwise to the real array parameter, one
/// output array per operation.
fn elementwise(name: &'static str, ops: &[UnaryOp], result: ScalarType, len: usize) -> Builder {
    let mut b = Builder::new(name);
    let dims = [Size::Const(len as i64)];
    let xs = b.param("xs", array(ScalarType::Real, &dims));
    let outs: Vec<VarId> = ops
        .iter()
        .map(|_| b.out_var("r", array(result, &dims)))
        .collect();
    let i = b.local("i", INT);
    let lo = b.int(0);
    let hi = b.int(len as i64);
    let _ = b.for_loop(i, lo, hi, false, |b, i| {
        let index = b.read(i);
        let x = b.load(xs, &[index]);
        for (op, out) in ops.iter().zip(&outs) {
            let y = b.un(*op, x);
            let _ = b.store(*out, &[index], y);
        }
    });
    b
}

/// `want`, or the NaN `got` when `want` is NaN (which NaN a libm function
/// returns is its own business; both backends return the same one).
fn expect(want: f64, got: f64) -> f64 {
    if want.is_nan() {
        assert!(got.is_nan(), "expected NaN, got {got}");
        got
    } else {
        want
    }
}

fn real_functions() -> Case {
    let ops = [UnaryOp::Softplus, UnaryOp::Sin, UnaryOp::Cos, UnaryOp::Tanh];
    let inputs = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        std::f64::consts::PI,
        40.0,
        -40.0,
        800.0,
        -800.0,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let b = elementwise("real_functions", &ops, ScalarType::Real, inputs.len());
    let functions: [fn(f64) -> f64; 4] =
        [|x| math::softplus(x), f64::sin, f64::cos, |x| math::tanh(x)];
    let expected: Vec<Value> = functions
        .iter()
        .map(|f| arr(&[inputs.len()], &inputs.map(f)))
        .collect();
    // Spot checks of the expected values themselves, at the edges.
    let softplus = inputs.map(|x| math::softplus(x));
    assert_eq!(softplus[1], std::f64::consts::LN_2);
    assert_eq!(softplus[6], 40.0);
    assert!((softplus[7] - (-40f64).exp()).abs() < 1e-30);
    assert_eq!(softplus[8], 800.0);
    assert_eq!(softplus[9], 0.0);
    assert_eq!(softplus[10], 1e300);
    assert_eq!(softplus[12], f64::INFINITY);
    assert_eq!(softplus[13], 0.0);
    assert!(softplus[14].is_nan());
    let sin = inputs.map(f64::sin);
    assert_eq!(sin[1].to_bits(), (-0.0f64).to_bits());
    assert!(sin[12].is_nan() && sin[13].is_nan());
    assert_eq!(inputs.map(f64::cos)[1], 1.0);
    let tanh = inputs.map(|x| math::tanh(x));
    assert_eq!(tanh[1].to_bits(), (-0.0f64).to_bits());
    assert_eq!(
        [tanh[8], tanh[9], tanh[12], tanh[13]],
        [1.0, -1.0, 1.0, -1.0]
    );
    case(
        "real_functions",
        b.finish(),
        vec![arr(&[inputs.len()], &inputs)],
        Ok(expected),
    )
}

/// `Floor`, `Ceil` and `Round` at ties, near ties, beyond 2^52 (where every
/// real is an int), at the edges of the int range (saturating), on
/// infinities and NaN (0).
fn rounding_to_int() -> Case {
    const MAX: i64 = i64::MAX;
    const MIN: i64 = i64::MIN;
    // x, floor, ceil, round
    let table: [(f64, i64, i64, i64); 26] = [
        (0.0, 0, 0, 0),
        (-0.0, 0, 0, 0),
        (0.5, 0, 1, 1),
        (-0.5, -1, 0, -1),
        (1.5, 1, 2, 2),
        (2.5, 2, 3, 3),
        (-2.5, -3, -2, -3),
        (2.7, 2, 3, 3),
        (-2.7, -3, -2, -3),
        (2.2, 2, 3, 2),
        (-2.2, -3, -2, -2),
        (0.49999999999999994, 0, 1, 0),
        (-0.49999999999999994, -1, 0, 0),
        (
            4503599627370495.5,
            4503599627370495,
            4503599627370496,
            4503599627370496,
        ),
        (
            -4503599627370495.5,
            -4503599627370496,
            -4503599627370495,
            -4503599627370496,
        ),
        (
            4503599627370497.0,
            4503599627370497,
            4503599627370497,
            4503599627370497,
        ),
        (1e-300, 0, 1, 0),
        (-1e-300, -1, 0, 0),
        (1e300, MAX, MAX, MAX),
        (-1e300, MIN, MIN, MIN),
        (f64::INFINITY, MAX, MAX, MAX),
        (f64::NEG_INFINITY, MIN, MIN, MIN),
        (f64::NAN, 0, 0, 0),
        // 2^63 saturates; -2^63 is exactly the minimum.
        (9223372036854775808.0, MAX, MAX, MAX),
        (-9223372036854775808.0, MIN, MIN, MIN),
        // The largest real below 2^63.
        (
            9223372036854774784.0,
            9223372036854774784,
            9223372036854774784,
            9223372036854774784,
        ),
    ];
    let ops = [UnaryOp::Floor, UnaryOp::Ceil, UnaryOp::Round];
    let b = elementwise("rounding_to_int", &ops, ScalarType::Int, table.len());
    let inputs: Vec<f64> = table.iter().map(|row| row.0).collect();
    let column = |pick: fn(&(f64, i64, i64, i64)) -> i64| -> Value {
        int_arr(&[table.len()], &table.iter().map(pick).collect::<Vec<_>>())
    };
    case(
        "rounding_to_int",
        b.finish(),
        vec![arr(&[table.len()], &inputs)],
        Ok(vec![
            column(|row| row.1),
            column(|row| row.2),
            column(|row| row.3),
        ]),
    )
}

/// IEEE `pow` special cases, elementwise on two arrays.
fn pow_edge_cases() -> Case {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    // x, y, x^y
    let table: [(f64, f64, f64); 18] = [
        (2.0, 10.0, 1024.0),
        (2.0, 0.5, std::f64::consts::SQRT_2),
        (2.0, -1.0, 0.5),
        (-2.0, 3.0, -8.0),
        (-8.0, 1.0 / 3.0, nan),
        (nan, 0.0, 1.0),
        (1.0, nan, 1.0),
        (nan, 1.0, nan),
        (0.0, -1.0, inf),
        (-0.0, -1.0, -inf),
        (-0.0, -2.0, inf),
        (-0.0, 3.0, -0.0),
        (inf, -1.0, 0.0),
        (-inf, 3.0, -inf),
        (10.0, 400.0, inf),
        (10.0, -400.0, 0.0),
        (0.5, inf, 0.0),
        (-1.0, inf, 1.0),
    ];
    let len = table.len();
    let mut b = Builder::new("pow_edge_cases");
    let dims = [Size::Const(len as i64)];
    let xs = b.param("xs", array(ScalarType::Real, &dims));
    let ys = b.param("ys", array(ScalarType::Real, &dims));
    let out = b.out_var("out", array(ScalarType::Real, &dims));
    let i = b.local("i", INT);
    let lo = b.int(0);
    let hi = b.int(len as i64);
    let _ = b.for_loop(i, lo, hi, false, |b, i| {
        let index = b.read(i);
        let x = b.load(xs, &[index]);
        let y = b.load(ys, &[index]);
        let power = b.bin(BinaryOp::Pow, x, y);
        let _ = b.store(out, &[index], power);
    });
    let xs: Vec<f64> = table.iter().map(|row| row.0).collect();
    let ys: Vec<f64> = table.iter().map(|row| row.1).collect();
    let expected: Vec<f64> = table
        .iter()
        .map(|&(x, y, want)| expect(want, math::pow(x, y)))
        .collect();
    case(
        "pow_edge_cases",
        b.finish(),
        vec![arr(&[len], &xs), arr(&[len], &ys)],
        Ok(vec![arr(&[len], &expected)]),
    )
}

/// `Select` on reals (keeping the bits of -0.0 and NaN), ints and bools,
/// with the condition true and false.
fn select_of_each_type() -> Vec<Case> {
    [true, false]
        .into_iter()
        .map(|p| {
            let mut b = Builder::new("select_of_each_type");
            let pv = b.param("p", BOOL);
            let x = b.param("x", REAL);
            let y = b.param("y", REAL);
            let i = b.param("i", INT);
            let j = b.param("j", INT);
            let q = b.param("q", BOOL);
            let r = b.out_var("r", REAL);
            let r_not = b.out_var("r_not", REAL);
            let k = b.out_var("k", INT);
            let c = b.out_var("c", BOOL);
            let cond = b.read(pv);
            let not_cond = b.un(UnaryOp::Not, cond);
            let xv = b.read(x);
            let yv = b.read(y);
            let iv = b.read(i);
            let jv = b.read(j);
            let qv = b.read(q);
            let not_q = b.un(UnaryOp::Not, qv);
            let reals = b.select(cond, xv, yv);
            let reals_not = b.select(not_cond, xv, yv);
            let ints = b.select(cond, iv, jv);
            let bools = b.select(cond, qv, not_q);
            for (var, value) in [(r, reals), (r_not, reals_not), (k, ints), (c, bools)] {
                let _ = b.write(var, value);
            }
            let (x, y) = (-0.0, f64::NAN);
            let (i, j) = (i64::MIN, 42);
            let pick = |on: bool, a: f64, b: f64| if on { a } else { b };
            case(
                "select_of_each_type",
                b.finish(),
                vec![
                    Value::Bool(p),
                    Value::Real(x),
                    Value::Real(y),
                    Value::Int(i),
                    Value::Int(j),
                    Value::Bool(true),
                ],
                Ok(vec![
                    Value::Real(pick(p, x, y)),
                    Value::Real(pick(!p, x, y)),
                    Value::Int(if p { i } else { j }),
                    Value::Bool(p),
                ]),
            )
        })
        .collect()
}
