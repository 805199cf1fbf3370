//! Element-wise blending of array stores inside loops of a relaxed branch
//! (`smooth::branch::elements`): the same values as blending the whole
//! array, exact gradients, the same on both backends, and no NaN from
//! elements the branch never writes.

use crate::gradcheck;
use crate::support::{assert_close, compile_fn, reals};
use smoothc::{Backend, Function, Mode, Runtime, Stage, Value};

/// A relaxed branch that stores inside loops, written twice: with the
/// stores' indices computed from the loop counter (blended element-wise),
/// and with the indices first bound by `let`s inside the branch, which the
/// element-wise rule does not look through (blended whole). Both define
/// `f(x, c, lo, hi) -> real[n]` and `loss(x, c, lo, hi, w) = dot(f(..), w)`.
struct Pair {
    name: &'static str,
    /// The array the branch writes (its whole snapshot is `{array}_orig`).
    array: &'static str,
    element: String,
    whole: String,
}

const LOSS: &str = "
fn loss(x: real[n], c: real, lo: int, hi: int, w: real[n]) -> real {
    dot(f(x, c, lo, hi), w)
}
";

/// Both forms of a program whose stores are marked with double brackets,
/// one per line: `y[[i, j]] = v;` is `y[i, j] = v;` in the element form and
/// `{ let k0 = i; let k1 = j; y[k0, k1] = v; }` in the whole form.
fn pair(name: &'static str, array: &'static str, template: &str) -> Pair {
    let whole: Vec<String> = template.lines().map(bind_indices).collect();
    Pair {
        name,
        array,
        element: template.replace("[[", "[").replace("]]", "]"),
        whole: whole.join("\n"),
    }
}

/// One line of the whole form (see `pair`).
fn bind_indices(line: &str) -> String {
    let (Some(open), Some(close)) = (line.find("[["), line.find("]]")) else {
        return line.to_string();
    };
    let target = line[..open].trim_start();
    let indent = &line[..open - target.len()];
    let indices: Vec<&str> = line[open + 2..close].split(", ").collect();
    let lets: String = indices
        .iter()
        .enumerate()
        .map(|(k, index)| format!("let k{k} = {index}; "))
        .collect();
    let names: Vec<String> = (0..indices.len()).map(|k| format!("k{k}")).collect();
    let rest = &line[close + 2..];
    format!("{indent}{{ {lets}{target}[{}]{rest} }}", names.join(", "))
}

fn pairs() -> Vec<Pair> {
    vec![
        // A window after a fixed int: `y[lo + j]`.
        pair(
            "window",
            "y",
            "fn f(x: real[n], c: real, lo: int, hi: int) -> real[n] {
                let mut y = x;
                if c > x[0] {
                    for j in 0..3 {
                        y[[lo + j]] = y[lo + j] * c;
                    }
                }
                y
            }",
        ),
        // Bounds from ints (possibly an empty or reversed range), stores in
        // both branches.
        pair(
            "range",
            "y",
            "fn f(x: real[n], c: real, lo: int, hi: int) -> real[n] {
                let mut y = x;
                if c > x[0] {
                    for j in lo..hi {
                        y[[j]] = y[j] * 2.0 + c;
                    }
                } else {
                    for j in lo..hi {
                        y[[j]] = y[j] - c;
                    }
                }
                y
            }",
        ),
        // Aliasing: every iteration writes one element, a top-level store
        // may hit it too, and one iteration stores twice to one element.
        pair(
            "aliasing",
            "y",
            "fn f(x: real[n], c: real, lo: int, hi: int) -> real[n] {
                let mut y = x;
                if c > x[0] {
                    for j in 0..3 {
                        y[[lo]] = y[lo] + x[j] * c;
                    }
                    y[hi] = c;
                } else {
                    for j in lo..hi + 1 {
                        y[[j]] = y[j] * c;
                        y[[j]] = y[j] + 1.0;
                    }
                }
                y
            }",
        ),
        // Nested loops over a matrix, the inner bound from the outer counter.
        pair(
            "nested",
            "z",
            "fn f(x: real[n], c: real, lo: int, hi: int) -> real[n] {
                let mut z = [ [x[a] - x[b] for b in 0..n] for a in 0..n ];
                if c > x[0] {
                    for a in lo..hi {
                        for b in a..hi {
                            z[[a, b]] = z[a, b] + c * x[b];
                        }
                    }
                } else {
                    for a in lo..hi {
                        z[[a, a]] = z[a, a] * c;
                    }
                }
                let mut r = fill(n, 0.0);
                for a in 0..n {
                    for b in 0..n {
                        r[a] += z[a, b] * real(b + 1);
                    }
                }
                r
            }",
        ),
    ]
}

fn args(x: &[f64], c: f64, lo: i64, hi: i64) -> Vec<Value> {
    vec![
        Value::Array(ndarray::arr1(x).into_dyn()),
        Value::Real(c),
        Value::Int(lo),
        Value::Int(hi),
    ]
}

/// Inputs on both sides of the decision and near it, with ranges that are
/// empty, reversed, of one element and longer.
fn inputs() -> Vec<Vec<Value>> {
    let x = [0.4, -1.3, 2.2, 0.7, -0.2];
    vec![
        args(&x, 0.9, 1, 3),
        args(&x, 0.1, 0, 2),
        args(&x, 0.45, 2, 2),
        args(&x, -0.5, 3, 1),
        args(&x, 1.7, 4, 4),
        args(&x, 0.3, 0, 1),
    ]
}

fn relaxed(source: &str, entry: &str, backend: Backend) -> Function {
    compile_fn(&format!("{source}\n{LOSS}"), entry, Mode::Relaxed, backend)
}

fn at(tau: f64) -> Runtime {
    Runtime {
        tau,
        ..Runtime::default()
    }
}

/// The window program needs `lo + 2 < n`; the others stay in bounds for
/// every input above.
fn fits(pair: &Pair, args: &[Value]) -> bool {
    pair.name != "window" || matches!(args[2], Value::Int(lo) if lo + 2 < 5)
}

#[test]
fn loop_stores_are_blended_elementwise_and_the_rewrite_fallback_whole() {
    for pair in pairs() {
        let element = relaxed(&pair.element, "f", Backend::Jit);
        let whole = relaxed(&pair.whole, "f", Backend::Jit);
        let element_ir = element.ir_text(Stage::Smoothed).expect("smoothed IR");
        let whole_ir = whole.ir_text(Stage::Smoothed).expect("smoothed IR");
        let snapshot = format!("{}_orig", pair.array);
        assert!(
            element_ir.contains(&format!("{}_saved", pair.array))
                && !element_ir.contains(&snapshot),
            "{}: blended element-wise:\n{element_ir}",
            pair.name
        );
        assert!(
            whole_ir.contains(&snapshot),
            "{}: blended whole:\n{whole_ir}",
            pair.name
        );
    }
}

#[test]
fn loop_stores_blend_to_the_whole_array_blend() {
    for pair in pairs() {
        let element = relaxed(&pair.element, "f", Backend::Jit);
        let whole = relaxed(&pair.whole, "f", Backend::Jit);
        for args in inputs().iter().filter(|args| fits(&pair, args)) {
            for tau in [0.05, 0.5, 3.0] {
                let what = format!("{} at tau={tau}, {args:?}", pair.name);
                let expected = whole.call(args, &at(tau)).expect("whole blend runs");
                let actual = element.call(args, &at(tau)).expect("element blend runs");
                // The whole blend also mixes untouched elements with
                // themselves, p v + (1 - p) v, which can differ from v in
                // the last bit.
                assert_close(&reals(&actual), &reals(&expected), 1e-14, &what);
            }
        }
    }
}

#[test]
fn loop_store_gradients_match_finite_differences_and_the_whole_blend() {
    let weights = Value::Array(ndarray::arr1(&[1.0, -0.5, 2.0, 0.25, -1.5]).into_dyn());
    for pair in pairs() {
        let element = relaxed(&pair.element, "loss", Backend::Jit);
        let whole = relaxed(&pair.whole, "loss", Backend::Jit);
        for args in inputs().iter().filter(|args| fits(&pair, args)) {
            let mut args = args.clone();
            args.push(weights.clone());
            for tau in [0.2, 1.0] {
                let what = format!("{} at tau={tau}, {args:?}", pair.name);
                gradcheck::check(&element, &args, tau, &what);
                let (_, expected) = whole.value_and_grad(&args, &at(tau)).expect("runs");
                let (_, actual) = element.value_and_grad(&args, &at(tau)).expect("runs");
                for (a, e) in actual.iter().zip(&expected) {
                    assert_close(&reals(a), &reals(e), 1e-12, &what);
                }
            }
        }
    }
}

#[test]
fn loop_stores_agree_on_both_backends() {
    let weights = Value::Array(ndarray::arr1(&[0.5, 1.0, -2.0, 3.0, 1.5]).into_dyn());
    for pair in pairs() {
        let jit = relaxed(&pair.element, "loss", Backend::Jit);
        let interp = relaxed(&pair.element, "loss", Backend::Interp);
        for args in inputs().iter().filter(|args| fits(&pair, args)) {
            let mut args = args.clone();
            args.push(weights.clone());
            let what = format!("{} {args:?}", pair.name);
            let (jit_value, jit_grads) = jit.value_and_grad(&args, &at(0.3)).expect("jit runs");
            let (interp_value, interp_grads) =
                interp.value_and_grad(&args, &at(0.3)).expect("interp runs");
            assert_close(&reals(&jit_value), &reals(&interp_value), 0.0, &what);
            for (a, b) in jit_grads.iter().zip(&interp_grads) {
                assert_close(&reals(a), &reals(b), 0.0, &what);
            }
        }
    }
}

/// With `p` exactly 0 or 1 (a far decision at a small `tau`), blending an
/// element the branch never writes computes `0 * inf`: NaN. Element-wise
/// blending never touches it.
#[test]
fn an_untouched_infinite_element_stays_infinite() {
    let template = "fn f(x: real[n], c: real, lo: int, hi: int) -> real[n] {
        let mut y = x;
        if c > 0.0 {
            for j in lo..hi {
                y[[j]] = y[j] * 2.0;
            }
        }
        y
    }";
    let pair = pair("inf", "y", template);
    let x = [f64::INFINITY, 1.0, 2.0, f64::NEG_INFINITY];
    for backend in [Backend::Jit, Backend::Interp] {
        let element = relaxed(&pair.element, "f", backend);
        let whole = relaxed(&pair.whole, "f", backend);
        for (c, doubled) in [(1.0, 2.0), (-1.0, 1.0)] {
            let args = args(&x, c, 1, 3);
            let y = reals(&element.call(&args, &at(1e-9)).expect("runs"));
            assert_eq!(
                y,
                [f64::INFINITY, doubled, 2.0 * doubled, f64::NEG_INFINITY],
                "{backend:?}, c = {c}"
            );
            // What blending the whole array gives (the behaviour this
            // rule replaces for loops): NaN at both infinite elements.
            let y = reals(&whole.call(&args, &at(1e-9)).expect("runs"));
            assert!(
                y[0].is_nan() && y[3].is_nan(),
                "{backend:?}, c = {c}: {y:?}"
            );
        }
    }
}
