"""Entropy estimators: k-NN and Gaussian for densities, corrected counts for symbols.

* ``"knn"`` -- Kozachenko & Leonenko (1987) in the max-norm form of
  Kraskov, Stögbauer & Grassberger (2004, eq. 20), the form KSG's MI is
  built from: ``psi(n) - psi(k) + d <log(2 r_k)>``, r_k the max-norm
  distance to the k-th neighbour (``scipy.spatial.cKDTree``);
* ``"gaussian"`` -- ``1/2 log det(2 pi e Sigma)`` of the sample covariance;
* for symbols (and, as histograms, for continuous data): the plug-in
  (``"binned"``), Miller-Madow, Grassberger, Chao-Shen and NSB estimators of
  the Shannon entropy of the observed counts.
"""

from numbers import Integral

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from skmi._sklearn_compat import Interval, StrOptions, validate_params
from skmi._units import from_nats
from skmi._validation import detach_tensor
from skmi._warnings import once_at_caller, warn_at_caller
from skmi.exceptions import SkmiWarning

METHODS = (
    "auto",
    "knn",
    "gaussian",
    "binned",
    "miller-madow",
    "grassberger",
    "chao-shen",
    "nsb",
)
COUNT_METHODS = ("binned", "miller-madow", "grassberger", "chao-shen", "nsb")
# More than this share of tied samples: the k-NN estimate sees atoms.
TIED_SHARE = 0.05
# The NSB posterior is integrated over log(beta) on this range and grid.
_NSB_LOG_BETA = (np.log(1e-10), np.log(1e10))
_NSB_GRID = 6001


@validate_params(
    {
        "X": ["array-like"],
        "method": [StrOptions(set(METHODS))],
        "k": [Interval(Integral, 1, None, closed="left")],
        "units": [StrOptions({"nats", "bits"})],
        "n_symbols": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def entropy(X, method="auto", k=3, units="nats", *, n_symbols=None, random_state=None):
    """Estimate the entropy of X: differential for densities, Shannon for symbols.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        A 1-D array is one column. Several columns: the joint entropy (for
        symbols, each row is one symbol).
    method : str, default="auto"
        ``"auto"``: by the kind of X (:func:`skmi._data_kinds.classify`):
        discrete X gets ``"grassberger"``, anything else ``"knn"``.
        Grassberger's estimator is chosen over Miller-Madow because its bias
        is smaller at every n (it removes the bias terms beyond the first
        order that Miller-Madow leaves, and stays usable when many symbols
        are seen once) while needing, unlike NSB and Chao-Shen's
        coverage, no guess of the unseen symbols.

        * ``"knn"`` -- Kozachenko-Leonenko k-NN differential entropy with
          the max-norm (Kraskov et al. 2004, eq. 20).
        * ``"gaussian"`` -- ``1/2 log det(2 pi e Sigma)``, Sigma the sample
          covariance (ddof=1): exact for Gaussian data, an upper bound for
          any law with that covariance.
        * ``"binned"`` -- the plug-in ``-sum p log p`` of the counts.
        * ``"miller-madow"`` -- plug-in + ``(m - 1) / (2 n)``, m the number
          of observed symbols (Miller 1955).
        * ``"grassberger"`` -- ``log n - 1/n sum n_i G(n_i)`` with
          ``G(n) = psi(n) + (-1)^n / 2 (psi((n + 1) / 2) - psi(n / 2))``
          (Grassberger 2003, 2008).
        * ``"chao-shen"`` -- coverage-adjusted Horvitz-Thompson estimator
          (Chao & Shen 2003).
        * ``"nsb"`` -- Nemenman-Shafee-Bialek (2002): the posterior mean of
          the entropy under a mixture of symmetric Dirichlet priors that is
          flat in the entropy, integrated numerically over the
          concentration. Needs the number of possible symbols
          (``n_symbols``).

        The count methods take discrete, integer-valued and non-numeric
        columns as symbols. On real-valued continuous columns they are
        histogram estimates of the differential entropy: each such column is
        cut into ``b = max(2,
        round(n ** (1 / (d + 2))))`` equal-width bins and ``log`` of the
        bin widths is added to the entropy of the bin codes.
    k : int >= 1, default=3
        Number of neighbours (``"knn"``).
    units : {"nats", "bits"}, default="nats"
    n_symbols : int or None, default=None
        The number of possible symbols (alphabet size), for ``"nsb"``.
        None: the number of bins for histogrammed continuous data, and
        otherwise Chao's (1984, bias-corrected) richness estimate ``m + f1
        (f1 - 1) / (2 (f2 + 1))`` (m symbols observed, f1 of them once, f2
        twice), which counts the symbols not yet seen.
    random_state : int, RandomState instance or None
        Seeds the tie-breaking jitter of ``"knn"`` and the dither of
        count-valued columns.

    Returns
    -------
    result : MIResult
        ``estimate`` (the entropy, in ``units``), ``method``, ``reason``,
        ``x_kind``, ``units``, ``notes``; ``estimator`` is None.

    Raises
    ------
    ValueError
        If X is empty, has missing or non-finite values, non-numeric values
        for a method that needs numbers, too few samples (``k + 1`` for
        ``"knn"``, 2 for ``"gaussian"``), linearly dependent columns
        (``"gaussian"``: the entropy is minus infinity), or ``n_symbols``
        below the number of symbols observed.

    Warns
    -----
    SkmiWarning
        ``"knn"`` on data with atoms (more than 5 % of the rows tied): the
        differential entropy of a law with atoms is minus infinity, and the
        estimate then reflects the jitter.

    Notes
    -----
    Integer-valued columns that the data-kind rule calls counts (many
    ordered levels, each repeated) get a uniform dither on [0, 1) before
    ``"knn"``: ``floor(x + u) = x``, so the dithered column has a density
    whose differential entropy is exactly the Shannon entropy of the counts.

    References
    ----------
    .. [1] L. F. Kozachenko and N. N. Leonenko, "Sample estimate of the
       entropy of a random vector", Probl. Inf. Transm. 23, 95-101, 1987.
    .. [2] A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual
       information", Phys. Rev. E 69, 066138, 2004 (eq. 20).
    .. [3] G. A. Miller, "Note on the bias of information estimates", 1955.
    .. [4] P. Grassberger, "Entropy estimates from insufficient samplings",
       arXiv:physics/0307138, 2003 (v2 2008).
    .. [5] A. Chao and T.-J. Shen, "Nonparametric estimation of Shannon's
       index of diversity when there are unseen species in sample",
       Environ. Ecol. Stat. 10, 429-443, 2003.
    .. [6] I. Nemenman, F. Shafee and W. Bialek, "Entropy and inference,
       revisited", NeurIPS 14, 2002.
    .. [7] A. Chao, "Nonparametric estimation of the number of classes in a
       population", Scand. J. Statist. 11, 265-270, 1984.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import entropy
    >>> rng = np.random.default_rng(0)
    >>> result = entropy(rng.standard_normal(5000), random_state=0)
    >>> truth = 0.5 * np.log(2 * np.pi * np.e)  # 1.419 nats
    >>> result.method, bool(abs(result.estimate - truth) < 0.05)
    ('knn', True)
    >>> entropy(rng.integers(0, 4, 5000)).method
    'grassberger'
    """
    from skmi._data_kinds import classify, dither_steps
    from skmi._result import MIResult

    X = _as_array(X)
    with once_at_caller():
        kind = classify(X, "X")
        notes = []
        if method == "auto":
            chosen = "grassberger" if kind.kind == "discrete" else "knn"
            why = (
                "discrete: Grassberger's estimator (bias below Miller-Madow's at every n, "
                "no guess of the unseen symbols needed)"
                if chosen == "grassberger"
                else "not discrete: Kozachenko-Leonenko k-NN (max-norm)"
            )
            reason = f"{kind.reason}; {why}"
        else:
            chosen = method
            reason = f"chosen by the caller ({kind.reason})"
        rng = np.random.default_rng(_seed(random_state))
        if chosen in ("knn", "gaussian"):
            X = _numbers(X, chosen)
            if chosen == "knn":
                steps = dither_steps(X)
                grid = steps > 0
                if grid.any():
                    # counts (step 1) and rounded reals: x + step * u has density
                    # p(x) / step, so its entropy is H(x) + log(step), exactly
                    X = X.copy()
                    X[:, grid] += rng.uniform(size=(len(X), int(grid.sum()))) * steps[grid]
                    notes.append(
                        f"columns {np.flatnonzero(grid).tolist()} on a grid (counts or rounded "
                        f"values; steps {steps[grid].tolist()}) dithered by U[0, step): their "
                        "part is the Shannon entropy of the values plus log(step)"
                    )
                value = _knn_entropy(X, k, rng, notes)
            else:
                value = _gaussian_entropy(X)
        else:
            value = _count_entropy(X, chosen, kind, n_symbols, notes)
    value = from_nats(value, units)
    return MIResult(
        float(value),
        chosen,
        None,
        units,
        reason=reason,
        x_kind=kind.kind,
        raw_estimate=float(value),
        notes=notes,
    )


# -- input ---------------------------------------------------------------------------


def _seed(random_state):
    from sklearn.utils import check_random_state

    return check_random_state(random_state).randint(0, 2**31 - 1)


def _as_array(X):
    X = detach_tensor(X)
    X = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
    if X.ndim not in (1, 2):
        raise ValueError(
            f"X must have shape (n_samples,) or (n_samples, n_features); got an array with "
            f"{X.ndim} dimensions."
        )
    if X.size == 0:
        raise ValueError(f"X is empty (shape {X.shape}); it needs samples and a column.")
    if len(X) < 2:
        raise ValueError(
            "X has 1 sample; entropy needs at least 2: one observation says nothing about "
            "how the values spread."
        )
    X = X.reshape(len(X), -1)
    if X.dtype == object:
        for value in X.ravel():
            if value is None or value != value:
                raise ValueError("Input X contains NaN (a missing value: None or NaN).")
    elif X.dtype.kind == "f":
        if np.isnan(X).any():
            raise ValueError("Input X contains NaN.")
        if not np.isfinite(X).all():
            raise ValueError("Input X contains inf; entropy needs finite values.")
    return X


def _numbers(X, method):
    try:
        return np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"X has non-numeric values; method={method!r} needs numbers (symbols: use "
            "'grassberger', 'miller-madow', 'chao-shen', 'nsb' or 'binned')."
        ) from None


# -- densities ---------------------------------------------------------------------------


def _knn_entropy(X, k, rng, notes):
    """Kozachenko-Leonenko, max-norm: ``psi(n) - psi(k) + d <log(2 r_k)>`` (nats)."""
    from scipy.spatial import cKDTree

    n, d = X.shape
    if n < k + 1:
        raise ValueError(f"X has n_samples={n}; method='knn' needs at least k + 1 = {k + 1}.")
    tied = _tied_share(X)
    if tied > TIED_SHARE:
        message = (
            f"{tied:.0%} of the rows of X repeat another row (atoms): the differential "
            "entropy of a law with atoms is minus infinity, and this k-NN estimate reflects "
            "the tie-breaking jitter; for symbols use a count method (method='grassberger')."
        )
        notes.append(message)
        warn_at_caller(message, SkmiWarning)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    # Ties would put neighbours at distance 0 (log 0): break them with noise
    # far below the data's resolution, as KSG does.
    X = X + 1e-10 * scale * rng.standard_normal(X.shape)
    distances = cKDTree(X).query(X, k=k + 1, p=np.inf)[0][:, k]
    return float(digamma(n) - digamma(k) + d * np.mean(np.log(2.0 * distances)))


def _tied_share(X):
    _, inverse, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    return float(np.mean(counts[inverse.reshape(-1)] > 1))


def _gaussian_entropy(X):
    n, d = X.shape
    if n < 2:
        raise ValueError(f"X has n_samples={n}; method='gaussian' needs at least 2.")
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    sign, logdet = np.linalg.slogdet(cov)
    if sign <= 0 or not np.isfinite(logdet):
        raise ValueError(
            "X's sample covariance is singular (a constant column, or columns that are "
            "linear combinations of others): its Gaussian entropy is minus infinity."
        )
    return float(0.5 * (d * np.log(2 * np.pi * np.e) + logdet))


# -- symbols -------------------------------------------------------------------------------


def _count_entropy(X, method, kind, n_symbols, notes):
    """A count method on symbols; on continuous columns, a histogram estimate."""
    n, d = X.shape
    log_width = 0.0
    n_cells = None
    symbols = [_is_symbol_column(X[:, c], kind.columns[c]) for c in range(d)]
    if not all(symbols):
        columns, n_cells = [], 1
        bins = max(2, int(round(n ** (1.0 / (d + 2)))))
        for c in range(d):
            column = X[:, c]
            if symbols[c]:
                codes = np.unique(column, return_inverse=True)[1].reshape(-1)
                columns.append(codes)
                n_cells *= int(codes.max()) + 1
                continue
            column = _numbers(column, method)
            low, high = float(column.min()), float(column.max())
            width = (high - low) / bins
            if width <= 0:
                raise ValueError(f"X column {c} is constant: its differential entropy is -inf.")
            codes = np.minimum(((column - low) / width).astype(np.int64), bins - 1)
            columns.append(codes)
            log_width += np.log(width)
            n_cells *= bins
        X = np.column_stack(columns)
        notes.append(
            f"a histogram estimate of the differential entropy: continuous columns cut into "
            f"{bins} equal-width bins, log of the bin widths added"
        )
    counts = _symbol_counts(X)
    if method == "nsb":
        if n_symbols is None:
            n_symbols = n_cells if n_cells is not None else _chao1(counts)
            notes.append(f"NSB with {n_symbols} possible symbols (n_symbols not given)")
        if n_symbols < len(counts):
            raise ValueError(
                f"n_symbols={n_symbols} is below the {len(counts)} distinct symbols observed."
            )
        value = nsb_entropy(counts, n_symbols)
    else:
        estimators = {
            "binned": plugin_entropy,
            "miller-madow": miller_madow_entropy,
            "grassberger": grassberger_entropy,
            "chao-shen": chao_shen_entropy,
        }
        value = estimators[method](counts)
    if value < 0:
        # a corrected estimate can dip below 0 (Grassberger's on one symbol seen n
        # times: -6.7e-5 at n = 50), below what any discrete entropy can be
        notes.append(
            f"the {method} estimate of the symbols' entropy was {value:.3g} nats, below "
            "0, the least a discrete entropy can be; reported as 0"
        )
        value = 0.0
    return value + log_width


def _is_symbol_column(column, kind):
    """Symbols: discrete by the data-kind rule, non-numeric, or integer-valued."""
    if kind == "discrete":
        return True
    try:
        column = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        return True
    return bool(np.all(np.mod(column, 1) == 0))


def _symbol_counts(X):
    """Counts of the distinct rows of X (any dtype)."""
    if X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            X = X.astype(str)
    return np.unique(X, axis=0, return_counts=True)[1].astype(np.int64)


def _chao1(counts):
    """Chao's bias-corrected richness estimate: observed + f1 (f1 - 1) / (2 (f2 + 1))."""
    f1, f2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    return len(counts) + int(np.ceil(f1 * (f1 - 1) / (2.0 * (f2 + 1))))


def plugin_entropy(counts):
    """Plug-in (maximum-likelihood) entropy of symbol counts, in nats.

    Parameters
    ----------
    counts : array-like of int
        Counts of the observed symbols.

    Returns
    -------
    h : float
    """
    c = np.asarray(counts, dtype=np.float64)
    c = c[c > 0]
    n = c.sum()
    return float(np.log(n) - np.dot(c, np.log(c)) / n)


def miller_madow_entropy(counts):
    """Plug-in + (m - 1) / (2 n), m the observed symbols (Miller, 1955), in nats."""
    c = np.asarray(counts)
    c = c[c > 0]
    return plugin_entropy(c) + (len(c) - 1) / (2.0 * c.sum())


def grassberger_entropy(counts):
    """Grassberger's (2003/2008) estimator ``log n - 1/n sum n_i G(n_i)``, in nats.

    ``G(n) = psi(n) + (-1)^n / 2 (psi((n + 1) / 2) - psi(n / 2))``.
    """
    c = np.asarray(counts, dtype=np.float64)
    c = c[c > 0]
    n = c.sum()
    sign = np.where(c % 2 == 0, 1.0, -1.0)
    g = digamma(c) + 0.5 * sign * (digamma((c + 1) / 2) - digamma(c / 2))
    return float(np.log(n) - np.dot(c, g) / n)


def chao_shen_entropy(counts):
    """Chao & Shen's (2003) coverage-adjusted Horvitz-Thompson estimator, in nats.

    Good-Turing coverage ``C = 1 - f1 / n`` (f1 singletons; ``f1 = n - 1`` when
    every symbol is a singleton, so that C > 0) shrinks the frequencies,
    ``p = C n_i / n``; each term is divided by the probability
    ``1 - (1 - p)^n`` that its symbol is observed at all.
    """
    c = np.asarray(counts, dtype=np.float64)
    c = c[c > 0]
    n = c.sum()
    f1 = float(np.sum(c == 1))
    if f1 == n:
        f1 = n - 1
    p = (1.0 - f1 / n) * c / n
    return float(-np.sum(p * np.log(p) / (1.0 - (1.0 - p) ** n)))


def nsb_entropy(counts, n_symbols):
    """Nemenman-Shafee-Bialek (2002) posterior-mean entropy, in nats.

    A symmetric Dirichlet(beta) prior on the K = ``n_symbols`` probabilities,
    with beta weighted by ``d xi / d beta`` (xi(beta) the prior mean
    entropy), which makes the prior on the entropy flat on [0, log K]. The
    posterior mean is integrated over log(beta) on a fixed grid
    (1e-10 .. 1e10, in log space), in log-likelihood units shifted by their
    maximum so that nothing overflows.

    Parameters
    ----------
    counts : array-like of int
        Counts of the observed symbols.
    n_symbols : int
        K, the number of possible symbols (at least the number observed).

    Returns
    -------
    h : float
    """
    c = np.asarray(counts, dtype=np.float64)
    c = c[c > 0]
    K = float(n_symbols)
    n = c.sum()
    if K <= 1:
        return 0.0
    values, multiplicity = np.unique(c, return_counts=True)
    unseen = K - len(c)
    log_beta = np.linspace(*_NSB_LOG_BETA, _NSB_GRID)
    beta = np.exp(log_beta)[:, None]
    # log p(counts | beta), dropping what does not depend on beta
    log_like = (
        gammaln(K * beta[:, 0])
        - gammaln(n + K * beta[:, 0])
        + np.sum(multiplicity * (gammaln(values + beta) - gammaln(beta)), axis=1)
    )
    # the prior weight d xi / d beta, times beta for the log(beta) grid
    prior = K * polygamma(1, K * beta[:, 0] + 1) - polygamma(1, beta[:, 0] + 1)
    log_weight = log_like + np.log(np.maximum(prior, 1e-300)) + log_beta
    weight = np.exp(log_weight - log_weight.max())
    # E[H | counts, beta]
    total = n + K * beta[:, 0]
    seen = np.sum(multiplicity * (values + beta) * digamma(values + beta + 1), axis=1)
    mean_h = digamma(total + 1) - (seen + unseen * beta[:, 0] * digamma(beta[:, 0] + 1)) / total
    return float(np.trapezoid(weight * mean_h, log_beta) / np.trapezoid(weight, log_beta))
