"""Inspector capture: ``qaudit form``, ``qaudit convert`` and ``qaudit run``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .base import app, guarded, load_standard
from .options import StandardsOpt, audits_folder, check_site_and_inspector, parse_date, refuse_overwrite

LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of the texts (default: the standard's first).")]
RunLangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of the audit (default: the site's, when the standard has it; else its first)."
    ),
]
VersionOpt = Annotated[
    int | None,
    typer.Option("--standard-version", "--version", help="Standard version (default: the highest).", metavar="N"),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
InstancesOpt = Annotated[
    int | None,
    typer.Option(
        "--instances", help="Blank blocks per repeated section (default: the section's min).", metavar="N", min=1
    ),
]


def check_visit(std: Any, site: str, inspector: str, lang: str | None) -> None:
    """Refuse a site, inspector or language that would make an audit the scorer rejects."""
    from ..problems import QauditError

    check_site_and_inspector(site, inspector)
    if lang is not None and std.languages and lang not in std.languages:
        raise QauditError(f"--lang {lang}: {std.label} is written in {', '.join(std.languages)}")


def site_language(std: Any, site: str) -> str | None:
    """The language of ``site`` in the workspace's site registry, when the standard is written in it."""
    from ..load.registry import load_sites
    from ..problems import InvalidInput
    from .options import default_path

    try:
        found = load_sites(default_path("sites")).sites.get(site)
    except (InvalidInput, OSError):  # a broken registry is reported by the commands that read it
        return None
    lang = found.language if found is not None else None
    return lang if lang is not None and (not std.languages or lang in std.languages) else None


@app.command()
def form(
    standard: Annotated[str, typer.Argument(help="Standard id.")],
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Inspector's name.")],
    output: Annotated[str, typer.Option("--out", "--output", "-o", help="The .xlsx file to write.", metavar="FILE")],
    date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD (default: today).")] = None,
    version: VersionOpt = None,
    lang: LangOpt = None,
    force: ForceOpt = False,
    instances: InstancesOpt = None,
    standards: StandardsOpt = "standards",
) -> None:
    """Write an Excel audit form: one row per item (per instance), dropdowns, protected, printable on A4."""

    def run() -> None:
        from ..capture.forms_write import write_form
        from ..io.staging import write_atomic
        from ..problems import QauditError

        if not output.lower().endswith(".xlsx"):
            raise QauditError(f"-o {output}: the form must be an .xlsx file")
        std = load_standard(standards, standard, version)
        check_visit(std, site, inspector, lang)
        data = write_form(std, site=site, inspector=inspector, date=parse_date(date), lang=lang, instances=instances)
        refuse_overwrite(output, force)
        write_atomic(output, data)
        sys.stderr.write(f"wrote {output}\n")

    guarded(run)


@app.command()
def convert(
    form_path: Annotated[str, typer.Argument(help="A filled Excel form.", metavar="FORM.xlsx")],
    output: Annotated[
        str | None,
        typer.Option("--out", "--output", "-o", help="YAML file to write (default: stdout).", metavar="FILE"),
    ] = None,
    force: ForceOpt = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Turn a filled Excel form into a YAML audit (for the git history)."""

    def run() -> None:
        from ..capture.yamlwrite import audit_yaml
        from ..io.staging import write_atomic
        from ..load.forms import read_form
        from ..problems import QauditError
        from ..run.workspace import load_library

        if output is not None and not output.lower().endswith((".yaml", ".yml")):
            raise QauditError(f"-o {output}: the audit must be a .yaml file")
        library = load_library(standards)
        audit = read_form(form_path, library)
        standard = library.get(audit.standard, audit.standard_version)
        assert standard is not None
        text = audit_yaml(audit, standard)
        if output is None:
            sys.stdout.write(text)
            return
        refuse_overwrite(output, force)
        write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")

    guarded(run)


@app.command("run")
def run_audit(
    standard: Annotated[str, typer.Argument(help="Standard id.")],
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Inspector's name.")],
    output: Annotated[
        str | None,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Audit file to write (default: <site>-<date>.yaml in the workspace's audits folder, else audits).",
            metavar="FILE",
        ),
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD (default: today).")] = None,
    version: VersionOpt = None,
    lang: RunLangOpt = None,
    force: ForceOpt = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Walk through the checklist in the terminal; every answer is saved as it is given."""
    import os

    from ..capture.guided.lock import DraftLock
    from ..capture.guided.navigation import Quit
    from ..capture.guided.run import run_session
    from ..capture.guided.session import Session, draft_path
    from ..model.audit import safe_name
    from ..problems import QauditError

    locks: list[DraftLock] = []

    def start() -> Session:
        std = load_standard(standards, standard, version)
        day = parse_date(date)
        check_visit(std, site, inspector, lang)
        path = output or os.path.join(audits_folder(), f"{site}-{day.isoformat()}.yaml")
        stem, suffix = os.path.splitext(os.path.basename(path))
        if suffix.lower() not in (".yaml", ".yml") or not safe_name(stem):
            raise QauditError(
                f"-o {path}: the audit file must be a .yaml file whose name is a valid audit id "
                "(letters, digits, '.', '_' and '-')"
            )
        if os.path.exists(path) and not os.path.exists(draft_path(path)) and not force:
            raise QauditError(f"{path} already exists; pass --force to audit again over it, or choose another -o")
        if not sys.stdin.isatty():
            # Piped answers would drift onto the wrong items after the first one that is asked again.
            raise QauditError(
                "qaudit run asks its questions in a terminal, and stdin is not one; "
                "to fill an audit without a terminal use 'qaudit new' (YAML) or 'qaudit form' (Excel)"
            )
        from ..io.staging import check_writable

        folder = os.path.dirname(os.path.abspath(path))
        try:  # find out now, not after the first answer, that the answers cannot be saved there
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise QauditError(f"-o {path}: cannot make its folder ({exc.strerror or exc})") from None
        try:
            check_writable(folder)
        except OSError as exc:
            raise QauditError(
                f"-o {path}: its folder cannot be written ({exc.strerror or exc}); no answer could be saved there, "
                "so nothing was asked: choose another -o or make the folder writable"
            ) from None
        # One session per audit file: a second one would lose answers, or overwrite the other's audit.
        lock = DraftLock(path)
        try:
            lock.acquire()
        except OSError as exc:
            raise QauditError(f"-o {path}: cannot take the lock {lock.path} ({exc.strerror or exc})") from None
        locks.append(lock)
        if os.path.exists(path) and not os.path.exists(draft_path(path)) and not force:
            # Saved by a session that ended since the check above.
            raise QauditError(f"{path} already exists; pass --force to audit again over it, or choose another -o")
        from ..load.form_cells import clean_text

        audit_lang = lang or site_language(std, site) or std.default_language
        session = Session(std, site, clean_text(inspector), day, audit_lang, path)
        session.load_draft()
        return session

    try:
        session = guarded(start)
    except BaseException:
        for lock in locks:
            lock.release()
        raise

    def say(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    terminal = sys.stdin.isatty()
    if terminal:
        try:  # line editing for input(): arrows, backspace and history edit the line instead of typing codes
            import readline  # noqa: F401
        except ImportError:  # pragma: no cover - Python built without readline
            pass

    def ask(prompt: str) -> str:
        return input(prompt)

    import shutil

    colour = terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    try:
        run_session(session, ask, say, colour=colour, width=shutil.get_terminal_size().columns)
    except OSError as exc:
        from .base import fail

        fail(
            f"{exc.filename or session.output}: {exc.strerror or exc}; the answers saved before this one are in "
            f"{draft_path(session.output)}"
        )
    except (Quit, EOFError, KeyboardInterrupt):
        from ..i18n import gettext

        say("\n" + gettext(session.lang, "run_stopped", count=session.answered()))
        raise typer.Exit(130) from None
    finally:
        for lock in locks:
            lock.release()
