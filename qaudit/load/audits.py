"""Audit files of every kind: the one entry point that picks the reader by file type.

A filled Excel form goes to :mod:`qaudit.load.forms`; a YAML audit is parsed by
the fast reader (:mod:`qaudit.io.fastaudit`: text to the mapping libyaml would
give, or "not mine") or by libyaml, then validated against its standard by the
one validator, :func:`qaudit.load.audit_file.build_audit`. Only an audit with
problems is parsed again with locations, so that each problem has its line
and column. The audit model itself is
:mod:`qaudit.model.audit`; the names below are re-exported for library users.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..io.walk import AUDIT_SUFFIXES
from ..io.yamlsrc import Document, parse
from ..model.audit import AUDIT_SCHEMA, Audit, safe_name
from ..model.responses import (
    NA_VALUES,
    NO_VALUES,
    RESPONSE_KEYS,
    YES_VALUES,
    Instance,
    Response,
    allowed_values,
    read_value,
)
from ..problems import InvalidInput, cap
from .audit_file import AuditFile, build_audit, site_location
from .standards import StandardLibrary


def load_audit(path: str | os.PathLike[str], library: StandardLibrary, *, text: str | None = None) -> Audit:
    """Load and validate one audit file (YAML or a filled Excel form).

    Raises :class:`InvalidInput` with every located problem when the audit is
    invalid. The fast path parses without recording locations; an audit it
    rejects is parsed again with locations so that every problem keeps its
    line, column and hint.
    """
    path = os.fspath(path)
    if path.lower().endswith(".xlsx"):
        from .forms import read_form

        return read_form(path, library)
    from ..io.fastaudit import enabled, parse_simple
    from ..io.source import read_text

    if text is None:
        text = read_text(path)
    data = parse_simple(text) if enabled() else None
    first = Document(path, data) if data is not None else parse(text, path, locate=False)
    audit, problems = build_audit(first, library)
    if audit is not None:
        return audit
    audit, problems = build_audit(parse(text, path, locate=True), library)
    if audit is None:
        raise InvalidInput(cap(sorted(problems)))
    return audit  # pragma: no cover - the located pass agrees with the fast one


def iter_audit_files(paths: list[str]) -> Iterator[str]:
    """Audit files named directly, or found recursively (sorted) in folders.

    Only the files: :func:`qaudit.io.walk.find_audit_files` also says which
    folders could not be read and which names could not be shown.
    """
    from ..io.walk import find_audit_files

    yield from find_audit_files(paths).files


__all__ = [
    "AUDIT_SCHEMA",
    "AUDIT_SUFFIXES",
    "NA_VALUES",
    "NO_VALUES",
    "RESPONSE_KEYS",
    "YES_VALUES",
    "Audit",
    "Instance",
    "AuditFile",
    "Response",
    "allowed_values",
    "build_audit",
    "iter_audit_files",
    "load_audit",
    "read_value",
    "safe_name",
    "site_location",
]
