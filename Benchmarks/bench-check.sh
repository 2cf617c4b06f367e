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

# Runs "$@", and once more only when swift-package's plugin host crashed (exit 139).
once_more_after_plugin_crash() {
    "$@"
    local status=$?
    if [ "$status" -eq 139 ]; then
        echo "bench-check: swift-package crashed (SIGSEGV, exit 139) before it was done; running it once more" >&2
        "$@"
        status=$?
    fi
    return "$status"
}

if [ "${1:-}" = "--build-only" ]; then
    once_more_after_plugin_crash "$SWIFT" package --disable-sandbox benchmark list >/dev/null
    exit
fi

once_more_after_plugin_crash run
status=$?
if [ "$status" -ne 0 ]; then
    echo "bench-check: the benchmark run failed (exit $status)" >&2
    exit "$status"
fi
exec python3 check-thresholds.py Thresholds "$fresh"
