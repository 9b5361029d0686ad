"""BinnedMutualInfo: exact plug-in MI on discrete data, bias correction,
binning strategies, and the symbol kernels."""

import numpy as np
import pytest
from scipy.stats import entropy
from sklearn.metrics import mutual_info_score

from skmi import BinnedMutualInfo
from skmi._numba import combine_codes, dense_labels, digitize_columns
from skmi.datasets import make_gaussian


def _discrete_pair(n, seed, noise_levels=2, values=4):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, values, n)
    y = (x + rng.integers(0, noise_levels, n)) % values
    return x, y


# -- kernels ----------------------------------------------------------------------


def test_dense_labels_against_numpy():
    rng = np.random.default_rng(0)
    for high in [5, 10**6, 2**62]:
        keys = rng.integers(0, high, 5000, dtype=np.int64)
        labels, counts = dense_labels(keys)
        values, inverse, ref_counts = np.unique(keys, return_inverse=True, return_counts=True)
        np.testing.assert_array_equal(labels, inverse.ravel())
        np.testing.assert_array_equal(counts, ref_counts)


def test_digitize_and_combine_against_numpy():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((1000, 3))
    edges = np.sort(rng.standard_normal((3, 6)), axis=1)
    codes = digitize_columns(X, edges)
    ref = np.column_stack([np.searchsorted(edges[c], X[:, c], side="right") for c in range(3)])
    np.testing.assert_array_equal(codes, ref)
    keys = combine_codes(np.arange(1000) % 5, 5, codes, np.array([7, 7, 7]))
    ref_keys = (np.arange(1000) % 5) + 5 * (ref[:, 0] + 7 * (ref[:, 1] + 7 * ref[:, 2]))
    np.testing.assert_array_equal(keys, ref_keys)


# -- exact plug-in on discrete data -------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_discrete_data_is_exact_plug_in(seed):
    x, y = _discrete_pair(2000, seed)
    est = BinnedMutualInfo().fit(x.reshape(-1, 1), y)
    assert est.discrete_features_ and est.discrete_target_
    assert est.mi_ == pytest.approx(mutual_info_score(x, y), abs=1e-12)
    # and through scipy's entropies: H(x) + H(y) - H(x, y)
    h = lambda *cols: entropy(np.unique(np.column_stack(cols), axis=0, return_counts=True)[1])  # noqa: E731
    assert est.mi_ == pytest.approx(h(x) + h(y) - h(x, y), abs=1e-12)


def test_strings_booleans_and_multicolumn_symbols():
    x, y = _discrete_pair(1500, 0)
    names = np.array(["a", "b", "c", "d"])
    two_columns = np.column_stack([x // 2, x % 2]).astype(bool)
    reference = mutual_info_score(x, y)
    assert BinnedMutualInfo().fit(names[x].reshape(-1, 1), names[y]).mi_ == pytest.approx(
        reference, abs=1e-12
    )
    assert BinnedMutualInfo().fit(two_columns, y).mi_ == pytest.approx(reference, abs=1e-12)


def test_many_columns_relabel_instead_of_overflowing():
    # 70 binary columns: 2^70 patterns do not fit in int64 keys.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (3000, 70))
    y = X[:, 0] ^ X[:, 69]
    rows = np.unique(X, axis=0, return_inverse=True)[1].ravel()
    assert BinnedMutualInfo().fit(X, y).mi_ == pytest.approx(mutual_info_score(rows, y), abs=1e-12)


def test_many_continuous_columns():
    # 25 columns x 10 bins: keys need relabelling along the way (a bug once:
    # the radix product overflowed int64 before the overflow check).
    X, y, _ = make_gaussian(2000, 25, 1, random_state=0)
    codes = np.column_stack(
        [np.searchsorted(np.linspace(c.min(), c.max(), 11)[1:-1], c, side="right") for c in X.T]
    )
    rows = np.unique(codes, axis=0, return_inverse=True)[1].ravel()
    y_codes = np.searchsorted(np.linspace(y.min(), y.max(), 11)[1:-1], y, side="right")
    assert BinnedMutualInfo().fit(X, y).mi_ == pytest.approx(
        mutual_info_score(rows, y_codes), abs=1e-12
    )


def test_pointwise_terms():
    x, y = _discrete_pair(1000, 0)
    est = BinnedMutualInfo().fit(x.reshape(-1, 1), y)
    terms = est.pointwise_mi(x.reshape(-1, 1), y)
    joint = np.mean((x[:, None] == x[None]) & (y[:, None] == y[None]), axis=1)
    p_x = np.mean(x[:, None] == x[None], axis=1)
    p_y = np.mean(y[:, None] == y[None], axis=1)
    np.testing.assert_allclose(terms, np.log(joint / (p_x * p_y)))
    assert terms.mean() == pytest.approx(est.mi_, abs=1e-12)


def test_miller_madow_reduces_bias_on_a_task_with_known_mi():
    # x uniform on 8 values, y = x with probability 0.5 else uniform: the
    # truth is computed exactly from the joint table.
    m, n, repeats = 8, 200, 200
    p_joint = np.full((m, m), 0.5 / m**2) + np.eye(m) * 0.5 / m
    truth = float(np.sum(p_joint * np.log(p_joint * m * m)))
    rng = np.random.default_rng(0)
    plain, corrected = [], []
    for _ in range(repeats):
        cells = rng.choice(m * m, size=n, p=p_joint.ravel())
        x, y = cells // m, cells % m
        plain.append(BinnedMutualInfo().fit(x.reshape(-1, 1), y).mi_)
        corrected.append(BinnedMutualInfo(correction="miller-madow").fit(x.reshape(-1, 1), y).mi_)
    bias_plain = np.mean(plain) - truth
    bias_corrected = np.mean(corrected) - truth
    assert bias_plain > 0.05  # the plug-in MI is biased upwards
    assert abs(bias_corrected) < 0.5 * abs(bias_plain)


# -- continuous data ----------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile", "kmeans"])
def test_continuous_gaussian_is_near_truth_with_enough_data(strategy):
    # Binning a 1-D Gaussian pair finely with n large approaches the truth
    # from below (discretisation loses information); 30 bins lose ~2 %.
    X, y, truth = make_gaussian(200_000, correlation=0.8, random_state=0)
    est = BinnedMutualInfo(30, strategy=strategy, random_state=0).fit(X, y)
    assert truth - 0.03 < est.mi_ < truth + 0.01


def test_kmeans_quantises_the_whole_block():
    X, y, _ = make_gaussian(3000, 5, 1, random_state=0)
    est = BinnedMutualInfo(12, strategy="kmeans", random_state=0).fit(X, y)
    assert est.n_symbols_x_ == 12  # clusters, not 12^5 bin patterns
    assert BinnedMutualInfo(12, random_state=0).fit(X, y).n_symbols_x_ > 12


def test_shared_edges_bin_a_layer_on_one_scale():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 1, 500), rng.uniform(0, 10, 500)])
    y = rng.integers(0, 2, 500)
    shared = BinnedMutualInfo(10, shared_edges=True).fit(X, y)
    own = BinnedMutualInfo(10).fit(X, y)
    assert shared.n_symbols_x_ < own.n_symbols_x_  # column 0 falls in one or two bins


def test_score_uses_the_fitted_edges():
    X, y, _ = make_gaussian(5000, correlation=0.7, random_state=0)
    est = BinnedMutualInfo(8).fit(X, y)
    assert est.score(X, y) == est.mi_
    # beyond the fitted range every x falls in the top bin: one symbol, MI 0
    assert est.score(X + 100.0, y) == pytest.approx(0.0, abs=1e-12)
    assert BinnedMutualInfo(8).fit(X + 100.0, y).mi_ == pytest.approx(est.mi_)  # refitted


# -- issue 27: one rule for the kind of each side; one fit's state per score ---------


def _uniform_codes(a, n_bins=10):
    inner = np.linspace(a.min(), a.max(), n_bins + 1)[1:-1]
    return np.digitize(a, inner)


def test_object_numbers_are_numbers_on_both_sides():
    # was: an object y holding 300 distinct floats read as 300 classes
    rng = np.random.default_rng(0)
    x = rng.standard_normal(300)
    y = x + rng.standard_normal(300)
    expected = mutual_info_score(_uniform_codes(x), _uniform_codes(y))  # by hand
    as_float = BinnedMutualInfo().fit(x.reshape(-1, 1), y)
    as_object = BinnedMutualInfo().fit(x.reshape(-1, 1), y.astype(object))
    assert not as_object.discrete_target_
    assert as_object.mi_ == pytest.approx(as_float.mi_, abs=1e-12)
    assert as_float.mi_ == pytest.approx(expected, abs=1e-9)
    swapped = BinnedMutualInfo().fit(y.astype(object).reshape(-1, 1), x)
    assert not swapped.discrete_features_
    assert swapped.mi_ == pytest.approx(expected, abs=1e-9)


def test_integer_x_and_integer_y_follow_one_rule():
    # was: integer X symbols by dtype, integer y by values: IDs with mostly
    # distinct values were 2000 symbols as X and a binned number as y
    rng = np.random.default_rng(0)
    ids = rng.permutation(10**6)[:2000]
    noisy = ids + rng.integers(0, 200_000, 2000)
    expected = mutual_info_score(_uniform_codes(ids), _uniform_codes(noisy))
    forward = BinnedMutualInfo().fit(ids.reshape(-1, 1), noisy)
    backward = BinnedMutualInfo().fit(noisy.reshape(-1, 1), ids)
    assert not forward.discrete_features_ and not forward.discrete_target_
    assert not backward.discrete_features_ and not backward.discrete_target_
    assert forward.mi_ == pytest.approx(expected, abs=1e-9)
    assert backward.mi_ == pytest.approx(expected, abs=1e-9)
    x, y = _discrete_pair(2000, 0)  # few levels: symbols on either side
    for est in (BinnedMutualInfo().fit(x.reshape(-1, 1), y), BinnedMutualInfo().fit(y[:, None], x)):
        assert est.discrete_features_ and est.discrete_target_
        assert est.mi_ == pytest.approx(mutual_info_score(x, y), abs=1e-12)


def test_score_during_a_concurrent_refit_reads_one_fit():
    # was: score read the target's kind from one fit and the binners from
    # another, returning values no fit gives (or failing)
    import threading

    rng = np.random.default_rng(0)
    n = 400
    codes = rng.integers(0, 4, n)
    classes = (codes + rng.integers(0, 2, n)) % 4
    X_a = rng.standard_normal((n, 1))
    y_a = X_a[:, 0] + rng.standard_normal(n)
    X_s, y_s = codes.reshape(-1, 1), classes  # scored under either fit
    fit_a = BinnedMutualInfo(n_bins=3).fit(X_a, y_a)  # continuous: bins
    fit_b = BinnedMutualInfo(n_bins=3).fit(X_s, y_s)  # discrete: symbols
    allowed = [fit_a.score(X_s, y_s), fit_b.score(X_s, y_s)]
    allowed_pointwise = [fit_a.pointwise_mi(X_s, y_s), fit_b.pointwise_mi(X_s, y_s)]
    assert abs(allowed[0] - allowed[1]) > 1e-3
    shared = BinnedMutualInfo(n_bins=3).fit(X_a, y_a)
    stop = threading.Event()

    def refit():
        while not stop.is_set():
            shared.fit(X_s, y_s)
            shared.fit(X_a, y_a)

    thread = threading.Thread(target=refit, daemon=True)
    thread.start()
    bad = []
    try:
        for _ in range(300):
            try:
                value = shared.score(X_s, y_s)
                terms = shared.pointwise_mi(X_s, y_s)
            except Exception as error:  # a mixed state may also fail
                bad.append(repr(error))
                continue
            if not any(abs(value - a) < 1e-12 for a in allowed):
                bad.append(value)
            if not any(np.allclose(terms, a, atol=1e-12) for a in allowed_pointwise):
                bad.append("pointwise")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not bad, bad[:5]
