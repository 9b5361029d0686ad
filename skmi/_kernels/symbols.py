"""Transitional alias of the old ``skmi._kernels.symbols`` (now ``skmi._numba.symbols``)."""

from skmi._numba.symbols import combine_codes, dense_labels, digitize_columns  # noqa: F401
