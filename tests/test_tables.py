"""Terminal tables fit the terminal: no line over its width, whole dates, human headers, a summary line."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest
from conftest import cli_command, run_cli

from qaudit.render.numbers import change_text, half_up, percent_text, score_text
from qaudit.render.tables import render_rows, rows_table

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
OPTIONS = [
    "--standards",
    str(ROOT / "standards"),
    "--sites",
    str(EX / "sites.yaml"),
    "--waivers",
    str(EX / "waivers.yaml"),
]
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(args: list[str], columns: int) -> str:
    done = run_cli(*args, env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert done.code == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    "command",
    [
        ["score", str(EX / "audits")],
        ["actions", str(EX / "audits"), "--today", "2026-11-30"],
        ["trends", str(EX / "audits")],
        ["items", str(EX / "audits")],
        ["calibration", str(EX / "audits")],
    ],
    ids=["score", "actions", "trends", "items", "calibration"],
)
def test_every_table_fits_the_width_and_keeps_dates_whole(command: list[str], columns: int) -> None:
    out = _run([*command, *OPTIONS, "--no-cache"], columns)
    lines = out.splitlines()
    assert lines, out
    assert max(len(line) for line in lines) <= columns, "\n".join(line for line in lines if len(line) > columns)
    for line in lines:
        # A date is shown whole or not at all: never cut to 2026-07…
        assert not re.search(r"\b\d{4}-\d{2}…", line), line


def test_the_score_table_has_human_headers_a_summary_and_right_aligned_scores() -> None:
    out = _run(["score", str(EX / "audits"), *OPTIONS, "--no-cache"], 120)
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["Site", "Date"]
    assert "Score" in lines[0] and "Result" in lines[0]
    summary = r"\d+ audits scored: \d+ passed, \d+ failed(, \d+ with no pass mark)?; 0 invalid"
    assert any(re.fullmatch(summary, line) for line in lines[-3:]), lines[-3:]
    score_end = lines[0].index("Score") + len("Score")
    body = [line for line in lines[2:] if DATE.search(line)]
    assert body
    for line in body:
        assert re.fullmatch(r"\d{1,3}\.\d{2}", line[score_end - 6 : score_end].strip()), line


def test_columns_left_out_are_named_under_the_table() -> None:
    rows = [{"site": "yvn-01", "item": "greeting", "comment": "x" * 60, "owner": "Anna Petrosyan"}]
    text = "".join(render_rows(rows, ["site", "item", "owner", "comment"], width=40, colour=False))
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "not shown at 40 columns" in text and "comment" in text


def test_an_empty_table_says_so() -> None:
    assert rows_table([], ["site"], title="Open actions") == "Open actions\n(none)\n"


def test_numbers_round_half_away_from_zero_everywhere() -> None:
    assert score_text(76.25) == "76.25"
    assert str(half_up(76.25, 1)) == "76.3" and str(half_up(91.25, 1)) == "91.3"
    assert str(half_up(-0.125, 2)) == "-0.13"
    assert percent_text(0.926) == "92.6%" and percent_text(1.0) == "100%" and percent_text(0.5) == "50%"
    assert change_text(3.5) == "+3.50" and change_text(-0.25) == "-0.25" and change_text(0.0) == "0.00"
    assert percent_text(None) == "" and score_text(None) == ""


@pytest.mark.parametrize("command", ["score", "actions", "trends", "items", "calibration"])
def test_an_80_column_terminal_gets_no_line_over_80(command: str, tmp_path: Path) -> None:
    args = [command, str(EX / "audits"), *OPTIONS]
    if command == "actions":
        args += ["--today", "2026-11-30"]
    line = cli_command(*args)  # a real process, on an 80-column terminal
    child = pexpect.spawn(
        line[0],
        line[1:],
        cwd=str(tmp_path),
        dimensions=(40, 80),
        encoding="utf-8",
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8"},
    )
    out = child.read()
    child.close()
    assert child.exitstatus == 0, out
    lines = [ANSI.sub("", line) for line in out.replace("\r\n", "\n").split("\n")]
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    assert DATE.search(out) or command == "items"


def test_actions_list_the_most_urgent_first_and_say_how_many_are_left_out() -> None:
    out = _run(["actions", str(EX / "audits"), *OPTIONS, "--today", "2026-11-30", "--limit", "3", "--no-cache"], 160)
    lines = out.splitlines()
    header = lines[1]
    rows = lines[3:6]
    critical, overdue = header.index("Critical"), header.index("Overdue")
    for row in rows:  # overdue critical actions come first
        assert row[critical : critical + 8].strip() == "yes" and row[overdue : overdue + 7].strip() == "yes", row
    assert re.search(
        r"^\d+ open: \d+ critical, \d+ overdue on 2026-11-30; .*the 3 most urgent shown \(--all", out, re.M
    )
    everything = _run(["actions", str(EX / "audits"), *OPTIONS, "--today", "2026-11-30", "--all", "--no-cache"], 160)
    assert "most urgent shown" not in everything and len(everything.splitlines()) > len(lines)
