//! The integration tests, in one binary (one link, one build).

mod cli;
mod differential;
mod docs;
mod examples;
mod gradcheck;
mod limits;
mod passes;
mod random_programs;
mod relaxations;
mod support;
