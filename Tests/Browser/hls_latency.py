#!/usr/bin/env python3
"""Glass-to-glass latency from a WHIP publisher to Chromium's own HLS player, in one Chromium
(Playwright): page A publishes the fake camera with the wall clock drawn into every picture
(whip_publish.py --clock's 42 blocks), page B plays PAGE_URL (a watch page, or an index.m3u8 in a
plain <video>) and, for each decoded frame (requestVideoFrameCallback), reads the blocks back and
subtracts them from its own clock. Frames of the first `--settle` seconds are not counted.

    hls_latency.py WHIP_URL PAGE_URL [--seconds N] [--settle S] [--events]

Prints one JSON line: frames read, latency p50/p95/max in ms, stalls (waiting events), what the
page played and (--events) each stall and a sample per second of currentTime and buffered end.
"""
import argparse
import sys

from whip_publish import READ_CLOCK, measure_with_clock_publisher

MEASURE = """
async ([seconds, settle]) => {""" + READ_CLOCK + """
  const start = performance.now();
  // A plain <video> (an index.m3u8 opened directly) or the watch page's.
  let video = document.querySelector('video');
  while (!video || video.videoWidth === 0) {
    if (performance.now() - start > 60000) return {frames: 0, error: 'no picture within 60 s'};
    await new Promise((r) => setTimeout(r, 100));
    video = document.querySelector('video');
  }
  let stalls = 0;
  const events = [];
  const t0 = performance.now();
  const where = () => ({t: Math.round(performance.now() - t0), cur: +video.currentTime.toFixed(2),
                        end: video.buffered.length ? +video.buffered.end(video.buffered.length - 1).toFixed(2) : null});
  video.addEventListener('waiting', () => { stalls += 1; events.push(Object.assign({e: 'waiting'}, where())); });
  video.addEventListener('error', () => { events.push(Object.assign({e: 'error', message: video.error && video.error.message}, where())); });
  video.addEventListener('playing', () => { events.push(Object.assign({e: 'playing'}, where())); });
  const sampler = setInterval(() => events.push(where()), 1000);
  const canvas = document.createElement('canvas'); const g = canvas.getContext('2d', {willReadFrequently: true});
  const latencies = [];
  let unread = 0, failure = null;
  const countFrom = performance.now() + settle * 1000;
  const end = countFrom + seconds * 1000;
  await new Promise((resolve) => {
    const frame = () => {
      if (performance.now() > end) { resolve(); return; }
      const now = Date.now();
      if (video.videoWidth > 0 && performance.now() > countFrom) try {
        const latency = now - readClock(video, g);
        if (latency >= 0 && latency < 30000) latencies.push(latency); else unread += 1;
      } catch (e) { failure = String(e); }
      video.requestVideoFrameCallback(frame);
    };
    video.requestVideoFrameCallback(frame);
    setTimeout(resolve, (settle + seconds) * 1000 + 15000);
  });
  latencies.sort((a, b) => a - b);
  const at = (q) => quantile(latencies, q);
  const buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : null;
  return {frames: latencies.length, p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1] || null, stalls, unread, failure,
          events: window.EVENTS ? events : undefined, transport: video.dataset.transport || 'video', src: video.currentSrc, aheadSeconds: buffered};
}
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("whip")
    parser.add_argument("page")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--settle", type=float, default=8)
    parser.add_argument("--events", action="store_true")
    args = parser.parse_args()
    def view(browser, origin):
        viewer = browser.new_page()
        if args.page.split("?")[0].endswith(".m3u8"):
            # Same origin as the playlist, so the canvas may read the pictures back.
            viewer.goto(origin + "/healthz")
            viewer.evaluate("""(src) => { document.body.innerHTML = '<video muted autoplay playsinline></video>';
                              const v = document.querySelector('video'); v.src = src; v.play().catch(() => {}); }""", args.page)
        else:
            viewer.goto(args.page)
        viewer.evaluate("(v) => { window.EVENTS = v; }", args.events)
        return viewer.evaluate(MEASURE, [args.seconds, args.settle])

    return measure_with_clock_publisher(args.whip, "", view)

if __name__ == "__main__":
    sys.exit(main())
