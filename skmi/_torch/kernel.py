"""Eigenvalues of normalised Gram matrices in torch (CPU or GPU)."""

import numpy as np

from skmi._torch import require_torch, resolve_device


def eigenvalues_of(matrices, device, joint=False):
    """Spectra of symmetric matrices, computed with torch on ``device``.

    The matrices move to the device once; with ``joint=True`` the normalised
    Hadamard product of the first two is formed there as well, so only the
    eigenvalues (O(n)) come back to the host.

    Parameters
    ----------
    matrices : list of float64 ndarrays (n, n)
    device : str or torch.device
    joint : bool
        Append the spectrum of ``A_0 * A_1 / tr(A_0 * A_1)``.

    Returns
    -------
    list of float64 ndarrays (n,)
    """
    torch = require_torch()
    device = resolve_device(device)
    tensors = [torch.tensor(A, dtype=torch.float64, device=device) for A in matrices]
    if joint:
        product = tensors[0] * tensors[1]
        tensors.append(product / torch.trace(product))
    return [torch.linalg.eigvalsh(T).cpu().numpy().astype(np.float64) for T in tensors]
