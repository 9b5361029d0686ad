"""Judging an MI estimate: is it distinguishable from zero, and how precise is it?

* :func:`permutation_test` -- the p-value of "X and y are independent" and
  the estimate's null distribution; its mean gives the shuffle-adjusted
  estimate (the estimate minus what the estimator reports on independent
  data of the same shape), which removes most of the small-sample positive
  bias on independent data.
* :func:`bootstrap_ci` -- an interval for the estimate by resampling. The
  resampling scheme depends on the estimator: k-NN estimators are
  subsampled (a bootstrap with replacement creates duplicate points at
  distance 0, which inflate k-NN estimates), neural estimators are refitted
  across seeds (their variance is mostly training randomness), plug-in
  estimators are bootstrapped.

What they do not cover: an interval describes the estimator's *variance*.
Its *bias* -- k-NN estimates shrink in high dimension, plug-in estimates of
continuous data depend on the bins, variational bounds sit below the truth
-- moves the whole interval, which then misses the truth however narrow it
is (see ``benchmarks/bench_uncertainty.py`` for measured coverage).

All resampling loops run through joblib (``n_jobs``), so they scale out to a
Dask cluster inside ``joblib.parallel_config(backend="dask")``.
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from scipy import stats as scipy_stats
from sklearn.base import clone
from sklearn.utils import check_random_state

from skmi._base import fitted_mi
from skmi._parallel import Parallel, delayed
from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted, validate_params

__all__ = ["ConfidenceInterval", "PermutationTestResult", "bootstrap_ci", "permutation_test"]


@dataclass
class PermutationTestResult:
    """Outcome of :func:`permutation_test` (values in the estimator's units)."""

    estimate: float
    p_value: float
    null_distribution: np.ndarray = field(repr=False)

    @property
    def adjusted_estimate(self):
        """The estimate minus the mean of the null: the shuffle-adjusted MI."""
        return float(self.estimate - np.mean(self.null_distribution))


@dataclass
class ConfidenceInterval:
    """Outcome of :func:`bootstrap_ci` (values in the estimator's units)."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str
    replicates: np.ndarray = field(repr=False)


def _as_arrays(X, y):
    X = np.asarray(X) if not hasattr(X, "iloc") else X.to_numpy()
    y = np.asarray(y) if not hasattr(y, "iloc") else y.to_numpy()
    if len(X) != len(y):
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
        )
    return X, y


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like"],
        "y": ["array-like"],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "refit": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def permutation_test(
    estimator, X, y, *, n_permutations=200, refit=True, random_state=None, n_jobs=None
):
    """Test independence of X and y with an MI estimator; p-value and null.

    The observed estimate is compared with the estimates on ``(X, y[pi])``
    for random permutations pi, which break any dependence while keeping both
    marginals: ``p = (1 + #{null >= observed}) / (1 + n_permutations)``.

    Parameters
    ----------
    estimator : skmi estimator
        Cloned for every fit; its own ``random_state`` is kept.
    X, y : array-like
    n_permutations : int, default=200
    refit : bool, default=True
        Refit a clone on every permutation (the test of the whole procedure).
        With False, ``estimator`` must already be fitted and is only scored on
        the permuted data -- the cheap test for a trained neural critic, valid
        when (X, y) was not used to train it.
    random_state : int, RandomState instance or None
        Draws the permutations.
    n_jobs : int, default=None
        Parallel jobs over permutations (joblib).

    Returns
    -------
    result : PermutationTestResult
        ``estimate``, ``p_value``, ``null_distribution`` and
        ``adjusted_estimate`` (estimate minus the null's mean).

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import KSGMutualInfo, permutation_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((300, 1))
    >>> y = x[:, 0] + rng.standard_normal(300)  # dependent: truth log(2) / 2
    >>> result = permutation_test(KSGMutualInfo(random_state=0), x, y, n_permutations=50,
    ...                           random_state=0)
    >>> result.p_value < 0.05, result.null_distribution.shape
    (True, (50,))
    """
    X, y = _as_arrays(X, y)
    rng = check_random_state(random_state)
    permutations = [rng.permutation(len(y)) for _ in range(n_permutations)]
    if refit:
        observed = clone(estimator).fit(X, y).mi_
        null = Parallel(n_jobs=n_jobs)(
            delayed(fitted_mi)(clone(estimator), X, y[p]) for p in permutations
        )
    else:
        check_is_fitted(estimator)
        observed = estimator.score(X, y)
        null = Parallel(n_jobs=n_jobs)(delayed(estimator.score)(X, y[p]) for p in permutations)
    null = np.asarray(null, dtype=np.float64)
    p_value = (1.0 + np.sum(null >= observed)) / (1.0 + n_permutations)
    return PermutationTestResult(float(observed), float(p_value), null)


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like"],
        "y": ["array-like"],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "n_resamples": [None, Interval(Integral, 2, None, closed="left")],
        "method": [StrOptions({"auto", "subsample", "bootstrap", "seeds"})],
        "subsample_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_ci(
    estimator,
    X,
    y,
    *,
    confidence=0.95,
    n_resamples=None,
    method="auto",
    subsample_fraction=0.5,
    random_state=None,
    n_jobs=None,
):
    """A confidence interval for an MI estimate, by the right kind of resampling.

    Methods:

    * ``"subsample"`` (k-NN estimators under "auto"): estimates on
      ``m = subsample_fraction * n`` samples drawn *without* replacement; the
      spread of ``sqrt(m) (estimate_m - estimate_n)`` stands in for that of
      ``sqrt(n) (estimate_n - truth)`` (Politis & Romano, 1994), giving
      ``[est - q_hi / sqrt(n), est - q_lo / sqrt(n)]``.
    * ``"bootstrap"`` (plug-in estimators: Gaussian, binned, kernel): the
      basic bootstrap ``[2 est - q_hi, 2 est - q_lo]`` over resamples with
      replacement.
    * ``"seeds"`` (neural estimators): refits with ``random_state`` = 0, 1,
      ... (new split, initialisation and batches each time); the interval is
      ``mean +- t * sd * sqrt(1 + 1/r)``, where a single fit is expected to
      fall.

    Parameters
    ----------
    estimator : skmi estimator (cloned for every fit)
    X, y : array-like
    confidence : float in (0, 1), default=0.95
    n_resamples : int, optional
        Default 100 (subsample, bootstrap) or 5 (seeds).
    method : {"auto", "subsample", "bootstrap", "seeds"}, default="auto"
    subsample_fraction : float in (0, 1), default=0.5
    random_state : int, RandomState instance or None
    n_jobs : int, default=None -- parallel jobs over resamples (joblib)

    Returns
    -------
    ci : ConfidenceInterval
        ``estimate`` (on all data), ``low``, ``high``, ``confidence``,
        ``method``, ``replicates``.

    Notes
    -----
    The interval covers the estimator's variance, not its bias: where an
    estimator is biased (KSG in high dimension, any variational bound), it
    can be narrow and miss the truth. Measured coverage on Gaussian tasks is
    in ``benchmarks/bench_uncertainty.py``.

    References
    ----------
    .. [1] D. N. Politis and J. P. Romano, "Large sample confidence regions
       based on subsamples under minimal assumptions", Ann. Statist. 22(4),
       1994.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import GaussianMutualInfo, bootstrap_ci
    >>> from skmi.datasets import make_gaussian
    >>> X, y, truth = make_gaussian(2000, correlation=0.6, random_state=0)
    >>> ci = bootstrap_ci(GaussianMutualInfo(), X, y, random_state=0)
    >>> ci.method, bool(ci.low < truth < ci.high)
    ('bootstrap', True)
    """
    X, y = _as_arrays(X, y)
    if method == "auto":
        method = _default_method(estimator)
    if n_resamples is None:
        n_resamples = 5 if method == "seeds" else 100
    rng = check_random_state(random_state)
    n = len(y)
    alpha = 1.0 - confidence
    parallel = Parallel(n_jobs=n_jobs)
    if method == "seeds":
        if "random_state" not in estimator.get_params():
            raise ValueError("method='seeds' needs an estimator with a random_state.")
        fits = parallel(
            delayed(fitted_mi)(clone(estimator).set_params(random_state=seed), X, y)
            for seed in range(n_resamples)
        )
        replicates = np.asarray(fits, dtype=np.float64)
        mean, sd = replicates.mean(), replicates.std(ddof=1)
        half = scipy_stats.t.ppf(1 - alpha / 2, n_resamples - 1) * sd * np.sqrt(1 + 1 / n_resamples)
        return ConfidenceInterval(
            float(mean), float(mean - half), float(mean + half), confidence, method, replicates
        )
    if method == "subsample":
        m = max(2, int(subsample_fraction * n))
        draws = [rng.choice(n, size=m, replace=False) for _ in range(n_resamples)]
    else:
        draws = [rng.randint(0, n, size=n) for _ in range(n_resamples)]
    estimate = clone(estimator).fit(X, y).mi_
    fits = parallel(delayed(fitted_mi)(clone(estimator), X[d], y[d]) for d in draws)
    replicates = np.asarray(fits, dtype=np.float64)
    if method == "subsample":
        roots = np.sqrt(m) * (replicates - estimate)
        q_lo, q_hi = np.quantile(roots, [alpha / 2, 1 - alpha / 2])
        low, high = estimate - q_hi / np.sqrt(n), estimate - q_lo / np.sqrt(n)
    else:
        q_lo, q_hi = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
        low, high = 2 * estimate - q_hi, 2 * estimate - q_lo
    return ConfidenceInterval(
        float(estimate), float(low), float(high), confidence, method, replicates
    )


def _default_method(estimator):
    from skmi._ksg import KSGMutualInfo
    from skmi._neural import NeuralMutualInfo

    if isinstance(estimator, KSGMutualInfo):
        return "subsample"
    if isinstance(estimator, NeuralMutualInfo):
        return "seeds"
    return "bootstrap"
