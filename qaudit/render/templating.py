"""The report's templates: the Jinja environment, Markdown escaping, and a failing or slow template reported
as a problem located at its line.

Templates live in ``qaudit/templates``. Every HTML template is autoescaped,
whatever its name; a user folder given with ``--templates`` runs in Jinja's
sandbox, so it can restyle any page but cannot reach Python internals, and
each of its pages must render within :data:`RENDER_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

from ..problems import Problem

RENDER_SECONDS = 20
"""How long a user template may take to render one page."""


def environment(templates: str | None = None) -> Any:
    """The Jinja environment: package templates, optionally overridden by a user folder (sandboxed)."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

    from .sandbox import bounded_sandbox

    loaders: list[Any] = []
    if templates:
        loaders.append(FileSystemLoader(templates))
    loaders.append(PackageLoader("qaudit", "templates"))

    # The package's own templates are trusted; a user's folder runs in the sandbox.
    kind = bounded_sandbox() if templates else Environment
    env = kind(
        loader=ChoiceLoader(loaders),
        autoescape=lambda name: name is None or not name.endswith((".md.j2", ".md")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    return env


_MARKDOWN_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        **{c: "\\" + c for c in "\\`*_[]~"},
    }
)


def markdown_text(value: Any) -> str:
    """User text made literal in Markdown: no HTML, no markup, no breaking a table cell."""
    return " ".join(str(value).split()).translate(_MARKDOWN_ESCAPES)


class TemplateFailure(Exception):
    """A template could not be rendered; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def template_failure(exc: BaseException, folders: Sequence[str], template: str | None = None) -> TemplateFailure:
    """The failure of a template, located at the template line that failed (from the traceback)."""
    import traceback

    from jinja2 import TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    from ..problems import error

    file, line = template or "<template>", 1
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        file, line = exc.filename, exc.lineno or 1
    else:
        roots = tuple(os.path.join(os.path.abspath(f), "") for f in folders)
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if os.path.abspath(frame.filename).startswith(roots):
                file, line = frame.filename, frame.lineno or 1
                break
    detail = str(exc).rstrip(".")
    if isinstance(exc, TemplateNotFound):
        message = f"'{exc.name}' is neither in the templates folder nor among the built-in templates"
    elif isinstance(exc, SecurityError):
        message = f"unsafe operation refused: {detail}"
    elif isinstance(exc, TemplateSyntaxError):
        message = f"syntax error: {exc.message}"
    else:
        message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return TemplateFailure(error(file, line, 1, "template", f"{message}; nothing was written"))


class TemplateTimeout(Exception):
    """A user template ran past :data:`RENDER_SECONDS` on one page."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rendering one page took more than {seconds:g} seconds; simplify the template's loops")


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where the platform has an interval timer; main thread only)."""
    import signal
    import threading

    if seconds is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
