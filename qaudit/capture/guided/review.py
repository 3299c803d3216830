"""The end of the guided audit: the review of every answer with the findings, score, grade and
critical failures, then saving the audit file (or going back to change an answer).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ...io.staging import write_atomic
from ...model.audit import Audit
from ...problems import InvalidInput
from .navigation import Quit, first_open, goto_target
from .screen import Screen, listing
from .session import Session, Step, draft_path


def review_and_save(session: Session, ask: Callable[[str], str], screen: Screen) -> Audit | int | None:
    """Show the review and ask to save: the saved audit, or the step to go on with."""
    from ...scoring.scorer import score

    steps = session.steps()
    try:
        audit = session.audit()
        result = score(session.standard, audit)
    except InvalidInput as exc:
        for problem in exc.problems:
            screen.error(problem.message)
        return first_open(session, steps, 0) or 0
    except Exception as exc:  # NothingToScore: every item N/A
        if type(exc).__name__ != "NothingToScore":
            raise
        screen.error(session.say("run_nothing_to_score"))
        return 0
    screen.say(review(session, steps, result, screen))
    while True:
        reply = ask(session.say("run_save_prompt")).strip().casefold()
        if reply == "" or reply in session.replies("run_yes_replies"):
            write_atomic(session.output, session.to_yaml())
            try:
                os.unlink(draft_path(session.output))
            except FileNotFoundError:
                pass
            screen.say(session.say("run_saved", path=session.output))
            return audit
        if reply.startswith("g"):
            target = goto_target(reply, steps)
            if target is None:
                screen.say(session.say("run_no_such_item", count=len(steps)))
                continue
            return target
        if reply in session.replies("run_no_replies"):
            screen.say(session.say("run_back_to_start"))
            return 0
        if reply in ("q", "quit"):
            raise Quit
        if reply in ("l", "list"):
            screen.say(listing(session, steps))
            continue
        screen.error(session.say("run_save_unknown", reply=reply))


def review(session: Session, steps: list[Step], result: object, screen: Screen) -> str:
    from ...scoring.scorer import AuditResult

    assert isinstance(result, AuditResult)
    title = session.say("run_review")
    lines = ["", title, "=" * len(title)]
    none = session.say("run_none_given")
    if session.v2:
        if session.fields:
            lines.append(session.say("run_review_fields"))
            for key, value in session.fields.items():
                lines.append(f"  {key}: {session.say('run_left_empty') if value is None else value}")
        lines.append(session.say("run_review_subject", subject=session.subject or none))
    lines.append(listing(session, steps))
    findings = []
    for entry in result.items:
        if getattr(entry, "finding", False):
            instance = getattr(entry, "instance", None)
            findings.append(f"{entry.id}" + (f" ({instance})" if instance else ""))
    comments = []
    for step in steps:
        if step.kind == "item" and step.reason is None:
            response = session.response(step)
            if response is not None and response.comment:
                where = ""
                if step.instance is not None and step.section is not None:
                    where = f" ({session.instances[step.section.id][step.instance].label})"
                comments.append(f"  {step.key}{where}: {response.comment}")
    if comments:
        lines += [session.say("run_review_comments"), *comments]
    if session.v2:
        lines.append(session.say("run_review_overall", comment=session.comment or none))
    lines.append("")
    if session.v2:
        lines.append(
            screen.paint(session.say("run_review_findings", count=len(findings)), "yellow" if findings else "green")
            + (f" — {', '.join(findings)}" if findings else "")
        )
    score = session.say("run_review_score", score=f"{result.score:.2f}")
    if result.raw_score != result.score:
        score += " " + session.say("run_review_raw", raw=f"{result.raw_score:.2f}")
    lines.append(score)
    # A whole line is coloured, so that what it says stays one run of text.
    verdict = (
        session.say("run_no_pass_mark") if result.passed is None else session.say("pass" if result.passed else "fail")
    )
    style = () if result.passed is None else ("green", "bold") if result.passed else ("red", "bold")
    lines.append(screen.paint(session.say("run_review_grade", grade=result.grade, verdict=verdict), *style))
    if result.critical_failures:
        critical = session.say("run_review_critical", items=", ".join(dict.fromkeys(result.critical_failures)))
    else:
        critical = session.say("run_review_no_critical")
    lines.append(screen.paint(critical, *(("red", "bold") if result.critical_failures else ())))
    return "\n".join(lines)
