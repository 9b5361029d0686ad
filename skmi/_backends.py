"""Where an estimator computes: the one rule from ``backend``, ``device`` and the config.

Every estimator with a ``backend`` parameter resolves it here once per fit
or score and passes the result down as arguments; nothing below it reads
the configuration again.
"""

from importlib.util import find_spec

from skmi._config import get_config


def cuda_available():
    """Whether torch is installed and sees a CUDA device (torch imported only if installed)."""
    if find_spec("torch") is None:
        return False
    import torch

    return torch.cuda.is_available()


def resolve_backend(backend, device, *, torch_when_auto=True):
    """``("numba", None)`` or ``("torch", device)``: where this computation runs.

    Parameters
    ----------
    backend : {"auto", "numba", "torch"}
        The estimator's parameter; "auto" follows ``skmi.get_config()["backend"]``,
        and where that is "auto" too, torch runs only on a CUDA device (the
        given one, or ``device="auto"`` with CUDA available) and only when
        ``torch_when_auto``.
    device : str or None
        The torch device; None: ``skmi.get_config()["device"]``.
    torch_when_auto : bool, default=True
        Whether "auto" may pick torch on a GPU (k-NN estimators pass False
        below the sample size where the GPU wins).

    Returns
    -------
    backend : {"numba", "torch"}
    device : str or None
        None for "numba".
    """
    config = get_config()
    device = config["device"] if device is None else device
    if backend == "auto":
        backend = config["backend"]
    if backend == "auto":
        on_gpu = str(device).startswith("cuda") or (device == "auto" and cuda_available())
        backend = "torch" if on_gpu and torch_when_auto else "numba"
    return (backend, device) if backend == "torch" else ("numba", None)
