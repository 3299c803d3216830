"""The Excel export, read back with openpyxl and opened by LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, run_cli
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from qaudit.load.registry import load_sites
from qaudit.render import workbook
from qaudit.run.workspace import score_paths

HERE = Path(__file__).parent
DATA = HERE / "data" / "report"
STANDARDS = HERE / "data" / "spec" / "standards"


def export(out: Path, *args: str) -> Result:
    """Export the report data's audits to ``out``."""
    return run_cli(
        "export",
        str(DATA / "audits"),
        "--out",
        str(out),
        "--standards",
        str(STANDARDS),
        "--sites",
        str(DATA / "sites.yaml"),
        "--no-cache",
        *args,
    )


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "scorecards.xlsx"
    done = export(out, "--per-site")
    assert done.code == 0, done.stderr
    return out


def rows(path: Path, sheet: str) -> list[list[object]]:
    wb = load_workbook(path)
    return [[c.value for c in row] for row in wb[sheet].iter_rows()]


def records(path: Path | bytes, sheet: str) -> list[dict[str, object]]:
    """The rows of a table sheet as {header: value}."""
    wb = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path)
    header, *body = [[c.value for c in row] for row in wb[sheet].iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in body]


def width(ws: Any, letter: str) -> float:
    """A column's width, also when the file gives it for a range of columns (openpyxl files it under the first)."""
    index = column_index_from_string(letter)
    for dimension in ws.column_dimensions.values():
        if dimension.min is not None and dimension.min <= index <= dimension.max:
            return float(dimension.width)
    return float(ws.column_dimensions[letter].width)


def letter_of(ws: Any, header: str) -> str:
    """The column letter of a header cell of row 1."""
    return next(c.column_letter for c in ws[1] if c.value == header)


def test_sheets_and_row_counts(book: Path) -> None:
    wb = load_workbook(book)
    assert wb.sheetnames[:5] == ["Summary", "Audits", "Items", "Actions", "Trend"]
    assert wb.sheetnames[5:] == ["rix-01", "yvn-01"]  # --per-site
    summary = rows(book, "Summary")
    assert summary[0] == [
        "Site",
        "Name",
        "Region",
        "Latest audit",
        "Score",
        "Grade",
        "Result",
        "Change",
        "Audits",
        "Critical failures",
    ]
    assert [r[0] for r in summary[1:]] == ["rix-01", "yvn-01"]
    assert summary[2][1:] == [
        "Yerevan <Abovyan> 12",
        "Caucasus",
        dt.datetime(2026, 11, 20),
        8.33,
        "D",
        "FAIL",
        -36.67,
        3,
        "no-arguing",
    ]
    assert len(rows(book, "Audits")) == 1 + 4
    assert len(rows(book, "Items")) == 1 + 4 * 5


def test_actions_sheet_lists_the_open_corrective_actions(book: Path) -> None:
    actions = rows(book, "Actions")
    assert actions[0][:5] == ["Site", "subject", "Item", "instance", "Item text"]
    # yvn-01's latest audit: start-delay (12 min → 0), addressed-by-name (no), greeting 4 (0.75),
    # needs partial (0.5), no-arguing (no, critical: due in 2 days).
    got = {(r["Site"], r["Item"]): (r["Item score"], r["Critical"], r["Due"]) for r in records(book, "Actions")}
    assert got[("yvn-01", "no-arguing")] == (0, "yes", dt.datetime(2026, 11, 22))
    assert got[("yvn-01", "greeting-warmth")] == (0.75, "no", dt.datetime(2026, 12, 4))
    assert {site for site, _ in got} == {"rix-01", "yvn-01"} and len(got) == 5 + 1


def test_types_formats_tables_and_charts(book: Path) -> None:
    wb = load_workbook(book)
    summary, audits, items = wb["Summary"], wb["Audits"], wb["Items"]
    assert summary["D3"].is_date and summary["D3"].number_format == "yyyy-mm-dd"
    assert isinstance(summary["E3"].value, float) and summary["E3"].number_format == "0.00"  # scores: 2 decimals
    assert audits[f"{letter_of(audits, 'Coverage')}2"].number_format == "0.0%"
    assert audits[f"{letter_of(audits, 'Score')}2"].number_format == "0.00"
    assert items[f"{letter_of(items, 'Item score')}2"].number_format == "0.0%"  # a share, as a percentage
    for ws in (summary, audits, items):
        assert ws.freeze_panes == "A2"
        assert len(ws.tables) == 1
        table = next(iter(ws.tables.values()))
        assert table.autoFilter is not None and table.ref.startswith("A1:")
    assert summary.conditional_formatting and audits.conditional_formatting
    assert len(summary._charts) == 1 and len(wb["Trend"]._charts) == 1
    assert width(summary, "B") >= 20


def test_failed_critical_item_is_red_and_user_text_is_never_a_formula(book: Path) -> None:
    wb = load_workbook(book)
    items = wb["Items"]
    for row in items.iter_rows(min_row=2):
        values = {items.cell(1, c.column).value: c for c in row}
        if values["Item"].value == "no-arguing" and values["Value"].value == "no":
            assert values["Item"].fill.fgColor.rgb.endswith("F4C7C3")
        comment = values["Comment"]
        if isinstance(comment.value, str) and comment.value.startswith("="):
            assert comment.data_type == "s"
    found = [c for row in items.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert found and all(c.data_type == "s" for c in found)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"


def test_headers_follow_lang(tmp_path: Path) -> None:
    out = tmp_path / "lv.xlsx"
    assert export(out, "--lang", "lv").code == 0
    assert rows(out, "Summary")[0][:3] == ["Objekts", "Nosaukums", "Reģions"]
    assert records(out, "Items")[0]["Punkta teksts"] == "Kavētās minūtes pakalpojuma sākumā"


def test_items_continue_on_further_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = score_paths([str(DATA / "audits")], str(STANDARDS), sites=str(DATA / "sites.yaml"), cache=False)
    data = workbook.build_workbook(run.results, run.library, load_sites(str(DATA / "sites.yaml")), max_rows=8)
    wb = load_workbook(io.BytesIO(data))
    sheets = [n for n in wb.sheetnames if n.startswith("Items")]
    assert sheets == ["Items", "Items 2", "Items 3"]
    assert sum(wb[n].max_row - 1 for n in sheets) == 20
    assert all(wb[n].max_row <= 8 for n in sheets)
    notes = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Items continue on sheets: Items, Items 2, Items 3" in notes


def test_sheet_names_are_short_unique_and_legal() -> None:
    taken: set[str] = {"summary"}
    names = [workbook._sheet_name(n, taken) for n in ["a" * 40, "a" * 40, "x:y/z", "Summary"]]
    assert names == ["a" * 31, "a" * 27 + " (2)", "x_y_z", "Summary (2)"]
    assert all(len(n) <= 31 for n in names)


def test_csv_format(tmp_path: Path) -> None:
    done = export(tmp_path / "csv", "--format", "csv")
    assert done.code == 0, done.stderr
    items = list(csv.reader((tmp_path / "csv" / "items.csv").open(encoding="utf-8")))
    assert len(items) == 21
    comments = [r[-1] for r in items if "HYPERLINK" in r[-1]]
    assert comments == ['\'=HYPERLINK("http://evil")']
    assert len(list(csv.reader((tmp_path / "csv" / "summary.csv").open(encoding="utf-8")))) == 3


def test_failed_export_leaves_the_old_workbook(tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    assert export(out).code == 0
    before = out.read_bytes()
    done = run_cli("export", str(tmp_path / "no-audits-here"), "--out", str(out), "--standards", str(STANDARDS))
    assert done.code == 2 and out.read_bytes() == before


@pytest.mark.office
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_libreoffice_opens_and_converts_the_workbook(book: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # UTF-8
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "scorecards.csv").read_text(encoding="utf-8")  # the first sheet: Summary
    assert "rix-01" in text and "yvn-01" in text and "Yerevan <Abovyan> 12" in text
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0 and (tmp_path / "scorecards.pdf").read_bytes().startswith(b"%PDF")


HOSTILE_STANDARD = """\
schema: qaudit/standard@1
id: hostile
version: 1
title: "=Hostile standard"
grades:
  - {grade: "+A", min: 90}
  - {grade: "-B", min: 50}
  - {grade: "@D", min: 0}
sections:
  - id: s1
    title: "=SUM(1,2)"
    items:
      - id: eq
        text: "=1+1"
        type: yes_no
        critical: true
      - id: plus
        text: "+1+1"
        type: choice
        options:
          - {value: "=cmd|' /C calc'!A0", score: 1}
          - {value: "-2", score: 0}
  - id: s2
    title: "@SUM(1)"
    items:
      - id: at
        text: "@SUM(A1) and a long item text that has to wrap over several lines on a scorecard sheet"
        type: number
        bands: [{max: 0, score: 1}, {score: 0}]
      - id: tab
        text: "\\t=1+2"
        type: yes_no
      - id: cr
        text: "\\r=1+3"
        type: yes_no
"""

HOSTILE_AUDIT = """\
schema: qaudit/audit@1
standard: hostile
standard_version: 1
site: {{id: {site}, name: "=HYPERLINK(\\"http://evil\\",\\"x\\")", region: "+region"}}
inspector: "@inspector"
date: {date}
responses:
  eq: {{value: no, comment: "=HYPERLINK(\\"http://evil\\")"}}
  plus: {{value: "=cmd|' /C calc'!A0", comment: "+plus"}}
  at: {{value: 3, comment: "-minus"}}
  tab: {{value: yes, comment: "\\t=tab"}}
  cr: {{value: no, comment: "\\r=cr in the middle\\rof a comment"}}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose every user text starts like a formula; one site is called 'history'."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "standards").mkdir()
    (root / "standards" / "hostile.yaml").write_text(HOSTILE_STANDARD, encoding="utf-8")
    (root / "audits").mkdir()
    for site, date in [("history", "2026-01-05"), ("history", "2026-02-05"), ("site-b", "2026-03-01")]:
        text = HOSTILE_AUDIT.format(site=site, date=date)
        (root / "audits" / f"{site}-{date}.yaml").write_text(text, encoding="utf-8")
    return root


def export_hostile(root: Path, out: Path, *args: str) -> Result:
    """Export the hostile workspace's audits to ``out``, from its folder."""
    command = ["export", str(root / "audits"), "--out", str(out)]
    return run_cli(*command, "--standards", str(root / "standards"), "--no-cache", *args, cwd=root)


def test_no_user_text_becomes_a_formula_on_any_sheet(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "hostile.xlsx"
    done = export_hostile(hostile, out, "--per-site")
    assert done.code == 0, done.stderr
    wb = load_workbook(out)
    # 'History' is a name Excel reserves: the site's scorecard sheet takes another one.
    assert wb.sheetnames == ["Summary", "Audits", "Items", "Actions", "Trend", "history (2)", "site-b"]
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} {c.value!r} is a formula"
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t")):
                    assert c.data_type == "s" and c.quotePrefix, f"{ws.title}!{c.coordinate} {c.value!r}"
                    risky.append((ws.title, c.value))
    site = wb["history (2)"]
    assert site["A8"].value == "=SUM(1,2)" and site["A9"].value == "@SUM(1)"  # section titles of the scorecard
    assert site["D3"].value == "@D" and wb["Summary"]["F2"].value == "@D"  # grades
    assert ("Items", "=cmd|' /C calc'!A0") in risky and ("Audits", "@inspector") in risky
    assert ("Summary", '=HYPERLINK("http://evil","x")') in risky and ("Summary", "+region") in risky
    assert ("Audits", "=SUM(1,2) [s1]") in risky  # a section title in a header


def test_charts_label_their_categories_and_show_their_axes(book: Path) -> None:
    wb = load_workbook(book)
    (bars,) = wb["Summary"]._charts
    (series,) = bars.series
    # Text categories: a numeric reference would show 1, 2, 3 instead of the site ids.
    assert series.cat.strRef.f.replace("'", "") == "Summary!$A$2:$A$3" and series.cat.numRef is None
    assert [p.v for p in series.cat.strRef.strCache.pt] == ["rix-01", "yvn-01"]
    assert series.val.numRef.f.replace("'", "") == "Summary!$E$2:$E$3"
    assert not bars.x_axis.delete and not bars.y_axis.delete  # both axes drawn
    assert bars.x_axis.scaling.orientation == "maxMin"  # the first site on top, as in the table
    assert bars.anchor._from.row >= 3  # below the table, so that both print on one page
    (line,) = wb["Trend"]._charts
    # Months are dates (the first of the month), on a date axis labelled yyyy-mm.
    assert line.series[0].cat.numRef.f.replace("'", "") == "Trend!$A$2:$A$4"
    assert line.x_axis.number_format.formatCode == "yyyy-mm"
    assert not line.series[0].smooth and line.series[0].marker.symbol == "circle"
    months = wb["Trend"]["A"]
    assert [c.value for c in months] == ["Month"] + [dt.datetime(2026, m, 1) for m in (9, 10, 11)]
    assert all(c.is_date and c.number_format == "yyyy-mm" for c in months[1:])
    # The portfolio's mean score by month: September 100, October 45, November (96.67 + 8.33) / 2.
    assert [c.value for c in wb["Trend"]["B"][1:]] == [100, 45, 52.5]
    assert wb["Trend"].tables["Trend"].ref == "A1:C4"


def test_columns_fit_their_header_and_content_in_every_language(tmp_path: Path) -> None:
    out = tmp_path / "hy.xlsx"
    assert export(out, "--lang", "hy").code == 0
    wb = load_workbook(out)
    for name in ("Summary", "Audits", "Items", "Actions", "Trend"):
        ws = wb[name]
        for c in ws[1]:
            got = width(ws, c.column_letter)
            assert got >= min(len(c.value) + 2, 18), f"{name}!{c.coordinate} {c.value!r} in {got}"
    items = wb["Items"]
    text, comment = letter_of(items, "Կետի տեքստ"), letter_of(items, "Մեկնաբանություն")
    assert int(width(items, text)) == len("Minutes late at the agreed start of service") + 2
    assert width(items, comment) >= len("Argued about the bill & refused a refund") + 2
    assert items[f"{letter_of(items, 'Կետի միավոր')}2"].number_format == "0.0%"
    assert items[f"{letter_of(items, 'Ամսաթիվ')}2"].number_format == "yyyy-mm-dd"


def test_sheets_print_on_a4_with_the_header_on_every_page(book: Path) -> None:
    wb = load_workbook(book)
    for ws in wb.worksheets:
        table = ws.title in ("Summary", "Audits", "Items", "Actions", "Trend")
        assert ws.page_setup.orientation == ("landscape" if table else "portrait"), ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        # Fitted to one page wide (fitToWidth 1 is the file format's default), as many pages long as needed.
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows == ("$1:$1" if table else None), ws.title
        assert ws.print_area and ws.print_area.replace("'", "").startswith(f"{ws.title}!$A$1:"), ws.title
    assert wb["Items"].print_area.endswith(f"${wb['Items'].max_row}")
    audits = wb["Audits"]
    assert audits.print_area.endswith(f"${letter_of(audits, 'comment')}${audits.max_row}")  # the audits' own columns
    assert wb["Summary"].print_area.endswith("$J$20")  # the table and the chart below it (rows 5 to 19)


def test_site_scorecard_rows_are_tall_enough_for_wrapped_texts(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "hostile.xlsx"
    assert export_hostile(hostile, out, "--per-site").code == 0
    ws = load_workbook(out)["site-b"]
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    long_row = rows["@SUM(A1) and a long item text that has to wrap over several lines on a scorecard sheet"]
    assert ws.cell(long_row, 1).alignment.wrap_text
    assert ws.row_dimensions[long_row].height == 30  # two lines of 15 points
    failed = ws.cell(rows["=1+1"], 1)
    assert failed.fill.fgColor.rgb.endswith("F4C7C3")  # the failed critical item
    assert ws["B5"].value == "=1+1" and ws["B5"].data_type == "s"  # critical failures by their text


def test_csv_keeps_every_row_whole_and_neutralises_every_text(hostile: Path, tmp_path: Path) -> None:
    done = export_hostile(hostile, tmp_path / "csv", "--format", "csv")
    assert done.code == 0, done.stderr
    items = list(csv.reader((tmp_path / "csv" / "items.csv").open(encoding="utf-8", newline="")))
    header = items[0]
    assert len(items) == 1 + 3 * 5 and {len(r) for r in items} == {18}  # a CR in a comment splits no row
    item, text, value, comment = (header.index(k) for k in ("Item", "Item text", "Value", "Comment"))
    cr = [r for r in items if r[item] == "cr"]
    assert [r[text] for r in cr] == ["'\n=1+3"] * 3
    assert [r[comment] for r in cr] == ["'\n=cr in the middle\nof a comment"] * 3
    assert {r[value] for r in items if r[item] == "plus"} == {"'=cmd|' /C calc'!A0"}
    summary = list(csv.reader((tmp_path / "csv" / "summary.csv").open(encoding="utf-8", newline="")))
    assert summary[1] == ["history", '\'=HYPERLINK("http://evil","x")', "'+region", "2026-02-05", "41.67", "'@D",
                          "FAIL", "0.0", "2", "eq"]  # fmt: skip
    audits = list(csv.reader((tmp_path / "csv" / "audits.csv").open(encoding="utf-8", newline="")))
    row = dict(zip(audits[0], audits[1], strict=True))
    assert row["Inspector"] == "'@inspector" and row["Grade"] == "'@D" and row["Name"].startswith("'=HYPERLINK")


def test_section_columns_belong_to_the_standards_audited(hostile: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(hostile, root)
    # Another standard with a section 's1' of its own, and a standard nobody audited.
    other = HOSTILE_STANDARD.replace("id: hostile", "id: other").replace('"=SUM(1,2)"', "Other first")
    (root / "standards" / "other.yaml").write_text(other, encoding="utf-8")
    unused = HOSTILE_STANDARD.replace("id: hostile", "id: unused").replace("id: s2", "id: never-audited")
    (root / "standards" / "unused.yaml").write_text(unused, encoding="utf-8")
    audit = HOSTILE_AUDIT.format(site="site-c", date="2026-04-01").replace("standard: hostile", "standard: other")
    (root / "audits" / "site-c.yaml").write_text(audit.replace("eq: {value: no", "eq: {value: yes"), encoding="utf-8")
    out = tmp_path / "book.xlsx"
    assert export_hostile(root, out).code == 0
    audits = rows(out, "Audits")
    first = audits[0].index("comment") + 1  # the standards have no header fields: sections follow
    assert audits[0][first:] == [
        "=SUM(1,2) [hostile/s1]",
        "@SUM(1) [hostile/s2]",
        "Other first [other/s1]",
        "@SUM(1) [other/s2]",
    ]
    by_site = {r[0]: r[first:] for r in audits[1:]}
    assert by_site["site-b"] == [50.0, 33.33, None, None]
    assert by_site["site-c"] == [None, None, 100.0, 33.33]
    done = export_hostile(root, tmp_path / "csv", "--format", "csv")
    assert done.code == 0
    header = (tmp_path / "csv" / "audits.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("Audit,comment,hostile/s1,hostile/s2,other/s1,other/s2")


def test_follow_up_tables_keep_rows_whole_and_user_text_as_text() -> None:
    from qaudit.render.row_files import rows_csv, rows_xlsx

    rows = [{"site": "yvn-01", "comment": "@SUM(A1)\rsecond line", "score": -0.5}, {"site": "rix-01", "comment": "+1"}]
    text = rows_csv(rows, ["site", "comment", "score"])
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [["site", "comment", "score"], ["yvn-01", "'@SUM(A1)\nsecond line", "-0.5"], ["rix-01", "'+1", ""]]
    ws = load_workbook(io.BytesIO(rows_xlsx(rows, ["site", "comment", "score"], "Actions")))["Actions"]
    assert ws["B2"].value == "@SUM(A1)\nsecond line" or ws["B2"].value == "@SUM(A1)\rsecond line"
    assert ws["B2"].data_type == "s" and ws["B2"].quotePrefix and ws["B3"].quotePrefix
    assert ws["C2"].value == -0.5 and ws["C2"].data_type == "n"


@pytest.mark.parametrize(
    ("out", "args", "message"),
    [
        ("folder.xlsx", [], "--out {d}/folder.xlsx: this is a folder; give the workbook's file name, e.g. "
         "{d}/folder.xlsx/scorecards.xlsx"),
        ("file.txt/book.xlsx", [], "--out {d}/file.txt/book.xlsx: {d}/file.txt is a file, not a folder"),
        ("file.txt/a/b/book.xlsx", [], "--out {d}/file.txt/a/b/book.xlsx: {d}/file.txt is a file, not a folder"),
        ("file.txt", ["--format", "csv"], "--out {d}/file.txt: this is a file; --format csv writes summary.csv, "
         "audits.csv and items.csv into a folder"),
        ("book.xls", [], "--out {d}/book.xls: the workbook must be an .xlsx file (or use --format csv)"),
    ],
)  # fmt: skip
def test_an_output_that_cannot_be_written_is_refused_in_one_line(
    tmp_path: Path, out: str, args: list[str], message: str
) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "file.txt").write_text("keep me", encoding="utf-8")
    done = export(tmp_path / out, *args)
    assert done.code == 2
    assert done.stderr == f"qaudit: error: {message.format(d=tmp_path)}\n"
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder.xlsx"]


def test_a_failed_write_leaves_the_previous_workbook_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"the previous workbook")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", full_disk)
    args = ["export", str(DATA / "audits"), "--out", str(out), "--standards", str(STANDARDS), "--no-cache"]
    done = run_cli(*args)
    assert done.code == 2, done.stderr
    assert f"qaudit: error: cannot write {out}: No space left on device;" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert out.read_bytes() == b"the previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_summary_takes_the_latest_audit_whatever_order_the_results_come_in() -> None:
    run = score_paths([str(DATA / "audits")], str(STANDARDS), sites=str(DATA / "sites.yaml"), cache=False)
    shuffled = sorted(run.results, key=lambda r: r.date, reverse=True)
    data = workbook.build_workbook(shuffled, run.library, load_sites(str(DATA / "sites.yaml")))
    summary = [[c.value for c in row] for row in load_workbook(io.BytesIO(data))["Summary"].iter_rows(min_row=2)]
    assert [(r[0], r[3], r[4], r[7], r[8]) for r in summary] == [
        ("rix-01", dt.datetime(2026, 11, 2), 96.67, None, 1),
        ("yvn-01", dt.datetime(2026, 11, 20), 8.33, -36.67, 3),
    ]
