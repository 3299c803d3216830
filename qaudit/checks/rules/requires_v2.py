"""requires-v2 (error): a construct of contract v2 in a ``qaudit/standard@1`` file.

A standard that uses any of these declares ``schema: qaudit/standard@2``: the
keys ``scoring``, ``flag_below``, ``option_sets`` and ``fields``;
``pass_score: null``; on a section ``when`` and ``repeat``; the item types
``multi_choice``, ``text`` and ``date``; on an item ``scored``, ``required``,
``require``, ``flag_below``, ``when``, or ``options`` naming an option set;
``under`` and ``flag`` on a band; ``flag`` on an option. Every ``@1`` file is
also a valid ``@2`` file with the same meaning, so changing the schema line is
all it takes.

Passing::

    schema: qaudit/standard@2
    sections:
      - id: rooms
        repeat: {min: 1}

Failing::

    schema: qaudit/standard@1
    sections:
      - id: rooms
        repeat: {min: 1}   # repeat reported
"""

from collections.abc import Iterator
from typing import Any

from ...io.yamlsrc import Path
from ...model.standard import STANDARD_SCHEMA, STANDARD_SCHEMA_V2
from ...problems import Problem
from ..context import Context

ID = "requires-v2"
SEVERITY = "error"

_TOP = ("scoring", "flag_below", "option_sets", "fields")
_SECTION = ("when", "repeat")
_ITEM = ("scored", "required", "require", "flag_below", "when")
_BAND = ("under", "flag")
_OPTION = ("flag",)
_V2_TYPES = ("multi_choice", "text", "date")


def check(ctx: Context) -> Iterator[Problem]:
    if ctx.standard.schema_ != STANDARD_SCHEMA:
        return
    data = ctx.doc.data
    found: list[tuple[Path, str]] = []
    """Keys that only v2 has, reported at the key."""
    values: list[tuple[Path, str]] = []
    """Values that only v2 has, reported at the value."""
    found += [((key,), f"'{key}'") for key in _TOP if key in data]
    if "pass_score" in data and data["pass_score"] is None:
        found.append((("pass_score",), "'pass_score: null' (no pass mark)"))
    for si, section in _entries(data, "sections"):
        spath: Path = ("sections", si)
        found += [(spath + (key,), f"'{key}' on a section") for key in _SECTION if key in section]
        for ii, item in _entries(section, "items"):
            ipath = spath + ("items", ii)
            found += [(ipath + (key,), f"'{key}' on an item") for key in _ITEM if key in item]
            if item.get("type") in _V2_TYPES:
                values.append((ipath + ("type",), f"the item type '{item['type']}'"))
            if isinstance(item.get("options"), str):
                values.append((ipath + ("options",), f"an option set name in 'options' ('{item['options']}')"))
            for bi, band in _entries(item, "bands"):
                found += [(ipath + ("bands", bi, key), f"'{key}' on a band") for key in _BAND if key in band]
            for oi, option in _entries(item, "options"):
                found += [(ipath + ("options", oi, key), f"'{key}' on an option") for key in _OPTION if key in option]
    for where, key in ((found, True), (values, False)):
        for path, what in where:
            yield ctx.error(
                path,
                ID,
                f"{what} is part of {STANDARD_SCHEMA_V2}, and this file declares {STANDARD_SCHEMA}; "
                f"declare 'schema: {STANDARD_SCHEMA_V2}' to use it",
                key=key,
            )


def _entries(node: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings listed under ``node[key]``, with their indexes."""
    entries = node.get(key)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                yield index, entry
