"""estimate_mi(lag=..., z_lag=..., normalize=...): lagged MI and MI on a [0, 1] scale."""

import warnings

import numpy as np
import pytest

from skmi import estimate_mi
from skmi.auto import LagScan
from skmi.datasets import make_gaussian


def _ar1(n, phi, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal()
    return x, rng


def test_lagged_mi_equals_the_estimate_on_hand_shifted_arrays():
    x, rng = _ar1(1500, 0.7, 0)
    y = np.r_[np.zeros(2), x[:-2]] + 0.5 * rng.standard_normal(1500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lag in (0, 2, 5, -3):
            lagged = estimate_mi(x, y, lag=lag, random_state=0)
            if lag >= 0:
                by_hand = estimate_mi(x[: len(x) - lag], y[lag:], random_state=0)
            else:
                by_hand = estimate_mi(x[-lag:], y[:lag], random_state=0)
            assert lagged.estimate == by_hand.estimate
            assert lagged.lag == lag and lagged.n_dropped == abs(lag)


def test_a_lag_scan_peaks_at_the_coupling_lag_and_tabulates():
    x, rng = _ar1(2000, 0.5, 1)
    y = np.r_[np.zeros(3), x[:-3]] + 0.5 * rng.standard_normal(2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scan = estimate_mi(x, y, lag=range(7), random_state=0)
    assert isinstance(scan, LagScan) and list(scan.lags) == list(range(7))
    assert int(np.argmax(scan.estimates)) == 3
    frame = scan.to_frame()
    assert list(frame.index) == list(range(7)) and "estimate" in frame


def test_conditioning_with_its_own_lag():
    # z_t drives x_{t+1} and y_{t+2}: x_t and y_{t+1} share only z_{t-1}
    rng = np.random.default_rng(2)
    n = 3000
    z = rng.standard_normal(n)
    x = np.r_[0.0, z[:-1]] + 0.5 * rng.standard_normal(n)
    y = np.r_[0.0, 0.0, z[:-2]] + 0.5 * rng.standard_normal(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = estimate_mi(x, y, lag=1, random_state=0).estimate
        given = estimate_mi(x, y, z, lag=1, z_lag=-1, random_state=0).estimate
    # truth: I(x_t; y_{t+1}) = -1/2 log(1 - 1/1.25^2) = 0.51; given z_{t-1}: 0
    assert plain == pytest.approx(-0.5 * np.log(1 - 1 / 1.25**2), rel=0.15)
    assert abs(given) < 0.05


def test_lags_longer_than_the_series_are_refused():
    with pytest.raises(ValueError, match="lag"):
        estimate_mi(np.arange(10.0), np.arange(10.0) ** 0.5, lag=9)
    with pytest.raises(ValueError, match="lag"):
        estimate_mi(np.arange(10.0), np.arange(10.0), lag=[])


@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_linfoot_is_the_correlation_of_a_gaussian_pair(rho):
    X, y, truth = make_gaussian(5000, 1, 1, correlation=rho, random_state=0)
    result = estimate_mi(X, y, normalize="linfoot", random_state=0)
    # sqrt(1 - exp(-2 I)) = |rho| for I = -1/2 log(1 - rho^2)
    assert np.sqrt(1 - np.exp(-2 * truth)) == pytest.approx(rho)
    assert result.normalized == pytest.approx(rho, abs=0.03)


@pytest.mark.parametrize(
    "how, scale",
    [("arithmetic", 1.0), ("geometric", 1.0), ("min", 1.0), ("max", 1.0)],
)
def test_discrete_normalisations_against_the_exact_pmf(how, scale):
    # x uniform on 4, y = x w.p. 0.6 else uniform: both marginals uniform,
    # H = log 4 on both sides, so every normalisation is I / log 4 = 0.3216
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, 20000)
    y = np.where(rng.random(20000) < 0.6, x, rng.integers(0, 4, 20000))
    p = np.array([0.7, 0.1, 0.1, 0.1])
    truth = (np.log(4) + np.sum(p * np.log(p))) / np.log(4) * scale
    result = estimate_mi(x, y, normalize=how)
    assert result.normalized == pytest.approx(truth, abs=0.01)


def test_discrete_normalisations_need_discrete_sides():
    X, y, _ = make_gaussian(300, 1, 1, random_state=0)
    with pytest.raises(ValueError, match="linfoot"):
        estimate_mi(X, y, normalize="arithmetic")


# -- attack findings (issue 26 review) ---------------------------------------------


def test_lists_and_tensors_are_not_taken_for_pandas():
    # `_warn_on_unaligned_indexes` once read list.index (a method) as an index
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(300), rng.standard_normal(300)
    a = estimate_mi(list(x), list(y), random_state=0).estimate
    assert a == estimate_mi(x, y, random_state=0).estimate
    torch = pytest.importorskip("torch")
    assert estimate_mi(torch.tensor(x), torch.tensor(y), random_state=0).estimate == a


def test_z_lag_alone_shifts_z():
    # y_t = x_t + 3 z_(t+3) + noise: I(x_t; y_t | z_(t+3)) = 1/2 log(1 + 1 / 0.25) = 0.805
    rng = np.random.default_rng(1)
    n = 2000
    x, zz = rng.standard_normal(n), rng.standard_normal(n + 3)
    y = x + 3 * zz[3:] + 0.5 * rng.standard_normal(n)
    z = zz[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shifted = estimate_mi(x, y, z, z_lag=3, random_state=0)
    assert shifted.estimate == pytest.approx(0.5 * np.log(5), rel=0.15)
    assert shifted.n_dropped == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lag=True),
        dict(lag=["1"]),
        dict(lag=[[0, 1]]),
        dict(z_lag=True, z=np.arange(50.0)),
        dict(z_lag=2),  # no z
    ],
)
def test_bad_lags_are_refused(kwargs):
    rng = np.random.default_rng(2)
    with pytest.raises(ValueError, match="lag"):
        estimate_mi(rng.standard_normal(50), rng.standard_normal(50), **kwargs)


def test_time_series_tests_with_z_are_refused_not_silently_exchangeable():
    # with z the only test permutes locally in z, valid for exchangeable rows:
    # on three independent AR(1) series it rejected 30 of 30 at 5 %
    rng = np.random.default_rng(3)
    x, y, z = rng.standard_normal((3, 200))
    with pytest.raises(ValueError, match="not available with z"):
        estimate_mi(x, y, z, lag=1, p_value=True)
    with pytest.raises(ValueError, match="not available with z"):
        estimate_mi(x, y, z, time_series=True, ci=True)


def test_too_few_rows_are_refused():
    with pytest.raises(ValueError, match="at least 5 samples"):
        estimate_mi(np.array([0.1, 0.7]), np.array([1.2, -0.3]))
    with pytest.raises(ValueError, match="at least 5 samples"):
        estimate_mi(np.arange(500.0), np.sin(np.arange(500.0)), lag=498)


def test_identical_discrete_sides_normalise_to_one():
    d = np.random.default_rng(0).integers(0, 4, 500)
    result = estimate_mi(d, d, normalize="min")
    assert result.normalized == pytest.approx(1.0)


@pytest.mark.slow
def test_estimate_mi_p_values_hold_their_size_on_independent_rows():
    # the whole procedure (t-copula or k-NN, chosen per permutation) is
    # permuted: refitting only the part chosen on the real data rejected 10 %
    # at 5 % (chosen exactly where k-NN read high). 40 sets, 19 permutations:
    # the exact level is 1/20; at most 6 of 40 (binomial tail 3 %).
    rejected = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        X, y = rng.standard_normal((300, 2)), rng.standard_normal((300, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = estimate_mi(X, y, p_value=True, n_permutations=19, random_state=seed)
        rejected += result.p_value <= 0.05
    assert rejected <= 6
