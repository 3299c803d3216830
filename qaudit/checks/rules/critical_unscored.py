"""critical-unscored (error): an item that is both ``critical: true`` and ``scored: false``.

A critical item fails the audit when it scores 0, and an unscored item never
has a score, so it could never fail: score the item, or drop ``critical``.

Passing::

    {id: no-arguing, type: yes_no, critical: true}

Failing::

    {id: no-arguing, type: yes_no, critical: true, scored: false}   # critical reported
"""

from collections.abc import Iterator

from ...model.standard import UNSCORED_TYPES
from ...problems import Problem
from ..context import Context

ID = "critical-unscored"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        # text and date items: unscored-keys reports any `critical` on them.
        if item.critical and item.scored is False and item.type not in UNSCORED_TYPES:
            yield ctx.error(
                path + ("critical",),
                ID,
                f"item '{item.id}' is critical but scored: false, so it could never fail; "
                "remove 'scored: false' or 'critical: true'",
                key=True,
            )
