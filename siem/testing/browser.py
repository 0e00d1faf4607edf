"""Launching Debian's Chromium through Playwright for the browser tests."""

CHROMIUM = "/usr/bin/chromium"
# Headless in a container as root: no sandbox, no GPU, and no background connections, which the
# machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_chromium(playwright):
    """Start headless Chromium from Debian's package, never a browser that Playwright downloads."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
