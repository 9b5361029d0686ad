"""Numba versus torch backends, on the CPU and on a GPU; sets backend="auto"'s threshold.

    python -m benchmarks.speed.bench_backends                       # CPU: Numba vs torch-on-CPU
    python -m benchmarks.speed.bench_backends --gpu --out gpu.json  # the GPU runs (CUDA device)
    python -m benchmarks.speed.bench_backends --gpu --device cpu --quick --out dry.json
                                                                    # dry run of the GPU script

Sections (each prints a Markdown table; ``--out`` writes all rows as JSON,
or CSV for any other extension):

1. **KSG crossover** -- ``KSGMutualInfo`` with ``backend="numba"`` against
   ``backend="torch"`` on ``--device``, Gaussian data of 2, 10 and 20 joint
   dimensions at growing n. The last line suggests ``TORCH_AUTO_MIN_SAMPLES``
   (``skmi/_neighbors.py``): the smallest n at which torch on the device was
   faster than Numba for every dimension measured at that n and above.
2. **Large runs** (``--gpu``) -- KSG at n = 10^6 in 2-D and 20-D, exact
   kernel-entropy MI at n = 20,000, MINE on the 25 x 25 Gaussian, each with
   the Numba / CPU time it replaces. The 20-D CPU time at 10^6 would take
   hours (brute force); it is extrapolated from n = 10^5 by n^2, and marked so.

Times are wall seconds of one call after a warm-up; the estimates of both
backends are printed side by side (float64: they agree to rounding). The
whole ``--gpu`` run is sized to finish in about 5 minutes on one GPU and a
16-core host; ``--quick`` shrinks every size for a dry run.
"""

import argparse
import warnings

import numpy as np

import skmi
from benchmarks._common import best_time, gaussian_task, machine, markdown_table, write_rows
from skmi import KernelMutualInfo, KSGMutualInfo, NeuralMutualInfo

DIMS = [(1, 1), (5, 5), (10, 10), (64, 1)]


def ksg(backend, X, y, device="cpu"):
    return KSGMutualInfo(backend=backend, device=device, random_state=0).fit(X, y).mi_


def crossover(device, sizes):
    """Numba vs torch-on-device KSG times over n; rows and the suggested threshold."""
    print(f"\n## KSG crossover: Numba (CPU) vs torch on {device}\n")
    columns = [
        ("dims", "dims"),
        ("n", "n"),
        ("numba_s", "numba (s)"),
        ("torch_s", "torch (s)"),
        ("speedup", "torch speed-up"),
        ("numba_mi", "numba MI"),
        ("torch_mi", "torch MI"),
    ]
    print(markdown_table([], columns))
    X, y, _ = gaussian_task(500, 2, 2)
    ksg("numba", X, y)
    ksg("torch", X, y, device)  # warm-up: compile, CUDA context
    rows = []
    for dx, dy in DIMS:
        for n in sizes:
            X, y, _ = gaussian_task(n, dx, dy)
            t_numba, v_numba = best_time(ksg, "numba", X, y)
            t_torch, v_torch = best_time(ksg, "torch", X, y, device)
            rows.append(
                {
                    "section": "crossover",
                    "device": device,
                    "dims": f"{dx}x{dy}",
                    "n": n,
                    "numba_s": t_numba,
                    "torch_s": t_torch,
                    "speedup": t_numba / t_torch,
                    "numba_mi": v_numba,
                    "torch_mi": v_torch,
                }
            )
            print(markdown_table(rows[-1:], columns).split("\n")[-1], flush=True)
    threshold = suggest_threshold(rows)
    print(
        f"\nSuggested TORCH_AUTO_MIN_SAMPLES for {device}: "
        + (f"{threshold:,}" if threshold else "none (Numba was faster at every size)")
    )
    rows.append({"section": "threshold", "device": device, "TORCH_AUTO_MIN_SAMPLES": threshold})
    return rows


def suggest_threshold(rows):
    """Smallest n from which torch beat Numba in every measured cell at that n and above."""
    sizes = sorted({r["n"] for r in rows})
    best = None
    for n in reversed(sizes):
        if all(r["speedup"] > 1.0 for r in rows if r["n"] >= n):
            best = n
        else:
            break
    return best


def large_runs(device, quick, large_n=1_000_000):
    """KSG at 10^6, exact kernel MI at 20,000, MINE 25 x 25, on the device vs the CPU."""
    print(f"\n## Large runs on {device}\n")
    columns = [
        ("task", "task"),
        ("cpu_s", "CPU (s)"),
        ("device_s", f"{device} (s)"),
        ("speedup", "speed-up"),
        ("cpu_value", "CPU value"),
        ("device_value", "device value"),
    ]
    print(markdown_table([], columns))
    rows = []

    def add(task, t_cpu, v_cpu, t_dev, v_dev):
        rows.append(
            {
                "section": "large",
                "device": device,
                "task": task,
                "cpu_s": t_cpu,
                "device_s": t_dev,
                "speedup": t_cpu / t_dev if np.isfinite(t_cpu) else "",
                "cpu_value": v_cpu,
                "device_value": v_dev,
            }
        )
        print(markdown_table(rows[-1:], columns).split("\n")[-1], flush=True)

    big = 5_000 if quick else large_n
    X, y, _ = gaussian_task(big, 1, 1)
    t_dev, v_dev = best_time(ksg, "torch", X, y, device)
    t_cpu, v_cpu = best_time(ksg, "numba", X, y)
    add(f"KSG 2-D n={big:,}", t_cpu, v_cpu, t_dev, v_dev)

    X, y, _ = gaussian_task(big, 10, 10)
    t_dev, v_dev = best_time(ksg, "torch", X, y, device)
    small = big // 10
    t_small, _ = best_time(ksg, "numba", X[:small], y[:small])
    add(
        f"KSG 20-D n={big:,} (CPU: n={small:,} time x 100, extrapolated)",
        t_small * 100,
        "",
        t_dev,
        v_dev,
    )

    n_kernel = 500 if quick else 20_000
    X, y, _ = gaussian_task(n_kernel, 2, 2)
    exact = dict(approximation="exact")
    with skmi.config_context(memory_budget=64 * 1024**3):
        t_dev, v_dev = best_time(
            lambda: KernelMutualInfo(backend="torch", device=device, **exact).fit(X, y).mi_
        )
        if quick or device == "cpu":
            t_cpu, v_cpu = best_time(lambda: KernelMutualInfo(**exact).fit(X, y).mi_)
        else:  # an exact n = 20,000 eigendecomposition on the CPU takes many minutes
            t_cpu, v_cpu = float("nan"), ""
    add(f"kernel MI exact n={n_kernel:,}", t_cpu, v_cpu, t_dev, v_dev)

    n_mine = 2_000 if quick else 10_000
    budget = dict(max_epochs=2, max_time=5.0) if quick else dict(max_time=30.0)
    X, y, _ = make_mine_task(n_mine)
    t_dev, v_dev = best_time(
        lambda: NeuralMutualInfo(device=device, random_state=0, **budget).fit(X, y).mi_
    )
    t_cpu, v_cpu = best_time(lambda: NeuralMutualInfo(random_state=0, **budget).fit(X, y).mi_)
    add(
        f"MINE 25x25 n={n_mine:,} (<= {budget['max_time']:.0f} s training each)",
        t_cpu,
        v_cpu,
        t_dev,
        v_dev,
    )
    return rows


def make_mine_task(n):
    return skmi.datasets.make_gaussian(n, 25, 25, mi=2.2, random_state=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="the GPU runs: crossover + large")
    parser.add_argument("--device", help='torch device (default "cuda" with --gpu, else "cpu")')
    parser.add_argument("--quick", action="store_true", help="small sizes: a dry run")
    parser.add_argument("--out", help="write every row to this .json or .csv file")
    parser.add_argument(
        "--large-n",
        type=int,
        default=1_000_000,
        help="n of the large KSG runs (default 10^6; the 20-D brute force grows as n^2)",
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import torch

    device = args.device or ("cuda" if args.gpu else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        parser.error(f"--device {device}: no CUDA device here (try --device cpu --quick)")
    name = torch.cuda.get_device_name(0) if device.startswith("cuda") else "CPU"
    print(f"# skmi backends benchmark\n\n{machine()}; torch {torch.__version__} on {name}")
    if args.quick:
        sizes = [1_000, 3_000]
    elif args.gpu:
        sizes = [10_000, 30_000, 100_000]
    else:
        sizes = [3_000, 10_000]
    rows = crossover(device, sizes)
    if args.gpu:
        rows += large_runs(device, args.quick, args.large_n)
    write_rows(rows, args.out)
    if args.out:
        print(f"\nrows written to {args.out}")


if __name__ == "__main__":
    main()
