#!/usr/bin/env bash
# Interoperability of Baton's Arrow IPC with pyarrow: creates Tests/interop/.venv with pyarrow
# once (later runs reuse it), then runs arrow_interop.py against the debug build of baton.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=Tests/interop/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyarrow" 2>/dev/null; then
    "$venv/bin/pip" install --quiet pyarrow
fi
BATON="${BATON:-$PWD/.build/debug/baton}" "$venv/bin/python" Tests/interop/arrow_interop.py
