"""duplicate-id (error): section and item ids share one namespace, unique in the whole standard; field ids are unique.

Audits name items by id alone (and a repeated section by its id, beside the
items), so two items with one id, or an item with the id of a section, could
not be told apart. Header fields have their own namespace: a field may share
an id with an item, but not with another field.

Passing::

    sections:
      - id: punctuality
        items: [{id: start-delay, ...}, {id: end-on-time, ...}]

Failing::

    sections:
      - id: punctuality
        items: [{id: start-delay, ...}, {id: punctuality, ...}]   # second item reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "duplicate-id"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    sections: dict[str, int] = {}
    for si, section in enumerate(ctx.standard.sections):
        if section.id in sections:
            yield ctx.error(
                ("sections", si, "id"),
                ID,
                f"section id '{section.id}' is used twice (first in section {sections[section.id] + 1}); rename one",
            )
        sections.setdefault(section.id, si)
    items: dict[str, str] = {}
    for si, section in enumerate(ctx.standard.sections):
        for ii, item in enumerate(section.items):
            path = ("sections", si, "items", ii, "id")
            if item.id in items:
                yield ctx.error(
                    path,
                    ID,
                    f"item id '{item.id}' is already used in section '{items[item.id]}'; "
                    "item ids must be unique in the whole standard",
                )
            elif item.id in sections:
                yield ctx.error(
                    path,
                    ID,
                    f"item id '{item.id}' is also the id of section {sections[item.id] + 1}; section and item "
                    "ids share one namespace (audits name both), rename one",
                )
            items.setdefault(item.id, section.id)
    fields: set[str] = set()
    for fi, header in enumerate(ctx.standard.fields or ()):
        if header.id in fields:
            yield ctx.error(
                ("fields", fi, "id"),
                ID,
                f"field id '{header.id}' is used twice; field ids must be unique (rename one)",
            )
        fields.add(header.id)
