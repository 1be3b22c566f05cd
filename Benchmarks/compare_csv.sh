#!/usr/bin/env bash
# Side-by-side CSV parsing benchmark (release build, one run, same thread count for everyone):
# time and peak memory (/usr/bin/time) to parse the db-benchmark group-by CSV into columns.
#   Baton:      baton convert FILE.csv out.baton            (parse + encode + write a file)
#   Baton:      baton schema --full FILE.csv                (parse only, discards the rows)
#   DuckDB:     CREATE TABLE t AS SELECT * FROM read_csv(FILE)
#   Polars:     pl.read_csv(FILE)
#   DataFusion: SessionContext().read_csv(FILE).collect()
# Usage: bash Benchmarks/compare_csv.sh [ROWS] [THREADS]   (defaults 10000000, 2)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
threads=${2:-2}
source lib.sh
prepare duckdb polars datafusion
csv=$data/groupby-$rows.csv
[ -f "$csv" ] || $baton generate groupby --rows "$rows" --output "$csv"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
py=.venv/bin/python


# Five runs each: on a shared 2-core virtual machine single runs vary by 20% or more.
export MEASURE_RUNS=${MEASURE_RUNS:-5}
echo "== parse $csv ($(du -m "$csv" | cut -f1) MB, $rows rows), $threads threads, fastest of $MEASURE_RUNS fresh processes"
{
# The previous run's output is removed first (freeing its pages is not part of this run's work).
measure "baton:convert" sh -c "rm -f '$out/g.baton'; exec '$baton' convert '$csv' '$out/g.baton' --threads $threads"
measure "baton:parse-only" $baton schema --full "$csv" --threads "$threads"
measure "duckdb" $py -c "import duckdb; c = duckdb.connect(); c.execute('SET threads=$threads'); c.execute(\"create table t as select * from read_csv('$csv')\")"
measure "polars" env POLARS_MAX_THREADS="$threads" $py -c "import polars as pl; pl.read_csv('$csv')"
measure "datafusion" $py -c "
from datafusion import SessionContext, SessionConfig
ctx = SessionContext(SessionConfig().with_target_partitions($threads))
ctx.read_csv('$csv').collect()"
} | awk '
  { label[NR]=$1; t[NR]=$2; m[NR]=$3 }
  END {
    printf "%-18s %8s %9s %12s\n", "engine", "seconds", "peak MiB", "vs baton"
    for (i = 1; i <= NR; i++) printf "%-18s %8.2f %9.0f %11.2fx\n", label[i], t[i], m[i] / 1024, t[i] / t[1]
  }'
echo "(the peers' times include starting Python and importing the library)"
