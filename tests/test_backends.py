"""torch backends agree with the Numba path; configuration; GPU tests (skipped
without CUDA)."""

import numpy as np
import pytest

import skmi
from skmi import KernelMutualInfo, KSGMutualInfo
from skmi.datasets import (
    make_class_mixture,
    make_conditional_gaussian,
    make_discrete_continuous,
    make_gaussian,
)

torch = pytest.importorskip("torch")
CUDA = torch.cuda.is_available()
gpu = pytest.mark.skipif(not CUDA, reason="needs a CUDA device")


CASES = {
    "ksg1 2-D": (KSGMutualInfo(random_state=0), lambda: make_gaussian(1500, random_state=0)[:2]),
    "ksg1 3x3": (
        KSGMutualInfo(random_state=0),
        lambda: make_gaussian(800, 3, 3, random_state=0)[:2],
    ),
    "ksg2": (
        KSGMutualInfo(variant=2, random_state=0),
        lambda: make_gaussian(800, 2, 2, random_state=0)[:2],
    ),
    "ross": (
        KSGMutualInfo(random_state=0),
        lambda: make_class_mixture(800, 3, 2, random_state=0)[:2],
    ),
    "mixed": (
        KSGMutualInfo(ties="mixed"),
        lambda: make_discrete_continuous(800, atom_probability=0.4, random_state=0)[:2],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_torch_cpu_equals_numba(case):
    estimator, data = CASES[case]
    X, y = data()
    numba = estimator.set_params(backend="numba").fit(X, y).mi_
    torch_value = estimator.set_params(backend="torch", device="cpu").fit(X, y).mi_
    assert torch_value == pytest.approx(numba, abs=1e-9)


def test_conditional_torch_equals_numba():
    X, y, z, _, _ = make_conditional_gaussian(700, 1, 1, 2, random_state=0)
    numba = KSGMutualInfo(random_state=0).fit(X, y, z=z).mi_
    with_torch = KSGMutualInfo(backend="torch", random_state=0).fit(X, y, z=z).mi_
    assert with_torch == pytest.approx(numba, abs=1e-9)


def test_small_tiles_give_the_same_answer():
    X, y, _ = make_gaussian(600, 2, 2, random_state=0)
    whole = KSGMutualInfo(backend="torch", random_state=0).fit(X, y).mi_
    with skmi.config_context(tile_bytes=4096):  # a few rows per tile
        tiled = KSGMutualInfo(backend="torch", random_state=0).fit(X, y).mi_
    assert tiled == whole


def test_float32_is_close():
    X, y, _ = make_gaussian(1000, 2, 2, random_state=0)
    exact = KSGMutualInfo(random_state=0).fit(X, y).mi_
    with skmi.config_context(torch_dtype="float32"):
        single = KSGMutualInfo(backend="torch", random_state=0).fit(X, y).mi_
    assert single == pytest.approx(exact, abs=0.01)


def test_auto_uses_numba_on_the_cpu(monkeypatch):
    import skmi._torch.neighbors as torch_neighbors

    def refuse(*args, **kwargs):
        raise AssertionError("torch should not be used on the CPU under auto")

    monkeypatch.setattr(torch_neighbors.TorchNeighborIndex, "__init__", refuse)
    X, y, _ = make_gaussian(30_000, random_state=0)
    KSGMutualInfo(random_state=0).fit(X, y)  # backend="auto", device cpu: Numba


def test_global_config_selects_the_backend(monkeypatch):
    X, y, _ = make_gaussian(300, 2, 2, random_state=0)
    reference = KSGMutualInfo(random_state=0).fit(X, y).mi_
    with skmi.config_context(backend="torch", device="cpu"):
        assert KSGMutualInfo(random_state=0).fit(X, y).mi_ == pytest.approx(reference, abs=1e-9)
    assert skmi.get_config()["backend"] == "auto"


@pytest.mark.parametrize("kernel", ["rbf", "laplacian", "linear"])
def test_kernel_torch_equals_numpy(kernel):
    X, y, _ = make_gaussian(300, 2, 2, correlation=0.5, random_state=0)
    numpy_value = KernelMutualInfo(kernel=kernel).fit(X, y).mi_
    torch_value = KernelMutualInfo(kernel=kernel, backend="torch").fit(X, y).mi_
    assert torch_value == pytest.approx(numpy_value, abs=1e-9)


def test_kernel_torch_delta_and_precomputed():
    X, y, _ = make_class_mixture(300, 3, 2, random_state=0)
    assert KernelMutualInfo(backend="torch").fit(X, y).mi_ == pytest.approx(
        KernelMutualInfo().fit(X, y).mi_, abs=1e-9
    )


def test_config_validation():
    with pytest.raises(ValueError, match="backend"):
        skmi.set_config(backend="gpu")
    with pytest.raises(ValueError, match="torch_dtype"):
        skmi.set_config(torch_dtype="float16")
    with pytest.raises(ValueError, match="tile_bytes"):
        skmi.set_config(tile_bytes=-1)
    with pytest.raises(ValueError, match="device"):
        skmi.set_config(device=3)


# -- GPU (skipped without CUDA) ---------------------------------------------------


@gpu
@pytest.mark.gpu
def test_ksg_on_cuda_equals_cpu():
    X, y, _ = make_gaussian(5000, 3, 3, random_state=0)
    cpu = KSGMutualInfo(random_state=0).fit(X, y).mi_
    assert KSGMutualInfo(backend="torch", device="cuda", random_state=0).fit(X, y).mi_ == (
        pytest.approx(cpu, abs=1e-9)
    )


@gpu
@pytest.mark.gpu
def test_kernel_and_neural_on_cuda():
    from skmi import NeuralMutualInfo

    X, y, _ = make_gaussian(800, 2, 2, random_state=0)
    assert KernelMutualInfo(backend="torch", device="cuda").fit(X, y).mi_ == pytest.approx(
        KernelMutualInfo().fit(X, y).mi_, abs=1e-9
    )
    est = NeuralMutualInfo(device="cuda", max_epochs=3, random_state=0).fit(X, y)
    assert np.isfinite(est.score(X, y))


def test_term_functions_without_a_resolved_backend_follow_the_configuration():
    # direct callers (the drop-in mutual_info_classif) pass no backend: the
    # configuration decides, as it did when KSG routed through it
    pytest.importorskip("torch")
    from skmi._ksg import CONFIGURED, _index

    points = np.random.default_rng(0).standard_normal((50, 2))
    assert _index(points, "count", CONFIGURED).kind != "torch"
    with skmi.config_context(backend="torch", device="cpu"):
        assert _index(points, "count", CONFIGURED).kind == "torch"
