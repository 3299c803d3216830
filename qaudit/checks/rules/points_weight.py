"""points-section-weight (warning): a section ``weight`` in a standard with ``scoring: points``.

Points scoring adds up the items' weighted scores across the whole audit, so
section weights are not used; a weight there suggests a difference that the
score will not show. Weigh the items instead, or remove the weight.

Passing::

    scoring: points
    sections:
      - id: bathroom
        items: [{id: sink-clean, type: yes_no, weight: 2}]

Failing::

    scoring: points
    sections:
      - id: bathroom
        weight: 2   # reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "points-section-weight"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    if ctx.standard.scoring != "points":
        return
    for si, section in enumerate(ctx.standard.sections):
        path = ("sections", si, "weight")
        if ctx.written(path):
            yield ctx.warning(
                path,
                ID,
                f"section '{section.id}' has a weight, but scoring: points does not use section weights; "
                "remove it (weigh its items instead)",
                key=True,
            )
