"""condition-value (error): a ``when`` condition must test the named item in a way its answers can meet.

``min`` and ``max`` apply only to ``number`` and ``scale`` items (and ``min``
may not be above ``max``). Every value of ``is`` or ``is_not`` must be one the
item can be answered with: ``yes`` or ``no`` for ``yes_no``; an option value
for ``choice`` and ``multi_choice``; a number for ``number``, and a number
within ``min``..``max`` for ``scale``; a date written YYYY-MM-DD for ``date``.
A value that can never match makes the condition false for every answer
(with ``is_not``, true for every answer), which is never what was meant.

Passing::

    when: {item: dining-mode, is: [stall, drive-thru]}

Failing::

    when: {item: dining-mode, is: stal}   # not an option of dining-mode; did you mean 'stall'?
"""

import datetime as dt
import math
import re
from collections.abc import Iterator

from ...model.conditions import NO_WORDS, YES_WORDS
from ...model.standard import Item
from ...model.validation import did_you_mean
from ...problems import Problem
from ..context import Context

ID = "condition-value"
SEVERITY = "error"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check(ctx: Context) -> Iterator[Problem]:
    items = ctx.standard.items
    for found in ctx.conditions():
        condition = found.condition
        item = items.get(condition.item or "")
        if item is None:
            continue  # condition-item reports it
        path = found.path
        if condition.min is not None or condition.max is not None:
            if item.type not in ("number", "scale"):
                key = "min" if condition.min is not None else "max"
                yield ctx.error(
                    path + (key,),
                    ID,
                    f"'{key}' in a condition applies only to number and scale items, and '{item.id}' is "
                    f"{item.type}; test it with 'is' or 'is_not'",
                    key=True,
                )
            elif condition.min is not None and condition.max is not None and condition.min > condition.max:
                yield ctx.error(
                    path + ("max",),
                    ID,
                    f"the condition on '{item.id}' has min {condition.min:g} above max {condition.max:g}, "
                    "so it never holds; make max at least min",
                )
            continue
        key = "is" if condition.is_ is not None else "is_not"
        written = condition.is_ if condition.is_ is not None else condition.is_not
        if isinstance(written, list) and not written:
            yield ctx.error(path + (key,), ID, f"'{key}' lists no value for '{item.id}'; list at least one")
            continue
        for index, value in enumerate(condition.values):
            problem = _mismatch(item, value)
            if problem is not None:
                where = path + ((key, index) if isinstance(written, list) else (key,))
                yield ctx.error(where, ID, f"'{key}: {value}' can never match {problem}")


def _mismatch(item: Item, value: str) -> str | None:
    """Why ``value`` can never be an answer of ``item`` (None when it can be)."""
    kind = item.type
    if kind == "yes_no":
        word = value.strip().lower()
        if word in YES_WORDS or word in NO_WORDS:
            return None
        return f"yes_no item '{item.id}'; use yes or no"
    if kind in ("choice", "multi_choice"):
        if not isinstance(item.options, list):
            return None  # an unknown option set: unknown-option-set reports it
        values = [o.value for o in item.options]
        if value in values:
            return None
        shown = ", ".join(values[:8]) + (", ..." if len(values) > 8 else "")
        hint = did_you_mean(value, values) or f"; use one of: {shown}"
        return f"{kind} item '{item.id}': it is not one of its options{hint}"
    if kind in ("number", "scale"):
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return f"{kind} item '{item.id}', whose answers are numbers; write a number"
        if kind == "scale" and item.min is not None and item.max is not None and not item.min <= number <= item.max:
            return f"scale item '{item.id}', answered from {item.min} to {item.max}; use a value in that range"
        return None
    if kind == "date":
        text = value.strip()
        try:
            if _ISO_DATE.match(text):
                dt.date.fromisoformat(text)
                return None
        except ValueError:
            pass
        return f"date item '{item.id}'; write a date as YYYY-MM-DD, e.g. 2026-11-20"
    return None
