//! The parser: tokens to [`ast::Module`], with the LALRPOP grammar in
//! `grammar/smoothc.lalrpop`.
//!
//! [`parse`] is the entry point. It reports every syntax error the grammar's
//! error recovery finds, as [`SyntaxError`] values that hold spans and token
//! names only; `diagnostics` turns them into messages.
//!
//! This module also holds the few helpers that grammar actions call
//! ([`BlockItems`], [`place_from_expr`]); they only build AST nodes.

use lalrpop_util::{ParseError, lalrpop_mod};

use super::ast::{self, Attribute, Block, Expr, ExprKind, FnDef, Place, Stmt, StmtKind, UseItem};
use super::lexer::{LexError, Lexer, Token};
use super::span::{FileId, Span};

lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        unused_parens,
        unused_results
    )]
    grammar,
    "/smoothc.rs"
);

/// A syntax error: what went wrong and where. No text; see `diagnostics`.
#[derive(Clone, Debug, PartialEq)]
pub enum SyntaxError {
    /// The lexer could not make a token here.
    Lex(LexError),
    /// A token the grammar does not allow at this point.
    UnexpectedToken {
        span: Span,
        /// The token's description, such as `identifier` or `` `;` ``.
        found: &'static str,
        /// The terminals that would have been accepted, as named in the
        /// grammar (`"identifier"`, `"\";\""`), sorted and deduplicated.
        expected: Vec<String>,
    },
    /// The file ended in the middle of a construct.
    UnexpectedEof { span: Span, expected: Vec<String> },
    /// A token after a complete module (cannot happen with this grammar's
    /// `FnDef*` entry, but LALRPOP can report it).
    ExtraToken { span: Span, found: &'static str },
    /// The left side of `=` or `op=` is not a variable or an indexed variable.
    InvalidAssignTarget { span: Span },
    /// The file is too large for 32-bit byte offsets.
    FileTooLarge { file: FileId, len: usize },
}

impl SyntaxError {
    /// The span the error points at (for sorting and tests).
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Lex(error) => error.span,
            SyntaxError::UnexpectedToken { span, .. }
            | SyntaxError::UnexpectedEof { span, .. }
            | SyntaxError::ExtraToken { span, .. }
            | SyntaxError::InvalidAssignTarget { span } => *span,
            SyntaxError::FileTooLarge { file, .. } => Span::new(*file, 0, 0),
        }
    }

    /// Converts a LALRPOP error, as returned by the parser or handed to an
    /// error-recovery action.
    pub fn from_lalrpop(file: FileId, error: ParseError<u32, Token<'_>, LexError>) -> SyntaxError {
        match error {
            ParseError::InvalidToken { location } => SyntaxError::Lex(LexError {
                kind: super::lexer::LexErrorKind::InvalidCharacter,
                span: Span::new(file, location, location + 1),
            }),
            ParseError::UnrecognizedEof { location, expected } => SyntaxError::UnexpectedEof {
                span: Span::new(file, location, location),
                expected: clean_expected(expected),
            },
            ParseError::UnrecognizedToken {
                token: (start, token, end),
                expected,
            } => SyntaxError::UnexpectedToken {
                span: Span::new(file, start, end),
                found: token.describe(),
                expected: clean_expected(expected),
            },
            ParseError::ExtraToken {
                token: (start, token, end),
            } => SyntaxError::ExtraToken {
                span: Span::new(file, start, end),
                found: token.describe(),
            },
            ParseError::User { error } => SyntaxError::Lex(error),
        }
    }

    /// Used by the grammar's `!` recovery rule.
    pub fn from_recovery(file: FileId, error: ParseError<u32, Token<'_>, LexError>) -> SyntaxError {
        SyntaxError::from_lalrpop(file, error)
    }
}

/// LALRPOP quotes terminal names (`"\"identifier\""`); strip the quotes,
/// sort and deduplicate so diagnostics are stable.
fn clean_expected(expected: Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = expected
        .into_iter()
        .map(|name| name.trim_matches('"').to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Parses one file. On failure returns every syntax error found (at least
/// one), in source order.
pub fn parse(file: FileId, source: &str) -> Result<ast::Module, Vec<SyntaxError>> {
    if u32::try_from(source.len()).is_err() {
        return Err(vec![SyntaxError::FileTooLarge {
            file,
            len: source.len(),
        }]);
    }
    let mut errors = Vec::new();
    let result = grammar::ModuleParser::new().parse(file, &mut errors, Lexer::new(file, source));
    match result {
        Ok(module) if errors.is_empty() => Ok(module),
        Ok(_) => Err(sorted(errors)),
        Err(error) => {
            errors.push(SyntaxError::from_lalrpop(file, error));
            Err(sorted(errors))
        }
    }
}

fn sorted(mut errors: Vec<SyntaxError>) -> Vec<SyntaxError> {
    errors.sort_by_key(|error| {
        let span = error.span();
        (span.start, span.end)
    });
    errors.dedup();
    errors
}

/// A top-level item while the grammar collects them.
pub enum TopItem {
    Fn(FnDef),
    Use(UseItem),
}

/// Splits the top-level items into `use` items and functions.
pub fn module_from_items(inner_attrs: Vec<Attribute>, items: Vec<TopItem>) -> ast::Module {
    let mut uses = Vec::new();
    let mut fns = Vec::new();
    for item in items {
        match item {
            TopItem::Fn(def) => fns.push(def),
            TopItem::Use(use_item) => uses.push(use_item),
        }
    }
    ast::Module {
        inner_attrs,
        uses,
        items: fns,
    }
}

/// `stmt`, or `#[attrs] stmt` when attributes precede it; the span then
/// starts at the first attribute.
pub fn attributed_stmt(attrs: Option<Vec<Attribute>>, stmt: Stmt) -> Stmt {
    match attrs {
        Some(attrs) if !attrs.is_empty() => {
            let span = attrs[0].span.merge(stmt.span);
            Stmt {
                kind: StmtKind::Attributed {
                    attrs,
                    stmt: Box::new(stmt),
                },
                span,
            }
        }
        _ => stmt,
    }
}

/// `expr`, or `#[attrs] expr` when attributes precede it.
pub fn attributed_expr(attrs: Option<Vec<Attribute>>, expr: Expr) -> Expr {
    match attrs {
        Some(attrs) if !attrs.is_empty() => {
            let span = attrs[0].span.merge(expr.span);
            Expr {
                kind: ExprKind::Attributed {
                    attrs,
                    expr: Box::new(expr),
                },
                span,
            }
        }
        _ => expr,
    }
}

/// Narrows an assignment target parsed as an expression to a [`Place`]:
/// `x` or `x[i, ..]`. Returns the expression's span otherwise.
pub fn place_from_expr(expr: Expr) -> Result<Place, Span> {
    let span = expr.span;
    match expr.kind {
        ExprKind::Var(name) => Ok(Place {
            name,
            indices: Vec::new(),
            span,
        }),
        ExprKind::Index { base, indices } => match base.kind {
            ExprKind::Var(name) => Ok(Place {
                name,
                indices,
                span,
            }),
            _ => Err(span),
        },
        _ => Err(span),
    }
}

/// The statements and tail of a block while the grammar collects them.
///
/// The grammar's block rule is right-recursive, so statements arrive last
/// first; they are kept reversed until [`BlockItems::finish`].
pub struct BlockItems {
    /// Statements in reverse source order.
    reversed_stmts: Vec<Stmt>,
    /// The block's value expression, if any.
    tail: Option<Expr>,
}

impl BlockItems {
    pub fn empty() -> BlockItems {
        BlockItems {
            reversed_stmts: Vec::new(),
            tail: None,
        }
    }

    pub fn with_tail(tail: Expr) -> BlockItems {
        BlockItems {
            reversed_stmts: Vec::new(),
            tail: Some(tail),
        }
    }

    pub fn push_front(mut self, stmt: Stmt) -> BlockItems {
        self.reversed_stmts.push(stmt);
        self
    }

    /// A block-like expression without `;`. If it is the last thing in the
    /// block and can have a value (a `{ .. }` block or an `if` with `else`),
    /// it is the block's tail, as in Rust. An `if` without `else` stays a
    /// statement: it has no value. Attributes before it stay with it.
    pub fn push_block_like(mut self, attrs: Option<Vec<Attribute>>, expr: Expr) -> BlockItems {
        let is_last = self.reversed_stmts.is_empty() && self.tail.is_none();
        let has_value = !matches!(
            expr.kind,
            ExprKind::If {
                else_block: None,
                ..
            }
        );
        if is_last && has_value {
            self.tail = Some(attributed_expr(attrs, expr));
        } else {
            let stmt = Stmt {
                span: expr.span,
                kind: StmtKind::Expr(expr),
            };
            self.reversed_stmts.push(attributed_stmt(attrs, stmt));
        }
        self
    }

    pub fn finish(mut self, span: Span) -> Block {
        self.reversed_stmts.reverse();
        Block {
            stmts: self.reversed_stmts,
            tail: self.tail.map(Box::new),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{BinaryOp, TypeExprKind};

    fn parse_ok(source: &str) -> ast::Module {
        match parse(FileId(0), source) {
            Ok(module) => module,
            Err(errors) => panic!("unexpected syntax errors: {errors:?}"),
        }
    }

    fn body_of(source: &str) -> Block {
        let module = parse_ok(source);
        module
            .items
            .into_iter()
            .next()
            .map(|f| f.body)
            .expect("one function")
    }

    #[test]
    fn precedence_and_associativity() {
        let body = body_of("fn f() -> bool { 1 + 2 * 3 - 4 < 5 || !a && b }");
        let tail = body.tail.expect("tail");
        let ExprKind::Binary(BinaryOp::Or, lhs, rhs) = tail.kind else {
            panic!("expected ||, got {tail:?}")
        };
        let ExprKind::Binary(BinaryOp::Lt, sum, _) = lhs.kind else {
            panic!("expected <")
        };
        // `(1 + 2 * 3) - 4`: subtraction is the outermost, left-associative.
        let ExprKind::Binary(BinaryOp::Sub, add, _) = sum.kind else {
            panic!("expected -")
        };
        assert!(matches!(add.kind, ExprKind::Binary(BinaryOp::Add, _, _)));
        assert!(matches!(rhs.kind, ExprKind::Binary(BinaryOp::And, _, _)));
    }

    #[test]
    fn block_like_statement_ends_statement_and_last_if_else_is_tail() {
        let body = body_of(
            "fn f(x: real) -> real { if x > 0.0 { g(); } let y = 1.0; if x > y { x } else { y } }",
        );
        assert_eq!(body.stmts.len(), 2);
        assert!(matches!(body.stmts[0].kind, StmtKind::Expr(_)));
        assert!(matches!(
            body.tail.expect("tail").kind,
            ExprKind::If {
                else_block: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn if_without_else_at_end_is_a_statement() {
        let body = body_of("fn f() -> int { if true { g(); } }");
        assert!(body.tail.is_none());
        assert_eq!(body.stmts.len(), 1);
    }

    #[test]
    fn assignments_types_and_docs() {
        let module = parse_ok(
            "/// Doc line.\n/// Second.\nfn f(x: real[n, 3]) -> real { let mut y = x; y[0, 1] += 2.0; y[0, 0] }",
        );
        let f = &module.items[0];
        assert_eq!(f.docs, vec![" Doc line.", " Second."]);
        assert!(
            matches!(&f.params[0].ty.kind, TypeExprKind::Array { dims, .. } if dims.len() == 2)
        );
        let StmtKind::Assign { target, op, .. } = &f.body.stmts[1].kind else {
            panic!("expected an assignment")
        };
        assert_eq!(target.indices.len(), 2);
        assert_eq!(*op, ast::AssignOp::Add);
    }

    #[test]
    fn spans_cover_source_text() {
        let source = "fn f() -> real { 1.0 + g(2) }";
        let body = body_of(source);
        let tail = body.tail.expect("tail");
        assert_eq!(&source[tail.span.range()], "1.0 + g(2)");
        assert_eq!(&source[body.span.range()], "{ 1.0 + g(2) }");
    }

    #[test]
    fn errors_are_collected() {
        let errors = parse(FileId(0), "fn f() -> real { let = 1; let y = ; 2.0 }")
            .expect_err("two bad statements");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(matches!(errors[0], SyntaxError::UnexpectedToken { .. }));
    }

    #[test]
    fn invalid_assignment_target() {
        let errors =
            parse(FileId(0), "fn f() -> real { g(1) = 2.0; 1.0 }").expect_err("bad target");
        assert!(matches!(errors[0], SyntaxError::InvalidAssignTarget { .. }));
    }

    #[test]
    fn whole_language_constructs_parse() {
        let module = parse_ok(
            "#![relax(cauchy)]\nuse sorting;\nfn f(x: real[n]) -> real[2 * (n - 1), n] {\n\
             #[bound(8)] while x[0] > 0.0 { }\n\
             #[hard] let k = #[relax(scale = -1.5, network = \"bitonic\")] real(k) > 1.0;\n\
             let c = [[x[i] for i in 0..n] for j in 0..2];\n\
             let l = [1, 2,];\n\
             #[hard] if k { g(); } else { h(); }\n\
             #[hard] { c }\n}",
        );
        assert_eq!(module.inner_attrs.len(), 1);
        assert_eq!(module.uses[0].name.name, "sorting");
        let body = &module.items[0].body;
        let StmtKind::Attributed { attrs, stmt } = &body.stmts[0].kind else {
            panic!("expected an attributed while")
        };
        assert_eq!(attrs[0].name.name, "bound");
        assert!(matches!(stmt.kind, StmtKind::While { .. }));
        let StmtKind::Attributed { stmt, .. } = &body.stmts[1].kind else {
            panic!("expected an attributed let")
        };
        let StmtKind::Let { init, .. } = &stmt.kind else {
            panic!("expected a let")
        };
        // The expression attribute covers the whole comparison.
        let ExprKind::Attributed { attrs, expr } = &init.kind else {
            panic!("expected an attributed expression")
        };
        let Some(args) = &attrs[0].args else {
            panic!("expected arguments")
        };
        assert!(matches!(
            &args[0],
            ast::AttrArg::KeyValue { value: ast::AttrValue { kind: ast::AttrValueKind::Real(v), .. }, .. } if *v == -1.5
        ));
        assert!(matches!(expr.kind, ExprKind::Binary(BinaryOp::Gt, _, _)));
        let StmtKind::Let { init, .. } = &body.stmts[2].kind else {
            panic!("expected a let")
        };
        assert!(
            matches!(&init.kind, ExprKind::Comprehension { body, .. } if matches!(body.kind, ExprKind::Comprehension { .. }))
        );
        let StmtKind::Let { init, .. } = &body.stmts[3].kind else {
            panic!("expected a let")
        };
        assert!(matches!(&init.kind, ExprKind::ArrayLit(items) if items.len() == 2));
        assert!(matches!(body.stmts[4].kind, StmtKind::Attributed { .. }));
        // An attributed block at the end is the tail.
        assert!(matches!(
            body.tail.as_deref().map(|tail| &tail.kind),
            Some(ExprKind::Attributed { .. })
        ));
        let ret = module.items[0].ret.to_string();
        assert_eq!(ret, "real[2 * (n - 1), n]");
    }

    #[test]
    fn comparisons_do_not_chain() {
        assert!(parse(FileId(0), "fn f() -> bool { 1 < 2 < 3 }").is_err());
    }
}
