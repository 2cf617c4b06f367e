#!/usr/bin/env bash
# Side by side: relayd, nginx-rtmp and (with SRS_BIN) SRS under the same real-time publisher and
# the same players, alternating A B C A B C. Prints CPU-s per delivered GB, RSS, relay-added
# latency, first keyframe, stalls and the relayd/nginx and relayd/srs ratios. Everything it
# starts is stopped on exit (trap).
#
#   [SRS_BIN=/path/to/objs/srs] Benchmarks/compare-nginx.sh [--players N] [--duration S]
#       [--rounds R] [--flush-ms MS] [--nginx-chunk-size BYTES] [--skip-build] [--out DIR]
# SRS merges writes like relayd's gathering window: it runs with mw_latency = --flush-ms and
# mw_msgs = SRS_MW_MSGS (default 1). SRS writes when it holds more than mw_msgs messages *and*
# more than mw_latency of them (SrsLiveConsumer::wait), so with 1 the time window decides, as in
# relayd; its own default of 8 stretches a 30 ms window to ~100 ms at 77 messages/s.
# SRS is built outside this repository (ossrs/srs; ./configure --rtc=off --srt=off
# --gb28181=off --ffmpeg-fit=off --sys-ssl=on --utest=off; make).
# Environment: PLAYERS DURATION ROUNDS WARMUP CONNECT_RATE FLUSH_MS NGINX_CHUNK_SIZE SYSCALLS=0|1
#              RELAYD_PORT NGINX_PORT SRS_PORT SRS_BIN SRS_MW_MSGS BENCH_CACHE SKIP_BUILD
#              KEEP=1 (keep the work dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PLAYERS="${PLAYERS:-300}"
DURATION="${DURATION:-60}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-3}"
CONNECT_RATE="${CONNECT_RATE:-100}"
FLUSH_MS="${FLUSH_MS:-10}"
NGINX_CHUNK_SIZE="${NGINX_CHUNK_SIZE:-4096}"
RELAYD_PORT="${RELAYD_PORT:-19935}"
NGINX_PORT="${NGINX_PORT:-19936}"
SRS_PORT="${SRS_PORT:-19937}"
SRS_BIN="${SRS_BIN:-}"
SRS_MW_MSGS="${SRS_MW_MSGS:-1}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
SKIP_BUILD="${SKIP_BUILD:-0}"
# Count the server's syscalls with perf (raw_syscalls tracepoint) when perf can.
if [ -z "${SYSCALLS:-}" ]; then
    if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then SYSCALLS=1; else SYSCALLS=0; fi
fi
OUT=""

while [ $# -gt 0 ]; do
    case "$1" in
        --players) PLAYERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --flush-ms) FLUSH_MS="$2"; shift 2 ;;
        --nginx-chunk-size) NGINX_CHUNK_SIZE="$2"; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --out) OUT="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-nginx.XXXXXX")"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"

# --- nginx with the RTMP module ------------------------------------------------------------
RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
if ! command -v nginx >/dev/null || [ ! -f "$RTMP_MODULE" ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    say "installing nginx with the RTMP module (apt-get)"
    $SUDO apt-get update -qq || true
    if apt-cache show nginx-light >/dev/null 2>&1; then NGINX_PKG=nginx-light; else NGINX_PKG=nginx; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$NGINX_PKG" libnginx-mod-rtmp >/dev/null
fi
[ -f "$RTMP_MODULE" ] || { echo "ngx_rtmp_module.so not found after install" >&2; exit 1; }

# --- binaries --------------------------------------------------------------------------------
build_release

# --- the stream: 2 Mbit/s 720p30 H.264 + AAC, 2 s GOP ---------------------------------------
FLV="$BENCH_CACHE/stream-720p.flv"
make_lesson "$FLV"

# --- servers ---------------------------------------------------------------------------------

start_relayd() {
    mkdir -p "$WORK/relayd"
    cat > "$WORK/relayd/relayd.yaml" <<YAML
host: 127.0.0.1
rtmp:
  port: $RELAYD_PORT
  flushIntervalMs: $FLUSH_MS
auth:
  mode: open
transcode:
  enabled: false
limits:
  # Every player comes from 127.0.0.1: the per-address default (100) would refuse the rest.
  maxConnectionsPerIP: $((PLAYERS + 50))
  maxConnections: $((PLAYERS + 100))
log:
  level: warning
YAML
    "$RELAYD" --config "$WORK/relayd/relayd.yaml" --data-dir "$WORK/relayd/var" \
        --http-port $((RELAYD_PORT + 100)) --srt-port $((RELAYD_PORT + 101)) > "$WORK/relayd/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    for _ in $(seq 100); do grep -q "listening rtmp=" "$WORK/relayd/out.log" && break; sleep 0.1; done
    grep -q "listening rtmp=" "$WORK/relayd/out.log" || { cat "$WORK/relayd/out.log" >&2; exit 1; }
    SERVER_PIDS=("$SERVER_PID")
    SERVER_PORT=$RELAYD_PORT
}

start_nginx() {
    mkdir -p "$WORK/nginx"
    cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
error_log $WORK/nginx/error.log warn;
pid $WORK/nginx/nginx.pid;
load_module $RTMP_MODULE;
events { worker_connections 8192; }
rtmp {
    server {
        listen 127.0.0.1:$NGINX_PORT;
        chunk_size $NGINX_CHUNK_SIZE;
        application live {
            live on;
            record off;
        }
    }
}
CONF
    nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    wait_port "$NGINX_PORT"
    for _ in $(seq 50); do pgrep -P "$SERVER_PID" >/dev/null && break; sleep 0.1; done
    SERVER_PIDS=("$SERVER_PID" $(pgrep -P "$SERVER_PID"))
    SERVER_PORT=$NGINX_PORT
}

start_srs() {
    mkdir -p "$WORK/srs"
    cat > "$WORK/srs/srs.conf" <<CONF
listen 127.0.0.1:$SRS_PORT;
max_connections $((PLAYERS + 100));
daemon off;
pid $WORK/srs/srs.pid;
srs_log_tank file;
srs_log_file $WORK/srs/srs.log;
srs_log_level warn;
http_api { enabled off; }
http_server { enabled off; }
vhost __defaultVhost__ {
    tcp_nodelay on;
    play {
        gop_cache on;
        mw_latency $FLUSH_MS;
        mw_msgs $SRS_MW_MSGS;
    }
}
CONF
    (cd "$(dirname "$SRS_BIN")/.." && exec "$SRS_BIN" -c "$WORK/srs/srs.conf") > "$WORK/srs/out.log" 2>&1 &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    wait_port "$SRS_PORT"
    SERVER_PIDS=("$SERVER_PID")
    SERVER_PORT=$SRS_PORT
}

SERVERS=(relayd nginx)
if [ -n "$SRS_BIN" ]; then
    [ -x "$SRS_BIN" ] || { echo "SRS_BIN=$SRS_BIN is not an executable" >&2; exit 1; }
    SERVERS+=(srs)
fi

# --- rounds: A B A B -----------------------------------------------------------------------
say "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "$PLAYERS players x ${DURATION} s x $ROUNDS rounds, flushIntervalMs=$FLUSH_MS, nginx chunk_size=$NGINX_CHUNK_SIZE${SRS_BIN:+, SRS mw_latency=$FLUSH_MS mw_msgs=$SRS_MW_MSGS}"
REPORTS=()
for round in $(seq "$ROUNDS"); do
    for server in "${SERVERS[@]}"; do
        say "round $round: $server"
        "start_$server"
        pid_args=()
        for pid in "${SERVER_PIDS[@]}"; do pid_args+=(--pid "$pid"); done
        if [ "$SYSCALLS" = 1 ]; then
            # Syscalls of the server during (about) the measurement window: lead 2 s + ramp + warm-up.
            delay=$(awk "BEGIN { print 2 + $PLAYERS / $CONNECT_RATE + $WARMUP + 1 }")
            pid_list=$(IFS=,; echo "${SERVER_PIDS[*]}")
            ( sleep "$delay"; exec perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$pid_list" -- sleep $((DURATION - 2)) ) \
                2> "$WORK/$server-$round.perf" &
            STARTED+=("$!")
        fi
        "$LOADTEST" --url "rtmp://127.0.0.1:$SERVER_PORT/live/bench" --flv "$FLV" \
            --players "$PLAYERS" --duration "$DURATION" --warmup "$WARMUP" --connect-rate "$CONNECT_RATE" \
            "${pid_args[@]}" --label "$server" --json "$WORK/$server-$round.json" | tee "$WORK/$server-$round.txt"
        REPORTS+=("$WORK/$server-$round.json")
        stop_server
        sleep 1
    done
done

wait 2>/dev/null || true
if [ "$SYSCALLS" = 1 ]; then
    echo
    echo "| server-round | syscalls/s | context switches/s (perf) |"
    echo "|---|---|---|"
    for f in "$WORK"/*.perf; do
        name=$(basename "$f" .perf)
        sc=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$f")
        cs=$(awk -F, '/context-switches/ { print $1 }' "$f")
        echo "| $name | $(awk "BEGIN { printf \"%.0f\", ${sc:-0} / ($DURATION - 2) }") | $(awk "BEGIN { printf \"%.0f\", ${cs:-0} / ($DURATION - 2) }") |"
    done | tee "$WORK/syscalls.md"
fi
echo
"$LOADTEST" summarize --ratio relayd/nginx "${REPORTS[@]}" | tee "$WORK/summary.md"
if [ -n "$SRS_BIN" ]; then
    echo
    "$LOADTEST" summarize --ratio relayd/srs "${REPORTS[@]}" | tee "$WORK/summary-srs.md"
fi
if [ -n "$OUT" ]; then mkdir -p "$OUT"; cp "$WORK"/*.json "$WORK"/*.txt "$WORK"/*.md "$OUT"/; fi
