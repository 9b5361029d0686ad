"""KernelMutualInfo and kernel_entropy: matrix-based Rényi entropy.

Sánchez Giraldo, Rao & Príncipe (2015) define the entropy of a variable
from the eigenvalues of its normalised Gram matrix, ``A = K / tr(K)``
(with K normalised to a unit diagonal): ``S_alpha(A) = log(sum_i
lambda_i^alpha) / (1 - alpha)``, the von Neumann entropy ``-sum lambda
log lambda`` at alpha = 1. The joint entropy uses the normalised Hadamard
product ``A_xy = A_x * A_y / tr(A_x * A_y)``, and
``I_alpha(X; y) = S(A_x) + S(A_y) - S(A_xy)``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.metrics.pairwise import laplacian_kernel, rbf_kernel
from sklearn.utils import check_array

from skmi._base import BaseMutualInfo, _drop_constant_columns
from skmi._config import get_config
from skmi._sklearn_compat import Interval, StrOptions, validate_params
from skmi._traits import MITraits

_KERNELS = {"rbf", "laplacian", "linear", "delta", "precomputed"}
# Exact eigendecomposition up to this many samples under approximation="auto":
# numpy's eigvalsh on this 2-core machine takes ~1 s at n = 2000 and ~15 s at
# n = 5000 (three matrices per estimate); see benchmarks/bench_binned_kernel.py.
_AUTO_EXACT_MAX = 2000
# Dense n x n float64 matrices alive at the peak of an exact estimate: the
# two Gram matrices, their product and the eigensolver's workspace.
_EXACT_MATRICES = 5


class KernelMutualInfo(BaseMutualInfo):
    """Mutual information from matrix-based Rényi entropies of Gram matrices.

    No density estimate and no binning: the entropies are functionals of the
    eigenvalues of kernel Gram matrices, so the estimate works in any
    dimension and with any positive-definite kernel -- including a neural
    tangent kernel (``kernel="precomputed"``). It measures information as
    seen through the kernel: its scale depends on the kernel and bandwidth,
    so compare values computed with the same settings.

    Parameters
    ----------
    alpha : float > 0, default=1.0
        Rényi order; 1 is the von Neumann (Shannon-like) limit.
    kernel : {"rbf", "laplacian", "linear", "precomputed"} or callable, default="rbf"
        Kernel for X. With "precomputed", X is an (n, n) Gram matrix. A
        callable takes two arrays and returns their Gram matrix.
    kernel_y : {None, "rbf", "laplacian", "linear", "delta", "precomputed"} or callable
        Kernel for y; None means ``kernel`` for continuous y and the delta
        kernel ``1[y_i = y_j]`` for class labels.
    bandwidth : {"silverman", "scott", "median"} or float, default="silverman"
        Width sigma of the rbf (``exp(-|a - b|^2 / 2 sigma^2)``) and laplacian
        (``exp(-|a - b|_1 / sigma)``) kernels, on standardised columns.
        Silverman's rule ``(4 / (d + 2))^(1/(d+4)) n^(-1/(d+4))``, Scott's
        ``n^(-1/(d+4))``, or the median pairwise distance.
    approximation : {"auto", "exact", "nystroem"}, default="auto"
        Exact eigenvalues, or the Nyström low-rank approximation with
        ``n_components`` landmarks (memory O(n m), time O(n m^2)); "auto"
        is exact up to 2000 samples.
    n_components : int, default=1000
        Landmarks of the Nyström approximation.
    discrete_target : {"auto", True, False}, default="auto"
    backend : {"numpy", "torch"}, default="numpy"
        Where Gram matrices and eigenvalues are computed; "torch" runs on
        ``device`` (a GPU with ``device="cuda"``).
    device : str, default="cpu"
        torch device for ``backend="torch"``: "cpu", "cuda", "cuda:1", "auto".
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None, default=None
        Picks the Nyström landmarks.

    Attributes
    ----------
    mi_ : float
    entropy_x_, entropy_y_, entropy_joint_ : float
        The three matrix entropies on the training data, in ``units``.
    bandwidth_x_, bandwidth_y_ : float or None
        The kernel widths used (None for kernels without one).
    discrete_target_ : bool
    n_features_in_ : int

    Notes
    -----
    The exact path keeps a few dense n x n matrices; it refuses before
    allocating more than ``skmi.get_config()["memory_budget"]`` bytes and
    suggests the Nyström path. Nyström finds the top ``n_components``
    eigenvalues; the mass they miss (known, since the normalised matrices have
    unit trace) is spread evenly over the rest. ``benchmarks/bench_binned_kernel.py``
    measures the error against the exact spectrum.

    References
    ----------
    .. [1] L. G. Sánchez Giraldo, M. Rao and J. C. Príncipe, "Measures of
       entropy from data using infinitely divisible kernels", IEEE Trans.
       Inf. Theory 61(1), 2015.
    .. [2] S. Yu et al., "Multivariate extension of matrix-based Rényi's
       alpha-order entropy functional", IEEE TPAMI 42(11), 2020.
    .. [3] C. Williams and M. Seeger, "Using the Nyström method to speed up
       kernel machines", NIPS 2001.

    Examples
    --------
    With delta kernels on class labels the estimate is the plug-in MI:

    >>> import numpy as np
    >>> from sklearn.metrics import mutual_info_score
    >>> from skmi import KernelMutualInfo
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 3, 300)
    >>> b = (a + rng.integers(0, 2, 300)) % 3
    >>> gram = (a[:, None] == a[None, :]).astype(float)
    >>> est = KernelMutualInfo(kernel="precomputed").fit(gram, b)
    >>> bool(np.isclose(est.mi_, mutual_info_score(a, b)))
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "kernel": [StrOptions(_KERNELS - {"delta"}), callable],
        "kernel_y": [None, StrOptions(_KERNELS), callable],
        "bandwidth": [
            StrOptions({"silverman", "scott", "median"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "approximation": [StrOptions({"auto", "exact", "nystroem"})],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "discrete_target": [StrOptions({"auto"}), "boolean"],
        "backend": [StrOptions({"numpy", "torch"})],
        "device": [str],
        "random_state": ["random_state"],
    }
    _supports_discrete_target = True
    _mi_traits = MITraits("bootstrap", discrete_target=True)

    def __init__(
        self,
        *,
        alpha=1.0,
        kernel="rbf",
        kernel_y=None,
        bandwidth="silverman",
        approximation="auto",
        n_components=1000,
        discrete_target="auto",
        backend="numpy",
        device="cpu",
        units="nats",
        random_state=None,
    ):
        self.alpha = alpha
        self.kernel = kernel
        self.kernel_y = kernel_y
        self.bandwidth = bandwidth
        self.approximation = approximation
        self.n_components = n_components
        self.discrete_target = discrete_target
        self.backend = backend
        self.device = device
        self.units = units
        self.random_state = random_state

    def _fit(self, X, y, z):
        entropies, self.bandwidth_x_, self.bandwidth_y_ = self._entropies(X, y)
        self.entropy_x_, self.entropy_y_, self.entropy_joint_ = (
            self._from_nats(s) for s in entropies
        )
        return entropies[0] + entropies[1] - entropies[2]

    def _estimate(self, X, y, z):
        (s_x, s_y, s_xy), _, _ = self._entropies(X, y)
        return s_x + s_y - s_xy

    def _validate_xy(self, X, y, reset):
        if self.kernel == "precomputed":
            X = _check_gram(X, "X")
        X, y = super()._validate_xy(X, y, reset)
        if self._kernel_y() == "precomputed":
            y = _check_gram(y, "y")
        return X, y

    def _drops_constant_columns(self, name):
        kernel = self.kernel if name == "X" else self.kernel_y
        return kernel != "precomputed"

    # -- the three entropies --------------------------------------------------

    def _kernel_y(self):
        if self.kernel_y is not None:
            return self.kernel_y
        return "delta" if self.discrete_target_ else self.kernel

    def _entropies(self, X, y):
        """(S_x, S_y, S_xy) in nats, and the two kernel widths used."""
        n = len(X)
        kernel_y = self._kernel_y()
        width_x = _bandwidth(X, self.kernel, self.bandwidth)
        width_y = _bandwidth(y, kernel_y, self.bandwidth)
        gram_x = _GramFactory(X, self.kernel, width_x)
        gram_y = _GramFactory(y, kernel_y, width_y)
        if self._use_exact(n):
            entropies = _exact_entropies(gram_x, gram_y, self.alpha, self.backend, self.device)
        else:
            landmarks = self._rng().choice(n, size=min(self.n_components, n), replace=False)
            entropies = _nystroem_entropies(gram_x, gram_y, np.sort(landmarks), self.alpha)
        return entropies, width_x, width_y

    def _use_exact(self, n):
        if self.approximation == "nystroem":
            if self.kernel == "precomputed" or self._kernel_y() == "precomputed":
                raise ValueError("approximation='nystroem' needs kernels, not precomputed Grams.")
            return False
        needed = _EXACT_MATRICES * n * n * 8
        budget = get_config()["memory_budget"]
        if self.approximation == "auto" and n > _AUTO_EXACT_MAX and self.kernel != "precomputed":
            return False
        if needed > budget:
            raise ValueError(
                f"The exact kernel estimate at n_samples={n} needs about "
                f"{needed / 1024**3:.1f} GiB (a few dense n x n matrices), more than the "
                f"memory budget of {budget / 1024**3:.1f} GiB. Use "
                "approximation='nystroem' (memory O(n * n_components)), fewer samples, or "
                "raise the budget with skmi.set_config(memory_budget=...)."
            )
        return True


@validate_params(
    {
        "X": ["array-like"],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "kernel": [StrOptions(_KERNELS), callable],
        "bandwidth": [
            StrOptions({"silverman", "scott", "median"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "units": [StrOptions({"nats", "bits"})],
    },
    prefer_skip_nested_validation=True,
)
def kernel_entropy(X, *, alpha=1.0, kernel="rbf", bandwidth="silverman", units="nats"):
    """Matrix-based Rényi entropy S_alpha of one variable.

    ``S_alpha(A) = log(sum_i lambda_i^alpha) / (1 - alpha)`` over the
    eigenvalues of the normalised Gram matrix ``A = K / tr(K)`` (von Neumann
    at alpha = 1). It lies between 0 (all samples alike) and log n (all
    orthogonal), and is the entropy :class:`KernelMutualInfo` combines.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n, n) with "precomputed"
    alpha, kernel, bandwidth
        As in :class:`KernelMutualInfo` (``kernel="delta"`` treats the rows
        of X as labels).
    units : {"nats", "bits"}, default="nats"

    Returns
    -------
    entropy : float

    Examples
    --------
    Four equally frequent labels have entropy log 4:

    >>> import numpy as np
    >>> from skmi import kernel_entropy
    >>> labels = np.repeat([0, 1, 2, 3], 25).reshape(-1, 1)
    >>> bool(np.isclose(kernel_entropy(labels, kernel="delta"), np.log(4)))
    True
    """
    if kernel == "precomputed":
        X = _check_gram(X, "X")
    else:
        X = check_array(X, dtype=None if kernel == "delta" else np.float64, ensure_min_samples=2)
        if kernel != "delta":
            X = _drop_constant_columns(X, "X")
    width = _bandwidth(X, kernel, bandwidth)
    A = _normalized(_GramFactory(X, kernel, width).full())
    entropy = _entropy_from_eigenvalues(np.linalg.eigvalsh(A), alpha)
    return entropy / np.log(2) if units == "bits" else entropy


# ---------------------------------------------------------------------------
# Gram matrices
# ---------------------------------------------------------------------------


class _GramFactory:
    """Gram matrices of one variable under one kernel: full or landmark blocks."""

    def __init__(self, data, kernel, width):
        self.kernel = kernel
        self.width = width
        if kernel in ("rbf", "laplacian"):
            data = np.asarray(data, dtype=np.float64)
            data = (data - data.mean(axis=0)) / data.std(axis=0)
        self.data = data

    def block(self, rows, cols):
        """K[rows][:, cols] (rows/cols index arrays, or None for all)."""
        if self.kernel == "precomputed":
            K = self.data
            K = K if rows is None else K[rows]
            return K if cols is None else K[:, cols]
        a = self.data if rows is None else self.data[rows]
        b = self.data if cols is None else self.data[cols]
        if self.kernel == "rbf":
            return rbf_kernel(a, b, gamma=1.0 / (2.0 * self.width**2))
        if self.kernel == "laplacian":
            return laplacian_kernel(a, b, gamma=1.0 / self.width)
        if self.kernel == "linear":
            return np.asarray(a, dtype=np.float64) @ np.asarray(b, dtype=np.float64).T
        if self.kernel == "delta":
            a = np.asarray(a).reshape(len(a), -1)
            b = np.asarray(b).reshape(len(b), -1)
            return (a[:, None, :] == b[None, :, :]).all(axis=-1).astype(np.float64)
        return np.asarray(self.kernel(a, b), dtype=np.float64)

    def full(self):
        return self.block(None, None)

    def diagonal(self):
        if self.kernel in ("rbf", "laplacian", "delta"):
            return np.ones(len(self.data))
        if self.kernel == "precomputed":
            return np.diag(self.data).copy()
        if self.kernel == "linear":
            return np.einsum("ij,ij->i", self.data, self.data)
        return np.array([self.kernel(row[None], row[None])[0, 0] for row in self.data])


def _bandwidth(data, kernel, rule):
    """Kernel width sigma for standardised data, by rule or as given."""
    if kernel not in ("rbf", "laplacian"):
        return None
    if not isinstance(rule, str):
        return float(rule)
    data = np.asarray(data, dtype=np.float64).reshape(len(data), -1)
    n, d = data.shape
    if rule == "silverman":
        return (4.0 / (d + 2.0)) ** (1.0 / (d + 4.0)) * n ** (-1.0 / (d + 4.0))
    if rule == "scott":
        return n ** (-1.0 / (d + 4.0))
    sample = (data - data.mean(axis=0)) / data.std(axis=0)
    sample = sample[:: max(1, n // 1000)]
    dist = np.sqrt(((sample[:, None, :] - sample[None, :, :]) ** 2).sum(-1))
    return float(np.median(dist[np.triu_indices(len(sample), 1)]))


def _normalized(K):
    """``K_ij / sqrt(K_ii K_jj) / n``: unit trace, the matrix entropies' input."""
    diag = np.diag(K).copy()
    if np.any(diag <= 0):
        raise ValueError(
            "The kernel gives a sample zero self-similarity (K_ii <= 0), so the Gram "
            "matrix cannot be normalised; for kernel='linear', drop all-zero rows."
        )
    scale = 1.0 / np.sqrt(diag)
    return K * scale[:, None] * scale[None, :] / len(K)


def _check_gram(K, name):
    K = check_array(K, dtype=np.float64, input_name=name)
    if K.shape[0] != K.shape[1]:
        raise ValueError(
            f"With a precomputed kernel, {name} must be a square (n_samples, n_samples) "
            f"Gram matrix; got shape {K.shape}."
        )
    if not np.allclose(K, K.T, rtol=1e-10, atol=1e-12 * np.abs(K).max()):
        raise ValueError(f"The precomputed Gram matrix {name} must be symmetric.")
    return K


# ---------------------------------------------------------------------------
# entropies from spectra
# ---------------------------------------------------------------------------


def _entropy_from_eigenvalues(eigenvalues, alpha):
    """Rényi-alpha (von Neumann at alpha = 1) entropy of a unit-trace spectrum.

    Eigenvalues below the eigensolver's rounding floor (about n * eps times
    the largest) are zeros in truth; left in, their noise adds up under
    ``lambda^alpha`` for alpha < 1 (1e-6 nats at n = 400, alpha = 0.5).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    floor = 16 * len(lam) * np.finfo(np.float64).eps * lam.max()
    lam = np.where(lam > floor, lam, 0.0)
    lam = lam / lam.sum()
    lam = lam[lam > 0]
    if alpha == 1:
        return float(-np.sum(lam * np.log(lam)))
    return float(np.log(np.sum(lam**alpha)) / (1.0 - alpha))


def _exact_entropies(gram_x, gram_y, alpha, backend, device):
    if backend == "torch":
        from skmi._torch.kernel import exact_spectra

        spectra = exact_spectra(gram_x, gram_y, device)
    else:
        A_x = _normalized(gram_x.full())
        A_y = _normalized(gram_y.full())
        joint = A_x * A_y
        joint /= np.trace(joint)
        spectra = [np.linalg.eigvalsh(A) for A in (A_x, A_y, joint)]
    return tuple(_entropy_from_eigenvalues(s, alpha) for s in spectra)


def _nystroem_entropies(gram_x, gram_y, landmarks, alpha):
    """Entropies from the Nyström spectra of K_x, K_y and K_x * K_y.

    With C = K[:, L] and W = K[L, L], K ~ C W^+ C^T, whose non-zero
    eigenvalues are those of W^{-1/2} C^T C W^{-1/2} (m x m). The product
    kernel of the joint has C_xy = C_x * C_y and W_xy = W_x * W_y.
    """
    spectra = []
    scaled = []
    for gram in (gram_x, gram_y):
        d = gram.diagonal()
        if np.any(d <= 0):
            raise ValueError("The kernel gives a sample zero self-similarity (K_ii <= 0).")
        s = 1.0 / np.sqrt(d)
        C = gram.block(None, landmarks) * s[:, None] * s[landmarks][None, :]
        W = C[landmarks]
        scaled.append((C, W))
    (C_x, W_x), (C_y, W_y) = scaled
    for C, W in ((C_x, W_x), (C_y, W_y), (C_x * C_y, W_x * W_y)):
        spectra.append(_nystroem_spectrum(C, W))
    n = C_x.shape[0]
    return tuple(_entropy_with_tail(s, n, alpha) for s in spectra)


def _entropy_with_tail(approximate, n, alpha):
    """Entropy of a unit-trace n x n spectrum known only by its top m values.

    The normalised matrix has trace 1 exactly (n samples, unit diagonal
    after normalisation, divided by n), so the mass the m Nyström eigenvalues
    miss is known; it is spread evenly over the n - m unknown eigenvalues,
    the maximum-entropy completion. Without this, a truncated spectrum
    renormalised to unit trace caps every entropy at log m and overstates MI
    badly (measured: 3.0 against an exact 1.71 nats, n = 3000, 2x2 Gaussian).
    """
    lam = np.clip(np.asarray(approximate, dtype=np.float64), 0.0, None) / n
    lam = lam[lam > 0]
    rest = max(0.0, 1.0 - lam.sum())
    n_rest = n - len(lam)
    if n_rest > 0 and rest > 0:
        tail = np.full(n_rest, rest / n_rest)
        lam = np.concatenate([lam, tail])
    return _entropy_from_eigenvalues(lam, alpha)


def _nystroem_spectrum(C, W):
    w, V = np.linalg.eigh(W)
    keep = w > 1e-10 * w.max()
    root = V[:, keep] / np.sqrt(w[keep])  # W^{-1/2} on its range
    M = root.T @ (C.T @ C) @ root
    return np.linalg.eigvalsh((M + M.T) / 2)
