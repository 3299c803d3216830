"""The per-audit report (contract section 8): every question of one audit, as view data for its template.

Every question is listed in the standard's order, in the page's language, with
its answer in words (options by their labels, yes/no in words, multi-select as
a list, dates in the language's format), its item score, a finding mark, the
inspector's comment and the evidence. Evidence images that exist beside the
audit file are embedded as ``data:`` URIs (the pages allow images from nowhere
else); any other evidence is shown by its name.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

from ..model.standard import Condition, Item, Section, Standard
from ..scoring.scorer import AuditResult, ItemResult

EVIDENCE_BYTES = 8 << 20
"""Larger evidence files are named, not embedded: a page stays small enough to open on a phone and e-mail."""

_IMAGE_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def evidence_image(audit_file: str, name: str) -> str | None:
    """The evidence file ``name`` (relative to the audit file) as a ``data:`` URI; None when it is no readable image.

    The kind is told from the file's first bytes, never from its name, so only
    PNG, JPEG, GIF and WebP images are ever embedded.
    """
    if not name or "\0" in name or "://" in name:
        return None
    path = os.path.join(os.path.dirname(audit_file), name)
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > EVIDENCE_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read(EVIDENCE_BYTES + 1)
    except OSError:
        return None
    kind = next((mime for magic, mime in _IMAGE_KINDS if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None or len(data) > EVIDENCE_BYTES:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


class AuditPage:
    """Builds the view of one audit in one language (``words`` and ``fmt`` from :mod:`.scorecards`)."""

    def __init__(self, result: AuditResult, standard: Standard | None, lang: str, words: dict[str, str], fmt: Any):
        self.result = result
        self.standard = standard
        self.lang = lang
        self.words = words
        self.fmt = fmt

    def text(self, value: Any) -> str:
        if self.standard is None:
            return "" if value is None else str(value)
        return self.standard.text(value, self.lang)

    # --- answers -----------------------------------------------------------------------------------

    def option_label(self, item: Item | None, value: str) -> str:
        option = item.option(value) if item is not None else None
        return self.text(option.label) if option is not None and option.label is not None else value

    def date_text(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return self.fmt.date(value)
        try:
            return self.fmt.date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)

    def answer(self, item: Item | None, result: ItemResult) -> dict[str, Any]:
        """The answer in words: ``text``, or ``choices`` (a list) for a multi-select."""
        value = result.value
        words = self.words
        if not result.applicable:
            return {"text": words["not_applicable"], "choices": None, "kind": "skipped"}
        if result.na:
            return {"text": words["na"], "choices": None, "kind": "na"}
        if value is None:
            return {"text": words["not_answered"], "choices": None, "kind": "missing"}
        kind = item.type if item is not None else None
        if kind == "multi_choice" or isinstance(value, (list, tuple)):
            chosen = [self.option_label(item, str(v)) for v in value]
            if not chosen:
                return {"text": words["none_selected"], "choices": None, "kind": "value"}
            return {"text": ", ".join(chosen), "choices": chosen, "kind": "value"}
        if value is True or value is False:
            return {"text": words["yes"] if value else words["no"], "choices": None, "kind": "value"}
        if kind == "date":
            return {"text": self.date_text(value), "choices": None, "kind": "value"}
        if kind == "choice" or (kind is None and isinstance(value, str)):
            return {"text": self.option_label(item, str(value)), "choices": None, "kind": "value"}
        if isinstance(value, (int, float)):
            digits = 0 if float(value).is_integer() else 2
            shown = self.fmt.number(value, digits)
            if kind == "scale" and item is not None and item.max is not None:
                shown = f"{shown} / {self.fmt.number(item.max, 0)}"
            elif item is not None and item.unit:
                shown = f"{shown} {item.unit}"
            return {"text": shown, "choices": None, "kind": "value"}
        return {"text": str(value), "choices": None, "kind": "value"}

    def condition(self, condition: Condition) -> str:
        """A ``when`` condition in the page's language where it is simple, else as the standard writes it."""
        items = self.standard.items if self.standard is not None else {}
        if condition.item is not None and condition.is_ is not None and condition.item in items:
            named = items[condition.item]
            values = []
            for v in condition.values:
                if named.type == "yes_no":
                    values.append(self.words["yes"] if str(v).lower() in ("yes", "true") else self.words["no"])
                else:
                    values.append(self.option_label(named, str(v)))
            return f"{self.text(named.text)}: {' / '.join(values)}"
        return condition.describe()

    def reason(self, item: Item | None, section: Section | None) -> str:
        """Why a not-applicable question does not apply: its own condition, else its section's."""
        when = item.when if item is not None and item.when is not None else section.when if section else None
        return "" if when is None else self.condition(when)

    # --- the page ----------------------------------------------------------------------------------

    def item_row(self, result: ItemResult, item: Item | None, section: Section | None) -> dict[str, Any]:
        evidence = []
        for name in result.evidence:
            src = evidence_image(self.result.file, name)
            evidence.append({"name": name, "src": src, "missing": src is None})
        return {
            "id": result.id,
            "text": self.text(item.text) if item is not None else result.id,
            "answer": self.answer(item, result),
            "applicable": result.applicable,
            "reason": "" if result.applicable else self.reason(item, section),
            "scored": result.scored,
            "score": "" if result.score is None else self.fmt.percent(result.score),
            "finding": result.finding,
            "critical": result.critical,
            "failed_critical": result.failed_critical,
            "waived": result.waived or "",
            "comment": result.comment or "",
            "evidence": evidence,
        }

    def groups(self) -> list[dict[str, Any]]:
        """Sections in standard order; a repeated section holds one group per instance, under its label."""
        standard = self.standard
        sections = {s.id: s for s in standard.sections} if standard is not None else {}
        scores = {s.id: s.score for s in self.result.sections}
        found: dict[str, dict[str, Any]] = {}
        for result in self.result.items:
            section = sections.get(result.section)
            entry = found.get(result.section)
            if entry is None:
                entry = found[result.section] = {
                    "id": result.section,
                    "title": self.text(section.title) if section is not None else result.section,
                    "score": self.fmt.number(scores.get(result.section)),
                    "repeated": section is not None and section.repeat is not None,
                    "instances": [],
                    "_by": {},
                }
            key = result.instance
            group = entry["_by"].get(key)
            if group is None:
                label = ""
                if key is not None:
                    name = section.repeat.label if section is not None and section.repeat is not None else None
                    label = f"{self.text(name) if name else self.words['instance']} {key}"
                group = entry["_by"][key] = {"instance": key, "label": label, "questions": [], "_tally": [0.0, 0.0]}
                entry["instances"].append(group)
            item = standard.items.get(result.id) if standard is not None else None
            group["questions"].append(self.item_row(result, item, section))
            if result.score is not None and result.applicable and result.scored:
                group["_tally"][0] += result.weight * result.score
                group["_tally"][1] += result.weight
        out = []
        for entry in found.values():
            del entry["_by"]
            for group in entry["instances"]:
                weighted, possible = group.pop("_tally")
                group["score"] = self.fmt.number(100 * weighted / possible) if possible else "–"
                group["findings"] = sum(1 for i in group["questions"] if i["finding"])
            entry["findings"] = sum(g["findings"] for g in entry["instances"])
            out.append(entry)
        return out

    def fields(self) -> list[dict[str, str]]:
        """The header fields in the standard's order (then any the standard does not know), in words."""
        given = dict(self.result.fields or {})
        rows = []
        declared = self.standard.fields or [] if self.standard is not None else []
        for spec in declared:
            if spec.id not in given or given[spec.id] is None:
                continue
            value = given.pop(spec.id)
            if spec.type == "choice":
                option = next((o for o in spec.options or [] if not isinstance(o, str) and o.value == value), None)
                shown = self.text(option.label) if option is not None and option.label is not None else str(value)
            elif spec.type == "date":
                shown = self.date_text(value)
            elif spec.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
                shown = self.fmt.number(value, 0 if float(value).is_integer() else 2)
            else:
                shown = str(value)
            rows.append({"id": spec.id, "label": self.text(spec.text), "value": shown})
        rows += [{"id": k, "label": k, "value": str(v)} for k, v in given.items() if v is not None]
        return rows

    def view(self) -> dict[str, Any]:
        """Everything the audit page shows (the caller adds the site, links and status words)."""
        r = self.result
        groups = self.groups()
        findings = sum(s["findings"] for s in groups)
        points = self.standard is not None and self.standard.scoring == "points"
        return {
            "audit": {
                "id": r.id,
                "date": self.fmt.date(r.date),
                "iso": r.date.isoformat(),
                "inspector": r.inspector,
                "subject": r.subject or "",
                "comment": r.comment or "",
                "score": self.fmt.number(r.score),
                "raw": self.fmt.number(r.raw_score),
                "raw_differs": r.raw_score != r.score,
                "grade": r.grade,
                "coverage": self.fmt.percent(r.coverage, exact=True),
                "partial_coverage": r.coverage < 1,
                "points": (
                    self.words["points_value"].format(
                        points=self.fmt.number(r.points), possible=self.fmt.number(r.points_possible)
                    )
                    if points
                    else ""
                ),
                "findings": findings,
                "version": r.standard_version,
                "file": os.path.basename(r.file),
                "critical_failures": list(r.critical_failures),
            },
            "fields": self.fields(),
            "sections": groups,
        }


def audit_paths(results: Iterable[AuditResult]) -> dict[str, str]:
    """``audits/<audit-id>.html`` of every result (in order), by audit id."""
    return {r.id: f"audits/{r.id}.html" for r in results}
