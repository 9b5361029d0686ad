"""kl_divergence: the DV / NWJ bounds between two unpaired sample sets, against
the closed-form KL divergence of two Gaussians."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skmi import kl_divergence  # noqa: E402
from skmi.exceptions import SkmiWarning  # noqa: E402

FAST = dict(hidden_layer_sizes=(32, 32), max_epochs=20, max_time=None, random_state=0)


def gaussian_kl(mu_p, cov_p, mu_q, cov_q):
    """D(N(mu_p, cov_p) || N(mu_q, cov_q)) in nats (closed form)."""
    d = len(mu_p)
    inv_q = np.linalg.inv(cov_q)
    diff = mu_q - mu_p
    return 0.5 * (
        np.trace(inv_q @ cov_p)
        + diff @ inv_q @ diff
        - d
        + np.log(np.linalg.det(cov_q) / np.linalg.det(cov_p))
    )


@pytest.mark.parametrize("objective", ["dv", "nwj"])
def test_two_gaussians_closed_form(objective):
    rng = np.random.default_rng(0)
    mu_q, cov_q = np.array([1.0, 0.0]), np.diag([1.5, 0.8])
    truth = gaussian_kl(np.zeros(2), np.eye(2), mu_q, cov_q)  # 0.383 nats
    P = rng.standard_normal((2500, 2))
    Q = rng.multivariate_normal(mu_q, cov_q, size=3000)  # sizes may differ
    estimate = kl_divergence(P, Q, objective=objective, **FAST)
    # a held-out lower bound: at most its noise (~0.03) above the truth
    assert truth - 0.08 < estimate < truth + 0.05
    bits = kl_divergence(P, Q, objective=objective, units="bits", **FAST)
    assert bits == pytest.approx(estimate / np.log(2))


def test_the_order_of_arguments_matters_and_same_distribution_gives_zero():
    # (variances below twice each other's: dP/dQ has a finite second moment
    # under Q both ways, which the sample mean of e^T needs)
    rng = np.random.default_rng(1)
    P = rng.normal(0.0, 1.0, size=(2000, 1))
    Q = rng.normal(1.0, 1.3, size=(2000, 1))
    var_q = np.array([[1.69]])
    forward = gaussian_kl(np.zeros(1), np.eye(1), np.ones(1), var_q)  # 0.354
    backward = gaussian_kl(np.ones(1), var_q, np.zeros(1), np.eye(1))  # 0.583
    assert abs(kl_divergence(P, Q, **FAST) - forward) < 0.08
    assert abs(kl_divergence(Q, P, **FAST) - backward) < 0.1
    same = kl_divergence(P, rng.normal(0.0, 1.0, size=(2000, 1)), **FAST)
    assert abs(same) < 0.04


def test_n_marginal_larger_than_q_resamples_with_replacement():
    rng = np.random.default_rng(2)
    P, Q = rng.normal(0, 1, (3000, 1)), rng.normal(1, 1, (1500, 1))  # D = 0.5 nats
    estimate = kl_divergence(P, Q, n_marginal=2000, **{**FAST, "max_epochs": 10})
    assert abs(estimate - 0.5) < 0.1


def test_bad_inputs_name_the_argument():
    P = np.zeros((50, 2)) + np.arange(50)[:, None]
    with pytest.raises(ValueError, match="P and Q"):
        kl_divergence(P, P[:, :1])
    with pytest.raises(ValueError, match="Q"):
        kl_divergence(P, np.full((50, 2), np.nan))
    with pytest.raises(ValueError, match="objective"):
        kl_divergence(P, P, objective="infonce")
    with pytest.raises(ValueError, match=r"hidden_layer_sizes\[1\]"):
        kl_divergence(P, P, hidden_layer_sizes=(4, 0))
    with pytest.raises(TypeError, match="batch_size"):
        kl_divergence(P, P, batch_size=True)
    with pytest.raises(ValueError, match="device"):
        kl_divergence(P, P, device="meta")


def test_a_divergence_beyond_what_the_samples_show_warns_at_the_callers_line():
    # D(N(0, 1) || N(4, 1)) = 8 nats: far beyond log(32) = 3.5, the largest
    # ratio a Q batch of 32 represents; the held-out E_Q[e^T] rests on the few
    # Q samples near P.
    rng = np.random.default_rng(3)
    P, Q = rng.normal(0, 1, (1000, 1)), rng.normal(4, 1, (1000, 1))
    with pytest.warns(SkmiWarning, match="divergence may be much larger") as caught:
        kl_divergence(P, Q, **{**FAST, "batch_size": 32, "max_epochs": 5})
    assert len(caught) == 1 and caught[0].filename == __file__


@pytest.mark.filterwarnings("ignore::skmi.exceptions.SkmiWarning")
def test_scale_invariant_up_to_the_float_maximum():
    # was: pooled.std() overflowed at 1e200 (a NaN estimate); a divergence does
    # not change when both samples are scaled alike
    rng = np.random.default_rng(2)
    P = rng.standard_normal((1000, 2))
    Q = rng.standard_normal((1000, 2)) + np.array([1.0, 0.0])
    settings = FAST
    base = kl_divergence(P, Q, **settings)
    assert np.isfinite(base) and base > 0.1  # truth 0.5 nats
    for scale in (1e200, 1e307):
        value = kl_divergence(P * scale, Q * scale, **settings)
        assert value == pytest.approx(base, abs=1e-4), scale


def test_kl_divergence_reads_tensors_that_require_grad():
    rng = np.random.default_rng(0)
    P = torch.tensor(rng.normal(1.0, 1.0, size=(2000, 1)), requires_grad=True)
    Q = torch.tensor(rng.normal(0.0, 1.0, size=(2000, 1)), requires_grad=True)
    value = kl_divergence(
        P, Q, hidden_layer_sizes=(16,), max_epochs=60, max_time=20.0, random_state=0
    )
    assert value == pytest.approx(0.5, abs=0.15)  # KL(N(1, 1) || N(0, 1)) = 1 / 2
    assert P.requires_grad and Q.requires_grad
