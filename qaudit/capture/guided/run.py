"""The guided terminal audit from start to end (``qaudit run``): resume from the draft, ask each
open question in turn, then review and save.
"""

from __future__ import annotations

from collections.abc import Callable

from ...model.audit import Audit
from ..yamlwrite import undecodable_bytes as yaml_undecodable_bytes
from .navigation import Goto, first_open
from .questions import ask_step
from .review import review_and_save
from .screen import Screen, say_skipped
from .session import Session


def run_session(
    session: Session,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    *,
    colour: bool = False,
    width: int = 80,
) -> Audit | None:
    """Walk the inspector through the checklist; the finished audit, or None when they quit."""
    screen = Screen(say, colour, width)
    ask = _text_only(session, ask, screen)
    resumed = session.answered() if session.loaded else session.load_draft()
    steps = session.steps()
    total = sum(1 for s in steps if s.kind not in ("skipped", "label", "more") and s.reason is None)
    if resumed:
        say(session.say("run_resuming", kept=resumed, total=total))
    if session.dropped:
        say(session.say("run_dropped", items=", ".join(session.dropped)))
    say(
        session.say(
            "run_start",
            title=session.standard.text(session.standard.title, session.lang),
            label=session.standard.label,
            site=session.site,
            date=session.date.isoformat(),
        )
    )
    index = first_open(session, steps, 0)
    while True:
        steps = session.steps()
        if index is None:
            reply = review_and_save(session, ask, screen)
            if isinstance(reply, Audit):
                return reply
            index = reply
            continue
        moved = ask_step(session, steps, index, ask, screen)
        if isinstance(moved, Goto):
            index = moved.index
            continue
        steps = session.steps()
        index = first_open(session, steps, moved.index, forward_only=moved.skip)
        if index is not None and index >= moved.index:
            say_skipped(steps, moved.index, index, screen, session)


def _text_only(session: Session, ask: Callable[[str], str], screen: Screen) -> Callable[[str], str]:
    """``ask``, asking again while what is typed is not UTF-8 text (a terminal set to another encoding)."""

    def asking(prompt: str) -> str:
        while True:
            try:
                reply = ask(prompt)
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start : exc.start + 1]
                shown = session.say("run_byte", code=f"{bad[0]:02X}") if isinstance(bad, bytes) and bad else ""
            else:
                found = yaml_undecodable_bytes(reply)
                if not found:
                    return reply
                shown = session.say("run_byte", code=f"{found[0]:02X}") if found[0] <= 0xFF else ""
            screen.error(session.say("run_not_utf8", byte=shown))

    return asking
