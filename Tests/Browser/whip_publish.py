#!/usr/bin/env python3
"""Publishes Chromium's fake camera and microphone (H.264 + Opus) to a WHIP URL from Debian's
Chromium (Playwright), as a school's browser or OBS would.

    whip_publish.py URL --key KEY [--seconds N] [--size WxH] [--clock]

Prints "READY {json}" once the peer connection is connected (the POST's status and Location),
keeps publishing for --seconds, then prints one JSON line with the sender's statistics (frames
encoded and sent, the codec, NACKs and PLIs received from the relay) and DELETEs the session.
--clock draws the wall clock (Date.now(), ms) into the picture through a canvas, for latency
measurements: each frame carries its capture time as a row of black and white blocks.
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import launch

# The reading of --clock's blocks, for the viewer pages (whip_latency.py, hls_latency.py):
# `readClock(video, g)` draws the video's current picture into the 2D context `g` (of a canvas)
# and returns the capture time it carries; `quantile(sorted, q)` for the figures.
READ_CLOCK = """
  const readClock = (video, g) => {
    g.canvas.width = video.videoWidth; g.canvas.height = video.videoHeight;
    g.drawImage(video, 0, 0);
    const block = Math.floor(video.videoWidth / 42);
    let stamp = 0;
    for (let bit = 0; bit < 42; bit++) {
      const d = g.getImageData(bit * block + (block >> 1), block >> 1, 1, 1).data;
      stamp = stamp * 2 + ((d[0] + d[1] + d[2]) / 3 > 128 ? 1 : 0);
    }
    return stamp;
  };
  const quantile = (sorted, q) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
"""

PUBLISH = """
async ([url, key, width, height, clock]) => {
  const result = {};
  let stream = await navigator.mediaDevices.getUserMedia({video: {width, height, frameRate: 25}, audio: true});
  if (clock) {
    // A canvas: the fake camera's picture, then the capture time as 42 blocks (bit 41 first).
    const source = document.createElement('video');
    source.muted = true; source.srcObject = stream; await source.play();
    const canvas = document.createElement('canvas'); canvas.width = width; canvas.height = height;
    const g = canvas.getContext('2d');
    const draw = () => {
      g.drawImage(source, 0, 0, width, height);
      const now = Date.now(); const block = Math.floor(width / 42);
      for (let bit = 0; bit < 42; bit++) {
        g.fillStyle = Math.floor(now / 2 ** (41 - bit)) % 2 ? '#fff' : '#000';
        g.fillRect(bit * block, 0, block, block);
      }
      requestAnimationFrame(draw);
    };
    draw();
    const painted = canvas.captureStream(25);
    stream.getAudioTracks().forEach((t) => painted.addTrack(t));
    stream = painted;
  }
  const pc = new RTCPeerConnection();
  window.publisher = pc;
  for (const track of stream.getTracks()) pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]});
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const headers = {'Content-Type': 'application/sdp'};
  if (key) headers['Authorization'] = 'Bearer ' + key;
  const response = await fetch(url, {method: 'POST', headers, body: offer.sdp});
  result.status = response.status;
  result.location = response.headers.get('Location');
  const body = await response.text();
  if (response.status !== 201) { result.body = body; pc.close(); return result; }
  window.whipLocation = new URL(result.location, url).href;
  await pc.setRemoteDescription({type: 'answer', sdp: body});
  await new Promise((resolve) => {
    const check = () => pc.connectionState === 'connected' ? resolve() : setTimeout(check, 50);
    check(); setTimeout(resolve, 15000);
  });
  result.connectionState = pc.connectionState;
  return result;
}
"""

FRAMES_SENT = """
async () => {
  let sent = 0;
  (await window.publisher.getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') sent = s.framesSent || 0; });
  return sent;
}
"""

STATS = """
async () => {
  const pc = window.publisher; const result = {};
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      result.framesEncoded = s.framesEncoded; result.framesSent = s.framesSent; result.nackCount = s.nackCount;
      result.pliCount = s.pliCount; result.retransmittedPacketsSent = s.retransmittedPacketsSent;
      result.frameWidth = s.frameWidth; result.frameHeight = s.frameHeight; result.videoBytesSent = s.bytesSent;
      const codec = stats.get(s.codecId); result.videoCodec = codec && codec.mimeType;
    }
    if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      result.audioPacketsSent = s.packetsSent;
      const codec = stats.get(s.codecId); result.audioCodec = codec && codec.mimeType;
    }
  });
  result.connectionState = pc.connectionState;
  if (window.whipLocation) result.deleteStatus = (await fetch(window.whipLocation, {method: 'DELETE'})).status;
  pc.close();
  return result;
}
"""


def measure_with_clock_publisher(whip_url, key, view):
    """For the latency probes: one Chromium whose first page publishes the fake camera with the
    clock (640x360) to `whip_url`; once a second of its pictures is sent `view(browser, origin)` runs in the same
    browser and its result is printed as one JSON line. Returns the exit status."""
    with sync_playwright() as p:
        origin = "/".join(whip_url.split("/")[:3])
        browser = launch(p, extra=["--use-fake-device-for-media-stream", "--unsafely-treat-insecure-origin-as-secure=" + origin])
        try:
            publisher = browser.new_page()
            publisher.goto(origin + "/healthz")
            published = publisher.evaluate(PUBLISH, [whip_url, key, 640, 360, True])
            if published.get("status") != 201:
                print(json.dumps({"publish": published}), flush=True)
                return 1
            # Until the relay has the lesson's pictures (a second's worth sent), at most 10 s.
            deadline = time.time() + 10
            while publisher.evaluate(FRAMES_SENT) < 25 and time.time() < deadline:
                time.sleep(0.1)
            result = view(browser, origin)
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--key", default="")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--clock", action="store_true")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with sync_playwright() as p:
        origin = "/".join(args.url.split("/")[:3])
        # getUserMedia needs a secure context: loopback is one, the relay's address across a
        # network namespace is made one.
        browser = launch(p, extra=["--use-fake-device-for-media-stream", "--unsafely-treat-insecure-origin-as-secure=" + origin])
        try:
            page = browser.new_page()
            page.goto(origin + "/healthz")
            result = page.evaluate(PUBLISH, [args.url, args.key, width, height, args.clock])
            print("READY " + json.dumps(result), flush=True)
            if result.get("status") == 201:
                time.sleep(args.seconds)  # not a condition: how long the school publishes
                result.update(page.evaluate(STATS))
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
