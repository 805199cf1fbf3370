//! The JIT against the interpreter: same values and gradients, on every
//! example, in every mode, at several temperatures.

use crate::support::{self, assert_close, reals};
use smoothc::{Backend, Runtime};

#[test]
fn jit_agrees_with_interpreter_on_examples() {
    for example in support::examples() {
        for mode in example.modes.clone() {
            let jit = example.function(mode, Backend::Jit);
            let interp = example.function(mode, Backend::Interp);
            let args = example.args(&jit);
            for tau in [1e-3, 0.5, 2.0] {
                let runtime = Runtime {
                    tau,
                    ..Runtime::default()
                };
                let what = format!("{} {} tau={tau}", example.name, mode.name());
                let (jit_value, jit_grads) = jit.value_and_grad(&args, &runtime).expect("jit runs");
                let (interp_value, interp_grads) =
                    interp.value_and_grad(&args, &runtime).expect("interp runs");
                assert_close(
                    &reals(&jit_value),
                    &reals(&interp_value),
                    1e-12,
                    &format!("{what} value"),
                );
                for (jit_grad, interp_grad) in jit_grads.iter().zip(&interp_grads) {
                    assert_close(
                        &reals(jit_grad),
                        &reals(interp_grad),
                        1e-12,
                        &format!("{what} grad"),
                    );
                }
                let called = jit.call(&args, &runtime).expect("jit call runs");
                assert_close(
                    &reals(&called),
                    &reals(&jit_value),
                    0.0,
                    &format!("{what} call vs grad value"),
                );
            }
        }
    }
}
