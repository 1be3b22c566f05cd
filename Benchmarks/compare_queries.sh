#!/usr/bin/env bash
# Side-by-side query benchmark (release build, same thread count for everyone): the ten
# db-benchmark group-by questions over the generated group-by CSV, end to end in a fresh
# process each (fastest of 3: wall clock and peak memory from /usr/bin/time).
#   baton:csv    baton query "... FROM 'groupby.csv' ..."        (CSV result to /dev/null)
#   baton:file   the same over a .baton file made by baton convert
#   duckdb:csv   COPY (... FROM read_csv('groupby.csv') ...) TO '/dev/null' (FORMAT csv)
#   polars:csv   pl.scan_csv(...)....collect(engine='streaming').write_csv('/dev/null')
# Every engine formats its whole result as CSV, so none can skip work. ratio is baton:csv's
# time over the faster of duckdb:csv and polars:csv (above 1: Baton is slower).
# A run over TIMEOUT seconds is stopped and shown as "-".
# Usage: bash Benchmarks/compare_queries.sh [ROWS] [THREADS] [TIMEOUT]   (defaults 10000000, 2, 60)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
threads=${2:-2}
export MEASURE_TIMEOUT=${3:-60}
source lib.sh
prepare duckdb polars
csv=$data/groupby-$rows.csv
[ -f "$csv" ] || $baton generate groupby --rows "$rows" --output "$csv"
out=$(mktemp -d -p "$data")
trap 'rm -rf "$out"' EXIT
# Converted afresh so the file is always in the format of the baton under test.
$baton convert "$csv" "$out/groupby.baton" --threads "$threads" 2>/dev/null
py=.venv/bin/python
# Sources as they are written in FROM (kept in variables: quotes in a ${s/x/y} replacement are removed).
from_csv="'$csv'" from_file="'$out/groupby.baton'" from_duckdb="read_csv('$csv')"

# The db-benchmark SQL (DuckDB's); x is the table.
sql=(
  [1]="SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1"
  [2]="SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2"
  [3]="SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3"
  [4]="SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4"
  [5]="SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6"
  [6]="SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5"
  [7]="SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3"
  [8]="SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2"
  [9]="SELECT id2, id4, pow(corr(v1, v2), 2) AS r2_v1_v2 FROM x GROUP BY id2, id4"
  [10]="SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, id2, id3, id4, id5, id6"
)
# The db-benchmark Polars code; x is the LazyFrame.
polars=(
  [1]="x.group_by('id1').agg(pl.sum('v1'))"
  [2]="x.group_by('id1', 'id2').agg(pl.sum('v1'))"
  [3]="x.group_by('id3').agg(pl.sum('v1'), pl.mean('v3'))"
  [4]="x.group_by('id4').agg(pl.mean('v1'), pl.mean('v2'), pl.mean('v3'))"
  [5]="x.group_by('id6').agg(pl.sum('v1'), pl.sum('v2'), pl.sum('v3'))"
  [6]="x.group_by('id4', 'id5').agg(pl.median('v3').alias('median_v3'), pl.std('v3').alias('sd_v3'))"
  [7]="x.group_by('id3').agg((pl.max('v1') - pl.min('v2')).alias('range_v1_v2'))"
  [8]="x.drop_nulls('v3').sort('v3', descending=True).group_by('id6').agg(pl.col('v3').head(2).alias('largest2_v3')).explode('largest2_v3')"
  [9]="x.group_by('id2', 'id4').agg((pl.corr('v1', 'v2') ** 2).alias('r2_v1_v2'))"
  [10]="x.group_by('id1', 'id2', 'id3', 'id4', 'id5', 'id6').agg(pl.sum('v3'), pl.len().alias('count'))"
)

echo "== group-by queries over $csv ($(du -m "$csv" | cut -f1) MB, $rows rows), $threads threads, fastest of 3 fresh processes"
{
for q in $(seq 1 10); do
  s=${sql[$q]}
  measure "q$q baton:csv" $baton query "${s/FROM x/FROM $from_csv}" --threads "$threads"
  measure "q$q baton:file" $baton query "${s/FROM x/FROM $from_file}" --threads "$threads"
  measure "q$q duckdb:csv" $py -c "import duckdb; c = duckdb.connect(); c.execute('SET threads=$threads')
c.execute(\"COPY (${s/FROM x/FROM $from_duckdb}) TO '/dev/null' (FORMAT csv, HEADER)\")"
  measure "q$q polars:csv" env POLARS_MAX_THREADS="$threads" $py -c "import polars as pl; x = pl.scan_csv('$csv')
(${polars[$q]}).collect(engine='streaming').write_csv('/dev/null')"
done
measure "- python+duckdb" $py -c "import duckdb; duckdb.connect()"
measure "- python+polars" $py -c "import polars"
} | tee "$out/raw" >&2
awk '
  function cell(k) { return t[k] == "-" ? sprintf("%7s %7s", "-", "-") : sprintf("%7.2f %7.0f", t[k], m[k] / 1024) }
  { t[$1 " " $2] = $3; m[$1 " " $2] = $4 }
  $1 != "-" && !seen[$1]++ { order[++n] = $1 }
  END {
    split("baton:csv baton:file duckdb:csv polars:csv", e, " ")
    printf "%-5s", "query"; for (i = 1; i <= 4; i++) printf " %15s", e[i]; printf " %7s\n", "ratio"
    printf "%-5s", ""; for (i = 1; i <= 4; i++) printf " %7s %7s", "s", "MiB"; printf "\n"
    for (j = 1; j <= n; j++) {
      q = order[j]; printf "%-5s", q
      for (i = 1; i <= 4; i++) printf " %s", cell(q " " e[i])
      b = t[q " baton:csv"]; d = t[q " duckdb:csv"]; p = t[q " polars:csv"]
      best = (d == "-") ? p : (p == "-" || d + 0 < p + 0) ? d : p
      if (b == "-" || best == "-" || best + 0 == 0) printf " %7s\n", "-"; else printf " %6.2fx\n", b / best
    }
    printf "(Python with duckdb imported: %s s, %.0f MiB; with polars: %s s, %.0f MiB; included in their times)\n",
      t["- python+duckdb"], m["- python+duckdb"] / 1024, t["- python+polars"], m["- python+polars"] / 1024
  }' "$out/raw"
