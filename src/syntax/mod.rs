//! The front end: source text to AST.
//!
//! `lexer` (logos) turns text into tokens, `parser` runs the LALRPOP grammar
//! in `grammar/smoothc.lalrpop` over them, and `ast` is what comes out. This
//! layer knows nothing about types or the IR.

pub mod ast;
pub mod display;
pub mod lexer;
pub mod parser;
pub mod span;
