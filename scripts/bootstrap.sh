#!/usr/bin/env bash
# Installs the Debian packages ClassroomRelay needs to build and test. Idempotent:
# runs `apt-get update` at most once and installs only what is missing.
set -euo pipefail

PACKAGES=(
  pkg-config
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libsrt-gnutls-dev libsrtp2-dev libssl-dev libsqlite3-dev
  ffmpeg rtmpdump srt-tools
  iproute2 procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all system packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
