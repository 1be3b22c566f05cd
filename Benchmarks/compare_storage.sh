#!/usr/bin/env bash
# Side-by-side storage benchmark on the db-benchmark group-by data (release builds, one run):
#   - file size: CSV, Parquet written by pyarrow with zstd, Baton (--codec auto and others);
#   - time and peak memory (/usr/bin/time) to load the whole table into memory:
#     Baton from .baton, pyarrow from Parquet, and pyarrow, DuckDB and Polars from the CSV.
# Usage: bash Benchmarks/compare_storage.sh [ROWS]   (default 10000000)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
source lib.sh
prepare pyarrow duckdb polars
swift build -c release >/dev/null
bench=.build/release/baton-bench

csv=$data/groupby-$rows.csv
bf=$data/groupby-$rows.baton
pq=$data/groupby-$rows.parquet
[ -f "$csv" ] || $baton generate groupby --rows "$rows" --output "$csv"
$baton generate groupby --rows "$rows" --output "$bf"
.venv/bin/python - "$csv" "$pq" <<'PY'
import sys, pyarrow.csv as pc, pyarrow.parquet as pq
t = pc.read_csv(sys.argv[1])
pq.write_table(t, sys.argv[2], compression="zstd")
PY


echo "== sizes, $rows rows"
printf "%-28s %10s\n" format MiB
for f in "$csv:CSV" "$pq:Parquet (pyarrow, zstd)" "$bf:Baton (auto)"; do
  printf "%-28s %10.1f\n" "${f#*:}" "$(echo "$(stat -c %s "${f%%:*}") / 1048576" | bc -l)"
done
echo
if [ -z "${SKIP_CODECS:-}" ]; then
echo "== codecs (baton-bench storage, best of 3)"
$bench storage --rows "$rows" --repeat 3 --dir "$data"
fi
echo
echo "== load the whole table into memory (fastest of 3 runs; wall seconds, peak RSS MiB)"
py=.venv/bin/python
{
measure "baton:.baton" $bench read "$bf" --repeat 1 --keep
measure "pyarrow:parquet" $py -c "import pyarrow.parquet as pq; pq.read_table('$pq')"
measure "pyarrow:csv" $py -c "import pyarrow.csv as pc; pc.read_csv('$csv')"
measure "duckdb:csv" $py -c "import duckdb; duckdb.sql(\"create table t as select * from read_csv('$csv')\")"
measure "polars:csv" $py -c "import polars as pl; pl.read_csv('$csv')"
measure "duckdb:parquet" $py -c "import duckdb; duckdb.sql(\"create table t as select * from read_parquet('$pq')\")"
} | awk -v base="" '
  { label[NR]=$1; t[NR]=$2; m[NR]=$3 }
  END {
    printf "%-18s %8s %9s %12s\n", "reader:input", "seconds", "peak MiB", "vs baton"
    for (i = 1; i <= NR; i++) printf "%-18s %8.2f %9.0f %11.1fx\n", label[i], t[i], m[i] / 1024, t[i] / t[1]
  }'
echo "(python startup, about 0.05-0.3 s for the imports, is included in the peers' times)"
