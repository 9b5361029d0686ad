"""skmi's Parallel/delayed carry the caller's settings into every worker.

Issue: inside ``config_context(memory_budget=10**6)`` the exact kernel
estimate refused with ``n_jobs=1`` and ran with ``n_jobs=2``, because joblib
workers never saw the thread-local configuration.
"""

import warnings

import joblib
import numpy as np
import pytest

import skmi
from skmi import KernelMutualInfo, KSGMutualInfo, mutual_info_score_func
from skmi._parallel import Parallel, delayed


def _config_and_filters(_):
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("probe", UserWarning, stacklevel=1)
    return skmi.get_config(), [str(w.message) for w in caught]


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_workers_see_the_callers_config_and_warning_filters(backend):
    settings = dict(memory_budget=12345, backend="numba", torch_dtype="float32", tile_bytes=999)
    with skmi.config_context(**settings), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = skmi.get_config()
        with joblib.parallel_config(backend=backend):
            results = Parallel(n_jobs=2)(delayed(_config_and_filters)(i) for i in range(4))
    for config, shown in results:
        assert config == expected
        assert shown == []  # the caller silenced UserWarning; so does the worker


def test_a_plain_joblib_task_is_carried_too_with_a_warning():
    with skmi.config_context(memory_budget=4321):
        with pytest.warns(UserWarning, match="skmi._parallel.delayed, not joblib.delayed"):
            results = Parallel(n_jobs=2)(joblib.delayed(_config_and_filters)(i) for i in range(2))
    assert all(config["memory_budget"] == 4321 for config, _ in results)


def test_delayed_outside_skmi_parallel_runs_as_is_with_a_warning():
    task, args, kwargs = delayed(abs)(-3)
    with pytest.warns(UserWarning, match="should be used with skmi._parallel.Parallel"):
        assert task(*args, **kwargs) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the matched pair is silent
        assert Parallel(n_jobs=2)(delayed(abs)(-v) for v in range(3)) == [0, 1, 2]


def _process_and_thread():
    import os
    import threading

    return os.getpid(), threading.get_ident()


def test_force_threads_runs_tasks_in_threads_of_this_process():
    import os

    from skmi._parallel import force_threads

    with force_threads():
        ids = Parallel(n_jobs=2)(delayed(_process_and_thread)() for _ in range(8))
    assert {pid for pid, _ in ids} == {os.getpid()}
    # outside, n_jobs=2 uses joblib's default backend: worker processes
    ids = Parallel(n_jobs=2)(delayed(_process_and_thread)() for _ in range(8))
    assert os.getpid() not in {pid for pid, _ in ids}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1500, 4))
    y = X[:, 0] + rng.standard_normal(1500)
    return X, y


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_memory_budget_reaches_the_workers(data, n_jobs):
    # an exact Gram matrix of 1500 samples needs far more than 10**6 bytes
    score = mutual_info_score_func(KernelMutualInfo(approximation="exact"), n_jobs=n_jobs)
    with skmi.config_context(memory_budget=10**6):
        with pytest.raises(ValueError, match="memory_budget"):
            score(*data)


# Each setting with the estimator it steers: the memory budget refuses the
# exact Gram matrix; backend, device, dtype and tiles route the k-NN searches.
_KSG, _KERNEL = KSGMutualInfo(random_state=0), KernelMutualInfo(approximation="exact")
SETTINGS = [
    ({}, _KSG),
    ({}, _KERNEL),
    ({"memory_budget": 10**5}, _KERNEL),
    ({"backend": "numba"}, _KSG),
    ({"backend": "torch", "device": "cpu"}, _KSG),
    ({"torch_dtype": "float32", "backend": "torch"}, _KSG),
    ({"tile_bytes": 10**4, "backend": "torch"}, _KSG),
]


def _outcome(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(call())
    except ValueError as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize(
    ("settings", "estimator"),
    SETTINGS,
    ids=[f"{type(e).__name__}-{','.join(s) or 'defaults'}" for s, e in SETTINGS],
)
def test_one_and_two_jobs_agree_under_every_setting(data, settings, estimator):
    if settings.get("backend") == "torch":
        pytest.importorskip("torch")
    X, y = data[0][:200, :3], data[1][:200]
    outcomes = []
    # threads: the config is thread-local, so they lose it exactly as
    # processes do, and start in no time (processes: the tests above)
    for n_jobs in (1, 2):
        with skmi.config_context(**settings), joblib.parallel_config(backend="threading"):
            score = mutual_info_score_func(estimator, n_jobs=n_jobs)
            outcomes.append(_outcome(lambda s=score: s(X, y)))
    one, two = outcomes
    if settings.get("memory_budget"):
        assert isinstance(one, tuple)  # 200 x 200 float64 matrices exceed 10**5 bytes
    if isinstance(one, tuple):
        assert one == two
    else:
        np.testing.assert_array_equal(one, two)
