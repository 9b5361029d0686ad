"""kl_divergence: D(P || Q) from two unpaired sample sets, by a trained critic.

Mutual information is one KL divergence, D(P_XY || P_X x P_Y); the MINE
study (``shared/seeds/002_*``) estimates the general one with the same
Donsker-Varadhan critic: ``sup_T E_P[T] - log E_Q[e^T]``. This module trains
that critic with :mod:`skmi._torch.training`, as ``NeuralMutualInfo`` does.
"""

import warnings
from types import SimpleNamespace

import numpy as np
from sklearn.utils import check_array

from skmi._preprocessing import scaling_stats
from skmi._units import from_nats
from skmi._validation import check_int, check_real, detach_tensor
from skmi.exceptions import SkmiWarning

_KL_OBJECTIVES = ("dv", "mine", "nwj", "smile")
_SPLITS = ("validation", "training")


class KLDivergenceTraining(SimpleNamespace):
    """The parameters of one :func:`kl_divergence` call, as callbacks see them."""


def kl_divergence(
    P,
    Q,
    *,
    objective="dv",
    hidden_layer_sizes=(128, 128),
    activation="gelu",
    learning_rate=5e-4,
    batch_size=256,
    n_marginal=None,
    max_epochs=200,
    max_time=50.0,
    n_iter_no_change=30,
    validation_fraction=0.15,
    ema_decay=0.99,
    clip=5.0,
    standardize=True,
    device=None,
    random_state=None,
    callbacks=None,
    verbose=False,
    units="nats",
    evaluate_on="validation",
):
    """Estimate the KL divergence D(P || Q) from samples of P and of Q.

    A critic T(z) (an MLP) is trained by Adam to maximise a variational lower
    bound on D(P || Q) over training splits of both sample sets, with early
    stopping on held-out splits; the bound on the held-out splits is
    returned (or, with ``evaluate_on="training"``, the bound on the training
    splits, as the MINE study reports it). The optimal critic is log dP/dQ
    (+ a constant for DV).

    Parameters
    ----------
    P : array-like of shape (n_p, d) or (n_p,)
        Samples of P.
    Q : array-like of shape (n_q, d) or (n_q,)
        Samples of Q (independent of P's; the sizes may differ).
    objective : {"dv", "mine", "nwj", "smile"}, default="dv"
        ``"dv"``: Donsker-Varadhan ``E_P[T] - log E_Q[e^T]``; ``"mine"``: the
        same bound trained with MINE's moving-average gradient; ``"nwj"``:
        ``E_P[T] - E_Q[e^(T-1)]``; ``"smile"``: DV with e^T clipped to
        [e^-clip, e^clip], the critic trained on the Jensen-Shannon objective.
    hidden_layer_sizes : tuple of int, default=(128, 128)
    activation : {"relu", "tanh", "elu", "gelu"}, default="gelu"
    learning_rate : float, default=5e-4
    batch_size : int, default=256
        Samples of P per step.
    n_marginal : int or None, default=None
        n', samples of Q per step (None: ``batch_size``), drawn without
        replacement when n' is at most the size of Q's training split.
    max_epochs : int, default=200
    max_time : float or None, default=50.0
        Training budget in seconds.
    n_iter_no_change : int, default=30
    validation_fraction : float in (0, 1), default=0.15
        Held-out share of each sample set.
    ema_decay : float in (0, 1), default=0.99
    clip : float > 0, default=5.0
    standardize : bool, default=True
        Scale columns by the pooled training splits' mean and standard
        deviation (an invertible affine map leaves the divergence unchanged).
    device : str, torch.device or None, default=None
        None: ``skmi.get_config()["device"]``.
    random_state : int, RandomState instance or None, default=None
    callbacks : list of skmi.callbacks.Callback or None, default=None
        E.g. ``[skmi.callbacks.TensorBoard("runs")]``.
    verbose : bool, default=False
        Show a progress bar (needs tqdm).
    units : {"nats", "bits"}, default="nats"
    evaluate_on : {"validation", "training"}, default="validation"
        Where the trained critic's bound is evaluated. ``"validation"``: on
        the held-out splits, a lower bound up to its sampling noise.
        ``"training"``: on the whole training splits of P and Q -- the value
        the MINE study (reference study 002) reports, ``DV(Z, Z_ref)`` on the
        samples its critic was trained on. It is **optimistic**: the critic
        was fitted to these very samples, so it is biased upward (it can
        exceed the true divergence, and a divergence of 0 reads positive);
        the gap to the validation value measures the overfitting. Use it to
        compare with the study, not as an estimate.

    Returns
    -------
    divergence : float
        The lower bound on D(P || Q) on the split ``evaluate_on`` names, in
        ``units``.

    Warns
    -----
    SkmiWarning
        When the bound is in its high-variance regime (the estimate above
        3/4 of log of the Q samples per step, or the held-out E_Q[e^T]
        with a standard error above 0.1 nats): the true divergence may be
        much larger.

    Raises
    ------
    ValueError
        If P or Q holds NaN or inf, has fewer than 10 rows, or their numbers
        of columns differ; on a bad parameter value (``evaluate_on`` among
        them).
    TypeError
        On a parameter of the wrong type, or a callback without hooks.

    Notes
    -----
    The bounds estimate E_Q[e^T] by a sample mean, whose variance at the
    optimal critic is E_Q[(dP/dQ)^2] - 1: when P has heavier tails than Q
    (e.g. N(0, s^2) against N(0, 1) with s^2 > 2) it is infinite and the
    estimate falls short of the truth however long the critic trains.

    References
    ----------
    .. [1] M. D. Donsker and S. R. S. Varadhan, "Asymptotic evaluation of
       certain Markov process expectations for large time, IV", Comm. Pure
       Appl. Math. 36, 1983.
    .. [2] X. Nguyen, M. J. Wainwright and M. I. Jordan, "Estimating
       divergence functionals and the likelihood ratio by convex risk
       minimization", IEEE Trans. Inf. Theory 56(11), 2010.
    .. [3] M. I. Belghazi et al., "Mutual information neural estimation",
       ICML 2018.
    .. [4] C. Chan, "Mutual Information Neural Estimation" (reference study
       002): ``DVTrainer.step`` returns the DV bound on its training samples.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import kl_divergence
    >>> rng = np.random.default_rng(0)
    >>> P = rng.normal(0.0, 1.0, size=(2000, 1))
    >>> Q = rng.normal(1.0, 1.0, size=(2000, 1))  # D(P || Q) = 0.5 nats
    >>> d = kl_divergence(P, Q, hidden_layer_sizes=(32,), max_epochs=20, random_state=0)
    >>> abs(d - 0.5) < 0.15
    True
    >>> on_training = kl_divergence(
    ...     P, Q, hidden_layer_sizes=(32,), max_epochs=20, random_state=0, evaluate_on="training"
    ... )
    >>> abs(on_training - 0.5) < 0.15  # the same critic, on the samples it was trained on
    True
    """
    from skmi._torch import resolve_device
    from skmi._torch.fitting import (
        check_hidden_layer_sizes,
        draw_seed,
        marginal_per_step,
        run_training,
        saturation_reason,
        split_indices,
        to_tensor,
        training_settings,
    )
    from skmi._torch.training import OBJECTIVES, TwoSamples, build_critic

    if objective not in _KL_OBJECTIVES:
        raise ValueError(f"objective must be one of {_KL_OBJECTIVES}; got {objective!r}.")
    if units not in ("nats", "bits"):
        raise ValueError(f"units must be 'nats' or 'bits'; got {units!r}.")
    if not isinstance(evaluate_on, str) or evaluate_on not in _SPLITS:
        raise ValueError(f"evaluate_on must be one of {list(_SPLITS)}; got {evaluate_on!r}.")
    if activation not in ("relu", "tanh", "elu", "gelu"):
        raise ValueError(f"activation must be 'relu', 'tanh', 'elu' or 'gelu'; got {activation!r}.")
    hidden = check_hidden_layer_sizes(hidden_layer_sizes)
    params = KLDivergenceTraining(
        objective=objective,
        learning_rate=check_real(learning_rate, "learning_rate", min_value=0, include_min=False),
        batch_size=check_int(batch_size, "batch_size", min_value=2),
        n_marginal=n_marginal,
        marginal="shuffle",
        resample_marginal=True,
        max_epochs=check_int(max_epochs, "max_epochs", min_value=1),
        max_time=None
        if max_time is None
        else check_real(max_time, "max_time", min_value=0, include_min=False),
        n_iter_no_change=check_int(n_iter_no_change, "n_iter_no_change", min_value=1),
        ema_decay=check_real(ema_decay, "ema_decay", min_value=0, max_value=1, include_min=False),
        clip=check_real(clip, "clip", min_value=0, include_min=False),
        callbacks=callbacks,
        verbose=bool(verbose),
    )
    fraction = check_real(validation_fraction, "validation_fraction", min_value=0, max_value=1)
    if not 0 < fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1); got {validation_fraction}.")
    P = _samples(P, "P")
    Q = _samples(Q, "Q")
    if P.shape[1] != Q.shape[1]:
        raise ValueError(
            f"P and Q must have the same number of columns; P has {P.shape[1]}, Q has {Q.shape[1]}."
        )
    device = resolve_device(device)
    seed = draw_seed(random_state)
    p_tr, p_val = split_indices(len(P), fraction, seed)
    q_tr, q_val = split_indices(len(Q), fraction, seed + 1)
    pooled = np.vstack([P[p_tr], Q[q_tr]])
    # the peak divided out first: pooled.std() overflowed at 1e200 (NaN)
    stats = scaling_stats(pooled, standardize)
    training = TwoSamples(to_tensor(P[p_tr], stats, device), to_tensor(Q[q_tr], stats, device))
    validation = TwoSamples(to_tensor(P[p_val], stats, device), to_tensor(Q[q_val], stats, device))
    if params.n_marginal is not None and params.n_marginal > len(q_tr):
        params.marginal = "bootstrap"  # more Q samples per step than Q holds
    settings = training_settings(params, len(p_tr), seed)
    critic = build_critic(None, P.shape[1], None, hidden, activation, 0, seed).to(device)
    critic, _ = run_training(params, critic, training, validation, settings)
    evaluated = validation if evaluate_on == "validation" else training
    value = evaluated.evaluate(critic, OBJECTIVES[objective], settings.batch_size, params.clip, 0)
    q_per_step = marginal_per_step(settings, len(p_tr))
    reason = saturation_reason(objective, value, critic, evaluated, q_per_step, 0, "divergence")
    if reason is not None:
        warnings.warn(reason, SkmiWarning, stacklevel=2)
    return from_nats(value, units)


def _samples(A, name):
    A = detach_tensor(A)  # a tensor with grad: numpy cannot read it
    A = check_array(A, ensure_2d=False, dtype=np.float64, input_name=name, ensure_min_samples=10)
    if A.ndim == 1:
        A = A[:, None]
    if A.ndim != 2:
        raise ValueError(f"{name} must have shape (n_samples, n_features) or (n_samples,).")
    return A
