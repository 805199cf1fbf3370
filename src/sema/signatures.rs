//! Function signatures, resolved before any body is checked.
//!
//! A signature gives each parameter's type in terms of the function's own
//! size variables, which the parameters bind in order (`real[n]` on the first
//! parameter creates `n`; a later `real[n]` refers to it). The result type may
//! only use size variables the parameters bind.

use std::collections::HashMap;

use crate::syntax::ast;
use crate::syntax::span::Span;

use super::error::SemaError;
use super::tast::{Builtin, FnId, SizeVarInfo, Type};
use super::types;

pub const BUILTINS: [Builtin; 5] = [
    Builtin::Sum,
    Builtin::Exp,
    Builtin::Log,
    Builtin::Sqrt,
    Builtin::Len,
];

pub fn builtin_by_name(name: &str) -> Option<Builtin> {
    BUILTINS.into_iter().find(|builtin| builtin.name() == name)
}

pub struct Signature {
    pub name: String,
    pub name_span: Span,
    /// Parameter types in the callee's terms.
    pub params: Vec<Type>,
    /// `None` when the written result type did not resolve (already reported).
    pub ret: Option<Type>,
    pub size_vars: Vec<SizeVarInfo>,
}

pub struct Signatures {
    /// One per item of the module, in order, so `FnId(i)` is item `i`.
    pub fns: Vec<Signature>,
    /// The first function of each name; builtins' names are never here.
    by_name: HashMap<String, FnId>,
}

impl Signatures {
    pub fn get(&self, id: FnId) -> &Signature {
        &self.fns[id.0 as usize]
    }

    pub fn lookup(&self, name: &str) -> Option<FnId> {
        self.by_name.get(name).copied()
    }

    /// Function and builtin names, for suggestions.
    pub fn callable_names(&self) -> impl Iterator<Item = &str> {
        self.fns
            .iter()
            .map(|sig| sig.name.as_str())
            .chain(BUILTINS.iter().map(|builtin| builtin.name()))
    }
}

pub fn collect(module: &ast::Module, errors: &mut Vec<SemaError>) -> Signatures {
    let mut by_name: HashMap<String, FnId> = HashMap::new();
    let mut fns = Vec::with_capacity(module.items.len());
    for (index, def) in module.items.iter().enumerate() {
        let name = &def.name;
        if builtin_by_name(&name.name).is_some() {
            errors.push(SemaError::BuiltinRedefined {
                span: name.span,
                name: name.name.clone(),
            });
        } else if let Some(first) = by_name.get(&name.name) {
            let first_span = module.items[first.0 as usize].name.span;
            errors.push(SemaError::DuplicateFunction {
                span: name.span,
                name: name.name.clone(),
                first: first_span,
            });
        } else {
            let _ = by_name.insert(name.name.clone(), FnId(index as u32));
        }
        fns.push(signature(def, errors));
    }
    Signatures { fns, by_name }
}

fn signature(def: &ast::FnDef, errors: &mut Vec<SemaError>) -> Signature {
    let mut size_vars = Vec::new();
    let params = def
        .params
        .iter()
        .enumerate()
        .map(|(index, param)| types::resolve_param(&param.ty, index, &mut size_vars))
        .collect();
    let ret = match types::resolve(&def.ret, &size_vars) {
        Ok(ty) => Some(ty),
        Err(unbound) => {
            for (name, span) in unbound.0 {
                errors.push(SemaError::UnboundSize {
                    span,
                    name,
                    fn_name: def.name.name.clone(),
                });
            }
            None
        }
    };
    Signature {
        name: def.name.name.clone(),
        name_span: def.name.span,
        params,
        ret,
        size_vars,
    }
}
