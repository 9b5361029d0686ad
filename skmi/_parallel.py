"""joblib's ``Parallel`` and ``delayed``, carrying skmi's settings into workers.

skmi's configuration (:func:`skmi.config_context`) is thread-local and
warning filters are per process, so a plain ``joblib.delayed`` task runs in a
worker that sees neither: a ``memory_budget`` the caller set is ignored, a
warning the caller silenced is printed. As scikit-learn's
``sklearn/utils/parallel.py`` does, :class:`Parallel` records the caller's
settings and warning filters when it is called, and every task made with
:func:`delayed` runs under them, whatever the joblib backend (threads,
processes, Dask).

Use ``from skmi._parallel import Parallel, delayed`` everywhere in skmi,
never joblib's own pair.
"""

import functools
import warnings

import joblib

from skmi._config import config_context, get_config


class Parallel(joblib.Parallel):
    """``joblib.Parallel`` whose tasks run under the caller's skmi settings.

    Takes the same arguments as :class:`joblib.Parallel`. Tasks should be
    made with :func:`skmi._parallel.delayed`; a task made with
    ``joblib.delayed`` is wrapped too.
    """

    def __call__(self, iterable):
        config = get_config()
        filters = list(warnings.filters)
        tasks = (
            (_in_context(function, config, filters), args, kwargs)
            for function, args, kwargs in iterable
        )
        return super().__call__(tasks)


def run_tasks(tasks, n_jobs=None, total=None, description="", verbose=0):
    """Run :func:`delayed` tasks in order; with ``verbose``, show progress.

    Progress is a tqdm bar when tqdm is installed (results counted as they
    complete, in order), else joblib's own progress lines. ``verbose=0``
    runs silently, as :class:`Parallel` does.
    """
    if not verbose:
        return Parallel(n_jobs=n_jobs)(tasks)
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return Parallel(n_jobs=n_jobs, verbose=10)(tasks)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    return list(tqdm(results, total=total, desc=description, leave=False))


def delayed(function):
    """``joblib.delayed`` for :class:`Parallel`: ``delayed(f)(*args, **kwargs)``.

    Parameters
    ----------
    function : callable

    Returns
    -------
    make_task : callable
        Called with ``f``'s arguments, returns the ``(function, args,
        kwargs)`` task that :class:`Parallel` runs under the caller's
        settings.
    """
    return joblib.delayed(_TaskFunction(function))


class _TaskFunction:
    """``function`` run under a recorded skmi config and warning filters."""

    def __init__(self, function):
        self.function = function
        self.config = None
        self.warning_filters = None
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        if self.config is None:  # called outside skmi's Parallel: as it is
            return self.function(*args, **kwargs)
        with config_context(**self.config), warnings.catch_warnings():
            warnings.filters[:] = self.warning_filters
            return self.function(*args, **kwargs)


def _in_context(function, config, filters):
    task = _TaskFunction(function.function if isinstance(function, _TaskFunction) else function)
    task.config = config
    task.warning_filters = filters
    return task
