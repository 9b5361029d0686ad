"""``skmi demo``: estimates against ground truth, then the information plane."""

import time
import warnings
from pathlib import Path

from skmi import datasets
from skmi._gaussian import GaussianMutualInfo
from skmi._ksg import KSGMutualInfo


def demo_tasks(n_samples, seed):
    """(name, X, y, true MI) for a spread of regimes with known MI."""
    gaussian = datasets.make_gaussian
    return [
        ("Gaussian 1x1, rho=0.8", *gaussian(n_samples, correlation=0.8, random_state=seed)),
        ("Gaussian 5x5, paired", *gaussian(n_samples, 5, 5, mi=1.1, random_state=seed)),
        (
            "exp of Gaussian 2x2",
            *datasets.make_transformed_gaussian(
                n_samples, 2, 2, transform="exp", correlation=0.7, random_state=seed
            ),
        ),
        (
            "Student-t 2x2, df=3",
            *datasets.make_student_t(n_samples, 2, 2, df=3, correlation=0.5, random_state=seed),
        ),
        (
            "3 classes, 2-D X",
            *datasets.make_class_mixture(n_samples, 3, 2, random_state=seed),
        ),
        (
            "discrete X, atoms in y",
            *datasets.make_discrete_continuous(
                n_samples, 4, atom_probability=0.3, random_state=seed
            ),
        ),
    ]


def run_bench(n_samples=2000, seeds=3, out=print):
    """Mean absolute error and time of each method over the demo's tasks.

    The neural estimator is left out (a minute per fit); see
    ``benchmarks/accuracy/bench_auto.py`` for the full grid with it.
    """
    import numpy as np

    from skmi.auto._estimate import estimate_mi, make_estimator

    methods = ["ksg", "ksg-copula", "ksg-mixed", "gaussian", "gaussian-copula", "binned"]
    errors = {m: [] for m in methods + ["auto"]}
    times = {m: 0.0 for m in errors}
    out(f"skmi bench: {seeds} seeds x {len(demo_tasks(100, 0))} tasks, n = {n_samples:,}\n")
    for seed in range(seeds):
        for _, X, y, truth in demo_tasks(n_samples, seed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for m in methods:
                    start = time.perf_counter()
                    errors[m].append(
                        abs(make_estimator(m, random_state=seed).fit(X, y).mi_ - truth)
                    )
                    times[m] += time.perf_counter() - start
                start = time.perf_counter()
                errors["auto"].append(abs(estimate_mi(X, y, random_state=seed).estimate - truth))
                times["auto"] += time.perf_counter() - start
    out(f"{'method':<18}{'MAE (nats)':>12}{'max error':>12}{'time (s)':>10}")
    for m, values in errors.items():
        out(f"{m:<18}{np.mean(values):>12.3f}{np.max(values):>12.3f}{times[m]:>10.2f}")
    return errors


def demo_estimators(seed):
    return [
        ("KSG", KSGMutualInfo(random_state=seed)),
        ("KSG mixed", KSGMutualInfo(ties="mixed")),
        ("Gaussian", GaussianMutualInfo()),
        ("Gaussian copula", GaussianMutualInfo(copula=True)),
    ]


def run_demo(n_samples=10_000, seed=0, quick=False, out=print):
    """Print a table of estimate (and time) against truth, in nats.

    ``quick`` shows the four continuous tasks only: a first look in seconds.
    """
    estimators = demo_estimators(seed)
    out(f"skmi demo: mutual information in nats, n = {n_samples:,} samples per task\n")
    header = f"{'task':<26}{'truth':>8}" + "".join(f"{name:>18}" for name, _ in estimators)
    out(header)
    out("-" * len(header))
    # The first call compiles the Numba kernels (cached on disk afterwards).
    warm = time.perf_counter()
    X, y, _ = datasets.make_gaussian(n_samples, random_state=0)  # the kernels the tasks use
    KSGMutualInfo().fit(X, y)
    warm = time.perf_counter() - warm
    tasks = demo_tasks(n_samples, seed)
    for name, X, y, truth in tasks[:4] if quick else tasks:
        cells = []
        for _, est in estimators:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mi = est.fit(X, y).mi_
            cells.append(f"{mi:7.3f} ({time.perf_counter() - start:5.2f}s)")
        out(f"{name:<26}{truth:8.3f}" + "".join(f"{c:>18}" for c in cells))
    out(
        f"\nFirst call (Numba compilation or cache load): {warm:.2f}s.\n"
        "Gaussian is exact for Gaussian data only; its copula form is exact for\n"
        "monotone transforms of Gaussians. KSG underestimates as dimension and MI\n"
        "grow (see the 5x5 row); 'KSG mixed' treats repeated values as atoms."
    )


def run_information_plane(out_dir, seed=0, epochs=500, quick=False, out=print):
    """Run the information-plane study (:mod:`skmi.cli.information_plane`) and report.

    ``quick`` records the plane five times instead of every 10 epochs (the
    recording is most of the time); progress lines come through logging.
    """
    try:
        import matplotlib
        import pandas  # noqa: F401
        import torch  # noqa: F401

        matplotlib.use("Agg")
    except ImportError:
        out(
            "\nThe information-plane study needs torch, matplotlib and pandas: "
            "pip install 'skmi[torch,plot,pandas]'."
        )
        return None
    from skmi.cli.information_plane import run

    out(
        f"\nInformation plane: training the 1-8-8-8-8-1 ReLU MLP of the study for {epochs} "
        "epochs and probing every layer ..."
    )
    start = time.perf_counter()
    record_every = max(1, epochs // 4) if quick else 10
    frame = run(seed=seed, epochs=epochs, record_every=record_every, out_dir=out_dir, show=False)
    output = frame[frame["layer"] == frame["layer"].iloc[-1]]
    out(
        f"I(T;Y) of the output layer: {output['I(T;Y)'].iloc[0]:.3f} nats at epoch 0, "
        f"{output['I(T;Y)'].iloc[-1]:.3f} at epoch {epochs} "
        f"(truth I(x;y) = {frame['truth I(X;Y)'].iloc[0]:.3f}); {time.perf_counter() - start:.0f}s."
    )
    out(
        f"Wrote {Path(out_dir) / 'information_plane.png'} and "
        f"{Path(out_dir) / 'information_plane.csv'}."
    )
    return frame
