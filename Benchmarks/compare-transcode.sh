#!/usr/bin/env bash
# The default ladder (720p 1800k, 480p 900k, 360p 450k; libx264 + zerolatency, no B-frames,
# maxrate = bitrate, 1 s VBV, bilinear scaling, keyframes at the source's, AAC re-encoded per rung
# at 96/64/48k) from a 720p30 source at 2.5 Mbit/s: relayd's in-process transcoder (TranscodeBench)
# beside the ffmpeg CLI doing the same ladder, A B A B in the same run. Per run: CPU seconds, frames
# per second, core per class (CPU seconds per second of video encoded), and each rung's PSNR and
# SSIM against the source scaled to the rung's size (bicubic), frame matched to frame by timestamp
# (on the 30 fps grid).
#
#   Benchmarks/compare-transcode.sh     # SECONDS_OF_VIDEO=20 ROUNDS=2 SOURCE_KBPS=2500
#   PRESETS="veryfast superfast superfast" THREADS=1 Benchmarks/compare-transcode.sh   # levers
#   SOURCE_SERVES_ITS_SIZE=1 Benchmarks/compare-transcode.sh   # the 720p rung left to the source
#
# PRESETS: x264 presets of the 720p, 480p, 360p rungs; THREADS: x264 threads per rung (0: x264's
# choice); both sides get the same. TRANSCODE_BENCH: a prebuilt TranscodeBench (else built here).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SECS="${SECONDS_OF_VIDEO:-20}"
ROUNDS="${ROUNDS:-2}"
SOURCE_KBPS="${SOURCE_KBPS:-2500}"
read -r -a PRESET <<<"${PRESETS:-veryfast veryfast veryfast}"
THREADS="${THREADS:-0}"
SERVES="${SOURCE_SERVES_ITS_SIZE:-0}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [[ -n "${TRANSCODE_BENCH:-}" ]]; then
    BENCH="$TRANSCODE_BENCH"
else
    (cd "$HERE" && swift build -c release --product TranscodeBench >/dev/null)
    BENCH="$(cd "$HERE" && swift build -c release --show-bin-path)/TranscodeBench"
fi

RUNGS=(720p:1280:720:1800:96 480p:854:480:900:64 360p:640:360:450:48)
[[ "$SERVES" == 1 ]] && RUNGS=("${RUNGS[@]:1}")

ladder_cli() {  # $1 source, $2 output directory: the same ladder with one ffmpeg
    local split="[0:v]split=${#RUNGS[@]}" scales="" maps=() i=0
    for rung in "${RUNGS[@]}"; do
        IFS=: read -r name w h kbps akbps <<<"$rung"
        local p="${PRESET[$((3 - ${#RUNGS[@]} + i))]}"
        split+="[s$i]"
        scales+=";[s$i]scale=$w:$h:flags=bilinear[o$i]"
        maps+=(-map "[o$i]" -c:v libx264 -preset "$p" -tune zerolatency -bf 0 -g 240 -threads "$THREADS"
            -x264-params scenecut=0:forced-idr=1 -force_key_frames source
            -b:v "${kbps}k" -maxrate "${kbps}k" -bufsize "${kbps}k" -map 0:a -c:a aac -b:a "${akbps}k" -y "$2/$name.flv")
        i=$((i + 1))
    done
    /usr/bin/time -f "cpu_seconds=%U %S" ffmpeg -hide_banner -loglevel error -nostats -copyts -threads 1 -i "$1" \
        -filter_threads 1 -filter_complex "$split$scales" "${maps[@]}" 2>&1 | awk '/cpu_seconds=/ { sub("cpu_seconds=", ""); printf "%.2f", $1 + $2 }'
}

bench_args() {
    local args=(--threads "$THREADS") i=0
    for name in 720p 480p 360p; do args+=(--rung-preset "$name=${PRESET[$i]}"); i=$((i + 1)); done
    [[ "$SERVES" == 1 ]] && args+=(--source-serves-its-size)
    echo "${args[@]}"
}

# Times put on the 30 fps grid, so a frame the CLI stamped 133 ms meets the source's 134 ms one.
ON_GRID='setpts=round(T*30)/30/TB'
quality() {  # $1 source, $2 output directory: "720p=PSNR/SSIM ..." per rung
    local out=""
    for rung in "${RUNGS[@]}"; do
        IFS=: read -r name w h _ _ <<<"$rung"
        local log
        log="$(ffmpeg -hide_banner -nostats -copyts -i "$2/$name.flv" -i "$1" -an -lavfi \
            "[1:v]scale=$w:$h:flags=bicubic,$ON_GRID,split[r1][r2];[0:v]$ON_GRID,split[m1][m2];[m1][r1]psnr=shortest=1;[m2][r2]ssim=shortest=1" -f null - 2>&1)"
        local psnr ssim
        psnr="$(grep -o 'PSNR y:.*average:[0-9.]*' <<<"$log" | grep -o 'average:[0-9.]*' | cut -d: -f2)"
        ssim="$(grep -o 'SSIM Y:.*All:[0-9.]*' <<<"$log" | grep -o 'All:[0-9.]*' | cut -d: -f2)"
        out+="$(printf '%s=%.2fdB/%.4f ' "$name" "$psnr" "$ssim")"
    done
    echo "$out"
}

frames_of() { ffprobe -v error -count_packets -select_streams v -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "presets 720p/480p/360p: ${PRESET[*]}, x264 threads per rung: $THREADS, source serves its size: $SERVES"
src="$WORK/source.flv"
# A camera-like 720p30 lesson: testsrc2 with temporal noise, x264 veryfast at a capped SOURCE_KBPS.
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t" \
    -f lavfi -i sine=frequency=440 -t "$SECS" -c:v libx264 -preset veryfast -g 60 \
    -b:v "${SOURCE_KBPS}k" -maxrate "${SOURCE_KBPS}k" -bufsize "${SOURCE_KBPS}k" -pix_fmt yuv420p -c:a aac -b:a 96k -y "$src"
echo "source: 1280x720p30 $(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$src") bit/s, $((SECS * 30)) frames"
for round in $(seq 1 "$ROUNDS"); do
    mkdir -p "$WORK/in" "$WORK/cli"
    # shellcheck disable=SC2046
    line="$("$BENCH" "$src" veryfast $(bench_args) --out "$WORK/in" 2>/dev/null | grep '^inprocess')"
    frames="$(sed -E 's/.* frames=([0-9]+).*/\1/' <<<"$line")"
    cpu="$(sed -E 's/.* cpu_seconds=([0-9.]+).*/\1/' <<<"$line")"
    core="$(awk -v c="$cpu" -v f="$frames" 'BEGIN { printf "%.3f", c / (f / 30) }')"
    echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) A in-process $line core_per_class=$core | $(quality "$src" "$WORK/in")"
    start=$(date +%s.%N)
    cpu="$(ladder_cli "$src" "$WORK/cli")"
    end=$(date +%s.%N)
    frames="$(frames_of "$WORK/cli/${RUNGS[-1]%%:*}.flv")"
    fps="$(awk -v f="$frames" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", f / (b - a) }')"
    core="$(awk -v c="$cpu" -v f="$frames" 'BEGIN { printf "%.3f", c / (f / 30) }')"
    echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) B ffmpeg-cli frames=$frames fps=$fps cpu_seconds=$cpu core_per_class=$core | $(quality "$src" "$WORK/cli")"
    rm -rf "$WORK/in" "$WORK/cli"
done
