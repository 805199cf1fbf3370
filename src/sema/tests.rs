//! Unit tests of `check` on programs that type-check, and a few targeted
//! error cases whose data (not text) is asserted. The error messages are
//! covered by the snapshot tests in `tests/it/diagnostics.rs`.

use super::error::{SemaError, SizeDesc, TypeDesc};
use super::tast::{
    Builtin, LocalKind, Scalar, Size, SizeVarId, TExpr, TExprKind, TProgram, TStmtKind, Type,
};
use crate::syntax::parser::parse;
use crate::syntax::span::FileId;

fn check_source(source: &str) -> Result<TProgram, Vec<SemaError>> {
    let module = parse(FileId(0), source).expect("test program parses");
    super::check(&module)
}

fn check_ok(source: &str) -> TProgram {
    match check_source(source) {
        Ok(program) => program,
        Err(errors) => panic!("unexpected errors: {errors:#?}"),
    }
}

fn tail(program: &TProgram, name: &str) -> TExpr {
    let id = program.fn_by_name(name).expect("function exists");
    let body = &program.func(id).body;
    (**body.tail.as_ref().expect("tail")).clone()
}

#[test]
fn bubble_sort_checks_with_size_variables() {
    let program = check_ok(
        "fn bubble_sort(x: real[n]) -> real[n] {
            let mut y = x;
            for i in 0..n {
                for j in 0..n - 1 - i {
                    if y[j] > y[j + 1] {
                        let t = y[j];
                        y[j] = y[j + 1];
                        y[j + 1] = t;
                    }
                }
            }
            y
        }
        fn loss(x: real[m]) -> real { sum(bubble_sort(x)) * 2 }",
    );
    let sort = program.func(program.fn_by_name("bubble_sort").expect("defined"));
    let n = Size::Var(SizeVarId(0));
    assert_eq!(
        sort.ret,
        Type::Array {
            elem: Scalar::Real,
            dims: vec![n]
        }
    );
    assert_eq!(sort.size_vars[0].name, "n");
    assert_eq!(sort.size_vars[0].bound_by, (0, 0));
    // Locals: x (param), y, i, j, t: each let and loop variable is new.
    let kinds: Vec<LocalKind> = sort.locals.iter().map(|local| local.kind).collect();
    assert_eq!(
        kinds,
        [
            LocalKind::Param,
            LocalKind::Let,
            LocalKind::LoopVar,
            LocalKind::LoopVar,
            LocalKind::Let
        ]
    );
    assert!(sort.locals[1].mutable && !sort.locals[0].mutable);

    // `sum(bubble_sort(x)) * 2`: the 2 becomes a real, the call binds n := m.
    let loss_tail = tail(&program, "loss");
    assert_eq!(loss_tail.ty, Type::REAL);
    let TExprKind::Binary(_, lhs, rhs) = &loss_tail.kind else {
        panic!("expected a product")
    };
    assert_eq!(rhs.kind, TExprKind::Real(2.0));
    let TExprKind::Builtin {
        builtin: Builtin::Sum,
        args,
    } = &lhs.kind
    else {
        panic!("expected sum")
    };
    let TExprKind::Call { sizes, .. } = &args[0].kind else {
        panic!("expected a call")
    };
    assert_eq!(sizes, &vec![Size::Var(SizeVarId(0))]);
}

#[test]
fn int_literals_adapt_only_where_a_real_is_expected() {
    let program = check_ok(
        "fn f(a: real) -> real {
            let x: real = 1;
            let k = 3;
            let v = [1, 2.5, -3];
            let e = exp(2);
            if a > 0 { x + v[k - 3] } else { 4 }
        }",
    );
    let f = program.func(program.fn_by_name("f").expect("defined"));
    let init = |index: usize| match &f.body.stmts[index].kind {
        TStmtKind::Let { init, .. } => init.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    assert_eq!(init(0).kind, TExprKind::Real(1.0));
    assert_eq!(init(1).ty, Type::INT);
    assert_eq!(
        init(2).ty,
        Type::Array {
            elem: Scalar::Real,
            dims: vec![Size::Const(3)]
        }
    );
    let TExprKind::Builtin { args, .. } = init(3).kind else {
        panic!("expected exp")
    };
    assert_eq!(args[0].kind, TExprKind::Real(2.0));
    // The else branch `4` became real to match the then branch.
    let if_tail = tail(&program, "f");
    let TExprKind::If {
        else_block: Some(else_block),
        ..
    } = &if_tail.kind
    else {
        panic!("expected if/else")
    };
    assert_eq!(
        else_block.tail.as_ref().map(|tail| &tail.kind),
        Some(&TExprKind::Real(4.0))
    );
    assert_eq!(if_tail.ty, Type::REAL);
}

#[test]
fn shadowing_creates_new_locals() {
    let program = check_ok(
        "fn f(x: int) -> int {
            let x = x + 1;
            let y = { let x = 2; x };
            x + y
        }",
    );
    let f = program.func(program.fn_by_name("f").expect("defined"));
    assert_eq!(f.locals.len(), 4);
    let TExprKind::Binary(_, lhs, _) = &tail(&program, "f").kind else {
        panic!("expected a sum")
    };
    // The outer `x` in the tail is the first `let`, local 1.
    assert_eq!(lhs.kind, TExprKind::Local(super::tast::LocalId(1)));
}

#[test]
fn size_variables_are_int_values_and_len_works() {
    let program = check_ok("fn f(a: real[n, m]) -> int { len(a) + m }");
    let TExprKind::Binary(_, _, rhs) = &tail(&program, "f").kind else {
        panic!("expected a sum")
    };
    assert_eq!(rhs.kind, TExprKind::SizeVar(SizeVarId(1)));
}

#[test]
fn call_size_mismatch_names_both_sizes() {
    let errors = check_source(
        "fn dot(a: real[n], b: real[n]) -> real { a[0] * b[0] }
         fn g(x: real[3], y: real[4]) -> real { dot(x, y) }",
    )
    .expect_err("sizes disagree");
    let [
        SemaError::SizeMismatch {
            expected,
            found,
            bound_by: Some((name, _)),
            ..
        },
    ] = errors.as_slice()
    else {
        panic!("expected one size mismatch, got {errors:#?}")
    };
    assert_eq!(name, "n");
    assert_eq!(
        *expected,
        TypeDesc::Array {
            elem: Scalar::Real,
            dims: vec![SizeDesc::Const(3)]
        }
    );
    assert_eq!(
        *found,
        TypeDesc::Array {
            elem: Scalar::Real,
            dims: vec![SizeDesc::Const(4)]
        }
    );
}

#[test]
fn errors_are_collected_across_statements_without_cascades() {
    let errors = check_source(
        "fn f(x: real) -> real {
            let a = undefined_thing;
            let b = a + 1.0;
            x = 2.0;
            true + 1
        }",
    )
    .expect_err("three independent errors");
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(matches!(errors[0], SemaError::UnknownVariable { .. }));
    assert!(matches!(errors[1], SemaError::AssignToImmutable { .. }));
    assert!(matches!(errors[2], SemaError::BinaryOperands { .. }));
}

#[test]
fn mutual_recursion_is_reported_once() {
    let errors = check_source(
        "fn f(x: real) -> real { g(x) }
         fn g(x: real) -> real { f(x) }",
    )
    .expect_err("recursive");
    let [SemaError::Recursion { cycle, .. }] = errors.as_slice() else {
        panic!("expected one recursion error, got {errors:#?}")
    };
    assert_eq!(cycle, &["f", "g", "f"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let source = format!("fn f() -> int {{ {}1 }}", "-".repeat(5000));
    let module = parse(FileId(0), &source).expect("parses");
    let errors = super::check(&module).expect_err("too deep");
    assert!(
        matches!(errors.as_slice(), [SemaError::NestingTooDeep { .. }]),
        "{errors:?}"
    );
    let loops = format!(
        "fn g() -> int {{ {} 1 }}",
        "for i in 0..1 { ".repeat(300) + &"}".repeat(300)
    );
    let module = parse(FileId(0), &loops).expect("parses");
    assert!(super::check(&module).is_err());
    // A program nested well below the limit is fine.
    let shallow = format!("fn h() -> int {{ {}1 }}", "-".repeat(60));
    assert!(super::check(&parse(FileId(0), &shallow).expect("parses")).is_ok());
}
