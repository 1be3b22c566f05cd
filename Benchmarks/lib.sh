# Shared by the side-by-side benchmark scripts: `source lib.sh`.

# measure LABEL COMMAND...: prints "LABEL seconds peakKiB" for the fastest of $MEASURE_RUNS
# (default 3) runs, each a fresh process timed by /usr/bin/time (wall clock and peak resident
# memory); the peak memory is that of the fastest run. With
# MEASURE_TIMEOUT=SECONDS a run is stopped after that long. A run that fails or is stopped
# ends the repeats and prints "LABEL - -" (its time would not be a result).
measure() {
  local label=$1; shift
  local stats best="" run attempt limit=()
  [ -z "${MEASURE_TIMEOUT:-}" ] || limit=(timeout "$MEASURE_TIMEOUT")
  stats=$(mktemp)
  for ((attempt = 1; attempt <= ${MEASURE_RUNS:-3}; attempt++)); do
    if ! /usr/bin/time -o "$stats" -f "%e %M" "${limit[@]}" "$@" >/dev/null 2>&1; then
      echo "$label failed$([ -z "${MEASURE_TIMEOUT:-}" ] || echo " or ran over ${MEASURE_TIMEOUT} s")" >&2
      best="- -"; break
    fi
    run=$(tail -1 "$stats")
    if [ -z "$best" ] || awk -v a="${run%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$run; fi
  done
  rm -f "$stats"
  echo "$label $best"
}

# prepare PYTHON_PACKAGE...: data directory, system packages, /usr/bin/time, a venv with the
# given packages, and a release `baton` (built in $BATON_SCRATCH, default ../.build, so a
# worktree can keep its own build folder). Sets $data and $baton.
prepare() {
  data=${DATA_DIR:-../data/bench}
  mkdir -p "$data"
  bash ../scripts/setup.sh
  command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q "$@"
  local scratch=${BATON_SCRATCH:-../.build}
  swift build -c release --package-path .. --product baton --scratch-path "$scratch" >/dev/null
  baton=$scratch/release/baton
}
