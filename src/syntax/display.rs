//! A stable text dump of the AST, for `smoothc ir --stage ast` and snapshots.
//!
//! Items and statements are one per line, indented by two spaces per block.
//! Expressions are S-expressions (`(+ a (* b 2))`, `(index y j)`,
//! `(call f x)`), so precedence is explicit. An `if` or block that is a whole
//! statement, `let` initializer or tail is printed over several lines; one
//! nested inside another expression is printed inline with braces. Spans are
//! not printed.
//!
//! ```text
//! fn bubble_sort(x: real[n]) -> real[n]
//!   let mut y = x
//!   for i in 0..n
//!     if (> (index y 0) 1.0)
//!       y[0] = 1.0
//!   value y
//! ```

use std::fmt::{self, Write};

use super::ast::{
    AssignOp, AttrArg, AttrValueKind, Attribute, Block, Expr, ExprKind, FnDef, Module, ScalarKind,
    SizeExpr, Stmt, StmtKind, TypeExpr, TypeExprKind, UnaryOp,
};

/// Renders a whole module.
pub fn module_to_string(module: &Module) -> String {
    module.to_string()
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for attr in &self.inner_attrs {
            writeln!(f, "#!{}", attr_text(attr).trim_start_matches('#'))?;
        }
        for use_item in &self.uses {
            writeln!(f, "use {}", use_item.name.name)?;
        }
        let has_header = !self.inner_attrs.is_empty() || !self.uses.is_empty();
        if has_header && !self.items.is_empty() {
            writeln!(f)?;
        }
        for (index, item) in self.items.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write_fn(f, item)?;
        }
        Ok(())
    }
}

/// `#[relax(cauchy, scale = 0.5)]`
fn attr_text(attr: &Attribute) -> String {
    let mut out = format!("#[{}", attr.name.name);
    if let Some(args) = &attr.args {
        let args: Vec<String> = args
            .iter()
            .map(|arg| match arg {
                AttrArg::Word(word) => word.name.clone(),
                AttrArg::Value(value) => value_text(&value.kind),
                AttrArg::KeyValue { key, value, .. } => {
                    format!("{} = {}", key.name, value_text(&value.kind))
                }
            })
            .collect();
        out.push_str(&format!("({})", args.join(", ")));
    }
    out.push(']');
    out
}

fn value_text(value: &AttrValueKind) -> String {
    match value {
        AttrValueKind::Str(text) => format!("{text:?}"),
        AttrValueKind::Int(value) => value.to_string(),
        AttrValueKind::Real(value) => format!("{value:?}"),
    }
}

fn attrs_text(attrs: &[Attribute]) -> String {
    attrs.iter().map(attr_text).collect::<Vec<_>>().join(" ")
}

/// A size in source syntax, fully parenthesized below the top level.
fn size_text(size: &SizeExpr, nested: bool) -> String {
    match size {
        SizeExpr::Name(name) => name.name.clone(),
        SizeExpr::Lit { value, .. } => value.to_string(),
        SizeExpr::Binary { op, lhs, rhs, .. } => {
            let text = format!(
                "{} {} {}",
                size_text(lhs, true),
                op.symbol(),
                size_text(rhs, true)
            );
            if nested { format!("({text})") } else { text }
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TypeExprKind::Scalar(kind) => f.write_str(scalar_name(*kind)),
            TypeExprKind::Array { elem, dims } => {
                write!(f, "{}[", scalar_name(*elem))?;
                for (index, dim) in dims.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&size_text(dim, false))?;
                }
                f.write_str("]")
            }
        }
    }
}

fn scalar_name(kind: ScalarKind) -> &'static str {
    match kind {
        ScalarKind::Real => "real",
        ScalarKind::Int => "int",
        ScalarKind::Bool => "bool",
    }
}

fn write_fn(f: &mut impl Write, item: &FnDef) -> fmt::Result {
    for line in &item.docs {
        writeln!(f, "///{line}")?;
    }
    write!(f, "fn {}(", item.name.name)?;
    for (index, param) in item.params.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {}", param.name.name, param.ty)?;
    }
    writeln!(f, ") -> {}", item.ret)?;
    write_block_body(f, &item.body, 1)
}

fn indent(f: &mut impl Write, depth: usize) -> fmt::Result {
    for _ in 0..depth {
        f.write_str("  ")?;
    }
    Ok(())
}

/// The statements and tail of a block, each on its own line at `depth`.
fn write_block_body(f: &mut impl Write, block: &Block, depth: usize) -> fmt::Result {
    if depth > MAX_PRINT_NESTING {
        indent(f, depth)?;
        return f.write_str("...\n");
    }
    for stmt in &block.stmts {
        write_stmt(f, stmt, depth)?;
    }
    if let Some(tail) = &block.tail {
        indent(f, depth)?;
        f.write_str("value ")?;
        write_expr_line(f, tail, depth)?;
    }
    if block.stmts.is_empty() && block.tail.is_none() {
        indent(f, depth)?;
        f.write_str("(empty)\n")?;
    }
    Ok(())
}

fn write_stmt(f: &mut impl Write, stmt: &Stmt, depth: usize) -> fmt::Result {
    indent(f, depth)?;
    write_stmt_body(f, stmt, depth)
}

/// A statement after its indentation.
fn write_stmt_body(f: &mut impl Write, stmt: &Stmt, depth: usize) -> fmt::Result {
    match &stmt.kind {
        StmtKind::Let {
            name,
            mutable,
            ty,
            init,
        } => {
            f.write_str("let ")?;
            if *mutable {
                f.write_str("mut ")?;
            }
            f.write_str(&name.name)?;
            if let Some(ty) = ty {
                write!(f, ": {ty}")?;
            }
            f.write_str(" = ")?;
            write_expr_line(f, init, depth)
        }
        StmtKind::Assign { target, op, value } => {
            f.write_str(&target.name.name)?;
            if !target.indices.is_empty() {
                f.write_str("[")?;
                write_list_at(f, &target.indices, ", ", depth)?;
                f.write_str("]")?;
            }
            let op = match op {
                AssignOp::Set => "=",
                AssignOp::Add => "+=",
                AssignOp::Sub => "-=",
                AssignOp::Mul => "*=",
                AssignOp::Div => "/=",
            };
            write!(f, " {op} ")?;
            write_expr_line(f, value, depth)
        }
        StmtKind::For { var, lo, hi, body } => {
            write!(f, "for {} in ", var.name)?;
            write_expr_at(f, lo, depth)?;
            f.write_str("..")?;
            write_expr_at(f, hi, depth)?;
            f.write_str("\n")?;
            write_block_body(f, body, depth + 1)
        }
        StmtKind::While { cond, body } => {
            f.write_str("while ")?;
            write_expr_at(f, cond, depth)?;
            f.write_str("\n")?;
            write_block_body(f, body, depth + 1)
        }
        StmtKind::Expr(expr) => write_expr_line(f, expr, depth),
        StmtKind::Attributed { attrs, stmt } => {
            write!(f, "{} ", attrs_text(attrs))?;
            write_stmt_body(f, stmt, depth)
        }
    }
}

/// An expression that ends a line: a top-level `if` or block is spread over
/// the following lines, anything else is printed inline.
fn write_expr_line(f: &mut impl Write, expr: &Expr, depth: usize) -> fmt::Result {
    match &expr.kind {
        ExprKind::If {
            cond,
            then_block,
            else_block,
        } => {
            f.write_str("if ")?;
            write_expr_at(f, cond, depth)?;
            f.write_str("\n")?;
            write_block_body(f, then_block, depth + 1)?;
            match else_block {
                // `else if`: an else block that is only an `if`.
                Some(Block {
                    stmts,
                    tail: Some(inner),
                    ..
                }) if stmts.is_empty() && matches!(inner.kind, ExprKind::If { .. }) => {
                    indent(f, depth)?;
                    f.write_str("else ")?;
                    write_expr_line(f, inner, depth)
                }
                Some(else_block) => {
                    indent(f, depth)?;
                    f.write_str("else\n")?;
                    write_block_body(f, else_block, depth + 1)
                }
                None => Ok(()),
            }
        }
        ExprKind::Block(block) => {
            f.write_str("block\n")?;
            write_block_body(f, block, depth + 1)
        }
        _ => {
            write_expr_at(f, expr, depth)?;
            f.write_str("\n")
        }
    }
}

fn write_list_at(f: &mut impl Write, exprs: &[Expr], separator: &str, level: usize) -> fmt::Result {
    for (index, expr) in exprs.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        write_expr_at(f, expr, level)?;
    }
    Ok(())
}

/// An expression inline, as an S-expression.
/// The deepest nesting printed; deeper parts print as `...`, so that a
/// pathological input cannot overflow the stack (sema rejects such programs
/// anyway, see `sema::check::MAX_NESTING`).
const MAX_PRINT_NESTING: usize = 200;

fn write_expr_at(f: &mut impl Write, expr: &Expr, level: usize) -> fmt::Result {
    if level > MAX_PRINT_NESTING {
        return f.write_str("...");
    }
    let level = level + 1;
    match &expr.kind {
        // `{:?}` keeps the decimal point (`1.0`), so reals and ints differ.
        ExprKind::Real(value) => write!(f, "{value:?}"),
        ExprKind::Int(value) => write!(f, "{value}"),
        ExprKind::Bool(value) => write!(f, "{value}"),
        ExprKind::Var(name) => f.write_str(&name.name),
        ExprKind::Unary(op, operand) => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "!",
            };
            write!(f, "({op} ")?;
            write_expr_at(f, operand, level)?;
            f.write_str(")")
        }
        ExprKind::Binary(op, lhs, rhs) => {
            write!(f, "({} ", op.symbol())?;
            write_expr_at(f, lhs, level)?;
            f.write_str(" ")?;
            write_expr_at(f, rhs, level)?;
            f.write_str(")")
        }
        ExprKind::Call { callee, args } => {
            write!(f, "(call {}", callee.name)?;
            for arg in args {
                f.write_str(" ")?;
                write_expr_at(f, arg, level)?;
            }
            f.write_str(")")
        }
        ExprKind::Index { base, indices } => {
            f.write_str("(index ")?;
            write_expr_at(f, base, level)?;
            for index in indices {
                f.write_str(" ")?;
                write_expr_at(f, index, level)?;
            }
            f.write_str(")")
        }
        ExprKind::ArrayLit(elems) => {
            f.write_str("[")?;
            write_list_at(f, elems, " ", level)?;
            f.write_str("]")
        }
        ExprKind::If {
            cond,
            then_block,
            else_block,
        } => {
            f.write_str("(if ")?;
            write_expr_at(f, cond, level)?;
            f.write_str(" ")?;
            write_block_inline(f, then_block, level)?;
            if let Some(else_block) = else_block {
                f.write_str(" ")?;
                write_block_inline(f, else_block, level)?;
            }
            f.write_str(")")
        }
        ExprKind::Block(block) => write_block_inline(f, block, level),
        ExprKind::Comprehension { body, var, lo, hi } => {
            f.write_str("[")?;
            write_expr_at(f, body, level)?;
            write!(f, " for {} in ", var.name)?;
            write_expr_at(f, lo, level)?;
            f.write_str("..")?;
            write_expr_at(f, hi, level)?;
            f.write_str("]")
        }
        ExprKind::Attributed { attrs, expr } => {
            write!(f, "({} ", attrs_text(attrs))?;
            write_expr_at(f, expr, level)?;
            f.write_str(")")
        }
    }
}

/// A block inside an expression: `{ stmt; ...; tail }` on one line.
fn write_block_inline(f: &mut impl Write, block: &Block, level: usize) -> fmt::Result {
    f.write_str("{")?;
    for stmt in &block.stmts {
        // Statements inside inline blocks use the multi-line printer, then
        // have their line breaks folded to `;`-separated text.
        let mut text = String::new();
        write_stmt(&mut text, stmt, level)?;
        let folded: Vec<&str> = text.lines().map(str::trim).collect();
        write!(f, " {};", folded.join("; "))?;
    }
    if let Some(tail) = &block.tail {
        f.write_str(" ")?;
        write_expr_at(f, tail, level)?;
    }
    f.write_str(" }")
}

#[cfg(test)]
mod tests {
    use crate::syntax::parser::parse;
    use crate::syntax::span::FileId;

    #[test]
    fn dump_is_indented_and_explicit() {
        let source = "/// Sorts.\nfn f(x: real[n]) -> real[n] {\n  let mut y = x;\n  for i in 0..n - 1 {\n    if y[i] > 1.0 { y[i] = 1.0; } else if true { y[i] += 2; }\n  }\n  let z = 1 + if true { 2 } else { 3 } * 4;\n  y\n}\n";
        let module = parse(FileId(0), source).expect("parses");
        let expected = "\
/// Sorts.
fn f(x: real[n]) -> real[n]
  let mut y = x
  for i in 0..(- n 1)
    value if (> (index y i) 1.0)
      y[i] = 1.0
    else if true
      y[i] += 2
  let z = (+ 1 (* (if true { 2 } { 3 }) 4))
  value y
";
        assert_eq!(module.to_string(), expected);
    }

    #[test]
    fn dump_shows_attributes_loops_and_comprehensions() {
        let source = "#![relax(cauchy)]\nuse sorting;\nfn f(x: real[n]) -> real[n - 1] {\n  #[bound(8)] while x[0] > 0.0 { }\n  let k = #[relax(scale = 0.5, network = \"bitonic\")] real(1) > 0.0;\n  [x[i] for i in 1..n]\n}\n";
        let module = parse(FileId(0), source).expect("parses");
        let expected = "\
#![relax(cauchy)]
use sorting

fn f(x: real[n]) -> real[n - 1]
  #[bound(8)] while (> (index x 0) 0.0)
    (empty)
  let k = (#[relax(scale = 0.5, network = \"bitonic\")] (> (call real 1) 0.0))
  value [(index x i) for i in 1..n]
";
        assert_eq!(module.to_string(), expected);
    }

    #[test]
    fn pathological_nesting_is_cut_off() {
        let source = format!("fn f() -> int {{ {}1 }}", "-".repeat(5000));
        let module = parse(FileId(0), &source).expect("parses");
        let text = module.to_string();
        assert!(text.contains("(- ...)"), "{text}");
    }
}
