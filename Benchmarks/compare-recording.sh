#!/usr/bin/env bash
# What recording costs: N classes published at once (a pre-encoded 720p lesson pushed with
# `-c copy`, so the publishers cost next to nothing), relayd with the classes' `record` off, then
# on, same publishers and window. Prints relayd's CPU seconds and the bytes it wrote (from
# /proc/<pid>/io), the extra CPU per GB recorded, and for comparison what `dd` spends writing the
# same bytes with a sync per fragment-sized write (the recorder syncs each GOP's fragment).
#
#   Benchmarks/compare-recording.sh [--classes N] [--duration S] [--skip-build]
# Environment: CLASSES DURATION WARMUP BENCH_CACHE SKIP_BUILD KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLASSES="${CLASSES:-4}"
DURATION="${DURATION:-40}"
WARMUP="${WARMUP:-5}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
SKIP_BUILD="${SKIP_BUILD:-0}"
RELAYD_RTMP=19975
RELAYD_HTTP=20075

while [ $# -gt 0 ]; do
    case "$1" in
        --classes) CLASSES="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-recording.XXXXXX")"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"

build_release
FLV="$BENCH_CACHE/stream-720p.flv"
make_lesson "$FLV"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }

run_case() {  # record: true or false; prints "cpu_seconds written_bytes"
    local record="$1" dir="$WORK/$1"
    mkdir -p "$dir"
    cat > "$dir/relayd.yaml" <<YAML
host: 127.0.0.1
rtmp:
  port: $RELAYD_RTMP
http:
  port: $RELAYD_HTTP
webrtc:
  port: $((RELAYD_HTTP + 2))
  tcpPort: off
srt:
  port: $((RELAYD_HTTP + 3))
auth:
  mode: timetable
transcode:
  enabled: false
publisher:
  graceSeconds: 2
log:
  level: warning
YAML
    "$RELAYD" --config "$dir/relayd.yaml" --data-dir "$dir/var" > "$dir/relayd.out" 2> "$dir/relayd.err" &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    wait_port "$RELAYD_HTTP"
    local token api now starts ends keys=()
    token="$(cat "$dir/var/admin.token")"
    api="http://127.0.0.1:$RELAYD_HTTP/api/v1"
    call() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
    starts="$(date -u -d '-1 min' +%FT%TZ)"; ends="$(date -u -d '+2 hour' +%FT%TZ)"
    for i in $(seq "$CLASSES"); do
        # A site per class: a site takes part in one lesson at a time.
        call -X POST "$api/schools" -d "{\"id\":\"s$i\",\"name\":\"s$i\",\"role\":\"site\",\"bandwidthKbps\":8000}" > /dev/null
        keys+=("$(call -X POST "$api/schools" -d "{\"id\":\"c$i\",\"name\":\"c$i\",\"role\":\"central\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')")
        call -X POST "$api/pairings" -d "{\"centralSchoolId\":\"c$i\",\"siteId\":\"s$i\",\"program\":\"famous-school\"}" > /dev/null
        call -X POST "$api/classes" -d "{\"id\":\"k$i\",\"title\":\"k$i\",\"program\":\"famous-school\",\"centralSchoolId\":\"c$i\",\"siteIds\":[\"s$i\"],\"startsAt\":\"$starts\",\"endsAt\":\"$ends\",\"record\":$record}" > /dev/null
    done
    local publishers=()
    for i in $(seq "$CLASSES"); do
        ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$FLV" -t $((DURATION + WARMUP + 5)) -c copy -f flv \
            "rtmp://127.0.0.1:$RELAYD_RTMP/live/k$i?key=${keys[$((i - 1))]}" &
        publishers+=($!)
        STARTED+=($!)
    done
    sleep "$WARMUP"
    local cpu0 w0 cpu1 w1
    cpu0="$(cpu_ticks "$SERVER_PID")"; w0="$(written "$SERVER_PID")"
    sleep "$DURATION"
    cpu1="$(cpu_ticks "$SERVER_PID")"; w1="$(written "$SERVER_PID")"
    kill "${publishers[@]}" 2>/dev/null || true
    wait "${publishers[@]}" 2>/dev/null || true
    local recorded
    recorded="$(du -sb "$dir/var/recordings" 2>/dev/null | cut -f1)"
    stop_server
    echo "$(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l) $((w1 - w0)) ${recorded:-0}"
}

say "$CLASSES classes, record off"
read -r off_cpu off_written _ <<< "$(run_case false)"
say "$CLASSES classes, record on"
read -r on_cpu on_written on_recorded <<< "$(run_case true)"

# dd writing what the recorder wrote in the window, 512 KiB at a time (a GOP's fragment of a
# 1.9 Mbit/s lesson), each write synced, as the recorder syncs each fragment.
count=$(( (on_written + 524287) / 524288 ))
TIMEFORMAT='%U %S'
dd_times="$( { time dd if=/dev/zero of="$WORK/dd.out" bs=512k count="$count" oflag=dsync status=none ; } 2>&1 )"
dd_cpu="$(echo "$dd_times" | awk '{print $1 + $2}')"

gb="$(echo "$on_written / 1000000000" | bc -l)"
printf '%-28s %12s %14s\n' "" "CPU s" "written MB"
printf '%-28s %12.2f %14.1f\n' "relayd, record off" "$off_cpu" "$(echo "$off_written / 1000000" | bc -l)"
printf '%-28s %12.2f %14.1f\n' "relayd, record on" "$on_cpu" "$(echo "$on_written / 1000000" | bc -l)"
printf '%-28s %12.2f %14.1f\n' "dd, same bytes, dsync" "$dd_cpu" "$(echo "$count * 524288 / 1000000" | bc -l)"
printf 'recording %d classes for %d s: %.2f CPU-s extra (%.1f%% of one core), %.1f MB/s written, %.1f CPU-s per GB (dd: %.1f)\n' \
    "$CLASSES" "$DURATION" "$(echo "$on_cpu - $off_cpu" | bc -l)" "$(echo "($on_cpu - $off_cpu) * 100 / $DURATION" | bc -l)" \
    "$(echo "$on_written / 1000000 / $DURATION" | bc -l)" "$(echo "($on_cpu - $off_cpu) / $gb" | bc -l)" "$(echo "$dd_cpu / $gb" | bc -l)"
echo "recordings on disk after the run: $((on_recorded / 1000000)) MB"
