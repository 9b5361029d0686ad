"""The pairwise information of a layer's parts, by k-means quantisation.

Reference study 001 splits a layer's units into parts, quantises each part
by k-means and reads the plug-in mutual information between the parts'
cluster labels, with each part's entropy on the diagonal. The k-means
quantisation and the plug-in are :class:`~skmi.BinnedMutualInfo`'s
(``strategy="kmeans"``).
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import check_array, check_random_state

from skmi._binned import BinnedMutualInfo, _binned_symbols, _joint_counts
from skmi._units import from_nats
from skmi._validation import check_int, detach_tensor
from skmi.probe._jacobian import _check_groups


class PartsInformation(NamedTuple):
    """What :func:`layer_parts_mutual_info` returns (each field an attribute).

    Parameters
    ----------
    mi : ndarray of shape (n_parts, n_parts)
        Plug-in I(part a; part b) of the parts' cluster labels, in
        ``units``; symmetric, with the entropies on the diagonal.
    entropy : ndarray of shape (n_parts,)
        H(part) = I(part; part), the diagonal of ``mi``.
    n_clusters : int
        Clusters per part.
    labels : ndarray of int of shape (n_samples, n_parts)
        Each sample's cluster in each part.
    parts : list of ndarray of int
        The units of each part.
    names : list
        The parts' names: their labels when ``parts`` was a label per unit,
        else 0, 1, ...
    units : str
        "nats" or "bits".
    """

    mi: np.ndarray
    entropy: np.ndarray
    n_clusters: int
    labels: np.ndarray
    parts: list
    names: list
    units: str

    def to_frame(self):
        """``mi`` as a pandas DataFrame, parts' names as index and columns.

        Returns
        -------
        frame : pandas.DataFrame of shape (n_parts, n_parts)
        """
        import pandas as pd

        return pd.DataFrame(self.mi, index=list(self.names), columns=list(self.names))


def layer_parts_mutual_info(
    activations,
    parts,
    *,
    n_bins=None,
    n_clusters=None,
    correction=None,
    units="nats",
    random_state=None,
):
    """Pairwise mutual information between the parts of a layer, with their entropies.

    Each part (a set of the layer's units) is quantised on its own: its
    units are standardised and its rows clustered by k-means into
    ``n_clusters`` clusters (the k-means quantisation of
    :class:`~skmi.BinnedMutualInfo` with ``strategy="kmeans"``). Entry (a, b)
    of the result is the plug-in mutual information of the cluster labels of
    parts a and b, ``H(a) + H(b) - H(a, b)`` from their counts; the diagonal
    is each part's entropy ``H(a) = I(a; a)``. This is the
    ``quantized_mutual_information`` of reference study 001 as one call,
    with its cluster count ``n_bins ** n_parts`` by default.

    Parameters
    ----------
    activations : array-like or torch.Tensor of shape (n_samples, n_units)
        A layer's activations, one row per sample; never modified.
    parts : array-like
        Which units form each part, in one of three forms:

        * a boolean matrix (n_parts, n_units), row k true at part k's units
          (the study's ``partition``);
        * a list of lists of unit indices, one list per part;
        * one label per unit (length n_units): units with the same label
          form a part, parts ordered by label.

        At least two parts; no unit in two parts; units in no part (matrix
        or index lists) are left out.
    n_bins : int >= 2, optional
        The study's parameter: ``n_bins ** n_parts`` clusters per part.
        Default 2 when ``n_clusters`` is not given.
    n_clusters : int >= 2, optional
        Clusters per part, given directly (instead of ``n_bins``).
    correction : {None, "miller-madow"}, default=None
        As in :class:`~skmi.BinnedMutualInfo`: Miller-Madow adds ``(m - 1) /
        (2 n)`` to each entropy, m the occupied clusters.
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None, default=None
        Seeds k-means. Every part is clustered with the same seed, so a
        part's labels depend on its own units only (two parts with the
        same units get the same labels).

    Returns
    -------
    result : PartsInformation
        ``mi`` (the matrix), ``entropy`` (its diagonal), ``n_clusters``,
        the cluster ``labels``, ``parts``, ``names``, ``units`` and
        ``to_frame()``.

    Raises
    ------
    ValueError
        If ``activations`` is not 2-D, holds NaN or inf or has fewer than 2
        rows; if ``parts`` has fewer than two parts, a part without units,
        parts that overlap, an index outside the layer, or a shape that does
        not match the layer; if ``n_bins`` and ``n_clusters`` are both
        given; if there are more clusters than samples; on a bad
        ``correction`` or ``units``.
    TypeError
        If ``n_bins`` or ``n_clusters`` is not an integer.

    Notes
    -----
    A plug-in estimate of discretised variables: it measures the
    information between the *cluster labels*, which grows with the number
    of clusters. Its bias is upward for the MI: for independent parts with
    K occupied clusters each, ``2 n I`` is asymptotically chi-squared with
    ``(K - 1)^2`` degrees of freedom, so the expected value is about
    ``(K - 1)^2 / (2 n)`` instead of 0 (the study's 100 clusters on 2000
    samples: about 2.45 nats). The entropies are biased downward by about
    ``(K - 1) / (2 n)`` (what ``correction="miller-madow"`` adds back).

    The study's notebook prints ``log(2000) = 7.6008`` for every entry: its
    ``quantize`` returns ``kmeans(...).argsort(0)``, a permutation of the
    rows rather than the cluster labels, so each sample is a symbol of its
    own. This function uses the labels, as the study's text describes.

    References
    ----------
    .. [1] V. Rehnberg, "mutual-information" (reference study 001),
       ``quantized_mutual_information(activations, partition, n_bins)``.
    .. [2] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep
       neural networks via information", arXiv:1703.00810, 2017.

    Examples
    --------
    Two parts that copy each other share all of their information:

    >>> import numpy as np
    >>> from skmi.probe import layer_parts_mutual_info
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal((500, 3))
    >>> layer = np.hstack([a, a, rng.standard_normal((500, 2))])
    >>> parts = [[0, 1, 2], [3, 4, 5], [6, 7]]
    >>> result = layer_parts_mutual_info(layer, parts, n_clusters=4, random_state=0)
    >>> result.mi.shape, result.n_clusters
    ((3, 3), 4)
    >>> bool(np.isclose(result.mi[0, 1], result.entropy[0]))
    True
    >>> bool(result.mi[0, 2] < 0.05)  # independent: the plug-in bias only
    True
    >>> layer_parts_mutual_info(layer, parts, n_bins=2).n_clusters  # 2 ** 3
    8
    """
    if units not in ("nats", "bits"):
        raise ValueError(f"units must be 'nats' or 'bits'; got {units!r}.")
    A = _activations(activations)
    n_samples, n_units = A.shape
    groups, names = _parse_parts(parts, n_units)
    if n_bins is not None and n_clusters is not None:
        raise ValueError(
            "Give n_bins (n_bins ** n_parts clusters, the study's count) or n_clusters, "
            f"not both; got n_bins={n_bins!r} and n_clusters={n_clusters!r}."
        )
    if n_clusters is None:
        n_bins = 2 if n_bins is None else check_int(n_bins, "n_bins", min_value=2)
        n_clusters = n_bins ** len(groups)
        source = f"n_bins ** n_parts = {n_bins} ** {len(groups)} = {n_clusters} clusters"
    else:
        n_clusters = check_int(n_clusters, "n_clusters", min_value=2)
        source = f"n_clusters={n_clusters} clusters"
    if n_clusters > n_samples:
        raise ValueError(
            f"{source} exceed the {n_samples} samples of activations: k-means needs at "
            "least as many samples as clusters (give a smaller n_bins or n_clusters)."
        )
    # the binned estimator's k-means quantisation and plug-in counts
    estimator = BinnedMutualInfo(
        n_bins=n_clusters, strategy="kmeans", correction=correction, random_state=random_state
    )
    if correction not in (None, "miller-madow"):
        raise ValueError(f"correction must be None or 'miller-madow'; got {correction!r}.")
    try:
        seed = check_random_state(random_state).randint(2**31 - 1)
    except ValueError as error:
        raise ValueError(f"random_state: {error}") from None
    labels = np.empty((n_samples, len(groups)), dtype=np.int64)
    for k, units_k in enumerate(groups):
        block = A[:, units_k]
        binner = estimator._fit_binner(block, np.random.RandomState(seed))
        labels[:, k] = _binned_symbols(block, binner)
    mi = np.empty((len(groups), len(groups)))
    for a in range(len(groups)):
        for b in range(a, len(groups)):
            c_a, c_b, c_ab, _ = _joint_counts(labels[:, a], labels[:, b])
            mi[a, b] = mi[b, a] = estimator._mi_from_counts(c_a, c_b, c_ab, n_samples)
    mi = from_nats(mi, units)
    return PartsInformation(
        mi=mi,
        entropy=np.diag(mi).copy(),
        n_clusters=n_clusters,
        labels=labels,
        parts=groups,
        names=names,
        units=units,
    )


def _on_host(A):
    """A torch tensor (maybe on a GPU, maybe with grad) as a NumPy array."""
    A = detach_tensor(A)
    if hasattr(A, "cpu") and hasattr(A, "numpy"):
        A = A.cpu().numpy()
    return A


def _activations(activations):
    A = _on_host(activations)
    if np.ndim(A) != 2:
        raise ValueError(f"activations must be 2-D (n_samples, n_units); got shape {np.shape(A)}.")
    return check_array(A, dtype=np.float64, input_name="activations", ensure_min_samples=2)


def _parse_parts(parts, n_units):
    """The parts as index arrays, and their names."""
    parts = _on_host(parts)
    if isinstance(parts, (str, bytes)) or not hasattr(parts, "__len__"):
        raise ValueError(
            "parts must be a boolean matrix (n_parts, n_units), a list of lists of unit "
            f"indices, or one label per unit; got {parts!r}."
        )
    rows = [np.asarray(part) for part in parts]
    if rows and all(row.ndim == 0 for row in rows):  # one label per unit
        labels = np.asarray(parts)
        if len(labels) != n_units:
            raise ValueError(
                f"parts holds {len(labels)} labels but the layer has {n_units} units: give "
                "one label per unit."
            )
        names = np.unique(labels)
        groups = [np.flatnonzero(labels == name) for name in names]
        return _check_groups(groups, "parts"), names.tolist()
    if rows and all(row.dtype == bool for row in rows):  # the study's boolean partition
        bad = [k for k, row in enumerate(rows) if row.shape != (n_units,)]
        if bad:
            raise ValueError(
                f"parts[{bad[0]}] has shape {rows[bad[0]].shape}: a boolean part must mark "
                f"each of the layer's {n_units} units."
            )
        empty = [k for k, row in enumerate(rows) if not row.any()]
        if empty:
            raise ValueError(f"parts[{empty[0]}] selects no unit: every part needs units.")
        rows = [np.flatnonzero(row) for row in rows]
    elif not rows:
        raise ValueError("parts is empty: give at least two parts of the layer's units.")
    elif n_units > 2 and all(
        row.shape == (n_units,) and np.isin(row, (0, 1)).all() for row in rows
    ):
        raise ValueError(
            "parts looks like a 0/1 partition matrix (n_parts, n_units) of integers: pass it "
            "as booleans (e.g. parts.astype(bool)); index lists name each unit once."
        )
    groups = _check_groups(rows, "parts")
    for k, group in enumerate(groups):
        if group.max() >= n_units:
            raise ValueError(
                f"parts[{k}] holds unit {int(group.max())}, but the layer has {n_units} units."
            )
    return groups, list(range(len(groups)))
