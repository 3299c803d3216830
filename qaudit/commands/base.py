"""The Typer app every command registers on, and how a command talks and ends: output on stdout,
one-line failures with exit status 2, interrupts, and the library calls several commands share
(loading one standard, scoring a run of audits, reporting its problems).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import typer

app = typer.Typer(
    name="qaudit",
    help="Service-standards quality audits: lint standards, score audits, render scorecards.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")


def fail(message: str, status: int = 2) -> NoReturn:
    """Print ``qaudit: error: message`` on stderr and exit."""
    sys.stderr.write(f"qaudit: error: {message}\n")
    raise typer.Exit(status)


def guarded(call: Callable[[], T]) -> T:
    """Run a command body, turning expected failures into one-line errors."""
    from ..problems import InvalidInput, QauditError

    try:
        return call()
    except QauditError as exc:
        fail(str(exc))
    except InvalidInput as exc:
        from ..render.problem_formats import problems_text

        sys.stderr.write(problems_text(exc.problems))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        say_interrupted()
        raise typer.Exit(130) from None
    except BrokenPipeError:
        raise typer.Exit(1) from None
    except OSError as exc:
        from ..io.staging import OutputRefused

        where = f"{exc.filename}: " if exc.filename else ""
        if isinstance(exc, OutputRefused):  # its message already says what to do
            fail(f"{where}{exc.strerror}", 2)
        fail(f"{where}{exc.strerror or exc}; check the path and its permissions", 2)


def emit(text: str) -> None:
    """Write command output to stdout."""
    if not text:
        return  # nothing to write: no write either, so that a full or closed stdout fails alike, buffered or not
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_chunks(chunks: Iterable[str]) -> None:
    """Write command output to stdout piece by piece, as it is made (a long table shows its first lines at once)."""
    for chunk in chunks:
        if chunk:
            sys.stdout.write(chunk)
    sys.stdout.flush()


interrupt_state = {"taken": False, "said": False}


def say_interrupted() -> None:
    """Write ``qaudit: interrupted`` on stderr, once however many layers report the interrupt."""
    if not interrupt_state["said"]:
        interrupt_state["said"] = True
        sys.stderr.write("qaudit: interrupted\n")
        sys.stderr.flush()


def load_standard(folder: str, standard_id: str, version: int | None) -> Any:
    """The named standard version from ``folder`` (highest version when None), or a QauditError."""
    from ..load.standards import load_standards
    from ..model.validation import did_you_mean
    from ..problems import QauditError

    library = load_standards(folder)
    found = library.get(standard_id, version)
    if found is None:
        versions = library.versions(standard_id)
        if versions:
            raise QauditError(
                f"{standard_id} version {version} is not in {folder}; versions: {', '.join(map(str, versions))}"
            )
        hint = did_you_mean(standard_id, library.ids()) or f"; available: {', '.join(library.ids()) or 'none'}"
        raise QauditError(f"no standard '{standard_id}' in {folder}{hint}")
    return found


def score_run(
    paths: list[str] | None,
    standards: str,
    *,
    sites: str | None = "sites.yaml",
    waivers: str | None = "waivers.yaml",
    jobs: int = 0,
    cache: bool = True,
    alongside: Any = None,
) -> Any:
    """Score audits for a command (``audits/`` by default); errors end the command cleanly.

    ``alongside`` is work begun on the results while the rest are read (see
    :class:`~qaudit.run.workspace.Alongside`).
    """
    from ..run.workspace import score_paths

    return guarded(
        lambda: score_paths(
            paths or ["audits"],
            standards,
            sites=sites,
            waivers=waivers,
            jobs=jobs,
            cache=cache,
            progress=True,
            alongside=alongside,
        )
    )


def report_problems(run: Any) -> None:
    """Print a run's problems and warnings on stderr, one line each."""
    from ..render.problem_formats import problems_text

    sys.stderr.write(problems_text(run.warnings + run.problems))
