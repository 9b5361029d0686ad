"""
Probing sequence models: a token transformer and an LSTM
=========================================================

``LayerMIProbe`` runs any ``torch.nn.Module`` and hands the activations of
named layers to an skmi estimator. Sequence models are where probes used to
break, so this example probes two of them on token ids:

* a **transformer** (``nn.Embedding`` + ``nn.TransformerEncoderLayer``, mean
  pooling, a linear head): the token ids are integers and stay integers --
  the probe casts only floating inputs to the model's dtype;
* an **LSTM**, whose module output is ``(output, (h, c))`` with ``h`` and
  ``c`` shaped (num_layers, batch, hidden): the probe finds each tensor's
  batch dimension (it runs two batch sizes in ``fit``) and returns one row
  per sequence.

The task: sequences of 8 tokens from a vocabulary of 12; the label is how
often token 0 occurs (0, 1, or 2 and more). We measure I(layer; label) with
``KSGMutualInfo`` (discrete target) before and after a short training run.
The label entropy bounds every value (about 1.0 nats here). Training moves
the information into the pooled representation and the head; the LSTM's
final hidden state ``h`` carries it as well.
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

from skmi import KSGMutualInfo, LayerMIProbe

VOCAB, LENGTH, WIDTH = 12, 8, 16


class MeanPool(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=1)


class TokenTransformer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, WIDTH)
        self.block = torch.nn.TransformerEncoderLayer(
            WIDTH, nhead=2, dim_feedforward=32, dropout=0.0, batch_first=True
        )
        self.pool = MeanPool()
        self.head = torch.nn.Linear(WIDTH, 3)

    def forward(self, ids):
        return self.head(self.pool(self.block(self.embed(ids))))


class TokenLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, WIDTH)
        self.lstm = torch.nn.LSTM(WIDTH, WIDTH, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(WIDTH, 3)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embed(ids))
        return self.head(h[-1])


def make_tokens(n, rng):
    ids = rng.integers(0, VOCAB, size=(n, LENGTH))
    label = np.minimum((ids == 0).sum(axis=1), 2)
    return ids, label


def layer_information(model, ids, label, seed):
    """I(layer; label) for the probed layers of one model, in nats."""
    if isinstance(model, TokenTransformer):
        probe = LayerMIProbe(model, layers=["pool", "head"]).fit(ids)
        blocks = probe.transform_layers(ids)
    else:
        probe = LayerMIProbe(model, layers=["lstm", "head"]).fit(ids)
        blocks = probe.transform_layers(ids)
        # "lstm" = [output (LENGTH x WIDTH) | h (2 x WIDTH) | c (2 x WIDTH)] per sequence;
        # the last layer's final hidden state is h[-1]
        start = LENGTH * WIDTH + WIDTH
        blocks = {"lstm h[-1]": blocks["lstm"][:, start : start + WIDTH], "head": blocks["head"]}
    return {name: KSGMutualInfo(random_state=seed).fit(T, label).mi_ for name, T in blocks.items()}


def train(model, ids, label, steps, seed):
    torch.manual_seed(seed)
    data, target = torch.tensor(ids), torch.tensor(label)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
    model.train()
    for _ in range(steps):
        batch = torch.randint(0, len(data), (32,))
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(data[batch]), target[batch]).backward()
        optimizer.step()
    with torch.no_grad():
        model.eval()
        return float((model(data).argmax(1) == target).float().mean())


def run(n_samples=600, steps=60, out_dir=".", show=True, seed=0):
    """Probe both models before and after training; save a PNG; return the numbers."""
    rng = np.random.default_rng(seed)
    ids, label = make_tokens(n_samples, rng)
    counts = np.bincount(label) / len(label)
    label_entropy = float(-np.sum(counts * np.log(counts)))
    results = {"H(label)": label_entropy}
    for model_class in (TokenTransformer, TokenLSTM):
        torch.manual_seed(seed)
        model = model_class()
        before = layer_information(model, ids, label, seed)
        accuracy = train(model, ids, label, steps, seed)
        after = layer_information(model, ids, label, seed)
        results[model_class.__name__] = {
            "before": before,
            "after": after,
            "train accuracy": accuracy,
        }

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, name in zip(axes, ("TokenTransformer", "TokenLSTM"), strict=True):
        layers = list(results[name]["before"])
        x = np.arange(len(layers))
        ax.bar(x - 0.2, [results[name]["before"][k] for k in layers], 0.4, label="untrained")
        ax.bar(x + 0.2, [results[name]["after"][k] for k in layers], 0.4, label="trained")
        ax.axhline(label_entropy, color="k", lw=1, label="H(label)")
        ax.set_xticks(x, layers)
        ax.set_title(f"{name} (train accuracy {results[name]['train accuracy']:.2f})")
    axes[0].set_ylabel("I(layer; label), nats (KSG)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "probe_sequence_models.png", dpi=110)
    if not show:
        plt.close(fig)
    return results


if __name__ == "__main__":
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")  # the docs build: a temporary directory
    for key, value in run(steps=40 if quick else 60, out_dir=out_dir).items():
        print(key, value)
