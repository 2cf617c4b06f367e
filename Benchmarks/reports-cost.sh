#!/usr/bin/env bash
# What recording the reports' facts costs while serving (issue #33): relayd in `auth.mode:
# timetable`, one class published by its central school (a pre-encoded 720p25 testsrc lesson,
# x264 at a 1000k target that testsrc's simple pictures only fill to ~0.5 Mbit/s, pushed with `-c copy`, so the publisher costs next to nothing; `transcode.enabled:
# false`), SITES sites × PER_SITE RTMP players (`relay-loadtest`, each site with its own key, so
# the recorder keeps real per-site sessions), with `reports.enabled: false`, `true` with the
# default `flushSeconds: 30`, and `true` with `flushSeconds: 2` (the worst case: every open
# session written at every 2 s poll), alternating the cases ROUNDS times (off on30 on2 off on30
# on2 ...). For each run, over MEASURE seconds after WARMUP seconds of players: relayd's CPU
# (utime + stime from /proc/<pid>/stat, in cores), its RSS at the window's end, the bytes it
# wrote (/proc/<pid>/io), and the rows in the data dir's relay.db (`report_sessions`).
#
#   Benchmarks/reports-cost.sh                 # 10 sites × 20 players, 2 rounds, 15 s warm-up, 45 s measured
# Environment: SITES PER_SITE ROUNDS WARMUP MEASURE CASES ("off on30 on2") BIN_DIR (.build/debug)
#              BENCH_CACHE KEEP=1 (keep the work dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SITES="${SITES:-10}"
PER_SITE="${PER_SITE:-20}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-15}"
MEASURE="${MEASURE:-45}"
CASES="${CASES:-off on30 on2}"
BIN_DIR="${BIN_DIR:-$ROOT/.build/debug}"
BENCH_CACHE="${BENCH_CACHE:-${TMPDIR:-/tmp}/classroomrelay-bench}"
RELAYD="$BIN_DIR/relayd"
LOADTEST="$BIN_DIR/relay-loadtest"
PLAYERS=$((SITES * PER_SITE))

WORK="$(mktemp -d "${TMPDIR:-/tmp}/reports-cost.XXXXXX")"
STARTED=()
source "$ROOT/Benchmarks/bench-lib.sh"

for bin in "$RELAYD" "$LOADTEST"; do [ -x "$bin" ] || { echo "no $bin (swift build first)" >&2; exit 2; }; done

# 20 s of 720p25 testsrc, -b:v 1000k (506 kbit/s in all: testsrc compresses well), 2 s GOP, AAC 64k (looped by the publisher).
FLV="$BENCH_CACHE/reports-720p.flv"
if [ ! -f "$FLV" ]; then
    say "making $FLV with ffmpeg"
    mkdir -p "$BENCH_CACHE"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i sine=frequency=440 -t 20 \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -b:v 1000k -maxrate 1000k -bufsize 1000k -g 50 -keyint_min 50 \
        -sc_threshold 0 -c:a aac -b:a 64k -f flv "$FLV.tmp"
    mv "$FLV.tmp" "$FLV"
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

run_case() {  # case (off, on30, on2), run number; prints one result line on stdout
    local kase="$1" n="$2" dir="$WORK/$1-$2" enabled flush
    case "$kase" in
        off) enabled=false; flush=30 ;;
        on30) enabled=true; flush=30 ;;
        on2) enabled=true; flush=2 ;;
        *) echo "unknown case $kase" >&2; return 2 ;;
    esac
    mkdir -p "$dir"
    cat > "$dir/relayd.yaml" <<YAML
auth:
  mode: timetable
transcode:
  enabled: false
recording:
  enabled: false
reports:
  enabled: $enabled
  flushSeconds: $flush
limits:
  maxConnections: $((PLAYERS + 100))
  maxConnectionsPerIP: $((PLAYERS + 50))
log:
  level: warning
YAML
    "$RELAYD" --config "$dir/relayd.yaml" --data-dir "$dir/var" --host 127.0.0.1 --rtmp-port 0 --http-port 0 --srt-port 0 \
        --webrtc-port 0 > "$dir/relayd.out" 2> "$dir/relayd.err" &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    local rtmp http
    for _ in $(seq 100); do grep -q 'listening http=' "$dir/relayd.out" 2>/dev/null && break; sleep 0.1; done
    rtmp="$(grep -o 'listening rtmp=[^ ]*' "$dir/relayd.out" | sed 's/.*://')"
    http="$(grep -o 'listening http=[^ ]*' "$dir/relayd.out" | sed 's/.*://')"
    [ -n "$rtmp" ] && [ -n "$http" ] || { echo "relayd did not start:" >&2; tail -5 "$dir/relayd.err" >&2; return 1; }
    for _ in $(seq 50); do [ -s "$dir/var/admin.token" ] && break; sleep 0.1; done

    # The timetable: a central school, SITES sites paired with it, one class now for 2 hours.
    local token api starts ends central keys=() i
    token="$(cat "$dir/var/admin.token")"
    api="http://127.0.0.1:$http/api/v1"
    call() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
    starts="$(date -u -d '-1 min' +%FT%TZ)"; ends="$(date -u -d '+2 hour' +%FT%TZ)"
    central="$(call -X POST "$api/schools" -d '{"id":"c1","name":"Central","role":"central"}' | json 'd["key"]')"
    local site_ids=""
    for i in $(seq "$SITES"); do
        keys+=("$(call -X POST "$api/schools" -d "{\"id\":\"s$i\",\"name\":\"Site $i\",\"role\":\"site\",\"bandwidthKbps\":8000}" | json 'd["key"]')")
        call -X POST "$api/pairings" -d "{\"centralSchoolId\":\"c1\",\"siteId\":\"s$i\",\"program\":\"famous-school\"}" > /dev/null
        site_ids+="${site_ids:+,}\"s$i\""
    done
    call -X POST "$api/classes" -d "{\"id\":\"k1\",\"title\":\"k1\",\"program\":\"famous-school\",\"centralSchoolId\":\"c1\",\"siteIds\":[$site_ids],\"startsAt\":\"$starts\",\"endsAt\":\"$ends\"}" > /dev/null

    # The publisher, then the players once relayd shows it live.
    local total=$((WARMUP + MEASURE + 30)) pids=()
    ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$FLV" -t "$total" -c copy -f flv \
        "rtmp://127.0.0.1:$rtmp/live/k1?key=$central" > "$dir/publisher.log" 2>&1 &
    pids+=($!); STARTED+=($!)
    for _ in $(seq 100); do call "$api/classes/k1/live" 2>/dev/null | grep -q '"publisher"' && break; sleep 0.1; done
    call "$api/classes/k1/live" | grep -q '"publisher"' || { echo "the lesson is not live" >&2; return 1; }
    for i in $(seq "$SITES"); do
        "$LOADTEST" --url "rtmp://127.0.0.1:$rtmp/live/k1?key=${keys[$((i - 1))]}" --players "$PER_SITE" --threads 1 \
            --connect-rate 50 --warmup "$WARMUP" --duration "$((MEASURE + 5))" --label "s$i" --json "$dir/players-$i.json" \
            > "$dir/players-$i.txt" 2> "$dir/loadtest-$i.log" &
        pids+=($!); STARTED+=($!)
    done

    # Warm-up: every player connected (relayd's live view), then WARMUP seconds.
    local viewers=0
    for _ in $(seq 200); do
        viewers="$(call "$api/classes/k1/live" | json 'len(d["viewers"])' || echo 0)"
        [ "$viewers" -ge "$PLAYERS" ] && break
        sleep 0.1
    done
    sleep "$WARMUP"
    local cpu0 w0 cpu1 w1 rss rows_live rows_end
    cpu0="$(cpu_ticks "$SERVER_PID")"; w0="$(written "$SERVER_PID")"
    sleep "$MEASURE"
    cpu1="$(cpu_ticks "$SERVER_PID")"; w1="$(written "$SERVER_PID")"; rss="$(rss_kib "$SERVER_PID")"
    viewers="$(call "$api/classes/k1/live" | json 'len(d["viewers"])' || echo '?')"
    rows_live="$(sqlite3 "$dir/var/relay.db" 'SELECT COUNT(*) FROM report_sessions' 2>/dev/null || echo '?')"
    for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
    kill "${pids[0]}" 2>/dev/null || true
    wait "${pids[0]}" 2>/dev/null || true
    stop_server
    STARTED=()  # all ended: none of these ids is ours any more
    rows_end="$(sqlite3 "$dir/var/relay.db" 'SELECT COUNT(*) FROM report_sessions' 2>/dev/null || echo '?')"
    local players
    players="$(python3 -c '
import json, sys
reports = [json.load(open(path)) for path in sys.argv[1:]]
print("%d/%d %.0f %d %d" % (sum(r["connected"] for r in reports), sum(r["players"] for r in reports),
    sum(r["totalMbps"] for r in reports), sum(r["stalls"] for r in reports), sum(r["disconnects"] for r in reports)))' "$dir"/players-*.json)"
    local connected mbps stalls disconnects
    read -r connected mbps stalls disconnects <<< "$players"
    printf '%-5s %d  %6.3f cores  rss %4d MiB  wrote %6.2f MB  rows %s (after stop %s)  viewers %s  players %s, %s Mbit/s, %s stalls, %s disconnects\n' \
        "$kase" "$n" "$(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK) / $MEASURE" | bc -l)" $((rss / 1024)) \
        "$(echo "($w1 - $w0) / 1000000" | bc -l)" "$rows_live" "$rows_end" "$viewers" "$connected" "$mbps" "$stalls" "$disconnects"
}

say "$SITES sites × $PER_SITE RTMP players, cases: $CASES, $ROUNDS rounds, ${WARMUP} s warm-up, ${MEASURE} s measured; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $(seq "$ROUNDS"); do
    for kase in $CASES; do
        run_case "$kase" "$n" > "$WORK/line.txt"  # not in a pipe: the cleanup trap must see what it starts
        cat "$WORK/line.txt" | tee -a "$WORK/results.txt"
    done
done
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk '{c[$1] = c[$1] " " $3; s[$1] += $3; k[$1]++; r[$1] = r[$1] " " $6} END {
    for (x in s) printf "%-5s mean %.3f cores (runs:%s), rss MiB:%s\n", x, s[x] / k[x], c[x], r[x] }' "$WORK/results.txt" | sort
