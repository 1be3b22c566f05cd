"""Run a Baton stage inside Spark and Dask: each partition's rows are piped through one
`baton stage` process as an Arrow IPC stream (stdin to stdout).

    from baton_spark import map_in_arrow, map_partitions
    out = map_in_arrow(df, "SELECT id, v * 2 AS v2 FROM input WHERE v > 0", "id long, v2 double")
    out = map_partitions(ddf, "SELECT id, v * 2 AS v2 FROM input WHERE v > 0", meta={"id": "int64", "v2": "float64"})

The query sees one partition at a time as the table `input`, so it must be meaningful per
partition (filters, projections, per-key aggregates after repartitioning by the key).
"""
from .stage import BatonStage, find_baton, run_stage
from .spark import map_in_arrow
from .dask import map_partitions

__all__ = ["BatonStage", "find_baton", "run_stage", "map_in_arrow", "map_partitions"]
