//! Extreme temperatures and inputs, site kind by site kind: for every
//! family, `tau` in {1e-9, 1, 1e9} and inputs of magnitude up to 1e300 give
//! finite values and gradients on both backends, and at `tau = 1e-9` the
//! relaxed value is the hard program's.
//!
//! The programs are chosen so that the *hard* program stays finite on such
//! inputs: sums of a few inputs and products with weights of size 1, never
//! products of two inputs (whose overflow would say nothing about the
//! relaxation). Each defines `f(x: real[n], w: real[n]) -> real`.

use crate::support::{assert_close, reals};
use smoothc::{Backend, Family, Function, Mode, Options, Runtime, Value};

/// `(site kind, program)`.
fn programs() -> Vec<(String, String)> {
    let mut programs = vec![
        (
            "comparison".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let a = if x[0] > x[1] { x[2] } else { x[3] };
                let b = if #[relax(scale = 0.001)] x[4] <= x[5] { w[0] } else { w[1] };
                a + b
            }"
            .to_string(),
        ),
        (
            "branch on a scalar and array elements (soft swap)".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let mut y = x;
                if y[1] > y[2] {
                    let t = y[1];
                    y[1] = y[2];
                    y[2] = t;
                }
                dot(y, w)
            }"
            .to_string(),
        ),
        (
            "branch storing inside a loop (element-wise blend)".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let mut y = x;
                if x[0] > x[3] {
                    for j in 1..4 {
                        y[j] = y[j] * 0.5 - x[j + 2];
                    }
                } else {
                    for j in 2..n {
                        y[j] = -y[j];
                    }
                }
                dot(y, w)
            }"
            .to_string(),
        ),
        (
            "branch blending a whole array".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let mut y = x;
                if x[0] > x[3] {
                    for j in 0..n {
                        let k = n - 1 - j;
                        y[k] = x[j] * 0.5;
                    }
                }
                dot(y, w)
            }"
            .to_string(),
        ),
        (
            "piecewise builtins".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                max(x[0], x[1]) + min(x[2], x[3]) + abs(x[4]) + relu(x[5])
                    + clamp(x[6], x[1], x[0]) + sign(x[7]) + max(x) - min(x)
            }"
            .to_string(),
        ),
        (
            "loop".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let mut s = x[0];
                let mut steps = 0.0;
                #[bound(6)] while s > x[1] {
                    s = s - x[2] * 0.5;
                    steps += 1.0;
                }
                s + steps
            }"
            .to_string(),
        ),
        (
            "loop on a soft flag (bubble sort with early exit)".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let mut y = x;
                let mut swapped = true;
                let mut m = n - 1;
                #[bound(16)] while swapped {
                    swapped = false;
                    for i in 0..m {
                        if y[i] > y[i + 1] {
                            let t = y[i];
                            y[i] = y[i + 1];
                            y[i + 1] = t;
                            swapped = true;
                        }
                    }
                    m -= 1;
                }
                dot(y, w)
            }"
            .to_string(),
        ),
        (
            "sorting network (odd-even)".to_string(),
            "fn f(x: real[n], w: real[n]) -> real { dot(sort(x), w) }".to_string(),
        ),
        (
            "sorting network (bitonic)".to_string(),
            "use sorting;\nfn f(x: real[n], w: real[n]) -> real { dot(bitonic_sort(x), w) }"
                .to_string(),
        ),
        (
            "permutation matrix of the network".to_string(),
            "fn f(x: real[n], w: real[n]) -> real {
                let p = sort_perm(x);
                let mut total = 0.0;
                for i in 0..n {
                    for j in 0..n {
                        total += p[i, j] * w[j] * real(i);
                    }
                }
                total
            }"
            .to_string(),
        ),
        (
            "rank and top-k by counting".to_string(),
            "fn f(x: real[n], w: real[n]) -> real { dot(rank(x), w) + dot(topk(x, 3), w) }"
                .to_string(),
        ),
    ];
    for tnorm in ["product", "godel", "lukasiewicz"] {
        programs.push((
            format!("logic ({tnorm})"),
            format!(
                "fn f(x: real[n], w: real[n]) -> real {{
                    if #[relax(tnorm = \"{tnorm}\")] (x[0] > x[1] && x[2] < x[3] || !(x[4] > x[5])) {{
                        x[6]
                    }} else {{
                        x[7] - x[1]
                    }}
                }}"
            ),
        ));
    }
    for intrinsic in ["soft_sort", "soft_rank", "soft_sort_kl", "soft_rank_kl"] {
        programs.push((
            intrinsic.to_string(),
            format!("fn f(x: real[n], w: real[n]) -> real {{ dot({intrinsic}(x), w) }}"),
        ));
    }
    programs
}

/// Whether `tau` is measured in the units of the inputs in this program,
/// so that `tau = 1e-9` is near the hard limit at every input scale. Not so
/// for the isotonic soft sort: as in fast-soft-sort, it projects `rho /
/// tau` onto the permutahedron of `x`, and is the hard sort only for `tau`
/// below the inverse of the gaps of `x`. At inputs of size 1e300 a `tau` of
/// 1e-9 is an enormous regularization (the result is the mean of `x`), as
/// the definition says; only finiteness is checked there. (The soft rank
/// projects `x / tau`, in the units of `x`.)
fn tau_in_input_units(kind: &str) -> bool {
    !kind.starts_with("soft_sort")
}

/// Inputs without ties (so that `tau -> 0` has one answer), scaled.
fn inputs(scale: f64) -> Vec<Value> {
    let x = [0.3, -1.2, 2.0, 0.9, -0.7, 1.6, -0.1, 0.5];
    let w = [1.0, -0.5, 0.25, 2.0, -1.0, 0.75, 1.5, -2.0];
    vec![
        Value::Array(ndarray::arr1(&x).mapv(|v| v * scale).into_dyn()),
        Value::Array(ndarray::arr1(&w).into_dyn()),
    ]
}

fn compile(source: &str, mode: Mode, family: Family, backend: Backend) -> Function {
    let options = Options {
        mode,
        family,
        backend,
        file_name: "extremes.dsl".to_string(),
        ..Options::default()
    };
    let program =
        smoothc::compile(source, &options).unwrap_or_else(|error| panic!("{}", error.render()));
    program
        .function("f")
        .unwrap_or_else(|error| panic!("{}", error.render()))
}

fn at(tau: f64) -> Runtime {
    Runtime {
        tau,
        ..Runtime::default()
    }
}

/// Value and gradients of a relaxed program are finite at every extreme.
fn check_finite(relaxed: &Function, what: &str) {
    for scale in [1.0, 1e300, -1e300] {
        let args = inputs(scale);
        for tau in [1e-9, 1.0, 1e9] {
            let (value, grads) = relaxed
                .value_and_grad(&args, &at(tau))
                .unwrap_or_else(|error| panic!("{what}: {}", error.render()));
            let all: Vec<f64> = reals(&value)
                .into_iter()
                .chain(grads.iter().flat_map(reals))
                .collect();
            assert!(
                all.iter().all(|v| v.is_finite()),
                "{what}, inputs x{scale:e}, tau={tau:e}: {all:?}"
            );
        }
    }
}

/// At `tau = 1e-9` (relative to the inputs, see `tau_in_input_units`)
/// every decision on these inputs (differences of at least
/// 0.2 times the scale) is within about `tau / 0.2` of 0 or 1: the heavy
/// tails (cauchy, reciprocal, optimal) leave `1 - S(d / tau)` of order
/// `tau / d`, so the value is the hard one up to 1e-6 of the scale.
fn check_hard_limit(relaxed: &Function, hard: &Function, scales: &[f64], what: &str) {
    for &scale in scales {
        let args = inputs(scale);
        let expected = hard.call(&args, &at(1.0)).expect("hard runs");
        let actual = relaxed.call(&args, &at(1e-9)).expect("relaxed runs");
        let magnitude = scale.abs();
        let relative: Vec<f64> = reals(&actual).iter().map(|v| v / magnitude).collect();
        let hard_relative: Vec<f64> = reals(&expected).iter().map(|v| v / magnitude).collect();
        assert_close(
            &relative,
            &hard_relative,
            1e-6,
            &format!("{what}, inputs x{scale:e}: tau -> 0"),
        );
    }
}

#[test]
fn every_site_kind_and_family_is_finite_at_extreme_tau_and_inputs() {
    for (kind, source) in programs() {
        for family in Family::ALL {
            for backend in [Backend::Jit, Backend::Interp] {
                let what = format!("{kind}, {}, {backend:?}", family.name());
                let relaxed = compile(&source, Mode::Relaxed, family, backend);
                check_finite(&relaxed, &what);
                let hard = compile(&source, Mode::Hard, family, backend);
                let scales: &[f64] = if tau_in_input_units(&kind) {
                    &[1.0, 1e300, -1e300]
                } else {
                    &[1.0]
                };
                check_hard_limit(&relaxed, &hard, scales, &what);
            }
        }
    }
}

/// Inputs near the largest double, whose differences overflow: `a - b` is
/// `±inf`, so a comparison is `S(±inf)`, exactly 0 or 1, which is also the
/// limit of the finite `S((a - b) / tau)` at any `tau` these tests use
/// (`(a - b) / 1e9` would be about 3e299, where every family is 1 to
/// double precision). Blends are formed as `p * a + (1 - p) * b`, never as
/// `b + p * (a - b)`, so they stay finite too. Results are kept to
/// combinations of single inputs, which the hard program can represent;
/// the loop's states stay above `-1.74e308` for every step up to its bound
/// (a relaxed loop may run a step or two past the hard one, with a small
/// weight, and a state that overflowed there would make the result
/// infinite for a principled reason: the program's own arithmetic).
#[test]
fn comparisons_whose_differences_overflow_stay_finite() {
    let programs = [
        "fn f(x: real[n]) -> real { if x[0] > x[1] { x[0] * 0.5 } else { x[1] * 0.25 } }",
        "fn f(x: real[n]) -> real { let y = sort(x); y[0] * 0.5 + y[n - 1] * 0.25 }",
        "fn f(x: real[n]) -> real { let r = soft_rank(x); r[0] - r[1] }",
        "fn f(x: real[n]) -> real { let y = soft_sort(x); y[0] * 0.5 + y[n - 1] * 0.25 }",
        "fn f(x: real[n]) -> real {
            let mut s = x[0] * 0.5;
            #[bound(6)] while s > x[1] { s = s * 0.5 + x[1] * 0.58; }
            s
        }",
    ];
    let x = Value::Array(ndarray::arr1(&[1.5e308, -1.5e308, 1.2e308, -0.9e308]).into_dyn());
    for source in programs {
        for family in Family::ALL {
            for backend in [Backend::Jit, Backend::Interp] {
                let relaxed = compile(source, Mode::Relaxed, family, backend);
                for tau in [1e-9, 1.0, 1e9] {
                    let (value, grads) = relaxed
                        .value_and_grad(std::slice::from_ref(&x), &at(tau))
                        .expect("runs");
                    let all: Vec<f64> = reals(&value)
                        .into_iter()
                        .chain(grads.iter().flat_map(reals))
                        .collect();
                    assert!(
                        all.iter().all(|v| v.is_finite()),
                        "{source}\n{} {backend:?} tau={tau:e}: {all:?}",
                        family.name()
                    );
                }
            }
        }
    }
}

/// Once a relaxed `while`'s condition is exactly 0, the loop must not run
/// the next step, which the hard program never runs: there it overflows
/// (the state would enter the result as `0 * -inf`) or indexes past the end
/// of `x`. In the first program the difference overflows, so every family
/// is exactly 0 there at `tau = 1e-9`; in the second it is -0.5, which
/// the light-tailed families (logistic, gaussian, laplace) map to exactly 0
/// at `tau = 1e-9`, while the heavy-tailed ones leave it a probability of
/// order `tau` (the relaxed loop then does reach the faulting step, as its
/// definition says).
#[test]
fn a_relaxed_loop_does_not_run_a_step_it_cannot_reach() {
    let light_tails = [Family::Logistic, Family::Gaussian, Family::Laplace];
    let programs = [
        (
            "fn f(x: real[n]) -> real {
                let mut s = x[0] * 0.5;
                #[bound(4)] while s > x[1] { s = s - x[0] * 0.8; }
                s
            }",
            [1.5e308, -1.5e308, 0.0, 0.0],
            &Family::ALL[..],
        ),
        (
            "fn f(x: real[n]) -> real {
                let mut total = 0.0;
                let mut i = 1;
                #[bound(8)] while total < x[0] {
                    total += x[i];
                    i += 1;
                }
                total
            }",
            [2.5, 1.0, 1.0, 1.0],
            &light_tails[..],
        ),
    ];
    for (source, x, families) in programs {
        let x = [Value::Array(ndarray::arr1(&x).into_dyn())];
        for &family in families {
            for backend in [Backend::Jit, Backend::Interp] {
                let what = format!("{source}\n{} {backend:?}", family.name());
                let hard = compile(source, Mode::Hard, family, backend);
                let relaxed = compile(source, Mode::Relaxed, family, backend);
                let (expected, expected_grads) =
                    hard.value_and_grad(&x, &at(1.0)).expect("hard runs");
                let (value, grads) = relaxed
                    .value_and_grad(&x, &at(1e-9))
                    .unwrap_or_else(|error| panic!("{what}: {}", error.render()));
                assert_eq!(reals(&value), reals(&expected), "{what}");
                assert_eq!(
                    reals(&grads[0]),
                    reals(&expected_grads[0]),
                    "{what}: gradient"
                );
            }
        }
    }
}

/// A relaxed comparison multiplies by the reciprocal of the temperature,
/// clamped to the largest double: at a temperature whose reciprocal
/// overflows (here `tau * scale` is about 1e-312), equal operands still
/// give exactly 1/2 (not `0 * inf`, NaN), and unequal ones the hard
/// answer, on both backends.
#[test]
fn a_temperature_whose_reciprocal_overflows_gives_no_nan() {
    let source = "fn f(x: real[n]) -> real {
        let tie = if #[relax(scale = 1e-3)] x[0] > x[1] { 1.0 } else { 0.0 };
        let above = if #[relax(scale = 1e-3)] x[2] > x[1] { 1.0 } else { 0.0 };
        tie + 2.0 * above
    }";
    let x = Value::Array(ndarray::arr1(&[0.25, 0.25, 0.5]).into_dyn());
    for backend in [Backend::Jit, Backend::Interp] {
        let relaxed = compile(source, Mode::Relaxed, Family::Logistic, backend);
        let (value, grads) = relaxed
            .value_and_grad(std::slice::from_ref(&x), &at(1e-309))
            .expect("runs");
        assert_eq!(reals(&value), vec![2.5], "{backend:?}");
        assert!(
            grads.iter().flat_map(reals).all(f64::is_finite),
            "{backend:?}: {grads:?}"
        );
    }
}
