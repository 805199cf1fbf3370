//! Differential testing: random small well-formed IR programs must give
//! identical results (values bit for bit, or the same error) in the
//! interpreter and the JIT.
//!
//! proptest draws a seed; the seed drives a generator of programs with
//! arithmetic on all three types (the math functions, `pow`, rounding to
//! int and `Select` included), nested `For` loops (forward and reverse,
//! bounds that may be empty), `while` loops (bounded ones that may exceed
//! their bound, and unbounded ones whose flag includes a fuel test), `If`,
//! tape pushes and pops, and loads and stores on real, int and bool arrays
//! (parameters, locals, one of derived size) whose indices may fall out of
//! bounds. Loop bounds stay small, so every program terminates quickly. A
//! failure prints the seed and the program.

use super::{CodeVariant, JitFunction};
use crate::interp;
use crate::interp::test_builder::{
    BOOL, Builder, INT, REAL, arr, array, bool_arr, identical, int_arr,
};
use crate::ir::{BinaryOp, Inst, InstId, ScalarType, Size, UnaryOp, VarId};
use crate::runtime::{RunConfig, Value};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The deepest nesting of expressions.
const MAX_EXPR_DEPTH: u32 = 3;
/// The deepest nesting of `For`/`If`.
const MAX_STMT_DEPTH: u32 = 2;

const REALS: [f64; 16] = [
    0.0,
    -0.0,
    1.0,
    -1.5,
    2.0,
    0.1,
    1e300,
    -1e-300,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    3.0,
    0.5,
    -2.5,
    0.49999999999999994,
    9.3e18,
];
const INTS: [i64; 9] = [0, 1, -1, 2, 3, -7, 5, i64::MIN, i64::MAX];

/// The variables a generated program can use.
struct Vars {
    /// `x: real[n]`, a parameter.
    x: VarId,
    /// `r: real`, a parameter.
    r: VarId,
    /// `k: int`, a parameter.
    k: VarId,
    /// `ks: int[n]`, a parameter.
    ks: VarId,
    /// `bs: bool[n]`, a parameter.
    bs: VarId,
    /// The size `n` bound by `x`.
    n: Size,
    reals: Vec<VarId>,
    ints: Vec<VarId>,
    bools: Vec<VarId>,
    /// Int variables used as loop counters (also readable as ints).
    counters: Vec<VarId>,
    /// `a: real[n]`.
    a: VarId,
    /// `m: real[2, n]`.
    m: VarId,
    /// `ia: int[3]`.
    ia: VarId,
    /// `flags: bool[n]`.
    flags: VarId,
    /// `d: real[n + 1]`, of derived size.
    d: VarId,
    /// The flag of a `while` loop at each statement depth (outside the
    /// pools, so only the loop's own code writes it).
    loop_flags: Vec<VarId>,
    /// The iteration count of a `while` loop at each statement depth, the
    /// fuel of unbounded loops.
    loop_counts: Vec<VarId>,
}

struct Generator {
    rng: ChaCha8Rng,
    b: Builder,
    vars: Vars,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        let mut b = Builder::new("random");
        let n = b.size("n", 0, 0);
        let x = b.param("x", array(ScalarType::Real, &[n]));
        let r = b.param("r", REAL);
        let k = b.param("k", INT);
        let ks = b.param("ks", array(ScalarType::Int, &[n]));
        let bs = b.param("bs", array(ScalarType::Bool, &[n]));
        let n_plus_1 = b.derived("n + 1", &[(&[n], 1), (&[], 1)]);
        let reals = vec![b.out_var("s0", REAL), b.out_var("s1", REAL)];
        let ints = vec![b.out_var("i0", INT), b.out_var("i1", INT)];
        let bools = vec![b.out_var("b0", BOOL)];
        let counters = vec![b.out_var("c0", INT), b.out_var("c1", INT)];
        let a = b.out_var("a", array(ScalarType::Real, &[n]));
        let m = b.out_var("m", array(ScalarType::Real, &[Size::Const(2), n]));
        let ia = b.out_var("ia", array(ScalarType::Int, &[Size::Const(3)]));
        let flags = b.out_var("flags", array(ScalarType::Bool, &[n]));
        let d = b.out_var("d", array(ScalarType::Real, &[n_plus_1]));
        let loop_flags = (0..MAX_STMT_DEPTH).map(|_| b.out_var("w", BOOL)).collect();
        let loop_counts = (0..MAX_STMT_DEPTH).map(|_| b.out_var("wc", INT)).collect();
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            b,
            vars: Vars {
                x,
                r,
                k,
                ks,
                bs,
                n,
                reals,
                ints,
                bools,
                counters,
                a,
                m,
                ia,
                flags,
                d,
                loop_flags,
                loop_counts,
            },
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn real_expr(&mut self, depth: u32) -> InstId {
        let choice = if depth == 0 {
            self.rng.random_range(0..5)
        } else {
            self.rng.random_range(0..11)
        };
        match choice {
            0 => {
                let value = self.pick(&REALS);
                self.b.real(value)
            }
            1 => {
                let var = self.pick(&self.vars.reals.clone());
                self.b.read(var)
            }
            2 => self.b.read(self.vars.r),
            3 => match self.rng.random_range(0..4) {
                0 => self.b.inst(Inst::Baseline),
                1 => {
                    let counter = self.index();
                    let kind = self.pick(&[
                        crate::ir::NoiseKind::Logistic,
                        crate::ir::NoiseKind::Gaussian,
                        crate::ir::NoiseKind::Cauchy,
                        crate::ir::NoiseKind::Gumbel,
                    ]);
                    self.b.inst(Inst::Noise { kind, counter })
                }
                _ => self.b.inst(Inst::Tau),
            },
            4 => {
                let array = self.pick(&[self.vars.x, self.vars.a, self.vars.d]);
                let index = self.index();
                self.b.load(array, &[index])
            }
            5 => {
                let row = self.index();
                let column = self.index();
                self.b.load(self.vars.m, &[row, column])
            }
            6 => {
                let op = self.pick(&[
                    UnaryOp::Neg,
                    UnaryOp::Exp,
                    UnaryOp::Log,
                    UnaryOp::Sqrt,
                    UnaryOp::Sigmoid,
                    UnaryOp::Softplus,
                    UnaryOp::Sin,
                    UnaryOp::Cos,
                    UnaryOp::Tanh,
                    UnaryOp::ClampedReciprocal,
                ]);
                let operand = self.real_expr(depth - 1);
                self.b.un(op, operand)
            }
            7 => {
                let operand = if self.rng.random_bool(0.5) {
                    self.int_expr(depth - 1)
                } else {
                    self.bool_expr(depth - 1)
                };
                self.b.un(UnaryOp::ToReal, operand)
            }
            8 => {
                let cond = self.bool_expr(depth - 1);
                let then = self.real_expr(depth - 1);
                let otherwise = self.real_expr(depth - 1);
                self.b.select(cond, then, otherwise)
            }
            _ => {
                let op = self.pick(&[
                    BinaryOp::Add,
                    BinaryOp::Sub,
                    BinaryOp::Mul,
                    BinaryOp::Div,
                    BinaryOp::Pow,
                ]);
                let lhs = self.real_expr(depth - 1);
                let rhs = self.real_expr(depth - 1);
                self.b.bin(op, lhs, rhs)
            }
        }
    }

    fn int_expr(&mut self, depth: u32) -> InstId {
        let choice = if depth == 0 {
            self.rng.random_range(0..4)
        } else {
            self.rng.random_range(0..10)
        };
        match choice {
            0 => {
                let value = self.pick(&INTS);
                self.b.int(value)
            }
            1 => {
                let mut candidates = self.vars.ints.clone();
                candidates.extend(&self.vars.counters);
                candidates.push(self.vars.k);
                let var = self.pick(&candidates);
                self.b.read(var)
            }
            2 => self.b.inst(Inst::SizeOf(self.vars.n)),
            3 => self.small_int(),
            4 => {
                let operand = self.int_expr(depth - 1);
                self.b.un(UnaryOp::Neg, operand)
            }
            5 => {
                let array = self.pick(&[self.vars.ia, self.vars.ks]);
                let index = self.index();
                self.b.load(array, &[index])
            }
            6 => {
                let op = self.pick(&[UnaryOp::Floor, UnaryOp::Ceil, UnaryOp::Round]);
                let operand = self.real_expr(depth - 1);
                self.b.un(op, operand)
            }
            7 => {
                let cond = self.bool_expr(depth - 1);
                let then = self.int_expr(depth - 1);
                let otherwise = self.int_expr(depth - 1);
                self.b.select(cond, then, otherwise)
            }
            _ => {
                let op = self.pick(&[
                    BinaryOp::Add,
                    BinaryOp::Sub,
                    BinaryOp::Mul,
                    BinaryOp::Div,
                    BinaryOp::Rem,
                ]);
                let lhs = self.int_expr(depth - 1);
                let rhs = self.int_expr(depth - 1);
                self.b.bin(op, lhs, rhs)
            }
        }
    }

    fn bool_expr(&mut self, depth: u32) -> InstId {
        let choice = if depth == 0 {
            self.rng.random_range(0..3)
        } else {
            self.rng.random_range(0..9)
        };
        const COMPARISONS: [BinaryOp; 6] = [
            BinaryOp::Lt,
            BinaryOp::Le,
            BinaryOp::Gt,
            BinaryOp::Ge,
            BinaryOp::Eq,
            BinaryOp::Ne,
        ];
        match choice {
            0 => {
                let value = self.rng.random_bool(0.5);
                self.b.boolean(value)
            }
            1 => {
                let var = self.pick(&self.vars.bools.clone());
                self.b.read(var)
            }
            2 => {
                let array = self.pick(&[self.vars.flags, self.vars.bs]);
                let index = self.index();
                self.b.load(array, &[index])
            }
            3 => {
                let op = self.pick(&COMPARISONS);
                let lhs = self.real_expr(depth - 1);
                let rhs = self.real_expr(depth - 1);
                self.b.bin(op, lhs, rhs)
            }
            4 => {
                let op = self.pick(&COMPARISONS);
                let lhs = self.int_expr(depth - 1);
                let rhs = self.int_expr(depth - 1);
                self.b.bin(op, lhs, rhs)
            }
            5 => {
                let operand = self.bool_expr(depth - 1);
                self.b.un(UnaryOp::Not, operand)
            }
            6 => {
                let cond = self.bool_expr(depth - 1);
                let then = self.bool_expr(depth - 1);
                let otherwise = self.bool_expr(depth - 1);
                self.b.select(cond, then, otherwise)
            }
            _ => {
                let mut ops = vec![BinaryOp::And, BinaryOp::Or];
                ops.extend(COMPARISONS);
                let op = self.pick(&ops);
                let lhs = self.bool_expr(depth - 1);
                let rhs = self.bool_expr(depth - 1);
                self.b.bin(op, lhs, rhs)
            }
        }
    }

    /// An int constant in `-2..6`.
    fn small_int(&mut self) -> InstId {
        let value = self.rng.random_range(-2..6);
        self.b.int(value)
    }

    /// An index: mostly a counter or a small constant (often in bounds),
    /// sometimes any int expression.
    fn index(&mut self) -> InstId {
        match self.rng.random_range(0..6) {
            0..=2 => {
                let counter = self.pick(&self.vars.counters.clone());
                self.b.read(counter)
            }
            3 | 4 => self.small_int(),
            _ => self.int_expr(1),
        }
    }

    /// A loop bound that keeps loops short: a small constant, `n`, or a
    /// counter.
    fn bound(&mut self) -> InstId {
        match self.rng.random_range(0..4) {
            0 | 1 => self.small_int(),
            2 => self.b.inst(Inst::SizeOf(self.vars.n)),
            _ => {
                let counter = self.pick(&self.vars.counters.clone());
                self.b.read(counter)
            }
        }
    }

    fn statements(&mut self, depth: u32) {
        let count = self.rng.random_range(1..5);
        for _ in 0..count {
            self.statement(depth);
        }
    }

    fn statement(&mut self, depth: u32) {
        let choice = if depth >= MAX_STMT_DEPTH {
            self.rng.random_range(0..8)
        } else {
            self.rng.random_range(0..13)
        };
        match choice {
            0 | 1 => {
                let var = self.pick(&self.vars.reals.clone());
                let value = self.real_expr(MAX_EXPR_DEPTH);
                let _ = self.b.write(var, value);
            }
            2 => {
                let var = self.pick(&self.vars.ints.clone());
                let value = self.int_expr(MAX_EXPR_DEPTH);
                let _ = self.b.write(var, value);
            }
            3 => {
                let var = self.pick(&self.vars.bools.clone());
                let value = self.bool_expr(MAX_EXPR_DEPTH);
                let _ = self.b.write(var, value);
            }
            4 => {
                let value = self.real_expr(MAX_EXPR_DEPTH);
                if self.rng.random_bool(0.5) {
                    let index = self.index();
                    let _ = self.b.store(self.vars.a, &[index], value);
                } else if self.rng.random_bool(0.5) {
                    let row = self.index();
                    let column = self.index();
                    let _ = self.b.store(self.vars.m, &[row, column], value);
                } else {
                    let index = self.index();
                    let _ = self.b.store(self.vars.d, &[index], value);
                }
            }
            5 => {
                let value = self.int_expr(MAX_EXPR_DEPTH);
                let index = self.index();
                let _ = self.b.store(self.vars.ia, &[index], value);
                let flag = self.bool_expr(1);
                let index = self.index();
                let _ = self.b.store(self.vars.flags, &[index], flag);
            }
            6 => {
                let value = match self.rng.random_range(0..3) {
                    0 => self.real_expr(1),
                    1 => self.int_expr(1),
                    _ => self.bool_expr(1),
                };
                let _ = self.b.inst(Inst::Push(value));
            }
            7 => {
                let (ty, var) = match self.rng.random_range(0..3) {
                    0 => (ScalarType::Real, self.pick(&self.vars.reals.clone())),
                    1 => (ScalarType::Int, self.pick(&self.vars.ints.clone())),
                    _ => (ScalarType::Bool, self.pick(&self.vars.bools.clone())),
                };
                let value = self.b.inst(Inst::Pop(ty));
                let _ = self.b.write(var, value);
            }
            8 | 9 => self.for_loop(depth),
            10 | 11 => self.if_else(depth),
            _ => self.while_loop(depth),
        }
    }

    fn for_loop(&mut self, depth: u32) {
        let counter = self.pick(&self.vars.counters.clone());
        let reverse = self.rng.random_bool(0.5);
        let lo = self.bound();
        let hi = self.bound();
        let outer = self.b.current_block();
        let body = self.b.func.new_block(outer);
        self.b.set_block(body);
        self.statements(depth + 1);
        self.b.set_block(outer);
        let _ = self.b.inst(Inst::For {
            counter,
            lo,
            hi,
            body,
            reverse,
        });
    }

    /// `wc = 0; w = cond; while w { ..; wc += 1; w = cond' }` with a small
    /// bound (which the loop may exceed), or without a bound and with
    /// `w = cond' && wc < fuel`, so that it stops.
    fn while_loop(&mut self, depth: u32) {
        let flag = self.vars.loop_flags[depth as usize];
        let count = self.vars.loop_counts[depth as usize];
        let bound = if self.rng.random_bool(0.6) {
            Some(self.rng.random_range(1..5))
        } else {
            None
        };
        let zero = self.b.int(0);
        let _ = self.b.write(count, zero);
        let cond = self.bool_expr(2);
        let _ = self.b.write(flag, cond);
        let outer = self.b.current_block();
        let body = self.b.func.new_block(outer);
        self.b.set_block(body);
        self.statements(depth + 1);
        let one = self.b.int(1);
        self.b.accumulate(count, one);
        let cond = self.bool_expr(2);
        let cond = match bound {
            Some(_) => cond,
            None => {
                let done = self.b.read(count);
                let fuel = self.rng.random_range(0..6);
                let fuel = self.b.int(fuel);
                let fueled = self.b.bin(BinaryOp::Lt, done, fuel);
                self.b.bin(BinaryOp::And, cond, fueled)
            }
        };
        let _ = self.b.write(flag, cond);
        self.b.set_block(outer);
        let _ = self.b.inst(Inst::Loop { flag, body, bound });
    }

    fn if_else(&mut self, depth: u32) {
        let cond = self.bool_expr(MAX_EXPR_DEPTH);
        let outer = self.b.current_block();
        let then_block = self.b.func.new_block(outer);
        let else_block = self.b.func.new_block(outer);
        self.b.set_block(then_block);
        self.statements(depth + 1);
        self.b.set_block(else_block);
        if self.rng.random_bool(0.7) {
            self.statements(depth + 1);
        }
        self.b.set_block(outer);
        let _ = self.b.inst(Inst::If {
            cond,
            then_block,
            else_block,
        });
    }

    /// A random program, with random arguments and configuration.
    fn program(mut self) -> (crate::ir::Func, Vec<Value>, RunConfig) {
        let length = self.rng.random_range(0..5);
        let x: Vec<f64> = (0..length).map(|_| self.pick(&REALS)).collect();
        let r = self.pick(&REALS);
        let k = if self.rng.random_bool(0.5) {
            self.pick(&INTS)
        } else {
            self.rng.random_range(-3..8)
        };
        let ks: Vec<i64> = (0..length)
            .map(|_| {
                if self.rng.random_bool(0.7) {
                    self.rng.random_range(-3..8)
                } else {
                    self.pick(&INTS)
                }
            })
            .collect();
        let bs: Vec<bool> = (0..length).map(|_| self.rng.random_bool(0.5)).collect();
        let config = RunConfig {
            tau: self.pick(&[1.0, 0.5, 1e-3]),
            tape_limit: self.rng.random_range(0..24),
            seed: self.rng.random_range(0..4),
            sample: self.rng.random_range(0..4),
            baseline: self.pick(&[0.0, -1.5, 2.0]),
        };
        self.statements(0);
        let func = self.b.finish();
        (
            func,
            vec![
                arr(&[length], &x),
                Value::Real(r),
                Value::Int(k),
                int_arr(&[length], &ks),
                bool_arr(&[length], &bs),
            ],
            config,
        )
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_agree(seed in any::<u64>()) {
        let (func, args, config) = Generator::new(seed).program();
        let expected = interp::run(&func, &args, &config);
        let jit = JitFunction::compile(&func)
            .unwrap_or_else(|error| panic!("seed {seed}: does not compile: {error}\n{func:#?}"));
        let result = jit.run(&args, &config);
        prop_assert!(
            identical(&result, &expected),
            "seed {}:\n jit {:?}\ninterp {:?}\nprogram {:#?}",
            seed,
            result,
            expected,
            func
        );
        // Cut after every top-level loop (`parts`), the scalar variables
        // cross the cuts in the frame and a fault, a full tape or a failed
        // reservation in a later part stops the call as it does the whole.
        let in_parts = JitFunction::compile_variant(&func, CodeVariant { part_weight: 1, ..CodeVariant::FAST })
            .unwrap_or_else(|error| panic!("seed {seed}: does not compile in parts: {error}"));
        let result = in_parts.run(&args, &config);
        prop_assert!(
            identical(&result, &expected),
            "seed {}, {} parts:\n jit {:?}\ninterp {:?}\nprogram {:#?}",
            seed,
            in_parts.part_count(),
            result,
            expected,
            func
        );
    }
}

/// The generator reaches both outcomes: some programs finish and some
/// fail, so the property checks both values and errors.
#[test]
fn generated_programs_both_succeed_and_fail() {
    let outcomes: Vec<bool> = (0..64)
        .map(|seed| {
            let (func, args, config) = Generator::new(seed).program();
            interp::run(&func, &args, &config).is_ok()
        })
        .collect();
    assert!(outcomes.iter().any(|ok| *ok));
    assert!(outcomes.iter().any(|ok| !*ok));
}
