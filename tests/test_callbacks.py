"""skmi inside other training loops: the Lightning and skorch information-plane
callbacks run for two real epochs on the CPU, log to the framework, and hand
the model back as it was; skmi imports without either framework."""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skmi import BinnedMutualInfo  # noqa: E402


def tiny_data(n=96):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.standard_normal(n) > 0).astype(np.int64)
    return X, y


def tiny_network():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.Tanh(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(8, 2),
    )


def test_skmi_imports_without_the_frameworks():
    code = (
        "import sys, skmi, skmi.callbacks; "
        "assert not {'lightning', 'pytorch_lightning', 'skorch'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "module, blocked",
    [
        (
            "skmi.callbacks.lightning",
            ["lightning.pytorch.callbacks", "pytorch_lightning.callbacks"],
        ),
        ("skmi.callbacks.skorch", ["skorch.callbacks"]),
    ],
)
def test_missing_framework_names_the_extra(module, blocked, monkeypatch):
    for name in blocked:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, module, raising=False)
    extra = module.rsplit(".", 1)[1]
    with pytest.raises(ImportError, match=rf"skmi\[{extra}\]"):
        __import__(module)


def test_lightning_trainer_records_and_logs_every_epoch(tmp_path):
    pl = pytest.importorskip("lightning.pytorch")
    from lightning.pytorch.loggers import CSVLogger

    from skmi.callbacks.lightning import InformationPlaneCallback

    X, y = tiny_data()

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = tiny_network()
            self.net[2].eval()  # a frozen part: its own mode must survive

        def forward(self, x):
            return self.net(x)

        def training_step(self, batch, _):
            x, t = batch
            return torch.nn.functional.cross_entropy(self(x), t)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    seen = []

    class ModeSpy(pl.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            seen.append({n: m.training for n, m in pl_module.named_modules()})

    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=32
    )
    module = Module()
    modes = {n: m.training for n, m in module.train().named_modules()}
    modes["net.2"] = module.net[2].eval().training
    callback = InformationPlaneCallback(
        X, y, ["net.1", "net.3"], noise_std=0.5, ty_estimator=BinnedMutualInfo(n_bins=4)
    )
    trainer = pl.Trainer(
        max_epochs=2,
        accelerator="cpu",
        devices=1,
        logger=CSVLogger(tmp_path),
        callbacks=[callback, ModeSpy()],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        log_every_n_steps=1,
    )
    trainer.fit(module, loader)
    assert [(r["epoch"], r["layer"]) for r in callback.history_] == [
        (0, "net.1"),
        (0, "net.3"),
        (1, "net.1"),
        (1, "net.3"),
    ]
    assert seen == [modes, modes]  # training modes, frozen part included, after each record
    assert all(p.device.type == "cpu" for p in module.parameters())
    logged = trainer.logged_metrics
    for layer in ("net.1", "net.3"):
        assert float(logged[f"information_plane/{layer}/I_X_T"]) > 0
        assert f"information_plane/{layer}/I_T_Y" in logged
    metrics = (tmp_path / "lightning_logs" / "version_0" / "metrics.csv").read_text()
    assert "information_plane/net.1/I_X_T" in metrics


def test_skorch_net_records_into_its_history_every_n_epochs():
    pytest.importorskip("skorch")
    from skorch import NeuralNetClassifier

    from skmi.callbacks.skorch import InformationPlaneCallback

    X, y = tiny_data()
    callback = InformationPlaneCallback(
        X, y, "1", noise_std=0.5, every_n_epochs=2, ty_estimator=BinnedMutualInfo(n_bins=4)
    )
    net = NeuralNetClassifier(
        tiny_network(),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        lr=0.1,
        batch_size=32,
        train_split=None,
        callbacks=[callback],
        verbose=0,
    )
    net.fit(X, y)
    assert [(r["epoch"], r["layer"]) for r in callback.history_] == [(1, "1")]
    assert "information_plane_1_I_X_T" not in net.history[0]  # epoch 0 not due
    assert net.history[1, "information_plane_1_I_X_T"] > 0
    assert "information_plane_1_I_T_Y" in net.history[1]
    assert net.module_.training  # skorch's training mode, restored after the record


def test_every_n_epochs_is_checked():
    from skmi.callbacks._recording import PlaneRecorder

    with pytest.raises(ValueError, match="every_n_epochs"):
        PlaneRecorder(None, None, "1", 0.1, 0, None, None)
    with pytest.raises(TypeError, match="every_n_epochs"):
        PlaneRecorder(None, None, "1", 0.1, 1.5, None, None)


@pytest.mark.slow
def test_example_runs_both_frameworks(tmp_path, monkeypatch):
    pytest.importorskip("lightning")
    pytest.importorskip("skorch")
    pytest.importorskip("matplotlib")
    import runpy
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "plot_training_callbacks.py"
    run = runpy.run_path(str(example), run_name="skmi_example")["run"]
    elsewhere = tmp_path / "working_directory"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the docs build runs it from examples/
    out = tmp_path / "out"
    lightning_rows, skorch_rows = run(epochs=2, every=1, n_eval=100, out_dir=out, show=False)
    assert [r["epoch"] for r in lightning_rows] == [0, 0, 1, 1]
    assert [r["epoch"] for r in skorch_rows] == [0, 0, 1, 1]
    assert (out / "training_callbacks.png").exists()
    assert not list(elsewhere.iterdir())  # no lightning_logs/ where it ran


def test_recorder_hands_modes_back_through_each_modules_own_train():
    # A module whose train() does more than set its flag must be restored by
    # train(), not by writing module.training, or its extra state stays as
    # whatever ran inside left it.
    from skmi.callbacks._recording import preserved

    class Frozen(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(8, 8)
            self.updates_statistics = True

        def train(self, mode=True):
            super().train(mode)
            self.updates_statistics = mode
            return self

        def forward(self, x):
            return torch.tanh(self.linear(x))

    model = torch.nn.Sequential(torch.nn.Linear(4, 8), Frozen(), torch.nn.Linear(8, 2))
    model.train()
    model[2].eval()  # a part the user froze keeps its own flag
    with preserved(model):
        model.eval()
        assert not model[1].updates_statistics
    assert model.training and model[0].training and not model[2].training
    assert model[1].training and model[1].updates_statistics
