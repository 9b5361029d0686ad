"""Normalised Gram matrices and their spectra in torch (CPU or GPU).

The data (O(n d)) moves to the device once; the n x n Gram matrices, their
Hadamard product and the eigendecomposition stay there, and only the
eigenvalues (O(n)) come back. The normalisation is
``skmi._matrix_entropy``'s, in its torch form.
"""

import numpy as np

from skmi._matrix_entropy import joint_normalized_torch, normalized_gram_torch
from skmi._torch import require_torch, resolve_device


def exact_spectra(gram_x, gram_y, device):
    """Spectra of A_x, A_y and their normalised Hadamard product, on ``device``.

    ``gram_x`` and ``gram_y`` are ``skmi._kernel._GramFactory`` objects (data,
    kernel name or callable, width).
    """
    torch = require_torch()
    device = resolve_device(device)
    A_x = normalized_gram_torch(_gram(gram_x, device))
    A_y = normalized_gram_torch(_gram(gram_y, device))
    joint = joint_normalized_torch(A_x, A_y)
    return [torch.linalg.eigvalsh(A).cpu().numpy().astype(np.float64) for A in (A_x, A_y, joint)]


def _gram(factory, device):
    torch = require_torch()
    kernel = factory.kernel
    if callable(kernel) or kernel == "precomputed":
        return torch.tensor(factory.full(), dtype=torch.float64, device=device)
    data = np.asarray(factory.data)
    if kernel == "delta":
        codes = np.unique(data.reshape(len(data), -1), axis=0, return_inverse=True)[1]
        labels = torch.tensor(codes.reshape(-1), device=device)
        return (labels[:, None] == labels[None, :]).to(torch.float64)
    points = torch.tensor(data, dtype=torch.float64, device=device)
    if kernel == "linear":
        return points @ points.T
    points = points / factory.width  # no width**2 that can underflow
    if kernel == "rbf":
        K = torch.exp(-(torch.cdist(points, points) ** 2) / 2.0)
    else:  # laplacian
        K = torch.exp(-torch.cdist(points, points, p=1.0))
    # k(a, a) = 1 exactly; cdist's matrix-product form leaves rounding residue
    return K.fill_diagonal_(1.0)
