r"""Coverage of estimate_mi's nominal 95 % intervals, on tasks with known MI.

    nice python -m benchmarks.calibration.bench_coverage  # the full grid: hours
    nice python -m benchmarks.calibration.bench_coverage --n 1000 --datasets 20 \
        --cells 1x1 2x2 discrete                          # a quick look

For each cell (Gaussians 1x1, 2x2, 5x5, 10x10 with correlation 0.5 per
paired coordinate; a discrete pair; a discrete X with a mixed y) and each n,
``--datasets`` independent data sets are drawn; on each,
``estimate_mi(X, y, ci=True)`` -- the default path a user takes -- gives an
estimate and an interval. Reported per row:

* ``coverage``: the share of intervals that contain the truth (nominal 0.95;
  binomial standard error 0.034 at 40 data sets);
* ``bias``: mean estimate minus truth, and ``sd``: the spread of the
  estimates over data sets; when |bias| is large against sd, no interval of
  the estimator's *variance* can cover the truth, however it is built;
* ``cover E[est]``: the share of intervals that contain the mean estimate
  over data sets -- what the interval is built to cover (its variance part);
* ``width``: mean interval width.

Writes a Markdown table to stdout (and ``--csv`` if given).
"""

import argparse
import time
import warnings

import numpy as np

from skmi import estimate_mi
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_student_t,
    make_transformed_gaussian,
)


def discrete_pair(n, random_state):
    """X uniform on {0..3}; y = X with probability 0.6, else uniform on {0..3}.

    I(X; y) = H(y) - H(y | X) with H(y) = log 4 and y | X putting 0.6 + 0.1
    on X and 0.1 on each other value.
    """
    rng = np.random.default_rng(random_state)
    x = rng.integers(0, 4, n)
    keep = rng.random(n) < 0.6
    y = np.where(keep, x, rng.integers(0, 4, n))
    p = np.array([0.7, 0.1, 0.1, 0.1])
    truth = np.log(4) + np.sum(p * np.log(p))
    return x.reshape(-1, 1), y, float(truth)


CELLS = {
    "1x1": lambda n, s: make_gaussian(n, 1, 1, correlation=0.5, random_state=s),
    "2x2": lambda n, s: make_gaussian(n, 2, 2, correlation=0.5, random_state=s),
    "5x5": lambda n, s: make_gaussian(n, 5, 5, correlation=0.5, random_state=s),
    "10x10": lambda n, s: make_gaussian(n, 10, 10, correlation=0.5, random_state=s),
    "discrete": discrete_pair,
    "mixed": lambda n, s: make_discrete_continuous(n, 4, atom_probability=0.3, random_state=s),
    "student-t": lambda n, s: make_student_t(n, 2, 2, df=3.0, random_state=s),
    "exp-gaussian": lambda n, s: make_transformed_gaussian(
        n, transform="exp", correlation=0.6, random_state=s
    ),
    "binary-5d": lambda n, s: make_class_mixture(n, 2, 5, separation=2.0, random_state=s),
    "3x3": lambda n, s: make_gaussian(n, 3, 3, correlation=0.5, random_state=s),
    "8x8": lambda n, s: make_gaussian(n, 8, 8, correlation=0.5, random_state=s),
    "classes-relu": lambda n, s: _classes_through_relu(n, s),
}


def _classes_through_relu(n, random_state):
    """Three classes against a 2-D X whose first column goes through a ReLU.

    The classes differ along the first axis only (:func:`make_class_mixture`);
    max(x, 0) keeps the positive half of that axis and puts the rest on an
    atom at 0. The truth is the MI of (max(x_1, 0), x_2) with y, by quadrature:
    the atom's part ``P(x_1 <= 0 | y)`` and the density part above 0.
    """
    X, y, _ = make_class_mixture(n, 3, 2, separation=1.5, random_state=random_state)
    X[:, 0] = np.maximum(X[:, 0], 0.0)
    return X, y, _relu_class_truth()


def _relu_class_truth(classes=3, separation=1.5):
    from scipy import integrate
    from scipy.stats import norm

    means = separation * np.arange(classes)
    p = np.full(classes, 1.0 / classes)
    # the atom at 0: P(atom | c) = Phi(-mu_c)
    atom = norm.cdf(-means)
    atom_mix = np.sum(p * atom)
    part = np.sum(p * atom * np.log(atom / atom_mix))

    from scipy.special import logsumexp

    def density(x):
        log_f = norm.logpdf(x - means)
        log_mix = logsumexp(log_f, b=p)
        return np.sum(p * np.exp(log_f) * (log_f - log_mix))

    part += integrate.quad(density, 0, means[-1] + 12, limit=200)[0]
    return float(part)


def run_cell(cell, n, datasets, resamples_seed=0, log=None, first_seed=0):
    rows = []
    start = time.perf_counter()
    for seed in range(first_seed, first_seed + datasets):
        X, y, truth = CELLS[cell](n, 1000 + seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = estimate_mi(X, y, ci=True, random_state=resamples_seed + seed)
        bias = result.ci_bias or 0.0  # the interval before the bias allowance, for comparison
        raw = (result.ci[0] + max(bias, 0.0), result.ci[1] + min(bias, 0.0))
        rows.append((truth, result.estimate, *result.ci, *raw))
        if log is not None:  # one line per data set, so a cut-short run still counts
            print(cell, n, seed, truth, result.estimate, *result.ci, sep=",", file=log, flush=True)
    rows = np.array(rows)
    truth, est, low, high, raw_low, raw_high = rows.T
    mean = est.mean()
    return {
        "cell": cell,
        "n": n,
        "method": result.method,
        "ci_method": result.ci_method,
        "truth": truth[0],
        "mean": mean,
        "bias": mean - truth[0],
        "sd": est.std(ddof=1),
        "coverage": np.mean((low <= truth) & (truth <= high)),
        "coverage_no_bias": np.mean((raw_low <= truth) & (truth <= raw_high)),
        "cover_mean": np.mean((low <= mean) & (mean <= high)),
        "width": np.mean(high - low),
        "datasets": datasets,
        "seconds": time.perf_counter() - start,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--datasets", type=int, default=40)
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--csv", default=None)
    parser.add_argument("--log", default=None, help="append one line per data set here")
    parser.add_argument("--first-seed", type=int, default=0, help="to extend a run (0)")
    args = parser.parse_args(argv)
    log = open(args.log, "a") if args.log else None
    header = (
        "| cell | n | method | truth | bias | sd | coverage | without bias allowance "
        "| cover E[est] | width | sets | s |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    results = []
    for n in args.n:
        for cell in args.cells:
            r = run_cell(cell, n, args.datasets, log=log, first_seed=args.first_seed)
            results.append(r)
            print(
                f"| {r['cell']} | {r['n']} | {r['method']} | {r['truth']:.3f} | "
                f"{r['bias']:+.3f} | {r['sd']:.3f} | {r['coverage']:.2f} | "
                f"{r['coverage_no_bias']:.2f} | "
                f"{r['cover_mean']:.2f} | {r['width']:.3f} | {r['datasets']} | "
                f"{r['seconds']:.0f} |",
                flush=True,
            )
    if results:
        print(f"\nintervals: {results[-1]['ci_method']}")
    if args.csv:
        import csv

        with open(args.csv, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(results[0]))
            writer.writeheader()
            writer.writerows(results)


if __name__ == "__main__":
    main()
