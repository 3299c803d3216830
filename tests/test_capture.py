"""Inspector capture: the Excel form, `qaudit convert` and the guided terminal audit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest
from conftest import cli_command, run_cli
from openpyxl import load_workbook

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
SPEC_AUDIT = HERE / "data" / "spec" / "audits" / "yvn-01-2026-11-20.yaml"
ANSWERS = {
    "start-delay": 7,
    "addressed-by-name": "yes",
    "greeting-warmth": 4,
    "needs-identified": "partial",
    "no-arguing": "yes",
}


def make_form(tmp_path: Path, name: str = "form.xlsx", *extra: str) -> Path:
    out = tmp_path / name
    done = run_cli(
        "form",
        "client-service-core",
        "--site",
        "yvn-01",
        "--inspector",
        "Anna Petrosyan",
        "--date",
        "2026-11-20",
        "-o",
        str(out),
        "--standards",
        str(STANDARDS),
        *extra,
    )
    assert done.code == 0, done.stderr
    return out


def fill(path: Path, answers: dict[str, object], comments: dict[str, str] | None = None) -> None:
    """Fill a form the way an outside program would: find the ID, Response and Comment header cells."""
    wb = load_workbook(path)
    ws = wb["Audit"]
    header = None
    for row in ws.iter_rows():
        names = [c.value for c in row]
        if "ID" in names and "Response" in names and "Comment" in names:
            header = row[0].row, names.index("ID") + 1, names.index("Response") + 1, names.index("Comment") + 1
            break
    assert header is not None
    top, id_col, response_col, comment_col = header
    row = top + 1
    while ws.cell(row, id_col).value:
        item = ws.cell(row, id_col).value
        if item in answers:
            ws.cell(row, response_col).value = answers[item]
        if comments and item in comments:
            ws.cell(row, comment_col).value = comments[item]
        row += 1
    wb.save(path)


def score_json(*paths: Path) -> tuple[int, dict]:
    done = run_cli("score", *map(str, paths), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    return done.code, json.loads(done.stdout)


def test_filled_form_scores_like_the_same_answers_in_yaml(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, ANSWERS, {"addressed-by-name": "Used the client's name twice"})
    code, out = score_json(form)
    assert code == 0, out["errors"]
    _, yaml_out = score_json(SPEC_AUDIT)
    got, want = out["audits"][0], yaml_out["audits"][0]
    for key in ("score", "raw_score", "grade", "passed", "critical_failures", "sections", "site", "date", "inspector"):
        assert got[key] == want[key], key
    assert [i["score"] for i in got["items"]] == [i["score"] for i in want["items"]]


def test_form_layout_protection_and_dropdowns(tmp_path: Path) -> None:
    form = make_form(tmp_path, "f.xlsx", "--lang", "lv")
    wb = load_workbook(form)
    ws = wb["Audit"]
    assert ws.protection.sheet is True
    assert wb["qaudit"].sheet_state == "hidden"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows is not None and "10" in ws.print_title_rows
    header = [c.value for c in ws[10]]
    assert header[:7] == ["ID", "Section", "Item", "Guidance", "Allowed answers", "Response", "Comment"]
    ids = [ws.cell(r, 1).value for r in range(11, 16)]
    assert ids == list(ANSWERS)
    assert ws.cell(11, 3).value == "Kavētās minūtes pakalpojuma sākumā"
    # Input cells unlocked, everything else locked.
    assert ws.cell(11, 6).protection.locked is False and ws.cell(11, 7).protection.locked is False
    assert ws.cell(11, 3).protection.locked is True
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert validations["F11"].type == "custom"  # number check for a number item
    assert validations["F15"].type == "list"  # yes/no dropdown
    meta = wb["qaudit"]
    choice_lists = {meta.cell(10, c).value: [meta.cell(r, c).value for r in range(11, 14)] for c in range(4, 9)}
    assert choice_lists["needs-identified"] == ["Pilnībā", "Daļēji", "Nemaz"]
    assert choice_lists["addressed-by-name"][:2] == ["jā", "nē"]


def test_option_labels_and_localised_yes_no_are_accepted(tmp_path: Path) -> None:
    form = make_form(tmp_path, "labels.xlsx", "--lang", "lv")
    fill(form, {**ANSWERS, "needs-identified": "Daļēji", "addressed-by-name": "jā"})
    code, out = score_json(form)
    assert code == 0, out["errors"]
    assert out["audits"][0]["score"] == 61.67


def test_formula_in_a_response_cell_is_refused_with_the_cell(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, {**ANSWERS, "greeting-warmth": "=2+2"})
    code, out = score_json(form)
    assert code == 1 and out["audits"] == []
    [problem] = out["errors"]
    assert (problem["line"], problem["column"], problem["rule"]) == (13, 6, "formula")
    assert problem["message"].startswith("cell Audit!F13:")


def test_bad_answer_points_at_the_cell(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, {**ANSWERS, "needs-identified": "mostly"})
    code, out = score_json(form)
    assert code == 1
    [problem] = out["errors"]
    assert (problem["line"], problem["column"]) == (14, 6)
    assert "full, partial, none" in problem["message"]
    text = run_cli("score", str(form), "--standards", str(STANDARDS), "--no-cache")
    assert f"{form}:14:6 error invalid-value cell Audit!F14:" in text.stderr


def test_form_from_a_changed_standard_says_so(tmp_path: Path) -> None:
    standards = tmp_path / "standards"
    shutil.copytree(STANDARDS, standards)
    form = tmp_path / "old.xlsx"
    assert (
        run_cli(
            "form",
            "client-service-core",
            "--site",
            "s1",
            "--inspector",
            "I",
            "-o",
            str(form),
            "--standards",
            str(standards),
        ).code
        == 0
    )
    fill(form, ANSWERS)
    path = standards / "client-service-core.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("pass_score: 80", "pass_score: 85"), encoding="utf-8")
    done = run_cli("score", str(form), "--standards", str(standards), "-f", "json", "--no-cache")
    assert done.code == 1
    assert json.loads(done.stdout)["errors"][0]["rule"] == "form-outdated"


def test_convert_round_trips_to_the_same_score(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, ANSWERS, {"addressed-by-name": 'She said "thanks": twice'})
    out = tmp_path / "converted.yaml"
    done = run_cli("convert", str(form), "-o", str(out), "--standards", str(STANDARDS))
    assert done.code == 0, done.stderr
    _, from_form = score_json(form)
    _, from_yaml = score_json(out)
    assert from_yaml["audits"][0]["score"] == from_form["audits"][0]["score"] == 61.67
    assert 'comment: "She said \\"thanks\\": twice"' in out.read_text(encoding="utf-8")
    # Never overwrite unasked.
    again = run_cli("convert", str(form), "-o", str(out), "--standards", str(STANDARDS))
    assert again.code == 2 and "already exists" in again.stderr


def test_form_is_not_overwritten_unasked(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    before = form.read_bytes()
    done = run_cli(
        "form", "client-service-core", "--site", "x", "--inspector", "y", "-o", str(form), "--standards", str(STANDARDS)
    )
    assert done.code == 2 and form.read_bytes() == before


def test_forms_in_a_folder_are_scored_beside_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "audits"
    folder.mkdir()
    form = make_form(folder, "visit.xlsx")
    fill(form, ANSWERS)
    shutil.copy(SPEC_AUDIT, folder / "yaml-visit.yaml")
    code, out = score_json(folder)
    assert code == 0 and len(out["audits"]) == 2


RUN_ARGS = (
    "run",
    "client-service-core",
    "--site",
    "yvn-01",
    "--inspector",
    "Anna",
    "--date",
    "2026-11-20",
    "--standards",
    str(STANDARDS),
    "-o",
    "a.yaml",
    "--lang",
    "en",  # the prompts matched below are English; tests/test_i18n.py runs the audit in Latvian
)
RUN = cli_command(*RUN_ARGS)  # guided audits run in a real process, on a terminal (pexpect)


def spawn(cwd: Path) -> pexpect.spawn:
    return pexpect.spawn(RUN[0], RUN[1:], cwd=str(cwd), encoding="utf-8", timeout=30, env={**os.environ, "CI": "1"})


def test_guided_audit_survives_a_kill_and_resumes(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("1/5")
    child.expect("> ")
    child.sendline("7")
    child.expect("Comment")
    child.sendline("late by the traffic")
    child.expect("2/5")
    child.expect("> ")
    child.sendline("maybe")
    child.expect("answer yes or no")
    child.expect("> ")
    child.sendline("yes")
    child.expect("Comment")
    child.sendline("")
    child.expect("3/5")
    child.kill(9)
    child.wait()
    draft = tmp_path / ".a.yaml.draft"
    assert "start-delay: {value: 7" in draft.read_text(encoding="utf-8")
    assert not (tmp_path / "a.yaml").exists()

    child = spawn(tmp_path)
    child.expect("Resuming: 2 of 5")
    child.expect("3/5")
    child.expect("> ")
    child.sendline("na")
    child.expect("does not allow N/A")
    child.expect("> ")
    child.sendline("4")
    child.expect("Comment")
    child.sendline("")
    child.expect("4/5")
    child.expect("> ")
    child.sendline("b")  # back to the scale item: keep its answer
    child.expect("3/5")
    child.expect(r"\[4\] > ")
    child.sendline("")
    child.expect("4/5")
    child.expect("> ")
    child.sendline("2")  # option number 2: partial
    child.expect("Comment")
    child.sendline("")
    child.expect("5/5")
    child.expect("> ")
    child.sendline("yes")
    child.expect("Comment")
    child.sendline("")
    child.expect("Score 61.67")
    child.expect("Grade D")
    child.expect("Save this audit")
    child.sendline("y")
    child.expect("Saved")
    child.expect(pexpect.EOF)
    assert not draft.exists()
    code, out = score_json(tmp_path / "a.yaml")
    assert code == 0 and out["audits"][0]["score"] == 61.67
    assert out["audits"][0]["items"][0]["value"] == 7


def test_guided_audit_quit_keeps_answers_and_refuses_to_overwrite(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("> ")
    child.sendline("0")
    child.expect("Comment")
    child.sendline("")
    child.expect("> ")
    child.sendline("q")
    child.expect("1 answers are kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert (tmp_path / ".a.yaml.draft").exists()
    (tmp_path / "a.yaml").write_text("an inspector's file\n", encoding="utf-8")
    (tmp_path / ".a.yaml.draft").unlink()
    done = run_cli(*RUN_ARGS, cwd=tmp_path)
    assert done.code == 2 and "already exists" in done.stderr
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "an inspector's file\n"


@pytest.mark.office
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_form(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    profile = tmp_path / "profile"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # UTF-8
            "--outdir",
            str(tmp_path / "out"),
            str(form),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "form.csv").read_text(encoding="utf-8")
    assert "start-delay" in text and "Response" in text


EDGE_STANDARD = """\
schema: qaudit/standard@1
id: edge
version: 1
title: "=Edge, standard"
sections:
  - id: s1
    title: First
    items:
      - id: door
        text: "=Door opened promptly"
        type: choice
        options:
          - {value: full, score: 1, label: "Yes"}
          - {value: half, score: 0.5, label: "Partly, mostly"}
          - {value: nope, score: 0, label: "No"}
      - id: tidy
        text: Tidy
        type: choice
        options:
          - {value: a, score: 1, label: "Partly, mostly"}
          - {value: b, score: 0}
      - id: warm
        text: Warm
        type: scale
        min: 0
        max: 10
"""


def edge_form(tmp_path: Path, name: str = "edge.xlsx") -> tuple[Path, Path]:
    standards = tmp_path / "edge-standards"
    standards.mkdir(exist_ok=True)
    (standards / "edge.yaml").write_text(EDGE_STANDARD, encoding="utf-8")
    form = tmp_path / name
    done = run_cli(
        "form", "edge", "--site", "s1", "--inspector", "I", "--date", "2026-01-02", "-o", str(form),
        "--standards", str(standards),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    return form, standards


def test_an_option_label_means_its_own_items_option(tmp_path: Path) -> None:
    # "Yes" is an option label here, not the yes of a yes/no item; "Partly, mostly" labels
    # different options in two items.
    form, standards = edge_form(tmp_path)
    fill(form, {"door": "Yes", "tidy": "Partly, mostly", "warm": 7})
    done = run_cli("score", str(form), "--standards", str(standards), "-f", "json", "--no-cache")
    assert done.code == 0, done.stdout
    items = json.loads(done.stdout)["audits"][0]["items"]
    assert [(i["value"], i["score"]) for i in items] == [("full", 1.0), ("a", 1.0), (7, 0.7)]
    fill(form, {"door": "PARTLY,  mostly", "tidy": "B", "warm": 3})
    done = run_cli("score", str(form), "--standards", str(standards), "-f", "json", "--no-cache")
    items = json.loads(done.stdout)["audits"][0]["items"]
    assert [(i["value"], i["score"]) for i in items] == [("half", 0.5), ("b", 0.0), (3, 0.3)]
    fill(form, {"door": "maybe"})
    done = run_cli("score", str(form), "--standards", str(standards), "--no-cache")
    assert done.code == 1
    assert f"{form}:11:6 error invalid-value cell Audit!F11: 'maybe' is not an option of item 'door'" in done.stderr
    assert "(or the labels: Yes, Partly, mostly, No)" in done.stderr


def test_texts_starting_with_equals_stay_text_and_the_lists_are_locked(tmp_path: Path) -> None:
    form, _ = edge_form(tmp_path)
    wb = load_workbook(form)
    ws, meta = wb["Audit"], wb["qaudit"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=Edge, standard", "s")
    assert (ws["C11"].value, ws["C11"].data_type) == ("=Door opened promptly", "s")
    assert [meta.cell(r, 6).value for r in range(11, 22)] == list(range(11))  # scale steps are numbers
    assert meta.protection.sheet is True and wb.security.lockStructure is True
    formulas = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert formulas == {"F11": "qaudit!$D$11:$D$13", "F12": "qaudit!$E$11:$E$12", "F13": "qaudit!$F$11:$F$21"}


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(path)
    change(wb["Audit"])
    wb.save(path)


def test_array_formula_is_refused_at_its_cell(tmp_path: Path) -> None:
    from openpyxl.worksheet.formula import ArrayFormula

    form = make_form(tmp_path)
    fill(form, ANSWERS)
    _edit(form, lambda ws: setattr(ws["F13"], "value", ArrayFormula("F13", "=SUM({1,3})")))
    code, out = score_json(form)
    assert code == 1
    [problem] = out["errors"]
    assert (problem["line"], problem["column"], problem["rule"]) == (13, 6, "formula")


def test_an_answer_without_its_id_and_a_blank_answer_are_located(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, {**ANSWERS, "needs-identified": "   "})

    def change(ws) -> None:  # type: ignore[no-untyped-def]
        ws["A12"] = None  # the ID of addressed-by-name deleted, its answer left
        ws["G18"] = "a stray comment"

    _edit(form, change)
    code, out = score_json(form)
    assert code == 1
    found = [(p["line"], p["column"], p["rule"]) for p in out["errors"]]
    assert found == [(10, 1, "missing-response"), (12, 1, "missing-key"), (14, 6, "missing-response"),
                     (18, 1, "missing-key")]  # fmt: skip


def test_rows_inserted_above_the_table_and_a_bad_site(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, ANSWERS)
    moved = tmp_path / "moved.xlsx"
    shutil.copy(form, moved)
    _edit(moved, lambda ws: ws.insert_rows(3, 2))
    code, out = score_json(moved)
    assert code == 0, out["errors"]
    assert (out["audits"][0]["site"], out["audits"][0]["score"]) == ("yvn-01", 61.67)

    def change(ws) -> None:  # type: ignore[no-untyped-def]
        ws.insert_rows(3, 2)
        ws["B6"] = "../Yvn 01"  # the site, two rows lower now

    _edit(form, change)
    code, out = score_json(form)
    assert code == 1
    [problem] = out["errors"]
    assert (problem["line"], problem["column"], problem["rule"]) == (6, 2, "invalid-value")
    assert problem["message"].startswith("cell Audit!B6: the site '../Yvn 01' is not a site id")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--site", "YVN 01", "is not a site id"),
        ("--inspector", " ", "--inspector is empty"),
        ("--lang", "xx", "client-service-core@3 is written in en, lv"),
    ],
)
def test_form_refuses_options_that_make_an_unscorable_audit(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    args = {"--site": "yvn-01", "--inspector": "Anna", option: value}
    out = tmp_path / "f.xlsx"
    done = run_cli("form", "client-service-core", *[x for kv in args.items() for x in kv], "-o", str(out),
                  "--standards", str(STANDARDS))  # fmt: skip
    assert done.code == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_kill_at_the_comment_keeps_the_answer_and_a_comment_is_kept_on_enter(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("1/5")
    child.expect("> ")
    child.sendline("0")
    child.expect("Comment")
    child.sendline("on time")
    child.expect("2/5")
    child.expect("> ")
    child.sendline("jā")  # the Latvian yes of the chosen language
    child.expect("Comment")
    child.kill(9)  # before the comment is given
    child.wait()
    draft = (tmp_path / ".a.yaml.draft").read_text(encoding="utf-8")
    assert 'start-delay: {value: 0, comment: "on time"}' in draft
    assert "addressed-by-name: yes" in draft

    child = spawn(tmp_path)
    child.expect("Resuming: 2 of 5")
    child.expect("3/5")
    child.expect("> ")
    child.sendline("g start-delay")
    child.expect("1/5")
    child.expect(r"\[0\] > ")
    child.sendline("3")  # a new answer; the comment stays unless changed
    child.expect(r"Comment \[on time\] \(Enter to keep, - to clear\)")
    child.sendline("")
    child.expect("3/5")
    child.expect("> ")
    child.sendline("s")  # skip for now
    child.expect("4/5")
    child.expect("> ")
    child.sendline("Daļēji")  # an option by its label
    child.expect("Comment")
    child.sendline("")
    child.expect("5/5")
    child.expect("> ")
    child.sendline("nē")
    child.expect("Comment")
    child.sendline("")
    child.expect("3/5")  # back to the skipped item
    child.expect("> ")
    child.sendline("6")
    child.expect("outside the scale")
    child.expect("> ")
    child.sendline("5")
    child.expect("Comment")
    child.sendline("")
    child.expect(r"Score 60\.00")
    child.expect("Grade D — FAIL")
    child.expect("Critical failures: no-arguing")
    child.sendline("y")
    child.expect(pexpect.EOF)
    text = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert 'start-delay: {value: 3, comment: "on time"}' in text
    code, out = score_json(tmp_path / "a.yaml")
    assert code == 0
    audit = out["audits"][0]
    assert (audit["score"], audit["critical_failures"]) == (60.0, ["no-arguing"])
    assert [i["value"] for i in audit["items"]] == [3, True, 5, "partial", False]


def test_an_unreadable_or_foreign_draft_is_never_overwritten(tmp_path: Path) -> None:
    draft = tmp_path / ".a.yaml.draft"
    draft.write_text("responses: [\n", encoding="utf-8")
    child = spawn(tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert ".a.yaml.draft:2:1 error draft-unreadable" in child.before
    assert draft.read_text(encoding="utf-8") == "responses: [\n"

    other = SPEC_AUDIT.read_text(encoding="utf-8").replace("site: yvn-01", "site: tbs-02")
    draft.write_text(other, encoding="utf-8")
    child = spawn(tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "error draft-mismatch holds an unfinished audit with site 'tbs-02', not 'yvn-01'" in child.before
    assert draft.read_text(encoding="utf-8") == other


def test_run_needs_a_terminal_and_writes_under_audits_by_default(tmp_path: Path) -> None:
    done = run_cli(*RUN_ARGS[:-4], cwd=tmp_path)
    assert done.code == 2 and "stdin is not one" in done.stderr
    assert list(tmp_path.iterdir()) == []
    child = pexpect.spawn(RUN[0], RUN[1:-4], cwd=str(tmp_path), encoding="utf-8", timeout=30)
    for answer in ("0", "yes", "5", "full", "yes"):
        child.expect("> ")
        child.sendline(answer)
        child.expect("Comment")
        child.sendline("")
    child.expect("Critical failures: none")
    child.sendline("")
    child.expect(pexpect.EOF)
    code, out = score_json(tmp_path / "audits" / "yvn-01-2026-11-20.yaml")
    assert code == 0 and out["audits"][0]["score"] == 100.0
    assert os.listdir(tmp_path / "audits") == ["yvn-01-2026-11-20.yaml"]


def test_libreoffice_booleans_are_constants_other_formulas_are_not(tmp_path: Path) -> None:
    # LibreOffice saves a TRUE typed into a cell as the formula =TRUE().
    form = make_form(tmp_path)
    fill(form, {**ANSWERS, "addressed-by-name": "=TRUE()", "no-arguing": "=false()"})
    code, out = score_json(form)
    assert code == 0, out["errors"]
    assert [i["value"] for i in out["audits"][0]["items"]] == [7, True, 4, "partial", False]
    fill(form, {"no-arguing": "=NOT(TRUE())"})
    code, out = score_json(form)
    assert code == 1
    assert [(p["line"], p["column"], p["rule"]) for p in out["errors"]] == [(15, 6, "formula")]


@pytest.mark.office
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_again_by_libreoffice_scores_the_same(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, {**ANSWERS, "addressed-by-name": True}, {"greeting-warmth": "warm"})
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), str(form)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    code, out = score_json(form, tmp_path / "out" / "form.xlsx")
    assert code == 0, out["errors"]
    first, second = out["audits"]
    assert first["score"] == second["score"] == 61.67 and first["items"] == second["items"]


def test_control_characters_never_reach_an_audit_file(tmp_path: Path) -> None:
    # Cursor keys in a terminal without line editing, or a control character in a name, would
    # make a YAML audit file that the reader refuses (or a workbook that cannot be written).
    child = spawn(tmp_path)
    child.expect("> ")
    child.sendline("4")
    child.expect("Comment")
    child.sendline("late\x1b[D\x1b[C by\x07 4")
    child.expect("2/5")
    child.close(force=True)
    draft = (tmp_path / ".a.yaml.draft").read_text(encoding="utf-8")
    assert 'start-delay: {value: 4, comment: "late by 4"}' in draft

    form = make_form(tmp_path)
    fill(form, ANSWERS)
    wb = load_workbook(form)
    ws = wb["Audit"]
    ws["G11"] = "two\nlines and a\ttab"
    wb.save(form)
    out = tmp_path / "converted.yaml"
    done = run_cli("convert", str(form), "-o", str(out), "--standards", str(STANDARDS))
    assert done.code == 0, done.stderr
    assert 'start-delay: {value: 7, comment: "two\\nlines and a\\ttab"}' in out.read_text(encoding="utf-8")
    code, scored = score_json(out)
    assert code == 0 and scored["audits"][0]["score"] == 61.67
    done = run_cli("form", "client-service-core", "--site", "yvn-01", "--inspector", "An\x01na", "-o",
                  str(tmp_path / "ctl.xlsx"), "--standards", str(STANDARDS))  # fmt: skip
    assert done.code == 0, done.stderr
    assert load_workbook(tmp_path / "ctl.xlsx")["Audit"]["B5"].value == "Anna"


def test_a_kept_answer_that_no_longer_fits_is_asked_again_and_said(tmp_path: Path) -> None:
    draft = SPEC_AUDIT.read_text(encoding="utf-8").replace("greeting-warmth: 4", "greeting-warmth: 9")
    draft = draft.replace("inspector: Anna Petrosyan", "inspector: Anna")  # the visit of RUN
    (tmp_path / ".a.yaml.draft").write_text(draft, encoding="utf-8")
    child = spawn(tmp_path)
    child.expect("Resuming: 4 of 5")
    child.expect("no longer fit the standard and are asked again: greeting-warmth")
    child.expect("3/5")
    child.close(force=True)


def test_convert_writes_only_yaml(tmp_path: Path) -> None:
    form = make_form(tmp_path)
    fill(form, ANSWERS)
    done = run_cli("convert", str(form), "-o", str(tmp_path / "audit.xlsx"), "--standards", str(STANDARDS))
    assert done.code == 2 and "the audit must be a .yaml file" in done.stderr
    assert not (tmp_path / "audit.xlsx").exists()


def test_review_changes_an_item_by_number_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    for answer in ("0", "jā", "5", "full", "yes"):
        child.expect("> ")
        child.sendline(answer)
        child.expect("Comment")
        child.sendline("")
    child.expect(r"Score 100\.00")
    child.expect("Save this audit")
    child.sendline("g 99")
    child.expect(r"No such item; give its number \(1-5\) or its id")
    child.expect("Save this audit")
    child.sendline("g 4")
    child.expect("4/5")
    child.expect(r"\[full\] > ")
    child.sendline("3")  # option 3: none
    child.expect("Comment")
    child.sendline("")
    child.expect(r"Score 93\.33")
    child.expect("Grade A — PASS")
    child.sendline("y")
    child.expect(pexpect.EOF)
    code, out = score_json(tmp_path / "a.yaml")
    assert code == 0 and out["audits"][0]["score"] == 93.33


def test_run_refuses_an_output_folder_it_cannot_make_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    args = [*RUN[1:-4], "-o", "afile/r.yaml"]
    child = pexpect.spawn(RUN[0], args, cwd=str(tmp_path), encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "qaudit: error: -o afile/r.yaml: cannot make its folder" in child.before
    assert "1/5" not in child.before


def test_a_form_named_as_spreadsheets_are_named_gets_a_safe_id(tmp_path: Path) -> None:
    form = make_form(tmp_path, "Visit form (2).xlsx")
    fill(form, ANSWERS)
    code, out = score_json(form)
    assert code == 0, out["errors"]
    assert out["audits"][0]["id"] == "Visit-form-2"
    done = run_cli("convert", str(form), "--standards", str(STANDARDS))
    assert done.code == 0 and 'id: "Visit-form-2"' in done.stdout
