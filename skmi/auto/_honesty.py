"""What estimate_mi says about its number: hard bounds, infinite MI, warnings.

Hard bounds: a discrete side's entropy bounds the MI (``0 <= I <=
min(H(X), H(y))`` over discrete sides); an estimate outside is clipped to
the bound and the result says so in ``notes``. A continuous side that is a
function of the other has infinite MI: the result is flagged and gets no
interval or p-value. Each other way the number may be far from the truth
gets one note and, where it matters, one warning.
"""

import numpy as np
from scipy.special import digamma

from skmi._determinism import functional_relation, monotone_pair
from skmi._entropy import miller_madow_entropy
from skmi._units import from_nats, to_nats
from skmi._warnings import warn_at_caller
from skmi.exceptions import SkmiWarning

# k-NN estimates lose most of a moderate MI beyond this joint dimension
# (KSG on a 10 x 10 Gaussian with truth 1.5 nats: about 0.5 at n = 3000).
HIGH_KNN_DIMENSION = 10
# Conditional k-NN: beyond this many conditioning columns the estimate shrinks
# markedly towards 0 (Runge, 2018, section 4).
CONDITIONAL_KNN_DIMENSION = 3


def side_entropy(side):
    """Plug-in entropy plus (K - 1) / (2 n), in nats (Miller 1955), at most log K.

    K observed symbols carry at most log K nats: the correction may not
    pass it (two equally frequent classes have exactly log 2).
    """
    counts = np.bincount(side.labels)
    return float(min(miller_madow_entropy(counts), np.log(np.count_nonzero(counts))))


def hard_bounds(x, y, units):
    """0 and the smallest entropy of a discrete side (inf if none), in ``units``.

    The entropies are plug-in with Miller-Madow's correction, the estimate the
    binned MI itself makes: the plug-in alone is biased low and would clip a
    correct estimate (identical discrete sides read 0.998 of their entropy).
    """
    entropies = [side_entropy(s) for s in (x, y) if s.kind.kind == "discrete"]
    return 0.0, from_nats(min(entropies) if entropies else np.inf, units)


def normalized(result, x, y, how):
    """The estimate on a [0, 1] scale (see ``normalize`` in :func:`skmi.estimate_mi`)."""
    nats = to_nats(result.estimate, result.units)
    if how == "linfoot":
        return float(np.sqrt(-np.expm1(-2.0 * max(nats, 0.0))))
    h_x, h_y = side_entropy(x), side_entropy(y)
    scale = {
        "arithmetic": (h_x + h_y) / 2,
        "geometric": np.sqrt(h_x * h_y),
        "min": min(h_x, h_y),
        "max": max(h_x, h_y),
    }[how]
    return float(np.clip(nats / scale, 0.0, 1.0)) if scale > 0 else 0.0


def infinite_mi(x, y):
    """Words saying why I(X; y) is infinite (one side a function of the other), or "".

    Given z too: if y is a function of X, ``h(y | X, z)`` is minus infinity.
    """
    if "discrete" in (x.kind.kind, y.kind.kind):
        return ""
    try:
        Xf, yf = x.floats, y.floats
    except ValueError:
        return ""
    if monotone_pair(Xf, yf):
        return (
            "a column of y has exactly the ranks of a column of X (a strictly monotone "
            "relation, or one these samples cannot tell from it)"
        )
    return functional_relation(Xf, yf)


def warn_where_unreliable(x, y, z, plan, estimator, result):
    """One note (and a warning where it matters) for each way the number may be off."""
    infinite = infinite_mi(x, y)
    if infinite:
        message = (
            f"{infinite}: the mutual information of continuous variables related this way "
            "is infinite (or more than these samples can tell from it), and the estimate "
            "reflects only the sample size; no interval or p-value is given for it."
        )
        result.notes.append(message)
        result.infinite = True
        warn_at_caller(message, SkmiWarning)
        return
    if getattr(estimator, "non_elliptical_", False):
        result.notes.append(
            "k-NN on normal scores reads at least the t-copula's value, which on elliptical "
            "data it stays below: the dependence is not elliptical (a twist such as a "
            "spiral, a many-to-one relation), and both may miss part of the MI (on "
            "spirals of a Gaussian, 8-44 % low); compare method='neural' with enough data"
        )
    if plan.method in ("lda", "logistic", "classifiers"):
        d = (y if plan.class_side == "x" else x).width
        result.notes.append(
            "a held-out classifier bound: below the MI by what the classifier misses, most "
            f"where n is not much larger than d (here n / d = {len(x) / d:.3g}; at 10 the "
            "bounds read about 20 % low on Gaussian classes)"
        )
    knn = plan.method.startswith("ksg") or getattr(estimator, "chosen_", "") == "KSGMutualInfo"
    if knn:
        _warn_where_knn_fails(x, y, z, plan, result)


def _warn_where_knn_fails(x, y, z, plan, result):
    """k-NN's ceiling at this n, and its downward bias in high dimension."""
    n = len(x)
    ceiling = digamma(n) - digamma(3)
    nats = to_nats(result.raw_estimate, result.units)
    if plan.class_side is None and nats > ceiling - 1.0:
        message = (
            f"the estimate ({nats:.2f} nats) is near the largest value a k-NN estimate can "
            f"reach with n = {n} (about {ceiling:.2f}): the true MI may be much larger "
            "(infinite for a deterministic relation)."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    if plan.class_side is None:
        d = x.width + y.width
    else:
        d = (y if plan.class_side == "x" else x).width
    d_z = 0 if z is None else z.width
    if d_z > CONDITIONAL_KNN_DIMENSION:
        message = (
            f"a conditional k-NN estimate given {d_z} conditioning dimensions: the "
            "neighbourhoods in z grow with its dimension and the estimate shrinks towards 0 "
            "(Runge 2018); read it as a lower value and test it with p_value."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
    d += d_z
    if d > HIGH_KNN_DIMENSION:
        message = (
            f"a k-nearest-neighbour estimate in {d} dimensions: such estimates are biased "
            "downwards there, increasingly with the MI; the 'gaussian-copula' and (for "
            "classes) 'lda' methods give lower bounds to compare with."
        )
        result.notes.append(message)
        warn_at_caller(message, SkmiWarning)
