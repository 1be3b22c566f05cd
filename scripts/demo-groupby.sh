#!/usr/bin/env bash
# Baton's main job on generated data: build, generate the db-benchmark group-by data set as
# CSV, convert it to a Baton file (sniffing and parsing in parallel), inspect the file, and
# print part of it with a filtered, projected scan, then run SQL over both files.
# ROWS=10000000 bash scripts/demo-groupby.sh for the 1e7-row data set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product baton
baton=.build/release/baton
rows=${ROWS:-1000000}
mkdir -p data
$baton generate groupby --rows "$rows" --groups 100 --output data/groupby.csv
echo "--- inferred schema"
$baton schema data/groupby.csv
echo "--- convert"
$baton convert data/groupby.csv data/groupby.baton
$baton inspect data/groupby.baton --summary
echo "--- first 5 rows"
$baton cat data/groupby.baton --limit 5
echo "--- rows where id4 = 7 and v1 = 5, first 5, with scan statistics"
$baton cat data/groupby.baton --where "id4 = 7" --where "v1 = 5" --columns id1,id4,v1,v3 --limit 5 --stats
echo "--- SQL from the CSV: sum of v1 per id1 (db-benchmark q1), first 5 groups"
$baton query "SELECT id1, sum(v1) AS v1 FROM 'data/groupby.csv' GROUP BY id1 ORDER BY id1 LIMIT 5" --format table
echo "--- SQL from the .baton file: the two largest v3 per id6 (q8), with the plan and per-operator figures"
$baton explain --analyze "SELECT id6, v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS r FROM 'data/groupby.baton' WHERE v3 IS NOT NULL) t WHERE r <= 2"
