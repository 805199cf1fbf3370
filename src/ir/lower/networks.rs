//! Which sorting network a call of the prelude's `sort`, `sort_perm` or
//! `rank` runs.
//!
//! The prelude defines each network under its own name (`sort_odd_even`,
//! `sort_bitonic`, `sort_perm_odd_even`, ...). A call of one of the three
//! generic names is inlined as the variant that the enclosing sites'
//! `network` attribute names (`#[relax(network = "bitonic")]`, or the file's
//! `#![relax(..)]`); without one, `sort` and `sort_perm` run the odd-even
//! network and `rank` keeps its own body (counting comparisons).
//!
//! The choice is made here, at inlining, rather than when sema resolves the
//! call: like the family, the attribute applies to everything lowered inside
//! the site, calls of the user's own functions included, and only lowering
//! sees a function's body once per call site. Only the prelude's own
//! functions are redirected, by [`FnId`]: a user's `sort` that replaces the
//! prelude's runs as written, and a call that names a variant
//! (`sort_bitonic(x)`) always runs that variant.
//!
//! Each variant has the signature of its generic function (checked by the
//! tests below), so the call's arguments and sizes carry over unchanged.

use std::collections::HashMap;

use crate::sema::attrs::Network;
use crate::sema::tast::{FnId, FnOrigin, TProgram};
use crate::stdlib::PRELUDE;

/// A generic prelude function, its odd-even and bitonic variants, and the
/// network it runs when no site names one (`None`: its own body).
struct Selectable {
    generic: &'static str,
    odd_even: &'static str,
    bitonic: &'static str,
    default: Option<Network>,
}

const SELECTABLE: [Selectable; 3] = [
    Selectable {
        generic: "sort",
        odd_even: "sort_odd_even",
        bitonic: "sort_bitonic",
        default: Some(Network::OddEven),
    },
    Selectable {
        generic: "sort_perm",
        odd_even: "sort_perm_odd_even",
        bitonic: "sort_perm_bitonic",
        default: Some(Network::OddEven),
    },
    Selectable {
        generic: "rank",
        odd_even: "rank_odd_even",
        bitonic: "rank_bitonic",
        default: None,
    },
];

/// The variants of one generic function, resolved to functions of the
/// program.
#[derive(Clone, Copy, Debug)]
struct Variants {
    odd_even: FnId,
    bitonic: FnId,
    default: Option<Network>,
}

/// The generic prelude functions of one program and their variants.
#[derive(Debug, Default)]
pub(super) struct NetworkChoice {
    by_generic: HashMap<FnId, Variants>,
}

impl NetworkChoice {
    /// Finds the generic functions and their variants among the prelude's.
    /// A program checked without the prelude (some unit tests) has none, and
    /// every call then runs as written.
    pub(super) fn new(program: &TProgram) -> NetworkChoice {
        let prelude_fn = |name: &str| {
            program
                .fns
                .iter()
                .position(|f| f.name == name && f.origin == FnOrigin::Stdlib(PRELUDE.into()))
                .map(|index| FnId(index as u32))
        };
        let by_generic = SELECTABLE
            .iter()
            .filter_map(|selectable| {
                let variants = Variants {
                    odd_even: prelude_fn(selectable.odd_even)?,
                    bitonic: prelude_fn(selectable.bitonic)?,
                    default: selectable.default,
                };
                Some((prelude_fn(selectable.generic)?, variants))
            })
            .collect();
        NetworkChoice { by_generic }
    }

    /// The function a call of `callee` inlines under the enclosing sites'
    /// `network` (`None` when no site names one).
    pub(super) fn callee(&self, callee: FnId, network: Option<Network>) -> FnId {
        let Some(variants) = self.by_generic.get(&callee) else {
            return callee;
        };
        match network.or(variants.default) {
            Some(Network::OddEven) => variants.odd_even,
            Some(Network::Bitonic) => variants.bitonic,
            None => callee,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parser::parse;
    use crate::syntax::span::SourceMap;

    fn program(source: &str) -> TProgram {
        let mut sources = SourceMap::new();
        let file = sources.add("input.dsl", source);
        let module = parse(file, source).expect("test program parses");
        crate::stdlib::check_program(&mut sources, &module).expect("test program checks")
    }

    fn name(program: &TProgram, id: FnId) -> &str {
        &program.func(id).name
    }

    #[test]
    fn every_generic_function_and_variant_is_in_the_prelude() {
        let program = program("fn f(x: real) -> real { x }");
        let choice = NetworkChoice::new(&program);
        assert_eq!(choice.by_generic.len(), SELECTABLE.len());
    }

    /// The call's arguments and sizes are the generic function's, so each
    /// variant must take and return exactly what it does.
    #[test]
    fn variants_have_the_signature_of_their_generic_function() {
        let program = program("fn f(x: real) -> real { x }");
        let choice = NetworkChoice::new(&program);
        for (generic, variants) in &choice.by_generic {
            let generic = program.func(*generic);
            for variant in [variants.odd_even, variants.bitonic] {
                let variant = program.func(variant);
                let param_types = |f: &crate::sema::tast::TFn| {
                    f.params
                        .iter()
                        .map(|local| f.local(*local).ty.clone())
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    param_types(variant),
                    param_types(generic),
                    "{}",
                    variant.name
                );
                assert_eq!(variant.ret, generic.ret, "{}", variant.name);
                assert_eq!(
                    variant.size_vars.len(),
                    generic.size_vars.len(),
                    "{}",
                    variant.name
                );
            }
        }
    }

    /// The prelude function called `wanted`.
    fn prelude_fn(program: &TProgram, wanted: &str) -> FnId {
        let index = program
            .fns
            .iter()
            .position(|f| f.name == wanted && f.origin != FnOrigin::User)
            .expect("a prelude function");
        FnId(index as u32)
    }

    #[test]
    fn the_site_network_picks_the_variant_and_the_default_is_odd_even() {
        let program = program("fn f(x: real) -> real { x }");
        let choice = NetworkChoice::new(&program);
        let picked = |generic: &str, network| {
            let callee = choice.callee(prelude_fn(&program, generic), network);
            name(&program, callee).to_string()
        };
        assert_eq!(picked("sort", None), "sort_odd_even");
        assert_eq!(picked("sort", Some(Network::OddEven)), "sort_odd_even");
        assert_eq!(picked("sort", Some(Network::Bitonic)), "sort_bitonic");
        assert_eq!(picked("sort_perm", None), "sort_perm_odd_even");
        assert_eq!(
            picked("sort_perm", Some(Network::Bitonic)),
            "sort_perm_bitonic"
        );
        assert_eq!(picked("rank", None), "rank");
        assert_eq!(picked("rank", Some(Network::OddEven)), "rank_odd_even");
        assert_eq!(picked("rank", Some(Network::Bitonic)), "rank_bitonic");
        // A call that names a variant runs it whatever the site says.
        assert_eq!(
            picked("sort_odd_even", Some(Network::Bitonic)),
            "sort_odd_even"
        );
    }

    #[test]
    fn a_user_function_that_replaces_sort_runs_as_written() {
        let program = program("fn sort(x: real[n]) -> real[n] { x }");
        let choice = NetworkChoice::new(&program);
        let user_sort = program.fn_by_name("sort").expect("the user's sort");
        assert_eq!(choice.callee(user_sort, Some(Network::Bitonic)), user_sort);
    }
}
