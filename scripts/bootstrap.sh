#!/usr/bin/env bash
# Installs the Debian packages ClassroomRelay needs to build and test. Idempotent:
# runs `apt-get update` at most once and installs only what is missing.
set -euo pipefail

PACKAGES=(
  pkg-config
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  libsrt-gnutls-dev libsrtp2-dev libssl-dev libopus-dev libsqlite3-dev
  ffmpeg rtmpdump srt-tools chromium fonts-wqy-microhei
  iproute2 nftables procps postgresql python3-pip
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all system packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python tools for the tests: schemathesis (API fuzzing against docs/openapi.yaml).
if python3 -c 'import schemathesis' 2>/dev/null; then
  echo "bootstrap: schemathesis present"
else
  echo "bootstrap: installing schemathesis"
  # Debian 12's python3 is "externally managed" (PEP 668); this is a test-only tool.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet schemathesis
fi

# Playwright for Python drives Debian's Chromium in the browser tests (executable_path=/usr/bin/chromium;
# `playwright install` is never run: the tests use the system browser, and there is no internet).
# The tests run Debian's /usr/bin/python3 (whatever python3 comes first on PATH), so it is installed there.
if /usr/bin/python3 -c 'import playwright.sync_api' 2>/dev/null; then
  echo "bootstrap: playwright present"
else
  echo "bootstrap: installing playwright"
  PIP_BREAK_SYSTEM_PACKAGES=1 /usr/bin/python3 -m pip install --quiet playwright
fi
