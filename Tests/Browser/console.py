#!/usr/bin/env python3
"""Drives relayd's /console in Debian's Chromium (Playwright): logs in with the admin token,
waits for the week's grid and looks for --api-title (a class made through the API); tries a
class through the form that overlaps it (the error the page shows), then one that does not (it
must appear in the grid), edits it, makes and deletes another, makes a weekly one (seen in the
next week's grid); creates a school (the key box) and a pairing, deletes the pairing; opens 统计
(two SVG charts, the occurrence list) and downloads a CSV.
Prints one JSON line with what it saw; Content-Security-Policy violations are listed
(cspViolations) and make the exit status 3.

    console.py BASE_URL --token TOKEN --api-title TITLE --central ID --site ID [--screenshot FILE]
"""
import argparse
import datetime
import json
import sys
import time

from playwright.sync_api import sync_playwright

from chromium import CSPWatch, launch

GRID = "() => Array.from(document.querySelectorAll('#grid .lesson')).map(l => ({ classId: l.dataset.classId, text: l.innerText }))"


def wait_for(page, script, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(0.2)
    return page.evaluate(script)


def local_input(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


def fill_class(page, class_id, title, central, site, start, minutes, weekly_until=None):
    page.click("#newClass")
    if weekly_until:
        page.check("#classWeekly input[value='%s']" % ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][start.weekday()])
        page.fill("#classUntil", weekly_until.strftime("%Y-%m-%d"))
    page.fill("#classId", class_id)
    page.fill("#classTitle", title)
    page.select_option("#classCentral", central)
    page.check("#classSites input[value='%s']" % site)
    page.fill("#classTeacher", "李老师")
    page.fill("#classSubject", "物理")
    page.fill("#classStart", local_input(start))
    page.fill("#classEnd", local_input(start + datetime.timedelta(minutes=minutes)))
    page.click("#saveClass")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-title", required=True)
    parser.add_argument("--central", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(10000)
            csp = CSPWatch(page)
            run(page, args, result)
            result["cspViolations"] = csp.violations()
        except Exception as error:  # what went wrong, with what was seen before it
            result["error"] = str(error)[:600]
        finally:
            browser.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 3 if result.get("cspViolations") or result.get("error") else 0


def run(page, args, result):
    """Logs in, then the grid, the form, a school and the reports; fills `result` as it goes."""
    page.goto(args.base + "/console")
    result["loginForm"] = page.locator("#token").count() == 1
    page.fill("#token", args.token)
    with page.expect_navigation():
        page.click("#login")
    result["url"] = page.url
    result["title"] = page.title()
    cookies = [c for c in page.context.cookies() if c["name"] == "relay_patrol"]
    result["cookie"] = {k: cookies[0][k] for k in ("httpOnly", "sameSite", "path")} if cookies else None
    result["ready"] = bool(wait_for(page, "document.body.dataset.ready === '1'"))
    result["gridHasApiClass"] = bool(wait_for(page, "(%s)().some(l => l.text.includes(%s))" % (GRID, json.dumps(args.api_title))))

    # A class overlapping the API's (same central school, now): the API's 409 beside the form.
    now = datetime.datetime.now().replace(second=0, microsecond=0)
    fill_class(page, "form-clash", "冲突课", args.central, args.site, now + datetime.timedelta(minutes=5), 30)
    result["conflictError"] = wait_for(page, "document.getElementById('classError').innerText")
    page.click("#cancelClass")

    # One that fits: saved through the API, shown in the grid.
    fill_class(page, "form-class", "物理（表单）", args.central, args.site, now + datetime.timedelta(hours=3), 45)
    result["formHidden"] = bool(wait_for(page, "document.getElementById('classForm').hidden"))
    result["formError"] = page.inner_text("#classError")
    result["gridHasFormClass"] = bool(wait_for(page, "(%s)().some(l => l.classId === 'form-class')" % GRID))
    result["grid"] = page.evaluate(GRID)

    # Edit it (a new teacher), through the form opened from its card.
    page.click("#grid .lesson[data-class-id='form-class']")
    wait_for(page, "!document.getElementById('classForm').hidden && document.getElementById('classTeacher').value === '李老师'")
    page.fill("#classTeacher", "张老师")
    page.click("#saveClass")
    result["editSaved"] = bool(wait_for(page, "document.getElementById('classForm').hidden"))
    result["editError"] = page.inner_text("#classError")

    # One more, then delete it from its card (the page asks first).
    page.on("dialog", lambda dialog: dialog.accept())
    fill_class(page, "form-gone", "待删除", args.central, args.site, now + datetime.timedelta(hours=5), 30)
    wait_for(page, "(%s)().some(l => l.classId === 'form-gone')" % GRID)
    page.click("#grid .lesson[data-class-id='form-gone']")
    wait_for(page, "!document.getElementById('deleteClass').hidden")
    page.click("#deleteClass")
    result["deletedFromGrid"] = bool(wait_for(page, "!(%s)().some(l => l.classId === 'form-gone')" % GRID))

    # A weekly class: next week's grid has it too.
    start = now + datetime.timedelta(hours=7)
    fill_class(page, "form-weekly", "每周班会", args.central, args.site, start, 30, weekly_until=start + datetime.timedelta(days=21))
    result["weeklyError"] = wait_for(page, "(f => f.hidden || f.querySelector('.error').innerText ? [f.querySelector('.error').innerText] : null)(document.getElementById('classForm'))")
    this_week = page.evaluate("document.getElementById('grid').dataset.week")
    page.click("#nextWeek")
    result["nextWeek"] = wait_for(page, "(w => w !== %s ? w : null)(document.getElementById('grid').dataset.week)" % json.dumps(this_week))
    result["nextWeekHasWeekly"] = bool(wait_for(page, "(%s)().some(l => l.classId === 'form-weekly')" % GRID))
    result["nextWeekHasOneOff"] = page.evaluate("(%s)().some(l => l.classId === 'form-class')" % GRID)
    page.click("#prevWeek")
    wait_for(page, "document.getElementById('grid').dataset.week === %s" % json.dumps(this_week))
    if args.screenshot:
        page.screenshot(path=args.screenshot, full_page=True)

    # 学校与结对: a new school's key, shown once with the URLs that use it.
    page.click(".tab[data-tab='schools']")
    page.fill("#schoolId", "form-site")
    page.fill("#schoolName", "表单教学点")
    page.select_option("#schoolRole", "site")
    page.fill("#schoolBandwidth", "3000")
    page.click("#schoolForm button[type='submit']")
    result["keyBox"] = wait_for(page, "(() => { const b = document.getElementById('keyBox'); return b.hidden ? '' : b.innerText; })()")
    page.click("#keyDone")
    # A pairing made and deleted.
    wait_for(page, "Array.from(document.getElementById('pairingSite').options).some(o => o.value === 'form-site')")
    page.select_option("#pairingCentral", args.central)
    page.select_option("#pairingSite", "form-site")
    page.click("#pairingForm button[type='submit']")
    rows = "Array.from(document.querySelectorAll('#pairingRows tr')).map(r => r.innerText)"
    result["pairingsAfterCreate"] = wait_for(page, "(%s).filter(t => t.includes('表单教学点'))" % rows)
    page.click("#pairingRows tr:has-text('表单教学点') button")
    result["pairingDeletedInPage"] = wait_for(page, "(%s).filter(t => t.includes('表单教学点')).length === 0" % rows)

    # 统计: the summary table and the held-rate chart drawn as inline SVG.
    page.click(".tab[data-tab='reports']")
    result["chartSvg"] = bool(wait_for(page, "document.querySelector('#heldChart svg') !== null"))
    result["attendanceChartSvg"] = bool(wait_for(page, "document.querySelector('#attendanceChart svg') !== null"))
    result["occurrences"] = wait_for(page, "Array.from(document.querySelectorAll('#occurrenceRows tr')).map(r => r.innerText)")
    result["reportError"] = page.inner_text("#reportError")
    with page.expect_download() as download:
        page.click("#occurrencesCsv")
    with open(download.value.path(), "rb") as csv:
        head = csv.read(200)
        result["csvHead"] = head.decode("utf-8", "replace")
        result["csvFirstBytes"] = list(head[:3])
    if args.screenshot:
        page.screenshot(path=args.screenshot.replace(".png", "-reports.png"), full_page=True)


if __name__ == "__main__":
    sys.exit(main())
