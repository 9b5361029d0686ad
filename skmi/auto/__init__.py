"""estimate_mi and its parts: the method table, the planner, the result type.

``skmi.estimate_mi`` is :func:`skmi.auto.estimate_mi`. The modules, one idea
each:

* ``_methods`` -- the method table: one row per method name (help text,
  factory, how it treats a class side); a new method is one row;
* ``_inputs`` -- the sides, checked, classified and encoded once;
* ``_planner`` -- the auto rules and the evidence behind them;
* ``_honesty`` -- hard bounds, infinite MI, the warnings about the number;
* ``_uncertainty`` -- the interval and the p-value;
* ``_lags`` -- :class:`LagScan`, one result per lag (the result type,
  :class:`~skmi.MIResult`, is shared with ``entropy`` and
  ``transfer_entropy``: ``skmi/_result.py``);
* ``_estimate`` -- :func:`estimate_mi`, which connects them.

Names are imported on first use, so reading the method table (the command
line's help) imports no estimator.
"""

import importlib

_WHERE = {
    "estimate_mi": "skmi.auto._estimate",
    "make_estimator": "skmi.auto._estimate",
    "MIResult": "skmi._result",
    "LagScan": "skmi.auto._lags",
    "choose_method": "skmi.auto._planner",
    "METHODS": "skmi.auto._methods",
    "METHOD_TABLE": "skmi.auto._methods",
    "LargerOfMutualInfo": "skmi._composites",
    "TCopulaOrKSGMutualInfo": "skmi._composites",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skmi.auto' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
