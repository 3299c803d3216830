"""How a page marks a result: passed or failed (its CSS class and its words), and which way a change went."""

from __future__ import annotations


def status_class(score: float, passed: bool | None) -> str:
    """The CSS class of a result: pass, fail, or none when the standard has no pass mark."""
    return "none" if passed is None else ("pass" if passed else "fail")


def passed_words(words: dict[str, str], passed: bool | None) -> str:
    """Passed, failed, or a dash when the standard has no pass mark."""
    return "—" if passed is None else (words["passed"] if passed else words["failed"])


def trend_class(change: float | None) -> str:
    if change is None or abs(change) < 0.005:
        return "flat"
    return "up" if change > 0 else "down"
