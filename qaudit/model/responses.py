"""One answer read by its item's type: the response model, the accepted words, what a finding is.

Every response is read by its item's type (not by YAML's implicit typing), so
``yes``, ``07`` and ``2026-11-20`` mean the same whichever YAML loader read the
file. Reading a whole audit's responses (conditions, repeated sections, header
fields) is :mod:`qaudit.load.response_reader`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, NamedTuple

from .standard import Item, Standard
from .validation import did_you_mean, show

NA_VALUES = frozenset(("na", "n/a"))
YES_VALUES = frozenset(("yes", "true", "pass", "on"))
NO_VALUES = frozenset(("no", "false", "fail", "off"))
RESPONSE_KEYS = ("value", "comment", "evidence")
INSTANCE_KEY = "instance"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Value = bool | int | float | str | tuple[str, ...] | None


class Response(NamedTuple):
    """An inspector's answer to one item (a named tuple: cheap to build by the thousand)."""

    value: Value
    """The value read by the item's type; None when N/A, not applicable or left out."""
    na: bool = False
    """Answered N/A (or waived)."""
    comment: str | None = None
    """The inspector's comment."""
    evidence: tuple[str, ...] = ()
    """References to photos or documents."""
    waived: str | None = None
    """The waiver's reason when the item was waived for this site."""
    applicable: bool = True
    """False when a ``when`` condition of the item or its section is false."""


class Instance(NamedTuple):
    """One instance of a repeated section: its label and its responses by item id."""

    label: str
    responses: dict[str, Response]


def read_number(raw: Any) -> int | float | None:
    """A finite number written as text or a number; None when it is not one."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return None
    if isinstance(raw, (int, float)):
        number: int | float = raw
    else:
        text = str(raw).strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
    if isinstance(number, float):
        if not math.isfinite(number):
            return None
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    return number


def read_date(raw: Any) -> str | None:
    """A calendar day as its ISO text (``2026-11-20``); None when it is not one."""
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if not isinstance(raw, str) or not _ISO_DATE.match(raw.strip()):
        return None
    try:
        return dt.date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        return None


def scalar_text(raw: Any) -> str | None:
    if raw is None or isinstance(raw, (dict, list)):
        return None
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def read_value(item: Item, raw: Any) -> tuple[Value, bool, str | None]:
    """Read a raw response for ``item``: ``(value, na, problem message)``.

    The message, when not None, says what is wrong and what would fit.
    """
    if item.type == "multi_choice" and isinstance(raw, list):
        return _read_multi(item, raw)
    if item.type == "text":
        text = scalar_text(raw)
        if text is None or not text.strip():
            if isinstance(raw, (dict, list)):
                return None, False, f"the response to '{item.id}' must be text, not {show(raw)}; quote it"
            return None, False, f"item '{item.id}' has no response; write the text"
        return text, False, None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, False, f"item '{item.id}' has no response; {allowed_values(item)}"
    if isinstance(raw, (dict, list)):
        return (
            None,
            False,
            f"the response to '{item.id}' must be a single value, not {show(raw)}; {allowed_values(item)}",
        )
    text = str(raw).strip()
    lowered = text.lower() if isinstance(raw, str) else ""
    if item.type == "choice":
        option = item.option(text)
        if option is not None:
            return option.value, False, None
    if lowered in NA_VALUES:
        if item.na_allowed:
            return None, True, None
        return None, False, f"item '{item.id}' does not allow N/A; answer it ({allowed_values(item, na=False)})"
    if item.type == "yes_no":
        if isinstance(raw, bool):
            return raw, False, None
        if lowered in YES_VALUES:
            return True, False, None
        if lowered in NO_VALUES:
            return False, False, None
        return None, False, f"{show(raw)} does not fit yes/no item '{item.id}'; {allowed_values(item)}"
    if item.type == "scale":
        number = read_number(raw)
        assert item.min is not None and item.max is not None
        if number is None or not item.min <= number <= item.max:
            return None, False, f"{show(raw)} is outside the scale of item '{item.id}'; {allowed_values(item)}"
        return number, False, None
    if item.type == "number":
        number = read_number(raw)
        if number is None:
            return None, False, f"{show(raw)} is not a number for item '{item.id}'; {allowed_values(item)}"
        return number, False, None
    if item.type == "date":
        day = read_date(raw)
        if day is None:
            return None, False, f"'{item.id}': '{text}' is not a day of the calendar; {allowed_values(item)}"
        return day, False, None
    if item.type == "multi_choice":
        return None, False, f"the response to '{item.id}' must be a list; {allowed_values(item)}"
    values = [o.value for o in item.choices]
    return (
        None,
        False,
        f"{show(raw)} is not an option of item '{item.id}'{did_you_mean(text, values)}; {allowed_values(item)}",
    )


def _read_multi(item: Item, raw: list[Any]) -> tuple[Value, bool, str | None]:
    values = [o.value for o in item.choices]
    chosen: list[str] = []
    for entry in raw:
        text = scalar_text(entry)
        if text is None or isinstance(entry, (dict, list)):
            return None, False, f"the answer to '{item.id}' lists {show(entry)}; {allowed_values(item)}"
        if text not in values:
            return (
                None,
                False,
                f"'{item.id}': '{text}' is not an option{did_you_mean(text, values)}; {allowed_values(item)}",
            )
        if text in chosen:
            return None, False, f"'{item.id}': '{text}' is listed twice; list each option once"
        chosen.append(text)
    return tuple(chosen), False, None


def allowed_values(item: Item, *, na: bool | None = None) -> str:
    """A hint naming what an item accepts, e.g. ``give a number from 1 to 5 (or na)``."""
    na = item.na_allowed if na is None else na
    tail = " or na" if na else ""
    if item.type == "yes_no":
        return f"answer yes or no{tail}"
    if item.type == "scale":
        return f"give a number from {item.min} to {item.max}{tail}"
    if item.type == "number":
        unit = f" ({item.unit})" if item.unit else ""
        return f"give a number{unit}{tail}"
    if item.type == "text":
        return "write the text"
    if item.type == "date":
        return f"give a date written YYYY-MM-DD{tail}"
    values = ", ".join(o.value for o in item.choices)
    if item.type == "multi_choice":
        return f"list any of: {values} ([] for none){tail}"
    return f"use one of: {values}{tail}"


def is_finding(standard: Standard, item: Item, response: Response) -> tuple[float | None, bool]:
    """The item score (None when unscored or not answered) and whether the response is a finding (7.5)."""
    if not response.applicable or response.na or response.value is None:
        return None, False
    score = item.score_of(response.value) if item.is_scored else None
    finding = item.finding_of(response.value, score, standard.flag_below)
    if item.critical and score == 0:
        finding = True
    return score, finding
