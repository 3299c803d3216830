"""Printing report pages to PDF with a Chromium-family browser found on the machine.

One headless browser prints every page of a report: it is driven over the
DevTools protocol through a pair of pipes (``--remote-debugging-pipe``: JSON
messages ending in a NUL byte, no network port and no extra dependency), with
a few tabs printing at once. Starting one browser per page costs about half a
second a page; one browser for the whole report costs that once.

The pages are the HTML pages of the report, printed with their print style
sheet (A4, ``@page`` in ``base.html.j2``); text stays text, in the fonts of
the machine (Debian's ``fonts-dejavu-core`` covers Armenian and Georgian).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""What ``--format pdf`` looks for on the PATH, in this order."""

MISSING = "--format pdf needs Chromium (or Google Chrome); install it, e.g. apt-get install chromium"

TABS = 4
"""Pages printed at once by the one browser."""

PAGE_SECONDS = 60.0
"""How long one page may take to load and print before the browser is given up on."""

A4 = {"paperWidth": 8.27, "paperHeight": 11.69}


class PrintFailure(Exception):
    """The browser could not print a page (or stopped answering); the message says which and why."""


def find_browser() -> str | None:
    """The first Chromium-family browser on the PATH (``QAUDIT_CHROMIUM`` names one explicitly)."""
    named = os.environ.get("QAUDIT_CHROMIUM")
    if named:
        return shutil.which(named)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _child_pipes(read_fd: int, write_fd: int) -> Callable[[], None]:
    """Set up the browser's end of the pipes: it reads commands on fd 3 and writes answers on fd 4."""

    def setup() -> None:
        # Out of the way first, so that neither dup2 below closes the other pipe.
        high_read, high_write = os.dup(read_fd), os.dup(write_fd)
        os.dup2(high_read, 3)
        os.dup2(high_write, 4)
        os.set_inheritable(3, True)
        os.set_inheritable(4, True)

    return setup


class Browser:
    """A headless browser driven over the DevTools pipe (use as a context manager)."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="qaudit-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        args = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(3, 4),
                preexec_fn=_child_pipes(to_browser_read, from_browser_write),
                start_new_session=True,
            )
        except OSError as exc:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise PrintFailure(f"cannot start {executable}: {exc.strerror or exc}") from None
        finally:
            os.close(to_browser_read)
            os.close(from_browser_write)
        self._buffer = b""
        self._next = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol ------------------------------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        """Send one command; its id (the answer comes through :meth:`wait`)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except OSError:
            raise PrintFailure("the browser stopped (it closed its DevTools pipe)") from None
        return self._next

    def _read(self, deadline: float) -> None:
        """Read what the browser has written into answers and events (waiting until ``deadline``)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise PrintFailure(f"the browser did not answer within {PAGE_SECONDS:g} seconds")
        ready, _, _ = select.select([self._from_browser], [], [], left)
        if not ready:
            raise PrintFailure(f"the browser did not answer within {PAGE_SECONDS:g} seconds")
        chunk = os.read(self._from_browser, 1 << 20)
        if not chunk:
            raise PrintFailure("the browser stopped (it closed its DevTools pipe)")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._answers[message["id"]] = message
            else:
                self._events.append(message)

    def wait(self, ident: int) -> dict[str, Any]:
        """The result of command ``ident`` (a :class:`PrintFailure` when it failed)."""
        deadline = time.monotonic() + PAGE_SECONDS
        while ident not in self._answers:
            self._read(deadline)
        answer = self._answers.pop(ident)
        if "error" in answer:
            raise PrintFailure(str(answer["error"].get("message", answer["error"])))
        result: dict[str, Any] = answer.get("result", {})
        return result

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its result."""
        return self.wait(self.send(method, params, session))

    # --- printing ----------------------------------------------------------------------------------

    def print_pages(self, pages: Sequence[tuple[str, str]], tabs: int = TABS) -> Iterator[tuple[str, bytes]]:
        """Print ``(name, file path)`` pages to PDF, ``tabs`` at a time; yields ``(name, PDF bytes)`` in order."""
        sessions = []
        for _ in range(max(1, min(tabs, len(pages)))):
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=session)
            sessions.append(session)
        queue = list(enumerate(pages))
        busy: dict[str, tuple[int, str, int | None, float]] = {}  # session: (index, name, print command, deadline)
        done: dict[int, tuple[str, bytes]] = {}
        emitted = 0
        idle = list(sessions)
        while queue or busy:
            while idle and queue:
                session = idle.pop()
                index, (name, path) = queue.pop(0)
                self.send("Page.navigate", {"url": _file_url(path)}, session)
                busy[session] = (index, name, None, time.monotonic() + PAGE_SECONDS)
            # A loaded page is printed; a printed page frees its tab.
            for event in self._events:
                session = event.get("sessionId", "")
                if event.get("method") == "Page.loadEventFired" and session in busy and busy[session][2] is None:
                    index, name, _, deadline = busy[session]
                    options = {**A4, "printBackground": True, "preferCSSPageSize": True}
                    busy[session] = (index, name, self.send("Page.printToPDF", options, session), deadline)
            self._events.clear()
            for session, (index, name, printing, _deadline) in list(busy.items()):
                if printing is not None and printing in self._answers:
                    answer = self._answers.pop(printing)
                    if "error" in answer:
                        raise PrintFailure(f"cannot print {name}: {answer['error'].get('message', answer['error'])}")
                    done[index] = (name, base64.b64decode(answer["result"]["data"]))
                    del busy[session]
                    idle.append(session)
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
            if busy and not any(c is not None and c in self._answers for _, _, c, _ in busy.values()):
                self._read(min(d for _, _, _, d in busy.values()))

    def close(self) -> None:
        """Close the browser (killing it if it does not close in time) and remove its profile."""
        with contextlib.suppress(PrintFailure, OSError, ValueError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


def _file_url(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def print_pdfs(executable: str, pages: Iterable[tuple[str, str]], tabs: int = TABS) -> Iterator[tuple[str, bytes]]:
    """Print HTML files to PDF with one browser: ``(name, file)`` in, ``(name, PDF bytes)`` out, in order."""
    with Browser(executable) as browser:
        yield from browser.print_pages(list(pages), tabs)
