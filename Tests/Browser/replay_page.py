#!/usr/bin/env python3
"""Opens relayd's /replay page of a recording in Debian's Chromium (Playwright) and prints one
JSON line: the page's title, whether the <video> plays (currentTime advancing, videoWidth), and
whether a seek to --seek-to seconds lands there and plays on (currentTime past it).
Content-Security-Policy violations are listed (cspViolations) and make the exit status 3.

    replay_page.py URL [--seek-to SECONDS] [--timeout N]
"""
import argparse
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch

VIDEO = "document.getElementById('video')"


def wait_until(page, condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.evaluate(condition):
            return True
        time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--seek-to", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            csp = CSPWatch(page)
            response = page.goto(args.url)
            result["status"] = response.status if response else None
            if result["status"] == 200:
                result["lang"] = page.evaluate("document.documentElement.lang")
                result["title"] = page.inner_text("#title")
                page.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play().catch(() => {{}})")
                result["played"] = wait_until(page, f"{VIDEO}.currentTime > 1 && {VIDEO}.videoWidth > 0", args.timeout)
                result["duration"] = page.evaluate(f"{VIDEO}.duration")
                page.evaluate(f"{VIDEO}.currentTime = {args.seek_to}")
                result["seeked"] = wait_until(
                    page, f"!{VIDEO}.seeking && {VIDEO}.currentTime > {args.seek_to + 0.5} && {VIDEO}.currentTime < {args.seek_to + 6}", args.timeout
                )
                result["currentTime"] = page.evaluate(f"{VIDEO}.currentTime")
                result["videoWidth"] = page.evaluate(f"{VIDEO}.videoWidth")
                result["error"] = page.evaluate(f"(e => e && (e.code + ' ' + e.message))({VIDEO}.error)")
            result["cspViolations"] = csp.violations()
        finally:
            browser.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 3 if result.get("cspViolations") else 0


if __name__ == "__main__":
    sys.exit(main())
