//! smoothc: a compiler for smoothed programs.
#![deny(unused_results)]

pub mod ad;
pub mod diagnostics;
pub mod interp;
pub mod ir;
pub mod jit;
pub mod runtime;
pub mod sema;
pub mod smooth;
pub mod syntax;
