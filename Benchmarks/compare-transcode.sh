#!/usr/bin/env bash
# The default ladder (720p 1800k, 480p 900k, 360p 450k; libx264 PRESET + zerolatency, no B-frames,
# maxrate = bitrate, 1 s VBV, bilinear scaling, keyframes at the source's) from a 720p30 and a
# 1080p30 source: relayd's in-process transcoder (TranscodeBench) beside the ffmpeg CLI doing the
# same ladder, in the same run, A B A B. Prints frames per second and the ratio.
#
#   Benchmarks/compare-transcode.sh            # SECONDS_OF_VIDEO=20 ROUNDS=2 PRESET=veryfast
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SECS="${SECONDS_OF_VIDEO:-20}"
ROUNDS="${ROUNDS:-2}"
PRESET="${PRESET:-veryfast}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$HERE" && swift build -c release --product TranscodeBench >/dev/null)
BENCH="$(cd "$HERE" && swift build -c release --show-bin-path)/TranscodeBench"

ladder_ffmpeg() {  # $1 source file
    local x264=(-c:v libx264 -preset "$PRESET" -tune zerolatency -bf 0 -g 240 -x264-params scenecut=0:forced-idr=1 -force_key_frames source)
    /usr/bin/time -f "cli_cpu_seconds=%U+%S" ffmpeg -hide_banner -loglevel error -nostats -i "$1" -filter_complex \
        "[0:v]split=3[a][b][c];[a]scale=1280:720:flags=bilinear[o1];[b]scale=854:480:flags=bilinear[o2];[c]scale=640:360:flags=bilinear[o3]" \
        -map '[o1]' "${x264[@]}" -b:v 1800k -maxrate 1800k -bufsize 1800k -map 0:a -c:a copy -f null - \
        -map '[o2]' "${x264[@]}" -b:v 900k -maxrate 900k -bufsize 900k -map 0:a -c:a copy -f null - \
        -map '[o3]' "${x264[@]}" -b:v 450k -maxrate 450k -bufsize 450k -map 0:a -c:a copy -f null - 2>&1
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in 1280x720 1920x1080; do
    src="$WORK/src-$size.flv"
    ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=$size:rate=30" -f lavfi -i sine=frequency=440 \
        -t "$SECS" -c:v libx264 -preset veryfast -g 60 -b:v 4000k -pix_fmt yuv420p -c:a aac -b:a 96k -y "$src"
    frames=$((SECS * 30))
    for round in $(seq 1 "$ROUNDS"); do
        line="$("$BENCH" "$src" "$PRESET" 2>/dev/null | grep '^inprocess')"
        fps_in="$(sed -E 's/.* fps=([0-9.]+).*/\1/' <<<"$line")"
        start=$(date +%s.%N)
        cli="$(ladder_ffmpeg "$src")"
        end=$(date +%s.%N)
        fps_cli="$(awk -v f="$frames" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", f / (b - a) }')"
        ratio="$(awk -v a="$fps_in" -v b="$fps_cli" 'BEGIN { printf "%.2f", a / b }')"
        echo "source=$size round=$round $line | cli fps=$fps_cli $(grep -o 'cli_cpu_seconds=.*' <<<"$cli") | inprocess/cli=$ratio"
    done
done
