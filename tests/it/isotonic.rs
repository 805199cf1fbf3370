//! The intrinsic soft sort and soft rank (`smoothc::runtime::isotonic`):
//! against google-research fast-soft-sort (`../shared/reference/
//! fast_soft_sort.json`), its own VJPs against central differences, limits
//! and degenerate inputs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::runtime::isotonic::{
    Direction, Regularization, soft_rank, soft_rank_vjp, soft_sort, soft_sort_vjp,
};

const DIRECTIONS: [Direction; 2] = [Direction::Ascending, Direction::Descending];
const REGULARIZATIONS: [Regularization; 2] = [Regularization::L2, Regularization::Kl];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Sort,
    Rank,
}

fn forward(op: Op, x: &[f64], eps: f64, reg: Regularization, dir: Direction) -> Vec<f64> {
    match op {
        Op::Sort => soft_sort(x, eps, reg, dir),
        Op::Rank => soft_rank(x, eps, reg, dir),
    }
}

fn vjp(op: Op, x: &[f64], eps: f64, reg: Regularization, dir: Direction, g: &[f64]) -> Vec<f64> {
    match op {
        Op::Sort => soft_sort_vjp(x, eps, reg, dir, g),
        Op::Rank => soft_rank_vjp(x, eps, reg, dir, g),
    }
}

/// The Jacobian, row `i` = d out_i / d x, from VJPs with unit cotangents.
fn jacobian(op: Op, x: &[f64], eps: f64, reg: Regularization, dir: Direction) -> Vec<Vec<f64>> {
    (0..x.len())
        .map(|i| {
            let mut unit = vec![0.0; x.len()];
            unit[i] = 1.0;
            vjp(op, x, eps, reg, dir, &unit)
        })
        .collect()
}

fn reference() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/fast_soft_sort.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).expect("the reference is JSON")
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn matrix(value: &serde_json::Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .expect("a matrix")
        .iter()
        .map(numbers)
        .collect()
}

/// `|a - b| <= tol * max(1, |b|)` elementwise.
fn check(actual: &[f64], expected: &[f64], tol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, b)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{what}[{i}]: got {a}, expected {b} (|diff| {:e})\n  got      {actual:?}\n  expected {expected:?}",
            (a - b).abs()
        );
    }
}

fn matvec(jac: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    jac.iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

#[test]
fn matches_fast_soft_sort_reference() {
    let reference = reference();
    let cases = reference["cases"].as_array().expect("cases");
    let mut soft_cases = 0;
    let mut library_gradients = 0;
    let mut fd_gradients = 0;
    for case in cases {
        let id = case["id"].as_str().expect("an id");
        let call = &case["call"];
        let x = numbers(&case["inputs"]["values"]);
        let function = call["function"].as_str().expect("a function");
        if function.starts_with("numpy_ops.rank") {
            // Hard sort and rank, as the limit strength -> 0 (exactly 0 and
            // tiny). Ranks of tied values are the library's argsort order,
            // not meaningful; ours are averaged, checked elsewhere.
            let distinct = x
                .iter()
                .enumerate()
                .all(|(i, a)| x[..i].iter().all(|b| a != b));
            for reg in REGULARIZATIONS {
                for (dir, name) in [
                    (Direction::Ascending, "ASCENDING"),
                    (Direction::Descending, "DESCENDING"),
                ] {
                    for eps in [0.0, 1e-6] {
                        let what = format!("{id} {reg:?} {name} eps={eps}");
                        let sorted = numbers(&case["outputs"][format!("sort_{name}")]);
                        check(
                            &soft_sort(&x, eps, reg, dir),
                            &sorted,
                            1e-9,
                            &format!("{what} sort"),
                        );
                        if distinct {
                            let ranks = numbers(&case["outputs"][format!("rank_{name}")]);
                            check(
                                &soft_rank(&x, eps, reg, dir),
                                &ranks,
                                1e-9,
                                &format!("{what} rank"),
                            );
                        }
                    }
                }
            }
            continue;
        }
        soft_cases += 1;
        let op = if function.ends_with("soft_sort") {
            Op::Sort
        } else {
            Op::Rank
        };
        let reg = match call["regularization"].as_str() {
            Some("l2") => Regularization::L2,
            Some("kl") => Regularization::Kl,
            other => panic!("{id}: regularization {other:?}"),
        };
        let dir = match call["direction"].as_str() {
            Some("ASCENDING") => Direction::Ascending,
            Some("DESCENDING") => Direction::Descending,
            other => panic!("{id}: direction {other:?}"),
        };
        let eps = call["regularization_strength"]
            .as_f64()
            .expect("a strength");
        let result = forward(op, &x, eps, reg, dir);
        check(
            &result,
            &numbers(&case["outputs"]["result"]),
            1e-9,
            &format!("{id} result"),
        );
        assert!(result.iter().all(|v| v.is_finite()), "{id}: not finite");

        let gradients = &case["gradients"];
        if gradients["nondifferentiable_point"]
            .as_bool()
            .expect("a flag")
        {
            continue;
        }
        let w = numbers(&case["inputs"]["w_for_grad"]);
        let v = numbers(&case["inputs"]["v_for_jvp"]);
        let grad = vjp(op, &x, eps, reg, dir, &w);
        let jac = jacobian(op, &x, eps, reg, dir);
        let jvp = matvec(&jac, &v);
        if op == Op::Sort && reg == Regularization::Kl {
            // The library's gradients are wrong here (see the README):
            // central differences, step 1e-6, are the reference.
            fd_gradients += 1;
            let tol = 1e-6;
            check(
                &grad,
                &numbers(&gradients["grad_reference_central_diff"]),
                tol,
                &format!("{id} vjp"),
            );
            check(
                &jvp,
                &numbers(&gradients["jvp_reference_central_diff"]),
                tol,
                &format!("{id} jvp"),
            );
            for (i, row) in matrix(&gradients["jacobian_reference_central_diff"])
                .iter()
                .enumerate()
            {
                check(&jac[i], row, tol, &format!("{id} jacobian row {i}"));
            }
        } else {
            library_gradients += 1;
            let tol = 1e-9;
            check(
                &grad,
                &numbers(&gradients["grad_library_vjp"]),
                tol,
                &format!("{id} vjp"),
            );
            check(
                &jvp,
                &numbers(&gradients["jvp_library"]),
                tol,
                &format!("{id} jvp"),
            );
            for (i, row) in matrix(&gradients["jacobian_library"]).iter().enumerate() {
                check(&jac[i], row, tol, &format!("{id} jacobian row {i}"));
            }
        }
    }
    assert_eq!(soft_cases, 128);
    assert!(
        library_gradients >= 80,
        "{library_gradients} library gradient checks"
    );
    assert!(
        fd_gradients >= 20,
        "{fd_gradients} finite-difference gradient checks"
    );
}

/// Our VJPs against central differences of our forward, on random inputs
/// (differentiable almost surely), all combinations, several strengths.
#[test]
fn vjps_match_central_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x150_7091c);
    let mut checked = 0;
    for trial in 0..40 {
        let n = 1 + trial % 9;
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
        let g: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        for eps in [0.05, 0.3, 1.0, 4.0, 50.0] {
            for op in [Op::Sort, Op::Rank] {
                for reg in REGULARIZATIONS {
                    for dir in DIRECTIONS {
                        let loss = |x: &[f64]| -> f64 {
                            forward(op, x, eps, reg, dir)
                                .iter()
                                .zip(&g)
                                .map(|(a, b)| a * b)
                                .sum()
                        };
                        let h = 1e-6;
                        let mut fd = vec![0.0; n];
                        let mut kink = false;
                        for i in 0..n {
                            let mut plus = x.clone();
                            plus[i] += h;
                            let mut minus = x.clone();
                            minus[i] -= h;
                            let (lp, l0, lm) = (loss(&plus), loss(&x), loss(&minus));
                            fd[i] = (lp - lm) / (2.0 * h);
                            // One-sided differences disagree: a block merge
                            // within h, not a differentiable point.
                            let gap = ((lp - l0) - (l0 - lm)).abs() / h;
                            kink |= gap > 1e-4 * (1.0 + fd[i].abs());
                        }
                        if kink {
                            continue;
                        }
                        checked += 1;
                        let what = format!("{op:?} {reg:?} {dir:?} eps={eps} x={x:?}");
                        check(
                            &vjp(op, &x, eps, reg, dir, &g),
                            &fd,
                            1e-6 / eps.min(1.0),
                            &what,
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 1400, "only {checked} differentiable points");
}

/// Strength -> 0 recovers the hard sort and ranks (ties averaged), with
/// the hard derivatives: the permuted cotangent, and zero.
#[test]
fn small_strength_is_hard() {
    let x = [0.3, -2.0, 7.5, 0.31, 4.0, -2.5];
    let ascending = [-2.5, -2.0, 0.3, 0.31, 4.0, 7.5];
    let ranks = [3.0, 2.0, 6.0, 4.0, 5.0, 1.0];
    let g = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    for reg in REGULARIZATIONS {
        for eps in [0.0, 1e-300, 1e-9, 1e-4] {
            let what = format!("{reg:?} eps={eps}");
            check(
                &soft_sort(&x, eps, reg, Direction::Ascending),
                &ascending,
                1e-12,
                &what,
            );
            let descending: Vec<f64> = ascending.iter().rev().copied().collect();
            check(
                &soft_sort(&x, eps, reg, Direction::Descending),
                &descending,
                1e-12,
                &what,
            );
            check(
                &soft_rank(&x, eps, reg, Direction::Ascending),
                &ranks,
                1e-12,
                &what,
            );
            let reversed: Vec<f64> = ranks.iter().map(|r| 7.0 - r).collect();
            check(
                &soft_rank(&x, eps, reg, Direction::Descending),
                &reversed,
                1e-12,
                &what,
            );
            // sorted[k] = x[perm[k]], so d<g, sorted>/dx[perm[k]] = g[k].
            let perm = [5, 1, 0, 3, 4, 2];
            let mut expected = [0.0; 6];
            for (k, &i) in perm.iter().enumerate() {
                expected[i] = g[k];
            }
            check(
                &soft_sort_vjp(&x, eps, reg, Direction::Ascending, &g),
                &expected,
                1e-12,
                &what,
            );
            check(
                &soft_rank_vjp(&x, eps, reg, Direction::Ascending, &g),
                &[0.0; 6],
                1e-12,
                &what,
            );
        }
        // Negative and NaN strengths are the hard limit too.
        for eps in [-1.0, f64::NAN] {
            check(
                &soft_sort(&x, eps, reg, Direction::Ascending),
                &ascending,
                0.0,
                "eps<=0",
            );
            check(
                &soft_rank(&x, eps, reg, Direction::Ascending),
                &ranks,
                0.0,
                "eps<=0",
            );
        }
    }
}

#[test]
fn ties_are_averaged_and_permutation_invariant() {
    let x = [1.0, 3.0, 1.0, -4.0, 3.0, 1.0];
    for reg in REGULARIZATIONS {
        for eps in [0.0, 1e-3] {
            let ranks = soft_rank(&x, eps, reg, Direction::Ascending);
            check(
                &ranks,
                &[3.0, 5.5, 3.0, 1.0, 5.5, 3.0],
                1e-9,
                &format!("{reg:?} {eps}"),
            );
            let sorted = soft_sort(&x, eps, reg, Direction::Descending);
            check(
                &sorted,
                &[3.0, 3.0, 1.0, 1.0, 1.0, -4.0],
                1e-9,
                &format!("{reg:?} {eps}"),
            );
        }
        for eps in [0.1, 1.0, 10.0] {
            for dir in DIRECTIONS {
                let ranks = soft_rank(&x, eps, reg, dir);
                assert_eq!(ranks[0], ranks[2], "{reg:?} {dir:?} {eps}");
                assert_eq!(ranks[0], ranks[5]);
                assert_eq!(ranks[1], ranks[4]);
                // Permuting the input permutes the ranks and leaves the sort.
                let permuted = [x[3], x[1], x[5], x[0], x[4], x[2]];
                let ranks_p = soft_rank(&permuted, eps, reg, dir);
                let expected = [ranks[3], ranks[1], ranks[5], ranks[0], ranks[4], ranks[2]];
                check(&ranks_p, &expected, 1e-12, "permuted ranks");
                check(
                    &soft_sort(&permuted, eps, reg, dir),
                    &soft_sort(&x, eps, reg, dir),
                    1e-12,
                    "permuted sort",
                );
                for g in [
                    soft_rank_vjp(&x, eps, reg, dir, &[1.0; 6]),
                    soft_sort_vjp(&x, eps, reg, dir, &[1.0; 6]),
                ] {
                    assert!(g.iter().all(|v| v.is_finite()));
                }
            }
        }
    }
}

/// Large strength: finite, ranks tend to (n + 1) / 2, the L2 soft sort to
/// the mean.
#[test]
fn large_strength_is_finite() {
    let x = [0.3, -2.0, 7.5, 0.31, 4.0];
    let mean = x.iter().sum::<f64>() / 5.0;
    for reg in REGULARIZATIONS {
        for dir in DIRECTIONS {
            for eps in [1e6, 1e300, f64::INFINITY] {
                let ranks = soft_rank(&x, eps, reg, dir);
                check(&ranks, &[3.0; 5], 1e-5, &format!("{reg:?} {dir:?} {eps}"));
                let sorted = soft_sort(&x, eps, reg, dir);
                assert!(sorted.iter().all(|v| v.is_finite()), "{sorted:?}");
                if reg == Regularization::L2 {
                    check(&sorted, &[mean; 5], 1e-5, "mean");
                }
                for g in [
                    soft_rank_vjp(&x, eps, reg, dir, &x),
                    soft_sort_vjp(&x, eps, reg, dir, &x),
                ] {
                    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
                }
            }
        }
    }
}

#[test]
fn empty_and_single() {
    for reg in REGULARIZATIONS {
        for dir in DIRECTIONS {
            for eps in [0.0, 0.5, 2.0] {
                assert!(soft_sort(&[], eps, reg, dir).is_empty());
                assert!(soft_rank(&[], eps, reg, dir).is_empty());
                assert!(soft_sort_vjp(&[], eps, reg, dir, &[]).is_empty());
                assert!(soft_rank_vjp(&[], eps, reg, dir, &[]).is_empty());
                check(&soft_sort(&[2.5], eps, reg, dir), &[2.5], 1e-15, "sort n=1");
                check(&soft_rank(&[2.5], eps, reg, dir), &[1.0], 1e-15, "rank n=1");
                check(
                    &soft_sort_vjp(&[2.5], eps, reg, dir, &[3.0]),
                    &[3.0],
                    1e-15,
                    "sort vjp",
                );
                check(
                    &soft_rank_vjp(&[2.5], eps, reg, dir, &[3.0]),
                    &[0.0],
                    1e-15,
                    "rank vjp",
                );
            }
        }
    }
}

/// Values of magnitude 1e300 give finite results; infinities and NaN do
/// not panic.
#[test]
fn extreme_values() {
    let x = [1e300, -1e300, 5e299, -1.7e308, 1.7e308, 0.0];
    for reg in REGULARIZATIONS {
        for dir in DIRECTIONS {
            for eps in [1e-3, 1.0, 1e3, 1e300] {
                let what = format!("{reg:?} {dir:?} {eps}");
                for out in [
                    soft_sort(&x, eps, reg, dir),
                    soft_rank(&x, eps, reg, dir),
                    soft_sort_vjp(&x, eps, reg, dir, &[1.0, -2.0, 0.5, 3.0, 1.0, 1.0]),
                    soft_rank_vjp(&x, eps, reg, dir, &[1.0, -2.0, 0.5, 3.0, 1.0, 1.0]),
                ] {
                    assert!(out.iter().all(|v| v.is_finite()), "{what}: {out:?}");
                }
            }
            // Well separated relative to eps: the hard ranks exactly.
            let ranks = soft_rank(&x, 1.0, reg, Direction::Ascending);
            check(
                &ranks,
                &[5.0, 2.0, 4.0, 1.0, 6.0, 3.0],
                1e-12,
                "ranks of huge values",
            );
            // The soft sort is hard when the gaps are small against
            // 1 / strength (it projects rho / strength onto the
            // permutahedron of x): a subnormal strength for these.
            let sorted = soft_sort(&x, 1e-310, reg, Direction::Ascending);
            check(
                &sorted,
                &[-1.7e308, -1e300, 0.0, 5e299, 1e300, 1.7e308],
                1e-12,
                "sorted",
            );
            if reg == Regularization::L2 {
                // At strength 1 they all pool: the mean, 5e299 / 6.
                let sorted = soft_sort(&x, 1.0, reg, Direction::Ascending);
                check(
                    &sorted,
                    &[5e299 / 6.0; 6],
                    1e-6,
                    "pooled (cancellation of +-1.7e308)",
                );
            }
            let weird = [f64::INFINITY, 1.0, f64::NEG_INFINITY, f64::NAN, 1.0];
            for eps in [0.0, 0.5, 2.0, f64::INFINITY] {
                let _ = soft_sort(&weird, eps, reg, dir);
                let _ = soft_rank(&weird, eps, reg, dir);
                let _ = soft_sort_vjp(&weird, eps, reg, dir, &[1.0]);
                let _ = soft_rank_vjp(&weird, eps, reg, dir, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
            }
        }
    }
}

/// Large inputs in O(n log n), and the permutahedron's invariant: the L2
/// soft ranks (and the KL ones, which lie in it too) sum to n (n + 1) / 2,
/// the L2 soft sort to the sum of the values.
#[test]
fn large_input_keeps_the_permutahedron_sum() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n: usize = 30_000;
    let x: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let total: f64 = x.iter().sum();
    let rank_total = (n * (n + 1) / 2) as f64;
    for reg in REGULARIZATIONS {
        for eps in [1e-4, 1e-2, 1.0] {
            let ranks = soft_rank(&x, eps, reg, Direction::Ascending);
            let sum: f64 = ranks.iter().sum();
            assert!(
                (sum - rank_total).abs() <= 1e-9 * rank_total,
                "{reg:?} {eps}: {sum}"
            );
            let g = soft_rank_vjp(&x, eps, reg, Direction::Descending, &x);
            assert!(g.iter().all(|v| v.is_finite()));
            let sorted = soft_sort(&x, eps, reg, Direction::Ascending);
            if reg == Regularization::L2 {
                let sum: f64 = sorted.iter().sum();
                assert!((sum - total).abs() <= 1e-8, "{eps}: {sum} vs {total}");
            }
            assert!(sorted.windows(2).all(|pair| pair[0] <= pair[1] + 1e-9));
            let g = soft_sort_vjp(&x, eps, reg, Direction::Ascending, &x);
            assert!(g.iter().all(|v| v.is_finite()));
        }
    }
}
