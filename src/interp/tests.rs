//! The interpreter against the expected results of the test programs.

use super::run;
use super::test_builder::identical;
use super::test_programs::all_cases;

#[test]
fn every_test_program_gives_its_expected_result() {
    for case in all_cases() {
        let result = run(&case.func, &case.args, &case.config);
        assert!(
            identical(&result, &case.expected),
            "test program `{}`:\n got {result:?}\nwant {:?}",
            case.name,
            case.expected
        );
    }
}
