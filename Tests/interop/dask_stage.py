"""A Baton stage through Dask's map_partitions on a million rows, empty partitions among them,
checked against the same query run by Baton alone over the whole data."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import dask.dataframe as dd  # noqa: E402
from baton_spark import map_partitions  # noqa: E402

BATON = os.environ.get("BATON", ".build/debug/baton")
ROWS = 1_000_000
QUERY = "SELECT id, v * 2 AS v2, upper(name) AS name, day FROM {} WHERE v > 0.25 AND name <> 'k3'"


def data():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "id": np.arange(ROWS, dtype="int64"),
        "v": rng.random(ROWS),
        "name": pd.array([f"k{i % 7}" for i in range(ROWS)], dtype=object),
        "day": pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(ROWS) % 1000, unit="s"),
    })
    frame.loc[frame.index % 97 == 0, "v"] = np.nan
    return frame


def main():
    frame = data()
    empty = frame.iloc[0:0]
    # Eight partitions of data with empty ones before, between and after them.
    ddf = dd.concat([dd.from_pandas(empty, npartitions=1), dd.from_pandas(frame.iloc[: ROWS // 2], npartitions=4),
                     dd.from_pandas(empty, npartitions=1), dd.from_pandas(frame.iloc[ROWS // 2:], npartitions=4),
                     dd.from_pandas(empty, npartitions=1)])
    meta = {"id": "int64", "v2": "float64", "name": "object", "day": "datetime64[us]"}
    staged = map_partitions(ddf, QUERY.format("input"), meta=meta, baton_path=BATON).compute()
    staged = staged.sort_values("id").reset_index(drop=True)

    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "all.arrow")
        feather.write_feather(pa.Table.from_pandas(frame, preserve_index=False), path)
        out = subprocess.run([BATON, "query", QUERY.format(f"'{path}'"), "--format", "arrow"],
                             capture_output=True, check=True).stdout
    alone = ipc.open_stream(pa.BufferReader(out)).read_all().to_pandas()
    alone["day"] = alone["day"].astype("datetime64[us]")
    alone["name"] = alone["name"].astype(object)  # a dictionary column arrives as a categorical
    alone = alone.sort_values("id").reset_index(drop=True)

    problems = []
    if len(staged) != len(alone):
        problems.append(f"{len(staged)} rows through Dask, {len(alone)} from Baton alone")
    elif not staged.equals(alone):
        for column in alone.columns:
            if not staged[column].equals(alone[column]):
                problems.append(f"column {column} differs")
    if ddf.npartitions != 11:
        problems.append(f"{ddf.npartitions} partitions, expected 11 (3 empty)")
    if problems:
        print("dask stage: FAIL: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"dask stage: {len(staged)} rows from {ddf.npartitions} partitions (3 empty) match Baton alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
