"""Showing a standard in the terminal (``qaudit show``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .model import Item, Standard


def scoring_rule(item: Item, standard: Standard, lang: str | None) -> str:
    """How an item is scored, in one short line."""
    if item.type == "yes_no":
        return "yes = 1, no = 0"
    if item.type == "scale":
        return f"{item.min}..{item.max}, linear"
    if item.type == "number":
        parts = []
        unit = f" {item.unit}" if item.unit else ""
        for band in item.bands or ():
            bound = f"≤ {band.max:g}{unit}" if band.max is not None else "otherwise"
            parts.append(f"{bound}: {band.score:g}")
        return "; ".join(parts)
    return "; ".join(f"{standard.text(o.label, lang) or o.value} = {o.score or 0:g}" for o in item.choices)


def show_standard(standard: Standard, lang: str | None = None, console: Console | None = None) -> None:
    """Print a standard: its sections, items, types, weights, marks and scoring rules."""
    console = console or Console(highlight=False)
    lang = lang or standard.default_language
    console.print(Text(f"{standard.text(standard.title, lang)}  ({standard.label})", style="bold"))
    grades = ", ".join(f"{g.grade} ≥ {g.min:g}" for g in standard.grades)
    console.print(
        ("no pass mark" if standard.pass_score is None else f"pass score {standard.pass_score:g}")
        + f" · grades {grades} · critical failure: {standard.critical_failure}"
        + (f" · languages {', '.join(standard.languages)}" if standard.languages else "")
    )
    for section in standard.sections:
        table = Table(
            title=Text(
                f"{standard.text(section.title, lang)}  [{section.id}, weight {section.weight:g}]", style="bold"
            ),
            title_justify="left",
            show_edge=False,
            expand=False,
        )
        table.add_column("item")
        table.add_column("type")
        table.add_column("weight", justify="right")
        table.add_column("marks")
        table.add_column("scoring")
        for item in section.items:
            marks = []
            if item.critical:
                marks.append("CRITICAL")
            if item.na_allowed:
                marks.append("N/A ok")
            text = Text(f"{item.id}\n", style="cyan")
            text.append(standard.text(item.text, lang), style="")
            if item.guidance is not None:
                text.append("\n" + standard.text(item.guidance, lang), style="dim")
            table.add_row(
                text,
                item.type,
                f"{item.weight:g}",
                Text(" ".join(marks), style="red" if item.critical else ""),
                scoring_rule(item, standard, lang),
            )
        console.print()
        console.print(table)
