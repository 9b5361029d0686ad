"""
Probing a Hugging Face transformer, layer by layer
==================================================

:class:`~skmi.LayerMIProbe` takes a ``transformers`` model as it is called:
a dict of tensors (``input_ids``, ``attention_mask``) passed as
``model(**inputs)``, layers named as fields of its output
(``"hidden_states"`` expands to ``hidden_states.0`` -- the embeddings --
up to the last block), and token-level activations (batch, seq, hidden)
pooled explicitly: ``pooling="cls"`` takes the first token,
``pooling="mean"`` the mean over the real tokens. Padding never enters a
pooled value: the attention mask says which tokens are real.

The task: sequences of 6 to 12 tokens (padded to 12) from a vocabulary of
20; the label is how often token 5 occurs (0, 1, or 2 and more). A tiny
BERT (2 layers, width 32, built from a config: no download) learns it in a
few hundred steps on the CPU. Before and after training we estimate
I(pooled layer; label) with :func:`skmi.estimate_mi` for every hidden state.
The label's entropy H(label) bounds each value.

What to look for (the estimates are held-out LDA bounds, below the MI by
what a linear classifier misses): the mean-pooled embeddings
(``hidden_states.0``) already carry most of the label -- counting a token is
a question about the bag of words, which the mean keeps -- and after
training the mean-pooled last layer comes close to H(label). The ``[CLS]``
position holds nothing in the embeddings (the same vector for every
sequence: plotted as 0); what it gathers in later layers comes from
attention, random at first, and varies from one training run to the next.
"""

# %%
import os
import sys
import warnings
from pathlib import Path

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

import skmi
from skmi import LayerMIProbe

VOCAB, LENGTH, CLS, PAD, KEY = 20, 12, 1, 0, 5


def make_data(n, rng):
    """Token ids with [CLS] first and padding after a random length; the label counts KEY."""
    lengths = rng.integers(6, LENGTH + 1, size=n)
    ids = rng.integers(2, VOCAB, size=(n, LENGTH))
    # KEY appears with probability 1/12 per position: the three classes are balanced-ish
    ids = np.where(rng.random((n, LENGTH)) < 1 / 12, KEY, np.where(ids == KEY, KEY + 1, ids))
    ids[:, 0] = CLS
    mask = (np.arange(LENGTH)[None, :] < lengths[:, None]).astype(np.int64)
    ids[mask == 0] = PAD
    label = np.minimum((ids[:, 1:] == KEY).sum(axis=1), 2)
    return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask)}, label


def tiny_bert(seed):
    import transformers

    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=LENGTH,
        pad_token_id=PAD,
        num_labels=3,
    )
    return transformers.BertForSequenceClassification(config)


def entropy(label):
    p = np.bincount(label) / len(label)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def layer_information(model, X, y):
    """{pooling: {layer: I(pooled layer; y)}} for every hidden state, in nats."""
    out = {}
    for pooling in ("cls", "mean"):
        probe = LayerMIProbe(model, layers="hidden_states", pooling=pooling).fit(X)
        blocks = probe.transform_layers(X)
        out[pooling] = {}
        for name, T in blocks.items():
            if np.ptp(T, axis=0).max() == 0:  # [CLS] embedding: the same vector for every sequence
                out[pooling][name] = 0.0
                continue
            # "lda": a held-out classifier bound (below the MI by what a linear
            # classifier misses); method="auto" picks the larger of it and a logistic
            # regression's, a second per layer more on the CPU
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[pooling][name] = skmi.estimate_mi(T, y, method="lda", random_state=0).estimate
    return out


def train(model, X, y, steps, seed):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    labels = torch.tensor(y)
    model.train()
    for _ in range(steps):
        rows = torch.randint(0, len(y), (64,), generator=generator)
        loss = model(**{k: v[rows] for k, v in X.items()}, labels=labels[rows]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def accuracy(model, X, y):
    with torch.no_grad():
        return float((model(**X).logits.argmax(1).numpy() == y).mean())


def run(steps=300, n_train=2000, n_probe=600, out_dir=".", show=True, seed=0):
    rng = np.random.default_rng(seed)
    X_train, y_train = make_data(n_train, rng)
    X_probe, y_probe = make_data(n_probe, rng)  # held out: the probe never trains on it
    model = tiny_bert(seed)
    results = {"H(label)": entropy(y_probe)}
    results["before"] = layer_information(model, X_probe, y_probe)
    train(model, X_train, y_train, steps, seed)
    results["probe accuracy"] = accuracy(model, X_probe, y_probe)
    results["after"] = layer_information(model, X_probe, y_probe)

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, pooling in zip(axes, ("cls", "mean"), strict=True):
        for when, style in (("before", "o--"), ("after", "o-")):
            values = results[when][pooling]
            ax.plot(range(len(values)), list(values.values()), style, label=f"{when} training")
        ax.axhline(results["H(label)"], color="0.3", lw=1, label="H(label)")
        ax.set_xticks(range(len(values)), [name.split(".")[1] for name in values])
        ax.set(xlabel="hidden_states index (0 = embeddings)", title=f'pooling="{pooling}"')
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("I(pooled layer; label), nats")
    fig.suptitle(f"Tiny BERT, accuracy {results['probe accuracy']:.2f} on the probe set")
    fig.tight_layout()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "probe_transformer.png", dpi=120)
    if not show:
        plt.close(fig)
    return results


if __name__ == "__main__":
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"  # the docs build sets it
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")  # the docs build: a temporary directory
    results = run(steps=80 if quick else 300, n_probe=400 if quick else 600, out_dir=out_dir)
    print(f"H(label) = {results['H(label)']:.3f} nats")
    for when in ("before", "after"):
        for pooling, values in results[when].items():
            print(when, pooling, {k: round(v, 3) for k, v in values.items()})
    print("accuracy", round(results["probe accuracy"], 3))
