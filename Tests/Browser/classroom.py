#!/usr/bin/env python3
"""The interactive classroom in Debian's Chromium (Playwright), as a site and its teacher use it:
a site's watch page (/watch/<classId>?key=<site key>) with the fake camera and microphone raises
its hand (举手) and sends its classroom (发送本教室画面, WHIP); the teacher's wall
(/teacher/<classId>?key=<central key>) shows the raised hand on the site's tile, and its 上台
puts the site on stage; the watch page then shows the site on stage with its hand down, and
stops sending on request. Prints one JSON line with what each step saw; a step that does not
happen within --timeout fails it (exit 1); Content-Security-Policy violations exit 3.

    classroom.py ORIGIN CLASS_ID --site-key K --central-key K --site ID [--timeout S]
"""
import argparse
import json
import sys

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("origin")
    parser.add_argument("class_id")
    parser.add_argument("--site-key", required=True)
    parser.add_argument("--central-key", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    wait = int(args.timeout * 1000)
    result = {"steps": []}
    status = 0
    with sync_playwright() as p:
        browser = launch(p, extra=["--use-fake-device-for-media-stream"])
        try:
            watch = browser.new_page()
            watch_csp = CSPWatch(watch)
            watch.goto("%s/watch/%s?key=%s" % (args.origin, args.class_id, args.site_key))
            watch.wait_for_selector("#classroom:not([hidden])", timeout=wait)
            result["steps"].append("controls shown")
            watch.click("#hand")
            watch.wait_for_selector("body[data-hand=up]", timeout=wait)
            result["handButton"] = watch.inner_text("#hand")
            result["steps"].append("hand raised")
            watch.click("#send")
            watch.wait_for_selector("body[data-sending=true]", timeout=wait)
            result["sending"] = watch.inner_text("#sending")
            result["cameras"] = watch.eval_on_selector_all("#camera option", "o => o.length")
            result["steps"].append("sending")

            teacher = browser.new_page()
            teacher_csp = CSPWatch(teacher)
            teacher.goto("%s/teacher/%s?key=%s" % (args.origin, args.class_id, args.central_key))
            tile = ".tile[data-site='%s']" % args.site
            teacher.wait_for_selector(tile + "[data-hand=up] .hand:not([hidden])", timeout=wait)
            result["badge"] = teacher.inner_text(tile + " .hand")
            result["steps"].append("hand on the wall")
            teacher.wait_for_selector(tile + "[data-live=true] button.stage:not([disabled])", timeout=wait)
            teacher.click(tile + " button.stage")
            teacher.wait_for_selector(tile + "[data-on-stage=true]", timeout=wait)
            result["stageButton"] = teacher.inner_text(tile + " button.stage")
            result["steps"].append("on stage")

            watch.wait_for_selector("body[data-on-stage=true][data-hand=down]", timeout=wait)
            result["watchStage"] = watch.inner_text("#stage")
            result["steps"].append("the site sees itself on stage")
            watch.click("#send")
            watch.wait_for_selector("body[data-sending=false]", timeout=wait)
            result["steps"].append("stopped")
        except Exception as error:  # a step that did not happen: say which
            result["error"] = str(error).split("\n")[0]
            status = 1
        finally:
            result["cspViolations"] = watch_csp.violations() + (teacher_csp.violations() if "teacher_csp" in dir() else [])
            browser.close()
    if status == 0 and result["cspViolations"]:
        status = 3
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
