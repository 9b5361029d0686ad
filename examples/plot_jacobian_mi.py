"""
MI between groups of units: analytic, Jacobian-Gaussian and k-means binned
==========================================================================

Feed standard-normal inputs x to a layer and split its output units into two
groups, t1 and t2. How much information do the groups share?

* For a **linear layer** t = W x the outputs are jointly Gaussian with
  covariance W W^T, and ``I(t1; t2)`` has a closed form. The Jacobian of a
  linear map is W itself, so ``JacobianMutualInfo`` returns exactly that
  value. k-means binning (``BinnedMutualInfo(strategy="kmeans")``) of
  samples measures the information between the *clusterings* of t1 and t2:
  below the truth while the clusters are coarse (discretising loses
  information), and above it once the joint table of k x k cells outgrows
  the sample (the plug-in estimate's upward bias) -- a number that depends on
  how fine the clusters are, not an estimate of I(t1; t2).
* For a **small MLP** no closed form exists. The Jacobian form gives the
  information of the local linearisation, averaged over inputs; binning
  gives the information of the clusterings. They answer different questions
  and need not agree.
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

from skmi import BinnedMutualInfo, JacobianMutualInfo, LayerMIProbe


def groups_mi_analytic(W, g1, g2):
    C = W @ W.T
    logdet = lambda A: np.linalg.slogdet(A)[1]  # noqa: E731
    both = np.r_[g1, g2]
    return 0.5 * (
        logdet(C[np.ix_(g1, g1)]) + logdet(C[np.ix_(g2, g2)]) - logdet(C[np.ix_(both, both)])
    )


def binned_groups_mi(T, g1, g2, n_clusters, seed):
    """Vector-quantise each group into k-means clusters; plug-in MI of the labels."""
    est = BinnedMutualInfo(n_clusters, strategy="kmeans", random_state=seed)
    return est.fit(T[:, g1], T[:, g2]).mi_


def run(n_samples=5000, out_dir=".", show=True, seed=0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 6))
    g1, g2 = [0, 1, 2], [3, 4, 5]
    linear = torch.nn.Linear(6, 6).double()
    mlp = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 6)
    ).double()
    clusters = [2, 4, 8, 16, 32, 64]
    rows = {}
    for name, model in [("random linear layer", linear), ("small MLP", mlp)]:
        T = LayerMIProbe(model, layers="").fit_transform(X)  # "" = the model's output
        jac = JacobianMutualInfo(model, groups=(g1, g2)).fit(X[:500]).mi_
        binned = [binned_groups_mi(T, g1, g2, k, seed) for k in clusters]
        analytic = (
            groups_mi_analytic(linear.weight.detach().numpy(), g1, g2) if model is linear else None
        )
        rows[name] = (analytic, jac, binned)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, (name, (analytic, jac, binned)) in zip(axes, rows.items(), strict=True):
        ax.plot(clusters, binned, "o-", label="k-means binned (plug-in)")
        ax.axhline(jac, color="C1", ls="--", label=f"Jacobian-Gaussian {jac:.3f}")
        if analytic is not None:
            ax.axhline(analytic, color="k", lw=1, label=f"analytic {analytic:.3f}")
        ax.set_xscale("log", base=2)
        ax.set(title=name, xlabel="clusters per group", ylabel="I(t1; t2), nats")
        ax.legend(fontsize=8)
    fig.tight_layout()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "jacobian_mi.png", dpi=120)
    if not show:
        plt.close(fig)
    return rows


if __name__ == "__main__":
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"  # the docs build sets it
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")  # the docs build: a temporary directory
    rows = run(n_samples=2000 if quick else 5000, out_dir=out_dir)
    for name, (analytic, jac, binned) in rows.items():
        print(name, "analytic", analytic, "jacobian", round(jac, 4), "binned", np.round(binned, 3))
