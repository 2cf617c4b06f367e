#!/usr/bin/env python3
"""Glass-to-glass latency from a WHIP publisher to a WHEP viewer, in one Chromium (Playwright):
page A publishes the fake camera with the wall clock drawn into every picture (whip_publish.py
--clock's 42 blocks), page B plays the WHEP URL and, for each decoded frame
(requestVideoFrameCallback), reads the blocks back and subtracts them from its own clock.

    whip_latency.py WHIP_URL WHEP_URL [--key KEY] [--seconds N]

Prints one JSON line: frames read, latency p50/p95/max in ms.
"""
import argparse
import sys

from whip_publish import READ_CLOCK, measure_with_clock_publisher

def whep_view(reader="readClock(video, g)", helpers="", when="true"):
    """The viewer page's function `([url, key, seconds]) => result`: plays the WHEP URL and, for
    each decoded frame while `when` holds, subtracts the capture time `reader` reads from the
    picture (`helpers` may define what it calls) from its own clock."""
    return """
async ([url, key, seconds]) => {""" + READ_CLOCK + helpers + """
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
  const latencies = []; let size = '';
  const end = performance.now() + seconds * 1000;
  await new Promise((resolve) => {
    const frame = () => {
      if (performance.now() > end) { resolve(); return; }
      const now = Date.now();
      if (video.videoWidth > 0 && (""" + when + """)) {
        size = video.videoWidth + 'x' + video.videoHeight;
        const latency = now - """ + reader + """;
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
  return {status: 201, size, frames: latencies.length, p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1] || null};
}
"""


VIEW = whep_view()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("whip")
    parser.add_argument("whep")
    parser.add_argument("--key", default="")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    def view(browser, origin):
        viewer = browser.new_page()
        viewer.goto(origin + "/healthz")
        return viewer.evaluate(VIEW, [args.whep, args.key, args.seconds])

    return measure_with_clock_publisher(args.whip, args.key, view)

if __name__ == "__main__":
    sys.exit(main())
