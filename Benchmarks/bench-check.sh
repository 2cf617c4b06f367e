#!/usr/bin/env bash
# `make bench-check` (and CI, after `make test`): a fresh run of the package-benchmark suites, release
# build, whose p90 malloc counts Benchmarks/check-thresholds.py compares with Benchmarks/Thresholds.
#
# swift-package's plugin host (SwiftPM 6.3) crashed here once in six runs with SIGSEGV in libdispatch
# while reading the benchmark plugin's messages, before any benchmark ran (exit 139). That crash, and
# only that one, is run once more; any other failure of the benchmarks fails at once.
set -uo pipefail
cd "$(dirname "$0")"
SWIFT=${SWIFT:-swift}
fresh=.build/fresh-thresholds

run() {
    rm -rf "$fresh"
    "$SWIFT" package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update --path "$fresh"
}

run
status=$?
if [ "$status" -eq 139 ]; then
    echo "bench-check: swift-package crashed (SIGSEGV, exit 139) before the thresholds were written; running it once more"
    run
    status=$?
fi
if [ "$status" -ne 0 ]; then
    echo "bench-check: the benchmark run failed (exit $status)" >&2
    exit "$status"
fi
exec python3 check-thresholds.py Thresholds "$fresh"
