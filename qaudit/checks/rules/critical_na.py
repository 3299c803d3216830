"""critical-na (warning): a critical item that allows N/A.

An N/A critical item never fails, so allowing N/A lets an inspector sidestep
the one check that must not be skipped.

Passing::

    {id: no-arguing, type: yes_no, critical: true}

Failing::

    {id: no-arguing, type: yes_no, critical: true, na_allowed: true}   # na_allowed reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "critical-na"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        # On an unscored item `critical` itself is the error (critical-unscored, unscored-keys).
        if item.critical and item.na_allowed and item.is_scored:
            yield ctx.warning(
                path + ("na_allowed",),
                ID,
                f"critical item '{item.id}' allows N/A, which lets it never fail; remove na_allowed or critical",
            )
