#!/usr/bin/env bash
# Side by side: WebRTC (WHEP) viewers of relayd and of SRS under the same real-time RTMP
# publisher (720p30 H.264 without B-frames + AAC, 2 Mbit/s), driven by the same load generator
# (relay-loadtest's non-browser WHEP client: DTLS, SRTP unprotect, frames counted, latency per
# frame), plus RTMP players of the same relayd stream in the same run, rounds alternating.
# Prints CPU-s per delivered GB, RSS, relay-added latency, first keyframe, stalls, lost packets
# and the relayd/srs ratio. Both servers do AAC -> Opus once per stream; relayd's transcoder
# (video ladder) is off, as SRS has none.
#
#   SRS_BIN=/path/to/srs Benchmarks/compare-webrtc.sh [--players N] [--duration S] [--rounds R]
#                                                      [--skip-build] [--no-srs] [--out DIR]
# SRS_BIN is an SRS (ossrs/srs 5+) binary built with WebRTC, outside this repository; it runs
# with Benchmarks/srs-webrtc.conf (loopback ports 19945 RTMP, 19985 HTTP API, UDP 19800).
# Environment: PLAYERS DURATION ROUNDS WARMUP CONNECT_RATE BENCH_CACHE SKIP_BUILD KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PLAYERS="${PLAYERS:-50}"
DURATION="${DURATION:-30}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-3}"
CONNECT_RATE="${CONNECT_RATE:-50}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
SKIP_BUILD="${SKIP_BUILD:-0}"
WITH_SRS=1
OUT=""
RELAYD_RTMP=19935
RELAYD_HTTP=20035
RELAYD_WEBRTC=19937
SRS_CONF="$ROOT/Benchmarks/srs-webrtc.conf"

while [ $# -gt 0 ]; do
    case "$1" in
        --players) PLAYERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --no-srs) WITH_SRS=0; shift ;;
        --out) OUT="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ "$WITH_SRS" = 1 ] && [ ! -x "${SRS_BIN:-}" ]; then
    echo "set SRS_BIN to an SRS binary built with WebRTC (or pass --no-srs)" >&2
    exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-webrtc.XXXXXX")"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"

build_release

# --- the stream: 2 Mbit/s 720p30 H.264 (no B-frames: WebRTC plays them out of order) + AAC ----
FLV="$BENCH_CACHE/stream-720p-nob.flv"
make_lesson "$FLV" -bf 0


start_relayd() {
    mkdir -p "$WORK/relayd"
    cat > "$WORK/relayd/relayd.yaml" <<YAML
host: 127.0.0.1
rtmp:
  port: $RELAYD_RTMP
auth:
  mode: open
transcode:
  enabled: false
webrtc:
  port: $RELAYD_WEBRTC
  tcpPort: off
limits:
  maxConnectionsPerIP: $((PLAYERS + 50))
  maxConnections: $((PLAYERS + 100))
  maxWebRTCSessions: $((PLAYERS + 50))
  maxUnconnectedWebRTCPerIP: $((PLAYERS + 50))
  webrtcOffersPerSecondPerIP: $((CONNECT_RATE + 10))
log:
  level: warning
YAML
    rm -rf "$WORK/relayd/var"
    "$RELAYD" --config "$WORK/relayd/relayd.yaml" --data-dir "$WORK/relayd/var" \
        --http-port $RELAYD_HTTP --srt-port $((RELAYD_HTTP + 1)) > "$WORK/relayd/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    for _ in $(seq 100); do grep -q "listening webrtc=" "$WORK/relayd/out.log" && break; sleep 0.1; done
    grep -q "listening webrtc=" "$WORK/relayd/out.log" || { cat "$WORK/relayd/out.log" >&2; exit 1; }
    PUBLISH="rtmp://127.0.0.1:$RELAYD_RTMP/live/bench"
}

start_srs() {
    mkdir -p "$WORK/srs"
    "$SRS_BIN" -c "$SRS_CONF" > "$WORK/srs/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    wait_port 19985
    wait_port 19945
    PUBLISH="rtmp://127.0.0.1:19945/live/bench"
}


# --- rounds ----------------------------------------------------------------------------------
say "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "$PLAYERS viewers x ${DURATION} s x $ROUNDS rounds"
RUNS=(relayd-webrtc relayd-rtmp)
[ "$WITH_SRS" = 1 ] && RUNS=(relayd-webrtc srs-webrtc relayd-rtmp)
REPORTS=()
for round in $(seq "$ROUNDS"); do
    for run in "${RUNS[@]}"; do
        say "round $round: $run"
        case "$run" in
            relayd-webrtc) start_relayd; URL="http://127.0.0.1:$RELAYD_HTTP/whep/live/bench" ;;
            relayd-rtmp) start_relayd; URL="rtmp://127.0.0.1:$RELAYD_RTMP/live/bench" ;;
            srs-webrtc) start_srs; URL="http://127.0.0.1:19985/rtc/v1/whep/?app=live&stream=bench" ;;
        esac
        "$LOADTEST" --url "$URL" --publish-url "$PUBLISH" --flv "$FLV" \
            --players "$PLAYERS" --duration "$DURATION" --warmup "$WARMUP" --connect-rate "$CONNECT_RATE" \
            --pid "$SERVER_PID" --label "$run" --json "$WORK/$run-$round.json" | tee "$WORK/$run-$round.txt"
        REPORTS+=("$WORK/$run-$round.json")
        stop_server
        sleep 1
    done
done
echo
RATIO=relayd-webrtc/relayd-rtmp
[ "$WITH_SRS" = 1 ] && RATIO=relayd-webrtc/srs-webrtc
"$LOADTEST" summarize --ratio "$RATIO" "${REPORTS[@]}" | tee "$WORK/summary.md"
if [ -n "$OUT" ]; then mkdir -p "$OUT"; cp "$WORK"/*.json "$WORK"/*.txt "$WORK"/*.md "$OUT"/; fi
