"""Every estimator, and estimate_mi(method="auto"), on a grid with known truth.

    python benchmarks/bench_auto.py            # about 15 minutes on 2 cores
    python benchmarks/bench_auto.py --quick    # n = 1000 only, no neural

The grid mixes Gaussian, monotone-transformed, Student-t, class-mixture,
discrete, discrete-continuous and non-monotone tasks of 1 to 25 dimensions
at two sample sizes. Each cell is one seed; the table lists absolute errors
and the last rows the mean absolute error (MAE) of each estimator over the
grid. This is the evidence behind the rules of
``skmi._auto`` (the docstring's table).
"""

import argparse
import warnings

import numpy as np

from skmi import estimate_mi
from skmi._auto import make_estimator
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_quadratic_regression,
    make_student_t,
    make_transformed_gaussian,
)

CANDIDATES = ["ksg", "ksg-copula", "ksg-mixed", "gaussian", "gaussian-copula", "binned", "neural"]


def discrete_task(n, seed):
    """x uniform on 8 symbols; y = x with probability 0.5, else uniform."""
    m = 8
    p = np.full((m, m), 0.5 / m**2) + np.eye(m) * 0.5 / m
    truth = float(np.sum(p * np.log(p * m * m)))
    cells = np.random.default_rng(seed).choice(m * m, size=n, p=p.ravel())
    return (cells // m).reshape(-1, 1), cells % m, truth


def tasks(n, seed):
    g = dict(random_state=seed)
    return [
        ("gauss 1x1", make_gaussian(n, correlation=0.6, **g)),
        ("gauss 3x3", make_gaussian(n, 3, 3, mi=1.0, **g)),
        ("gauss 10x10", make_gaussian(n, 10, 10, mi=1.5, **g)),
        ("gauss 25x25", make_gaussian(n, 25, 25, mi=2.2, **g)),
        ("exp-gauss 1x1", make_transformed_gaussian(n, transform="exp", correlation=0.9, **g)),
        ("cube-gauss 3x3", make_transformed_gaussian(n, 3, 3, transform="cube", mi=1.0, **g)),
        ("student-t 1x1 df1", make_student_t(n, df=1.0, correlation=0.0, **g)),
        ("student-t 3x3 df3", make_student_t(n, 3, 3, df=3.0, correlation=0.5, **g)),
        ("student-t 10x10 df3", make_student_t(n, 10, 10, df=3.0, correlation=0.3, **g)),
        ("quadratic 1x1", make_quadratic_regression(n, **g)),
        ("classes 2-D x 3", make_class_mixture(n, 3, 2, **g)),
        ("classes 10-D x 5", make_class_mixture(n, 5, 10, separation=0.8, **g)),
        ("discrete 8x8", discrete_task(n, seed)),
        ("discrete x, atoms", make_discrete_continuous(n, 4, atom_probability=0.3, **g)),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    sizes = [1000] if args.quick else [1000, 5000]
    candidates = [c for c in CANDIDATES if not (args.quick and c == "neural")]
    errors = {name: [] for name in candidates + ["auto"]}
    header = "| task | n | truth | " + " | ".join(candidates) + " | auto (method) |"
    print(header + "\n|" + "---|" * (header.count("|") - 1))
    for n in sizes:
        for name, (X, y, truth) in tasks(n, seed=0):
            cells = []
            for method in candidates:
                # every estimator on every cell, labels included (treated as
                # numbers by the continuous ones): the MAEs are comparable
                value = make_estimator(method, random_state=0).fit(X, y).mi_
                errors[method].append(abs(value - truth))
                cells.append(f"{value - truth:+.3f}")
            auto = estimate_mi(X, y, random_state=0)
            errors["auto"].append(abs(auto.estimate - truth))
            cells.append(f"{auto.estimate - truth:+.3f} ({auto.method})")
            print(f"| {name} | {n} | {truth:.3f} | " + " | ".join(cells) + " |", flush=True)
    print("\n| estimator | cells | MAE (nats) |\n|---|---|---|")
    for name, values in errors.items():
        print(f"| {name} | {len(values)} | {np.mean(values):.3f} |")


if __name__ == "__main__":
    main()
