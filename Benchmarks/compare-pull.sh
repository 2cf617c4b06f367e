#!/usr/bin/env bash
# Two nodes on one PostgreSQL: N RTMP players on node B of a lesson published on node A (B pulls
# it once from A) against N players on A itself, same publisher and load generator. Prints
# latency (publish → player), first keyframe and CPU-s per delivered GB of the node the players
# are on (for B: the pull's cost plus its fan-out). Transcoding off, so only relaying is measured.
#
#   Benchmarks/compare-pull.sh [--players N] [--duration S] [--skip-build]
# Environment: PLAYERS DURATION RELAYD LOADTEST (binaries; default the release build) KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PLAYERS="${PLAYERS:-50}"
DURATION="${DURATION:-20}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
while [ $# -gt 0 ]; do
    case "$1" in
        --players) PLAYERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-pull.XXXXXX")"
chmod 755 "$WORK"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"
if [ -z "${RELAYD:-}" ] || [ -z "${LOADTEST:-}" ]; then build_release; fi
FLV="$BENCH_CACHE/stream-720p.flv"
make_lesson "$FLV"

# PostgreSQL in the work dir (as the postgres user when root).
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PG_PORT=25432
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$WORK/pg"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U postgres --no-sync > "$WORK/pg/initdb.log"
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null
stop_pg() { as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop > /dev/null 2>&1 || true; }
trap 'stop_pg; cleanup' EXIT

export RELAYD_ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"  # 38 characters: relayd refuses fewer than 32
start_node() {  # id rtmp-port http-port
    mkdir -p "$WORK/$1"
    cat > "$WORK/$1/relayd.yaml" <<YAML
host: 127.0.0.1
database: postgres://postgres@127.0.0.1:$PG_PORT/postgres
cluster: { nodeId: $1, advertiseHost: 127.0.0.1 }
auth: { mode: open }
transcode: { enabled: false }
webrtc: { port: $(($3 + 2)), tcpPort: off }
limits: { maxConnectionsPerIP: $((PLAYERS + 50)), maxConnections: $((PLAYERS + 100)) }
log: { level: warning }
YAML
    "$RELAYD" --config "$WORK/$1/relayd.yaml" --data-dir "$WORK/$1/var" --rtmp-port "$2" --http-port "$3" \
        --srt-port $(($3 + 1)) > "$WORK/$1/out.log" 2>&1 &
    STARTED+=("$!")
    wait_port "$3"
    wait_port "$2"
}
start_node node-a 19971 20071
A_PID="${STARTED[-1]}"
start_node node-b 19972 20082
B_PID="${STARTED[-1]}"

say "$(nproc) cores; $PLAYERS players x ${DURATION} s; publisher on node-a"
for run in edge origin; do
    case "$run" in
        edge) URL="rtmp://127.0.0.1:19972/live/pull-$run"; PID="$B_PID" ;;
        origin) URL="rtmp://127.0.0.1:19971/live/pull-$run"; PID="$A_PID" ;;
    esac
    say "$run: players on $( [ $run = edge ] && echo node-b || echo node-a )"
    "$LOADTEST" --url "$URL" --publish-url "rtmp://127.0.0.1:19971/live/pull-$run" --flv "$FLV" --lead 4 \
        --players "$PLAYERS" --duration "$DURATION" --warmup 3 --connect-rate 50 \
        --pid "$PID" --label "$run" --json "$WORK/$run.json" | tee "$WORK/$run.txt"
done
echo
"$LOADTEST" summarize --ratio edge/origin "$WORK/edge.json" "$WORK/origin.json"
