"""Per-feature MI against scikit-learn (and ennemi), side by side in one run.

    python -m benchmarks.speed.bench_feature_selection
    python -m benchmarks.speed.bench_feature_selection --quick  # skip n = 10^6 and 1000 columns

Timings are the best of 3 calls (1 for the largest cases) after a warm-up
(Numba compiled), the same for every library;
ratio = peer / skmi on the same data in the same run. ``max |diff|`` is the
largest difference between skmi's and scikit-learn's values.
"""

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.feature_selection import mutual_info_classif as sk_classif
from sklearn.feature_selection import mutual_info_regression as sk_regression

from benchmarks._common import best_time, ennemi_mi, features_task, peer_available
from skmi import mutual_info_classif, mutual_info_matrix, mutual_info_regression


def row(label, t_skmi, peers, diff):
    cells = " | ".join(f"{name} {t:.2f}s ({t / t_skmi:.1f}x)" for name, t in peers)
    return f"| {label} | {t_skmi:.3f}s | {cells} | {diff:.1e} |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(
        f"# skmi feature-selection benchmark ({os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]})\n"
    )
    X, y = features_task(2000, 8)
    mutual_info_regression(X, y)  # compile
    mutual_info_classif(X, (y > 0).astype(int))

    print("| task | skmi | peers (time, peer/skmi) | max abs diff vs sklearn |")
    print("|---|---|---|---|")
    cases = [(10_000, 100)]
    if not args.quick:
        cases += [(10_000, 1000), (1_000_000, 10)]
    for n, d in cases:
        X, y = features_task(n, d)
        repeats = 3 if n * d <= 1_000_000 else 1  # best of 3 where a run takes seconds
        t_skmi, ours = best_time(mutual_info_regression, X, y, random_state=0, repeats=repeats)
        t_sk, theirs = best_time(sk_regression, X, y, random_state=0, repeats=repeats)
        peers = [("sklearn", t_sk)]
        if n * d <= 1_000_000:
            t_sk2, _ = best_time(sk_regression, X, y, random_state=0, n_jobs=2)
            peers.append(("sklearn n_jobs=2", t_sk2))
            if peer_available("ennemi"):
                t_en, _ = best_time(ennemi_mi, X, y)
                peers.append(("ennemi", t_en))
        diff = np.abs(ours - theirs).max()
        print(row(f"regression, n={n:,}, {d} features", t_skmi, peers, diff), flush=True)

    X, y = features_task(10_000, 100)
    classes = np.digitize(y, [-1.0, 0.0, 1.0])
    t_skmi, ours = best_time(mutual_info_classif, X, classes, random_state=0)
    t_sk, theirs = best_time(sk_classif, X, classes, random_state=0)
    diff = np.abs(ours - theirs).max()
    print(row("classif, n=10,000, 100 features", t_skmi, [("sklearn", t_sk)], diff))

    t_matrix, _ = best_time(mutual_info_matrix, X[:, :50], random_state=0)
    print(f"\nmutual_info_matrix, n=10,000, 50 features (1,225 pairs): {t_matrix:.2f}s")


if __name__ == "__main__":
    main()
