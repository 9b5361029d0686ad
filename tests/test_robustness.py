"""Every MI estimator against awkward input: the right answer, or a clear error.

Layouts and containers, extreme scales, degenerate data, concurrent fits,
and the failing inputs of the robustness issue, each with its right value
(from MI's invariances or a closed form, never from skmi's own output).
The bad-input error suite lives in ``test_common.py``; fuzzing in
``test_fuzz.py``.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import MI_ESTIMATORS, estimator_id, is_neural
from sklearn.base import clone
from sklearn.metrics import mutual_info_score

from skmi import BinnedMutualInfo, GaussianMutualInfo, KernelMutualInfo, KSGMutualInfo
from skmi.datasets import make_gaussian
from skmi.exceptions import SkmiWarning

try:
    import torch
except ImportError:  # pragma: no cover - torch is an optional extra
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")

X0, Y0, _ = make_gaussian(120, 2, 1, correlation=0.7, random_state=0)
mi_estimators = pytest.mark.parametrize("estimator", MI_ESTIMATORS, ids=estimator_id)


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        return clone(estimator).set_params(**kwargs).fit(X, y).mi_


# -- layouts and containers: the same answer as a C-ordered float64 array ------------

pd = pytest.importorskip("pandas")

LAYOUTS = {
    "float32": lambda X, y: (X.astype(np.float32), y.astype(np.float32)),
    "fortran": lambda X, y: (np.asfortranarray(X), y),
    "non-contiguous": lambda X, y: (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2]),
    "pandas": lambda X, y: (pd.DataFrame(X, columns=["a", "b"]), pd.Series(y)),
    "lists": lambda X, y: (X.tolist(), y.tolist()),
    "column y": lambda X, y: (X, y.reshape(-1, 1)),
}


@mi_estimators
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts_give_the_same_answer(estimator, layout):
    X, y = LAYOUTS[layout](X0, Y0)
    # float32 rounds the data, which can move a k-NN count or a bin edge
    tolerance = 0.05 if layout == "float32" else 1e-9
    if is_neural(estimator):
        tolerance = 0.2 if layout == "float32" else 1e-4  # float32 training, same seed
    assert _fit(estimator, X, y) == pytest.approx(_fit(estimator, X0, Y0), abs=tolerance)


# -- MI is invariant to scaling each variable: the unscaled value is the answer -------


@mi_estimators
@pytest.mark.parametrize("scale", [1e-300, 1e-165, 1e-30, 1e30, 1e155, 1e200, 1e300])
def test_extreme_scales(estimator, scale):
    # MI is scale invariant: every estimator standardises without overflow
    # (skmi._preprocessing.standardize), so the value at any scale is the unscaled one
    if is_neural(estimator) and scale not in (1e-30, 1e30):
        pytest.skip("neural training is covered at moderate extremes (slow)")
    tolerance = 0.2 if is_neural(estimator) else 1e-6
    expected = _fit(estimator, X0, Y0)
    assert _fit(estimator, X0 * scale, Y0 * scale) == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("scale", [1e-300, 1e200, 1e300])
def test_ksg_without_standardising_is_scale_free_and_near_truth(scale):
    # issue: KSGMutualInfo(standardize=False) gave inf at 1e200
    X, y, truth = make_gaussian(2000, correlation=0.8, random_state=0)  # truth 0.511
    est = KSGMutualInfo(standardize=False, random_state=0)
    scaled = clone(est).fit(X * scale, y * scale).mi_
    assert scaled == pytest.approx(clone(est).fit(X, y).mi_, abs=1e-9)
    assert scaled == pytest.approx(truth, abs=0.05)


@pytest.mark.parametrize("scale", [1e-165, 1e154, 1e200])
def test_kmeans_binning_is_scale_free(scale):
    # issue: BinnedMutualInfo(strategy="kmeans") gave 0.0 from 1e154
    est = BinnedMutualInfo(4, strategy="kmeans", random_state=0)
    expected = clone(est).fit(X0, Y0).mi_
    assert expected > 0.1
    assert clone(est).fit(X0 * scale, Y0 * scale).mi_ == pytest.approx(expected, abs=1e-9)


def test_uniform_edges_spanning_the_whole_float_range():
    # low + (high - low) t overflows when the range exceeds the largest float;
    # a sign makes the 2-bin plug-in MI exactly that of the signs: ln 2
    x = np.tile([-1e308, 1e308], 50).reshape(-1, 1)
    y = (x[:, 0] > 0).astype(int)
    assert BinnedMutualInfo(2).fit(x, y).mi_ == pytest.approx(np.log(2), abs=1e-12)


# -- degenerate but answerable data ----------------------------------------------------


@mi_estimators
def test_integer_boolean_and_duplicated_data_have_finite_answers(estimator):
    rng = np.random.default_rng(0)
    X_int = rng.integers(0, 5, (200, 2))
    y_bool = (X_int[:, 0] + rng.integers(0, 2, 200)) > 2
    X_dup = np.repeat(X0[:40], 3, axis=0)
    y_dup = np.repeat(Y0[:40], 3)
    for X, y in [(X_int, y_bool), (X_int.astype(bool), X_int[:, 1]), (X_dup, y_dup)]:
        assert np.isfinite(_fit(estimator, X, y))


@mi_estimators
def test_constant_column_dropped_with_a_warning(estimator):
    X = np.column_stack([X0, np.full(len(X0), 3.0)])
    with pytest.warns(SkmiWarning, match="constant"):
        clone(estimator).fit(X, Y0)


def test_n_smaller_than_k():
    with pytest.raises(ValueError, match=r"n_samples=4.*n_neighbors \+ 1 = 6"):
        KSGMutualInfo(n_neighbors=5).fit(X0[:4], Y0[:4])


def test_binned_score_keeps_the_fitted_columns():
    # A column constant at fit is dropped; at score the same columns must be
    # used whatever varies there, or the fitted edges meet the wrong columns.
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, 400)
    X_fit = np.column_stack([x, np.zeros(400)]).astype(float)
    X_new = np.column_stack([x, rng.standard_normal(400)])
    y = (x + rng.integers(0, 2, 400)) % 4
    with pytest.warns(SkmiWarning, match="constant"):
        est = BinnedMutualInfo(4, discrete_target=True).fit(X_fit, y)
    # the fitted edges bin x into its four values: the plug-in MI of (x, y)
    assert est.score(X_new, y) == pytest.approx(mutual_info_score(x, y), abs=1e-12)


# -- the failing inputs of the robustness issue ----------------------------------------


def test_wider_y_at_score_is_refused_before_the_kernel():
    # issue: BinnedMutualInfo read garbage bin codes here (0.371 vs 0.361) and
    # crashed the process with 200,000 columns
    est = BinnedMutualInfo().fit(X0, Y0)
    with pytest.raises(ValueError, match="y has 2 features"):
        est.score(X0, np.column_stack([Y0, Y0]))
    with pytest.raises(ValueError, match="y has 20000 features"):
        est.score(X0, np.repeat(Y0[:, None], 20_000, axis=1))


def test_binning_kernel_never_sees_a_block_wider_than_its_edges():
    from skmi._binned import _binned_symbols

    binner = BinnedMutualInfo()._fit_binner(X0, np.random.RandomState(0))
    with pytest.raises(ValueError, match="3 continuous columns, but the bins were fitted on 2"):
        _binned_symbols(np.column_stack([X0, Y0]), binner)


@pytest.mark.parametrize(
    ("estimator", "bad"),
    [
        (KSGMutualInfo(), {"n_neighbors": 0}),  # gave -inf
        (KernelMutualInfo(), {"alpha": -1.0}),  # gave 21.9
        (BinnedMutualInfo(), {"n_bins": 1}),
        (GaussianMutualInfo(), {"units": "dB"}),
    ],
    ids=lambda v: estimator_id(v) if hasattr(v, "fit") else str(v),
)
def test_parameters_changed_after_fit_are_validated(estimator, bad):
    est = clone(estimator).fit(X0, Y0).set_params(**bad)
    name = next(iter(bad))
    for method in ("score", "pointwise_mi"):
        if hasattr(est, method):
            with pytest.raises(ValueError, match=f"'{name}' parameter"):
                getattr(est, method)(X0, Y0)


@pytest.mark.parametrize(
    "estimator",
    [KSGMutualInfo(n_neighbors=True), KSGMutualInfo(variant=True), BinnedMutualInfo(True)],
    ids=lambda e: estimator_id(e),
)
def test_booleans_are_not_counts(estimator):
    # issue: n_neighbors=True ended in a Numba TypingError
    with pytest.raises(TypeError, match="must be an integer, got bool"):
        clone(estimator).fit(X0, Y0)


def test_none_in_object_x_is_missing_not_a_symbol():
    # issue: 10 % None in object X was binned as a symbol (0.17, complete rows 0.98)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, 400)
    X = x.astype(object).reshape(-1, 1)
    X[rng.choice(400, 40, replace=False), 0] = None
    for estimator in (BinnedMutualInfo(), KSGMutualInfo(), GaussianMutualInfo()):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            clone(estimator).fit(X, x)


def test_categorical_columns_are_symbols_for_the_binned_estimator():
    rng = np.random.default_rng(0)
    words = rng.choice(["red", "green", "blue"], 500)
    y = (np.searchsorted(["blue", "green", "red"], words) + rng.integers(0, 2, 500)) % 3
    frame = pd.DataFrame({"colour": pd.Categorical(words)})
    est = BinnedMutualInfo().fit(frame, y)
    assert est.mi_ == pytest.approx(mutual_info_score(words, y), abs=1e-12)
    # and as a class target of the k-NN estimator: the same as string labels
    X = rng.standard_normal((500, 1)) + (words == "red")[:, None]
    as_category = KSGMutualInfo(random_state=0).fit(X, pd.Series(pd.Categorical(words))).mi_
    assert as_category == KSGMutualInfo(random_state=0).fit(X, words).mi_


# -- one instance fitted from several threads at once ------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [BinnedMutualInfo(), KSGMutualInfo(random_state=0), GaussianMutualInfo(), KernelMutualInfo()],
    ids=estimator_id,
)
def test_concurrent_fits_of_one_instance(estimator):
    # issue: BinnedMutualInfo returned wrong values (0.3023 vs 0.3051) and
    # KSGMutualInfo raised random TypeErrors. Fits on three data sets -- one
    # with a class y -- must each give that data set's own estimate.
    rng = np.random.default_rng(0)
    data = [make_gaussian(300, 2, 1, correlation=c, random_state=c > 0.5)[:2] for c in (0.3, 0.8)]
    data.append((data[1][0], (data[1][1] > 0).astype(int)))
    serial = [clone(estimator).fit(*d).mi_ for d in data]
    shared = clone(estimator)

    def fit(i):
        X, y = data[i % len(data)]
        return shared.fit(X, y).mi_

    order = rng.permutation(np.arange(24))
    with ThreadPoolExecutor(4) as pool:
        values = list(pool.map(fit, order))
    # A thread may read the mi_ of a fit that published after its own, but
    # never a value mixed from two fits' state.
    for value in values:
        assert min(abs(value - s) for s in serial) < 1e-12
    # the published state is one fit's, whole
    X, y = data[int(np.argmin([abs(shared.mi_ - s) for s in serial]))]
    assert shared.score(X, y) == pytest.approx(shared.mi_, abs=1e-12)


# -- issue 27: the drop-ins near the float maximum -------------------------------------


@pytest.mark.parametrize("scale", [1e300, 2.0**1000, 1e307, 1e-300])
def test_drop_ins_give_the_scale_one_value_at_any_scale(scale):
    # was: inf or a wrong value near the float maximum, where X / 1e300 was
    # fine (scikit-learn's scale squares the data). MI does not change with
    # scale, and the value at scale 1 is scikit-learn's own.
    from sklearn.feature_selection import mutual_info_regression as sklearn_regression

    from skmi import mutual_info_classif, mutual_info_matrix, mutual_info_regression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = X[:, 0] + rng.standard_normal(400)
    labels = (y > 0).astype(int)
    reference = sklearn_regression(X, y, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no overflow warnings on the way
        at_scale = mutual_info_regression(X * scale, y * scale, random_state=0)
        x_only = mutual_info_regression(X * scale, y, random_state=0)
        matrix = mutual_info_matrix(X * scale, random_state=0)
        classif = mutual_info_classif(X * scale, labels, random_state=0)
    np.testing.assert_allclose(at_scale, reference, rtol=0, atol=1e-9)
    np.testing.assert_allclose(x_only, reference, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        matrix, mutual_info_matrix(X, random_state=0), rtol=0, atol=1e-9, equal_nan=True
    )
    np.testing.assert_allclose(
        classif, mutual_info_classif(X, labels, random_state=0), rtol=0, atol=1e-9
    )


def test_bfloat16_tensors_are_read_as_their_float32_values():
    # was: "Got unsupported ScalarType BFloat16" everywhere, naming no argument.
    # Every bfloat16 value is a float32 value: the result is the float32 copy's.
    torch = pytest.importorskip("torch")
    from skmi import estimate_mi, mutual_info_matrix, mutual_info_regression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    y = X[:, 0] + rng.standard_normal(300)
    Xb = torch.tensor(X, dtype=torch.bfloat16).requires_grad_()
    yb = torch.tensor(y, dtype=torch.bfloat16)
    Xf, yf = Xb.detach().float().numpy(), yb.float().numpy()
    calls = [
        lambda a, b: KSGMutualInfo(random_state=0).fit(a, b).mi_,
        lambda a, b: GaussianMutualInfo().fit(a, b).mi_,
        lambda a, b: BinnedMutualInfo().fit(a, b).mi_,
        lambda a, b: KernelMutualInfo().fit(a, b).mi_,
        lambda a, b: mutual_info_regression(a, b, random_state=0),
        lambda a, b: mutual_info_matrix(a, random_state=0),
        lambda a, b: estimate_mi(a, b, random_state=0).estimate,
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)  # bfloat16 values tie: TiesWarning
        for call in calls:
            np.testing.assert_array_equal(call(Xb, yb), call(Xf, yf))
    assert Xb.dtype == torch.bfloat16 and Xb.requires_grad  # the caller's tensor as it was


# -- torch tensors that require grad are read, not refused ---------------------------
# numpy cannot read a tensor that requires grad (``tensor.numpy()`` raises a
# RuntimeError); activations taken from a live model usually do.


def _bivariate_normal(n, rho, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return x[:, None], y


@needs_torch
@pytest.mark.parametrize(
    "estimator, n, tol",
    [(GaussianMutualInfo(), 20000, 0.02), (KSGMutualInfo(random_state=0), 3000, 0.05)],
)
def test_estimators_read_tensors_that_require_grad(estimator, n, tol):
    x, y = _bivariate_normal(n, 0.6, 0)
    X = torch.tensor(x, requires_grad=True)
    Y = torch.tensor(y, requires_grad=True)
    before = X.detach().clone()
    mi = estimator.fit(X, Y).mi_
    assert mi == pytest.approx(-0.5 * np.log(1 - 0.6**2), abs=tol)  # Gaussian closed form
    assert np.isfinite(estimator.score(X, Y))
    assert X.requires_grad and Y.requires_grad and torch.equal(X.detach(), before)


@needs_torch
def test_entry_points_read_tensors_that_require_grad():
    from skmi import (
        estimate_mi,
        kernel_entropy,
        mutual_info_matrix,
        mutual_info_regression,
        permutation_test,
    )

    x, y = _bivariate_normal(3000, 0.6, 1)
    truth = -0.5 * np.log(1 - 0.6**2)  # Gaussian closed form
    X = torch.tensor(x, requires_grad=True)
    Y = torch.tensor(y, requires_grad=True)
    assert estimate_mi(X, Y).estimate == pytest.approx(truth, abs=0.05)
    assert mutual_info_regression(X, Y, random_state=0)[0] == pytest.approx(truth, abs=0.05)
    XY = torch.tensor(np.c_[x, y], requires_grad=True)
    assert mutual_info_matrix(XY, random_state=0)[0, 1] == pytest.approx(truth, abs=0.05)
    assert permutation_test(GaussianMutualInfo(), X, Y, n_permutations=20).p_value < 0.1
    assert np.isfinite(kernel_entropy(X))
    assert X.requires_grad and Y.requires_grad
