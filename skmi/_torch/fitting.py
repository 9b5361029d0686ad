"""The steps a neural estimator's fit shares: checks, splits, settings, training, warnings.

:class:`skmi.NeuralMutualInfo`, :class:`skmi.MINE` and
:func:`skmi.kl_divergence` fit a critic the same way: a seeded split, the
training settings from their parameters, the loop of
:mod:`skmi._torch.training` with the user's callbacks and the loop's own
(:mod:`skmi._torch.callbacks`), and the same warning where a bound
saturates. Nothing here imports torch until a tensor is made.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from skmi._torch.callbacks import ProgressBar, check_callbacks
from skmi._validation import check_int


def check_hidden_layer_sizes(sizes):
    """The widths as a tuple of positive ints, or an error naming the argument."""
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(
            f"hidden_layer_sizes must be a tuple of positive integers, got {type(sizes).__name__}."
        )
    return tuple(
        check_int(width, f"hidden_layer_sizes[{i}]", min_value=1) for i, width in enumerate(sizes)
    )


def draw_seed(random_state):
    """One integer seed for every generator of a fit, from ``random_state``.

    An integer is used as it is (the same seed, the same result); a
    RandomState gives its next draw; None a fresh one.
    """
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


def split_indices(n, validation_fraction, seed):
    """Training and validation row indices: a seeded random split."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(2, int(round(validation_fraction * n)))
    if n - n_val < 2:
        raise ValueError(
            f"n_samples={n} leaves fewer than 2 training samples after the "
            f"validation split (validation_fraction={validation_fraction})."
        )
    return order[n_val:], order[:n_val]


def training_settings(params, n_train, seed):
    """:class:`~skmi._torch.training.TrainingSettings` from an estimator's parameters."""
    from skmi._torch.training import TrainingSettings

    n_marginal = params.n_marginal
    if n_marginal is not None:
        n_marginal = check_int(n_marginal, "n_marginal", min_value=1)
        if params.marginal == "shuffle" and n_marginal > n_train:
            raise ValueError(
                f"n_marginal={n_marginal} pairs cannot be drawn without replacement from "
                f"{n_train} training samples; use marginal='bootstrap' or a smaller n_marginal."
            )
    batch_size = min(params.batch_size, n_train)
    resample = params.resample_marginal
    steps = max(1, n_train // batch_size)
    if not resample and params.objective != "infonce" and (n_marginal or n_train) < steps:
        raise ValueError(
            f"n_marginal={n_marginal}: a fixed reference set of {n_marginal} pairs is smaller "
            f"than the {steps} training steps per epoch, each of which takes a slice of it; "
            "give n_marginal >= the training size / batch_size."
        )
    return TrainingSettings(
        learning_rate=params.learning_rate,
        batch_size=batch_size,
        max_epochs=params.max_epochs,
        max_time=params.max_time,
        n_iter_no_change=params.n_iter_no_change,
        ema_decay=params.ema_decay,
        clip=params.clip,
        marginal=params.marginal,
        n_marginal=n_marginal,
        seed=seed,
        resample_marginal=bool(resample),
    )


def marginal_per_step(settings, n_train):
    """The Q samples of one training step: the smallest a step gets."""
    if settings.resample_marginal:
        return settings.n_marginal or settings.batch_size
    return (settings.n_marginal or n_train) // max(1, n_train // settings.batch_size)


def training_callbacks(params):
    """The callbacks of a fit: the user's, plus the bar ``verbose`` asks for."""
    callbacks = check_callbacks(params.callbacks)
    if params.verbose:
        callbacks.append(ProgressBar())
    return callbacks


def run_training(owner, critic, training, validation, settings):
    """Train ``critic`` with ``owner``'s objective and callbacks (and the loop's own)."""
    from skmi._torch.training import OBJECTIVES, train

    objective = OBJECTIVES[owner.objective]
    callbacks = training_callbacks(owner)
    return train(critic, objective, training, validation, settings, callbacks, owner)


def to_tensor(A, stats, device):
    """Standardised float32 tensor on ``device`` (``stats``: a ColumnStats)."""
    from skmi._torch import require_torch

    torch = require_torch()
    from skmi._preprocessing import standardize

    # float32, torch's default: twice the training steps of float64 per
    # second on a CPU, and the bounds are averages that do not need more.
    # The peak is divided out first: (A - mean) / std overflowed at 1e200.
    values = standardize(A, stats)
    return torch.tensor(values, dtype=torch.float32, device=device)


def saturation_reason(objective, estimate, critic, pairs, batch_size, seed, quantity="MI"):
    """Why a bound cannot be trusted to see a larger MI, or None.

    InfoNCE is at most log(batch_size). The DV-type bounds estimate E_Q[e^T]
    by a sample mean whose variance grows like e^I (for a Gaussian pair,
    E_Q[(dP/dQ)^2] = e^(2I); McAllester & Stratos 2020, Song & Ermon 2020).
    Two signs that the bound has saturated below the truth: the estimate
    approaches log(batch_size) (``batch_size``: the Q sample of a training
    step), the largest density ratio a training batch of Q represents
    (measured: MINE and NWJ stop near 5 nats of 6 at batch 256), or the
    held-out log E_Q[e^T] has a standard error above 0.1 nats (the delta
    method: sqrt(1/ESS - 1/m) for m pairs of Kish effective size ESS).
    """
    ceiling = np.log(batch_size)
    if objective == "infonce":
        if estimate > 0.8 * ceiling:
            return (
                f"The InfoNCE estimate ({estimate:.2f} nats) is near its ceiling "
                f"log(batch_size) = {ceiling:.2f}: the true MI may be larger. "
                "Use a larger batch_size or another objective."
            )
        return None
    if not np.isfinite(estimate):
        return None
    standard_error = pairs.marginal_standard_error(critic, seed)
    if estimate > 0.75 * ceiling or standard_error > _MAX_MARGINAL_ERROR:
        regime = (
            f"The {objective.upper()} estimate ({estimate:.2f} nats) is in the bound's "
            f"high-variance regime (log(batch_size) = {ceiling:.2f}; the held-out "
            f"log E_Q[e^T] has a standard error of about {standard_error:.2f} nats): "
        )
        if objective == "smile":
            # clipping e^T at e^clip caps the marginal term: not a bound any more
            return regime + (
                "SMILE's clipping biases it where log density ratios exceed clip, upward "
                "or downward (measured: +15 % at 6 nats with clip=5, -8 % with clip=10). "
                "Compare with another estimator."
            )
        return regime + (
            f"variational bounds saturate below a large {quantity}, so the true {quantity} "
            "may be much larger. Use a larger batch_size and more samples, or compare with "
            "another estimator."
        )
    return None


# The held-out marginal term's standard error (nats) above which the DV-type
# estimate is called unreliable (see saturation_reason).
_MAX_MARGINAL_ERROR = 0.1


def column_stats(A, standardize):
    """The standardisation of one side, shared with kl_divergence (no overflow)."""
    from skmi._preprocessing import scaling_stats

    return scaling_stats(A, standardize)
