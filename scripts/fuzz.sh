#!/usr/bin/env bash
# Builds the libFuzzer targets (Tests/Fuzz, a separate package) and runs each for FUZZ_SECONDS
# with its seed corpus. New interesting inputs go to Tests/Fuzz/.corpus/<target> (not committed);
# a crash leaves Tests/Fuzz/artifacts/<target>-crash-* and makes this script exit 1 — turn it
# into a unit test with its input under the relevant Tests/.../Corpus (see docs/reliability.md).
# Prints one summary line per target, and the plain closing line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"FuzzHandshake FuzzChunkDecoder FuzzAMF0 FuzzAPIJSON FuzzSRTStreamID FuzzMPEGTS FuzzSTUN FuzzSDP FuzzRTCP"}
SWIFT=${SWIFT:-swift}

seeds_for() {
  case "$1" in
    FuzzHandshake) echo "Tests/Fuzz/Seeds/handshake" ;;
    FuzzChunkDecoder) echo "Tests/RTMPTests/Corpus/chunks" ;;
    FuzzAMF0) echo "Tests/RTMPTests/Corpus/amf0" ;;
    FuzzAPIJSON) echo "Tests/Fuzz/Seeds/api-json" ;;
    FuzzSRTStreamID) echo "Tests/SRTTests/Corpus/streamid" ;;
    FuzzMPEGTS) echo "Tests/SRTTests/Corpus/ts" ;;
    FuzzSTUN) echo "Tests/Fuzz/Seeds/stun" ;;
    FuzzSDP) echo "Tests/Fuzz/Seeds/sdp" ;;
    FuzzRTCP) echo "Tests/Fuzz/Seeds/rtcp" ;;
    *) echo "" ;;
  esac
}

# Only the fuzz products: the root package's own executables have no fuzz entry point.
for target in $TARGETS; do
  (cd Tests/Fuzz && nice -n 10 "$SWIFT" build -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product "$target")
done
BIN=$(cd Tests/Fuzz && "$SWIFT" build --show-bin-path)
mkdir -p Tests/Fuzz/artifacts
passed=0
failed=0
for target in $TARGETS; do
  corpus="Tests/Fuzz/.corpus/$target"
  mkdir -p "$corpus"
  log="Tests/Fuzz/artifacts/$target.log"
  set +e
  "$BIN/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="Tests/Fuzz/artifacts/$target-" "$corpus" $(seeds_for "$target") >"$log" 2>&1
  code=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  crashes=$(ls Tests/Fuzz/artifacts/ 2>/dev/null | grep -c "^$target-\(crash\|leak\|timeout\|oom\)-" || true)
  echo "fuzz $target: ${SECONDS_PER_TARGET}s, ${runs:-0} executions, coverage ${cov:-?}, exit $code, crash artifacts $crashes"
  if [ "$code" -eq 0 ] && [ "$crashes" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); tail -30 "$log"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
