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
# The study's code lives in the package (``skmi.cli.information_plane``), so
# that ``skmi demo`` runs it from an installed wheel; this page runs it.
import os
import sys

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

from skmi.cli.information_plane import run  # noqa: E402

if __name__ == "__main__":
    # The documentation build sets SKMI_EXAMPLES_QUICK=1 (fewer epochs) and
    # SKMI_EXAMPLES_OUT (a temporary directory for the files).
    quick = os.environ.get("SKMI_EXAMPLES_QUICK") == "1"
    out_dir = os.environ.get("SKMI_EXAMPLES_OUT", ".")
    result = run(epochs=100 if quick else 500, out_dir=out_dir)
    last = result[result["layer"] == "8"]
    print(last[["epoch", "I(X;T)", "I(T;Y)", "loss"]].to_string(index=False))
    print("wrote information_plane.png and information_plane.csv")
