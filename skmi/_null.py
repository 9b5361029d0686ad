"""The null distribution's draws: all of them, or until enough reach the estimate.

One rule for every Monte Carlo test in skmi (:func:`skmi.permutation_test`,
:func:`skmi.transfer_entropy`): ``p = (1 + #{null >= observed}) / (1 + m)``
over m planned draws, or Besag and Clifford's sequential p-value ``h / L``
when the h-th draw reaching the estimate comes at draw L.

References
----------
.. [1] J. Besag and P. Clifford, "Sequential Monte Carlo p-values",
   Biometrika 78(2), 1991.
"""

from contextlib import contextmanager

import numpy as np
from joblib import effective_n_jobs

from skmi._parallel import run_tasks

# The h of the sequential p-values skmi's functions report by default
# (estimate_mi, transfer_entropy): a p-value near 0.5 then costs about 20
# refits instead of 100, at a relative precision of about 1 / sqrt(h) where
# precision matters least; p-values near a decision are computed in full.
SEQUENTIAL_EXCEEDANCES = 10


class NullRun:
    """Runs the null's tasks in order, all of them or until ``stop_after`` reach the estimate.

    Tasks run in batches of ``stop_after`` (at least two per job), so a
    sequential test draws no more than it needs by about one batch; the
    values kept are those up to the ``stop_after``-th exceedance, exactly
    the draws Besag and Clifford's rule looks at, and equal, draw for
    draw, to the values a fixed run computes.
    """

    def __init__(self, stop_after, n_jobs, verbose):
        self.stop_after, self.n_jobs, self.verbose = stop_after, n_jobs, verbose
        self.stopped = False

    def __call__(self, observed, tasks, description):
        if self.stop_after is None:
            return run_tasks(
                iter(tasks),
                n_jobs=self.n_jobs,
                total=len(tasks),
                description=description,
                verbose=self.verbose,
            )
        jobs = max(1, effective_n_jobs(self.n_jobs))
        batch = max(self.stop_after, 2 * jobs)
        null = []
        with _progress(len(tasks), description, self.verbose) as (bar, verbose):
            for start in range(0, len(tasks), batch):
                part = tasks[start : start + batch]
                null.extend(
                    run_tasks(
                        iter(part),
                        n_jobs=self.n_jobs,
                        total=len(part),
                        description=description,
                        verbose=verbose,
                    )
                )
                bar.update(len(part))
                reached = np.flatnonzero(np.asarray(null, dtype=np.float64) >= observed)
                if len(reached) >= self.stop_after:
                    self.stopped = True
                    return null[: reached[self.stop_after - 1] + 1]
        return null

    def stopped_note(self, n_drawn, n_planned, draws="permutations"):
        """The note for a result whose p-value this run's rule stopped early."""
        return (
            f"p-value by Besag and Clifford's sequential rule: the {draws} stopped after "
            f"{n_drawn} of at most {n_planned}, when {self.stop_after} had reached the "
            f"estimate (p = {self.stop_after}/{n_drawn})"
        )

    def p_value(self, observed, null, n_planned):
        """The p-value of ``observed`` against the ``null`` values this run drew.

        ``n_planned`` is the number of draws a full run makes.
        """
        null = np.asarray(null, dtype=np.float64)
        reached = float(np.sum(null >= observed))
        if self.stopped:  # Besag and Clifford: h reached the estimate in L draws
            return reached / len(null)
        return (1.0 + reached) / (1.0 + n_planned)


class _NoBar:
    def update(self, count):
        pass


@contextmanager
def _progress(total, description, verbose):
    """One progress bar over every batch: ``(bar, verbose for each batch's run)``.

    With tqdm installed the batches run silently under one bar out of the
    planned draws; without it each batch shows joblib's own lines.
    """
    if not verbose:
        yield _NoBar(), 0
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        yield _NoBar(), verbose
        return
    bar = tqdm(total=total, desc=description, leave=False)
    try:
        yield bar, 0
    finally:
        bar.close()
