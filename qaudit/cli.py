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
from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, NoReturn, TypeVar

import typer
from typer.core import TyperCommand

if TYPE_CHECKING:
    from .workspace_file import WorkspaceFile

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

# Workspace settings (qaudit.toml). Options left out on the command line take their value from the
# workspace file found from the current folder, and then from the built-in defaults (in the
# workspace's folder when there is one): every command resolves its options through these few functions.

_loaded: dict[tuple[str, str, int, int], WorkspaceFile] = {}


def workspace() -> WorkspaceFile | None:
    """The ``WorkspaceFile`` governing the current folder, or None; a broken one ends the command (exit 2)."""
    from .problems import InvalidInput
    from .workspace_file import find_workspace_file, load_workspace_file

    found = find_workspace_file()
    if found is None:
        return None
    try:
        stat = os.stat(found)
        key = (os.getcwd(), found, stat.st_mtime_ns, stat.st_size)
        if key not in _loaded:
            _loaded.clear()
            _loaded[key] = load_workspace_file(found)
        return _loaded[key]
    except InvalidInput as exc:
        from .output import problems_text

        sys.stderr.write(problems_text(exc.problems))
        raise typer.Exit(2) from None
    except OSError as exc:
        fail(f"{found}: {exc.strerror or exc}; check the workspace file")


def default_path(key: str) -> str:
    """The path a left-out option takes: set in qaudit.toml, else the built-in default (in the workspace)."""
    builtin = {"standards": "standards", "sites": "sites.yaml", "waivers": "waivers.yaml", "reports": "reports"}[key]
    found = workspace()
    if found is None:
        return builtin
    return getattr(found, key) or found.beside(builtin)


def in_workspace(name: str) -> str:
    """``name`` in the workspace's folder when there is a workspace, else in the current folder."""
    found = workspace()
    return name if found is None else found.beside(name)


def default_audits() -> list[str]:
    """The audit files and folders commands read when given no PATH."""
    found = workspace()
    if found is None:
        return ["audits"]
    return list(found.audits or [found.beside("audits")])


def audits_folder() -> str:
    """The folder new audit files go in: the first folder among the default audit paths."""
    return next((p for p in default_audits() if os.path.isdir(p)), default_audits()[0])


def _given(ctx: typer.Context, param: typer.CallbackParam) -> bool:
    """Whether the option was given on the command line (a broken workspace file is reported either way)."""
    if ctx.resilient_parsing:  # shell completion: nothing is run, nothing to report
        return True
    workspace()
    source = ctx.get_parameter_source(param.name or "")
    return source is not None and getattr(source, "name", "") != "DEFAULT"


def _standards_option(ctx: typer.Context, param: typer.CallbackParam, value: str) -> str:
    return value if _given(ctx, param) else default_path("standards")


def _given_file(ctx: typer.Context, param: typer.CallbackParam, value: str) -> str:
    """An optional file is used when present; named on the command line (or in qaudit.toml), it must exist."""
    if not _given(ctx, param):
        return default_path(param.name or "")
    if value and not os.path.isfile(value):
        fail(f"{param.opts[0]} {value}: no such file; check the path (or leave the option out)")
    return value


def _audit_paths(ctx: typer.Context, param: typer.CallbackParam, value: list[str] | None) -> list[str]:
    if ctx.resilient_parsing:
        return list(value or [])
    workspace()
    return list(value) if value else default_audits()


def _standards_paths(ctx: typer.Context, param: typer.CallbackParam, value: list[str] | None) -> list[str]:
    """``lint`` with no PATH: the workspace's standards, and its sites and waivers files when it names them."""
    if ctx.resilient_parsing:
        return list(value or [])
    found = workspace()
    if value:
        return list(value)
    named = [found.sites, found.waivers] if found is not None else []
    return [default_path("standards"), *(p for p in named if p)]


def _reports_folder(ctx: typer.Context, param: typer.CallbackParam, value: str) -> str:
    return value if _given(ctx, param) else default_path("reports")


StandardsOpt = Annotated[
    str,
    typer.Option(
        "--standards",
        help="Folder of standard files (default: set in qaudit.toml, else standards).",
        metavar="DIR",
        callback=_standards_option,
        show_default=False,
    ),
]
SitesOpt = Annotated[
    str,
    typer.Option(
        "--sites",
        help="Site registry file (default: set in qaudit.toml, else sites.yaml when present).",
        metavar="FILE",
        callback=_given_file,
        show_default=False,
    ),
]
WaiversOpt = Annotated[
    str,
    typer.Option(
        "--waivers",
        help="Waivers file (default: set in qaudit.toml, else waivers.yaml when present).",
        metavar="FILE",
        callback=_given_file,
        show_default=False,
    ),
]
AuditPathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Audit files or folders (default: audits in qaudit.toml, else audits).",
        metavar="PATH",
        callback=_audit_paths,
        show_default=False,
    ),
]
OutFolderOpt = Annotated[
    str,
    typer.Option(
        "--out",
        "--output",
        "-o",
        help="Output folder (default: reports in qaudit.toml, else reports).",
        metavar="DIR",
        callback=_reports_folder,
        show_default=False,
    ),
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).", min=0, metavar="N")]
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
        say_interrupted()
        raise typer.Exit(130) from None
    except BrokenPipeError:
        raise typer.Exit(1) from None
    except OSError as exc:
        from .staging import OutputRefused

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


_interrupt = {"taken": False, "said": False}


def say_interrupted() -> None:
    """Write ``qaudit: interrupted`` on stderr, once however many layers report the interrupt."""
    if not _interrupt["said"]:
        _interrupt["said"] = True
        sys.stderr.write("qaudit: interrupted\n")
        sys.stderr.flush()


def _on_interrupt(signum: int, frame: Any) -> None:
    # The first Ctrl-C stops the command. While it stops (workers ended, temporary files removed),
    # a second one, and the complaints of writers left half-way, would only bury the one line.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.unraisablehook = lambda unraisable: None
    _interrupt["taken"] = True
    raise KeyboardInterrupt


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        emit(f"qaudit {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version)
    ] = False,
) -> None:
    """Service-standards quality audits.

    Run from a workspace (a folder with a qaudit.toml, or below one), commands
    take their standards, audits, sites, waivers and reports from that file.
    """


@app.command()
def lint(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Standard files or folders (default: the workspace's standards, sites and waivers, else standards).",
            metavar="PATH",
            callback=_standards_paths,
            show_default=False,
        ),
    ] = None,
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
    version: Annotated[
        int | None,
        typer.Option("--standard-version", "--version", help="Standard version (default: the highest).", metavar="N"),
    ] = None,
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
    paths: AuditPathsArg = None,
    format: Annotated[ScoreFormat, typer.Option("--format", "-f", help="Output format.")] = ScoreFormat.table,
    standards: StandardsOpt = "standards",
    sites: SitesOpt = "sites.yaml",
    waivers: WaiversOpt = "waivers.yaml",
    jobs: JobsOpt = 0,
    cache: CacheOpt = True,
) -> None:
    """Score audits (YAML files or filled Excel forms) by the scoring model."""
    from .render.results import RESULT_CHUNKS

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
        from .progress import step

        # Streamed too: a table's first lines show at once, and no output is held whole.
        with step(f"writing the {format.value}", 2 * len(run.results), unit="rows", delay=0.3, output=True) as bar:
            emit_chunks(RESULT_CHUNKS[format.value](run, bar.advance))
    if format is not ScoreFormat.json:
        report_problems(run)
    elif run.warnings:  # not part of the JSON contract, but never silent: on stderr
        from .output import problems_text

        sys.stderr.write(problems_text(run.warnings))
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
    version: Annotated[
        int | None,
        typer.Option("--standard-version", "--version", help="Standard version (default: the highest).", metavar="N"),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the comments.")] = None,
    output: Annotated[
        str | None, typer.Option("--out", "--output", "-o", help="File to write (default: stdout).", metavar="FILE")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    instances: Annotated[
        int | None,
        typer.Option(
            "--instances", help="Blank blocks per repeated section (default: the section's min).", metavar="N", min=1
        ),
    ] = None,
    standards: StandardsOpt = "standards",
) -> None:
    """Write a blank YAML audit listing every item, ready for an inspector to fill."""
    from .blank import blank_audit
    from .output import write_atomic

    def run() -> None:
        check_site_and_inspector(site, inspector)
        std = load_standard(standards, standard, version)
        day = parse_date(date)
        text = blank_audit(std, site=site, inspector=inspector, date=day, lang=lang, instances=instances)
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

    if not re.fullmatch(SLUG_PATTERN, site):
        raise QauditError(
            f"--site {site!r} is not a site id; use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (e.g. yvn-01)"
        )
    if not inspector.strip():
        raise QauditError("--inspector is empty; give the inspector's name")
    from .commands.capture import refuse_undecodable

    refuse_undecodable("--inspector", inspector)


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
    """Refuse to replace an existing file unless ``--force`` (a device or a pipe, like /dev/stdout, is written to)."""
    from .problems import QauditError

    if (os.path.isfile(path) or os.path.isdir(path)) and not force:
        raise QauditError(f"{path} already exists; pass --force to overwrite it, or choose another -o")


HIDDEN_ALIASES = frozenset({"--output", "--version"})
"""Older spellings still accepted (``--output`` for ``--out``, ``--version`` for ``--standard-version``), not shown."""


class QauditCommand(TyperCommand):
    """A command whose help reads plainly: ``STANDARD``, ``[PATH]...``, ``--site SITE``, one name per option."""

    WORDS: ClassVar[dict[str, str]] = {
        "date": "DATE",
        "today": "DATE",
        "lang": "LANG",
        "site": "SITE",
        "inspector": "NAME",
        "templates": "DIR",
    }
    """What the value of an option without a metavar is, by the option's name."""

    @staticmethod
    def _choices(param: Any) -> list[str]:
        kind = getattr(param, "type_descriptor", None) or getattr(param, "type", None)
        return [str(c.value if isinstance(c, Enum) else c) for c in getattr(kind, "choices", None) or ()]

    @staticmethod
    def _counts(param: Any) -> bool:
        described = getattr(param, "type_descriptor", None)
        if described is not None:
            return getattr(described, "annotation", None) is int
        return getattr(getattr(param, "type", None), "name", "") in ("integer", "integer range")

    def _metavar(self, param: Any) -> str:
        name = (param.metavar or "").strip("[]. ") or (param.name or "").upper()
        choices = self._choices(param)
        if param.param_type_name == "option" and choices:
            return "[" + "|".join(choices) + "]"
        if param.param_type_name == "option" and not param.metavar:
            return "N" if self._counts(param) else self.WORDS.get(param.name or "", "TEXT")
        return name

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name != "argument":
                pieces.extend(param.get_usage_pieces(ctx))
                continue
            name = self._metavar(param)
            repeated = "..." if param.nargs != 1 else ""
            pieces.append(f"{name}{repeated}" if param.required else f"[{name}]{repeated}")
        return pieces

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        import copy

        arguments, options = [], []
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                choices = self._choices(param)
                text = param.help or ""  # type: ignore[attr-defined]
                if choices:
                    text = f"{text.rstrip('.')}: {', '.join(choices)}."
                arguments.append((self._metavar(param) + ("..." if param.nargs != 1 else ""), text))
                continue
            shown = copy.copy(param)
            names = [o for o in param.opts if o not in HIDDEN_ALIASES or len([n for n in param.opts if "--" in n]) < 2]
            shown.opts = names
            if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                shown.metavar = self._metavar(param)
            record = shown.get_help_record(ctx)
            if record is not None:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def _plain_help(group: typer.Typer) -> None:
    for info in group.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = QauditCommand
    for sub in group.registered_groups:
        if isinstance(sub.typer_instance, typer.Typer):
            _plain_help(sub.typer_instance)


def _register_commands() -> None:
    import importlib
    import pkgutil

    from . import commands

    for module in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        importlib.import_module(f"{commands.__name__}.{module}")
    _plain_help(app)


_register_commands()


def run_cli() -> None:
    """Console-script entry point."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_interrupt)
    status: Any = 0
    try:
        try:
            app()
        except SystemExit as done:
            status = done.code
        # Output still buffered fails here, where it is reported, not at exit (where it would be
        # a traceback, or nothing when the last write was empty): one outcome, buffered or not.
        sys.stdout.flush()
        if _interrupt["taken"]:
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        # Typer ends an interrupted command with status 130 and no word; every command says one line.
        say_interrupted()
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
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    run_cli()
