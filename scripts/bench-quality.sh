#!/usr/bin/env bash
# Packing quality of berth's strategies on the public vector bin packing
# sets, side by side with baselines and published figures.
#
#   scripts/bench-quality.sh [BENCH_DIR]     (default ../shared/bench/vbp)
#
# Runs `berth bench vbp` for every strategy on the `new` and `panigrahy`
# sets (construction only), and berth with its improvement phase at BUDGET
# per instance (default 1s), JOBS instances in parallel (default: the
# number of CPUs), then writes docs/benchmarks/quality.md. The raw JSON
# lines are kept in OUT (default $TMPDIR/berth-bench-quality).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-../shared/bench/vbp}
budget=${BUDGET:-1s}
jobs=${JOBS:-$(nproc)}
out=${OUT:-${TMPDIR:-/tmp}/berth-bench-quality}
sets=${SETS:-"new panigrahy"}
strategies=${STRATEGIES:-"ff ffd nomad-online kube-online firstfit bestfit nomad kube spread align"}
mkdir -p "$out" bin
rm -f "$out"/*.jsonl
go build -tags libvirt_dlopen -o bin/berth ./cmd/berth
for set in $sets; do
	for s in $strategies; do
		echo "== $set $s (construction only)" >&2
		bin/berth bench vbp --strategy "$s" --budget 0 --jobs "$jobs" "$bench/$set/instances" >"$out/$set.$s.0.jsonl"
	done
	echo "== $set align + improvement ($budget)" >&2
	bin/berth bench vbp --strategy align --budget "$budget" --jobs "$jobs" "$bench/$set/instances" >"$out/$set.align.$budget.jsonl"
done
go run -tags libvirt_dlopen ./cmd/bench-quality -results "$out" -bench "$bench" -budget "$budget" -out docs/benchmarks/quality.md
echo "wrote docs/benchmarks/quality.md" >&2
