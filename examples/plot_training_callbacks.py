"""
The information plane from inside Lightning and skorch training
================================================================

Most networks are trained by a framework, not a hand-written loop. skmi's
callbacks record an :class:`~skmi.InformationPlane` -- I(X; T + noise) and
I(T; Y) for chosen layers, on a fixed evaluation set -- every N epochs of a
PyTorch Lightning ``Trainer`` (``skmi.callbacks.lightning``) or of a skorch
``NeuralNet`` (``skmi.callbacks.skorch``), and log the numbers to the
framework: ``pl_module.log`` (so any Lightning logger) or the skorch history.

The same small MLP learns scikit-learn's bundled digits in both frameworks
(same initial weights, optimiser and shuffling seed, so the two planes
should agree: a check that each callback records what the other does); the
hidden layers' I(T; Y) rises as the classes separate.
"""

# %%
import os
import sys
from pathlib import Path

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits

LAYERS = ["2", "4"]  # the two hidden Tanh layers


def network(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(64, 32),
        torch.nn.Tanh(),
        torch.nn.Linear(32, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 10),
    )


def data(n_eval):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    rng = np.random.default_rng(0)
    evaluation = rng.choice(len(X), size=n_eval, replace=False)
    return X, y.astype(np.int64), X[evaluation], y[evaluation]


def with_lightning(epochs, every, n_eval, log_dir):
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import CSVLogger

    from skmi.callbacks.lightning import InformationPlaneCallback

    X, y, X_eval, y_eval = data(n_eval)

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = network(0)

        def forward(self, x):
            return self.net(x)

        def training_step(self, batch, _):
            x, t = batch
            loss = torch.nn.functional.cross_entropy(self(x), t)
            self.log("loss", loss, on_step=False, on_epoch=True)
            return loss

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    callback = InformationPlaneCallback(
        X_eval,
        y_eval,
        [f"net.{name}" for name in LAYERS],
        noise_std=0.5,
        every_n_epochs=every,
        plane_params={"random_state": 0},
    )
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        batch_size=64,
        shuffle=True,
    )
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=CSVLogger(log_dir),
        default_root_dir=log_dir,  # nothing lands in the working directory
        callbacks=[callback],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Classifier(), loader)
    return callback


def with_skorch(epochs, every, n_eval):
    from skorch import NeuralNetClassifier

    from skmi.callbacks.skorch import InformationPlaneCallback

    X, y, X_eval, y_eval = data(n_eval)
    callback = InformationPlaneCallback(
        X_eval,
        y_eval,
        LAYERS,
        noise_std=0.5,
        every_n_epochs=every,
        plane_params={"random_state": 0},
    )
    net = NeuralNetClassifier(
        network(0),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=epochs,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        callbacks=[callback],
        verbose=0,
    )
    net.fit(X, y)
    return callback, net


def run(epochs=15, every=5, n_eval=300, out_dir=".", show=True):
    """Train in both frameworks; save the two planes; return both callbacks' rows."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lightning_callback = with_lightning(epochs, every, n_eval, out / "lightning_logs")
    skorch_callback, _ = with_skorch(epochs, every, n_eval)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    lightning_callback.plane_.plot(ax=axes[0])
    axes[0].set_title("Lightning Trainer")
    skorch_callback.plane_.plot(ax=axes[1])
    axes[1].set_title("skorch NeuralNet")
    fig.tight_layout()
    fig.savefig(out / "training_callbacks.png", dpi=110)
    if not show:
        plt.close(fig)
    return lightning_callback.history_, skorch_callback.history_


if __name__ == "__main__":
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"  # the docs build sets it
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")  # the docs build: a temporary directory
    rows, _ = run(epochs=4, every=2, n_eval=200, out_dir=out_dir) if quick else run(out_dir=out_dir)
    for row in rows:
        print(
            f"epoch {row['epoch']:3d} layer {row['layer']:6s} "
            f"I(X;T) {row['I(X;T)']:.3f}  I(T;Y) {row['I(T;Y)']:.3f}"
        )
