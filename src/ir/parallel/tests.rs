//! The analysis as a specification: which loops may run two iterations at
//! once, on loops built by hand and on the lowered odd-even network.

use super::examples::{self, LoopProgram};
use super::{Rejection, Variation, WindowCheck, analyze, tape_traffic};
use crate::ir::{Func, Inst, InstId, VarId};
use crate::{Backend, Options, compile};

fn accepted(program: &LoopProgram) -> super::ParallelLoop {
    analyze(&program.func, program.target)
        .unwrap_or_else(|rejection| panic!("rejected: {rejection:?}\n{}", program.func))
}

fn rejection(program: &LoopProgram) -> Rejection {
    match analyze(&program.func, program.target) {
        Ok(_) => panic!("accepted:\n{}", program.func),
        Err(rejection) => rejection,
    }
}

fn var_named(func: &Func, name: &str) -> VarId {
    func.vars
        .iter()
        .find(|(_, data)| data.name == name)
        .map(|(var, _)| var)
        .unwrap_or_else(|| panic!("no variable `{name}`"))
}

/// The body instructions of the target loop.
fn body(program: &LoopProgram) -> Vec<InstId> {
    let Inst::For { body, .. } = &program.func.insts[program.target] else {
        panic!("not a for");
    };
    program.func.blocks[*body].insts.clone()
}

#[test]
fn an_odd_even_layer_runs_its_swaps_together() {
    for start in [0, 1] {
        let program = examples::odd_even_layer(start);
        let parallel = accepted(&program);
        assert!(parallel.window_checks.is_empty());
        assert_eq!(parallel.tape, Default::default());
        let func = &program.func;
        for inst in body(&program) {
            let expected = match &func.insts[inst] {
                // `start`, the constants and `tau`: the same in every swap.
                Inst::Read(var) if *var == var_named(func, "start") => Variation::Uniform,
                Inst::Int(_) | Inst::Real(_) | Inst::Tau => Variation::Uniform,
                // The counter and the indices.
                Inst::Read(_) => Variation::Index,
                Inst::Binary(..) if func.types[inst] == Some(crate::ir::ScalarType::Int) => {
                    Variation::Index
                }
                Inst::Store { .. } => continue,
                _ => Variation::Varying,
            };
            assert_eq!(parallel.variation[&inst], expected, "{inst}");
        }
        // Stride 2: lane 1's elements are two after lane 0's.
        for access in parallel.accesses.values() {
            assert_eq!(access.lane_delta, Some(2));
        }
    }
}

#[test]
fn a_reversed_restore_loop_checks_its_popped_indices_at_run_time() {
    let program = examples::restore_layer();
    let parallel = accepted(&program);
    assert_eq!(parallel.tape.popped_ints, 2);
    assert_eq!(parallel.tape.popped_reals, 2);
    assert_eq!(parallel.tape.pushes(), 0);
    // The two popped indices of `y`, each checked to fall in the window
    // `2p + [0, 1]` of its own iteration.
    assert_eq!(parallel.window_checks.len(), 2);
    let func = &program.func;
    for WindowCheck {
        index,
        min_offset,
        max_offset,
        ..
    } in &parallel.window_checks
    {
        assert_eq!(func.insts[*index], Inst::Pop(crate::ir::ScalarType::Int));
        assert_eq!((*min_offset, *max_offset), (0, 1));
        assert_eq!(parallel.variation[index], Variation::Index);
    }
    // Reversed: lane 1 runs `p - 1`, two elements before lane 0's.
    let d = var_named(func, "d");
    for inst in body(&program) {
        if let Inst::Load { array, .. } | Inst::Store { array, .. } = &func.insts[inst]
            && *array == d
        {
            assert_eq!(parallel.accesses[&inst].lane_delta, Some(-2));
        }
    }
}

#[test]
fn elementwise_code_with_a_private_variable_runs_together() {
    let program = examples::elementwise();
    let parallel = accepted(&program);
    let t = var_named(&program.func, "t");
    assert_eq!(parallel.written.len(), 1);
    assert_eq!(parallel.written[0].0, t);
    for access in parallel.accesses.values() {
        assert_eq!(access.lane_delta, Some(1), "adjacent elements");
    }
    let matrix = examples::matrix_row();
    let parallel = accepted(&matrix);
    for access in parallel.accesses.values() {
        assert_eq!(access.lane_delta, Some(1), "adjacent elements of one row");
    }
}

#[test]
fn carried_dependences_are_rejected() {
    let y = |program: &LoopProgram| var_named(&program.func, "y");
    for program in [
        examples::bubble_pass(),
        examples::prefix_sum_in_array(),
        examples::stride_two_offsets_zero_and_two(),
        examples::invariant_store(),
    ] {
        assert_eq!(
            rejection(&program),
            Rejection::CarriedArray(y(&program)),
            "{}",
            program.func
        );
    }
    let prefix = examples::prefix_sum_in_scalar();
    assert_eq!(
        rejection(&prefix),
        Rejection::CarriedScalar(var_named(&prefix.func, "s"))
    );
}

#[test]
fn what_the_vectorizer_cannot_check_before_an_iteration_is_rejected() {
    assert!(matches!(
        rejection(&examples::index_from_data()),
        Rejection::IndexFromData(_)
    ));
    let division = examples::division_by_variable();
    let Rejection::Unsupported(inst) = rejection(&division) else {
        panic!("a division by a variable is not supported");
    };
    assert!(matches!(division.func.insts[inst], Inst::Binary(..)));
    let branch = examples::branch_in_body();
    let Rejection::Unsupported(inst) = rejection(&branch) else {
        panic!("control flow is not supported");
    };
    assert!(matches!(branch.func.insts[inst], Inst::If { .. }));
    assert_eq!(rejection(&examples::push_and_pop()), Rejection::MixedTape);
}

#[test]
fn tape_traffic_counts_straight_line_bodies_only() {
    let program = examples::restore_layer();
    let func = &program.func;
    let loops: Vec<_> = func.blocks[func.entry]
        .insts
        .iter()
        .filter_map(|inst| match &func.insts[*inst] {
            Inst::For { body, .. } => Some(*body),
            _ => None,
        })
        .collect();
    let forward = tape_traffic(func, loops[1]).expect("straight-line");
    assert_eq!((forward.pushed_reals, forward.pushed_ints), (2, 2));
    assert_eq!(forward.pops(), 0);
    let branch = examples::branch_in_body();
    let Inst::For { body, .. } = &branch.func.insts[branch.target] else {
        panic!("not a for");
    };
    assert_eq!(tape_traffic(&branch.func, *body), None);
}

/// Every `For` of `func` with the depth of its nesting, outermost first.
fn loops(func: &Func) -> Vec<(InstId, usize)> {
    fn walk(
        func: &Func,
        block: crate::ir::BlockId,
        depth: usize,
        found: &mut Vec<(InstId, usize)>,
    ) {
        for &inst in &func.blocks[block].insts {
            match &func.insts[inst] {
                Inst::For { body, .. } => {
                    found.push((inst, depth));
                    walk(func, *body, depth + 1, found);
                }
                Inst::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    walk(func, *then_block, depth, found);
                    walk(func, *else_block, depth, found);
                }
                Inst::Loop { body, .. } => walk(func, *body, depth + 1, found),
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    walk(func, func.entry, 0, &mut found);
    found
}

#[test]
fn the_lowered_odd_even_network_runs_its_layers_together_forward_and_reversed() {
    let source = "fn loss(x: real[n], w: real[n]) -> real { sum(w * sort(x)) }";
    let options = Options {
        backend: Backend::Interp,
        ..Options::default()
    };
    let function = compile(source, &options)
        .and_then(|program| program.function("loss"))
        .expect("compiles");
    let layer_loops = |func: &Func, reverse: bool| -> Vec<InstId> {
        loops(func)
            .into_iter()
            .filter(|(inst, depth)| {
                *depth == 1
                    && matches!(func.insts[*inst], Inst::For { reverse: r, .. } if r == reverse)
            })
            .map(|(inst, _)| inst)
            .collect()
    };
    let forward = function.forward_ir();
    let layers = layer_loops(forward, false);
    assert_eq!(layers.len(), 1, "{forward}");
    let parallel = analyze(forward, layers[0]).expect("the layer loop is parallel");
    assert!(parallel.window_checks.is_empty());

    let grad = function.grad_ir().expect("differentiable");
    let sweep = layer_loops(grad, false);
    assert_eq!(sweep.len(), 1, "{grad}");
    let parallel = analyze(grad, sweep[0]).expect("the forward sweep's layer loop is parallel");
    // Each soft swap pushes its sigmoid (`ad::taped`) and the two values
    // it overwrites; reverse mode recomputes the indices (`ad::stable`), so
    // none is pushed.
    assert_eq!(parallel.tape.pushed_reals, 3);
    assert_eq!(parallel.tape.pushed_ints, 0);
    let reversed = layer_loops(grad, true);
    assert_eq!(reversed.len(), 1, "{grad}");
    let parallel = analyze(grad, reversed[0]).expect("the reverse sweep's layer loop is parallel");
    assert_eq!(parallel.tape.popped_reals, 3);
    assert_eq!(parallel.tape.popped_ints, 0);
    assert!(parallel.window_checks.is_empty());

    // The outer loops over layers carry `y` from one layer to the next.
    for (func, inst) in loops(grad)
        .into_iter()
        .filter(|(_, depth)| *depth == 0)
        .map(|(inst, _)| (grad, inst))
    {
        if let Inst::For { body, .. } = &func.insts[inst]
            && func.blocks[*body]
                .insts
                .iter()
                .any(|inst| matches!(func.insts[*inst], Inst::For { .. }))
        {
            assert!(analyze(func, inst).is_err());
        }
    }
}

#[test]
fn a_bitonic_block_swaps_two_halves_a_trip_count_apart() {
    // `y[c]` and `y[c + gap]` over `c in 0..gap`: two bases, `gap` apart,
    // and the loop sweeps `gap` elements.
    let parallel = accepted(&examples::bitonic_block(0, false));
    assert!(parallel.window_checks.is_empty());
    // One more iteration and the last one touches what the first wrote.
    assert_eq!(
        rejection(&examples::bitonic_block(1, false)),
        Rejection::CarriedArray(var_named(&examples::bitonic_block(1, false).func, "y"))
    );
    // The bound read `gap` before the loop, but the loop sees another
    // `gap`: the trip count is not known in the body's terms.
    let rewritten = examples::bitonic_block(0, true);
    assert_eq!(
        rejection(&rewritten),
        Rejection::CarriedArray(var_named(&rewritten.func, "y"))
    );
}

#[test]
fn a_read_of_one_element_the_loop_writes_is_checked_to_miss_every_window() {
    let program = examples::relax_from(3);
    let parallel = accepted(&program);
    let [check] = parallel.window_checks.as_slice() else {
        panic!("one check: {:?}", parallel.window_checks);
    };
    assert!(check.outside);
    assert_eq!(program.func.insts[check.index], Inst::Int(3));
    assert_eq!((check.min_offset, check.max_offset), (0, 0));
}
