#!/usr/bin/env python3
"""Records real Chromium SDP offers for the SDP parser's tests.

Writes, beside this script:
  chromium-whep-offer.sdp  recvonly audio + video (what a WHEP player POSTs)
  chromium-whip-offer.sdp  sendonly fake camera + microphone (what a WHIP publisher POSTs)

Needs Debian's chromium (apt-get install -y chromium) and Playwright for Python
(PIP_BREAK_SYSTEM_PACKAGES=1 pip install playwright). It never downloads a browser: it launches
/usr/bin/chromium. Run: python3 Tests/WebRTCTests/Fixtures/record_offers.py
"""

import pathlib
import sys

from playwright.sync_api import sync_playwright

HERE = pathlib.Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--allow-loopback-in-peer-connection",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]

# Creates an offer, applies it, waits for ICE gathering to complete and returns the final SDP.
GATHER = """
async (pc) => {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  if (pc.iceGatheringState !== 'complete') {
    await new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === 'complete') resolve(); };
      pc.addEventListener('icegatheringstatechange', done);
      setTimeout(resolve, 10000);
    });
  }
  return pc.localDescription.sdp;
}
"""

WHEP_OFFER = """
async () => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', {direction: 'recvonly'});
  pc.addTransceiver('video', {direction: 'recvonly'});
  return await (%s)(pc);
}
""" % GATHER

WHIP_OFFER = """
async () => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  const pc = new RTCPeerConnection();
  for (const track of stream.getTracks()) {
    pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]});
  }
  return await (%s)(pc);
}
""" % GATHER


def record(page, script, name):
    sdp = page.evaluate(script)
    # Keep the browser's CRLF line endings byte for byte.
    (HERE / name).write_bytes(sdp.encode("utf-8"))
    print(f"wrote {name} ({len(sdp)} bytes)")


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        # getUserMedia needs a secure context, which about:blank is not; http://localhost is. The
        # page is served from this script (page.route), so nothing listens and nothing is fetched.
        page.route("http://localhost/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>offers</title>"))
        page.goto("http://localhost/")
        record(page, WHEP_OFFER, "chromium-whep-offer.sdp")
        record(page, WHIP_OFFER, "chromium-whip-offer.sdp")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
