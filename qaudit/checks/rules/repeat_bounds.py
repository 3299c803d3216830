"""repeat-bounds (error): a repeated section's ``repeat.min`` is at least 1 and ``repeat.max`` at least ``min``.

An audit gives a repeated section between ``min`` and ``max`` instances; a
section that may have no instance would be a section that can be left out,
which is what ``when`` is for, and a ``max`` below ``min`` admits no audit.

Passing::

    repeat: {min: 1, max: 10, label: {en: Room}}

Failing::

    repeat: {min: 2, max: 1}   # max reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "repeat-bounds"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for si, section in enumerate(ctx.standard.sections):
        repeat = section.repeat
        if repeat is None:
            continue
        path = ("sections", si, "repeat")
        if repeat.min < 1:
            yield ctx.error(
                path + ("min",),
                ID,
                f"repeated section '{section.id}' has min {repeat.min}; it must be at least 1 "
                "(to let the section be skipped, give it a 'when' condition)",
            )
        elif repeat.max is not None and repeat.max < repeat.min:
            yield ctx.error(
                path + ("max",),
                ID,
                f"repeated section '{section.id}' has max {repeat.max} below min {repeat.min}; "
                "make max at least min, or leave it out for no limit",
            )
