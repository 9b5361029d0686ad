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
