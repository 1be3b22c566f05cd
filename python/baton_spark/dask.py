"""Dask: `DataFrame.map_partitions` with one `baton stage` process per partition."""
import pyarrow as pa

from .stage import BatonStage, conform, find_baton


def map_partitions(ddf, sql, meta, baton_path=None):
    """Runs `sql` (over the table `input`) on every partition of the Dask DataFrame `ddf`.

    `meta` declares the output, as Dask requires: an empty pandas DataFrame, or a dict of column
    names to dtypes, in the query's output order. Every worker must be able to run the baton
    binary at `baton_path` ($BATON or PATH by default).
    """
    import pandas as pd

    baton = find_baton(baton_path)
    if isinstance(meta, dict):
        meta = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in meta.items()})
    output = _arrow_schema(meta)

    def partition(frame):
        table = _without_null_columns(pa.Table.from_pandas(frame, preserve_index=False))
        stage = BatonStage(sql, baton)
        batches = [conform(batch, output) for batch in stage.run(iter(table.to_batches()), table.schema)]
        result = pa.Table.from_batches(batches, schema=output).to_pandas()
        return result.astype(meta.dtypes.to_dict())

    return ddf.map_partitions(partition, meta=meta)


def _arrow_schema(meta):
    """The Arrow schema of `meta`'s dtypes (object columns are strings, as Baton returns them)."""
    fields = []
    for name, dtype in meta.dtypes.items():
        if dtype == object or str(dtype) in ("string", "str"):
            fields.append(pa.field(name, pa.string()))
        else:
            fields.append(pa.field(name, pa.from_numpy_dtype(dtype)))
    return pa.schema(fields)


def _without_null_columns(table):
    """pandas object columns with no values (an empty partition) become Arrow's `null` type,
    which Baton does not read: send them as strings."""
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(i, pa.field(field.name, pa.string()), table.column(i).cast(pa.string()))
    return table
