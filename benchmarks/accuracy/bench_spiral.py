"""Candidate estimators on the spiral families, where every default falls short.

    python -m benchmarks.accuracy.bench_spiral  # n = 1000, 5000; 2 seeds
    python -m benchmarks.accuracy.bench_spiral --sizes 1000 --seeds 1 --no-neural

The spiral (:func:`skmi.datasets.make_spiral`) twists a sparse-correlation
Gaussian by an angle proportional to its norm, per block: an invertible map
of each variable, so the MI (1 nat here) is that of the Gaussian. Rows:
``estimate_mi`` (the automatic choice); KSG on normal scores with k = 1, 3,
10 (fewer neighbours, less bias from the curvature, more variance); the
neural bounds (``NeuralMutualInfo``, at most ``--max-time`` seconds of
training each, the bound evaluated on the held-out split); and a
Gaussian-mixture plug-in on normal scores with 1, 4, 10 and 20 components
(the mixture's own marginals, MI by Monte Carlo from 20,000 of its draws) --
the mixture-model candidate of the accuracy issue.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture

from skmi import KSGMutualInfo, NeuralMutualInfo, estimate_mi
from skmi._preprocessing import normal_scores
from skmi.datasets import make_spiral

FAMILIES = [("spiral 3x3", 3, False), ("spiral 5x5 +cdf", 5, True)]


def _mixture_log_density(mixture, Z, columns):
    """log density of the mixture's marginal over ``columns`` at the rows of Z."""
    means = mixture.means_[:, columns]
    covariances = mixture.covariances_[:, columns][:, :, columns]
    terms = []
    for weight, mean, covariance in zip(mixture.weights_, means, covariances, strict=True):
        chol = np.linalg.cholesky(covariance)
        white = np.linalg.solve(chol, (Z[:, columns] - mean).T)
        terms.append(
            np.log(weight)
            - 0.5 * (white**2).sum(axis=0)
            - np.log(np.diag(chol)).sum()
            - 0.5 * len(columns) * np.log(2 * np.pi)
        )
    return logsumexp(np.array(terms), axis=0)


def mixture_mi(X, y, n_components, seed):
    """Plug-in MI of a Gaussian mixture fitted to the normal scores of [X, y]."""
    Z = np.hstack([normal_scores(X), normal_scores(y)])
    mixture = GaussianMixture(n_components, reg_covar=1e-4, random_state=seed).fit(Z)
    draws, _ = mixture.sample(20_000)
    a = list(range(X.shape[1]))
    b = list(range(X.shape[1], Z.shape[1]))
    return float(
        np.mean(
            _mixture_log_density(mixture, draws, a + b)
            - _mixture_log_density(mixture, draws, a)
            - _mixture_log_density(mixture, draws, b)
        )
    )


def candidates(neural, max_time):
    rows = [("estimate_mi (auto)", lambda X, y, s: estimate_mi(X, y, random_state=s).estimate)]
    for k in (1, 3, 10):
        rows.append(
            (
                f"ksg-copula k={k}",
                lambda X, y, s, k=k: (
                    KSGMutualInfo(n_neighbors=k, random_state=s)
                    .fit(normal_scores(X), normal_scores(y))
                    .mi_
                ),
            )
        )
    if neural:
        for objective in ("infonce", "nwj", "smile", "mine"):
            rows.append(
                (
                    f"neural {objective}",
                    lambda X, y, s, o=objective: (
                        NeuralMutualInfo(objective=o, random_state=s, max_time=max_time)
                        .fit(X, y)
                        .mi_
                    ),
                )
            )
    for components in (1, 4, 10, 20):
        rows.append(
            (f"mixture K={components}", lambda X, y, s, c=components: mixture_mi(X, y, c, s))
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--max-time", type=float, default=20.0)
    parser.add_argument("--no-neural", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if not args.no_neural:
        import torch

        torch.set_num_threads(1)
    rows = candidates(not args.no_neural, args.max_time)
    print("| family | n | truth | estimator | mean | per seed | s / estimate |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for name, d, cdf in FAMILIES:
            data = [make_spiral(n, d, d, normal_cdf=cdf, random_state=s) for s in range(args.seeds)]
            truth = data[0][2]
            for label, fn in rows:
                values, start = [], time.perf_counter()
                for seed, (X, y, _) in enumerate(data):
                    values.append(fn(X, y, seed))
                seconds = (time.perf_counter() - start) / args.seeds
                each = " / ".join(f"{v:.3f}" for v in values)
                print(
                    f"| {name} | {n} | {truth:.3f} | {label} | {np.mean(values):.3f} | {each} "
                    f"| {seconds:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
