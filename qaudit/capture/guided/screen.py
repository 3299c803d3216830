"""What the guided audit shows in the terminal: colour and wrapping, each question's heading and
what it accepts, answers as shown back, the list of every answer, and the questions passed over.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from ...load.form_cells import answer_text
from ...model.responses import Response
from ...model.standard import Item
from ..yamlwrite import answer as yaml_answer
from .session import Session, Step

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}


class Screen:
    """What the terminal shows: colour only on a terminal, text wrapped at word boundaries."""

    def __init__(self, say: Callable[[str], None], colour: bool, width: int) -> None:
        self.say = say
        self.colour = colour
        self.width = max(40, width)

    def paint(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        codes = ";".join(_COLOURS[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def wrapped(self, text: str, indent: str = "") -> None:
        for paragraph in text.split("\n"):
            self.say(
                textwrap.fill(
                    paragraph,
                    self.width - 1,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                or indent
            )

    def error(self, message: str) -> None:
        self.wrapped(self.paint(f"  ✗ {message}", "red"))


def _hint(session: Session, item: Item, *, na: bool | None = None) -> str:
    """What an item accepts, in the audit's language: ``give a number from 1 to 5, or na if it does not apply``."""
    na = item.na_allowed if na is None else na
    if item.type == "yes_no":
        hint = session.say("run_hint_yes_no")
    elif item.type == "scale":
        hint = session.say("run_hint_scale", min=item.min, max=item.max)
    elif item.type == "number":
        hint = session.say("run_hint_number_unit", unit=item.unit) if item.unit else session.say("run_hint_number")
    elif item.type == "date":
        hint = session.say("run_hint_date")
    elif item.type == "text":
        hint = session.say("run_hint_text")
    elif item.type == "multi_choice":
        hint = session.say("run_hint_multi_choice", count=len(item.choices))
    else:
        hint = session.say("run_hint_choice", count=len(item.choices))
    return session.say("run_hint_or_na", hint=hint) if na else hint


def choices(session: Session, item: Item) -> str:
    if item.type in ("choice", "multi_choice"):
        lines = []
        for n, option in enumerate(item.choices, start=1):
            label = session.standard.text(option.label, session.lang) if option.label is not None else option.value
            lines.append(f"    {n}) {option.value}" + (f" — {label}" if label != option.value else ""))
        if item.type == "multi_choice":
            lines.append("    " + session.say("run_hint_multi"))
        if item.na_allowed:
            lines.append(f"    na) {session.say('na')}")
        return "\n".join(lines)
    optional = item.type in ("text", "date") and not item.is_required
    return "    " + _hint(session, item) + (" " + session.say("run_hint_optional") if optional else "")


def refusal(session: Session, item: Item, reply: str) -> str:
    """Why a typed answer does not fit its item, and what would, in the audit's language."""
    from ...model.responses import NA_VALUES, read_number

    if reply == "":
        return session.say("run_no_answer", hint=_hint(session, item))
    if answer_text(item, reply).casefold() in NA_VALUES and not item.na_allowed:
        return session.say("run_no_na", hint=_hint(session, item, na=False))
    if item.type == "scale" and read_number(reply) is not None:
        return session.say("run_outside_scale", reply=reply, hint=_hint(session, item))
    return session.say("run_bad_answer", reply=reply, hint=_hint(session, item))


def shown_answer(session: Session, item: Item | None, response: Response | None) -> str:
    if response is None:
        return session.say("run_left_empty")
    if item is None:
        return ""
    if response.value is None and not response.na:
        return session.say("run_left_empty")
    if item.type == "multi_choice" and not response.na:
        return ", ".join(response.value or ()) or session.say("run_none_selected")  # type: ignore[arg-type]
    return yaml_answer(item, response).strip('"')


def heading(session: Session, steps: list[Step], index: int, screen: Screen) -> None:
    step = steps[index]
    count = f"{index + 1}/{len(steps)}"
    if step.kind == "field":
        field_ = session.standard.field_map[step.key]
        optional = "" if field_.required else "  " + session.say("run_optional")
        screen.say(f"[{session.say('header')}] {count}  {field_.id}{optional}")
        screen.wrapped(session.standard.text(field_.text, session.lang))
        return
    if step.kind in ("subject", "comment"):
        screen.say(f"[{session.say('header')}] {count}")
        return
    assert step.section is not None
    title = session.standard.text(step.section.title, session.lang)
    if step.kind in ("label", "more"):
        screen.say(f"[{title}]")
        return
    if step.instance is not None:
        title += f" — {session.instance_word(step.section)} {session.instances[step.section.id][step.instance].label}"
    item = session.standard.items[step.key]
    critical = "  " + screen.paint(session.say("run_critical"), "red", "bold") if item.critical else ""
    screen.say(f"[{title}] {count}  {item.id}{critical}")
    screen.wrapped(session.standard.text(item.text, session.lang))
    if item.guidance is not None:
        screen.wrapped(session.standard.text(item.guidance, session.lang), "  ")


def say_skipped(steps: list[Step], start: int, end: int, screen: Screen, session: Session) -> None:
    """One line for each question (or whole section) passed over because its condition is false."""
    said: set[str] = set()
    for step in steps[max(0, start) : end]:
        if step.reason is None:
            continue
        if step.by_section and step.section is not None:
            if step.section.id in said:
                continue
            said.add(step.section.id)
            title = session.standard.text(step.section.title, session.lang)
            screen.say(screen.paint("  " + session.say("run_skipped_section", title=title, reason=step.reason), "dim"))
        else:
            screen.say(screen.paint("  " + session.say("run_skipped_item", item=step.key, reason=step.reason), "dim"))


def listing(session: Session, steps: list[Step]) -> str:
    lines = []
    for n, step in enumerate(steps, start=1):
        if step.kind in ("skipped", "label", "more"):
            continue
        where = ""
        if step.instance is not None and step.section is not None:
            where = f"{session.instance_word(step.section)} {session.instances[step.section.id][step.instance].label}: "
        if step.reason is not None:
            lines.append(f"  {n:>3}. {where + step.key:<30} " + session.say("run_does_not_apply", reason=step.reason))
            continue
        if step.kind == "field":
            value = session.fields.get(step.key)
            shown = "—" if step.key not in session.fields else str(value or session.say("run_left_empty"))
        elif step.kind in ("subject", "comment"):
            value = getattr(session, step.key)
            shown = "—" if step.key not in session.asked else value or session.say("run_left_empty")
        else:
            store = session._store(step)
            shown = (
                "—"
                if step.key not in store
                else shown_answer(session, session.standard.items[step.key], store[step.key])
            )
        lines.append(f"  {n:>3}. {where + step.key:<30} {shown}")
    return "\n".join(lines)
