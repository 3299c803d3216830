"""The export's tables as rows: the columns of Summary, Audits, Items, Actions and Trend, their
headers in the chosen language, and the rows themselves, gathered in one pass over the results
(site summaries, latest visits, months) for the workbook and the CSV set alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..analytics.history import light, visit_change, visits_of
from ..i18n import words as catalogue_words
from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..model.standard import Standard
from ..results.resultset import ResultSet
from ..scoring.scorer import AuditResult, ItemResult

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


def words_for(lang: str | None) -> dict[str, str]:
    """The export's words in ``lang`` (English where a word is not translated), from the catalogue."""
    return dict(catalogue_words(lang, "export"))


def column_header(key: str, words: dict[str, str]) -> str:
    return FIXED_HEADERS.get(key) or words[key]


def result_word(passed: bool | None, words: dict[str, str]) -> str | None:
    """PASS or FAIL (one spelling in every sheet); nothing when the standard has no pass mark."""
    return None if passed is None else words["pass"] if passed else words["fail"]


@dataclass
class SiteSummary:
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


def value_text(value: Any, na: bool, words: dict[str, str]) -> Any:
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


class ItemTexts:
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


class Columns:
    """The columns of the Audits and Items tables for the standards exported (ids in ``used``)."""

    def __init__(self, used: list[str], library: StandardLibrary, lang: str | None, words: dict[str, str]) -> None:
        self.sections = _section_columns(used, library, lang)
        self.section_ids = [(c.standard, c.section) for c in self.sections]
        self.fields = _field_columns(used, library)
        base = [column_header(k, words) for k in AUDIT_KEYS]
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
        self.item_names = [column_header(k, words) for k in ITEM_KEYS]
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
                result_word(result.passed, words),
                result.critical_failures,
                result.id,
                result.comment,
            ]
            + [_field_value(result.fields.get(f.id), f.type) for f in self.fields]
            + [scores.get(s) for s in self.section_ids]
        )


def item_row(prefix: list[Any], item: ItemResult, text: str, words: dict[str, str]) -> list[Any]:
    """One row of the Items table, after ``prefix`` (audit, site, name, region, date, standard@version)."""
    yes, no = words["yes"], words["no"]
    return [
        *prefix,
        item.section,
        item.id,
        item.instance,
        text,
        value_text(item.value, item.na, words),
        yes if item.applicable else no,
        yes if item.na else no,
        item.score,
        item.weight,
        yes if item.critical else no,
        yes if item.finding else no,
        item.comment,
    ]


class Walk:
    """One pass over the results in output order: what every sheet and CSV file needs besides each row."""

    def __init__(self, registry: SiteRegistry, *, per_site: bool = False) -> None:
        self.registry = registry
        self.summaries: dict[str, SiteSummary] = {}
        self.latest_visits: dict[tuple[str, str], list[AuditResult]] = {}
        """By (site, standard): the audits of its latest visit so far (contract 7.10: the open actions)."""
        self.months: dict[dt.date, list[float]] = {}
        self.per_site: dict[str, list[AuditResult]] | None = {} if per_site else None
        """By site: its audits, the last in full and the others light (a site sheet's history)."""

    def add(self, result: AuditResult) -> SiteSummary:
        """Take in one more result; its site's summary (name and region) is returned."""
        summary = self.summaries.get(result.site)
        if summary is None:
            entry = self.registry.sites.get(result.site)
            summary = SiteSummary(
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
                    result_word(latest.passed, words),
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


def in_order(results: Iterable[AuditResult]) -> tuple[Iterable[AuditResult], list[str]]:
    """The results in the order of contract 7.9, and the ids of the standards used.

    A result set is in that order already and is read as it is written, so memory stays flat.
    """
    if isinstance(results, ResultSet):
        return results, results.standard_ids()
    ordered = sorted(results, key=lambda r: r.sort_key)
    return ordered, list(dict.fromkeys(r.standard for r in ordered))
