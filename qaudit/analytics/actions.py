"""Corrective actions after scored audits (contract §6, grouped by visit as in 7.10):
the findings of each site's latest visit of each standard, when they are due, and
which actions of the previous visit that visit closed.

Due dates come from the ``actions`` settings of a ``qaudit/config@1`` file
(:func:`load_config`). Given a run's :class:`~qaudit.results.resultset.ResultSet`,
actions are read in its order, one site at a time
(:func:`~qaudit.analytics.history.site_audits`), and only the latest two visits of each
standard are decoded in full; :func:`site_actions` gives the rows site by site,
for outputs written as they go.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..load.registry import SiteRegistry
from ..load.standards import StandardLibrary
from ..problems import InvalidInput, QauditError, error
from ..scoring.scorer import AuditResult, ItemResult
from .history import Visit, audit_order, site_audits

DEFAULT_DUE_DAYS = {"critical": 2, "other": 14}


@dataclass
class DueDays:
    """Days from an audit to the due date of its corrective actions, by standard."""

    critical: int = DEFAULT_DUE_DAYS["critical"]
    other: int = DEFAULT_DUE_DAYS["other"]
    per_standard: dict[str, tuple[int, int]] = field(default_factory=dict)

    def days(self, standard: str, critical: bool) -> int:
        """The number of days allowed for an item of ``standard``."""
        crit, other = self.per_standard.get(standard, (self.critical, self.other))
        return crit if critical else other


def load_config(path: str | None, *, required: bool = False) -> DueDays:
    """Read due-date settings from a ``qaudit/config@1`` file (absent file: the defaults).

    ::

        schema: qaudit/config@1
        actions:
          due_days: {critical: 2, other: 14}
          standards:
            office-cleaning-service: {critical: 1, other: 7}

    Unknown keys and values that are not whole numbers of days are errors; with
    ``required`` a missing file is one too (the user named it).
    """
    if not path or not os.path.exists(path):
        if required and path:
            raise QauditError(f"{path}: no such file; check the --config path")
        return DueDays()
    from ..io.yamlsrc import load
    from ..model.validation import did_you_mean

    doc = load(path)
    problems = list(doc.problems)
    data = doc.data if isinstance(doc.data, dict) else None
    if problems:
        raise InvalidInput(problems)

    def complain(where: tuple[str | int, ...], rule: str, message: str, *, key: bool = False) -> None:
        line, col = doc.at(where, key=key)
        problems.append(error(path, line, col, rule, message))

    def mapping(node: Any, where: tuple[str | int, ...], keys: tuple[str, ...] | None, what: str) -> dict[Any, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            complain(where, "wrong-type", f"{what} must be a mapping")
            return {}
        for name in node if keys is not None else ():
            if keys is not None and name not in keys:
                hint = did_you_mean(str(name), keys)
                complain((*where, name), "unknown-key", f"unknown key '{name}' in {what}{hint}", key=True)
        return node

    def pair(node: Any, where: tuple[str | int, ...], default: tuple[int, int]) -> tuple[int, int]:
        node = mapping(node, where, ("critical", "other"), f"'{where[-1]}'")
        values = []
        for key, fallback in zip(("critical", "other"), default, strict=True):
            raw = node.get(key)
            if raw is None:
                values.append(fallback)
            elif isinstance(raw, str) and raw.isascii() and raw.isdigit():  # the loader keeps scalars as text
                values.append(int(raw))
            else:
                complain((*where, key), "wrong-type", f"'{key}' must be a whole number of days (0 or more)")
                values.append(fallback)
        return values[0], values[1]

    if data is None or data.get("schema") != "qaudit/config@1":
        complain(("schema",), "unknown-schema", "a config file starts with 'schema: qaudit/config@1'")
        raise InvalidInput(problems)
    mapping(data, (), ("schema", "actions"), "the config file")
    actions = mapping(data.get("actions"), ("actions",), ("due_days", "standards"), "'actions'")
    base = pair(actions.get("due_days"), ("actions", "due_days"), (DueDays.critical, DueDays.other))
    per: dict[str, tuple[int, int]] = {}
    standards = mapping(actions.get("standards"), ("actions", "standards"), None, "'standards'")
    for sid, node in standards.items():
        per[str(sid)] = pair(node, ("actions", "standards", sid), base)
    if problems:
        raise InvalidInput(problems)
    return DueDays(base[0], base[1], per)


def latest_by_site(results: Iterable[AuditResult]) -> dict[str, AuditResult]:
    """Each site's latest audit (by date, then subject, then id)."""
    latest: dict[str, AuditResult] = {}
    for result in results:
        current = latest.get(result.site)
        if current is None or audit_order(result) > audit_order(current):
            latest[result.site] = result
    return latest


FindingKey = tuple[str, str | None, str | None]
"""(item id, subject, instance): what one action is about within a site's visit of a standard."""


def visit_findings(visit: Visit) -> dict[FindingKey, list[tuple[AuditResult, ItemResult]]]:
    """The findings of one visit, by (item, subject, instance): each with the audits where it is one, by id."""
    found: dict[FindingKey, list[tuple[AuditResult, ItemResult]]] = {}
    for audit in sorted(visit.audits, key=lambda a: a.id):
        for item in audit.items:
            if item.finding:
                found.setdefault((item.id, audit.subject, item.instance), []).append((audit, item))
    return found


def action_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """Actions by site, standard, item, subject (none first), instance (none first)."""
    subject, instance = row["subject"], row["instance"]
    return (
        row["site"],
        row["standard"],
        row["item"],
        subject is not None,
        subject or "",
        instance is not None,
        instance or "",
    )


Progress = Callable[[int], None]
"""Told how many more audits were read (a progress bar's ``advance``)."""


def actions(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    today: dt.date | None = None,
    due: DueDays | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Open corrective actions: the findings of each site's latest visit of each standard (contract 7.10).

    One action per (site, standard, item, subject, instance) that is a finding in
    at least one audit of the visit; ``audits`` lists them all, ``audit`` is the
    first (by id) and gives the version, criticality and comment; ``score`` is the
    lowest item score among them (None for an unscored item).

    ``closed`` lists the actions of the previous visit of the same standard that
    the latest visit closed, for the same subject and instance: ``fixed`` (answered
    and no longer a finding) or ``dropped`` (the standard version now used for that
    subject no longer has the item). :func:`site_actions` gives the same site by site.
    """
    open_actions: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    for opened, shut in site_actions(results, library, sites, today=today, due=due):
        open_actions += opened
        closed += shut
    return {"actions": open_actions, "closed": closed}


def site_actions(
    results: Iterable[AuditResult],
    library: StandardLibrary,
    sites: SiteRegistry | None = None,
    *,
    today: dt.date | None = None,
    due: DueDays | None = None,
    each: Progress | None = None,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """:func:`actions` one site at a time, sites in order: (open, closed), each in :func:`action_order`.

    Only the latest two visits of each standard of the site are decoded in full.
    """
    sites = sites or SiteRegistry()
    today = today or dt.date.today()
    due = due or DueDays()
    for found in site_audits(results, each):
        entry = sites.sites.get(found.site)
        owner = entry.manager.name if entry and entry.manager else None
        name: str | None = None
        open_actions: list[dict[str, Any]] = []
        closed: list[dict[str, Any]] = []
        for standard, positions in found.by_standard().items():
            visits = found.visit_positions(positions)
            latest = Visit(found.site, standard, found.date(visits[-1][0]), tuple(found.full(n) for n in visits[-1]))
            for (item_id, subject, instance), hits in visit_findings(latest).items():
                audit, item = hits[0]
                scores = [i.score for _, i in hits if i.score is not None]
                due_date = audit.date + dt.timedelta(days=due.days(audit.standard, item.critical))
                if name is None:
                    name = found.name_and_region(sites)[0]
                open_actions.append(
                    {
                        "site": found.site,
                        "item": item_id,
                        "standard": audit.standard,
                        "standard_version": audit.standard_version,
                        "subject": subject,
                        "instance": instance,
                        "audit": audit.id,
                        "audits": [a.id for a, _ in hits],
                        "date": audit.date.isoformat(),
                        "score": min(scores) if scores else None,
                        "critical": item.critical,
                        "comment": item.comment,
                        "owner": owner,
                        "site_name": name,
                        "due": due_date.isoformat(),
                        "overdue": today > due_date,
                        "text": library.item_text(audit.standard, item_id, None, audit.standard_version),
                    }
                )
            if len(visits) > 1:
                previous = Visit(
                    found.site, standard, found.date(visits[-2][0]), tuple(found.full(n) for n in visits[-2])
                )
                closed += _closed(found.site, previous, latest, library)
        open_actions.sort(key=action_order)
        closed.sort(key=action_order)
        yield open_actions, closed


def _closed(site: str, previous: Visit, latest: Visit, library: StandardLibrary) -> list[dict[str, Any]]:
    """The previous visit's actions that the latest visit of the same standard closed."""
    now = visit_findings(latest)
    by_subject: dict[str | None, list[AuditResult]] = {}
    for audit in sorted(latest.audits, key=lambda a: a.id):
        by_subject.setdefault(audit.subject, []).append(audit)
    closed = []
    for (item_id, subject, instance), hits in visit_findings(previous).items():
        audits = by_subject.get(subject)
        if not audits or (item_id, subject, instance) in now:
            continue  # not audited again, or still a finding
        standards = [library.get(a.standard, a.standard_version) for a in audits]
        if all(s is not None and item_id not in s.items for s in standards):
            status = "dropped"
            reason = f"the item is not in {audits[0].standard_label}"
            audit = audits[0]
        else:
            answered = [
                (a, i)
                for a in audits
                for i in a.items
                if i.id == item_id and i.instance == instance and i.applicable and not i.na and i.value is not None
            ]
            if not answered:
                continue  # N/A, not applicable or not asked this time: nothing is known
            audit = answered[0][0]
            status = "fixed"
            if all(i.score == 1 for _, i in answered):
                reason = f"scored 1 in {audit.id} on {audit.date.isoformat()}"
            else:
                reason = f"no longer a finding in {audit.id} on {audit.date.isoformat()}"
        closed.append(
            {
                "site": site,
                "item": item_id,
                "standard": latest.standard,
                "subject": subject,
                "instance": instance,
                "audit": audit.id,
                "opened_in": hits[0][0].id,
                "status": status,
                "reason": reason,
            }
        )
    return closed
