//! Names and sizes during lowering: the variables of one (possibly inlined)
//! function activation, the translation of typed-AST sizes and types to IR
//! ones, and the attributes of the enclosing sites.
//!
//! Sizes are kept in the *entry* function's size variables: an inlined
//! callee's `real[k - 1]` called with `k = 2 * n` becomes `2 * n - 1` before
//! it reaches the IR, where it is a size parameter, a constant, or a derived
//! size interned in `Func::derived_sizes`.

use super::Lowerer;
use crate::ir::{DerivedSize, Size, SizeId, VarId, VarType};
use crate::sema::tast::{self, LocalId, SiteAttrs, SizeVarId, TFn, Type};
use cranelift_entity::EntityRef;

/// The variables and sizes of one (possibly inlined) function activation.
pub(super) struct FnScope<'p> {
    pub(super) tfn: &'p TFn,
    locals: Vec<Option<VarId>>,
    /// Each size variable of `tfn`, in the entry function's size variables.
    sizes: Vec<tast::Size>,
}

impl<'p> FnScope<'p> {
    /// The scope of the entry function: its sizes are its own.
    pub(super) fn entry(tfn: &'p TFn) -> FnScope<'p> {
        let sizes = (0..tfn.size_vars.len())
            .map(|index| tast::Size::Var(SizeVarId(index as u32)))
            .collect();
        FnScope::new(tfn, sizes)
    }

    /// The scope of an inlined callee whose size variables have the given
    /// values (already in the entry function's terms).
    pub(super) fn new(tfn: &'p TFn, sizes: Vec<tast::Size>) -> FnScope<'p> {
        FnScope {
            tfn,
            locals: vec![None; tfn.locals.len()],
            sizes,
        }
    }

    pub(super) fn bind(&mut self, local: LocalId, var: VarId) {
        self.locals[local.0 as usize] = Some(var);
    }

    pub(super) fn var(&self, local: LocalId) -> VarId {
        self.locals[local.0 as usize].expect("sema resolves every local before its use")
    }

    /// A size of this function in the entry function's size variables.
    pub(super) fn entry_size(&self, size: &tast::Size) -> tast::Size {
        size.substitute(&|var| self.sizes[var.0 as usize].clone())
    }
}

impl Lowerer<'_> {
    /// The IR size of a size of the function `scope` belongs to.
    pub(super) fn ir_size(&mut self, scope: &FnScope<'_>, size: &tast::Size) -> Size {
        match scope.entry_size(size) {
            tast::Size::Const(value) => Size::Const(value),
            tast::Size::Var(var) => Size::Param(SizeId::new(var.0 as usize)),
            tast::Size::Poly(poly) => {
                if let Some(id) = self.derived.get(&poly) {
                    return Size::Derived(*id);
                }
                let entry = self.entry;
                let text = tast::Size::Poly(poly.clone())
                    .display(&|var| entry.size_vars[var.0 as usize].name.clone());
                let terms = poly
                    .terms
                    .iter()
                    .map(|(monomial, coefficient)| {
                        let sizes = monomial
                            .iter()
                            .map(|var| SizeId::new(var.0 as usize))
                            .collect();
                        (sizes, *coefficient)
                    })
                    .collect();
                let id = self.func.derived_sizes.push(DerivedSize { terms, text });
                let _ = self.derived.insert(poly, id);
                Size::Derived(id)
            }
        }
    }

    /// The IR type of a variable of type `ty` in `scope`'s function.
    pub(super) fn var_type(&mut self, scope: &FnScope<'_>, ty: &Type) -> VarType {
        match ty {
            Type::Scalar(scalar) => VarType::Scalar(super::scalar_type(*scalar)),
            Type::Array { elem, dims } => VarType::Array {
                elem: super::scalar_type(*elem),
                dims: dims.iter().map(|dim| self.ir_size(scope, dim)).collect(),
            },
            // Unit never reaches a variable: sema allows it only as a statement.
            Type::Unit => VarType::Scalar(crate::ir::ScalarType::Bool),
        }
    }

    /// Runs `body` inside an attributed construct: every instruction it
    /// creates that no inner attributed construct claimed gets `attrs`
    /// (merged with the enclosing ones).
    pub(super) fn with_attrs<T>(
        &mut self,
        attrs: &SiteAttrs,
        body: impl FnOnce(&mut Self) -> Result<T, super::LowerError>,
    ) -> Result<T, super::LowerError> {
        if attrs.is_empty() {
            return body(self);
        }
        let merged = match self.attrs.last() {
            Some(outer) => outer.overridden_by(attrs),
            None => attrs.clone(),
        };
        self.attrs.push(merged.clone());
        let first = self.func.insts.len();
        let result = body(self);
        let _ = self.attrs.pop();
        let id = self.func.attrs.push(merged);
        for index in first..self.func.insts.len() {
            let inst = crate::ir::InstId::new(index);
            if self.func.site_attrs[inst].is_none() {
                self.func.site_attrs[inst] = Some(id);
            }
        }
        result
    }
}
