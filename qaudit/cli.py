"""The ``qaudit`` command: thin commands over the library.

Each command reads its options, calls one library function, hands the result
to a renderer and returns the exit status: 0 clean, 1 findings (invalid input),
2 when the run cannot proceed (usage errors, missing inputs).
Heavy modules are imported inside the commands that need them, so that
``qaudit --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any, ClassVar

import typer
from typer.core import TyperCommand

from .commands.base import (
    app,
    emit,
    emit_chunks,
    fail,
    guarded,
    interrupt_state,
    load_standard,
    report_problems,
    say_interrupted,
    score_run,
)
from .commands.options import (
    AuditPathsArg,
    CacheOpt,
    JobsOpt,
    SitesOpt,
    StandardsOpt,
    WaiversOpt,
    check_site_and_inspector,
    default_path,
    in_workspace,
    parse_date,
    refuse_overwrite,
    standards_paths,
)


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


def _on_interrupt(signum: int, frame: Any) -> None:
    # The first Ctrl-C stops the command. While it stops (workers ended, temporary files removed),
    # a second one, and the complaints of writers left half-way, would only bury the one line.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.unraisablehook = lambda unraisable: None
    interrupt_state["taken"] = True
    raise KeyboardInterrupt


def _print_version(value: bool) -> None:
    if value:
        from .version import __version__

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
            callback=standards_paths,
            show_default=False,
        ),
    ] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check standard files (and sites.yaml, waivers.yaml) against every rule of the format."""
    from .lint import lint_paths
    from .render.problem_formats import PROBLEM_RENDERERS

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

    from .load.schema import json_schema

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
    from .render.terminal import show_standard

    def run() -> None:
        from .problems import QauditError

        std = load_standard(standards, standard, version)
        written = std.languages or (list(std.title) if isinstance(std.title, dict) else [])
        if lang is not None and written and lang not in written:
            raise QauditError(f"--lang {lang}: {std.label} is written in {', '.join(written)}; choose one of those")
        show_standard(std, lang)

    guarded(run)


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
        from .run.progress import step

        # Streamed too: a table's first lines show at once, and no output is held whole.
        with step(f"writing the {format.value}", 2 * len(run.results), unit="rows", output=True) as bar:
            emit_chunks(RESULT_CHUNKS[format.value](run, bar.advance))
    if format is not ScoreFormat.json:
        report_problems(run)
    elif run.warnings:  # not part of the JSON contract, but never silent: on stderr
        from .render.problem_formats import problems_text

        sys.stderr.write(problems_text(run.warnings))
    raise typer.Exit(1 if run.problems else 0)


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
    from .capture.blank import blank_audit
    from .io.staging import write_atomic

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

    import qaudit.commands as commands

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
        if interrupt_state["taken"]:
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        # Typer ends an interrupted command with status 130 and no word; every command says one line.
        _exit_interrupted()
    except OSError as exc:
        # Standard output could not be written (a full disk, a closed pipe): one line, no traceback,
        # and nothing left buffered for the interpreter to fail on again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        if isinstance(exc, BrokenPipeError):
            sys.exit(1)  # the reader stopped reading (`| head`): nothing to say
        sys.stderr.write(f"qaudit: error: cannot write the output ({exc.strerror or exc}); check where it goes\n")
        sys.exit(2)
    if status == 130 and interrupt_state["said"]:
        _exit_interrupted()
    sys.exit(status)


def _exit_interrupted() -> None:
    """End an interrupted command: one line, status 130, and no second Ctrl-C while Python shuts down.

    The workers are already ended and every output was written atomically or not at all. Python's
    own shutdown would set Ctrl-C back to its default action, so that a Ctrl-C arriving then would
    kill the process instead of letting it end with 130: it is ignored, and the process ends here.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    say_interrupted()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(130)


__all__ = [
    # The export and follow-up commands still import these from here; new code imports them from
    # qaudit.commands.base and qaudit.commands.options.
    "AuditPathsArg",
    "CacheOpt",
    "JobsOpt",
    "SitesOpt",
    "StandardsOpt",
    "WaiversOpt",
    "app",
    "default_path",
    "emit",
    "emit_chunks",
    "fail",
    "guarded",
    "in_workspace",
    "parse_date",
    "report_problems",
    "run_cli",
    "score_run",
]


if __name__ == "__main__":  # pragma: no cover
    run_cli()
