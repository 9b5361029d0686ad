"""Neural MI estimators on skmi.datasets Gaussians, with their default settings.

    python -m benchmarks.accuracy.bench_neural
    python -m benchmarks.accuracy.bench_neural --seeds 1  # one seed per cell
    python -m benchmarks.accuracy.bench_neural --high-mi  # the 6-nats row (issue 17)

For each objective: the held-out estimate (mean and sd over seeds), the
training time, and the truth; KSG and the Gaussian closed form for
comparison. n = 10,000 samples, everything else at its default (including
the 50-second training budget).

``--high-mi``: X ~ N(0, I_4), Y = X + s N with s chosen for 6 nats (every
coordinate pair carries 1.5 nats), n = 5000; the DV-type bounds' variance
grows like e^I there, and the column "warned" says whether the estimator
said so.
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


def high_mi_task(n_samples, seed):
    """X ~ N(0, I_4), Y = X + s N: 4 x 0.5 log(1 + 1 / s^2) = 6 nats."""
    rng = np.random.default_rng(seed)
    s = 1 / np.sqrt(np.expm1(3.0))
    X = rng.standard_normal((n_samples, 4))
    return X, X + s * rng.standard_normal((n_samples, 4)), 6.0


def high_mi(args):
    print(f"# Neural bounds at high MI (n = {args.n_samples:,}, {args.seeds} seeds, defaults)\n")
    print("| objective | truth | estimate mean (sd) | rel. error | warned | time (s) |")
    print("|---|---|---|---|---|---|")
    for objective in args.objectives:
        values, times, warned = [], [], 0
        for seed in range(args.seeds):
            X, y, truth = high_mi_task(args.n_samples, seed)
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                values.append(
                    NeuralMutualInfo(objective=objective, random_state=seed).fit(X, y).mi_
                )
            times.append(time.perf_counter() - start)
            warned += any("regime" in str(w.message) or "ceiling" in str(w.message) for w in caught)
        mean = np.mean(values)
        print(
            f"| {objective} | {truth:.2f} | {mean:.3f} ({np.std(values):.3f}) "
            f"| {(mean - truth) / truth:+.1%} | {warned}/{args.seeds} | {np.mean(times):.1f} |",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--high-mi", action="store_true", help="the 6-nats task only")
    parser.add_argument("--objectives", nargs="+", default=OBJECTIVES)
    args = parser.parse_args(argv)
    if args.high_mi:
        args.n_samples = args.n_samples or 5000
        return high_mi(args)
    args.n_samples = args.n_samples or 10_000
    warnings.simplefilter("ignore")
    print(
        f"# Neural MI benchmark ({os.cpu_count()} CPUs, n = {args.n_samples:,}, "
        f"{args.seeds} seeds, default settings)\n"
    )
    print("| task | truth | estimator | estimate mean (sd) | rel. error | train time (s) |")
    print("|---|---|---|---|---|---|")
    for dims, mi in TASKS:
        rows = {name: ([], []) for name in args.objectives + ["KSG", "Gaussian"]}
        for seed in range(args.seeds):
            X, y, truth = make_gaussian(args.n_samples, *dims, mi=mi, random_state=seed)
            for objective in args.objectives:
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
