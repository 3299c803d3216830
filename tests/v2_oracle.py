"""A reference reading of the scoring contract, written from FORMATS.md alone (sections 3, 4, 6 and 7).

Plain and slow on purpose: every rule is one visible line, so that the acceptance and property
tests can compare qaudit's public output with what the contract says. It reads standards and
audits as `yaml.safe_load` gives them and assumes they are valid (validation is checked
separately, by hand-written cases).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import combinations
from statistics import median
from typing import Any

DEFAULT_GRADES = [
    {"grade": "A", "min": 90},
    {"grade": "B", "min": 80},
    {"grade": "C", "min": 65},
    {"grade": "D", "min": 0},
]
UNSCORED_TYPES = ("text", "date")


# ---------------------------------------------------------------- small readings of values


def is_na(value: Any) -> bool:
    """`na` or `n/a`, any case (section 2)."""
    return isinstance(value, str) and value.lower() in ("na", "n/a")


def yes_no(value: Any) -> bool | None:
    """A yes_no answer or condition value as a bool: YAML booleans, yes/no/pass/fail in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "pass"):
        return True
    if isinstance(value, str) and value.lower() in ("no", "fail"):
        return False
    return None


def option_key(value: Any) -> Any:
    """Option values compared as written; YAML's yes/no stand for the option values "yes"/"no" (7.11)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------- the standard


@dataclass
class Item:
    raw: dict
    section: str
    options: list[dict] | None  # option-set names resolved

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def type(self) -> str:
        return self.raw["type"]

    @property
    def weight(self) -> float:
        return self.raw.get("weight", 1)

    @property
    def critical(self) -> bool:
        return bool(self.raw.get("critical", False))

    @property
    def scored(self) -> bool:
        """The item's own property (7.11): text and date never, others unless `scored: false`."""
        return self.type not in UNSCORED_TYPES and self.raw.get("scored", True) is not False

    @property
    def bands(self) -> list[dict]:
        return self.raw.get("bands") or []

    @property
    def flag_mode(self) -> bool:
        """Any option or band with a `flag` key, true or false (7.11)."""
        return any("flag" in entry for entry in (self.options or []) + self.bands)

    def band(self, value: float) -> int:
        """Index of the first band taking the value (`max` inclusive, `under` strict, no bound: any), else the last."""
        for index, band in enumerate(self.bands):
            if "max" in band and value <= band["max"]:
                return index
            if "under" in band and value < band["under"]:
                return index
            if "max" not in band and "under" not in band:
                return index
        return len(self.bands) - 1

    def option(self, value: Any) -> dict:
        for opt in self.options or []:
            if option_key(opt["value"]) == option_key(value):
                return opt
        raise ValueError(f"{self.id}: {value!r} is not an option")

    def score(self, value: Any) -> float | None:
        """Item score in [0, 1] of an answered value, None for an unscored item."""
        if not self.scored:
            return None
        kind = self.type
        if kind == "yes_no":
            return 1.0 if yes_no(value) else 0.0
        if kind == "scale":
            return (value - self.raw["min"]) / (self.raw["max"] - self.raw["min"])
        if kind == "number":
            return float(self.bands[self.band(value)]["score"])
        if kind == "choice":
            return float(self.option(value)["score"])
        if kind == "multi_choice":
            total = sum(opt["score"] for opt in self.options or [])
            return sum(self.option(v)["score"] for v in value) / total
        raise ValueError(kind)

    def flagged(self, value: Any) -> bool:
        """In flag mode: the chosen option (any chosen, for multi_choice) or matched band says `flag: true`."""
        if self.type == "choice":
            return self.option(value).get("flag") is True
        if self.type == "multi_choice":
            return any(self.option(v).get("flag") is True for v in value)
        if self.type == "number":
            return self.bands[self.band(value)].get("flag") is True
        return False


@dataclass
class Section:
    raw: dict
    items: list[Item]

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def weight(self) -> float:
        return self.raw.get("weight", 1)

    @property
    def repeated(self) -> bool:
        return "repeat" in self.raw


class Standard:
    def __init__(self, raw: dict) -> None:
        self.raw = raw
        sets = raw.get("option_sets") or {}
        self.sections = []
        for sec in raw["sections"]:
            items = []
            for item in sec["items"]:
                options = item.get("options")
                if isinstance(options, str):
                    options = sets[options]
                items.append(Item(item, sec["id"], options))
            self.sections.append(Section(sec, items))
        self.field_options = {}
        for f in raw.get("fields") or []:
            options = f.get("options")
            self.field_options[f["id"]] = sets[options] if isinstance(options, str) else options

    @property
    def points_mode(self) -> bool:
        return self.raw.get("scoring", "sections") == "points"

    @property
    def pass_score(self) -> float | None:
        return self.raw.get("pass_score", 80)  # an explicit null stays None

    @property
    def grades(self) -> list[dict]:
        return self.raw.get("grades") or DEFAULT_GRADES

    @property
    def flag_below(self) -> float:
        return self.raw.get("flag_below", 1)

    def item(self, item_id: str) -> Item:
        for sec in self.sections:
            for item in sec.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)

    def grade(self, score: float, critical: bool) -> str:
        if critical:
            return self.grades[-1]["grade"]
        for g in self.grades:
            if g["min"] <= score:
                return g["grade"]
        return self.grades[-1]["grade"]


# ---------------------------------------------------------------- answers and conditions


@dataclass
class Answer:
    """One item's response in one instance: `state` is value | na | missing | inapplicable."""

    item: Item
    instance: str | None
    state: str
    value: Any = None
    comment: str | None = None
    score: float | None = None
    finding: bool = False
    critical_failure: bool = False


def condition(cond: dict, lookup: dict[str, Answer]) -> bool:
    """A `when` condition (7.4 with 7.11's readings) against the answers known so far."""
    if "all" in cond:
        return all(condition(c, lookup) for c in cond["all"])
    if "any" in cond:
        return any(condition(c, lookup) for c in cond["any"])
    if "not" in cond:
        return not condition(cond["not"], lookup)
    answer = lookup.get(cond["item"])
    if answer is None or answer.state != "value":  # N/A, not applicable, unanswered: false
        return False
    ok = True
    if "is" in cond:
        ok = ok and matches(answer.item, answer.value, cond["is"])
    if "is_not" in cond:
        ok = ok and not matches(answer.item, answer.value, cond["is_not"])
    if "min" in cond or "max" in cond:
        if answer.item.type not in ("number", "scale"):
            return False
        ok = ok and ("min" not in cond or answer.value >= cond["min"])
        ok = ok and ("max" not in cond or answer.value <= cond["max"])
    return ok


def matches(item: Item, value: Any, expected: Any) -> bool:
    wanted = expected if isinstance(expected, list) else [expected]
    if item.type == "yes_no":
        return any(yes_no(w) is not None and yes_no(w) == yes_no(value) for w in wanted)
    if item.type == "multi_choice":
        keys = [option_key(w) for w in wanted]
        return any(option_key(v) in keys for v in value)
    if item.type == "choice":
        return option_key(value) in [option_key(w) for w in wanted]
    if item.type in ("number", "scale"):
        return any(is_number(w) and w == value for w in wanted)
    if item.type == "date":
        return iso(value) in [iso(w) for w in wanted]
    return value in [w for w in wanted if isinstance(w, str)]  # text


def read_answer(item: Item, responses: dict, applicable: bool, instance: str | None, std: Standard) -> Answer:
    if not applicable:
        return Answer(item, instance, "inapplicable")
    if item.id not in responses:
        return Answer(item, instance, "missing")
    response = responses[item.id]
    value, comment = response, None
    if isinstance(response, dict):
        value, comment = response.get("value"), response.get("comment")
    if item.type == "text" and value == "":
        return Answer(item, instance, "missing", comment=comment)
    if item.type != "text" and is_na(value):
        return Answer(item, instance, "na", comment=comment)
    if item.type == "yes_no":
        value = yes_no(value)
    if item.type == "choice":
        value = item.option(value)["value"]  # YAML's yes stands for the option "yes"
    if item.type == "multi_choice":
        value = [item.option(v)["value"] for v in value]
    answer = Answer(item, instance, "value", value, comment)
    answer.score = item.score(value)
    answer.critical_failure = item.critical and item.scored and answer.score == 0
    if answer.critical_failure:
        answer.finding = True  # a critical failure is always a finding
    elif item.flag_mode:
        answer.finding = item.flagged(value)
    elif item.scored:
        answer.finding = answer.score < item.raw.get("flag_below", std.flag_below)
    return answer


# ---------------------------------------------------------------- scoring one audit


def weighted(answers: list[Answer]) -> float | None:
    """100 × Σ wᵢ·sᵢ / Σ wᵢ over the answers that carry a score; None when none does."""
    scored = [a for a in answers if a.score is not None]
    total = sum(a.item.weight for a in scored)
    if not scored:
        return None
    return 100 * sum(a.item.weight * a.score for a in scored) / total


def read_all(std: Standard, responses: dict) -> tuple[list[Answer], dict[str, bool], dict[str, list[list[Answer]]]]:
    """Every answer in output order; each section's applicability; each section's answers per instance."""
    known: dict[str, Answer] = {}  # items outside repeated sections, for conditions
    rows: list[Answer] = []
    applicable: dict[str, bool] = {}
    groups: dict[str, list[list[Answer]]] = {}
    for sec in std.sections:
        applies = "when" not in sec.raw or condition(sec.raw["when"], known)
        applicable[sec.id] = applies
        if not sec.repeated:
            group = []
            for item in sec.items:
                item_applies = applies and ("when" not in item.raw or condition(item.raw["when"], known))
                answer = read_answer(item, responses, item_applies, None, std)
                known[item.id] = answer
                group.append(answer)
            groups[sec.id] = [group]
            rows.extend(group)
            continue
        groups[sec.id] = []
        entries = responses.get(sec.id)
        for entry in entries if isinstance(entries, list) else []:
            local = dict(known)  # the same instance's items, and items outside repeated sections
            group = []
            for item in sec.items:
                item_applies = applies and ("when" not in item.raw or condition(item.raw["when"], local))
                answer = read_answer(item, entry, item_applies, entry["instance"], std)
                local[item.id] = answer
                group.append(answer)
            groups[sec.id].append(group)
            rows.extend(group)
    return rows, applicable, groups


def score_audit(standard: dict, audit: dict, audit_id: str) -> dict:
    """The audit's JSON result (sections 4 and 7.9). Unrounded figures are kept under `_exact`."""
    std = Standard(standard)
    rows, applicable, groups = read_all(std, audit.get("responses") or {})
    section_scores: dict[str, float | None] = {}
    for sec in std.sections:
        answers = [a for group in groups[sec.id] for a in group]
        if not applicable[sec.id]:
            section_scores[sec.id] = None
        elif std.points_mode or not sec.repeated:
            section_scores[sec.id] = weighted(answers)  # under points, all instances pooled
        else:
            per_instance = [weighted(group) for group in groups[sec.id]]
            per_instance = [s for s in per_instance if s is not None]
            section_scores[sec.id] = sum(per_instance) / len(per_instance) if per_instance else None
    scored = [a for a in rows if a.score is not None]
    points = sum(a.item.weight * a.score for a in scored)
    possible = sum(a.item.weight for a in scored)
    if std.points_mode:
        if not scored:
            raise ValueError("no scored item: the audit is invalid")
        raw = 100 * points / possible
    else:
        counted = [sec for sec in std.sections if section_scores[sec.id] is not None]
        if not counted:
            raise ValueError("no scored section: the audit is invalid")
        raw = sum(sec.weight * section_scores[sec.id] for sec in counted) / sum(sec.weight for sec in counted)
    critical = []
    for a in rows:
        if a.critical_failure and a.item.id not in critical:
            critical.append(a.item.id)
    zero = bool(critical) and standard.get("critical_failure", "fail_audit") == "zero_score"
    score = 0.0 if zero else round(raw, 2)
    site = audit["site"]["id"] if isinstance(audit["site"], dict) else audit["site"]
    return {
        "id": audit.get("id", audit_id),
        "site": site,
        "date": iso(audit["date"]),
        "inspector": audit["inspector"],
        "standard": audit["standard"],
        "standard_version": audit["standard_version"],
        "subject": audit.get("subject"),
        "fields": {k: iso(v) for k, v in (audit.get("fields") or {}).items()},
        "comment": audit.get("comment"),
        "score": score,
        "raw_score": round(raw, 2),
        "grade": std.grade(score, bool(critical)),
        "passed": None if std.pass_score is None else (not critical and score >= std.pass_score),
        "critical_failures": critical,
        "points": round(points, 2),
        "points_possible": round(possible, 2),
        "sections": [
            {
                "id": sec.id,
                "score": None if section_scores[sec.id] is None else round(section_scores[sec.id], 2),
                "weight": sec.weight,
            }
            for sec in std.sections
        ],
        "items": [
            {
                "id": a.item.id,
                "section": a.item.section,
                "instance": a.instance,
                "value": iso(a.value) if a.state == "value" else None,
                "na": a.state == "na",
                "applicable": a.state != "inapplicable",
                "scored": a.item.scored,
                "finding": a.finding,
                "score": a.score,
            }
            for a in rows
        ],
        "_exact": {
            "raw": raw,
            "points": points,
            "points_possible": possible,
            "sections": section_scores,
            "zero": zero,
            "critical": bool(critical),
        },
        "_answers": rows,
    }


def sort_key(result: dict) -> tuple:
    """Audits sorted by (site, date, subject with null first, id) (7.9)."""
    subject = result.get("subject")
    return (result["site"], result["date"], subject is not None, subject or "", result["id"])


def public(result: dict) -> dict:
    """The result without the oracle's private keys."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


# ---------------------------------------------------------------- comparing with qaudit's output

SCORE_KEYS = ("score", "raw_score")
EXACT_KEYS = (
    "id",
    "site",
    "date",
    "inspector",
    "standard",
    "standard_version",
    "grade",
    "passed",
    "critical_failures",
    "points",
    "points_possible",
    "subject",
    "comment",
)
ITEM_EXACT = ("id", "section", "instance", "value", "na", "applicable", "scored", "finding")


def roundings(x: float) -> set[float]:
    """The 2-decimal roundings a float computation of x may honestly give (x at a .xx5 boundary has two)."""
    return {round(x * (1 + e), 2) for e in (-1e-12, 0, 1e-12)} | {round(x, 2)}


def differences(got: dict, want: dict, *, v1: bool = False) -> list[str]:
    """Every way qaudit's audit result `got` differs from the oracle's `want` (empty when they agree).

    Scores to 0.01; grade, passed, points and the item facts exactly. When the oracle's raw score sits
    on a rounding boundary, grade and pass are checked against whichever rounding qaudit chose.
    With `v1`, only the keys of contract v1 are compared.
    """
    out: list[str] = []
    where = want["id"]
    exact = want["_exact"]
    for key in SCORE_KEYS:
        if got.get(key) is None or abs(got[key] - want[key]) > 0.01 + 1e-9:
            out.append(f"{where}: {key} {got.get(key)!r} != {want[key]!r}")
    std_like = want.get("_grade_of")
    for key in EXACT_KEYS:
        if v1 and key in ("points", "points_possible", "subject", "comment"):
            continue
        g, w = got.get(key, "<absent>"), want[key]
        if key in ("points", "points_possible"):
            if g not in roundings(exact[key]):
                out.append(f"{where}: {key} {g!r} != {w!r}")
            continue
        boundary = not exact["zero"] and got.get("score") in roundings(exact["raw"])
        if key in ("grade", "passed") and std_like and boundary:
            w = std_like(got["score"])[0 if key == "grade" else 1]
        if g != w:
            out.append(f"{where}: {key} {g!r} != {w!r}")
    if not v1:
        got_fields = {k: v for k, v in (got.get("fields") or {}).items() if v is not None}
        if got_fields != want["fields"]:
            out.append(f"{where}: fields {got.get('fields')!r} != {want['fields']!r}")
    gs, ws = got.get("sections") or [], want["sections"]
    if [s["id"] for s in gs] != [s["id"] for s in ws]:
        out.append(f"{where}: sections {[s['id'] for s in gs]} != {[s['id'] for s in ws]}")
    else:
        for g, w in zip(gs, ws, strict=True):
            if (g["score"] is None) != (w["score"] is None) or (
                w["score"] is not None and abs(g["score"] - w["score"]) > 0.01 + 1e-9
            ):
                out.append(f"{where}: section {w['id']} score {g['score']!r} != {w['score']!r}")
            if g.get("weight") != w["weight"]:
                out.append(f"{where}: section {w['id']} weight {g.get('weight')!r} != {w['weight']!r}")
    gi, wi = got.get("items") or [], want["items"]
    label = (lambda r: (r["id"], r.get("instance"))) if not v1 else (lambda r: (r["id"], None))
    if [label(r) for r in gi] != [label(r) for r in wi]:
        out.append(f"{where}: items {[label(r) for r in gi]} != {[label(r) for r in wi]}")
        return out
    for g, w in zip(gi, wi, strict=True):
        keys = ("id", "section", "value", "na") if v1 else ITEM_EXACT
        for key in keys:
            if g.get(key, "<absent>") != w[key]:
                out.append(f"{where}: item {label(w)} {key} {g.get(key, '<absent>')!r} != {w[key]!r}")
        if (g.get("score") is None) != (w["score"] is None) or (
            w["score"] is not None and abs(g["score"] - w["score"]) > 0.01 + 1e-9
        ):
            out.append(f"{where}: item {label(w)} score {g.get('score')!r} != {w['score']!r}")
    return out


def oracle(standard: dict, audit: dict, audit_id: str) -> dict:
    """score_audit, plus the grade/pass rule of the standard for boundary checks."""
    result = score_audit(standard, audit, audit_id)
    std = Standard(standard)
    critical = bool(result["critical_failures"])

    def grade_of(score: float) -> tuple[str, bool | None]:
        passed = None if std.pass_score is None else (not critical and score >= std.pass_score)
        return std.grade(score, critical), passed

    result["_grade_of"] = grade_of
    return result


# ---------------------------------------------------------------- follow-up (7.10)


@dataclass
class Scored:
    """One scored audit, with the standard (as parsed) it was scored against."""

    standard: dict
    audit: dict
    result: dict
    answers: list[Answer] = field(default_factory=list)

    @classmethod
    def of(cls, standard: dict, audit: dict, audit_id: str) -> Scored:
        result = score_audit(standard, audit, audit_id)
        return cls(standard, audit, result, result["_answers"])


def visits(scored: list[Scored]) -> dict[tuple[str, str], dict[str, list[Scored]]]:
    """(site, standard id) → date → the audits of that visit."""
    out: dict[tuple[str, str], dict[str, list[Scored]]] = {}
    for s in scored:
        key = (s.result["site"], s.result["standard"])
        out.setdefault(key, {}).setdefault(s.result["date"], []).append(s)
    return out


def actions(
    scored: list[Scored], today: str, owners: dict[str, str] | None = None, critical_days: int = 2, other_days: int = 14
) -> list[dict]:
    owners = owners or {}
    found: dict[tuple, list[tuple[Scored, Answer]]] = {}
    for (site, standard), by_date in visits(scored).items():
        latest = max(by_date)
        for s in by_date[latest]:
            for a in s.answers:
                if a.finding:
                    key = (site, standard, a.item.id, s.result["subject"], a.instance)
                    found.setdefault(key, []).append((s, a))
    out = []
    for (site, standard, item, subject, instance), hits in found.items():
        hits.sort(key=lambda h: h[0].result["id"])
        first, first_answer = hits[0]
        scores = [a.score for _, a in hits if a.score is not None]
        date = dt.date.fromisoformat(first.result["date"])
        critical = first_answer.item.critical
        due = date + dt.timedelta(days=critical_days if critical else other_days)
        out.append(
            {
                "site": site,
                "standard": standard,
                "item": item,
                "subject": subject,
                "instance": instance,
                "standard_version": first.result["standard_version"],
                "audit": first.result["id"],
                "audits": [s.result["id"] for s, _ in hits],
                "date": first.result["date"],
                "score": min(scores) if scores else None,
                "critical": critical,
                "comment": first_answer.comment,
                "owner": owners.get(site),
                "due": due.isoformat(),
                "overdue": due.isoformat() < today,
            }
        )
    out.sort(
        key=lambda a: (
            a["site"],
            a["standard"],
            a["item"],
            a["subject"] is not None,
            a["subject"] or "",
            a["instance"] is not None,
            a["instance"] or "",
        )
    )
    return out


def theil_sen(points: list[tuple[float, float]]) -> float:
    return median((y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in combinations(points, 2) if x2 != x1)


def trends(scored: list[Scored]) -> list[dict]:
    out = []
    for (site, standard), by_date in visits(scored).items():
        dates = sorted(by_date)
        visit_scores = [round(sum(s.result["score"] for s in by_date[d]) / len(by_date[d]), 2) for d in dates]
        start = dt.date.fromisoformat(dates[0])
        days = [(dt.date.fromisoformat(d) - start).days for d in dates]
        out.append(
            {
                "site": site,
                "standard": standard,
                "audits": sum(len(v) for v in by_date.values()),
                "visits": len(dates),
                "first": dates[0],
                "last": dates[-1],
                "latest_score": visit_scores[-1],
                "change": visit_scores[-1] - visit_scores[-2] if len(dates) > 1 else None,
                "slope": 30 * theil_sen(list(zip(days, visit_scores, strict=True))) if len(dates) >= 3 else None,
            }
        )
    out.sort(key=lambda t: (t["site"], t["standard"]))
    return out


def calibration_label(a: Answer) -> Any:
    if a.state == "na":
        return "na"
    kind = a.item.type
    if kind == "yes_no":
        return "yes" if a.value else "no"
    if kind == "number":
        return a.item.band(a.value)
    if kind == "multi_choice":
        return tuple(sorted(option_key(v) for v in a.value))
    if kind == "choice":
        return option_key(a.value)
    return a.value


def kappa_of(la: list[Any], lb: list[Any]) -> tuple[float | None, float | None]:
    n = len(la)
    if n == 0:
        return None, None
    po = sum(x == y for x, y in zip(la, lb, strict=True)) / n
    labels = set(la) | set(lb)
    pe = sum((la.count(c) / n) * (lb.count(c) / n) for c in labels)
    if math.isclose(pe, 1.0):
        return po, 1.0 if po == 1 else 0.0
    return po, (po - pe) / (1 - pe)


def compared_labels(a: Scored, b: Scored) -> tuple[list[Any], list[Any]]:
    def table(s: Scored) -> dict[tuple[str, str | None], Answer]:
        return {(x.item.id, x.instance): x for x in s.answers}

    ta, tb = table(a), table(b)
    la, lb = [], []
    for key, x in ta.items():
        y = tb.get(key)
        if y is None or x.item.type in UNSCORED_TYPES:
            continue
        # applicable in both; N/A in one and answered in the other is compared; unanswered is not
        if x.state in ("inapplicable", "missing") or y.state in ("inapplicable", "missing"):
            continue
        la.append(calibration_label(x))
        lb.append(calibration_label(y))
    return la, lb


def calibration(scored: list[Scored]) -> dict:
    pairs = []
    for (site, standard), by_date in visits(scored).items():
        for date, audits in by_date.items():
            for a, b in combinations(audits, 2):
                if a.result["standard_version"] != b.result["standard_version"]:
                    continue
                if a.result["subject"] != b.result["subject"] or a.result["inspector"] == b.result["inspector"]:
                    continue
                if a.result["inspector"] > b.result["inspector"]:
                    a, b = b, a
                la, lb = compared_labels(a, b)
                agreement, kappa = kappa_of(la, lb)
                pairs.append(
                    {
                        "site": site,
                        "date": date,
                        "standard": standard,
                        "standard_version": a.result["standard_version"],
                        "subject": a.result["subject"],
                        "inspectors": [a.result["inspector"], b.result["inspector"]],
                        "items": len(la),
                        "agreement": agreement,
                        "kappa": kappa,
                    }
                )
    inspectors = []
    for name in sorted({s.result["inspector"] for s in scored}):
        own = [s for s in scored if s.result["inspector"] == name]
        diffs = []
        for s in own:
            others = [
                o.result["score"]
                for o in scored
                if o.result["inspector"] != name
                and o.result["site"] == s.result["site"]
                and o.result["standard"] == s.result["standard"]
            ]
            if others:
                diffs.append(s.result["score"] - sum(others) / len(others))
        inspectors.append(
            {"inspector": name, "audits": len(own), "mean_difference": sum(diffs) / len(diffs) if diffs else None}
        )
    return {"pairs": pairs, "inspectors": inspectors}
