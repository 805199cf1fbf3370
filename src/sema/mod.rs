//! Semantic checking (being written).
pub mod tast;
