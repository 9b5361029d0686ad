"""Matrix-based Rényi entropy: the one home of the normalised Gram and its spectrum.

Sánchez Giraldo, Rao & Príncipe (2015) define the entropy of a variable
from the eigenvalues of its normalised Gram matrix ``A = K / tr(K)`` (with K
scaled to a unit diagonal): ``S_alpha(A) = log(sum_i lambda_i^alpha) / (1 -
alpha)``, the von Neumann entropy ``-sum lambda log lambda`` at alpha = 1.
The joint entropy of two variables uses the normalised Hadamard product
``A_x * A_y / tr(A_x * A_y)`` (Yu et al., 2020). The kernel estimator, its
torch backend and the probes all use these functions; the torch variants
(``*_torch``) take and return tensors and import torch only when called.
"""

import numpy as np

# Eigenvalues more negative than this fraction of the largest cannot come from
# rounding (eigvalsh's error is about n * eps * lambda_max): the matrix is not
# positive semi-definite, so it is no Gram matrix.
_PSD_TOLERANCE = 1e-8


def normalized_gram(K):
    """``K_ij / sqrt(K_ii K_jj) / n``: unit trace, the matrix entropies' input.

    Raises
    ------
    ValueError
        If a sample has zero (or negative) self-similarity ``K_ii``.
    """
    diag = np.diag(K).copy()
    if np.any(diag <= 0):
        raise ValueError(
            "The kernel gives a sample zero self-similarity (K_ii <= 0), so the Gram "
            "matrix cannot be normalised; for kernel='linear', drop all-zero rows."
        )
    scale = 1.0 / np.sqrt(diag)
    return K * scale[:, None] * scale[None, :] / len(K)


def joint_normalized(A_x, A_y):
    """The normalised Hadamard product ``A_x * A_y / tr(A_x * A_y)``."""
    joint = A_x * A_y
    joint /= np.trace(joint)
    return joint


def entropy_from_eigenvalues(eigenvalues, alpha, name="the Gram matrix"):
    """Rényi-alpha entropy in nats (von Neumann at alpha = 1) of a unit-trace spectrum.

    With ``t = alpha - 1`` and ``l_i = log lambda_i`` the entropy is computed
    as ``-log1p(sum_i lambda_i expm1(t l_i)) / t``: the same value as
    ``log(sum lambda^alpha) / (1 - alpha)``, but without its cancellation
    near alpha = 1, so the entropy is continuous there (it tends to the von
    Neumann entropy as t -> 0, with slope ``-Var_lambda(l) / 2``).

    Eigenvalues below the eigensolver's rounding floor (about n * eps times
    the largest) are zeros in truth; left in, their noise adds up under
    ``lambda^alpha`` for alpha < 1.

    Raises
    ------
    ValueError
        If the spectrum has a clearly negative eigenvalue: the matrix (named
        by ``name``) is not positive semi-definite.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if not np.all(np.isfinite(lam)):
        raise ValueError(f"{name} has non-finite entries, so its entropy is undefined.")
    top = lam.max()
    if lam.min() < -_PSD_TOLERANCE * max(top, np.finfo(np.float64).tiny):
        raise ValueError(
            f"{name} is not positive semi-definite (eigenvalue {lam.min():.3g} against a "
            f"largest {top:.3g}): it is not a Gram matrix of any kernel. Check the "
            "precomputed matrix or the kernel callable."
        )
    floor = 16 * len(lam) * np.finfo(np.float64).eps * top
    lam = lam[lam > floor]
    lam = lam / lam.sum()
    log_lam = np.log(lam)
    t = float(alpha) - 1.0
    if t == 0.0:
        return float(-np.sum(lam * log_lam))
    return float(-np.log1p(np.sum(lam * np.expm1(t * log_lam))) / t)


def matrix_entropy(A, alpha=1.0, name="the Gram matrix"):
    """Rényi-alpha entropy in nats of a symmetric unit-trace PSD matrix A."""
    return entropy_from_eigenvalues(np.linalg.eigvalsh(A), alpha, name=name)


def normalized_gram_torch(K):
    """:func:`normalized_gram` for a torch tensor (same device, same dtype)."""
    import torch

    diag = torch.diagonal(K)
    if bool((diag <= 0).any()):
        raise ValueError(
            "The kernel gives a sample zero self-similarity (K_ii <= 0), so the Gram "
            "matrix cannot be normalised; for kernel='linear', drop all-zero rows."
        )
    scale = 1.0 / torch.sqrt(diag)
    return K * scale[:, None] * scale[None, :] / K.shape[0]


def joint_normalized_torch(A_x, A_y):
    """:func:`joint_normalized` for torch tensors."""
    import torch

    joint = A_x * A_y
    return joint / torch.trace(joint)
