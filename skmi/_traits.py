"""Facts an estimator declares about itself, read by generic code.

Resampling, the uncertainty tools, ``estimate_mi`` and the contract tests
ask an estimator what it supports instead of testing its class with
``isinstance`` chains (DESIGN.md, "Facts declared, not inferred"). A
composite estimator declares the strictest traits of its parts with
:func:`strictest`.
"""

from dataclasses import dataclass, fields, replace

# How an estimator may be resampled for an interval, from the most permissive
# to the strictest. "bootstrap": resampling with replacement is valid (plug-in
# estimators, whose statistics do not change under duplicated rows);
# "subsample": draws without replacement of m < n rows with the sqrt(m)/sqrt(n)
# rate correction (k-NN estimators: a duplicated row is its own nearest
# neighbour at distance 0, so a bootstrap resample inflates the estimate);
# "seeds": refit on the same data with new seeds (neural bounds, whose
# spread is dominated by training).
RESAMPLING_ORDER = ("bootstrap", "subsample", "seeds")
# Which maps of a column leave the estimate unchanged, from the most to the
# least: "monotone" (any strictly monotone map: estimators on ranks),
# "affine" (a shift and a non-zero scale: estimators that standardise),
# "none" (scale matters). MI itself is invariant to any invertible map
# (DESIGN.md, "Invariance"); tests/test_invariance.py checks the declaration.
INVARIANCE_ORDER = ("monotone", "affine", "none")


@dataclass(frozen=True)
class MITraits:
    """What an MI estimator supports.

    Attributes
    ----------
    resampling : {"bootstrap", "subsample", "seeds"}
        The resampling scheme that is valid for its intervals.
    discrete_target : bool
        Accepts class labels as ``y`` (``discrete_target=True``).
    conditioning : bool
        Accepts ``z`` in ``fit`` (conditional MI).
    pointwise : bool
        Has ``pointwise_mi``.
    neural : bool
        Trains a critic (its estimate is a variational bound).
    invariance : {"monotone", "affine", "none"}
        The maps of a column under which the estimate is unchanged (exactly,
        or to its random tie-breaking).
    """

    resampling: str = "bootstrap"
    discrete_target: bool = False
    conditioning: bool = False
    pointwise: bool = False
    neural: bool = False
    invariance: str = "none"

    def __post_init__(self):
        if self.resampling not in RESAMPLING_ORDER:
            raise ValueError(
                f"resampling must be one of {RESAMPLING_ORDER}, got {self.resampling!r}."
            )
        if self.invariance not in INVARIANCE_ORDER:
            raise ValueError(
                f"invariance must be one of {INVARIANCE_ORDER}, got {self.invariance!r}."
            )


def get_traits(estimator):
    """The :class:`MITraits` an estimator (instance or class) declares.

    Estimators declare them with a ``_mi_traits`` attribute (an
    :class:`MITraits`) or method returning one (composites, whose traits
    depend on their parts). An object that declares nothing gets the most
    cautious traits: subsampling, no optional features.
    """
    declared = getattr(estimator, "_mi_traits", None)
    if callable(declared):
        declared = declared()
    if declared is None:
        return MITraits(resampling="subsample")
    if not isinstance(declared, MITraits):
        raise TypeError(f"_mi_traits of {type(estimator).__name__} must be an MITraits.")
    return declared


def strictest(*traits):
    """The traits a composite of parts with ``traits`` can promise.

    Resampling takes the strictest scheme; a feature is supported only when
    every part supports it.

    Examples
    --------
    >>> t = strictest(MITraits("bootstrap", pointwise=True), MITraits("subsample"))
    >>> t.resampling, t.pointwise
    ('subsample', False)
    """
    if not traits:
        raise ValueError("strictest needs at least one MITraits.")
    resampling = max((t.resampling for t in traits), key=RESAMPLING_ORDER.index)
    invariance = max((t.invariance for t in traits), key=INVARIANCE_ORDER.index)
    flags = {
        f.name: all(getattr(t, f.name) for t in traits)
        for f in fields(MITraits)
        if f.name not in ("resampling", "neural", "invariance")
    }
    return replace(
        MITraits(resampling=resampling, invariance=invariance, **flags),
        neural=any(t.neural for t in traits),
    )
