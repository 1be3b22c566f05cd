#!/usr/bin/env bash
# Correctness of `baton query` against DuckDB (release build): the ten db-benchmark group-by
# questions over a generated group-by CSV and over the same rows converted to a .baton file,
# and TPC-H Q1, Q3, Q6 and Q10 over tpchgen-cli CSV files. Integers, strings and dates must
# match exactly, floats to a relative 1e-9 (1e-12 absolute near zero); rows are compared as
# multisets unless ORDER BY fixes their order. One PASS/FAIL line per query (with the first
# differing row); exits 1 on any FAIL. The queries and the comparison are in check_queries.py.
# Usage: bash Benchmarks/check_queries.sh [ROWS] [TPCH_SCALE] [THREADS]   (defaults 1000000, 0.1, 2)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-1000000}
sf=${2:-0.1}
threads=${3:-2}
source lib.sh
prepare duckdb tpchgen-cli
csv=$data/groupby-$rows.csv
[ -f "$csv" ] || $baton generate groupby --rows "$rows" --output "$csv"
tpch=$data/tpch-sf$sf
if [ ! -f "$tpch/lineitem.csv" ]; then
  rm -rf "$tpch.tmp-gen"
  .venv/bin/tpchgen-cli csv --scale-factor "$sf" --tables customer,orders,lineitem,nation \
    --output-dir "$tpch.tmp-gen" --quiet
  rm -rf "$tpch" && mv "$tpch.tmp-gen" "$tpch"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Converted afresh so the file is always in the format of the baton under test.
$baton convert "$csv" "$out/groupby.baton" --threads "$threads" 2>/dev/null

echo "== baton vs duckdb: group-by $rows rows, TPC-H SF $sf, $threads threads"
.venv/bin/python check_queries.py --baton "$baton" --groupby "$csv" --groupby-baton "$out/groupby.baton" \
  --tpch "$tpch" --threads "$threads"
