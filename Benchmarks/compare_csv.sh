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


# Rounds: every engine once per round, the fastest of the rounds kept. On a shared 2-core
# virtual machine the speed of the whole machine drifts by 10-20% over a minute; interleaving
# exposes every engine to the same drift (five runs of one engine, then five of the next, did
# not).
rounds=${MEASURE_RUNS:-5}
echo "== parse $csv ($(du -m "$csv" | cut -f1) MB, $rows rows), $threads threads, fastest of $rounds rounds of fresh processes"
for ((round = 1; round <= rounds; round++)); do
  # The previous run's output is removed first (freeing its pages is not part of this run's work).
  MEASURE_RUNS=1 measure "baton:convert" sh -c "rm -f '$out/g.baton'; exec '$baton' convert '$csv' '$out/g.baton' --threads $threads"
  MEASURE_RUNS=1 measure "baton:parse-only" $baton schema --full "$csv" --threads "$threads"
  MEASURE_RUNS=1 measure "duckdb" $py -c "import duckdb; c = duckdb.connect(); c.execute('SET threads=$threads'); c.execute(\"create table t as select * from read_csv('$csv')\")"
  MEASURE_RUNS=1 measure "polars" env POLARS_MAX_THREADS="$threads" $py -c "import polars as pl; pl.read_csv('$csv')"
  MEASURE_RUNS=1 measure "datafusion" $py -c "
from datafusion import SessionContext, SessionConfig
ctx = SessionContext(SessionConfig().with_target_partitions($threads))
ctx.read_csv('$csv').collect()"
done | awk '
  # The fastest round of each engine (with the peak memory of that round), in first-seen order.
  $2 == "-" { failed[$1] = 1; next }
  !($1 in t) { order[++n] = $1 }
  !($1 in t) || $2 + 0 < t[$1] + 0 { t[$1] = $2; m[$1] = $3 }
  END {
    printf "%-18s %8s %9s %12s\n", "engine", "seconds", "peak MiB", "vs baton"
    for (i = 1; i <= n; i++) { k = order[i]; printf "%-18s %8.2f %9.0f %11.2fx\n", k, t[k], m[k] / 1024, t[k] / t[order[1]] }
    best = ""
    for (i = 3; i <= n; i++) { k = order[i]; if (best == "" || t[k] < t[best]) best = k }
    printf "baton:convert / fastest peer (%s): %.2f\n", best, t[order[1]] / t[best]
  }'
echo "(the peers' times include starting Python and importing the library)"
