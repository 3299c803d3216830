"""The guided terminal audit (``qaudit run``): one item at a time, nothing ever lost.

Every answer is written to a draft file (atomically) before the next question
appears, so Ctrl-C, a closed terminal or a killed process loses nothing:
running the same command again resumes at the first unanswered item. At the
end a review shows every answer with the score, grade and critical failures,
and the audit file is written; then the draft is removed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from . import yamlwrite
from .audits import Audit, Response, allowed_values, read_value
from .forms import YES_NO_NA, answer_text, clean_text
from .model import Item, Standard
from .output import write_atomic
from .problems import InvalidInput, error
from .yamlsrc import load

HELP = (
    "Type the answer and press Enter. Other commands:\n"
    "  na        not applicable (where allowed)\n"
    "  b         back to the previous item\n"
    "  g N | g ID  go to item number N or item ID\n"
    "  s         skip this item for now\n"
    "  l         list every item and its answer\n"
    "  q         quit (answers so far are kept; run the same command to resume)\n"
)


def draft_path(output: str) -> str:
    """Where the answers of an unfinished audit are kept (a hidden file beside it)."""
    folder, name = os.path.split(output)
    return os.path.join(folder, f".{name}.draft")


@dataclass
class Session:
    """The state of one guided audit."""

    standard: Standard
    site: str
    inspector: str
    date: dt.date
    lang: str | None
    output: str
    answers: dict[str, Response] = field(default_factory=dict)
    loaded: bool = False
    dropped: list[str] = field(default_factory=list)
    """Items whose kept answer no longer fits the standard (they are asked again)."""

    @property
    def items(self) -> list[Item]:
        """Every item in standard order."""
        return list(self.standard.items.values())

    def section_title(self, item: Item) -> str:
        """The title of an item's section, in the session's language."""
        return self.standard.text(self.standard.section_of[item.id].title, self.lang)

    def to_yaml(self) -> str:
        """The answers so far as an audit file (complete once every item is answered)."""
        standard = self.standard
        lines = [
            f"# {yamlwrite.comment(f'{standard.text(standard.title, self.lang)} ({standard.label})')}",
            *yamlwrite.header_lines(
                standard=standard.id,
                version=standard.version,
                site=self.site,
                inspector=self.inspector,
                date=self.date.isoformat(),
                language=self.lang,
            ),
        ]
        lines.append("responses:" if self.answers else "responses: {}")
        for item in self.items:
            response = self.answers.get(item.id)
            if response is None:
                continue
            # An empty comment (or one of nothing an audit may hold) is no comment.
            kept = yamlwrite.clean(response.comment or "") or None
            lines.append(yamlwrite.response_line(item, response._replace(comment=kept)))
        return yamlwrite.document(lines)

    def save_draft(self) -> None:
        """Write the answers so far, atomically."""
        write_atomic(draft_path(self.output), self.to_yaml())

    def load_draft(self) -> int:
        """Read the answers of an interrupted session; returns how many were found.

        A draft that cannot be read, or that belongs to another visit (standard, version,
        site, inspector or date), raises :class:`InvalidInput`: it is never overwritten,
        since it holds answers an inspector gave.
        """
        self.loaded = True
        path = draft_path(self.output)
        if not os.path.exists(path):
            return 0
        hint = "; finish it with the options it was started with, or delete the file to start again"
        try:
            doc = load(path)
            problems = doc.problems
        except InvalidInput as exc:
            problems = exc.problems
        if problems:
            first = problems[0]
            raise InvalidInput(
                [
                    error(
                        path,
                        first.line,
                        first.column,
                        "draft-unreadable",
                        f"the answers of an interrupted audit cannot be read ({first.message}); "
                        "repair the file or delete it to start again",
                    )
                ]
            )
        data = doc.data if isinstance(doc.data, dict) else {}
        expected = {
            "standard": self.standard.id,
            "standard_version": self.standard.version,
            "site": self.site,
            "inspector": self.inspector,
            "date": self.date,
        }
        for key, value in expected.items():
            # The loader reads scalars as text; a date may come back as a date.
            got = data.get(key)
            got = got.isoformat() if isinstance(got, dt.date) else None if got is None else str(got).strip()
            want = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
            if got != want:
                raise InvalidInput(
                    [
                        error(
                            path,
                            1,
                            1,
                            "draft-mismatch",
                            f"holds an unfinished audit with {key} {got!r}, not {want!r}{hint}",
                        )
                    ]
                )
        raw = data.get("responses") if isinstance(data.get("responses"), dict) else {}
        for item in self.items:
            entry = raw.get(item.id) if isinstance(raw, dict) else None
            comment = None
            if isinstance(entry, dict):
                comment = entry.get("comment")
                entry = entry.get("value")
            if entry is None:
                continue
            value, na, message = read_value(item, entry)
            if message is not None and isinstance(entry, str):
                value, na, message = read_value(item, answer_text(item, entry))
            if message is None:
                self.answers[item.id] = Response(value, na, None if comment is None else str(comment))
            else:
                self.dropped.append(item.id)
        return len(self.answers)

    def audit(self) -> Audit:
        """The finished audit."""
        return Audit(
            id=os.path.splitext(os.path.basename(self.output))[0],
            file=self.output,
            standard=self.standard.id,
            standard_version=self.standard.version,
            site=self.site,
            inspector=self.inspector,
            date=self.date,
            responses={item.id: self.answers[item.id] for item in self.items},
            language=self.lang,
        )


def _yaml_value(item: Item, response: Response) -> str:
    return yamlwrite.answer(item, response)


class Quit(Exception):
    """The inspector asked to stop (answers are kept in the draft)."""


def _choices(session: Session, item: Item) -> str:
    if item.type == "choice":
        lines = []
        for n, option in enumerate(item.choices, start=1):
            label = session.standard.text(option.label, session.lang) if option.label is not None else option.value
            lines.append(f"    {n}) {option.value}" + (f" — {label}" if label != option.value else ""))
        if item.na_allowed:
            lines.append("    na) N/A")
        return "\n".join(lines)
    shown = "    " + allowed_values(item)
    words = YES_NO_NA.get(session.lang or "en")
    if words is not None and session.lang != "en" and (item.type == "yes_no" or item.na_allowed):
        local = list(words[:2]) if item.type == "yes_no" else []
        local += [words[2]] if item.na_allowed else []
        shown += f" ({' / '.join(local)})"
    return shown


def run_session(session: Session, ask: Callable[[str], str], say: Callable[[str], None]) -> Audit | None:
    """Walk the inspector through the checklist; the finished audit, or None when they quit."""
    from .scoring import NothingToScore, score

    ask = _text_only(ask, say)
    items = session.items
    resumed = len(session.answers) if session.loaded else session.load_draft()
    if resumed:
        say(f"Resuming: {resumed} of {len(items)} answers were kept from last time.")
    if session.dropped:
        say(f"These kept answers no longer fit the standard and are asked again: {', '.join(session.dropped)}")
    say(
        f"{session.standard.text(session.standard.title, session.lang)} ({session.standard.label}) — "
        f"{session.site}, {session.date.isoformat()}. Type ? for help."
    )
    index = _first_unanswered(session, 0)
    while True:
        if index is None:
            audit = session.audit()
            try:
                result = score(session.standard, audit)
            except NothingToScore:
                say("Every item is N/A, so the audit has no score: answer at least one item.")
                index = 0
                continue
            say(_review(session, result))
            reply = ask("Save this audit? [Y]es / [n]o, keep editing / g N to change an item: ").strip().lower()
            if reply in ("", "y", "yes"):
                write_atomic(session.output, session.to_yaml())
                try:
                    os.unlink(draft_path(session.output))
                except FileNotFoundError:
                    pass
                say(f"Saved {session.output}")
                return audit
            if reply.startswith("g"):
                target = _goto(reply, items)
                if target is None:
                    say(f"No such item; give its number (1-{len(items)}) or its id.")
                    continue
                index = target
            else:
                index = 0
            continue
        item = items[index]
        say("")
        say(
            f"[{session.section_title(item)}] {index + 1}/{len(items)}  {item.id}"
            + ("  CRITICAL" if item.critical else "")
        )
        say(session.standard.text(item.text, session.lang))
        if item.guidance is not None:
            say("  " + session.standard.text(item.guidance, session.lang))
        say(_choices(session, item))
        current = session.answers.get(item.id)
        prompt = "> " if current is None else f"[{_yaml_value(item, current).strip(chr(34))}] > "
        reply = clean_text(ask(prompt)).strip()
        if reply == "" and current is not None:
            index = _next(session, index)
            continue
        command = reply.lower()
        if command in ("?", "h", "help"):
            say(HELP)
            continue
        if command in ("q", "quit"):
            raise Quit
        if command in ("b", "back"):
            index = max(0, index - 1)
            continue
        if command in ("s", "skip"):
            index = _next(session, index, skip=True)
            continue
        if command in ("l", "list"):
            say(_listing(session))
            continue
        if command.startswith("g ") or command.startswith("goto "):
            target = _goto(command, items)
            if target is None:
                say(f"No such item; give its number (1-{len(items)}) or its id.")
            else:
                index = target
            continue
        raw: str = answer_text(item, reply)
        if item.type == "choice" and reply.isdigit() and 1 <= int(reply) <= len(item.choices):
            raw = item.choices[int(reply) - 1].value
        value, na, message = read_value(item, raw)
        if message is not None:
            say(f"  ✗ {message}")
            continue
        kept = current.comment if current is not None else None
        # The answer is on disk before the comment is asked: a kill at the comment loses nothing.
        session.answers[item.id] = Response(value, na, kept)
        session.save_draft()
        if kept:
            comment = clean_text(ask(f"Comment [{kept}] (Enter to keep, - to clear): ")).strip()
            comment = kept if comment == "" else ("" if comment == "-" else comment)
        else:
            comment = clean_text(ask("Comment (Enter for none): ")).strip()
        if (comment or None) != kept:
            session.answers[item.id] = Response(value, na, comment or None)
            session.save_draft()
        index = _next(session, index)


def _text_only(ask: Callable[[str], str], say: Callable[[str], None]) -> Callable[[str], str]:
    """``ask``, asking again while what is typed is not UTF-8 text (a terminal set to another encoding)."""

    def asking(prompt: str) -> str:
        while True:
            try:
                reply = ask(prompt)
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start : exc.start + 1]
                shown = f" (byte 0x{bad[0]:02X})" if isinstance(bad, bytes) and bad else ""
            else:
                found = yamlwrite.undecodable_bytes(reply)
                if not found:
                    return reply
                shown = f" (byte 0x{found[0]:02X})" if found[0] <= 0xFF else ""
            say(f"  ✗ what was typed is not UTF-8 text{shown}; set the terminal to UTF-8 and type it again")

    return asking


class DraftLock:
    """The lock a ``qaudit run`` session holds on its audit's draft, so that no second session
    answers into the same file (one of them would lose the other's answers)."""

    def __init__(self, output: str) -> None:
        self.path = lock_path(output)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`QauditError` naming the session that holds it."""
        import fcntl

        from .problems import QauditError

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                os.close(fd)
                raise QauditError(
                    f"another 'qaudit run' session ({holder}) is filling in this audit and holds {self.path}; "
                    "finish or quit that session first, or choose another -o"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:  # the lock file may have been removed by the session that held it: lock the one in place
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock up and remove its file."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still held: a session waiting on this file then tries again
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def lock_path(output: str) -> str:
    """The lock file of a session filling in ``output`` (a hidden file beside it)."""
    folder, name = os.path.split(output)
    return os.path.join(folder, f".{name}.lock")


def _first_unanswered(session: Session, start: int) -> int | None:
    items = session.items
    for offset in range(len(items)):
        candidate = (start + offset) % len(items)
        if items[candidate].id not in session.answers:
            return candidate
    return None


def _next(session: Session, index: int, *, skip: bool = False) -> int | None:
    """The next unanswered item after ``index`` (wrapping), or None when all are answered."""
    items = session.items
    if not skip and index + 1 < len(items) and items[index + 1].id not in session.answers:
        return index + 1
    found = _first_unanswered(session, index + 1)
    if skip and found == index and len(session.answers) < len(items):
        return index
    return found


def _goto(command: str, items: list[Item]) -> int | None:
    parts = command.split(maxsplit=1)
    if len(parts) != 2:
        return None
    target = parts[1].strip()
    if target.isdigit() and 1 <= int(target) <= len(items):
        return int(target) - 1
    for n, item in enumerate(items):
        if item.id == target:
            return n
    return None


def _listing(session: Session) -> str:
    lines = []
    for n, item in enumerate(session.items, start=1):
        response = session.answers.get(item.id)
        shown = "—" if response is None else _yaml_value(item, response).strip('"')
        lines.append(f"  {n:>3}. {item.id:<30} {shown}")
    return "\n".join(lines)


def _review(session: Session, result: object) -> str:
    from .scoring import AuditResult

    assert isinstance(result, AuditResult)
    lines = ["", "Review", "======", _listing(session), ""]
    lines.append(
        f"Score {result.score:.2f}" + (f" (raw {result.raw_score:.2f})" if result.raw_score != result.score else "")
    )
    verdict = "no pass mark" if result.passed is None else "PASS" if result.passed else "FAIL"
    lines.append(f"Grade {result.grade} — {verdict}")
    lines.append(f"Critical failures: {', '.join(result.critical_failures) or 'none'}")
    return "\n".join(lines)
