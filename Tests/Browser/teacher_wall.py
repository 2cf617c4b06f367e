#!/usr/bin/env python3
"""Opens a central school's teacher wall (/teacher/<classId>?key=) in Debian's Chromium
(Playwright) and waits until --tiles sites' return feeds play (live, a picture, time advancing,
not blank); prints one JSON line with every tile as the page showed it. Content-Security-Policy
violations are listed (cspViolations) and make the exit status 3.

    teacher_wall.py URL [--tiles N] [--timeout S] [--screenshot FILE]
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch

TILES = """() => Array.from(document.querySelectorAll('.tile')).map(t => {
  const v = t.querySelector('video');
  let colours = 0;
  if (v.videoWidth > 0) {
    const c = document.createElement('canvas'); c.width = 32; c.height = 18;
    const g = c.getContext('2d'); g.drawImage(v, 0, 0, 32, 18);
    const d = g.getImageData(0, 0, 32, 18).data; const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4));
    colours = seen.size;
  }
  return { site: t.dataset.site, live: t.dataset.live === 'true', width: v.videoWidth, time: v.currentTime,
           muted: v.muted, colours, text: t.querySelector('.info').innerText };
})"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--tiles", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=40)
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            csp = CSPWatch(page)
            response = page.goto(args.url)
            result["status"] = response.status
            result["lang"] = page.evaluate("document.documentElement.lang")
            result["title"] = page.title()
            deadline = time.time() + args.timeout
            tiles = []
            while time.time() < deadline:
                tiles = page.evaluate(TILES)
                playing = [t for t in tiles if t["live"] and t["width"] > 0 and t["time"] > 0.5 and t["colours"] > 1]
                if len(playing) >= args.tiles:
                    break
                time.sleep(0.5)
            result["tiles"] = tiles
            if args.screenshot:
                page.screenshot(path=args.screenshot)
            result["cspViolations"] = csp.violations()
        finally:
            browser.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 3 if result.get("cspViolations") else 0


if __name__ == "__main__":
    sys.exit(main())
