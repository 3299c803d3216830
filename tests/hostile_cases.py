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
    special: str = ""
    """How the file is made when it is not plain content: ``fifo`` (a named pipe),
    ``sparse`` (a 1 GB file of holes), ``device`` (a link to /dev/zero), ``folder``
    (a folder named like the file, inside a folder given to qaudit), ``loop`` (a
    symbolic link to itself) or ``dangling`` (a link to a file that is gone)."""


def _audit(text: str) -> bytes:
    return text.encode("utf-8")


def _standard_with_items(count: int) -> bytes:
    items = "".join(f"      - {{id: i{n}, text: Item {n}, type: yes_no}}\n" for n in range(count))
    return _audit(
        "schema: qaudit/standard@1\nid: huge\nversion: 1\ntitle: Huge\nsections:\n"
        "  - id: s\n    title: S\n    items:\n" + items
    )


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
        "a reserved Windows name as audit id (`id: CON`)",
        _audit(GOOD_AUDIT.replace("schema: qaudit/audit@1\n", "schema: qaudit/audit@1\nid: CON\n")),
        "score",
        1,
        "invalid-id",
        2,
        "refused: ids become file names",
    ),
    Case(
        'a value with a line break and a forged CI command (`"a\\n::warning::x"`)',
        _audit(GOOD_AUDIT.replace("start-delay: 7", 'start-delay: "a\\n::warning::x"')),
        "score",
        1,
        "invalid-value",
        8,
        "located error; the line break is shown as `\\n`, so each problem stays one line",
    ),
    Case(
        "a standard of 5,000 sections with 20 unknown keys each (100,000 errors)",
        _audit(
            "schema: qaudit/standard@1\nid: f\nversion: 1\ntitle: F\nsections:\n"
            + "".join(f"  - {{id: s{n}, title: T, {', '.join(f'k{k}: 1' for k in range(20))}}}\n" for n in range(5000))
        ),
        "lint",
        1,
        "missing-key",
        6,
        "the first 50 problems and a count of the rest; validation stops after 2,000",
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
    Case(
        "UTF-16 big-endian with a byte-order mark",
        codecs.BOM_UTF16_BE + GOOD_AUDIT.encode("utf-16-be"),
        "score",
        0,
        "",
        0,
        "read correctly",
    ),
    Case(
        "UTF-32 with a byte-order mark",
        codecs.BOM_UTF32_LE + GOOD_AUDIT.encode("utf-32-le"),
        "score",
        0,
        "",
        0,
        "read correctly",
    ),
    Case(
        "old Mac line endings (lone CR)",
        _audit(GOOD_AUDIT.replace("\n", "\r")),
        "score",
        0,
        "",
        0,
        "read correctly",
    ),
    Case(
        'an escaped NUL in quoted text (`"An\\0na"`)',
        _audit(GOOD_AUDIT.replace("inspector: Anna Petrosyan", 'inspector: "An\\0na"')),
        "score",
        1,
        "encoding",
        5,
        "located error: the escape would put a control character into workbooks and scorecards",
    ),
    Case(
        "an escape character (ESC) in raw text",
        _audit(GOOD_AUDIT.replace("Anna", "An\x1bna")),
        "score",
        1,
        "encoding",
        5,
        "located error: delete the character",
    ),
    Case(
        "an invisible line separator (U+2028) pasted into a name",
        _audit(GOOD_AUDIT.replace("Anna Petrosyan", "Anna\u2028Petrosyan")),
        "score",
        1,
        "encoding",
        5,
        "located error (YAML would count it as a line break, editors do not): delete it",
    ),
    Case(
        "a custom tag (`!site`)",
        _audit(GOOD_AUDIT.replace("site: yvn-01", "site: !site yvn-01")),
        "score",
        1,
        "yaml-tag",
        4,
        "refused, located: safe loading only",
    ),
    Case(
        "an anchor and an alias in an audit",
        _audit(
            GOOD_AUDIT.replace("greeting-warmth: 4", "greeting-warmth: &g 4").replace(
                "no-arguing: yes", "no-arguing: *g"
            )
        ),
        "score",
        1,
        "yaml-alias",
        12,
        "refused at the alias: write the value out",
    ),
    Case(
        "an anchor and an alias in a standard",
        _audit(
            "schema: qaudit/standard@1\nid: s\nversion: 1\ntitle: S\nsections:\n  - id: a\n    title: &t A\n"
            "    items: [{id: i, text: *t, type: yes_no}]\n"
        ),
        "lint",
        1,
        "yaml-alias",
        8,
        "refused at the alias: write the value out",
    ),
    Case(
        "a YAML merge key (`<<:`)",
        _audit(GOOD_AUDIT.replace("  start-delay: 7", "  <<: {start-delay: 7}")),
        "score",
        1,
        "missing-response",
        7,
        "not merged: `<<` is an unknown item and start-delay has no response",
    ),
    Case(
        "100,000 open brackets with no end",
        _audit("[" * 100_000),
        "score",
        1,
        "yaml-depth",
        1,
        "refused at the 41st level",
    ),
    Case(
        "a 5 MB list of 2.6 million one-letter values",
        _audit("schema: qaudit/audit@1\nresponses: [" + ",".join(["a"] * 2_600_000) + "]\n"),
        "score",
        1,
        "too-large",
        2,
        "refused after 500,000 values, within seconds and under 1 GB of memory",
    ),
    Case(
        "a list of 20,000 empty sections in a standard",
        _audit("schema: qaudit/standard@1\nsections: [" + ",".join(["{}"] * 20_000) + "]\n"),
        "lint",
        1,
        "too-large",
        2,
        "refused: more than 10,000 entries in one list",
    ),
    Case(
        "a standard with 60,000 items (4 MB)",
        _standard_with_items(60_000),
        "lint",
        1,
        "too-large",
        9,
        "refused: more than 10,000 entries in one list (2,000 items at most per standard)",
    ),
    Case(
        "a standard with 3,000 items",
        _standard_with_items(3_000),
        "lint",
        1,
        "too-large",
        5,
        "refused: over the 2,000-item limit",
    ),
    Case(
        "a number too large for any float (`1e999999999`)",
        _audit(GOOD_AUDIT.replace("start-delay: 7", "start-delay: 1e999999999")),
        "score",
        1,
        "invalid-value",
        8,
        "located error: give a number",
    ),
    Case(
        "not-a-number (`.nan`) as a response",
        _audit(GOOD_AUDIT.replace("start-delay: 7", "start-delay: .nan")),
        "score",
        1,
        "invalid-value",
        8,
        "located error: give a number",
    ),
    Case(
        "a 3 MB single-line inspector name",
        _audit(GOOD_AUDIT.replace("Anna Petrosyan", "A" * 3_000_000)),
        "score",
        0,
        "",
        0,
        "read correctly (the file is under the size limit)",
    ),
    Case(
        "a 2 MB key",
        _audit(GOOD_AUDIT + "  " + "k" * 2_000_000 + ": yes\n"),
        "score",
        1,
        "yaml-syntax",
        13,
        "located error: a key may not be longer than 1,024 characters",
    ),
    Case(
        "a second YAML document in the file",
        _audit(GOOD_AUDIT + "---\n" + GOOD_AUDIT),
        "score",
        1,
        "yaml-syntax",
        13,
        "located error: keep one document per file",
    ),
    Case(
        "a named pipe (FIFO) called audit.yaml",
        b"",
        "score",
        1,
        "unreadable",
        1,
        "refused without waiting for a writer; the other audits are scored",
        special="fifo",
    ),
    Case(
        "a 1 GB sparse file",
        b"",
        "score",
        1,
        "file-too-large",
        1,
        "refused after reading 5 MB at most",
        special="sparse",
    ),
    Case(
        "a link to /dev/zero named audit.yaml",
        b"",
        "score",
        1,
        "unreadable",
        1,
        "refused: a device, not a file (never read)",
        special="device",
    ),
    Case(
        "a symbolic link to itself (a loop) in an audit folder",
        b"",
        "score",
        1,
        "unreadable",
        1,
        "reported for that file; the other audits are scored",
        special="loop",
    ),
    Case(
        "a dangling symbolic link (its file deleted) in an audit folder",
        b"",
        "score",
        1,
        "unreadable",
        1,
        "reported for that file; the other audits are scored",
        special="dangling",
    ),
    Case(
        "a folder named audit.yaml inside an audit folder",
        b"",
        "score",
        0,
        "",
        0,
        "walked as a folder (it holds no audit); the other audits are scored",
        special="folder",
    ),
]


@dataclass(frozen=True)
class OutputCase:
    """A hostile situation around the files qaudit writes, and the test that checks the answer."""

    name: str
    commands: str
    answer: str
    test: str
    """The test in ``tests/test_hostile.py`` that keeps this row true."""


OUTPUT_CASES = [
    OutputCase(
        "an output folder that cannot be written (read-only, or under /proc)",
        "`new`, `report`, `export`",
        "one line `qaudit: error: ...`, exit 2, nothing half-written",
        "test_unwritable_output_is_a_clear_error",
    ),
    OutputCase(
        "a run killed while it writes a report or a workbook",
        "`report`, `export`",
        "the previous report and workbook stay intact; no temporary file is left where readers look",
        "test_a_killed_run_leaves_previous_outputs_intact",
    ),
    OutputCase(
        "two processes writing the same report folder or file at once",
        "`report`, `new`",
        "every page is complete and identical to a single run; no temporary files left",
        "test_two_processes_writing_the_same_report_folder",
    ),
    OutputCase(
        "an audit replaced (atomically) again and again while a run reads the folder",
        "`score`",
        "each reading is either the old or the new file; the run completes",
        "test_an_audit_replaced_during_a_run",
    ),
    OutputCase(
        "every command that only reads audits",
        "`score`, `report`, `export`, `actions`, `trends`, `items`, `calibration`, `lint`",
        "audit files are never modified (bytes and modification time)",
        "test_reading_commands_never_modify_an_audit",
    ),
    OutputCase(
        "user templates reaching for Python internals (`''.__class__.__mro__`, `cycler.__init__.__globals__`)",
        "`report --templates`",
        "refused by the sandbox, located to the template; nothing written",
        "test_user_templates_cannot_reach_python_internals",
    ),
    OutputCase(
        "HTML, scripts and formulas in site names, inspectors, comments and item texts",
        "`report`, `export`, `score -f csv`",
        "escaped in HTML; stored as text in Excel; prefixed with `'` in CSV",
        "test_injected_text_is_escaped_and_neutralised",
    ),
    OutputCase(
        "standard output on a full disk (`> /dev/full`)",
        "`lint`, `score`",
        "one line `qaudit: error: ...`, exit 2, no traceback",
        "test_a_full_standard_output_is_a_clear_error",
    ),
    OutputCase(
        'a carriage return written as an escape in an inspector\'s name (`"\\r=1+2"`)',
        "`score -f csv`",
        "the row stays whole (the break is kept as LF inside a quoted field) and the formula neutralised",
        "test_a_carriage_return_never_splits_a_score_csv_row",
    ),
]
