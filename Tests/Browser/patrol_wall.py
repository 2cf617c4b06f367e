#!/usr/bin/env python3
"""Drives relayd's /patrol wall in Debian's Chromium (Playwright): the login form with a wrong
token (the message it shows), then the right one; waits for --tiles live tiles whose muted
videos play (and --feeds return-feed tiles beside them), prints a line "READY {json}" (and saves --screenshot), then waits up to --wait-lost
seconds for a tile to say its publisher dropped, and prints one JSON line with what it saw.
Content-Security-Policy violations are listed (cspViolations) and make the exit status 3.

    patrol_wall.py BASE_URL --token TOKEN [--tiles N] [--feeds N] [--screenshot FILE] [--wait-lost S]
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch

TILES = """() => Array.from(document.querySelectorAll('.tile')).map(t => {
  const v = t.querySelector('video');
  // Not blank: the distinct colours of the tile's current picture, drawn small.
  let colours = 0;
  if (v.videoWidth > 0) {
    const c = document.createElement('canvas'); c.width = 32; c.height = 18;
    const g = c.getContext('2d'); g.drawImage(v, 0, 0, 32, 18);
    const d = g.getImageData(0, 0, 32, 18).data; const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4));
    colours = seen.size;
  }
  return { classId: t.dataset.classId, state: t.dataset.state || null, width: v.videoWidth, time: v.currentTime,
           colours, text: t.querySelector('.info').innerText,
           feeds: Array.from(t.querySelectorAll('.feed')).map(f => ({ site: f.dataset.site, width: f.querySelector('video').videoWidth,
                                                                     time: f.querySelector('video').currentTime })) };
})"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--token", required=True)
    parser.add_argument("--tiles", type=int, default=1)
    parser.add_argument("--feeds", type=int, default=0, help="return-feed tiles that must play too")
    parser.add_argument("--screenshot")
    parser.add_argument("--wait-lost", type=float, default=0)
    parser.add_argument("--timeout", type=float, default=40)
    args = parser.parse_args()
    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            csp = CSPWatch(page)
            page.goto(args.base + "/patrol")
            result["loginForm"] = page.locator("#token").count() == 1
            page.fill("#token", "not-the-token")
            with page.expect_navigation():
                page.click("#login")
            result["wrongTokenMessage"] = page.inner_text("#message")
            page.fill("#token", args.token)
            with page.expect_navigation():
                page.click("#login")
            result["wallTitle"] = page.title()
            cookies = [c for c in page.context.cookies() if c["name"] == "relay_patrol"]
            result["cookie"] = {k: cookies[0][k] for k in ("httpOnly", "sameSite", "path")} if cookies else None
            deadline = time.time() + args.timeout
            tiles = []
            while time.time() < deadline:
                tiles = page.evaluate(TILES)
                playing = [t for t in tiles if t["state"] == "live" and t["width"] > 0 and t["time"] > 0.5]
                feeds = [f for t in tiles for f in t["feeds"] if f["width"] > 0 and f["time"] > 0.5]
                if len(playing) >= args.tiles and len(feeds) >= args.feeds:
                    break
                time.sleep(0.5)
            result["tiles"] = tiles
            result["upcoming"] = page.inner_text("#upcoming")
            if args.screenshot:
                page.screenshot(path=args.screenshot)
            result["cspViolations"] = csp.violations()
            print("READY " + json.dumps(result, ensure_ascii=False), flush=True)
            if args.wait_lost > 0:
                deadline = time.time() + args.wait_lost
                while time.time() < deadline:
                    tiles = page.evaluate(TILES)
                    if any(t["state"] == "lost" for t in tiles):
                        break
                    time.sleep(0.5)
                result["afterDrop"] = tiles
            # A tile opens its class large, with sound.
            page.click(".tile[data-state='live']")
            large = "(() => { const v = document.getElementById('largeVideo'); return { width: v.videoWidth, muted: v.muted, time: v.currentTime }; })()"
            deadline = time.time() + 10  # until the large video plays, at most 10 s
            while not (page.evaluate(large)["width"] > 0 and page.evaluate(large)["time"] > 0) and time.time() < deadline:
                time.sleep(0.2)
            result["large"] = page.evaluate(large)
            result["cspViolations"] = csp.violations()
        finally:
            browser.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 3 if result.get("cspViolations") else 0


if __name__ == "__main__":
    sys.exit(main())
