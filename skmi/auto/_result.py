"""What :func:`skmi.estimate_mi` returns: one result, or one per lag."""

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


class LagScan(list):
    """One :class:`MIResult` per lag, from ``estimate_mi(..., lag=[...])``.

    A list of results in the order of the lags asked for, with ``lags``,
    ``estimates`` and a table view.
    """

    @property
    def lags(self):
        """The lags, as an int array."""
        return np.array([r.lag for r in self], dtype=np.int64)

    @property
    def estimates(self):
        """The estimates, as a float array (in the results' units)."""
        return np.array([r.estimate for r in self], dtype=np.float64)

    def to_frame(self):
        """A pandas DataFrame, one row per lag (lag, estimate, ci, p_value, method, ...).

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install skmi[pandas]``).
        """
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - optional
            message = "LagScan.to_frame needs pandas: pip install 'skmi[pandas]'."
            raise ImportError(message) from error
        rows = [
            {
                "lag": r.lag,
                "estimate": r.estimate,
                "ci_low": None if r.ci is None else r.ci[0],
                "ci_high": None if r.ci is None else r.ci[1],
                "p_value": r.p_value,
                "normalized": r.normalized,
                "method": r.method,
                "n_dropped": r.n_dropped,
                "units": r.units,
            }
            for r in self
        ]
        return pd.DataFrame(rows).set_index("lag")
