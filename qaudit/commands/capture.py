"""Inspector capture: ``qaudit form``, ``qaudit convert`` and ``qaudit run``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..cli import StandardsOpt, app, guarded, load_standard, parse_date, refuse_overwrite

LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of the texts (default: the standard's first).")]
VersionOpt = Annotated[int | None, typer.Option("--version", help="Standard version (default: the highest).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]


def check_visit(std: Any, site: str, inspector: str, lang: str | None) -> None:
    """Refuse a site, inspector or language that would make an audit the scorer rejects."""
    import re

    from ..model import SLUG_PATTERN
    from ..problems import QauditError

    if not re.fullmatch(SLUG_PATTERN, site):
        raise QauditError(f"--site {site!r} is not a site id; use lowercase letters, digits, '.', '_' and '-'")
    if not inspector.strip():
        raise QauditError("--inspector is empty; give the inspector's name")
    if lang is not None and std.languages and lang not in std.languages:
        raise QauditError(f"--lang {lang}: {std.label} is written in {', '.join(std.languages)}")


@app.command()
def form(
    standard: Annotated[str, typer.Argument(help="Standard id.")],
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Inspector's name.")],
    output: Annotated[str, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD (default: today).")] = None,
    version: VersionOpt = None,
    lang: LangOpt = None,
    force: ForceOpt = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Write an Excel audit form: one row per item, dropdowns, protected, printable on A4."""

    def run() -> None:
        from ..forms import write_form
        from ..output import write_atomic
        from ..problems import QauditError

        if not output.lower().endswith(".xlsx"):
            raise QauditError(f"-o {output}: the form must be an .xlsx file")
        std = load_standard(standards, standard, version)
        check_visit(std, site, inspector, lang)
        data = write_form(std, site=site, inspector=inspector, date=parse_date(date), lang=lang)
        refuse_overwrite(output, force)
        write_atomic(output, data)
        sys.stderr.write(f"wrote {output}\n")

    guarded(run)


@app.command()
def convert(
    form_path: Annotated[str, typer.Argument(help="A filled Excel form.", metavar="FORM.xlsx")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="YAML file to write (default: stdout).")] = None,
    force: ForceOpt = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Turn a filled Excel form into a YAML audit (for the git history)."""

    def run() -> None:
        from ..forms import audit_yaml, read_form
        from ..output import write_atomic
        from ..problems import QauditError
        from ..workspace import load_library

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
        str | None, typer.Option("--output", "-o", help="Audit file to write (default: audits/<site>-<date>.yaml).")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD (default: today).")] = None,
    version: VersionOpt = None,
    lang: LangOpt = None,
    force: ForceOpt = False,
    standards: StandardsOpt = "standards",
) -> None:
    """Walk through the checklist in the terminal; every answer is saved as it is given."""
    import os

    from ..audits import safe_name
    from ..interactive import Quit, Session, draft_path, run_session
    from ..problems import QauditError

    def start() -> Session:
        std = load_standard(standards, standard, version)
        day = parse_date(date)
        check_visit(std, site, inspector, lang)
        path = output or os.path.join("audits", f"{site}-{day.isoformat()}.yaml")
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
        from ..forms import clean_text

        try:  # find out now, not after the first answer, that the answers cannot be saved there
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as exc:
            raise QauditError(f"-o {path}: cannot make its folder ({exc.strerror or exc})") from None
        session = Session(std, site, clean_text(inspector), day, lang or std.default_language, path)
        session.load_draft()
        return session

    session = guarded(start)

    def say(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def ask(prompt: str) -> str:
        return input(prompt)

    try:
        run_session(session, ask, say)
    except OSError as exc:
        from ..cli import fail

        fail(
            f"{exc.filename or session.output}: {exc.strerror or exc}; the answers saved before this one are in "
            f"{draft_path(session.output)}"
        )
    except (Quit, EOFError, KeyboardInterrupt):
        say(f"\nStopped. {len(session.answers)} answers are kept; run the same command to resume.")
        raise typer.Exit(130) from None
