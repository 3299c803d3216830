"""The Excel export: Summary, Audits, Items, Actions, Trend (and optional per-site sheets), each sheet
written row by row, the Items table going on in a further sheet when one is full.

XlsxWriter lays the workbook out (styles, tables, charts, conditional formats,
print setup) in its constant-memory mode, and every row is streamed to its
sheet by :class:`~qaudit.render.xlsx_stream.StreamSheet` as the results are
read, once and in order, so memory stays flat however many audits there are.
Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is stored as text, quote-prefixed.

Numbers follow the number policy (:mod:`qaudit.render.numbers`): scores show 2
decimals, shares (coverage, item scores) are percentages to 1 decimal.

The rows come from :mod:`qaudit.render.export_rows`, the styles, print setup and charts from
:mod:`qaudit.render.workbook_layout`; the CSV set is :mod:`qaudit.render.export_csv`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..scoring.scorer import AuditResult
from .export_rows import (
    ACTION_KEYS,
    AUDIT_KEYS,
    ITEM_KEYS,
    NUMBER_FORMATS,
    SUMMARY_KEYS,
    TREND_KEYS,
    Columns,
    ItemTexts,
    SiteSummary,
    Walk,
    column_header,
    in_order,
    item_row,
    result_word,
    value_text,
    words_for,
)
from .workbook_layout import (
    RED,
    SCORE_SCALE,
    Book,
    add_table,
    fit_widths,
    print_setup,
    set_widths,
    summary_chart,
    trend_chart,
    wrapped_lines,
)
from .xlsx_stream import RowStyle, StreamSheet

MAX_ROWS = 1_048_576
"""Rows in one Excel sheet, header included."""

SAMPLE_AUDITS = 100
"""Audits whose rows size the columns of the streamed sheets."""


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
    scored, used = in_order(results)
    out = io.BytesIO()
    # XlsxWriter keeps each sheet's rows in a temporary file until it assembles the workbook:
    # in a folder of their own, removed whatever happens (an interrupt included).
    with tempfile.TemporaryDirectory(prefix="qaudit-export-") as tmp:
        wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tmp})
        _write_workbook(Book(wb, words), scored, used, library, sites or SiteRegistry(), lang, per_site, max_rows)
        wb.close()
    return out.getvalue()


def _write_workbook(
    book: Book,
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
    cols = Columns(used, library, lang, words)
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
    walk = Walk(sites, per_site=per_site)
    texts = ItemTexts(library, lang)
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
            row = item_row(prefix, item, item_texts.get(item.id, item.id), words)
            put(row, failed_styles if item.failed_critical else item_styles)
            if sampling:
                item_samples.append(row)

    audit_widths = fit_widths(cols.audit_names, audit_samples, most=40)
    first_score = len(AUDIT_KEYS) + len(cols.fields)
    audit_widths[first_score:] = [min(w, 18) for w in audit_widths[first_score:]]  # long section titles wrap
    set_widths(audits_ws, audit_widths)
    add_table(audits_ws, "Audits", cols.audit_names)
    # On paper, the audits themselves: header fields and section scores are for filters and pivots
    # (dozens of columns when several standards are exported; each site sheet prints its sections).
    print_setup(audits_ws, audit_widths[: len(AUDIT_KEYS)])
    last = max(audits_ws.rows, 2)
    score_col = xl_col_to_name(AUDIT_KEYS.index("score"))
    audits_ws.conditional_format(f"{score_col}2:{score_col}{last}", SCORE_SCALE)
    if cols.sections:
        first, end = xl_col_to_name(first_score), xl_col_to_name(len(cols.audit_names) - 1)
        audits_ws.conditional_format(f"{first}2:{end}{last}", SCORE_SCALE)
    item_widths = fit_widths(cols.item_names, item_samples, most=60)
    for index, ws in enumerate(items_sheets):
        set_widths(ws, item_widths)
        add_table(ws, "Items" if index == 0 else f"Items{index + 1}", cols.item_names)
        print_setup(ws, item_widths)

    summary_rows = walk.summary_rows(words)
    summary_widths = fit_widths(summary_names, summary_rows, most=50)
    set_widths(summary_ws, summary_widths)
    summary_ws.freeze_panes(1, 0)
    summary_ws.put(summary_names, [book.header] * len(summary_names))
    summary_styles = book.styles([NUMBER_FORMATS.get(k) for k in SUMMARY_KEYS])
    for values in summary_rows:
        summary_ws.put(_cells(values), summary_styles)
    summary_last = summary_ws.rows
    add_table(summary_ws, "Summary", summary_names)
    if len(items_sheets) > 1:
        summary_ws.put([])
        summary_ws.put([words["continued"].format(sheets=", ".join(ws.name for ws in items_sheets))])
    last = max(summary_last, 2)
    score_col, result_col = xl_col_to_name(SUMMARY_KEYS.index("score")), xl_col_to_name(SUMMARY_KEYS.index("result"))
    summary_ws.conditional_format(f"{score_col}2:{score_col}{last}", SCORE_SCALE)
    summary_ws.conditional_format(
        f"{result_col}2:{result_col}{last}",
        {"type": "cell", "criteria": "==", "value": f'"{words["fail"]}"', "format": book.bad},
    )
    chart_at = None
    if summary_rows:
        chart_at = summary_chart(book, summary_ws, summary_rows, summary_ws.rows + 1)
    print_setup(summary_ws, summary_widths, chart=chart_at)

    _actions_sheet(book, walk.latest(), library, sites, lang)
    _trend_sheet(book, walk.trend_rows())
    if walk.per_site is not None:
        taken = {ws.name.lower() for ws in book.wb.worksheets()}
        for site, site_results in sorted(walk.per_site.items()):
            ws = book.sheet(_sheet_name(site, taken))
            _site_sheet(book, ws, site, walk.summaries[site], site_results, library, lang)


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


def _cells(values: Sequence[Any]) -> list[Any]:
    """Plain values as cells: a list of ids in one cell (none: an empty cell)."""
    return [(", ".join(v) or None) if v.__class__ is tuple else v for v in values]


def _actions_sheet(
    book: Book, latest: list[AuditResult], library: StandardLibrary, sites: SiteRegistry, lang: str | None
) -> None:
    """The open corrective actions (``qaudit actions``) of each site's latest visits; due from today."""
    from ..analytics.actions import actions

    words = book.words
    names = [column_header(k, words) for k in ACTION_KEYS]
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
    widths = fit_widths(names, rows, most=50)
    # The supervisor's to-do list is printed: long texts and comments wrap in rows tall enough for them.
    wrapped = {ACTION_KEYS.index("text"), ACTION_KEYS.index("comment")}
    for index in wrapped:
        widths[index] = min(widths[index], 40)
    set_widths(ws, widths)
    formats = [NUMBER_FORMATS.get(k) for k in ACTION_KEYS]
    styles = [
        book.style(num_format=f, valign="top", text_wrap=True if i in wrapped else None) for i, f in enumerate(formats)
    ]
    due = ACTION_KEYS.index("due")
    overdue = [
        book.style(num_format=formats[due], valign="top", bg_color=RED) if i == due else s for i, s in enumerate(styles)
    ]
    for a, values in zip(found, rows, strict=True):
        lines = max(wrapped_lines(str(values[i] or ""), widths[i]) for i in wrapped)
        ws.put(values, overdue if a["overdue"] else styles, height=15 * lines if lines > 1 else 0)
    add_table(ws, "Actions", names)
    print_setup(ws, widths)


def _trend_sheet(book: Book, rows: list[list[Any]]) -> None:
    """The portfolio's mean score by month (a real date, shown yyyy-mm), as a table and a line."""
    words = book.words
    names = [words[k] for k in TREND_KEYS]
    ws = book.table_sheet("Trend", names)
    widths = fit_widths(names, [["2026-01", 100.0, 1]])
    set_widths(ws, widths)
    styles = book.styles([NUMBER_FORMATS.get(k) for k in TREND_KEYS])
    for values in rows:
        ws.put(values, styles)
    add_table(ws, "Trend", names)
    chart_at = trend_chart(book, ws, rows, len(names) + 1) if rows else None
    print_setup(ws, widths, chart=chart_at)


def _site_sheet(
    book: Book,
    ws: StreamSheet,
    site: str,
    summary: SiteSummary,
    results: list[AuditResult],
    library: StandardLibrary,
    lang: str | None,
) -> None:
    """One site laid out as a scorecard: latest result, sections, findings, history."""
    words = book.words
    latest = results[-1]
    widths = (50, 14, 16, 40)
    set_widths(ws, widths)
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
        [words["result"], result_word(latest.passed, words), words["raw_score"], latest.raw_score],
        [label, red if failed else None, label, score],
    )
    texts = ItemTexts(library, lang)
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
        lines = max(wrapped_lines(item_text, widths[0]), wrapped_lines(item.comment or "", widths[3]))
        bad = item.failed_critical
        ws.put(
            [item_text, value_text(item.value, item.na, words), item.score, item.comment],
            [wrap_red if bad else wrap, top, red_share if bad else share, wrap],
            height=15 * lines if lines > 1 else 0,
        )
    ws.put([])
    ws.put([words["date"], words["score"], words["grade"], words["inspector"]], [heading] * 4)
    for result in reversed(results):
        ws.put([result.date, result.score, result.grade, result.inspector], [date, score])
    print_setup(ws, widths, portrait=True, titles=False)
