"""Numba versus torch backends, on the CPU here and on a GPU when there is one.

    python benchmarks/bench_backends.py          # CPU comparisons (about 2 minutes)
    python benchmarks/bench_backends.py --gpu    # also the GPU runs of issue 7

CPU: KSG (Numba kernels vs torch tiles on the CPU) and one kernel-entropy
estimate (numpy vs torch eigendecompositions). GPU (with --gpu and CUDA):
KSG at n = 10^6 in 2-D and 20-D, kernel entropy at n = 20,000, MINE on the
25 x 25 Gaussian, each with the CPU time it replaces. Times are wall seconds
of one call after a warm-up; estimates are printed to show they agree.
"""

import argparse
import os
import time
import warnings

from skmi import KernelMutualInfo, KSGMutualInfo, NeuralMutualInfo
from skmi.datasets import make_gaussian


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def ksg(backend, X, y, device="cpu"):
    return KSGMutualInfo(backend=backend, device=device, random_state=0).fit(X, y).mi_


def cpu_section():
    print("## CPU: KSG, Numba kernels vs torch tiles (float64)\n")
    print("| n | dims | numba | torch (cpu) | numba MI | torch MI |\n|---|---|---|---|---|---|")
    ksg("numba", *make_gaussian(300, random_state=0)[:2])
    ksg("torch", *make_gaussian(300, random_state=0)[:2])
    for n, dims in [(10_000, (1, 1)), (10_000, (10, 10)), (50_000, (1, 1))]:
        X, y, _ = make_gaussian(n, *dims, correlation=0.5, random_state=0)
        t_numba, v_numba = timed(lambda: ksg("numba", X, y))  # noqa: B023
        t_torch, v_torch = timed(lambda: ksg("torch", X, y))  # noqa: B023
        print(
            f"| {n:,} | {dims[0]}x{dims[1]} | {t_numba:.3f} s | {t_torch:.3f} s "
            f"| {v_numba:.6f} | {v_torch:.6f} |",
            flush=True,
        )
    print("\n## CPU: kernel entropy MI (exact), numpy vs torch\n")
    print("| n | numpy | torch (cpu) |\n|---|---|---|")
    for n in [1000, 2000]:
        X, y, _ = make_gaussian(n, 2, 2, random_state=0)
        t_np, _ = timed(lambda: KernelMutualInfo(approximation="exact").fit(X, y))  # noqa: B023
        t_t, _ = timed(  # noqa: B023
            lambda: KernelMutualInfo(approximation="exact", backend="torch").fit(X, y)  # noqa: B023
        )
        print(f"| {n} | {t_np:.2f} s | {t_t:.2f} s |")


def gpu_section():
    import torch

    if not torch.cuda.is_available():
        print("\n## GPU\n\nNo CUDA device on this machine: GPU numbers not measured.")
        return
    name = torch.cuda.get_device_name(0)
    print(f"\n## GPU: {name}\n")
    print("| task | CPU | GPU | speed-up | CPU value | GPU value |\n|---|---|---|---|---|---|")
    for dims in [(1, 1), (10, 10)]:
        X, y, _ = make_gaussian(1_000_000, *dims, correlation=0.5, random_state=0)
        ksg("torch", X[:2000], y[:2000], device="cuda")
        t_gpu, v_gpu = timed(lambda: ksg("torch", X, y, device="cuda"))  # noqa: B023
        t_cpu, v_cpu = timed(lambda: ksg("numba", X, y))  # noqa: B023
        print(
            f"| KSG n=10^6 {dims[0] + dims[1]}-D | {t_cpu:.1f} s | {t_gpu:.1f} s | "
            f"{t_cpu / t_gpu:.1f}x | {v_cpu:.5f} | {v_gpu:.5f} |",
            flush=True,
        )
    X, y, _ = make_gaussian(20_000, 2, 2, random_state=0)
    big = dict(approximation="exact")
    with __import__("skmi").config_context(memory_budget=64 * 1024**3):
        t_gpu, v_gpu = timed(
            lambda: KernelMutualInfo(backend="torch", device="cuda", **big).fit(X, y).mi_
        )
        t_cpu, v_cpu = timed(lambda: KernelMutualInfo(**big).fit(X, y).mi_)
    print(
        f"| kernel MI n=20,000 exact | {t_cpu:.1f} s | {t_gpu:.1f} s | {t_cpu / t_gpu:.1f}x "
        f"| {v_cpu:.5f} | {v_gpu:.5f} |"
    )
    X, y, _ = make_gaussian(10_000, 25, 25, mi=2.2, random_state=0)
    t_gpu, v_gpu = timed(lambda: NeuralMutualInfo(device="cuda", random_state=0).fit(X, y).mi_)
    t_cpu, v_cpu = timed(lambda: NeuralMutualInfo(random_state=0).fit(X, y).mi_)
    print(
        f"| MINE 25x25 n=10^4 | {t_cpu:.1f} s | {t_gpu:.1f} s | {t_cpu / t_gpu:.1f}x "
        f"| {v_cpu:.4f} | {v_gpu:.4f} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="also run the GPU section")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"# skmi backends benchmark ({os.cpu_count()} CPUs)\n")
    cpu_section()
    if args.gpu:
        gpu_section()


if __name__ == "__main__":
    main()
