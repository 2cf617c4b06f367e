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


# Records Content-Security-Policy violations in the page's documents (its init script runs
# before the page's own scripts, through the DevTools protocol, which the CSP does not govern).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber));
"""


class CSPWatch:
    """Every Content-Security-Policy violation a page meets: the `securitypolicyviolation`
    events of its current document and Chromium's 'Refused to …' console lines of every
    document it showed. A page of the relay's must have none (a script or style the policy
    blocks is a page that does not work)."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(_CSP_LISTENER)
        page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def violations(self):
        try:
            events = self.page.evaluate("window.__cspViolations || []")
        except Exception as error:  # the page is gone: the console lines still count
            events = ["(events not read: %s)" % error]
        return self.console + events
