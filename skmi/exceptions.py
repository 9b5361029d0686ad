"""Warnings skmi raises, so that users can filter them precisely."""

__all__ = ["ConstantColumnWarning", "SkmiWarning", "TiesWarning"]


class SkmiWarning(UserWarning):
    """Base class of every warning skmi raises about the data."""


class TiesWarning(SkmiWarning):
    """Many repeated values (atoms): k-NN estimates may be biased.

    Exact ties -- ReLU zeros, integer-valued columns, repeated rows -- break
    the continuous-density assumption behind k-NN estimators. A tiny jitter
    breaks them arbitrarily; the mixed discrete-continuous counting of Gao et
    al. (2017), ``KSGMutualInfo(ties="mixed")``, treats them as atoms.
    """


class ConstantColumnWarning(SkmiWarning):
    """A constant column was dropped: it carries no information."""
