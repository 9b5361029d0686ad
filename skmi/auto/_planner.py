"""The planner: which method for (X, y), and why, from the sides' kinds.

Each side is first classified by its values (:mod:`skmi._data_kinds`:
continuous, discrete, or mixed with atoms; ``x_kind`` / ``y_kind`` override).
The choice then follows ``benchmarks/accuracy/bench_auto.py``, which runs every
estimator on a grid of ``skmi.datasets`` tasks with known truth (Gaussian,
monotone transforms, Student-t, class mixtures, discrete, mixed,
non-monotone; 1 to 25 dimensions; n = 1,000 and 5,000) and reports each
one's mean absolute error. The rules, in order:

=============================================  ======================================
kinds                                          method
=============================================  ======================================
X and y both discrete                          ``binned``: plug-in, Miller-Madow
one discrete, the other continuous, d <= 3     ``ksg-copula``: Ross's k-NN (class form)
one discrete, the other continuous, d = 4      ``larger``: the larger of Ross's k-NN
                                               and the held-out LDA and logistic bounds
one discrete, the other continuous, d >= 5     ``classifiers``: the larger of the held-out
                                               LDA and logistic bounds
one discrete, the other mixed                  ``class-atoms``: the chain rule over
                                               the atoms (plug-in with the atom
                                               patterns, Ross's k-NN on the rest)
one value in >= 5 % of a column (an atom,     ``atoms``: the atom-pattern chain rule
ReLU's 0 or shifted) on one side only          (the side with atoms taken as y)
other atoms (both sides, other values)         ``ksg-mixed``
both continuous                                ``t-copula-or-ksg``: the Student-t copula
                                               unless ksg-copula is clearly larger
=============================================  ======================================

The regime rules (class side in d >= 5, atoms, t-copula) are those that
``benchmarks/accuracy/bench_auto.py`` measured on 24 families (n = 1000 and 5000, 3
seeds): mean absolute error 0.053 nats and 89 % of the cells within 10 % of
the truth, against 0.18 and 44 % for the rules before (k-NN in low
dimension, "the larger of" in high dimension). Why each: the t-copula is
nearly unbiased on Gaussian, Student-t (heavy tails) and monotone transforms
of them, where k-NN loses 27-51 %; the zero-pattern chain rule is exact for
ReLU-type atoms, where Gao et al.'s counting loses 28 % at d = 5; with a
class side in high dimension k-NN collapses (0.04 nats at d = 100, truth
0.34), and held-out classifiers bound the MI from below whatever the
class-conditional laws (the Gaussian with one-hot classes, the rule before,
read 22-31 % high on an injective tanh layer of Gaussian classes). The neural
estimator was not better in any cell, so "auto" does not train one; ask for
``method="neural"`` when X and y are high-dimensional, non-Gaussian and
plentiful.
"""

from dataclasses import dataclass

import numpy as np

from skmi._atoms import atom_share
from skmi._data_kinds import _all_numbers
from skmi.auto._inputs import Side
from skmi.auto._methods import _BY_NAME

LOW_DIMENSION = 3  # k-NN alone up to this dimension (see the table above)
# The held-out LDA bound needs every class in every fold, with company.
LDA_MIN_PER_CLASS = 10
# A class side against this many continuous columns or more: held-out
# classifier bounds alone (k-NN collapses; see _class_plan).
CLASS_BOUND_DIMENSION = 5
# A side with at least this share of a column exactly at 0 has ReLU-type atoms.
ATOM_SHARE = 0.05


@dataclass
class Plan:
    """The method for one estimate, why, and how the sides are arranged for it."""

    method: str
    reason: str
    class_side: str = None  # "x" or "y": the discrete side taken as class labels
    swap: bool = False  # estimate I(y; X): the side with atoms goes second


def plan(x, y):
    """The auto rules' plan for two classified :class:`Side` objects."""
    sides = {"x": x, "y": y}
    words = f"{x.kind.reason}; {y.kind.reason}"
    discrete = [s for s in ("x", "y") if sides[s].kind.kind == "discrete"]
    if len(discrete) == 2:
        return Plan("binned", f"{words}: both discrete, the plug-in MI with Miller-Madow", "y")
    if len(discrete) == 1:
        side = discrete[0]
        other = sides["y" if side == "x" else "x"]
        d = other.width
        enough = np.bincount(sides[side].labels).min() >= LDA_MIN_PER_CLASS
        # classifier bounds need no density: atoms (ReLU zeros, counts) are fine
        if d >= CLASS_BOUND_DIMENSION and enough and _all_numbers(other.values):
            return _class_plan(words, d, side)
        if other.kind.kind == "mixed":
            return Plan(
                "class-atoms",
                f"{words}: a class side and atoms: the chain rule over the atoms (plug-in "
                "MI with the atom patterns, Ross's k-NN on the continuous part)",
                side,
            )
        if d <= LOW_DIMENSION:
            return Plan(
                "ksg-copula", f"{words}: a class side, d = {d}: Ross's nearest neighbours", side
            )
        if enough:
            return Plan(
                "larger",
                f"{words}: a class side, d = {d}: the larger of Ross's nearest neighbours "
                "and the held-out LDA and logistic bounds, all biased downwards here",
                side,
            )
        return Plan(
            "ksg-copula",
            f"{words}: a class side, d = {d}, classes too small for the LDA bound: Ross's "
            "nearest neighbours (biased downwards in this dimension)",
            side,
        )
    if "mixed" in (x.kind.kind, y.kind.kind):
        return _atom_plan(x, y, words) or Plan(
            "ksg-mixed", f"{words}: atoms, Gao et al.'s counting"
        )
    return Plan(
        "t-copula-or-ksg",
        f"{words}: continuous, d_x + d_y = {x.width + y.width}: the Student-t copula "
        "(elliptical dependence of any tail weight, bias-corrected) unless KSG on normal scores "
        "sees clearly more (non-elliptical dependence)",
    )


def _class_plan(words, d, side):
    """A class side against d >= 5 continuous columns: held-out classifier bounds.

    ``I(X; y) >= H(y) + E[log q(y | X)]`` for any classifier q scored on
    samples it was not fitted on, so the larger of two such bounds (shrinkage
    LDA; logistic regression on normal scores, which a monotone map of a
    column leaves unchanged) is a lower bound that does not depend on the
    class-conditional laws being Gaussian. The rule before, the Gaussian MI
    with one-hot classes, assumed they were: on an injective layer
    ``tanh(X W + b)`` (4 -> 32) of four Gaussian classes, truth 0.635, it
    read 0.77-0.82 with an interval excluding the truth; the bounds read
    0.62-0.64. Where the classes are Gaussian the bounds lose a little at
    small n in very high d (``make_class_mixture(1000, 2, 100, separation=2)``,
    truth 0.337: LDA 0.31, logistic 0.28).
    """
    return Plan(
        "classifiers",
        f"{words}: a class side, d = {d}: k-NN collapses in this dimension; the larger of "
        "two held-out classifier bounds (shrinkage LDA, logistic regression on normal scores)",
        side,
    )


def _atom_plan(x, y, words):
    """ReLU-type atoms on one side only: the atom-pattern chain rule, or None.

    An atom is a value a column takes with positive probability, wherever it
    sits: a shift of a column moves ReLU's atom from 0 and leaves the MI
    unchanged, so the rule looks at each column's most frequent value (a
    ReLU layer plus 3 went to Gao et al.'s counting and read 10 % lower).
    """
    try:
        # a side the data kinds call continuous (counts, rounded values) has no
        # atom, however often its most common value occurs
        shares = [
            atom_share(side.floats, atom=None).max() if side.kind.kind == "mixed" else 0.0
            for side in (x, y)
        ]
    except ValueError:
        return None  # symbols among the columns: not a ReLU-type side
    x_atoms, y_atoms = (share >= ATOM_SHARE for share in shares)
    if x_atoms == y_atoms:
        return None
    side, share = ("y", shares[1]) if y_atoms else ("X", shares[0])
    other = "X" if side == "y" else "y"
    return Plan(
        "atoms",
        f"{words}: {side} has one value in {share:.0%} of a column (an atom, as ReLU "
        f"outputs have at 0), {other} none: the atom-pattern chain rule (Ross's k-NN for the "
        "pattern, bias-corrected Gaussian within patterns)",
        swap=side == "X",
    )


def conditional_plan(unconditional, z):
    """The plan for I(X; y | z): a k-NN estimator that conditions (Frenzel & Pompe)."""
    words = f"{unconditional.reason.split(':')[0]}; {z.kind.reason}"
    method = unconditional.method
    atoms = "mixed" in method or method == "atoms"
    if method == "binned" or atoms or z.kind.kind != "continuous":
        return Plan(
            "ksg-mixed",
            f"{words}: conditional MI with atoms, Gao et al.'s counting",
            None if method == "binned" else unconditional.class_side,
        )
    return Plan(
        "ksg-copula", f"{words}: conditional MI, Frenzel & Pompe's k-NN", unconditional.class_side
    )


def caller_plan(method, x, y):
    """The plan for a method the caller named: which side holds classes, or atoms.

    ``"atoms"`` decomposes its second argument: when only X has atoms it is
    estimated as I(y; X), as the auto rule does (``method="atoms"`` on ReLU
    atoms in X read 0.085 where the auto route, the same estimator, read
    0.246; truth 0.243).
    """
    reason = f"chosen by the caller ({x.kind.reason}; {y.kind.reason})"
    swap = False
    if method == "atoms":
        automatic = _atom_plan(x, y, reason)
        swap = automatic is not None and automatic.swap
    return Plan(method, reason, _class_side(method, x.kind.kind, y.kind.kind), swap=swap)


def _class_side(method, kx, ky):
    classes = _BY_NAME[method].classes
    if classes == "no":
        return None
    if method == "binned":
        return "y" if kx == ky == "discrete" else None
    if classes == "needs" and ky != "discrete" and kx != "discrete":
        raise ValueError(
            f"method={method!r} needs a discrete (class) side; neither X nor y is one."
        )
    if ky == "discrete":
        return "y"
    if kx == "discrete":
        return "x"
    return None


def choose_method(X, y, x_kind="auto", y_kind="auto"):
    """The method name and the reason the auto rules give for (X, y).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features_x)
    y : array-like of shape (n_samples,) or (n_samples, n_features_y)
    x_kind, y_kind : {"auto", "continuous", "discrete", "mixed"}, default="auto"

    Returns
    -------
    method : str
    reason : str

    Raises
    ------
    ValueError
        If X or y has missing values or no column, or a kind is unknown.
    """
    x, y_side = Side(X, "X"), Side(y, "y")
    x.classify(x_kind)
    y_side.classify(y_kind)
    chosen = plan(x, y_side)
    return chosen.method, chosen.reason
