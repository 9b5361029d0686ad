"""Nats and bits: the one conversion every module uses.

skmi computes in nats (natural logarithms); ``units="bits"`` divides by
log 2 once, where a value is reported.
"""

import numpy as np

LN2 = float(np.log(2.0))
UNITS = ("nats", "bits")


def from_nats(value, units):
    """A value in nats expressed in ``units`` ("nats" or "bits")."""
    return value / LN2 if units == "bits" else value


def to_nats(value, units):
    """A value in ``units`` ("nats" or "bits") expressed in nats."""
    return value * LN2 if units == "bits" else value
