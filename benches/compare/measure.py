"""Times what users would otherwise pick for the algorithms of smoothc's benches.

Run it through run.py (which sets up the virtualenv):

    python3 benches/compare/run.py [--quick] [--out FILE]

Everything is float64 on the CPU, at the temperature of the criterion benches
(tau = 0.1: diffsort's steepness and AlgoVision's beta are 1 / tau = 10,
soft_rank's regularization strength is tau), on inputs drawn from N(0, 1):

* diffsort: the relaxed odd-even network (logistic), forward and forward +
  gradient of sum(w * sorted), n = 8, 32, 128; n = 1024 forward only, once.
* JAX: the same network (lax.scan over pairs of layers) under jax.jit,
  compile time separately, steady state after it, n = 8, 32, 128, 1024.
* torchsort and fast-soft-sort: soft_rank (L2), forward and forward + VJP,
  n = 1000, 10000.
* AlgoVision: relaxed bubble sort with early exit, forward and forward +
  gradient of sum(w * sorted), n = 8, 32.

fast-soft-sort is on neither PyPI nor any registry this machine reaches, so
`fss_soft_rank` stands in for it: our own implementation of the algorithm of
its numpy reference (Blondel et al. 2020; the library's BSD 3-clause licence
allows a reimplementation), with the
pool-adjacent-violators pass compiled by numba as the library does, checked
against the library's outputs and VJPs in shared/reference/.

Before timing, the script checks that the programs compute the same thing:
JAX against diffsort, our soft_rank against the library's recorded outputs,
torchsort against our soft_rank, our AlgoVision program against AlgoVision's
recorded outputs. Each figure is the median of repeated calls (after a
warm-up call) with a bootstrap 95% confidence interval of the median, as
criterion reports. torch and XLA get one thread unless --threads says
otherwise: smoothc's calls run on one, and on a machine shared with other
work, idle-spinning thread pools distort the figures. The script is not part
of CI.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent.parent.parent / "shared" / "reference"
TAU = 0.1

parser = argparse.ArgumentParser(description="Times the libraries smoothc is compared with.")
parser.add_argument("--quick", action="store_true", help="skip diffsort's single n = 1024 call")
parser.add_argument("--out", default=str(HERE / "results.json"), help="where to write the JSON results")
parser.add_argument(
    "--threads", type=int, default=1, help="threads for torch and XLA (default 1: smoothc's calls use one)"
)
ARGS = parser.parse_args()
# XLA reads its flags when jax loads its backend, so they are set first.
os.environ["XLA_FLAGS"] = (
    f"--xla_cpu_multi_thread_eigen={'true' if ARGS.threads > 1 else 'false'} "
    f"intra_op_parallelism_threads={ARGS.threads}"
)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from numba import njit  # noqa: E402

jax.config.update("jax_enable_x64", True)
torch.set_default_dtype(torch.float64)
torch.set_num_threads(ARGS.threads)
# AlgoVision indexes with lists, which torch warns about on every call.
warnings.filterwarnings("ignore", message="Using a non-tuple sequence for multidimensional indexing")


def measure(fn, budget=2.0, min_reps=5, max_reps=2000, warmup=1):
    """Median seconds of `fn()` with a bootstrap 95% CI of the median."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times = np.array(times)
    medians = np.median(np.random.default_rng(0).choice(times, size=(1000, len(times))), axis=1)
    low, high = np.percentile(medians, [2.5, 97.5])
    return {"median_s": float(np.median(times)), "ci_s": [float(low), float(high)], "reps": len(times)}


def normal(n, seed):
    return np.random.default_rng(seed).standard_normal(n)


# --- the odd-even network: diffsort, and the same network in JAX ---------------


def bench_diffsort(n, full):
    from diffsort import DiffSortNet

    sorter = DiffSortNet("odd_even", n, steepness=1 / TAU, distribution="logistic")
    x, w = torch.tensor(normal(n, 1))[None], torch.tensor(normal(n, 2))[None]

    def forward():
        with torch.no_grad():
            return sorter(x)[0]

    def grad():
        xg = x.clone().requires_grad_(True)
        (w * sorter(xg)[0]).sum().backward()
        return xg.grad

    if n < 1024:
        return {"forward": measure(forward), "grad": measure(grad)}
    if not full:
        return {"skipped": "--quick"}
    # diffsort also builds the n x n relaxed permutation matrix, O(n^3) per
    # layer, and its autograd graph would keep n of those matrices.
    return {
        "forward": measure(forward, budget=0, min_reps=1, warmup=0),
        "grad": "not measured: autograd would keep at least one 1024 x 1024 matrix per layer (over 8 GiB)",
    }


def jax_odd_even(n):
    """The relaxed odd-even transposition network of smoothc's prelude `sort`."""

    def layer(y, start):
        m = (n - start) // 2
        a, b = y[start : start + 2 * m : 2], y[start + 1 : start + 2 * m : 2]
        p = jax.nn.sigmoid((a - b) / TAU)  # the soft truth of a > b: swap
        low, high = p * b + (1 - p) * a, p * a + (1 - p) * b
        return y.at[start : start + 2 * m : 2].set(low).at[start + 1 : start + 2 * m : 2].set(high)

    def sort(x):
        y, _ = jax.lax.scan(lambda y, _: (layer(layer(y, 0), 1), None), x, None, length=n // 2)
        return layer(y, 0) if n % 2 else y

    return sort, lambda x, w: jnp.sum(w * sort(x))


def bench_jax(n):
    _, loss = jax_odd_even(n)
    x, w = jnp.asarray(normal(n, 1)), jnp.asarray(normal(n, 2))
    result = {}
    for name, fn in [("forward", loss), ("grad", jax.value_and_grad(loss))]:
        t0 = time.perf_counter()
        compiled = jax.jit(fn).lower(x, w).compile()
        result[f"compile_{name}_s"] = time.perf_counter() - t0
        result[name] = measure(lambda: jax.block_until_ready(compiled(x, w)))
    return result


def check_jax_against_diffsort(n=32):
    from diffsort import DiffSortNet

    x = normal(n, 1)
    sort, _ = jax_odd_even(n)
    sorter = DiffSortNet("odd_even", n, steepness=1 / TAU, distribution="logistic")
    with torch.no_grad():
        expected = sorter(torch.tensor(x)[None])[0][0].numpy()
    return float(np.max(np.abs(np.asarray(sort(jnp.asarray(x))) - expected)))


# --- soft_rank: torchsort, and fast-soft-sort's algorithm ------------------------


@njit
def pav_decreasing(y):
    """The decreasing isotonic regression of y (least squares), by pool
    adjacent violators: blocks on a stack (start, sum, count); each element
    starts a block, and neighbouring blocks merge while their means do not
    decrease. Returns the solution and the blocks' starts and sizes."""
    n = y.shape[0]
    starts = np.empty(n, np.int64)
    sums = np.empty(n)
    counts = np.empty(n, np.int64)
    top = 0
    for i in range(n):
        starts[top], sums[top], counts[top] = i, y[i], 1
        top += 1
        while top > 1 and sums[top - 2] * counts[top - 1] <= sums[top - 1] * counts[top - 2]:
            sums[top - 2] += sums[top - 1]
            counts[top - 2] += counts[top - 1]
            top -= 1
    solution = np.empty(n)
    for b in range(top):
        solution[starts[b] : starts[b] + counts[b]] = sums[b] / counts[b]
    return solution, starts[:top].copy(), counts[:top].copy()


def fss_soft_rank(values, strength):
    """fast-soft-sort's `soft_rank` (ascending, L2): the projection of
    values / strength onto the permutahedron of (n, ..., 1), i.e. sort
    decreasingly, subtract the isotonic regression of s - (n, ..., 1),
    unsort. Returns the ranks and their VJP as a function of the cotangent
    (within a block the isotonic solution is the block's mean)."""
    n = len(values)
    theta = values / strength
    perm = np.argsort(theta)[::-1]
    s = theta[perm]
    dual, starts, counts = pav_decreasing(s - np.arange(n, 0, -1.0))
    ranks = np.empty(n)
    ranks[perm] = s - dual

    def vjp(cotangent):
        u = cotangent[perm]
        means = np.add.reduceat(u, starts) / counts
        grad = np.empty(n)
        grad[perm] = u - np.repeat(means, counts)
        return grad / strength

    return ranks, vjp


def check_fss_against_library():
    """Largest deviation from fast-soft-sort's recorded soft_rank outputs and VJPs."""
    cases = json.loads((REFERENCE / "fast_soft_sort.json").read_text())["cases"]
    worst, checked = 0.0, 0
    for case in cases:
        if not case["id"].startswith("soft_rank/l2/ASCENDING/"):
            continue
        values = np.array(case["inputs"]["values"], dtype=float)
        ranks, vjp = fss_soft_rank(values, case["call"]["regularization_strength"])
        worst = max(worst, float(np.max(np.abs(ranks - case["outputs"]["result"]))))
        gradients = case.get("gradients", {})
        if "grad_library_vjp" in gradients and not gradients.get("nondifferentiable_point"):
            w = np.array(case["inputs"]["w_for_grad"], dtype=float)
            worst = max(worst, float(np.max(np.abs(vjp(w) - gradients["grad_library_vjp"]))))
        checked += 1
    return {"cases": checked, "max_abs_diff": worst}


def bench_fss(n):
    x, w = normal(n, 1), normal(n, 2)
    return {
        "forward": measure(lambda: fss_soft_rank(x, TAU)[0]),
        "vjp": measure(lambda: fss_soft_rank(x, TAU)[1](w)),
    }


def bench_torchsort(n):
    import torchsort

    x, w = torch.tensor(normal(n, 1))[None], torch.tensor(normal(n, 2))[None]

    def forward():
        with torch.no_grad():
            return torchsort.soft_rank(x, regularization="l2", regularization_strength=TAU)

    def vjp():
        xg = x.clone().requires_grad_(True)
        torchsort.soft_rank(xg, regularization="l2", regularization_strength=TAU).backward(w)
        return xg.grad

    return {"forward": measure(forward), "vjp": measure(vjp)}


def check_torchsort_against_fss(n=1000):
    import torchsort

    x = normal(n, 1)
    expected, _ = fss_soft_rank(x, TAU)
    ranks = torchsort.soft_rank(torch.tensor(x)[None], regularization_strength=TAU)[0].numpy()
    return float(np.max(np.abs(ranks - expected)))


# --- AlgoVision bubble sort -------------------------------------------------------


def algovision_bubble_sort(beta):
    """Bubble sort with early exit, as AlgoVision's examples define it."""
    from algovision import GT, Algorithm, For, If, Input, IsTrue, Let, LetInt, Output, Var, VarInt, While

    return Algorithm(
        Input("array"),
        Var("a", torch.tensor(0.0)),
        Var("b", torch.tensor(0.0)),
        Var("swapped", torch.tensor(1.0)),
        VarInt("n", lambda array: array.shape[1] - 1),
        While(
            IsTrue("swapped"),
            Let("swapped", 0),
            For(
                "i",
                "n",
                Let("a", "array", ["i"]),
                Let("b", "array", [lambda i: i + 1]),
                If(
                    GT("a", "b"),
                    if_true=[
                        Let("array", [lambda i: i + 1], "a"),
                        Let("array", ["i"], "b"),
                        Let("swapped", lambda swapped: 1.0),
                    ],
                ),
            ),
            LetInt("n", lambda n: n - 1),
        ),
        Output("array"),
        beta=beta,
        max_iter=1024,
    )


def check_algovision_against_reference():
    cases = json.loads((REFERENCE / "algovision.json").read_text())["cases"]
    worst, checked = 0.0, 0
    for case in cases:
        if not case["id"].startswith("bubble_sort/"):
            continue
        algo = algovision_bubble_sort(case["call"]["beta"])
        with torch.no_grad():
            array = algo(torch.tensor(case["inputs"]["array"])[None])[0].numpy()
        worst = max(worst, float(np.max(np.abs(array - case["outputs"]["array"]))))
        checked += 1
    return {"cases": checked, "max_abs_diff": worst}


def bench_algovision(n):
    algo = algovision_bubble_sort(1 / TAU)
    x, w = torch.tensor(normal(n, 1))[None], torch.tensor(normal(n, 2))[None]

    def forward():
        with torch.no_grad():
            return algo(x)

    def grad():
        xg = x.clone().requires_grad_(True)
        (w * algo(xg)).sum().backward()
        return xg.grad

    return {"forward": measure(forward, min_reps=3), "grad": measure(grad, min_reps=3)}


# --- the report ---------------------------------------------------------------------


def versions():
    found = {}
    for package in ["numpy", "numba", "jax", "jaxlib", "torch", "diffsort", "torchsort", "algovision"]:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def milliseconds(entry):
    if not isinstance(entry, dict):
        return str(entry)
    low, high = entry["ci_s"]
    return f"{entry['median_s'] * 1e3:.4g} ms [{low * 1e3:.4g}, {high * 1e3:.4g}]"


def markdown(figures):
    lines = [
        "| library / algorithm | n | forward | forward + gradient (VJP) | compile (forward + gradient) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, by_n in figures.items():
        for n, entry in by_n.items():
            if "forward" not in entry:
                lines.append(f"| {name} | {n} | {entry} | | |")
                continue
            gradient = entry.get("grad", entry.get("vjp"))
            compile_s = entry.get("compile_grad_s")
            compile_text = f"{compile_s * 1e3:.4g} ms" if compile_s is not None else ""
            lines.append(
                f"| {name} | {n} | {milliseconds(entry['forward'])} | {milliseconds(gradient)} | {compile_text} |"
            )
    return "\n".join(lines)


def main():
    args = ARGS
    figures = {}

    def run(name, n, bench):
        print(f"{name} n={n} ...", file=sys.stderr, flush=True)
        try:
            figures.setdefault(name, {})[n] = bench()
        except Exception as error:  # a library that fails is reported, not fatal
            figures.setdefault(name, {})[n] = {"error": f"{type(error).__name__}: {error}"}

    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": versions(),
        "threads": {"torch": torch.get_num_threads(), "XLA_FLAGS": os.environ["XLA_FLAGS"]},
        "load_average_at_start": os.getloadavg(),
        "tau": TAU,
        "install_notes": json.loads(os.environ.get("SMOOTHC_COMPARE_NOTES", "{}")),
        "checks": {
            "jax_vs_diffsort_max_abs_diff_n32": check_jax_against_diffsort(),
            "fss_reimplementation_vs_library": check_fss_against_library(),
            "algovision_program_vs_reference": check_algovision_against_reference(),
        },
    }
    for n in [8, 32, 128, 1024]:
        run("jax.jit odd_even", n, lambda: bench_jax(n))
    for n in [8, 32, 128, 1024]:
        run("diffsort odd_even", n, lambda: bench_diffsort(n, full=not args.quick))
    for n in [1000, 10000]:
        run("fast-soft-sort (reimplemented) soft_rank", n, lambda: bench_fss(n))
    if results["versions"]["torchsort"]:
        results["checks"]["torchsort_vs_fss_max_abs_diff_n1000"] = check_torchsort_against_fss()
        for n in [1000, 10000]:
            run("torchsort soft_rank", n, lambda: bench_torchsort(n))
    for n in [8, 32]:
        run("algovision bubble_early_exit", n, lambda: bench_algovision(n))

    results["figures"] = figures
    results["load_average_at_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    keys = ["date", "versions", "threads", "install_notes", "checks", "load_average_at_start", "load_average_at_end"]
    summary = {key: results[key] for key in keys}
    print(json.dumps(summary, indent=2))
    print(markdown(figures))


if __name__ == "__main__":
    main()
