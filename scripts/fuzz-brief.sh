#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME, default 5s each), so CI exercises
# the parsers with inputs nobody wrote down. The seeds alone already run as
# part of `go test`.
set -euo pipefail
fuzztime=${FUZZTIME:-5s}
for pkg in $(go list -tags libvirt_dlopen ./...); do
	dir=$(go list -tags libvirt_dlopen -f '{{.Dir}}' "$pkg")
	for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz $pkg $fn ($fuzztime)"
		go test -tags libvirt_dlopen -run '^$' -fuzz "^$fn\$" -fuzztime "$fuzztime" "$pkg"
	done
done
