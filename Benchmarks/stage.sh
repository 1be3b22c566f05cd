#!/usr/bin/env bash
# baton stage: throughput on an Arrow IPC stream (rows/s, MB/s of input), and a PySpark job
# (local mode) running the same transformation through map_in_arrow and in PySpark alone, in
# one run (see stage_bench.py). Release build; Java 17 for Spark.
# Usage: bash Benchmarks/stage.sh [ROWS] [SPARK_ROWS]   (defaults 10000000, 10000000)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
spark_rows=${2:-10000000}
source lib.sh
prepare pyarrow pandas pyspark
.venv/bin/python stage_bench.py --baton "$baton" --rows "$rows" --spark-rows "$spark_rows" --data "$data"
