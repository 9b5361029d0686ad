"""Global configuration, scikit-learn style: get_config, set_config, config_context.

Settings are thread-local (as in scikit-learn), so a ``config_context`` in
one thread does not leak into another.
"""

import threading
from contextlib import contextmanager

_DEFAULTS = {
    # Largest allocation (bytes) an estimator may plan for its dense n x n
    # work (kernel Gram matrices); beyond it, it refuses with a clear message.
    "memory_budget": 2 * 1024**3,
}
_local = threading.local()


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """The current skmi settings, as a dict (a copy).

    Examples
    --------
    >>> import skmi
    >>> skmi.get_config()["memory_budget"] == 2 * 1024**3
    True
    """
    return dict(_config())


def set_config(*, memory_budget=None):
    """Change skmi's settings for this thread.

    Parameters
    ----------
    memory_budget : int, optional
        Bytes an estimator may plan for dense n x n matrices (kernel Gram
        matrices and their eigendecomposition). Default 2 GiB.
    """
    if memory_budget is not None:
        if not (isinstance(memory_budget, int) and memory_budget > 0):
            raise ValueError(
                f"memory_budget must be a positive int (bytes); got {memory_budget!r}."
            )
        _config()["memory_budget"] = memory_budget


@contextmanager
def config_context(**settings):
    """Temporarily change settings (see :func:`set_config`) inside a ``with``.

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
