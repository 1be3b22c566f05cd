#!/usr/bin/env bash
# Spilling under one memory limit, side by side with DuckDB (same limit, same thread count,
# a temp directory each): db-benchmark q10 (1e7 groups over 1e7 rows, from the CSV), a full sort
# of the table written out as CSV, and a self-join on (id3, id6) whose build side is the whole
# table. Each a fresh process, fastest of 3 (wall clock and peak RSS from /usr/bin/time).
# The goal: Baton finishes every case with peak RSS at most the limit plus 160 MiB, in at most
# 0.75 times DuckDB's time.
# Usage: bash Benchmarks/compare_spill.sh [ROWS] [LIMIT_MB] [THREADS]   (defaults 10000000, 256, 2)
set -euo pipefail
cd "$(dirname "$0")"
rows=${1:-10000000}
limit=${2:-256}
threads=${3:-2}
export MEASURE_TIMEOUT=${MEASURE_TIMEOUT:-300}
source lib.sh
prepare duckdb
csv=$data/groupby-$rows.csv
[ -f "$csv" ] || $baton generate groupby --rows "$rows" --output "$csv"
out=$(mktemp -d -p "$data")
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/baton-tmp" "$out/duckdb-tmp"
py=.venv/bin/python

q10="SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, id2, id3, id4, id5, id6"
sort="SELECT * FROM x ORDER BY v3 DESC, id6, id3"
join="SELECT count(*) AS n, sum(b.v3) AS v3 FROM x a JOIN x b ON a.id3 = b.id3 AND a.id6 = b.id6"
duck() {  # duck NAME SQL: writes the DuckDB script of one case (same limit, result as CSV)
  cat > "$out/duck-$1.py" <<PY
import duckdb
con = duckdb.connect()
con.execute("SET threads=$threads; SET memory_limit='${limit}MB'; SET temp_directory='$out/duckdb-tmp'; SET preserve_insertion_order=false")
con.execute("CREATE VIEW x AS SELECT * FROM read_csv('$csv')")
con.execute("""COPY ($2) TO '$out/duckdb-$1.csv' (FORMAT csv)""")
PY
}

echo "== spilling at --memory-limit ${limit}MB over $csv ($rows rows), $threads threads, fastest of 3"
printf '%-6s %12s %10s %12s %10s %7s\n' case baton_s baton_MiB duckdb_s duckdb_MiB ratio
source_csv="'$csv'"  # kept in a variable: quotes in a ${s/x/y} replacement are removed
for name in q10 sort join; do
  s=${!name}
  bs=${s//FROM x/FROM $source_csv}
  bs=${bs//JOIN x/JOIN $source_csv}
  b=$(measure baton $baton query "$bs" --threads "$threads" --memory-limit "${limit}MB" \
        --temp-dir "$out/baton-tmp" --output "$out/baton-$name.csv")
  duck "$name" "$s"
  d=$(measure duckdb $py "$out/duck-$name.py")
  read -r _ bt bm <<< "$b"
  read -r _ dt dm <<< "$d"
  ratio=$(awk -v a="$bt" -v b="$dt" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
  printf '%-6s %12s %10s %12s %10s %7s\n' "$name" "$bt" "$([ "$bm" = - ] && echo - || echo $((bm / 1024)))" \
    "$dt" "$([ "$dm" = - ] && echo - || echo $((dm / 1024)))" "$ratio"
done
