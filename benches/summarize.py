#!/usr/bin/env python3
"""Prints the last `cargo bench` figures as the Markdown tables of BENCHMARKS.md.

    python3 benches/summarize.py [TARGET_DIR]

Reads criterion's estimates (target/criterion/<group>/<function>/<size>/new/
estimates.json) and prints, for each benchmark, the median with criterion's
95% confidence interval of the median, and the ratios the targets of issue 6
are stated in. Standard library only.
"""

import json
import sys
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


def size_key(size):
    digits = size.split("x")[0]
    return int(digits) if digits.isdigit() else 0


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"
    groups = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in ("compile", "report"))
    print("| benchmark | n | JIT forward | JIT forward + gradient | gradient / forward (JIT) "
          "| interp forward | interp forward + gradient | interp / JIT (gradient) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
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
                  f"| {cell(interp_forward)} | {cell(interp_grad)} | {ratio(interp_grad, jit_grad)} |")
    compile_dir = root / "compile"
    if compile_dir.exists():
        print()
        print("| program | JIT (source to native forward and reverse) | interpreter (source to IR) |")
        print("| --- | --- | --- |")
        for program in sorted(p.name for p in (compile_dir / "jit").iterdir() if p.name != "report"):
            jit = median(compile_dir / "jit" / program / "new" / "estimates.json")
            interp = median(compile_dir / "interp" / program / "new" / "estimates.json")
            print(f"| {program} | {cell(jit)} | {cell(interp)} |")


if __name__ == "__main__":
    main()
