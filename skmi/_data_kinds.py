"""What kind of variable each side is: continuous, discrete, or mixed.

One classification, by what the values are rather than by their dtype
(DESIGN.md, "Data kinds"), shared by :func:`skmi.estimate_mi`, the command
line and the drop-in functions (:func:`discrete_columns`). An integer column
of mostly unique values (IDs, ``round(1000 z)``) is continuous; a float column
with two values is discrete; a density with atoms (ReLU zeros) is mixed.

Per column, with n samples and u distinct values:

* **discrete** -- symbols (strings, objects, booleans); or at most two values;
  or, on average, at least ``MIN_COUNT_PER_VALUE`` samples per value
  (n / u >= 5) when the values are few (u <= ``MAX_LEVELS``).
  Five per value is what a plug-in cell or a within-class neighbour search
  with k = 3 needs to have company.
* **counts** (kind continuous) -- integers with more than ``MAX_LEVELS``
  levels, however often each repeats (Poisson counts, ages in years): ordered
  numbers, not symbols. A plug-in over so many levels needs far more samples
  than a neighbour estimate (x ~ Poisson(20), y = x + Poisson(5), n = 300:
  the binned plug-in read 1.04 nats, truth 0.821). :func:`estimate_mi` adds
  a uniform dither on [0, 1) to such columns: ``floor(x + u) = x`` recovers
  every value, so the dithered variables carry exactly the MI of the counts,
  and they have a density.
* **rounded** (kind continuous) -- reals on a grid of one step with more
  than ``MAX_LEVELS`` levels, each repeated ``MIN_COUNT_PER_VALUE`` times on
  average (``round(z, 1)``): the counts of a finer unit. Dithered by the step
  (``u * step``), they carry exactly the MI of the rounded values; counted as
  atoms instead, Gao et al.'s estimate read 0.413 nats on ``round(z, 1)``
  against ``y = z + N(0, 1)`` at n = 2000 (truth 0.346; dithered 0.333).
* **mixed** -- not discrete, but atoms hold at least ``ATOM_SHARE`` (5 %) of
  the samples, an atom being a value repeated at least ``max(5, sqrt(n))``
  times. A rounded continuous variable repeats each value a few times (its
  local density times the rounding step), far below sqrt(n); a ReLU zero or a
  censoring limit repeats in a fixed share of all samples, far above it.
* **continuous** -- everything else; its occasional ties are broken by the
  estimators' jitter.

A side (X, y) of several columns is discrete when every column is,
continuous when every column is, and mixed otherwise (its discrete columns
are atoms of the joint distribution, which Gao et al.'s counting handles).
"""

from dataclasses import dataclass

import numpy as np

from skmi._ranks import unique_counts

KINDS = ("continuous", "discrete", "mixed")
MIN_COUNT_PER_VALUE = 5
MAX_LEVELS = 20
ATOM_SHARE = 0.05
MIN_ATOM_COUNT = 5
# A level of a grid holding more than this many times its neighbours' samples is an atom.
ATOM_RATIO = 3.0


@dataclass(frozen=True)
class DataKind:
    """A side's kind and the reason, in words a user can check.

    Attributes
    ----------
    kind : {"continuous", "discrete", "mixed"}
    reason : str
    columns : tuple of str
        The kind of each column.
    """

    kind: str
    reason: str
    columns: tuple = ()


def few_levels(n_levels, n_samples):
    """Whether a numeric column with ``n_levels`` distinct values is discrete.

    At most 2 values, or at most MAX_LEVELS with MIN_COUNT_PER_VALUE samples
    per value on average (the rule of :func:`classify_column`).
    """
    return n_levels <= 2 or (n_samples / n_levels >= MIN_COUNT_PER_VALUE and n_levels <= MAX_LEVELS)


def classify_column(values):
    """The kind of one column and why: ``(kind, reason)``.

    Parameters
    ----------
    values : array-like of shape (n_samples,)

    Returns
    -------
    kind : {"continuous", "discrete", "mixed"}
    reason : str

    Examples
    --------
    >>> import numpy as np
    >>> classify_column(np.arange(200))[0]
    'continuous'
    >>> classify_column(np.array([0.0, 1.0] * 50))[0]
    'discrete'
    """
    kind, reason, _ = _classified(values)
    return kind, reason


def _classified(values):
    """``(kind, reason, step)`` of one column: :func:`classify_column` and the dither step.

    ``step`` is the width of the uniform dither that makes a continuous column
    with ties a density without changing its MI (:func:`dither_steps`): 1 for
    integers, the grid step for rounded reals, 0 for every other column.
    """
    values = np.asarray(values)
    n = values.shape[0]
    if values.dtype.kind in "OSUb":
        if values.dtype.kind == "O" and _all_numbers(values):
            values = values.astype(np.float64)
        else:
            return "discrete", "symbols (non-numeric values)", 0.0
    values = values.astype(np.float64) if values.dtype.kind in "iu" else values
    levels, counts = unique_counts(values)  # from the column's order shared in a scan
    u = counts.size
    # whole numbers (as np.mod(values, 1) == 0, which takes 40 times as long)
    integer = bool(np.all(np.floor(values) == values) and np.isfinite(values).all())
    what = "integer-valued" if integer else "real-valued"
    # integers with ties taken as numbers are dithered by 1: floor(x + u) = x
    integer_step = 1.0 if integer and u < n else 0.0
    if u <= 2:
        return "discrete", f"{u} distinct values", 0.0
    if few_levels(u, n):
        return "discrete", f"{what}, {u} distinct values in {n} samples", 0.0
    if integer and n / u >= MIN_COUNT_PER_VALUE:
        reason = f"counts: {u} ordered integer levels in {n} samples, numbers"
        return "continuous", reason, integer_step
    atom_size = max(MIN_ATOM_COUNT, np.sqrt(n))
    atom_share = counts[counts >= atom_size].sum() / n
    if atom_share >= ATOM_SHARE:
        step = rounded_step(levels, counts, atom_size)
        if step:
            reason = (
                f"rounded: {u} ordered levels on a grid of step {step:.3g} in {n} samples, numbers"
            )
            return "continuous", reason, integer_step or step
        reason = f"{what}, {atom_share:.0%} of the samples on repeated values (atoms)"
        return "mixed", reason, 0.0
    distinct = u / n
    return "continuous", f"{what}, {distinct:.0%} of the values distinct", integer_step


def classify(A, name="X", kind="auto"):
    """The kind of a side (all its columns), with the user's override.

    Parameters
    ----------
    A : array-like of shape (n_samples,) or (n_samples, n_features)
    name : str
        The argument's name, for the reason.
    kind : {"auto", "continuous", "discrete", "mixed"}
        "auto" classifies by the values; anything else is taken as given.

    Returns
    -------
    kind : DataKind

    Raises
    ------
    ValueError
        If ``kind`` is not one of the four, or a non-numeric side is declared
        continuous or mixed.
    """
    if kind not in ("auto", *KINDS):
        raise ValueError(
            f"{name}_kind must be 'auto', 'continuous', 'discrete' or 'mixed'; got {kind!r}."
        )
    A = np.asarray(A)
    A = A.reshape(A.shape[0], -1)
    if kind != "auto":
        if kind != "discrete" and A.dtype.kind in "OSU" and not _all_numbers(A):
            raise ValueError(f"{name} has non-numeric values; {name}_kind={kind!r} needs numbers.")
        return DataKind(kind, f"{name} declared {kind} by the caller", (kind,) * A.shape[1])
    found = [classify_column(A[:, c]) for c in range(A.shape[1])]
    kinds = tuple(k for k, _ in found)
    if len(set(kinds)) == 1:
        if len(found) == 1:
            return DataKind(kinds[0], f"{name} {kinds[0]}: {found[0][1]}", kinds)
        return DataKind(kinds[0], f"{name} {kinds[0]}: all {len(kinds)} columns", kinds)
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in KINDS if k in kinds)
    return DataKind("mixed", f"{name} mixed: columns of several kinds ({counts})", kinds)


def lattice_step(values):
    """The step of the grid ``x0 + k * step`` that real values lie on, or 0.0.

    Parameters
    ----------
    values : ndarray of shape (n_samples,), float

    Returns
    -------
    step : float
        The smallest gap between distinct values, when every gap is a whole
        multiple of it (to float rounding) and there are more than
        ``MAX_LEVELS`` of them; else 0.0.
    """
    levels = np.unique(values)
    if levels.size <= MAX_LEVELS or not np.isfinite(levels[[0, -1]]).all():
        return 0.0
    gaps = np.diff(levels)
    step = float(gaps.min())
    if step <= 0:
        return 0.0
    multiples = gaps / step
    # decimal rounding leaves a few ulps of the values in each gap (1e9 + 0.1 k: 1e-6)
    ulps = 16 * np.finfo(np.float64).eps * float(np.abs(levels[[0, -1]]).max()) / step
    if not np.allclose(multiples, np.round(multiples), rtol=0.0, atol=max(1e-6, ulps)):
        return 0.0
    return step


def rounded_step(levels, counts, atom_size):
    """The grid step of a rounded continuous column, or 0.0 (no grid, or an atom on it).

    Rounding spreads a density over the grid: a level holds about density
    times step, as its neighbours do. An atom (ReLU's 0, a censoring limit)
    holds a share of its own, many times its neighbours': then the column is
    mixed, rounded or not (``maximum(0, round(z, 1))`` has half its samples at 0).

    Parameters
    ----------
    levels, counts : ndarray
        The distinct values, sorted, and how often each occurs.
    atom_size : float
        Fewer samples than this on a level make no atom.

    Returns
    -------
    step : float
    """
    step = lattice_step(levels)
    if not step:
        return 0.0
    index = np.rint((levels - levels[0]) / step)
    # the counts of the grid points either side (0 where no value fell)
    below = np.r_[0, np.where(np.diff(index) == 1, counts[:-1], 0)]
    above = np.r_[np.where(np.diff(index) == 1, counts[1:], 0), 0]
    neighbours = np.maximum(below, above)
    atoms = (counts >= atom_size) & (counts > ATOM_RATIO * neighbours)
    return 0.0 if atoms.any() else step


def dither_steps(A):
    """Per column of A, the width of the uniform dither that makes it continuous, or 0.

    1 for integers with ties, the grid step for rounded reals: ``x + step * u``
    with u uniform on [0, 1) gives back x exactly (the grid point below), so
    the dithered column carries exactly the MI of the values and has a
    density. Only columns :func:`classify_column` calls continuous.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_features), numeric

    Returns
    -------
    steps : ndarray of float, shape (n_features,)
    """
    A = np.asarray(A, dtype=np.float64)
    A = A.reshape(A.shape[0], -1)
    return np.array([_classified(A[:, c])[2] for c in range(A.shape[1])], dtype=np.float64)


def discrete_columns(X):
    """A boolean mask of the columns of X that :func:`classify_column` calls discrete.

    For the drop-in functions' ``discrete_features="auto"`` on dense data.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    mask : ndarray of bool, shape (n_features,)
    """
    X = np.asarray(X)
    X = X.reshape(X.shape[0], -1)
    return np.array([classify_column(X[:, c])[0] == "discrete" for c in range(X.shape[1])])


def _all_numbers(values):
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True
