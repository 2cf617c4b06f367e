# Shared by the comparison scripts (sourced, not run): a work directory, cleanup of everything
# started (TERM, then KILL after 5 s; KEEP=1 keeps the work dir), `say`, `wait_port`, `stop_server`.
#   WORK="$(mktemp -d ...)"; STARTED=(); source "$(dirname "$0")/bench-lib.sh"
cleanup() {
    local pid
    for pid in "${STARTED[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${STARTED[@]:-}"; do
        [ -n "$pid" ] || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*" >&2; }

wait_port() {  # port
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listening on port $1" >&2
    return 1
}

stop_server() {  # the server started last ($SERVER_PID)
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

build_release() {  # builds (unless SKIP_BUILD=1) and sets RELAYD and LOADTEST
    cd "$ROOT"
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        say "building release relayd and relay-loadtest"
        swift build -c release --product relayd
        swift build -c release --product relay-loadtest
    fi
    local bin
    bin="$(swift build -c release --show-bin-path)"
    RELAYD="$bin/relayd"
    LOADTEST="$bin/relay-loadtest"
}

make_lesson() {  # path, extra x264 options: 20 s of 720p30 testsrc2 at 1.8 Mbit/s, 2 s GOP, AAC 96k
    local path="$1"; shift
    [ -f "$path" ] && return 0
    say "making $path with ffmpeg"
    mkdir -p "$(dirname "$path")"
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 \
        -c:v libx264 -preset veryfast "$@" -pix_fmt yuv420p -b:v 1800k -maxrate 2000k -bufsize 2000k \
        -g 60 -keyint_min 60 -sc_threshold 0 -c:a aac -b:a 96k -f flv "$path.tmp"
    mv "$path.tmp" "$path"
}
