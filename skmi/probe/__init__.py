"""Probing neural networks: layer activations, the information plane,
neural-tangent-kernel information between classes, and local Jacobian MI.

* :class:`LayerMIProbe` (``_layers.py``) -- a scikit-learn transformer that
  returns the activations of chosen layers of any ``torch.nn.Module``, so
  that ``make_pipeline(LayerMIProbe(model, layers="fc2"), KSGMutualInfo())``
  scores I(layer; y). Hugging Face transformers are probed as called: X a
  dict of tensors (``model(**X)``), layers named as output fields
  (``"hidden_states"``), token activations pooled with ``pooling=``.
* :class:`InformationPlane` (``_information_plane.py``) -- a recorder for
  the user's own training loop: I(X; T + noise) and I(T; Y) per layer and
  epoch, as a tidy table and a plot.
* :func:`empirical_ntk` and :func:`class_mutual_info` (``_ntk.py``) -- the
  empirical neural tangent kernel and the von Neumann entropy / mutual
  information of its restriction to classes.
* :func:`layer_parts_mutual_info` (``_parts.py``) -- the pairwise plug-in
  MI of a layer's parts (k-means clusters of each part's units), with their
  entropies on the diagonal (reference study 001).
* :class:`JacobianMutualInfo` (``_jacobian.py``) -- the local
  linear-Gaussian information of a network, averaged over samples.

The torch work itself lives in ``skmi._torch`` (activations, Jacobians,
NTK); torch is imported only when these are used (``pip install 'skmi[torch]'``).
"""

from skmi.probe._information_plane import InformationPlane
from skmi.probe._jacobian import JacobianMutualInfo, jacobian_noisy_information
from skmi.probe._layers import LayerMIProbe
from skmi.probe._mixture import NoisyInformation, noisy_layer_information, pairwise_bounds
from skmi.probe._ntk import NTKClassMIRecorder, class_mutual_info, empirical_ntk
from skmi.probe._parts import PartsInformation, layer_parts_mutual_info

__all__ = [
    "InformationPlane",
    "JacobianMutualInfo",
    "LayerMIProbe",
    "NTKClassMIRecorder",
    "NoisyInformation",
    "PartsInformation",
    "class_mutual_info",
    "empirical_ntk",
    "jacobian_noisy_information",
    "layer_parts_mutual_info",
    "noisy_layer_information",
    "pairwise_bounds",
]
