"""Models and data shared by the probe tests (tests/test_probe_*.py)."""

import numpy as np


def _mlp(seed=0, d_in=3):
    import torch  # here: the mixture tests need no torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(d_in, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 2),
    )


def _data(n=400, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    return X, X[:, 0] + 0.3 * rng.standard_normal(n)


def _hook_count(model):
    return sum(len(m._forward_hooks) for m in model.modules())


def _independent_mixture_mi(T, s, n, seed):
    """I(X; T + N(0, s^2 I)) from its definition, E log p(y | x) / p(y), by plain MC."""
    from scipy.special import logsumexp

    rng = np.random.default_rng(seed)
    m, d = T.shape
    values = []
    for start in range(0, n, 2048):
        k = min(2048, n - start)
        i = rng.integers(0, m, k)
        y = T[i] + s * rng.standard_normal((k, d))
        d2 = np.maximum((y**2).sum(1)[:, None] + (T**2).sum(1)[None, :] - 2 * y @ T.T, 0)
        log_conditional = -((y - T[i]) ** 2).sum(1) / (2 * s * s)
        log_marginal = logsumexp(-d2 / (2 * s * s), axis=1) - np.log(m)
        values.append(log_conditional - log_marginal)
    return float(np.mean(np.concatenate(values)))


def _bit_inputs(bits):
    import itertools

    return np.array(list(itertools.product([0, 1], repeat=bits)), dtype=float)
