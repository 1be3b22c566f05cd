#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: system packages, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
# pyarrow reads what Baton writes and the other way round (creates Tests/interop/.venv once).
bash Tests/interop/run.sh
