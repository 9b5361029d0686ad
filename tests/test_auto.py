"""estimate_mi: the method it picks for each kind of data, and its result."""

import numpy as np
import pytest

from skmi import estimate_mi
from skmi._auto import choose_method
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_transformed_gaussian,
)


def test_the_rules():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 500)
    X_low, y_low, _ = make_gaussian(500, 2, 2, random_state=0)
    X_high, y_high, _ = make_gaussian(3000, 10, 10, random_state=0)
    X_atoms, y_atoms, _ = make_discrete_continuous(500, random_state=0)
    assert choose_method(labels.reshape(-1, 1), labels)[0] == "binned"
    assert choose_method(X_low, labels)[0] == "ksg-copula"
    assert choose_method(labels.reshape(-1, 1), y_low)[0] == "ksg-copula"
    assert choose_method(X_atoms, y_atoms)[0] == "ksg-mixed"
    assert choose_method(X_low[:, :1], y_low)[0] == "ksg-copula"
    assert choose_method(X_low, y_low)[0] == "larger"
    assert choose_method(X_high, y_high)[0] == "larger"


def test_larger_of_takes_the_gaussian_copula_on_gaussian_data():
    X, y, truth = make_gaussian(3000, 10, 10, mi=1.5, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "larger" and result.estimator.chosen_ == "GaussianMutualInfo"
    assert result.estimate == pytest.approx(truth, abs=0.05)


def test_auto_is_near_truth_on_a_skewed_pair():
    X, y, truth = make_transformed_gaussian(4000, transform="exp", correlation=0.8, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "ksg-copula" and "low dimension" in result.reason
    assert result.estimate == pytest.approx(truth, abs=0.05)
    assert float(result) == result.estimate


def test_discrete_x_with_continuous_y_swaps_roles():
    X, y, truth = make_class_mixture(3000, 3, 1, random_state=0)
    forward = estimate_mi(X, y, random_state=0)
    backward = estimate_mi(y.reshape(-1, 1), X[:, 0], random_state=0)
    assert forward.method == backward.method == "ksg-copula"
    assert backward.estimate == pytest.approx(forward.estimate, abs=1e-12)
    assert forward.estimate == pytest.approx(truth, abs=0.04)


def test_uncertainty_on_request_and_units():
    X, y, truth = make_gaussian(600, correlation=0.7, random_state=0)
    result = estimate_mi(
        X,
        y,
        method="gaussian",
        ci=True,
        p_value=True,
        n_permutations=20,
        units="bits",
        random_state=0,
    )
    assert result.units == "bits" and result.method == "gaussian"
    low, high = result.ci
    assert low < result.estimate < high and low < truth / np.log(2) < high
    assert result.p_value < 0.1 and result.adjusted_estimate < result.estimate


def test_unknown_method():
    with pytest.raises(ValueError, match="method"):
        estimate_mi(np.ones((10, 1)), np.arange(10), method="magic")
