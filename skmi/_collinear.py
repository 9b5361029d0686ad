"""Sides whose columns span fewer dimensions than they have: reduce before a copula fit.

An injective layer ``act(V W + b)`` of a few latent coordinates V gives many
columns that, after the rank transform, lie close to a subspace of V's
dimension: the copula correlation of the side has a few eigenvalues of order
1 and the rest near 0 (2e-4 of the largest for a Gaussian V, 7e-3 for a
Student-t one). MI is unchanged by the layer, but estimators that count
columns are not: the t-copula's tail term grows with the number of columns
(+36 to +86 % on a Student-t base; :class:`~skmi.TCopulaMutualInfo` now
reduces such sides itself, in its t-scores), the Gaussian bias correction
too, and k-NN loses itself in the redundant dimensions.

:func:`reduce_collinear` replaces such a side by the principal components of
its normal scores whose eigenvalues are at least ``SHARE`` of the largest --
but only where the dropped directions carry (almost) no information about
the other side: the Gaussian-copula MI with and without them may differ by
at most ``TOLERANCE``. A small-variance direction that does carry the MI
(``X = (x, x + 0.05 z)`` with y depending on z) is kept.
"""

import numpy as np

from skmi._closed_forms import gaussian_block_mi
from skmi._preprocessing import normal_scores

SHARE = 1e-2
TOLERANCE = (0.05, 0.02)  # relative, absolute (nats) loss of Gaussian-copula MI allowed


def _centred_scores(A):
    S = normal_scores(A)
    return S - S.mean(axis=0)


def _components(A):
    """Normal scores of A (centred) and the eigenvectors worth keeping (or None for all)."""
    if A.shape[1] < 2:
        return None, None  # one column spans its one dimension: no scores needed
    S = _centred_scores(A)
    C = np.corrcoef(S, rowvar=False)
    values, vectors = np.linalg.eigh(C)
    keep = values >= SHARE * values.max()
    if keep.all():
        return S, None
    scale = S.std(axis=0)
    scale[scale == 0] = 1.0
    return S, vectors[:, keep] / scale[:, None]


def _has_constant_column(A):
    return bool((A == A[:1]).all(axis=0).any())


def reduce_collinear(X, y):
    """``(X', y', words)``: each side reduced where that loses no information, or unchanged.

    Parameters
    ----------
    X : ndarray of shape (n_samples, d_x), float
    y : ndarray of shape (n_samples,) or (n_samples, d_y), float

    Returns
    -------
    X_reduced, y_reduced : ndarray
        The principal components kept (as normal-score projections), or the
        input itself for a side that was not reduced (``y`` keeps its shape).
    words : str
        What was done (or why nearly collinear sides were kept), for the
        result's notes; "" when no side was nearly collinear.
    """
    y2 = y.reshape(len(y), -1)
    if _has_constant_column(X) or _has_constant_column(y2):
        # the estimator drops constant columns (with its warning); their
        # correlations are undefined here
        return X, y, ""
    (Sx, Vx), (Sy, Vy) = _components(X), _components(y2)
    if Vx is None and Vy is None:
        return X, y, ""
    Sx = _centred_scores(X) if Sx is None else Sx
    Sy = _centred_scores(y2) if Sy is None else Sy
    Rx = Sx if Vx is None else Sx @ Vx
    Ry = Sy if Vy is None else Sy @ Vy
    full = gaussian_block_mi(np.corrcoef(np.hstack([Sx, Sy]), rowvar=False), Sx.shape[1])
    reduced = gaussian_block_mi(np.corrcoef(np.hstack([Rx, Ry]), rowvar=False), Rx.shape[1])
    parts = []
    if Vx is not None:
        parts.append(f"X from {X.shape[1]} columns to {Rx.shape[1]} dimensions")
    if Vy is not None:
        parts.append(f"y from {y2.shape[1]} columns to {Ry.shape[1]} dimensions")
    relative, absolute = TOLERANCE
    if not np.isfinite(full) or full - reduced > relative * abs(full) + absolute:
        # the small directions carry information: keep them, and say what it may cost
        return (
            X,
            y,
            (
                f"nearly collinear columns after the rank transform ({' and '.join(parts)} "
                f"would remain), kept: dropping the small directions would lose "
                f"{full - reduced:.3g} nats of Gaussian-copula MI. The t-copula reduces "
                "a side of lower rank in its own t-scores, where a heavy-tailed layer is "
                "linear (TCopulaMutualInfo.n_components_)."
            ),
        )
    words = (
        f"nearly collinear columns after the rank transform (as an injective layer of a few "
        f"coordinates gives): reduced {' and '.join(parts)}, the principal components of the "
        f"normal scores above {SHARE:g} of the largest eigenvalue; the Gaussian-copula MI "
        f"changed by {reduced - full:+.3g} nats"
    )
    X_out = X if Vx is None else Rx
    y_out = y if Vy is None else (Ry[:, 0] if Ry.shape[1] == 1 and y.ndim == 1 else Ry)
    return X_out, y_out, words


def two_nn_dimension(A):
    """The intrinsic dimension of the rows of A by the two-nearest-neighbour rule.

    With r1 and r2 the distances of a point to its first and second
    neighbours, ``mu = r2 / r1`` follows a Pareto law with exponent the
    intrinsic dimension m wherever the density is locally constant on an
    m-dimensional manifold, so ``m = N / sum(log mu)`` (the maximum
    likelihood estimate over the N points with distinct neighbours; Facco,
    d'Errico, Rodriguez and Laio, Scientific Reports 7, 12140, 2017). It
    sees the dimension of a curved manifold (a layer of a few coordinates)
    where principal components see only the span.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_features)

    Returns
    -------
    dimension : float
        ``n_features`` when it cannot be estimated (too few distinct points).
    """
    from sklearn.neighbors import NearestNeighbors

    A = np.asarray(A, dtype=np.float64)
    if len(A) < 4:
        return float(A.shape[1])
    distances = NearestNeighbors(n_neighbors=3).fit(A).kneighbors(A)[0]
    r1, r2 = distances[:, 1], distances[:, 2]
    usable = (r1 > 0) & (r2 > r1)
    if usable.sum() < 3:
        return float(A.shape[1])
    return float(usable.sum() / np.sum(np.log(r2[usable] / r1[usable])))
