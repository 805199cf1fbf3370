//! Array sizes: polynomials in the size variables with integer coefficients.
//!
//! `real[n]`, `real[n - 1]`, `real[2 * n]`, `real[n * m]` all have a
//! [`Size`]. Sizes are kept in a canonical form, so two sizes are equal
//! exactly when they are equal as polynomials: `n + n` and `2 * n` are the
//! same size. A size that is a plain constant or a single variable is always
//! `Size::Const` or `Size::Var`; `Size::Poly` holds everything else.

use super::tast::SizeVarId;
use std::collections::BTreeMap;

/// The length of one array dimension.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    Const(i64),
    Var(SizeVarId),
    /// Any other polynomial (never a plain constant or single variable).
    Poly(SizePoly),
}

/// `sum of coefficient * product of variables`, monomials sorted, no zero
/// coefficients. The empty monomial is the constant term.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct SizePoly {
    pub terms: Vec<(Vec<SizeVarId>, i64)>,
}

impl SizePoly {
    fn from_map(map: BTreeMap<Vec<SizeVarId>, i64>) -> SizePoly {
        SizePoly {
            terms: map
                .into_iter()
                .filter(|(_, coefficient)| *coefficient != 0)
                .collect(),
        }
    }

    fn to_map(&self) -> BTreeMap<Vec<SizeVarId>, i64> {
        self.terms.iter().cloned().collect()
    }
}

impl Size {
    /// The canonical size of a polynomial.
    pub fn from_poly(poly: SizePoly) -> Size {
        match poly.terms.as_slice() {
            [] => Size::Const(0),
            [(monomial, constant)] if monomial.is_empty() => Size::Const(*constant),
            [(monomial, 1)] if monomial.len() == 1 => Size::Var(monomial[0]),
            _ => Size::Poly(poly),
        }
    }

    pub fn to_poly(&self) -> SizePoly {
        match self {
            Size::Const(value) => SizePoly::from_map(BTreeMap::from([(Vec::new(), *value)])),
            Size::Var(var) => SizePoly::from_map(BTreeMap::from([(vec![*var], 1)])),
            Size::Poly(poly) => poly.clone(),
        }
    }

    pub fn add(&self, other: &Size) -> Size {
        let mut map = self.to_poly().to_map();
        for (monomial, coefficient) in other.to_poly().terms {
            let entry = map.entry(monomial).or_insert(0);
            *entry = entry.wrapping_add(coefficient);
        }
        Size::from_poly(SizePoly::from_map(map))
    }

    pub fn negate(&self) -> Size {
        let poly = self.to_poly();
        Size::from_poly(SizePoly {
            terms: poly
                .terms
                .into_iter()
                .map(|(monomial, coefficient)| (monomial, coefficient.wrapping_neg()))
                .collect(),
        })
    }

    pub fn sub(&self, other: &Size) -> Size {
        self.add(&other.negate())
    }

    pub fn mul(&self, other: &Size) -> Size {
        let mut map: BTreeMap<Vec<SizeVarId>, i64> = BTreeMap::new();
        for (left, a) in self.to_poly().terms {
            for (right, b) in other.to_poly().terms.iter() {
                let mut monomial = left.clone();
                monomial.extend(right.iter().copied());
                monomial.sort();
                let entry = map.entry(monomial).or_insert(0);
                *entry = entry.wrapping_add(a.wrapping_mul(*b));
            }
        }
        Size::from_poly(SizePoly::from_map(map))
    }

    /// Replaces every variable by `value_of(variable)`.
    pub fn substitute(&self, value_of: &dyn Fn(SizeVarId) -> Size) -> Size {
        let mut total = Size::Const(0);
        for (monomial, coefficient) in self.to_poly().terms {
            let mut term = Size::Const(coefficient);
            for var in monomial {
                term = term.mul(&value_of(var));
            }
            total = total.add(&term);
        }
        total
    }

    /// The value of the size given each variable's value.
    pub fn eval(&self, value_of: &dyn Fn(SizeVarId) -> i64) -> i64 {
        self.to_poly()
            .terms
            .iter()
            .map(|(monomial, coefficient)| {
                monomial.iter().fold(*coefficient, |product, var| {
                    product.wrapping_mul(value_of(*var))
                })
            })
            .fold(0i64, i64::wrapping_add)
    }

    /// `2 * n - 1`, with variables named by `name_of`.
    pub fn display(&self, name_of: &dyn Fn(SizeVarId) -> String) -> String {
        let poly = self.to_poly();
        if poly.terms.is_empty() {
            return "0".to_string();
        }
        let mut out = String::new();
        // Highest-degree terms first reads naturally: `n - 1`, not `-1 + n`.
        let mut terms = poly.terms.clone();
        terms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        for (position, (monomial, coefficient)) in terms.iter().enumerate() {
            let magnitude = coefficient.unsigned_abs();
            let sign = if *coefficient < 0 { "-" } else { "+" };
            if position == 0 {
                if *coefficient < 0 {
                    out.push('-');
                }
            } else {
                out.push_str(&format!(" {sign} "));
            }
            let factors: Vec<String> = monomial.iter().map(|var| name_of(*var)).collect();
            match (magnitude, factors.is_empty()) {
                (_, true) => out.push_str(&magnitude.to_string()),
                (1, false) => out.push_str(&factors.join(" * ")),
                (_, false) => out.push_str(&format!("{magnitude} * {}", factors.join(" * "))),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> Size {
        Size::Var(SizeVarId(0))
    }

    fn m() -> Size {
        Size::Var(SizeVarId(1))
    }

    fn name(var: SizeVarId) -> String {
        ["n", "m"][var.0 as usize].to_string()
    }

    #[test]
    fn canonical_forms_compare_as_polynomials() {
        assert_eq!(n().add(&n()), Size::Const(2).mul(&n()));
        assert_eq!(n().sub(&n()), Size::Const(0));
        assert_eq!(n().add(&Size::Const(1)).sub(&Size::Const(1)), n());
        assert_eq!(n().mul(&m()), m().mul(&n()));
    }

    #[test]
    fn display_and_eval() {
        let size = Size::Const(2).mul(&n()).sub(&Size::Const(1));
        assert_eq!(size.display(&name), "2 * n - 1");
        assert_eq!(size.eval(&|_| 5), 9);
        assert_eq!(n().mul(&m()).display(&name), "n * m");
        assert_eq!(Size::Const(3).sub(&n()).display(&name), "-n + 3");
    }

    #[test]
    fn substitution_composes() {
        // f(x: real[k]) -> real[k - 1] called with k = 2 * n.
        let result = SizeVarId(0);
        let callee = Size::Var(result).sub(&Size::Const(1));
        let caller = callee.substitute(&|_| Size::Const(2).mul(&n()));
        assert_eq!(caller.display(&name), "2 * n - 1");
    }
}
