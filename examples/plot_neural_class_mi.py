"""
Neural tangent kernel entropy of classes during training (digits)
=================================================================

A dense network learns scikit-learn's bundled 8 x 8 digits. After each epoch
we compute, from the empirical neural tangent kernel (NTK) restricted to
the samples of a class, its von Neumann entropy S(c) -- how many independent
tangent directions the network uses for that class -- and for each pair of
classes the normalised mutual information ``2 I(a; b) / (S(a) + S(b))``
with ``I(a; b) = S(a) + S(b) - S(a U b)``: near 1 when the network sees the
two classes through the same tangent features, lower when it has separated
them. The pair (1, 8) looks alike to many models; (0, 1) does not.
The entropies follow the NTK-entropy study's convention, the defaults of
:func:`~skmi.class_mutual_info`: the full (n C) x (n C) kernel of all C
outputs, its eigenvalues normalised to sum 1.

Shown next to the training and test loss and accuracy.
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
from sklearn.model_selection import train_test_split

from skmi import class_mutual_info


def run(epochs=30, n_per_class=40, out_dir=".", show=True, seed=0):
    torch.manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=y
    )
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X_train), torch.tensor(y_train)),
        batch_size=64,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    classes = [0, 1, 8]
    pairs = [(0, 1), (0, 2), (1, 2)]
    log = []
    for epoch in range(epochs + 1):
        result = class_mutual_info(
            model, X_train, y_train, classes=classes, n_per_class=n_per_class, random_state=seed
        )
        with torch.no_grad():
            scores = {
                name: model(torch.tensor(data))
                for name, data in (("train", X_train), ("test", X_test))
            }
        row = {"epoch": epoch}
        for name, labels in (("train", y_train), ("test", y_test)):
            target = torch.tensor(labels)
            row[f"{name} loss"] = float(torch.nn.functional.cross_entropy(scores[name], target))
            row[f"{name} accuracy"] = float((scores[name].argmax(1) == target).float().mean())
        for c in classes:
            row[f"S({c})"] = result["entropy"][c]
        for a, b in pairs:
            row[f"NMI({classes[a]},{classes[b]})"] = result["normalized_mi"][a, b]
        log.append(row)
        if epoch == epochs:
            break
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()

    epochs_axis = [r["epoch"] for r in log]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for c in classes:
        axes[0].plot(epochs_axis, [r[f"S({c})"] for r in log], label=f"class {c}")
    axes[0].set(
        xlabel="epoch", ylabel="von Neumann entropy, nats", title="NTK entropy of each class"
    )
    for a, b in pairs:
        key = f"NMI({classes[a]},{classes[b]})"
        axes[1].plot(
            epochs_axis, [r[key] for r in log], label=f"classes {classes[a]}, {classes[b]}"
        )
    axes[1].set(xlabel="epoch", ylabel="2 I / (S_a + S_b)", title="Normalised NTK MI")
    for key, style in [("train", "-"), ("test", "--")]:
        axes[2].plot(
            epochs_axis, [r[f"{key} loss"] for r in log], "C0" + style, label=f"{key} loss"
        )
        axes[2].plot(
            epochs_axis, [r[f"{key} accuracy"] for r in log], "C1" + style, label=f"{key} accuracy"
        )
    axes[2].set(xlabel="epoch", title="Fit")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "neural_class_mi.png", dpi=120)
    if not show:
        plt.close(fig)
    return log


if __name__ == "__main__":
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"  # the docs build sets it
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")  # the docs build: a temporary directory
    log = run(epochs=8 if quick else 30, out_dir=out_dir)
    for row in (log[0], log[-1]):
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})
