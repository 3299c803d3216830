"""Hostile and broken input: every case ends in a result or a located error, never a traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hostile_cases import CASES, GOOD_AUDIT, Case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qaudit.audits import load_audit
from qaudit.lint.engine import lint_file
from qaudit.problems import InvalidInput
from qaudit.standards import load_standards
from qaudit.workspace import score_file

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
STANDARD_TEXT = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
LIBRARY = load_standards(STANDARDS)
DOC = HERE.parent / "docs" / "hostile-input.md"


def qaudit(*args: str, cwd: Path | None = None, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qaudit", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(case.content)
    if case.command == "score":
        done = qaudit("score", str(path), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
        errors = json.loads(done.stdout)["errors"]
    else:
        done = qaudit("lint", str(path), "-f", "json")
        errors = json.loads(done.stdout)
    assert "Traceback" not in done.stderr
    assert done.returncode == case.exit, done.stderr
    if case.rule:
        assert (errors[0]["rule"], errors[0]["line"]) == (case.rule, case.line), errors[0]
        assert errors[0]["column"] >= 1 and errors[0]["message"]
    else:
        assert errors == []


def hostile_table() -> str:
    lines = ["| input | command | exit | rule (line) | qaudit's answer |", "| --- | --- | --- | --- | --- |"]
    for case in CASES:
        rule = f"`{case.rule}` ({case.line})" if case.rule else "—"
        lines.append(f"| {case.name} | `qaudit {case.command}` | {case.exit} | {rule} | {case.answer} |")
    return "\n".join(lines) + "\n"


def test_docs_table_matches_the_cases() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- cases -->") + len("<!-- cases -->\n")
    end = text.index("<!-- /cases -->")
    if os.environ.get("QAUDIT_UPDATE_DOCS"):
        DOC.write_text(text[:start] + hostile_table() + text[end:], encoding="utf-8")
        return
    assert text[start:end] == hostile_table(), "run with QAUDIT_UPDATE_DOCS=1 to refresh docs/hostile-input.md"


# ---- fuzzing: mutated valid files through every loader --------------------------------------------


def mutate(text: str, rng: random.Random, edits: int) -> str:
    lines = text.split("\n")
    for _ in range(edits):
        op = rng.randrange(8)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[i]  # delete a line (a key)
        elif op == 1 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])  # duplicate a line
        elif op == 2 and lines:
            line = lines[i]
            cut = rng.randrange(len(line) + 1)
            lines[i] = (
                line[:cut]
                + rng.choice(
                    ["", ":", " ", "{", "[", "'", '"', "&a", "*a", "!!str", "\t", "#", "é", "\u0000", "\u2028"]
                )
                + line[cut:]
            )
        elif op == 3 and lines:
            lines[i] = lines[i].replace(": ", ": [", 1)  # wrong type
        elif op == 4:
            return "\n".join(lines)[: rng.randrange(len(text) + 1)]  # truncation
        elif op == 5 and lines:
            lines[i] = "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(12)))  # random Unicode
        elif op == 6 and lines:
            lines[i] = lines[i].replace("yes", "1").replace("full", "ful").replace("7", "seven")
        elif op == 7 and lines:
            lines[i] = " " * rng.randrange(6) + lines[i].lstrip()  # re-indent
    return "\n".join(lines)


def assert_located(problems: list) -> None:
    assert problems
    for p in problems:
        assert p.line >= 1 and p.column >= 1 and p.message and p.rule


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 4))
def test_fuzzed_audits_end_in_a_result_or_located_errors(tmp_path: Path, seed: int, edits: int) -> None:
    text = mutate(GOOD_AUDIT, random.Random(seed), edits)
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result, problems = score_file(str(path), LIBRARY, [])
    if result is None:
        assert_located(problems)
    else:
        assert 0 <= result.score <= 100


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 4))
def test_fuzzed_standards_end_in_a_model_or_located_errors(tmp_path: Path, seed: int, edits: int) -> None:
    text = mutate(STANDARD_TEXT, random.Random(seed), edits)
    path = tmp_path / "std.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems, standard, _ = lint_file(str(path))
    if standard is None:
        assert_located(problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32))
def test_fuzzed_forms_end_in_an_audit_or_located_errors(tmp_path: Path, seed: int) -> None:
    from openpyxl import load_workbook

    from qaudit.forms import write_form

    standard = LIBRARY.get("client-service-core")
    assert standard is not None
    import datetime as dt

    path = tmp_path / "form.xlsx"
    path.write_bytes(write_form(standard, site="yvn-01", inspector="A", date=dt.date(2026, 11, 20)))
    rng = random.Random(seed)
    wb = load_workbook(path)
    ws = wb["Audit"]
    junk = [
        None,
        "",
        "yes",
        "no",
        "=1+1",
        "+1",
        "@x",
        7,
        4.5,
        -3,
        True,
        "partial",
        "Fully",
        "na",
        "N/A",
        "ü" * 300,
        dt.datetime(2026, 1, 1),
        "x",
    ]
    for _ in range(rng.randrange(1, 12)):
        cell = ws.cell(rng.randrange(1, 20), rng.randrange(1, 9))
        if type(cell).__name__ != "MergedCell":
            cell.value = rng.choice(junk)
    if rng.random() < 0.2:
        ws.delete_rows(rng.randrange(1, 16))
    wb.save(path)
    if rng.random() < 0.15:
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))])  # a truncated workbook
    try:
        audit = load_audit(str(path), LIBRARY)
    except InvalidInput as exc:
        assert_located(exc.problems)
    else:
        assert audit.standard == "client-service-core"


# ---- nothing lost -----------------------------------------------------------------------------------


def test_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = "/proc/qaudit-cannot-write-here/blank.yaml"  # even root cannot write into /proc
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = str(folder / "blank.yaml")
    done = qaudit(
        "new", "client-service-core", "--site", "s", "--inspector", "i", "-o", target, "--standards", str(STANDARDS)
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.startswith("qaudit: error:")
    assert len(done.stderr.strip().splitlines()) == 1


def test_disappearing_files_and_symlink_loops_are_reported_and_skipped(tmp_path: Path) -> None:
    audits = tmp_path / "audits"
    audits.mkdir()
    (audits / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    (audits / "gone.yaml").symlink_to(audits / "deleted-meanwhile.yaml")  # dangling: deleted after listing
    (audits / "loop-a.yaml").symlink_to(audits / "loop-b.yaml")
    (audits / "loop-b.yaml").symlink_to(audits / "loop-a.yaml")
    (audits / "sub").mkdir()
    (audits / "sub" / "back").symlink_to(audits, target_is_directory=True)  # a folder loop
    done = qaudit("score", str(audits), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    out = json.loads(done.stdout)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [a["id"] for a in out["audits"]] == ["good"]
    assert sorted(Path(e["file"]).name for e in out["errors"]) == ["gone.yaml", "loop-a.yaml", "loop-b.yaml"]


def test_scoring_never_modifies_an_audit(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(GOOD_AUDIT, encoding="utf-8")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    for command in ("score", "actions", "trends"):
        qaudit(command, str(path), "--standards", str(STANDARDS), cwd=tmp_path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_two_processes_writing_the_same_output_do_not_corrupt_it(tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    results: list[int] = []

    def write() -> None:
        for _ in range(3):
            done = qaudit(
                "new",
                "client-service-core",
                "--site",
                "s",
                "--inspector",
                "i",
                "--date",
                "2026-11-20",
                "-o",
                str(out),
                "--force",
                "--standards",
                str(STANDARDS),
            )
            results.append(done.returncode)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [0] * 6
    expected = qaudit(
        "new",
        "client-service-core",
        "--site",
        "s",
        "--inspector",
        "i",
        "--date",
        "2026-11-20",
        "--standards",
        str(STANDARDS),
    ).stdout
    assert out.read_text(encoding="utf-8") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["blank.yaml"]  # no temporary files left behind
