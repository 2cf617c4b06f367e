"""Debian's Chromium for the browser tests, through Playwright: the executable and the flags
that work on this machine (without the last two Chromium offers no 127.0.0.1 ICE candidate)."""

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
    "--use-fake-ui-for-media-stream",
]


def launch(playwright, extra=()):
    """A headless Chromium (never a downloaded one: `playwright install` needs the internet);
    `extra` flags are added (e.g. --use-fake-device-for-media-stream for a camera)."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS + list(extra))
