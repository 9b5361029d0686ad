"""MutualInfoSelector: greedy selection by relevance and redundancy."""

import copy
import sys
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import check_array

from skmi._base import BaseMutualInfo
from skmi._dask import refuse_dask_collections
from skmi._ksg import KSGMutualInfo
from skmi._parallel import Parallel, delayed
from skmi._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    check_is_fitted,
    validate_data,
)
from skmi._validation import detach_tensor
from skmi.exceptions import SkmiWarning
from skmi.feature_selection._common import warn_constant_columns

__all__ = ["MutualInfoSelector"]


class MutualInfoSelector(SelectorMixin, BaseEstimator):
    """Greedy feature selection by relevance and redundancy (mRMR, JMI, CMIM).

    Plain top-k mutual information picks redundant copies of the same signal;
    these criteria pick features that add information to those already
    chosen. Starting from the most relevant feature, each step adds the
    feature j that maximises

    * ``"mrmr"``: I(x_j; y) - mean over chosen s of I(x_j; x_s)
      (Peng et al., 2005);
    * ``"jmi"``: sum over chosen s of I((x_j, x_s); y) (Yang & Moody, 1999);
    * ``"cmim"``: min over chosen s of I(x_j; y | x_s) (Fleuret, 2004).

    Both rest on the conditional MI ``I(x_j; y | x_s) = I((x_j, x_s); y) -
    I(x_s; y)``, which is estimated directly (Frenzel & Pompe's conditional
    k-NN) when the estimator conditions: a copy of a chosen feature then
    adds exactly nothing, as it should. The difference of two separate
    estimates does not have that property -- the 2-D estimate is biased
    differently from the 1-D one, and on iris with petal length twice both
    copies were chosen.

    Parameters
    ----------
    n_features_to_select : int or float, default=None
        How many features to keep: an int, a fraction in (0, 1), or None for
        half of them.
    criterion : {"mrmr", "jmi", "cmim"}, default="mrmr"
    estimator : skmi estimator, default=None
        Estimates every MI term; ``KSGMutualInfo(random_state=random_state)``
        when None (which treats integer/string y as classes).
    random_state : int, RandomState instance or None, default=None
        Passed to the default estimator.
    n_jobs : int, default=None
        Parallel jobs over candidate features at each step (joblib).
    verbose : int or bool, default=0
        Show progress over the features selected (a tqdm bar where
        installed, else a line per step on stderr). Each step fits the
        estimator once per remaining feature: 50 of 1,000 features take
        minutes.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features,)
        The criterion's value for every feature: for a selected feature, its
        value at the step that chose it; for the others, their value at the
        last step (their relevance I(x_j; y) when one feature is selected).
        Per input feature, as ``SelectKBest.scores_``.
    ranking_ : ndarray of int, shape (n_features,)
        As ``RFE.ranking_``: 1 for every selected feature; the others 2, 3, ...
        by decreasing ``scores_`` (the feature a further step would have
        taken first is 2; ties by column order).
    selection_order_ : ndarray of int, shape (n_features_to_select,)
        The selected feature indices, in the order they were chosen.
    selection_scores_ : ndarray of shape (n_features_to_select,)
        The criterion's value at each step, for the feature then chosen
        (``scores_[selection_order_]``).
    relevance_ : ndarray of shape (n_features,)
        I(x_j; y) for every feature, in nats.
    support_ : ndarray of bool, shape (n_features,)
        Whether each feature was selected.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of str
        Column names of X, when it had string column names.

    References
    ----------
    .. [1] H. Peng, F. Long and C. Ding, "Feature selection based on mutual
       information: criteria of max-dependency, max-relevance, and
       min-redundancy", IEEE TPAMI 27(8), 2005.
    .. [2] H. Yang and J. Moody, "Data visualization and feature selection:
       new algorithms for non-Gaussian data", NIPS 1999.
    .. [3] F. Fleuret, "Fast binary feature selection with conditional mutual
       information", JMLR 5, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import MutualInfoSelector
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.standard_normal((2, 1000))
    >>> y = a + b + 0.3 * rng.standard_normal(1000)
    >>> X = np.column_stack([a, a + 0.01 * rng.standard_normal(1000), b])
    >>> support = MutualInfoSelector(2, random_state=0).fit(X, y).get_support()
    >>> int(support[:2].sum()), bool(support[2])  # one copy of a, and b
    (1, True)
    """

    _parameter_constraints: dict = {
        "n_features_to_select": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "criterion": [StrOptions({"mrmr", "jmi", "cmim"})],
        "estimator": [None, HasMethods(["fit"])],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        criterion="mrmr",
        estimator=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.criterion = criterion
        self.estimator = estimator
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y):
        """Choose the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
        """
        self._validate_params()
        refuse_dask_collections(type(self).__name__, X=X, y=y)
        X, y = detach_tensor(X), detach_tensor(y)  # a tensor with grad: numpy cannot read it
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if len(y) != len(X):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
            )
        n_features = X.shape[1]
        n_select = self._n_to_select(n_features)
        base = (
            KSGMutualInfo(random_state=self.random_state)
            if self.estimator is None
            else (self.estimator)
        )
        fits = _BlockFits(base, X, Parallel(n_jobs=self.n_jobs))

        def mi_of(blocks):
            return fits.mi([list(b) for b in blocks], y)

        # Constant columns score 0 (in _BlockFits), with one warning here.
        warn_constant_columns(X, stacklevel=2)
        progress = _Progress(n_select, self.verbose)
        self.relevance_ = mi_of([[j] for j in range(n_features)])
        progress.step()
        chosen = [int(np.argmax(self.relevance_))]
        scores = [self.relevance_[chosen[0]]]
        # every feature's value at the latest step it was a candidate
        latest = self.relevance_.astype(float)
        # Running aggregate of each candidate's terms against the chosen set.
        aggregate = np.zeros(n_features)
        if self.criterion == "cmim":
            aggregate[:] = np.inf
        while len(chosen) < n_select:
            last = chosen[-1]
            candidates = [j for j in range(n_features) if j not in chosen]
            if self.criterion == "mrmr":
                # I(x_j; x_last), with x_last as the target
                aggregate[candidates] += fits.mi([[j] for j in candidates], X[:, last])
                value = self.relevance_[candidates] - aggregate[candidates] / len(chosen)
            else:
                gain = self._conditional_gains(base, fits, X, y, candidates, last)
                if self.criterion == "jmi":
                    # I((x_j, x_last); y) = I(x_last; y) + I(x_j; y | x_last)
                    aggregate[candidates] += self.relevance_[last] + gain
                else:  # cmim
                    aggregate[candidates] = np.minimum(aggregate[candidates], gain)
                value = aggregate[candidates]
            latest[candidates] = value
            best = int(np.argmax(value))
            chosen.append(candidates[best])
            scores.append(value[best])
            progress.step()
        progress.close()
        self.selection_order_ = np.asarray(chosen, dtype=np.intp)
        self.selection_scores_ = np.asarray(scores, dtype=float)
        self.scores_ = latest
        self.support_ = np.zeros(n_features, dtype=bool)
        self.support_[self.selection_order_] = True
        self.ranking_ = np.ones(n_features, dtype=np.intp)
        others = np.flatnonzero(~self.support_)
        by_score = others[np.argsort(-latest[others], kind="stable")]
        self.ranking_[by_score] = np.arange(2, len(others) + 2)
        return self

    def _conditional_gains(self, base, fits, X, y, candidates, last):
        """I(x_j; y | x_last) for every candidate j.

        Estimated in one piece by an estimator that conditions (a copy of
        x_last then scores 0, not the bias difference of a 2-D and a 1-D
        estimate); otherwise as ``I((x_j, x_last); y) - I(x_last; y)``.
        """
        from skmi._traits import get_traits

        if get_traits(base).conditioning:
            return fits.mi([[j] for j in candidates], y, z=X[:, [last]])
        return fits.mi([[j, last] for j in candidates], y) - self.relevance_[last]

    def _n_to_select(self, n_features):
        n = self.n_features_to_select
        if n is None:
            return max(1, n_features // 2)
        if isinstance(n, Integral):
            if n > n_features:
                raise ValueError(
                    f"n_features_to_select={n} is more than n_features={n_features}, "
                    "the number of columns of X."
                )
            return int(n)
        return max(1, int(n * n_features))

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        return tags


class _Progress:
    """Progress over the selection steps: a tqdm bar, or lines on stderr."""

    def __init__(self, total, verbose):
        self.total, self.done, self.bar, self.lines = total, 0, None, False
        if not verbose:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm is optional
            self.lines = True
            return
        self.bar = tqdm(total=total, desc="MutualInfoSelector: features selected", leave=False)

    def step(self):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.lines:
            line = f"MutualInfoSelector: {self.done}/{self.total} features selected"
            print(line, file=sys.stderr)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class _BlockFits:
    """``clone(base).fit(X[:, cols], target, z=z).mi_`` for many column blocks.

    A selector fits one estimator on hundreds of column blocks of one data
    set against a few targets. For skmi estimators that use the shared
    validation, the target (and z) is validated once per target -- the
    class-or-number decision, encoding and checks are the same for every
    block -- and each block is then fitted on a copy of that validated
    estimator: the same ``_fit`` on the same arrays with the same random
    state, so the same values, without re-validating the target, X and the
    parameters per block. Other estimators are cloned and fitted per block.
    A constant block scores 0, as everywhere in the selector.
    """

    def __init__(self, base, X, parallel):
        self.base, self.X, self.parallel = base, X, parallel
        self._prepared = None  # KSG's prepared columns, built at the first use
        kind = type(base)
        self.fast = isinstance(base, BaseMutualInfo) and all(
            getattr(kind, name) is getattr(BaseMutualInfo, name)
            for name in ("fit", "_validate_xy", "_validate_z")
        )

    def mi(self, blocks, target, z=None):
        """The MI of each block of columns (lists of indices) with ``target``."""
        if not self.fast:
            tasks = (delayed(_quiet_mi)(clone(self.base), self.X[:, b], target, z) for b in blocks)
            return np.asarray(self.parallel(tasks), dtype=float)
        template = clone(self.base)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkmiWarning)
            try:
                # a column with two values stands in for X: only the target
                # and z are validated here
                stand_in = (np.arange(len(self.X)) % 2).astype(np.float64)[:, None]
                _, target = template._validate_xy(stand_in, target, reset=True)
                z = template._validate_z(z, len(self.X), reset=True)
            except ValueError as error:
                if "is constant" in str(error):
                    return np.zeros(len(blocks))
                raise
        if (
            z is None
            and _one_dimensional_ksg(template, blocks, target)
            and _PreparedColumns.fits_budget(self.X)
        ):
            if self._prepared is None:
                self._prepared = _PreparedColumns(template, self.X)
            values = self._prepared.mi(template, self.X, [b[0] for b in blocks], target)
            return template._from_nats(values)
        if _class_conditional_ksg(template, blocks, z) and _PreparedColumns.fits_budget(self.X):
            if self._prepared is None:
                self._prepared = _PreparedColumns(template, self.X)
            values = self._prepared.class_gains(template, self.X, [b[0] for b in blocks], target, z)
            return template._from_nats(values)
        tasks = (delayed(_fit_block)(template, self.X[:, b], target, z) for b in blocks)
        return np.asarray(self.parallel(tasks), dtype=float)


def _class_conditional_ksg(template, blocks, z):
    """Whether every block is one column scored by KSG against classes given one column.

    KSG's conditional MI with a class target is ``mean(terms([x, z]) -
    terms(z))`` (Ross's terms): the second is the same for every candidate
    of a step (JMI's and CMIM's ``I(x_j; y | x_last)``), so it is computed
    once, from the columns prepared as each fit prepares them: the values are
    the fits' values, bit for bit.
    """
    return (
        z is not None
        and z.shape[1] == 1
        and _plain_ksg(template, blocks, len(z), class_target=True)
    )


def _plain_ksg(template, blocks, n, class_target):
    """Whether ``template`` is a KSGMutualInfo whose fit of a one-column block the
    selector can replay: Numba backend, jitter scaled independently of the data,
    no Theiler window, the given kind of target."""
    if type(template) is not KSGMutualInfo or template.discrete_target_ != class_target:
        return False
    params = template.get_params()
    return (
        template._where(n)[0] == "numba"
        and params["standardize"]  # the jitter's scale does not depend on the data
        and not params.get("theiler_window", 0)
        and all(len(b) == 1 for b in blocks)
    )


def _one_dimensional_ksg(template, blocks, target):
    """Whether every block is one column scored by plain KSG 1 against one numeric column.

    Then all the blocks go through the batched kernel of
    :func:`~skmi.mutual_info_matrix` (sorted columns and a grid, all pairs in
    one parallel call) on columns prepared exactly as each fit prepares
    them. mRMR's redundancy terms are such pairs.
    """
    if not _plain_ksg(template, blocks, len(target), class_target=False):
        return False
    params = template.get_params()
    return (
        params["variant"] == 1
        and params["ties"] == "jitter"
        and target.shape[1] == 1
        and 1 <= params["n_neighbors"] < len(target)
    )


class _PreparedColumns:
    """Every column of X prepared (and sorted) once, as a KSG fit of it as X would.

    A fit draws its jitter from a fresh generator, X's first: a column's
    prepared values are the same in every fit, whatever the target. The
    selector's steps reuse them (and their sort) and prepare only the new
    target, in the row after them. Kept only when the three (n_features + 1,
    n) arrays fit half the memory budget.
    """

    def __init__(self, template, X):
        from skmi._ksg import _sorted_rows

        n, d = X.shape
        self.varying = np.ptp(X, axis=0) > 0  # a constant column scores 0
        self.columns = np.empty((d + 1, n))
        for c in range(d):
            self.columns[c] = (
                template._prepare(X[:, [c]], _fresh_generator(template), None)[:, 0]
                if self.varying[c]
                else 0.0
            )
        self.orders, self.sorted_columns = _sorted_rows(self.columns[:d], 1)
        self.orders = np.vstack([self.orders, np.zeros((1, n), dtype=np.intp)])
        self.sorted_columns = np.vstack([self.sorted_columns, np.zeros((1, n))])

    @staticmethod
    def fits_budget(X):
        from skmi._config import get_config

        n, d = X.shape
        return 3 * 8 * (d + 1) * n <= get_config()["memory_budget"] / 2

    def mi(self, template, X, columns, target):
        """``KSGMutualInfo`` fits of each column against ``target`` (one column), in nats."""
        from scipy.special import digamma

        from skmi._neighbors import grid_cells_per_axis
        from skmi._numba import ksg1_pairs_1d

        n, d = X.shape
        out = np.zeros(len(columns))
        varying, target = self._second_block(template, X, columns, target)
        if not varying:
            return out
        self.columns[d] = target[:, 0]
        self.orders[d] = np.argsort(self.columns[d])
        self.sorted_columns[d] = self.columns[d][self.orders[d]]
        pairs = np.array([(columns[i], d) for i in varying], dtype=np.int64)
        k = template.n_neighbors
        psi = digamma(np.arange(n + 1, dtype=np.float64))
        values = ksg1_pairs_1d(
            self.columns,
            self.sorted_columns,
            self.orders,
            pairs,
            k,
            psi,
            grid_cells_per_axis(n, 2),
        )
        out[varying] = values
        return out

    def _second_block(self, template, X, columns, A):
        """The varying columns' positions, and A prepared as a fit prepares its
        second block (after X's jitter draws); a constant column scores 0."""
        varying = [i for i, c in enumerate(columns) if self.varying[c]]
        if not varying:
            return varying, None
        rng = _fresh_generator(template)
        template._prepare(X[:, [columns[varying[0]]]], rng, None)  # the draws of X's jitter
        return varying, template._prepare(A, rng, None)

    def class_gains(self, template, X, columns, labels, z):
        """KSG fits of ``I(x_c; labels | z)`` for each column c, in nats."""
        from skmi._ksg import _mixed_class_terms, _ross_terms

        out = np.zeros(len(columns))
        varying, z = self._second_block(template, X, columns, z)
        if not varying:
            return out
        class_terms = _mixed_class_terms if template.ties == "mixed" else _ross_terms
        k = template.n_neighbors
        where = template._where(len(z))
        given = class_terms(z, labels, k, where=where)
        for i in varying:
            x = np.ascontiguousarray(self.columns[columns[i]][:, None])
            out[i] = np.nanmean(class_terms(np.hstack([x, z]), labels, k, where=where) - given)
        return out


def _fit_copy(template):
    """A copy of ``template`` for one fit; like a clone, it starts from the
    same generator state as every other fit (a generator object is copied)."""
    work = copy.copy(template)
    if not isinstance(getattr(work, "random_state", None), (type(None), Integral)):
        work.random_state = copy.deepcopy(work.random_state)
    return work


def _fresh_generator(template):
    """The generator a fit of a clone of ``template`` starts from."""
    return _fit_copy(template)._rng()


def _fit_block(template, X, y, z):
    """``mi_`` of a fit of ``template`` (target and z validated) on the block X."""
    work = _fit_copy(template)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        work.n_features_in_ = X.shape[1]
        try:
            if work._drops_constant_columns("X"):
                X = work._drop_constant(X, "X", reset=True)
            return work._from_nats(work._fit(X, y, z))
        except ValueError as error:
            if "is constant" in str(error):
                return 0.0
            raise


def _quiet_mi(estimator, X, y, z=None):
    """``estimator.fit(X, y[, z=z]).mi_``, with a constant block scoring 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        try:
            if z is not None:
                return estimator.fit(X, y, z=z).mi_
            return estimator.fit(X, y).mi_
        except ValueError as error:
            if "is constant" in str(error):
                return 0.0
            raise
