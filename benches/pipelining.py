#!/usr/bin/env python3
"""Times sweep pipelining (`ir::wavefront`) on and off, alternately.

    cargo build --release
    python3 benches/pipelining.py [--rounds R] [--sizes 8,32,128,1024]

For each program and size, runs `smoothc bench` with and without
`--no-sweep-pipelining`, one after the other, R times, and prints a Markdown
table of the fastest of the R medians (each median over the calls of one
`smoothc bench`): on a machine shared with other work, the fastest round is
the one least disturbed, and alternating keeps both variants in the same
machine state. Up to n = 128 each round also runs the pipelined program on
the interpreter, for the interp / JIT ratios of issue 6 measured the same
way. Compile times are those of a fresh process (criterion's `compile`
group, whose process is warm, gives lower ones). Inputs are N(0, 1) with
fixed seeds, tau = 0.1, as in `cargo bench`. Standard library only.
"""

import argparse
import json
import random
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOOTHC = ROOT / "target" / "release" / "smoothc"

# (name, source, function, name of the second argument)
PROGRAMS = [
    (
        "bubble_early_exit",
        (ROOT / "tests/fixtures/reference/bubble_early_exit.dsl").read_text()
        + "\nfn loss(x: real[n], w: real[n]) -> real { sum(w * sorted(x)) }\n",
        "loss",
        "w",
    ),
    (
        "example_bubble_sort",
        (ROOT / "examples/bubble_sort.dsl").read_text(),
        "loss",
        "target",
    ),
    (
        "bubble_decided_by_input",
        (ROOT / "benches/programs/bubble_decided_by_input.dsl").read_text(),
        "loss",
        "w",
    ),
]


INTERP_MAX_N = 128


def bench(program, args, pipelined, repeat, backend="jit"):
    command = [
        str(SMOOTHC), "bench", str(program), "--fn", "loss", "--args", str(args),
        "--tau", "0.1", "--repeat", str(repeat), "--format", "json",
        "--backend", backend,
    ]
    if not pipelined:
        command.append("--no-sweep-pipelining")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def microseconds(ms):
    return f"{ms * 1000:.3g} µs" if ms < 1 else f"{ms:.3g} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", default="8,32,128,1024")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    print("| program | n | forward, pipelined | forward, plain | speed-up | "
          "forward + gradient, pipelined | forward + gradient, plain | speed-up | "
          "gradient / forward, pipelined | compile, pipelined | compile, plain | "
          "interp / JIT, forward | interp / JIT, forward + gradient |")
    print("|" + " --- |" * 13)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for name, source, _, second in PROGRAMS:
            program = scratch / f"{name}.dsl"
            program.write_text(source)
            for n in sizes:
                draw = random.Random(n)
                args = scratch / f"{name}_{n}.json"
                args.write_text(json.dumps({
                    "x": [draw.gauss(0, 1) for _ in range(n)],
                    second: [draw.gauss(0, 1) for _ in range(n)],
                }))
                repeat = 20 if n >= 1024 else 200
                runs = {True: [], False: [], "interp": []}
                for _ in range(options.rounds):
                    for pipelined in (True, False):
                        runs[pipelined].append(bench(program, args, pipelined, repeat))
                    if n <= INTERP_MAX_N:
                        runs["interp"].append(bench(program, args, True, 20, "interp"))
                best = {
                    variant: {key: min(run[key] for run in found)
                              for key in ("compile_ms", "forward_ms", "grad_ms")}
                    for variant, found in runs.items() if found
                }
                on, off = best[True], best[False]
                interp = best.get("interp")
                ratios = (f"| {interp['forward_ms'] / on['forward_ms']:.1f}× "
                          f"| {interp['grad_ms'] / on['grad_ms']:.1f}× |"
                          if interp else "| not run | not run |")
                print(f"| {name} | {n} "
                      f"| {microseconds(on['forward_ms'])} | {microseconds(off['forward_ms'])} "
                      f"| {off['forward_ms'] / on['forward_ms']:.2f}× "
                      f"| {microseconds(on['grad_ms'])} | {microseconds(off['grad_ms'])} "
                      f"| {off['grad_ms'] / on['grad_ms']:.2f}× "
                      f"| {on['grad_ms'] / on['forward_ms']:.2f}× "
                      f"| {on['compile_ms']:.1f} ms | {off['compile_ms']:.1f} ms "
                      + ratios, flush=True)


if __name__ == "__main__":
    main()
