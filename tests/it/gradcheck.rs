//! Every gradient is checked against central finite differences of the same
//! smoothed program, coordinate by coordinate, at several temperatures and
//! random inputs (seeded, so failures reproduce).

use crate::support::{self, assert_close, perturb, real_coordinates, reals};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Function, Mode, Runtime, Value};

/// Central differences of `function` at `args`, one per real coordinate,
/// refined by Richardson extrapolation. A central difference with step h is
/// off by about c h^2, with c from the third derivative, which grows like
/// 1 / tau^2 at small temperatures (at tau = 1e-3 the plain difference with
/// h = 1e-6 is off by more than 1e-6 relative); `(4 D(h / 2) - D(h)) / 3`
/// cancels that term and leaves O(h^4) + O(eps / h).
fn finite_differences(function: &Function, args: &[Value], runtime: &Runtime) -> Vec<f64> {
    let step = 1e-6;
    (0..real_coordinates(args))
        .map(|index| {
            let value_at = |delta: f64| {
                let value = function
                    .call(&perturb(args, index, delta), runtime)
                    .expect("the program runs");
                value.as_real().expect("a real result")
            };
            let central = |h: f64| (value_at(h) - value_at(-h)) / (2.0 * h);
            (4.0 * central(step / 2.0) - central(step)) / 3.0
        })
        .collect()
}

/// Random inputs near the example's: each real moved by up to half its
/// size (at least by up to 0.5), so the program stays in the regime the
/// example is about (a ball with restitution 0.8, not -3).
fn random_like(args: &[Value], rng: &mut ChaCha8Rng) -> Vec<Value> {
    let mut near = |x: f64| x + rng.random_range(-0.5..0.5) * x.abs().max(1.0);
    args.iter()
        .map(|arg| match arg {
            Value::Real(x) => Value::Real(near(*x)),
            Value::Array(array) => Value::Array(array.mapv(&mut near)),
            // Ints (sizes, counts, steps) keep the example's value.
            other => other.clone(),
        })
        .collect()
}

/// The gradient of `function` at `args` against central differences.
pub(crate) fn check(function: &Function, args: &[Value], tau: f64, what: &str) {
    let runtime = Runtime {
        tau,
        ..Runtime::default()
    };
    let (_, grads) = function
        .value_and_grad(args, &runtime)
        .expect("the gradient runs");
    let analytic: Vec<f64> = grads.iter().flat_map(reals).collect();
    let numeric = finite_differences(function, args, &runtime);
    // The extrapolated differences have error O(h^4) + O(eps/h); 1e-6
    // relative leaves room for both at these temperatures.
    assert_close(&analytic, &numeric, 1e-6, what);
}

#[test]
fn relaxed_gradients_match_finite_differences() {
    for example in support::examples()
        .into_iter()
        .filter(|example| example.modes.contains(&Mode::Relaxed))
    {
        // One stream per example, so that adding an example does not move
        // the inputs of the others.
        let seed = example.name.bytes().fold(20261127u64, |seed, byte| {
            seed.wrapping_mul(31).wrapping_add(u64::from(byte))
        });
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let function = example.function(Mode::Relaxed, Backend::Jit);
        let example_args = example.args(&function);
        // The example's own temperatures and a middling one.
        let mut taus = example.taus.clone();
        taus.push(1.0);
        for tau in taus {
            check(
                &function,
                &example_args,
                tau,
                &format!("{} at tau={tau}", example.name),
            );
            for trial in 0..3 {
                let args = random_like(&example_args, &mut rng);
                check(
                    &function,
                    &args,
                    tau,
                    &format!("{} trial {trial} at tau={tau}", example.name),
                );
            }
        }
    }
}

#[test]
fn hard_gradients_match_finite_differences_away_from_decisions() {
    // Hard mode freezes every decision; away from the decision boundaries
    // the program is smooth and finite differences see the same branch.
    for example in support::examples()
        .into_iter()
        .filter(|example| example.check_hard_gradient)
    {
        let function = example.function(Mode::Hard, Backend::Jit);
        let args = example.args(&function);
        check(&function, &args, 1.0, &format!("{} (hard)", example.name));
    }
}

#[test]
fn vector_jacobian_product_of_an_array_result_matches_finite_differences() {
    let example = support::examples()
        .into_iter()
        .find(|example| example.name == "bubble_sort")
        .expect("the bubble sort example exists");
    let function = support::compile_fn(&example.source, "bubble_sort", Mode::Relaxed, Backend::Jit);
    let runtime = Runtime {
        tau: 0.5,
        ..Runtime::default()
    };
    let x = ndarray::arr1(&[0.3, -1.2, 2.0, 0.9, 1.1]).into_dyn();
    let cotangent = ndarray::arr1(&[1.0, -0.5, 0.25, 2.0, -1.0]).into_dyn();
    let args = [Value::Array(x)];
    let (_, grads) = function
        .vjp(&args, Value::Array(cotangent.clone()), &runtime)
        .expect("the vjp runs");
    let weighted = |args: &[Value]| -> f64 {
        let sorted = function.call(args, &runtime).expect("runs");
        reals(&sorted)
            .iter()
            .zip(cotangent.iter())
            .map(|(y, c)| y * c)
            .sum()
    };
    let step = 1e-6;
    let numeric: Vec<f64> = (0..5)
        .map(|index| {
            (weighted(&perturb(&args, index, step)) - weighted(&perturb(&args, index, -step)))
                / (2.0 * step)
        })
        .collect();
    assert_close(&reals(&grads[0]), &numeric, 1e-6, "vjp of bubble_sort");
}

#[test]
fn every_family_and_tnorm_has_exact_gradients() {
    let example = support::examples()
        .into_iter()
        .find(|example| example.name == "bubble_sort")
        .expect("the bubble sort example exists");
    for family in smoothc::Family::ALL {
        let options = smoothc::Options {
            family,
            ..smoothc::Options::default()
        };
        let program = smoothc::compile(&example.source, &options).expect("compiles");
        let function = program.function("loss").expect("builds");
        let args = example.args(&function);
        // Inputs of magnitude 1e150: the loss squares them, which overflows
        // at 1e300 in hard mode too. `extremes` checks every family at 1e300
        // on programs whose own arithmetic stays finite there.
        let huge: Vec<Value> = args
            .iter()
            .map(|arg| match arg {
                Value::Array(array) => Value::Array(array.mapv(|x| x * 1e150)),
                other => other.clone(),
            })
            .collect();
        for tau in [0.2, 1.0] {
            check(
                &function,
                &args,
                tau,
                &format!("bubble sort, {} at tau={tau}", family.name()),
            );
        }
        for (tau, inputs) in [
            (1e-9, &args),
            (1e9, &args),
            (1e-9, &huge),
            (1e9, &huge),
            (1.0, &huge),
        ] {
            let runtime = Runtime {
                tau,
                ..Runtime::default()
            };
            let (value, grads) = function.value_and_grad(inputs, &runtime).expect("runs");
            let all: Vec<f64> = reals(&value)
                .into_iter()
                .chain(grads.iter().flat_map(reals))
                .collect();
            assert!(
                all.iter().all(|x| x.is_finite()),
                "{} at tau={tau}: {all:?}",
                family.name()
            );
        }
    }
    for tnorm in ["product", "godel", "lukasiewicz"] {
        let source = format!(
            "fn f(x: real, y: real) -> real {{\n    if #[relax(tnorm = \"{tnorm}\")] (x > 0.2 && y < 0.5 || x > y) {{ x * y }} else {{ x - y }}\n}}\n"
        );
        let function = support::compile_fn(&source, "f", Mode::Relaxed, Backend::Jit);
        check(&function, &[Value::Real(0.3), Value::Real(0.8)], 0.5, tnorm);
    }
}

/// The bitonic network's sort, permutation matrix and ranks (chosen at the
/// site with `network = "bitonic"`), reduced to a scalar by fixed uneven
/// weights (so that only `x` is perturbed): exact gradients in every family,
/// for a length that is a power of two and one that is padded.
#[test]
fn bitonic_network_gradients_match_finite_differences() {
    let source = "\
fn sorted(x: real[n]) -> real {
    let y = #[relax(network = \"bitonic\")] sort(x);
    sum([y[j] * sin(real(j) + 0.5) for j in 0..n])
}
fn perm(x: real[n]) -> real {
    let p = #[relax(network = \"bitonic\")] sort_perm(x);
    sum([[p[i, j] * sin(real(i * n + j) + 0.5) for j in 0..n] for i in 0..n])
}
fn ranks(x: real[n]) -> real {
    let r = #[relax(network = \"bitonic\")] rank(x);
    sum([r[i] * sin(real(i) + 0.5) for i in 0..n])
}
";
    let mut rng = ChaCha8Rng::seed_from_u64(2021);
    for family in smoothc::Family::ALL {
        let options = smoothc::Options {
            family,
            ..smoothc::Options::default()
        };
        let program = smoothc::compile(source, &options).expect("compiles");
        for n in [5, 8] {
            let x: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
            let args = [Value::Array(ndarray::Array1::from(x).into_dyn())];
            for name in ["sorted", "perm", "ranks"] {
                let function = program.function(name).expect("builds");
                for tau in [0.3, 1.0] {
                    check(
                        &function,
                        &args,
                        tau,
                        &format!("bitonic {name}, {}, n = {n}, tau = {tau}", family.name()),
                    );
                }
            }
        }
    }
}

/// Reverse mode computes a `For` bound again rather than taking it from
/// the tape when the loop leaves what the bound reads alone; a bound whose
/// variable the loop (or its counter) changes must come from the tape.
#[test]
fn loop_bounds_recomputed_or_taped_give_exact_gradients() {
    let source = "\
fn f(x: real[n]) -> real {
    let mut m = 0;
    for i in 0..n {
        m += 1;
    }
    let mut s = 0.0;
    for i in 0..m {
        if x[i] > 0.25 { s += x[i] * x[i]; } else { s -= 0.5 * x[i]; }
        m = m - 1;
    }
    for i in 0..m + 2 {
        s += real(i) * x[i];
    }
    for i in 0..n / 2 {
        for j in i..n - i {
            s += sin(x[j] * real(i + 1));
        }
    }
    s
}
";
    let program_for = |backend| {
        let options = smoothc::Options {
            backend,
            ..smoothc::Options::default()
        };
        smoothc::compile(source, &options).expect("compiles")
    };
    let x = [0.7, -0.3, 1.2, 0.1, -1.5, 0.4];
    let args = [Value::Array(ndarray::Array1::from(x.to_vec()).into_dyn())];
    for backend in [Backend::Interp, Backend::Jit] {
        let function = program_for(backend).function("f").expect("builds");
        for tau in [0.2, 1.0] {
            check(
                &function,
                &args,
                tau,
                &format!("bounds on {backend:?}, tau = {tau}"),
            );
        }
    }
}
