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
never joblib's own pair: a mismatched pair warns (the tasks still run, the
caller's settings carried where the Parallel is skmi's). For thread-safety
tests, :func:`force_threads` makes every skmi ``Parallel`` run its tasks in
threads of one process, where races between tasks can happen.
"""

import contextlib
import functools
import threading
import warnings

import joblib

from skmi._config import config_context, get_config

_THREADS = threading.local()  # force_threads() is per thread, as the config is


class Parallel(joblib.Parallel):
    """``joblib.Parallel`` whose tasks run under the caller's skmi settings.

    Takes the same arguments as :class:`joblib.Parallel`. Tasks should be
    made with :func:`skmi._parallel.delayed`; a task made with
    ``joblib.delayed`` is wrapped too, with a warning. Under
    :func:`force_threads` the tasks run in threads of this process.
    """

    def __init__(self, *args, **kwargs):
        if getattr(_THREADS, "forced", False):
            kwargs["require"] = "sharedmem"  # joblib's threading backend
        super().__init__(*args, **kwargs)

    def __call__(self, iterable):
        config = get_config()
        filters = list(warnings.filters)
        tasks = (
            (_in_context(function, config, filters), args, kwargs)
            for function, args, kwargs in iterable
        )
        return super().__call__(tasks)


@contextlib.contextmanager
def force_threads():
    """Run every skmi :class:`Parallel` started in this thread on threads.

    For thread-safety tests: with processes (joblib's default for
    ``n_jobs > 1``) every task has its own copy of each object, so races
    between tasks cannot happen; in threads they share them.

    Examples
    --------
    >>> import threading
    >>> with force_threads():
    ...     names = Parallel(n_jobs=2)(
    ...         delayed(lambda: threading.current_thread().name)() for _ in range(2)
    ...     )
    >>> len(names)
    2
    """
    before = getattr(_THREADS, "forced", False)
    _THREADS.forced = True
    try:
        yield
    finally:
        _THREADS.forced = before


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
            warnings.warn(
                "skmi._parallel.delayed should be used with skmi._parallel.Parallel, "
                "which carries the caller's skmi configuration and warning filters to "
                "the workers; this task runs without them.",
                UserWarning,
                stacklevel=2,
            )
            return self.function(*args, **kwargs)
        with config_context(**self.config), warnings.catch_warnings():
            warnings.filters[:] = self.warning_filters
            return self.function(*args, **kwargs)


def _in_context(function, config, filters):
    if not isinstance(function, _TaskFunction):
        warnings.warn(
            "skmi._parallel.Parallel should be given tasks made with "
            "skmi._parallel.delayed, not joblib.delayed; the task is wrapped to carry the "
            "caller's skmi configuration and warning filters.",
            UserWarning,
            stacklevel=4,
        )
    task = _TaskFunction(function.function if isinstance(function, _TaskFunction) else function)
    task.config = config
    task.warning_filters = filters
    return task
