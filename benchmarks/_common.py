"""Shared pieces of the benchmark scripts: timing, peers, tasks, output.

Every script times with :func:`best_time`, takes its data from
``skmi.datasets`` (through :func:`gaussian_task` and friends here) and its
peers from :func:`peer`, so that a ratio in one table means the same thing
as in another. The scripts are modules of the ``benchmarks`` package, run
from the repository root (``python -m benchmarks.speed.bench_ksg``), and
import this one as ``benchmarks._common``.

Timings are machine- and load-dependent: the scripts print the machine and
its load average with every table, and only ratios measured side by side in
one run should be compared.
"""

import csv
import json
import os
import platform
import sys
import time

import numpy as np
from scipy.special import digamma

from skmi.datasets import make_gaussian

try:  # optional peers: pip install "skmi[bench]"
    from npeet_plus import mi as _npeet_mi
except ImportError:  # pragma: no cover - optional
    _npeet_mi = None
try:
    from ennemi import estimate_mi as _ennemi_mi
except ImportError:  # pragma: no cover - optional
    _ennemi_mi = None


def best_time(fn, *args, repeats=1, **kwargs):
    """Best wall time of ``repeats`` calls of ``fn(*args, **kwargs)``, and its value."""
    best, value = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, value


def machine():
    """One line naming the machine, its load and the software versions."""
    import numba
    import sklearn

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs (load average {load:.1f}), "
        f"Python {sys.version.split()[0]}, numba {numba.__version__}, "
        f"scikit-learn {sklearn.__version__}, {numba.get_num_threads()} Numba threads"
    )


# -- tasks -----------------------------------------------------------------------


def gaussian_task(n, d_x, d_y, correlation=0.5, seed=0):
    """``(X, y, true_mi)`` from :func:`skmi.datasets.make_gaussian` (paired)."""
    return make_gaussian(n, d_x, d_y, correlation=correlation, random_state=seed)


def features_task(n, n_features, seed=0):
    """Many candidate features against one target: a dense Gaussian, 1-D y.

    ``(X, y)`` with ``y`` of shape (n,), for the per-feature functions.
    """
    X, y, _ = make_gaussian(n, n_features, 1, mi=1.0, structure="dense", random_state=seed)
    return X, np.ravel(y)


# -- peers -----------------------------------------------------------------------


def sklearn_mi(X, y):
    """scikit-learn's ``mutual_info_regression`` (KSG 1 per column of X)."""
    from sklearn.feature_selection import mutual_info_regression

    return mutual_info_regression(X, np.ravel(y), random_state=0)


def npeet_mi(X, y):
    """NPEET's KSG (``npeet_plus.mi``, k = 3, nats); None if not installed."""
    return None if _npeet_mi is None else _npeet_mi(X, y, k=3, base=np.e)


def ennemi_mi(X, y):
    """ennemi's KSG (k = 3, nats) of each column of X with a 1-D y; None if not installed."""
    return None if _ennemi_mi is None else np.ravel(_ennemi_mi(np.ravel(y), X, k=3))


def ckdtree_ksg(X, y, k=3):
    """KSG 1 written on ``scipy.spatial.cKDTree`` -- the textbook implementation.

    Standardised columns, the joint k-NN by one tree query (max-norm),
    strict marginal counts by ``query_ball_point`` at the k-th distance made
    strict with ``nextafter`` (as scikit-learn does).
    """
    from scipy.spatial import cKDTree

    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
    y = (y - y.mean(0)) / np.where(y.std(0) > 0, y.std(0), 1.0)
    n = len(X)
    joint = np.hstack([X, y])
    dist, _ = cKDTree(joint).query(joint, k=k + 1, p=np.inf, workers=-1)
    radius = np.nextafter(dist[:, -1], 0)
    n_x = cKDTree(X).query_ball_point(X, radius, p=np.inf, return_length=True, workers=-1) - 1
    n_y = cKDTree(y).query_ball_point(y, radius, p=np.inf, return_length=True, workers=-1) - 1
    return digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1))


PEERS = {
    "scikit-learn": sklearn_mi,
    "NPEET": npeet_mi,
    "ennemi": ennemi_mi,
    "cKDTree KSG": ckdtree_ksg,
}
_INSTALLED = {"NPEET": _npeet_mi is not None, "ennemi": _ennemi_mi is not None}


def peer_available(name):
    """Whether the optional package behind peer ``name`` is installed."""
    return _INSTALLED.get(name, True)


# -- output ----------------------------------------------------------------------


def write_rows(rows, path):
    """Write a list of dicts as JSON (``.json``) or CSV (anything else)."""
    if path is None:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".json"):
        with open(path, "w") as f:
            json.dump({"machine": machine(), "rows": rows}, f, indent=1, default=float)
        return
    fields = sorted({key for row in rows for key in row})
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def markdown_table(rows, columns):
    """A Markdown table of ``rows`` (dicts) with the given (key, header) columns."""
    lines = ["| " + " | ".join(h for _, h in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for key, _ in columns:
            v = row.get(key, "")
            cells.append(f"{v:.4g}" if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
