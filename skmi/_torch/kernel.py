"""Normalised Gram matrices and their spectra in torch (CPU or GPU).

The data (O(n d)) moves to the device once; the n x n Gram matrices, their
Hadamard product and the eigendecomposition stay there, and only the
eigenvalues (O(n)) come back.
"""

import numpy as np

from skmi._torch import require_torch, resolve_device


def exact_spectra(gram_x, gram_y, device):
    """Spectra of A_x, A_y and their normalised Hadamard product, on ``device``.

    ``gram_x`` and ``gram_y`` are ``skmi._kernel._GramFactory`` objects (data,
    kernel name or callable, width).
    """
    torch = require_torch()
    device = resolve_device(device)
    A_x = _normalized(_gram(gram_x, device))
    A_y = _normalized(_gram(gram_y, device))
    joint = A_x * A_y
    joint /= torch.trace(joint)
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
    if kernel == "rbf":
        return torch.exp(-(torch.cdist(points, points) ** 2) / (2.0 * factory.width**2))
    return torch.exp(-torch.cdist(points, points, p=1.0) / factory.width)  # laplacian


def _normalized(K):
    torch = require_torch()
    diag = torch.diagonal(K)
    if bool((diag <= 0).any()):
        raise ValueError("The kernel gives a sample zero self-similarity (K_ii <= 0).")
    scale = 1.0 / torch.sqrt(diag)
    return K * scale[:, None] * scale[None, :] / K.shape[0]
