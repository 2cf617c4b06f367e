#!/usr/bin/python3
"""Glass to glass from a site on stage to another site's WHEP player, through the program (#32).

A release relayd on a timetable (a central school, sites a and b, one class live now); the
teacher publishes a 1280x720p25 test lesson over RTMP (ffmpeg); site a's browser (Chromium, fake
camera) sends its classroom over WHIP with its wall clock drawn into every picture
(Tests/Browser/whip_publish.py's 42 blocks); the class's central school puts site a on stage
(`PUT /api/v1/classes/math/stage`, pip); site b's WHEP player (the plain name: its bandwidth
picks the 720p rung, made from the program) reads the clock back from the inset in each decoded
frame and subtracts it from its own clock: the site's capture to the other site's screen.
Meanwhile site b's RTMP player (ffmpeg playing `live/math_720p` with no buffering, decoding
each picture and writing the inset's clock row to a pipe) is read the same way: the same
capture to the same screen, over RTMP.

    /usr/bin/python3 Benchmarks/stage-latency.py --relayd .build/release/relayd [--seconds 20]

Prints one JSON line: frames read, latency p50/p95/max in ms (WHEP, and under "rtmp" the RTMP
player's), and relayd's CPU (cores) over
`--seconds` with the stage empty and then with site a on stage, the viewer watching throughout
(#32's "extra CPU while one site is on stage").
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Browser"))
from chromium import launch  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from relayd_process import Relayd  # noqa: E402
from whip_latency import whep_view  # noqa: E402
from whip_publish import FRAMES_SENT, PUBLISH  # noqa: E402

# The inset's place on a WxH picture, as ProgramGeometry puts one pip site of 640x360: a quarter
# of the width, bottom right, a margin of 1/64 of the width; its 42 clock blocks along its top.
INSET = """
  const even = (n) => n - (n % 2);
  const readInset = (video, g) => {
    const W = video.videoWidth, H = video.videoHeight;
    g.canvas.width = W; g.canvas.height = H; g.drawImage(video, 0, 0);
    const margin = even(Math.max(2, Math.floor(W / 64))), iw = even(Math.floor(W / 4)), ih = even(Math.floor(iw * 360 / 640));
    const x0 = W - margin - iw, y0 = H - margin - ih, block = iw * Math.floor(640 / 42) / 640;  // 15-px blocks drawn on 640
    let stamp = 0;
    for (let bit = 0; bit < 42; bit++) {
      const d = g.getImageData(Math.floor(x0 + (bit + 0.5) * block), Math.floor(y0 + block / 2), 1, 1).data;
      stamp = stamp * 2 + ((d[0] + d[1] + d[2]) / 3 > 128 ? 1 : 0);
    }
    return stamp;
  };
"""
VIEW = whep_view(reader="readInset(video, g)", helpers=INSET, when="window.measuring")


# The same inset on the 720p rung (1280x720): x0 = 1280 - 20 - 320, y0 = 720 - 20 - 180, blocks of
# 320 * 15 / 640 = 7.5 px; the RTMP player crops the blocks' top row (8 px high) out of each picture.
RTMP_INSET = {"x": 940, "y": 520, "w": 320, "h": 8, "block": 7.5}


class RTMPClock(threading.Thread):
    """An RTMP player of `url` (ffmpeg, no input buffering, each decoded picture flushed to the
    pipe at once) whose pictures' inset clocks are read while `measuring` is set."""

    def __init__(self, url):
        super().__init__(daemon=True)
        g = RTMP_INSET
        self.proc = subprocess.Popen([
            "ffmpeg", "-loglevel", "error", "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32768",
            "-analyzeduration", "0", "-i", url, "-an", "-vf", f"crop={g['w']}:{g['h']}:{g['x']}:{g['y']}",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-flush_packets", "1", "-"], stdout=subprocess.PIPE)
        self.measuring = False
        self.latencies = []

    def run(self):
        g = RTMP_INSET
        size = g["w"] * g["h"] * 3
        row = int(g["block"] / 2) * g["w"] * 3
        while True:
            frame = self.proc.stdout.read(size)
            if len(frame) < size:
                return
            now = time.time() * 1000
            if not self.measuring:
                continue
            stamp = 0
            for bit in range(42):
                at = row + int((bit + 0.5) * g["block"]) * 3
                stamp = stamp * 2 + (1 if (frame[at] + frame[at + 1] + frame[at + 2]) / 3 > 128 else 0)
            latency = now - stamp
            if 0 <= latency < 10000:
                self.latencies.append(latency)

    def summary(self):
        self.proc.kill()
        values = sorted(self.latencies)
        at = lambda q: round(values[min(len(values) - 1, int(q * len(values)))]) if values else None
        return {"frames": len(values), "p50": at(0.5), "p95": at(0.95), "max": round(values[-1]) if values else None}


def cpu_seconds(pid, seconds):
    """relayd's CPU time (user + system) over the next `seconds`."""
    def used():
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = used()
    time.sleep(seconds)
    return used() - before


def timetable(relayd):
    keys = {}
    for school, role in [("c", "central"), ("a", "site"), ("b", "site")]:
        body = {"id": school, "name": school, "role": role}
        if role == "site":
            body["bandwidthKbps"] = 8000
        keys[school] = json.loads(relayd.call("POST", "/schools", body))["key"]
    for site in ["a", "b"]:
        relayd.call("POST", "/pairings", {"centralSchoolId": "c", "siteId": site, "program": "dedicated"})
    now = time.time()
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    relayd.call("POST", "/classes", {"id": "math", "title": "数学", "program": "dedicated", "centralSchoolId": "c",
                                     "startsAt": fmt(now - 60), "endsAt": fmt(now + 3600), "siteIds": ["a", "b"]})
    return keys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relayd", default=".build/release/relayd")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="stage-latency-")
    relayd = Relayd(os.path.abspath(args.relayd), root, "sqlite:" + os.path.join(root, "var", "relay.db"), "auth:\n  mode: timetable\n")
    teacher = None
    try:
        keys = timetable(relayd)
        teacher = subprocess.Popen([
            "ffmpeg", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi",
            "-i", "sine=frequency=440:sample_rate=48000", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
            "-b:v", "2500k", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "flv",
            f"rtmp://127.0.0.1:{relayd.ports['rtmp']}/live/math?key={keys['c']}"])
        origin = f"http://127.0.0.1:{relayd.http}"
        with sync_playwright() as p:
            browser = launch(p, extra=["--use-fake-device-for-media-stream"])
            try:
                site = browser.new_page()
                site.goto(origin + "/healthz")
                published = site.evaluate(PUBLISH, [origin + "/whip/live/math~a", keys["a"], 640, 360, True])
                if published.get("status") != 201:
                    sys.exit(f"site a's WHIP publish: {published}")
                deadline = time.time() + 15
                while site.evaluate(FRAMES_SENT) < 25 and time.time() < deadline:
                    time.sleep(0.1)
                while not json.loads(relayd.call("GET", "/classes/math/live")).get("publisher"):  # the teacher live
                    if time.time() > deadline + 15:
                        sys.exit("the teacher's lesson did not come")
                    time.sleep(0.2)
                viewer = browser.new_page()
                viewer.goto(origin + "/healthz")
                viewer.evaluate("([view, args]) => { window.done = eval(view)(args); }",
                                [VIEW, [origin + "/whep/live/math", keys["b"], 2 * args.seconds + 12]])
                rtmp = RTMPClock(f"rtmp://127.0.0.1:{relayd.ports['rtmp']}/live/math_720p?key={keys['b']}")
                rtmp.start()
                time.sleep(4)  # the viewers connected and playing (warm-up: not measured)
                empty = cpu_seconds(relayd.proc.pid, args.seconds)
                relayd.call("PUT", "/classes/math/stage", {"sites": ["a"], "layout": "pip"})
                time.sleep(2)
                viewer.evaluate("() => { window.measuring = true; }")
                rtmp.measuring = True
                on_stage = cpu_seconds(relayd.proc.pid, args.seconds)
                rtmp.measuring = False
                viewer.evaluate("() => { window.measuring = false; }")
                result = viewer.evaluate("() => window.done")
                result["rtmp"] = rtmp.summary()
                result["relaydCores"] = {"stageEmpty": round(empty / args.seconds, 3), "oneSiteOnStage": round(on_stage / args.seconds, 3)}
            finally:
                browser.close()
        print(json.dumps(result), flush=True)
    finally:
        if teacher:
            teacher.kill()
        relayd.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
