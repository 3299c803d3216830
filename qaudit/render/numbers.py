"""One way to show a number, for every renderer (terminal, HTML, Excel).

Scores are the contract's 2-decimal values, shown to 2 decimals; shares
(coverage, item scores, agreement, failure rates) are percentages to at most 1
decimal. Both round half away from zero, as people do by hand and as Excel's
number formats do (Python's ``round`` and ``format`` round half to even:
76.25 → 76.2 where Excel shows 76.3). See docs/numbers.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (from its shortest decimal text)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score_text(value: float | None) -> str:
    """A score of 0..100 as shown everywhere: ``76.25``, ``100.00``; empty for none."""
    return "" if value is None else f"{half_up(value, 2):.2f}"


def change_text(value: float | None) -> str:
    """A change in points, signed: ``+3.50``, ``-0.25``, ``0.00``."""
    if value is None:
        return ""
    rounded = half_up(value, 2)
    return f"{rounded:+.2f}" if rounded else "0.00"


def percent_text(share: float | None) -> str:
    """A share of 0..1 as a percentage to at most one decimal: ``92.6%``, ``100%``, ``50%``."""
    if share is None:
        return ""
    rounded = half_up(share * 100, 1)
    text = f"{rounded:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"
