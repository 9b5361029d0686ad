"""Transitional alias of :mod:`skmi._numba` (the Numba kernels' old name).

Kept only so that branches written against the old name still import after
the merge; the lead removes it once every import says ``skmi._numba``.
"""

from skmi._numba import *  # noqa: F403
from skmi._numba import __all__  # noqa: F401
