"""Torch tensors that require grad are read, not refused (x2 attack).

numpy cannot read a tensor that requires grad (``tensor.numpy()`` raises a
RuntimeError); activations taken from a live model usually do.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skmi import GaussianMutualInfo, KSGMutualInfo, kl_divergence  # noqa: E402


def _bivariate_normal(n, rho, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return x[:, None], y


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


def test_kl_divergence_reads_tensors_that_require_grad():
    rng = np.random.default_rng(0)
    P = torch.tensor(rng.normal(1.0, 1.0, size=(2000, 1)), requires_grad=True)
    Q = torch.tensor(rng.normal(0.0, 1.0, size=(2000, 1)), requires_grad=True)
    value = kl_divergence(
        P, Q, hidden_layer_sizes=(16,), max_epochs=60, max_time=20.0, random_state=0
    )
    assert value == pytest.approx(0.5, abs=0.15)  # KL(N(1, 1) || N(0, 1)) = 1 / 2
    assert P.requires_grad and Q.requires_grad


def test_t_copula_warns_on_binary_columns():
    # signs of correlated normals: I = log 2 - H(p), p = 1/2 + arcsin(rho) / pi
    # (Sheppard), 0.086 nats at rho = 0.6; the t fit reports several nats.
    from skmi import TCopulaMutualInfo
    from skmi.exceptions import SkmiWarning

    x, y = _bivariate_normal(500, 0.6, 0)
    with pytest.warns(SkmiWarning, match="discrete"):
        TCopulaMutualInfo().fit(x > 0, y > 0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_ntk_refuses_non_finite_inputs_and_keeps_the_linear_kernel(bad):
    from skmi.probe import class_mutual_info, empirical_ntk

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1).double()
    X = torch.randn(6, 3, dtype=torch.float64)
    # f(x) = w.x + b: the gradient in (w, b) is (x, 1), so K(x, x') = x.x' + 1
    gram = empirical_ntk(model, X)
    np.testing.assert_allclose(gram, (X @ X.T + 1).numpy(), atol=1e-10)
    X_bad = X.clone()
    X_bad[2, 1] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        empirical_ntk(model, X_bad)
    with pytest.raises(ValueError, match="X2 contains NaN or infinity"):
        empirical_ntk(model, X, X_bad.numpy())
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        class_mutual_info(model, X_bad, np.arange(6) % 2)
    assert not model._forward_hooks


@pytest.mark.parametrize("side", ["X", "y"])
def test_estimate_mi_names_the_constant_side(side):
    from skmi import estimate_mi

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 1)), rng.normal(size=200)
    if side == "X":
        X = np.ones((200, 1))
    else:
        y = np.ones(200)
    with pytest.raises(ValueError, match=f"^{side} is constant"):
        estimate_mi(X, y)


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
