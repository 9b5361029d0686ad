"""Training a critic and evaluating its bound, for NeuralMutualInfo."""

import copy
import math
import time

import numpy as np

from skmi._torch import require_torch
from skmi._torch.neural import (
    ConcatCritic,
    FactoryCritic,
    MovingAverage,
    SeparableCritic,
    dv_bound,
    infonce_bound,
    js_bound,
    nwj_bound,
    smile_bound,
)

torch = require_torch()

# Held-out DV-type bounds average the marginal term over this many random
# derangements of y (each pairing every x with another sample's y): the
# variance of the estimate's marginal term falls as 1 / (this * n_val). The
# per-epoch check for early stopping uses fewer: at 16 it cost as much as the
# training epoch itself.
_EVAL_SHUFFLES = 16
_EARLY_STOPPING_SHUFFLES = 4


def build_critic(spec, d_x, d_y, hidden, activation, embedding_dim, generator_seed):
    """The critic module, initialised reproducibly from ``generator_seed``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(generator_seed)
        if spec == "concat":
            return ConcatCritic(d_x, d_y, hidden, activation)
        if spec == "separable":
            return SeparableCritic(d_x, d_y, hidden, activation, embedding_dim)
        module = spec(d_x, d_y)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                "critic must be 'concat', 'separable' or a factory (d_x, d_y) -> "
                f"torch.nn.Module; the factory returned {type(module).__name__}."
            )
        return FactoryCritic(module)


def marginal_indices(n, how, generator, device):
    """Indices pairing x_i with y of another sample: a shuffle or a bootstrap."""
    if how == "shuffle":
        return torch.randperm(n, generator=generator).to(device)
    return torch.randint(0, n, (n,), generator=generator).to(device)


def training_objective(critic, objective, x, y, marginal, generator, clip, ema):
    """What the optimiser maximises on one batch.

    The bound itself, except for MINE (the DV value with its moving-average
    gradient, ``ema``) and SMILE (the Jensen-Shannon objective, whose optimal
    critic SMILE's clipped estimate then evaluates).
    """
    if objective == "infonce":
        return infonce_bound(critic.scores(x, y))
    t_joint = critic(x, y)
    t_marginal = critic(x, y[marginal_indices(len(x), marginal, generator, x.device)])
    if objective == "mine":
        return ema.surrogate(t_joint, t_marginal)
    if objective == "dv":
        return dv_bound(t_joint, t_marginal)
    if objective == "nwj":
        return nwj_bound(t_joint, t_marginal)
    return js_bound(t_joint, t_marginal)


@torch.no_grad()
def evaluate_bound(critic, objective, x, y, batch_size, clip, seed, shuffles=_EVAL_SHUFFLES):
    """The trained critic's bound on (x, y), as a float (nats).

    DV-type bounds use every pair (x_i, y_i) for the joint term and
    ``shuffles`` derangements of y for the marginal term. InfoNCE is a
    batch-level bound: its mean over batches of ``batch_size`` (at most
    log(batch_size)).
    """
    critic.eval()
    generator = torch.Generator().manual_seed(seed)
    n = len(x)
    if objective == "infonce":
        values = []
        order = torch.randperm(n, generator=generator).to(x.device)
        for start in range(0, n - 1, batch_size):
            idx = order[start : start + batch_size]
            if len(idx) > 1:
                values.append(float(infonce_bound(critic.scores(x[idx], y[idx]))) * len(idx))
        return sum(values) / n
    t_joint = _chunked(critic, x, y, batch_size)
    marginal = []
    for _ in range(shuffles):
        shift = 1 + torch.randint(0, n - 1, (1,), generator=generator).item()
        perm = (torch.arange(n) + shift) % n  # a derangement: no sample meets itself
        marginal.append(_chunked(critic, x, y[perm.to(x.device)], batch_size))
    t_marginal = torch.cat(marginal)
    if objective in ("mine", "dv"):
        return float(dv_bound(t_joint, t_marginal))
    if objective == "nwj":
        return float(nwj_bound(t_joint, t_marginal))
    return float(smile_bound(t_joint, t_marginal, clip))


def _chunked(critic, x, y, batch_size, chunk=8192):
    size = max(chunk, batch_size)
    return torch.cat([critic(x[s : s + size], y[s : s + size]) for s in range(0, len(x), size)])


def train(
    critic,
    objective,
    x_train,
    y_train,
    x_val,
    y_val,
    *,
    marginal,
    learning_rate,
    batch_size,
    max_epochs,
    max_time,
    n_iter_no_change,
    ema_decay,
    clip,
    seed,
    weight_decay=0.0,
    progress=None,
    writer=None,
):
    """Adam on the negative bound; early stopping on the validation bound.

    Returns the critic with the weights of its best validation epoch, and
    the history (one dict per epoch).
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(critic.parameters(), lr=learning_rate, weight_decay=weight_decay)
    ema = MovingAverage(ema_decay) if objective == "mine" else None
    n = len(x_train)
    steps = max(1, n // batch_size)
    history, best, best_state, stale = [], -math.inf, None, 0
    start = time.perf_counter()
    for epoch in range(max_epochs):
        critic.train()
        order = torch.randperm(n, generator=generator).to(x_train.device)
        running = 0.0
        for step in range(steps):
            idx = order[step * batch_size : (step + 1) * batch_size]
            bound = training_objective(
                critic, objective, x_train[idx], y_train[idx], marginal, generator, clip, ema
            )
            optimizer.zero_grad()
            (-bound).backward()
            optimizer.step()
            running += float(bound.detach())
            if max_time is not None and time.perf_counter() - start > max_time:
                steps = step + 1  # the budget ends mid-epoch: average what ran
                break
        val = evaluate_bound(
            critic, objective, x_val, y_val, batch_size, clip, seed + 1, _EARLY_STOPPING_SHUFFLES
        )
        elapsed = time.perf_counter() - start
        history.append(
            {
                "epoch": epoch,
                "train_bound": running / steps,
                "validation_bound": val,
                "time": elapsed,
            }
        )
        if writer is not None:
            writer.add_scalar("bound/train", running / steps, epoch)
            writer.add_scalar("bound/validation", val, epoch)
        if progress is not None:
            progress.set_postfix(train=f"{running / steps:.3f}", val=f"{val:.3f}")
            progress.update(1)
        if np.isfinite(val) and val > best + 1e-4:
            best, best_state, stale = val, copy.deepcopy(critic.state_dict()), 0
        else:
            stale += 1
        if stale >= n_iter_no_change or (max_time is not None and elapsed > max_time):
            break
    if best_state is not None:
        critic.load_state_dict(best_state)
    critic.eval()
    return critic, history
