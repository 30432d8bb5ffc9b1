#!/usr/bin/env bash
# Packing quality of berth's strategies on the public vector bin packing
# sets, side by side with baselines and published figures.
#
#   scripts/bench-quality.sh [BENCH_DIR]
#
# BENCH_DIR holds <set>/instances and <set>/optima.csv. Without it, the
# instances kept in the repository (vbp/testdata/public/vbp.tar.gz, see the
# README there for source and licence) are checked against their sha256 and
# unpacked into ${TMPDIR:-/tmp}/berth-vbp, so this works from a clean clone.
#
# Runs `berth bench vbp` for every strategy on the `new` and `panigrahy`
# sets (construction only), and berth with its improvement phase at BUDGET
# per instance (default 1s), JOBS instances in parallel (default: the
# number of CPUs), then writes docs/benchmarks/quality.md. The raw JSON
# lines are kept in OUT (default $TMPDIR/berth-bench-quality).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=vbp/testdata/public/vbp.tar.gz
sum=34c904a2bba36e163a88b33490db49fbfd321b176a40aee31513dcf0c0c3d410
bench=${1:-}
if [ -z "$bench" ]; then
	data=${TMPDIR:-/tmp}/berth-vbp
	if [ "$(cat "$data/.sha256" 2>/dev/null)" != "$sum" ]; then
		echo "$sum  $archive" | sha256sum -c --quiet - ||
			{ echo "bench-quality: $archive does not match its checksum" >&2; exit 1; }
		echo "== unpacking $archive into $data" >&2
		rm -rf "$data" && mkdir -p "$data"
		tar -xzf "$archive" -C "$data"
		echo "$sum" >"$data/.sha256"
	fi
	bench=$data/vbp
fi
[ -d "$bench/new" ] || { echo "bench-quality: no instance sets in $bench" >&2; exit 1; }
budget=${BUDGET:-1s}
jobs=${JOBS:-$(nproc)}
out=${OUT:-${TMPDIR:-/tmp}/berth-bench-quality}
sets=${SETS:-"new panigrahy"}
strategies=${STRATEGIES:-"ff ffd nomad-online kube-online firstfit bestfit nomad kube spread align"}
mkdir -p "$out" bin
rm -f "$out"/*.jsonl
# Build as `make build` does, with version information.
make --no-print-directory build
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
