"""The information plane of a small regression network (the demo's study).

An MLP (1 -> 8 -> 8 -> 8 -> 8 -> 1, ReLU) learns ``y = x^2 - x - 1 + 0.2 e``
on ``x ~ U(-3, 3)`` while :class:`skmi.InformationPlane` records, for each
layer T, I(T; Y) and I(X; T + noise). The truth bounds I(T; Y): every layer is
a function of x, so ``I(T; Y) <= I(x; y) = 2.407`` nats. The grey curve is
the same estimate on activations gathered from a shuffled DataLoader and
paired with targets in dataset order -- the mistake behind "negative,
trendless MI" reports. ``examples/plot_information_plane.py`` explains the
study and imports :func:`run` from here, so that an installed package
(``skmi demo``) runs the same code as the gallery.

Needs torch, matplotlib and pandas (``pip install 'skmi[torch,plot,pandas]'``).
Progress goes to the ``skmi.cli.information_plane`` logger, one line per
recorded epoch.
"""

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def run(seed=0, epochs=500, record_every=10, out_dir=".", show=True):
    """Train, record the information plane, save a PNG and a CSV; return the frame.

    Parameters
    ----------
    seed : int, default=0
        Seeds the data, the initialisation and the batches.
    epochs : int, default=500
    record_every : int, default=10
        Record the plane every this many epochs (and at the last).
    out_dir : str or Path, default="."
        Where ``information_plane.png`` and ``information_plane.csv`` go.
    show : bool, default=True
        Leave the figure open (False closes it, for scripts and tests).

    Returns
    -------
    frame : pandas.DataFrame
        One row per (epoch, layer): I(X;T), I(T;Y), loss, and the truth.
    """
    import matplotlib.pyplot as plt
    import torch

    from skmi import InformationPlane, KSGMutualInfo
    from skmi.datasets import make_quadratic_regression

    started = time.perf_counter()
    torch.manual_seed(seed)
    X, y, truth = make_quadratic_regression(500, noise=0.2, random_state=seed)
    widths = [1, 8, 8, 8, 8, 1]
    layers = []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # no ReLU after the output
    probed = ["1", "3", "5", "7", "8"]  # the four hidden ReLUs and the output
    # module indices mean nothing to a reader of the figure: name the layers
    names = {"1": "hidden 1 (ReLU)", "3": "hidden 2 (ReLU)", "5": "hidden 3 (ReLU)"}
    names.update({"7": "hidden 4 (ReLU)", "8": "output (linear)"})

    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)),
        batch_size=32,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    plane = InformationPlane(model, probed, noise_std=0.1, random_state=seed)
    misaligned = []

    for epoch in range(epochs + 1):
        if epoch % record_every == 0:
            with torch.no_grad():
                loss = float(
                    torch.nn.functional.mse_loss(model(torch.tensor(X))[:, 0], torch.tensor(y))
                )
            plane.record(X, y, epoch=epoch, loss=loss)
            # The mistake, for comparison: output activations gathered from the
            # shuffled loader, paired with targets in dataset order.
            with torch.no_grad():
                shuffled = torch.cat([model(xb) for xb, _ in loader]).numpy()
            est = KSGMutualInfo(ties="mixed", random_state=seed)  # as the plane's
            misaligned.append(est.fit(shuffled, y).mi_)
            output = plane.to_frame().iloc[-1]
            logger.info(
                "epoch %d/%d: output layer I(T;Y) = %.3f nats (truth %.3f), loss %.4f, %.0f s",
                epoch,
                epochs,
                output["I(T;Y)"],
                truth,
                loss,
                time.perf_counter() - started,
            )
        if epoch == epochs:
            break
        for xb, yb in loader:
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(xb)[:, 0], yb).backward()
            optimizer.step()

    frame = plane.to_frame()
    frame["truth I(X;Y)"] = truth
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "information_plane.csv", index=False)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    for name, rows in frame.groupby("layer", sort=False):
        axes[0].plot(rows["epoch"], rows["I(T;Y)"], marker=".", label=names[name])
    epochs_recorded = sorted(frame["epoch"].unique())
    axes[0].plot(
        epochs_recorded,
        misaligned,
        color="0.6",
        ls="--",
        label="output, misaligned pairs (the bug)",
    )
    axes[0].axhline(truth, color="k", lw=1, label=f"truth I(x; y) = {truth:.3f}")
    axes[0].set(
        xlabel="epoch",
        ylabel="I(T; Y), nats (KSG, ties as atoms)",
        title="What each layer knows about y",
    )
    axes[0].legend(fontsize=7)
    axes[0].text(
        0.03,
        0.12,
        f"Every layer is a function of x, so I(T; y) <= {truth:.3f}:\n"
        "hidden-layer estimates above the truth are k-NN bias.",
        transform=axes[0].transAxes,
        fontsize=7,
        va="bottom",
    )
    plane.plot(ax=axes[1], labels=names)
    axes[1].set_title("Information plane (colour: epoch)")
    loss = frame.drop_duplicates("epoch")
    axes[2].semilogy(loss["epoch"], loss["loss"])
    axes[2].set(xlabel="epoch", ylabel="training MSE", title="Fit")
    fig.tight_layout()
    fig.savefig(out / "information_plane.png", dpi=120)
    if not show:
        plt.close(fig)
    return frame
