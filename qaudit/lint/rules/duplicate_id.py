"""duplicate-id (error): section ids are unique in a standard; item ids are unique in the whole standard.

Audits name items by id alone, so two items with one id could not be told apart.

Passing::

    sections:
      - id: punctuality
        items: [{id: start-delay, ...}, {id: end-on-time, ...}]

Failing::

    sections:
      - id: punctuality
        items: [{id: start-delay, ...}, {id: start-delay, ...}]   # second one reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..engine import Context

ID = "duplicate-id"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    sections: dict[str, int] = {}
    items: dict[str, str] = {}
    for si, section in enumerate(ctx.standard.sections):
        if section.id in sections:
            yield ctx.error(
                ("sections", si, "id"),
                ID,
                f"section id '{section.id}' is used twice (first in section {sections[section.id] + 1}); rename one",
            )
        sections.setdefault(section.id, si)
        for ii, item in enumerate(section.items):
            if item.id in items:
                yield ctx.error(
                    ("sections", si, "items", ii, "id"),
                    ID,
                    f"item id '{item.id}' is already used in section '{items[item.id]}'; "
                    "item ids must be unique in the whole standard",
                )
            items.setdefault(item.id, section.id)
