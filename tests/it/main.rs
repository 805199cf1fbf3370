//! The integration tests, in one binary (one link, one build); see
//! tests/README.md.

mod bench_programs;
mod builtins;
mod cli;
mod diagnostics;
mod differential;
mod docs;
mod element_blend;
mod examples;
mod extremes;
mod gradcheck;
mod isotonic;
mod limits;
mod passes;
mod pipeline_errors;
mod random_programs;
mod reference;
mod relaxations;
mod robustness;
mod soft_indices;
mod soft_sort;
mod stochastic;
mod stochastic_sites;
mod support;
mod sweeps;
