#!/usr/bin/env bash
# Soak test: a real relayd under a lesson's worth of life for SOAK_MINUTES (default 10):
#   - SOAK_PLAYERS (200) RTMP players (relay-loadtest), counting stalls (>1 s without media) and disconnects;
#   - a publisher (ffmpeg -c copy of a generated FLV) that disconnects and reconnects every minute;
#   - a REST API write every second (create, rename, delete a school), counting non-2xx answers.
# Every SOAK_SAMPLE_SECONDS (10) it records relayd's RSS, open file descriptors and threads.
# Prints a CSV of the samples and a summary; exits 1 if a player disconnected or an API write failed.
# Binaries: BIN_DIR (default .build/debug; build them first with `swift build`, or
# `swift build -c release --product relayd && swift build -c release --product relay-loadtest`
# and BIN_DIR=.build/release for figures closer to production).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${SOAK_MINUTES:-10}
PLAYERS=${SOAK_PLAYERS:-200}
SAMPLE=${SOAK_SAMPLE_SECONDS:-10}
BIN_DIR=${BIN_DIR:-.build/debug}
DURATION=$((MINUTES * 60))
WORK=$(mktemp -d /tmp/relay-soak.XXXXXX)
TOKEN=soak-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "${RELAY:-}" ] && kill -TERM "$RELAY" 2>/dev/null && wait "$RELAY" 2>/dev/null || true
}
trap cleanup EXIT

echo "soak: ${MINUTES} min, ${PLAYERS} players, work dir $WORK, binaries $BIN_DIR" >&2
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
  -t 10 -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -b:a 64k -f flv "$WORK/lesson.flv"
cat >"$WORK/relayd.yaml" <<YAML
auth:
  mode: open
limits:
  maxConnectionsPerIP: $((PLAYERS + 50))
  maxConnections: $((PLAYERS + 100))
log:
  level: notice
YAML
RELAYD_ADMIN_TOKEN=$TOKEN "$BIN_DIR/relayd" --config "$WORK/relayd.yaml" --data-dir "$WORK/var" --host 127.0.0.1 \
  --rtmp-port 0 --http-port 0 --srt-port 0 >"$WORK/relayd.out" 2>"$WORK/relayd.log" &
RELAY=$!
for _ in $(seq 1 100); do grep -q 'listening http=' "$WORK/relayd.out" 2>/dev/null && break; sleep 0.2; done
RTMP_PORT=$(grep -o 'listening rtmp=[^ ]*' "$WORK/relayd.out" | sed 's/.*://')
HTTP_PORT=$(grep -o 'listening http=[^ ]*' "$WORK/relayd.out" | sed 's/.*://')
URL="rtmp://127.0.0.1:$RTMP_PORT/live/soak"
API="http://127.0.0.1:$HTTP_PORT/api/v1"
echo "soak: relayd pid $RELAY rtmp $RTMP_PORT http $HTTP_PORT" >&2

# The publisher: one minute per connection, then reconnect.
(
  n=0
  end=$((SECONDS + DURATION + 30))
  while [ $SECONDS -lt $end ]; do
    ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$WORK/lesson.flv" -t 60 -c copy -f flv "$URL" || true
    n=$((n + 1))
    echo "$n" >"$WORK/publisher.restarts"
  done
) &
PIDS+=($!)
sleep 2

# API writes, one a second.
(
  ok=0; bad=0; i=0
  while true; do
    i=$((i + 1))
    case $((i % 3)) in
      1) code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
           --data "{\"id\":\"soak$((i / 3))\",\"name\":\"Soak $i\",\"role\":\"central\"}" "$API/schools") ;;
      2) code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
           --data "{\"name\":\"Renamed $i\"}" "$API/schools/soak$((i / 3))") ;;
      0) code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOKEN" "$API/schools/soak$((i / 3 - 1))") ;;
    esac
    case $code in 2*) ok=$((ok + 1)) ;; *) bad=$((bad + 1)); echo "api write $i: $code" >>"$WORK/api-errors.txt" ;; esac
    echo "$ok $bad" >"$WORK/api.counts"
    sleep 1
  done
) &
PIDS+=($!)

# Resource samples.
(
  echo "seconds,rss_kib,fds,threads"
  start=$SECONDS
  while kill -0 "$RELAY" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$RELAY/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$RELAY/status")
    fds=$(ls "/proc/$RELAY/fd" | wc -l)
    echo "$((SECONDS - start)),$rss,$fds,$threads"
    sleep "$SAMPLE"
  done
) >"$WORK/samples.csv" &
PIDS+=($!)

"$BIN_DIR/relay-loadtest" --url "$URL" --players "$PLAYERS" --duration "$DURATION" --warmup 2 --lead 0 \
  --connect-rate 100 --pid "$RELAY" --label relayd-soak --json "$WORK/players.json" >"$WORK/players.txt" 2>"$WORK/loadtest.log" || true

read -r api_ok api_bad <"$WORK/api.counts" || { api_ok=0; api_bad=0; }
restarts=$(cat "$WORK/publisher.restarts" 2>/dev/null || echo 0)
errors=$(grep -c -E ' (error|critical) ' "$WORK/relayd.log" || true)
cat "$WORK/samples.csv"
echo
cat "$WORK/players.txt"
echo
awk -F, 'NR == 2 {first = $2; ff = $3} NR > 1 {if ($2 > max) max = $2; last = $2; lf = $3; if ($3 > mf) mf = $3}
  END {printf "relayd rss: first %d KiB, max %d KiB, last %d KiB; fds: first %d, max %d, last %d\n", first, max, last, ff, mf, lf}' \
  "$WORK/samples.csv"
echo "publisher reconnects: $restarts"
echo "api writes: $api_ok ok, $api_bad failed"
echo "relayd error lines in log: $errors"
disconnects=$(grep -o '"disconnects" : [0-9]*' "$WORK/players.json" | grep -o '[0-9]*$' || echo "?")
stalls=$(grep -o '"stalls" : [0-9]*' "$WORK/players.json" | grep -o '[0-9]*$' || echo "?")
echo "players: stalls $stalls, disconnects $disconnects (details in $WORK)"
[ "$disconnects" = "0" ] && [ "$api_bad" = "0" ]
