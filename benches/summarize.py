#!/usr/bin/env python3
"""Prints the last `cargo bench` figures as the Markdown tables of BENCHMARKS.md.

    python3 benches/summarize.py [--target DIR] [--compare FILE]

Reads criterion's estimates (target/criterion/<group>/<function>/<size>/new/
estimates.json) and prints, for each benchmark, the median with criterion's
95% confidence interval of the median, and the ratios the targets of issue 6
are stated in. With the results of benches/compare/run.py (by default
benches/compare/results.json, if it exists), it also prints smoothc's JIT
figures beside the other libraries'. Standard library only.
"""

import argparse
import json
from pathlib import Path


def median(path):
    """(point, low, high) of the median in nanoseconds, or None."""
    try:
        estimate = json.loads(path.read_text())["median"]
    except FileNotFoundError:
        return None
    interval = estimate["confidence_interval"]
    return estimate["point_estimate"], interval["lower_bound"], interval["upper_bound"]


def duration(ns):
    for unit, scale in [("s", 1e9), ("ms", 1e6), ("µs", 1e3)]:
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def cell(figure):
    if figure is None:
        return "not run"
    point, low, high = figure
    return f"{duration(point)} [{duration(low)}, {duration(high)}]"


def ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return ""
    return f"{numerator[0] / denominator[0]:.1f}×"


def seconds(entry):
    """A run.py figure as (point, low, high) in nanoseconds, or None."""
    if not isinstance(entry, dict) or "median_s" not in entry:
        return None
    low, high = entry["ci_s"]
    return entry["median_s"] * 1e9, low * 1e9, high * 1e9


def text(entry):
    """A run.py entry that is not a figure: why it is missing."""
    if entry is None:
        return "not run"
    if isinstance(entry, str):
        return entry
    return cell(seconds(entry)) if seconds(entry) else str(entry)


def speedup(other, ours):
    """other / ours: above 1, smoothc is faster."""
    if other is None or ours is None:
        return ""
    return f"{other[0] / ours[0]:.3g}"


def print_comparison(root, results):
    figures = results["figures"]

    def smoothc(group, kind, size):
        return median(root / group / f"jit_{kind}" / str(size) / "new" / "estimates.json")

    def theirs(name, size, kind):
        return figures.get(name, {}).get(str(size), {}).get(kind)

    for kind, title in [("grad", "forward + gradient"), ("forward", "forward")]:
        print()
        print(f"Odd-even network, {title} of sum(w * sort(x)); the ratios are the other time over smoothc's (above 1: smoothc is faster).")
        print()
        print("| n | smoothc JIT | JAX jax.jit | diffsort | JAX / smoothc | diffsort / smoothc |")
        print("| --- | --- | --- | --- | --- | --- |")
        for n in [8, 32, 128, 1024]:
            ours = smoothc("odd_even", kind, n)
            jax, diffsort = theirs("jax.jit odd_even", n, kind), theirs("diffsort odd_even", n, kind)
            print(f"| {n} | {cell(ours)} | {text(jax)} | {text(diffsort)} "
                  f"| {speedup(seconds(jax), ours)} | {speedup(seconds(diffsort), ours)} |")

    print()
    print("soft_rank (L2), forward + VJP.")
    print()
    print("| n | smoothc JIT | torchsort | fast-soft-sort (reimplemented) | torchsort / smoothc | fast-soft-sort / smoothc |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in [1000, 10000]:
        ours = smoothc("soft_rank", "vjp", n)
        torchsort = theirs("torchsort soft_rank", n, "vjp")
        fss = theirs("fast-soft-sort (reimplemented) soft_rank", n, "vjp")
        print(f"| {n} | {cell(ours)} | {text(torchsort)} | {text(fss)} "
              f"| {speedup(seconds(torchsort), ours)} | {speedup(seconds(fss), ours)} |")

    print()
    print("Bubble sort with early exit, forward and forward + gradient of sum(w * sorted(x)).")
    print()
    print("| n | smoothc JIT forward | AlgoVision forward | smoothc JIT forward + gradient | AlgoVision forward + gradient | AlgoVision / smoothc (gradient) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in [8, 32]:
        ours_forward, ours_grad = smoothc("bubble_early_exit", "forward", n), smoothc("bubble_early_exit", "grad", n)
        algo_forward = theirs("algovision bubble_early_exit", n, "forward")
        algo_grad = theirs("algovision bubble_early_exit", n, "grad")
        print(f"| {n} | {cell(ours_forward)} | {text(algo_forward)} | {cell(ours_grad)} | {text(algo_grad)} "
              f"| {speedup(seconds(algo_grad), ours_grad)} |")

    print()
    print("Compile time of the odd-even loss with its gradient: smoothc once for every n, XLA once per n.")
    print()
    print("| n | smoothc JIT | jax.jit(value_and_grad) lower + compile | jax.jit(loss) lower + compile |")
    print("| --- | --- | --- | --- |")
    ours = median(root / "compile" / "jit" / "odd_even" / "new" / "estimates.json")
    for n in [8, 32, 128, 1024]:
        entry = figures.get("jax.jit odd_even", {}).get(str(n), {})
        grad_s, forward_s = entry.get("compile_grad_s"), entry.get("compile_forward_s")
        grad_text = duration(grad_s * 1e9) if grad_s else "not run"
        forward_text = duration(forward_s * 1e9) if forward_s else "not run"
        print(f"| {n} | {cell(ours)} | {grad_text} | {forward_text} |")


def size_key(size):
    digits = size.split("x")[0]
    return int(digits) if digits.isdigit() else 0


def main():
    parser = argparse.ArgumentParser(description="Prints the last cargo bench figures as Markdown tables.")
    parser.add_argument("--target", default="target", help="cargo's target directory")
    parser.add_argument("--compare", default="benches/compare/results.json", help="the results of run.py")
    args = parser.parse_args()
    root = Path(args.target) / "criterion"
    groups = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in ("compile", "report"))
    print("| benchmark | n | JIT forward | JIT forward + gradient | gradient / forward (JIT) "
          "| interp forward | interp forward + gradient | interp / JIT (forward) | interp / JIT (gradient) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for group in groups:
        # soft_rank names its gradient benchmark `vjp`.
        grad_name = "vjp" if (root / group / "jit_vjp").exists() else "grad"
        sizes = sorted({p.name for p in (root / group).glob("*/*") if p.is_dir() and p.name != "report"}, key=size_key)
        for size in sizes:
            figure = {
                (backend, kind): median(root / group / f"{backend}_{kind}" / size / "new" / "estimates.json")
                for backend in ("jit", "interp")
                for kind in ("forward", grad_name)
            }
            jit_forward, jit_grad = figure["jit", "forward"], figure["jit", grad_name]
            interp_forward, interp_grad = figure["interp", "forward"], figure["interp", grad_name]
            print(f"| {group} | {size} | {cell(jit_forward)} | {cell(jit_grad)} | {ratio(jit_grad, jit_forward)} "
                  f"| {cell(interp_forward)} | {cell(interp_grad)} | {ratio(interp_forward, jit_forward)} "
                  f"| {ratio(interp_grad, jit_grad)} |")
    compile_dir = root / "compile"
    if compile_dir.exists():
        print()
        print("| program | JIT (source to native forward and reverse) | interpreter (source to IR) |")
        print("| --- | --- | --- |")
        for program in sorted(p.name for p in (compile_dir / "jit").iterdir() if p.name != "report"):
            jit = median(compile_dir / "jit" / program / "new" / "estimates.json")
            interp = median(compile_dir / "interp" / program / "new" / "estimates.json")
            print(f"| {program} | {cell(jit)} | {cell(interp)} |")
    if Path(args.compare).exists():
        print_comparison(root, json.loads(Path(args.compare).read_text()))


if __name__ == "__main__":
    main()
