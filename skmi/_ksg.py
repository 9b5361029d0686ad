"""KSGMutualInfo: k-nearest-neighbour mutual information.

Four ways of counting, one per case, and a small dispatcher
(``KSGMutualInfo._pointwise_nats``):

* ``_ksg_terms`` -- Kraskov, Stögbauer & Grassberger (2004), algorithms 1
  and 2, for continuous X and y of any dimension (max-norm);
* ``_ross_terms`` -- Ross (2014), continuous X and a discrete (class) y, the
  estimator scikit-learn's ``mutual_info_classif`` uses;
* ``_mixed_terms`` -- Gao, Kannan, Oh & Viswanath (2017), for data with atoms
  (exact repeated values), counting ties instead of jittering them away;
* ``_mixed_class_terms`` -- the same counting with a class y;

and ``_conditional_terms`` for I(X; y | z) (Frenzel & Pompe, 2007).
Each returns the per-sample (pointwise) terms whose mean is the estimate.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numba
import numpy as np
from scipy.special import digamma

from skmi._backends import resolve_backend
from skmi._base import BaseMutualInfo
from skmi._neighbors import (
    TORCH_AUTO_MIN_SAMPLES,
    NeighborIndex,
    grid_cells_per_axis,
    knn_and_marginal_counts,
    strictly_below,
)
from skmi._numba import ksg1_pair_1d_threaded, ksg1_pairs_1d
from skmi._preprocessing import normal_scores, standardize
from skmi._ranks import stable_order
from skmi._sklearn_compat import Interval, Options, StrOptions
from skmi._traits import MITraits
from skmi.exceptions import TiesWarning

# Above this fraction of tied samples the jittered estimate is unreliable
# enough to say so: ties then decide many neighbour ranks at random.
ATOM_WARNING_FRACTION = 0.05


class KSGMutualInfo(BaseMutualInfo):
    """Mutual information by k-nearest neighbours (Kraskov et al., 2004).

    Estimates I(X; y) between a multivariate X and a multivariate or class
    target y from distances to each sample's k-th nearest neighbour in the
    joint space (max-norm) and neighbour counts in the marginal spaces. It
    needs no binning and no density model; its bias is small for low to
    moderate dimension and grows with dimension and with the MI itself.

    Parameters
    ----------
    n_neighbors : int, default=3
        Number of neighbours k. Larger k lowers variance and raises bias.
    variant : {1, 2}, default=1
        KSG estimator 1 (marginal balls set by the k-th joint distance; the
        one scikit-learn uses) or 2 (balls set by the neighbours' extent in
        each marginal). (Not called ``algorithm``: scikit-learn's
        ``algorithm`` names a neighbour-search structure.)
    copula : bool, default=False
        First map every continuous column through its ranks to normal
        scores. MI is invariant to such monotone maps, but KSG's bias is not:
        Gaussian-shaped marginals suit its uniform-density assumption better
        than skewed or heavy-tailed ones (measured in
        ``benchmarks/accuracy/bench_auto.py``). Ties keep their (average) rank.
    standardize : bool, default=True
        Scale every column to zero mean and unit variance first. The joint
        max-norm compares X and y distances directly, so without this the
        larger-scaled variable decides every neighbour (measured: +0.71 nats
        with comparable scales, -0.26 with y times 10^4, truth 0.875).
        With ``False`` all columns are still divided by one common power of
        two (exact in floating point, so every neighbour stays the same), so
        that data near 1e±300 neither overflows nor underflows.
    ties : {"jitter", "mixed"}, default="jitter"
        ``"jitter"`` breaks exact ties with noise of ``jitter`` times each
        column's standard deviation (the KSG and scikit-learn convention);
        ``"mixed"`` keeps them and uses the discrete-continuous counting of
        Gao et al. (2017), which is consistent for data with atoms (ReLU
        zeros, integer values, repeated rows). ``"mixed"`` ignores
        ``variant``.
    discrete_target : {"auto", True, False}, default="auto"
        Treat y as class labels (Ross, 2014). ``"auto"`` does so for boolean
        and string y, and for integer y whose values repeat as class labels
        do: at most 20 distinct values with at least 5 samples each (integer
        IDs such as ``np.arange(n)`` and counts with many levels are
        numbers; the data-kind table in the user guide, "Which estimator").
        A multi-column class y is one symbol per row.
    jitter : float, default=1e-10
        Relative size of the tie-breaking noise.
    theiler_window : int, default=0
        For rows in time order (a series, or its delay embedding): samples j
        with ``|i - j| <= theiler_window`` are left out of sample i's k-NN
        search in the joint space and of its marginal counts, so that
        neighbours that are close only because they are close in time do
        not count (Theiler, 1986). The rows left out are those of JIDT's
        ``DYN_CORR_EXCL``: 0 leaves out i alone (the plain estimator), w
        leaves out w rows either side (TISEAN's window of w + 1). Where JIDT
        keeps KSG's ``psi(n)``, skmi uses ``psi(n - b_i)``, b_i the rows
        hidden from i (2 w, fewer at the ends): JIDT's form adds about
        2 w / n (measured on independent pairs, n = 2000: +0.21 nats at
        w = 200, skmi's +0.001 +- 0.005). Conditional MI has no ``psi(n)``
        term; there both agree. Needs n > n_neighbors + 2 w samples.
        Continuous targets only (KSG 1 and 2, and conditional MI with z),
        with ``ties="jitter"`` and the Numba backend; elsewhere a positive
        window raises ``ValueError``. The counts stay exact: the result
        equals a brute-force count that skips the band.
    backend : {"auto", "numba", "torch"}, default="auto"
        Where the neighbour searches run. "numba": the CPU kernels (sorted
        arrays, quantile grid, k-d tree, vectorised scan). "torch": exact
        brute force in memory-bounded tiles on ``device`` -- the same counts,
        hence the same estimate (float64). "auto": Numba. The torch path is
        O(n^2) brute force where Numba's sorted arrays and trees are
        O(n log n) in low dimension; on an H200 the (previous) torch path took
        43 s for the 1-D KSG at n = 10^5 against 0.029 s for Numba on 16
        cores, so "auto" stays on Numba until a GPU run of
        ``benchmarks/speed/bench_backends.py --gpu`` measures where the GPU wins;
        ask for ``backend="torch"`` to use it.
    device : str or None, default=None
        torch device for the torch backend; None means
        ``skmi.get_config()["device"]`` ("cpu" unless set).
    units : {"nats", "bits"}, default="nats"
        Units of ``mi_``, ``score`` and ``pointwise_mi``.
    random_state : int, RandomState instance or None, default=None
        Seeds the jitter. The same seed gives bit-for-bit the same estimate.

    Attributes
    ----------
    mi_ : float
        The estimate on the training data, in ``units``. Not clipped: a
        negative value is an estimate of a small MI plus noise.
    atom_fraction_ : float
        The largest fraction, over the continuous columns, of training samples
        whose value in that column is shared with another sample (before
        jitter). Above 5 % a :class:`~skmi.exceptions.TiesWarning` suggests
        ``ties="mixed"``.
    discrete_target_ : bool
        Whether y was treated as class labels.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of str
        Column names of X, when it had string column names.

    See Also
    --------
    GaussianMutualInfo : closed form for Gaussian data, the baseline.
    sklearn.feature_selection.mutual_info_regression : the 1-D KSG 1.

    Notes
    -----
    KSG 1 averages, over samples i,
    ``psi(k) + psi(n) - psi(n_x(i) + 1) - psi(n_y(i) + 1)``, where ``n_x(i)``
    counts samples strictly closer than the k-th joint neighbour in X alone
    (KSG 2: ``psi(k) - 1/k + psi(n) - psi(n_x(i)) - psi(n_y(i))`` with
    inclusive counts in each neighbour's extent). These terms are what
    :meth:`pointwise_mi` returns. The estimate is not clipped at zero (unlike
    scikit-learn's), so that averages over repetitions stay unbiased by the
    clipping; on 1-D tie-free data it equals scikit-learn's value before
    clipping.

    Neighbour searches are exact and choose their structure by measurement:
    sorted arrays for 1-D counts, a quantile grid in up to 4 dimensions, a
    k-d tree up to 10 and a vectorised all-pairs scan beyond. Memory is
    O(n (d + k)).

    References
    ----------
    .. [1] A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual
       information", Phys. Rev. E 69, 066138, 2004.
    .. [2] B. C. Ross, "Mutual information between discrete and continuous
       data sets", PLoS ONE 9(2), e87357, 2014.
    .. [3] W. Gao, S. Kannan, S. Oh and P. Viswanath, "Estimating mutual
       information for discrete-continuous mixtures", NeurIPS 2017.
    .. [4] S. Frenzel and B. Pompe, "Partial mutual information for coupling
       analysis of multivariate time series", Phys. Rev. Lett. 99, 204101,
       2007.
    .. [5] J. Theiler, "Spurious dimension from correlation algorithms applied
       to limited time-series data", Phys. Rev. A 34, 2427, 1986.

    Examples
    --------
    >>> from skmi import KSGMutualInfo
    >>> from skmi.datasets import make_gaussian
    >>> X, y, true_mi = make_gaussian(2000, correlation=0.8, random_state=0)
    >>> round(true_mi, 3)
    0.511
    >>> est = KSGMutualInfo(random_state=0).fit(X, y)
    >>> abs(est.mi_ - true_mi) < 0.05
    True

    Conditional MI: given z, X carries no further information about y here.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(2000)
    >>> X, y = z + rng.standard_normal(2000), z + rng.standard_normal(2000)
    >>> abs(KSGMutualInfo(random_state=0).fit(X[:, None], y, z=z).mi_) < 0.02
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "variant": [Options(Integral, {1, 2})],
        "copula": ["boolean"],
        "standardize": ["boolean"],
        "ties": [StrOptions({"jitter", "mixed"})],
        "discrete_target": [StrOptions({"auto"}), "boolean"],
        "jitter": [Interval(Real, 0, None, closed="left")],
        "theiler_window": [Interval(Integral, 0, None, closed="left")],
        "backend": [StrOptions({"auto", "numba", "torch"})],
        "device": [None, str],
        "random_state": ["random_state"],
    }

    # A duplicated row is its own nearest neighbour at distance 0, so
    # bootstrap resamples inflate k-NN estimates: subsample instead.
    def _mi_traits(self):
        # ranks (copula) keep any monotone map; standardised columns an affine one
        invariance = "monotone" if self.copula else "affine" if self.standardize else "none"
        return MITraits(
            resampling="subsample",
            discrete_target=True,
            conditioning=True,
            pointwise=True,
            invariance=invariance,
        )

    def __init__(
        self,
        n_neighbors=3,
        *,
        variant=1,
        copula=False,
        standardize=True,
        ties="jitter",
        discrete_target="auto",
        jitter=1e-10,
        theiler_window=0,
        backend="auto",
        device=None,
        units="nats",
        random_state=None,
    ):
        self.n_neighbors = n_neighbors
        self.variant = variant
        self.copula = copula
        self.standardize = standardize
        self.ties = ties
        self.discrete_target = discrete_target
        self.jitter = jitter
        self.theiler_window = theiler_window
        self.backend = backend
        self.device = device
        self.units = units
        self.random_state = random_state

    def pointwise_mi(self, X, y, z=None):
        """Per-sample (pointwise) MI terms on ``(X, y)``, in ``units``.

        Their mean is ``score(X, y)`` (``score(X, y, z)`` with z). Samples of
        a class seen only once (class targets) have no within-class neighbour
        and get NaN; the estimate is the mean over the others, as in
        scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
        z : array-like of shape (n_samples, n_features_z), optional
            Required when the estimator was fitted with z.

        Returns
        -------
        terms : ndarray of shape (n_samples,)

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has not been fitted.
        ValueError
            As :meth:`score`.
        """
        return self._pointwise(X, y, z)

    # -- BaseMutualInfo hooks ----------------------------------------------

    def _min_samples(self):
        return self.n_neighbors + 1 + 2 * self.theiler_window

    def _min_samples_reason(self):
        if self.theiler_window:
            return (
                f" (n_neighbors + 1 + 2 * theiler_window = {self._min_samples()}: the "
                "window leaves out theiler_window rows either side of each sample)"
            )
        return f" (n_neighbors + 1 = {self.n_neighbors + 1})"

    def _fit(self, X, y, z):
        blocks = [X] if self.discrete_target_ else [X, y]
        self.atom_fraction_ = max(_tied_fraction(b) for b in blocks + ([] if z is None else [z]))
        if self.atom_fraction_ > ATOM_WARNING_FRACTION and self.ties == "jitter":
            warnings.warn(
                f"{self.atom_fraction_:.0%} of the samples share a value with another "
                "sample (atoms such as ReLU zeros or integer values). The jitter breaks "
                "these ties at random, which biases k-NN estimates; "
                'KSGMutualInfo(ties="mixed") counts them as atoms instead.',
                TiesWarning,
                stacklevel=3,
            )
        return self._estimate(X, y, z)

    def _estimate(self, X, y, z):
        return float(np.nanmean(self._pointwise_nats(X, y, z)))

    def _pointwise_nats(self, X, y, z):
        return self._terms(X, y, z, self._where(len(X)))

    def _where(self, n):
        """``(backend, device)`` for this estimate's neighbour searches (resolved once)."""
        use_torch = TORCH_AUTO_MIN_SAMPLES is not None and n >= TORCH_AUTO_MIN_SAMPLES
        return resolve_backend(self.backend, self.device, torch_when_auto=use_torch)

    def _terms(self, X, y, z, where):
        rng = self._rng()
        blocks = [X] + ([] if self.discrete_target_ else [y]) + ([] if z is None else [z])
        common = _power_of_two_scale(blocks)
        X = self._prepare(X, rng, common)
        z = None if z is None else self._prepare(z, rng, common)
        k = self.n_neighbors
        mixed = self.ties == "mixed"
        window = self.theiler_window
        if window:
            self._check_window_supported(where)
        if self.discrete_target_:
            if np.bincount(y).max() < 2:
                # Ross's terms exist only for samples whose class has company:
                # with none, the mean of no terms would be NaN.
                raise ValueError(
                    "y has no class with two or more samples (every value occurs once), "
                    "so class-label MI cannot be estimated; pass discrete_target=False "
                    "to treat y as numbers."
                )
            class_terms = _mixed_class_terms if mixed else _ross_terms
            if z is None:
                return class_terms(X, y, k, where=where)
            # chain rule: I(X; y | z) = I([X, z]; y) - I(z; y)
            joint = class_terms(np.hstack([X, z]), y, k, where=where)
            return joint - class_terms(z, y, k, where=where)
        y = self._prepare(y, rng, common)
        if z is not None:
            return _conditional_terms(X, y, z, k, mixed, theiler_window=window, where=where)
        if mixed:
            return _mixed_terms(X, y, k, where=where)
        return _ksg_terms(X, y, k, self.variant, theiler_window=window, where=where)

    def _check_window_supported(self, where):
        """Refuse a Theiler window on the paths that do not implement it."""
        refused = None
        if self.discrete_target_:
            refused = "a class (discrete) target"
        elif self.ties == "mixed":
            refused = 'ties="mixed"'
        elif where[0] == "torch":
            refused = 'the torch backend (backend="torch")'
        if refused is not None:
            raise ValueError(
                f"theiler_window={self.theiler_window} is not supported with {refused}; "
                "it applies to continuous targets with ties='jitter' and the Numba "
                "backend. Pass theiler_window=0."
            )

    def _prepare(self, A, rng, common_scale):
        """Copula-map and standardise (optionally) and jitter a continuous block.

        Without standardising, every block is divided by ``common_scale``, one
        power of two for all blocks: exact, so the max-norm neighbours are
        those of the raw data, and the squares in ``std`` and the
        differences in distances stay finite at any scale.
        """
        if self.copula:
            A = normal_scores(A)
        if self.standardize:
            A = standardize(A)
        else:
            A = np.asarray(A, dtype=np.float64) / (1.0 if self.copula else common_scale)
        if self.ties == "jitter" and self.jitter > 0:
            scale = 1.0 if self.standardize else A.std(axis=0)
            A += self.jitter * scale * rng.standard_normal(A.shape)
        return np.ascontiguousarray(A)


# where the term functions search unless told: the configuration (skmi.config_context)
CONFIGURED = (None, None)


def _index(points, purpose, where):
    """A neighbour index over ``points`` on the resolved ``(backend, device)``."""
    backend, device = where
    return NeighborIndex(points, purpose, backend=backend, device=device)


# ---------------------------------------------------------------------------
# the four ways of counting
# ---------------------------------------------------------------------------


def _ksg_terms(x, y, k, algorithm, y_index=None, theiler_window=0, where=CONFIGURED):
    """KSG 1 or 2 pointwise terms for continuous x (n, d_x) and y (n, d_y).

    ``y_index`` (a count index over y) saves rebuilding it when many x are
    scored against the same y; ``theiler_window`` leaves temporally close
    rows out of the search and the counts (:class:`KSGMutualInfo`);
    ``where`` is the resolved ``(backend, device)``.
    """
    psi_n = _digamma_visible(x.shape[0], theiler_window)
    rule = "kth_strict" if algorithm == 1 else "extent"
    backend, device = where
    _, n_x, n_y = knn_and_marginal_counts(
        x, y, k, rule, y_index, backend=backend, device=device, theiler_window=theiler_window
    )
    if algorithm == 1:
        return digamma(k) + psi_n - _digamma_counts(n_x + 1) - _digamma_counts(n_y + 1)
    return digamma(k) - 1.0 / k + psi_n - _digamma_counts(n_x) - _digamma_counts(n_y)


def _digamma_visible(n, theiler_window):
    """KSG's ``psi(n)``; with a Theiler window w, ``psi(n - b_i)`` per sample.

    ``b_i = min(i, w) + min(n - 1 - i, w)`` rows of i's window are hidden
    from its search and counts, so i sees ``n - b_i`` samples (itself
    included) where the plain estimator sees n. JIDT keeps ``psi(n)``, which
    adds ``mean(psi(n) - psi(n - b_i))``, about 2 w / n, to the estimate.
    """
    if not theiler_window:
        return digamma(n)
    i = np.arange(n)
    return digamma(n - np.minimum(i, theiler_window) - np.minimum(n - 1 - i, theiler_window))


def _class_neighbourhoods(x, labels, k, class_knn=None, where=CONFIGURED):
    """Per sample: whether its class has company, the class size, the distance
    to its k-th neighbour within the class and the k used (capped at the class
    size - 1). ``class_knn(points, k) -> distances`` replaces the exact
    within-class k-NN."""
    class_sizes = np.bincount(labels)
    size = class_sizes[labels]
    radius = np.zeros(x.shape[0])
    k_used = np.zeros(x.shape[0])
    for label in np.flatnonzero(class_sizes > 1):
        members = np.flatnonzero(labels == label)
        k_c = min(k, members.size - 1)
        if class_knn is None:
            dist = _index(x[members], "knn", where).knn(k_c)[0]
        else:
            dist = class_knn(x[members], k_c)
        radius[members] = dist[:, -1]
        k_used[members] = k_c
    return size > 1, size, radius, k_used


def _ross_formula(kept, size, k_used, m):
    """``psi(n) + psi(k) - psi(N_class) - psi(m)`` on the kept samples, NaN elsewhere."""
    terms = np.full(kept.shape[0], np.nan)
    terms[kept] = digamma(kept.sum()) + digamma(k_used[kept]) - digamma(size[kept]) - digamma(m)
    return terms


def _ross_terms(x, labels, k, class_knn=None, where=CONFIGURED):
    """Ross (2014) pointwise terms for continuous x and class codes.

    For each sample: the distance r to its k-th neighbour within its own class
    (k capped at the class size - 1), and m, the number of samples of any
    class strictly within r (itself included). Samples of singleton classes
    have no neighbour and are left out (NaN), as scikit-learn does.

    ``class_knn(points, k) -> distances (n, k)`` replaces the exact
    within-class k-NN (the drop-in functions use it to reproduce
    scikit-learn's rounding in tiny classes).
    """
    kept, size, radius, k_used = _class_neighbourhoods(x, labels, k, class_knn, where)
    m = _index(x[kept], "count", where).count_within(strictly_below(radius[kept])) + 1
    return _ross_formula(kept, size, k_used, m)


def _mixed_terms(x, y, k, where=CONFIGURED):
    """Pointwise terms that treat exact ties as atoms (Gao et al., 2017).

    Where the k-th joint neighbour of sample i is at a positive distance, the
    KSG 1 terms ``psi(k) + psi(n) - psi(n_x + 1) - psi(n_y + 1)`` with strict
    counts. Where it is at distance 0 -- more than k samples identical to i,
    an atom -- Gao et al.'s rule: k becomes k_i, the number of samples
    identical to i, and the marginal counts become the numbers of samples
    with the same x (resp. y).

    Gao et al. write the positive-distance case with ``log n - log(n_x + 1)
    - log(n_y + 1)`` and inclusive counts; at small k that form is biased
    where a discrete variable pins the joint neighbourhood to one atom
    (measured on their own X ~ U{0..3}, y = X + U(0, 2) example, n = 3000:
    0.54 nats against a truth of 0.87). The digamma form with strict counts
    has no such bias (0.86).
    """
    n = x.shape[0]
    dist, n_x, n_y = knn_and_marginal_counts(
        x, y, k, "kth_strict", backend=where[0], device=where[1]
    )
    atom = dist[:, -1] == 0
    k_i = np.full(n, float(k))
    if atom.any():
        k_i[atom] = _n_identical_rows(np.hstack([x, y]))[atom]
        n_x[atom] = _n_identical_rows(x)[atom]
        n_y[atom] = _n_identical_rows(y)[atom]
    return digamma(k_i) + digamma(n) - digamma(n_x + 1) - digamma(n_y + 1)


def _conditional_terms(x, y, z, k, mixed, theiler_window=0, where=CONFIGURED):
    """Frenzel & Pompe (2007) pointwise terms of I(x; y | z).

    ``psi(k) - psi(n_xz + 1) - psi(n_yz + 1) + psi(n_z + 1)``, the counts
    taken strictly within the distance to the k-th neighbour in the joint
    (x, y, z) space, in the (x, z), (y, z) and z spaces. With ``mixed``, the
    atom rule of :func:`_mixed_terms` applies where that distance is 0;
    ``theiler_window`` leaves temporally close rows out of the search and
    every count.
    """
    xz, yz = np.hstack([x, z]), np.hstack([y, z])
    joint = np.hstack([x, y, z])
    dist, _ = _index(joint, "knn", where).knn(k, theiler_window)
    radius = strictly_below(dist[:, -1])
    n_xz, n_yz, n_z = (
        _index(A, "count", where).count_within(radius, theiler_window) for A in (xz, yz, z)
    )
    k_i = np.full(x.shape[0], float(k))
    atom = dist[:, -1] == 0
    if mixed and atom.any():
        k_i[atom] = _n_identical_rows(joint)[atom]
        n_xz[atom] = _n_identical_rows(xz)[atom]
        n_yz[atom] = _n_identical_rows(yz)[atom]
        n_z[atom] = _n_identical_rows(z)[atom]
    return digamma(k_i) - digamma(n_xz + 1) - digamma(n_yz + 1) + digamma(n_z + 1)


def _mixed_class_terms(x, labels, k, where=CONFIGURED):
    """Ross's terms with Gao et al.'s atom rule, for a class y.

    As :func:`_ross_terms`, except that where the k-th within-class neighbour
    is at distance 0 the sample sits on an atom of x: k becomes the number of
    same-class samples identical to it, and m the number of samples of any
    class identical to it (itself included).
    """
    kept, size, radius, k_used = _class_neighbourhoods(x, labels, k, where=where)
    atom = kept & (radius == 0)
    if atom.any():  # identical within the class = identical rows of [x, label]
        k_used[atom] = _n_identical_rows(np.column_stack([x, labels]))[atom]
    x_kept = x[kept]
    m = _index(x_kept, "count", where).count_within(strictly_below(radius[kept])) + 1
    atom_kept = atom[kept]
    if atom_kept.any():
        m[atom_kept] = _n_identical_rows(x_kept)[atom_kept] + 1
    return _ross_formula(kept, size, k_used, m)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _ksg1_pairs_1d(columns, pairs, k):
    """KSG 1 estimates (nats, not clipped) for pairs of prepared 1-D columns.

    ``columns`` is (m, n), one column per row, already scaled and jittered;
    ``pairs`` lists (a, b) row indices. Each pair gives exactly the value of
    ``np.mean(_ksg_terms(columns[a], columns[b], k, 1))``, to rounding, but
    all pairs run in one parallel kernel.
    """
    columns = np.ascontiguousarray(columns, dtype=np.float64)
    m, n = columns.shape
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    # the kernel indexes columns[a], columns[b] and k neighbours unchecked
    if pairs.size and (pairs.min() < 0 or pairs.max() >= m):
        raise ValueError(f"pairs must index the {m} columns; got {pairs.min()}..{pairs.max()}.")
    if not 1 <= k < n:
        raise ValueError(f"n_neighbors={k} needs 1 <= n_neighbors < n_samples={n}.")
    n_threads = numba.get_num_threads()
    orders, sorted_columns = _sorted_rows(columns, n_threads)
    psi = digamma(np.arange(n + 1, dtype=np.float64))
    n_cells = grid_cells_per_axis(n, 2)
    if 0 < len(pairs) < n_threads:  # too few pairs to fill the threads: split each one
        return np.array(
            [
                ksg1_pair_1d_threaded(
                    columns, sorted_columns, orders, a, b, k, psi, n_cells, n_threads
                )
                for a, b in pairs
            ]
        )
    return ksg1_pairs_1d(columns, sorted_columns, orders, pairs, k, psi, n_cells)


# below this many samples a thread pool costs more than the sorts it spreads
_PARALLEL_SORT_MIN = 50_000


def _sorted_rows(columns, n_threads):
    """``argsort`` of each row and the sorted rows, rows spread over threads.

    NumPy releases the GIL while sorting, so threads sort rows side by side:
    two rows of 10^6, 83 ms in one thread, 45 ms in two.
    """
    m, n = columns.shape
    orders = np.empty((m, n), dtype=np.intp)
    sorted_columns = np.empty_like(columns)

    def sort_row(i):
        orders[i] = np.argsort(columns[i])
        np.take(columns[i], orders[i], out=sorted_columns[i])

    if n_threads < 2 or m < 2 or n < _PARALLEL_SORT_MIN:
        for i in range(m):
            sort_row(i)
        return orders, sorted_columns
    with ThreadPoolExecutor(max_workers=min(n_threads, m)) as pool:
        list(pool.map(sort_row, range(m)))
    return orders, sorted_columns


def _digamma_counts(counts):
    """``digamma(counts)`` for non-negative integer counts, by table lookup.

    Counts repeat and are bounded by n, so one table of psi(0..max) is
    cheaper than evaluating psi per sample (10x at n = 10^4), and exact.
    """
    table = digamma(np.arange(counts.max() + 1, dtype=np.float64))
    return table[counts]


def _power_of_two_scale(blocks):
    """The power of two nearest below the largest magnitude in ``blocks``.

    Dividing by it is exact in floating point (unless a value becomes
    subnormal), and brings the data to magnitudes below 2.
    """
    peak = max(float(np.abs(b).max()) for b in blocks)
    if peak == 0 or not np.isfinite(peak):
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(peak)[1]) - 1))


def _tied_fraction(A):
    """Largest fraction, over columns, of samples whose value repeats.

    Per column from one sort (a value repeats when a sorted neighbour equals
    it); cheap enough to run on every fit (0.03 s a column at n = 10^6).
    """
    worst = 0.0
    for c in range(A.shape[1]):
        s = A[stable_order(A[:, c]), c]  # sorted, from the order shared in a scan
        same = s[1:] == s[:-1]
        tied = np.zeros(s.shape[0], dtype=bool)
        tied[1:] = same
        tied[:-1] |= same
        worst = max(worst, float(tied.mean()))
    return worst


def _n_identical_rows(A):
    """For each row, how many other rows are identical to it."""
    rows = np.ascontiguousarray(A + 0.0)  # + 0.0 turns -0.0 into 0.0
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)] - 1
