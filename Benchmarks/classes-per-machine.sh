#!/usr/bin/env bash
# How many fully watched 720p classes one machine carries: for each relayd build given and each N,
# N publishers (ffmpeg -re, a 720p30 2.5 Mbit/s lesson looped, over RTMP) and one RTMP player on
# every rung of every class (ffmpeg -c copy -f null: a player costs the machine next to nothing),
# against a release relayd with the default ladder. N passes when, over a WINDOW-second window
# after WARMUP seconds:
#   - no player stalls: every rung player received at least 97 % of 30 fps x WINDOW frames;
#   - no frame dropped: relayd's transcoders report droppedFrames=0 (they log it when they stop:
#     frames their inbox dropped because the transcoder fell behind) and no decode errors.
# The largest N that passes (trying N = 1, 2, ... up to MAX_CLASSES, stopping at the first that
# fails) is the build's figure. Builds run in turn in the same run, the old one first.
#
#   OLD_RELAYD=/path/old/relayd NEW_RELAYD=/path/new/relayd Benchmarks/classes-per-machine.sh
#   WINDOW=30 WARMUP=12 MAX_CLASSES=8
#   NEW_EXTRA_CONFIG=$'transcode:\n  sourceServesItsSize: true\n'   # a third pass: the new build so configured
#
# Without OLD_RELAYD/NEW_RELAYD it builds both in release: OLD_REF (default origin/main) in a git
# worktree under Benchmarks/.build, and this checkout. The machine is shared: the load average
# before each N is printed; figures from a busy machine are noisy.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WINDOW="${WINDOW:-30}"
WARMUP="${WARMUP:-12}"
MAX_CLASSES="${MAX_CLASSES:-8}"
NEW_EXTRA_CONFIG="${NEW_EXTRA_CONFIG:-}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

build_release() {  # $1 package directory: prints the release relayd's path
    (cd "$1" && swift build -c release --product relayd >&2 && echo "$(swift build -c release --show-bin-path)/relayd")
}
if [[ -z "${OLD_RELAYD:-}" ]]; then
    old_tree="$HERE/.build/classes-old"
    [[ -d "$old_tree" ]] || git -C "$HERE/.." worktree add --detach "$old_tree" "${OLD_REF:-origin/main}" >&2
    OLD_RELAYD="$(build_release "$old_tree")"
fi
NEW_RELAYD="${NEW_RELAYD:-$(build_release "$HERE/..")}"

lesson="$WORK/lesson.flv"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t" \
    -f lavfi -i sine=frequency=440 -t 60 -c:v libx264 -preset veryfast -g 60 -b:v 2500k -maxrate 2500k \
    -bufsize 2500k -pix_fmt yuv420p -c:a aac -b:a 96k -y "$lesson"

# Runs N classes against relayd $1; prints "pass" or "fail: why" on the last line.
run_classes() {  # $3: extra relayd.yaml
    local relayd="$1" n="$2" dir="$WORK/run-$n-$RANDOM" port=$((20000 + RANDOM % 20000))
    mkdir -p "$dir/var"
    printf 'auth:\n  mode: open\nlog:\n  level: info\n%s' "${3:-}" >"$dir/relayd.yaml"
    "$relayd" --config "$dir/relayd.yaml" --data-dir "$dir/var" --host 127.0.0.1 --rtmp-port "$port" \
        --http-port $((port + 1)) --srt-port $((port + 2)) --webrtc-port $((port + 3)) >"$dir/relayd.log" 2>&1 &
    local relay=$!
    PIDS+=("$relay")
    for _ in $(seq 100); do grep -q "listening rtmp" "$dir/relayd.log" 2>/dev/null && break; sleep 0.1; done
    local players=() publishers=()
    for c in $(seq "$n"); do
        ffmpeg -nostdin -hide_banner -loglevel error -re -stream_loop -1 -i "$lesson" -c copy -f flv \
            "rtmp://127.0.0.1:$port/live/class$c" 2>"$dir/pub$c.err" &
        publishers+=($!)
    done
    PIDS+=("${publishers[@]}")
    sleep 5  # the ladder is decided once each source's bitrate is measured (its first seconds)
    for c in $(seq "$n"); do
        for rung in 720p 480p 360p; do
            ffmpeg -nostdin -hide_banner -loglevel error -i "rtmp://127.0.0.1:$port/live/class${c}_$rung" \
                -c copy -f null - -stats_period 0.2 -progress "$dir/play-$c-$rung.progress" 2>"$dir/play-$c-$rung.err" &
            players+=($!)
        done
    done
    PIDS+=("${players[@]}")
    sleep "$WARMUP"
    local before=() after=() files=("$dir"/play-*.progress)
    for f in "${files[@]}"; do before+=("$(grep -o '^frame=[0-9]*' "$f" | tail -1 | cut -d= -f2 || true)"); done
    sleep "$WINDOW"
    for f in "${files[@]}"; do after+=("$(grep -o '^frame=[0-9]*' "$f" | tail -1 | cut -d= -f2 || true)"); done
    local load
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    kill "${players[@]}" "${publishers[@]}" 2>/dev/null || true
    kill -TERM "$relay" 2>/dev/null || true
    wait "$relay" 2>/dev/null || true
    local need=$((30 * WINDOW * 97 / 100)) least=999999 verdict="pass" i
    for i in "${!files[@]}"; do
        local got=$(( ${after[$i]:-0} - ${before[$i]:-0} ))
        (( got < least )) && least=$got
        (( got < need )) && verdict="fail: $(basename "${files[$i]}" .progress) got $got frames in ${WINDOW} s (need $need)"
    done
    local dropped errors
    dropped="$(grep -o 'droppedFrames[^0-9]*[0-9]*' "$dir/relayd.log" | grep -o '[0-9]*$' | awk '{ s += $1 } END { print s + 0 }' || true)"
    errors="$(grep -o 'decodeErrors[^0-9]*[0-9]*' "$dir/relayd.log" | grep -o '[0-9]*$' | awk '{ s += $1 } END { print s + 0 }' || true)"
    local reported
    reported="$(grep -c 'transcoder stopped' "$dir/relayd.log" || true)"
    (( reported < n )) && verdict="fail: only $reported of $n transcoders reported their drops"
    (( dropped > 0 )) && verdict="fail: transcoders dropped $dropped frames"
    (( errors > 0 )) && verdict="fail: $errors decode errors"
    echo "  classes=$n players=${#files[@]} least_frames=$least/$need dropped=$dropped decode_errors=$errors load_after=$load"
    echo "$verdict"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); window ${WINDOW} s after ${WARMUP} s"
builds=(old new)
[[ -n "$NEW_EXTRA_CONFIG" ]] && builds+=(new+config)
for build in "${builds[@]}"; do
    relayd="$OLD_RELAYD" extra=""
    [[ "$build" == new* ]] && relayd="$NEW_RELAYD"
    [[ "$build" == new+config ]] && extra="$NEW_EXTRA_CONFIG"
    best=0
    for n in $(seq "$MAX_CLASSES"); do
        echo "$build N=$n load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
        result="$(run_classes "$relayd" "$n" "$extra")"
        echo "$result" | sed '$d'
        verdict="$(tail -1 <<<"$result")"
        echo "  $verdict"
        [[ "$verdict" == pass ]] || break
        best=$n
    done
    echo "$build: largest N with no dropped frame and no stall = $best ($relayd)"
done
