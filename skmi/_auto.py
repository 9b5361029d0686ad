"""estimate_mi: a sound estimator for users who do not know which to pick.

The choice follows ``benchmarks/bench_auto.py``, which runs every estimator
on a grid of ``skmi.datasets`` tasks with known truth (Gaussian, monotone
transforms, Student-t, class mixtures, discrete, mixed, non-monotone; 1 to
25 dimensions; n = 1,000 and 5,000) and reports each one's mean absolute
error. The rules it supports, in order:

=========================================  =====================================
data                                       method
=========================================  =====================================
X and y both discrete                      ``binned``: plug-in, Miller-Madow
class y (or discrete X and continuous y)   ``ksg-copula``: Ross's k-NN
many exact ties in continuous data (atoms) ``ksg-mixed``: Gao et al.'s counting
continuous, d_x + d_y <= 3                 ``ksg-copula``: KSG on normal scores
continuous, d_x + d_y >= 4                 ``larger``: the larger of ksg-copula
                                           and gaussian-copula
=========================================  =====================================

Why "the larger of" in higher dimension: on the grid, both estimates are
biased *downwards* there -- KSG by its dimension bias, the Gaussian copula by
seeing only the dependence its correlations express -- and in every such
cell the larger one was the better (n = 1000 and 5000). It also beat the
neural estimator in every cell, so "auto" does not train one; ask for
``method="neural"`` when X and y are high-dimensional, non-Gaussian and
plentiful.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_array

from skmi._binned import BinnedMutualInfo
from skmi._gaussian import GaussianMutualInfo
from skmi._ksg import ATOM_WARNING_FRACTION, KSGMutualInfo, _tied_fraction
from skmi._sklearn_compat import StrOptions, validate_params

LOW_DIMENSION = 3  # KSG alone up to this joint dimension (see the table above)

METHODS = (
    "auto",
    "binned",
    "ksg",
    "ksg-mixed",
    "ksg-copula",
    "gaussian",
    "gaussian-copula",
    "larger",
    "neural",
    "kernel",
)

_DISCRETE_KINDS = "biuOSU"


@dataclass
class MIResult:
    """What :func:`estimate_mi` found (values in ``units``)."""

    estimate: float
    method: str
    estimator: object
    units: str = "nats"
    ci: tuple = None
    p_value: float = None
    adjusted_estimate: float = None
    reason: str = ""

    def __float__(self):
        return float(self.estimate)


def choose_method(X, y):
    """The method name (and a reason) the auto rules pick for (X, y)."""
    x_discrete = X.dtype.kind in _DISCRETE_KINDS
    y_discrete = y.dtype.kind in _DISCRETE_KINDS
    if x_discrete and y_discrete:
        return "binned", "X and y are both discrete: the plug-in MI with Miller-Madow"
    if x_discrete or y_discrete:
        return "ksg-copula", "one variable is discrete: Ross's nearest-neighbour estimator"
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if _tied_fraction(np.hstack([X, y])) > ATOM_WARNING_FRACTION:
        return "ksg-mixed", "continuous data with many exact ties (atoms)"
    d = X.shape[1] + y.shape[1]
    if d <= LOW_DIMENSION:
        return "ksg-copula", f"continuous, low dimension (d_x + d_y = {d} <= {LOW_DIMENSION})"
    return "larger", (
        f"continuous, d_x + d_y = {d}: the larger of KSG and the Gaussian copula, "
        "both biased downwards here"
    )


class LargerOfMutualInfo(BaseEstimator):
    """The larger of several estimators' estimates (``method="larger"``).

    ``fit`` fits clones of each estimator and keeps the largest ``mi_``;
    ``chosen_`` names the one it came from. Sensible only where every
    candidate is biased downwards (see the module notes).

    Parameters
    ----------
    estimators : list of skmi estimators
    """

    def __init__(self, estimators):
        self.estimators = estimators

    def fit(self, X, y):
        fitted = [clone(e).fit(X, y) for e in self.estimators]
        best = int(np.argmax([e.mi_ for e in fitted]))
        self.estimators_ = fitted
        self.chosen_ = type(fitted[best]).__name__
        self.mi_ = float(fitted[best].mi_)
        return self

    def score(self, X, y):
        return float(max(e.score(X, y) for e in self.estimators_))


def make_estimator(method, random_state=None, units="nats"):
    """The skmi estimator behind a method name."""
    from skmi._kernel import KernelMutualInfo
    from skmi._neural import NeuralMutualInfo

    factories = {
        "binned": lambda: BinnedMutualInfo(correction="miller-madow", units=units),
        "ksg": lambda: KSGMutualInfo(random_state=random_state, units=units),
        "ksg-mixed": lambda: KSGMutualInfo(ties="mixed", units=units),
        "ksg-copula": lambda: KSGMutualInfo(copula=True, random_state=random_state, units=units),
        "gaussian": lambda: GaussianMutualInfo(units=units),
        "gaussian-copula": lambda: GaussianMutualInfo(copula=True, units=units),
        "larger": lambda: LargerOfMutualInfo(
            [
                KSGMutualInfo(copula=True, random_state=random_state, units=units),
                GaussianMutualInfo(copula=True, units=units),
            ]
        ),
        "neural": lambda: NeuralMutualInfo(random_state=random_state, units=units),
        "kernel": lambda: KernelMutualInfo(random_state=random_state, units=units),
    }
    return factories[method]()


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "method": [StrOptions(set(METHODS))],
        "ci": ["boolean"],
        "p_value": ["boolean"],
        "n_permutations": [int],
        "units": [StrOptions({"nats", "bits"})],
        "random_state": ["random_state"],
        "n_jobs": [int, None],
    },
    prefer_skip_nested_validation=True,
)
def estimate_mi(
    X,
    y,
    *,
    method="auto",
    ci=False,
    p_value=False,
    n_permutations=100,
    units="nats",
    random_state=None,
    n_jobs=None,
):
    """Estimate I(X; y) with a sound estimator, and optionally its uncertainty.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
    y : array-like of shape (n_samples,) or (n_samples, n_features_y)
    method : str, default="auto"
        "auto" picks by data type, dimension and sample size (the table in
        the module notes, supported by ``benchmarks/bench_auto.py``); or one
        of "binned", "ksg", "ksg-mixed", "ksg-copula", "gaussian",
        "gaussian-copula", "neural", "kernel".
    ci : bool, default=False
        Add a 95 % interval (:func:`skmi.bootstrap_ci`, the resampling suited
        to the estimator).
    p_value : bool, default=False
        Add the permutation p-value of independence and the shuffle-adjusted
        estimate (:func:`skmi.permutation_test`).
    n_permutations : int, default=100
    units : {"nats", "bits"}, default="nats"
    random_state : int or None
    n_jobs : int or None -- parallel jobs for the resampling (joblib)

    Returns
    -------
    result : MIResult
        ``estimate``, ``method``, ``estimator`` (fitted), ``reason``, and
        ``ci`` (low, high), ``p_value``, ``adjusted_estimate`` when asked.

    Examples
    --------
    >>> from skmi import estimate_mi
    >>> from skmi.datasets import make_transformed_gaussian
    >>> X, y, truth = make_transformed_gaussian(3000, transform="exp", correlation=0.8,
    ...                                         random_state=0)
    >>> result = estimate_mi(X, y, random_state=0)
    >>> result.method, abs(result.estimate - truth) < 0.05
    ('ksg-copula', True)
    """
    from skmi.stats import bootstrap_ci, permutation_test

    X = check_array(X, dtype=None, input_name="X")
    y = check_array(y, dtype=None, ensure_2d=False, input_name="y")
    reason = "chosen by the caller"
    if method == "auto":
        method, reason = choose_method(X, y)
    estimator = make_estimator(method, random_state, units)
    X_fit, y_fit = _arrange(method, X, y)
    estimator.fit(X_fit, y_fit)
    result = MIResult(float(estimator.mi_), method, estimator, units, reason=reason)
    if ci:
        interval = bootstrap_ci(estimator, X_fit, y_fit, random_state=random_state, n_jobs=n_jobs)
        result.ci = (interval.low, interval.high)
    if p_value:
        test = permutation_test(
            estimator,
            X_fit,
            y_fit,
            n_permutations=n_permutations,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        result.p_value = test.p_value
        result.adjusted_estimate = test.adjusted_estimate
    return result


def _arrange(method, X, y):
    """Put the discrete variable on the y side for Ross's estimator (MI is symmetric)."""
    swap = method.startswith("ksg") and method != "ksg-mixed"
    if swap and X.dtype.kind in _DISCRETE_KINDS and y.dtype.kind not in _DISCRETE_KINDS:
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1), _as_labels(X)
    return X, y


def _as_labels(X):
    X = np.asarray(X)
    if X.ndim == 1 or X.shape[1] == 1:
        return X.reshape(-1)
    return np.unique(X, axis=0, return_inverse=True)[1].reshape(-1)
