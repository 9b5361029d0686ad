"""Every estimator, estimate_mi(method="auto") and a proposed rule, on families of known MI.

    python -m benchmarks.accuracy.bench_auto                          # n = 1000 to 10000, 3 seeds
    python -m benchmarks.accuracy.bench_auto --sizes 1000 --seeds 1   # a quick look
    python -m benchmarks.accuracy.bench_auto --families student relu  # a subset (substrings)

The grid holds Gaussian (1 to 50 dimensions per side), monotone-transformed,
Student-t (identity dispersion, 1-3 degrees of freedom, raw and asinh),
spiral, class-mixture (a binary label against a 10- and 100-dimensional
latent), discrete, discrete-continuous and ReLU-atom families, each from
``skmi.datasets`` with its truth. Per family and n it prints the truth and
the mean estimate of every estimator over the seeds; then per estimator the
mean absolute error (MAE), the share of cells within 10 % of the truth and
the mean time per estimate. This is the evidence behind ``estimate_mi``'s
rules and the user guide's "Choosing an estimator" page.

The column ``proposed`` applies the routing rule that this evidence
supports (:func:`propose_method`), for ``skmi.auto`` to adopt.
"""

import argparse
import time
import warnings

import numpy as np

from skmi import (
    AtomDecompositionMutualInfo,
    GaussianMutualInfo,
    TCopulaMutualInfo,
    estimate_mi,
)
from skmi._atoms import atom_share
from skmi.auto import make_estimator
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_quadratic_regression,
    make_relu_atoms,
    make_spiral,
    make_student_t,
    make_transformed_gaussian,
)

_DISCRETE_KINDS = "biuOSU"


def discrete_task(n, seed):
    """x uniform on 8 symbols; y = x with probability 0.5, else uniform."""
    m = 8
    p = np.full((m, m), 0.5 / m**2) + np.eye(m) * 0.5 / m
    truth = float(np.sum(p * np.log(p * m * m)))
    cells = np.random.default_rng(seed).choice(m * m, size=n, p=p.ravel())
    return (cells // m).reshape(-1, 1), cells % m, truth


def tasks(n, seed):
    """(family name, (X, y, truth)) for every family at n samples."""
    g = dict(random_state=seed)
    t0 = dict(correlation=0.0, **g)
    return [
        ("gauss 1x1", lambda: make_gaussian(n, correlation=0.6, **g)),
        ("gauss 3x3", lambda: make_gaussian(n, 3, 3, mi=1.0, **g)),
        ("gauss 10x10", lambda: make_gaussian(n, 10, 10, mi=1.5, **g)),
        ("gauss 25x25", lambda: make_gaussian(n, 25, 25, mi=2.2, **g)),
        ("gauss 50x50 dense", lambda: make_gaussian(n, 50, 50, mi=1.0, structure="dense", **g)),
        (
            "exp-gauss 1x1",
            lambda: make_transformed_gaussian(n, transform="exp", correlation=0.9, **g),
        ),
        (
            "cube-gauss 3x3",
            lambda: make_transformed_gaussian(n, 3, 3, transform="cube", mi=1.0, **g),
        ),
        ("student-t 1x1 df1", lambda: make_student_t(n, df=1.0, **t0)),
        ("student-t 2x2 df1", lambda: make_student_t(n, 2, 2, df=1.0, **t0)),
        ("student-t 3x3 df2", lambda: make_student_t(n, 3, 3, df=2.0, **t0)),
        ("student-t 5x5 df3", lambda: make_student_t(n, 5, 5, df=3.0, **t0)),
        (
            "asinh student-t 3x3 df2",
            lambda: make_student_t(n, 3, 3, df=2.0, transform="asinh", **t0),
        ),
        (
            "student-t 10x10 df3 r.3",
            lambda: make_student_t(n, 10, 10, df=3.0, correlation=0.3, **g),
        ),
        ("spiral 3x3", lambda: make_spiral(n, 3, 3, mi=1.0, **g)),
        ("spiral 5x5 +cdf", lambda: make_spiral(n, 5, 5, mi=1.0, normal_cdf=True, **g)),
        ("quadratic 1x1", lambda: make_quadratic_regression(n, **g)),
        ("classes 2-D x 3", lambda: make_class_mixture(n, 3, 2, **g)),
        ("classes 10-D x 5", lambda: make_class_mixture(n, 5, 10, separation=0.8, **g)),
        ("binary label 10-D", lambda: make_class_mixture(n, 2, 10, separation=2.0, **g)),
        ("binary label 100-D", lambda: make_class_mixture(n, 2, 100, separation=2.0, **g)),
        ("discrete 8x8", lambda: discrete_task(n, seed)),
        ("discrete x, atoms", lambda: make_discrete_continuous(n, 4, atom_probability=0.3, **g)),
        ("relu atoms d=3", lambda: make_relu_atoms(n, 3, noise=0.5, **g)),
        ("relu atoms d=5", lambda: make_relu_atoms(n, 5, noise=0.5, **g)),
    ]


def _is_discrete(a):
    return np.asarray(a).dtype.kind in _DISCRETE_KINDS


def _one_hot(labels):
    codes = np.unique(labels, return_inverse=True)[1].reshape(-1)
    return np.eye(codes.max() + 1)[codes][:, 1:]


class GaussianOnClasses:
    """Bias-corrected Gaussian MI, with a class side one-hot coded (K - 1 columns)."""

    def fit(self, X, y):
        if _is_discrete(y) and not _is_discrete(X):
            y = _one_hot(y)
        elif _is_discrete(X) and not _is_discrete(y):
            X = _one_hot(np.asarray(X).reshape(-1))
        self.mi_ = GaussianMutualInfo(bias_correction=True).fit(X, y).mi_
        return self


class EllipticalUnlessKSGSeesMore:
    """The t-copula MI, unless KSG on normal scores sees clearly more.

    The t-copula is unbiased on elliptical copulas (Gaussian, Student-t and
    their monotone transforms) but blind to non-elliptical dependence
    (a parabola, a spiral); KSG sees any dependence but is biased down in
    high dimension and up a little in low dimension. So: KSG-copula when it
    exceeds the t-copula by more than 15 % + 0.02 nats, else the t-copula.
    """

    margin = (1.15, 0.02)

    def fit(self, X, y):
        elliptical = TCopulaMutualInfo().fit(X, y).mi_
        ksg = make_estimator("ksg-copula", random_state=0).fit(X, y).mi_
        factor, offset = self.margin
        self.chosen_ = "ksg-copula" if ksg > factor * elliptical + offset else "t-copula"
        self.mi_ = ksg if self.chosen_ == "ksg-copula" else elliptical
        return self


def propose_method(X, y):
    """The routing rule the grid supports: (method name, estimator, reason)."""
    x_discrete, y_discrete = _is_discrete(X), _is_discrete(y)
    if x_discrete and y_discrete:
        return "binned", make_estimator("binned"), "both discrete"
    if x_discrete or y_discrete:
        continuous = y if x_discrete else X
        d = np.asarray(continuous).reshape(len(continuous), -1).shape[1]
        if d >= 5:
            return "gaussian-bc(one-hot)", GaussianOnClasses(), f"class vs {d}-D"
        return "ksg-copula", make_estimator("ksg-copula", random_state=0), "class, low d"
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    for side, other, name in ((y, X, "y"), (X, y, "X")):
        share = atom_share(side)
        if share.max() >= 0.05 and atom_share(other).max() < 0.05:
            if name == "X":
                return "atoms", _Swapped(AtomDecompositionMutualInfo(random_state=0)), "atoms in X"
            return "atoms", AtomDecompositionMutualInfo(random_state=0), "atoms in y"
    if max(atom_share(X, atom=None).max(), atom_share(y, atom=None).max()) >= 0.05:
        return "ksg-mixed", make_estimator("ksg-mixed"), "ties at several values"
    return "t-copula|ksg-copula", EllipticalUnlessKSGSeesMore(), "continuous"


class _Swapped:
    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.mi_ = self.estimator.fit(y, X).mi_
        return self


CANDIDATES = {
    "ksg": lambda: make_estimator("ksg", random_state=0),
    "ksg-copula": lambda: make_estimator("ksg-copula", random_state=0),
    "ksg-mixed": lambda: make_estimator("ksg-mixed"),
    "gaussian": lambda: make_estimator("gaussian"),
    "gaussian-copula": lambda: make_estimator("gaussian-copula"),
    "gaussian-bc": GaussianOnClasses,
    "t-copula": TCopulaMutualInfo,
    "atoms": lambda: AtomDecompositionMutualInfo(random_state=0),
    "binned": lambda: make_estimator("binned"),
}


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    try:
        value = float(estimator.fit(X, y).mi_)
    except ValueError:  # an estimator that refuses this kind of data
        value = np.nan
    return value, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10_000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--families", nargs="*", default=None, help="substrings of family names")
    parser.add_argument("--estimators", nargs="*", default=list(CANDIDATES))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    columns = args.estimators + ["auto", "proposed"]
    # per (estimator, n): absolute errors, within-10 % flags, seconds
    errors = {(c, n): [] for c in columns for n in args.sizes}
    within = {(c, n): [] for c in columns for n in args.sizes}
    times = {(c, n): [] for c in columns for n in args.sizes}
    header = "| family | n | truth | " + " | ".join(columns) + " |"
    print(header + "\n|" + "---|" * (header.count("|") - 1), flush=True)
    for n in args.sizes:
        names = [name for name, _ in tasks(n, 0)]
        for index, name in enumerate(names):
            if args.families and not any(f in name for f in args.families):
                continue
            values = {c: [] for c in columns}
            truth = None
            chosen = set()
            for seed in range(args.seeds):
                X, y, truth = tasks(n, seed)[index][1]()
                for c in args.estimators:
                    value, seconds = _timed_fit(CANDIDATES[c](), X, y)
                    values[c].append(value)
                    times[c, n].append(seconds)
                start = time.perf_counter()
                auto = estimate_mi(X, y, random_state=0)
                times["auto", n].append(time.perf_counter() - start)
                values["auto"].append(auto.estimate)
                method, estimator, _ = propose_method(X, y)
                value, seconds = _timed_fit(estimator, X, y)
                values["proposed"].append(value)
                times["proposed", n].append(seconds)
                chosen.add(f"auto: {auto.method}; proposed: {method}")
            cells = []
            for c in columns:
                v = np.array(values[c])
                ok = np.isfinite(v)
                errors[c, n].extend(np.abs(v[ok] - truth))
                within[c, n].extend(np.abs(v[ok] - truth) <= 0.1 * truth)
                cells.append(f"{np.mean(v):.3f}" if ok.all() else "refused")
            row = f"| {name} | {n} | {truth:.3f} | " + " | ".join(cells) + " |"
            print(row + "  <!-- " + "; ".join(sorted(chosen)) + " -->", flush=True)
    print("\n| estimator | n | cells | MAE (nats) | within 10 % | s / estimate: mean, max |")
    print("|---|---|---|---|---|---|")
    for c in columns:
        for label, sizes in [(str(n), [n]) for n in args.sizes] + [("all", args.sizes)]:
            err = [e for n in sizes for e in errors[c, n]]
            if not err or (label == "all" and len(sizes) == 1):
                continue
            ok = [w for n in sizes for w in within[c, n]]
            sec = [t for n in sizes for t in times[c, n]]
            print(
                f"| {c} | {label} | {len(err)} | {np.mean(err):.3f} | "
                f"{np.mean(ok):.0%} | {np.mean(sec):.2f}, {np.max(sec):.2f} |"
            )


if __name__ == "__main__":
    main()
