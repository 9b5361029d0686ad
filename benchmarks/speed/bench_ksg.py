"""KSG (exact k-NN MI) speed and accuracy against its peers, at the sizes users wait on.

    python -m benchmarks.speed.bench_ksg                    # every section
    python -m benchmarks.speed.bench_ksg --quick            # small sizes only
    python -m benchmarks.speed.bench_ksg peers scaling      # some sections (see --help)
    python -m benchmarks.speed.bench_ksg --slow-peers       # also the peers that take minutes
    python -m benchmarks.speed.bench_ksg --out ksg.json     # also write the rows (or .csv)

Sections, each a Markdown table:

* ``first-call``: import, then compile (empty Numba cache) or load from the
  cache, then a 3000-sample fit, in fresh interpreters.
* ``peers``: issue 18's table side by side -- skmi (``KSGMutualInfo`` and
  the drop-in ``mutual_info_regression``) against scikit-learn, NPEET
  (``npeet-plus``) and a KSG written on scipy's cKDTree
  (``benchmarks._common.ckdtree_ksg``), up to n = 10^6 and 64 dimensions.
* ``activations``: KSG on real network activations (an MLP and a small CNN
  trained briefly on scikit-learn's digits, shifted and noised to reach tens
  of thousands of samples) against a pixel component and the class label.
* ``one-d``: 1-D x 1-D KSG (rho = 0.6) against scikit-learn, ennemi and
  NPEET at n = 10^4, 10^5 and 10^6.
* ``multivariate``: 10x10, 3x3 and 2x2 Gaussians (paired rho = 0.3)
  against NPEET, with the truth.
* ``scaling``: the exponent b of time ~ n^b for joint dimensions 2, 10, 65.
* ``accuracy``: mean (sd) over seeds of KSG 1, KSG 2, NPEET and the
  Gaussian closed form on Gaussian tasks, n = 10^4, against the truth.

Each time is measured in this process after a warm-up on 2,000 samples of
the same data (Numba compiles, or loads from its cache, the kernels that row
calls): one call, or the best of 3 where it takes under 2 s, the same for
skmi and the peer; ratio = peer time / skmi time on the same data in the
same run. Peers that take minutes are skipped unless ``--slow-peers``;
peers that are not installed (``pip install "skmi[bench]"``) are skipped.
Estimates are printed next to each other: both sides compute the same exact
algorithm, up to skmi's tie-breaking jitter.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import skmi
from benchmarks._common import (
    PEERS,
    best_time,
    features_task,
    gaussian_task,
    machine,
    markdown_table,
    npeet_mi,
    peer_available,
    write_rows,
)
from skmi import GaussianMutualInfo, KSGMutualInfo


def skmi_ksg(X, y):
    return KSGMutualInfo(random_state=0).fit(X, y).mi_


def skmi_regression(X, y):
    return skmi.mutual_info_regression(X, np.ravel(y), random_state=0)


@dataclass
class Task:
    """One timed row: skmi's ``fn`` on ``build(n)`` = (X, y, truth), and its peers."""

    label: str
    n: int
    build: Callable
    fn: Callable = skmi_ksg
    peers: tuple = ()  # always timed (where installed)
    slow_peers: tuple = ()  # timed only with --slow-peers
    quick: bool = True  # in --quick


def _gauss(d_x, d_y, correlation=0.5):
    return lambda n: gaussian_task(n, d_x, d_y, correlation=correlation)


def _features(n_features):
    return lambda n: (*features_task(n, n_features), None)


def _peer_tasks():
    """Issue 18's rows."""
    sk, npeet, tree = ("scikit-learn",), ("NPEET",), ("cKDTree KSG",)
    one = _gauss(1, 1)
    return [
        Task("1-D x 1-D", 100_000, one, skmi_regression, peers=sk),
        Task("1-D x 1-D", 1_000_000, one, skmi_regression, peers=sk, quick=False),
        Task("100 features", 10_000, _features(100), skmi_regression, peers=sk),
        Task("10x10 Gaussian", 10_000, _gauss(10, 10), peers=npeet),
        Task("5x5 Gaussian", 100_000, _gauss(5, 5), peers=npeet, quick=False),
        Task("10x10 Gaussian", 100_000, _gauss(10, 10), slow_peers=npeet, quick=False),
        Task("64-D x 1-D", 10_000, _gauss(64, 1), slow_peers=tree),
        Task("64-D x 1-D", 30_000, _gauss(64, 1), slow_peers=tree, quick=False),
        Task("64-D x 1-D", 100_000, _gauss(64, 1), slow_peers=tree, quick=False),
        Task("20-D x 1-D", 100_000, _gauss(20, 1), slow_peers=tree, quick=False),
    ]


def _one_d_tasks():
    """1-D x 1-D against every peer; the pure-Python-loop peers only up to 10^5."""
    tasks = []
    for n in (10_000, 100_000, 1_000_000):
        small = n <= 100_000
        loops = ("ennemi", "NPEET")
        tasks.append(
            Task(
                "1-D x 1-D (rho 0.6)",
                n,
                _gauss(1, 1, correlation=0.6),
                peers=("scikit-learn",) + (loops if small else ()),
                slow_peers=() if small else loops,
                quick=small,
            )
        )
    return tasks


def _multivariate_tasks():
    return [
        Task(f"{d}x{d} Gaussian (rho 0.3)", n, _gauss(d, d, correlation=0.3), peers=("NPEET",))
        for n, d in [(10_000, 10), (10_000, 3), (50_000, 2)]
    ]


def digit_activations(model, n_samples, seed=0):
    """Hidden activations (64 units) of a network trained briefly on digits.

    ``model`` is "mlp" (64 -> 64 ReLU -> 10) or "cnn" (two 3x3 convolutions
    with ReLU and 2x2 pooling -> 64 features -> 10). Trained for 60 full-batch
    Adam steps on the 1797 digits; then ``n_samples`` digits, each shifted by
    up to one pixel and noised, are passed through it. Returns
    ``(activations (n, 64), labels (n,), target (n,))``, the target being the
    first principal component of the (augmented) pixels: a continuous 1-D y.
    """
    import torch
    from sklearn.datasets import load_digits

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    labels = digits.target
    if model == "mlp":
        body = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 64), torch.nn.ReLU())
    else:
        body = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
        )
    net = torch.nn.Sequential(body, torch.nn.Linear(64, 10))
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)
    inputs = torch.tensor(images[:, None])
    targets = torch.tensor(labels)
    for _ in range(60):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(net(inputs), targets).backward()
        optimiser.step()
    pick = rng.integers(0, len(images), n_samples)
    shifted = np.empty((n_samples, 8, 8), dtype=np.float32)
    for s, (a, b) in enumerate(rng.integers(-1, 2, (n_samples, 2))):
        shifted[s] = np.roll(images[pick[s]], (a, b), axis=(0, 1))
    shifted += 0.1 * rng.standard_normal(shifted.shape).astype(np.float32)
    with torch.no_grad():
        acts = body(torch.tensor(shifted[:, None])).numpy().astype(np.float64)
    flat = shifted.reshape(n_samples, -1)
    flat = flat - flat.mean(0)
    target = flat @ np.linalg.svd(flat[:5000], full_matrices=False)[2][0]
    return acts, labels[pick], target


def _activation_tasks(quick):
    n = 5_000 if quick else 10_000
    tasks = []
    for model in ("mlp", "cnn"):
        acts, labels, target = digit_activations(model, n)
        active = acts[:, acts.std(0) > 0]  # dead units carry nothing; drop them
        name = f"{model.upper()} activations ({active.shape[1]}-D)"
        tasks.append(
            Task(
                f"{name} x pixel PC-1",
                n,
                lambda n, a=active, t=target: (a, t, None),
                peers=("cKDTree KSG",),
            )
        )
        # a class y takes Ross's estimator, which no peer here computes
        tasks.append(Task(f"{name} x label", n, lambda n, a=active, c=labels: (a, c, None)))
    return tasks


def _scalar(value):
    value = np.atleast_1d(np.asarray(value, dtype=float))
    return float(value[0]) if value.size == 1 else float(value.mean())


def measure(task, slow_peers):
    """One row per peer of ``task`` (one row if it has none), skmi timed once."""
    X, y, truth = task.build(task.n)
    # warm-up on a slice of the same data: compiles (or loads from Numba's
    # cache) exactly the kernels this row calls, whichever path it takes
    task.fn(X[:2000], y[:2000])
    t_skmi, v_skmi = best_time(task.fn, X, y)
    # sub-second work is timed as the best of 3 calls, for skmi and the peer
    # alike: one call of 0.1 s is mostly noise on a shared machine
    repeats = 3 if t_skmi < 2.0 else 1
    if repeats > 1:
        t_skmi = min(t_skmi, best_time(task.fn, X, y, repeats=repeats - 1)[0])
    base = {"task": task.label, "n": task.n, "skmi_s": t_skmi, "skmi_mi": _scalar(v_skmi)}
    if truth is not None:
        base["truth"] = float(truth)
    rows = []
    for peer in task.peers + task.slow_peers:
        row = {**base, "peer": peer}
        if not peer_available(peer):
            row["peer_s"] = "not installed"
        elif peer in task.slow_peers and not slow_peers:
            row["peer_s"] = "skipped"
        else:
            t_peer, v_peer = best_time(PEERS[peer], X, y, repeats=repeats)
            row.update(peer_s=t_peer, peer_mi=_scalar(v_peer), ratio=t_peer / t_skmi)
        rows.append(row)
    return rows or [base]


TIME_COLUMNS = [
    ("task", "task"),
    ("n", "n"),
    ("skmi_s", "skmi (s)"),
    ("peer", "peer"),
    ("peer_s", "peer (s)"),
    ("ratio", "ratio"),
    ("skmi_mi", "skmi MI"),
    ("peer_mi", "peer MI"),
    ("truth", "truth"),
]


def timed(tasks):
    """The section runner for lists of :class:`Task`: rows as they are measured."""

    def run(args):
        for task in tasks(args.quick) if callable(tasks) else tasks:
            if task.quick or not args.quick:
                yield from measure(task, args.slow_peers)

    return run


_FIRST_CALL = """
import time
t = time.perf_counter()
from skmi import KSGMutualInfo
from skmi.datasets import make_gaussian
X, y, _ = make_gaussian(3000, 2, 2, random_state=0)
KSGMutualInfo().fit(X, y)
KSGMutualInfo().fit(X[:, :1], y[:, 0])
print(time.perf_counter() - t)
"""


def first_call(args):
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        run = [sys.executable, "-c", _FIRST_CALL]
        for label in ("cold (empty Numba cache)", "cached"):
            out = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
            yield {"first call": label, "s": float(out.stdout)}


def scaling(args):
    """Exponent b of time ~ n^b of KSGMutualInfo.fit, per joint dimension."""
    quick = args.quick
    sizes = {
        (1, 1): [30_000, 100_000, 300_000] if not quick else [10_000, 30_000],
        (5, 5): [10_000, 30_000, 60_000] if not quick else [3_000, 10_000],
        (64, 1): [5_000, 10_000, 20_000] if not quick else [2_000, 4_000],
    }
    for (dx, dy), ns in sizes.items():
        times = []
        skmi_ksg(*gaussian_task(2_000, dx, dy)[:2])  # warm-up, as in measure()
        for n in ns:
            X, y, _ = gaussian_task(n, dx, dy)
            times.append(best_time(skmi_ksg, X, y)[0])
        yield {
            "joint dims": dx + dy,
            "sizes": " / ".join(f"{n:,}" for n in ns),
            "times (s)": " / ".join(f"{t:.2f}" for t in times),
            "exponent": float(np.polyfit(np.log(ns), np.log(times), 1)[0]),
        }


def accuracy(args, n=10_000):
    seeds = 3 if args.quick else 5
    estimators = {
        "KSG 1": skmi_ksg,
        "KSG 2": lambda X, y: KSGMutualInfo(variant=2, random_state=0).fit(X, y).mi_,
        "NPEET": npeet_mi,
        "Gaussian": lambda X, y: GaussianMutualInfo().fit(X, y).mi_,
    }
    for dims, rho in [((1, 1), 0.6), ((1, 1), 0.9), ((2, 2), 0.6), ((5, 5), 0.5), ((10, 10), 0.3)]:
        values = {name: [] for name in estimators}
        for seed in range(seeds):
            X, y, truth = gaussian_task(n, *dims, correlation=rho, seed=seed)
            for name, fn in estimators.items():
                if peer_available(name):
                    values[name].append(fn(X, y))
        row = {"dims": f"{dims[0]}x{dims[1]}", "rho": rho, "truth": float(truth)}
        for name, v in values.items():
            row[name] = f"{np.mean(v):.4f} ({np.std(v):.4f})" if v else "-"
        yield row


def _keys(*names):
    return [(name, name) for name in names]


# name -> (title, columns, runner(args) yielding rows)
SECTIONS = {
    "first-call": (
        "First call (import + compile or cache load + a 3000-sample fit), s",
        _keys("first call", "s"),
        first_call,
    ),
    "peers": (
        "Sizes users wait on (issue 18): time in s, ratio = peer / skmi",
        TIME_COLUMNS,
        timed(_peer_tasks()),
    ),
    "activations": (
        "Network activations (digits MLP and CNN): time in s, ratio = peer / skmi",
        TIME_COLUMNS,
        timed(_activation_tasks),
    ),
    "one-d": (
        "1-D x, 1-D y (Gaussian, rho = 0.6): time in s, ratio = peer / skmi",
        TIME_COLUMNS,
        timed(_one_d_tasks()),
    ),
    "multivariate": (
        "Multivariate (Gaussian, paired rho = 0.3): NPEET vs skmi",
        TIME_COLUMNS,
        timed(_multivariate_tasks()),
    ),
    "scaling": (
        "time ~ n^b (KSGMutualInfo.fit, Gaussian)",
        _keys("joint dims", "sizes", "times (s)", "exponent"),
        scaling,
    ),
    "accuracy": (
        "Accuracy on Gaussian tasks, n = 10,000: mean (sd) over seeds, nats",
        _keys("dims", "rho", "truth", "KSG 1", "KSG 2", "NPEET", "Gaussian"),
        accuracy,
    ),
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="sections: " + ", ".join(SECTIONS) + " (default: all, in this order)",
    )
    parser.add_argument("sections", nargs="*", metavar="section", help="sections to run")
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--slow-peers", action="store_true", help="also peers taking minutes")
    parser.add_argument("--out", help="write the rows to this .json or .csv file")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    warnings.simplefilter("ignore")
    print(f"# skmi KSG benchmark\n\n{machine()}")
    results = []
    for name in args.sections or SECTIONS:
        title, columns, run = SECTIONS[name]
        print(f"\n## {title}\n\n{markdown_table([], columns)}")
        for row in run(args):
            results.append({"section": name, **row})
            print(markdown_table([row], columns).split("\n")[-1], flush=True)
    write_rows(results, args.out)


if __name__ == "__main__":
    main()
