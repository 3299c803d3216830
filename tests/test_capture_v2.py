"""Capturing real (v2) checklists: blank audits, Forms v2 and the guided audit, each giving the audit the
same answers written in YAML give."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml
from conftest import cli_command, run_cli
from openpyxl import load_workbook

from qaudit.capture.blank import blank_audit
from qaudit.load.standards import load_standards

HERE = Path(__file__).parent
ROOT = HERE.parent
STANDARDS = ROOT / "standards"
GOLDEN = HERE / "golden" / "blank"
EXAMPLES = {
    "hotel-room-inspection": ROOT / "examples/audits/2026-11/bat-01-2026-11-04-rooms-floor-3.yaml",
    "mystery-shop": ROOT / "examples/audits/2026-11/yvn-03-2026-11-19-mystery-shop.yaml",
    "contact-centre-qa": ROOT / "examples/audits/2026-11/bud-03-2026-11-25-varga-bence-toth.yaml",
}
REPEATED = {
    "rooms": ["room-status", "bed-made"],
    "calls": ["call-date"],
}


def score(path: Path, standards: Path = STANDARDS) -> dict[str, Any]:
    done = run_cli("score", str(path), "--standards", str(standards), "-f", "json", "--no-cache")
    return json.loads(done.stdout)


def same_result(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["errors"] == [] and want["errors"] == [], (got["errors"], want["errors"])
    a, b = got["audits"][0], want["audits"][0]
    assert {k: v for k, v in a.items() if k not in ("id", "file")} == {
        k: v for k, v in b.items() if k not in ("id", "file")
    }


def is_instances(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict) and "instance" in value[0]


def reference(tmp_path: Path, standard: str) -> dict[str, Any]:
    """An example audit of ``standard`` with exactly two instances of each repeated section, as a YAML file."""
    audit = yaml.safe_load(EXAMPLES[standard].read_text(encoding="utf-8"))
    for key, value in audit["responses"].items():
        if is_instances(value):
            value = value[:2]
            if len(value) == 1:
                value.append({**copy.deepcopy(value[0]), "instance": value[0]["instance"] + "-b"})
            audit["responses"][key] = value
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(audit, allow_unicode=True, sort_keys=False), "utf-8")
    return audit


def cell_text(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "[]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def table(ws: Any) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows():
        names = [c.value for c in row]
        if "ID" in names and "Response" in names:
            return row[0].row, {n: names.index(n) + 1 for n in names if n}
    raise AssertionError("no table header")


def fill_form(form: Path, audit: dict[str, Any], standard_sections: dict[str, str]) -> None:
    """Fill a form through the columns of contract section 8: ID, Instance, Response, Comment, Evidence."""
    wb = load_workbook(form)
    ws = wb["Audit"]
    top, col = table(ws)
    seen: dict[str, int] = {}
    responses = audit["responses"]
    row = top + 1
    while ws.cell(row, col["ID"]).value:
        ident = ws.cell(row, col["ID"]).value
        answer = None
        if ident.startswith("field:"):
            value = (audit.get("fields") or {}).get(ident[6:])
            if value is not None:
                ws.cell(row, col["Response"]).value = cell_text(value)
        elif ident in ("audit:subject", "audit:comment"):
            value = audit.get(ident[6:])
            if value is not None:
                ws.cell(row, col["Response"]).value = value
        elif ident in standard_sections:
            n = seen[ident] = seen.get(ident, -1) + 1
            instances = responses.get(standard_sections[ident], [])
            if n < len(instances):
                ws.cell(row, col["Instance"]).value = instances[n]["instance"]
                answer = instances[n].get(ident)
        else:
            answer = responses.get(ident)
        if answer is not None:
            entry = answer if isinstance(answer, dict) else {"value": answer}
            ws.cell(row, col["Response"]).value = cell_text(entry["value"])
            if entry.get("comment"):
                ws.cell(row, col["Comment"]).value = entry["comment"]
            if entry.get("evidence"):
                ws.cell(row, col["Evidence"]).value = ", ".join(entry["evidence"])
        row += 1
    wb.save(form)


def repeated_items(standard: str) -> dict[str, str]:
    std = load_standards(str(STANDARDS)).get(standard)
    assert std is not None
    return {i.id: s.id for s in std.sections if s.repeat is not None for i in s.items}


def make_form(tmp_path: Path, audit: dict[str, Any], name: str = "form.xlsx", instances: int = 2) -> Path:
    out = tmp_path / name
    done = run_cli(
        "form", audit["standard"], "--site", audit["site"], "--inspector", audit["inspector"],
        "--date", str(audit["date"]), "--lang", audit.get("language") or "en", "--instances", str(instances),
        "-o", str(out), "--standards", str(STANDARDS),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    return out


@pytest.mark.parametrize("standard", sorted(EXAMPLES))
def test_a_blank_filled_by_a_program_scores_as_the_same_answers_by_hand(tmp_path: Path, standard: str) -> None:
    audit = reference(tmp_path, standard)
    done = run_cli(
        "new", standard, "--site", audit["site"], "--inspector", audit["inspector"], "--date", str(audit["date"]),
        "--lang", audit["language"], "--instances", "2", "--standards", str(STANDARDS),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert "schema: qaudit/audit@2" in done.stdout and "\nsubject:\n" in done.stdout
    blank = yaml.safe_load(done.stdout)
    assert all(len(v) == 2 for v in blank["responses"].values() if is_instances(v))
    assert all(v["instance"] == "" for v in blank["responses"].values() if is_instances(v) for v in v)
    for key, value in (audit.get("fields") or {}).items():
        blank["fields"][key] = value
    for key in ("subject", "comment"):
        if key in audit:
            blank[key] = audit[key]
    for key, value in audit["responses"].items():
        if is_instances(value):
            for index, instance in enumerate(value):
                blank["responses"][key][index].update(instance)
        else:
            assert key in blank["responses"]
            blank["responses"][key] = value
    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(blank, allow_unicode=True, sort_keys=False), "utf-8")
    same_result(score(filled), score(tmp_path / "hand.yaml"))


def test_a_v2_blank_marks_conditions_lists_and_fields() -> None:
    std = load_standards(str(STANDARDS)).get("mystery-shop")
    assert std is not None
    text = blank_audit(std, site="yvn-03", inspector="A", date=dt.date(2026, 11, 20), lang="en")
    assert "# only when 'dining-mode' is dine-in (otherwise leave it empty)\n  table-clean:\n" in text
    assert "== At the drive-thru == only when 'dining-mode' is drive-thru" in text
    assert "  extras-offered: []\n" in text and "[] for none" in text
    assert "  shopper:\n" in text and "text · required" in text
    assert "comment required on a finding" in text
    hotel = load_standards(str(STANDARDS)).get("hotel-room-inspection")
    assert hotel is not None
    text = blank_audit(hotel, site="bat-01", inspector="A", date=dt.date(2026, 11, 20), instances=3)
    assert text.count('    - instance: ""\n') == 3
    assert "inspection-type:" in text and "routine (Routine check)" in text


def test_v1_blanks_are_unchanged() -> None:
    for folder in (STANDARDS, HERE / "data" / "spec" / "standards"):
        for std in load_standards(str(folder)):
            if std.is_v2:
                continue
            for lang in [None, *(std.languages or [])[1:2]]:
                golden = GOLDEN / f"{std.id}@{std.version}-{lang or 'default'}.yaml"
                got = blank_audit(std, site="yvn-01", inspector="Anna Petrosyan", date=dt.date(2026, 11, 20), lang=lang)
                assert got == golden.read_text(encoding="utf-8"), golden.name


@pytest.mark.parametrize("standard", sorted(EXAMPLES))
def test_a_filled_form_scores_and_converts_as_the_same_answers_in_yaml(tmp_path: Path, standard: str) -> None:
    audit = reference(tmp_path, standard)
    form = make_form(tmp_path, audit)
    wb = load_workbook(form)
    ws = wb["Audit"]
    top, col = table(ws)
    assert all(name in col for name in ("ID", "Instance", "Response", "Comment", "Evidence"))
    ids = [ws.cell(r, col["ID"]).value for r in range(top + 1, ws.max_row + 1)]
    assert "audit:subject" in ids and "audit:comment" in ids
    assert all(f"field:{f}" in ids for f in audit.get("fields") or {})
    for item, count in ((i, ids.count(i)) for i in repeated_items(standard)):
        assert count == 2, item
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows is not None and str(top) in ws.print_title_rows
    assert all(ws.row_dimensions[r].height for r in range(top + 1, ws.max_row + 1))
    fill_form(form, audit, repeated_items(standard))
    hand = score(tmp_path / "hand.yaml")
    same_result(score(form), hand)
    converted = tmp_path / "converted.yaml"
    done = run_cli("convert", str(form), "-o", str(converted), "--standards", str(STANDARDS))
    assert done.code == 0, done.stderr
    same_result(score(converted), hand)


def hotel_form(tmp_path: Path, instances: int = 2) -> tuple[Path, dict[str, Any]]:
    audit = reference(tmp_path, "hotel-room-inspection")
    form = make_form(tmp_path, audit, instances=instances)
    fill_form(form, audit, repeated_items("hotel-room-inspection"))
    return form, audit


def set_cells(form: Path, changes: dict[tuple[str, int], Any], column: str = "Response") -> dict[tuple[str, int], str]:
    """Set the ``column`` cell of the n-th row of an item; returns the cells' names."""
    wb = load_workbook(form)
    ws = wb["Audit"]
    top, col = table(ws)
    found: dict[str, int] = {}
    names = {}
    for row in range(top + 1, ws.max_row + 1):
        ident = ws.cell(row, col["ID"]).value
        found[ident] = found.get(ident, 0) + 1
        if (ident, found[ident]) in changes:
            ws.cell(row, col[column]).value = changes[(ident, found[ident])]
            names[(ident, found[ident])] = f"{ws.cell(row, col[column]).column_letter}{row}"
    wb.save(form)
    return names


def test_multi_select_in_a_form_none_and_several(tmp_path: Path) -> None:
    form, _ = hotel_form(tmp_path)
    set_cells(form, {("amenities-present", 1): "[]", ("amenities-present", 2): "towels,  Spare toilet roll"})
    out = score(form)
    assert out["errors"] == []
    values = [i["value"] for i in out["audits"][0]["items"] if i["id"] == "amenities-present"]
    assert values == [[], ["towels", "toilet-paper"]]


def test_an_empty_instance_block_is_ignored(tmp_path: Path) -> None:
    form, _ = hotel_form(tmp_path, instances=3)
    same_result(score(form), score(tmp_path / "hand.yaml"))


def test_a_bad_multi_select_value_and_a_not_applicable_answer_are_located(tmp_path: Path) -> None:
    form, _ = hotel_form(tmp_path)
    cells = set_cells(form, {("amenities-present", 2): "towels, wter"})
    out = score(form)
    [problem] = out["errors"]
    cell = cells[("amenities-present", 2)]
    assert problem["rule"] == "invalid-value" and problem["message"].startswith(f"cell Audit!{cell}:")
    assert "'wter' is not an option" in problem["message"] and "water" in problem["message"]
    row, column = int(cell[1:]), ord(cell[0]) - 64
    assert (problem["line"], problem["column"]) == (row, column)
    text = run_cli("score", str(form), "--standards", str(STANDARDS), "--no-cache")
    assert f"{form}:{row}:{column} error invalid-value cell Audit!{cell}:" in text.stderr

    audit = reference(tmp_path, "mystery-shop")
    assert audit["responses"]["dining-mode"] != "dine-in"
    shop = make_form(tmp_path, audit, "shop.xlsx")
    fill_form(shop, audit, {})
    cells = set_cells(shop, {("table-clean", 1): "good"})
    out = score(shop)
    [problem] = out["errors"]
    assert problem["rule"] == "not-applicable"
    assert problem["message"].startswith(f"cell Audit!{cells[('table-clean', 1)]}: 'table-clean' does not apply")


ROOM_CHECK = """\
schema: qaudit/standard@2
id: room-check
version: 1
title: Room check
scoring: points
pass_score: 80
fields:
  - {id: floor, text: Floor, type: number, required: true}
  - {id: shift, text: Shift, type: choice, options: [{value: day}, {value: night}]}
sections:
  - id: arrival
    title: Arrival
    items:
      - {id: has-minibar, text: The rooms have a minibar, type: yes_no, scored: false}
      - {id: lobby-clean, text: Lobby clean, type: yes_no, require: {comment: findings}}
  - id: minibar
    title: Minibar
    when: {item: has-minibar, is: yes}
    items:
      - {id: minibar-priced, text: Minibar price list shown, type: yes_no}
  - id: rooms
    title: Rooms
    repeat: {min: 1, max: 3, label: Room}
    items:
      - {id: bed-made, text: Bed made, type: yes_no}
      - id: amenities
        text: Amenities present
        type: multi_choice
        options: [{value: towels, score: 1}, {value: soap, score: 1}, {value: water, score: 1}]
      - {id: damage-note, text: Describe the damage, type: text, when: {item: bed-made, is: no}}
"""


def test_a_guided_audit_with_a_skip_rooms_and_a_multi_select_survives_a_kill(tmp_path: Path) -> None:
    standards = tmp_path / "standards"
    standards.mkdir()
    (standards / "room-check.yaml").write_text(ROOM_CHECK, encoding="utf-8")
    # A real process, on a terminal.
    command = cli_command("run", "room-check", "--site", "yvn-01", "--inspector", "Anna", "--date",
                          "2026-11-20", "--standards", str(standards), "-o", "rc.yaml")  # fmt: skip
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "NO_COLOR": "1"}

    def spawn() -> pexpect.spawn:
        return pexpect.spawn(command[0], command[1:], cwd=str(tmp_path), timeout=30, env=env, encoding="utf-8")

    def answer(child: pexpect.spawn, expect: str, reply: str) -> None:
        child.expect(expect)
        child.sendline(reply)

    child = spawn()
    answer(child, "floor", "three")
    answer(child, "is not a number", "3")
    answer(child, r"2\) night", "2")
    answer(child, "Subject", "floor 3")
    answer(child, "has-minibar", "n")
    answer(child, "Comment", "")
    answer(child, "lobby-clean", "n")
    answer(child, r"Comment \(required on a finding\)", "")
    answer(child, "needs a comment", "dirty floor")
    child.expect("skipped the section 'Minibar': 'has-minibar' is no")
    answer(child, "Room 1: its label", "301")
    answer(child, "bed-made", "y")
    answer(child, "Comment", "")
    answer(child, r"0\) none", "1,3")
    answer(child, "Comment", "")
    child.expect("skipped 'damage-note': 'bed-made' is yes")
    answer(child, r"Another room\? \[y/N\]", "y")
    answer(child, "Room 2: its label", "302")
    answer(child, "Room 302.*bed-made", "n")
    answer(child, "Comment", "bad sheet")
    child.expect("Room 302.*amenities")
    child.expect("> ")
    child.kill(9)  # mid-room
    child.wait()
    draft = (tmp_path / ".rc.yaml.draft").read_text(encoding="utf-8")
    assert 'instance: "302"' in draft and 'bed-made: {value: no, comment: "bad sheet"}' in draft

    child = spawn()
    child.expect("Resuming: 8 of")
    answer(child, "Room 302.*amenities", "0")
    answer(child, "Comment", "")
    answer(child, "damage-note", "stain on the pillow")
    answer(child, "Comment", "")
    answer(child, r"Another room\? \[y/N\]", "n")
    answer(child, "Overall comment", "")
    child.expect("Findings: 4")
    child.expect(r"Score 33\.33")
    child.expect("Grade D — FAIL")
    answer(child, "Save this audit", "maybe")
    answer(child, "is not a reply here", "y")
    child.expect("Saved")
    child.expect(pexpect.EOF)
    out = score(tmp_path / "rc.yaml", standards)
    assert out["errors"] == []
    result = out["audits"][0]
    assert (result["score"], result["subject"], result["fields"]) == (33.33, "floor 3", {"floor": 3, "shift": "night"})
    rooms = [(i["instance"], i["id"], i["value"]) for i in result["items"] if i["instance"]]
    assert rooms == [
        ("301", "bed-made", True), ("301", "amenities", ["towels", "water"]), ("301", "damage-note", None),
        ("302", "bed-made", False), ("302", "amenities", []), ("302", "damage-note", "stain on the pillow"),
    ]  # fmt: skip
