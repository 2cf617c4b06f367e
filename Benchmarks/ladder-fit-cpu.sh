#!/usr/bin/env bash
# What the ladder fitting its source saves: relayd's CPU while one 1000 kbit/s site plays a 720p
# lesson for 20 s (player.defaultBandwidthKbps: 1000, open mode, transcode on with the default
# ladder and preset), for a source at each given constant bitrate, A B A B. A 250 kbit/s source
# feeds no rung (the site plays the source, nothing is decoded or encoded); a 3000 kbit/s one
# feeds the ladder (the site plays 360p: one 720p decode and one 360p encode).
#
#   Benchmarks/ladder-fit-cpu.sh [KBPS ...]     # default: 250 3000 250 3000; RELAYD_BIN=.build/debug/relayd
set -uo pipefail
RELAYD="${RELAYD_BIN:-.build/debug/relayd}"
run() {
    local kbps=$1 dir pid port pub player t0 t1 size
    dir=$(mktemp -d)
    printf 'auth:\n  mode: open\nplayer:\n  defaultBandwidthKbps: 1000\ntranscode:\n  enabled: true\n' > "$dir/relayd.yaml"
    "$RELAYD" --config "$dir/relayd.yaml" --data-dir "$dir/var" --host 127.0.0.1 --rtmp-port 0 --http-port 0 --srt-port 0 \
        --webrtc-port 0 > "$dir/out" 2> "$dir/err" &
    pid=$!
    for _ in $(seq 1 100); do grep -q "listening rtmp=" "$dir/out" "$dir/err" 2>/dev/null && break; sleep 0.1; done
    port=$(grep -ho "listening rtmp=[^ ]*" "$dir/out" "$dir/err" | head -1 | grep -o "[0-9]*$")
    ffmpeg -hide_banner -loglevel quiet -re -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i sine=frequency=440 -t 40 \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 50 -pix_fmt yuv420p -b:v "${kbps}k" -minrate "${kbps}k" \
        -maxrate "${kbps}k" -bufsize "${kbps}k" -x264-params nal-hrd=cbr -c:a aac -b:a 64k -f flv "rtmp://127.0.0.1:$port/live/bench" &
    pub=$!
    # The transcoder's decision (logged with the measured bitrate), then the site's player.
    for _ in $(seq 1 100); do grep -q measuredVideoKbps "$dir/err" && break; sleep 0.1; done
    ffmpeg -hide_banner -loglevel quiet -i "rtmp://127.0.0.1:$port/live/bench" -t 25 -c copy -f flv -y "$dir/play.flv" &
    player=$!
    sleep 3
    t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    sleep 20
    t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    wait "$player"
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$dir/play.flv")
    echo "source ${kbps}k: $(grep -o 'measuredVideoKbps=[0-9]*' "$dir/err" | head -1) $(grep -o 'rungs=[^ ]*' "$dir/err" | head -1)" \
        "site plays ${size/,/x}; relayd $(echo "scale=3; ($t1-$t0)/100/20" | bc) cores"
    kill "$pub" 2>/dev/null
    kill "$pid"
    wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
for kbps in "${@:-250 3000 250 3000}"; do for k in $kbps; do run "$k"; done; done
