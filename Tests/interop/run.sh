#!/usr/bin/env bash
# Interoperability of Baton's Arrow IPC with pyarrow, and a Baton stage inside Dask: creates
# Tests/interop/.venv with pyarrow and dask once (later runs reuse it), then runs the scripts
# against the debug build of baton.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=Tests/interop/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyarrow, dask.dataframe" 2>/dev/null; then
    "$venv/bin/pip" install --quiet pyarrow "dask[dataframe]"
fi
export BATON="${BATON:-$PWD/.build/debug/baton}"
"$venv/bin/python" Tests/interop/arrow_interop.py
"$venv/bin/python" Tests/interop/dask_stage.py
