//! The one integration test binary (see tests/README.md).

mod diagnostics;
mod robustness;
