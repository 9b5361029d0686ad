"""Transfer entropy: what a source's past adds to a target's own past.

``TE(source -> target) = I(target_t ; source_past | target_past)``: a
conditional mutual information between time-embedded copies of the series,
estimated by any skmi estimator that conditions on z (KSG by default, the
Gaussian closed form, or plug-in counts of binned values). The embedding is
the whole of the time-series part; the counting is the estimators' own.

Lags, for a target value at time t (``tau`` the embedding delay):

* target past: ``t - 1, t - 1 - tau, ..., t - 1 - (target_history - 1) tau``;
* source past: ``t - delay, t - delay - tau, ..., t - delay - (source_history - 1) tau``;
* each conditioning series z (conditional TE): the source's lags.

The first ``n_dropped_ = max(1 + (target_history - 1) tau, delay +
(source_history - 1) tau)`` rows have no complete past and are dropped.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from skmi._base import BaseMutualInfo, drop_constant_conditioning
from skmi._null import SEQUENTIAL_EXCEEDANCES, NullRun
from skmi._sklearn_compat import Interval, StrOptions, validate_params
from skmi._traits import MITraits
from skmi._units import from_nats
from skmi._validation import check_int, detach_tensor
from skmi._warnings import once_at_caller
from skmi.exceptions import SkmiWarning

METHODS = ("ksg", "gaussian", "binned")


def embedding_lags(target_history=1, source_history=1, tau=1, delay=1):
    """The lags of the target's and the source's pasts, and the rows they drop.

    Parameters
    ----------
    target_history, source_history : int >= 1
        Number of past values of the target (k) and of the source (l).
    tau : int >= 1
        Embedding delay: the spacing of the past values.
    delay : int >= 1
        Source-target delay: the lag of the source's most recent value.

    Returns
    -------
    target_lags, source_lags : list of int
    n_dropped : int
        The largest lag: rows before it have no complete past.

    Raises
    ------
    TypeError, ValueError
        If an argument is not an integer >= 1.

    Examples
    --------
    >>> embedding_lags(target_history=2, source_history=2, tau=2, delay=1)
    ([1, 3], [1, 3], 3)
    """
    k = check_int(target_history, "target_history", min_value=1)
    ell = check_int(source_history, "source_history", min_value=1)
    tau = check_int(tau, "tau", min_value=1)
    delay = check_int(delay, "delay", min_value=1)
    target_lags = [1 + j * tau for j in range(k)]
    source_lags = [delay + j * tau for j in range(ell)]
    return target_lags, source_lags, max(target_lags[-1], source_lags[-1])


def _lagged(A, lags, start):
    """Rows ``start..n-1`` of ``A`` at each lag: blocks of A's columns, lag by lag."""
    n = len(A)
    return np.hstack([A[start - lag : n - lag] for lag in lags])


class TransferEntropy(BaseMutualInfo):
    """Transfer entropy from a source series X to a target series y.

    ``TE(X -> y) = I(y_t ; X_past | y_past)`` (Schreiber, 2000): how much the
    source's past tells about the target's next value beyond what the
    target's own past tells. With ``z`` (``fit(X, y, z=Z)``), the
    conditional transfer entropy: the pasts of the series in Z (at the
    source's lags) join the conditioning set, which removes what X and y
    share only through a common driver in Z.

    The estimate is a conditional MI of the embedded arrays, computed by
    ``KSGMutualInfo(n_neighbors, random_state).fit(X_past, y_now,
    z=[y_past, Z_past])`` (Frenzel & Pompe, 2007) by default: exactly the
    value that call gives on the same arrays.

    Parameters
    ----------
    target_history : int >= 1, default=1
        k, the number of past target values conditioned on.
    source_history : int >= 1, default=1
        l, the number of past source values (and of each z series).
    tau : int >= 1, default=1
        Embedding delay: the spacing in rows between past values.
    delay : int >= 1, default=1
        Source-target delay u: the source's most recent value used for
        ``y_t`` is ``X_{t-u}``.
    method : {"ksg", "gaussian", "binned"}, default="ksg"
        ``"ksg"``: k-NN conditional MI (Frenzel & Pompe, 2007), consistent
        for any continuous law. ``"gaussian"``: the closed form of a fitted
        Gaussian, which is half the Granger causality log-ratio ``F = log
        (var(y_t | y_past) / var(y_t | y_past, X_past))`` (Barnett, Barrett &
        Seth, 2009): exact for linear Gaussian processes. ``"binned"``:
        plug-in counts, each continuous column cut into ``n_bins``
        equal-width bins (edges from the training series, shared by its past
        and present values), discrete columns used as they are.
    n_neighbors : int >= 1, default=3
        k of the k-NN estimator (``method="ksg"``).
    n_bins : int >= 2, default=8
        Bins per continuous column (``method="binned"``).
    theiler_window : int >= 0, default=0
        ``method="ksg"`` only: embedded rows within this many time steps of
        row t are left out of its k-NN search and counts (the Theiler window
        of :class:`KSGMutualInfo`, JIDT's ``DYN_CORR_EXCL``; 0 leaves out t
        alone). A positive window with ``"gaussian"`` or ``"binned"``, which
        count no neighbours, raises ``ValueError``.
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None, default=None
        Seeds the k-NN tie-breaking jitter: the same seed gives bit-for-bit
        the same estimate.

    Attributes
    ----------
    te_ : float
        The transfer entropy on the training series, in ``units``. Not
        clipped: a negative value is a small TE plus noise.
    mi_ : float
        Equal to ``te_`` (the MI-estimator contract).
    n_dropped_ : int
        Rows lost to the embedding (they have no complete past).
    estimator_ : object
        The fitted conditional-MI estimator, on the embedded arrays.
    n_features_in_ : int
        Columns of the source X.

    See Also
    --------
    transfer_entropy : the estimate with a surrogate p-value and an interval.
    KSGMutualInfo : the conditional k-NN estimator used by default.

    Notes
    -----
    ``score(X, y)`` estimates the TE of new series with the same parameters
    (and, for ``"binned"``, the training bins); ``pointwise_mi`` returns the
    local transfer entropy of each time step (Lizier et al., 2008), NaN for
    the first ``n_dropped_`` rows, so that ``np.nanmean`` of the terms is
    the estimate.

    Rows are time steps. Generic resampling of rows (``bootstrap_ci``
    without ``time_series=True``, ``permutation_test``) breaks the
    embedding; :func:`transfer_entropy` resamples correctly (circular shifts
    of the source for the p-value, windows of consecutive embedded rows for
    the interval). By default k-NN neighbours may be temporally adjacent
    rows, which biases estimates of strongly autocorrelated (oversampled)
    series; ``theiler_window`` of about the autocorrelation time leaves
    those rows out (Theiler, 1986).

    References
    ----------
    .. [1] T. Schreiber, "Measuring information transfer", Phys. Rev. Lett.
       85, 461, 2000.
    .. [2] S. Frenzel and B. Pompe, "Partial mutual information for coupling
       analysis of multivariate time series", Phys. Rev. Lett. 99, 204101,
       2007.
    .. [3] L. Barnett, A. B. Barrett and A. K. Seth, "Granger causality and
       transfer entropy are equivalent for Gaussian variables", Phys. Rev.
       Lett. 103, 238701, 2009.
    .. [4] J. T. Lizier, M. Prokopenko and A. Y. Zomaya, "Local information
       transfer as a spatiotemporal filter for complex systems", Phys. Rev.
       E 77, 026110, 2008.
    .. [5] J. Theiler, "Spurious dimension from correlation algorithms applied
       to limited time-series data", Phys. Rev. A 34, 2427, 1986.

    Examples
    --------
    y follows x with one step of delay; x does not follow y.

    >>> import numpy as np
    >>> from skmi import TransferEntropy
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(3000)
    >>> y = np.zeros(3000)
    >>> for t in range(1, 3000):
    ...     y[t] = 0.5 * y[t - 1] + 0.8 * x[t - 1] + 0.6 * rng.standard_normal()
    >>> te = TransferEntropy(random_state=0).fit(x[:, None], y)
    >>> te.n_dropped_, bool(te.te_ > 0.3)
    (1, True)
    >>> bool(abs(TransferEntropy(random_state=0).fit(y[:, None], x).te_) < 0.03)
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "target_history": [Interval(Integral, 1, None, closed="left")],
        "source_history": [Interval(Integral, 1, None, closed="left")],
        "tau": [Interval(Integral, 1, None, closed="left")],
        "delay": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions(set(METHODS))],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "theiler_window": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }
    # Rows are time steps: only windows of consecutive rows keep the
    # embedding (bootstrap_ci(time_series=True)); "subsample" is the
    # strictest row scheme the traits can declare.
    _mi_traits = MITraits(resampling="subsample", conditioning=True, pointwise=True)

    def __init__(
        self,
        target_history=1,
        source_history=1,
        tau=1,
        delay=1,
        *,
        method="ksg",
        n_neighbors=3,
        n_bins=8,
        theiler_window=0,
        units="nats",
        random_state=None,
    ):
        self.target_history = target_history
        self.source_history = source_history
        self.tau = tau
        self.delay = delay
        self.method = method
        self.n_neighbors = n_neighbors
        self.n_bins = n_bins
        self.theiler_window = theiler_window
        self.units = units
        self.random_state = random_state

    def pointwise_mi(self, X, y, z=None):
        """Local transfer entropy of each time step, in ``units``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
            The source series.
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
            The target series.
        z : array-like of shape (n_samples, n_features_z), optional
            The conditioning series; required when the estimator was fitted
            with z.

        Returns
        -------
        terms : ndarray of shape (n_samples,)
            NaN for the first ``n_dropped_`` rows (no complete past); their
            ``np.nanmean`` is ``score(X, y)``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has not been fitted.
        ValueError
            As :meth:`score`.
        """
        return self._pointwise(X, y, z)

    # -- BaseMutualInfo hooks ---------------------------------------------------

    @property
    def _columns_fixed_at_fit(self):
        # the binned method's edges belong to the columns kept at fit
        return self.method == "binned"

    def _lags(self):
        return embedding_lags(self.target_history, self.source_history, self.tau, self.delay)

    def _min_samples(self):
        n_dropped = self._lags()[2]
        return n_dropped + (self._inner()._min_samples() if self.method == "ksg" else 3)

    def _min_samples_reason(self):
        n_dropped = self._lags()[2]
        left = "3"
        if self.method == "ksg":
            window = " + 2 * theiler_window" if self.theiler_window else ""
            left = f"n_neighbors + 1{window} = {self._inner()._min_samples()}"
        return (
            f": the embedding (target_history={self.target_history}, source_history="
            f"{self.source_history}, tau={self.tau}, delay={self.delay}) uses the first "
            f"{n_dropped} rows as the past, and at least {left} rows must remain"
        )

    def _fit(self, X, y, z):
        self.n_dropped_ = self._lags()[2]
        if self.method == "binned":
            self._binning = {
                name: _fit_binning(A, self.n_bins)
                for name, A in (("X", X), ("y", y), ("z", z))
                if A is not None
            }
        source_past, target_now, cond = self._design(X, y, z)
        inner = self._inner()
        with once_at_caller():
            inner.fit(source_past, target_now, z=cond)
        self.estimator_ = inner
        te = float(inner.mi_)
        self.te_ = self._from_nats(te)
        return te

    def _estimate(self, X, y, z):
        source_past, target_now, cond = self._design(X, y, z)
        with once_at_caller():
            return float(self._inner().fit(source_past, target_now, z=cond).mi_)

    def _pointwise_nats(self, X, y, z):
        source_past, target_now, cond = self._design(X, y, z)
        inner = self._inner()
        with once_at_caller():
            inner.fit(source_past, target_now, z=cond)
            local = inner.pointwise_mi(source_past, target_now, z=cond)
        n_dropped = self._lags()[2]
        return np.concatenate([np.full(n_dropped, np.nan), local])

    # -- the embedding ------------------------------------------------------------

    def _inner(self):
        """The conditional-MI estimator of the embedded arrays (nats)."""
        if self.theiler_window and self.method != "ksg":
            raise ValueError(
                f"theiler_window={self.theiler_window} applies to method='ksg' only: "
                f"method={self.method!r} counts no neighbours. Pass theiler_window=0."
            )
        if self.method == "gaussian":
            from skmi._gaussian import GaussianMutualInfo

            return GaussianMutualInfo()
        if self.method == "binned":
            return _SymbolConditionalMI()
        from skmi._ksg import KSGMutualInfo

        return KSGMutualInfo(
            n_neighbors=self.n_neighbors,
            discrete_target=False,
            theiler_window=self.theiler_window,
            random_state=self.random_state,
        )

    def _design(self, X, y, z):
        """``(source_past, target_now, conditioning)``: the arrays the estimator sees."""
        if self.method == "binned":
            X = _apply_binning(X, self._binning["X"], "X")
            y = _apply_binning(y, self._binning["y"], "y")
            if z is not None:
                z = _apply_binning(z, self._binning["z"], "z")
        target_lags, source_lags, start = self._lags()
        y = y.reshape(len(y), -1)
        source_past = _lagged(X, source_lags, start)
        target_now = y[start:]
        cond = [_lagged(y, target_lags, start)]
        if z is not None:
            cond.append(_lagged(z, source_lags, start))
        return source_past, target_now, np.hstack(cond)


# ---------------------------------------------------------------------------
# binned: plug-in conditional MI of symbols
# ---------------------------------------------------------------------------


def _fit_binning(A, n_bins):
    """Per column: None (discrete, its values are symbols) or the inner bin edges."""
    from skmi._data_kinds import classify_column

    A = A.reshape(len(A), -1)
    binning = []
    for c in range(A.shape[1]):
        column = A[:, c]
        if classify_column(column)[0] == "discrete":
            binning.append(None)
            continue
        low, high = float(column.min()), float(column.max())
        inner = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
        binning.append(low * (1.0 - inner) + high * inner)
    return binning


def _apply_binning(A, binning, name):
    A = A.reshape(len(A), -1)
    if A.shape[1] != len(binning):
        raise ValueError(
            f"{name} has {A.shape[1]} non-constant columns, but the bins were fitted on "
            f"{len(binning)}."
        )
    codes = np.empty(A.shape, dtype=np.float64)
    for c, edges in enumerate(binning):
        if edges is None:
            codes[:, c] = np.unique(A[:, c], return_inverse=True)[1].reshape(-1)
        else:
            codes[:, c] = np.searchsorted(edges, A[:, c], side="right")
    return codes


def _row_labels(*blocks):
    """One dense label per row of the blocks side by side, and the label counts."""
    rows = np.hstack([b.reshape(len(b), -1) for b in blocks])
    _, labels, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    return labels.reshape(-1), counts


class _SymbolConditionalMI(BaseMutualInfo):
    """Plug-in I(X; y | z) of symbol codes (each row of a block one symbol).

    ``H(X, z) + H(y, z) - H(X, y, z) - H(z)`` from the counts; the pointwise
    terms ``log(c_xyz c_z / (c_xz c_yz))`` average to it exactly. Private:
    the binned method of :class:`TransferEntropy` on embedded bin codes.
    """

    _mi_traits = MITraits(resampling="bootstrap", conditioning=True, pointwise=True)

    def __init__(self, units="nats"):
        self.units = units

    def _drops_constant_columns(self, name):
        return False  # a column of one bin is one symbol: nothing to drop

    def pointwise_mi(self, X, y, z=None):
        """Per-row ``log(c_xyz c_z / (c_xz c_yz))`` (``log(n c_xy / (c_x c_y))`` without z).

        Parameters
        ----------
        X, y : array-like of symbol codes
        z : array-like of symbol codes, optional

        Returns
        -------
        terms : ndarray of shape (n_samples,)

        Raises
        ------
        ValueError
            As ``score``.
        """
        return self._pointwise(X, y, z)

    def _estimate(self, X, y, z):
        return float(np.mean(self._pointwise_nats(X, y, z)))

    def _pointwise_nats(self, X, y, z):
        n = len(X)
        if z is None:
            z = np.zeros((n, 1))
        xz, c_xz = _row_labels(X, z)
        yz, c_yz = _row_labels(y, z)
        xyz, c_xyz = _row_labels(X, y, z)
        zz, c_z = _row_labels(z)
        return np.log(c_xyz[xyz] * c_z[zz] / (c_xz[xz] * c_yz[yz].astype(np.float64)))


# ---------------------------------------------------------------------------
# the function: estimate, surrogate p-value, interval
# ---------------------------------------------------------------------------


def _as_series(A, name):
    """A series (n,) or (n, d) as float64 (n, d); errors name the argument."""
    if A is None:
        raise ValueError(f"{name} is None; pass an array of shape (n_samples,) or (n_samples, d).")
    A = detach_tensor(A)
    A = A.to_numpy() if hasattr(A, "to_numpy") else np.asarray(A)
    if A.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, n_features); got an array "
            f"with {A.ndim} dimensions."
        )
    try:
        A = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} has non-numeric values; transfer entropy takes numbers."
        ) from None
    A = A.reshape(len(A), -1)
    if A.shape[1] == 0:
        raise ValueError(f"{name} has 0 columns; it needs at least one.")
    if np.isnan(A).any():
        raise ValueError(
            f"{name} contains NaN (a missing value); transfer entropy needs every row."
        )
    if not np.isfinite(A).all():
        raise ValueError(f"{name} contains inf; transfer entropy needs finite values.")
    return A


def _null_te(estimator, source, target, z, index):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(estimator).fit(source[index], target, z=z).te_


def _determined_target(source_past, target_now, conditioning):
    """Words saying the target's present is a function of the pasts, or "".

    ``h(target_t | source past, target past)`` is then minus infinity (and
    the TE infinite) unless the target's own past already determines it.
    Uses the many-to-one test of :func:`skmi._determinism.functional_relation`
    (ranks; at least ``MIN_SAMPLES`` rows, at most ``MAX_DIMENSION`` inputs).
    """
    from skmi._determinism import functional_relation

    pasts = np.hstack([source_past, conditioning]).astype(np.float64)
    now = target_now.astype(np.float64)
    if not functional_relation(pasts, now).startswith("y is a function"):
        return ""
    if functional_relation(conditioning.astype(np.float64), now).startswith("y is a function"):
        return ""  # its own past determines it: no information left to transfer
    return "the target's present is a function of the source's past (and its own)"


@validate_params(
    {
        "source": ["array-like"],
        "target": ["array-like"],
        "z": ["array-like", None],
        "target_history": [Interval(Integral, 1, None, closed="left")],
        "source_history": [Interval(Integral, 1, None, closed="left")],
        "tau": [Interval(Integral, 1, None, closed="left")],
        "delay": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions(set(METHODS))],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "theiler_window": [Interval(Integral, 0, None, closed="left")],
        "units": [StrOptions({"nats", "bits"})],
        "ci": ["boolean"],
        "p_value": ["boolean"],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def transfer_entropy(
    source,
    target,
    *,
    z=None,
    target_history=1,
    source_history=1,
    tau=1,
    delay=1,
    method="ksg",
    n_neighbors=3,
    n_bins=8,
    theiler_window=0,
    units="nats",
    ci=False,
    p_value=False,
    n_permutations=100,
    random_state=None,
    n_jobs=None,
):
    """Transfer entropy from ``source`` to ``target``, with its uncertainty.

    Fits :class:`TransferEntropy` (see there for the embedding and the
    methods) and optionally adds a p-value of "no transfer" from
    time-series surrogates and an interval from windows of consecutive rows.

    Parameters
    ----------
    source : array-like of shape (n_samples,) or (n_samples, n_features_source)
        The source series, rows in time order.
    target : array-like of shape (n_samples,) or (n_samples, n_features_target)
        The target series, on the same time steps.
    z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
        Other series whose pasts (at the source's lags) are conditioned on:
        the conditional transfer entropy.
    target_history, source_history, tau, delay : int >= 1, default=1
        The embedding (:class:`TransferEntropy`).
    method : {"ksg", "gaussian", "binned"}, default="ksg"
    n_neighbors : int >= 1, default=3
    n_bins : int >= 2, default=8
    theiler_window : int >= 0, default=0
        The Theiler window of the k-NN counts (:class:`TransferEntropy`);
        ``method="ksg"`` only.
    units : {"nats", "bits"}, default="nats"
    ci : bool, default=False
        Add a 95 % interval: :func:`skmi.bootstrap_ci` with
        ``time_series=True`` (windows of consecutive rows of the embedded
        arrays, moving-block subsampling), widened by the bias the windows
        measure, as :func:`skmi.estimate_mi` does.
    p_value : bool, default=False
        Add the p-value of "no transfer": the source circularly shifted by
        lags of at least the decorrelation length of the series (and more
        than the embedding span) against the unshifted target, so that each
        series keeps its own dynamics -- the target's history in particular
        -- and only the source-target alignment is broken. Row shuffles
        would destroy the source's autocorrelation and reject far too often.
    n_permutations : int >= 1, default=100
        The most surrogates drawn; the smallest p-value is
        ``1 / (n_permutations + 1)``. They stop once 10 reach the estimate
        (Besag and Clifford's sequential p-value, ``p = 10 / L`` after L
        surrogates, as valid as the fixed one; ``notes`` says so).
    random_state : int, RandomState instance or None
        Seeds the estimator, the surrogates and the windows.
    n_jobs : int or None
        Parallel jobs for the surrogates and windows (joblib).

    Returns
    -------
    result : MIResult
        ``estimate`` (the TE, clipped at 0 with a note; ``raw_estimate``
        unclipped), ``method``, ``estimator`` (the fitted
        :class:`TransferEntropy`), ``reason``, ``x_kind`` / ``y_kind`` (of
        source and target), and ``ci``, ``ci_method``, ``ci_bias``,
        ``p_value``, ``min_p_value``, ``adjusted_estimate`` (the TE minus
        the mean of the surrogates) when asked. ``infinite`` is True (with a
        warning and a note, and no interval or p-value) when a continuous
        target's present is a function of the source's past and its own --
        not of its own past alone: the TE is then infinite and any estimate
        reflects only n.

    Raises
    ------
    ValueError
        If a parameter is invalid, a series has missing or non-finite
        values, the series' lengths differ, or they are too short for the
        embedding (the message names the arguments).

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import transfer_entropy
    >>> rng = np.random.default_rng(1)
    >>> x = rng.standard_normal(1000)
    >>> y = np.r_[0.0, x[:-1]] + 0.5 * rng.standard_normal(1000)
    >>> result = transfer_entropy(x, y, p_value=True, n_permutations=19, random_state=0)
    >>> bool(result.estimate > 0.5), result.p_value
    (True, 0.05)
    """
    from skmi._data_kinds import classify
    from skmi._parallel import delayed
    from skmi._result import MIResult, allow_for_bias, clip
    from skmi._surrogates import circular_shifts, decorrelation_length
    from skmi.stats import bootstrap_ci

    source, target = _as_series(source, "source"), _as_series(target, "target")
    n = len(source)
    if len(target) != n:
        raise ValueError(
            f"source and target have inconsistent lengths: source has {n} rows, target "
            f"has {len(target)}."
        )
    if z is not None:
        z = _as_series(z, "z")
        if len(z) != n:
            raise ValueError(
                f"source and z have inconsistent lengths: source has {n} rows, z has {len(z)}."
            )
    estimator = TransferEntropy(
        target_history,
        source_history,
        tau,
        delay,
        method=method,
        n_neighbors=n_neighbors,
        n_bins=n_bins,
        theiler_window=theiler_window,
        units=units,
        random_state=random_state,
    )
    needed = estimator._min_samples()
    if n < needed:
        raise ValueError(
            f"source and target have {n} rows; transfer_entropy needs at least {needed}"
            f"{estimator._min_samples_reason()}."
        )
    with once_at_caller():
        for A, name in ((source, "source"), (target, "target")):
            if (A == A[:1]).all():
                raise ValueError(
                    f"{name} is constant: a constant series neither sends nor receives "
                    "information. Check the series you passed."
                )
        estimator.fit(source, target, z=z)
        te = float(estimator.te_)
        kind_s, kind_t = classify(source, "source"), classify(target, "target")
        n_dropped = estimator.n_dropped_
        conditional = "" if z is None else f", conditioned on the pasts of {z.shape[1]} z series"
        result = MIResult(
            te,
            method,
            estimator,
            units,
            reason=(
                f"transfer entropy source -> target{conditional}: I(target_t; source past | "
                f"target past) by {method}, embedding target_history={target_history}, "
                f"source_history={source_history}, tau={tau}, delay={delay} "
                f"({n_dropped} rows dropped); {kind_s.reason}; {kind_t.reason}"
            ),
            x_kind=kind_s.kind,
            y_kind=kind_t.kind,
            raw_estimate=te,
        )
        result.estimate = clip(te, 0.0, np.inf, result.notes, units)
        rng = check_random_state(random_state)
        if kind_t.kind == "continuous" and method != "binned":
            X, y = estimator._validate_xy(source, target, reset=False)
            zz = None if z is None else drop_constant_conditioning(z)
            determined = _determined_target(*estimator._design(X, y, zz))
            if determined:
                message = (
                    f"{determined}: the transfer entropy of continuous series related this "
                    "way is infinite (or more than these samples can tell from it), and the "
                    "estimate reflects only the sample size; no interval or p-value is given "
                    "for it."
                )
                result.notes.append(message)
                result.infinite = True
                warnings.warn(message, SkmiWarning, stacklevel=2)
                return result
        if ci:
            X, y = estimator._validate_xy(source, target, reset=False)
            zz = None if z is None else drop_constant_conditioning(z)
            design = estimator._design(X, y, zz)
            interval = bootstrap_ci(
                estimator._inner(),
                design[0],
                design[1],
                z=design[2],
                time_series=True,
                random_state=rng,
                n_jobs=n_jobs,
            )
            scale = from_nats(1.0, units)
            interval.estimate *= scale
            interval.low *= scale
            interval.high *= scale
            interval.resample_shift *= scale
            low, high = allow_for_bias(interval, result.notes, units)
            result.ci_bias = float(interval.resample_shift)
            result.ci = (float(max(low, 0.0)), float(max(high, 0.0)))
            result.ci_method = (
                interval.description + " of the embedded rows; widened by the estimated bias"
            )
        if p_value:
            min_shift = max(decorrelation_length(source, target), n_dropped + 1)
            shifts = circular_shifts(n, n_permutations, min_shift, rng)
            run = NullRun(SEQUENTIAL_EXCEEDANCES, n_jobs, verbose=0)
            tasks = [delayed(_null_te)(estimator, source, target, z, index) for index in shifts]
            null = np.asarray(run(te, tasks, "transfer entropy surrogates"), dtype=np.float64)
            result.p_value = run.p_value(te, null, len(shifts))
            result.min_p_value = 1.0 / (len(shifts) + 1)
            result.adjusted_estimate = float(te - null.mean())
            result.notes.append(
                f"p-value from {len(null)} circular shifts of the source by at least "
                f"{min_shift} rows (the target keeps its own history)"
            )
            if run.stopped:
                result.notes.append(run.stopped_note(len(null), len(shifts), "surrogates"))
    return result
