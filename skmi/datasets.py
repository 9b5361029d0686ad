"""Samplers with known mutual information, for tests, benchmarks and users.

Every ``make_*`` function returns ``(X, y, true_mi)``: two sample arrays and
the exact (or numerically integrated, to the stated accuracy) mutual
information I(X; y) in nats of the distribution they were drawn from. The
truth belongs to the distribution, not to the sample: an estimate on a finite
sample differs from it by bias and noise, which is what the samplers are for.

All take ``random_state`` (int, ``RandomState``, or None), so a seed gives
the same sample every time.
"""

from functools import lru_cache

import numpy as np
from scipy import integrate
from scipy.optimize import brentq
from scipy.special import logsumexp
from scipy.stats import norm
from sklearn.utils import check_random_state

from skmi._closed_forms import student_t_mi_excess

__all__ = [
    "gaussian_conditional_mi",
    "gaussian_mi",
    "make_conditional_gaussian",
    "make_class_mixture",
    "make_discrete_continuous",
    "make_gaussian",
    "make_quadratic_regression",
    "make_relu_atoms",
    "make_spiral",
    "make_stress",
    "make_student_t",
    "make_transformed_gaussian",
    "relu_atom_mi",
    "spiral",
]

_STRUCTURES = ("paired", "dense", "sparse")


def gaussian_mi(covariance, n_features_x):
    """Mutual information between the two blocks of a Gaussian, in nats.

    ``I = 1/2 log(det S_xx det S_yy / det S)`` where the first
    ``n_features_x`` coordinates form X and the rest form y.

    Parameters
    ----------
    covariance : array-like of shape (d, d)
        A symmetric positive-definite joint covariance.
    n_features_x : int
        How many leading coordinates belong to X.

    Returns
    -------
    mi : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmi.datasets import gaussian_mi
    >>> round(gaussian_mi(np.array([[1.0, 0.8], [0.8, 1.0]]), 1), 4)
    0.5108
    """
    S = np.asarray(covariance, dtype=np.float64)
    d = n_features_x
    logdet = lambda A: np.linalg.slogdet(A)[1]  # noqa: E731
    return float(0.5 * (logdet(S[:d, :d]) + logdet(S[d:, d:]) - logdet(S)))


def gaussian_conditional_mi(covariance, n_features_x, n_features_y):
    """I(X; y | z) of a Gaussian whose coordinates are ordered (X, y, z), in nats.

    ``1/2 log(det S_xz det S_yz / (det S_z det S))``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi.datasets import gaussian_conditional_mi
    >>> S = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])
    >>> round(gaussian_conditional_mi(S, 1, 1), 4)
    0.0589
    """
    S = np.asarray(covariance, dtype=np.float64)
    d_x, d_xy = n_features_x, n_features_x + n_features_y
    x, y, z = np.arange(d_x), np.arange(d_x, d_xy), np.arange(d_xy, S.shape[0])

    def logdet(idx):
        return np.linalg.slogdet(S[np.ix_(idx, idx)])[1] if idx.size else 0.0

    return float(
        0.5 * (logdet(np.r_[x, z]) + logdet(np.r_[y, z]) - logdet(z) - logdet(np.r_[x, y, z]))
    )


def make_conditional_gaussian(
    n_samples=1000, n_features_x=1, n_features_y=1, n_features_z=1, *, random_state=None
):
    """Gaussian (X, y, z) with a random dense correlation: I(X; y | z) is known.

    The joint correlation matrix is drawn at random (normalised Wishart with
    ``d + 2`` degrees of freedom, so that every block is dependent), and the
    conditional MI follows from :func:`gaussian_conditional_mi`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features_x)
    y : ndarray of shape (n_samples, n_features_y)
    z : ndarray of shape (n_samples, n_features_z)
    true_cmi : float
        I(X; y | z) in nats.
    true_mi : float
        I(X; y) in nats (not conditioned), for comparison.

    Examples
    --------
    >>> from skmi.datasets import make_conditional_gaussian
    >>> X, y, z, cmi, mi = make_conditional_gaussian(10, 2, 1, 3, random_state=0)
    >>> X.shape, y.shape, z.shape, cmi > 0
    ((10, 2), (10, 1), (10, 3), True)
    """
    rng = check_random_state(random_state)
    d = n_features_x + n_features_y + n_features_z
    A = rng.standard_normal((d, d + 2))
    S = A @ A.T
    S /= np.sqrt(np.outer(np.diag(S), np.diag(S)))
    sample = rng.standard_normal((n_samples, d)) @ np.linalg.cholesky(S).T
    d_xy = n_features_x + n_features_y
    return (
        sample[:, :n_features_x],
        sample[:, n_features_x:d_xy],
        sample[:, d_xy:],
        gaussian_conditional_mi(S, n_features_x, n_features_y),
        gaussian_mi(S[:d_xy, :d_xy], n_features_x),
    )


def make_gaussian(
    n_samples=1000,
    n_features_x=1,
    n_features_y=1,
    *,
    correlation=0.6,
    mi=None,
    structure="paired",
    random_state=None,
):
    """Jointly Gaussian X and y with a chosen dependence structure.

    Both blocks have identity covariance; their cross-covariance C decides
    the MI, ``-1/2 sum log(1 - s_i^2)`` over the singular values s_i of C
    (the canonical correlations).

    Parameters
    ----------
    n_samples : int, default=1000
    n_features_x, n_features_y : int, default=1
    correlation : float in [0, 1), default=0.6
        The largest canonical correlation. With ``structure="paired"`` every
        one of the ``min(n_features_x, n_features_y)`` pairs ``(x_i, y_i)``
        has this correlation.
    mi : float, optional
        Ask for this MI (nats) instead: C is scaled to reach it, and
        ``correlation`` is ignored.
    structure : {"paired", "dense", "sparse"}, default="paired"
        ``"paired"``: x_i correlates with y_i only. ``"dense"``: a random
        dense C. ``"sparse"``: a random C with about 20 % non-zero entries.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features_x)
    y : ndarray of shape (n_samples, n_features_y)
    true_mi : float
        I(X; y) in nats.

    Examples
    --------
    >>> from skmi.datasets import make_gaussian
    >>> X, y, true_mi = make_gaussian(100, 5, 5, mi=1.1, random_state=0)
    >>> X.shape, y.shape, round(true_mi, 6)
    ((100, 5), (100, 5), 1.1)
    """
    rng = check_random_state(random_state)
    C, true_mi = _cross_covariance(n_features_x, n_features_y, correlation, mi, structure, rng)
    X, y = _sample_gaussian(n_samples, C, rng)
    return X, y, float(true_mi)


def make_transformed_gaussian(
    n_samples=1000,
    n_features_x=1,
    n_features_y=1,
    *,
    transform="cube",
    correlation=0.6,
    mi=None,
    structure="paired",
    random_state=None,
):
    """A Gaussian sample pushed through a monotone map, column by column.

    MI is invariant to invertible per-coordinate maps, so ``true_mi`` is that
    of the underlying Gaussian, while the marginals become skewed or heavy
    tailed: a test of estimators beyond the Gaussian case.

    Parameters
    ----------
    transform : {"cube", "exp", "sinh", "sigmoid"} or callable, default="cube"
        The monotone map applied elementwise to X and y.
    Other parameters
        As :func:`make_gaussian`.

    Returns
    -------
    X, y, true_mi : as :func:`make_gaussian`

    Examples
    --------
    >>> from skmi.datasets import make_gaussian, make_transformed_gaussian
    >>> _, _, mi_a = make_gaussian(10, correlation=0.9, random_state=0)
    >>> X, y, mi_b = make_transformed_gaussian(10, transform="exp", correlation=0.9)
    >>> mi_a == mi_b and bool((X > 0).all())
    True
    """
    maps = {
        "cube": lambda v: v**3,
        "exp": np.exp,
        "sinh": np.sinh,
        "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
    }
    if callable(transform):
        f = transform
    elif transform in maps:
        f = maps[transform]
    else:
        raise ValueError(
            f"transform must be one of {sorted(maps)} or a callable; got {transform!r}."
        )
    X, y, true_mi = make_gaussian(
        n_samples,
        n_features_x,
        n_features_y,
        correlation=correlation,
        mi=mi,
        structure=structure,
        random_state=random_state,
    )
    return f(X), f(y), true_mi


def make_student_t(
    n_samples=1000,
    n_features_x=1,
    n_features_y=1,
    *,
    df=3.0,
    correlation=0.6,
    structure="paired",
    transform=None,
    random_state=None,
):
    """Multivariate Student-t X and y (heavy tails, dependence beyond correlation).

    ``(X, y) = Z / sqrt(W / df)`` with Z Gaussian (as in
    :func:`make_gaussian`) and W chi-squared with ``df`` degrees of freedom.
    The shared scale makes X and y dependent even with ``correlation=0``. The
    MI is the Gaussian MI of Z's covariance plus
    ``f(df) + f(df + d_x + d_y) - f(df + d_x) - f(df + d_y)``, with
    ``f(a) = log Gamma(a/2) - (a/2) psi(a/2)`` (Arellano-Valle et al., 2013).

    Parameters
    ----------
    df : float > 0, default=3.0
        Degrees of freedom; smaller means heavier tails. With
        ``correlation=0`` the dispersion is the identity and the MI depends
        only on df and the dimensions (the "Beyond Normal" Student-t family
        of Czyż et al., 2023).
    transform : {None, "asinh"} or callable, default=None
        A monotone map applied elementwise afterwards (``"asinh"`` tames
        the tails); the MI does not change.
    Other parameters
        As :func:`make_gaussian`.

    Returns
    -------
    X, y, true_mi : as :func:`make_gaussian`

    References
    ----------
    .. [1] R. B. Arellano-Valle, J. E. Contreras-Reyes and M. G. Genton,
       "Shannon entropy and mutual information for multivariate skew-elliptical
       distributions", Scand. J. Statist. 40(1), 2013.

    Examples
    --------
    >>> from skmi.datasets import make_student_t
    >>> X, y, true_mi = make_student_t(10, df=1.0, correlation=0.0)
    >>> round(true_mi, 4)
    0.2242
    """
    if not df > 0:
        raise ValueError(f"df must be positive; got {df!r}.")
    rng = check_random_state(random_state)
    C, gaussian_part = _cross_covariance(
        n_features_x, n_features_y, correlation, None, structure, rng
    )
    X, y = _sample_gaussian(n_samples, C, rng)
    scale = np.sqrt(rng.chisquare(df, size=n_samples) / df)
    X = X / scale[:, None]
    y = y / (scale if y.ndim == 1 else scale[:, None])
    f = _monotone_map(transform)
    return f(X), f(y), float(gaussian_part + _student_t_excess(df, n_features_x, n_features_y))


def _monotone_map(transform):
    if transform is None:
        return lambda v: v
    if callable(transform):
        return transform
    if transform == "asinh":
        return np.arcsinh
    raise ValueError(f"transform must be None, 'asinh' or a callable; got {transform!r}.")


def make_spiral(
    n_samples=1000,
    n_features_x=3,
    n_features_y=3,
    *,
    mi=1.0,
    speed=1.0,
    normal_cdf=False,
    random_state=None,
):
    """A sparse-correlation Gaussian twisted by a spiral, per block.

    Each block v (X and y separately) is rotated in the plane of its first
    two coordinates by an angle ``speed * |v|``: a rotation keeps the norm,
    so the map is invertible (rotate back by ``-speed * |v|``), and MI is
    invariant to invertible maps of each variable. ``true_mi`` is the MI of
    the underlying Gaussian (:func:`make_gaussian` with
    ``structure="sparse"``). With ``normal_cdf=True`` every coordinate then
    goes through the standard normal CDF (monotone; values in (0, 1)). After
    the spiral diffeomorphism of Czyż et al. (2023).

    Parameters
    ----------
    n_samples : int, default=1000
    n_features_x, n_features_y : int >= 2, default=3
    mi : float >= 0, default=1.0
        MI of the underlying Gaussian, in nats.
    speed : float, default=1.0
        Radians of rotation per unit of norm.
    normal_cdf : bool, default=False
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features_x)
    y : ndarray of shape (n_samples, n_features_y)
    true_mi : float

    References
    ----------
    .. [1] P. Czyż, F. Grabowski, J. E. Vogt, N. Beerenwinkel and A. Marx,
       "Beyond normal: on the evaluation of mutual information estimators",
       NeurIPS 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi.datasets import make_spiral
    >>> X, y, true_mi = make_spiral(100, mi=0.5, random_state=0)
    >>> X.shape, round(true_mi, 6)
    ((100, 3), 0.5)
    """
    if n_features_x < 2 or n_features_y < 2:
        raise ValueError("make_spiral needs n_features_x and n_features_y >= 2 (a plane to turn).")
    X, y, true_mi = make_gaussian(
        n_samples, n_features_x, n_features_y, mi=mi, structure="sparse", random_state=random_state
    )
    X, y = spiral(X, speed), spiral(y, speed)
    if normal_cdf:
        X, y = norm.cdf(X), norm.cdf(y)
    return X, y, true_mi


def spiral(V, speed):
    """Rotate each row of V in its first two coordinates by ``speed * |row|``.

    Invertible: ``spiral(spiral(V, s), -s)`` is V (the norm is unchanged).
    """
    V = np.array(V, dtype=np.float64)
    angle = speed * np.linalg.norm(V, axis=1)
    c, s = np.cos(angle), np.sin(angle)
    a, b = V[:, 0].copy(), V[:, 1].copy()
    V[:, 0], V[:, 1] = c * a - s * b, s * a + c * b
    return V


def make_relu_atoms(n_samples=1000, n_features=3, *, noise=0.5, random_state=None):
    """ReLU atoms: ``y = max(X + noise * e, 0)`` per coordinate, X ~ N(0, I).

    About half of every y column is exactly 0 (an atom), the rest is
    continuous: the mixed variables a ReLU layer produces. The coordinates
    are independent pairs, so ``I(X; y) = n_features * I_1``, with ``I_1 =
    E[log p(y | x) / p(y)]`` for one pair, computed by quadrature: the atom
    part ``E_x[Phi(-x/s) log(2 Phi(-x/s))]`` (``P(y = 0) = 1/2``) and the
    density part over ``y > 0`` (``y | x ~ N(x, s^2)``, ``y ~ N(0, 1 + s^2)``
    there), with s = ``noise``; accurate to about 1e-8 nats.

    Parameters
    ----------
    n_samples : int, default=1000
    n_features : int >= 1, default=3
    noise : float > 0, default=0.5
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_features)
    true_mi : float

    Examples
    --------
    >>> from skmi.datasets import make_relu_atoms
    >>> X, y, true_mi = make_relu_atoms(1000, 3, noise=0.5, random_state=0)
    >>> bool(0.4 < (y == 0).mean() < 0.6)
    True
    """
    if n_features < 1:
        raise ValueError(f"n_features must be at least 1; got {n_features}.")
    if not noise > 0:
        raise ValueError(f"noise must be positive; got {noise!r}.")
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))
    y = np.maximum(X + noise * rng.standard_normal((n_samples, n_features)), 0.0)
    return X, y, float(n_features * relu_atom_mi(noise))


@lru_cache(maxsize=64)
def relu_atom_mi(noise):
    """``I(x; max(x + noise * e, 0))`` in nats for standard normal x and e (quadrature)."""
    s = float(noise)
    total_sd = np.sqrt(1.0 + s * s)

    def atom(x):
        p0 = norm.cdf(-x / s)
        return norm.pdf(x) * (p0 * (np.log(2.0) + norm.logcdf(-x / s)) if p0 > 0 else 0.0)

    def density_part(x):
        # inner integral over y > 0 of p(y|x) log p(y|x) / p(y), in closed form:
        # with y = x + s u, u > -x/s: E[log phi(u)/s - log phi(y/total)/total]
        a = -x / s
        tail = norm.sf(a)  # P(u > a)
        if tail == 0:
            return 0.0
        m1 = norm.pdf(a)  # E[u; u > a]
        m2 = tail + a * norm.pdf(a)  # E[u^2; u > a]
        log_cond = (-0.5 * np.log(2 * np.pi) - np.log(s)) * tail - 0.5 * m2
        y2 = x * x * tail + 2 * x * s * m1 + s * s * m2  # E[y^2; u > a]
        log_marg = (-0.5 * np.log(2 * np.pi) - np.log(total_sd)) * tail - 0.5 * y2 / total_sd**2
        return norm.pdf(x) * (log_cond - log_marg)

    options = dict(epsabs=1e-12, epsrel=1e-12, limit=400)
    value = 0.0
    for a, b in ((-40.0, -10.0), (-10.0, 0.0), (0.0, 10.0), (10.0, 40.0)):
        value += integrate.quad(atom, a, b, **options)[0]
        value += integrate.quad(density_part, a, b, **options)[0]
    return float(value)


def make_class_mixture(
    n_samples=1000,
    n_classes=3,
    n_features=1,
    *,
    separation=1.0,
    weights=None,
    random_state=None,
):
    """Continuous X drawn from a Gaussian per class y (a discrete target).

    Class c has probability ``weights[c]`` and ``X | y=c ~ N(c * separation *
    e_1, I)``: the classes differ only along the first axis, so the MI
    ``I(X; y) = H(y) - E[H(y | X)]`` is a one-dimensional integral, computed
    by adaptive quadrature to an absolute error below 1e-9 nats.

    Parameters
    ----------
    n_classes : int >= 2, default=3
    n_features : int >= 1, default=1
        Extra dimensions are pure noise (they leave the MI unchanged).
    separation : float, default=1.0
        Distance between consecutive class means, in standard deviations.
    weights : array-like of shape (n_classes,), optional
        Class probabilities; uniform by default.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int
    true_mi : float

    Examples
    --------
    >>> from skmi.datasets import make_class_mixture
    >>> X, y, true_mi = make_class_mixture(10, n_classes=2, separation=50.0)
    >>> round(true_mi, 6)  # fully separated: log 2
    0.693147
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2; got {n_classes}.")
    rng = check_random_state(random_state)
    w = np.full(n_classes, 1.0 / n_classes) if weights is None else np.asarray(weights, float)
    if w.shape != (n_classes,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must be n_classes non-negative numbers summing to 1.")
    y = rng.choice(n_classes, size=n_samples, p=w)
    X = rng.standard_normal((n_samples, n_features))
    means = separation * np.arange(n_classes)
    X[:, 0] += means[y]
    return X, y, float(_class_mixture_mi(means, w))


def make_discrete_continuous(
    n_samples=1000, n_values=4, *, atom_probability=0.0, random_state=None
):
    """A discrete X and a mixed y: the discrete-continuous case of Gao et al.

    ``X`` is uniform on ``{0, ..., n_values - 1}``. With probability
    ``atom_probability`` y equals X exactly (an atom); otherwise
    ``y = X + U(0, 2)``, so that neighbouring values of X overlap in y. With
    m = ``n_values`` and p = ``atom_probability``,
    ``I(X; y) = p log m + (1 - p) (log m - (m - 1)/m log 2)`` (whether y is an
    atom is a function of y and independent of X, and each branch has a closed
    form). X is returned as floats full of exact ties, which is the point:
    estimators that assume continuous data mishandle them.

    Parameters
    ----------
    n_samples : int, default=1000
    n_values : int >= 2, default=4
    atom_probability : float in [0, 1], default=0.0
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, 1), float, integer-valued
    y : ndarray of shape (n_samples,)
    true_mi : float

    References
    ----------
    .. [1] W. Gao, S. Kannan, S. Oh and P. Viswanath, "Estimating mutual
       information for discrete-continuous mixtures", NeurIPS 2017.

    Examples
    --------
    >>> from skmi.datasets import make_discrete_continuous
    >>> X, y, true_mi = make_discrete_continuous(10, n_values=2)
    >>> round(true_mi, 4)  # log 2 - log(2) / 2
    0.3466
    """
    if n_values < 2:
        raise ValueError(f"n_values must be at least 2; got {n_values}.")
    if not 0.0 <= atom_probability <= 1.0:
        raise ValueError(f"atom_probability must be in [0, 1]; got {atom_probability!r}.")
    rng = check_random_state(random_state)
    x = rng.randint(n_values, size=n_samples).astype(np.float64)
    y = x + rng.uniform(0.0, 2.0, size=n_samples)
    atom = rng.uniform(size=n_samples) < atom_probability
    y[atom] = x[atom]
    m, p = n_values, atom_probability
    continuous_part = np.log(m) - (m - 1) / m * np.log(2.0)
    return x.reshape(-1, 1), y, float(p * np.log(m) + (1 - p) * continuous_part)


def make_quadratic_regression(n_samples=500, *, noise=0.2, random_state=None):
    """The information-plane study's task: ``y = x^2 - x - 1 + noise * e``.

    ``x ~ U(-3, 3)``, ``e ~ N(0, 1)``. ``I(x; y) = h(y) - h(noise * e)``, with
    h(y) integrated numerically (the density of y is a Gaussian smoothing of
    the push-forward of x; trapezoid rules on fine grids, accurate to about
    1e-6 nats). Every layer T of a network fed x is a function of x, so
    I(T; y) <= I(x; y), with equality for a layer injective in x.

    Returns
    -------
    X : ndarray of shape (n_samples, 1), float32 (ready for torch)
    y : ndarray of shape (n_samples,), float32
    true_mi : float

    Examples
    --------
    >>> from skmi.datasets import make_quadratic_regression
    >>> X, y, true_mi = make_quadratic_regression(10, random_state=0)
    >>> round(true_mi, 3)
    2.407
    """
    if not noise > 0:
        raise ValueError(f"noise must be positive; got {noise!r}.")
    rng = check_random_state(random_state)
    x = rng.uniform(-3.0, 3.0, size=n_samples)
    y = x**2 - x - 1.0 + noise * rng.standard_normal(n_samples)
    return (
        x.reshape(-1, 1).astype(np.float32),
        y.astype(np.float32),
        _quadratic_regression_mi(noise),
    )


def _quadratic_regression_mi(noise):
    x = np.linspace(-3.0, 3.0, 6001)
    f = x**2 - x - 1.0
    grid = np.linspace(f.min() - 10 * noise, f.max() + 10 * noise, 8001)
    density = np.empty_like(grid)
    for start in range(0, len(grid), 500):  # p(y) = E_x[phi((y - f(x)) / noise)] / noise
        block = grid[start : start + 500, None]
        density[start : start + 500] = (
            integrate.trapezoid(norm.pdf((block - f[None, :]) / noise) / noise, x, axis=1) / 6.0
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = np.where(density > 0, -density * np.log(density), 0.0)
    h_y = integrate.trapezoid(integrand, grid)
    return float(h_y - 0.5 * np.log(2 * np.pi * np.e * noise**2))


# ---------------------------------------------------------------------------
# internals
# ---------------------------------------------------------------------------


def _cross_covariance(d_x, d_y, correlation, mi, structure, rng):
    """Cross-covariance C (identity marginals) and its MI."""
    if d_x < 1 or d_y < 1:
        raise ValueError("n_features_x and n_features_y must be at least 1.")
    if structure not in _STRUCTURES:
        raise ValueError(f"structure must be one of {_STRUCTURES}; got {structure!r}.")
    m = min(d_x, d_y)
    if structure == "paired":
        shape = np.zeros((d_x, d_y))
        shape[np.arange(m), np.arange(m)] = 1.0
    else:
        shape = rng.standard_normal((d_x, d_y))
        if structure == "sparse":
            mask = rng.uniform(size=(d_x, d_y)) < 0.2
            mask[np.arange(m), rng.permutation(d_y)[:m]] = True  # no empty row
            shape *= mask
        shape /= np.linalg.svd(shape, compute_uv=False)[0]
    sv = np.linalg.svd(shape, compute_uv=False)

    def mi_at(t):
        return -0.5 * np.sum(np.log1p(-((t * sv) ** 2)))

    if mi is None:
        if not 0 <= correlation < 1:
            raise ValueError(f"correlation must be in [0, 1); got {correlation!r}.")
        t = correlation
    else:
        if not mi >= 0:
            raise ValueError(f"mi must be non-negative; got {mi!r}.")
        t = 0.0 if mi == 0 else brentq(lambda s: mi_at(s) - mi, 0.0, 1.0 - 1e-15, xtol=1e-15)
    return t * shape, mi_at(t)


def _sample_gaussian(n, C, rng):
    """x ~ N(0, I); y = C^T x + L e with L L^T = I - C^T C: Cov(x, y) = C."""
    d_x, d_y = C.shape
    X = rng.standard_normal((n, d_x))
    residual = np.eye(d_y) - C.T @ C
    L = np.linalg.cholesky(residual)
    y = X @ C + rng.standard_normal((n, d_y)) @ L.T
    return X, (y[:, 0] if d_y == 1 else y)


def _student_t_excess(df, d_x, d_y):
    return student_t_mi_excess(df, d_x, d_y)


def _class_mixture_mi(means, weights):
    """``sum_c w_c KL(N(m_c, 1) || mixture)`` by quadrature."""

    present = weights > 0
    means, log_w = means[present], np.log(weights[present])

    def integrand(x):
        log_dens = norm.logpdf(x - means)
        log_mix = logsumexp(log_w + log_dens)
        return float(np.sum(np.exp(log_w + log_dens) * (log_dens - log_mix)))

    lo, hi = means.min() - 40.0, means.max() + 40.0
    breaks = np.linspace(lo, hi, 2 + 8 * len(means))
    total = 0.0
    for a, b in zip(breaks[:-1], breaks[1:], strict=True):
        total += integrate.quad(integrand, a, b, epsabs=1e-12, epsrel=1e-12, limit=200)[0]
    return total


# -- the stress generator: known-MI laws through random bijections --------------------

STRESS_BASES = ("gaussian", "student-t", "classes", "relu-atoms", "discrete", "counts")
STRESS_BIJECTIONS = (
    "identity",
    "monotone",
    "rotation",
    "layer-tanh",
    "layer-leaky-relu",
    "layer-softplus",
    "spiral",
)


def make_stress(n_samples=1000, base="gaussian", bijection="monotone", *, random_state=None):
    """A law with known MI, each continuous side pushed through a random bijection.

    MI is unchanged by an invertible map of either side, so the truth of the
    base law is the truth of the transformed sample. The bases (``base``):

    * ``"gaussian"``: 3 x 2 Gaussian, dense covariance (:func:`make_gaussian`,
      MI 0.8 nats);
    * ``"student-t"``: 2 x 2 Student-t, df = 3, correlation 0.5
      (:func:`make_student_t`);
    * ``"classes"``: four equiprobable classes y against X | y=c ~ N(1.5 e_c,
      I_4); truth by Monte Carlo of the exact posterior (400,000 draws,
      standard error below 0.001 nats);
    * ``"relu-atoms"``: X ~ N(0, I_2), y = max(X + 0.5 e, 0)
      (:func:`make_relu_atoms`); only X is transformed (y's atoms stay);
    * ``"discrete"``: X uniform on 4 symbols, y = X with probability 0.6,
      else uniform (exact entropies); the bijection relabels the symbols;
    * ``"counts"``: x ~ Poisson(20), y = x + Poisson(5); truth
      ``H(Poisson(25)) - H(Poisson(5))`` by exact sums; the bijection is an
      increasing map of the integers onto integers (``x + x**2 // 7``).

    The bijections (``bijection``), drawn afresh from ``random_state`` and
    applied to each continuous side separately:

    * ``"identity"``;
    * ``"monotone"``: each column through a random strictly increasing or
      decreasing map (exp, cube, sinh, logistic, arcsinh, with random
      scales);
    * ``"rotation"``: a random orthogonal matrix (for 1-D sides a sign flip);
    * ``"layer-tanh"``, ``"layer-leaky-relu"``, ``"layer-softplus"``: an
      injective layer ``act(V W + b)`` of random width ``w`` in [2d, 8d],
      W of full column rank (a Gaussian matrix), act strictly increasing:
      the layer-probing case;
    * ``"spiral"``: :func:`spiral` with speed 0.5 after standardising, for
      sides of at least 2 columns (1-D sides: "monotone").

    Parameters
    ----------
    n_samples : int, default=1000
    base : str, default="gaussian"
        One of ``STRESS_BASES``.
    bijection : str, default="monotone"
        One of ``STRESS_BIJECTIONS``.
    random_state : int, RandomState instance or None

    Returns
    -------
    X : ndarray of shape (n_samples, d_x)
    y : ndarray of shape (n_samples,) or (n_samples, d_y)
    true_mi : float
        In nats.

    Raises
    ------
    ValueError
        If ``base`` or ``bijection`` is not one of the names above.

    Examples
    --------
    >>> from skmi.datasets import make_stress
    >>> X, y, truth = make_stress(500, "classes", "layer-tanh", random_state=0)
    >>> X.shape[1] >= 8, round(truth, 3)
    (True, 0.635)
    """
    if base not in STRESS_BASES:
        raise ValueError(f"base must be one of {STRESS_BASES}; got {base!r}.")
    if bijection not in STRESS_BIJECTIONS:
        raise ValueError(f"bijection must be one of {STRESS_BIJECTIONS}; got {bijection!r}.")
    rng = check_random_state(random_state)
    X, y, truth, continuous = _stress_base(n_samples, base, rng)
    if base == "discrete":
        return _relabel(X, rng), _relabel(y, rng), truth
    if base == "counts":
        return X + X**2 // 7, y + y**2 // 7, truth
    X = _bijection(X, bijection, rng)
    if continuous == "both":
        y = _bijection(y.reshape(len(y), -1), bijection, rng)
    return X, y, truth


def _stress_base(n, base, rng):
    """(X, y, truth, which sides are continuous: "both" or "x")."""
    seed = int(rng.randint(0, 2**31 - 1))
    if base == "gaussian":
        X, y, truth = make_gaussian(n, 3, 2, mi=0.8, structure="dense", random_state=seed)
        return X, y, truth, "both"
    if base == "student-t":
        X, y, truth = make_student_t(n, 2, 2, df=3.0, correlation=0.5, random_state=seed)
        return X, y, truth, "both"
    if base == "classes":
        means = 1.5 * np.eye(4)
        labels = rng.randint(0, 4, n)
        X = means[labels] + rng.standard_normal((n, 4))
        return X, labels, _four_class_truth(), "x"
    if base == "relu-atoms":
        X, y, truth = make_relu_atoms(n, 2, noise=0.5, random_state=seed)
        return X, y, truth, "x"
    if base == "discrete":
        x = rng.randint(0, 4, n)
        y = np.where(rng.random_sample(n) < 0.6, x, rng.randint(0, 4, n))
        p = np.array([0.7, 0.1, 0.1, 0.1])
        return x, y, float(np.log(4) + np.sum(p * np.log(p))), "none"
    x = rng.poisson(20, n)
    y = x + rng.poisson(5, n)
    return x, y, _poisson_sum_truth(), "none"


@lru_cache(maxsize=1)
def _four_class_truth():
    rng = np.random.default_rng(20261207)
    means = 1.5 * np.eye(4)
    c = rng.integers(0, 4, 400_000)
    X = means[c] + rng.standard_normal((400_000, 4))
    log_lik = -0.5 * ((X[:, None, :] - means[None]) ** 2).sum(axis=-1)
    log_post = log_lik[np.arange(len(c)), c] - logsumexp(log_lik, axis=1)
    return float(np.mean(log_post) + np.log(4))


@lru_cache(maxsize=1)
def _poisson_sum_truth():
    from scipy.stats import poisson

    k = np.arange(400)

    def entropy(p):
        p = p[p > 0]
        return float(-np.sum(p * np.log(p)))

    return entropy(poisson.pmf(k, 25)) - entropy(poisson.pmf(k, 5))


def _relabel(v, rng):
    codes = rng.permutation(4) * 10 + 3  # new, non-contiguous symbols
    return codes[v]


_MONOTONE = (
    lambda v, a: np.exp(a * v),
    lambda v, a: (a * v) ** 3,
    lambda v, a: np.sinh(a * v),
    lambda v, a: 1.0 / (1.0 + np.exp(-a * v)),
    lambda v, a: np.arcsinh(a * v) + 0.1 * v,
)


def _bijection(V, name, rng):
    V = np.asarray(V, dtype=np.float64).reshape(len(V), -1)
    d = V.shape[1]
    Z = (V - V.mean(axis=0)) / V.std(axis=0)
    if name == "identity":
        return V
    if name == "monotone" or (name == "spiral" and d < 2):
        columns = []
        for c in range(d):
            f = _MONOTONE[rng.randint(len(_MONOTONE))]
            sign = rng.choice([-1.0, 1.0])
            columns.append(sign * f(Z[:, c], rng.uniform(0.5, 1.5)))
        return np.column_stack(columns)
    if name == "rotation":
        Q, R = np.linalg.qr(rng.standard_normal((d, d)))
        return Z @ (Q * np.sign(np.diag(R)))
    if name == "spiral":
        return spiral(Z, 0.5)
    width = int(rng.randint(2 * d, 8 * d + 1))
    W = rng.standard_normal((d, width)) / np.sqrt(d)
    A = Z @ W + 0.5 * rng.standard_normal(width)
    if name == "layer-tanh":
        return np.tanh(A)
    if name == "layer-leaky-relu":
        return np.where(A > 0, A, 0.1 * A)
    return np.logaddexp(0.0, A)
