"""Beyond one process: Dask clusters."""
