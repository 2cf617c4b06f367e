#!/usr/bin/env bash
# HLS clients against RTMP players of the same rung, same publisher, same load generator:
# N relay-loadtest HLS clients of the 480p variant (multivariant playlist once, then the media
# playlist every half target duration and each new segment once), then N RTMP players of
# live/bench_480p, rounds alternating. relayd transcodes (the 480p rung) in both runs. Prints
# delivered Mbit/s, HTTP requests per second, CPU-s per delivered GB and RSS.
#
#   Benchmarks/compare-hls.sh [--players N] [--duration S] [--rounds R] [--skip-build] [--out DIR]
# Environment: PLAYERS DURATION ROUNDS WARMUP CONNECT_RATE BENCH_CACHE SKIP_BUILD KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PLAYERS="${PLAYERS:-200}"
DURATION="${DURATION:-20}"
ROUNDS="${ROUNDS:-1}"
# The multivariant playlist keeps every variant (every rung's encoder) alive for 10 s: the window
# starts after those not fetched have stopped.
WARMUP="${WARMUP:-12}"
CONNECT_RATE="${CONNECT_RATE:-50}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
SKIP_BUILD="${SKIP_BUILD:-0}"
OUT=""
RELAYD_RTMP=19955
RELAYD_HTTP=20055

while [ $# -gt 0 ]; do
    case "$1" in
        --players) PLAYERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --out) OUT="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-hls.XXXXXX")"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"

build_release
FLV="$BENCH_CACHE/stream-720p.flv"
make_lesson "$FLV"

start_relayd() {
    mkdir -p "$WORK/relayd"
    cat > "$WORK/relayd/relayd.yaml" <<YAML
host: 127.0.0.1
rtmp:
  port: $RELAYD_RTMP
auth:
  mode: open
webrtc:
  port: $((RELAYD_HTTP + 2))
  tcpPort: off
limits:
  maxConnectionsPerIP: $((PLAYERS + 50))
  maxConnections: $((PLAYERS + 100))
log:
  level: warning
YAML
    rm -rf "$WORK/relayd/var"
    "$RELAYD" --config "$WORK/relayd/relayd.yaml" --data-dir "$WORK/relayd/var" \
        --http-port $RELAYD_HTTP --srt-port $((RELAYD_HTTP + 1)) > "$WORK/relayd/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    wait_port $RELAYD_HTTP
    wait_port $RELAYD_RTMP
}

say "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "$PLAYERS clients x ${DURATION} s x $ROUNDS rounds"
REPORTS=()
for round in $(seq "$ROUNDS"); do
    for run in relayd-hls relayd-rtmp; do
        say "round $round: $run"
        start_relayd
        case "$run" in
            relayd-hls) ARGS=(--url "http://127.0.0.1:$RELAYD_HTTP/hls/live/bench/index.m3u8" --hls-variant 480p) ;;
            relayd-rtmp) ARGS=(--url "rtmp://127.0.0.1:$RELAYD_RTMP/live/bench_480p") ;;
        esac
        "$LOADTEST" "${ARGS[@]}" --publish-url "rtmp://127.0.0.1:$RELAYD_RTMP/live/bench" --flv "$FLV" --lead 4 \
            --players "$PLAYERS" --duration "$DURATION" --warmup "$WARMUP" --connect-rate "$CONNECT_RATE" \
            --pid "$SERVER_PID" --label "$run" --json "$WORK/$run-$round.json" | tee "$WORK/$run-$round.txt"
        REPORTS+=("$WORK/$run-$round.json")
        stop_server
        sleep 1
    done
done
echo
"$LOADTEST" summarize --ratio relayd-hls/relayd-rtmp "${REPORTS[@]}" | tee "$WORK/summary.md"
if [ -n "$OUT" ]; then mkdir -p "$OUT"; cp "$WORK"/*.json "$WORK"/*.txt "$WORK"/*.md "$OUT"/; fi
