"""Showing a standard in the terminal (``qaudit show``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model.describe import scoring_rule
from ..model.standard import Item, Standard


def _marks(item: Item, standard: Standard) -> list[str]:
    marks = []
    if item.critical:
        marks.append("CRITICAL")
    if item.na_allowed:
        marks.append("N/A ok")
    if item.when is not None:
        marks.append(f"only when {item.when.describe()}")
    if item.require is not None:
        for what in ("comment", "evidence"):
            need = getattr(item.require, what)
            if need != "never":
                marks.append(f"{what} {'on findings' if need == 'findings' else 'always'}")
    if item.flag_below is not None and item.flag_below != standard.flag_below:
        marks.append(f"finding below {item.flag_below:g}")
    return marks


def show_standard(standard: Standard, lang: str | None = None, console: Console | None = None) -> None:
    """Print a standard: its sections, items, types, weights, marks and scoring rules."""
    console = console or Console(highlight=False)
    lang = lang or standard.default_language
    console.print(Text(f"{standard.text(standard.title, lang)}  ({standard.label})", style="bold"))
    grades = ", ".join(f"{g.grade} ≥ {g.min:g}" for g in standard.grades)
    # Texts of the standard go out as Text, never as markup: '[/]' or '[link=...]' is shown as written.
    console.print(
        Text(
            ("no pass mark" if standard.pass_score is None else f"pass score {standard.pass_score:g}")
            + f" · grades {grades} · critical failure: {standard.critical_failure}"
            + (f" · languages {', '.join(standard.languages)}" if standard.languages else "")
            + (" · scoring: points (earned ÷ possible)" if standard.scoring == "points" else "")
            + (f" · findings below {standard.flag_below:g}" if standard.flag_below != 1 else "")
        )
    )
    for header in standard.fields or ():
        values = ", ".join(o.value for o in header.options) if isinstance(header.options, list) else ""
        console.print(
            Text(
                f"field {header.id}: {standard.text(header.text, lang)} ({header.type}"
                + (f": {values}" if values else "")
                + (", required)" if header.required else ")")
            )
        )
    for section in standard.sections:
        about = [section.id]
        if section.repeat is not None:
            most = "" if section.repeat.max is None else f"–{section.repeat.max}"
            label = standard.text(section.repeat.label, lang) if section.repeat.label is not None else "instance"
            about.append(f"repeated {section.repeat.min}{most} × {label}")
        if standard.scoring != "points":
            about.append(f"weight {section.weight:g}")
        if section.when is not None:
            about.append(f"only when {section.when.describe()}")
        table = Table(
            title=Text(f"{standard.text(section.title, lang)}  [{', '.join(about)}]", style="bold"),
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
            marks = _marks(item, standard)
            text = Text(f"{item.id}\n", style="cyan")
            text.append(standard.text(item.text, lang), style="")
            if item.guidance is not None:
                text.append("\n" + standard.text(item.guidance, lang), style="dim")
            table.add_row(
                text,
                Text(item.type),
                Text(f"{item.weight:g}" if item.is_scored else "—"),
                Text("; ".join(marks), style="red" if item.critical else ""),
                Text(scoring_rule(item, standard, lang)),
            )
        console.print()
        console.print(table)
