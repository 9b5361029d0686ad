"""The contract every skmi estimator keeps.

scikit-learn's common checks first; then what they do not catch (inputs
mutated, ``score`` before ``fit``, seeding, pickling) and the shared bad-input
suite, for every estimator.
"""

import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmi import BinnedMutualInfo, GaussianMutualInfo, KernelMutualInfo, KSGMutualInfo
from skmi.datasets import make_gaussian

# Every public estimator, in the configurations whose code paths differ.
ESTIMATORS = [
    KSGMutualInfo(random_state=0),
    KSGMutualInfo(algorithm=2, random_state=0),
    KSGMutualInfo(ties="mixed"),
    GaussianMutualInfo(),
    GaussianMutualInfo(copula=True, shrinkage="ledoit-wolf"),
    BinnedMutualInfo(),
    BinnedMutualInfo(strategy="quantile", correction="miller-madow"),
    BinnedMutualInfo(4, strategy="kmeans", random_state=0),
    KernelMutualInfo(),
    KernelMutualInfo(
        alpha=2.0, kernel="laplacian", approximation="nystroem", n_components=20, random_state=0
    ),
]

# Checks that are expected to fail, per estimator class, with the reason.
EXPECTED_FAILED_CHECKS: dict = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _id(estimator):
    changed = {k: v for k, v in estimator.get_params().items() if k != "random_state"}
    defaults = type(estimator)().get_params()
    diff = ",".join(f"{k}={v}" for k, v in changed.items() if defaults.get(k) != v)
    return f"{type(estimator).__name__}({diff})"


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture
def data():
    X, y, _ = make_gaussian(300, 2, 1, correlation=0.7, random_state=0)
    return X, y


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_inputs_are_never_modified(estimator, data):
    X, y = data
    X_before, y_before = X.copy(), y.copy()
    est = clone(estimator).fit(X, y)
    est.score(X, y)
    if hasattr(est, "pointwise_mi"):
        est.pointwise_mi(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_score_before_fit_raises(estimator, data):
    with pytest.raises(NotFittedError):
        clone(estimator).score(*data)
    if hasattr(estimator, "pointwise_mi"):
        with pytest.raises(NotFittedError):
            clone(estimator).pointwise_mi(*data)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_same_random_state_same_estimate(estimator, data):
    first = clone(estimator).fit(*data).mi_
    second = clone(estimator).fit(*data).mi_
    assert first == second  # bit for bit


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_score_survives_pickling(estimator, data):
    est = clone(estimator).fit(*data)
    restored = pickle.loads(pickle.dumps(est))
    assert restored.score(*data) == est.score(*data)
    assert restored.mi_ == est.mi_


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_score_on_training_data_is_mi(estimator, data):
    # These estimators have no trained model: score re-estimates with the
    # same parameters (and the same seed), so on the training data it is mi_.
    est = clone(estimator).fit(*data)
    assert est.score(*data) == est.mi_


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_pointwise_terms_average_to_the_estimate(estimator, data):
    if not hasattr(estimator, "pointwise_mi"):
        pytest.skip(f"{type(estimator).__name__} has no pointwise terms")
    est = clone(estimator).fit(*data)
    terms = est.pointwise_mi(*data)
    assert terms.shape == (len(data[0]),)
    if getattr(est, "shrinkage", None) is not None:
        # Documented exception: under a shrunk covariance the log density
        # ratios average to the resubstitution estimate, which differs from
        # the closed form by O(d^2 / n).
        assert np.mean(terms) == pytest.approx(est.mi_, abs=0.1)
    else:
        assert np.nanmean(terms) == pytest.approx(est.mi_, abs=1e-12)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_bits_are_nats_over_log2(estimator, data):
    nats = clone(estimator).fit(*data).mi_
    bits = clone(estimator).set_params(units="bits").fit(*data).mi_
    assert bits == pytest.approx(nats / np.log(2), rel=1e-12)


# -- bad input: a clear error that names the argument -------------------------

_rng = np.random.default_rng(0)
_X = _rng.standard_normal((50, 2))
_y = _rng.standard_normal(50)


def _with(a, index, value):
    a = a.copy()
    a[index] = value
    return a


BAD_INPUTS = {
    "nan in X": (_with(_X, (3, 1), np.nan), _y, ValueError, r"Input X contains NaN"),
    "inf in X": (_with(_X, (3, 1), np.inf), _y, ValueError, r"Input X contains infinity"),
    "nan in y": (_X, _with(_y, 3, np.nan), ValueError, r"Input y contains NaN"),
    "inf in y": (_X, _with(_y, 3, -np.inf), ValueError, r"Input y contains infinity"),
    "lengths differ": (_X, _y[:-1], ValueError, r"X has 50, y has 49"),
    "3-D X": (_X.reshape(50, 2, 1), _y, ValueError, r"X must have shape \(n_samples, n_features\)"),
    "3-D y": (_X, _y.reshape(25, 2, 1), ValueError, r"y must have shape"),
    "1-D X": (_X[:, 0], _y, ValueError, r"X must have shape"),
    "empty X": (np.empty((0, 2)), np.empty(0), ValueError, r"X has n_samples=0"),
    "strings in X": (_X.astype(str).astype(object) + "a", _y, ValueError, r"convert|numeric"),
    "y is None": (_X, None, ValueError, r"requires y to be passed"),
    "constant X": (np.ones((50, 2)), _y, ValueError, r"X is constant"),
    "ragged X": ([[1.0, 2.0], [3.0]] * 25, _y, ValueError, r"X is ragged"),
}


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gets_a_clear_error(estimator, case):
    X, y, error, message = BAD_INPUTS[case]
    if case == "strings in X" and estimator._x_dtype is None:
        pytest.skip("strings are symbols for this estimator")
    with pytest.raises(error, match=message):
        clone(estimator).fit(X, y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_too_few_samples_gets_a_clear_error(estimator):
    needed = clone(estimator)._min_samples()
    with pytest.raises(ValueError, match=rf"X has n_samples={needed - 1}.*at least {needed}"):
        clone(estimator).fit(_X[: needed - 1], _y[: needed - 1])


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_score_checks_the_number_of_features(estimator, data):
    X, y = data
    est = clone(estimator).fit(X, y)
    with pytest.raises(ValueError, match=re.escape("X has 1 features")):
        est.score(X[:, :1], y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_invalid_parameter_is_named(estimator, data):
    est = clone(estimator).set_params(units="decibels")
    with pytest.raises(ValueError, match="'units' parameter"):
        est.fit(*data)
