"""Training a critic and evaluating its bound, for the neural estimators.

Three pieces, one idea each:

* :data:`OBJECTIVES`, the table of (what the optimiser maximises, what is
  reported) per objective name;
* two *tasks* that turn a batch into critic values on P and on Q:
  :class:`PairedSamples` (mutual information: P the joint pairs, Q pairs
  re-matched across samples) and :class:`TwoSamples` (a KL divergence
  between two unpaired sample sets);
* :func:`train` (Adam with early stopping on a held-out task), which knows
  neither.
"""

import copy
import math
import time
from dataclasses import dataclass

from skmi._torch import require_torch
from skmi._torch.callbacks import EarlyStopping, Events, MaxTime, improved
from skmi._torch.neural import (
    ConcatCritic,
    FactoryCritic,
    MovingAverage,
    SampleCritic,
    SeparableCritic,
    dv_bound,
    infonce_bound,
    js_bound,
    nwj_bound,
    smile_bound,
)

torch = require_torch()

# Held-out DV-type bounds average the marginal term over this many random
# re-pairings of y (each pairing every x with another sample's y): the
# variance of the estimate's marginal term falls as 1 / (this * n_val). The
# per-epoch check for early stopping uses fewer: at 16 it cost as much as the
# training epoch itself.
EVAL_SHUFFLES = 16
EARLY_STOPPING_SHUFFLES = 4


# -- the objective table ---------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """One row of the objective table.

    ``train(t_p, t_q, state)`` is what the optimiser maximises on a batch;
    ``bound(t_p, t_q, clip)`` is the reported lower bound (on I(X; Y), or on
    D(P || Q)), recorded per batch as ``train_bound`` and evaluated on
    held-out data. For a ``contrastive`` objective ``t_p`` is the batch's
    all-pairs score matrix and ``t_q`` is None.
    """

    train: object
    bound: object
    contrastive: bool = False


def _dv(t_p, t_q, clip):
    return dv_bound(t_p, t_q)


def _nwj(t_p, t_q, clip):
    return nwj_bound(t_p, t_q)


def _smile(t_p, t_q, clip):
    return smile_bound(t_p, t_q, clip)


def _infonce(scores, _, clip):
    return infonce_bound(scores)


OBJECTIVES = {
    # MINE: the DV bound, trained with the moving-average gradient correction.
    "mine": Objective(train=lambda p, q, s: s.ema.surrogate(p, q), bound=_dv),
    "dv": Objective(train=lambda p, q, s: dv_bound(p, q), bound=_dv),
    "nwj": Objective(train=lambda p, q, s: nwj_bound(p, q), bound=_nwj),
    "infonce": Objective(train=lambda p, q, s: infonce_bound(p), bound=_infonce, contrastive=True),
    # SMILE evaluates the clipped DV bound; maximised directly it diverges, so
    # the critic is trained on the Jensen-Shannon objective (same optimum).
    "smile": Objective(train=lambda p, q, s: js_bound(p, q), bound=_smile),
}


@dataclass(frozen=True)
class TrainingSettings:
    """Everything :func:`train` needs besides the critic and the data."""

    learning_rate: float
    batch_size: int
    max_epochs: int
    max_time: float | None
    n_iter_no_change: int
    ema_decay: float
    clip: float
    marginal: str  # "shuffle" (without replacement), "bootstrap" or "independent"
    # Q samples per step; None: one per sample of the batch. With a fixed
    # reference set: its size (None: one per training sample).
    n_marginal: int | None
    seed: int
    weight_decay: float = 0.0
    # False: one reference set of Q drawn before training and visited, a slice
    # per step, every epoch (the MINE study's Z_ref); True: fresh Q every step
    resample_marginal: bool = True


class _State:
    """Mutable training state read by the objectives (MINE's moving average)."""

    def __init__(self, settings):
        self.ema = MovingAverage(settings.ema_decay)
        self.clip = settings.clip


# -- critics -----------------------------------------------------------------------


def build_critic(spec, d_x, d_y, hidden, activation, embedding_dim, generator_seed):
    """The critic module, initialised reproducibly from ``generator_seed``.

    ``d_y=None`` builds a one-sample critic T(z) (KL divergences).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(generator_seed)
        if d_y is None:
            return SampleCritic(d_x, hidden, activation)
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


# -- sampling Q ----------------------------------------------------------------------


def random_cycle(n, generator):
    """A uniformly random n-cycle: a permutation without fixed points.

    Pairs the samples along a random order (each with the next), so it does
    not depend on the order of the rows -- a cyclic shift of the rows does
    (on rows sorted by x it pairs neighbours, whose y are alike) -- and never
    pairs a sample with itself: with I(X; Y) = 6 nats one joint pair in a
    marginal sample of 256 adds about e^6 / 256 to E_Q[e^T].
    """
    order = torch.randperm(n, generator=generator)
    perm = torch.empty(n, dtype=torch.long)
    perm[order] = order.roll(-1)
    return perm


def marginal_pairs(n, m, how, generator):
    """Indices (j, k) of m pairs (x_j, y_k) from the product of the marginals.

    j and k are drawn independently from range(n) -- without replacement
    (``"shuffle"``, m <= n) or with replacement (``"bootstrap"``) -- with
    j != k for every pair (a pair of a sample with itself is a joint pair).
    ``"independent"`` is the MINE study's resampling trick as written: (j, k)
    uniform on range(n) x range(n), so j == k (a joint pair) with
    probability 1/n.
    """
    if how == "shuffle":
        j = torch.arange(n) if m == n else torch.randperm(n, generator=generator)[:m]
        return j, random_cycle(n, generator)[j]
    j = torch.randint(0, n, (m,), generator=generator)
    k = torch.randint(0, n, (m,), generator=generator)
    if how == "independent":
        return j, k
    same = k == j
    k[same] = (j[same] + torch.randint(1, n, (int(same.sum()),), generator=generator)) % n
    return j, k


def _chunked(function, n, size, chunk=8192):
    size = max(chunk, size)
    return torch.cat([function(slice(s, s + size)) for s in range(0, n, size)])


# -- tasks -----------------------------------------------------------------------------


class PairedSamples:
    """Mutual information: P is the pairs (x_i, y_i), Q re-pairs x and y."""

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.fixed_reference = None  # (j, k) once :meth:`reference` has drawn it

    def __len__(self):
        return len(self.x)

    def reference(self, settings, generator):
        """The fixed reference set of Q: indices (j, k) of n' pairs, drawn once.

        n' is ``settings.n_marginal``, or the training size when None. The
        set is kept as ``fixed_reference`` for the estimator to report.
        """
        m = settings.n_marginal or len(self)
        self.fixed_reference = marginal_pairs(len(self), m, settings.marginal, generator)
        return self.fixed_reference

    def batch(self, critic, idx, objective, settings, generator, q_pairs=None):
        """Critic values on P and Q for the batch ``idx`` (a training step).

        ``q_pairs``: this step's slice (j, k) of a fixed reference set, or
        None to draw Q afresh.
        """
        device = self.x.device
        idx = idx.to(device)
        x, y = self.x[idx], self.y[idx]
        if objective.contrastive:
            return critic.scores(x, y), None
        if q_pairs is not None:  # a slice of the fixed reference set
            j, k = q_pairs
            return critic(x, y), critic(self.x[j.to(device)], self.y[k.to(device)])
        if settings.n_marginal is None:  # re-pair within the batch
            j, k = marginal_pairs(len(idx), len(idx), settings.marginal, generator)
            return critic(x, y), critic(x[j.to(device)], y[k.to(device)])
        # n' pairs drawn from the whole training split, as in the MINE study
        j, k = marginal_pairs(len(self), settings.n_marginal, settings.marginal, generator)
        return critic(x, y), critic(self.x[j.to(device)], self.y[k.to(device)])

    @torch.no_grad()
    def evaluate(self, critic, objective, batch_size, clip, seed, shuffles=EVAL_SHUFFLES):
        """The trained critic's bound on these pairs, as a float (nats).

        DV-type bounds use every pair (x_i, y_i) for the joint term and
        ``shuffles`` random n-cycles of y for the marginal term. InfoNCE is a
        batch-level bound: its mean over random batches of ``batch_size``
        (at most log(batch_size)).
        """
        generator = torch.Generator().manual_seed(seed)
        n, x, y = len(self), self.x, self.y
        if objective.contrastive:
            total = 0.0
            order = torch.randperm(n, generator=generator).to(x.device)
            for start in range(0, n - 1, batch_size):
                idx = order[start : start + batch_size]
                if len(idx) > 1:
                    total += float(infonce_bound(critic.scores(x[idx], y[idx]))) * len(idx)
            return total / n
        t_joint = _chunked(lambda s: critic(x[s], y[s]), n, batch_size)
        marginal = []
        for _ in range(shuffles):
            yk = y[random_cycle(n, generator).to(x.device)]
            marginal.append(_chunked(lambda s, yk=yk: critic(x[s], yk[s]), n, batch_size))
        return float(objective.bound(t_joint, torch.cat(marginal), clip))

    @torch.no_grad()
    def marginal_standard_error(self, critic, seed):
        """Standard error (nats) of the held-out log E_Q[e^T] of :meth:`evaluate`.

        The DV and NWJ bounds estimate E_Q[e^T] by a sample mean; when a few
        pairs carry most of e^T (the log density ratio is large, so its
        exponential is heavy-tailed: the variance grows like e^I) the mean
        is unreliable and the bound saturates. Measured on one random
        re-pairing and scaled to the ``EVAL_SHUFFLES`` the estimate averages.
        """
        n = len(self)
        generator = torch.Generator().manual_seed(seed)
        yk = self.y[random_cycle(n, generator).to(self.x.device)]
        t = _chunked(lambda s: critic(self.x[s], yk[s]), n, 1)
        return log_mean_exp_error(t) / math.sqrt(EVAL_SHUFFLES)


def log_mean_exp_error(t):
    """Delta-method standard error of log mean(e^t) over the m values of t.

    (sample variance of w / mean(w)^2) / m with w = e^t, written with Kish's
    effective size ESS = (sum w)^2 / sum w^2 as (1 / ESS - 1 / m): 0 for
    equal weights, about 1 / sqrt(ESS) when a few weights dominate.
    """
    t = t.double()
    log_w = t - t.max()
    ess = float(torch.exp(2 * torch.logsumexp(log_w, 0) - torch.logsumexp(2 * log_w, 0)))
    return math.sqrt(max(1 / ess - 1 / len(t), 0.0))


class TwoSamples:
    """A KL divergence D(P || Q) from samples of P and of Q (unpaired)."""

    def __init__(self, p, q):
        self.p, self.q = p, q

    def __len__(self):
        return len(self.p)

    def batch(self, critic, idx, objective, settings, generator):
        m = settings.n_marginal or len(idx)
        n_q = len(self.q)
        k = (
            torch.randperm(n_q, generator=generator)[:m]
            if m <= n_q and settings.marginal == "shuffle"
            else torch.randint(0, n_q, (m,), generator=generator)
        )
        device = self.p.device
        return critic(self.p[idx.to(device)]), critic(self.q[k.to(device)])

    @torch.no_grad()
    def evaluate(self, critic, objective, batch_size, clip, seed, shuffles=None):
        t_p = _chunked(lambda s: critic(self.p[s]), len(self.p), batch_size)
        t_q = _chunked(lambda s: critic(self.q[s]), len(self.q), batch_size)
        return float(objective.bound(t_p, t_q, clip))

    @torch.no_grad()
    def marginal_standard_error(self, critic, seed):
        """Standard error (nats) of the held-out log E_Q[e^T] of :meth:`evaluate`."""
        return log_mean_exp_error(_chunked(lambda s: critic(self.q[s]), len(self.q), 1))


# -- the training loop ---------------------------------------------------------------


def train(critic, objective, training, validation, settings, callbacks=(), owner=None):
    """Adam on the negative training objective, for as long as the callbacks allow.

    Parameters
    ----------
    critic : torch.nn.Module
    objective : Objective
    training, validation : PairedSamples or TwoSamples
    settings : TrainingSettings
    callbacks : sequence of skmi.callbacks.Callback
        The user's callbacks; the loop adds its own stopping rules from
        ``settings`` (:func:`loop_callbacks`: early stopping, the time
        budget). Training ends after ``settings.max_epochs`` epochs or when
        a callback sets ``stop_training_``; the weights of the best
        validation epoch are kept.
    owner : estimator or None
        Passed to the callbacks' hooks (the estimator being fitted).

    With ``settings.resample_marginal`` False, the task's fixed reference
    set of Q (``training.reference``) is drawn once, before the first step;
    every epoch visits it in a fresh random order, split into one slice per
    step (as the MINE study's trainer visits its ``Z_ref``).

    Returns the critic with the weights of its best validation epoch, and
    the history (one dict per epoch: ``train_bound`` is the mean over the
    epoch's batches of the objective's *bound*, ``train_loss`` the mean of
    what the optimiser minimised).
    """
    with Events(owner, [*callbacks, *loop_callbacks(settings)]) as events:
        return _train(critic, objective, training, validation, settings, events)


def _train(critic, objective, training, validation, settings, events):
    """The loop of :func:`train`, with its callbacks entered as ``events``."""
    generator = torch.Generator().manual_seed(settings.seed)
    optimizer = torch.optim.AdamW(
        critic.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    state = _State(settings)
    n, batch_size = len(training), settings.batch_size
    steps = max(1, n // batch_size)
    reference = None
    if not settings.resample_marginal and not objective.contrastive:
        reference = training.reference(settings, generator)
    history, best, best_state, global_step = [], -math.inf, None, 0
    start = time.perf_counter()
    for epoch in range(settings.max_epochs):
        critic.train()
        order = torch.randperm(n, generator=generator)
        slices = None
        if reference is not None:
            visit = torch.randperm(len(reference[0]), generator=generator)
            slices = torch.tensor_split(visit, steps)
        loss_sum = bound_sum = 0.0
        for step in range(steps):
            idx = order[step * batch_size : (step + 1) * batch_size]
            if slices is None:
                t_p, t_q = training.batch(critic, idx, objective, settings, generator)
            else:
                q_pairs = tuple(part[slices[step]] for part in reference)
                t_p, t_q = training.batch(critic, idx, objective, settings, generator, q_pairs)
            loss = -objective.train(t_p, t_q, state)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            bound = float(
                objective.bound(t_p.detach(), None if t_q is None else t_q.detach(), state.clip)
            )
            loss_sum += float(loss.detach())
            bound_sum += bound
            events.batch_end(global_step, float(loss.detach()), bound)
            global_step += 1
            if events.should_stop:
                steps = step + 1  # stopped mid-epoch (a time budget): average what ran
                break
        critic.eval()
        val = validation.evaluate(
            critic,
            objective,
            batch_size,
            settings.clip,
            settings.seed + 1,
            EARLY_STOPPING_SHUFFLES,
        )
        elapsed = time.perf_counter() - start
        record = {
            "epoch": epoch,
            "train_bound": bound_sum / steps,
            "train_loss": loss_sum / steps,
            "validation_bound": val,
            "time": elapsed,
        }
        history.append(record)
        if improved(val, best):
            best, best_state = val, copy.deepcopy(critic.state_dict())
        events.epoch_end(record)
        if events.should_stop:
            break
    if best_state is not None:
        critic.load_state_dict(best_state)
    critic.eval()
    return critic, history


def loop_callbacks(settings):
    """The loop's own stopping rules as callbacks: early stopping, the time budget."""
    callbacks = [EarlyStopping(settings.n_iter_no_change)]
    if settings.max_time is not None:
        callbacks.append(MaxTime(settings.max_time))
    return callbacks
