"""Batch experiments: a design of seeded runs (grid, Sobol, Morris), run on local processes or
a Dask cluster, written as tidy Parquet tables, with their summary and sensitivity indices."""
