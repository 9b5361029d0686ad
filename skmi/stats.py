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
  estimators are bootstrapped. Each estimator declares which scheme is valid
  for it (:mod:`skmi._traits`); a composite takes the strictest of its parts.

What they do not cover: an interval describes the estimator's *variance*.
Its *bias* -- k-NN estimates shrink in high dimension, plug-in estimates of
continuous data depend on the bins, variational bounds sit below the truth
-- moves the whole interval, which then misses the truth however narrow it
is (see ``benchmarks/calibration/bench_coverage.py`` and the user guide for measured
coverage).

All resampling loops run through joblib (``n_jobs``), so they scale out to a
Dask cluster inside ``joblib.parallel_config(backend="dask")``.
"""

import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from scipy import stats as scipy_stats
from sklearn.base import clone
from sklearn.utils import check_random_state

from skmi._base import fitted_mi
from skmi._dask import refuse_dask_collections
from skmi._null import NullRun
from skmi._parallel import delayed, run_tasks
from skmi._ranks import SampleOrders
from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted, validate_params
from skmi._surrogates import (
    SCHEMES,
    block_permutation,
    circular_shifts,
    decorrelation_length,
    moving_block,
    serially_dependent,
)
from skmi._traits import get_traits
from skmi._validation import check_int, detach_tensor
from skmi._warnings import once_at_caller, warn_at_caller
from skmi.exceptions import SkmiWarning

__all__ = ["ConfidenceInterval", "PermutationTestResult", "bootstrap_ci", "permutation_test"]


@dataclass
class PermutationTestResult:
    """Outcome of :func:`permutation_test` (values in the estimator's units).

    ``min_p_value`` is ``1 / (n_permutations + 1)``, the smallest p-value the
    test can give: a ``p_value`` equal to it reads "p <= min_p_value" (no
    permutation reached the estimate), not an exact probability.
    ``stopped_early`` is True when ``stop_after`` null values reached the
    estimate and ``p_value`` is Besag and Clifford's ``h / L`` over the
    ``L = len(null_distribution)`` permutations drawn; ``stopped_note`` then
    says so in words ("" otherwise).
    """

    estimate: float
    p_value: float
    null_distribution: np.ndarray = field(repr=False)
    min_p_value: float = None
    conditional: bool = False
    stopped_early: bool = False
    stopped_note: str = field(default="", repr=False)

    @property
    def adjusted_estimate(self):
        """The estimate minus the mean of the null: the shuffle-adjusted MI."""
        return float(self.estimate - np.mean(self.null_distribution))

    def p_value_text(self):
        """``"p <= 0.0099"`` at the smallest attainable value, else ``"p = 0.23"``."""
        if self.p_value <= self.min_p_value:
            return f"p <= {self.min_p_value:.4g}"
        return f"p = {self.p_value:.4g}"


@dataclass
class ConfidenceInterval:
    """Outcome of :func:`bootstrap_ci` (values in the estimator's units).

    ``method`` is the resampling scheme ("subsample", "moving-block",
    "bootstrap", "seeds"),
    ``interval`` the interval type, ``description`` both in words.
    ``resample_shift`` is how far the resampled estimates sit from the
    estimate on all the data (median, on the scale of n samples): the change
    of the estimator's bias with the resampling, which the interval leaves
    out (see :func:`bootstrap_ci`).
    """

    estimate: float
    low: float
    high: float
    confidence: float
    method: str
    replicates: np.ndarray = field(repr=False)
    interval: str = "centred percentile"
    resample_shift: float = 0.0
    stratified: bool = False

    @property
    def description(self):
        """The resampling scheme and interval type in one phrase."""
        schemes = {
            "subsample": "subsamples without replacement, sqrt(m/(n-m)) rate correction",
            "moving-block": "windows of consecutive rows (moving-block subsampling), "
            "sqrt(m/(n-m)) rate correction",
            "bootstrap": "bootstrap resamples with replacement",
            "seeds": "refits with new seeds",
        }
        strata = ", stratified by class" if self.stratified else ""
        return f"{schemes[self.method]}{strata}; {self.interval} interval"


def _as_arrays(X, y, owner="permutation_test"):
    refuse_dask_collections(owner, X=X, y=y)
    X, y = detach_tensor(X), detach_tensor(y)  # a tensor with grad: numpy cannot read it
    X = np.asarray(X) if not hasattr(X, "iloc") else X.to_numpy()
    y = np.asarray(y) if not hasattr(y, "iloc") else y.to_numpy()
    if len(X) != len(y):
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
        )
    return X, y


def _quiet_mi(estimator, X, y, z=None, orders=None, rows=()):
    """One resample's estimate, its warnings silenced: the fit on all the data
    has said once what there was to say (one warning per call, not per resample).

    ``orders`` (:class:`skmi._ranks.SampleOrders` of the sample's X, y, z)
    and ``rows`` (the sample's rows each side holds, None for all as they
    are) give the fit its sort orders in O(n) instead of sorting again.
    """
    scope = nullcontext() if orders is None else orders.resampled(*rows)
    with warnings.catch_warnings(), scope:
        warnings.simplefilter("ignore")
        if z is None:
            return fitted_mi(estimator, X, y)
        return estimator.fit(X, y, z=z).mi_


def _quiet_score(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.score(X, y)


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like"],
        "y": ["array-like"],
        "z": ["array-like", None],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "refit": ["boolean"],
        "scheme": [StrOptions(set(SCHEMES))],
        "stop_after": [None, Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def permutation_test(
    estimator,
    X,
    y,
    *,
    z=None,
    n_permutations=200,
    n_neighbors=5,
    refit=True,
    scheme="auto",
    stop_after=None,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Test independence of X and y (given z) with an MI estimator; p-value and null.

    Without ``z``, the observed estimate is compared with the estimates on
    ``(X, y[pi])`` for random permutations pi, which break any dependence
    while keeping both marginals. With ``z``, the test is of conditional
    independence X ⟂ y | z: the estimator's conditional MI on ``(X[pi], y, z)``
    where each pi only exchanges samples whose z are close -- the local
    permutation scheme of Runge (2018): in a random order, each sample takes
    the X of one of its ``n_neighbors`` nearest neighbours in z not yet used
    (any of them when all are used). That keeps the dependence of X on z and
    breaks only what X says about y beyond z.

    ``p = (1 + #{null >= observed}) / (1 + n_permutations)``; its smallest
    value, ``1 / (1 + n_permutations)``, is reported as ``min_p_value``.

    With ``stop_after=h`` the permutations stop as soon as h null values
    have reached the estimate, and ``p = h / L`` after L permutations: the
    sequential Monte Carlo p-value of Besag and Clifford (1991), exactly as
    valid as the fixed one (``P(p <= alpha) <= alpha`` under the null). A
    clear non-rejection then costs about ``h / p`` permutations instead of
    ``n_permutations`` (h = 10, p = 0.5: 20 instead of 100), at a relative
    precision of about ``1 / sqrt(h)``; small p-values, where the precision
    matters, are computed in full: for the same draws, every p-value below
    ``h / n_permutations`` is the fixed run's, so decisions at levels below
    it (size and power at 0.05 with h = 10 of 100) are those of the fixed
    test. ``null_distribution`` holds the L values drawn.

    Parameters
    ----------
    estimator : skmi estimator
        Cloned for every fit; its own ``random_state`` is kept. With ``z`` it
        must support conditioning (``fit(X, y, z=z)``).
    X, y : array-like
    z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
        Condition on z.
    n_permutations : int >= 1, default=200
    n_neighbors : int >= 1, default=5
        With ``z``: the neighbourhood in z within which X is permuted.
    refit : bool, default=True
        Refit a clone on every permutation (the test of the whole procedure).
        With False, ``estimator`` must already be fitted and is only scored on
        the permuted data -- the cheap test for a trained neural critic, valid
        when (X, y) was not used to train it.
    scheme : {"auto", "permutation", "circular", "block"}, default="auto"
        How the null is drawn (:mod:`skmi._surrogates`). "permutation"
        shuffles rows: valid when rows are exchangeable. For time series
        (rows in time order, each side autocorrelated) shuffling gives far
        too small p-values; "circular" rolls y by random lags of at least
        the decorrelation length, "block" shuffles blocks of that length --
        both keep each series' own dependence. "auto" permutes, and warns
        once when both sides have a clear lag-1 autocorrelation. Without
        ``z`` only.
    stop_after : int >= 1 or None, default=None
        Stop once this many null values reach the estimate (Besag and
        Clifford's sequential p-value, above); None draws all
        ``n_permutations``.
    random_state : int, RandomState instance or None
        Draws the permutations.
    n_jobs : int, default=None
        Parallel jobs over permutations (joblib).
    verbose : int or bool, default=0
        Show progress over the permutations (a tqdm bar where installed).

    Returns
    -------
    result : PermutationTestResult
        ``estimate``, ``p_value``, ``min_p_value``, ``null_distribution`` and
        ``adjusted_estimate`` (estimate minus the null's mean).

    Raises
    ------
    ValueError
        On bad arguments, inconsistent lengths, ``z`` with an estimator
        that does not condition, with ``refit=False`` or with a time-series
        scheme, or series too short for their autocorrelation.

    Warns
    -----
    SkmiWarning
        With ``scheme="auto"``, once, when both sides look serially
        dependent: the shuffled null assumes exchangeable rows.

    References
    ----------
    .. [1] J. Runge, "Conditional independence testing based on a
       nearest-neighbor estimator of conditional mutual information",
       AISTATS 2018.
    .. [2] R. Quian Quiroga, A. Kraskov, T. Kreuz and P. Grassberger,
       "Performance of different synchronization measures in real data: a
       case study on electroencephalographic signals", Phys. Rev. E 65, 2002
       (time-shifted surrogates).
    .. [3] H. R. Kuensch, "The jackknife and the bootstrap for general
       stationary observations", Ann. Statist. 17(3), 1989 (blocks).
    .. [4] J. Besag and P. Clifford, "Sequential Monte Carlo p-values",
       Biometrika 78(2), 1991.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import KSGMutualInfo, permutation_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((300, 1))
    >>> y = x[:, 0] + rng.standard_normal(300)  # dependent: truth log(2) / 2
    >>> result = permutation_test(KSGMutualInfo(random_state=0), x, y, n_permutations=50,
    ...                           random_state=0)
    >>> result.p_value_text(), result.null_distribution.shape
    ('p <= 0.01961', (50,))
    """
    check_int(n_permutations, "n_permutations", min_value=1)
    if stop_after is not None:
        check_int(stop_after, "stop_after", min_value=1)
    X, y = _as_arrays(X, y)
    rng = check_random_state(random_state)
    run = NullRun(stop_after, n_jobs, verbose)
    with once_at_caller():
        if z is not None:
            return _conditional_permutation_test(
                estimator, X, y, z, n_permutations, n_neighbors, refit, scheme, rng, run
            )
        permutations = _null_draws(X, y, scheme, n_permutations, rng)
        if refit:
            orders = SampleOrders(X, y)
            with orders.resampled():
                observed = clone(estimator).fit(X, y).mi_
            null = run(
                observed,
                [
                    delayed(_quiet_mi)(clone(estimator), X, y[p], orders=orders, rows=(None, p))
                    for p in permutations
                ],
                "permutation test",
            )
        else:
            check_is_fitted(estimator)
            observed = estimator.score(X, y)
            null = run(
                observed,
                [delayed(_quiet_score)(estimator, X, y[p]) for p in permutations],
                "permutation test",
            )
    return _test_result(observed, null, len(permutations), conditional=False, run=run)


def _null_draws(X, y, scheme, n_permutations, rng):
    """Index arrays for y under the null, by ``scheme`` (see :func:`permutation_test`)."""
    n = len(y)
    if scheme in ("auto", "permutation"):
        if scheme == "auto" and looks_like_time_series(X, y):
            warn_at_caller(
                "both X and y are serially dependent (a clear lag-1 autocorrelation on each "
                "side): a permutation p-value assumes exchangeable rows and is far too small "
                "for time series; pass scheme='circular' or 'block' (estimate_mi: "
                "time_series=True), or scheme='permutation' if the rows are exchangeable "
                "(e.g. a data set grouped by class).",
                SkmiWarning,
            )
        return [rng.permutation(n) for _ in range(n_permutations)]
    length = _decorrelation(X, y)
    if scheme == "circular":
        return circular_shifts(n, n_permutations, length, rng)
    return [block_permutation(n, length, rng) for _ in range(n_permutations)]


def looks_like_time_series(X, y):
    """Whether both sides have a clear lag-1 autocorrelation (rows in time order).

    A side with a column sorted in row order (a data set sorted by its
    target or a feature, as scikit-learn's wine and iris are) is no time
    series: its order says nothing about exchangeability.
    """
    if _has_sorted_column(X) or _has_sorted_column(y):
        return False
    return serially_dependent(X) and serially_dependent(y)


def _has_sorted_column(A):
    A = np.asarray(A)
    A = A.reshape(len(A), -1)
    if A.dtype == object:
        return False
    steps = np.diff(A, axis=0)
    return bool(np.any(np.all(steps >= 0, axis=0) | np.all(steps <= 0, axis=0)))


def _decorrelation(X, y):
    try:
        return decorrelation_length(X, y)
    except (TypeError, ValueError):
        raise ValueError(
            "a time-series scheme needs numeric X and y (their autocorrelation sets the "
            "block length)."
        ) from None


def _test_result(observed, null, n_permutations, conditional, run):
    null = np.asarray(null, dtype=np.float64)
    return PermutationTestResult(
        float(observed),
        run.p_value(observed, null, n_permutations),
        null,
        1.0 / (1.0 + n_permutations),
        conditional,
        stopped_early=run.stopped,
        stopped_note=run.stopped_note(len(null), n_permutations) if run.stopped else "",
    )


def _conditional_permutation_test(estimator, X, y, z, n_permutations, k, refit, scheme, rng, run):
    if not refit:
        raise ValueError("z needs refit=True: the conditional test refits on every permutation.")
    if scheme not in ("auto", "permutation"):
        raise ValueError(
            f"scheme={scheme!r} is not available with z: the conditional test permutes "
            "locally in z (Runge 2018), for exchangeable rows."
        )
    z = _conditioning_block(estimator, z, len(y))
    neighbours = _z_neighbours(z, min(k, len(z) - 1), rng)
    permutations = [_local_permutation(neighbours, rng) for _ in range(n_permutations)]
    orders = SampleOrders(X, y, z)
    with orders.resampled():
        observed = clone(estimator).fit(X, y, z=z).mi_
    null = run(
        observed,
        [
            delayed(_quiet_mi)(clone(estimator), X[p], y, z, orders=orders, rows=(p,))
            for p in permutations
        ],
        "conditional permutation test",
    )
    return _test_result(observed, null, n_permutations, conditional=True, run=run)


def _conditioning_block(estimator, z, n):
    """z as float64 (n, d_z), for an estimator that declares conditioning."""
    if not get_traits(estimator).conditioning:
        raise ValueError(
            f"z needs an estimator that conditions on z; {type(estimator).__name__} does not."
        )
    z = np.asarray(z.to_numpy() if hasattr(z, "iloc") else z, dtype=np.float64)
    z = z.reshape(len(z), -1)
    if len(z) != n:
        raise ValueError(
            f"X and z have inconsistent numbers of samples: X has {n}, z has {len(z)}."
        )
    return z


def _z_neighbours(z, k, rng):
    """Each sample itself, then its k nearest neighbours in standardised z (max-norm).

    The exact index every k-NN estimator here uses (:mod:`skmi._neighbors`);
    the sample leads its row, as in Runge's (2018) scheme. Ties in z (a
    discrete z) are broken at random, as the k-NN estimators break them: a
    fixed order would give every sample of a group the same few neighbours,
    and the permutations would leave most samples in place (82 % with two
    discrete z columns, n = 200, and the test lost most of its power).
    The noise comes from the test's generator: noise from a fixed seed was
    the very draws of an x made from the same seed, and the permutations
    left that x in place.
    """
    from skmi._neighbors import NeighborIndex
    from skmi._preprocessing import standardize

    scaled = standardize(z)
    scaled += _TIE_BREAK * rng.standard_normal(scaled.shape)
    others = NeighborIndex(scaled, "knn", backend="numba").knn(k)[1]
    return np.column_stack([np.arange(len(z)), others])


# Relative size of the noise that breaks ties among z-neighbours (KSG's jitter).
_TIE_BREAK = 1e-10


def _local_permutation(neighbours, rng):
    """Runge's (2018) restricted shuffle: sample i takes the X of a z-neighbour.

    Visit samples in random order; each takes the first of its neighbours
    (in random order) not yet taken, or a random neighbour when all are.
    """
    n, width = neighbours.shape
    order = rng.permutation(n)
    used = np.zeros(n, dtype=bool)
    source = np.empty(n, dtype=np.int64)
    for i in order:
        candidates = neighbours[i, rng.permutation(width)]
        free = candidates[~used[candidates]]
        j = free[0] if free.size else candidates[0]
        source[i] = j
        used[j] = True
    return source


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like"],
        "y": ["array-like"],
        "z": ["array-like", None],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "n_resamples": [None, Interval(Integral, 2, None, closed="left")],
        "method": [StrOptions({"auto", "subsample", "bootstrap", "seeds"})],
        "subsample_fraction": [Interval(Real, 0, 1, closed="neither")],
        "time_series": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_ci(
    estimator,
    X,
    y,
    *,
    z=None,
    confidence=0.95,
    n_resamples=None,
    method="auto",
    subsample_fraction=0.5,
    time_series=False,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """A confidence interval for an MI estimate, by the right kind of resampling.

    ``method="auto"`` uses the scheme the estimator declares valid for itself
    (its ``resampling`` trait, :mod:`skmi._traits`; a composite takes the
    strictest of its parts):

    * ``"subsample"`` (k-NN estimators and anything containing one): estimates
      on ``m = subsample_fraction * n`` samples drawn *without* replacement
      (duplicated rows would sit at distance 0 and inflate a k-NN estimate);
      their spread, scaled by ``sqrt(m / (n - m))`` (the finite-population
      rate: 1 at m = n/2), stands in for that of the estimate on n samples
      (Politis & Romano, 1994).
    * ``"bootstrap"`` (plug-in estimators: Gaussian, binned, kernel):
      resamples of n with replacement.
    * ``"seeds"`` (neural estimators): refits with ``random_state`` = 0, 1,
      ... (new split, initialisation and batches each time); the interval is
      ``mean +- t * sd * sqrt(1 + 1/r)``, where a single fit is expected to
      fall.

    For class targets (the fitted estimator has ``discrete_target_``), rows
    are resampled within each class, so that no resample loses a class.

    The subsample and bootstrap intervals are *centred percentile*
    intervals: ``estimate + (quantiles - median)`` of the (rate-scaled)
    resampled estimates. The median's distance from the estimate
    (``resample_shift``) is left out on purpose: it is the change of the
    estimator's *bias* under resampling (a k-NN estimate on n/2 samples is
    more biased than on n; a plug-in estimate on a bootstrap resample sees
    fewer distinct values and is biased upwards), not sampling error. The
    "basic" interval ``2 est - q`` reflects that shift through the estimate
    and produced intervals wholly on the wrong side of it (0.419 with
    (-0.477, -0.202)); the plain percentile interval adds it. Centred, the
    interval always contains its estimate, and its upper end is at least 0
    (MI is never negative).

    Parameters
    ----------
    estimator : skmi estimator (cloned for every fit)
    X, y : array-like
    z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
        An interval for the conditional MI I(X; y | z) (rows of z resampled
        with X and y).
    confidence : float in (0, 1), default=0.95
    n_resamples : int, optional
        Default 100 (subsample, bootstrap) or 5 (seeds).
    method : {"auto", "subsample", "bootstrap", "seeds"}, default="auto"
    subsample_fraction : float in (0, 1), default=0.5
    time_series : bool, default=False
        Rows are in time order and serially dependent: subsample windows of
        consecutive rows (moving-block subsampling, Politis, Romano and Wolf
        1999) instead of random rows, so that each resample keeps the
        series' dependence. Implies ``method="subsample"`` (not "seeds").
    random_state : int, RandomState instance or None
    n_jobs : int, default=None -- parallel jobs over resamples (joblib)
    verbose : int or bool, default=0
        Show progress over the resamples (a tqdm bar where installed).

    Returns
    -------
    ci : ConfidenceInterval
        ``estimate`` (on all data), ``low``, ``high``, ``confidence``,
        ``method``, ``interval``, ``description``, ``resample_shift``,
        ``replicates``.

    Raises
    ------
    ValueError
        On bad arguments or inconsistent lengths; ``method="seeds"`` with an
        estimator that has no ``random_state``.

    Notes
    -----
    The interval covers the estimator's variance, not its bias: where an
    estimator is biased (KSG in high dimension, any variational bound), it
    can be narrow and miss the truth. Measured coverage on Gaussian,
    discrete and mixed tasks is in the user guide ("Uncertainty") and
    ``benchmarks/calibration/bench_coverage.py``.

    References
    ----------
    .. [1] D. N. Politis and J. P. Romano, "Large sample confidence regions
       based on subsamples under minimal assumptions", Ann. Statist. 22(4),
       1994.
    .. [2] B. Efron and R. J. Tibshirani, "An Introduction to the
       Bootstrap", Chapman & Hall, 1993, chapter 13 (percentile intervals).
    .. [3] D. N. Politis, J. P. Romano and M. Wolf, "Subsampling",
       Springer, 1999 (windows of consecutive rows for time series).

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import GaussianMutualInfo, bootstrap_ci
    >>> from skmi.datasets import make_gaussian
    >>> X, y, truth = make_gaussian(2000, correlation=0.6, random_state=0)
    >>> ci = bootstrap_ci(GaussianMutualInfo(), X, y, random_state=0)
    >>> ci.method, bool(ci.low < truth < ci.high), bool(ci.low <= ci.estimate <= ci.high)
    ('bootstrap', True, True)
    """
    X, y = _as_arrays(X, y, "bootstrap_ci")
    if method == "auto":
        method = get_traits(estimator).resampling
    if time_series:
        if method == "seeds":
            raise ValueError("time_series=True resamples windows of rows; method='seeds' does not.")
        method = "subsample"
    if n_resamples is None:
        n_resamples = 5 if method == "seeds" else 100
    rng = check_random_state(random_state)
    alpha = 1.0 - confidence
    with once_at_caller():
        if method == "seeds":
            return _seeds_interval(estimator, X, y, n_resamples, confidence, n_jobs, verbose)
        if z is not None:
            z = _conditioning_block(estimator, z, len(y))
        orders = SampleOrders(X, y, z)
        with orders.resampled():
            fitted = clone(estimator).fit(X, y) if z is None else clone(estimator).fit(X, y, z=z)
        estimate = float(fitted.mi_)
        strata = None if time_series else _class_strata(fitted, y)
        if time_series:
            m = min(len(y) - 1, max(2, int(subsample_fraction * len(y))))
            draws = [moving_block(len(y), m, rng) for _ in range(n_resamples)]
            method = "moving-block"
        else:
            draws = [
                _draw(strata, len(y), method, subsample_fraction, rng) for _ in range(n_resamples)
            ]
        fits = run_tasks(
            (
                delayed(_quiet_mi)(
                    clone(estimator),
                    X[d],
                    y[d],
                    None if z is None else z[d],
                    orders=orders,
                    rows=(d, d, d),
                )
                for d in draws
            ),
            n_jobs=n_jobs,
            total=len(draws),
            description="interval resamples",
            verbose=verbose,
        )
    replicates = np.asarray(fits, dtype=np.float64)
    finite = replicates[np.isfinite(replicates)]
    if finite.size < 2:
        raise ValueError(
            f"only {finite.size} of {n_resamples} resamples gave a finite estimate; the "
            "data are too small or degenerate for an interval."
        )
    scale = 1.0
    if method in ("subsample", "moving-block"):
        # Rate correction. Across subsamples of m drawn without replacement
        # from n, an estimate varies with variance sigma^2 (1/m - 1/n) (the
        # finite-population factor), while the estimate on all n varies with
        # sigma^2 / n around its mean; so the spread scales by
        # sqrt(m / (n - m)) -- 1 at m = n/2. Politis & Romano's sqrt(m / n)
        # is its m/n -> 0 limit and gave intervals 0.7 times too narrow at
        # m = n/2 (coverage 0.75 instead of 0.95 on a 1x1 Gaussian).
        m, n = len(draws[0]), len(y)
        scale = np.sqrt(m / (n - m))
    q_lo, median, q_hi = np.quantile(finite, [alpha / 2, 0.5, 1 - alpha / 2])
    low = estimate + scale * (q_lo - median)
    high = max(estimate + scale * (q_hi - median), 0.0)
    return ConfidenceInterval(
        estimate,
        float(low),
        float(high),
        confidence,
        method,
        replicates,
        resample_shift=float(scale * (median - estimate)),
        stratified=strata is not None,
    )


def _seeds_interval(estimator, X, y, n_resamples, confidence, n_jobs, verbose=0):
    if "random_state" not in estimator.get_params():
        raise ValueError("method='seeds' needs an estimator with a random_state.")
    fits = run_tasks(
        (
            delayed(fitted_mi)(clone(estimator).set_params(random_state=seed), X, y)
            for seed in range(n_resamples)
        ),
        n_jobs=n_jobs,
        total=n_resamples,
        description="refits with new seeds",
        verbose=verbose,
    )
    replicates = np.asarray(fits, dtype=np.float64)
    mean, sd = replicates.mean(), replicates.std(ddof=1)
    alpha = 1.0 - confidence
    half = scipy_stats.t.ppf(1 - alpha / 2, n_resamples - 1) * sd * np.sqrt(1 + 1 / n_resamples)
    return ConfidenceInterval(
        float(mean),
        float(mean - half),
        float(max(mean + half, 0.0)),
        confidence,
        "seeds",
        replicates,
        interval="t (where one fit falls)",
    )


def _class_strata(fitted, y):
    """Row indices of each class when the estimator took y as classes, else None."""
    if not getattr(fitted, "discrete_target_", False):
        return None
    rows = np.asarray(y).reshape(len(y), -1)
    rows = rows.astype(str) if rows.dtype == object else rows
    codes = np.unique(rows, axis=0, return_inverse=True)[1].reshape(-1)
    return [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]


def _draw(strata, n, method, fraction, rng):
    """Row indices of one resample, within each class when ``strata`` is given."""
    parts = []
    for members in strata if strata is not None else [np.arange(n)]:
        size = len(members)
        if method == "subsample":
            m = min(size, max(2, int(fraction * size)))
            parts.append(rng.choice(members, size=m, replace=False))
        else:
            parts.append(members[rng.randint(0, size, size=size)])
    return np.concatenate(parts)
