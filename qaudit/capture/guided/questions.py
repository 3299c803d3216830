"""Asking one question of the guided audit and keeping its answer: a header field, the subject or
overall comment, another instance of a repeated section, or an item with its comment and evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...load.form_cells import answer_text, clean_text
from ...model.responses import Response, read_value
from ...model.standard import Item
from .navigation import Goto, Next, navigate
from .screen import Screen, choices, heading, refusal, shown_answer
from .session import InstanceDraft, Session, Step, read_field


def ask_step(session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: Screen) -> Goto | Next:
    step = steps[index]
    screen.say("")
    heading(session, steps, index, screen)
    if step.kind == "field":
        return _ask_field(session, steps, index, ask, screen)
    if step.kind in ("subject", "comment"):
        return _ask_note(session, steps, index, ask, screen)
    if step.kind in ("label", "more"):
        return _ask_instance(session, steps, index, ask, screen)
    return _ask_item(session, steps, index, ask, screen)


def _ask_field(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: Screen
) -> Goto | Next:
    field_ = session.standard.field_map[steps[index].key]
    from ..blank import describe_field

    options = field_.options if isinstance(field_.options, list) else []
    if field_.type == "choice":
        for n, option in enumerate(options, start=1):
            label = session.standard.text(option.label, session.lang) if option.label is not None else option.value
            screen.say(f"    {n}) {option.value}" + (f" — {label}" if label != option.value else ""))
    else:
        screen.say(f"    {describe_field(field_, session.standard, session.lang)}")
    current = session.fields.get(field_.id)
    known = field_.id in session.fields
    prompt = "> " if not known or current is None else f"[{current}] > "
    reply = clean_text(ask(prompt)).strip()
    if reply == "" and known:
        return Next(index)
    if reply == "" and not field_.required:
        session.fields[field_.id] = None
        session.save_draft()
        return Next(index)
    if reply == "":
        screen.error(
            session.say(
                "run_field_required", field=field_.id, hint=describe_field(field_, session.standard, session.lang)
            )
        )
        return Goto(index)
    moved = navigate(session, steps, index, reply, screen)
    if moved is not None:
        return moved
    raw: str = reply
    if field_.type == "choice":
        if reply.isdigit() and 1 <= int(reply) <= len(options):
            raw = options[int(reply) - 1].value
        else:
            for option in options:
                texts = list(option.label.values()) if isinstance(option.label, dict) else [option.label or ""]
                if reply.casefold() in (t.casefold() for t in texts if t):
                    raw = option.value
    value, message = read_field(session.standard, field_, raw)
    if message is not None:
        screen.error(message)
        return Goto(index)
    session.fields[field_.id] = value
    session.save_draft()
    return Next(index)


def _ask_note(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: Screen
) -> Goto | Next:
    key = steps[index].key
    question = session.say("subject_question" if key == "subject" else "run_overall_comment")
    current = getattr(session, key)
    screen.wrapped(question)
    prompt = session.say("run_prompt_none") if current is None else session.say("run_prompt_keep", current=current)
    reply = clean_text(ask(prompt)).strip()
    moved = navigate(session, steps, index, reply, screen) if len(reply) <= 1 or reply.startswith("g ") else None
    if moved is not None:
        return moved
    if reply == "-":
        setattr(session, key, None)
    elif reply:
        setattr(session, key, reply)
    session.asked.add(key)
    session.save_draft()
    return Next(index)


def _ask_instance(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: Screen
) -> Goto | Next:
    step = steps[index]
    section = step.section
    assert section is not None and section.repeat is not None
    word = session.instance_word(section)
    found = session.instances.setdefault(section.id, [])
    if step.kind == "more":
        if section.repeat.max is None:
            question = session.say("run_another", word=word.lower(), count=len(found))
        else:
            question = session.say("run_another_max", word=word.lower(), count=len(found), max=section.repeat.max)
        reply = clean_text(ask(question)).strip()
        said = reply.casefold()
        no = said == "" or said in session.replies("run_no_replies")
        moved = navigate(session, steps, index, reply, screen) if not no else None
        if moved is not None:
            return moved
        if no:
            session.closed.add(section.id)
            session.save_draft()
            return Next(index)
        if said not in session.replies("run_yes_replies"):
            screen.error(session.say("run_another_error", word=word.lower()))
            return Goto(index)
    reply = clean_text(ask(session.say("run_instance_label", name=word, number=len(found) + 1))).strip()
    if reply == "":
        screen.error(session.say("run_label_needed", word=word.lower()))
        return Goto(index)
    moved = navigate(session, steps, index, reply, screen) if len(reply) == 1 or reply.startswith("g ") else None
    if moved is not None:
        return moved
    label = reply.strip("'\"").strip() or reply
    if any(i.label == label for i in found):
        screen.error(session.say("run_label_taken", name=word, label=label))
        return Goto(index)
    found.append(InstanceDraft(label))
    session.closed.discard(section.id)
    session.save_draft()
    return Next(index)


def _multi_answer(item: Item, reply: str) -> Any:
    """A multi-select reply as the list it means: option numbers (``1,3``), values or labels; ``0`` or ``[]``: none."""
    from ...load.form_cells import option_value, split_values

    text = reply.strip()
    if text in ("0", "[]"):
        return []
    if text.lower() in ("na", "n/a"):
        return text
    chosen = []
    for part in split_values(text):
        if part.isdigit() and 1 <= int(part) <= len(item.choices):
            chosen.append(item.choices[int(part) - 1].value)
        else:
            chosen.append(option_value(item, part))
    return chosen


def _ask_item(
    session: Session, steps: list[Step], index: int, ask: Callable[[str], str], screen: Screen
) -> Goto | Next:
    step = steps[index]
    item = session.standard.items[step.key]
    store = session._store(step)
    screen.say(choices(session, item))
    current = store.get(item.id)
    has_current = item.id in store
    prompt = "> " if not has_current else f"[{shown_answer(session, item, current)}] > "
    reply = clean_text(ask(prompt)).strip()
    if reply == "" and has_current:
        if current is not None and session.missing_extras(item, current):
            return _extras(session, step, item, current, ask, screen, index)
        return Next(index)
    if reply == "" and item.type in ("text", "date") and not item.is_required:
        store[item.id] = None
        session.save_draft()
        return Next(index)
    moved = navigate(session, steps, index, reply, screen)
    if moved is not None:
        return moved
    raw: Any = answer_text(item, reply)
    if item.type == "yes_no" and reply.casefold() in session.replies("run_yes_replies"):
        raw = "yes"
    elif item.type == "yes_no" and reply.casefold() in session.replies("run_no_replies"):
        raw = "no"
    elif item.type == "choice" and reply.isdigit() and 1 <= int(reply) <= len(item.choices):
        raw = item.choices[int(reply) - 1].value
    elif item.type == "multi_choice":
        raw = _multi_answer(item, reply)
    elif item.type == "text":
        raw = reply.strip("'\"") if len(reply) > 1 and reply[0] == reply[-1] and reply[0] in "'\"" else reply
    if reply == "" and item.type == "multi_choice":
        raw = []
    value, na, message = read_value(item, raw)
    if message is not None:
        screen.error(refusal(session, item, reply))
        return Goto(index)
    kept = current.comment if current is not None else None
    evidence = current.evidence if current is not None else ()
    # The answer is on disk before the comment is asked: a kill at the comment loses nothing.
    response = Response(value, na, kept, evidence)
    store[item.id] = response
    session.prune()
    session.save_draft()
    return _extras(session, step, item, response, ask, screen, index, optional=True)


def _extras(
    session: Session,
    step: Step,
    item: Item,
    response: Response,
    ask: Callable[[str], str],
    screen: Screen,
    index: int,
    *,
    optional: bool = False,
) -> Next:
    """Ask the comment (and evidence) of an answer: required ones until given, else an optional comment."""
    store = session._store(step)
    needed = session.missing_extras(item, response)
    kept = response.comment
    if "comment" in needed:
        why = session.say(
            "run_required_on_finding" if item.require and item.require.comment == "findings" else "run_required"
        )
        comment = ""
        while not comment:
            comment = clean_text(ask(session.say("run_comment_required", why=why))).strip()
            if not comment:
                screen.error(session.say("run_comment_needed", item=item.id))
        response = response._replace(comment=comment)
    elif optional:
        if kept:
            comment = clean_text(ask(session.say("run_comment_keep", current=kept))).strip()
            comment = kept if comment == "" else ("" if comment == "-" else comment)
        else:
            comment = clean_text(ask(session.say("run_comment"))).strip()
        response = response._replace(comment=comment or None)
    before = store[item.id]
    if (response.comment or None) != (before.comment if before is not None else None):
        store[item.id] = response
        session.save_draft()
    if "evidence" in needed:
        why = session.say(
            "run_required_on_finding" if item.require and item.require.evidence == "findings" else "run_required"
        )
        files: list[str] = []
        while not files:
            typed = clean_text(ask(session.say("run_evidence", why=why)))
            files = [f.strip() for f in typed.split(",") if f.strip()]
            if not files:
                screen.error(session.say("run_evidence_needed", item=item.id))
        store[item.id] = response._replace(evidence=tuple(files))
        session.save_draft()
    return Next(index)
