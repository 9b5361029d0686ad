"""Composite estimators: one MI estimate chosen among several estimators' fits.

``estimate_mi`` uses two: "the larger of" several estimators that are all
biased downwards (:class:`LargerOfMutualInfo`), and the Student-t copula
unless k-NN on normal scores sees clearly more
(:class:`TCopulaOrKSGMutualInfo`). Both are ordinary skmi estimators: the
input checks, ``units``, ``score`` and the declared traits of
:class:`~skmi._base.BaseMutualInfo`. Their parts are fitted in nats; the
composite converts once.
"""

import warnings
from dataclasses import replace
from numbers import Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from skmi._base import BaseMutualInfo
from skmi._gaussian import GaussianMutualInfo
from skmi._ksg import KSGMutualInfo
from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted
from skmi._tcopula import TCopulaMutualInfo
from skmi._traits import get_traits, strictest
from skmi.exceptions import SkmiWarning

# The t-copula's degrees of freedom are profiled on at most this many rows.
DF_PROFILE_ROWS = 10_000


def _in_nats(estimator):
    """A clone of ``estimator`` reporting nats (the composite converts once)."""
    part = clone(estimator)
    if "units" in part.get_params(deep=False):
        part.set_params(units="nats")
    return part


class LargerOfMutualInfo(BaseMutualInfo):
    """The larger of several estimators' estimates (``method="larger"``).

    ``fit`` fits clones of each estimator and keeps the largest estimate;
    ``chosen_`` names the one it came from. Sensible only where every
    candidate is biased downwards (k-NN in moderate dimension, held-out
    classifier bounds: see :func:`skmi.estimate_mi`'s rules), since the
    maximum of unbiased estimates is biased upwards.

    Parameters
    ----------
    estimators : list of skmi estimators or None, default=None
        The candidates, fitted as clones (their ``units`` are ignored: the
        parts report nats and the composite converts). None: KSG on normal
        scores and the Gaussian copula. y is taken as class labels when a
        candidate that accepts class labels takes it so.
    random_state : int, RandomState instance or None, default=None
        The default candidates' k-NN tie-breaking jitter (given candidates
        keep their own).
    units : {"nats", "bits"}, default="nats"

    Attributes
    ----------
    mi_ : float
        The largest estimate, in ``units``.
    estimators_ : list
        The fitted candidates (in nats).
    chosen_ : str
        The class name of the candidate that gave ``mi_``.
    discrete_target_ : bool
        Whether y was taken as class labels.
    n_features_in_ : int

    Raises
    ------
    TypeError
        At ``fit``, if a candidate is not a skmi estimator.

    Examples
    --------
    >>> from skmi._composites import LargerOfMutualInfo
    >>> from skmi.datasets import make_gaussian
    >>> X, y, truth = make_gaussian(2000, 2, 2, correlation=0.6, random_state=0)
    >>> est = LargerOfMutualInfo(random_state=0).fit(X, y)
    >>> est.chosen_ in ("KSGMutualInfo", "GaussianMutualInfo"), abs(est.mi_ - truth) < 0.1
    (True, True)
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "estimators": [list, tuple, None],
        "random_state": ["random_state"],
    }
    # the parts were fitted on the columns kept at fit: score passes the same ones
    _columns_fixed_at_fit = True

    def __init__(self, estimators=None, *, random_state=None, units="nats"):
        self.estimators = estimators
        self.random_state = random_state
        self.units = units

    def _candidates(self):
        if self.estimators is None:
            return [
                KSGMutualInfo(copula=True, discrete_target=False, random_state=self.random_state),
                GaussianMutualInfo(copula=True),
            ]
        parts = list(self.estimators)
        if not parts:
            raise ValueError("estimators is empty; give at least one estimator.")
        for part in parts:
            if not isinstance(part, BaseMutualInfo):
                raise TypeError(f"estimators must hold skmi estimators; got {type(part).__name__}.")
        return parts

    def _mi_traits(self):
        # A resample must be valid for every part: the strictest scheme. The
        # composite has no pointwise terms and takes no z; it takes class
        # labels where a candidate is set to.
        parts = self._candidates()
        # a candidate set to take class labels, or to decide by the values ("auto")
        classes = any(
            get_traits(part).discrete_target
            and part.get_params().get("discrete_target", True) is not False
            for part in parts
        )
        return replace(
            strictest(*(get_traits(e) for e in parts)),
            pointwise=False,
            conditioning=False,
            discrete_target=classes,
        )

    def _target_is_discrete(self, y):
        # y is class labels when a candidate that accepts them takes it so
        return any(
            get_traits(part).discrete_target and part._target_is_discrete(y)
            for part in self._candidates()
        )

    def _min_samples(self):
        return max(part._min_samples() for part in self._candidates())

    def _fit(self, X, y, z):
        fitted = [_in_nats(part).fit(X, y) for part in self._candidates()]
        best = int(np.argmax([part.mi_ for part in fitted]))
        self.estimators_ = fitted
        self.chosen_ = type(fitted[best]).__name__
        return float(fitted[best].mi_)

    def _score(self, X, y, z):
        return float(max(part.score(X, y) for part in self.estimators_))


class TCopulaOrKSGMutualInfo(BaseMutualInfo):
    """The Student-t copula's MI, unless KSG on normal scores sees clearly more.

    The t-copula (:class:`skmi.TCopulaMutualInfo`) is nearly unbiased on
    elliptical copulas -- Gaussian, Student-t and their per-column monotone
    transforms, heavy tails included -- but blind to dependence its
    dispersion cannot express (a parabola, a spiral). KSG on normal scores
    sees any dependence but is biased downwards in high dimension. So the
    k-NN value is taken only when it exceeds the t-copula's clearly:
    ``k > factor * t + offset`` (in nats). On the grid of
    ``benchmarks/accuracy/bench_auto.py`` this rule had a mean absolute error of
    0.053 nats against 0.18 for "the larger of KSG and the Gaussian copula".

    Parameters
    ----------
    margin : tuple of (float, float), default=(1.15, 0.02)
        ``(factor, offset)`` of the rule above (offset in nats).
    df : "auto" or float > 0, default="auto"
        The t-copula's degrees of freedom; "auto" profiles them (on at most
        10,000 random rows). Resampling in :func:`skmi.estimate_mi` fixes
        them at the fitted ``df_`` (one EM instead of a dozen per resample).
    random_state : int, RandomState instance or None, default=None
        For the k-NN estimator's tie-breaking jitter and the rows df is
        profiled on.
    units : {"nats", "bits"}, default="nats"

    Attributes
    ----------
    mi_ : float
        The chosen estimate, in ``units``.
    chosen_ : {"TCopulaMutualInfo", "KSGMutualInfo"}
    df_ : float
        The t-copula's degrees of freedom (NaN when it refused the data).
    estimators_ : list
        The fitted parts (the t-copula first, when it fitted), in nats.
    reason_ : str
        Why the choice, with both values.
    non_elliptical_ : bool
        k-NN read at least the t-copula's value: on elliptical data it stays
        below, so the dependence is not elliptical and both may miss part of
        the MI.
    n_features_in_ : int

    Examples
    --------
    >>> from skmi._composites import TCopulaOrKSGMutualInfo
    >>> from skmi.datasets import make_gaussian
    >>> X, y, truth = make_gaussian(2000, 2, 2, correlation=0.6, random_state=0)
    >>> est = TCopulaOrKSGMutualInfo(random_state=0).fit(X, y)
    >>> est.chosen_, abs(est.mi_ - truth) < 0.05
    ('TCopulaMutualInfo', True)
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "margin": ["array-like"],
        "df": [StrOptions({"auto"}), Interval(Real, 0, None, closed="right")],
        "random_state": ["random_state"],
    }
    # the parts were fitted on the columns kept at fit: score passes the same ones
    _columns_fixed_at_fit = True

    def __init__(self, margin=(1.15, 0.02), df="auto", random_state=None, units="nats"):
        self.margin = margin
        self.df = df
        self.random_state = random_state
        self.units = units

    def _parts(self, units="nats"):
        """The t-copula and KSG on normal scores, unfitted, in ``units``."""
        knn = KSGMutualInfo(
            copula=True, discrete_target=False, random_state=self.random_state, units=units
        )
        return TCopulaMutualInfo(df=self.df, units=units), knn

    def _mi_traits(self):
        # A resample must be valid for both parts: the strictest scheme (k-NN:
        # subsample). No pointwise terms, no z, no class labels.
        return replace(
            strictest(*(get_traits(e) for e in self._parts())),
            pointwise=False,
            conditioning=False,
            discrete_target=False,
        )

    def _min_samples(self):
        return max(part._min_samples() for part in self._parts())

    def _fit(self, X, y, z):
        factor, offset = self._checked_margin()
        elliptical, knn = self._parts()
        k = float(knn.fit(X, y).mi_)
        refused = ""
        try:
            with warnings.catch_warnings():
                # ranks of y equal to those of X: estimate_mi says so once; k-NN answers
                warnings.simplefilter("ignore", SkmiWarning)
                t = float(self._fit_elliptical(elliptical, X, y).mi_)
        except ValueError as error:  # too few samples, collinear columns
            elliptical, t, refused = None, np.nan, str(error)
        # A fit that is no elliptical copula of these ranks (a pair's fitted
        # correlation that its Kendall tau rules out: 18 nats on 101
        # near-monotone codes whose truth is 4.4) is refused, and k-NN
        # answers. A large MI alone is no fault: 10 coordinate pairs with
        # correlation 0.999 carry 31 nats, far above log n at n = 5000.
        degenerate = getattr(elliptical, "degenerate_", "")
        use_knn = not np.isfinite(t) or bool(degenerate) or k > factor * t + offset
        self.estimators_ = [e for e in (elliptical, knn) if e is not None]
        self.chosen_ = "KSGMutualInfo" if use_knn else "TCopulaMutualInfo"
        self.df_ = np.nan if elliptical is None else float(elliptical.df_)
        if degenerate:
            refused = f"a degenerate fit: {degenerate}"
        self.reason_ = _tcopula_choice_text(
            self._from_nats(t), self._from_nats(k), self.df_, use_knn, self.units, refused
        )
        # On elliptical data k-NN (biased downwards) stays below the nearly
        # unbiased t-copula; at or above it, the copula is not elliptical
        # and both may miss part of the MI (spirals: 8-44 % low).
        self.non_elliptical_ = bool(np.isfinite(t) and np.isfinite(k) and k >= t)
        return k if use_knn else t

    def _checked_margin(self):
        """``(factor, offset)``: a factor > 0 and an offset, both finite numbers."""
        message = (
            "margin must be a pair of finite numbers (factor > 0, offset in nats); "
            f"got {self.margin!r}."
        )
        try:
            factor, offset = (float(v) for v in np.asarray(self.margin, dtype=float).ravel())
        except (TypeError, ValueError):
            raise ValueError(message) from None
        if not (np.isfinite(factor) and np.isfinite(offset) and factor > 0):
            raise ValueError(message)
        return factor, offset

    def _fit_elliptical(self, elliptical, X, y):
        """The t-copula, its df profiled on at most DF_PROFILE_ROWS random rows.

        The profile refits the copula for a dozen df values, each with a
        Student-t quantile transform of every value (8x the time of one fit
        at n = 100,000); df, one number, is as well determined from 10,000
        rows (3 x 3 Student-t with df = 2, n = 100,000: df_ 2.02 from all
        rows, 2.00 from 10,000; MI 0.2871 and 0.2909, truth 0.2909).
        """
        n = len(X)
        if n <= DF_PROFILE_ROWS or self.df != "auto":
            return elliptical.fit(X, y)
        rows = check_random_state(self.random_state).choice(n, DF_PROFILE_ROWS, replace=False)
        df = clone(elliptical).fit(X[rows], y[rows]).df_
        return elliptical.set_params(df=df).fit(X, y)

    def chosen_estimator(self, units=None):
        """An unfitted copy of the part the fit chose, in ``units`` (the composite's).

        The t-copula keeps the fitted ``df_``: refitting it on resamples
        then costs one EM instead of a dozen.

        Returns
        -------
        estimator : TCopulaMutualInfo or KSGMutualInfo

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self, "chosen_")
        elliptical, knn = self._parts(self.units if units is None else units)
        if self.chosen_ == "KSGMutualInfo":
            return knn
        return elliptical.set_params(df=self.df_)

    def _score(self, X, y, z):
        chosen = self.estimators_[-1] if self.chosen_ == "KSGMutualInfo" else self.estimators_[0]
        return float(chosen.score(X, y))


def _tcopula_choice_text(t, k, df, use_knn, units, refused):
    if refused:
        return f"; the t-copula refused these data ({refused}): ksg-copula"
    if t == np.inf:
        return (
            "; the copula correlation is singular (ranks of y those of X: a monotone "
            "relation, or one these samples cannot tell from it): ksg-copula"
        )
    if df == np.inf:
        tails = "the Gaussian copula"
    elif df < 10:
        tails = f"heavy tails, df_ = {df:.3g}"
    else:
        tails = f"light tails, near the Gaussian copula, df_ = {df:.3g}"
    if use_knn:
        return (
            f"; chose ksg-copula ({k:.4g} {units}): clearly above the t-copula ({t:.4g}; "
            f"{tails}), so the dependence is not elliptical"
        )
    return f"; chose the t-copula ({t:.4g} {units}; {tails}), ksg-copula {k:.4g} not clearly above"
