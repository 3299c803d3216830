"""missing-guidance (warning): an item without ``guidance`` telling the inspector how to judge it.

Passing::

    {id: addressed-by-name, type: yes_no, text: ..., guidance: {en: Count a yes if ...}}

Failing::

    {id: addressed-by-name, type: yes_no, text: ...}   # item reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "missing-guidance"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        if item.guidance is None:
            yield ctx.warning(
                path + ("id",),
                ID,
                f"item '{item.id}' has no guidance; tell inspectors how to judge it so that they agree",
            )
