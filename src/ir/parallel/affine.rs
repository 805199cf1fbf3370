//! Index expressions as affine functions of a loop counter:
//! `counter * p + sum of coefficient * invariant atom + constant`.
//!
//! The atoms are what stays the same in every iteration of one run of the
//! loop: reads of variables the loop body does not write, size parameters
//! and derived sizes, and (opaque, by value) any other loop-invariant int
//! value. Two indices built the same way from the same atoms have the same
//! canonical form, so their difference is known at compile time.
//!
//! Ints wrap in the IR; the forms are exact modulo 2^64 (wrapping
//! arithmetic is a ring), and the constant coefficients are combined with
//! checked arithmetic, so that a form is never wrong: an overflow gives no
//! form at all.

use crate::ir::{DerivedSizeId, InstId, SizeId, VarId};
use std::collections::BTreeMap;

/// A loop-invariant quantity an index may be built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Atom {
    /// The value of a scalar variable the loop body does not write.
    Var(VarId),
    Size(SizeId),
    Derived(DerivedSizeId),
    /// A loop-invariant int computed some other way (a product of atoms,
    /// a division), known only by its value.
    Value(InstId),
}

/// `counter * p + sum(terms) + constant`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Affine {
    /// The coefficient of the loop counter (the stride).
    pub counter: i64,
    /// The coefficient of each atom; never zero.
    pub terms: BTreeMap<Atom, i64>,
    pub constant: i64,
}

impl Affine {
    pub fn constant(value: i64) -> Affine {
        Affine {
            constant: value,
            ..Affine::default()
        }
    }

    pub fn atom(atom: Atom) -> Affine {
        Affine {
            terms: BTreeMap::from([(atom, 1)]),
            ..Affine::default()
        }
    }

    /// `p`, the loop counter.
    pub fn counter() -> Affine {
        Affine {
            counter: 1,
            ..Affine::default()
        }
    }

    /// Whether the form is a constant (no counter, no atom).
    pub fn as_constant(&self) -> Option<i64> {
        (self.counter == 0 && self.terms.is_empty()).then_some(self.constant)
    }

    /// Whether the form has the same invariant part as `other` up to the
    /// constant: same stride, same atoms with the same coefficients.
    pub fn same_base(&self, other: &Affine) -> bool {
        self.counter == other.counter && self.terms == other.terms
    }

    pub fn add(&self, other: &Affine) -> Option<Affine> {
        self.combine(other, 1)
    }

    pub fn sub(&self, other: &Affine) -> Option<Affine> {
        self.combine(other, -1)
    }

    /// `self + sign * other`.
    fn combine(&self, other: &Affine, sign: i64) -> Option<Affine> {
        let mut result = self.clone();
        result.counter = result
            .counter
            .checked_add(other.counter.checked_mul(sign)?)?;
        result.constant = result
            .constant
            .checked_add(other.constant.checked_mul(sign)?)?;
        for (atom, coefficient) in &other.terms {
            let entry = result.terms.entry(*atom).or_insert(0);
            *entry = entry.checked_add(coefficient.checked_mul(sign)?)?;
            if *entry == 0 {
                let _ = result.terms.remove(atom);
            }
        }
        Some(result)
    }

    /// `factor * self`.
    pub fn scale(&self, factor: i64) -> Option<Affine> {
        if factor == 0 {
            return Some(Affine::constant(0));
        }
        let mut terms = BTreeMap::new();
        for (atom, coefficient) in &self.terms {
            let _ = terms.insert(*atom, coefficient.checked_mul(factor)?);
        }
        Some(Affine {
            counter: self.counter.checked_mul(factor)?,
            terms,
            constant: self.constant.checked_mul(factor)?,
        })
    }

    /// `self * other` when one side is a constant.
    pub fn mul(&self, other: &Affine) -> Option<Affine> {
        match (self.as_constant(), other.as_constant()) {
            (Some(factor), _) => other.scale(factor),
            (None, Some(factor)) => self.scale(factor),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_entity::EntityRef;

    #[test]
    fn forms_built_alike_compare_equal_up_to_the_constant() {
        let start = Affine::atom(Atom::Var(VarId::new(7)));
        let two_p = Affine::counter().scale(2).expect("small");
        let i = start.add(&two_p).expect("small");
        let i_plus_one = i.add(&Affine::constant(1)).expect("small");
        assert!(i.same_base(&i_plus_one));
        assert_eq!(i_plus_one.constant - i.constant, 1);
        assert_eq!(i.counter, 2);
        let other_start = Affine::atom(Atom::Var(VarId::new(8))).add(&two_p);
        assert!(!i.same_base(&other_start.expect("small")));
    }

    #[test]
    fn atoms_cancel_and_products_of_non_constants_have_no_form() {
        let n = Affine::atom(Atom::Size(SizeId::new(0)));
        let zero = n.sub(&n).expect("small");
        assert_eq!(zero.as_constant(), Some(0));
        assert_eq!(n.mul(&Affine::counter()), None);
        assert_eq!(
            Affine::counter().mul(&Affine::constant(3)),
            Some(Affine::counter().scale(3).expect("small"))
        );
    }

    #[test]
    fn overflow_gives_no_form() {
        let big = Affine::constant(i64::MAX);
        assert_eq!(big.add(&Affine::constant(1)), None);
        assert_eq!(
            Affine::counter().scale(i64::MAX).and_then(|f| f.scale(2)),
            None
        );
    }
}
