"""Whether one continuous side is a function of the other (infinite MI).

A continuous y that is a function of a continuous X (strictly monotone or
many-to-one, as ``y = x**2``) has infinite MI with it; every estimate from n
samples is finite and reflects only n. Monotone relations show as equal ranks
(:func:`monotone_pair`); many-to-one ones do not, but they show in how the
spread of y among X's nearest neighbours behaves as n grows:

* if ``y = f(X)`` with f smooth, neighbours in X are ``n^(-1/d_x)`` apart, so
  the squared difference of their y shrinks like ``n^(-2/d_x)``: a quarter of
  the rows leaves it ``4^(2/d_x)`` times larger;
* if y has noise given X, it shrinks to the conditional variance and stays:
  a quarter of the rows leaves it about where it was.

:func:`functional_relation` measures that ratio on ranks (so it is invariant
to monotone maps of every column, as the MI is) and calls the relation
functional when the ratio passes the geometric midpoint ``4^(1/d_x)`` of the
two cases and y is already nearly determined (the neighbours' spread below
``MAX_SPREAD`` of that of random pairs). Only a side of at most
``MAX_DIMENSION`` columns is tested: beyond it neighbours shrink too slowly
for the ratio to tell.
"""

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import rankdata

from skmi._ranks import rankdata as shared_rankdata

MAX_DIMENSION = 3
MAX_SPREAD = 0.05
# Below this the ratio of spreads is too noisy: noisy relations of 2-3 nats
# at n = 200 read as functions in a third of the draws (attack, issue 26).
MIN_SAMPLES = 1000
MAX_ROWS = 20_000


def monotone_pair(X, y, max_pairs=400):
    """Whether some column of y has exactly the ranks of a column of X (or reversed)."""
    if X.shape[1] * y.shape[1] > max_pairs:
        return False
    try:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if not _some_pair_may_be_monotone(X, y):
        return False
    rx, ry = shared_rankdata(X), shared_rankdata(y)
    n = len(X)
    for a in rx.T:
        if np.unique(a).size < 0.9 * n:
            continue  # ties: not a continuous column
        for b in ry.T:
            if np.array_equal(a, b) or np.array_equal(a, n + 1 - b):
                return True
    return False


def _some_pair_may_be_monotone(X, y, n_pairs=256):
    """False when random row pairs show every column pair both concordant and discordant.

    A strictly monotone relation makes every pair of rows concordant (or every
    one discordant): pairs of both kinds rule it out without sorting (the
    full rank comparison costs two sorts of every column, a fifth of an
    estimate at n = 10^5). Fixed draws: the answer does not depend on a seed.
    """
    n = len(X)
    if n < 3:
        return True
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, n, n_pairs), rng.integers(0, n, n_pairs)
    dx = np.sign(X[i] - X[j])  # (pairs, d_x)
    dy = np.sign(y[i] - y[j])  # (pairs, d_y)
    products = dx[:, :, None] * dy[:, None, :]  # (pairs, d_x, d_y)
    both = (products > 0).any(axis=0) & (products < 0).any(axis=0)
    return not both.all()


def neighbour_spread(inputs, outputs):
    """Mean squared rank difference of ``outputs`` between nearest neighbours in ``inputs``.

    Both are (n, d) float arrays; each column is replaced by its ranks over
    n (uniform on (0, 1]), neighbours are found in the max-norm. The value is
    divided by the same mean over random pairs (``d_out / 6``), so 1 means
    ``inputs`` says nothing about ``outputs`` and 0 that it fixes them.
    """
    n = len(inputs)
    u = rankdata(inputs, axis=0) / n
    v = rankdata(outputs, axis=0) / n
    # k=2: the nearest point other than itself (an exact duplicate counts)
    _, index = cKDTree(u).query(u, k=2, p=np.inf)
    nearest = np.where(index[:, 0] == np.arange(n), index[:, 1], index[:, 0])
    spread = np.mean(np.sum((v - v[nearest]) ** 2, axis=1))
    return float(spread / (outputs.shape[1] / 6.0))


def functional_relation(X, y, random_state=0):
    """Words saying which side is a function of the other, or "" when neither is.

    Parameters
    ----------
    X : ndarray of shape (n_samples, d_x), float
    y : ndarray of shape (n_samples, d_y), float
    random_state : int
        Draws the quarter of the rows (and the rows kept above ``MAX_ROWS``).

    Returns
    -------
    text : str
    """
    n = len(X)
    if n < MIN_SAMPLES:
        return ""
    rng = np.random.default_rng(random_state)
    rows = rng.permutation(n)[:MAX_ROWS]
    for inputs, outputs, words in ((X, y, "y is a function of X"), (y, X, "X is a function of y")):
        d = inputs.shape[1]
        if d > MAX_DIMENSION:
            continue
        full = neighbour_spread(inputs[rows], outputs[rows])
        if not full < MAX_SPREAD:
            continue
        quarter = rows[: len(rows) // 4]
        ratio = neighbour_spread(inputs[quarter], outputs[quarter]) / max(full, 1e-300)
        if ratio >= 4.0 ** (1.0 / d):
            return (
                f"{words} (possibly many-to-one): the spread of its ranks among nearest "
                f"neighbours is {full:.2g} of that of random pairs and shrinks {ratio:.3g}-fold "
                f"from n/4 to n rows, as for a smooth function ({4 ** (2 / d):.3g}-fold) and "
                "not as for noise (1-fold)"
            )
    return ""
