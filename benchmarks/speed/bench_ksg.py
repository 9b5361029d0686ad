"""KSG speed and accuracy against scikit-learn and other peers, in one run.

    python -m benchmarks.speed.bench_ksg          # everything
    python -m benchmarks.speed.bench_ksg --quick  # skip n = 10^6

Every timing is the best of a few repetitions, measured in this process
after one warm-up call, so Numba compilation is excluded; the first-call
cost (cold compile and cached load) is measured separately, in fresh
subprocesses. Ratios are peer time / skmi time on the same data in the same
run. Peers that are not installed (``pip install npeet-plus ennemi``) are
skipped.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn.feature_selection import mutual_info_regression

from benchmarks._common import best_time
from skmi import GaussianMutualInfo, KSGMutualInfo
from skmi.datasets import make_gaussian

try:
    from npeet_plus import mi as npeet_mi
except ImportError:  # pragma: no cover - optional peer
    npeet_mi = None
try:
    from ennemi import estimate_mi as ennemi_mi
except ImportError:  # pragma: no cover - optional peer
    ennemi_mi = None


def skmi_ksg(X, y):
    return KSGMutualInfo(random_state=0).fit(X, y).mi_


def peers_1d(include_slow):
    """scikit-learn always; the pure-Python-loop peers only where they finish."""
    peers = [("sklearn", lambda X, y: mutual_info_regression(X, y, random_state=0)[0])]
    if ennemi_mi is not None and include_slow:
        peers.append(("ennemi", lambda X, y: float(ennemi_mi(y, X[:, 0], k=3)[0, 0])))
    if npeet_mi is not None and include_slow:
        peers.append(("NPEET", lambda X, y: npeet_mi(X, y, k=3, base=np.e)))
    return peers


def speed_1d(sizes, out):
    out("\n## 1-D x, 1-D y (Gaussian, rho = 0.6): time in s, ratio = peer / skmi\n")
    out("| n | skmi | peer | peer time | ratio | skmi MI | peer MI |")
    out("|---|---|---|---|---|---|---|")
    for n in sizes:
        X, y, _ = make_gaussian(n, correlation=0.6, random_state=0)
        repeats = 5 if n <= 100_000 else 2
        t_skmi, mi_skmi = best_time(skmi_ksg, X, y, repeats=repeats)
        for name, fn in peers_1d(include_slow=n <= 100_000):
            t_peer, mi_peer = best_time(fn, X, y, repeats=1 if n > 100_000 else 3)
            out(
                f"| {n:,} | {t_skmi:.3f} | {name} | {t_peer:.3f} | {t_peer / t_skmi:.1f}x "
                f"| {mi_skmi:.5f} | {mi_peer:.5f} |"
            )


def speed_multivariate(out):
    out("\n## Multivariate (Gaussian, paired rho = 0.3): NPEET's mi vs skmi\n")
    out("| n | dims | skmi | NPEET | ratio | skmi MI | NPEET MI | truth |")
    out("|---|---|---|---|---|---|---|---|")
    if npeet_mi is None:
        out("| NPEET not installed | | | | | | | |")
        return
    for n, dims in [(10_000, (10, 10)), (10_000, (3, 3)), (50_000, (2, 2))]:
        X, y, truth = make_gaussian(n, *dims, correlation=0.3, random_state=0)
        t_skmi, mi_skmi = best_time(skmi_ksg, X, y, repeats=3)
        t_peer, mi_peer = best_time(npeet_mi, X, y, None, 3, np.e)
        out(
            f"| {n:,} | {dims[0]}x{dims[1]} | {t_skmi:.3f} | {t_peer:.3f} | "
            f"{t_peer / t_skmi:.1f}x | {mi_skmi:.4f} | {mi_peer:.4f} | {truth:.4f} |"
        )


def accuracy(out, n=10_000, seeds=5):
    out(f"\n## Accuracy on Gaussian tasks, n = {n:,}: mean (sd) over {seeds} seeds, nats\n")
    out("| dims | rho | truth | skmi KSG1 | skmi KSG2 | NPEET | Gaussian |")
    out("|---|---|---|---|---|---|---|")
    for dims, rho in [((1, 1), 0.6), ((1, 1), 0.9), ((2, 2), 0.6), ((5, 5), 0.5), ((10, 10), 0.3)]:
        cols = {"ksg1": [], "ksg2": [], "npeet": [], "gauss": []}
        for seed in range(seeds):
            X, y, truth = make_gaussian(n, *dims, correlation=rho, random_state=seed)
            cols["ksg1"].append(skmi_ksg(X, y))
            cols["ksg2"].append(KSGMutualInfo(variant=2, random_state=0).fit(X, y).mi_)
            cols["gauss"].append(GaussianMutualInfo().fit(X, y).mi_)
            if npeet_mi is not None:
                cols["npeet"].append(npeet_mi(X, y, k=3, base=np.e))

        def cell(v):
            return f"{np.mean(v):.4f} ({np.std(v):.4f})" if v else "-"

        out(
            f"| {dims[0]}x{dims[1]} | {rho} | {truth:.4f} | {cell(cols['ksg1'])} | "
            f"{cell(cols['ksg2'])} | {cell(cols['npeet'])} | {cell(cols['gauss'])} |"
        )


_FIRST_CALL = """
import time
t = time.perf_counter()
from skmi import KSGMutualInfo
from skmi.datasets import make_gaussian
X, y, _ = make_gaussian(3000, 2, 2, random_state=0)
KSGMutualInfo().fit(X, y)
KSGMutualInfo().fit(X[:, :1], y[:, 0])
print(time.perf_counter() - t)
"""


def first_call(out):
    out("\n## First call (import + compile or cache load + a 3000-sample fit), s\n")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        run = [sys.executable, "-c", _FIRST_CALL]
        cold = float(subprocess.run(run, env=env, capture_output=True, text=True).stdout)
        warm = float(subprocess.run(run, env=env, capture_output=True, text=True).stdout)
    out(f"| cold (empty Numba cache) | {cold:.2f} |\n| cached | {warm:.2f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip n = 10^6")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    out = print
    out(f"# skmi KSG benchmark ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    X, y, _ = make_gaussian(3000, 5, 5, random_state=0)  # warm-up: compile
    skmi_ksg(X, y)
    skmi_ksg(X[:, :1], y[:, 0])
    first_call(out)
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    speed_1d(sizes, out=out)
    speed_multivariate(out)
    accuracy(out, seeds=3 if args.quick else 5)


if __name__ == "__main__":
    main()
