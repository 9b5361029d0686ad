"""One result per lag: what ``estimate_mi(..., lag=[...])`` returns."""

import numpy as np


class LagScan(list):
    """One :class:`~skmi.MIResult` per lag, from ``estimate_mi(..., lag=[...])``.

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
