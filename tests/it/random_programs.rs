//! Random well-typed programs through the whole pipeline.
//!
//! A small generator writes programs with real arithmetic, array reads and
//! writes, elementwise array arithmetic, `for` and `while` loops, and `if`s on real comparisons (smoothing sites), on
//! int comparisons (exact control flow) and on `&&`/`||`/`!` of those. For
//! each program, in hard and relaxed mode:
//! * the JIT and the interpreter agree on the value and the gradient;
//! * relaxed, the gradient matches central finite differences.
//!
//! Products always have one factor that is a parameter or a constant, so
//! values grow at most geometrically and stay finite.

use crate::support::{assert_close, compile_fn, perturb, real_coordinates, reals};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smoothc::{Backend, Mode, Runtime, Value};

struct Generator {
    rng: ChaCha8Rng,
    /// Loop variables in scope.
    loop_vars: Vec<String>,
    next_loop: usize,
}

impl Generator {
    fn leaf(&mut self) -> String {
        match self.rng.random_range(0..6) {
            0 => "a".to_string(),
            1 => "b".to_string(),
            2 => "s".to_string(),
            3 => format!("x[{}]", self.index()),
            4 => format!("y[{}]", self.index()),
            _ => format!("{:.2}", self.rng.random_range(-1.5..1.5)),
        }
    }

    fn parameter_factor(&mut self) -> String {
        match self.rng.random_range(0..4) {
            0 => "a".to_string(),
            1 => "b".to_string(),
            2 => format!("x[{}]", self.index()),
            _ => format!("{:.2}", self.rng.random_range(-1.0..1.0)),
        }
    }

    fn index(&mut self) -> String {
        if !self.loop_vars.is_empty() && self.rng.random_bool(0.7) {
            let var = self.loop_vars[self.rng.random_range(0..self.loop_vars.len())].clone();
            match self.rng.random_range(0..3) {
                0 => var,
                1 => format!("({var} + 1) % 4"),
                _ => format!("3 - {var}"),
            }
        } else {
            self.rng.random_range(0..4).to_string()
        }
    }

    fn real(&mut self, depth: usize) -> String {
        if depth == 0 {
            return self.leaf();
        }
        match self.rng.random_range(0..4) {
            0 => format!("({} + {})", self.real(depth - 1), self.real(depth - 1)),
            1 => format!("({} - {})", self.real(depth - 1), self.real(depth - 1)),
            2 => format!("({} * {})", self.parameter_factor(), self.real(depth - 1)),
            _ => self.leaf(),
        }
    }

    fn condition(&mut self, depth: usize) -> String {
        let choice = if depth == 0 {
            self.rng.random_range(0..3)
        } else {
            self.rng.random_range(0..6)
        };
        match choice {
            0 | 1 => {
                let op = if self.rng.random_bool(0.5) { ">" } else { "<" };
                format!("{} {op} {}", self.real(1), self.real(1))
            }
            2 if !self.loop_vars.is_empty() => {
                let var = self.loop_vars[self.rng.random_range(0..self.loop_vars.len())].clone();
                format!("{var} < {}", self.rng.random_range(1..4))
            }
            2 => format!("{} > 0.0", self.leaf()),
            3 => format!(
                "({}) && ({})",
                self.condition(depth - 1),
                self.condition(depth - 1)
            ),
            4 => format!(
                "({}) || ({})",
                self.condition(depth - 1),
                self.condition(depth - 1)
            ),
            _ => format!("!({})", self.condition(depth - 1)),
        }
    }

    fn statements(&mut self, depth: usize, out: &mut String, indent: usize) {
        let count = self.rng.random_range(1..4);
        for _ in 0..count {
            self.statement(depth, out, indent);
        }
    }

    fn statement(&mut self, depth: usize, out: &mut String, indent: usize) {
        let pad = "    ".repeat(indent);
        let choice = if depth == 0 {
            self.rng.random_range(0..4)
        } else {
            self.rng.random_range(0..7)
        };
        match choice {
            3 => {
                // Whole-array arithmetic with a broadcast scalar.
                let scalar = self.parameter_factor();
                let op = ["+", "-", "*"][self.rng.random_range(0..3)];
                out.push_str(&format!("{pad}y = y {op} x * {scalar};\n"));
            }
            5 => {
                // A while loop on an int counter (exact in every mode).
                let var = format!("w{}", self.next_loop);
                self.next_loop += 1;
                let count = self.rng.random_range(0..4);
                out.push_str(&format!(
                    "{pad}let mut {var} = 0;\n{pad}while {var} < {count} {{\n"
                ));
                self.statements(depth - 1, out, indent + 1);
                out.push_str(&format!("{pad}    {var} += 1;\n{pad}}}\n"));
            }
            0 => out.push_str(&format!("{pad}s = {};\n", self.real(2))),
            1 => out.push_str(&format!("{pad}s += {};\n", self.real(2))),
            2 => {
                let index = self.index();
                out.push_str(&format!("{pad}y[{index}] = {};\n", self.real(2)));
            }
            4 => {
                out.push_str(&format!("{pad}if {} {{\n", self.condition(2)));
                self.statements(depth - 1, out, indent + 1);
                out.push_str(&format!("{pad}}} else {{\n"));
                self.statements(depth - 1, out, indent + 1);
                out.push_str(&format!("{pad}}}\n"));
            }
            _ => {
                let var = format!("i{}", self.next_loop);
                self.next_loop += 1;
                out.push_str(&format!(
                    "{pad}for {var} in 0..{} {{\n",
                    self.rng.random_range(1..5)
                ));
                self.loop_vars.push(var);
                self.statements(depth - 1, out, indent + 1);
                let _ = self.loop_vars.pop();
                out.push_str(&format!("{pad}}}\n"));
            }
        }
    }

    fn program(seed: u64) -> String {
        let mut generator = Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            loop_vars: Vec::new(),
            next_loop: 0,
        };
        let mut body = String::new();
        generator.statements(3, &mut body, 1);
        format!(
            "fn f(x: real[4], a: real, b: real) -> real {{\n    let mut s = 0.5;\n    let mut y = x;\n{body}    s + y[0] * a + y[3] * b\n}}\n"
        )
    }
}

fn inputs(seed: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let x: Vec<f64> = (0..4).map(|_| rng.random_range(-1.5..1.5)).collect();
    vec![
        Value::Array(ndarray::arr1(&x).into_dyn()),
        Value::Real(rng.random_range(-1.5..1.5)),
        Value::Real(rng.random_range(-1.5..1.5)),
    ]
}

#[test]
fn random_programs_agree_across_backends_and_with_finite_differences() {
    for seed in 0..48u64 {
        let source = Generator::program(seed);
        let args = inputs(seed);
        let runtime = Runtime {
            tau: 1.0,
            ..Runtime::default()
        };
        for mode in [Mode::Hard, Mode::Relaxed] {
            let jit = compile_fn(&source, "f", mode, Backend::Jit);
            let interp = compile_fn(&source, "f", mode, Backend::Interp);
            let (value, grads) = jit.value_and_grad(&args, &runtime).expect("jit runs");
            let (interp_value, interp_grads) =
                interp.value_and_grad(&args, &runtime).expect("interp runs");
            let what = format!("seed {seed} {}:\n{source}", mode.name());
            assert_close(&reals(&value), &reals(&interp_value), 1e-12, &what);
            let analytic: Vec<f64> = grads.iter().flat_map(reals).collect();
            let interp_analytic: Vec<f64> = interp_grads.iter().flat_map(reals).collect();
            assert_close(&analytic, &interp_analytic, 1e-12, &what);
            if mode == Mode::Relaxed {
                let step = 1e-6;
                let numeric: Vec<f64> = (0..real_coordinates(&args))
                    .map(|index| {
                        let at = |delta| {
                            jit.call(&perturb(&args, index, delta), &runtime)
                                .expect("runs")
                                .as_real()
                                .expect("real")
                        };
                        (at(step) - at(-step)) / (2.0 * step)
                    })
                    .collect();
                assert_close(&analytic, &numeric, 1e-5, &what);
            }
        }
    }
}
