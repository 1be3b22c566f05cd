#!/usr/bin/env bash
# Interoperability of Baton's Arrow IPC with pyarrow, and a Baton stage inside Dask and inside
# PySpark (local mode, Java 17): creates Tests/interop/.venv with pyarrow, dask and pyspark once
# (later runs reuse it), then runs the scripts against the debug build of baton. About a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=Tests/interop/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyarrow, dask.dataframe, pyspark" 2>/dev/null; then
    "$venv/bin/pip" install --quiet pyarrow "dask[dataframe]" pyspark
fi
export BATON="${BATON:-$PWD/.build/debug/baton}"
"$venv/bin/python" Tests/interop/arrow_interop.py
"$venv/bin/python" Tests/interop/dask_stage.py
"$venv/bin/python" Tests/interop/spark_stage.py
