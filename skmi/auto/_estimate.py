"""estimate_mi: a sound estimator for users who do not know which to pick.

This module only connects the parts: the sides (:mod:`skmi.auto._inputs`),
the plan (:mod:`skmi.auto._planner`, whose notes give the rules and the
evidence behind them), the method table (:mod:`skmi.auto._methods`), what
is said about the number (:mod:`skmi.auto._honesty`) and its uncertainty
(:mod:`skmi.auto._uncertainty`).
"""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from skmi._base import drop_constant_conditioning
from skmi._collinear import reduce_collinear
from skmi._dask import refuse_dask_collections
from skmi._ranks import (
    remember,
    series_orders,
    shared_orders,
    window_order,
)
from skmi._result import MIResult, clip
from skmi._sklearn_compat import Interval, StrOptions, validate_params
from skmi._traits import get_traits
from skmi._validation import check_int
from skmi._warnings import once_at_caller, warn_at_caller
from skmi.auto import _honesty, _planner
from skmi.auto._inputs import (
    Side,
    arrange,
    check_lag,
    check_same_length,
    dither_counts,
    lagged_rows,
    warn_on_unaligned_indexes,
)
from skmi.auto._lags import LagScan
from skmi.auto._methods import _BY_NAME, METHOD_TABLE, METHODS, _Build
from skmi.auto._uncertainty import add_interval, add_p_value
from skmi.exceptions import SkmiWarning, TiesWarning

# Fewer rows than this and estimate_mi refuses: the k-NN estimators need k + 1
# = 4, and two rows of anything are "discrete" with log 2 of plug-in MI.
MIN_SAMPLES = 5
# estimate_mi(normalize=...): the MI on a [0, 1] scale (see _honesty.normalized)
NORMALIZATIONS = ("linfoot", "arithmetic", "geometric", "min", "max")


def make_estimator(method, random_state=None, units="nats", class_target=None):
    """The skmi estimator behind a method name (a row of ``METHOD_TABLE``).

    ``class_target``: True when y holds class labels (k-NN estimators take
    Ross's form, "larger" pairs it with the classifier bounds), False when
    it does not, None to leave it to each estimator's
    ``discrete_target="auto"`` (by values; kept for direct callers).
    """
    return _BY_NAME[method].build(_Build(random_state, units, class_target))


_KINDS = StrOptions({"auto", "continuous", "discrete", "mixed"})


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "z": ["array-like", None],
        "method": [StrOptions(set(METHODS))],
        "x_kind": [_KINDS],
        "y_kind": [_KINDS],
        "ci": ["boolean"],
        "p_value": ["boolean"],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "time_series": ["boolean", None],
        "lag": [Integral, "array-like", None],
        "z_lag": [Integral],
        "normalize": [StrOptions(set(NORMALIZATIONS)), None],
        "units": [StrOptions({"nats", "bits"})],
        "random_state": ["random_state"],
        "n_jobs": [int, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def estimate_mi(
    X,
    y,
    z=None,
    *,
    method="auto",
    x_kind="auto",
    y_kind="auto",
    ci=False,
    p_value=False,
    n_permutations=100,
    time_series=None,
    lag=None,
    z_lag=0,
    normalize=None,
    units="nats",
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Estimate I(X; y) with a sound estimator, and optionally its uncertainty.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features_x)
        A 1-D array or a pandas Series is one column.
    y : array-like of shape (n_samples,) or (n_samples, n_features_y)
    z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
        Estimate the conditional MI I(X; y | z) instead (k-NN, Frenzel &
        Pompe 2007; with ``p_value`` the local permutation test of Runge 2018).
    method : str, default="auto"
        "auto" picks by the kind of each side, dimension, atoms and tail
        weight (the rules in the user guide, "Which estimator"); or one of:

        METHOD_LIST
    x_kind, y_kind : {"auto", "continuous", "discrete", "mixed"}, default="auto"
        How to take each side; "auto" classifies by the values
        (:mod:`skmi._data_kinds`), not by the dtype: an integer column of
        mostly unique values is continuous, a float column with two values
        discrete.
    ci : bool, default=False
        Add a 95 % interval (:func:`skmi.bootstrap_ci` with the resampling the
        estimator declares valid; ``ci_method`` says which).
    p_value : bool, default=False
        Add the permutation p-value of independence and the shuffle-adjusted
        estimate (:func:`skmi.permutation_test`). The permutations stop once
        10 of them reach the estimate (Besag and Clifford's sequential
        p-value, ``p = 10 / L`` after L permutations, as valid as the fixed
        one): a clear non-rejection costs about ``10 / p`` permutations, and
        ``notes`` says when the rule stopped early.
    n_permutations : int >= 1, default=100
        The most permutations drawn; the smallest p-value they can give is
        ``1 / (n_permutations + 1)``.
    time_series : bool or None, default=None
        True: the rows are in time order and serially dependent, so the
        p-value uses circular shifts of y (each series keeps its own
        autocorrelation) and the interval windows of consecutive rows
        (:mod:`skmi._surrogates`). False: rows are exchangeable (shuffles
        and random subsamples). None: as False, with one warning when both
        sides show a clear lag-1 autocorrelation and ``ci`` or ``p_value``
        is asked for (shuffling then gives far too small p-values: 17 of 20
        independent AR(1) pairs rejected at 5 %). A ``lag`` implies True
        unless False is passed.
    lag : int, sequence of int or None, default=None
        Lagged MI of series in row order: ``I(X_t; y_{t+lag})`` (a positive
        lag: X leads y). Rows without a partner are dropped (``n_dropped``
        in the result, and a note). A sequence scans the lags and returns a
        :class:`~skmi.auto.LagScan`: one result per lag, ``to_frame()`` for a table.
    z_lag : int, default=0
        With ``z``: condition on ``z_{t+z_lag}`` (the lag of z relative to X).
    normalize : {"linfoot", "arithmetic", "geometric", "min", "max"}, optional
        Also fill ``result.normalized``, the MI on a [0, 1] scale.
        ``"linfoot"``: ``sqrt(1 - exp(-2 I))``, the information coefficient
        of correlation (Linfoot 1957), equal to ``|rho|`` for a Gaussian pair;
        for any sides. The others divide I by the arithmetic or geometric
        mean, the smaller or the larger of H(X) and H(y), as
        :func:`sklearn.metrics.normalized_mutual_info_score` does; they need
        both sides discrete, and the entropies are plug-in with Miller-Madow
        (the correction the binned MI uses), so the ratio is consistent.
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None
    n_jobs : int or None
        Parallel jobs for the resampling (joblib).
    verbose : int or bool, default=0
        Show progress over the interval's resamples and the test's
        permutations (tqdm bars where installed): at n = 10^5 they take a
        minute.

    Returns
    -------
    result : MIResult
        ``estimate``, ``method``, ``estimator`` (fitted), ``reason``,
        ``x_kind``, ``y_kind``, ``notes``, and ``ci`` (low, high),
        ``ci_method``, ``p_value``, ``min_p_value``, ``adjusted_estimate``
        when asked.

    Raises
    ------
    ValueError
        On bad arguments, unusable data (constant sides, too few samples), or
        when the chosen estimator has no finite answer (e.g. ``x_kind=
        "discrete"`` on values that are all distinct).

    Warns
    -----
    SkmiWarning
        Once per call: a continuous side that is a monotone function of the
        other (the MI is infinite), an estimate at the ceiling of what a k-NN
        estimate can reach at this n, k-NN in high joint dimension.

    Examples
    --------
    >>> from skmi import estimate_mi
    >>> from skmi.datasets import make_transformed_gaussian
    >>> X, y, truth = make_transformed_gaussian(3000, transform="exp", correlation=0.8,
    ...                                         random_state=0)
    >>> result = estimate_mi(X, y, random_state=0)
    >>> result.method, result.x_kind, abs(result.estimate - truth) < 0.05
    ('t-copula-or-ksg', 'continuous', True)
    """
    check_int(n_permutations, "n_permutations", min_value=1)
    refuse_dask_collections("estimate_mi", X=X, y=y, z=z)
    if isinstance(z_lag, (bool, np.bool_)):
        raise ValueError(f"z_lag must be an integer; got {z_lag!r}.")
    if z_lag != 0 and z is None:
        raise ValueError("z_lag needs z: it is the lag of z relative to X.")
    if z_lag != 0 and lag is None:
        lag = 0  # z_lag alone: X and y aligned, z shifted
    if isinstance(lag, (bool, np.bool_)):
        raise ValueError(f"lag must be an integer or a sequence of integers; got {lag!r}.")
    serial = time_series or (time_series is None and lag is not None)
    if z is not None and (ci or p_value) and serial:
        raise ValueError(
            "time-series intervals and p-values are not available with z yet (the "
            "conditional test permutes locally in z, for exchangeable rows). Leave out z, or "
            "pass time_series=False if the rows are exchangeable; for a conditional test on "
            "series see skmi.transfer_entropy(..., z=...)."
        )
    warn_on_unaligned_indexes(X, y, z)
    if lag is not None and time_series is None:
        time_series = True  # lagged rows are a time series
    options = Options(
        method=method,
        x_kind=x_kind,
        y_kind=y_kind,
        ci=ci,
        p_value=p_value,
        n_permutations=n_permutations,
        units=units,
        seed=random_state,
        n_jobs=n_jobs,
        time_series=time_series,
        normalize=normalize,
        verbose=verbose,
    )
    # one scope of shared sort orders per call (skmi._ranks): the parts of each
    # estimate, and every lag of a scan, sort each column once
    with once_at_caller(), shared_orders():
        x, y = Side(X, "X"), Side(y, "y")
        z = None if z is None else Side(z, "z")
        if lag is None:
            return _estimate_mi(x, y, z, options)
        if isinstance(lag, Integral):
            return _lagged(x, y, z, int(lag), z_lag, options)
        values = np.asarray(lag, dtype=object)
        if values.ndim != 1:
            raise ValueError(f"lag must be an integer or a 1-D sequence of integers; got {lag!r}.")
        lags = [check_lag(v) for v in values]
        if not lags:
            raise ValueError("lag is an empty sequence; give at least one lag.")
        series = _SeriesOrders(x, y, z)
        return LagScan(_lagged(x, y, z, v, z_lag, options, series) for v in lags)


def _method_list(indent="        "):
    """The method table as a numpydoc definition list, for estimate_mi's docstring."""
    lines = []
    for m in METHOD_TABLE:
        lines += [f'{indent}- ``"{m.name}"``: {m.help}']
    return "\n".join(lines).lstrip()


estimate_mi.__doc__ = estimate_mi.__doc__.replace("METHOD_LIST", _method_list())


@dataclass
class Options:
    """What the caller asked of one estimate (everything but the data)."""

    method: str
    x_kind: str
    y_kind: str
    ci: bool
    p_value: bool
    n_permutations: int
    units: str
    seed: object
    n_jobs: object
    time_series: object
    normalize: str = None
    verbose: int = 0


def _lagged(x, y, z, lag, z_lag, options, series=None):
    check_same_length(x, y)
    if z is not None:
        check_same_length(x, z)
    rows = lagged_rows(len(x), lag, None if z is None else z_lag)
    if series is not None:
        series.remember_windows(rows[0], rows[-1] + 1, lag, z_lag)
    z_rows = None if z is None else z.rows(rows + z_lag)
    result = _estimate_mi(x.rows(rows), y.rows(rows + lag), z_rows, options)
    dropped = len(x) - len(rows)
    result.lag, result.n_dropped = lag, dropped
    result.notes.append(
        f"lag {lag}: I(X_t; y_(t{lag:+d})) on {len(rows)} aligned rows ({dropped} dropped)"
    )
    return result


class _SeriesOrders:
    """The sort order of each column of the whole series, once for a lag scan.

    Each lag's rows are windows of the series; their orders follow in O(n)
    (:func:`skmi._ranks.window_order`) and are offered to the scope, where
    every part of that lag's estimate finds them instead of sorting.
    """

    # columns in all: the scope keeps 16 orders, half for the parts' own subsamples
    LIMIT = 8

    def __init__(self, x, y, z):
        sides = [x, y] + ([] if z is None else [z])
        if sum(side.width for side in sides) > self.LIMIT:
            sides = []
        self.orders = [series_orders(side.values, self.LIMIT) for side in sides]

    def remember_windows(self, start, stop, lag, z_lag):
        for orders, shift in zip(self.orders, (0, lag, z_lag), strict=False):
            for order in orders:
                remember(window_order(order, start + shift, stop + shift))


def _check_sides(x, y):
    check_same_length(x, y)
    for side in (x, y):
        if side.is_constant():
            raise ValueError(
                f"{side.name} is constant: it has a single value, so its mutual information "
                f"with anything is 0. Check the {side.name} you passed."
            )
    if len(x) < MIN_SAMPLES:
        raise ValueError(
            f"estimate_mi needs at least {MIN_SAMPLES} samples (rows of X and y); got "
            f"{len(x)}. With fewer, no estimator here has an answer worth giving."
        )


def _without_constant_columns(z):
    """z less its constant columns (None when all are: I(X; y | c) = I(X; y)), with a warning.

    Before the plan: a constant column reads as discrete and would route the
    estimate to Gao et al.'s counting where the unconditional route applies.
    """
    if z is None:
        return None
    varying = drop_constant_conditioning(z.floats)
    if varying is None:
        return None
    return z if varying.shape[1] == z.width else Side(varying, "z", checked=True)


def _make_plan(x, y, z, options):
    """The plan: the auto rules (conditional with z), or the caller's method."""
    plan = _planner.plan(x, y)
    if z is not None:
        z.classify(as_floats=True)  # symbols in z are refused here, by name
        check_same_length(x, z)
        plan = _planner.conditional_plan(plan, z)
    if options.method != "auto":
        plan = _planner.caller_plan(options.method, x, y)
    if plan.class_side is not None and plan.method != "binned":
        side = x if plan.class_side == "x" else y
        if np.bincount(side.labels).max() < 2:
            raise ValueError(
                f"every value of {side.name}, taken as classes, occurs once, so no class has a "
                "neighbour and nothing can be estimated: IDs or names carry no information "
                f"about the other side. If {side.name} holds numbers that measure something, "
                f"pass {side.name.lower()}_kind='continuous'."
            )
    return plan


def _estimate_mi(x, y, z, options):
    """One estimate on checked sides, with what the caller asked for."""
    _check_sides(x, y)
    x.classify(options.x_kind)
    y.classify(options.y_kind)
    if options.normalize not in (None, "linfoot") and not (
        x.kind.kind == y.kind.kind == "discrete"
    ):
        raise ValueError(
            f"normalize={options.normalize!r} divides by entropies of discrete sides; here X "
            f"is {x.kind.kind} and y is {y.kind.kind}. Use normalize='linfoot' for "
            "continuous or mixed sides."
        )
    z = _without_constant_columns(z)
    plan = _make_plan(x, y, z, options)
    units, seed = options.units, options.seed
    estimator = make_estimator(plan.method, seed, units, class_target=plan.class_side is not None)
    X_fit, y_fit = dither_counts(plan, *arrange(plan, x, y), seed)
    z_fit = None if z is None else z.floats
    reduced = ""
    if plan.method == "t-copula-or-ksg" and z is None:
        X_fit, y_fit, reduced = reduce_collinear(X_fit, y_fit)
    if z is not None and not get_traits(estimator).conditioning:
        raise ValueError(f"method {plan.method!r} does not estimate conditional MI (z).")
    estimate = _fit(estimator, X_fit, y_fit, z_fit, x, y, plan, chosen=options.method == "auto")
    result = MIResult(
        estimate,
        plan.method,
        estimator,
        units,
        reason=plan.reason + getattr(estimator, "reason_", ""),
        x_kind=x.kind.kind,
        y_kind=y.kind.kind,
        raw_estimate=estimate,
    )
    if reduced:
        result.notes.append(reduced)
    bounds = _honesty.hard_bounds(x, y, units)
    result.estimate = clip(estimate, *bounds, result.notes, units)
    _honesty.warn_where_unreliable(x, y, z, plan, estimator, result)
    if result.infinite:
        if options.normalize == "linfoot":
            result.normalized = 1.0  # sqrt(1 - exp(-inf))
        return result  # no interval or test of a quantity that is not finite
    serial = _resampling_is_serial(result, X_fit, y_fit, z, options)
    # resamples and permutations take their sort orders from the sample's
    # (skmi._ranks.SampleOrders), each in a scope of its own
    if options.ci:
        add_interval(result, estimator, X_fit, y_fit, z_fit, serial, bounds, options)
    if options.p_value:
        add_p_value(result, estimator, X_fit, y_fit, z_fit, serial, options)
    if options.normalize is not None:
        result.normalized = _honesty.normalized(result, x, y, options.normalize)
    return result


def _resampling_is_serial(result, X_fit, y_fit, z, options):
    """Whether the interval and test resample as a time series; warn where unsure."""
    from skmi.stats import looks_like_time_series

    time_series = options.time_series
    asked = options.ci or options.p_value
    if asked and time_series is None and looks_like_time_series(X_fit, y_fit):
        message = (
            "both X and y are serially dependent (a clear lag-1 autocorrelation on each "
            "side): the interval and p-value assume exchangeable rows and are far too "
            "narrow / small for time series; pass time_series=True (circular shifts and "
            "windows of consecutive rows), or time_series=False if the rows are exchangeable "
            "(e.g. a data set grouped by class)."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    if time_series and z is not None:
        result.notes.append(
            "time_series=True is not available with z: the conditional test and interval "
            "assume exchangeable rows"
        )
    return bool(time_series) and z is None


def _fit(estimator, X_fit, y_fit, z, x, y, plan, chosen):
    """Fit; refuse a non-finite estimate with the reason."""
    with warnings.catch_warnings():
        if chosen and "continuous" in (x.kind.kind, y.kind.kind):
            # The data kinds decided the ties in a continuous side are
            # rounding, broken by jitter; the estimator's advice to count them
            # as atoms would contradict the choice the reason explains.
            warnings.simplefilter("ignore", TiesWarning)
        if z is None:
            estimator.fit(X_fit, y_fit)
        else:
            estimator.fit(X_fit, y_fit, z=z)
    estimate = float(estimator.mi_)
    if not np.isfinite(estimate):
        if not np.isnan(estimate):
            return estimate  # +inf: a Gaussian model saw an exact linear relation (it warned)
        raise ValueError(
            f"method {plan.method!r} has no finite estimate on these data ({x.kind.reason}; "
            f"{y.kind.reason})."
        )
    return estimate
