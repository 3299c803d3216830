"""The ``qaudit`` command: thin commands over the library.

Each command reads its options, calls one library function, hands the result
to a renderer and returns the exit status: 0 clean, 1 findings (invalid input),
2 when the run cannot proceed (usage errors, missing inputs).
Heavy modules are imported inside the commands that need them, so that
``qaudit --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, NoReturn, TypeVar

import typer

app = typer.Typer(
    name="qaudit",
    help="Service-standards quality audits: lint standards, score audits, render scorecards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

T = TypeVar("T")

StandardsOpt = Annotated[str, typer.Option("--standards", help="Folder of standard files.", metavar="DIR")]


def _given_file(ctx: typer.Context, param: typer.CallbackParam, value: str) -> str:
    """An optional file is used when present; named on the command line, it must exist."""
    source = ctx.get_parameter_source(param.name or "")
    if value and getattr(source, "name", "") != "DEFAULT" and not os.path.isfile(value):
        fail(f"{param.opts[0]} {value}: no such file; check the path (or leave the option out)")
    return value


SitesOpt = Annotated[
    str,
    typer.Option(
        "--sites", help="Site registry file (default: sites.yaml when present).", metavar="FILE", callback=_given_file
    ),
]
WaiversOpt = Annotated[
    str,
    typer.Option(
        "--waivers", help="Waivers file (default: waivers.yaml when present).", metavar="FILE", callback=_given_file
    ),
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).", min=0)]
CacheOpt = Annotated[
    bool, typer.Option("--cache/--no-cache", help="Reuse scores of unchanged audits from .qaudit/cache.sqlite.")
]


class LintFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class SchemaKind(str, Enum):
    standard = "standard"
    audit = "audit"
    sites = "sites"
    waivers = "waivers"


def fail(message: str, status: int = 2) -> NoReturn:
    """Print ``qaudit: error: message`` on stderr and exit."""
    sys.stderr.write(f"qaudit: error: {message}\n")
    raise typer.Exit(status)


def guarded(call: Callable[[], T]) -> T:
    """Run a command body, turning expected failures into one-line errors."""
    from .problems import InvalidInput, QauditError

    try:
        return call()
    except QauditError as exc:
        fail(str(exc))
    except InvalidInput as exc:
        from .output import problems_text

        sys.stderr.write(problems_text(exc.problems))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        sys.stderr.write("qaudit: interrupted\n")
        raise typer.Exit(130) from None
    except BrokenPipeError:
        raise typer.Exit(1) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}; check the path and its permissions", 2)


def emit(text: str) -> None:
    """Write command output to stdout."""
    sys.stdout.write(text)
    sys.stdout.flush()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Service-standards quality audits."""
    if version:
        from . import __version__

        emit(f"qaudit {__version__}\n")
        raise typer.Exit(0)


@app.command()
def lint(
    paths: Annotated[list[str] | None, typer.Argument(help="Standard files or folders.", metavar="[PATH]...")] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check standard files (and sites.yaml, waivers.yaml) against every rule of the format."""
    from .lint import lint_paths
    from .output import PROBLEM_RENDERERS

    report = guarded(lambda: lint_paths(paths or ["standards"]))
    emit(PROBLEM_RENDERERS[format.value](report.problems))
    errors = sum(p.severity == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    if format is LintFormat.text:
        sys.stderr.write(
            f"{report.files} file{'s' if report.files != 1 else ''} checked: "
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}\n"
        )
    raise typer.Exit(1 if report.failed(strict) else 0)


@app.command()
def schema(kind: Annotated[SchemaKind, typer.Argument(help="File kind.")]) -> None:
    """Print the JSON Schema (draft-07) of a file kind, for editors' YAML plugins."""
    import json

    from .schema import json_schema

    emit(json.dumps(json_schema(kind.value), ensure_ascii=False, indent=2) + "\n")


@app.command()
def show(
    standard: Annotated[str, typer.Argument(help="Standard id.")],
    version: Annotated[int | None, typer.Option("--version", "-v", help="Version (default: the highest).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language (default: the standard's first).")] = None,
    standards: StandardsOpt = "standards",
) -> None:
    """Show a standard in the terminal: sections, items, weights and scoring rules."""
    from .terminal import show_standard

    def run() -> None:
        from .problems import QauditError

        std = load_standard(standards, standard, version)
        written = std.languages or (list(std.title) if isinstance(std.title, dict) else [])
        if lang is not None and written and lang not in written:
            raise QauditError(f"--lang {lang}: {std.label} is written in {', '.join(written)}; choose one of those")
        show_standard(std, lang)

    guarded(run)


def load_standard(folder: str, standard_id: str, version: int | None) -> Any:
    """The named standard version from ``folder`` (highest version when None), or a QauditError."""
    from .problems import QauditError
    from .standards import load_standards
    from .validation import did_you_mean

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


@app.command()
def score(
    paths: Annotated[list[str] | None, typer.Argument(help="Audit files or folders.", metavar="[PATH]...")] = None,
    format: Annotated[ScoreFormat, typer.Option("--format", "-f", help="Output format.")] = ScoreFormat.table,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Score audits (YAML files or filled Excel forms) by the scoring model."""
    from .render.results import RESULT_RENDERERS

    run = score_run(paths, standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache)
    if format is ScoreFormat.json:
        from .render.results import json_chunks

        # Streamed: a run over 100,000 audits never holds its whole output in memory.
        sys.stdout.flush()
        out = sys.stdout.buffer
        for chunk in json_chunks(run):
            out.write(chunk)
        out.flush()
    else:
        emit(RESULT_RENDERERS[format.value](run))
    if format is not ScoreFormat.json:
        report_problems(run)
    raise typer.Exit(1 if run.problems else 0)


def score_run(
    paths: list[str] | None,
    standards: str,
    *,
    sites: str | None = "sites.yaml",
    waivers: str | None = "waivers.yaml",
    jobs: int = 0,
    cache: bool = True,
) -> Any:
    """Score audits for a command (``audits/`` by default); errors end the command cleanly."""
    from .workspace import score_paths

    return guarded(
        lambda: score_paths(
            paths or ["audits"], standards, sites=sites, waivers=waivers, jobs=jobs, cache=cache, progress=True
        )
    )


def report_problems(run: Any) -> None:
    """Print a run's problems and warnings on stderr, one line each."""
    from .output import problems_text

    sys.stderr.write(problems_text(run.warnings + run.problems))


@app.command()
def new(
    standard: Annotated[str, typer.Argument(help="Standard id.")],
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Inspector's name.")],
    date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD (default: today).")] = None,
    version: Annotated[int | None, typer.Option("--version", help="Standard version (default: the highest).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the comments.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Write a blank YAML audit listing every item, ready for an inspector to fill."""
    from .blank import blank_audit
    from .output import write_atomic

    def run() -> None:
        check_site_and_inspector(site, inspector)
        std = load_standard(standards, standard, version)
        day = parse_date(date)
        text = blank_audit(std, site=site, inspector=inspector, date=day, lang=lang)
        if output is None:
            emit(text)
            return
        refuse_overwrite(output, force)
        write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")

    guarded(run)


def check_site_and_inspector(site: str, inspector: str) -> None:
    """Refuse a site id or inspector name that would make the audit invalid from the start."""
    import re

    from .model import SLUG_PATTERN
    from .problems import QauditError

    if not re.match(SLUG_PATTERN, site):
        raise QauditError(
            f"--site {site!r} is not a site id; use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (e.g. yvn-01)"
        )
    if not inspector.strip():
        raise QauditError("--inspector is empty; give the inspector's name")


def parse_date(value: str | None, option: str = "--date") -> dt.date:
    """A date option (``--date`` unless named) as a date, written YYYY-MM-DD; today when None."""
    import re

    from .problems import QauditError

    if value is None:
        return dt.date.today()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QauditError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def refuse_overwrite(path: str, force: bool) -> None:
    """Refuse to replace an existing file unless ``--force``."""
    from .problems import QauditError

    if os.path.exists(path) and not force:
        raise QauditError(f"{path} already exists; pass --force to overwrite it, or choose another -o")


def _register_commands() -> None:
    import importlib
    import pkgutil

    from . import commands

    for module in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        importlib.import_module(f"{commands.__name__}.{module}")


_register_commands()


def run_cli() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.stderr.write("qaudit: interrupted\n")
        sys.exit(130)
    except OSError as exc:
        # Standard output could not be written (a full disk, a closed pipe): one line, no traceback,
        # and nothing left buffered for the interpreter to fail on again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        if isinstance(exc, BrokenPipeError):
            sys.exit(1)  # the reader stopped reading (`| head`): nothing to say
        sys.stderr.write(f"qaudit: error: cannot write the output ({exc.strerror or exc}); check where it goes\n")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run_cli()
