"""estimate_mi: a sound estimator for users who do not know which to pick.

Each side is first classified by its values (:mod:`skmi._data_kinds`:
continuous, discrete, or mixed with atoms; ``x_kind`` / ``y_kind`` override).
The choice then follows ``benchmarks/bench_auto.py``, which runs every
estimator on a grid of ``skmi.datasets`` tasks with known truth (Gaussian,
monotone transforms, Student-t, class mixtures, discrete, mixed,
non-monotone; 1 to 25 dimensions; n = 1,000 and 5,000) and reports each
one's mean absolute error. The rules, in order:

=============================================  ======================================
kinds                                          method
=============================================  ======================================
X and y both discrete                          ``binned``: plug-in, Miller-Madow
one discrete, the other continuous, d <= 3     ``ksg-copula``: Ross's k-NN (class form)
one discrete, the other continuous, d = 4      ``larger``: the larger of Ross's k-NN
                                               and the held-out LDA and logistic bounds
one discrete, the other continuous, d >= 5     ``classifiers``: the larger of the held-out
                                               LDA and logistic bounds
one discrete, the other mixed                  ``class-atoms``: the chain rule over
                                               the atoms (plug-in with the atom
                                               patterns, Ross's k-NN on the rest)
exact zeros (>= 5 % of a column) on one side   ``atoms``: the zero-pattern chain rule
only, none discrete                            (the side with zeros taken as y)
other atoms (both sides, other values)         ``ksg-mixed``
both continuous                                ``t-copula-or-ksg``: the Student-t copula
                                               unless ksg-copula is clearly larger
=============================================  ======================================

The regime rules (class side in d >= 5, atoms, t-copula) are those that
``benchmarks/bench_auto.py`` measured on 24 families (n = 1000 and 5000, 3
seeds): mean absolute error 0.053 nats and 89 % of the cells within 10 % of
the truth, against 0.18 and 44 % for the rules before (k-NN in low
dimension, "the larger of" in high dimension). Why each: the t-copula is
nearly unbiased on Gaussian, Student-t (heavy tails) and monotone transforms
of them, where k-NN loses 27-51 %; the zero-pattern chain rule is exact for
ReLU-type atoms, where Gao et al.'s counting loses 28 % at d = 5; with a
class side in high dimension k-NN collapses (0.04 nats at d = 100, truth
0.34), and held-out classifiers bound the MI from below whatever the
class-conditional laws (the Gaussian with one-hot classes, the rule before,
read 22-31 % high on an injective tanh layer of Gaussian classes). The neural
estimator was not better in any cell, so "auto" does not train one; ask for
``method="neural"`` when X and y are high-dimensional, non-Gaussian and
plentiful.

Hard bounds: a discrete side's entropy bounds the MI (``0 <= I <= min(H(X),
H(y))`` over discrete sides); an estimate outside is clipped to the bound and
the result says so in ``notes``.
"""

from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from scipy.special import digamma
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_array, check_random_state

from skmi._atoms import atom_share
from skmi._base import _check_values
from skmi._collinear import reduce_collinear
from skmi._dask import refuse_dask_collections
from skmi._data_kinds import _all_numbers, classify, count_columns
from skmi._determinism import functional_relation, monotone_pair
from skmi._entropy import miller_madow_entropy
from skmi._ksg import KSGMutualInfo
from skmi._methods import _BY_NAME, METHOD_TABLE, METHODS, _Build
from skmi._sklearn_compat import Interval, StrOptions, validate_params
from skmi._tcopula import TCopulaMutualInfo
from skmi._traits import get_traits, strictest
from skmi._validation import check_int, detach_tensor
from skmi._warnings import once_at_caller, warn_at_caller
from skmi.exceptions import SkmiWarning, TiesWarning

LOW_DIMENSION = 3  # k-NN alone up to this dimension (see the table above)
# k-NN estimates lose most of a moderate MI beyond this joint dimension
# (KSG on a 10 x 10 Gaussian with truth 1.5 nats: about 0.5 at n = 3000).
HIGH_KNN_DIMENSION = 10
# Conditional k-NN: beyond this many conditioning columns the estimate shrinks
# markedly towards 0 (Runge, 2018, section 4).
CONDITIONAL_KNN_DIMENSION = 3
# The held-out LDA bound needs every class in every fold, with company.
LDA_MIN_PER_CLASS = 10
# A class side against this many continuous columns or more: held-out
# classifier bounds alone (k-NN collapses; see _class_plan).
CLASS_BOUND_DIMENSION = 5
# The t-copula's degrees of freedom are profiled on at most this many rows.
DF_PROFILE_ROWS = 10_000
# A side with at least this share of a column exactly at 0 has ReLU-type atoms.
ATOM_SHARE = 0.05
# Fewer rows than this and estimate_mi refuses: the k-NN estimators need k + 1
# = 4, and two rows of anything are "discrete" with log 2 of plug-in MI.
MIN_SAMPLES = 5
# estimate_mi(normalize=...): the MI on a [0, 1] scale (see _normalized)
NORMALIZATIONS = ("linfoot", "arithmetic", "geometric", "min", "max")


@dataclass
class MIResult:
    """What :func:`estimate_mi` found (values in ``units``).

    Attributes
    ----------
    estimate : float
        The estimate, within the hard bounds (see ``notes``).
    method : str
        The method used.
    estimator : object
        The fitted estimator.
    units : {"nats", "bits"}
    ci : tuple of float or None
        The interval (low, high), when asked for.
    p_value : float or None
        The permutation p-value, when asked for.
    adjusted_estimate : float or None
        The estimate minus the mean of the permutation null.
    reason : str
        Why this method: the kind of each side and the rule that applied.
    x_kind, y_kind : str
        "continuous", "discrete" or "mixed": how each side was taken.
    ci_method : str or None
        How the interval was made (resampling scheme and interval type).
    min_p_value : float or None
        The smallest p-value the permutations can give, ``1 / (B + 1)``; a
        ``p_value`` equal to it means "p <= min_p_value".
    raw_estimate : float
        The estimator's own value before clipping to the hard bounds.
    notes : list of str
        Anything the user should know about the number (clipping, bounds).
    ci_bias : float or None
        The estimator's bias as the resamples estimate it (the resampled
        estimates' median minus the estimate, in ``units``); ``ci`` was
        stretched by it towards ``estimate - ci_bias`` so that it covers the
        truth, not only the estimator's mean.
    infinite : bool
        True when one continuous side looks like a function of the other
        (monotone or many-to-one): the MI is infinite, ``estimate`` reflects
        only the sample size, and no ``ci`` or ``p_value`` is given.
    normalized : float or None
        The MI on a [0, 1] scale, when ``normalize`` was given.
    lag : int or None
        The lag of y behind X, when ``lag`` was given.
    n_dropped : int
        Rows dropped to align the lagged series.
    """

    estimate: float
    method: str
    estimator: object
    units: str = "nats"
    ci: tuple = None
    p_value: float = None
    adjusted_estimate: float = None
    reason: str = ""
    x_kind: str = ""
    y_kind: str = ""
    ci_method: str = None
    min_p_value: float = None
    raw_estimate: float = None
    notes: list = field(default_factory=list)
    ci_bias: float = None
    infinite: bool = False
    normalized: float = None
    lag: int = None
    n_dropped: int = 0

    def __float__(self):
        return float(self.estimate)

    def p_value_text(self):
        """The p-value as text: ``"p <= 0.0099"`` when no permutation reached the estimate.

        Returns
        -------
        text : str
            ``"p = ..."``, ``"p <= 1/(B+1)"`` at the smallest attainable value
            of B permutations, or ``""`` when no p-value was computed.
        """
        if self.p_value is None:
            return ""
        if self.min_p_value is not None and self.p_value <= self.min_p_value:
            return f"p <= {self.min_p_value:.4g}"
        return f"p = {self.p_value:.4g}"


@dataclass
class _Plan:
    method: str
    reason: str
    class_side: str = None  # "x" or "y": the discrete side taken as class labels
    swap: bool = False  # estimate I(y; X): the side with atoms goes second


def _plan(X, y, x_kind, y_kind):
    kinds = {"x": x_kind.kind, "y": y_kind.kind}
    words = f"{x_kind.reason}; {y_kind.reason}"
    discrete = [s for s in ("x", "y") if kinds[s] == "discrete"]
    if len(discrete) == 2:
        return _Plan("binned", f"{words}: both discrete, the plug-in MI with Miller-Madow", "y")
    if len(discrete) == 1:
        side = discrete[0]
        other = "y" if side == "x" else "x"
        labels = _as_labels(X if side == "x" else y)
        d = (y if side == "x" else X).shape[1]
        enough = np.bincount(labels).min() >= LDA_MIN_PER_CLASS
        # classifier bounds need no density: atoms (ReLU zeros, counts) are fine
        if d >= CLASS_BOUND_DIMENSION and enough and _all_numbers(y if side == "x" else X):
            return _class_plan(words, d, side)
        if kinds[other] == "mixed":
            return _Plan(
                "class-atoms",
                f"{words}: a class side and atoms: the chain rule over the atoms (plug-in "
                "MI with the atom patterns, Ross's k-NN on the continuous part)",
                side,
            )
        if d <= LOW_DIMENSION:
            return _Plan(
                "ksg-copula", f"{words}: a class side, d = {d}: Ross's nearest neighbours", side
            )
        if enough:
            return _Plan(
                "larger",
                f"{words}: a class side, d = {d}: the larger of Ross's nearest neighbours "
                "and the held-out LDA and logistic bounds, all biased downwards here",
                side,
            )
        return _Plan(
            "ksg-copula",
            f"{words}: a class side, d = {d}, classes too small for the LDA bound: Ross's "
            "nearest neighbours (biased downwards in this dimension)",
            side,
        )
    if "mixed" in kinds.values():
        return _atom_plan(X, y, words) or _Plan(
            "ksg-mixed", f"{words}: atoms, Gao et al.'s counting"
        )
    return _Plan(
        "t-copula-or-ksg",
        f"{words}: continuous, d_x + d_y = {X.shape[1] + y.shape[1]}: the Student-t copula "
        "(elliptical dependence of any tail weight, bias-corrected) unless KSG on normal scores "
        "sees clearly more (non-elliptical dependence)",
    )


def _class_plan(words, d, side):
    """A class side against d >= 5 continuous columns: held-out classifier bounds.

    ``I(X; y) >= H(y) + E[log q(y | X)]`` for any classifier q scored on
    samples it was not fitted on, so the larger of two such bounds (shrinkage
    LDA; logistic regression on normal scores, which a monotone map of a
    column leaves unchanged) is a lower bound that does not depend on the
    class-conditional laws being Gaussian. The rule before, the Gaussian MI
    with one-hot classes, assumed they were: on an injective layer
    ``tanh(X W + b)`` (4 -> 32) of four Gaussian classes, truth 0.635, it
    read 0.77-0.82 with an interval excluding the truth; the bounds read
    0.62-0.64. Where the classes are Gaussian the bounds lose a little at
    small n in very high d (``make_class_mixture(1000, 2, 100, separation=2)``,
    truth 0.337: LDA 0.31, logistic 0.28).
    """
    return _Plan(
        "classifiers",
        f"{words}: a class side, d = {d}: k-NN collapses in this dimension; the larger of "
        "two held-out classifier bounds (shrinkage LDA, logistic regression on normal scores)",
        side,
    )


def _atom_plan(X, y, words):
    """ReLU-type atoms (exact zeros) on one side only: the zero-pattern chain rule, or None."""
    try:
        shares = [atom_share(np.asarray(A, dtype=np.float64)).max() for A in (X, y)]
    except (TypeError, ValueError):
        return None  # symbols among the columns: not a ReLU-type side
    x_atoms, y_atoms = (share >= ATOM_SHARE for share in shares)
    if x_atoms == y_atoms:
        return None
    side, share = ("y", shares[1]) if y_atoms else ("X", shares[0])
    other = "X" if side == "y" else "y"
    return _Plan(
        "atoms",
        f"{words}: {side} has exact zeros in {share:.0%} of a column (atoms at 0, as ReLU "
        f"outputs have), {other} none: the zero-pattern chain rule (Ross's k-NN for the pattern, "
        "bias-corrected Gaussian within patterns)",
        swap=side == "X",
    )


def _conditional_plan(plan, kind_z):
    """The plan for I(X; y | z): a k-NN estimator that conditions (Frenzel & Pompe)."""
    words = f"{plan.reason.split(':')[0]}; {kind_z.reason}"
    atoms = "mixed" in plan.method or plan.method == "atoms"
    if plan.method == "binned" or atoms or kind_z.kind != "continuous":
        return _Plan(
            "ksg-mixed",
            f"{words}: conditional MI with atoms, Gao et al.'s counting",
            None if plan.method == "binned" else plan.class_side,
        )
    return _Plan("ksg-copula", f"{words}: conditional MI, Frenzel & Pompe's k-NN", plan.class_side)


def choose_method(X, y, x_kind="auto", y_kind="auto"):
    """The method name and the reason the auto rules give for (X, y).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features_x)
    y : array-like of shape (n_samples,) or (n_samples, n_features_y)
    x_kind, y_kind : {"auto", "continuous", "discrete", "mixed"}, default="auto"

    Returns
    -------
    method : str
    reason : str
    """
    X, y = _two_dimensional(X, "X"), _two_dimensional(y, "y")
    plan = _plan(X, y, classify(X, "X", x_kind), classify(y, "y", y_kind))
    return plan.method, plan.reason


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

    def _mi_traits(self):
        # A resample must be valid for every part: the strictest scheme.
        return strictest(*(get_traits(e) for e in self.estimators))

    def fit(self, X, y):
        """Fit every estimator; ``mi_`` is the largest estimate.

        Returns
        -------
        self : object
        """
        fitted = [clone(e).fit(X, y) for e in self.estimators]
        best = int(np.argmax([e.mi_ for e in fitted]))
        self.estimators_ = fitted
        self.chosen_ = type(fitted[best]).__name__
        self.mi_ = float(fitted[best].mi_)
        self.discrete_target_ = bool(getattr(fitted[best], "discrete_target_", False))
        return self

    def score(self, X, y):
        """The largest of the fitted estimators' scores on (X, y)."""
        return float(max(e.score(X, y) for e in self.estimators_))


class TCopulaOrKSGMutualInfo(BaseEstimator):
    """The Student-t copula's MI, unless KSG on normal scores sees clearly more.

    The t-copula (:class:`skmi.TCopulaMutualInfo`) is nearly unbiased on
    elliptical copulas -- Gaussian, Student-t and their per-column monotone
    transforms, heavy tails included -- but blind to dependence its
    dispersion cannot express (a parabola, a spiral). KSG on normal scores
    sees any dependence but is biased downwards in high dimension. So the
    k-NN value is taken only when it exceeds the t-copula's clearly:
    ``k > factor * t + offset`` (offset in nats). On the grid of
    ``benchmarks/bench_auto.py`` this rule had a mean absolute error of
    0.053 nats against 0.18 for "the larger of KSG and the Gaussian copula".

    Parameters
    ----------
    margin : tuple of (float, float), default=(1.15, 0.02)
        ``(factor, offset)`` of the rule above.
    df : "auto" or float > 0, default="auto"
        The t-copula's degrees of freedom; "auto" profiles them. Resampling
        in :func:`estimate_mi` fixes them at the fitted ``df_`` (one EM
        instead of a dozen per resample).
    random_state : int, RandomState instance or None
        For the k-NN estimator's tie-breaking jitter.
    units : {"nats", "bits"}, default="nats"
    """

    def __init__(self, margin=(1.15, 0.02), df="auto", random_state=None, units="nats"):
        self.margin = margin
        self.df = df
        self.random_state = random_state
        self.units = units

    def _parts(self):
        knn = KSGMutualInfo(
            copula=True, discrete_target=False, random_state=self.random_state, units=self.units
        )
        return TCopulaMutualInfo(df=self.df, units=self.units), knn

    def _mi_traits(self):
        # A resample must be valid for both parts: the strictest scheme (k-NN: subsample).
        return strictest(*(get_traits(e) for e in self._parts()))

    def fit(self, X, y):
        """Fit both; ``mi_`` is the t-copula's unless the k-NN one is clearly larger.

        Returns
        -------
        self : object
        """
        import warnings

        elliptical, knn = (clone(e) for e in self._parts())
        k = float(knn.fit(X, y).mi_)
        refused = ""
        try:
            with warnings.catch_warnings():
                # ranks of y equal to those of X: estimate_mi says so once; k-NN answers
                warnings.simplefilter("ignore", SkmiWarning)
                t = float(self._fit_elliptical(elliptical, X, y).mi_)
        except ValueError as error:  # too few samples, collinear columns
            elliptical, t, refused = None, np.nan, str(error)
        factor, offset = self.margin
        nats = np.log(2) if self.units == "bits" else 1.0
        # A fit that is no elliptical copula of these ranks (a pair's fitted
        # correlation that its Kendall tau rules out: 18 nats on 101
        # near-monotone codes whose truth is 4.4) is refused, and k-NN
        # answers. A large MI alone is no fault: 10 coordinate pairs with
        # correlation 0.999 carry 31 nats, far above log n at n = 5000.
        degenerate = getattr(elliptical, "degenerate_", "")
        use_knn = not np.isfinite(t) or bool(degenerate) or k > factor * t + offset / nats
        self.estimators_ = [e for e in (elliptical, knn) if e is not None]
        self.chosen_ = "KSGMutualInfo" if use_knn else "TCopulaMutualInfo"
        self.mi_ = k if use_knn else t
        self.df_ = np.nan if elliptical is None else float(elliptical.df_)
        if degenerate:
            refused = f"a degenerate fit: {degenerate}"
        self.reason_ = _tcopula_choice_text(t, k, self.df_, use_knn, self.units, refused)
        # On elliptical data k-NN (biased downwards) stays below the nearly
        # unbiased t-copula; at or above it, the copula is not elliptical
        # and both may miss part of the MI (spirals: 8-44 % low).
        self.non_elliptical_ = bool(np.isfinite(t) and np.isfinite(k) and k >= t)
        return self

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

    def score(self, X, y):
        """The chosen estimator's score on (X, y)."""
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
        estimate (:func:`skmi.permutation_test`).
    n_permutations : int >= 1, default=100
        The smallest p-value they can give is ``1 / (n_permutations + 1)``.
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
        :class:`LagScan`: one result per lag, ``to_frame()`` for a table.
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
    _warn_on_unaligned_indexes(X, y, z)
    if lag is not None and time_series is None:
        time_series = True  # lagged rows are a time series
    options = _Options(
        method,
        x_kind,
        y_kind,
        ci,
        p_value,
        n_permutations,
        units,
        random_state,
        n_jobs,
        time_series,
        normalize,
        verbose,
    )
    with once_at_caller():
        if lag is None:
            return _estimate_mi(X, y, z, options)
        X, y = _two_dimensional(X, "X"), _two_dimensional(y, "y")
        z = None if z is None else _two_dimensional(z, "z")
        if isinstance(lag, Integral):
            return _lagged(X, y, z, int(lag), z_lag, options)
        values = np.asarray(lag, dtype=object)
        if values.ndim != 1:
            raise ValueError(f"lag must be an integer or a 1-D sequence of integers; got {lag!r}.")
        lags = [_check_lag(v) for v in values]
        if not lags:
            raise ValueError("lag is an empty sequence; give at least one lag.")
        return LagScan(_lagged(X, y, z, v, z_lag, options) for v in lags)


def _method_list(indent="        "):
    """The method table as a numpydoc definition list, for estimate_mi's docstring."""
    lines = []
    for m in METHOD_TABLE:
        lines += [f'{indent}- ``"{m.name}"``: {m.help}']
    return "\n".join(lines).lstrip()


estimate_mi.__doc__ = estimate_mi.__doc__.replace("METHOD_LIST", _method_list())


@dataclass
class _Options:
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


def _warn_on_unaligned_indexes(X, y, z):
    """Pandas sides with different indexes are paired by position: say so once."""
    # pandas objects only: lists, tuples and tensors have an .index method too
    sides = [
        (name, A)
        for name, A in (("X", X), ("y", y), ("z", z))
        if hasattr(A, "iloc") and hasattr(A.index, "equals")
    ]
    for (name_a, a), (name_b, b) in zip(sides, sides[1:], strict=False):
        if len(a.index) == len(b.index) and not a.index.equals(b.index):
            warn_at_caller(
                f"{name_a} and {name_b} are pandas objects with different indexes; their rows "
                "are paired by position, not by index label. Align them first "
                f"({name_a}, {name_b} = {name_a}.align({name_b}, join='inner', axis=0)) if "
                "the labels identify the samples.",
                SkmiWarning,
            )
            return


def _check_lag(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, float, np.floating)):
        raise ValueError(f"lag must hold integers; got {value!r}.")
    if not float(value).is_integer():
        raise ValueError(f"lag must hold integers; got {value!r}.")
    return int(value)


def align_lagged(X, y, z=None, lag=0, z_lag=0):
    """Rows of X_t, y_{t+lag} (and z_{t+z_lag}) for every t where all exist.

    Returns ``(X, y, z, n_dropped)``.
    """
    n = len(X)
    start = max(0, -lag, -z_lag if z is not None else 0)
    stop = n - max(0, lag, z_lag if z is not None else 0)
    if stop - start < 2:
        raise ValueError(
            f"lag={lag}{f', z_lag={z_lag}' if z is not None else ''} leaves {max(stop - start, 0)} "
            f"aligned rows of {n}; the lag must be smaller than the series."
        )
    rows = np.arange(start, stop)
    Z = None if z is None else z[rows + z_lag]
    return X[rows], y[rows + lag], Z, n - len(rows)


def _lagged(X, y, z, lag, z_lag, options):
    if z is not None and len(z) != len(X):
        raise ValueError(
            f"X and z have inconsistent numbers of samples: X has {len(X)}, z has {len(z)}."
        )
    if len(X) != len(y):
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
        )
    Xl, yl, zl, dropped = align_lagged(X, y, z, lag, z_lag)
    result = _estimate_mi(Xl, yl, zl, options)
    result.lag, result.n_dropped = lag, dropped
    result.notes.append(
        f"lag {lag}: I(X_t; y_(t{lag:+d})) on {len(Xl)} aligned rows ({dropped} dropped)"
    )
    return result


class LagScan(list):
    """One :class:`MIResult` per lag, from ``estimate_mi(..., lag=[...])``.

    A list of results in the order of the lags asked for, with ``lags``,
    ``estimates`` and a table view.
    """

    @property
    def lags(self):
        """The lags, as an int array."""
        return np.array([r.lag for r in self], dtype=np.int64)

    @property
    def estimates(self):
        """The estimates, as a float array (in the results' units)."""
        return np.array([r.estimate for r in self], dtype=np.float64)

    def to_frame(self):
        """A pandas DataFrame, one row per lag (lag, estimate, ci, p_value, method, ...).

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install skmi[pandas]``).
        """
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - optional
            message = "LagScan.to_frame needs pandas: pip install 'skmi[pandas]'."
            raise ImportError(message) from error
        rows = [
            {
                "lag": r.lag,
                "estimate": r.estimate,
                "ci_low": None if r.ci is None else r.ci[0],
                "ci_high": None if r.ci is None else r.ci[1],
                "p_value": r.p_value,
                "normalized": r.normalized,
                "method": r.method,
                "n_dropped": r.n_dropped,
                "units": r.units,
            }
            for r in self
        ]
        return pd.DataFrame(rows).set_index("lag")


def _estimate_mi(X, y, z, options):
    from skmi.stats import bootstrap_ci, looks_like_time_series, permutation_test

    method, x_kind, y_kind = options.method, options.x_kind, options.y_kind
    ci, p_value, n_permutations = options.ci, options.p_value, options.n_permutations
    units, seed, n_jobs, time_series = (
        options.units,
        options.seed,
        options.n_jobs,
        options.time_series,
    )

    X, y = _two_dimensional(X, "X"), _two_dimensional(y, "y")
    if len(X) != len(y):
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
        )
    for A, name in ((X, "X"), (y, "y")):
        if len(A) and _single_row_value(A):
            raise ValueError(
                f"{name} is constant: it has a single value, so its mutual information with "
                f"anything is 0. Check the {name} you passed."
            )
    if len(X) < MIN_SAMPLES:
        raise ValueError(
            f"estimate_mi needs at least {MIN_SAMPLES} samples (rows of X and y); got "
            f"{len(X)}. With fewer, no estimator here has an answer worth giving."
        )
    kind_x, kind_y = classify(X, "X", x_kind), classify(y, "y", y_kind)
    if options.normalize not in (None, "linfoot") and not (
        kind_x.kind == kind_y.kind == "discrete"
    ):
        raise ValueError(
            f"normalize={options.normalize!r} divides by entropies of discrete sides; here X "
            f"is {kind_x.kind} and y is {kind_y.kind}. Use normalize='linfoot' for "
            "continuous or mixed sides."
        )
    plan = _plan(X, y, kind_x, kind_y)
    if z is not None:
        z = _as_floats(_two_dimensional(z, "z"), "z")
        if len(z) != len(X):
            raise ValueError(
                f"X and z have inconsistent numbers of samples: X has {len(X)}, z has {len(z)}."
            )
        plan = _conditional_plan(plan, classify(z, "z"))
    if method != "auto":
        plan = _Plan(
            method,
            f"chosen by the caller ({kind_x.reason}; {kind_y.reason})",
            _class_side(method, kind_x.kind, kind_y.kind),
        )
    if plan.class_side is not None and plan.method != "binned":
        labels = _as_labels(X if plan.class_side == "x" else y)
        if np.bincount(labels).max() < 2:
            side = "X" if plan.class_side == "x" else "y"
            raise ValueError(
                f"every value of {side}, taken as classes, occurs once, so no class has a "
                "neighbour and nothing can be estimated: IDs or names carry no information "
                f"about the other side. If {side} holds numbers that measure something, pass "
                f"{side.lower()}_kind='continuous'."
            )
    estimator = make_estimator(plan.method, seed, units, class_target=plan.class_side is not None)
    X_fit, y_fit = _dither_counts(plan, *_arrange(plan, X, y), seed)
    reduced = ""
    if plan.method == "t-copula-or-ksg" and z is None:
        X_fit, y_fit, reduced = reduce_collinear(X_fit, y_fit)
    if z is not None and not get_traits(estimator).conditioning:
        raise ValueError(f"method {plan.method!r} does not estimate conditional MI (z).")
    estimate = _fit(estimator, X_fit, y_fit, z, kind_x, kind_y, plan, chosen=method == "auto")
    result = MIResult(
        estimate,
        plan.method,
        estimator,
        units,
        reason=plan.reason + getattr(estimator, "reason_", ""),
        x_kind=kind_x.kind,
        y_kind=kind_y.kind,
        raw_estimate=estimate,
    )
    if reduced:
        result.notes.append(reduced)
    low_bound, high_bound = _hard_bounds(X, y, kind_x, kind_y, units)
    result.estimate = _clip(estimate, low_bound, high_bound, result.notes, units)
    _warn_where_unreliable(X, y, z, kind_x, kind_y, plan, estimator, result)
    if result.infinite:
        if options.normalize == "linfoot":
            result.normalized = 1.0  # sqrt(1 - exp(-inf))
        return result  # no interval or test of a quantity that is not finite
    if (ci or p_value) and time_series is None and looks_like_time_series(X_fit, y_fit):
        message = (
            "both X and y are serially dependent (a clear lag-1 autocorrelation on each "
            "side): the interval and p-value assume exchangeable rows and are far too "
            "narrow / small for time series; pass time_series=True (circular shifts and "
            "windows of consecutive rows), or time_series=False if the rows are exchangeable "
            "(e.g. a data set grouped by class)."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    serial = bool(time_series) and z is None
    if time_series and z is not None:
        result.notes.append(
            "time_series=True is not available with z: the conditional test and interval "
            "assume exchangeable rows"
        )
    resampled = _for_resampling(estimator)
    tested = _for_testing(estimator)
    if ci:
        interval = bootstrap_ci(
            resampled,
            X_fit,
            y_fit,
            z=z,
            time_series=serial,
            random_state=seed,
            n_jobs=n_jobs,
            verbose=options.verbose,
        )
        low, high = _allow_for_bias(interval, result.notes, units)
        result.ci_bias = float(interval.resample_shift)
        result.ci = (
            float(np.clip(low, low_bound, high_bound)),
            float(np.clip(high, low_bound, high_bound)),
        )
        result.ci_method = interval.description + "; widened by the estimated bias"
        if resampled is not estimator:
            result.ci_method += f"; refits of the chosen {type(resampled).__name__}"
    if p_value:
        test = permutation_test(
            tested,
            X_fit,
            y_fit,
            z=z,
            n_permutations=n_permutations,
            scheme="circular" if serial else "permutation",
            random_state=seed,
            n_jobs=n_jobs,
            verbose=options.verbose,
        )
        result.p_value = test.p_value
        if serial:
            result.notes.append(
                f"p-value from {len(test.null_distribution)} circular shifts of y (time series)"
            )
        result.min_p_value = test.min_p_value
        result.adjusted_estimate = test.adjusted_estimate
    if options.normalize is not None:
        result.normalized = _normalized(result, X, y, options.normalize)
    return result


def _normalized(result, X, y, how):
    """The estimate on a [0, 1] scale (see ``normalize`` in :func:`estimate_mi`)."""
    nats = result.estimate * (np.log(2) if result.units == "bits" else 1.0)
    if how == "linfoot":
        return float(np.sqrt(-np.expm1(-2.0 * max(nats, 0.0))))
    h_x, h_y = (_miller_madow_entropy(_as_labels(A)) for A in (X, y))
    scale = {
        "arithmetic": (h_x + h_y) / 2,
        "geometric": np.sqrt(h_x * h_y),
        "min": min(h_x, h_y),
        "max": max(h_x, h_y),
    }[how]
    return float(np.clip(nats / scale, 0.0, 1.0)) if scale > 0 else 0.0


def _miller_madow_entropy(labels):
    """Plug-in entropy plus (K - 1) / (2 n), in nats (Miller 1955), at most log K.

    K observed symbols carry at most log K nats: the correction may not
    pass it (two equally frequent classes have exactly log 2).
    """
    counts = np.bincount(labels)
    return float(min(miller_madow_entropy(counts), np.log(np.count_nonzero(counts))))


def _for_resampling(estimator):
    """The estimator to refit on resamples for an interval: the part the composite chose.

    ``t-copula-or-ksg`` and the "larger of" composites fit every part and
    keep one; refitting all of them on every resample multiplies the cost to
    re-decide a choice made on the full sample. The interval is that of the
    chosen estimator (conditional on the choice; the test is not, see
    :func:`_for_testing`), and for the t-copula its degrees of freedom stay
    at the full sample's ``df_``: one EM per resample instead of a dozen,
    leaving out only df's own small share of the spread.
    """
    if isinstance(estimator, LargerOfMutualInfo):
        best = int(np.argmax([e.mi_ for e in estimator.estimators_]))
        return clone(estimator.estimators[best])
    if not isinstance(estimator, TCopulaOrKSGMutualInfo):
        return estimator
    elliptical, knn = estimator._parts()
    if estimator.chosen_ == "KSGMutualInfo":
        return knn
    return elliptical.set_params(df=estimator.df_)


def _for_testing(estimator):
    """The estimator to refit on permuted data: the whole procedure, df held fixed.

    A permutation test is valid for the statistic the procedure computes,
    choice included: refitting only the part chosen on the real data biases
    the null (under independence k-NN is chosen exactly where it reads high;
    100 independent 2 x 2 sets, n = 300, 40 permutations: 10 % rejected at
    5 % with the chosen part, 7 % with the whole procedure). The t-copula's
    df stays at ``df_``, one EM per permutation instead of a dozen.
    """
    df = getattr(estimator, "df_", None)
    if isinstance(estimator, TCopulaOrKSGMutualInfo) and df is not None and not np.isnan(df):
        return clone(estimator).set_params(df=df)
    return estimator


def _allow_for_bias(interval, notes, units):
    """The interval stretched towards ``estimate - bias``: it should cover the truth.

    An interval of the estimator's spread covers the estimator's mean, not
    the truth it is biased away from. The resamples measure the bias: the
    median of the (rate-scaled) subsample or bootstrap estimates minus the
    estimate, ``resample_shift``, is the bootstrap's bias estimate (Efron
    and Tibshirani 1993, ch. 10) and, for subsamples of n/2 and a bias
    falling like 1/n, ``b(n/2) - b(n) = b(n)``. The side of the interval
    towards ``estimate - shift`` is moved out by ``|shift|``; the estimate
    stays inside. (Measured on ``benchmarks/bench_coverage.py``: see the
    user guide, "Robustness".)
    """
    shift = float(interval.resample_shift)
    low, high = interval.low, interval.high
    if not np.isfinite(shift) or shift == 0.0:
        return low, high
    if shift > 0:
        low -= shift
    else:
        high -= shift
    notes.append(
        f"the interval allows for the estimator's bias, estimated at {shift:+.3g} {units} from "
        "how the estimate changes between resamples and the full sample"
    )
    return low, high


def _fit(estimator, X_fit, y_fit, z, kind_x, kind_y, plan, chosen):
    """Fit; refuse a non-finite estimate with the reason."""
    import warnings

    with warnings.catch_warnings():
        if chosen and "continuous" in (kind_x.kind, kind_y.kind):
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
            f"method {plan.method!r} has no finite estimate on these data ({kind_x.reason}; "
            f"{kind_y.reason})."
        )
    return estimate


def _class_side(method, kx, ky):
    classes = _BY_NAME[method].classes
    if classes == "no":
        return None
    if method == "binned":
        return "y" if kx == ky == "discrete" else None
    if classes == "needs" and ky != "discrete" and kx != "discrete":
        raise ValueError(
            f"method={method!r} needs a discrete (class) side; neither X nor y is one."
        )
    if ky == "discrete":
        return "y"
    if kx == "discrete":
        return "x"
    return None


def _arrange(plan, X, y):
    """The arrays the estimator gets: the class side as labels in y, the rest as floats.

    MI is symmetric, so a discrete X against a continuous y is estimated as
    I(y; X) with X's labels as the class target (Ross's form).
    """
    if plan.method == "binned" and plan.class_side is not None:
        return _as_labels(X).reshape(-1, 1), _as_labels(y)
    if plan.swap:
        return _as_floats(y, "y"), _as_floats(X, "X")
    if plan.class_side == "x":
        return _as_floats(y, "y"), _as_labels(X)
    if plan.class_side == "y":
        return _as_floats(X, "X"), _as_labels(y)
    return _as_floats(X, "X"), _squeeze(_as_floats(y, "y"))


def _dither_counts(plan, X_fit, y_fit, seed):
    """Integer counts on a side taken as numbers, plus a uniform dither on [0, 1).

    ``floor(x + u) = x`` recovers each count, so the dithered columns carry
    exactly the MI of the counts and have a density, which the continuous
    estimators need (ties among counts are no rounding to break with a tiny
    jitter). Class labels (``plan.class_side``) and binned sides are left
    as they are.
    """
    if plan.method == "binned":
        return X_fit, y_fit
    rng = check_random_state(seed)
    sides = [X_fit] if plan.class_side is not None else [X_fit, y_fit]
    dithered = []
    for A in sides:
        A2 = A.reshape(len(A), -1)
        mask = count_columns(A2)
        if mask.any():
            A2 = A2.copy()
            A2[:, mask] += rng.random((len(A2), int(mask.sum())))
            A = A2.reshape(A.shape)
        dithered.append(A)
    if plan.class_side is not None:
        return dithered[0], y_fit
    return dithered[0], dithered[1]


def _two_dimensional(A, name):
    # check_array passes None, pd.NA and NaT in object arrays, which would
    # otherwise become a class of their own (issue 14): refuse them by name
    A = _check_values(detach_tensor(A), name, "estimate_mi", symbols=True)
    A = check_array(A, dtype=None, ensure_2d=False, input_name=name)
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.shape[1] == 0:
        raise ValueError(f"{name} has 0 columns; it needs at least one.")
    return A


def _as_floats(A, name):
    try:
        return np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} has non-numeric values but is not taken as discrete; pass "
            f"{name.lower()}_kind='discrete'."
        ) from None


def _squeeze(A):
    return A[:, 0] if A.shape[1] == 1 else A


def _single_row_value(A):
    """Whether every row of A equals the first (one comparison pass, no sort)."""
    if A.dtype == object:
        return _as_labels(A).max() == 0  # mixed objects: compare as symbols
    return bool(np.all(A == A[:1]))


def _as_labels(A):
    """Rows of A as class codes 0..K-1 (one symbol per distinct row)."""
    A = np.asarray(A)
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.dtype == object:
        A = A.astype(str)
    return np.unique(A, axis=0, return_inverse=True)[1].reshape(-1)


def _hard_bounds(X, y, kind_x, kind_y, units):
    """0 and the smallest entropy of a discrete side (inf if none), in ``units``.

    The entropies are plug-in with Miller-Madow's correction, the estimate the
    binned MI itself makes: the plug-in alone is biased low and would clip a
    correct estimate (identical discrete sides read 0.998 of their entropy).
    """
    entropies = [
        _miller_madow_entropy(_as_labels(A))
        for A, k in ((X, kind_x), (y, kind_y))
        if k.kind == "discrete"
    ]
    high = min(entropies) if entropies else np.inf
    return 0.0, (high / np.log(2) if units == "bits" else high)


def _clip(estimate, low, high, notes, units):
    if estimate > high:
        notes.append(
            f"the estimate {estimate:.4g} exceeded the entropy of a discrete side "
            f"({high:.4g} {units}), which bounds the MI; reported at that bound"
        )
        return float(high)
    if estimate < low:
        notes.append(
            f"the estimate {estimate:.4g} is below 0 (noise around independence); reported as 0"
        )
        return 0.0
    return float(estimate)


def _infinite_mi(X, y, z, kind_x, kind_y):
    """Words saying why I(X; y) is infinite (one side a function of the other), or "".

    Given z too: if y is a function of X, ``h(y | X, z)`` is minus infinity.
    """
    if "discrete" in (kind_x.kind, kind_y.kind):
        return ""
    try:
        Xf, yf = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if monotone_pair(Xf, yf):
        return (
            "a column of y has exactly the ranks of a column of X (a strictly monotone "
            "relation, or one these samples cannot tell from it)"
        )
    return functional_relation(Xf, yf)


def _warn_where_unreliable(X, y, z, kind_x, kind_y, plan, estimator, result):
    """One warning for each way the number may be far from the truth."""
    infinite = _infinite_mi(X, y, z, kind_x, kind_y)
    if infinite:
        message = (
            f"{infinite}: the mutual information of continuous variables related this way "
            "is infinite (or more than these samples can tell from it), and the estimate "
            "reflects only the sample size; no interval or p-value is given for it."
        )
        result.notes.append(message)
        result.infinite = True
        warn_at_caller(message, SkmiWarning)
        return
    if getattr(estimator, "non_elliptical_", False):
        result.notes.append(
            "k-NN on normal scores reads at least the t-copula's value, which on elliptical "
            "data it stays below: the dependence is not elliptical (a twist such as a "
            "spiral, a many-to-one relation), and both may miss part of the MI (on "
            "spirals of a Gaussian, 8-44 % low); compare method='neural' with enough data"
        )
    if plan.method in ("lda", "logistic", "classifiers"):
        d = (y if plan.class_side == "x" else X).shape[1]
        result.notes.append(
            "a held-out classifier bound: below the MI by what the classifier misses, most "
            f"where n is not much larger than d (here n / d = {len(X) / d:.3g}; at 10 the "
            "bounds read about 20 % low on Gaussian classes)"
        )
    knn = plan.method.startswith("ksg") or getattr(estimator, "chosen_", "") == "KSGMutualInfo"
    if not knn:
        return
    n = len(X)
    ceiling = digamma(n) - digamma(3)
    nats = result.raw_estimate * (np.log(2) if result.units == "bits" else 1.0)
    if plan.class_side is None and nats > ceiling - 1.0:
        message = (
            f"the estimate ({nats:.2f} nats) is near the largest value a k-NN estimate can "
            f"reach with n = {n} (about {ceiling:.2f}): the true MI may be much larger "
            "(infinite for a deterministic relation)."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    d = X.shape[1] + (0 if plan.class_side else y.shape[1])
    if plan.class_side is not None:
        d = (y if plan.class_side == "x" else X).shape[1]
    d_z = 0 if z is None else z.shape[1]
    if d_z > CONDITIONAL_KNN_DIMENSION:
        message = (
            f"a conditional k-NN estimate given {d_z} conditioning dimensions: the "
            "neighbourhoods in z grow with its dimension and the estimate shrinks towards 0 "
            "(Runge 2018); read it as a lower value and test it with p_value."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    d += d_z
    if d > HIGH_KNN_DIMENSION:
        message = (
            f"a k-nearest-neighbour estimate in {d} dimensions: such estimates are biased "
            "downwards there, increasingly with the MI; the 'gaussian-copula' and (for "
            "classes) 'lda' methods give lower bounds to compare with."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
