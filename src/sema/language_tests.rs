//! Unit tests of the typing of the whole language: `while`, attributes,
//! elementwise arithmetic, builtins, comprehensions, size arithmetic,
//! overloads. Programs are checked on their own (no stdlib) unless a test
//! says otherwise.

use super::attrs::{Estimator, FamilyName, Network, SiteAttrs, SiteMode, TNorm};
use super::error::{SemaError, SizeSite};
use super::tast::{
    Builtin, FnOrigin, Scalar, Size, SizeVarId, TExpr, TExprKind, TProgram, TStmt, TStmtKind, Type,
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

fn check_err(source: &str) -> Vec<SemaError> {
    check_source(source).expect_err("the program has errors")
}

fn tail(program: &TProgram, name: &str) -> TExpr {
    let id = program.fn_by_name(name).expect("function exists");
    let body = &program.func(id).body;
    (**body.tail.as_ref().expect("tail")).clone()
}

fn stmts(program: &TProgram, name: &str) -> Vec<TStmt> {
    let id = program.fn_by_name(name).expect("function exists");
    program.func(id).body.stmts.clone()
}

fn n() -> Size {
    Size::Var(SizeVarId(0))
}

fn m() -> Size {
    Size::Var(SizeVarId(1))
}

fn real_array(dims: Vec<Size>) -> Type {
    Type::Array {
        elem: Scalar::Real,
        dims,
    }
}

#[test]
fn while_loop_with_bound_and_compound_assignment() {
    let program = check_ok(
        "fn f(x: real) -> real {
            let mut y = x;
            #[bound(50)] while y > 1.0 { y /= 2; }
            while false { y -= 1.0; }
            y
        }",
    );
    let body = stmts(&program, "f");
    let TStmtKind::While { cond, bound, body } = &body[1].kind else {
        panic!("expected a while, got {:?}", body[1].kind)
    };
    assert_eq!(*bound, Some(50));
    assert_eq!(cond.ty, Type::BOOL);
    // `y /= 2`: the literal became a real.
    let TStmtKind::Assign { value, .. } = &body.stmts[0].kind else {
        panic!("expected an assignment")
    };
    assert_eq!(value.kind, TExprKind::Real(2.0));
    let TStmtKind::While { bound, .. } = &stmts(&program, "f")[2].kind else {
        panic!("expected a while")
    };
    assert_eq!(*bound, None);
}

#[test]
fn while_condition_must_be_bool() {
    let errors = check_err("fn f(x: real) -> real { while x { } x }");
    assert!(
        matches!(
            errors.as_slice(),
            [SemaError::ConditionNotBool {
                site: super::ConditionSite::While,
                ..
            }]
        ),
        "{errors:#?}"
    );
}

#[test]
fn attributes_validate_into_site_attrs() {
    let program = check_ok(
        "#![relax(cauchy, tnorm = \"godel\")]
        fn f(x: real[n], y: real) -> real {
            #[relax(gaussian, scale = 0.5, network = \"bitonic\")] if y > 0.0 { }
            let a = #[stochastic(laplace, estimator = \"straight_through\")] (y > 1.0);
            let b = #[hard] x[0];
            if a { b } else { 0.0 }
        }",
    );
    assert_eq!(
        program.file_attrs,
        SiteAttrs {
            mode: Some(SiteMode::Relaxed),
            family: Some(FamilyName::Cauchy),
            tnorm: Some(TNorm::Godel),
            ..SiteAttrs::default()
        }
    );
    let body = stmts(&program, "f");
    let TStmtKind::Attributed { attrs, stmt } = &body[0].kind else {
        panic!("expected an attributed statement")
    };
    assert_eq!(
        *attrs,
        SiteAttrs {
            mode: Some(SiteMode::Relaxed),
            family: Some(FamilyName::Gaussian),
            scale: Some(0.5),
            network: Some(Network::Bitonic),
            ..SiteAttrs::default()
        }
    );
    assert!(matches!(stmt.kind, TStmtKind::Expr(_)));
    let TStmtKind::Let { init, .. } = &body[1].kind else {
        panic!("expected a let")
    };
    let TExprKind::Attributed { attrs, expr } = &init.kind else {
        panic!("expected an attributed expression")
    };
    assert_eq!(attrs.mode, Some(SiteMode::Stochastic));
    assert_eq!(attrs.estimator, Some(Estimator::StraightThrough));
    assert_eq!(expr.ty, Type::BOOL);
    assert_eq!(init.ty, Type::BOOL);
}

#[test]
fn attribute_errors_name_the_problem() {
    let errors = check_err(
        "fn f(x: real) -> real {
            #[bound(3)] for i in 0..3 { }
            #[relax(cauchi)] if x > 0.0 { }
            #[relax(scale = 0)] if x > 0.0 { }
            #[relax(temperature = 2.0)] if x > 0.0 { }
            #[hard] #[relax] if x > 0.0 { }
            #[smooth] if x > 0.0 { }
            #[bound(0)] while x > 0.0 { }
            #[relax(network = \"bubble\")] if x > 0.0 { }
            x
        }",
    );
    let kinds: Vec<&str> = errors
        .iter()
        .map(|error| match error {
            SemaError::BoundMisplaced { .. } => "misplaced",
            SemaError::UnknownFamily { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("cauchy"));
                "family"
            }
            SemaError::ScaleNotPositive { .. } => "scale",
            SemaError::UnknownAttributeKey { valid, .. } => {
                assert_eq!(valid, &["scale", "network", "tnorm", "max"]);
                "key"
            }
            SemaError::ConflictingModes { .. } => "conflict",
            SemaError::UnknownAttribute { .. } => "attribute",
            SemaError::BoundNotPositive { .. } => "bound",
            SemaError::InvalidAttributeValue { valid, .. } => {
                assert_eq!(valid, &["\"odd_even\"", "\"bitonic\""]);
                "value"
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "misplaced",
            "family",
            "scale",
            "key",
            "conflict",
            "attribute",
            "bound",
            "value"
        ]
    );
}

#[test]
fn elementwise_arithmetic_and_broadcast_keep_the_array_type() {
    let program = check_ok(
        "fn f(x: real[n], y: real[n], k: int[n]) -> real[n] {
            let a = x + y * 2;
            let b = -a / 3.0;
            let c = k % 2 + 1;
            let mut d = b;
            d += x;
            d *= 0.5;
            d - 1
        }",
    );
    let body = stmts(&program, "f");
    let init_ty = |index: usize| match &body[index].kind {
        TStmtKind::Let { init, .. } => init.ty.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    assert_eq!(init_ty(0), real_array(vec![n()]));
    assert_eq!(init_ty(1), real_array(vec![n()]));
    assert_eq!(
        init_ty(2),
        Type::Array {
            elem: Scalar::Int,
            dims: vec![n()]
        }
    );
    // `d += x` on a whole array is `d = d + x`.
    let TStmtKind::Assign { op, value, .. } = &body[4].kind else {
        panic!("expected an assignment")
    };
    assert_eq!(*op, crate::syntax::ast::AssignOp::Set);
    assert!(matches!(
        value.kind,
        TExprKind::Binary(crate::syntax::ast::BinaryOp::Add, _, _)
    ));
    assert_eq!(tail(&program, "f").ty, real_array(vec![n()]));
}

#[test]
fn elementwise_errors_distinguish_shape_and_element_type() {
    let errors = check_err(
        "fn f(x: real[n], y: real[m], k: int) -> real {
            let a = x + y;
            let b = x * k;
            0.0
        }",
    );
    assert!(
        matches!(
            errors.as_slice(),
            [
                SemaError::ElementwiseShape { .. },
                SemaError::BroadcastElement { .. }
            ]
        ),
        "{errors:#?}"
    );
}

#[test]
fn math_builtins_are_elementwise_and_rounding_gives_ints() {
    let program = check_ok(
        "fn f(x: real[n, m], t: real, i: int) -> real {
            let a = exp(x);
            let b = sigmoid(t) + softplus(1) + pow(t, 2) + real(i);
            let c = floor(t) + ceil(t) + round(2.5);
            sum(a) + b + real(c)
        }",
    );
    let body = stmts(&program, "f");
    let init_ty = |index: usize| match &body[index].kind {
        TStmtKind::Let { init, .. } => init.ty.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    assert_eq!(init_ty(0), real_array(vec![n(), m()]));
    assert_eq!(init_ty(1), Type::REAL);
    assert_eq!(init_ty(2), Type::INT);
    let errors = check_err("fn g(i: int) -> int { floor(i) }");
    assert!(
        matches!(
            errors.as_slice(),
            [SemaError::BuiltinArgument {
                builtin: Builtin::Floor,
                ..
            }]
        ),
        "{errors:#?}"
    );
}

#[test]
fn len_is_a_size_value_and_checks_the_dimension() {
    let program = check_ok("fn f(a: real[n, m]) -> int { len(a, 1) + len(a) }");
    let TExprKind::Binary(_, lhs, rhs) = &tail(&program, "f").kind else {
        panic!("expected a sum")
    };
    assert_eq!(lhs.kind, TExprKind::SizeValue(m()));
    assert_eq!(rhs.kind, TExprKind::SizeValue(n()));
    let errors = check_err("fn g(a: real[n]) -> int { len(a, 1) }");
    assert!(
        matches!(
            errors.as_slice(),
            [SemaError::LenDimension { found: Some(1), .. }]
        ),
        "{errors:#?}"
    );
}

#[test]
fn zeros_and_fill_take_their_shape_from_size_expressions() {
    let program = check_ok(
        "fn f(x: real[n], m: int) -> real[2 * n, n - 1] {
            let flags = fill(n, true);
            let counts = fill(n + 1, 0);
            let mut z: real[n] = fill(n, 0);
            zeros(n + n, len(x) - 1)
        }",
    );
    let tail = tail(&program, "f");
    assert_eq!(
        tail.ty,
        real_array(vec![Size::Const(2).mul(&n()), n().sub(&Size::Const(1))])
    );
    let TExprKind::Builtin {
        builtin: Builtin::Zeros,
        args,
    } = &tail.kind
    else {
        panic!("expected zeros")
    };
    assert!(args.is_empty());
    let body = stmts(&program, "f");
    let init = |index: usize| match &body[index].kind {
        TStmtKind::Let { init, .. } => init.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    assert_eq!(
        init(0).ty,
        Type::Array {
            elem: Scalar::Bool,
            dims: vec![n()]
        }
    );
    assert_eq!(
        init(1).ty,
        Type::Array {
            elem: Scalar::Int,
            dims: vec![n().add(&Size::Const(1))]
        }
    );
    // `fill(n, 0)` where a real array is declared: the value became real.
    let TExprKind::Builtin { args, .. } = &init(2).kind else {
        panic!("expected fill")
    };
    assert_eq!(args[0].kind, TExprKind::Real(0.0));
    // A parameter is a run-time value, not a size.
    let errors = check_err("fn g(x: real[n], k: int) -> real { sum(zeros(k)) }");
    assert!(
        matches!(
            errors.as_slice(),
            [SemaError::NotASize {
                site: SizeSite::BuiltinDimension(Builtin::Zeros),
                variable: Some(_),
                ..
            }]
        ),
        "{errors:#?}"
    );
}

#[test]
fn comprehensions_have_length_hi_minus_lo_and_nest() {
    let program = check_ok(
        "fn f(a: real[n, m]) -> real[m, n] {
            let shifted = [a[i, 0] for i in 1..n];
            let ints = [i * 2 for i in 0..3];
            [[a[i, j] for i in 0..n] for j in 0..m]
        }",
    );
    let body = stmts(&program, "f");
    let init = |index: usize| match &body[index].kind {
        TStmtKind::Let { init, .. } => init.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    assert_eq!(init(0).ty, real_array(vec![n().sub(&Size::Const(1))]));
    let TExprKind::Comprehension { lo, hi, .. } = &init(0).kind else {
        panic!("expected a comprehension")
    };
    assert_eq!(lo.kind, TExprKind::SizeValue(Size::Const(1)));
    assert_eq!(hi.kind, TExprKind::SizeValue(n()));
    assert_eq!(
        init(1).ty,
        Type::Array {
            elem: Scalar::Int,
            dims: vec![Size::Const(3)]
        }
    );
    assert_eq!(tail(&program, "f").ty, real_array(vec![m(), n()]));
    // A loop variable is not a size.
    let errors = check_err(
        "fn g(a: real[n]) -> real { for k in 0..n { let t = [1.0 for i in 0..k]; } 0.0 }",
    );
    assert!(
        matches!(
            errors.as_slice(),
            [SemaError::NotASize {
                site: SizeSite::ComprehensionBound,
                ..
            }]
        ),
        "{errors:#?}"
    );
}

#[test]
fn size_arithmetic_compares_as_polynomials() {
    // `n + n` and `2 * n` are the same size; `n - 1 + 1` is `n`.
    let _ = check_ok(
        "fn f(x: real[n]) -> real[2 * n] {
            let y: real[n + n] = zeros(2 * n);
            let z: real[n - 1 + 1] = x;
            y
        }",
    );
    let errors = check_err("fn g(x: real[n]) -> real[n - 1] { x }");
    let [SemaError::SizeMismatch { expected, .. }] = errors.as_slice() else {
        panic!("expected a size mismatch, got {errors:#?}")
    };
    assert_eq!(
        *expected,
        super::TypeDesc::Array {
            elem: Scalar::Real,
            dims: vec![super::SizeDesc::Expr("n - 1".to_string())]
        }
    );
    let errors = check_err("fn h(x: real[n - 1]) -> real { 0.0 }");
    assert!(
        matches!(errors.as_slice(), [SemaError::SizeArithmeticInParam { .. }]),
        "{errors:#?}"
    );
}

#[test]
fn call_results_substitute_the_callers_sizes() {
    let program = check_ok(
        "fn drop_last(x: real[k]) -> real[k - 1] { [x[i] for i in 0..k - 1] }
         fn f(a: real[n], b: real[m]) -> real[2 * n - 1] {
             let both: real[2 * n] = [a[i % n] for i in 0..2 * n];
             drop_last(both)
         }",
    );
    let TExprKind::Call { sizes, .. } = &tail(&program, "f").kind else {
        panic!("expected a call")
    };
    assert_eq!(sizes, &vec![Size::Const(2).mul(&n())]);
    assert_eq!(
        tail(&program, "f").ty,
        real_array(vec![Size::Const(2).mul(&n()).sub(&Size::Const(1))])
    );
}

#[test]
fn two_dimensional_int_and_bool_arrays() {
    let program = check_ok(
        "fn f(g: int[n, m], mask: bool[n]) -> int {
            let mut h = g;
            h[0, 1] = 3;
            h[1, 0] += g[0, 0];
            if mask[0] { h[0, 1] } else { 0 }
        }",
    );
    assert_eq!(tail(&program, "f").ty, Type::INT);
}

#[test]
fn overloads_resolve_by_kind_and_rank_and_prefer_exact_types() {
    let program = check_ok(
        "fn pick(a: real, b: real) -> real { a }
         fn pick(a: int, b: int) -> int { a }
         fn pick(x: real[n]) -> real { x[0] }
         fn f(x: real[n], i: int) -> real {
             let a = pick(1, 2);
             let b = pick(i, 3);
             let c = pick(1.5, 2);
             pick(x) + c + real(a + b)
         }",
    );
    let body = stmts(&program, "f");
    let callee = |expr: &TExpr| match &expr.kind {
        TExprKind::Call { callee, .. } => program.func(*callee).params.len(),
        other => panic!("expected a call, got {other:?}"),
    };
    let init = |index: usize| match &body[index].kind {
        TStmtKind::Let { init, .. } => init.clone(),
        other => panic!("expected let, got {other:?}"),
    };
    // Int literals pick the int overload exactly (no adaptation needed).
    assert_eq!(init(0).ty, Type::INT);
    assert_eq!(init(1).ty, Type::INT);
    assert_eq!(init(2).ty, Type::REAL);
    assert_eq!(callee(&init(2)), 2);
    let errors = check_err(
        "fn pick(a: real, b: int) -> real { a }
         fn pick(a: int, b: real) -> real { b }
         fn f() -> real { pick(1, 2) }",
    );
    let [SemaError::AmbiguousCall { candidates, .. }] = errors.as_slice() else {
        panic!("expected an ambiguity, got {errors:#?}")
    };
    assert_eq!(candidates.len(), 2);
    let errors = check_err(
        "fn pick(a: real) -> real { a }
         fn pick(a: int) -> int { a }
         fn f(b: bool) -> real { pick(b) }",
    );
    assert!(
        matches!(errors.as_slice(), [SemaError::NoMatchingOverload { .. }]),
        "{errors:#?}"
    );
    let errors = check_err(
        "fn pick(a: real[n]) -> real { a[0] }
         fn pick(a: real[m]) -> real { a[1] }",
    );
    assert!(
        matches!(errors.as_slice(), [SemaError::DuplicateFunction { .. }]),
        "{errors:#?}"
    );
}

#[test]
fn recursion_is_found_across_overloads() {
    let errors = check_err(
        "fn f(a: real) -> real { f(1) * a }
         fn f(a: int) -> real { f(real(a)) }",
    );
    let [SemaError::Recursion { cycle, .. }] = errors.as_slice() else {
        panic!("expected one recursion error, got {errors:#?}")
    };
    assert_eq!(cycle, &["f", "f", "f"]);
}

#[test]
fn stdlib_functions_overload_with_user_ones() {
    let mut sources = crate::syntax::span::SourceMap::new();
    let source = "fn max(a: real, b: real, c: real) -> real { max(max(a, b), c) }
                  fn f(x: real[n]) -> real { max(x) + max(1.0, 2.0, 3.0) + real(max(1, 2)) }";
    let file = sources.add("input.dsl", source);
    let module = parse(file, source).expect("parses");
    let program = crate::stdlib::check_program(&mut sources, &module)
        .unwrap_or_else(|d| panic!("{}", crate::diagnostics::render(&sources, &d)));
    let f = program.func(program.fn_by_name("f").expect("f"));
    let mut origins = Vec::new();
    collect_callee_origins(
        f.body.tail.as_deref().expect("tail"),
        &program,
        &mut origins,
    );
    assert_eq!(
        origins,
        [
            FnOrigin::Stdlib("prelude".to_string()),
            FnOrigin::User,
            FnOrigin::Stdlib("prelude".to_string())
        ]
    );
}

fn collect_callee_origins(expr: &TExpr, program: &TProgram, out: &mut Vec<FnOrigin>) {
    match &expr.kind {
        TExprKind::Call { callee, .. } => out.push(program.func(*callee).origin.clone()),
        TExprKind::Binary(_, lhs, rhs) => {
            collect_callee_origins(lhs, program, out);
            collect_callee_origins(rhs, program, out);
        }
        TExprKind::Builtin { args, .. } => {
            for arg in args {
                collect_callee_origins(arg, program, out);
            }
        }
        _ => {}
    }
}
