//! Running the units of one estimate on rayon's threads.
//!
//! Every unit is a pure function of its index (its noise is drawn from
//! `(seed, index, counter)`, see `runtime::noise`), so the units can run in
//! any order on any thread. [`map_units`] returns their results in index
//! order and the first error in index order, so whatever the number of
//! threads, the caller sees the same results and reduces them in the same
//! order: the estimate does not depend on the thread count.

use rayon::prelude::*;

/// The number of units at and above which one estimate spreads them over
/// rayon's thread pool (the current one: `ThreadPool::install` chooses it).
/// Below it they run on the calling thread: a unit of a small program costs
/// about a microsecond, and a handful of them is not worth waking threads.
pub const PARALLEL_THRESHOLD: usize = 32;

/// `unit(index)` for every index in `0..count`, in index order; in
/// parallel when `count >= PARALLEL_THRESHOLD`. On failure, the error of
/// the smallest failing index.
pub(crate) fn map_units<T, E>(
    count: usize,
    unit: impl Fn(u64) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
{
    let results: Vec<Result<T, E>> = if count >= PARALLEL_THRESHOLD {
        (0..count as u64).into_par_iter().map(&unit).collect()
    } else {
        (0..count as u64).map(&unit).collect()
    };
    // Sequentially, so the error reported is the first, not the first to
    // finish.
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_index_order_with_the_first_error() {
        for count in [3, PARALLEL_THRESHOLD + 5] {
            let squares: Result<Vec<u64>, u64> = map_units(count, |i| Ok(i * i));
            let expected: Vec<u64> = (0..count as u64).map(|i| i * i).collect();
            assert_eq!(squares, Ok(expected));
            let failing = map_units(count, |i| if i % 2 == 1 { Err(i) } else { Ok(i) });
            assert_eq!(failing, Err(1));
        }
    }
}
