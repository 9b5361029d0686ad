"""Resampling that respects serial dependence: surrogates for tests, blocks for intervals.

A permutation test shuffles rows, which assumes they are exchangeable. Two
independent but autocorrelated series (AR(1) with phi = 0.95, n = 500) look
dependent to any MI estimator far more often than 5 % of the time, and
shuffling destroys the autocorrelation that the observed statistic keeps:
the shuffled null is too narrow and the test rejected 17 of 20 independent
pairs. Surrogates that keep each series' own dependence are valid instead:

* **circular shifts** -- y rolled by a random lag ``s`` (``min_shift <= s
  <= n - min_shift``), X left in place: each series keeps its whole
  autocorrelation, only the alignment between them is broken (Quiroga et al.
  2002; the surrogate of JIDT and IDTxl);
* **block permutation** -- y cut into blocks of ``block_length`` rows whose
  order is shuffled: the dependence within blocks survives (Kuensch 1989).

For intervals, **moving-block subsampling** takes contiguous windows of the
series instead of random rows (Politis, Romano and Wolf, 1999).

The block length and the smallest shift are the *decorrelation length*: the
first lag at which the autocorrelation of every column of both sides has
fallen below ``2 / sqrt(n)`` (its noise level), at least 1 and at most n / 4.
"""

import numpy as np

SCHEMES = ("auto", "permutation", "circular", "block")
# |lag-1 autocorrelation| above this many standard errors (1 / sqrt(n)) on
# both sides: rows are serially dependent (two-sided p about 0.003 each).
SERIAL_Z = 3.0


def autocorrelation(A, max_lag):
    """Autocorrelation of each column of A at lags 0..max_lag: shape (max_lag + 1, d).

    By the FFT of the centred columns (the biased estimator, which keeps the
    sequence positive semi-definite); a constant column has 0 beyond lag 0.
    """
    A = np.asarray(A, dtype=np.float64).reshape(len(A), -1)
    n = len(A)
    centred = A - A.mean(axis=0)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, size, axis=0)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=0)[: max_lag + 1]
    var = acov[0].copy()
    var[var == 0] = np.inf
    return acov / var


def serially_dependent(A):
    """Whether some column of A has a lag-1 autocorrelation beyond ``SERIAL_Z / sqrt(n)``."""
    n = len(A)
    if n < 10:
        return False
    try:
        r1 = autocorrelation(A, 1)[1]
    except (TypeError, ValueError):
        return False  # symbols: no autocorrelation to speak of
    return bool(np.any(np.abs(r1) > SERIAL_Z / np.sqrt(n)))


def decorrelation_length(*sides):
    """First lag where every column's autocorrelation is below its noise level.

    At least 1 and at most n / 4 (beyond it too few blocks or shifts remain).
    """
    n = len(sides[0])
    cap = max(1, n // 4)
    level = 2.0 / np.sqrt(n)
    acf = np.hstack([autocorrelation(np.asarray(s, dtype=np.float64), cap) for s in sides])
    below = np.all(np.abs(acf[1:]) < level, axis=1)
    first = np.flatnonzero(below)
    return int(first[0] + 1) if first.size else cap


def circular_shifts(n, n_surrogates, min_shift, rng):
    """Index arrays of y rolled by distinct lags in ``[min_shift, n - min_shift]``.

    All such lags when there are at most ``n_surrogates`` of them (then the
    test is exact over the shifts), else ``n_surrogates`` drawn without
    replacement.
    """
    lags = np.arange(min_shift, n - min_shift + 1)
    if lags.size == 0:
        raise ValueError(
            f"a circular-shift test needs n > 2 * the decorrelation length ({min_shift}); "
            f"got n = {n}. The series are too short for their autocorrelation."
        )
    if lags.size > n_surrogates:
        lags = rng.choice(lags, n_surrogates, replace=False)
    base = np.arange(n)
    return [np.roll(base, int(s)) for s in lags]


def block_permutation(n, block_length, rng):
    """An index array of ``range(n)`` cut into blocks whose order is shuffled.

    Blocks start at a random offset, so that block edges fall at different
    rows in every surrogate; the last block may be shorter.
    """
    offset = int(rng.randint(0, block_length)) if block_length > 1 else 0
    edges = np.r_[0, np.arange(offset or block_length, n, block_length), n]
    edges = np.unique(edges)
    blocks = [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    order = rng.permutation(len(blocks))
    return np.concatenate([blocks[i] for i in order])


def moving_block(n, m, rng):
    """The row indices of one window of m consecutive rows at a random start."""
    start = int(rng.randint(0, n - m + 1))
    return np.arange(start, start + m)
