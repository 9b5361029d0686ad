"""The neighbour structures behind skmi/_neighbors.py's dispatch thresholds.

    python -m benchmarks.speed.bench_neighbors  # the dispatch table
    python -m benchmarks.speed.bench_neighbors --leaf-sizes 32 64 128 256

Times (seconds, best of 2, after compilation) of the exact max-norm k-NN
query (k = 3) and of the range count, for each structure the dispatcher can
pick, on standard-normal points; every structure gives the same answer
(checked). "tree" is the max-norm k-d tree (``skmi/_numba/kdtree.py``, its
leaves measured in float32 SIMD), "brute" the blocked float32
scan (k-NN) or the float64 scan (counts). "count" is measured on half the
dimensions with the joint k-th distances as radii, as KSG counts in a
marginal space. "relu" rows are 64 ReLU units driven by 4 latent Gaussians
(an activation-like set of low intrinsic dimension). ``--leaf-sizes`` times
the tree alone for each leaf size (``_neighbors._LEAF_SIZE`` for k-NN,
``_COUNT_LEAF_SIZE`` for counts).
"""

import argparse

import numpy as np

from benchmarks._common import best_time, machine
from skmi import _neighbors

STRUCTURES = ("grid", "tree", "brute")
CASES = [
    (1_000_000, 2, "gauss"),
    (100_000, 3, "gauss"),
    (100_000, 4, "gauss"),
    (100_000, 6, "gauss"),
    (100_000, 10, "gauss"),
    (30_000, 21, "gauss"),
    (30_000, 65, "gauss"),
    (30_000, 64, "relu"),
]


def points(n, d, kind, rng):
    if kind == "relu":
        latent = rng.standard_normal((n, 4))
        return np.maximum(
            latent @ rng.standard_normal((4, d)) + 0.1 * rng.standard_normal((n, d)), 0
        )
    return rng.standard_normal((n, d))


def run(points, purpose, kind, radii=None):
    index = _neighbors.NeighborIndex(points, purpose, kind=kind)
    return index.knn(3)[0] if purpose == "knn" else index.count_within(radii)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaf-sizes", type=int, nargs="*", default=None)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    warm = rng.standard_normal((3000, 4))
    for kind in STRUCTURES:  # compile every kernel first
        run(warm, "knn", kind)
        run(warm[:, :2], "count", kind, np.full(3000, 0.1))
        run(warm[:, :1], "count", "sorted", np.full(3000, 0.1))
    print(f"{machine()}\n")
    if args.leaf_sizes:
        return leaf_sizes(args.leaf_sizes, rng)
    knn_columns = "k-NN grid / tree / brute"
    count_columns = "count (d/2 dims) grid / tree / brute / sorted"
    print(f"| n | d | data | {knn_columns} | {count_columns} |")
    print("|---|---|---|---|---|")
    for n, d, data in CASES:
        X = points(n, d, data, rng)
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
            if kind == "grid" and half.shape[1] > 5 or kind == "brute" and n * n * d > 2e11:
                count[kind] = None
                continue
            count[kind] = best_time(lambda kind=kind: run(half, "count", kind, radii), repeats=2)  # noqa: B023
        for table in (knn, count):
            values = [v[1] for v in table.values() if v is not None]
            assert all(np.array_equal(values[0], v) for v in values[1:]), "structures disagree"

        def cells(table):
            return " / ".join("--" if v is None else f"{v[0]:.3f}" for v in table.values())

        print(f"| {n:,} | {d} | {data} | {cells(knn)} | {cells(count)} |", flush=True)


def leaf_sizes(sizes, rng):
    """k-NN and count times of the tree alone, per leaf size."""
    print("| n | d | data | " + " | ".join(f"leaf {s}: k-NN / count" for s in sizes) + " |")
    print("|---|---|---|" + "---|" * len(sizes))
    for n, d, data in CASES[2:]:
        X = points(n, d, data, rng)
        half = np.ascontiguousarray(X[:, : max(1, d // 2)])
        cells = []
        for size in sizes:
            _neighbors._LEAF_SIZE = _neighbors._COUNT_LEAF_SIZE = size
            knn = best_time(lambda: run(X, "knn", "tree"), repeats=1)  # noqa: B023
            count = best_time(lambda: run(half, "count", "tree", knn[1][:, -1]), repeats=1)  # noqa: B023
            cells.append(f"{knn[0]:.2f} / {count[0]:.2f}")
        print(f"| {n:,} | {d} | {data} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
