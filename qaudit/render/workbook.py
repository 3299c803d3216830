"""The Excel export: Summary, Audits, Items (and optional per-site sheets).

Written with openpyxl's write-only mode, so memory stays flat however many
audits there are: results are read once, in order, and every row is streamed
to its sheet. Text that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is stored as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..history import light, visit_change, visits_of
from ..model import Standard
from ..registry import SiteRegistry
from ..resultset import ResultSet
from ..scoring import AuditResult
from ..standards import StandardLibrary
from .results import UNSAFE_START

MAX_ROWS = 1_048_576
"""Rows in one Excel sheet, header included."""

SUMMARY_KEYS = (
    "site",
    "name",
    "region",
    "last_date",
    "score",
    "grade",
    "result",
    "change",
    "audits",
    "critical_failures",
)
"""Columns of the Summary table (one row per site), as keys of :data:`HEADERS`."""
AUDIT_KEYS = (
    "site",
    "date",
    "inspector",
    "standard",
    "version",
    "score",
    "raw_score",
    "coverage",
    "grade",
    "result",
    "critical_failures",
    "audit",
)
"""Columns of the Audits table (then one column per section)."""
ITEM_KEYS = (
    "audit",
    "site",
    "date",
    "standard",
    "section",
    "item",
    "text",
    "value",
    "na",
    "item_score",
    "weight",
    "critical",
    "comment",
)
"""Columns of the Items table (one row per audit item)."""

HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "due": "Due",
        "overdue": "Overdue",
        "owner": "Owner",
        "site": "Site",
        "name": "Name",
        "region": "Region",
        "last_date": "Latest audit",
        "score": "Score",
        "grade": "Grade",
        "result": "Result",
        "change": "Change",
        "audits": "Audits",
        "critical_failures": "Critical failures",
        "date": "Date",
        "inspector": "Inspector",
        "standard": "Standard",
        "version": "Version",
        "raw_score": "Raw score",
        "coverage": "Coverage",
        "audit": "Audit",
        "section": "Section",
        "item": "Item",
        "text": "Item text",
        "value": "Value",
        "na": "N/A",
        "item_score": "Item score",
        "weight": "Weight",
        "critical": "Critical",
        "comment": "Comment",
        "pass": "pass",
        "fail": "FAIL",
        "month": "Month",
        "mean_score": "Mean score",
        "chart_latest": "Latest score by site",
        "chart_trend": "Mean score by month",
        "continued": "Items continue on sheets: {sheets}",
        "yes": "yes",
        "no": "no",
    },
    "hy": {
        "due": "Ժամկետ",
        "overdue": "Ուշացած",
        "owner": "Պատասխանատու",
        "site": "Օբյեկտ",
        "name": "Անվանում",
        "region": "Տարածաշրջան",
        "last_date": "Վերջին աուդիտ",
        "score": "Միավոր",
        "grade": "Գնահատական",
        "result": "Արդյունք",
        "change": "Փոփոխություն",
        "audits": "Աուդիտներ",
        "critical_failures": "Կրիտիկական խախտումներ",
        "date": "Ամսաթիվ",
        "inspector": "Տեսուչ",
        "standard": "Ստանդարտ",
        "version": "Տարբերակ",
        "raw_score": "Սկզբնական միավոր",
        "coverage": "Ընդգրկում",
        "audit": "Աուդիտ",
        "section": "Բաժին",
        "item": "Կետ",
        "text": "Կետի տեքստ",
        "value": "Արժեք",
        "na": "Չի վերաբերում",
        "item_score": "Կետի միավոր",
        "weight": "Կշիռ",
        "critical": "Կրիտիկական",
        "comment": "Մեկնաբանություն",
        "pass": "անցավ",
        "fail": "ՉԱՆՑԱՎ",
        "month": "Ամիս",
        "mean_score": "Միջին միավոր",
        "chart_latest": "Վերջին միավորն ըստ օբյեկտների",
        "chart_trend": "Միջին միավորն ըստ ամիսների",
        "continued": "Կետերը շարունակվում են թերթերում՝ {sheets}",
        "yes": "այո",
        "no": "ոչ",
    },
    "ka": {
        "due": "ვადა",
        "overdue": "ვადაგადაცილებული",
        "owner": "პასუხისმგებელი",
        "site": "ობიექტი",
        "name": "დასახელება",
        "region": "რეგიონი",
        "last_date": "ბოლო აუდიტი",
        "score": "ქულა",
        "grade": "შეფასება",
        "result": "შედეგი",
        "change": "ცვლილება",
        "audits": "აუდიტები",
        "critical_failures": "კრიტიკული დარღვევები",
        "date": "თარიღი",
        "inspector": "ინსპექტორი",
        "standard": "სტანდარტი",
        "version": "ვერსია",
        "raw_score": "საწყისი ქულა",
        "coverage": "დაფარვა",
        "audit": "აუდიტი",
        "section": "განყოფილება",
        "item": "პუნქტი",
        "text": "პუნქტის ტექსტი",
        "value": "მნიშვნელობა",
        "na": "არ ეხება",
        "item_score": "პუნქტის ქულა",
        "weight": "წონა",
        "critical": "კრიტიკული",
        "comment": "კომენტარი",
        "pass": "ჩაბარდა",
        "fail": "ვერ ჩაბარდა",
        "month": "თვე",
        "mean_score": "საშუალო ქულა",
        "chart_latest": "ბოლო ქულა ობიექტების მიხედვით",
        "chart_trend": "საშუალო ქულა თვეების მიხედვით",
        "continued": "პუნქტები გრძელდება ფურცლებზე: {sheets}",
        "yes": "დიახ",
        "no": "არა",
    },
    "lv": {
        "due": "Termiņš",
        "overdue": "Nokavēts",
        "owner": "Atbildīgais",
        "site": "Objekts",
        "name": "Nosaukums",
        "region": "Reģions",
        "last_date": "Pēdējais audits",
        "score": "Punkti",
        "grade": "Vērtējums",
        "result": "Rezultāts",
        "change": "Izmaiņas",
        "audits": "Auditi",
        "critical_failures": "Kritiski pārkāpumi",
        "date": "Datums",
        "inspector": "Inspektors",
        "standard": "Standarts",
        "version": "Versija",
        "raw_score": "Sākotnējie punkti",
        "coverage": "Pārklājums",
        "audit": "Audits",
        "section": "Sadaļa",
        "item": "Punkts",
        "text": "Punkta teksts",
        "value": "Vērtība",
        "na": "Nav attiecināms",
        "item_score": "Punkta vērtējums",
        "weight": "Svars",
        "critical": "Kritisks",
        "comment": "Komentārs",
        "pass": "izturēts",
        "fail": "NAV IZTURĒTS",
        "month": "Mēnesis",
        "mean_score": "Vidējie punkti",
        "chart_latest": "Pēdējais vērtējums pa objektiem",
        "chart_trend": "Vidējais vērtējums pa mēnešiem",
        "continued": "Punkti turpinās lapās: {sheets}",
        "yes": "jā",
        "no": "nē",
    },
    "hu": {
        "due": "Határidő",
        "overdue": "Lejárt",
        "owner": "Felelős",
        "site": "Telephely",
        "name": "Név",
        "region": "Régió",
        "last_date": "Legutóbbi audit",
        "score": "Pontszám",
        "grade": "Minősítés",
        "result": "Eredmény",
        "change": "Változás",
        "audits": "Auditok",
        "critical_failures": "Kritikus hibák",
        "date": "Dátum",
        "inspector": "Ellenőr",
        "standard": "Szabvány",
        "version": "Verzió",
        "raw_score": "Nyers pontszám",
        "coverage": "Lefedettség",
        "audit": "Audit",
        "section": "Szakasz",
        "item": "Tétel",
        "text": "Tétel szövege",
        "value": "Érték",
        "na": "Nem releváns",
        "item_score": "Tétel pontszáma",
        "weight": "Súly",
        "critical": "Kritikus",
        "comment": "Megjegyzés",
        "pass": "megfelelt",
        "fail": "NEM FELELT MEG",
        "month": "Hónap",
        "mean_score": "Átlagpontszám",
        "chart_latest": "Legutóbbi pontszám telephelyenként",
        "chart_trend": "Átlagpontszám havonta",
        "continued": "A tételek folytatódnak a lapokon: {sheets}",
        "yes": "igen",
        "no": "nem",
    },
}


def _unsafe(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(UNSAFE_START)


@dataclass
class _SiteSummary:
    site: str
    name: str
    region: str
    audits: int = 0
    latest: AuditResult | None = None
    recent: dict[str, list[AuditResult]] = field(default_factory=dict)
    """By standard: the audits (without items) of its last two visits, for the change since the previous visit."""

    def add(self, result: AuditResult) -> None:
        """Count one more audit of the site (in output order)."""
        self.audits += 1
        self.latest = result
        kept = self.recent.setdefault(result.standard, [])
        kept.append(light(result))
        dates = sorted({a.date for a in kept})
        if len(dates) > 2:
            kept[:] = [a for a in kept if a.date >= dates[-2]]

    @property
    def change(self) -> float | None:
        """The latest audit's standard: latest visit score minus the previous one (contract 7.10)."""
        return None if self.latest is None else visit_change(visits_of(self.recent[self.latest.standard]))


def _value_text(value: Any, na: bool, words: dict[str, str]) -> Any:
    if na:
        return words["na"]
    if value is True:
        return words["yes"]
    if value is False:
        return words["no"]
    if isinstance(value, tuple):  # a multi-select: its values in one cell, as forms write them
        return ", ".join(value) if value else "[]"
    return value


class _ItemTexts:
    """Item texts in one language, worked out once per standard version (an item the standard lacks: its id)."""

    def __init__(self, library: StandardLibrary, lang: str | None) -> None:
        self.library = library
        self.lang = lang
        self._by_version: dict[tuple[str, int], dict[str, str]] = {}

    def of(self, result: AuditResult) -> dict[str, str]:
        """Item id → text, for the standard version of ``result``."""
        version = (result.standard, result.standard_version)
        texts = self._by_version.get(version)
        if texts is None:
            standard: Standard | None = self.library.get(*version)
            texts = self._by_version[version] = (
                {i: standard.text(item.text, self.lang) for i, item in standard.items.items()} if standard else {}
            )
        return texts

    def __call__(self, result: AuditResult, item_id: str) -> str:
        return self.of(result).get(item_id, item_id)


def _sheet_name(name: str, taken: set[str]) -> str:
    """A unique sheet name of at most 31 characters, without the characters Excel forbids."""
    base = re.sub(r"[:\\/?*\[\]]", "_", name).strip("'") or "Site"
    base = base[:31]
    taken.add("history")  # Excel reserves this sheet name for its change tracking
    candidate = base
    n = 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def _shown(value: Any) -> str:
    """Roughly what a cell shows, to size its column."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return "2026-01-01"
    return str(value)


def _fit(names: list[str], samples: Iterable[list[Any]], *, least: int = 6, most: int = 60) -> list[int]:
    """Column widths that fit the header (and its filter button) and the sampled values."""
    widths = [len(name) + 4 for name in names]
    for row in samples:
        for index, value in enumerate(row[: len(widths)]):
            longest = max((len(line) for line in _shown(value).splitlines()), default=0)
            widths[index] = max(widths[index], longest + 2)
    return [min(most, max(least, w)) for w in widths]


def _lines(text: str, width: int) -> int:
    """Lines a text takes when wrapped in a column ``width`` characters wide (an estimate)."""
    return sum(max(1, -(-len(line) // max(1, width - 2))) for line in text.splitlines() or [""])


def _print_setup(ws: Any, *, titles: bool = True, orientation: str = "landscape", fit: bool = True) -> None:
    """A4, one page wide when ``fit`` (wide tables: the first column repeated instead), header row on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = 9  # A4
    if fit:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if titles:
        ws.print_title_rows = "1:1"
        if not fit:
            ws.print_title_cols = "A:A"


def _categories(chart: Any, labels: Any) -> None:
    """Text categories (site ids, months) and visible axes.

    openpyxl refers to categories as numbers, which spreadsheets show as 1, 2, 3...
    instead of the labels, and leaves it to the reader whether axes are drawn.
    """
    from openpyxl.chart.data_source import AxDataSource, StrRef

    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
    chart.x_axis.delete = False
    chart.y_axis.delete = False


SAMPLE_AUDITS = 100
"""Audits read ahead to size the columns of the streamed sheets."""


def build_workbook(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    lang: str | None = None,
    per_site: bool = False,
    max_rows: int = MAX_ROWS,
) -> bytes:
    """The export workbook as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    words = {**HEADERS["en"], **HEADERS.get(lang or "en", {})}
    sites = sites or SiteRegistry()
    # In the order of contract §4 (site, date, id): the Summary takes each site's last audit as its latest.
    # A result set is in that order already and is read as it is written, so memory stays flat.
    scored: Iterable[AuditResult]
    if isinstance(results, ResultSet):
        scored, used = results, results.standard_ids()
        sample = list(itertools.islice(results, SAMPLE_AUDITS))
    else:
        scored = sorted(results, key=lambda r: (r.site, r.date, r.id))
        used = list(dict.fromkeys(r.standard for r in scored))
        sample = scored[:SAMPLE_AUDITS]
    wb = Workbook(write_only=True)
    summary_ws = wb.create_sheet("Summary")
    audits_ws = wb.create_sheet("Audits")
    items_sheets = [wb.create_sheet("Items")]
    red = PatternFill("solid", fgColor="F4C7C3")
    bold = Font(bold=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    header_wrap = Alignment(wrap_text=True, vertical="top")

    sections = _section_columns(used, library, lang)
    section_ids = [(c.standard, c.section) for c in sections]

    def cell(ws: Any, value: Any, number_format: str | None = None, fill: Any = None) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if _unsafe(value):
            c.data_type = "s"
            c.quotePrefix = True
        if number_format:
            c.number_format = number_format
        if fill is not None:
            c.fill = fill
        return c

    def safe(ws: Any, value: Any) -> Any:
        return cell(ws, value) if _unsafe(value) else value

    def styled(ws: Any, number_format: str | None = None, fill: Any = None) -> Callable[[Any], Any]:
        """A column's styled cell, made once and given each row's value (never text a formula could start).

        A write-only sheet writes a row's cells as the row is appended, so one cell
        object can carry every row's value; styling a new cell per row costs more
        than writing it. Use each at most once in a row.
        """
        template = cell(ws, None, number_format, fill)

        def put(value: Any) -> Any:
            assert not _unsafe(value)
            template.value = value
            return template

        return put

    def header(ws: Any, names: list[str], widths: list[int], wrap: bool = False) -> None:
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        _print_setup(ws, fit=sum(widths) <= 200)
        row = []
        for name in names:
            c = cell(ws, name)
            c.font = header_font
            c.fill = header_fill
            if wrap:
                c.alignment = header_wrap
            row.append(c)
        ws.append(row)

    audit_cols = [words[k] for k in AUDIT_KEYS]
    audit_cols += [f"{c.title} [{c.key}]" for c in sections]
    item_cols = [words[k] for k in ITEM_KEYS]
    # Write-only sheets take their column widths before the first row: size them from a sample.
    audit_widths = _fit(audit_cols, (_audit_values(r, section_ids, words) for r in sample), most=40)
    audit_widths[12:] = [min(w, 18) for w in audit_widths[12:]]  # long section titles wrap instead
    texts = _ItemTexts(library, lang)
    item_widths = _fit(item_cols, (_item_values(r, i, texts, words) for r in sample for i in r.items), most=60)
    header(audits_ws, audit_cols, audit_widths, wrap=bool(section_ids))
    header(items_sheets[0], item_cols, item_widths)

    summaries: dict[str, _SiteSummary] = {}
    latest_visits: dict[tuple[str, str], list[AuditResult]] = {}
    months: dict[str, list[float]] = {}
    audit_rows = 1
    item_rows = [1]
    per_site_rows: dict[str, list[AuditResult]] = {}
    audit_formats = [
        AUDIT_FORMATS.get(i, "0.0" if i >= len(AUDIT_KEYS) else None) for i in range(len(AUDIT_KEYS) + len(sections))
    ]
    audit_cells = {i: styled(audits_ws, f) for i, f in enumerate(audit_formats) if f is not None}

    def item_cells(ws: Any) -> tuple[Callable[[Any], Any], ...]:
        """The styled cells of an Items sheet: score; and the id, score and critical cells of a failed critical."""
        return styled(ws, "0.00"), styled(ws, fill=red), styled(ws, "0.00", red), styled(ws, fill=red)

    ws = items_sheets[0]
    score_cell, failed_id, failed_score, failed_critical = item_cells(ws)
    yes, no = words["yes"], words["no"]
    for result in scored:
        summary = summaries.get(result.site)
        if summary is None:
            entry = sites.sites.get(result.site)
            summary = _SiteSummary(
                result.site,
                (entry.name if entry and entry.name else None) or result.site_name or result.site,
                (entry.region if entry else None) or result.site_region or "",
            )
            summaries[result.site] = summary
        summary.add(result)
        # The open actions come from each site's latest visit of each standard (contract 7.10).
        visit = latest_visits.setdefault((result.site, result.standard), [])
        if visit and visit[-1].date != result.date:
            visit.clear()
        visit.append(result)
        months.setdefault(result.date.strftime("%Y-%m"), []).append(result.score)
        if per_site:
            # A site's sheet shows its latest audit in full and the others' scores: keep only that.
            kept = per_site_rows.setdefault(result.site, [])
            if kept:
                kept[-1] = light(kept[-1])
            kept.append(result)
        audit_rows += 1
        values = _audit_values(result, section_ids, words)
        audits_ws.append(
            [
                audit_cells[i](v) if v is not None and i in audit_cells else safe(audits_ws, v)
                for i, v in enumerate(values)
            ]
        )
        label = f"{result.standard}@{result.standard_version}"
        audit_id, site_id = result.id, result.site  # safe names (checked on load): never formulas
        day = result.date  # a real date; Excel shows it with the column's default date format
        item_texts = texts.of(result)
        for item in result.items:
            if item_rows[-1] >= max_rows:
                ws = wb.create_sheet(f"Items {len(items_sheets) + 1}")
                header(ws, item_cols, item_widths)
                items_sheets.append(ws)
                item_rows.append(1)
                score_cell, failed_id, failed_score, failed_critical = item_cells(ws)
            # Inspectors' and standards' text may look like a formula: only text needs the check.
            text = item_texts.get(item.id, item.id)
            value = _value_text(item.value, item.na, words)
            comment = item.comment
            if item.failed_critical:  # red in its id, score and critical cells
                item_id, score, critical = failed_id(item.id), failed_score(item.score), failed_critical(yes)
            else:
                item_id, critical = item.id, yes if item.critical else no
                score = None if item.score is None else score_cell(item.score)
            ws.append(
                [
                    audit_id,
                    site_id,
                    day,
                    label,
                    item.section,
                    item_id,
                    cell(ws, text) if text.startswith(UNSAFE_START) else text,
                    cell(ws, value) if value.__class__ is str and value.startswith(UNSAFE_START) else value,
                    yes if item.na else no,
                    score,
                    item.weight,
                    critical,
                    cell(ws, comment) if comment and comment.startswith(UNSAFE_START) else comment,
                ]
            )
            item_rows[-1] += 1

    summary_cols = [words[k] for k in SUMMARY_KEYS]
    ordered = sorted(summaries.values(), key=lambda s: s.site)
    summary_values = []
    for s in ordered:
        latest = s.latest
        assert latest is not None
        change = s.change
        summary_values.append(
            [
                s.site,
                s.name,
                s.region,
                latest.date,
                latest.score,
                latest.grade,
                ("" if latest.passed is None else words["pass"] if latest.passed else words["fail"]),
                change,
                s.audits,
                ", ".join(latest.critical_failures),
            ]
        )
    header(summary_ws, summary_cols, _fit(summary_cols, summary_values, most=50))
    for values in summary_values:
        summary_ws.append(
            [
                cell(summary_ws, v, SUMMARY_FORMATS[i])
                if i in SUMMARY_FORMATS and v is not None
                else safe(summary_ws, v)
                for i, v in enumerate(values)
            ]
        )
    summary_last = len(ordered) + 1
    if len(items_sheets) > 1:
        summary_ws.append([])
        note = words["continued"].format(sheets=", ".join(ws.title for ws in items_sheets))
        summary_ws.append([cell(summary_ws, note)])

    def table(ws: Any, name: str, names: list[str], rows: int) -> None:
        if rows < 2:
            return
        t = Table(displayName=name, ref=f"A1:{get_column_letter(len(names))}{rows}")
        # Write-only sheets cannot read their header back: name the columns as written.
        t.tableColumns = [TableColumn(id=i, name=n) for i, n in enumerate(names, start=1)]
        t.autoFilter = AutoFilter(ref=t.ref)
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about write-only tables; their columns are set above
            ws.add_table(t)

    scale = ColorScaleRule(
        start_type="num",
        start_value=50,
        start_color="F8696B",
        mid_type="num",
        mid_value=80,
        mid_color="FFEB84",
        end_type="num",
        end_value=100,
        end_color="63BE7B",
    )
    table(summary_ws, "Summary", summary_cols, summary_last)
    summary_ws.conditional_formatting.add(f"E2:E{max(summary_last, 2)}", scale)
    summary_ws.conditional_formatting.add(
        f"G2:G{max(summary_last, 2)}", CellIsRule(operator="equal", formula=[f'"{words["fail"]}"'], fill=red)
    )
    table(audits_ws, "Audits", audit_cols, audit_rows)
    audits_ws.conditional_formatting.add(f"F2:F{max(audit_rows, 2)}", scale)
    if section_ids:
        last_col = get_column_letter(len(audit_cols))
        audits_ws.conditional_formatting.add(f"M2:{last_col}{max(audit_rows, 2)}", scale)
    for index, ws in enumerate(items_sheets):
        table(ws, "Items" if index == 0 else f"Items{index + 1}", item_cols, item_rows[index])

    if ordered:
        chart = BarChart()
        chart.type = "bar"
        chart.title = words["chart_latest"]
        chart.y_axis.title = words["score"]
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        data = Reference(summary_ws, min_col=5, min_row=1, max_row=summary_last)
        labels = Reference(summary_ws, min_col=1, min_row=2, max_row=summary_last)
        chart.add_data(data, titles_from_data=True)
        _categories(chart, labels)
        # First site at the top, the score axis still at the bottom, each bar labelled with its score.
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"
        chart.dataLabels = DataLabelList(
            showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
        )
        chart.height = max(7.5, 0.6 * len(ordered))
        chart.width = 18
        chart.legend = None
        # Below the table, so that the table and its chart print legibly on one page.
        summary_ws.add_chart(chart, f"A{summary_last + (4 if len(items_sheets) > 1 else 2)}")

    _actions_sheet(
        wb.create_sheet("Actions"),
        [result for _, visit in sorted(latest_visits.items()) for result in visit],
        library,
        sites,
        lang,
        words,
        cell,
        header,
        table,
        red,
    )

    trend_ws = wb.create_sheet("Trend")
    trend_cols = [words["month"], words["mean_score"], words["audits"]]
    header(trend_ws, trend_cols, _fit(trend_cols, [["2026-01", 100.0, 1]]))
    for month in sorted(months):
        values = months[month]
        trend_ws.append([month, cell(trend_ws, round(sum(values) / len(values), 2), "0.0"), len(values)])
    if months:
        line = LineChart()
        line.title = words["chart_trend"]
        line.y_axis.title = words["mean_score"]
        line.y_axis.scaling.min = 0
        line.y_axis.scaling.max = 100
        line.add_data(Reference(trend_ws, min_col=2, min_row=1, max_row=len(months) + 1), titles_from_data=True)
        _categories(line, Reference(trend_ws, min_col=1, min_row=2, max_row=len(months) + 1))
        for series in line.series:
            series.smooth = False  # a smoothed curve would show scores between months that nobody measured
            series.marker.symbol = "circle"
        line.legend = None
        line.width = 18
        trend_ws.add_chart(line, "E2")
    table(trend_ws, "Trend", trend_cols, len(months) + 1)

    if per_site:
        taken = {ws.title.lower() for ws in wb.worksheets}
        for site, site_results in sorted(per_site_rows.items()):
            _site_sheet(
                wb.create_sheet(_sheet_name(site, taken)),
                site,
                summaries[site],
                site_results,
                library,
                lang,
                words,
                cell,
                bold,
                red,
                header_font,
                header_fill,
            )

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SUMMARY_FORMATS = {3: "yyyy-mm-dd", 4: "0.0", 7: "+0.0;-0.0;0.0"}
"""Number formats of the Summary columns by position."""
AUDIT_FORMATS = {1: "yyyy-mm-dd", 5: "0.0", 6: "0.0", 7: "0.0%"}
"""Number formats of the Audits columns by position (section scores: one decimal)."""


@dataclass(frozen=True)
class _SectionColumn:
    standard: str
    section: str
    key: str
    """The section id, or ``standard/section`` when several standards use that id."""
    title: str


def _section_columns(used: Iterable[str], library: StandardLibrary, lang: str | None) -> list[_SectionColumn]:
    """The section columns of the Audits table: the sections of the standards audited (ids in ``used``).

    A section id that several standards use gets one column per standard: their
    scores measure different things and must not share a column.
    """
    pairs: dict[tuple[str, str], str] = {}
    for standard_id in used:
        versions = sorted((s for s in library if s.id == standard_id), key=lambda s: -s.version)
        for standard in versions:  # the newest title wins; sections of older versions follow
            for section in standard.sections:
                pairs.setdefault((standard_id, section.id), standard.text(section.title, lang))
    owners: dict[str, int] = {}
    for _, section_id in pairs:
        owners[section_id] = owners.get(section_id, 0) + 1
    return [
        _SectionColumn(standard, section, section if owners[section] == 1 else f"{standard}/{section}", title)
        for (standard, section), title in pairs.items()
    ]


def _audit_values(result: AuditResult, section_ids: list[tuple[str, str]], words: dict[str, str]) -> list[Any]:
    """One row of the Audits table, as plain values."""
    scores = {(result.standard, s.id): s.score for s in result.sections}
    return [
        result.site,
        result.date,
        result.inspector,
        result.standard,
        result.standard_version,
        result.score,
        result.raw_score,
        result.coverage,
        result.grade,
        ("" if result.passed is None else words["pass"] if result.passed else words["fail"]),
        ", ".join(result.critical_failures),
        result.id,
    ] + [scores.get(s) for s in section_ids]


def _item_values(result: AuditResult, item: Any, texts: _ItemTexts, words: dict[str, str]) -> list[Any]:
    """One row of the Items table, as plain values (used to size the columns)."""
    return [
        result.id,
        result.site,
        result.date,
        f"{result.standard}@{result.standard_version}",
        item.section,
        item.id,
        texts(result, item.id),
        _value_text(item.value, item.na, words),
        words["yes"] if item.na else words["no"],
        item.score,
        item.weight,
        words["yes"] if item.critical else words["no"],
        item.comment,
    ]


ACTION_KEYS = ("site", "item", "text", "item_score", "critical", "due", "overdue", "owner", "comment", "audit", "date")
"""Columns of the Actions table: the open corrective actions of each site's latest audit."""


def _actions_sheet(
    ws: Any,
    latest: list[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry,
    lang: str | None,
    words: dict[str, str],
    cell: Any,
    header: Any,
    table: Any,
    red: Any,
) -> None:
    """The open corrective actions (``qaudit actions``) of ``latest``, each site's latest visits; due from today."""
    from ..followup import actions

    names = [words[k] for k in ACTION_KEYS]
    found = actions(latest, library, sites)["actions"]
    rows = [
        [
            a["site"],
            a["item"],
            library.item_text(a["standard"], a["item"], lang, a["standard_version"]),
            a["score"],
            words["yes"] if a["critical"] else words["no"],
            dt.date.fromisoformat(a["due"]),
            words["yes"] if a["overdue"] else words["no"],
            a["owner"],
            a["comment"],
            a["audit"],
            dt.date.fromisoformat(a["date"]),
        ]
        for a in found
    ]
    header(ws, names, _fit(names, rows))
    formats = {3: "0.00", 5: "yyyy-mm-dd", 10: "yyyy-mm-dd"}
    for a, values in zip(found, rows, strict=True):
        fill = red if a["overdue"] else None
        ws.append(
            [
                cell(ws, v, formats.get(i), fill=fill if i == 5 else None) if v is not None else None
                for i, v in enumerate(values)
            ]
        )
    table(ws, "Actions", names, len(found) + 1)


def _site_sheet(
    ws: Any,
    site: str,
    summary: _SiteSummary,
    results: list[AuditResult],
    library: StandardLibrary,
    lang: str | None,
    words: dict[str, str],
    cell: Any,
    bold: Any,
    red: Any,
    header_font: Any,
    header_fill: Any,
) -> None:
    """One site laid out as a scorecard: latest result, sections, failed items, history."""
    from openpyxl.styles import Alignment, Font

    latest = results[-1]
    _print_setup(ws, titles=False, orientation="portrait")
    for column, width in zip("ABCD", (50, 14, 16, 40), strict=True):
        ws.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")

    def label(text: str) -> Any:
        c = cell(ws, text)
        c.font = bold
        return c

    def heading(*names: str) -> list[Any]:
        row = []
        for name in names:
            c = cell(ws, name)
            c.font = header_font
            c.fill = header_fill
            row.append(c)
        return row

    def top(c: Any) -> Any:
        c.alignment = Alignment(vertical="top")
        return c

    def text(value: Any, fill: Any = None) -> Any:
        c = cell(ws, value, fill=fill)
        c.alignment = wrap
        return c

    written = [0]

    def add(row: list[Any]) -> None:
        ws.append(row)
        written[0] += 1

    title = cell(ws, f"{summary.name} ({site})")
    title.font = Font(bold=True, size=14)
    add([title])
    add(
        [
            label(words["last_date"]),
            cell(ws, latest.date, "yyyy-mm-dd"),
            label(words["inspector"]),
            cell(ws, latest.inspector),
        ]
    )
    failed = red if latest.passed is False else None
    add(
        [
            label(words["score"]),
            cell(ws, latest.score, "0.0", fill=failed),
            label(words["grade"]),
            cell(ws, latest.grade),
        ]
    )
    add(
        [
            label(words["result"]),
            cell(ws, ("" if latest.passed is None else words["pass"] if latest.passed else words["fail"]), fill=failed),
            label(words["raw_score"]),
            cell(ws, latest.raw_score, "0.0"),
        ]
    )
    texts = _ItemTexts(library, lang)
    critical = [texts(latest, item) for item in latest.critical_failures]
    add([label(words["critical_failures"]), cell(ws, "; ".join(critical), fill=red if critical else None)])
    add([])
    add(heading(words["section"], words["score"]))
    standard = library.get(latest.standard, latest.standard_version)
    for section in latest.sections:
        name = section.id
        if standard is not None:
            name = next((standard.text(s.title, lang) for s in standard.sections if s.id == section.id), section.id)
        add([cell(ws, name), cell(ws, section.score, "0.0")])
    add([])
    add(heading(words["item"], words["value"], words["item_score"], words["comment"]))
    for item in latest.items:
        if not item.finding:  # contract 7.5: with the defaults, a score below 1
            continue
        fill = red if item.failed_critical else None
        item_text = texts(latest, item.id)
        # Wrapped rows keep the height they are given: enough lines for the longer of text and comment.
        lines = max(_lines(item_text, 50), _lines(item.comment or "", 40))
        if lines > 1:
            ws.row_dimensions[written[0] + 1].height = 15 * lines
        add(
            [
                text(item_text, fill),
                top(cell(ws, _value_text(item.value, item.na, words))),
                top(cell(ws, item.score, "0.00", fill=fill)),
                text(item.comment),
            ]
        )
    add([])
    add(heading(words["date"], words["score"], words["grade"], words["inspector"]))
    for result in reversed(results):
        add(
            [
                cell(ws, result.date, "yyyy-mm-dd"),
                cell(ws, result.score, "0.0"),
                cell(ws, result.grade),
                cell(ws, result.inspector),
            ]
        )


def build_csv(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    lang: str | None = None,
) -> dict[str, str]:
    """The same three tables as CSV files: ``summary.csv``, ``audits.csv``, ``items.csv``."""
    from ..history import site_histories
    from .results import csv_text

    words = {**HEADERS["en"], **HEADERS.get(lang or "en", {})}
    results = list(results)
    item_texts = _ItemTexts(library, lang)

    def writer() -> tuple[io.StringIO, Any]:
        buffer = io.StringIO()
        return buffer, csv.writer(buffer, lineterminator="\n")

    def text(value: Any) -> Any:
        return "" if value is None else csv_text(value)

    def yes_no(flag: bool) -> str:
        return words["yes"] if flag else words["no"]

    def result_word(passed: bool | None) -> str:
        return "" if passed is None else (words["pass"] if passed else words["fail"])

    summary_buffer, summary = writer()
    summary.writerow([words[k] for k in SUMMARY_KEYS])
    for h in site_histories(results, sites):
        latest = h.latest
        summary.writerow(
            [
                text(h.site),
                text(h.name),
                text(h.region or ""),
                latest.date.isoformat(),
                latest.score,
                text(latest.grade),
                result_word(latest.passed),
                "" if h.change is None else h.change,
                len(h.audits),
                ";".join(latest.critical_failures),
            ]
        )
    sections = _section_columns(dict.fromkeys(r.standard for r in results), library, lang)
    audits_buffer, audits = writer()
    audits.writerow([words[k] for k in AUDIT_KEYS] + [c.key for c in sections])
    items_buffer, items = writer()
    items.writerow([words[k] for k in ITEM_KEYS])
    for r in results:
        scores = {s.id: s.score for s in r.sections}
        section_scores = [scores.get(c.section) if c.standard == r.standard else None for c in sections]
        audits.writerow(
            [
                text(r.site),
                r.date.isoformat(),
                text(r.inspector),
                r.standard,
                r.standard_version,
                r.score,
                r.raw_score,
                r.coverage,
                text(r.grade),
                result_word(r.passed),
                ";".join(r.critical_failures),
                text(r.id),
            ]
            + ["" if score is None else score for score in section_scores]
        )
        for i in r.items:
            value = _value_text(i.value, i.na, words)
            items.writerow(
                [
                    text(r.id),
                    text(r.site),
                    r.date.isoformat(),
                    f"{r.standard}@{r.standard_version}",
                    i.section,
                    i.id,
                    text(item_texts(r, i.id)),
                    text(value),
                    yes_no(i.na),
                    "" if i.score is None else i.score,
                    i.weight,
                    yes_no(i.critical),
                    text(i.comment),
                ]
            )
    return {
        "summary.csv": summary_buffer.getvalue(),
        "audits.csv": audits_buffer.getvalue(),
        "items.csv": items_buffer.getvalue(),
    }
