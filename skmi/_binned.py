"""BinnedMutualInfo: plug-in mutual information of discretised variables.

Each variable becomes one symbol per sample -- its own values when it is
discrete, its bin pattern (or k-means cluster) when it is continuous -- and
I(X; y) = H(X) + H(y) - H(X, y) is computed from the symbol counts, with an
optional Miller-Madow bias correction.
"""

from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from skmi._base import BaseMutualInfo
from skmi._binning import _EDGE_SAMPLE, _binned_symbols, _discrete_symbols
from skmi._numba import dense_labels
from skmi._preprocessing import column_stats, side_is_discrete, standardize
from skmi._sklearn_compat import Interval, StrOptions
from skmi._traits import MITraits

_MINIBATCH_ABOVE = 50_000  # k-means on more rows than this uses mini-batches


class BinnedMutualInfo(BaseMutualInfo):
    """Plug-in mutual information of discretised (binned) variables.

    Continuous blocks are discretised per coordinate -- each row's bin
    pattern is one symbol, the information-plane convention -- or, with
    ``strategy="kmeans"``, vector-quantised as a whole into ``n_bins``
    clusters. Discrete blocks (integers, booleans, strings) are used as they
    are, and then the estimate is the exact plug-in MI of the observed
    frequencies.

    A binned estimate of a continuous MI is not a consistent estimate of it:
    it measures the information between the *discretised* variables, which
    depends on the bins (and for deterministic networks grows with their
    number). Use it for discrete data, or knowing what it measures.

    Parameters
    ----------
    n_bins : int >= 2, default=10
        Bins per coordinate (``"uniform"``, ``"quantile"``) or clusters per
        block (``"kmeans"``).
    strategy : {"uniform", "quantile", "kmeans"}, default="uniform"
        Equal-width bins, equal-frequency bins, or k-means clusters of the
        standardised rows.
    shared_edges : bool, default=False
        With ``"uniform"``, one set of edges spanning the whole block's range
        for all its columns (the convention for binning a layer's
        activations), instead of each column's own range.
    correction : {None, "miller-madow"}, default=None
        Miller-Madow: add ``(m - 1) / (2n)`` to each entropy, m the number of
        occupied bins, which removes the leading term of the plug-in
        estimator's downward bias.
    discrete_features : {"auto", True, False}, default="auto"
        Whether X holds symbols; "auto": boolean and string X do, integer X
        when its columns have few distinct values relative to n (the
        data-kind rule: integer IDs and counts with mostly distinct values
        are numbers, and are binned).
    discrete_target : {"auto", True, False}, default="auto"
        The same for y, by the same rule. Object arrays holding numbers are
        numbers on either side.
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None, default=None
        Seeds k-means.

    Attributes
    ----------
    mi_ : float
    n_symbols_x_, n_symbols_y_, n_symbols_joint_ : int
        Occupied bins (distinct symbols) on the training data.
    discrete_features_, discrete_target_ : bool
    n_features_in_ : int

    Notes
    -----
    ``score(X, y)`` bins new data with the edges (or cluster centres) fitted
    on the training data, so that estimates on different data are comparable.
    ``pointwise_mi`` returns ``log(n c_xy / (c_x c_y))`` for each sample (plus
    the constant Miller-Madow term when enabled), whose mean is the estimate.
    Both read one fit's state, taken at once: a ``score`` that runs while
    another thread refits the estimator uses the old fit or the new one,
    never parts of each.

    References
    ----------
    .. [1] G. A. Miller, "Note on the bias of information estimates", in
       Information Theory in Psychology, 1955.
    .. [2] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural
       networks via information", arXiv:1703.00810, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import mutual_info_score
    >>> from skmi import BinnedMutualInfo
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 4, 1000)
    >>> y = (x + rng.integers(0, 2, 1000)) % 4
    >>> est = BinnedMutualInfo().fit(x.reshape(-1, 1), y)
    >>> bool(np.isclose(est.mi_, mutual_info_score(x, y)))
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "strategy": [StrOptions({"uniform", "quantile", "kmeans"})],
        "shared_edges": ["boolean"],
        "correction": [None, StrOptions({"miller-madow"})],
        "discrete_features": [StrOptions({"auto"}), "boolean"],
        "discrete_target": [StrOptions({"auto"}), "boolean"],
        "random_state": ["random_state"],
    }
    _x_dtype = None  # keep integer and string X: they are symbols
    _columns_fixed_at_fit = True  # the fitted edges belong to the fit's columns

    # A plug-in of counts: duplicated rows are just counted twice, so the
    # ordinary bootstrap is valid.
    def _mi_traits(self):
        # quantile bins follow the ranks; uniform and k-means bins scale with the column
        return MITraits(
            resampling="bootstrap",
            discrete_target=True,
            pointwise=True,
            invariance="monotone" if self.strategy == "quantile" else "affine",
        )

    def __init__(
        self,
        n_bins=10,
        *,
        strategy="uniform",
        shared_edges=False,
        correction=None,
        discrete_features="auto",
        discrete_target="auto",
        units="nats",
        random_state=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.shared_edges = shared_edges
        self.correction = correction
        self.discrete_features = discrete_features
        self.discrete_target = discrete_target
        self.units = units
        self.random_state = random_state

    def _fit_dask(self, X, y, z):
        """``fit`` for dask inputs: per-chunk joint bin counts reduced on the cluster."""
        from skmi._dask.binned import fit_binned

        return fit_binned(self, X, y, z)

    def score(self, X, y, z=None):
        """The plug-in MI of ``(X, y)`` binned with the fitted edges, in ``units``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
        z : None
            Conditioning is not supported.

        Returns
        -------
        mi : float

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has not been fitted.
        ValueError
            If X or y do not match the fit (number of columns) or are invalid.
        """
        return BaseMutualInfo.score(self, X, y, z)

    def pointwise_mi(self, X, y):
        """Per-sample ``log(n c_xy / (c_x c_y))`` on ``(X, y)``, in ``units``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)

        Returns
        -------
        terms : ndarray of shape (n_samples,)
            Their mean is ``score(X, y)``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has not been fitted.
        ValueError
            As :meth:`score`.
        """
        return self._pointwise(X, y, None)

    # -- BaseMutualInfo hooks -----------------------------------------------

    def _target_is_discrete(self, y):
        # the same rule for y as for X (the base class's own reads an object
        # array of numbers as symbols)
        if self.discrete_target == "auto":
            return side_is_discrete(y)
        return bool(self.discrete_target)

    def _fit(self, X, y, z):
        if self.discrete_features == "auto":
            self.discrete_features_ = side_is_discrete(X)
        else:
            self.discrete_features_ = bool(self.discrete_features)
        rng = self._rng()
        self._binner_x = None if self.discrete_features_ else self._fit_binner(X, rng)
        self._binner_y = None if self.discrete_target_ else self._fit_binner(y, rng)
        labels_x, labels_y = self._symbols(X, y)
        counts = _joint_counts(labels_x, labels_y)
        self.n_symbols_x_, self.n_symbols_y_, self.n_symbols_joint_ = (len(c) for c in counts[:3])
        return self._mi_from_counts(*counts[:3], len(labels_x))

    def _estimate(self, X, y, z):
        labels_x, labels_y = self._symbols(X, y)
        counts = _joint_counts(labels_x, labels_y)
        return self._mi_from_counts(*counts[:3], len(labels_x))

    def _pointwise_nats(self, X, y, z):
        labels_x, labels_y = self._symbols(X, y)
        c_x, c_y, c_xy, (labels_x, labels_y, joint) = _joint_counts(labels_x, labels_y)
        n = len(labels_x)
        terms = np.log(n * c_xy[joint] / (c_x[labels_x] * c_y[labels_y]))
        return terms + self._correction(c_x, c_y, c_xy, n)

    # -- symbols ------------------------------------------------------------------

    def _symbols(self, X, y):
        if self.discrete_features_:
            labels_x = _discrete_symbols(X)
        else:
            labels_x = _binned_symbols(np.asarray(X, dtype=np.float64), self._binner_x)
        if self.discrete_target_:
            labels_y = y  # class codes from the base
        else:
            labels_y = _binned_symbols(y, self._binner_y)
        return labels_x, labels_y

    def _fit_binner(self, A, rng):
        """What turns a continuous block into bin codes: edges, or k-means."""
        A = np.asarray(A, dtype=np.float64)
        if self.strategy == "kmeans":
            # standardised without overflow: k-means squares distances
            stats = column_stats(A)
            Model = MiniBatchKMeans if len(A) > _MINIBATCH_ABOVE else KMeans
            n_clusters = min(self.n_bins, len(A))
            model = Model(n_clusters=n_clusters, n_init=3, random_state=rng)
            model.fit(standardize(A, stats))
            return ("kmeans", (stats, model))
        if self.strategy == "quantile":
            sample = np.sort(A[:: max(1, len(A) // _EDGE_SAMPLE)], axis=0)
            positions = (np.arange(1, self.n_bins) * len(sample)) // self.n_bins
            return ("edges", np.ascontiguousarray(sample[positions].T))
        low, high = A.min(axis=0), A.max(axis=0)
        if self.shared_edges:
            low[:], high[:] = low.min(), high.max()
        inner = np.linspace(0.0, 1.0, self.n_bins + 1)[1:-1]
        # low (1 - t) + high t, not low + (high - low) t: high - low overflows
        # when the range spans more than the largest float (-1e308 to 1e308).
        edges = low[:, None] * (1.0 - inner) + high[:, None] * inner
        return ("edges", np.ascontiguousarray(edges))

    # -- counting ------------------------------------------------------------------

    def _mi_from_counts(self, c_x, c_y, c_xy, n):
        mi = _entropy(c_x, n) + _entropy(c_y, n) - _entropy(c_xy, n)
        return float(mi + self._correction(c_x, c_y, c_xy, n))

    def _correction(self, c_x, c_y, c_xy, n):
        if self.correction is None:
            return 0.0
        # Miller-Madow adds (m - 1) / 2n to each entropy; in the MI they combine.
        return ((len(c_x) - 1) + (len(c_y) - 1) - (len(c_xy) - 1)) / (2.0 * n)


def _entropy(counts, n):
    """Plug-in entropy (nats) from the counts of the occupied symbols."""
    counts = counts.astype(np.float64)
    return float(np.log(n) - np.dot(counts, np.log(counts)) / n)


def _joint_counts(labels_x, labels_y):
    """Counts of the x, y and (x, y) symbols, and each sample's dense labels."""
    labels_x, c_x = dense_labels(np.ascontiguousarray(labels_x, dtype=np.int64))
    labels_y, c_y = dense_labels(np.ascontiguousarray(labels_y, dtype=np.int64))
    joint, c_xy = dense_labels(labels_x * len(c_y) + labels_y)
    return c_x, c_y, c_xy, (labels_x, labels_y, joint)
