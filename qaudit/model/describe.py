"""How an item is scored, in words: the one line that ``qaudit show`` prints in its scoring
column and that a blank audit writes beside each item."""

from __future__ import annotations

from .standard import Band, Item, Standard


def _flag(flag: bool | None) -> str:
    return " (finding)" if flag else ""


def scoring_rule(item: Item, standard: Standard, lang: str | None) -> str:
    """How an item is scored (or recorded, when it is not scored), in one short line."""
    if item.type == "text":
        return "free text, not scored" + ("" if item.is_required else " (may be left out)")
    if item.type == "date":
        return "a date, YYYY-MM-DD, not scored" + ("" if item.is_required else " (may be left out)")
    if not item.is_scored:
        values = [f"{standard.text(o.label, lang) or o.value}{_flag(o.flag)}" for o in item.choices]
        if item.type == "number":
            values = [f"{_bound(b, item)}{_flag(b.flag)}" for b in item.bands or ()]
        return "not scored" + (": " + "; ".join(values) if values else "")
    if item.type == "multi_choice":
        options = "; ".join(
            f"{standard.text(o.label, lang) or o.value} = {o.score or 0:g}{_flag(o.flag)}" for o in item.choices
        )
        return f"any of: {options} (sum of chosen ÷ sum of all)"
    if item.type == "yes_no":
        return "yes = 1, no = 0"
    if item.type == "scale":
        return f"{item.min}..{item.max}, linear"
    if item.type == "number":
        parts = []
        unit = f" {item.unit}" if item.unit else ""
        for band in item.bands or ():
            parts.append(f"{_bound(band, item)}: {band.score:g}{_flag(band.flag)}")
        del unit
        return "; ".join(parts)
    return "; ".join(
        f"{standard.text(o.label, lang) or o.value} = {o.score or 0:g}{_flag(o.flag)}" for o in item.choices
    )


def _bound(band: Band, item: Item) -> str:
    unit = f" {item.unit}" if item.unit else ""
    if band.max is not None:
        return f"≤ {band.max:g}{unit}"
    if band.under is not None:
        return f"< {band.under:g}{unit}"
    return "otherwise"
