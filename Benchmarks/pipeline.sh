#!/usr/bin/env bash
# The example pipeline (examples/sales/pipeline.yaml) on generated data: a cold run (empty
# workspace), a re-run with nothing changed (goal: under a second), and a re-run after one
# source (customers.csv) changed. Prints wall time and peak memory of each (one fresh process
# each: a re-run's time depends on the workspace the run before it left).
# Usage: bash Benchmarks/pipeline.sh [ORDERS]   (default 10000000)
set -euo pipefail
cd "$(dirname "$0")"
orders=${1:-10000000}
scratch=${BATON_SCRATCH:-../.build}
bash ../scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
swift build -c release --package-path .. --product baton --scratch-path "$scratch" >/dev/null
baton=$(cd "$scratch/release" && pwd)/baton
work=${DATA_DIR:-../data/bench}/pipeline-$orders
mkdir -p "$work"
cp ../examples/sales/pipeline.yaml "$work/pipeline.yaml"
if [ ! -f "$work/data/.complete" ]; then
  "$baton" generate sales --orders "$orders" --output-dir "$work/data"
  touch "$work/data/.complete"
fi
cp "$work/data/customers.csv" "$work/customers.original"
rm -rf "$work/.baton" "$work/out"
timed() {
  local label=$1; shift
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
  read -r seconds kib < "$work/time.txt"
  printf '%-28s %8s s %8s MiB\n' "$label" "$seconds" "$((kib / 1024))"
}
echo "pipeline of $orders orders, $(du -sh "$work/data" | cut -f1) of CSV, $(nproc) threads"
timed "cold run" "$baton" run "$work/pipeline.yaml" --progress none
timed "re-run, nothing changed" "$baton" run "$work/pipeline.yaml" --progress none
# One customer's segment changes: customers and what reads it run again, orders does not.
sed -i '2s/,consumer,/,corporate,/; 2s/,home_office,/,consumer,/' "$work/data/customers.csv"
timed "re-run, customers changed" "$baton" run "$work/pipeline.yaml" --progress none
cp "$work/customers.original" "$work/data/customers.csv"
"$baton" runs "$work/pipeline.yaml" | tail -3
