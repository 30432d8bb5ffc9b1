#!/usr/bin/env bash
# The whole path at scale, end to end (docs/BENCHMARKS.md, "Whole path at
# scale"): generate a fleet of HOSTS hosts (default 10000) with RUNNING
# running guests (default 10000) and NEW demanded guests (default 100000),
# then time `berth plan -f FLEET --budget 0 -o json` with /usr/bin/time -v
# and report wall and CPU time, peak memory and the plan's size.
#
#   scripts/bench-scale.sh [BERTH]          (default bin/berth)
set -euo pipefail
cd "$(dirname "$0")/.."
berth=${1:-bin/berth}
hosts=${HOSTS:-10000}
running=${RUNNING:-10000}
new=${NEW:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench-scale.XXXXXX")
trap 'rm -rf "$dir"' EXIT
if [ ! -x /usr/bin/time ]; then
	echo "bench-scale: /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi
"$berth" scenarios generate --hosts "$hosts" --running "$running" --new "$new" >"$dir/fleet.yaml"
/usr/bin/time -v -o "$dir/time" "$berth" plan -f "$dir/fleet.yaml" --budget 0 -o json >"$dir/plan.json"
get() { sed -n "s/^[[:space:]]*$1: //p" "$dir/time"; }
printf 'berth plan, %s hosts / %s running / %s demanded, --budget 0 -o json:\n' "$hosts" "$running" "$new"
printf '  wall %s, user %ss, system %ss, peak RSS %s MB, fleet %s bytes, plan %s bytes\n' \
	"$(get 'Elapsed (wall clock) time (h:mm:ss or m:ss)')" "$(get 'User time (seconds)')" \
	"$(get 'System time (seconds)')" "$(( $(get 'Maximum resident set size (kbytes)') / 1024 ))" \
	"$(wc -c <"$dir/fleet.yaml")" "$(wc -c <"$dir/plan.json")"
