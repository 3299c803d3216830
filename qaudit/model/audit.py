"""The audit as a type: a valid audit ready to score, and the rules its id must keep (no I/O).

Scoring, the fast reader and the form reader build and read :class:`Audit`;
validating a written audit file against its standard is :mod:`qaudit.load.audit_file`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .responses import Instance, Response
from .standard import Standard

AUDIT_SCHEMA = "qaudit/audit@1"
AUDIT_SCHEMA_V2 = "qaudit/audit@2"
AUDIT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)



def safe_name(value: str) -> bool:
    """Whether ``value`` can safely become part of a file name on any system."""
    stem = value.split(".")[0].lower()
    return bool(re.fullmatch(AUDIT_ID_PATTERN, value)) and ".." not in value and stem not in _RESERVED_NAMES


@dataclass(frozen=True, slots=True)
class Audit:
    """A valid audit, ready to score against ``standard``@``standard_version``."""

    id: str
    file: str
    standard: str
    standard_version: int
    site: str
    inspector: str
    date: dt.date
    responses: dict[str, Response]
    """Responses by item id, in standard order."""
    language: str | None = None
    site_name: str | None = None
    site_region: str | None = None
    source: str = "yaml"
    """Where the audit came from: ``yaml`` or ``xlsx``."""
    subject: str | None = None
    """What was audited within the site (a room, a call), when the audit says."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The header fields given, by the standard's field order (dates as ISO text)."""
    comment: str | None = None
    """The inspector's overall comment."""
    instances: dict[str, tuple[Instance, ...]] = field(default_factory=dict)
    """The instances of each repeated section, in the audit's order."""


def anything_scored(
    standard: Standard, responses: dict[str, Response], instances: dict[str, tuple[Instance, ...]]
) -> bool:
    """Whether at least one scored item is answered with a value (else the audit has no score)."""
    items = standard.items

    def answered(found: dict[str, Response]) -> bool:
        return any(
            r.applicable and not r.na and r.value is not None and items[item_id].is_scored
            for item_id, r in found.items()
        )

    return answered(responses) or any(answered(i.responses) for group in instances.values() for i in group)
