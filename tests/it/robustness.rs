//! Property tests: the compiler never panics, whatever the input.
//!
//! Random token soup, random bytes and random character edits of valid
//! programs go through `parse` and `check`; every error must render. Inputs
//! that check go on through lowering, smoothing (both modes), reverse mode
//! and the JIT, which may reject them only with a user error. Edits of the
//! programs in `LANGUAGE_PROGRAMS` (while, attributes, comprehensions,
//! overloads, the stdlib) are run through the front end only.

use proptest::prelude::*;

use super::diagnostics::diagnose;
use smoothc::{ErrorKind, Mode, Options};

/// Tokens of the language, plus a few troublemakers (a bad character, an
/// out-of-range literal, comments, doc comments).
const TOKENS: &[&str] = &[
    "fn",
    "while",
    "use",
    "sorting",
    "#[",
    "#![",
    "relax",
    "hard",
    "stochastic",
    "bound",
    "cauchy",
    "scale",
    "network",
    "\"bitonic\"",
    "\"open",
    "zeros",
    "fill",
    "max",
    "sort",
    "argmax",
    "let",
    "mut",
    "for",
    "in",
    "if",
    "else",
    "true",
    "false",
    "real",
    "int",
    "bool",
    "x",
    "y",
    "n",
    "f",
    "g",
    "sum",
    "exp",
    "len",
    "0",
    "1",
    "2.5",
    "1e3",
    "99999999999999999999",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    ":",
    "->",
    "..",
    "=",
    "+=",
    "-=",
    "*=",
    "/=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "&&",
    "||",
    "!",
    "/// doc\n",
    "// note\n",
    "$",
    "\n",
];

/// Valid programs that exercise most of the grammar and of sema.
const PROGRAMS: &[&str] = &[
    "/// Sorts.\nfn sort(x: real[n]) -> real[n] {\n    let mut y = x;\n    for i in 0..n {\n        for j in 0..n - 1 - i {\n            if y[j] > y[j + 1] {\n                let t = y[j];\n                y[j] = y[j + 1];\n                y[j + 1] = t;\n            }\n        }\n    }\n    y\n}\n\nfn loss(x: real[m]) -> real { sum(sort(x)) * 2 }\n",
    include_str!("../../examples/bubble_sort.dsl"),
    include_str!("../../examples/piecewise.dsl"),
    include_str!("../../examples/max_pool.dsl"),
    "fn f(a: real[n, k], b: int) -> real {\n    let mut s: real = 0;\n    for i in 0..n { s += a[i, 0] * exp(1); }\n    let v = [1, 2.5, -3];\n    if b % 2 == 0 && !(s < 0.0) { s / 2 } else if true { v[b] } else { { sqrt(s) } }\n}\n",
];

/// Valid programs of the whole language, edited by the front-end-only
/// property.
const LANGUAGE_PROGRAMS: &[&str] = &[
    "#![relax(cauchy, tnorm = \"godel\")]\nuse sorting;\n\n/// Halves until small.\nfn halve(x: real) -> real {\n    let mut y = x;\n    #[bound(64)] while y > 1.0 { y /= 2; }\n    y\n}\n\nfn f(x: real[n], k: int) -> real[n - 1] {\n    let s = #[hard] argmax(x);\n    let t = topk(x, k) * 2.0 + sort(x) - bitonic_sort(x);\n    let z: real[2 * n] = zeros(n + n);\n    [t[i] + real(s) + sum(z) for i in 1..n]\n}\n",
    "fn grid(a: real[n, m], flags: bool[n]) -> real[m, n] {\n    let mut b = fill(n, m, 0.0);\n    b[0, 1] += pow(a[0, 0], 2) + exp(-a)[1, 0];\n    #[relax(gaussian, scale = 0.5)] if flags[0] && len(a, 1) > 2 { b = b * 2; }\n    [[b[i, j] for i in 0..n] for j in 0..m]\n}\n\nfn pick(a: real, b: int) -> real { a + real(b) }\nfn pick(a: int, b: int) -> int { max(a, b) % 3 }\n",
];

fn check_no_panic(source: &str) {
    // `diagnose` parses, checks and renders; a panic anywhere fails the case.
    let rendered = diagnose("input.dsl", source);
    // Anything rendered must be a complete diagnostic with a code.
    if !rendered.is_empty() {
        assert!(rendered.contains("error["), "{rendered}");
        return;
    }
    for mode in [Mode::Hard, Mode::Relaxed] {
        let options = Options {
            mode,
            ..Options::default()
        };
        let program = smoothc::compile(source, &options).expect("the front end accepted it");
        for name in program.function_names() {
            if let Err(error) = program.function(&name) {
                assert_ne!(
                    error.kind,
                    ErrorKind::Internal,
                    "{}\n{source}",
                    error.render()
                );
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Swap(usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let chars = prop::sample::select(vec![
        '{', '}', '(', ')', '[', ']', ';', ',', '=', '+', '-', '.', ':', '<', '!', '&', 'x', 'n',
        '0', '9', ' ', '\n', '/', '$', 'é',
    ]);
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), chars).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Swap),
    ]
}

/// Applies edits at character positions (taken modulo the length), so the
/// result is always valid UTF-8.
fn apply_edits(source: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    for edit in edits {
        if chars.is_empty() {
            break;
        }
        match *edit {
            Edit::Delete(at) => {
                let _ = chars.remove(at % chars.len());
            }
            Edit::Insert(at, c) => chars.insert(at % (chars.len() + 1), c),
            Edit::Swap(at) => {
                let at = at % chars.len();
                let next = (at + 1) % chars.len();
                chars.swap(at, next);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..60)) {
        check_no_panic(&tokens.join(" "));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_no_panic(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn edited_language_programs_never_panic_in_the_front_end(
        program in prop::sample::select(LANGUAGE_PROGRAMS),
        edits in prop::collection::vec(edit_strategy(), 1..6),
    ) {
        let rendered = diagnose("input.dsl", &apply_edits(program, &edits));
        prop_assert!(rendered.is_empty() || rendered.contains("error["), "{}", rendered);
    }

    #[test]
    fn edited_programs_never_panic(
        program in prop::sample::select(PROGRAMS),
        edits in prop::collection::vec(edit_strategy(), 1..6),
    ) {
        check_no_panic(&apply_edits(program, &edits));
    }
}

#[test]
fn seed_programs_are_valid() {
    // The mutation test is only meaningful if the unedited programs pass.
    for program in PROGRAMS.iter().chain(LANGUAGE_PROGRAMS) {
        assert_eq!(diagnose("seed.dsl", program), "", "{program}");
    }
}
