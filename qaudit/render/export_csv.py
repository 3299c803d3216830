"""The export's CSV set: the Summary, Audits and Items tables as ``summary.csv``, ``audits.csv`` and
``items.csv``, with the same columns and rows as the workbook's sheets and no text a spreadsheet
would run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..scoring.scorer import AuditResult
from .export_rows import SUMMARY_KEYS, Columns, ItemTexts, Walk, in_order, item_row, words_for


def build_csv(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    lang: str | None = None,
) -> dict[str, str]:
    """The Summary, Audits and Items tables as CSV files: ``summary.csv``, ``audits.csv``, ``items.csv``."""
    words = words_for(lang)
    scored, used = in_order(results)
    cols = Columns(used, library, lang, words)
    walk = Walk(sites or SiteRegistry())
    texts = ItemTexts(library, lang)
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
            items.writerow(_csv_row(item_row(prefix, item, item_texts.get(item.id, item.id), words)))
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
    from .cells import csv_text

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
