"""no-scored-item (error): a standard in which no item is scored.

Every audit of it would have no score, so none could be scored, graded or
passed. At least one item must be ``yes_no``, ``scale``, ``number``,
``choice`` or ``multi_choice`` without ``scored: false``. (A section holding
only unscored items is fine: it has no score and is left out of the total.)

Passing::

    items:
      - {id: room-number, type: text}
      - {id: bed-made, type: yes_no}

Failing::

    items:                                # sections reported
      - {id: room-number, type: text}
      - {id: bed-made, type: yes_no, scored: false}
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "no-scored-item"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    if not any(item.is_scored for _, item in ctx.items()):
        yield ctx.error(
            ("sections",),
            ID,
            "no item of the standard is scored (every item is text, date or scored: false), so no audit "
            "of it could have a score; score at least one item",
            key=True,
        )
