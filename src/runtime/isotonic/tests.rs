//! The fast path (radix sort, buffers, reused solutions) against the plain
//! implementation it replaced, bit for bit, on inputs that stress each
//! piece: ties, values equal up to their last bits, huge and tiny
//! magnitudes, non-finite values, every strength regime, both sizes of the
//! argsort.

use super::*;
use crate::runtime::kernels::accuracy::same_bits;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const OPS: [Op; 2] = [Op::Sort, Op::Rank];
const REGULARIZATIONS: [Regularization; 2] = [Regularization::L2, Regularization::Kl];
const DIRECTIONS: [Direction; 2] = [Direction::Ascending, Direction::Descending];
const STRENGTHS: [f64; 11] = [
    0.0,
    -1.0,
    f64::NAN,
    1e-300,
    1e-9,
    1e-3,
    0.1,
    1.0,
    10.0,
    1e300,
    f64::INFINITY,
];

fn plain_forward(problem: &Problem, values: &[f64]) -> Vec<f64> {
    let Problem {
        op,
        regularization,
        direction,
        strength,
    } = *problem;
    match op {
        Op::Sort => plain::soft_sort(values, strength, regularization, direction),
        Op::Rank => plain::soft_rank(values, strength, regularization, direction),
    }
}

fn plain_vjp(problem: &Problem, values: &[f64], cotangent: &[f64]) -> Vec<f64> {
    let Problem {
        op,
        regularization,
        direction,
        strength,
    } = *problem;
    match op {
        Op::Sort => plain::soft_sort_vjp(values, strength, regularization, direction, cotangent),
        Op::Rank => plain::soft_rank_vjp(values, strength, regularization, direction, cotangent),
    }
}

fn fast_forward(problem: &Problem, values: &[f64]) -> Vec<f64> {
    let Problem {
        op,
        regularization,
        direction,
        strength,
    } = *problem;
    match op {
        Op::Sort => soft_sort(values, strength, regularization, direction),
        Op::Rank => soft_rank(values, strength, regularization, direction),
    }
}

fn fast_vjp(problem: &Problem, values: &[f64], cotangent: &[f64]) -> Vec<f64> {
    let Problem {
        op,
        regularization,
        direction,
        strength,
    } = *problem;
    match op {
        Op::Sort => soft_sort_vjp(values, strength, regularization, direction, cotangent),
        Op::Rank => soft_rank_vjp(values, strength, regularization, direction, cotangent),
    }
}

fn assert_same_bits(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (k, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            same_bits(*a, *e),
            "{what}: entry {k} is {a:e}, the plain implementation gives {e:e}"
        );
    }
}

/// Inputs of length `len`, one per kind of difficulty.
fn inputs(rng: &mut ChaCha8Rng, len: usize) -> Vec<(&'static str, Vec<f64>)> {
    let normal = |rng: &mut ChaCha8Rng| {
        let u: f64 = 1.0 - rng.random::<f64>();
        let v: f64 = rng.random();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    vec![
        ("normal", (0..len).map(|_| normal(rng)).collect()),
        (
            "ties",
            (0..len).map(|_| rng.random_range(-3..4) as f64).collect(),
        ),
        (
            "last bits",
            (0..len)
                .map(|_| f64::from_bits(0.5f64.to_bits() + rng.random_range(0..64)))
                .collect(),
        ),
        (
            "magnitudes",
            (0..len)
                .map(|_| normal(rng) * 10f64.powi(rng.random_range(-300..300)))
                .collect(),
        ),
        (
            "extremes",
            (0..len)
                .map(|k| match k % 9 {
                    0 => 1.7e308,
                    1 => -1.7e308,
                    2 => 0.0,
                    3 => -0.0,
                    4 => 5e-324,
                    5 if len < 50 => f64::INFINITY,
                    6 if len < 50 => f64::NAN,
                    _ => normal(rng),
                })
                .collect(),
        ),
    ]
}

/// Forward and VJP equal the plain implementation's, for every problem.
#[test]
fn matches_the_plain_implementation_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for len in [0, 1, 2, 3, 8, 40, 300, 1100] {
        for (kind, values) in inputs(&mut rng, len) {
            let cotangent: Vec<f64> = (0..len).map(|_| rng.random::<f64>() - 0.5).collect();
            // The long inputs at fewer strengths, to keep the test short.
            let strengths = if len > 300 {
                &[0.0, 1e-3, 0.1, 1.0, 1e300][..]
            } else {
                &STRENGTHS[..]
            };
            for &strength in strengths {
                for op in OPS {
                    for regularization in REGULARIZATIONS {
                        for direction in DIRECTIONS {
                            let problem = Problem {
                                op,
                                regularization,
                                direction,
                                strength,
                            };
                            let what = format!("{problem:?} {kind} n={len}");
                            assert_same_bits(
                                &fast_forward(&problem, &values),
                                &plain_forward(&problem, &values),
                                &format!("{what} forward"),
                            );
                            // This VJP reuses the forward's solution.
                            let expected = plain_vjp(&problem, &values, &cotangent);
                            assert_same_bits(
                                &fast_vjp(&problem, &values, &cotangent),
                                &expected,
                                &format!("{what} vjp"),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// A reused solution gives the same bits as a fresh one, and a solution is
/// not reused for another problem, other values (not even `-0.0` for
/// `0.0`), or other lengths.
#[test]
fn reuse_is_invisible() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let values: Vec<f64> = (0..2000).map(|_| rng.random::<f64>() - 0.5).collect();
    let cotangent: Vec<f64> = (0..2000).map(|_| rng.random::<f64>()).collect();
    let rank = Problem {
        op: Op::Rank,
        regularization: Regularization::L2,
        direction: Direction::Ascending,
        strength: 0.1,
    };
    let fresh_vjp = fast_vjp(&rank, &values, &cotangent);
    let _ = fast_forward(&rank, &values);
    assert_same_bits(
        &fast_vjp(&rank, &values, &cotangent),
        &fresh_vjp,
        "vjp after forward",
    );
    let kept_forward = fast_forward(&rank, &values);
    let others = [
        Problem {
            strength: 0.2,
            ..rank
        },
        Problem {
            op: Op::Sort,
            ..rank
        },
        Problem {
            regularization: Regularization::Kl,
            ..rank
        },
        Problem {
            direction: Direction::Descending,
            ..rank
        },
    ];
    for other in others {
        // Solve `other` first, then ask for `rank` again: must not mix.
        let _ = fast_forward(&other, &values);
        assert_same_bits(
            &fast_forward(&other, &values),
            &plain_forward(&other, &values),
            &format!("{other:?}"),
        );
        let _ = fast_forward(&rank, &values);
        assert_same_bits(
            &fast_vjp(&other, &values, &cotangent),
            &plain_vjp(&other, &values, &cotangent),
            &format!("{other:?} vjp after a forward of {rank:?}"),
        );
    }
    // Values that differ in one bit, or in length.
    let mut changed = values.clone();
    changed[1999] = f64::from_bits(changed[1999].to_bits() ^ 1);
    let mut with_zeros = values.clone();
    with_zeros[7] = 0.0;
    let mut negative_zero = with_zeros.clone();
    negative_zero[7] = -0.0;
    let _ = fast_forward(&rank, &with_zeros);
    for other in [changed, negative_zero, values[..1999].to_vec()] {
        let _ = fast_forward(&rank, &values);
        assert_same_bits(
            &fast_forward(&rank, &other),
            &plain_forward(&rank, &other),
            "changed values",
        );
    }
    assert_same_bits(&fast_forward(&rank, &values), &kept_forward, "again");
}

/// The `_into` and `add_` forms write and add what the vector forms return;
/// short outputs and targets are filled as far as they go.
#[test]
fn into_and_add_forms() {
    let values = [0.3, -2.0, 7.5, 0.31, 4.0, -2.5];
    let cotangent = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let (eps, l2, up) = (0.5, Regularization::L2, Direction::Ascending);
    let mut output = [f64::NAN; 7];
    soft_rank_into(&values, eps, l2, up, &mut output);
    assert_same_bits(&output[..6], &soft_rank(&values, eps, l2, up), "rank into");
    assert!(output[6].is_nan(), "extra entries are left alone");
    soft_sort_into(&values, eps, l2, up, &mut output[..3]);
    assert_same_bits(&output[..3], &soft_sort(&values, eps, l2, up)[..3], "short");
    let gradient = soft_rank_vjp(&values, eps, l2, up, &cotangent);
    let mut target = [1.0; 6];
    add_soft_rank_vjp(&values, eps, l2, up, &cotangent, &mut target);
    for (t, g) in target.iter().zip(&gradient) {
        assert_eq!(*t, 1.0 + g);
    }
    let gradient = soft_sort_vjp(&values, eps, l2, up, &cotangent);
    let mut target = [2.0; 4];
    add_soft_sort_vjp(&values, eps, l2, up, &cotangent, &mut target);
    for (t, g) in target.iter().zip(&gradient) {
        assert_eq!(*t, 2.0 + g);
    }
}
