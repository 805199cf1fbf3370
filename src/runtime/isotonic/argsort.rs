//! The sorting permutation of the soft sort and rank: the indices that
//! order values decreasingly by [`f64::total_cmp`], tied values in index
//! order. This is exactly the permutation a stable `sort_by` with
//! `|i, j| values[j].total_cmp(&values[i])` gives, computed faster.
//!
//! Each value becomes a 64-bit key whose unsigned order is the decreasing
//! total order. A packed word holds a window of the key's high bits (after
//! the bits that all keys share) above the value's index, so that sorting
//! the words sorts by window, then by index. Large inputs sort the words by
//! a least-significant-digit radix sort on a 32-bit window (three passes of
//! 11 bits), small ones by `sort_unstable` on the whole word. Values whose
//! windows are equal (exact ties, or keys that differ only below the
//! window) are then adjacent and in index order; each such run is sorted
//! again by the whole key, stably. The result does not depend on which
//! path ran.
//!
//! Allocations live in [`ArgsortScratch`], reused from call to call. This
//! module must not know what the values mean (signs and strengths belong to
//! the caller).

/// Reused buffers of [`sort_decreasing`].
#[derive(Debug, Default)]
pub(super) struct ArgsortScratch {
    packed: Vec<u64>,
    spare: Vec<u64>,
}

/// Below this length a comparison sort of the packed words is as fast as
/// the three radix passes (measured on the bench machine: equal near 1000).
const RADIX_MIN_LEN: usize = 1024;

/// Radix digits: 3 passes of 11 bits cover the 32-bit window and bit 31,
/// the top bit of the index (sorting by it too keeps the index order).
const DIGIT_BITS: u32 = 11;
const DIGITS: usize = 1 << DIGIT_BITS;
const PASSES: usize = 3;
/// The lowest bit the radix passes look at.
const RADIX_BASE: u32 = 64 - DIGIT_BITS * PASSES as u32;

/// The key whose unsigned order is `f64::total_cmp`'s decreasing order:
/// the total order's usual bit trick (negative values have all bits
/// flipped, others the sign bit set), complemented.
fn descending_key(value: f64) -> u64 {
    let bits = value.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

/// Writes into `perm` the indices sorting `values` decreasingly by
/// `f64::total_cmp`, ties in index order, and into `sorted` the values in
/// that order.
pub(super) fn sort_decreasing(
    values: &[f64],
    scratch: &mut ArgsortScratch,
    perm: &mut Vec<usize>,
    sorted: &mut Vec<f64>,
) {
    let len = values.len();
    perm.clear();
    sorted.clear();
    if len < 2 {
        perm.extend(0..len);
        sorted.extend_from_slice(values);
        return;
    }
    // Digit counts are u32, so the radix sort takes fewer than 2^32 words.
    let radix = len >= RADIX_MIN_LEN && (len as u64) < 1 << 32;
    // The index takes the low bits of a word: 32 for the radix sort (its
    // window is the 32 bits above), as few as the length needs otherwise.
    let index_bits = if radix {
        32
    } else {
        usize::BITS - (len - 1).leading_zeros()
    };
    let index_mask = u64::MAX >> (64 - index_bits);
    // Bits that every key shares order nothing: the window starts after them.
    let (all, any) = values.iter().fold((!0u64, 0u64), |(all, any), &value| {
        let key = descending_key(value);
        (all & key, any | key)
    });
    let shared = (all ^ any).leading_zeros().min(63);
    let word = |(index, &value): (usize, &f64)| {
        ((descending_key(value) << shared) & !index_mask) | index as u64
    };
    let packed = &mut scratch.packed;
    packed.clear();
    if radix {
        // The digit counts of the lower passes, counted while packing.
        let mut counts = [[0u32; DIGITS]; PASSES - 1];
        packed.extend(values.iter().enumerate().map(word).inspect(|&word| {
            for (pass, counts) in counts.iter_mut().enumerate() {
                counts[digit(word, pass)] += 1;
            }
        }));
        radix_sort(packed, &mut scratch.spare, &mut counts);
    } else {
        packed.extend(values.iter().enumerate().map(word));
        packed.sort_unstable();
    }
    perm.extend(packed.iter().map(|&word| (word & index_mask) as usize));
    sorted.extend(perm.iter().map(|&index| values[index]));
    // Runs of equal windows (rare but for ties): order them by the whole
    // key, stably, so equal keys stay in index order.
    let mut start = 0;
    for (k, pair) in packed.windows(2).enumerate() {
        if (pair[0] ^ pair[1]) & !index_mask != 0 {
            if k > start {
                fix_run(values, start..k + 1, perm, sorted);
            }
            start = k + 1;
        }
    }
    if len - 1 > start {
        fix_run(values, start..len, perm, sorted);
    }
}

/// Sorts the positions `run` of `perm` (and `sorted` with it) by the whole
/// key, stably.
fn fix_run(values: &[f64], run: std::ops::Range<usize>, perm: &mut [usize], sorted: &mut [f64]) {
    let indices = &mut perm[run.clone()];
    indices.sort_by_key(|&index| descending_key(values[index]));
    for (value, &index) in sorted[run].iter_mut().zip(&*indices) {
        *value = values[index];
    }
}

/// Digit `pass` of a word for the radix sort.
fn digit(word: u64, pass: usize) -> usize {
    ((word >> (RADIX_BASE + DIGIT_BITS * pass as u32)) as usize) & (DIGITS - 1)
}

/// Sorts `words` by their bits `RADIX_BASE..64`, stably (least significant
/// digit first), given the `counts` of each digit of the lower passes;
/// `spare` is scratch. A pass in which every word has the same digit is
/// skipped.
fn radix_sort(
    words: &mut Vec<u64>,
    spare: &mut Vec<u64>,
    counts: &mut [[u32; DIGITS]; PASSES - 1],
) {
    let len = words.len();
    spare.clear();
    spare.resize(len, 0);
    for (pass, counts) in counts.iter_mut().enumerate() {
        if counts[digit(words[0], pass)] as usize == len {
            continue;
        }
        starts_from_counts(counts);
        for &word in words.iter() {
            let slot = &mut counts[digit(word, pass)];
            spare[*slot as usize] = word;
            *slot += 1;
        }
        std::mem::swap(words, spare);
    }
    top_pass(words, spare);
}

/// Turns the counts of each digit into the first slot of each digit.
fn starts_from_counts(counts: &mut [u32; DIGITS]) {
    let mut next = 0;
    for count in counts.iter_mut() {
        let this = *count;
        *count = next;
        next += this;
    }
}

/// The last (most significant) pass. Its digit holds the sign and exponent
/// bits, which few values share for most data: consecutive words then
/// often go to the same slot counter, and each update waits for the one
/// before. So the two halves of `words` are scattered in step, each with
/// counters of its own (the first half's words go before the second's of
/// the same digit, which keeps the pass stable).
fn top_pass(words: &mut Vec<u64>, spare: &mut Vec<u64>) {
    const TOP: usize = PASSES - 1;
    let half = words.len() / 2;
    let (first, second) = words.split_at(half);
    let mut first_slots = [0u32; DIGITS];
    let mut second_slots = [0u32; DIGITS];
    for (&a, &b) in first.iter().zip(second) {
        first_slots[digit(a, TOP)] += 1;
        second_slots[digit(b, TOP)] += 1;
    }
    if let Some(&last) = second.get(half) {
        second_slots[digit(last, TOP)] += 1;
    }
    if first_slots[digit(words[0], TOP)] + second_slots[digit(words[0], TOP)] == words.len() as u32
    {
        return;
    }
    let mut next = 0;
    for (a, b) in first_slots.iter_mut().zip(second_slots.iter_mut()) {
        let (in_first, in_second) = (*a, *b);
        *a = next;
        *b = next + in_first;
        next += in_first + in_second;
    }
    for (&a, &b) in first.iter().zip(second) {
        let slot = &mut first_slots[digit(a, TOP)];
        spare[*slot as usize] = a;
        *slot += 1;
        let slot = &mut second_slots[digit(b, TOP)];
        spare[*slot as usize] = b;
        *slot += 1;
    }
    if let Some(&last) = second.get(half) {
        spare[second_slots[digit(last, TOP)] as usize] = last;
    }
    std::mem::swap(words, spare);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn stable_reference(values: &[f64]) -> Vec<usize> {
        let mut perm: Vec<usize> = (0..values.len()).collect();
        perm.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
        perm
    }

    fn check(values: &[f64], what: &str) {
        let (mut perm, mut sorted) = (Vec::new(), Vec::new());
        sort_decreasing(
            values,
            &mut ArgsortScratch::default(),
            &mut perm,
            &mut sorted,
        );
        let expected = stable_reference(values);
        assert_eq!(perm, expected, "{what}");
        for (value, &index) in sorted.iter().zip(&expected) {
            assert_eq!(value.to_bits(), values[index].to_bits(), "{what}");
        }
    }

    #[test]
    fn keys_order_as_total_cmp() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            1.0,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff0_0000_0000_0001),
        ];
        for &a in &values {
            for &b in &values {
                assert_eq!(
                    descending_key(a).cmp(&descending_key(b)),
                    b.total_cmp(&a),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    /// Both paths (below and above `RADIX_MIN_LEN`) on data that stresses
    /// them: random normals, many ties, values that differ only in their
    /// last bits (long runs of equal windows), mixed magnitudes, signed
    /// zeros, infinities and NaNs.
    #[test]
    fn matches_a_stable_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for len in [0, 1, 2, 3, 17, 1000, RADIX_MIN_LEN, 5000, 5001] {
            let normal: Vec<f64> = (0..len).map(|_| rng.random::<f64>() - 0.5).collect();
            check(&normal, &format!("uniform {len}"));
            let ties: Vec<f64> = (0..len).map(|_| rng.random_range(0..5) as f64).collect();
            check(&ties, &format!("ties {len}"));
            let last_bits: Vec<f64> = (0..len)
                .map(|_| f64::from_bits(1.0f64.to_bits() + rng.random_range(0..1 << 12)))
                .collect();
            check(&last_bits, &format!("last bits {len}"));
            let mixed: Vec<f64> = (0..len)
                .map(|i| match i % 7 {
                    0 => 1e300 * rng.random::<f64>(),
                    1 => f64::from_bits(1.0f64.to_bits() + rng.random_range(0..3)),
                    2 => -1e-300 * rng.random::<f64>(),
                    3 => [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY][i % 4],
                    4 => [f64::NAN, -f64::NAN, 5e-324][i % 3],
                    _ => rng.random::<f64>() - 0.5,
                })
                .collect();
            check(&mixed, &format!("mixed {len}"));
            check(&vec![0.25; len], &format!("constant {len}"));
        }
    }
}
