"""Neural MI estimators on skmi.datasets Gaussians, with their default settings.

    python benchmarks/bench_neural.py
    python benchmarks/bench_neural.py --seeds 1  # one seed per cell

For each objective: the held-out estimate (mean and sd over seeds), the
training time, and the truth; KSG and the Gaussian closed form for
comparison. n = 10,000 samples, everything else at its default (including
the 50-second training budget).
"""

import argparse
import os
import time
import warnings

import numpy as np

from skmi import GaussianMutualInfo, KSGMutualInfo, NeuralMutualInfo
from skmi.datasets import make_gaussian

OBJECTIVES = ["mine", "dv", "nwj", "infonce", "smile"]
TASKS = [((5, 5), 1.1), ((25, 25), 2.2)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=10_000)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(
        f"# Neural MI benchmark ({os.cpu_count()} CPUs, n = {args.n_samples:,}, "
        f"{args.seeds} seeds, default settings)\n"
    )
    print("| task | truth | estimator | estimate mean (sd) | rel. error | train time (s) |")
    print("|---|---|---|---|---|---|")
    for dims, mi in TASKS:
        rows = {name: ([], []) for name in OBJECTIVES + ["KSG", "Gaussian"]}
        for seed in range(args.seeds):
            X, y, truth = make_gaussian(args.n_samples, *dims, mi=mi, random_state=seed)
            for objective in OBJECTIVES:
                start = time.perf_counter()
                value = NeuralMutualInfo(objective=objective, random_state=seed).fit(X, y).mi_
                rows[objective][0].append(value)
                rows[objective][1].append(time.perf_counter() - start)
            for name, est in [
                ("KSG", KSGMutualInfo(random_state=seed)),
                ("Gaussian", GaussianMutualInfo()),
            ]:
                start = time.perf_counter()
                rows[name][0].append(est.fit(X, y).mi_)
                rows[name][1].append(time.perf_counter() - start)
        for name, (values, times) in rows.items():
            mean = np.mean(values)
            error = (mean - truth) / truth
            print(
                f"| {dims[0]}x{dims[1]} | {truth:.2f} | {name} | {mean:.3f} ({np.std(values):.3f}) "
                f"| {error:+.1%} | {np.mean(times):.1f} (max {np.max(times):.1f}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
