"""Checks of scalar parameters shared by every public entry point.

scikit-learn's ``Interval(Integral, ...)`` accepts ``True`` (a bool is an
int in Python), which then reaches Numba kernels as a boolean and fails with
a ``TypingError``. These helpers refuse booleans by name.
"""

import numbers

import numpy as np


def check_int(value, name, *, min_value=None, max_value=None):
    """``value`` as a Python int, or a TypeError / ValueError naming ``name``.

    Booleans are refused (``True`` is an int in Python, not a count).

    Raises
    ------
    TypeError
        If ``value`` is a bool or not an integer.
    ValueError
        If ``value`` lies outside ``[min_value, max_value]``.

    Examples
    --------
    >>> check_int(3, "n_neighbors", min_value=1)
    3
    >>> check_int(True, "n_neighbors")
    Traceback (most recent call last):
    ...
    TypeError: n_neighbors must be an integer, got bool (True).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} ({value!r}).")
    value = int(value)
    if min_value is not None and value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value}.")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {value}.")
    return value


def check_real(value, name, *, min_value=None, max_value=None, include_min=True):
    """``value`` as a finite float, or a TypeError / ValueError naming ``name``.

    Raises
    ------
    TypeError
        If ``value`` is a bool or not a real number.
    ValueError
        If ``value`` is not finite or lies outside the range.

    Examples
    --------
    >>> check_real(0.5, "alpha", min_value=0, include_min=False)
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if min_value is not None:
        if value < min_value or (not include_min and value == min_value):
            bound = ">=" if include_min else ">"
            raise ValueError(f"{name} must be {bound} {min_value}, got {value}.")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {value}.")
    return value


def detach_tensor(A):
    """A torch tensor as NumPy can read it; anything else unchanged.

    A tensor that requires grad is detached (numpy cannot read it); a
    bfloat16 tensor, which NumPy has no type for ("Got unsupported
    ScalarType BFloat16"), becomes float32, which holds every bfloat16
    value exactly. ``detach`` shares storage and leaves the caller's tensor
    (and its graph) untouched: an estimator only reads the values.
    """
    if not hasattr(A, "detach") or not hasattr(A, "dtype"):
        return A
    if getattr(A, "requires_grad", False):
        A = A.detach()
    if str(A.dtype) == "torch.bfloat16":
        A = A.float()
    return A
