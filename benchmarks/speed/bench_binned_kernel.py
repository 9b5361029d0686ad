"""Binned and kernel-entropy estimators: speed, bias and approximation error.

    python -m benchmarks.speed.bench_binned_kernel
    python -m benchmarks.speed.bench_binned_kernel --quick  # skip n = 5000 exact spectra

1. BinnedMutualInfo at n = 10^6 rows x 10 columns against
   ``sklearn.metrics.mutual_info_score`` on the same symbols.
2. Miller-Madow: bias of the plug-in MI over repeated samples of a discrete
   task with exact truth.
3. KernelMutualInfo: exact spectrum against the Nyström path (error table).
4. Eigendecomposition of one n x n normalised Gram matrix: numpy vs torch.
"""

import argparse
import os
import warnings

import numpy as np
from sklearn.metrics import mutual_info_score

from benchmarks._common import best_time
from skmi import BinnedMutualInfo, KernelMutualInfo
from skmi._binned import _binned_symbols, _joint_counts
from skmi.datasets import make_gaussian


def _mi(estimator, X, y):
    return estimator.fit(X, y).mi_


def binned_speed():
    print("## BinnedMutualInfo, n = 1,000,000 x 10 columns (uniform, 10 bins a column)\n")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1_000_000, 10))
    y = X[:, 0] + rng.standard_normal(1_000_000)
    BinnedMutualInfo().fit(X[:1000], y[:1000])  # compile
    t_fit, est = best_time(BinnedMutualInfo().fit, X, y)
    labels_x = _binned_symbols(X, est._binner_x)
    labels_y = _binned_symbols(y.reshape(-1, 1), est._binner_y)
    t_count, counts = best_time(_joint_counts, labels_x, labels_y)
    t_sk, sk_mi = best_time(mutual_info_score, labels_x, labels_y)
    print("| step | time |\n|---|---|")
    print(f"| skmi fit (validation, binning, encoding, counting) | {t_fit:.3f} s |")
    print(f"| skmi counting only (three dense relabellings) | {t_count:.3f} s |")
    print(f"| sklearn mutual_info_score on the same symbols | {t_sk:.3f} s |")
    print(
        f"\nratio sklearn / skmi counting: {t_sk / t_count:.1f}x; "
        f"sklearn / whole skmi fit: {t_sk / t_fit:.1f}x; "
        f"values {est.mi_:.6f} vs {sk_mi:.6f} ({est.n_symbols_x_:,} occupied x cells)\n"
    )


def miller_madow(repeats=300):
    print("## Miller-Madow: bias over repeated samples (8 x 8 symbols, y = x w.p. 0.5)\n")
    m = 8
    p = np.full((m, m), 0.5 / m**2) + np.eye(m) * 0.5 / m
    truth = float(np.sum(p * np.log(p * m * m)))
    rng = np.random.default_rng(0)
    print("| n | truth | plug-in mean (bias) | Miller-Madow mean (bias) |\n|---|---|---|---|")
    for n in [100, 300, 1000, 3000]:
        plain, mm = [], []
        for _ in range(repeats):
            cells = rng.choice(m * m, size=n, p=p.ravel())
            x, y = (cells // m).reshape(-1, 1), cells % m
            plain.append(BinnedMutualInfo().fit(x, y).mi_)
            mm.append(BinnedMutualInfo(correction="miller-madow").fit(x, y).mi_)
        print(
            f"| {n} | {truth:.4f} | {np.mean(plain):.4f} ({np.mean(plain) - truth:+.4f}) "
            f"| {np.mean(mm):.4f} ({np.mean(mm) - truth:+.4f}) |"
        )
    print()


def kernel_error(sizes):
    print("## KernelMutualInfo: exact vs Nyström (rbf, Silverman), nats\n")
    print("| n | task | exact (time) | m=250 | m=500 | m=1000 (time) |\n|---|---|---|---|---|---|")
    for n in sizes:
        for dims in [(1, 1), (2, 2)]:
            X, y, _ = make_gaussian(n, *dims, correlation=0.6, random_state=0)
            t_exact, exact = best_time(_mi, KernelMutualInfo(approximation="exact"), X, y)
            cells = []
            for m in [250, 500, 1000]:
                est = KernelMutualInfo(approximation="nystroem", n_components=m, random_state=0)
                t_m, value = best_time(_mi, est, X, y)
                cells.append(f"{value:.4f} ({value - exact:+.4f})")
            print(
                f"| {n} | {dims[0]}x{dims[1]} Gaussian | {exact:.4f} ({t_exact:.1f} s) | "
                f"{cells[0]} | {cells[1]} | {cells[2]} ({t_m:.1f} s) |",
                flush=True,
            )
    print()


def eigen_speed(sizes):
    print("## One eigendecomposition (eigvalsh) of an n x n normalised Gram matrix\n")
    try:
        import torch
    except ImportError:
        print("torch not installed\n")
        return
    print(
        f"| n | numpy | torch {torch.__version__} ({torch.get_num_threads()} threads) |"
        "\n|---|---|---|"
    )
    for n in sizes:
        X, _, _ = make_gaussian(n, 2, 1, random_state=0)
        A = np.exp(-((X[:, None, :] - X[None, :, :]) ** 2).sum(-1) / 0.5) / n
        t_np, _ = best_time(np.linalg.eigvalsh, A)
        T = torch.tensor(A, dtype=torch.float64)
        t_torch, _ = best_time(torch.linalg.eigvalsh, T)
        print(f"| {n} | {t_np:.2f} s | {t_torch:.2f} s |")
    print("\nGPU numbers: see issue 7 (no GPU on this machine).\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"# skmi binned / kernel benchmark ({os.cpu_count()} CPUs)\n")
    binned_speed()
    miller_madow(100 if args.quick else 300)
    kernel_error([2000] if args.quick else [2000, 5000])
    eigen_speed([1000, 2000] if args.quick else [1000, 2000, 5000])


if __name__ == "__main__":
    main()
