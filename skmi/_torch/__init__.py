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


def resolve_device(device, *, name="device"):
    """A ``torch.device`` from "cpu", "cuda", "cuda:1", "auto", None or a device.

    None means the configured default (``skmi.get_config()["device"]``).
    Everything is checked *before* a caller touches a model or a tensor, so a
    bad device never leaves a model half moved.

    Raises
    ------
    ValueError
        If the string is not a torch device, names the "meta" device (it holds
        no data, so nothing can be estimated there), or names a CUDA device
        that is not available.
    TypeError
        If ``device`` is neither a string, a ``torch.device`` nor None.
    """
    torch = require_torch()
    if device is None:
        from .._config import get_config

        device = get_config()["device"]
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"{name} must be a string such as 'cpu' or 'cuda', a torch.device or None; "
            f"got {type(device).__name__}."
        )
    try:
        device = torch.device(device)
    except (RuntimeError, ValueError) as error:
        raise ValueError(
            f"{name}={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:N' or 'auto'."
        ) from error
    if device.type == "meta":
        raise ValueError(f"{name}='meta' holds no data; use 'cpu', 'cuda' or 'auto'.")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{name}={str(device)!r} was requested but CUDA is not available; "
                "use device='cpu' or 'auto'."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(
                f"{name}={str(device)!r}: only {torch.cuda.device_count()} CUDA device(s) exist."
            )
    elif device.type != "cpu" and device.type not in ("mps", "xpu"):
        raise ValueError(f"{name}={str(device)!r}: skmi runs on 'cpu' or 'cuda' devices.")
    return device
