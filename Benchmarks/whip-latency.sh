#!/usr/bin/env bash
# Glass-to-glass latency WHIP → relayd → WHEP on loopback, in Chromium: the publisher page draws
# its wall clock into every picture, the viewer page reads it back from each decoded frame
# (Tests/Browser/whip_latency.py). Once through the source (no transcoding) and once through a
# transcoded rung (360p). RELAYD=path uses that binary (SKIP_BUILD=1 with it skips the build).
#   Benchmarks/whip-latency.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/whip-latency.XXXXXX)"
STARTED=()
source "$(dirname "$0")/bench-lib.sh"
SECONDS_EACH="${1:-15}"
if [ -z "${RELAYD:-}" ]; then build_release; fi

cat > "$WORK/relayd.yaml" <<YAML
dataDir: $WORK/data
auth:
  mode: open
rtmp: { port: 0 }
srt: { port: 0 }
http: { port: 28480 }
webrtc: { port: 0 }
YAML
"$RELAYD" --config "$WORK/relayd.yaml" > "$WORK/relayd.out" 2> "$WORK/relayd.err" &
SERVER_PID=$!
STARTED+=("$SERVER_PID")
wait_port 28480
for name in source 360p; do
    say "WHIP live/lat-$name → WHEP live/lat-${name}_$name for $SECONDS_EACH s"
    result="$(/usr/bin/python3 "$ROOT/Tests/Browser/whip_latency.py" \
        "http://127.0.0.1:28480/whip/live/lat-$name" "http://127.0.0.1:28480/whep/live/lat-${name}_$name" --seconds "$SECONDS_EACH")"
    echo "{\"through\": \"$name\", \"latencyMs\": $result}"
done
stop_server
