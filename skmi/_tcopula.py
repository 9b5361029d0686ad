"""TCopulaMutualInfo: the MI of a Student-t copula fitted to the ranks.

The MI of a distribution is that of its copula (it is invariant to monotone
maps of each coordinate), and the MI of a Student-t copula with ``df``
degrees of freedom and dispersion (correlation) R is in closed form: the
Gaussian MI of R plus a term that depends only on df and the dimensions
(Arellano-Valle et al., 2013). The copula is fitted by maximum likelihood on
the pseudo-observations (ranks): for each df, R by the EM algorithm of the
multivariate t (Liu and Rubin, 1995) with the scale fixed to the unit
diagonal; df by the profile likelihood.
"""

import warnings
from functools import cache
from numbers import Integral, Real

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import gammaln, ndtri
from scipy.stats import t as student_t

from skmi._base import BaseMutualInfo
from skmi._closed_forms import gaussian_block_mi, log_det_bias_of_mi, student_t_mi_excess
from skmi._data_kinds import classify_column
from skmi._ranks import rankdata, unique_inverse
from skmi._sklearn_compat import Interval, StrOptions, validate_parameters
from skmi._traits import MITraits
from skmi._validation import check_int, check_real
from skmi.exceptions import SkmiWarning

# Degrees of freedom tried before the profile likelihood is refined between
# the best one's neighbours; inf is the Gaussian copula.
_DF_GRID = (np.inf, 60.0, 30.0, 15.0, 8.0, 5.0, 3.0, 2.0, 1.5, 1.0)
_DF_BOUNDS = (0.5, 200.0)
# Smallest eigenvalue of the normal scores' correlation below which columns
# count as collinear.
_COLLINEAR = 1e-10


class TCopulaMutualInfo(BaseMutualInfo):
    """Mutual information of a Student-t copula fitted to the ranks of (X, y).

    Heavy tails make data dependent through a shared scale even when the
    columns are uncorrelated: a multivariate Student-t with identity
    dispersion has positive MI that the Gaussian copula (which sees
    correlations only) misses entirely and k-NN estimators underestimate by
    27-51 % (issue 17). This estimator models the copula as that of a
    multivariate t: ``I = 1/2 log(det R_xx det R_yy / det R) + f(df) +
    f(df + d_x + d_y) - f(df + d_x) - f(df + d_y)``, ``f(a) = log Gamma(a/2)
    - (a/2) psi(a/2)``. It is exact (up to estimation error) for any
    monotone transform of an elliptical Student-t (or Gaussian: df = inf)
    and invariant to monotone maps of each column.

    Parameters
    ----------
    df : "auto" or float > 0, default="auto"
        Degrees of freedom of the copula; "auto" chooses them by profile
        maximum likelihood (a grid from 1 to 60 and infinity, refined
        between neighbours); ``numpy.inf`` gives the Gaussian copula.
    max_iter : int, default=200
        EM iterations per df.
    tol : float, default=1e-6
        EM stops when no entry of R changes by more.
    bias_correction : bool, default=True
        Subtract the closed-form finite-sample bias of the Gaussian part's
        log-determinants (exact for the Gaussian copula, see
        :class:`~skmi.GaussianMutualInfo`; an approximation for finite df).
        Without it the estimate is about ``d_x d_y / (2 n)`` nats high:
        +25 % for a dense 50 x 50 Gaussian at n = 5000.
    reduce_rank : bool, default=True
        Reduce a side that spans fewer dimensions than it has columns (an
        injective layer ``act(V W + b)`` of a few coordinates V, say) to
        those dimensions before the MI is computed; see Notes.
    units : {"nats", "bits"}, default="nats"

    Attributes
    ----------
    mi_ : float
    df_ : float
        The degrees of freedom used (inf: Gaussian copula).
    dispersion_ : ndarray of shape (r_x + r_y, r_x + r_y)
        The fitted copula correlation matrix R (of the reduced sides, when
        a side was reduced).
    n_components_ : tuple of int
        ``(r_x, r_y)``: the dimensions of X and y the MI was computed in;
        ``(d_x, d_y)`` unless a side was reduced.
    gaussian_part_, tail_part_ : float
        The two terms of the MI (in ``units``): from R, and from df.
    degenerate_ : str
        Why the fit is not an elliptical copula of the data's ranks: a pair
        of columns whose fitted correlation its Kendall tau rules out
        (``rho = sin(pi tau / 2)`` holds for every elliptical copula); ""
        for a sound fit.
    n_features_in_ : int

    Raises
    ------
    ValueError
        If ``n_samples <= d_x + d_y + 1`` (R would be singular), or if
        columns of X (or of y) are monotone functions of each other. When y
        is a monotone function of X the estimate is ``inf``, with a
        warning.

    Warns
    -----
    SkmiWarning
        If a column is discrete (ranks do not identify a discrete copula), or
        if the fit is degenerate (``degenerate_``): a fitted correlation that
        the pair's Kendall tau rules out, as nearly equal ranks with a few
        swaps produce. A parametric MI may exceed log n (n samples of a
        strongly dependent law in many dimensions): that alone is no fault.

    Notes
    -----
    Like every parametric estimate it is biased when the copula is not
    elliptical-t (a spiral or a ReLU atom, say); compare it with
    :class:`~skmi.KSGMutualInfo` there. ``benchmarks/accuracy/bench_auto.py``
    shows where it wins. Time is O(n d^2) per EM iteration.

    *Sides of lower rank.* Linear maps of an elliptical vector are
    elliptical with the same generator, so the copula of ``act(V W + b)``
    (act increasing, V of r coordinates, W of r rows) is a t-copula whose
    dispersion has rank r, and its MI is that of the r-dimensional law:
    the tail term counts r dimensions, not the columns (counting columns
    read +36 to +100 % on a Student-t base through such layers,
    ``benchmarks/accuracy/bench_stress.py``). With ``reduce_rank`` a side is
    reduced when the fitted dispersion of its columns has eigenvalues
    below 1e-2 of its largest *and* the side's intrinsic dimension (the
    two-nearest-neighbour estimate of Facco et al., 2017, on its normal
    scores) is at most the number of eigenvalues kept (+ 0.5): the side then
    lies on a manifold of that dimension. It is replaced by its principal
    t-scores (the kept eigenvectors of its dispersion block) and the copula
    refitted. A small direction that is a dimension of its own (``X = (x, x
    + 0.05 z)``: two dimensions, one small) is kept. Noise added to a layer
    makes the side full-dimensional: from about 0.5 % of its scale the
    two-nearest-neighbour dimension sees it. Such a side is reduced too when,
    in the fit of all columns, its small directions add no significant
    linear information about the other side (a chi-square test at level 0.01
    of the Gaussian part of their conditional MI). By the data-processing
    inequality dropping directions can only lose information; counting the
    noisy columns read 0.50-0.99 on a Student-t base through a width-20
    layer with 0.5-5 % noise, where at most 0.40 is possible, and reads
    0.31-0.41 now. At 20 % noise a tanh layer keeps 8-12 noisy directions
    above the eigenvalue share and reads about 1.45 times the bound.

    References
    ----------
    .. [1] R. B. Arellano-Valle, J. E. Contreras-Reyes and M. G. Genton,
       "Shannon entropy and mutual information for multivariate
       skew-elliptical distributions", Scand. J. Statist. 40(1), 2013.
    .. [2] C. Liu and D. B. Rubin, "ML estimation of the t distribution using
       EM and its extensions, ECM and ECME", Statistica Sinica 5, 1995.
    .. [3] S. Demarta and A. J. McNeil, "The t copula and related copulas",
       International Statistical Review 73(1), 2005.
    .. [4] F. Lindskog, A. McNeil and U. Schmock, "Kendall's tau for elliptical
       distributions", in Credit Risk, Physica, 2003.
    .. [5] E. Facco, M. d'Errico, A. Rodriguez and A. Laio, "Estimating the
       intrinsic dimension of datasets by a minimal neighborhood
       information", Scientific Reports 7, 12140, 2017.

    Examples
    --------
    >>> from skmi import TCopulaMutualInfo
    >>> from skmi.datasets import make_student_t
    >>> X, y, truth = make_student_t(3000, 2, 2, df=2.0, correlation=0.0, random_state=0)
    >>> est = TCopulaMutualInfo().fit(X, y)
    >>> round(truth, 3), abs(est.mi_ - truth) < 0.05
    (0.193, True)
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "df": [StrOptions({"auto"}), Interval(Real, 0, None, closed="right")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "bias_correction": ["boolean"],
        "reduce_rank": ["boolean"],
    }
    # A parametric fit to ranks: duplicated rows are a valid plug-in.
    _mi_traits = MITraits(resampling="bootstrap", invariance="monotone")

    def __init__(
        self,
        *,
        df="auto",
        max_iter=200,
        tol=1e-6,
        bias_correction=True,
        reduce_rank=True,
        units="nats",
    ):
        self.df = df
        self.max_iter = max_iter
        self.tol = tol
        self.bias_correction = bias_correction
        self.reduce_rank = reduce_rank
        self.units = units

    def _min_samples(self):
        return 4

    def _fit(self, X, y, z):
        _warn_discrete(X, y)
        df, R, gaussian, tail, uniform, components = self._copula_fit(X, y)
        self.df_, self.dispersion_, self.n_components_ = df, R, components
        self.gaussian_part_, self.tail_part_ = self._from_nats(gaussian), self._from_nats(tail)
        self.degenerate_ = self._check_degenerate(uniform, R)
        return gaussian + tail

    def _check_degenerate(self, uniform, R):
        """Why the fit is not an elliptical copula of these ranks ("" if it is), with a warning."""
        why = degenerate_pair(uniform, R)
        if why:
            warnings.warn(
                f"The t-copula fit is degenerate: {why} (df_ = {self.df_:.3g}). Its MI "
                f"is not to be trusted; use KSGMutualInfo, or estimate_mi to choose.",
                SkmiWarning,
                stacklevel=4,
            )
        return why

    def _estimate(self, X, y, z):
        validate_parameters(self)  # score after set_params (issue 14)
        _, _, gaussian, tail, _, _ = self._copula_fit(X, y)
        return gaussian + tail

    def _copula_fit(self, X, y):
        # Interval(Integral / Real) lets True through (a bool is an int in Python)
        if isinstance(self.df, (bool, np.bool_)):
            raise TypeError("df must be 'auto' or a positive number, got bool.")
        check_int(self.max_iter, "max_iter")
        check_real(self.tol, "tol")
        d_x = X.shape[1]
        data = np.hstack([X, y])
        n, d = data.shape
        if n <= d + 1:
            raise ValueError(
                f"TCopulaMutualInfo needs n_samples > {d + 1} (all columns plus 2) for a "
                f"non-singular copula correlation; got n_samples={n}."
            )
        # pseudo-observations in (0, 1): average ranks / (n + 1)
        uniform = rankdata(data) / (n + 1)
        components = (d_x, d - d_x)
        full = cache(lambda: self._fit_uniform(uniform, d_x))
        if self.reduce_rank:
            try:
                reduced = self._reduced_sides(uniform, d_x, full)
            except np.linalg.LinAlgError:
                reduced = None  # too few samples to tell: keep every column
            if reduced is not None:
                data, d_x = reduced
                n, d = data.shape
                components = (d_x, d - d_x)
                uniform = rankdata(data) / (n + 1)
                full = cache(lambda: self._fit_uniform(uniform, d_x))
        df, R, _ = full()
        if R is None:
            return df, None, np.inf, 0.0, uniform, components
        gaussian = gaussian_block_mi(R, d_x)
        if self.bias_correction:
            gaussian -= log_det_bias_of_mi(d_x, d - d_x, 0, n)
        tail = student_t_mi_excess(df, d_x, d - d_x)
        return df, R, gaussian, tail, uniform, components

    def _reduced_sides(self, uniform, d_x, full):
        """``(data, d_x)`` with each low-rank side replaced by its principal t-scores, or None.

        A side is a candidate when the correlation of its normal scores has
        eigenvalues below ``_RANK_SHARE`` of the largest and either its
        intrinsic dimension is below its width (a noise-free layer) or, in
        the fit of all columns (``full()``: ``(df, R, scores)``), its small
        directions add no linear information about the other side (a layer
        with noise; :func:`_small_directions_are_noise`). df comes from a fit
        with each candidate side cut to its leading normal-score components
        (cheap, and never near-singular); at that df the side's dispersion
        block (EM on its t quantiles, where an elliptical side's linear
        structure is exact) gives the directions kept.
        """
        from skmi._collinear import two_nn_dimension

        sides = [np.arange(d_x), np.arange(d_x, uniform.shape[1])]
        if all(len(cols) < 2 for cols in sides):
            return None  # a single column spans its one dimension
        normal = ndtri(uniform)
        leading = []  # per side: the normal-score components for the df fit, or None
        for cols, other in zip(sides, sides[::-1], strict=True):
            values, vectors = np.linalg.eigh(np.atleast_2d(np.corrcoef(normal[:, cols].T)))
            keep = values >= _RANK_SHARE * values.max()
            candidate = (
                len(cols) > 1
                and not keep.all()
                and (
                    two_nn_dimension(normal[:, cols]) <= keep.sum() + _DIMENSION_MARGIN
                    or _small_directions_are_noise(full()[1], cols, other, len(uniform))
                )
            )
            leading.append(normal[:, cols] @ vectors[:, keep] if candidate else None)
        if all(part is None for part in leading):
            return None
        return self._principal_t_scores(uniform, normal, leading, sides)

    def _principal_t_scores(self, uniform, normal, leading, sides):
        """The sides with each candidate replaced by its principal t-scores."""
        cut = [
            part if part is not None else normal[:, cols]
            for part, cols in zip(leading, sides, strict=True)
        ]
        cut_uniform = rankdata(np.hstack(cut)) / (len(uniform) + 1)
        df, R, _ = self._fit_uniform(cut_uniform, cut[0].shape[1])
        if R is None:
            return None
        Q = _RankScores(uniform).quantiles(df)
        blocks = []
        for part, cols in zip(leading, sides, strict=True):
            block = Q[:, cols]
            if part is not None:
                R_side = _fit_dispersion(block, df, None, self.max_iter, _SIDE_TOL)
                values, vectors = np.linalg.eigh(R_side)
                block = block @ vectors[:, values >= _RANK_SHARE * values.max()]
            blocks.append(block)
        return np.hstack(blocks), blocks[0].shape[1]

    def _fit_uniform(self, uniform, d_x):
        """``(df, R, scores)`` of the copula of these pseudo-observations (R None: singular)."""
        scores = _RankScores(uniform)
        if _singular(uniform, d_x):
            return np.inf, None, scores
        if self.df == "auto":
            df, R = _profile_df(scores, self.max_iter, self.tol)
        else:
            df = float(self.df)
            Q = scores.quantiles(df)
            R = _fit_dispersion(Q, df, None, self.max_iter, self.tol, stop_when_singular=True)
        return df, R, scores


# Eigenvalues of a side's dispersion block below this share of its largest
# are directions the side may not span (rank-transform noise of a layer).
_RANK_SHARE = 1e-2
# A side is reduced to r directions only if its intrinsic dimension is at most r + this.
_DIMENSION_MARGIN = 0.5
# Small directions are noise when their linear information about the other side
# is not significant at this level (_small_directions_are_noise).
_NOISE_TEST_LEVEL = 0.01


def _small_directions_are_noise(R, cols, other, n):
    """Whether a side's small directions add no linear information about the other side.

    ``R`` is the dispersion of the copula fitted to all columns (None when
    singular), ``cols`` and ``other`` index the side and the other side, and
    ``n`` is the number of samples. The side's dispersion block is split into
    its large directions (eigenvalues at least ``_RANK_SHARE`` of the
    largest) and the small ones; the statistic is the Gaussian part of the
    conditional MI, I(small; other | large) under ``R``, as the likelihood
    ratio ``2 n' I``: chi-square with ``small x other`` degrees of freedom
    when the small directions carry no linear information beyond the large
    ones (Bartlett's n' = n - 1 - large - (small + other + 1) / 2; T. W.
    Anderson, *An Introduction to Multivariate Statistical Analysis*, 3rd
    ed., 2003, sec. 12.4).

    Why: noise added to a layer makes its side full-dimensional, so the
    two-nearest-neighbour dimension no longer shows the layer's rank, and
    the t-copula's tail term then counts every noisy column as a direction
    that shares the tails (a Student-t base through a width-20 leaky-ReLU
    layer with 1 % noise read 0.97 where at most 0.40 is possible).
    Whether a small direction shares the tails cannot be told apart from
    noise stretched by the rank transform, but its linear information can be
    measured. Dropping directions errs one way only: by the data-processing
    inequality the kept directions hold at most the side's MI, so what is
    lost is what the test cannot see. A small direction that informs the
    other side (``X = (x, x + 0.05 z)`` against ``z + e``: p below 1e-300)
    is kept.
    """
    from scipy.stats import chi2

    if R is None:
        return False
    values, vectors = np.linalg.eigh(R[np.ix_(cols, cols)])
    large = values >= _RANK_SHARE * values.max()
    # the coordinates (small directions, other side, large directions)
    basis = np.zeros((len(cols) + len(other), len(cols) + len(other)))
    a, b = int((~large).sum()), len(other)
    basis[: len(cols), :a] = vectors[:, ~large]
    basis[len(cols) :, a : a + b] = np.eye(b)
    basis[: len(cols), a + b :] = vectors[:, large]
    every = np.r_[cols, other]
    S = basis.T @ R[np.ix_(every, every)] @ basis
    small, others, kept = np.arange(a), np.arange(a, a + b), np.arange(a + b, len(S))

    def logdet(idx):
        return np.linalg.slogdet(S[np.ix_(idx, idx)])[1]

    info = 0.5 * (
        logdet(np.r_[small, kept])
        + logdet(np.r_[others, kept])
        - logdet(kept)
        - logdet(np.r_[small, others, kept])
    )
    effective_n = n - 1 - len(kept) - 0.5 * (a + b + 1)
    if not np.isfinite(info) or effective_n <= 0:
        return False
    return bool(chi2.sf(2.0 * effective_n * max(info, 0.0), a * b) > _NOISE_TEST_LEVEL)


# EM tolerance for a side's dispersion when only its leading directions are needed.
_SIDE_TOL = 1e-4


def degenerate_pair(uniform, R, tolerance=1.0):
    """Words naming a pair of columns whose fitted R contradicts its Kendall tau, or "".

    For every elliptical copula, whatever its tails, each pair's dispersion
    and Kendall's tau are tied: ``rho = sin(pi tau / 2)`` (Lindskog, McNeil
    and Schmock, 2003). A fit whose R is far more extreme than the ranks'
    tau allows has not found an elliptical copula at all: on nearly equal
    ranks with a few swaps (near-monotone integer codes) the EM drives df
    below 1 and R towards singular, and reads 18 nats where the pairs' tau
    allows about 5. The check compares, for the few pairs with the largest
    fitted correlation, the pair's Gaussian MI ``-1/2 log(1 - rho^2)`` from R
    with that from tau; ``tolerance`` nats is many standard errors of either
    at any n the estimator accepts.
    """
    from scipy.stats import kendalltau

    if R is None:
        return ""
    d = R.shape[0]
    rows, cols = np.triu_indices(d, k=1)
    if rows.size == 0:
        return ""
    strength = np.abs(R[rows, cols])
    for p in np.argsort(strength)[::-1][:3]:
        i, j = rows[p], cols[p]
        fitted_mi = -0.5 * np.log1p(-min(strength[p] ** 2, 1 - 1e-300))
        if fitted_mi <= tolerance:
            break  # implied_mi >= 0: no pair from here on can exceed it by tolerance
        tau = kendalltau(uniform[:, i], uniform[:, j]).statistic
        implied = np.sin(np.pi * tau / 2)
        implied_mi = -0.5 * np.log1p(-min(implied**2, 1 - 1e-300))
        if fitted_mi > implied_mi + tolerance:
            return (
                f"columns {i} and {j} of [X, y] have Kendall's tau {tau:.6g}, which an "
                f"elliptical copula ties to a correlation of 1 - {1 - abs(implied):.3g} "
                f"({implied_mi:.3g} nats for the pair); the fit has 1 - "
                f"{1 - strength[p]:.3g} ({fitted_mi:.3g} nats)"
            )
    return ""


def _warn_discrete(X, y):
    """Warn on a discrete column: ranks do not identify the copula of discrete data.

    With two values per column (signs of correlated normals, say) the t fit
    drives df to its lower bound and reports several nats where the true MI
    is below log 2.
    """
    for name, block in (("X", X), ("y", y.reshape(len(y), -1))):
        for c in range(block.shape[1]):
            kind, reason = classify_column(block[:, c])
            if kind == "discrete":
                warnings.warn(
                    f"Column {c} of {name} is discrete ({reason}): a copula of discrete "
                    "data is not identified by its ranks, so the t-copula MI can be far "
                    "off. Use BinnedMutualInfo, or estimate_mi to choose.",
                    SkmiWarning,
                    stacklevel=4,
                )
                return


def _singular(uniform, d_x):
    """Whether the normal scores are collinear: refuse within a block, warn across.

    Collinear columns inside X or y leave R singular with a finite MI: the
    caller should drop the duplicates. Across the blocks, y (or part of it)
    is a monotone function of X: the MI is infinite.
    """
    scores = ndtri(uniform)
    R = np.corrcoef(scores, rowvar=False).reshape(scores.shape[1], -1)
    for name, block in (("X", R[:d_x, :d_x]), ("y", R[d_x:, d_x:])):
        if np.linalg.eigvalsh(block).min() < _COLLINEAR:
            raise ValueError(
                f"Columns of {name} are collinear after the rank transform (a column is a "
                f"monotone function of others); drop the duplicated columns of {name}."
            )
    if np.linalg.eigvalsh(R).min() < _COLLINEAR:
        warnings.warn(
            "y (or part of it) is a monotone function of X after the rank transform: "
            "the copula MI is infinite.",
            SkmiWarning,
            stacklevel=5,
        )
        return True
    return False


class _RankScores:
    """The pseudo-observations' quantiles and marginal log densities at any df.

    Ranks take at most n distinct values (n / (n + 1) ... with ties,
    averages), shared by every column: the t quantile function -- the
    costly step of a fit, called once per df tried -- is evaluated on the
    distinct values only and indexed back, which gives the same numbers
    as evaluating it on every entry (50 columns: 50 times fewer calls).
    """

    def __init__(self, uniform):
        self.values, inverse = _distinct_levels(uniform)
        self.inverse = inverse.reshape(uniform.shape)
        self._at = {}  # df -> quantiles of the distinct values

    def _distinct_quantiles(self, df):
        if df not in self._at:
            self._at[df] = ndtri(self.values) if np.isinf(df) else student_t.ppf(self.values, df)
        return self._at[df]

    def quantiles(self, df):
        return self._distinct_quantiles(df)[self.inverse]

    def marginal_log_density(self, df):
        """Per row, the sum over columns of log t_1(q_j; df)."""
        q = self._distinct_quantiles(df)
        return student_t.logpdf(q, df)[self.inverse].sum(axis=1)


def _distinct_levels(uniform):
    """``np.unique(uniform, return_inverse=True)`` of pseudo-observations, in O(n d).

    Average ranks are multiples of 1/2, so ``rank / (n + 1)`` times
    ``2 (n + 1)`` rounds to an integer key that orders the values: counting
    the keys present replaces a sort (a quarter of a resample's refit). The
    values come from ``uniform`` itself and are checked to give it back
    exactly; anything else (not ranks over n + 1) takes ``np.unique``.
    """
    n = len(uniform)
    top = 2 * (n + 1)
    keys = np.rint(uniform * top).astype(np.int64, order="C")  # C order, as np.unique
    if keys.size == 0 or keys.min() < 0 or keys.max() > top:
        return unique_inverse(uniform)
    present = np.zeros(top + 1, dtype=bool)
    present[keys] = True
    inverse = (np.cumsum(present) - 1)[keys]
    values = np.empty(int(present.sum()), dtype=np.float64)
    values[inverse.ravel()] = uniform.ravel()
    if not np.array_equal(values[inverse], uniform):
        return unique_inverse(uniform)
    return values, inverse


def _fit_dispersion(Q, df, start, max_iter, tol, stop_when_singular=False):
    """Correlation matrix R of a zero-mean t_df (Gaussian at inf) by EM.

    E step: weights ``(df + d) / (df + q' R^-1 q)``; M step: the weighted
    scatter, rescaled to a unit diagonal (the copula's marginals are
    standard t_df). An iterate can be singular (columns whose ranks move
    together, in a few rows): numpy's LinAlgError, or with
    ``stop_when_singular`` that iterate, whose likelihood is -inf and whose
    fit is then flagged degenerate.
    """
    n, d = Q.shape
    R = _unit_diagonal(Q.T @ Q / n) if start is None else start
    if np.isinf(df):
        return R
    for _ in range(max_iter):
        try:
            inverse = np.linalg.inv(R)
        except np.linalg.LinAlgError:
            if stop_when_singular:
                return R
            raise
        distance = np.einsum("ij,ij->i", Q @ inverse, Q)
        weights = (df + d) / (df + distance)
        new = _unit_diagonal((Q * weights[:, None]).T @ Q / n)
        converged = np.max(np.abs(new - R)) < tol
        R = new
        if converged:
            break
    return R


def _unit_diagonal(S):
    scale = 1.0 / np.sqrt(np.diag(S))
    R = S * scale[:, None] * scale[None, :]
    np.fill_diagonal(R, 1.0)
    return (R + R.T) / 2


def _copula_log_likelihood(Q, R, df, marginal=None):
    """Sum over rows of log c(u) = log t_d(q; R, df) - sum_j log t_1(q_j; df).

    ``marginal``: the rows' sums of log t_1(q_j; df), when already known.
    """
    n, d = Q.shape
    sign, logdet = np.linalg.slogdet(R)
    if sign <= 0:
        return -np.inf
    distance = np.einsum("ij,ij->i", Q @ np.linalg.inv(R), Q)
    if np.isinf(df):
        return float(-0.5 * n * logdet - 0.5 * np.sum(distance - np.sum(Q * Q, axis=1)))
    joint = (
        gammaln((df + d) / 2)
        - gammaln(df / 2)
        - 0.5 * d * np.log(df * np.pi)
        - 0.5 * logdet
        - 0.5 * (df + d) * np.log1p(distance / df)
    )
    if marginal is None:
        marginal = student_t.logpdf(Q, df).sum(axis=1)
    return float(np.sum(joint - marginal))


def _profile_df(scores, max_iter, tol):
    """(df, R) maximising the copula likelihood: grid, then refined in log df.

    ``scores``: the pseudo-observations as :class:`_RankScores`.
    """
    fits = {}

    def fit(df):
        if df not in fits:
            Q = scores.quantiles(df)
            finite = [f for f in fits if not np.isinf(f)]
            nearest = min(finite, key=lambda f: abs(np.log(f / df)), default=None)
            start = fits[nearest][1] if nearest is not None else None
            R = _fit_dispersion(Q, df, start, max_iter, tol, stop_when_singular=True)
            marginal = None if np.isinf(df) else scores.marginal_log_density(df)
            fits[df] = (_copula_log_likelihood(Q, R, df, marginal), R)
        return fits[df]

    for df in _DF_GRID:
        fit(df)
    best = max(fits, key=lambda f: fits[f][0])
    if not np.isinf(best):
        finite = sorted(f for f in fits if not np.isinf(f))
        i = finite.index(best)
        lo = finite[i - 1] if i > 0 else _DF_BOUNDS[0]
        hi = finite[i + 1] if i + 1 < len(finite) else _DF_BOUNDS[1]
        result = minimize_scalar(
            lambda log_df: -fit(float(np.exp(log_df)))[0],
            bounds=(np.log(lo), np.log(hi)),
            method="bounded",
            options={"xatol": 0.01},
        )
        refined = float(np.exp(result.x))
        if fit(refined)[0] > fits[best][0]:
            best = refined
    return best, fits[best][1]
