"""Transitional alias of the old ``skmi._kernels.ksg`` (now ``skmi._numba.ksg_pairs``)."""

from skmi._numba.ksg_pairs import ksg1_pairs_1d  # noqa: F401
