"""The neighbour structures behind skmi/_neighbors.py's dispatch thresholds.

    python benchmarks/bench_neighbors.py

Times (seconds, best of 2, after compilation) of the exact max-norm k-NN
query (k = 3) and of the range count, for each structure the dispatcher can
pick, on standard-normal points; every structure gives the same answer
(checked). "tree" is the max-norm k-d tree of ``skmi/_numba/kdtree.py``,
"brute" the blocked float32 scan (k-NN) or the float64 scan (counts).
"count" is measured on half the dimensions, as KSG counts in a marginal
space.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import best_time, machine  # noqa: E402

from skmi import _neighbors  # noqa: E402

STRUCTURES = ("grid", "tree", "brute")
CASES = [
    (1_000_000, 2),
    (50_000, 3),
    (50_000, 4),
    (10_000, 6),
    (50_000, 6),
    (10_000, 12),
    (50_000, 12),
]


def run(points, purpose, kind, radii=None):
    index = _neighbors.NeighborIndex(points, purpose, kind=kind)
    return index.knn(3)[0] if purpose == "knn" else index.count_within(radii)


def main():
    rng = np.random.default_rng(0)
    warm = rng.standard_normal((3000, 4))
    for kind in STRUCTURES:  # compile every kernel first
        run(warm, "knn", kind)
        run(warm[:, :2], "count", kind, np.full(3000, 0.1))
        run(warm[:, :1], "count", "sorted", np.full(3000, 0.1))
    print(f"{machine()}\n")
    print("| n | d | k-NN grid / tree / brute | count (d/2 dims) grid / tree / brute / sorted |")
    print("|---|---|---|---|")
    for n, d in CASES:
        X = rng.standard_normal((n, d))
        knn = {}
        for kind in STRUCTURES:
            if kind == "grid" and d > 4 or kind == "brute" and n * n * d > 2e11:
                knn[kind] = None
                continue
            knn[kind] = best_time(lambda kind=kind: run(X, "knn", kind), repeats=2)  # noqa: B023
        reference = next(v[1] for v in knn.values() if v is not None)
        radii = reference[:, -1]
        half = np.ascontiguousarray(X[:, : max(1, d // 2)])
        count = {}
        kinds = STRUCTURES + (("sorted",) if half.shape[1] == 1 else ())
        for kind in kinds:
            if kind == "grid" and half.shape[1] > 4 or kind == "brute" and n * n * d > 2e11:
                count[kind] = None
                continue
            count[kind] = best_time(lambda kind=kind: run(half, "count", kind, radii), repeats=2)  # noqa: B023
        for table in (knn, count):
            values = [v[1] for v in table.values() if v is not None]
            assert all(np.array_equal(values[0], v) for v in values[1:]), "structures disagree"

        def cells(table):
            return " / ".join("--" if v is None else f"{v[0]:.3f}" for v in table.values())

        print(f"| {n:,} | {d} | {cells(knn)} | {cells(count)} |", flush=True)


if __name__ == "__main__":
    main()
