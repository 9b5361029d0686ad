"""Global configuration, scikit-learn style: get_config, set_config, config_context.

Settings are thread-local (as in scikit-learn), so a ``config_context`` in
one thread does not leak into another.
"""

import threading
from contextlib import contextmanager

_DEFAULTS = {
    # Largest allocation (bytes) an estimator may plan for its dense n x n
    # work (kernel Gram matrices, NTK Jacobians); beyond it, it refuses with
    # a clear message.
    "memory_budget": 2 * 1024**3,
    # Where estimators whose backend / device are left at "auto" / None run.
    "backend": "auto",
    "device": "cpu",
    # Floating type of torch neighbour searches: float64 agrees with the Numba
    # path exactly; float32 is faster on GPUs and may move a count.
    "torch_dtype": "float64",
    # Memory of one tile of distances in the torch neighbour searches.
    "tile_bytes": 256 * 1024**2,
}
_CHOICES = {"backend": ("auto", "numba", "torch"), "torch_dtype": ("float64", "float32")}
_local = threading.local()


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """The current skmi settings, as a dict (a copy).

    Returns
    -------
    config : dict
        Setting name to value; see :func:`set_config` for their meaning.

    Examples
    --------
    >>> import skmi
    >>> skmi.get_config()["memory_budget"] == 2 * 1024**3
    True
    """
    return dict(_config())


def set_config(*, memory_budget=None, backend=None, device=None, torch_dtype=None, tile_bytes=None):
    """Change skmi's settings for this thread (None leaves a setting as it is).

    Parameters
    ----------
    memory_budget : int, optional
        Bytes an estimator may plan for dense n x n matrices (kernel Gram
        matrices and their eigendecomposition, NTK Jacobians, the Nyström
        blocks). Default 2 GiB. Estimators whose memory grows linearly in n
        (k-NN, binned, Gaussian: about 10 floats per sample and column) do
        not consult it.
    backend : {"auto", "numba", "torch"}, optional
        The neighbour-search backend of ``KSGMutualInfo(backend="auto")``.
        "auto" (the default) uses torch only on a CUDA device (see
        :class:`~skmi.KSGMutualInfo`), Numba otherwise.
    device : str, optional
        Default torch device ("cpu", "cuda", "cuda:1") for estimators whose
        ``device`` is None. Default "cpu".
    torch_dtype : {"float64", "float32"}, optional
        Floating type of torch neighbour searches. Default "float64".
    tile_bytes : int, optional
        Memory of one tile of the torch neighbour searches. Default 256 MiB.

    Raises
    ------
    ValueError
        If a setting has a value it does not accept (the message names it).

    Examples
    --------
    >>> import skmi
    >>> with skmi.config_context(backend="torch", device="cpu"):
    ...     skmi.get_config()["backend"]
    'torch'
    """
    for name, value in (("memory_budget", memory_budget), ("tile_bytes", tile_bytes)):
        if value is not None:
            # a bool is an int in Python: True would be a 1-byte budget
            if isinstance(value, bool) or not (isinstance(value, int) and value > 0):
                raise ValueError(f"{name} must be a positive int (bytes); got {value!r}.")
            _config()[name] = value
    for name, value in (("backend", backend), ("torch_dtype", torch_dtype)):
        if value is not None:
            if value not in _CHOICES[name]:
                raise ValueError(f"{name} must be one of {_CHOICES[name]}; got {value!r}.")
            _config()[name] = value
    if device is not None:
        if not isinstance(device, str):
            raise ValueError(f"device must be a string such as 'cpu' or 'cuda'; got {device!r}.")
        _check_device_name(device)
        _config()["device"] = device


def _check_device_name(device):
    """Refuse a device name torch would not know ("gpu"), without importing torch."""
    kind = device.split(":", 1)[0]
    known = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "privateuseone")
    index = device.split(":", 1)[1] if ":" in device else "0"
    if kind not in known or not index.isdigit():
        raise ValueError(
            f"device must be a torch device name such as 'cpu', 'cuda' or 'cuda:1'; got {device!r}."
        )


@contextmanager
def config_context(**settings):
    """Temporarily change settings (see :func:`set_config`) inside a ``with``.

    The settings are restored on leaving the block, also on an exception.
    They are thread-local; skmi's parallel loops carry them into their
    workers (``skmi._parallel``).

    Parameters
    ----------
    **settings
        Any of :func:`set_config`'s keyword arguments.

    Yields
    ------
    None
        The block runs under the changed settings.

    Raises
    ------
    ValueError
        If a setting has a value it does not accept.

    Examples
    --------
    >>> import skmi
    >>> with skmi.config_context(memory_budget=10**6):
    ...     skmi.get_config()["memory_budget"]
    1000000
    """
    old = get_config()
    set_config(**settings)
    try:
        yield
    finally:
        _config().clear()
        _config().update(old)
