"""torch backends, imported only when a torch feature is used.

``skmi`` itself imports without torch; the functions here raise an
``ImportError`` naming the extra to install.
"""


def require_torch():
    """The ``torch`` module, or an ImportError that says how to get it."""
    try:
        import torch
    except ImportError as error:  # pragma: no cover - exercised without torch
        raise ImportError(
            "This feature needs PyTorch: pip install 'skmi[torch]' (or install torch "
            "for your platform from pytorch.org)."
        ) from error
    return torch


def resolve_device(device):
    """A ``torch.device`` from "cpu", "cuda", "cuda:1", "auto" or a device."""
    torch = require_torch()
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available; "
            "use device='cpu' or 'auto'."
        )
    return device
