"""TransferEntropy and transfer_entropy: truth from the stationary covariance of AR processes.

Every right value is computed here from theory: the stationary covariance of
a bivariate Gaussian AR(1) system from the discrete Lyapunov equation, then
the conditional Gaussian MI of (y_t, x_{t-1}, y_{t-1}). Tolerances come from
repeated runs (8 seeds each, recorded next to each test), not from one output.
"""

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov
from scipy.signal import lfilter

from skmi import KSGMutualInfo, MIResult, TransferEntropy, transfer_entropy
from skmi._transfer_entropy import embedding_lags

# y_t = B y_{t-1} + C x_{t-1} + f_t,  x_t = A x_{t-1} + e_t,  unit noises
A, B, C = 0.5, 0.4, 1.0


def gaussian_cmi(cov, ix, iy, iz):
    """I(X; Y | Z) in nats of a Gaussian with covariance ``cov`` (index lists)."""

    def logdet(idx):
        return np.linalg.slogdet(cov[np.ix_(idx, idx)])[1] if idx else 0.0

    return 0.5 * (logdet(ix + iz) + logdet(iy + iz) - logdet(iz) - logdet(ix + iy + iz))


def ar_transfer_entropies(a=A, b=B, c=C):
    """TE(x -> y) and TE(y -> x) of the AR(1) system, from its stationary covariance."""
    transition = np.array([[a, 0.0], [c, b]])  # state (x_t, y_t)
    lag0 = solve_discrete_lyapunov(transition, np.eye(2))  # Cov(s_t, s_t)
    lag1 = transition @ lag0  # Cov(s_t, s_{t-1})

    def te(target, source):
        # variables: target_t, source_{t-1}, target_{t-1}
        cov = np.empty((3, 3))
        cov[0, 0] = lag0[target, target]
        cov[0, 1] = cov[1, 0] = lag1[target, source]
        cov[0, 2] = cov[2, 0] = lag1[target, target]
        past = [source, target]
        cov[1:, 1:] = lag0[np.ix_(past, past)]
        return gaussian_cmi(cov, [0], [1], [2])

    return te(1, 0), te(0, 1)


def simulate_ar(n, seed, a=A, b=B, c=C, burn=500):
    rng = np.random.default_rng(seed)
    e, f = rng.standard_normal((2, n + burn))
    x = lfilter([1.0], [1.0, -a], e)
    drive = np.r_[0.0, c * x[:-1]] + f
    y = lfilter([1.0], [1.0, -b], drive)
    return x[burn:], y[burn:]


def test_closed_form_is_half_the_granger_log_ratio():
    # the truth used below, checked against Granger's variance ratio
    # (Barnett, Barrett & Seth 2009): var(y_t | y_{t-1}) over the noise variance 1
    te_xy, te_yx = ar_transfer_entropies()
    transition = np.array([[A, 0.0], [C, B]])
    lag0 = solve_discrete_lyapunov(transition, np.eye(2))
    lag1 = transition @ lag0
    restricted = lag0[1, 1] - lag1[1, 1] ** 2 / lag0[1, 1]
    assert te_xy == pytest.approx(0.5 * np.log(restricted / 1.0), rel=1e-12)
    assert te_yx == pytest.approx(0.0, abs=1e-12)


def test_ksg_matches_the_closed_form():
    # 16 series at n = 10,000: relative error +1.5 % on average, sd 2.2 %
    # (range -3.9 % .. +5.1 %); the mean of four series has sd 1.1 %.
    truth, _ = ar_transfer_entropies()
    estimates = []
    for seed in range(4):
        x, y = simulate_ar(10_000, seed=seed)
        te = TransferEntropy(random_state=0).fit(x[:, None], y)
        assert te.mi_ == te.te_
        assert te.n_dropped_ == 1
        estimates.append(te.te_)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.05)


def test_gaussian_method_matches_the_closed_form():
    # 8 seeds at n = 50,000: relative errors -1.2 % .. +1.4 %
    truth, _ = ar_transfer_entropies()
    x, y = simulate_ar(50_000, seed=1)
    te = TransferEntropy(method="gaussian").fit(x[:, None], y)
    assert te.te_ == pytest.approx(truth, rel=0.02)


def test_no_transfer_from_target_to_source():
    # x is autonomous: TE(y -> x) = 0 exactly (8 seeds: |gaussian| <= 1e-4,
    # |ksg| <= 0.013 at n = 10,000)
    x, y = simulate_ar(10_000, seed=2)
    gaussian = TransferEntropy(method="gaussian").fit(y[:, None], x).te_
    ksg = TransferEntropy(random_state=0).fit(y[:, None], x).te_
    assert abs(gaussian) < 0.01
    assert abs(ksg) < 0.02


def common_driver(n, seed):
    """z drives x at lag 1 and y at lag 2; x has no effect on y."""
    rng = np.random.default_rng(seed)
    z, e, f = rng.standard_normal((3, n + 2))
    x = 0.8 * z[1:-1] + 0.6 * e[2:]  # x_t = 0.8 z_{t-1} + noise
    y = 0.8 * z[:-2] + 0.6 * f[2:]  # y_t = 0.8 z_{t-2} + noise
    return x, y, z[2:]


@pytest.mark.parametrize("method", ["gaussian", "ksg"])
def test_conditioning_on_a_common_driver_removes_the_transfer(method):
    # x_{t-1} = 0.8 z_{t-2} + noise predicts y_t; given z_{t-1}, z_{t-2} it does not.
    x, y, z = common_driver(4000, seed=0)
    te = TransferEntropy(source_history=2, method=method, random_state=0)
    apparent = te.fit(x[:, None], y).te_
    # the truth: I(y_t; x_{t-1} | y_{t-1}) for the jointly Gaussian triple
    # (y_{t-1} = 0.8 z_{t-3} + noise is independent of both)
    truth = -0.5 * np.log(1 - 0.64**2 / ((0.64 + 0.36) * (0.64 + 0.36)))
    assert apparent == pytest.approx(truth, rel=0.15)
    conditional = te.fit(x[:, None], y, z=z[:, None]).te_
    assert abs(conditional) < 0.02
    assert te.n_features_z_in_ == 1


def test_equals_ksg_on_hand_embedded_arrays():
    x, y = simulate_ar(2000, seed=3)
    te = TransferEntropy(random_state=7).fit(x[:, None], y).te_
    direct = KSGMutualInfo(random_state=7).fit(x[:-1, None], y[1:], z=y[:-1]).mi_
    assert te == direct  # exactly


def test_equals_ksg_on_hand_embedded_arrays_with_histories_delay_and_z():
    rng = np.random.default_rng(4)
    x, y = simulate_ar(1500, seed=4)
    w = rng.standard_normal((1500, 2))
    # k = 2, l = 2, tau = 2, delay = 3: target lags 1, 3; source lags 3, 5
    te = TransferEntropy(2, 2, tau=2, delay=3, random_state=1).fit(x[:, None], y, z=w)
    start = 5
    assert te.n_dropped_ == start
    t = np.arange(start, 1500)
    source_past = np.column_stack([x[t - 3], x[t - 5]])
    cond = np.column_stack([y[t - 1], y[t - 3], w[t - 3], w[t - 5]])
    direct = KSGMutualInfo(n_neighbors=3, random_state=1).fit(source_past, y[t], z=cond).mi_
    assert te.te_ == direct


def test_theiler_window_equals_ksg_on_hand_embedded_arrays():
    x, y = simulate_ar(1500, seed=14)
    te = TransferEntropy(2, 2, theiler_window=4, random_state=3).fit(x[:, None], y)
    t = np.arange(2, 1500)
    source_past = np.column_stack([x[t - 1], x[t - 2]])
    cond = np.column_stack([y[t - 1], y[t - 2]])
    direct = KSGMutualInfo(theiler_window=4, random_state=3).fit(source_past, y[t], z=cond)
    assert te.te_ == direct.mi_  # exactly
    assert te.estimator_.theiler_window == 4
    result = transfer_entropy(
        x, y, target_history=2, source_history=2, theiler_window=4, random_state=3
    )
    assert result.raw_estimate == te.te_


def test_closed_form_with_a_theiler_window():
    # The window leaves this mildly autocorrelated system's TE where it was:
    # 8 series at n = 10,000, w = 20: relative error +0.6 % .. +5.2 % (w = 0:
    # +0.7 % .. +5.1 %), the mean of the first four +3.7 %; the uncoupled
    # direction within 0.012 of 0 either way.
    truth, _ = ar_transfer_entropies()
    estimates = []
    for seed in range(4):
        x, y = simulate_ar(10_000, seed=seed)
        estimates.append(TransferEntropy(theiler_window=20, random_state=0).fit(x[:, None], y).te_)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.05)
    x, y = simulate_ar(10_000, seed=2)
    assert abs(TransferEntropy(theiler_window=20, random_state=0).fit(y[:, None], x).te_) < 0.02


def test_theiler_window_is_refused_where_no_neighbours_are_counted():
    x, y = simulate_ar(300, seed=15)
    for method in ("gaussian", "binned"):
        with pytest.raises(
            ValueError, match=rf"theiler_window=3 applies to method='ksg' only.*{method}"
        ):
            TransferEntropy(method=method, theiler_window=3).fit(x[:, None], y)
        with pytest.raises(ValueError, match=r"theiler_window=3 applies to method='ksg' only"):
            transfer_entropy(x, y, method=method, theiler_window=3)
    with pytest.raises(ValueError, match=r"'theiler_window' parameter"):
        transfer_entropy(x, y, theiler_window=-1)
    # the window needs n_neighbors + 1 + 2 w embedded rows
    with pytest.raises(ValueError, match=r"n_neighbors \+ 1 \+ 2 \* theiler_window = 14"):
        TransferEntropy(theiler_window=5).fit(x[:14, None], y[:14])


def test_embedding_lags():
    assert embedding_lags() == ([1], [1], 1)
    assert embedding_lags(3, 1, tau=2, delay=1) == ([1, 3, 5], [1], 5)
    assert embedding_lags(1, 2, tau=3, delay=4) == ([1], [4, 7], 7)
    with pytest.raises(ValueError, match="delay must be >= 1"):
        embedding_lags(delay=0)


def test_multicolumn_source_and_target():
    # two independent copies of the system side by side: TE adds up
    x1, y1 = simulate_ar(20_000, seed=5)
    x2, y2 = simulate_ar(20_000, seed=6)
    truth, _ = ar_transfer_entropies()
    X, Y = np.column_stack([x1, x2]), np.column_stack([y1, y2])
    te = TransferEntropy(method="gaussian").fit(X, Y)
    assert te.te_ == pytest.approx(2 * truth, rel=0.03)
    assert te.n_features_in_ == 2


def test_binned_method_on_a_binary_channel():
    # y_t = x_{t-1} flipped with probability 0.1, x i.i.d. fair bits:
    # TE = log 2 - h(0.1), h the binary entropy (nats)
    rng = np.random.default_rng(0)
    n = 20_000
    x = rng.integers(0, 2, n)
    flips = rng.random(n) < 0.1
    y = np.r_[0, x[:-1]] ^ flips
    h = -(0.1 * np.log(0.1) + 0.9 * np.log(0.9))
    te = TransferEntropy(method="binned").fit(x[:, None], y)
    assert te.te_ == pytest.approx(np.log(2) - h, abs=0.01)
    back = TransferEntropy(method="binned").fit(y[:, None], x)
    assert abs(back.te_) < 0.005


def test_local_transfer_entropy_averages_to_the_estimate():
    x, y = simulate_ar(1000, seed=7)
    for method in ("ksg", "gaussian", "binned"):
        te = TransferEntropy(2, tau=2, method=method, random_state=0).fit(x[:, None], y)
        local = te.pointwise_mi(x[:, None], y)
        assert local.shape == (1000,)
        assert np.isnan(local[: te.n_dropped_]).all()
        assert not np.isnan(local[te.n_dropped_ :]).any()
        assert np.nanmean(local) == pytest.approx(te.te_, abs=1e-12)


def test_bits():
    x, y = simulate_ar(1000, seed=8)
    nats = TransferEntropy(method="gaussian").fit(x[:, None], y).te_
    bits = TransferEntropy(method="gaussian", units="bits").fit(x[:, None], y).te_
    assert bits == pytest.approx(nats / np.log(2), rel=1e-12)


# -- errors name the arguments ---------------------------------------------------------


def test_too_short_for_the_embedding():
    x, y = simulate_ar(8, seed=9)
    est = TransferEntropy(target_history=3, tau=2)  # drops 5 rows, needs 4 more
    with pytest.raises(ValueError, match=r"n_samples=8.*at least 9.*target_history=3.*tau=2"):
        est.fit(x[:, None], y)
    with pytest.raises(ValueError, match=r"source and target have 8 rows.*at least 9"):
        transfer_entropy(x, y, target_history=3, tau=2)


def test_function_errors_name_the_arguments():
    x, y = simulate_ar(100, seed=10)
    with pytest.raises(ValueError, match=r"source has 100 rows, target has 99"):
        transfer_entropy(x, y[:-1])
    with pytest.raises(ValueError, match=r"source has 100 rows, z has 50"):
        transfer_entropy(x, y, z=x[:50])
    for name, args in {
        "source": (np.r_[np.nan, x[1:]], y),
        "target": (x, np.r_[y[:-1], np.nan]),
    }.items():
        with pytest.raises(ValueError, match=rf"{name} contains NaN"):
            transfer_entropy(*args)
    with pytest.raises(ValueError, match=r"z contains NaN"):
        transfer_entropy(x, y, z=np.r_[np.nan, y[1:]])
    with pytest.raises(ValueError, match=r"target is constant"):
        transfer_entropy(x, np.ones(100))
    with pytest.raises(ValueError, match=r"'method' parameter"):
        transfer_entropy(x, y, method="kde")
    with pytest.raises(ValueError, match=r"'delay' parameter"):
        transfer_entropy(x, y, delay=0)
    with pytest.raises(ValueError, match=r"Input X contains NaN"):
        TransferEntropy().fit(np.r_[np.nan, x[1:]][:, None], y)


# -- the function: surrogates and windows ---------------------------------------------


def test_function_returns_an_mi_result_with_p_value_and_interval():
    truth, _ = ar_transfer_entropies()
    x, y = simulate_ar(3000, seed=11)
    result = transfer_entropy(
        x, y, method="gaussian", ci=True, p_value=True, n_permutations=49, random_state=0
    )
    assert isinstance(result, MIResult)
    assert isinstance(result.estimator, TransferEntropy)
    assert result.estimate == pytest.approx(result.estimator.te_)
    assert result.p_value == pytest.approx(1 / 50)  # no surrogate reaches it
    assert result.min_p_value == pytest.approx(1 / 50)
    low, high = result.ci
    assert low <= result.estimate <= high
    assert low < truth < high
    assert "moving-block" in result.ci_method
    assert result.x_kind == result.y_kind == "continuous"
    assert "circular shifts of the source" in " ".join(result.notes)


def test_surrogates_keep_the_target_history():
    # No transfer from y to x, both series autocorrelated: the shifted sources
    # keep their own dynamics and the target its history, so the test must
    # not reject.
    x, y = simulate_ar(3000, seed=12)
    result = transfer_entropy(y, x, p_value=True, n_permutations=49, random_state=0)
    assert result.p_value > 0.05
    assert result.adjusted_estimate < 0.01
    assert result.estimate >= 0.0  # clipped at 0, raw_estimate keeps the value
    if result.raw_estimate < 0:
        assert "below 0" in " ".join(result.notes)


def test_conditional_function_and_bits():
    x, y, z = common_driver(2000, seed=1)
    nats = transfer_entropy(x, y, z=z, source_history=2, method="gaussian")
    bits = transfer_entropy(x, y, z=z, source_history=2, method="gaussian", units="bits")
    assert bits.raw_estimate == pytest.approx(nats.raw_estimate / np.log(2))
    assert abs(nats.raw_estimate) < 0.01
    assert "conditioned on the pasts of 1 z series" in nats.reason


def test_binned_interval_covers_the_binary_channel_truth():
    rng = np.random.default_rng(13)
    n = 3000
    x = rng.integers(0, 2, n)
    y = np.r_[0, x[:-1]] ^ (rng.random(n) < 0.1)
    truth = np.log(2) + 0.1 * np.log(0.1) + 0.9 * np.log(0.9)
    result = transfer_entropy(x, y, method="binned", ci=True, units="bits", random_state=0)
    low, high = result.ci
    assert low <= result.estimate <= high
    assert low < truth / np.log(2) < high
    assert result.x_kind == result.y_kind == "discrete"


def test_a_target_determined_by_the_source_past_is_infinite_te():
    # y_t = f(x_{t-1}): h(y_t | x past, y past) is -inf, so the TE is infinite;
    # every estimate is finite and reflects only n (issue 30)
    from skmi import transfer_entropy
    from skmi.exceptions import SkmiWarning

    rng = np.random.default_rng(0)
    x = rng.standard_normal(3000)
    for y in (np.roll(x, 1) ** 2, 2.0 * np.roll(x, 1) + 1.0):
        with pytest.warns(SkmiWarning, match="infinite"):
            result = transfer_entropy(x, y, ci=True, p_value=True, n_permutations=9, random_state=0)
        assert result.infinite and result.ci is None and result.p_value is None
    # with noise the TE is finite and gets its interval and test
    noisy = np.roll(x, 1) + 0.5 * rng.standard_normal(3000)
    result = transfer_entropy(x, noisy, ci=True, random_state=0)
    assert not result.infinite and result.ci is not None
    # a target its own past determines (a logistic map) receives nothing: not flagged
    own = np.empty(3000)
    own[0] = 0.3
    for t in range(1, 3000):
        own[t] = 3.9 * own[t - 1] * (1.0 - own[t - 1])
    assert not transfer_entropy(x, own, random_state=0).infinite


def test_a_constant_z_is_no_conditioning_with_a_warning():
    # I(X; y | c) = I(X; y) for a constant c: the unconditional value, not an error
    from skmi import KSGMutualInfo, estimate_mi, transfer_entropy
    from skmi.exceptions import ConstantColumnWarning

    rng = np.random.default_rng(0)
    x = rng.standard_normal(400)
    y = np.r_[0.0, x[:-1]] + 0.5 * rng.standard_normal(400)
    constant = np.ones(400)
    with pytest.warns(ConstantColumnWarning, match="conditioning on a constant changes nothing"):
        conditioned = transfer_entropy(x, y, z=constant, random_state=0).estimate
    assert conditioned == transfer_entropy(x, y, random_state=0).estimate
    X = x.reshape(-1, 1)
    with pytest.warns(ConstantColumnWarning):
        est = KSGMutualInfo(random_state=0).fit(X, y, z=constant)
    assert est.mi_ == KSGMutualInfo(random_state=0).fit(X, y).mi_
    with pytest.warns(ConstantColumnWarning):
        assert est.score(X, y, z=constant) == est.mi_
    with pytest.warns(ConstantColumnWarning):
        value = estimate_mi(X, y, z=constant, random_state=0).estimate
    assert value == estimate_mi(X, y, random_state=0).estimate  # the route without z


def test_a_model_of_z_keeps_the_columns_it_was_fitted_on():
    # binned TE bins each z column with edges fitted at fit: at score the
    # columns kept at fit are kept, so a column that was constant at fit is
    # ignored whatever it holds, and the fitted edges meet their own column.
    # Dropping each call's constant columns slid z = [w, c] under the model
    # fitted on [c, w].
    from skmi import TransferEntropy
    from skmi.exceptions import ConstantColumnWarning

    rng = np.random.default_rng(0)
    n = 2000
    w = rng.standard_normal(n)
    x = np.r_[0.0, w[:-1]] + 0.5 * rng.standard_normal(n)
    y = np.r_[0.0, x[:-1]] + np.r_[0.0, w[:-1]] + rng.standard_normal(n)
    c = np.ones(n)
    X = x[:, None]
    with pytest.warns(ConstantColumnWarning):
        te = TransferEntropy(method="binned").fit(X, y, z=np.column_stack([c, w]))
    assert te.score(X, y, z=np.column_stack([rng.standard_normal(n), w])) == te.te_
    swapped = te.score(X, y, z=np.column_stack([w, c]))
    assert swapped == te.score(X, y, z=np.column_stack([rng.standard_normal(n), c]))
    assert swapped != te.te_


def test_surrogates_stop_early_when_clearly_not_significant():
    # Besag and Clifford's rule: independent series stop after about 10 / p
    # surrogates, with p = 10 / L; a coupled pair draws all of them
    from skmi import transfer_entropy

    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((2, 600))
    result = transfer_entropy(x, y, p_value=True, random_state=0)
    drawn = int(round(10 / result.p_value))
    assert drawn < 100 and result.p_value > 0.05
    notes = " ".join(result.notes)
    assert "Besag and Clifford" in notes and f"(p = 10/{drawn})" in notes
    coupled = np.r_[0.0, x[:-1]] + 0.5 * rng.standard_normal(600)
    strong = transfer_entropy(x, coupled, p_value=True, random_state=0)
    assert strong.p_value == strong.min_p_value
    assert not any("Besag" in note for note in strong.notes)
