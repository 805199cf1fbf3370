//! Function signatures, resolved before any body is checked, and the
//! overload sets of each name.
//!
//! A signature gives each parameter's type in terms of the function's own
//! size variables, which the parameters bind in order (`real[n]` on the first
//! parameter creates `n`; a later `real[n]` refers to it). The result type may
//! only use size variables the parameters bind, with size arithmetic.
//!
//! Several functions may share a name when their parameter lists differ in
//! the *overload key*: the scalar kind and rank of each parameter (sizes do
//! not count). A user function with the key of a stdlib function shadows it;
//! two user (or two stdlib) functions with one key are an error.

use std::collections::HashMap;

use crate::syntax::ast;
use crate::syntax::span::Span;

use super::error::{Candidate, SemaError};
use super::tast::{Builtin, FnId, FnOrigin, Scalar, SizeVarInfo, Type};
use super::types;

pub const BUILTINS: [Builtin; 23] = [
    Builtin::SoftSort,
    Builtin::SoftRank,
    Builtin::SoftSortKl,
    Builtin::SoftRankKl,
    Builtin::Sum,
    Builtin::Exp,
    Builtin::Log,
    Builtin::Sqrt,
    Builtin::Sin,
    Builtin::Cos,
    Builtin::Tanh,
    Builtin::Sigmoid,
    Builtin::Softplus,
    Builtin::Pow,
    Builtin::Floor,
    Builtin::Ceil,
    Builtin::Round,
    Builtin::Real,
    Builtin::Len,
    Builtin::Argmax,
    Builtin::Argmin,
    Builtin::Zeros,
    Builtin::Fill,
];

pub fn builtin_by_name(name: &str) -> Option<Builtin> {
    BUILTINS.into_iter().find(|builtin| builtin.name() == name)
}

/// One module to check, with where its functions come from.
pub struct Unit<'a> {
    pub module: &'a ast::Module,
    pub origin: FnOrigin,
}

pub struct Signature {
    pub name: String,
    pub name_span: Span,
    /// Parameter names, for describing candidates.
    pub param_names: Vec<String>,
    /// Parameter types in the callee's terms.
    pub params: Vec<Type>,
    /// `None` when the written result type did not resolve (already reported).
    pub ret: Option<Type>,
    pub size_vars: Vec<SizeVarInfo>,
    pub origin: FnOrigin,
}

impl Signature {
    /// The candidate description used by overload errors.
    pub fn candidate(&self) -> Candidate {
        Candidate {
            name: self.name.clone(),
            params: self
                .param_names
                .iter()
                .zip(&self.params)
                .map(|(name, ty)| (name.clone(), types::describe(ty, &self.size_vars)))
                .collect(),
            ret: self
                .ret
                .as_ref()
                .map(|ty| types::describe(ty, &self.size_vars)),
            span: self.name_span,
            stdlib_module: match &self.origin {
                FnOrigin::User => None,
                FnOrigin::Stdlib(module) => Some(module.clone()),
            },
        }
    }
}

pub struct Signatures {
    /// One per function of the units, in order, so `FnId(i)` is the `i`-th
    /// function counting across units.
    pub fns: Vec<Signature>,
    /// The visible overloads of each name, in definition order: shadowed
    /// stdlib functions are left out. Builtins' names are never here.
    by_name: HashMap<String, Vec<FnId>>,
}

/// What distinguishes overloads: the scalar kind and rank of each parameter.
pub fn overload_key(params: &[Type]) -> Vec<(Scalar, usize)> {
    params
        .iter()
        .map(|ty| match ty {
            Type::Scalar(scalar) => (*scalar, 0),
            Type::Array { elem, dims } => (*elem, dims.len()),
            // Parameters always have a written type, never `()`.
            Type::Unit => (Scalar::Bool, usize::MAX),
        })
        .collect()
}

impl Signatures {
    pub fn get(&self, id: FnId) -> &Signature {
        &self.fns[id.0 as usize]
    }

    /// The visible functions called `name` (empty if none).
    pub fn overloads(&self, name: &str) -> &[FnId] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Function and builtin names, sorted (so suggestions are stable).
    pub fn callable_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .by_name
            .keys()
            .map(String::as_str)
            .chain(BUILTINS.iter().map(|builtin| builtin.name()))
            .collect();
        names.sort_unstable();
        names
    }
}

pub fn collect(units: &[Unit<'_>], errors: &mut Vec<SemaError>) -> Signatures {
    let mut by_name: HashMap<String, Vec<FnId>> = HashMap::new();
    let mut fns: Vec<Signature> = Vec::new();
    for unit in units {
        for def in &unit.module.items {
            let id = FnId(fns.len() as u32);
            let signature = signature(def, unit.origin.clone(), errors);
            let name = &def.name;
            if builtin_by_name(&name.name).is_some() {
                errors.push(SemaError::BuiltinRedefined {
                    span: name.span,
                    name: name.name.clone(),
                });
                fns.push(signature);
                continue;
            }
            let key = overload_key(&signature.params);
            let overloads = by_name.entry(name.name.clone()).or_default();
            let same_key = overloads
                .iter()
                .position(|other| overload_key(&fns[other.0 as usize].params) == key);
            match same_key {
                None => overloads.push(id),
                Some(position) => {
                    let first = &fns[overloads[position].0 as usize];
                    let shadows_stdlib = matches!(first.origin, FnOrigin::Stdlib(_))
                        && signature.origin == FnOrigin::User;
                    if shadows_stdlib {
                        overloads[position] = id;
                    } else {
                        errors.push(SemaError::DuplicateFunction {
                            span: name.span,
                            name: name.name.clone(),
                            first: first.name_span,
                        });
                    }
                }
            }
            fns.push(signature);
        }
    }
    Signatures { fns, by_name }
}

fn signature(def: &ast::FnDef, origin: FnOrigin, errors: &mut Vec<SemaError>) -> Signature {
    let fn_name = &def.name.name;
    let mut size_vars = Vec::new();
    let params = def
        .params
        .iter()
        .enumerate()
        .map(|(index, param)| {
            types::resolve_param(&param.ty, index, &mut size_vars, fn_name, errors)
        })
        .collect();
    let ret = types::resolve(&def.ret, &size_vars, fn_name, errors);
    Signature {
        name: def.name.name.clone(),
        name_span: def.name.span,
        param_names: def
            .params
            .iter()
            .map(|param| param.name.name.clone())
            .collect(),
        params,
        ret,
        size_vars,
        origin,
    }
}
