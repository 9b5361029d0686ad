"""Critics and variational MI bounds for NeuralMutualInfo.

Every bound is written with log-sum-exp, so no exponential of a critic value
is ever formed: nothing overflows whatever the critic outputs.
"""

import math

from skmi._torch import require_torch

torch = require_torch()
nn = torch.nn

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU, "gelu": nn.GELU}


def mlp(d_in, hidden, d_out, activation):
    layers, width = [], d_in
    for h in hidden:
        layers += [nn.Linear(width, h), _ACTIVATIONS[activation]()]
        width = h
    layers.append(nn.Linear(width, d_out))
    return nn.Sequential(*layers)


class ConcatCritic(nn.Module):
    """T(x, y) = MLP([x, y]): can represent any score, costs one pass per pair."""

    def __init__(self, d_x, d_y, hidden, activation):
        super().__init__()
        self.net = mlp(d_x + d_y, hidden, 1, activation)

    def forward(self, x, y):
        return self.net(torch.cat([x, y], dim=1)).squeeze(1)

    def scores(self, x, y):
        """All pairs: S[i, j] = T(x_i, y_j)."""
        n = len(x)
        xs = x.repeat_interleave(n, dim=0)
        ys = y.repeat(n, 1)
        return self.forward(xs, ys).reshape(n, n)


class SeparableCritic(nn.Module):
    """T(x, y) = f(x) . g(y): every pair of a batch from two passes."""

    def __init__(self, d_x, d_y, hidden, activation, embedding_dim):
        super().__init__()
        self.f = mlp(d_x, hidden, embedding_dim, activation)
        self.g = mlp(d_y, hidden, embedding_dim, activation)

    def forward(self, x, y):
        return (self.f(x) * self.g(y)).sum(dim=1)

    def scores(self, x, y):
        return self.f(x) @ self.g(y).T


class SampleCritic(nn.Module):
    """T(z) = MLP(z) on one sample space: the critic of a KL divergence D(P || Q)."""

    def __init__(self, d, hidden, activation):
        super().__init__()
        self.net = mlp(d, hidden, 1, activation)

    def forward(self, z):
        return self.net(z).squeeze(1)


class FactoryCritic(nn.Module):
    """A user critic ``module(x, y) -> (n,)``; all-pairs scores by expansion."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x, y):
        out = self.module(x, y)
        return out.reshape(len(x))

    def scores(self, x, y):
        n = len(x)
        return self.forward(x.repeat_interleave(n, dim=0), y.repeat(n, 1)).reshape(n, n)


def log_mean_exp(values):
    return torch.logsumexp(values, dim=0) - math.log(values.numel())


def dv_bound(t_joint, t_marginal):
    """Donsker-Varadhan: E_P[T] - log E_Q[e^T]."""
    return t_joint.mean() - log_mean_exp(t_marginal)


def nwj_bound(t_joint, t_marginal):
    """Nguyen-Wainwright-Jordan: E_P[T] - E_Q[e^(T - 1)]."""
    return t_joint.mean() - torch.exp(log_mean_exp(t_marginal - 1.0))


def smile_bound(t_joint, t_marginal, clip):
    """SMILE: DV with e^T clipped to [e^-clip, e^clip] in the marginal term.

    An estimator, not a training objective: maximised directly it diverges
    (T grows without bound on joint pairs while the clip caps the marginal
    term; measured: 3e6 nats on a 2.2-nats task). Train with :func:`js_bound`.
    """
    return t_joint.mean() - log_mean_exp(torch.clamp(t_marginal, -clip, clip))


def js_bound(t_joint, t_marginal):
    """Jensen-Shannon variational objective, ``E_P[-softplus(-T)] - E_Q[softplus(T)]``.

    Not a bound on I, but its optimal critic is the log density ratio, the
    same as DV's: SMILE trains the critic with it (Song & Ermon, 2020).
    """
    softplus = torch.nn.functional.softplus
    return -softplus(-t_joint).mean() - softplus(t_marginal).mean()


def infonce_bound(scores):
    """InfoNCE on a score matrix S[i, j] = T(x_i, y_j): at most log(batch)."""
    n = scores.shape[0]
    return (scores.diagonal() - torch.logsumexp(scores, dim=1)).mean() + math.log(n)


class MovingAverage:
    """MINE's bias-corrected gradient of log E_Q[e^T] (log domain EMA).

    The DV gradient divides by E_Q[e^T], estimated on one batch it is biased;
    MINE replaces the batch value by an exponential moving average. The
    returned surrogate has the value of the DV bound and the corrected
    gradient.
    """

    def __init__(self, decay):
        self.decay = decay
        self.log_average = None

    def surrogate(self, t_joint, t_marginal):
        batch = log_mean_exp(t_marginal)
        current = batch.detach()
        if self.log_average is None:
            self.log_average = current
        else:
            self.log_average = torch.logaddexp(
                math.log(self.decay) + self.log_average, math.log(1 - self.decay) + current
            )
        # d/dtheta of exp(batch - log_average) = grad(E_Q e^T) / EMA(E_Q e^T)
        corrected = torch.exp(batch - self.log_average) - 1.0
        return t_joint.mean() - (corrected + current)
