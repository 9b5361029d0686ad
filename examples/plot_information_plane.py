"""
The information plane of a small regression network
=====================================================

An MLP (1 -> 8 -> 8 -> 8 -> 8 -> 1, ReLU) learns ``y = x^2 - x - 1 + 0.2 e``
on ``x ~ U(-3, 3)``. After every few epochs we ask each layer T two
questions:

* **I(T; Y)** -- how much does the layer know about the target? The truth
  bounds it: every layer is a function of x, so ``I(T; Y) <= I(x; y) = 2.407``
  nats (numerical integration, ``skmi.datasets.make_quadratic_regression``).
* **I(X; T + noise)** -- how much of the input survives in the layer, read
  through Gaussian noise of a stated size? Without the noise this would be
  infinite for a deterministic network, and a k-NN estimate of it would only
  grow with the sample size.

Why users saw negative, trendless MI on this very network, and what fixes it:

1. **Misaligned pairs.** Activations collected batch by batch from a
   *shuffled* DataLoader, then paired with the targets in *dataset* order,
   are independent of them: any estimator returns noise around 0 (the grey
   curve below). Run the model on the ordered inputs (``LayerMIProbe`` and
   ``InformationPlane.record`` do) -- or at least check with a permutation
   test.
2. **Scaling.** The joint max-norm of k-NN estimators compares the units of
   T and y; unscaled, the larger one decides every neighbour.
   ``KSGMutualInfo`` standardises each column.
3. **Ties.** Dead or inactive ReLU units give exact zeros; jittering them
   away biases k-NN counts. ``ties="mixed"`` counts them as atoms (Gao et
   al., 2017), and constant (dead) units are dropped.
4. **Sample size.** k-NN estimates of an MI near 2.4 nats from 500 samples
   carry a bias of their own -- here about +0.05 to +0.1 nats, above the
   truth, which no layer can really exceed. Values are comparable across
   epochs and layers; they are not exact.

The output layer starts as a nearly constant random function of x (little
information) and approaches the truth as the fit improves; hidden layers
that are injective in x carry nearly all of it from the start. "MI rises with
training" holds for the output, not as a law for every layer.
"""

# %%
import os
import sys
from pathlib import Path

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from skmi import InformationPlane, KSGMutualInfo
from skmi.datasets import make_quadratic_regression


def run(seed=0, epochs=500, record_every=10, out_dir=".", show=True):
    """Train, record the information plane, save a PNG and a CSV; return the frame."""
    torch.manual_seed(seed)
    X, y, truth = make_quadratic_regression(500, noise=0.2, random_state=seed)
    widths = [1, 8, 8, 8, 8, 1]
    layers = []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # no ReLU after the output
    probed = ["1", "3", "5", "7", "8"]  # the four hidden ReLUs and the output

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
        axes[0].plot(rows["epoch"], rows["I(T;Y)"], marker=".", label=f"layer {name}")
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
    plane.plot(ax=axes[1])
    axes[1].set_title("Information plane (colour: epoch)")
    loss = frame.drop_duplicates("epoch")
    axes[2].semilogy(loss["epoch"], loss["loss"])
    axes[2].set(xlabel="epoch", ylabel="training MSE", title="Fit")
    fig.tight_layout()
    fig.savefig(out / "information_plane.png", dpi=120)
    if not show:
        plt.close(fig)
    return frame


if __name__ == "__main__":
    # SKMI_EXAMPLES_QUICK=1 (set when the docs build in CI) trains fewer epochs
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"
    result = run(epochs=100 if quick else 500)
    last = result[result["layer"] == "8"]
    print(last[["epoch", "I(X;T)", "I(T;Y)", "loss"]].to_string(index=False))
    print("wrote information_plane.png and information_plane.csv")
