"""The Excel export: Summary, Audits, Items, Actions, Trend (and optional per-site sheets); and its CSV set.

XlsxWriter lays the workbook out (styles, tables, charts, conditional formats,
print setup) in its constant-memory mode, and every row is streamed to its
sheet by :class:`~qaudit.render.xlsx_stream.StreamSheet` as the results are
read, once and in order, so memory stays flat however many audits there are.
Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is stored as text, quote-prefixed.

Numbers follow the number policy (:mod:`qaudit.render.numbers`): scores show 2
decimals, shares (coverage, item scores) are percentages to 1 decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import i18n
from ..history import light, visit_change, visits_of
from ..model import Standard
from ..registry import SiteRegistry
from ..resultset import ResultSet
from ..scoring import AuditResult, ItemResult
from ..standards import StandardLibrary
from .xlsx_stream import RowStyle, StreamSheet

MAX_ROWS = 1_048_576
"""Rows in one Excel sheet, header included."""

FIXED_HEADERS = {
    "subject": "subject",
    "audit_comment": "comment",
    "instance": "instance",
    "applicable": "applicable",
    "finding": "finding",
}
"""Columns headed by the same name in every language (contract section 8: scripts find them by it).

Header fields are headed by their ids too (``field:<id>`` when an id is ``subject`` or ``comment``).
"""

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
"""Columns of the Summary table (one row per site), as keys of the catalogue (:mod:`qaudit.i18n`)."""
AUDIT_KEYS = (
    "site",
    "name",
    "region",
    "date",
    "subject",
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
    "audit_comment",
)
"""Columns of the Audits table (then one column per header field, then one per section)."""
ITEM_KEYS = (
    "audit",
    "site",
    "name",
    "region",
    "date",
    "standard",
    "section",
    "item",
    "instance",
    "text",
    "value",
    "applicable",
    "na",
    "item_score",
    "weight",
    "critical",
    "finding",
    "comment",
)
"""Columns of the Items table (one row per audit item, per instance of a repeated section)."""
ACTION_KEYS = (
    "site",
    "subject",
    "item",
    "instance",
    "text",
    "item_score",
    "critical",
    "due",
    "overdue",
    "owner",
    "comment",
    "audit",
    "date",
)
"""Columns of the Actions table: the open corrective actions of each site's latest visits."""
TREND_KEYS = ("month", "mean_score", "audits")
"""Columns of the Trend table (one row per month)."""

NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "last_date": "yyyy-mm-dd",
    "due": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "score": "0.00",
    "raw_score": "0.00",
    "mean_score": "0.00",
    "section": "0.00",
    "change": "+0.00;-0.00;0.00",
    "coverage": "0.0%",
    "item_score": "0.0%",
}
"""Excel number formats by column key, the precision of the number policy (scores 2 decimals, shares in %)."""



FONT = "Calibri"
"""The font of every cell (Excel's default; LibreOffice shows its metric twin Carlito, or a sans-serif)."""
RED = "#F4C7C3"
"""The fill of failed critical items, failed results and overdue actions."""
HEADER_FILL = "#1F4E79"


def words_for(lang: str | None) -> dict[str, str]:
    """The export's words in ``lang`` (English where a word is not translated), from the catalogue."""
    return dict(i18n.words(lang, "export"))


def _header(key: str, words: dict[str, str]) -> str:
    return FIXED_HEADERS.get(key) or words[key]


def _result_word(passed: bool | None, words: dict[str, str]) -> str | None:
    """PASS or FAIL (one spelling in every sheet); nothing when the standard has no pass mark."""
    return None if passed is None else words["pass"] if passed else words["fail"]


@dataclass
class _SiteSummary:
    site: str
    name: str
    region: str | None
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
    if isinstance(value, dt.date):  # a date item: its ISO date, as in the JSON results
        return value.isoformat()
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
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return "2026-01-01"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _fit(names: Sequence[str], samples: Iterable[Sequence[Any]], *, least: int = 6, most: int = 60) -> list[int]:
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


@dataclass(frozen=True)
class _FieldColumn:
    id: str
    type: str
    header: str
    """The field id; ``field:<id>`` for the ids ``subject`` and ``comment``, which head the audit's own columns."""


def _field_columns(used: Iterable[str], library: StandardLibrary) -> list[_FieldColumn]:
    """One column per header field of the standards audited: their union, in standard field order."""
    types: dict[str, str] = {}
    for standard_id in used:
        for standard in sorted((s for s in library if s.id == standard_id), key=lambda s: -s.version):
            for header_field in standard.fields or ():
                types.setdefault(header_field.id, header_field.type)
    return [
        _FieldColumn(fid, kind, f"field:{fid}" if fid.casefold() in ("subject", "comment") else fid)
        for fid, kind in types.items()
    ]


def _field_value(value: Any, kind: str) -> Any:
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _unique(names: list[str], fixed: set[int]) -> list[str]:
    """Column names that differ ignoring case (as Excel tables need): a name the contract does not fix gives way."""
    taken = {names[i].casefold() for i in fixed}
    unique = []
    for index, name in enumerate(names):
        candidate, n = name, 2
        while index not in fixed and candidate.casefold() in taken:
            candidate, n = f"{name} ({n})", n + 1
        taken.add(candidate.casefold())
        unique.append(candidate)
    return unique


class _Columns:
    """The columns of the Audits and Items tables for the standards exported (ids in ``used``)."""

    def __init__(self, used: list[str], library: StandardLibrary, lang: str | None, words: dict[str, str]) -> None:
        self.sections = _section_columns(used, library, lang)
        self.section_ids = [(c.standard, c.section) for c in self.sections]
        self.fields = _field_columns(used, library)
        base = [_header(k, words) for k in AUDIT_KEYS]
        fixed = {AUDIT_KEYS.index("subject"), AUDIT_KEYS.index("audit_comment")}
        fixed |= set(range(len(base), len(base) + len(self.fields)))
        fields = [f.header for f in self.fields]
        self.audit_names = _unique(base + fields + [f"{c.title} [{c.key}]" for c in self.sections], fixed)
        self.audit_csv_names = _unique(base + fields + [c.key for c in self.sections], fixed)
        self.audit_formats = (
            [NUMBER_FORMATS.get(k) for k in AUDIT_KEYS]
            + ["yyyy-mm-dd" if f.type == "date" else None for f in self.fields]
            + ["0.00"] * len(self.sections)
        )
        self.item_names = [_header(k, words) for k in ITEM_KEYS]
        self.item_formats = [NUMBER_FORMATS.get(k) for k in ITEM_KEYS]

    def audit_row(self, result: AuditResult, name: str, region: str | None, words: dict[str, str]) -> list[Any]:
        """One row of the Audits table, as plain values (critical failures as a tuple of ids)."""
        scores = {(result.standard, s.id): s.score for s in result.sections}
        return (
            [
                result.site,
                name,
                region,
                result.date,
                result.subject,
                result.inspector,
                result.standard,
                result.standard_version,
                result.score,
                result.raw_score,
                result.coverage,
                result.grade,
                _result_word(result.passed, words),
                result.critical_failures,
                result.id,
                result.comment,
            ]
            + [_field_value(result.fields.get(f.id), f.type) for f in self.fields]
            + [scores.get(s) for s in self.section_ids]
        )


def _item_row(prefix: list[Any], item: ItemResult, text: str, words: dict[str, str]) -> list[Any]:
    """One row of the Items table, after ``prefix`` (audit, site, name, region, date, standard@version)."""
    yes, no = words["yes"], words["no"]
    return [
        *prefix,
        item.section,
        item.id,
        item.instance,
        text,
        _value_text(item.value, item.na, words),
        yes if item.applicable else no,
        yes if item.na else no,
        item.score,
        item.weight,
        yes if item.critical else no,
        yes if item.finding else no,
        item.comment,
    ]


class _Walk:
    """One pass over the results in output order: what every sheet and CSV file needs besides each row."""

    def __init__(self, registry: SiteRegistry, *, per_site: bool = False) -> None:
        self.registry = registry
        self.summaries: dict[str, _SiteSummary] = {}
        self.latest_visits: dict[tuple[str, str], list[AuditResult]] = {}
        """By (site, standard): the audits of its latest visit so far (contract 7.10: the open actions)."""
        self.months: dict[dt.date, list[float]] = {}
        self.per_site: dict[str, list[AuditResult]] | None = {} if per_site else None
        """By site: its audits, the last in full and the others light (a site sheet's history)."""

    def add(self, result: AuditResult) -> _SiteSummary:
        """Take in one more result; its site's summary (name and region) is returned."""
        summary = self.summaries.get(result.site)
        if summary is None:
            entry = self.registry.sites.get(result.site)
            summary = _SiteSummary(
                result.site,
                (entry.name if entry and entry.name else None) or result.site_name or result.site,
                (entry.region if entry else None) or result.site_region or None,
            )
            self.summaries[result.site] = summary
        summary.add(result)
        visit = self.latest_visits.setdefault((result.site, result.standard), [])
        if visit and visit[-1].date != result.date:
            visit.clear()
        visit.append(result)
        self.months.setdefault(result.date.replace(day=1), []).append(result.score)
        if self.per_site is not None:
            kept = self.per_site.setdefault(result.site, [])
            if kept:
                kept[-1] = light(kept[-1])
            kept.append(result)
        return summary

    def summary_rows(self, words: dict[str, str]) -> list[list[Any]]:
        """The Summary table's rows, one per site, sorted by site."""
        rows = []
        for s in sorted(self.summaries.values(), key=lambda s: s.site):
            latest = s.latest
            assert latest is not None
            rows.append(
                [
                    s.site,
                    s.name,
                    s.region,
                    latest.date,
                    latest.score,
                    latest.grade,
                    _result_word(latest.passed, words),
                    s.change,
                    s.audits,
                    latest.critical_failures,
                ]
            )
        return rows

    def trend_rows(self) -> list[list[Any]]:
        """The Trend table's rows: each month (its first day), the mean score of its audits, their number."""
        return [
            [month, round(sum(scores) / len(scores), 2), len(scores)] for month, scores in sorted(self.months.items())
        ]

    def latest(self) -> list[AuditResult]:
        """The audits of each site's latest visit of each standard."""
        return [result for _, visit in sorted(self.latest_visits.items()) for result in visit]


def _in_order(results: Iterable[AuditResult]) -> tuple[Iterable[AuditResult], list[str]]:
    """The results in the order of contract 7.9, and the ids of the standards used.

    A result set is in that order already and is read as it is written, so memory stays flat.
    """
    if isinstance(results, ResultSet):
        return results, results.standard_ids()
    ordered = sorted(results, key=lambda r: r.sort_key)
    return ordered, list(dict.fromkeys(r.standard for r in ordered))


SAMPLE_AUDITS = 100
"""Audits whose rows size the columns of the streamed sheets."""


class _Book:
    """The workbook being written: XlsxWriter's workbook, its styles (each made once) and the words."""

    def __init__(self, wb: Any, words: dict[str, str]) -> None:
        self.wb = wb
        self.words = words
        self._styles: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._props: dict[int, dict[str, Any]] = {}
        header = {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "valign": "top"}
        self.header = self.style(**header)
        self.header_wrap = self.style(**header, text_wrap=True)
        self.bad = wb.add_format({"bg_color": RED})
        """The conditional format of a failed result."""

    def style(self, **props: Any) -> Any:
        """The format with ``props`` (and the export's font), made once."""
        props = {"font_name": FONT, "font_size": 11, **{k: v for k, v in props.items() if v is not None}}
        key = tuple(sorted(props.items()))
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.wb.add_format(props)
            self._props[id(style)] = props
        return style

    def quoted(self, style: Any) -> Any:
        """``style`` with the quote prefix: text that starts like a formula stays text when edited."""
        return self.style(**(self._props[id(style)] if style is not None else {}), quote_prefix=True)

    def styles(self, formats: Sequence[str | None], **props: Any) -> list[Any]:
        """One style per column: its number format (and ``props``); None where there is nothing to set."""
        return [self.style(num_format=f, **props) if f or props else None for f in formats]

    def sheet(self, title: str) -> StreamSheet:
        ws = self.wb.add_worksheet(title, worksheet_class=StreamSheet)
        ws.quote_style = self.quoted
        return ws

    def table_sheet(self, title: str, names: Sequence[str], *, wrap: bool = False) -> StreamSheet:
        """A sheet whose first row is a table's header, frozen."""
        ws = self.sheet(title)
        ws.freeze_panes(1, 0)
        ws.put(names, [self.header_wrap if wrap else self.header] * len(names))
        return ws


def _cells(values: Sequence[Any]) -> list[Any]:
    """Plain values as cells: a list of ids in one cell (none: an empty cell)."""
    return [(", ".join(v) or None) if v.__class__ is tuple else v for v in values]


def _table(ws: StreamSheet, name: str, names: Sequence[str]) -> None:
    """An Excel table (filter buttons, banded rows) over the rows written; none without a data row."""
    if ws.rows >= 2:
        options = {"name": name, "style": "Table Style Medium 2", "columns": [{"header": n} for n in names]}
        ws.add_table(0, 0, ws.rows - 1, len(names) - 1, options)


def _pixels(width: float) -> int:
    """A column width (in characters) in pixels, as Excel converts it."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


def _paper(
    ws: StreamSheet, widths: Sequence[float], *, portrait: bool = False, titles: bool = True, chart: Any = None
) -> None:
    """Print setup: A4, fitted to one page wide, header row on every page, the table (and its chart) as the print area.

    ``chart``: (first row, first column, width px, height px) of a chart that must print with the table.
    """
    ws.set_paper(9)
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&R&P / &N")
    if titles:
        ws.repeat_rows(0)
    last_row, last_col = max(ws.rows - 1, 0), max(len(widths) - 1, 0)
    if chart is not None:
        row, col, width, height = chart
        last_row = max(last_row, row + -(-height // 20))  # rows of the default 15 points (20 px)
        covered, end = 0, col
        while covered < width:  # columns past the table have the default width (64 px)
            covered += _pixels(widths[end]) if end < len(widths) else 64
            end += 1
        last_col = max(last_col, end - 1)
    ws.print_area(0, 0, last_row, last_col)


def _columns(ws: StreamSheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)


_SCALE = {
    "type": "3_color_scale",
    "min_type": "num",
    "min_value": 50,
    "min_color": "#F8696B",
    "mid_type": "num",
    "mid_value": 80,
    "mid_color": "#FFEB84",
    "max_type": "num",
    "max_value": 100,
    "max_color": "#63BE7B",
}
"""Scores from red (50 and below) through yellow (80) to green (100)."""


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
    import xlsxwriter

    words = words_for(lang)
    scored, used = _in_order(results)
    out = io.BytesIO()
    # XlsxWriter keeps each sheet's rows in a temporary file until it assembles the workbook:
    # in a folder of their own, removed whatever happens (an interrupt included).
    with tempfile.TemporaryDirectory(prefix="qaudit-export-") as tmp:
        wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tmp})
        _write_workbook(_Book(wb, words), scored, used, library, sites or SiteRegistry(), lang, per_site, max_rows)
        wb.close()
    return out.getvalue()


def _write_workbook(
    book: _Book,
    scored: Iterable[AuditResult],
    used: list[str],
    library: StandardLibrary,
    sites: SiteRegistry,
    lang: str | None,
    per_site: bool,
    max_rows: int,
) -> None:
    from xlsxwriter.utility import xl_col_to_name

    words = book.words
    cols = _Columns(used, library, lang, words)
    summary_names = [words[k] for k in SUMMARY_KEYS]
    summary_ws = book.sheet("Summary")
    audits_ws = book.table_sheet("Audits", cols.audit_names, wrap=bool(cols.sections))
    items_sheets = [book.table_sheet("Items", cols.item_names)]
    audit_styles = RowStyle(book.styles(cols.audit_formats))
    item_styles = RowStyle(book.styles(cols.item_formats))
    failed = {ITEM_KEYS.index(k) for k in ("item", "item_score", "critical")}
    failed_styles = RowStyle(
        [
            book.style(num_format=f, bg_color=RED) if i in failed else s
            for i, (f, s) in enumerate(zip(cols.item_formats, item_styles.styles, strict=True))
        ]
    )
    walk = _Walk(sites, per_site=per_site)
    texts = _ItemTexts(library, lang)
    audit_samples: list[list[Any]] = []
    item_samples: list[list[Any]] = []
    ws = items_sheets[0]
    put = ws.put
    for result in scored:
        summary = walk.add(result)
        values = cols.audit_row(result, summary.name, summary.region, words)
        audits_ws.put(_cells(values), audit_styles)
        sampling = len(audit_samples) < SAMPLE_AUDITS
        if sampling:
            audit_samples.append(values)
        prefix = [result.id, result.site, summary.name, summary.region, result.date, result.standard_label]
        item_texts = texts.of(result)
        for item in result.items:
            if ws.rows >= max_rows:
                ws = book.table_sheet(f"Items {len(items_sheets) + 1}", cols.item_names)
                items_sheets.append(ws)
                put = ws.put
            row = _item_row(prefix, item, item_texts.get(item.id, item.id), words)
            put(row, failed_styles if item.failed_critical else item_styles)
            if sampling:
                item_samples.append(row)

    audit_widths = _fit(cols.audit_names, audit_samples, most=40)
    first_score = len(AUDIT_KEYS) + len(cols.fields)
    audit_widths[first_score:] = [min(w, 18) for w in audit_widths[first_score:]]  # long section titles wrap
    _columns(audits_ws, audit_widths)
    _table(audits_ws, "Audits", cols.audit_names)
    # On paper, the audits themselves: header fields and section scores are for filters and pivots
    # (dozens of columns when several standards are exported; each site sheet prints its sections).
    _paper(audits_ws, audit_widths[: len(AUDIT_KEYS)])
    last = max(audits_ws.rows, 2)
    score_col = xl_col_to_name(AUDIT_KEYS.index("score"))
    audits_ws.conditional_format(f"{score_col}2:{score_col}{last}", _SCALE)
    if cols.sections:
        first, end = xl_col_to_name(first_score), xl_col_to_name(len(cols.audit_names) - 1)
        audits_ws.conditional_format(f"{first}2:{end}{last}", _SCALE)
    item_widths = _fit(cols.item_names, item_samples, most=60)
    for index, ws in enumerate(items_sheets):
        _columns(ws, item_widths)
        _table(ws, "Items" if index == 0 else f"Items{index + 1}", cols.item_names)
        _paper(ws, item_widths)

    summary_rows = walk.summary_rows(words)
    summary_widths = _fit(summary_names, summary_rows, most=50)
    _columns(summary_ws, summary_widths)
    summary_ws.freeze_panes(1, 0)
    summary_ws.put(summary_names, [book.header] * len(summary_names))
    summary_styles = book.styles([NUMBER_FORMATS.get(k) for k in SUMMARY_KEYS])
    for values in summary_rows:
        summary_ws.put(_cells(values), summary_styles)
    summary_last = summary_ws.rows
    _table(summary_ws, "Summary", summary_names)
    if len(items_sheets) > 1:
        summary_ws.put([])
        summary_ws.put([words["continued"].format(sheets=", ".join(ws.name for ws in items_sheets))])
    last = max(summary_last, 2)
    score_col, result_col = xl_col_to_name(SUMMARY_KEYS.index("score")), xl_col_to_name(SUMMARY_KEYS.index("result"))
    summary_ws.conditional_format(f"{score_col}2:{score_col}{last}", _SCALE)
    summary_ws.conditional_format(
        f"{result_col}2:{result_col}{last}",
        {"type": "cell", "criteria": "==", "value": f'"{words["fail"]}"', "format": book.bad},
    )
    chart_at = None
    if summary_rows:
        chart_at = _summary_chart(book, summary_ws, summary_rows, summary_ws.rows + 1)
    _paper(summary_ws, summary_widths, chart=chart_at)

    _actions_sheet(book, walk.latest(), library, sites, lang)
    _trend_sheet(book, walk.trend_rows())
    if walk.per_site is not None:
        taken = {ws.name.lower() for ws in book.wb.worksheets()}
        for site, site_results in sorted(walk.per_site.items()):
            ws = book.sheet(_sheet_name(site, taken))
            _site_sheet(book, ws, site, walk.summaries[site], site_results, library, lang)


def _summary_chart(book: _Book, ws: StreamSheet, rows: list[list[Any]], at: int) -> tuple[int, int, int, int]:
    """The latest score of each site as bars, first site on top, below the table (both print on one page)."""
    chart = book.wb.add_chart({"type": "bar"})
    last = len(rows)
    score = SUMMARY_KEYS.index("score")
    chart.add_series(
        {
            "name": book.words["score"],
            "categories": [ws.name, 1, 0, last, 0],
            "values": [ws.name, 1, score, last, score],
            # Constant-memory sheets keep no cells to read back: the charts' cached values are given.
            "categories_data": [r[0] for r in rows],
            "values_data": [r[score] for r in rows],
            "fill": {"color": HEADER_FILL},
            "data_labels": {"value": True, "num_format": "0.00"},
        }
    )
    chart.set_title({"name": book.words["chart_latest"], "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"name": book.words["score"], "min": 0, "max": 100, "num_font": {"name": FONT}})
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"name": FONT}})
    chart.set_legend({"none": True})
    width, height = 680, max(284, 23 * last + 90)
    chart.set_size({"width": width, "height": height})
    ws.insert_chart(at, 0, chart)
    return at, 0, width, height


def _actions_sheet(
    book: _Book, latest: list[AuditResult], library: StandardLibrary, sites: SiteRegistry, lang: str | None
) -> None:
    """The open corrective actions (``qaudit actions``) of each site's latest visits; due from today."""
    from ..followup import actions

    words = book.words
    names = [_header(k, words) for k in ACTION_KEYS]
    found = actions(latest, library, sites)["actions"]
    rows = [
        [
            a["site"],
            a.get("subject"),
            a["item"],
            a.get("instance"),
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
    ws = book.table_sheet("Actions", names)
    widths = _fit(names, rows, most=50)
    # The supervisor's to-do list is printed: long texts and comments wrap in rows tall enough for them.
    wrapped = {ACTION_KEYS.index("text"), ACTION_KEYS.index("comment")}
    for index in wrapped:
        widths[index] = min(widths[index], 40)
    _columns(ws, widths)
    formats = [NUMBER_FORMATS.get(k) for k in ACTION_KEYS]
    styles = [
        book.style(num_format=f, valign="top", text_wrap=True if i in wrapped else None) for i, f in enumerate(formats)
    ]
    due = ACTION_KEYS.index("due")
    overdue = [
        book.style(num_format=formats[due], valign="top", bg_color=RED) if i == due else s for i, s in enumerate(styles)
    ]
    for a, values in zip(found, rows, strict=True):
        lines = max(_lines(str(values[i] or ""), widths[i]) for i in wrapped)
        ws.put(values, overdue if a["overdue"] else styles, height=15 * lines if lines > 1 else 0)
    _table(ws, "Actions", names)
    _paper(ws, widths)


def _trend_sheet(book: _Book, rows: list[list[Any]]) -> None:
    """The portfolio's mean score by month (a real date, shown yyyy-mm), as a table and a line."""
    words = book.words
    names = [words[k] for k in TREND_KEYS]
    ws = book.table_sheet("Trend", names)
    widths = _fit(names, [["2026-01", 100.0, 1]])
    _columns(ws, widths)
    styles = book.styles([NUMBER_FORMATS.get(k) for k in TREND_KEYS])
    for values in rows:
        ws.put(values, styles)
    _table(ws, "Trend", names)
    chart_at = None
    if rows:
        from .xlsx_stream import excel_serial

        line = book.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": words["mean_score"],
                "categories": [ws.name, 1, 0, len(rows), 0],
                "values": [ws.name, 1, 1, len(rows), 1],
                "categories_data": [excel_serial(r[0]) for r in rows],
                "values_data": [r[1] for r in rows],
                "smooth": False,  # a smoothed curve would show scores between months that nobody measured
                "marker": {"type": "circle", "size": 6},
                "line": {"color": HEADER_FILL},
                "data_labels": {"value": True, "num_format": "0.00", "position": "above"},
            }
        )
        line.set_title({"name": words["chart_trend"], "name_font": {"name": FONT, "size": 12}})
        line.set_x_axis(
            {
                "date_axis": True,
                "num_format": "yyyy-mm",
                "major_unit": 1,
                "major_unit_type": "months",
                "num_font": {"name": FONT},
            }
        )
        line.set_y_axis({"name": words["mean_score"], "min": 0, "max": 100, "num_font": {"name": FONT}})
        line.set_legend({"none": True})
        line.set_size({"width": 680, "height": 320})
        ws.insert_chart(1, len(names) + 1, line)
        chart_at = (1, len(names) + 1, 680, 320)
    _paper(ws, widths, chart=chart_at)


def _site_sheet(
    book: _Book,
    ws: StreamSheet,
    site: str,
    summary: _SiteSummary,
    results: list[AuditResult],
    library: StandardLibrary,
    lang: str | None,
) -> None:
    """One site laid out as a scorecard: latest result, sections, findings, history."""
    words = book.words
    latest = results[-1]
    widths = (50, 14, 16, 40)
    _columns(ws, widths)
    title = book.style(bold=True, font_size=14)
    label = book.style(bold=True)
    date = book.style(num_format="yyyy-mm-dd")
    score = book.style(num_format="0.00")
    share = book.style(num_format="0.0%", valign="top")
    red_score = book.style(num_format="0.00", bg_color=RED)
    red = book.style(bg_color=RED)
    heading = book.header
    wrap = book.style(text_wrap=True, valign="top")
    wrap_red = book.style(text_wrap=True, valign="top", bg_color=RED)
    top = book.style(valign="top")
    red_share = book.style(num_format="0.0%", valign="top", bg_color=RED)

    ws.put([f"{summary.name} ({site})"], [title])
    ws.put([words["last_date"], latest.date, words["inspector"], latest.inspector], [label, date, label])
    failed = latest.passed is False
    ws.put([words["score"], latest.score, words["grade"], latest.grade], [label, red_score if failed else score, label])
    ws.put(
        [words["result"], _result_word(latest.passed, words), words["raw_score"], latest.raw_score],
        [label, red if failed else None, label, score],
    )
    texts = _ItemTexts(library, lang)
    critical = [texts(latest, item) for item in latest.critical_failures]
    ws.put([words["critical_failures"], "; ".join(critical) or None], [label, red if critical else None])
    ws.put([])
    ws.put([words["section"], words["score"]], [heading, heading])
    standard = library.get(latest.standard, latest.standard_version)
    for section in latest.sections:
        name = section.id
        if standard is not None:
            name = next((standard.text(s.title, lang) for s in standard.sections if s.id == section.id), section.id)
        ws.put([name, section.score], [None, score])
    ws.put([])
    ws.put([words["item"], words["value"], words["item_score"], words["comment"]], [heading] * 4)
    for item in latest.items:
        if not item.finding:  # contract 7.5: with the defaults, a score below 1
            continue
        item_text = texts(latest, item.id)
        if item.instance is not None:
            item_text = f"{item_text} [{item.instance}]"
        # Wrapped rows keep the height they are given: enough lines for the longer of text and comment.
        lines = max(_lines(item_text, widths[0]), _lines(item.comment or "", widths[3]))
        bad = item.failed_critical
        ws.put(
            [item_text, _value_text(item.value, item.na, words), item.score, item.comment],
            [wrap_red if bad else wrap, top, red_share if bad else share, wrap],
            height=15 * lines if lines > 1 else 0,
        )
    ws.put([])
    ws.put([words["date"], words["score"], words["grade"], words["inspector"]], [heading] * 4)
    for result in reversed(results):
        ws.put([result.date, result.score, result.grade, result.inspector], [date, score])
    _paper(ws, widths, portrait=True, titles=False)


def build_csv(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    lang: str | None = None,
) -> dict[str, str]:
    """The Summary, Audits and Items tables as CSV files: ``summary.csv``, ``audits.csv``, ``items.csv``."""
    words = words_for(lang)
    scored, used = _in_order(results)
    cols = _Columns(used, library, lang, words)
    walk = _Walk(sites or SiteRegistry())
    texts = _ItemTexts(library, lang)
    audits_buffer, audits = _writer()
    audits.writerow(cols.audit_csv_names)
    items_buffer, items = _writer()
    items.writerow(cols.item_names)
    for result in scored:
        summary = walk.add(result)
        audits.writerow(_csv_row(cols.audit_row(result, summary.name, summary.region, words)))
        prefix = [result.id, result.site, summary.name, summary.region, result.date, result.standard_label]
        item_texts = texts.of(result)
        for item in result.items:
            items.writerow(_csv_row(_item_row(prefix, item, item_texts.get(item.id, item.id), words)))
    summary_buffer, summary_csv = _writer()
    summary_csv.writerow([words[k] for k in SUMMARY_KEYS])
    for values in walk.summary_rows(words):
        summary_csv.writerow(_csv_row(values))
    return {
        "summary.csv": summary_buffer.getvalue(),
        "audits.csv": audits_buffer.getvalue(),
        "items.csv": items_buffer.getvalue(),
    }


def _writer() -> tuple[io.StringIO, Any]:
    buffer = io.StringIO()
    return buffer, csv.writer(buffer, lineterminator="\n")


def _csv_row(values: Iterable[Any]) -> Iterator[Any]:
    """A row as CSV fields: text neutralised (never a formula), dates ISO, lists of ids joined by ``;``, none empty."""
    from .results import csv_text

    for value in values:
        if value is None:
            yield ""
        elif isinstance(value, str):
            yield csv_text(value)
        elif isinstance(value, tuple):
            yield ";".join(value)
        elif isinstance(value, dt.date):
            yield value.isoformat()
        else:
            yield value
