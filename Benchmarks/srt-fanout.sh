#!/usr/bin/env bash
# SRT fan-out: one SRT publisher (ffmpeg, 720p30 ~1.9 Mbit/s MPEG-TS) and N srt-live-transmit
# players on loopback; prints relayd's CPU (percent of one core) and RSS over a 20 s window,
# and what each player received (from relayd's disconnect log).
# Usage: Benchmarks/srt-fanout.sh [PLAYERS]   (RELAYD=path to use another build)
set -euo pipefail
N=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELAYD=${RELAYD:-$ROOT/.build/release/relayd}
[ -x "$RELAYD" ] || RELAYD=$ROOT/.build/debug/relayd
WORK=$(mktemp -d)
trap 'kill ${PIDS[*]:-} $FP $RP 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'auth:\n  mode: open\n' > "$WORK/c.yaml"
"$RELAYD" --config "$WORK/c.yaml" --data-dir "$WORK/var" --host 127.0.0.1 --rtmp-port 0 --http-port 0 --srt-port 0 \
    > "$WORK/out.log" 2> "$WORK/err.log" &
RP=$!
sleep 2
PORT=$(grep "listening srt" "$WORK/out.log" | sed 's/.*://')
URL="srt://127.0.0.1:$PORT?streamid=#!::r=live/bench"
ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 -t 40 \
    -c:v libx264 -preset ultrafast -tune zerolatency -b:v 1800k -maxrate 2000k -bufsize 2000k -g 60 -pix_fmt yuv420p \
    -c:a aac -b:a 96k -f mpegts "$URL,m=publish" &
FP=$!
sleep 3
PIDS=()
for _ in $(seq 1 "$N"); do srt-live-transmit -a:no -q "$URL,m=request" file://con > /dev/null & PIDS+=($!); done
sleep 5
T0=$(awk '{print $14+$15}' /proc/$RP/stat); sleep 20; T1=$(awk '{print $14+$15}' /proc/$RP/stat)
RSS=$(awk '/VmRSS/{print $2}' /proc/$RP/status)
echo "relayd: $RELAYD"
echo "players=$N relayd_cpu_percent=$(( (T1 - T0) * 100 / (20 * $(getconf CLK_TCK)) )) rss_kb=$RSS"
kill "${PIDS[@]}" 2>/dev/null || true
sleep 1
grep "srt player closed" "$WORK/err.log" | grep -o "bytesSent=[0-9]*\|skippedToKeyframe=[0-9]*" | sort | uniq -c | sort -rn | head -4
