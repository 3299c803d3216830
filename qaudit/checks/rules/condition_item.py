"""condition-item (error): a ``when`` condition must name an item that comes earlier in the standard.

Standard order is sections in order, items in order. An item's condition may
name only an item before it (never itself or a later one); a section's
condition may name only an item of an earlier section. This keeps every
answer a condition reads filled in before the question it decides, and rules
out cycles. An id that names no item at all is reported with the nearest match.

Passing::

    items:
      - {id: dining-mode, type: choice, scored: false, options: [{value: stall}, {value: drive-thru}]}
      - {id: order-taken-promptly, type: yes_no, when: {item: dining-mode, is: stall}}

Failing::

    items:
      - {id: order-taken-promptly, type: yes_no, when: {item: dining-mode, is: stall}}   # a later item
      - {id: dining-mode, type: choice, scored: false, options: [{value: stall}, {value: drive-thru}]}
"""

from collections.abc import Iterator

from ...model.validation import did_you_mean
from ...problems import Problem
from ..context import Context

ID = "condition-item"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    positions = ctx.positions()
    sections = ctx.standard.sections
    for found in ctx.conditions():
        name = found.condition.item
        assert name is not None
        path = found.path + ("item",)
        if name not in positions:
            hint = did_you_mean(name, positions) or "; name an item that comes earlier in the standard"
            yield ctx.error(path, ID, f"the condition names '{name}', which is not an item of the standard{hint}")
            continue
        place, section = positions[name]
        if found.owner is None:
            own = sections[found.section].id
            if section == found.section:
                yield ctx.error(
                    path,
                    ID,
                    f"the condition of section '{own}' names '{name}', an item of the section itself; "
                    "a section's condition may name only items of earlier sections",
                )
            elif section > found.section:
                yield ctx.error(
                    path,
                    ID,
                    f"the condition of section '{own}' names '{name}', an item of the later section "
                    f"'{sections[section].id}'; name an item of an earlier section, or move the sections",
                )
            continue
        item = found.owner
        if name == item.id:
            yield ctx.error(
                path,
                ID,
                f"the condition of item '{item.id}' names the item itself; name an earlier item",
            )
        elif place > positions[item.id][0]:
            yield ctx.error(
                path,
                ID,
                f"the condition of item '{item.id}' names '{name}', which comes later in the standard; "
                "name an earlier item, or move the items so that the answer is given first",
            )
