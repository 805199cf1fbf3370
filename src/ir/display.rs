//! The stable text form of the IR, used by `smoothc ir` and the snapshots.
//!
//! ```text
//! fn max2(%0 a: real param, %1 b: real param) -> %2
//!   %2 result: real temp
//!   v0 = read %0
//!   v1 = read %1
//!   v2 = gt v0, v1
//!   if v2 {
//!     ...
//!   } else {
//!     ...
//!   }
//! ```
//!
//! Spans are not printed: the text must not change when unrelated source
//! lines move.

use super::{BinaryOp, BlockId, Func, Inst, ScalarType, Size, UnaryOp, VarRole, VarType};
use std::fmt::{self, Write};

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|var| {
                format!(
                    "{var} {}: {}",
                    self.vars[*var].name,
                    self.type_text(&self.vars[*var].ty)
                )
            })
            .collect();
        let outputs: Vec<String> = self.outputs.iter().map(|var| var.to_string()).collect();
        writeln!(
            f,
            "fn {}({}) -> ({})",
            self.name,
            params.join(", "),
            outputs.join(", ")
        )?;
        for (size, data) in self.sizes.iter() {
            writeln!(
                f,
                "  {size} {} = extent of param {} dim {}",
                data.name, data.bound_by.0, data.bound_by.1
            )?;
        }
        for (size, data) in self.derived_sizes.iter() {
            writeln!(f, "  {size} = {}", data.text)?;
        }
        for (id, attrs) in self.attrs.iter() {
            writeln!(f, "  {id} = {attrs:?}")?;
        }
        for (var, data) in self.vars.iter() {
            if matches!(data.role, VarRole::Param(_)) {
                continue;
            }
            let role = match data.role {
                VarRole::Param(_) => String::new(),
                VarRole::Local => "local".to_string(),
                VarRole::Temp => "temp".to_string(),
                VarRole::Adjoint(primal) => format!("adjoint of {primal}"),
            };
            writeln!(
                f,
                "  {var} {}: {} {role}",
                data.name,
                self.type_text(&data.ty)
            )?;
        }
        let mut body = String::new();
        self.write_block(&mut body, self.entry, 1)?;
        f.write_str(&body)
    }
}

impl Func {
    fn type_text(&self, ty: &VarType) -> String {
        match ty {
            VarType::Scalar(scalar) => scalar_name(*scalar).to_string(),
            VarType::Array { elem, dims } => {
                let dims: Vec<String> = dims.iter().map(|dim| self.size_text(*dim)).collect();
                format!("{}[{}]", scalar_name(*elem), dims.join(", "))
            }
        }
    }

    fn size_text(&self, size: Size) -> String {
        match size {
            Size::Const(value) => value.to_string(),
            Size::Param(id) => self.sizes[id].name.clone(),
            Size::Derived(id) => self.derived_sizes[id].text.clone(),
        }
    }

    fn write_block(&self, out: &mut String, block: BlockId, depth: usize) -> fmt::Result {
        for inst in &self.blocks[block].insts {
            let indent = "  ".repeat(depth);
            let result = match self.types[*inst] {
                Some(_) => format!("{inst} = "),
                None => String::new(),
            };
            let site = match self.site_attrs[*inst] {
                Some(attrs) => format!("  ; {attrs}"),
                None => String::new(),
            };
            match &self.insts[*inst] {
                Inst::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    writeln!(out, "{indent}if {cond} {{{site}")?;
                    self.write_block(out, *then_block, depth + 1)?;
                    writeln!(out, "{indent}}} else {{")?;
                    self.write_block(out, *else_block, depth + 1)?;
                    writeln!(out, "{indent}}}")?;
                }
                Inst::For {
                    counter,
                    lo,
                    hi,
                    body,
                    reverse,
                } => {
                    let direction = if *reverse { " reverse" } else { "" };
                    writeln!(
                        out,
                        "{indent}for {counter} in {lo}..{hi}{direction} {{{site}"
                    )?;
                    self.write_block(out, *body, depth + 1)?;
                    writeln!(out, "{indent}}}")?;
                }
                Inst::Loop { flag, body, bound } => {
                    let bound = bound
                        .map(|bound| format!(" bound {bound}"))
                        .unwrap_or_default();
                    writeln!(out, "{indent}loop while {flag}{bound} {{{site}")?;
                    self.write_block(out, *body, depth + 1)?;
                    writeln!(out, "{indent}}}")?;
                }
                other => writeln!(out, "{indent}{result}{}{site}", self.inst_text(other))?,
            }
        }
        Ok(())
    }

    fn inst_text(&self, inst: &Inst) -> String {
        let list = |values: &[super::InstId]| {
            values
                .iter()
                .map(|value| value.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match inst {
            Inst::Real(value) => format!("real {value:?}"),
            Inst::Int(value) => format!("int {value}"),
            Inst::Bool(value) => format!("bool {value}"),
            Inst::Tau => "tau".to_string(),
            Inst::Baseline => "baseline".to_string(),
            Inst::Noise { kind, counter } => format!("noise {} {counter}", kind.name()),
            Inst::StopGradient(value) => format!("stop_gradient {value}"),
            Inst::SizeOf(size) => format!("size {}", self.size_text(*size)),
            Inst::Read(var) => format!("read {var}"),
            Inst::Write { var, value } => format!("write {var}, {value}"),
            Inst::Load { array, indices } => format!("load {array}[{}]", list(indices)),
            Inst::ArgMax { array, min } => {
                format!("{} {array}", if *min { "argmin" } else { "argmax" })
            }
            Inst::Store {
                array,
                indices,
                value,
            } => format!("store {array}[{}], {value}", list(indices)),
            Inst::Unary(op, operand) => format!("{} {operand}", unary_name(*op)),
            Inst::Binary(op, lhs, rhs) => format!("{} {lhs}, {rhs}", binary_name(*op)),
            Inst::Select {
                cond,
                then,
                otherwise,
            } => format!("select {cond}, {then}, {otherwise}"),
            Inst::SortArray { op, input, output } => format!("{} {output}, {input}", sort_name(op)),
            Inst::SortArrayVjp {
                op,
                input,
                cotangent,
                target,
            } => format!("{}_vjp {target}, {input}, {cotangent}", sort_name(op)),
            Inst::PushArray(var) => format!("push_array {var}"),
            Inst::PopArray(var) => format!("pop_array {var}"),
            Inst::Push(value) => format!("push {value}"),
            Inst::Pop(ty) => format!("pop {}", scalar_name(*ty)),
            Inst::If { .. } | Inst::For { .. } | Inst::Loop { .. } => String::new(),
        }
    }
}

fn scalar_name(scalar: ScalarType) -> &'static str {
    match scalar {
        ScalarType::Real => "real",
        ScalarType::Int => "int",
        ScalarType::Bool => "bool",
    }
}

fn unary_name(op: UnaryOp) -> String {
    let name = match op {
        UnaryOp::Neg => "neg",
        UnaryOp::Not => "not",
        UnaryOp::Exp => "exp",
        UnaryOp::Log => "log",
        UnaryOp::Sqrt => "sqrt",
        UnaryOp::ClampedReciprocal => "clamped_reciprocal",
        UnaryOp::Sigmoid => "sigmoid",
        UnaryOp::Softplus => "softplus",
        UnaryOp::Sin => "sin",
        UnaryOp::Cos => "cos",
        UnaryOp::Tanh => "tanh",
        UnaryOp::Floor => "floor",
        UnaryOp::Ceil => "ceil",
        UnaryOp::Round => "round",
        UnaryOp::ToReal => "to_real",
        UnaryOp::Cdf(distribution) => return format!("cdf_{}", distribution.name()),
        UnaryOp::Density(distribution) => return format!("density_{}", distribution.name()),
    };
    name.to_string()
}

fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "sub",
        BinaryOp::Mul => "mul",
        BinaryOp::Div => "div",
        BinaryOp::Rem => "rem",
        BinaryOp::Pow => "pow",
        BinaryOp::Lt => "lt",
        BinaryOp::Le => "le",
        BinaryOp::Gt => "gt",
        BinaryOp::Ge => "ge",
        BinaryOp::Eq => "eq",
        BinaryOp::Ne => "ne",
        BinaryOp::And => "and",
        BinaryOp::Or => "or",
    }
}

/// `sort`, `rank`, `soft_sort_l2(v3)`, `soft_rank_kl(v3)`.
fn sort_name(op: &super::SortArray) -> String {
    let what = if op.ranks { "rank" } else { "sort" };
    match op.relaxation {
        None => what.to_string(),
        Some((regularization, strength)) => {
            let regularization = match regularization {
                super::Regularization::L2 => "l2",
                super::Regularization::Kl => "kl",
            };
            format!("soft_{what}_{regularization}({strength})")
        }
    }
}
