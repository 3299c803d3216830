"""Hostile and broken inputs, each with qaudit's answer.

This list drives both `tests/test_hostile.py` and the table in
`docs/hostile-input.md` (a test keeps the page in step with this list).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

GOOD_AUDIT = (
    "schema: qaudit/audit@1\nstandard: client-service-core\nstandard_version: 3\nsite: yvn-01\n"
    "inspector: Anna Petrosyan\ndate: 2026-11-20\nresponses:\n  start-delay: 7\n  addressed-by-name: yes\n"
    "  greeting-warmth: 4\n  needs-identified: partial\n  no-arguing: yes\n"
)


@dataclass(frozen=True)
class Case:
    """One hostile input fed to ``qaudit score`` (or ``lint``) and the answer expected."""

    name: str
    """What the input is, as it appears in the docs table."""
    content: bytes
    command: str
    """``score`` (the file is an audit) or ``lint`` (the file is a standard)."""
    exit: int
    rule: str
    """The rule of the problem reported ('' for a clean result)."""
    line: int
    answer: str
    """What qaudit answers, in words, for the docs table."""


def _audit(text: str) -> bytes:
    return text.encode("utf-8")


CASES = [
    Case(
        "object-constructing tag (`!!python/object/apply:os.system`)",
        _audit(GOOD_AUDIT.replace("inspector: Anna Petrosyan", "inspector: !!python/object/apply:os.system [echo hi]")),
        "score",
        1,
        "yaml-tag",
        5,
        "refused, located; nothing is constructed or run",
    ),
    Case(
        "alias bomb (billion laughs)",
        _audit(
            "schema: qaudit/standard@1\na: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [*a{i - 1 if i > 1 else ''}, *a{i - 1 if i > 1 else ''}]\n" for i in range(1, 40))
        ).replace(b"*a0", b"*a"),
        "lint",
        1,
        "yaml-alias",
        3,
        "refused at the first alias, before any expansion",
    ),
    Case(
        "nesting 10,000 levels deep",
        _audit("schema: qaudit/audit@1\nresponses: " + "[" * 10000 + "]" * 10000 + "\n"),
        "score",
        1,
        "yaml-depth",
        2,
        "refused at the 41st level",
    ),
    Case(
        "a file of 400,000 responses",
        _audit(GOOD_AUDIT + "".join(f"  extra-{n}: yes\n" for n in range(400_000))),
        "score",
        1,
        "file-too-large",
        1,
        "refused by the 5 MB file limit (QAUDIT_MAX_FILE_BYTES)",
    ),
    Case(
        "UTF-16 with a byte-order mark (Windows Notepad)",
        codecs.BOM_UTF16_LE + GOOD_AUDIT.encode("utf-16-le"),
        "score",
        0,
        "",
        0,
        "read correctly",
    ),
    Case(
        "UTF-8 with a byte-order mark and CRLF line endings",
        codecs.BOM_UTF8 + GOOD_AUDIT.replace("\n", "\r\n").encode("utf-8"),
        "score",
        0,
        "",
        0,
        "read correctly",
    ),
    Case(
        "Latin-1 bytes (not UTF-8)",
        GOOD_AUDIT.replace("Anna Petrosyan", "Kovács Eszter").encode("latin-1"),
        "score",
        1,
        "encoding",
        5,
        "refused at the first bad byte: save the file as UTF-8",
    ),
    Case(
        "UTF-16 without a byte-order mark",
        GOOD_AUDIT.encode("utf-16-le"),
        "score",
        1,
        "encoding",
        1,
        "refused: save the file as UTF-8",
    ),
    Case(
        "a NUL character inside a value",
        _audit(GOOD_AUDIT.replace("Anna Petrosyan", "Anna\x00Petrosyan")),
        "score",
        1,
        "encoding",
        5,
        "located error: delete the character",
    ),
    Case(
        "tabs used for indentation",
        _audit(GOOD_AUDIT.replace("  start-delay: 7", "\tstart-delay: 7")),
        "score",
        1,
        "yaml-syntax",
        8,
        "located error: indent with spaces",
    ),
    Case(
        "a duplicated key",
        _audit(GOOD_AUDIT + "  start-delay: 0\n"),
        "score",
        1,
        "duplicate-key",
        13,
        "located error; YAML would silently keep one",
    ),
    Case(
        "a binary file named .yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "score",
        1,
        "encoding",
        1,
        "refused: not text",
    ),
    Case(
        "an empty file",
        b"",
        "score",
        1,
        "empty-file",
        1,
        "refused: the file is empty",
    ),
    Case(
        "a truncated file (cut mid-line)",
        _audit(GOOD_AUDIT[: GOOD_AUDIT.index("  needs-identified") + 9]),
        "score",
        1,
        "yaml-syntax",
        11,
        "located error at the cut line",
    ),
    Case(
        "an unsafe audit id (`id: ../../etc/passwd`)",
        _audit(GOOD_AUDIT.replace("schema: qaudit/audit@1\n", "schema: qaudit/audit@1\nid: ../../etc/passwd\n")),
        "score",
        1,
        "invalid-id",
        2,
        "refused: ids become file names",
    ),
    Case(
        "a reserved Windows name as site id (`site: con`)",
        _audit(GOOD_AUDIT.replace("site: yvn-01", "site: con")),
        "score",
        0,
        "",
        0,
        "accepted as data; refused where it would become a file name (scorecards)",
    ),
    Case(
        "HTML and a formula in a comment",
        _audit(
            GOOD_AUDIT.replace(
                "greeting-warmth: 4",
                'greeting-warmth: {value: 4, comment: "<script>alert(1)</script> =HYPERLINK(\\"x\\")"}',
            )
        ),
        "score",
        0,
        "",
        0,
        "kept as text: escaped in HTML, neutralised in CSV and Excel",
    ),
]
