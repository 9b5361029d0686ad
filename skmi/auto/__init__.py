"""estimate_mi and its parts: the method table, the planner, the result type."""

from skmi._auto import (
    METHODS,
    LagScan,
    LargerOfMutualInfo,
    MIResult,
    TCopulaOrKSGMutualInfo,
    align_lagged,
    choose_method,
    estimate_mi,
    make_estimator,
)

__all__ = [
    "METHODS",
    "LagScan",
    "LargerOfMutualInfo",
    "MIResult",
    "TCopulaOrKSGMutualInfo",
    "align_lagged",
    "choose_method",
    "estimate_mi",
    "make_estimator",
]
