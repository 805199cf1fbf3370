// The odd-even benchmark's loss (benches/support/mod.rs): the prelude's
// `sort`, an odd-even transposition network, weighted by `w`. A file, so
// that `smoothc bench` can time it on either backend without Rust, as
// BENCHMARKS.md does to compare the interpreter before and after a change:
//
//   smoothc bench benches/programs/odd_even_loss.dsl --fn loss \
//     --args benches/programs/odd_even_input_128.json --tau 0.1 \
//     --repeat 100 --backend interp

fn loss(x: real[n], w: real[n]) -> real {
    sum(w * sort(x))
}
