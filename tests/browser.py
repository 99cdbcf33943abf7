"""A minimal headless-Chromium driver for the browser test: the DevTools protocol over a pipe (fds 3 and 4, as
`--remote-debugging-pipe` expects), so it needs no port, no websocket library and no downloaded browser.

Only what the test needs: open a page at a given viewport, record console errors and every request, evaluate
JavaScript, click at a point, take screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium did not answer, or answered a command with an error."""


@dataclass
class PageLog:
    """What a page did while it was open: console errors, uncaught exceptions and requested URLs."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class Chromium:
    """Headless Chromium driven through the DevTools protocol over a pipe. Use as a context manager."""

    def __init__(self, executable: Path = CHROMIUM, *, timeout: float = 30.0) -> None:
        self.executable = executable
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self.profile = tempfile.mkdtemp(prefix="alignkit-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Move the child's ends above fd 10 so that dup2 onto 3 and 4 cannot clobber one another.
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire_pipes() -> None:  # runs in the child between fork and exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [str(self.executable), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(child_in)
        os.close(child_out)
        self._write = to_browser_w
        self._read = from_browser_r
        os.set_blocking(self._read, False)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol --------------------------------------------------------------------------------------------

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._read], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe (did it crash?)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are kept for `wait_for`/`drain`."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise BrowserError(f"no answer to {method} within {self.timeout:.0f} s")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, method: str, *, session: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """Return the first event `method` (of `session`), waiting for it if it has not come yet."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for index, event in enumerate(self._events):
                if event["method"] == method and (session is None or event.get("sessionId") == session):
                    return self._events.pop(index)
            event = self._receive(deadline)
            if event is None:
                raise BrowserError(f"event {method} did not come within {timeout or self.timeout:.0f} s")
            if "method" in event:
                self._events.append(event)

    def drain(self, session: str) -> list[dict[str, Any]]:
        """Return (and forget) every event of `session` received so far, reading what is waiting in the pipe."""
        while (event := self._receive(time.monotonic() + 0.05)) is not None:
            if "method" in event:
                self._events.append(event)
        mine = [e for e in self._events if e.get("sessionId") == session]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    # --- pages ---------------------------------------------------------------------------------------------------

    def open(self, url: str, *, width: int, height: int, mobile: bool = False) -> Page:
        """Return a new tab with the given viewport, after `url` has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=session,
        )
        if mobile:
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True}, session=session)
        self.drain(session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session=session)
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return page


class Page:
    """One tab: evaluate JavaScript, click, screenshot; `log()` says what it printed and requested."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self._log = PageLog()

    def evaluate(self, expression: str) -> Any:
        """Return the value of a JavaScript expression (promises are awaited)."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """Click with the mouse at viewport coordinates, as a person would."""
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
                session=self.session,
            )
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Write a PNG of the viewport (or of the whole page) to `path`; return it."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params.update(
                captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            )
        data = self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def print_pdf(self, path: Path) -> Path:
        """Write the page as printed (A4, print styles, backgrounds) to a PDF at `path`; return it."""
        data = self.browser.send(
            "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True}, session=self.session
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def emulate_media(self, media: str) -> None:
        """Apply the styles of `media` ("print", "screen"; "" for the default)."""
        self.browser.send("Emulation.setEmulatedMedia", {"media": media}, session=self.session)

    def log(self) -> PageLog:
        """Return the console errors, uncaught exceptions and request URLs seen so far."""
        for event in self.browser.drain(self.session):
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                self._log.errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                self._log.errors.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                self._log.errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                self._log.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                self._log.errors.append(f"request failed: {params.get('errorText')}")
        return self._log

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
