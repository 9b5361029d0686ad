"""Calibration of permutation p-values and coverage of bootstrap_ci.

    python -m benchmarks.calibration.bench_uncertainty
    python -m benchmarks.calibration.bench_uncertainty --repeats 5 --datasets 2  # a smoke run

1. Permutation p-values under independence (should be uniform) and under a
   weak dependence (should be small), over repeated data sets.
2. Coverage of the 95 % interval of bootstrap_ci on Gaussian tasks of growing
   dimension: the fraction of repeated data sets whose interval contains the
   truth. KSG's bias makes its coverage poor where the bias exceeds the
   spread; that is the point of the table.
"""

import argparse
import warnings

import numpy as np
from scipy import stats

from skmi import GaussianMutualInfo, KSGMutualInfo, bootstrap_ci, permutation_test
from skmi.datasets import make_gaussian


def calibration(repeats=100):
    print("## Permutation p-values (n = 200, 2-D X, 1-D y, 99 permutations)\n")
    print(
        "| estimator | data | mean p | P(p <= 0.05) | KS p-value vs U(0,1) |\n|---|---|---|---|---|"
    )
    data, perms = np.random.default_rng(0), np.random.default_rng(1)
    for name, est in [("Gaussian", GaussianMutualInfo()), ("KSG", KSGMutualInfo(random_state=0))]:
        for label, rho in [("independent", 0.0), ("rho = 0.3", 0.3)]:
            p_values = []
            for _ in range(repeats):
                X = data.standard_normal((200, 2))
                y = rho * X[:, 0] + np.sqrt(1 - rho**2) * data.standard_normal(200)
                p_values.append(
                    permutation_test(
                        est, X, y, n_permutations=99, random_state=perms.integers(2**31)
                    ).p_value
                )
            p = np.array(p_values)
            ks = stats.kstest(p, "uniform").pvalue
            print(
                f"| {name} | {label} | {p.mean():.3f} | {np.mean(p <= 0.05):.2f} | {ks:.3f} |",
                flush=True,
            )
    print()


def coverage(repeats=40, n=1000):
    print(f"## Coverage of the 95 % interval (n = {n:,}, {repeats} data sets per cell)\n")
    print(
        "| task | truth | estimator (method) | coverage | mean width | mean bias |\n"
        "|---|---|---|---|---|---|"
    )
    for dims, mi in [((1, 1), 0.3), ((3, 3), 0.6), ((5, 5), 0.8)]:
        for name, est in [
            ("KSG", KSGMutualInfo(random_state=0)),
            ("Gaussian", GaussianMutualInfo()),
        ]:
            hits, widths, biases = 0, [], []
            for seed in range(repeats):
                X, y, truth = make_gaussian(n, *dims, mi=mi, random_state=seed)
                ci = bootstrap_ci(est, X, y, n_resamples=60, random_state=seed)
                hits += ci.low <= truth <= ci.high
                widths.append(ci.high - ci.low)
                biases.append(ci.estimate - truth)
            print(
                f"| {dims[0]}x{dims[1]} | {truth:.2f} | {name} ({ci.method}) | "
                f"{hits / repeats:.2f} | {np.mean(widths):.3f} | {np.mean(biases):+.3f} |",
                flush=True,
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="data sets per p-value row")
    parser.add_argument("--datasets", type=int, default=40, help="data sets per coverage row")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    calibration(repeats=args.repeats)
    coverage(repeats=args.datasets)


if __name__ == "__main__":
    main()
