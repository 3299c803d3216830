"""One status line on stderr for the long steps of a command: loading, scoring, analysing, writing.

Shown only when stderr is a terminal (and not under ``CI``), so pipes, files and
logs never see it; it is redrawn in place at most a few times a second and
erased when its step ends, before anything else is written. Every command uses
this one mechanism, the scoring progress bar included. A step that ends
within half a second shows nothing.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_REDRAW = 0.1
"""Seconds between two redraws of a step's line."""
_WIDTH = 30
"""Cells of a progress bar."""


def shown(stream: TextIO | None = None) -> bool:
    """Whether status lines are shown: stderr (or ``stream``) is a terminal and this is not a CI run."""
    stream = sys.stderr if stream is None else stream
    try:
        return stream.isatty() and not os.environ.get("CI")
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


DELAY = 0.5
"""Seconds a step runs before its line is drawn: a quick step shows nothing."""


class Step:
    """One step's line: a label, and with a ``total`` a bar and a count; erased by :meth:`close`.

    The line is drawn once the step has run ``delay`` seconds (by a timer, so a
    step that reports no progress shows too), then redrawn as :meth:`advance`
    reports progress. A step that is not shown (stderr not a terminal) costs a
    comparison per :meth:`advance`. An ``output`` step (writing the command's
    output) shows no line when stdout is a terminal too: the output is its progress.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "",
        delay: float = DELAY,
        output: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.visible = shown(self.stream) and not (output and _stdout_is_terminal())
        encoding = (getattr(self.stream, "encoding", None) or "").lower().replace("-", "")
        self._bar = "━" if encoding == "utf8" else "#"
        self._start = time.monotonic()
        self._next = self._start + delay
        self._drawn = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        if self.visible:
            self._arm(delay)

    def _arm(self, delay: float) -> None:
        # Drawn when due, then again every second: a step that reports no progress still shows its time.
        self._timer = threading.Timer(delay, self._due)
        self._timer.daemon = True
        self._timer.start()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done; the line is redrawn when it is due."""
        self.done += count
        if self.visible:
            now = time.monotonic()
            if now >= self._next:
                with self._lock:
                    if self.visible:
                        self._draw(now)

    def _due(self) -> None:
        with self._lock:
            if self.visible:
                now = time.monotonic()
                self._draw(now)
                self._arm(1.0 - (now - self._start) % 1.0 + 0.01)  # at the next whole second of the step

    def _draw(self, now: float) -> None:
        self._next = now + _REDRAW
        text = self.label
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = int(share * _WIDTH)
            bar = self._bar * filled + " " * (_WIDTH - filled)
            unit = f" {self.unit}" if self.unit else ""
            text += f"  {bar}  {self.done:,}/{self.total:,}{unit}  {share:4.0%}"
        elif self.done:
            text += f"  {self.done:,}{' ' + self.unit if self.unit else ''}"
        text += f"  {now - self._start:.0f} s" if now - self._start >= 1 else ""
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns or 80  # 0: a terminal of unknown size
        except (OSError, ValueError, AttributeError):
            width = 80
        try:
            self.stream.write("\r" + text[: max(10, width - 1)] + "\x1b[K")
            self.stream.flush()
        except (OSError, ValueError):
            self.visible = False
            return
        self._drawn = True

    def close(self) -> None:
        """Erase the line (the cursor is left at the start of an empty line)."""
        with self._lock:
            self.visible = False
            if self._timer is not None:
                self._timer.cancel()
            if self._drawn:
                try:
                    self.stream.write("\r\x1b[K")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
            self._drawn = False


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def step(
    label: str, total: int | None = None, *, unit: str = "", delay: float = DELAY, output: bool = False
) -> Iterator[Step]:
    """A :class:`Step` on stderr for the duration of the block, erased however the block is left."""
    found = Step(label, total, unit=unit, delay=delay, output=output)
    try:
        yield found
    finally:
        found.close()
