//! `ArgMax`: the index of the largest (or smallest) element of a real
//! array. Both backends call [`arg_extremum`] (the JIT through an
//! `extern "C"` helper), so ties and NaN resolve the same way in both.

/// The index of the largest element of `values` (the smallest when `min`),
/// the first one on ties. A NaN never compares greater, so it wins only at
/// index 0 (as in a running `if x[i] > x[best] { best = i }`). An empty
/// slice gives 0; callers report it as an out-of-bounds index.
pub fn arg_extremum(values: &[f64], min: bool) -> i64 {
    let mut best = 0;
    for (index, value) in values.iter().enumerate().skip(1) {
        let better = if min {
            *value < values[best]
        } else {
            *value > values[best]
        };
        if better {
            best = index;
        }
    }
    best as i64
}

#[cfg(test)]
mod tests {
    use super::arg_extremum;

    #[test]
    fn first_extremum_wins_ties() {
        assert_eq!(arg_extremum(&[1.0, 3.0, 3.0, -2.0], false), 1);
        assert_eq!(arg_extremum(&[1.0, -2.0, 3.0, -2.0], true), 1);
    }

    #[test]
    fn nan_and_empty() {
        assert_eq!(arg_extremum(&[1.0, f64::NAN, 2.0], false), 2);
        assert_eq!(arg_extremum(&[f64::NAN, 1.0], false), 0);
        assert_eq!(arg_extremum(&[], false), 0);
    }
}
