#!/usr/bin/env bash
# Baton's main job: the example ETL pipeline (examples/sales/pipeline.yaml) on generated data.
# Builds Baton, generates a retail data set (customers, products, orders in 4 CSV files),
# validates and plans the pipeline, runs it (sources read in parallel, a join, aggregations,
# checks, outputs renamed into place at the end), then runs it again to show that unchanged
# stages are skipped. ORDERS=10000000 bash scripts/demo.sh for a larger data set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product baton
baton=.build/release/baton
orders=${ORDERS:-1000000}
example=examples/sales
if [ ! -f "$example/data/.orders-$orders" ]; then
    rm -rf "$example/data"
    $baton generate sales --orders "$orders" --output-dir "$example/data"
    touch "$example/data/.orders-$orders"
fi
echo "--- validate"
$baton validate $example/pipeline.yaml
echo "--- the stage graph (Mermaid)"
$baton graph $example/pipeline.yaml
echo "--- run"
$baton run $example/pipeline.yaml --progress plain
echo "--- run again: nothing changed, every stage is skipped"
$baton run $example/pipeline.yaml --progress plain 2>&1 | tail -3
echo "--- outputs"
ls -l $example/out $example/out/order_lines
head -5 $example/out/revenue_by_country.csv
head -3 $example/out/top_customers.jsonl
echo "--- past runs"
$baton runs $example/pipeline.yaml
