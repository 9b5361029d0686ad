"""noisy_layer_information (skmi/probe/_mixture.py): I(X; T + noise) of a
Gaussian mixture and its bounds, against an independent Monte Carlo."""

import numpy as np
import pytest
from _probe_helpers import _bit_inputs, _independent_mixture_mi

from skmi.probe import noisy_layer_information


def test_noisy_layer_information_limits():
    rng = np.random.default_rng(0)
    T = rng.standard_normal((300, 4))
    tiny = noisy_layer_information(T, 1e-6, n_draws=200, random_state=0)
    assert tiny.estimate == pytest.approx(np.log(300), abs=1e-9)
    assert tiny.lower == pytest.approx(np.log(300), abs=1e-9)
    huge = noisy_layer_information(T, 1e6, n_draws=200, random_state=0)
    assert huge.estimate == pytest.approx(0.0, abs=1e-6) and huge.upper < 1e-6
    assert noisy_layer_information(np.zeros((50, 3)), 0.1) == (0.0, 0.0, 0.0, 0.0)
    # 4 distinct activations repeated: the mixture has 4 components of weight 1/4
    far = noisy_layer_information(np.repeat(np.eye(4) * 1e3, [1, 2, 3, 4], axis=0), 1.0)
    weights = np.array([1, 2, 3, 4]) / 10
    assert far.estimate == pytest.approx(-np.sum(weights * np.log(weights)), abs=1e-9)


@pytest.mark.parametrize("layer", ["relu", "tanh", "linear3"])
def test_noisy_information_matches_an_independent_monte_carlo(layer):
    X = _bit_inputs(8)  # 256 equally likely inputs
    W = np.random.default_rng(1).normal(0, np.sqrt(1 / 8), (10, 8))
    T = {"relu": np.maximum(X @ W.T, 0), "tanh": np.tanh(X @ W.T), "linear3": X @ W[:3].T}[layer]
    for s in (0.1, 0.3, 1.0, 3.0):
        # the definition's integrand varies most, relative to I, at large noise
        truth = _independent_mixture_mi(T, s, 60_000 if s >= 3 else 15_000, seed=7)
        got = noisy_layer_information(T, s, n_draws=8192, random_state=0)
        assert got.estimate == pytest.approx(truth, rel=0.1), (layer, s)
        assert got.standard_error < 0.04 * truth
        assert got.lower <= truth * 1.02 and truth <= got.upper * 1.02, (layer, s)
