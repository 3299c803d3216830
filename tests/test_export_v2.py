"""Export v2 (contract section 8) and the workbook on paper, read back with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from qaudit.render import export_csv, export_rows, workbook, workbook_layout
from qaudit.run.workspace import score_paths

STANDARD = """\
schema: qaudit/standard@2
id: room-visit
version: 1
title: Room visit
pass_score: 60
fields:
  - {id: inspection-type, text: Inspection type, type: choice, options: [{value: spot}, {value: full}]}
  - {id: visit-day, text: Visit day, type: date}
  - {id: guests, text: Guests, type: number}
  - {id: comment, text: Note for the file, type: text}
sections:
  - id: front
    title: Front desk
    items:
      - {id: greeted, text: Greeted warmly, type: yes_no}
      - {id: name-used, text: Guest addressed by name, type: yes_no, when: {item: greeted, is: "no"}}
      - id: extras
        text: Extras offered
        type: multi_choice
        options: [{value: dessert, score: 1}, {value: drink, score: 1}, {value: upsize, score: 1}]
  - id: rooms
    title: Rooms
    repeat: {min: 1, label: Room}
    items:
      - {id: bed-made, text: Bed made, type: yes_no, critical: true}
      - {id: bathroom-clean, text: Bathroom clean, type: yes_no}
"""

AUDIT = """\
schema: qaudit/audit@2
standard: room-visit
standard_version: 1
site: {id: hotel-1, name: Seaside Hotel, region: Coast}
inspector: Ann Smith
date: 2026-03-02
subject: Floor 4
comment: Good stay overall; housekeeping was late.
fields: {inspection-type: spot, visit-day: 2026-03-01, guests: 2, comment: "=1+1"}
responses:
  greeted: yes
  extras: [dessert, drink]
  rooms:
    - instance: "412"
      bed-made: yes
      bathroom-clean: {value: no, comment: Hair in the sink}
    - instance: "518"
      bed-made: no
      bathroom-clean: yes
"""

EARLIER = """\
schema: qaudit/audit@2
standard: room-visit
standard_version: 1
site: {id: hotel-1, name: Seaside Hotel, region: Coast}
inspector: Ann Smith
date: 2026-02-10
responses:
  greeted: no
  name-used: yes
  extras: []
  rooms:
    - instance: "101"
      bed-made: yes
      bathroom-clean: yes
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("v2")
    (root / "standards").mkdir()
    (root / "standards" / "room-visit.yaml").write_text(STANDARD, encoding="utf-8")
    (root / "audits").mkdir()
    (root / "audits" / "hotel-1-2026-03-02.yaml").write_text(AUDIT, encoding="utf-8")
    (root / "audits" / "hotel-1-2026-02-10.yaml").write_text(EARLIER, encoding="utf-8")
    done = score_paths([str(root / "audits")], str(root / "standards"), cache=False)
    assert not done.problems, done.problems
    return done


def book(run: Any, **options: Any) -> Any:
    return load_workbook(io.BytesIO(workbook.build_workbook(run.results, run.library, run.sites, **options)))


def table(ws: Any) -> list[dict[str, Any]]:
    """A table sheet's rows as {header: cell}."""
    header, *body = list(ws.iter_rows())
    return [{h.value: c for h, c in zip(header, row, strict=True)} for row in body]


@pytest.mark.parametrize("lang", [None, "hy", "ka"])
def test_new_columns_keep_their_names_in_every_language(run: Any, lang: str | None) -> None:
    wb = book(run, lang=lang)
    audits = [c.value for c in wb["Audits"][1]]
    for name in ("subject", "comment", "inspection-type", "visit-day", "guests"):
        assert audits.count(name) == 1, name
    # The field 'comment' cannot share the audit comment's header: it is written as forms write it.
    assert audits.count("field:comment") == 1
    assert audits.index("inspection-type") < audits.index("visit-day") < audits.index("guests")  # standard order
    items = [c.value for c in wb["Items"][1]]
    for name in ("instance", "applicable", "finding"):
        assert items.count(name) == 1, name
    # Site name and region beside the site on both sheets: a pivot by region needs no lookup.
    words = export_rows.words_for(lang)
    for header in (audits, items):
        assert header.index(words["site"]) + 1 == header.index(words["name"])
        assert header.index(words["name"]) + 1 == header.index(words["region"])


def test_audits_rows_carry_subject_fields_and_comment(run: Any) -> None:
    wb = book(run)
    rows = table(wb["Audits"])
    assert [r["Date"].value for r in rows] == [dt.datetime(2026, 2, 10), dt.datetime(2026, 3, 2)]
    earlier, latest = rows
    assert latest["subject"].value == "Floor 4" and earlier["subject"].value is None
    assert latest["comment"].value == "Good stay overall; housekeeping was late."
    assert latest["inspection-type"].value == "spot"
    assert latest["visit-day"].value == dt.datetime(2026, 3, 1) and latest["visit-day"].number_format == "yyyy-mm-dd"
    assert latest["guests"].value == 2
    note = latest["field:comment"]
    assert note.value == "=1+1" and note.data_type == "s" and note.quotePrefix  # text, never a formula
    assert latest["Name"].value == "Seaside Hotel" and latest["Region"].value == "Coast"
    assert latest["Result"].value == "FAIL" and earlier["Result"].value == "PASS"  # one spelling
    assert latest["Critical failures"].value == "bed-made" and earlier["Critical failures"].value is None
    assert latest["Score"].number_format == "0.00" and latest["Coverage"].number_format == "0.0%"
    assert latest["Rooms [rooms]"].value == 50 and latest["Rooms [rooms]"].number_format == "0.00"


def test_items_rows_carry_instances_applicability_multi_select_and_findings(run: Any) -> None:
    wb = book(run)
    rows = {(r["Audit"].value, r["Item"].value, r["instance"].value): r for r in table(wb["Items"])}
    latest = "hotel-1-2026-03-02"
    assert [key[1:] for key in rows if key[0] == latest] == [
        ("greeted", None),
        ("name-used", None),
        ("extras", None),
        ("bed-made", "412"),
        ("bathroom-clean", "412"),
        ("bed-made", "518"),
        ("bathroom-clean", "518"),
    ]  # standard order; a repeated section instance by instance
    extras = rows[(latest, "extras", None)]
    assert extras["Value"].value == "dessert, drink" and extras["Item score"].value == pytest.approx(2 / 3)
    assert extras["finding"].value == "yes" and extras["Item score"].number_format == "0.0%"
    skipped = rows[(latest, "name-used", None)]
    assert skipped["applicable"].value == "no" and skipped["Value"].value is None and skipped["finding"].value == "no"
    bathroom = rows[(latest, "bathroom-clean", "412")]
    assert bathroom["finding"].value == "yes" and bathroom["Comment"].value == "Hair in the sink"
    assert rows[(latest, "bathroom-clean", "518")]["finding"].value == "no"
    failed = rows[(latest, "bed-made", "518")]
    assert failed["finding"].value == "yes" and failed["Critical"].value == "yes"
    assert failed["Item"].fill.fgColor.rgb.endswith("F4C7C3")  # a failed critical item is red
    assert rows[("hotel-1-2026-02-10", "extras", None)]["Value"].value == "[]"  # nothing selected
    assert rows[("hotel-1-2026-02-10", "name-used", None)]["applicable"].value == "yes"
    for row in rows.values():
        assert row["Name"].value == "Seaside Hotel" and row["Region"].value == "Coast"
        assert row["Date"].is_date and row["Date"].number_format == "yyyy-mm-dd"


def test_actions_name_the_subject_and_instance(run: Any) -> None:
    rows = table(book(run)["Actions"])
    found = {(r["Item"].value, r["subject"].value, r["instance"].value) for r in rows}
    assert found == {
        ("extras", "Floor 4", None),
        ("bathroom-clean", "Floor 4", "412"),
        ("bed-made", "Floor 4", "518"),
    }
    assert all(r["Item score"].number_format == "0.0%" for r in rows)


def test_csv_set_has_the_same_columns(run: Any) -> None:
    files = export_csv.build_csv(run.results, run.library, run.sites)
    audits = list(csv.DictReader(io.StringIO(files["audits.csv"])))
    assert audits[1]["subject"] == "Floor 4" and audits[1]["comment"].startswith("Good stay")
    assert audits[1]["visit-day"] == "2026-03-01" and audits[1]["guests"] == "2"
    assert audits[1]["field:comment"] == "'=1+1"  # neutralised
    assert audits[1]["Name"] == "Seaside Hotel" and audits[1]["Region"] == "Coast" and audits[1]["rooms"] == "50.0"
    items = list(csv.DictReader(io.StringIO(files["items.csv"])))
    room = [r for r in items if r["instance"] == "412" and r["Item"] == "bathroom-clean"]
    assert [(r["applicable"], r["finding"], r["Region"]) for r in room] == [("yes", "yes", "Coast")]
    assert {r["applicable"] for r in items if r["Item"] == "name-used"} == {"yes", "no"}
    xlsx = [c.value for c in book(run)["Items"][1]]
    assert list(items[0]) == xlsx


def test_every_sheet_prints_fitted_to_the_page_width(run: Any) -> None:
    wb = book(run, per_site=True)
    assert wb.sheetnames == ["Summary", "Audits", "Items", "Actions", "Trend", "hotel-1"]
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.orientation == ("portrait" if ws.title == "hotel-1" else "landscape"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_area, ws.title
        if ws.title != "hotel-1":
            assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2", ws.title


def test_months_are_dates_and_every_cell_has_a_font(run: Any) -> None:
    wb = book(run, per_site=True, lang="hy")
    months = [c for c in wb["Trend"]["A"][1:]]
    assert [c.value for c in months] == [dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1)]
    assert all(c.is_date and c.number_format == "yyyy-mm" for c in months)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:  # headers included: LibreOffice would otherwise fall back to a serif
                    assert c.font.name == workbook_layout.FONT, f"{ws.title}!{c.coordinate}"
    header = wb["Summary"]["A1"]
    assert header.font.name == workbook_layout.FONT and header.font.b
    # One spelling of a result in every sheet (upper case, as the terminal shows it).
    results = {r["Արդյունք"].value for name in ("Summary", "Audits") for r in table(wb[name])}
    assert results == {"ԱՆՑԱՎ", "ՉԱՆՑԱՎ"}
    assert wb["hotel-1"]["B4"].value == "ՉԱՆՑԱՎ"


def test_table_headers_stay_unique_ignoring_case() -> None:
    names = ["Site", "Name", "subject", "comment", "site", "Comment"]
    assert export_rows._unique(names, {2, 3, 4}) == ["Site (2)", "Name", "subject", "comment", "site", "Comment (2)"]


def test_a_long_export_rolls_over_and_keeps_every_row(run: Any, tmp_path: Path) -> None:
    data = workbook.build_workbook(run.results, run.library, run.sites, max_rows=5)
    wb = load_workbook(io.BytesIO(data))
    sheets = [n for n in wb.sheetnames if n.startswith("Items")]
    assert sheets == ["Items", "Items 2", "Items 3"]  # four rows each under the header
    assert sum(wb[n].max_row - 1 for n in sheets) == 7 + 5
    for name in sheets:
        assert [c.value for c in wb[name][1]] == [c.value for c in wb["Items"][1]]
        assert len(wb[name].tables) == 1 and wb[name].print_title_rows == "$1:$1"
