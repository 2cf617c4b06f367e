#!/usr/bin/env bash
# `make bench-check` (and CI, after `make test`): a fresh run of the package-benchmark suites, release
# build, whose p90 malloc counts Benchmarks/check-thresholds.py compares with Benchmarks/Thresholds.
#
# swift-package's plugin host (SwiftPM 6.3) crashed here once in six runs with SIGSEGV in libdispatch
# while reading the benchmark plugin's messages, before any benchmark ran (exit 139). That crash, and
# only that one, is run once more; any other failure of the benchmarks fails at once.
#
# `bench-check.sh --build-only` builds what a run needs and runs nothing: the plugin's host tools,
# BenchmarkTool and the benchmark targets in release (`benchmark list` builds them all and only lists).
# CI runs it beside `make test` at idle priority, so the run after the tests starts built.
set -uo pipefail
cd "$(dirname "$0")"
SWIFT=${SWIFT:-swift}
fresh=.build/fresh-thresholds

run() {
    rm -rf "$fresh"
    "$SWIFT" package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update --path "$fresh"
}

if [ "${1:-}" = "--build-only" ]; then
    "$SWIFT" package --disable-sandbox benchmark list >/dev/null && exit 0
    status=$?
    if [ "$status" -eq 139 ]; then
        echo "bench-check: swift-package crashed (SIGSEGV, exit 139) while building; building once more"
        exec "$SWIFT" package --disable-sandbox benchmark list >/dev/null
    fi
    exit "$status"
fi

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
