"""Transfer entropy by KSG: skmi against infomeasure, side by side, with the truth.

The task: the bivariate Gaussian AR(1) system of ``tests/test_transfer_entropy.py``
(``x_t = 0.5 x_{t-1} + e_t``, ``y_t = 0.4 y_{t-1} + 1.0 x_{t-1} + f_t``, unit
noises), TE(x -> y) with target and source histories h = 1, 2, 3 (tau = 1,
delay = 1). The truth for each h is the conditional Gaussian MI of
``(y_t, x_{t-1..t-h}, y_{t-1..t-h})``, whose covariance comes from the
stationary autocovariances ``Gamma(j) = A^j Sigma_0`` (``Sigma_0`` from the
discrete Lyapunov equation); it falls with h because y alone is not Markov.

Peers (optional, timed only where installed): infomeasure's KSG transfer
entropy (``pip install infomeasure``) with the same k = 3 and max-norm; its
``prop_time=0`` embedding is the same as skmi's ``delay=1``. Ratios are
infomeasure's time over skmi's, measured in the same run.

    python -m benchmarks.speed.bench_transfer_entropy  # n = 10^4 and 10^5
    python -m benchmarks.speed.bench_transfer_entropy --sizes 10000
"""

import argparse

import numpy as np
from scipy.linalg import solve_discrete_lyapunov
from scipy.signal import lfilter

from benchmarks._common import best_time, machine
from skmi import TransferEntropy

A, B, C = 0.5, 0.4, 1.0


def simulate(n, seed=0, burn=500):
    rng = np.random.default_rng(seed)
    e, f = rng.standard_normal((2, n + burn))
    x = lfilter([1.0], [1.0, -A], e)
    y = lfilter([1.0], [1.0, -B], np.r_[0.0, C * x[:-1]] + f)
    return x[burn:], y[burn:]


def true_te(history):
    """TE(x -> y) with target and source histories ``history``, from the autocovariances."""
    transition = np.array([[A, 0.0], [C, B]])  # state (x_t, y_t)
    sigma0 = solve_discrete_lyapunov(transition, np.eye(2))

    def gamma(j):  # Cov(s_{t+j}, s_t)
        return np.linalg.matrix_power(transition, j) @ sigma0 if j >= 0 else gamma(-j).T

    # variables: (series, time offset); y_t, x_{t-1..t-h}, y_{t-1..t-h}
    variables = [(1, 0)] + [(0, -j) for j in range(1, history + 1)]
    variables += [(1, -j) for j in range(1, history + 1)]
    m = len(variables)
    cov = np.empty((m, m))
    for i, (si, ti) in enumerate(variables):
        for j, (sj, tj) in enumerate(variables):
            cov[i, j] = gamma(ti - tj)[si, sj]

    def logdet(idx):
        return np.linalg.slogdet(cov[np.ix_(idx, idx)])[1] if idx else 0.0

    target, source = [0], list(range(1, history + 1))
    cond = list(range(history + 1, m))
    return 0.5 * (
        logdet(target + cond)
        + logdet(source + cond)
        - logdet(cond)
        - logdet(target + source + cond)
    )


def skmi_te(x, y, history):
    est = TransferEntropy(history, history, n_neighbors=3, random_state=0)
    return est.fit(x[:, None], y).te_


def infomeasure_te(x, y, history):
    import infomeasure as im

    return im.transfer_entropy(
        x,
        y,
        approach="ksg",
        k=3,
        src_hist_len=history,
        dest_hist_len=history,
        prop_time=0,
        minkowski_p=np.inf,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated n")
    parser.add_argument("--histories", default="1,2,3")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    histories = [int(h) for h in args.histories.split(",")]
    try:
        import infomeasure

        peer = f"infomeasure {infomeasure.__version__}"
    except ImportError:
        peer = None
    print(machine())
    print(f"peer: {peer or 'infomeasure not installed (pip install infomeasure)'}")
    x, y = simulate(10)  # compile the Numba kernels outside the timings
    skmi_te(*simulate(2000), 1)
    header = f"{'n':>7} {'h':>2} {'truth':>7} {'skmi':>7} {'t skmi':>8}"
    if peer:
        header += f" {'infomeasure':>11} {'t infom.':>9} {'ratio':>6}"
    print(header)
    for n in sizes:
        x, y = simulate(n)
        for h in histories:
            t_skmi, v_skmi = best_time(skmi_te, x, y, h, repeats=args.repeats)
            row = f"{n:>7} {h:>2} {true_te(h):7.4f} {v_skmi:7.4f} {t_skmi:7.3f}s"
            if peer:
                t_peer, v_peer = best_time(infomeasure_te, x, y, h, repeats=args.repeats)
                row += f" {v_peer:11.4f} {t_peer:8.3f}s {t_peer / t_skmi:6.1f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
