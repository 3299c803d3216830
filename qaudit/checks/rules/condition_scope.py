"""condition-scope (error): a ``when`` condition reaches into a repeated section it is not part of.

A repeated section is answered once per instance (a room, a call), so only a
condition inside it knows which instance is meant. A condition in a repeated
section may name an item of the same repeated section (the same instance) or an
item outside any repeated section; a condition outside it, or in another
repeated section, may not name an item inside it.

Passing::

    sections:
      - id: visit
        items: [{id: rooms-let, type: yes_no}]
      - id: rooms
        repeat: {min: 1}
        items:
          - {id: bathroom, type: yes_no, when: {item: rooms-let, is: yes}}

Failing::

    sections:
      - id: rooms
        repeat: {min: 1}
        items: [{id: bathroom, type: yes_no}]
      - id: summary
        items:
          - {id: notes, type: text, when: {item: bathroom, is: no}}   # which room's answer?
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "condition-scope"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    positions = ctx.positions()
    sections = ctx.standard.sections
    for found in ctx.conditions():
        name = found.condition.item
        if name not in positions:
            continue  # condition-item reports it
        place, section = positions[name]
        target = sections[section]
        if target.repeat is None or (section == found.section and found.owner is not None):
            continue
        # A later item (or, for a section, an item of itself or of a later section) is condition-item's.
        if found.owner is None and section >= found.section:
            continue
        if found.owner is not None and place > positions[found.owner.id][0]:
            continue
        own = sections[found.section]
        whose = f"item '{found.owner.id}'" if found.owner is not None else f"section '{own.id}'"
        if own.repeat is not None and section != found.section:
            where = f"another repeated section ('{own.id}')"
        else:
            where = "outside it"
        yield ctx.error(
            found.path + ("item",),
            ID,
            f"the condition of {whose} names '{name}', an item of the repeated section '{target.id}', "
            f"from {where}; it cannot tell which instance is meant: name an item outside any repeated "
            "section, or move the condition into that section",
        )
