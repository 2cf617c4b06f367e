#!/usr/bin/env python3
"""Opens relayd's /watch page in Debian's Chromium (Playwright) and prints one JSON line: the
page's title, teacher and state label, and whether the <video> plays (videoWidth, currentTime
advancing), waiting up to --timeout seconds for playback to start (a lesson that has not begun
yet starts by itself). --screenshot FILE saves a PNG of the page. --no-webrtc removes
RTCPeerConnection from the page (a browser without WebRTC). A URL ending in .m3u8 (before its
query) is played by Chromium's own HLS player in a bare <video> instead. Content-Security-Policy
violations are listed (cspViolations) and make the exit status 3.

    watch_page.py URL [--timeout N] [--screenshot FILE] [--no-webrtc]
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--screenshot")
    parser.add_argument("--no-webrtc", action="store_true")
    parser.add_argument("--play-seconds", type=float, default=1.5, help="how long to watch once playing")
    args = parser.parse_args()
    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            csp = CSPWatch(page)
            if args.no_webrtc:
                page.add_init_script("delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;")
            native = args.url.split("?")[0].endswith(".m3u8")
            requests = []
            page.on("requestfinished", lambda r: requests.append(r.url.split("?")[0].rsplit("/", 2)[-2:]))
            page.on("requestfailed", lambda r: requests.append(["failed", r.url.split("?")[0]]))
            if native:
                # A page of the relay's own origin (an opaque about:blank origin cannot fetch the
                # byte ranges of a VOD playlist's file).
                origin = "/".join(args.url.split("/")[:3])
                page.goto(origin + "/healthz")
                page.set_content('<video id="video" muted autoplay playsinline></video>')
                page.evaluate("url => { const v = document.getElementById('video'); v.src = url; v.play().catch(() => {}); }", args.url)
                result["status"] = 200
            else:
                response = page.goto(args.url)
                result["status"] = response.status if response else None
                result["lang"] = page.evaluate("document.documentElement.lang")
            if result["status"] == 200:
                if not native:
                    result["title"] = page.inner_text("#title")
                    result["teacher"] = page.inner_text("#teacher")
                    result["initialState"] = page.inner_text("#state")
                    # The page is up (a test may start the lesson now); the last line stays the result.
                    print(json.dumps({"loaded": True, "initialState": result["initialState"]}, ensure_ascii=False), flush=True)
                deadline = time.time() + args.timeout
                first = None
                while time.time() < deadline:
                    now = page.evaluate("[document.getElementById('video').currentTime, document.getElementById('video').videoWidth]")
                    if now[1] > 0 and now[0] > 0:
                        if first is None:
                            first = now[0]
                            result["playingAfterSeconds"] = args.timeout - (deadline - time.time())
                        elif now[0] > first + args.play_seconds:
                            break
                    time.sleep(0.25)
                result["currentTime"], result["videoWidth"] = page.evaluate(
                    "[document.getElementById('video').currentTime, document.getElementById('video').videoWidth]"
                )
                result["advanced"] = first is not None and result["currentTime"] > first
                result["transport"] = page.evaluate("document.getElementById('video').dataset.transport || null")
                # How far the picture is behind the newest media the player holds (HLS: the newest
                # part it fetched), a lower bound of its latency behind the relay's live edge.
                result["behindBufferedSeconds"] = page.evaluate(
                    "(v => v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : null)(document.getElementById('video'))"
                )
                result["error"] = page.evaluate("(e => e && (e.code + ' ' + e.message))(document.getElementById('video').error)")
                result["requests"] = ["/".join(r) for r in requests[-12:]]
                if not native:
                    result["state"] = page.inner_text("#state")
                    result["notice"] = page.inner_text("#notice")
                if args.screenshot:
                    page.screenshot(path=args.screenshot)
            result["cspViolations"] = csp.violations()
        finally:
            browser.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 3 if result.get("cspViolations") else 0


if __name__ == "__main__":
    sys.exit(main())
