#!/usr/bin/env bash
# Times `weft dev` from start to its "everything ready" line, several runs,
# each stopped with SIGINT before the next. Usage, from the repository root:
#   deploy/local/time-to-ready.sh [runs] [weft dev flags...]
# Runs in a scratch directory so the project's own .weft/ is left alone.
set -euo pipefail
runs=${1:-5}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for i in $(seq "$runs"); do
  log="$scratch/run-$i.log"
  start=$(date +%s.%N)
  (cd "$scratch" && exec node "$root/packages/cli/src/main.ts" dev --web-port 0 "$@") >"$log" 2>&1 &
  pid=$!
  until grep -qs 'everything ready' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run $i: weft dev exited before it was ready:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.05
  done
  end=$(date +%s.%N)
  printf 'run %d: %.1f s to ready (weft dev says: %s)\n' "$i" "$(awk "BEGIN { print $end - $start }")" \
    "$(grep -o 'everything ready ([0-9.]*s)' "$log")"
  kill -INT "$pid"
  wait "$pid" || true
done
