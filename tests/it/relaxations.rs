//! The relaxations in closed form: each relaxed construct computes exactly
//! the formula docs/LANGUAGE.md gives for it.

use crate::support::{compile_fn, reals};
use smoothc::{Backend, Mode, Runtime, Value};

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn relaxed(source: &str, args: &[Value], tau: f64) -> f64 {
    let function = compile_fn(source, "f", Mode::Relaxed, Backend::Jit);
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    function
        .call(args, &runtime)
        .expect("runs")
        .as_real()
        .expect("real result")
}

fn assert_near(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= 1e-14, "{actual} vs {expected}");
}

#[test]
fn comparison_is_a_logistic_of_the_scaled_difference() {
    let source = "fn f(x: real, y: real) -> real { if x > y { 1.0 } else { 0.0 } }";
    for (x, y, tau) in [(0.3, -0.2, 0.5), (1.0, 2.0, 0.1), (5.0, 5.0, 1e-9)] {
        let expected = sigmoid((x - y) / tau);
        assert_near(
            relaxed(source, &[Value::Real(x), Value::Real(y)], tau),
            expected,
        );
    }
    let mirrored = "fn f(x: real, y: real) -> real { if x < y { 1.0 } else { 0.0 } }";
    assert_near(
        relaxed(mirrored, &[Value::Real(0.3), Value::Real(-0.2)], 0.5),
        sigmoid(-1.0),
    );
}

#[test]
fn logic_is_the_product_t_norm() {
    let (x, y, tau) = (0.4, -0.3, 0.7);
    let p = sigmoid(x / tau);
    let q = sigmoid(y / tau);
    let args = [Value::Real(x), Value::Real(y)];
    let and = "fn f(x: real, y: real) -> real { if x > 0.0 && y > 0.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(and, &args, tau), p * q);
    let or = "fn f(x: real, y: real) -> real { if x > 0.0 || y > 0.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(or, &args, tau), p + q - p * q);
    let not = "fn f(x: real, y: real) -> real { if !(x > 0.0) { 1.0 } else { y } }";
    assert_near(relaxed(not, &args, tau), (1.0 - p) + p * y);
}

#[test]
fn short_circuit_logic_relaxes_to_the_same_t_norm() {
    // The index on the right makes `&&`/`||` short-circuit (it lowers to an
    // `if`); the relaxation must not change.
    let (tau, x0, x1) = (0.7, 0.4, 1.2);
    let p = sigmoid(x0 / tau);
    let q = sigmoid((x1 - 1.0) / tau);
    let args = [
        Value::Array(ndarray::arr1(&[x0, x1]).into_dyn()),
        Value::Int(1),
    ];
    let and =
        "fn f(x: real[n], i: int) -> real { if x[0] > 0.0 && x[i] > 1.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(and, &args, tau), p * q);
    let or =
        "fn f(x: real[n], i: int) -> real { if x[0] > 0.0 || x[i] > 1.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(or, &args, tau), p + q - p * q);
}

#[test]
fn relaxed_swap_is_a_soft_min_and_soft_max() {
    let source = r#"
        fn f(x: real[2]) -> real[2] {
            let mut y = x;
            if y[0] > y[1] {
                let t = y[0];
                y[0] = y[1];
                y[1] = t;
            }
            y
        }
    "#;
    let function = compile_fn(source, "f", Mode::Relaxed, Backend::Jit);
    let (a, b, tau) = (2.0, 1.5, 0.3);
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    let value = function
        .call(&[Value::Array(ndarray::arr1(&[a, b]).into_dyn())], &runtime)
        .expect("runs");
    let p = sigmoid((a - b) / tau);
    let y = reals(&value);
    assert_near(y[0], p * b + (1.0 - p) * a);
    assert_near(y[1], p * a + (1.0 - p) * b);
}

#[test]
fn int_conditions_stay_exact_in_relaxed_mode() {
    let source = r#"
        fn f(x: real[n], k: int) -> real {
            let mut total = 0.0;
            for i in 0..n {
                if i < k { total += x[i]; }
            }
            total
        }
    "#;
    let args = [
        Value::Array(ndarray::arr1(&[1.0, 10.0, 100.0]).into_dyn()),
        Value::Int(2),
    ];
    assert_eq!(relaxed(source, &args, 5.0), 11.0);
}

/// The family CDFs at a few points, from their published formulas (values
/// computed independently: Phi(0.5) from tables).
#[test]
fn every_family_relaxes_a_comparison_with_its_cdf() {
    let source = "fn f(x: real, y: real) -> real { if x > y { 1.0 } else { 0.0 } }";
    let expected = [
        (smoothc::Family::Logistic, sigmoid(0.5)),
        (
            smoothc::Family::Cauchy,
            0.5_f64.atan() / std::f64::consts::PI + 0.5,
        ),
        (smoothc::Family::Gaussian, 0.691_462_461_274_013_1),
        (smoothc::Family::Laplace, 1.0 - 0.5 * (-0.5_f64).exp()),
        (smoothc::Family::Reciprocal, (0.5 / 2.5 + 1.0) / 2.0),
        (smoothc::Family::Optimal, 1.0 - 1.0 / 8.0),
    ];
    for (family, value) in expected {
        let options = smoothc::Options {
            family,
            ..smoothc::Options::default()
        };
        let program = smoothc::compile(source, &options).expect("compiles");
        let function = program.function("f").expect("builds");
        // x - y = 0.25 at tau = 0.5: the CDF at 0.5.
        let args = [Value::Real(0.75), Value::Real(0.5)];
        let runtime = Runtime {
            tau: 0.5,
            ..Runtime::default()
        };
        let p = function
            .call(&args, &runtime)
            .expect("runs")
            .as_real()
            .expect("real");
        assert!((p - value).abs() < 1e-15, "{family:?}: {p} vs {value}");
        // Mirrored arguments give the complement (every family is symmetric).
        let q = function
            .call(&[Value::Real(0.5), Value::Real(0.75)], &runtime)
            .expect("runs")
            .as_real()
            .expect("real");
        assert!((p + q - 1.0).abs() < 1e-15, "{family:?} is symmetric");
    }
}

#[test]
fn site_attributes_choose_family_scale_and_tnorm() {
    let (x, y, tau) = (0.4, -0.3, 0.7);
    let args = [Value::Real(x), Value::Real(y)];
    let cauchy = |v: f64| v.atan() / std::f64::consts::PI + 0.5;
    // The site's family and scale override the options (logistic, tau).
    let scaled = "fn f(x: real, y: real) -> real { if #[relax(cauchy, scale = 2.0)] x > 0.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(scaled, &args, tau), cauchy(x / (2.0 * tau)));
    // A file default applies where no site says otherwise.
    let file =
        "#![relax(cauchy)]\nfn f(x: real, y: real) -> real { if x > 0.0 { 1.0 } else { 0.0 } }";
    assert_near(relaxed(file, &args, tau), cauchy(x / tau));
    let p = sigmoid(x / tau);
    let q = sigmoid(y / tau);
    let godel_and = "fn f(x: real, y: real) -> real { if #[relax(tnorm = \"godel\")] (x > 0.0 && y > 0.0) { 1.0 } else { 0.0 } }";
    assert_near(relaxed(godel_and, &args, tau), p.min(q));
    let godel_or = "fn f(x: real, y: real) -> real { if #[relax(tnorm = \"godel\")] (x > 0.0 || y > 0.0) { 1.0 } else { 0.0 } }";
    assert_near(relaxed(godel_or, &args, tau), p.max(q));
    let luk_and = "fn f(x: real, y: real) -> real { if #[relax(tnorm = \"lukasiewicz\")] (x > 0.0 && y > 0.0) { 1.0 } else { 0.0 } }";
    assert_near(relaxed(luk_and, &args, tau), (p + q - 1.0).max(0.0));
    let luk_or = "fn f(x: real, y: real) -> real { if #[relax(tnorm = \"lukasiewicz\")] (x > 0.0 || y > 0.0) { 1.0 } else { 0.0 } }";
    assert_near(relaxed(luk_or, &args, tau), (p + q).min(1.0));
}

/// A relaxed compare-and-swap that sends the minimum to wire `low`, as the
/// branch rule gives it for `if y[low] > y[high] { swap }`.
fn soft_swap(y: &mut [f64], low: usize, high: usize, tau: f64) {
    let p = sigmoid((y[low] - y[high]) / tau);
    let (a, b) = (y[low], y[high]);
    y[low] = p * b + (1.0 - p) * a;
    y[high] = p * a + (1.0 - p) * b;
}

/// Runs comparators `(low, high)` in order on `x`.
fn soft_network(x: &[f64], comparators: &[(usize, usize)], tau: f64) -> Vec<f64> {
    let mut y = x.to_vec();
    for &(low, high) in comparators {
        soft_swap(&mut y, low, high, tau);
    }
    y
}

/// The `network` attribute, wherever it comes from (the call, a statement,
/// a call of the user's own function, the file), makes `sort` the bitonic
/// network; the innermost choice wins, the default is odd-even, and a call
/// that names a network or the user's own `sort` is left alone.
#[test]
fn site_network_chooses_the_sorting_network() {
    let x = [0.3, -0.5, 1.2, 0.1];
    let weights = [1.0, 10.0, 100.0, 1000.0];
    let tau = 0.5;
    // Four wires: two bitonic blocks (the second descending: its minimum
    // goes to wire 3), merged; and four odd-even layers.
    let bitonic = [(0, 1), (3, 2), (0, 2), (1, 3), (0, 1), (2, 3)];
    let odd_even = [(0, 1), (2, 3), (1, 2), (0, 1), (2, 3), (1, 2)];
    let weighted = |y: Vec<f64>| y.iter().zip(weights).map(|(y, w)| y * w).sum::<f64>();
    let expected_bitonic = weighted(soft_network(&x, &bitonic, tau));
    let expected_odd_even = weighted(soft_network(&x, &odd_even, tau));
    assert!(
        (expected_bitonic - expected_odd_even).abs() > 1e-3,
        "the networks differ here"
    );
    let signature = "fn f(x: real[n], w: real[n]) -> real";
    let cases = [
        (
            format!("{signature} {{ dot(sort(x), w) }}"),
            expected_odd_even,
        ),
        (
            format!("{signature} {{ dot(#[relax(network = \"bitonic\")] sort(x), w) }}"),
            expected_bitonic,
        ),
        (
            format!(
                "{signature} {{\n    #[relax(network = \"bitonic\")]\n    let y = sort(x);\n    dot(y, w)\n}}"
            ),
            expected_bitonic,
        ),
        (
            format!(
                "fn g(x: real[n]) -> real[n] {{ sort(x) }}\n{signature} {{ dot(#[relax(network = \"bitonic\")] g(x), w) }}"
            ),
            expected_bitonic,
        ),
        (
            format!("#![relax(network = \"bitonic\")]\n{signature} {{ dot(sort(x), w) }}"),
            expected_bitonic,
        ),
        (
            format!(
                "#![relax(network = \"bitonic\")]\n{signature} {{ dot(#[relax(network = \"odd_even\")] sort(x), w) }}"
            ),
            expected_odd_even,
        ),
        (
            format!("{signature} {{ dot(#[relax(network = \"bitonic\")] sort_odd_even(x), w) }}"),
            expected_odd_even,
        ),
        (
            format!(
                "fn sort(x: real[n]) -> real[n] {{ x }}\n{signature} {{ dot(#[relax(network = \"bitonic\")] sort(x), w) }}"
            ),
            weighted(x.to_vec()),
        ),
    ];
    let args = [
        Value::Array(ndarray::arr1(&x).into_dyn()),
        Value::Array(ndarray::arr1(&weights).into_dyn()),
    ];
    for (source, expected) in cases {
        let actual = relaxed(&source, &args, tau);
        assert!(
            (actual - expected).abs() <= 1e-13 * expected.abs().max(1.0),
            "{source}: {actual} vs {expected}"
        );
    }
}
