# Shared by the side-by-side benchmark scripts: `source lib.sh`.

# measure LABEL COMMAND...: prints "LABEL seconds peakKiB" for the fastest of 3 runs, each a
# fresh process timed by /usr/bin/time (wall clock and peak resident memory).
measure() {
  local label=$1; shift
  local stats best="" run
  stats=$(mktemp)
  for run in 1 2 3; do
    /usr/bin/time -o "$stats" -f "%e %M" "$@" >/dev/null 2>&1 || echo "$label failed" >&2
    run=$(tail -1 "$stats")
    if [ -z "$best" ] || awk -v a="${run%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$run; fi
  done
  rm -f "$stats"
  echo "$label $best"
}

# prepare PYTHON_PACKAGE...: data directory, system packages, /usr/bin/time, a venv with the
# given packages, and a release `baton`. Sets $data and $baton.
prepare() {
  data=${DATA_DIR:-../data/bench}
  mkdir -p "$data"
  bash ../scripts/setup.sh
  command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q "$@"
  swift build -c release --package-path .. --product baton >/dev/null
  baton=../.build/release/baton
}
