"""The result every entry point returns, and the two rules it applies to its number.

:func:`skmi.estimate_mi`, :func:`skmi.entropy` and
:func:`skmi.transfer_entropy` all return an :class:`MIResult`. A value
outside what the quantity can take is clipped to the bound with a note
(:func:`clip`), and an interval is stretched towards where the estimator's
bias puts the truth (:func:`allow_for_bias`). Below the estimators and the
entry points alike, so both can use it.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MIResult:
    """What :func:`skmi.estimate_mi` found (values in ``units``).

    Attributes
    ----------
    estimate : float
        The estimate, within the hard bounds (see ``notes``).
    method : str
        The method used.
    estimator : object
        The fitted estimator.
    units : {"nats", "bits"}
    ci : tuple of float or None
        The interval (low, high), when asked for.
    p_value : float or None
        The permutation p-value, when asked for.
    adjusted_estimate : float or None
        The estimate minus the mean of the permutation null.
    reason : str
        Why this method: the kind of each side and the rule that applied.
    x_kind, y_kind : str
        "continuous", "discrete" or "mixed": how each side was taken.
    ci_method : str or None
        How the interval was made (resampling scheme and interval type).
    min_p_value : float or None
        The smallest p-value the permutations can give, ``1 / (B + 1)``; a
        ``p_value`` equal to it means "p <= min_p_value".
    raw_estimate : float
        The estimator's own value before clipping to the hard bounds.
    notes : list of str
        Anything the user should know about the number (clipping, bounds).
    ci_bias : float or None
        The estimator's bias as the resamples estimate it (the resampled
        estimates' median minus the estimate, in ``units``); ``ci`` was
        stretched by it towards ``estimate - ci_bias`` so that it covers the
        truth, not only the estimator's mean.
    infinite : bool
        True when one continuous side looks like a function of the other
        (monotone or many-to-one): the MI is infinite, ``estimate`` reflects
        only the sample size, and no ``ci`` or ``p_value`` is given.
    normalized : float or None
        The MI on a [0, 1] scale, when ``normalize`` was given.
    lag : int or None
        The lag of y behind X, when ``lag`` was given.
    n_dropped : int
        Rows dropped to align the lagged series.
    """

    estimate: float
    method: str
    estimator: object
    units: str = "nats"
    ci: tuple = None
    p_value: float = None
    adjusted_estimate: float = None
    reason: str = ""
    x_kind: str = ""
    y_kind: str = ""
    ci_method: str = None
    min_p_value: float = None
    raw_estimate: float = None
    notes: list = field(default_factory=list)
    ci_bias: float = None
    infinite: bool = False
    normalized: float = None
    lag: int = None
    n_dropped: int = 0

    def __float__(self):
        return float(self.estimate)

    def p_value_text(self):
        """The p-value as text: ``"p <= 0.0099"`` when no permutation reached the estimate.

        Returns
        -------
        text : str
            ``"p = ..."``, ``"p <= 1/(B+1)"`` at the smallest attainable value
            of B permutations, or ``""`` when no p-value was computed.
        """
        if self.p_value is None:
            return ""
        if self.min_p_value is not None and self.p_value <= self.min_p_value:
            return f"p <= {self.min_p_value:.4g}"
        return f"p = {self.p_value:.4g}"


def clip(estimate, low, high, notes, units):
    """The estimate within [low, high], with a note when it was moved."""
    if estimate > high:
        notes.append(
            f"the estimate {estimate:.4g} exceeded the entropy of a discrete side "
            f"({high:.4g} {units}), which bounds the MI; reported at that bound"
        )
        return float(high)
    if estimate < low:
        notes.append(
            f"the estimate {estimate:.4g} is below 0 (noise around independence); reported as 0"
        )
        return 0.0
    return float(estimate)


def allow_for_bias(interval, notes, units):
    """The interval stretched towards ``estimate - bias``: it should cover the truth.

    An interval of the estimator's spread covers the estimator's mean, not
    the truth it is biased away from. The resamples measure the bias: the
    median of the (rate-scaled) subsample or bootstrap estimates minus the
    estimate, ``resample_shift``, is the bootstrap's bias estimate (Efron
    and Tibshirani 1993, ch. 10) and, for subsamples of n/2 and a bias
    falling like 1/n, ``b(n/2) - b(n) = b(n)``. The side of the interval
    towards ``estimate - shift`` is moved out by ``|shift|``; the estimate
    stays inside. (Measured on ``benchmarks/calibration/bench_coverage.py``: see the
    user guide, "Robustness".)
    """
    shift = float(interval.resample_shift)
    low, high = interval.low, interval.high
    if not np.isfinite(shift) or shift == 0.0:
        return low, high
    if shift > 0:
        low -= shift
    else:
        high -= shift
    notes.append(
        f"the interval allows for the estimator's bias, estimated at {shift:+.3g} {units} from "
        "how the estimate changes between resamples and the full sample"
    )
    return low, high
