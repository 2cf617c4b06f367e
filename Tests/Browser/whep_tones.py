#!/usr/bin/env python3
"""Plays one WHEP URL in Debian's Chromium (Playwright, /usr/bin/chromium) once per key, all in
one page, and measures tones in what each viewer hears.

    whep_tones.py URL --key KEY [--key KEY2 ...] [--hz 440 --hz 1000] [--seconds N] [--stop-file PATH]

Each viewer's received audio goes to an <audio> element and to a WebAudio AnalyserNode (8192-point
FFT at 48 kHz, ~6 Hz bins). Once the offers are answered it prints `result <JSON>` (the status),
then every 500 ms one line `tones <JSON>`: for each viewer (in key order) the level in dB of each frequency (the
loudest bin within ±2 bins of it; -200 when nothing is heard yet). A test reads the lines as
they come (it changes the stage while the viewers play). Ends after --seconds, or soon after
--stop-file exists (the test's way to end it early, Chromium closed); the viewers' sessions are
DELETEd.
"""
import argparse
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import launch

SETUP = """
async ([url, keys]) => {
  const context = new AudioContext({sampleRate: 48000});
  await context.resume();
  window.__viewers = [];
  window.__context = context;
  for (const key of keys) {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', {direction: 'recvonly'});
    pc.addTransceiver('audio', {direction: 'recvonly'});
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0.5;
    const viewer = {pc, analyser, location: null};
    pc.ontrack = (e) => {
      if (e.track.kind !== 'audio') return;
      const stream = new MediaStream([e.track]);
      // Chromium feeds a remote track to WebAudio only while a media element plays it too.
      const element = new Audio();
      element.muted = true; element.srcObject = stream; element.play();
      context.createMediaStreamSource(stream).connect(analyser);
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const response = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + key}, body: offer.sdp});
    if (response.status !== 201) return {status: response.status, body: await response.text()};
    viewer.location = response.headers.get('Location');
    await pc.setRemoteDescription({type: 'answer', sdp: await response.text()});
    window.__viewers.push(viewer);
  }
  return {status: 201};
}
"""

LEVELS = """
(frequencies) => {
  const bins = new Float32Array(8192 / 2);
  const binHz = window.__context.sampleRate / 8192;
  return window.__viewers.map((v) => {
    v.analyser.getFloatFrequencyData(bins);
    return frequencies.map((hz) => {
      const center = Math.round(hz / binHz);
      let loudest = -200;
      for (let i = center - 2; i <= center + 2; i++) if (isFinite(bins[i])) loudest = Math.max(loudest, bins[i]);
      return Math.round(loudest * 10) / 10;
    });
  });
}
"""

CLOSE = """
async (url) => {
  for (const v of window.__viewers) {
    if (v.location) await fetch(new URL(v.location, url).href, {method: 'DELETE'});
    v.pc.close();
  }
}
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--key", action="append", default=[])
    parser.add_argument("--hz", action="append", type=float, default=[])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--stop-file", default="")
    args = parser.parse_args()
    frequencies = args.hz or [440, 1000]
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            # A page of the relay's own origin (Chromium refuses fetches from about:blank to loopback).
            origin = "/".join(args.url.split("/")[:3])
            page.goto(origin + "/healthz")
            result = page.evaluate(SETUP, [args.url, args.key])
            print("result " + json.dumps(result), flush=True)
            if result.get("status") != 201:
                return 1
            end = time.monotonic() + args.seconds
            while time.monotonic() < end and not (args.stop_file and os.path.exists(args.stop_file)):
                page.wait_for_timeout(500)
                levels = page.evaluate(LEVELS, frequencies)
                print("tones " + json.dumps({"s": round(time.monotonic(), 1), "levels": levels}), flush=True)
            page.evaluate(CLOSE, args.url)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
