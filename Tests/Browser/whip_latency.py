#!/usr/bin/env python3
"""Glass-to-glass latency from a WHIP publisher to a WHEP viewer, in one Chromium (Playwright):
page A publishes the fake camera with the wall clock drawn into every picture (whip_publish.py
--clock's 42 blocks), page B plays the WHEP URL and, for each decoded frame
(requestVideoFrameCallback), reads the blocks back and subtracts them from its own clock.

    whip_latency.py WHIP_URL WHEP_URL [--key KEY] [--seconds N]

Prints one JSON line: frames read, latency p50/p95/max in ms.
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import launch
from whip_publish import PUBLISH, READ_CLOCK

VIEW = """
async ([url, key, seconds]) => {""" + READ_CLOCK + """
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', {direction: 'recvonly'});
  pc.addTransceiver('audio', {direction: 'recvonly'});
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true;
  document.body.appendChild(video);
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const headers = {'Content-Type': 'application/sdp'};
  if (key) headers['Authorization'] = 'Bearer ' + key;
  const response = await fetch(url, {method: 'POST', headers, body: offer.sdp});
  if (response.status !== 201) return {status: response.status, body: await response.text()};
  await pc.setRemoteDescription({type: 'answer', sdp: await response.text()});
  const canvas = document.createElement('canvas'); const g = canvas.getContext('2d', {willReadFrequently: true});
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  await new Promise((resolve) => {
    const frame = () => {
      if (performance.now() > end) { resolve(); return; }
      const now = Date.now();
      if (video.videoWidth > 0) {
        const latency = now - readClock(video, g);
        if (latency >= 0 && latency < 10000) latencies.push(latency);
      }
      video.requestVideoFrameCallback(frame);
    };
    video.requestVideoFrameCallback(frame);
    setTimeout(resolve, seconds * 1000 + 15000);
  });
  pc.close();
  latencies.sort((a, b) => a - b);
  const at = (q) => quantile(latencies, q);
  return {status: 201, frames: latencies.length, p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1] || null};
}
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("whip")
    parser.add_argument("whep")
    parser.add_argument("--key", default="")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with sync_playwright() as p:
        origin = "/".join(args.whip.split("/")[:3])
        browser = launch(p, extra=["--use-fake-device-for-media-stream", "--unsafely-treat-insecure-origin-as-secure=" + origin])
        try:
            publisher = browser.new_page()
            publisher.goto(origin + "/healthz")
            published = publisher.evaluate(PUBLISH, [args.whip, args.key, 640, 360, True])
            if published.get("status") != 201:
                print(json.dumps({"publish": published}), flush=True)
                return 1
            time.sleep(2)
            viewer = browser.new_page()
            viewer.goto(origin + "/healthz")
            result = viewer.evaluate(VIEW, [args.whep, args.key, args.seconds])
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
