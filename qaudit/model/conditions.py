"""``when`` conditions (contract 7.4): whether an item or section applies to an audit.

A condition is read against the answers given so far: item id → value, holding
only items answered with a value (an item that is N/A, not applicable or not
answered is absent, and every condition on it is false). Values are those the
audit reader produced for the item's type: ``bool`` for yes/no, a number for
scale and number, the option value for choice, a tuple of option values for
multi_choice, the text for text and the ISO date string for date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .standard import Condition, Item

YES_WORDS = frozenset(("yes", "true", "pass", "on"))
NO_WORDS = frozenset(("no", "false", "fail", "off"))

Answers = Mapping[str, Any]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _equals(item: Item, value: Any, wanted: str) -> bool:
    """Whether an answer equals one value written in a condition (by the item's type)."""
    kind = item.type
    if kind == "yes_no":
        word = wanted.strip().lower()
        return (word in YES_WORDS and value is True) or (word in NO_WORDS and value is False)
    if kind in ("number", "scale"):
        number = _number(wanted)
        return number is not None and number == value
    if kind == "multi_choice":
        return wanted in value
    return str(value) == wanted


def holds(condition: Condition, answers: Answers, items: Mapping[str, Item]) -> bool:
    """Whether ``condition`` holds for ``answers`` (contract 7.4 and 7.11)."""
    if condition.item is None:
        if condition.all is not None:
            return all(holds(part, answers, items) for part in condition.all)
        if condition.any is not None:
            return any(holds(part, answers, items) for part in condition.any)
        assert condition.not_ is not None
        return not holds(condition.not_, answers, items)
    item = items.get(condition.item)
    if item is None or condition.item not in answers:
        return False
    value = answers[condition.item]
    if condition.is_ is not None:
        return any(_equals(item, value, wanted) for wanted in condition.values)
    if condition.is_not is not None:
        return not any(_equals(item, value, wanted) for wanted in condition.values)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    low = condition.min if condition.min is not None else float("-inf")
    high = condition.max if condition.max is not None else float("inf")
    return low <= value <= high


def _shown(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def why_false(condition: Condition, answers: Answers, items: Mapping[str, Item]) -> str:
    """Why a condition that does not hold is false, in words: ``'dining-mode' is drive-thru``."""
    if condition.item is not None:
        if condition.item not in answers:
            return f"'{condition.item}' is not answered with a value"
        return f"'{condition.item}' is {_shown(answers[condition.item])}"
    if condition.all is not None:
        for part in condition.all:
            if not holds(part, answers, items):
                return why_false(part, answers, items)
    if condition.not_ is not None:
        return f"{condition.not_.describe()}"
    return f"none of {condition.describe()} holds"
