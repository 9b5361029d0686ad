"""Mutual information on data larger than one machine, on a Dask cluster.

Estimators whose statistics add up over chunks of rows take ``dask.array`` /
``dask.dataframe`` inputs and reduce on the cluster; only the small
statistics reach the client:

* ``gaussian.py`` -- :class:`~skmi.GaussianMutualInfo`: count, means and
  centred cross-products per chunk, merged pairwise (Chan et al.); shrinkage
  from the same sums (Ledoit-Wolf needs one more pass); the copula's ranks
  from an approximate quantile transform (a strided sample from a first pass).
* ``binned.py`` -- :class:`~skmi.BinnedMutualInfo`: joint bin counts per
  chunk, merged; uniform edges from a min/max pass, quantile edges from the
  same strided sample the in-memory estimator takes, a k-means codebook
  fitted on a sample and applied per chunk.
* ``sample.py`` -- :func:`~skmi.sample_rows`: a uniform random subsample of
  rows drawn on the cluster, the honest path for k-NN, kernel and neural
  estimators, which need all their rows in one process.

Nothing here imports dask at import time: skmi works without it, and
:func:`is_dask_collection` recognises a collection by its type alone.
"""

__all__ = ["any_dask_collection", "is_dask_collection", "refuse_dask_collections"]


def is_dask_collection(obj):
    """Whether ``obj`` is a dask collection (array, dataframe, series).

    Decided without importing dask, so that skmi needs dask only when it is
    given dask data.
    """
    module = type(obj).__module__ or ""
    return module.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__")


def any_dask_collection(*objects):
    """Whether any of ``objects`` is a dask collection."""
    return any(is_dask_collection(obj) for obj in objects)


def refuse_dask_collections(owner, **arrays):
    """A TypeError for a dask input where it would be gathered into one process.

    Converting a dask collection with ``np.asarray`` computes it into the
    calling process: on data larger than memory that kills the client (or
    the workers, under a memory limit). Entry points that need all rows in
    one place refuse it and say what to do instead.
    """
    for name, value in arrays.items():
        if is_dask_collection(value):
            raise TypeError(
                f"{owner} does not take dask collections here ({name} is a "
                f"dask {type(value).__name__}): this step needs every row in one process, "
                "so it would gather the data onto this machine. GaussianMutualInfo.fit and "
                "BinnedMutualInfo.fit reduce dask data on the cluster; for other "
                "estimators draw a random subsample on the cluster with "
                "skmi.sample_rows(X, y, n_samples=...) and estimate on it, with "
                "skmi.bootstrap_ci for the interval (see the 'Scaling out' guide). "
                "If the data fit in memory, pass X.compute()."
            )
