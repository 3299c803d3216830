"""Faults found from outside, each pinned: user text as markup, damaged forms, the cap on
lint problems, a full standard output, libyaml's own depth limit and a PyYAML without libyaml."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli

from qaudit.capture.forms_write import write_form
from qaudit.lint.engine import lint_paths
from qaudit.load.standards import load_standards
from qaudit.problems import MAX_PROBLEMS_PER_FILE, InvalidInput, QauditError

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
AUDIT = (HERE / "data" / "spec" / "audits" / "yvn-01-2026-11-20.yaml").read_text(encoding="utf-8")
MARKUP = ["[/]", "[link=a]x[/link]", "[see photo 3]", "[bold red]x"]


# --- user text is never markup ---------------------------------------------------------------------


def _audits_with(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "audits"
    folder.mkdir()
    quoted = json.dumps(text)
    for n, inspector in enumerate((text, "Giorgi Beridze")):
        body = AUDIT.replace("id: yvn-01-2026-11-20\n", f"id: visit-{n}\n")
        body = body.replace("inspector: Anna Petrosyan", f"inspector: {json.dumps(inspector)}")
        body = body.replace("  start-delay: 7", f"  start-delay: {{value: 40, comment: {quoted}}}")
        (folder / f"visit-{n}.yaml").write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_a_comment_or_inspector_is_shown_as_typed_by_actions(tmp_path: Path, text: str) -> None:
    folder = _audits_with(tmp_path, text)
    done = run_cli("actions", str(folder), "--standards", str(STANDARDS), "--no-cache", "--today", "2026-11-21")
    assert "Traceback" not in done.stderr and done.code == 0, done.stderr
    assert text in done.stdout


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_a_manager_name_is_shown_as_typed_by_actions(tmp_path: Path, text: str) -> None:
    folder = _audits_with(tmp_path, "late")
    sites = tmp_path / "sites.yaml"
    sites.write_text(
        f"schema: qaudit/sites@1\nsites:\n  - id: yvn-01\n    manager: {{name: {json.dumps(text)}}}\n", encoding="utf-8"
    )
    args = ["actions", str(folder), "--standards", str(STANDARDS), "--sites", str(sites), "--no-cache"]
    done = run_cli(*args, "--today", "2026-11-21")
    assert "Traceback" not in done.stderr and done.code == 0, done.stderr
    assert text in done.stdout


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_an_inspector_name_is_shown_as_typed_by_calibration(tmp_path: Path, text: str) -> None:
    folder = _audits_with(tmp_path, text)
    done = run_cli("calibration", str(folder), "--standards", str(STANDARDS), "--no-cache")
    assert "Traceback" not in done.stderr and done.code == 0, done.stderr
    assert text in done.stdout


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_an_option_label_is_shown_as_typed_by_show(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "standards"
    folder.mkdir()
    source = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
    assert "{en: Partly, lv: Daļēji}" in source
    edited = source.replace("{en: Partly, lv: Daļēji}", f"{{en: {json.dumps(text)}, lv: Daļēji}}")
    (folder / "client-service-core.yaml").write_text(edited, encoding="utf-8")
    done = run_cli("show", "client-service-core", "--standards", str(folder), "--lang", "en", env={"COLUMNS": "400"})
    assert "Traceback" not in done.stderr and done.code == 0, done.stderr
    assert f"{text} = 0.5" in done.stdout


# --- a damaged form is one located error --------------------------------------------------------------


def _form_bytes() -> bytes:
    library = load_standards(STANDARDS)
    standard = library.get("client-service-core", 3)
    assert standard is not None
    return write_form(standard, site="yvn-01", inspector="Anna", date=dt.date(2026, 11, 20))


def _edit_part(data: bytes, name: str, edit) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, edit(body) if info.filename == name else body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
DTD = b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("name", "part", "edit", "why"),
    [
        ("sheet cut mid-way", SHEET, lambda b: b[: len(b) // 2], "a sheet cannot be read"),
        ("sheet with a DTD", SHEET, lambda b: DTD + b, f"its part {SHEET} holds a DTD"),
        ("workbook with a DTD", "xl/workbook.xml", lambda b: DTD + b, "its part xl/workbook.xml holds a DTD"),
    ],
)
def test_a_damaged_form_is_one_located_error_and_the_rest_is_scored(
    tmp_path: Path, name: str, part: str, edit, why: str
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "audits"
    folder.mkdir()
    (folder / "damaged.xlsx").write_bytes(_edit_part(_form_bytes(), part, edit))
    (folder / "good.yaml").write_text(AUDIT, encoding="utf-8")
    done = run_cli("score", str(folder), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    assert "Traceback" not in done.stderr
    out = json.loads(done.stdout)
    assert [a["id"] for a in out["audits"]] == ["yvn-01-2026-11-20"]
    assert len(out["errors"]) == 1, out["errors"]
    error = out["errors"][0]
    assert (error["line"], error["column"], error["rule"]) == (1, 1, "unreadable")
    assert error["message"].startswith(f"the form is damaged ({why}")
    assert done.code == 1


# --- warnings never fail lint ------------------------------------------------------------------------


def _standard_without_guidance(count: int) -> str:
    items = "".join(f"      - {{id: i{n}, text: Item {n}, type: yes_no}}\n" for n in range(count))
    return (
        "schema: qaudit/standard@1\nid: big\nversion: 1\ntitle: Big\n"
        "grades: [{grade: A, min: 90}, {grade: B, min: 0}]\nsections:\n  - id: s\n    title: S\n    items:\n" + items
    )


def test_an_81_item_standard_without_guidance_passes_lint_unless_strict(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_standard_without_guidance(81), encoding="utf-8")
    problems = lint_paths([str(path)]).problems
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert all(p.severity == "warning" for p in problems), {p.rule for p in problems if p.severity == "error"}
    last = problems[-1]
    assert last.rule == "too-many-problems" and last.severity == "warning"
    hidden = int(last.message.split()[0])
    assert hidden > 0 and f"({hidden} warnings)" in last.message
    assert run_cli("lint", str(path)).code == 0
    assert run_cli("lint", str(path), "--strict").code == 1


def test_errors_left_out_by_the_cap_still_fail_lint(tmp_path: Path) -> None:
    items = "".join(f"      - {{id: i{n}, text: T, type: yes_no, wieght: 1}}\n" for n in range(80))
    head = "schema: qaudit/standard@1\nid: s\nversion: 1\ntitle: T\nsections:\n  - id: a\n    title: A\n    items:\n"
    path = tmp_path / "noisy.yaml"
    path.write_text(head + items, encoding="utf-8")
    last = lint_paths([str(path)]).problems[-1]
    assert last.rule == "too-many-problems" and last.severity == "error" and "errors" in last.message
    assert run_cli("lint", str(path)).code == 1


# --- a full standard output: the same outcome, buffered or not -----------------------------------


@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_full_standard_output_fails_alike_buffered_or_not(tmp_path: Path, unbuffered: bool) -> None:
    env = {"PYTHONUNBUFFERED": "1" if unbuffered else None}
    audit = tmp_path / "a.yaml"
    audit.write_text(AUDIT, encoding="utf-8")
    runs = {
        "lint json": (["lint", str(STANDARDS), "-f", "json"], 2),
        "score": (["score", str(audit), "--standards", str(STANDARDS), "-f", "json", "--no-cache"], 2),
        "score table": (["score", str(audit), "--standards", str(STANDARDS), "--no-cache"], 2),
        # A clean lint writes nothing on stdout: nothing fails to be written.
        "lint text": (["lint", str(STANDARDS)], 0),
    }
    for name, (args, status) in runs.items():
        with open("/dev/full", "w") as full:
            # A real process, whose standard output is the full device (and unbuffered as Python starts).
            done = run_cli(*args, real=True, stdout=full, timeout=60, env=env)
        assert done.code == status, (name, done.stderr)
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, (name, done.stderr)
        if status == 2:
            assert done.stderr.startswith("qaudit: error: cannot write the output"), (name, done.stderr)
            assert len(done.stderr.strip().splitlines()) == 1


# --- YAML: libyaml's limits, and libyaml required ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("[" * 100_000, 1, 41),
        ("schema: qaudit/audit@1\nresponses: " + "[" * 10_000 + "]" * 10_000 + "\n", 2, 51),
        ("a: " + "{b: " * 5_000, 1, 160),
    ],
)
def test_nesting_past_libyaml_limit_is_a_depth_error_at_the_41st_level(text: str, line: int, column: int) -> None:
    from qaudit.io.yamlsrc import parse

    with pytest.raises(InvalidInput) as caught:
        parse(text, "deep.yaml")
    problem = caught.value.problems[0]
    assert (problem.rule, problem.line, problem.column) == ("yaml-depth", line, column)
    assert "nesting deeper than 40 levels" in problem.message and "close the" not in problem.message


def test_without_libyaml_reading_yaml_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from qaudit.io import yamlsrc

    monkeypatch.setattr(yamlsrc, "_CParser", None)
    with pytest.raises(QauditError, match=r"without its libyaml C extension.*pip install"):
        yamlsrc.parse("a: {comment: what?}\n", "f.yaml")


def test_libyaml_reads_a_plain_question_mark_in_a_flow_mapping() -> None:
    from qaudit.io.fastaudit import parse_simple
    from qaudit.io.yamlsrc import parse

    text = "schema: qaudit/audit@1\nresponses:\n  a: {value: yes, comment: what?}\n"
    assert parse(text, "f.yaml").data["responses"]["a"]["comment"] == "what?"
    fast = parse_simple(text)
    assert fast is None or fast == parse(text, "f.yaml").data


def test_every_test_named_in_the_faults_table_exists() -> None:
    import re

    text = (HERE.parent / "docs" / "hostile-input.md").read_text(encoding="utf-8")
    table = text[text.index("<!-- found -->") : text.index("<!-- /found -->")]
    named = re.findall(r"`(tests/[a-z_]+\.py)::([a-z0-9_]+)`", table)
    assert len(named) >= 20
    missing = [f"{f}::{t}" for f, t in named if f"def {t}(" not in (HERE.parent / f).read_text(encoding="utf-8")]
    assert missing == []
