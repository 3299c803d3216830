"""Moving about the guided audit: the commands the inspector may type instead of an answer (help,
back, skip, list, go to, quit) and the next question that still needs an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from .screen import Screen, listing
from .session import Session, Step


class Quit(Exception):
    """The inspector asked to stop (answers are kept in the draft)."""


@dataclass(frozen=True)
class Goto:
    """Go to this step (a navigation command)."""

    index: int | None


@dataclass(frozen=True)
class Next:
    """The step at ``index`` was dealt with: go on from there (after it when ``skip``)."""

    index: int
    skip: bool = False


def first_open(session: Session, steps: list[Step], start: int, *, forward_only: bool = False) -> int | None:
    """The first step from ``start`` (then from the top) that still needs an answer."""
    begin = start + 1 if forward_only else start
    order = list(range(begin, len(steps))) + list(range(0, min(begin, len(steps))))
    for candidate in order:
        if not session.done(steps[candidate]):
            return candidate
    if forward_only and start < len(steps) and not session.done(steps[start]):
        return start
    return None


def navigate(session: Session, steps: list[Step], index: int, reply: str, screen: Screen) -> Goto | Next | None:
    """The navigation command typed, if any (None: an answer)."""
    command = reply.lower()
    if command in ("?", "h", "help"):
        screen.say(session.say("run_help"))
        return Goto(index)
    if command in ("q", "quit"):
        raise Quit
    if command in ("b", "back"):
        back = index - 1
        while back > 0 and (steps[back].reason is not None or steps[back].kind in ("skipped", "label", "more")):
            back -= 1
        return Goto(max(0, back))
    if command in ("s", "skip"):
        return Next(index, skip=True)
    if command in ("l", "list"):
        screen.say(listing(session, steps))
        return Goto(index)
    if command.startswith("g ") or command.startswith("goto "):
        target = goto_target(command, steps)
        if target is None:
            screen.say(session.say("run_no_such_item", count=len(steps)))
            return Goto(index)
        return Goto(target)
    return None


def goto_target(command: str, steps: list[Step]) -> int | None:
    parts = command.split(maxsplit=1)
    if len(parts) != 2:
        return None
    target = parts[1].strip()
    if target.isdigit() and 1 <= int(target) <= len(steps):
        return int(target) - 1
    for n, step in enumerate(steps):
        if step.key == target and step.kind not in ("skipped", "label", "more") and step.reason is None:
            return n
    return None
