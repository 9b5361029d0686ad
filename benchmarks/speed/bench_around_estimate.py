"""Where users wait around the estimate: intervals, tests, selection, start-up.

    python -m benchmarks.speed.bench_around_estimate          # the issue-28 table
    python -m benchmarks.speed.bench_around_estimate --quick  # n = 10^4 only, no 1,000-feature row
                                                              # (the lag scan at 10^4)
    python -m benchmarks.speed.bench_around_estimate --out rows.csv

Each row is measured side by side in one run with what it is compared to: the
plain estimate for ``ci=True`` / ``p_value=True``, ``SelectKBest`` with
scikit-learn's and skmi's ``mutual_info_classif`` for ``MutualInfoSelector``,
nothing for start-up (absolute seconds). Timings are the best of ``--repeats``
calls after a warm-up call (Numba compiled), except the start-up rows (fresh
interpreters) and the 1,000-feature selection (one call).
"""

import argparse
import subprocess
import sys
import time
import warnings

import numpy as np

from benchmarks._common import best_time, machine, markdown_table, write_rows


def _fresh(code):
    """Seconds a fresh interpreter takes to run ``code`` (best of 3)."""
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def estimate_rows(n, repeats):
    from skmi import estimate_mi
    from skmi.datasets import make_gaussian

    X, y, _ = make_gaussian(n, 2, 2, correlation=0.5, random_state=0)
    estimate_mi(X[:500], y[:500], ci=True, p_value=True, n_permutations=9, random_state=0)
    plain, result = best_time(estimate_mi, X, y, random_state=0, repeats=repeats)
    rows = [{"call": f"estimate_mi 2x2 Gaussian, n={n}", "seconds": plain, "against": "-"}]
    for option in ("ci", "p_value"):
        t, _ = best_time(estimate_mi, X, y, random_state=0, repeats=repeats, **{option: True})
        rows.append(
            {
                "call": f"  same with {option}=True ({result.method})",
                "seconds": t,
                "against": f"{t / plain:.1f}x the estimate",
            }
        )
    # independent sides: the p-value stops early (Besag and Clifford's rule)
    y_independent = np.random.default_rng(1).standard_normal(y.shape)
    plain, _ = best_time(estimate_mi, X, y_independent, random_state=0, repeats=repeats)
    t, result = best_time(
        estimate_mi, X, y_independent, random_state=0, repeats=repeats, p_value=True
    )
    rows.append(
        {
            "call": f"  independent 2x2, p_value=True (p = {result.p_value:.2f})",
            "seconds": t,
            "against": f"{t / plain:.1f}x its estimate ({plain:.3f} s)",
        }
    )
    return rows


def wide_gaussian_row(repeats):
    from skmi import estimate_mi
    from skmi.datasets import make_gaussian

    X, y, _ = make_gaussian(5000, 50, 50, correlation=0.5, random_state=0)
    t, result = best_time(estimate_mi, X, y, random_state=0, repeats=repeats)
    return {
        "call": f"estimate_mi 50x50 Gaussian, n=5000 ({result.method})",
        "seconds": t,
        "against": "goal 1 s",
    }


def lag_scan_row(n):
    """``estimate_mi(x, y, lag=range(50))`` on AR(1) series (issue 30's goal: 10 s at 10^5)."""
    from skmi import estimate_mi

    rng = np.random.default_rng(0)
    noise = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = noise[0]
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + noise[t]
    y = np.r_[np.zeros(3), x[:-3]] + rng.standard_normal(n)
    estimate_mi(x[:2000], y[:2000], lag=[0, 1], random_state=0)  # compile
    t, _ = best_time(lambda: estimate_mi(x, y, lag=list(range(50)), random_state=0), repeats=1)
    return {"call": f"estimate_mi lag scan, 50 lags, n={n}", "seconds": t, "against": "goal 10 s"}


def selector_rows(repeats, large):
    from sklearn.datasets import load_breast_cancer
    from sklearn.feature_selection import SelectKBest
    from sklearn.feature_selection import mutual_info_classif as sklearn_classif

    from skmi import MutualInfoSelector, mutual_info_classif

    X, y = load_breast_cancer(return_X_y=True)
    MutualInfoSelector(2, random_state=0).fit(X[:, :4], y)  # compile
    t_sk, _ = best_time(lambda: SelectKBest(sklearn_classif, k=10).fit(X, y), repeats=repeats)
    t_ours, _ = best_time(lambda: SelectKBest(mutual_info_classif, k=10).fit(X, y), repeats=repeats)
    rows = [
        {
            "call": "SelectKBest(sklearn mutual_info_classif, k=10), breast cancer",
            "seconds": t_sk,
            "against": "-",
        },
        {
            "call": "SelectKBest(skmi mutual_info_classif, k=10)",
            "seconds": t_ours,
            "against": f"{t_ours / t_sk:.2f}x sklearn's",
        },
    ]
    for criterion in ("mrmr", "jmi", "cmim"):
        t, _ = best_time(
            lambda c=criterion: MutualInfoSelector(10, criterion=c, random_state=0).fit(X, y),
            repeats=repeats,
        )
        rows.append(
            {
                "call": f"MutualInfoSelector(10, criterion={criterion!r})",
                "seconds": t,
                "against": f"{t / t_sk:.1f}x sklearn's SelectKBest (goal 5x)",
            }
        )
    if large:
        rng = np.random.default_rng(0)
        Z = rng.standard_normal((10_000, 1000))
        target = Z[:, 0] + Z[:, 1] - Z[:, 2] + rng.standard_normal(10_000)
        t, _ = best_time(lambda: MutualInfoSelector(50, random_state=0).fit(Z, target))
        rows.append(
            {
                "call": "MutualInfoSelector(50) of 1,000 features, n=10^4 (mRMR)",
                "seconds": t,
                "against": "goal 30 s",
            }
        )
    return rows


def startup_rows():
    return [
        {
            "call": "import skmi (fresh interpreter)",
            "seconds": _fresh("import skmi"),
            "against": "goal 0.5 s",
        },
        {
            "call": "skmi --help (fresh interpreter)",
            "seconds": _fresh(
                "from skmi.cli import main\ntry:\n    main(['--help'])\n"
                "except SystemExit:\n    pass"
            ),
            "against": "goal 1 s",
        },
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="write the rows to this .json or .csv file")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(machine())
    rows = startup_rows()
    for n in (10_000,) if args.quick else (10_000, 100_000):
        rows += estimate_rows(n, 1 if n > 10_000 else args.repeats)
    rows.append(wide_gaussian_row(args.repeats))
    rows.append(lag_scan_row(10_000 if args.quick else 100_000))
    rows += selector_rows(args.repeats, large=not args.quick)
    for row in rows:
        row["seconds"] = f"{row['seconds']:.3f}"
    print(markdown_table(rows, [("call", "call"), ("seconds", "seconds"), ("against", "against")]))
    if args.out:
        write_rows(rows, args.out)


if __name__ == "__main__":
    main()
