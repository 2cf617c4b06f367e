#!/usr/bin/env python3
"""Plays a WHEP URL in Debian's Chromium (Playwright, executable_path=/usr/bin/chromium) with a
minimal standard WHEP client and prints one JSON line of what the browser saw.

    whep_play.py URL [--key KEY] [--seconds N] [--stop-file PATH] [--no-delete] [--tcp-only] [--print-answer]

The page POSTs an SDP offer (recvonly audio + video), applies the answer, and reports: the POST's
status, the time from the POST to the first decoded frame, the picture size, frames decoded and
the inbound audio energy (getStats), the picture heights seen and the longest freeze (sampled
every 250 ms), the last picture's colours at eight fixed points (`pixels`), then DELETEs the session (its status too). The page runs on
the relay's own origin (its /healthz), as the relay's watch page will. --print-answer writes the
SDP answer to stderr as soon as it arrives (one line, "whep-answer <JSON string>"), for a test
that needs the session's ICE credentials while the browser plays. With --stop-file the browser
plays until that file exists (at most --seconds), for a test that knows when it has seen enough.
"""
import argparse
import json
import os
import sys

from playwright.sync_api import sync_playwright

from chromium import launch

CLIENT = """
async ([url, key, seconds, doDelete, tcpOnly, stopFile]) => {
  const result = {};
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', {direction: 'recvonly'});
  pc.addTransceiver('audio', {direction: 'recvonly'});
  const video = document.createElement('video');
  video.autoplay = true; video.muted = false; video.playsInline = true;
  document.body.appendChild(video);
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
  pc.onconnectionstatechange = () => { if (pc.connectionState === 'connected') result.connectedMs = performance.now() - t0; };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const headers = {'Content-Type': 'application/sdp'};
  if (key) headers['Authorization'] = 'Bearer ' + key;
  var t0 = performance.now();
  const response = await fetch(url, {method: 'POST', headers, body: offer.sdp});
  result.status = response.status;
  result.location = response.headers.get('Location');
  const body = await response.text();
  result.answerMs = performance.now() - t0;
  if (response.status === 201) console.log('whep-answer ' + JSON.stringify(body));
  if (response.status !== 201) { result.body = body; pc.close(); return result; }
  // --tcp-only: the answer's UDP candidates are removed, as a school firewall that drops UDP
  // leaves only ICE-TCP.
  const answer = tcpOnly ? body.split('\\r\\n').filter((l) => !(l.startsWith('a=candidate:') && l.includes(' udp '))).join('\\r\\n') : body;
  await pc.setRemoteDescription({type: 'answer', sdp: answer});
  const first = await Promise.race([
    new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(performance.now() - t0))),
    new Promise((resolve) => setTimeout(() => resolve(null), 15000)),
  ]);
  result.firstFrameMs = first;
  // Every 250 ms: frames decoded and the picture height, for the heights seen over the run and
  // the longest time the picture stood still (no new decoded frame).
  const heights = new Set();
  let lastDecoded = -1, lastChange = performance.now(), longestFreeze = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (stopFile && await window.stopFileExists()) break;
    const sample = await pc.getStats();
    sample.forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      const now = performance.now();
      if (s.frameHeight) heights.add(s.frameHeight);
      if (s.framesDecoded !== lastDecoded) { lastDecoded = s.framesDecoded; lastChange = now; }
      else if (lastDecoded > 0) longestFreeze = Math.max(longestFreeze, now - lastChange);
    });
  }
  result.heightsSeen = [...heights].sort((a, b) => a - b);
  result.longestFreezeMs = longestFreeze;
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      result.framesDecoded = s.framesDecoded; result.frameWidth = s.frameWidth; result.frameHeight = s.frameHeight;
      result.videoPacketsLost = s.packetsLost; result.nackCount = s.nackCount; result.freezeCount = s.freezeCount;
      result.totalFreezesDuration = s.totalFreezesDuration;
    }
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      result.totalAudioEnergy = s.totalAudioEnergy; result.audioPacketsReceived = s.packetsReceived;
    }
    if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = stats.get(s.selectedCandidatePairId);
      result.rttMs = ((pair && pair.currentRoundTripTime) || 0) * 1000;
      const remote = pair && stats.get(pair.remoteCandidateId);
      if (remote) result.remoteCandidateProtocol = remote.protocol;
    }
  });
  result.videoWidth = video.videoWidth; result.videoHeight = video.videoHeight;
  // The last picture's colours at fixed points of a 640x360 copy: where the teacher shows in
  // the program's pip layout, then the inset's centre (for tests of the interactive classroom).
  if (video.videoWidth) {
    const canvas = document.createElement('canvas');
    canvas.width = 640; canvas.height = 360;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0, 640, 360);
    const points = [[40, 40], [320, 180], [600, 40], [40, 320], [400, 300], [550, 305], [490, 275], [615, 340]];
    result.pixels = points.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
  }
  result.currentTime = video.currentTime;
  result.connectionState = pc.connectionState;
  if (doDelete && result.location) {
    const del = await fetch(new URL(result.location, url).href, {method: 'DELETE'});
    result.deleteStatus = del.status;
  }
  pc.close();
  return result;
}
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--key", default="")
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--stop-file", default="", help="stop playing once this file exists (at most --seconds)")
    parser.add_argument("--no-delete", action="store_true")
    parser.add_argument("--tcp-only", action="store_true", help="drop the answer's UDP candidates (ICE-TCP)")
    parser.add_argument("--print-answer", action="store_true", help="the SDP answer to stderr as it arrives")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            if args.stop_file:
                page.expose_function("stopFileExists", lambda: os.path.exists(args.stop_file))
            if args.print_answer:
                page.on("console", lambda m: m.text.startswith("whep-answer ") and print(m.text, file=sys.stderr, flush=True))
            # A page of the relay's own origin: Chromium's local-network-access rules refuse
            # fetches from about:blank to loopback (CORS itself is checked with curl).
            origin = "/".join(args.url.split("/")[:3])
            page.goto(origin + "/healthz")
            result = page.evaluate(CLIENT, [args.url, args.key, args.seconds, not args.no_delete, args.tcp_only, bool(args.stop_file)])
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
