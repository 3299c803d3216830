"""The options commands share: defaults from the workspace (``qaudit.toml``), the option types
built on them, and the checks of option values that end a command before any work.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from .base import fail

if TYPE_CHECKING:
    from ..load.workspace_file import WorkspaceFile

# Workspace settings (qaudit.toml). Options left out on the command line take their value from the
# workspace file found from the current folder, and then from the built-in defaults (in the
# workspace's folder when there is one): every command resolves its options through these few functions.

_loaded: dict[tuple[str, str, int, int], WorkspaceFile] = {}


def workspace() -> WorkspaceFile | None:
    """The ``WorkspaceFile`` governing the current folder, or None; a broken one ends the command (exit 2)."""
    from ..load.workspace_file import find_workspace_file, load_workspace_file
    from ..problems import InvalidInput

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
        from ..render.problem_formats import problems_text

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


def standards_paths(ctx: typer.Context, param: typer.CallbackParam, value: list[str] | None) -> list[str]:
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


def check_site_and_inspector(site: str, inspector: str) -> None:
    """Refuse a site id or inspector name that would make the audit invalid from the start."""
    import re

    from ..model.standard import SLUG_PATTERN
    from ..problems import QauditError

    if not re.fullmatch(SLUG_PATTERN, site):
        raise QauditError(
            f"--site {site!r} is not a site id; use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (e.g. yvn-01)"
        )
    if not inspector.strip():
        raise QauditError("--inspector is empty; give the inspector's name")
    refuse_undecodable("--inspector", inspector)


def parse_date(value: str | None, option: str = "--date") -> dt.date:
    """A date option (``--date`` unless named) as a date, written YYYY-MM-DD; today when None."""
    import re

    from ..problems import QauditError

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
    from ..problems import QauditError

    if (os.path.isfile(path) or os.path.isdir(path)) and not force:
        raise QauditError(f"{path} already exists; pass --force to overwrite it, or choose another -o")


def refuse_undecodable(option: str, value: str) -> None:
    """Refuse an option value holding bytes that are not UTF-8 (they could be neither shown nor saved)."""
    from ..capture.yamlwrite import undecodable_bytes
    from ..problems import QauditError

    found = undecodable_bytes(value)
    if found:
        shown = f" (byte 0x{found[0]:02X})" if found[0] <= 0xFF else ""
        raise QauditError(
            f"{option} holds bytes that are not UTF-8 text{shown}; type it again in a terminal set to UTF-8"
        )
