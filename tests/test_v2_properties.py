"""Random small v2 standards and valid audits for them: `qaudit score --format json` must agree with
the reference reading of the contract (tests/v2_oracle.py) on every score, section and item."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from conftest import run_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from v2_oracle import Standard, condition, differences, oracle, read_answer

SCORES = [0, 0.25, 0.5, 0.75, 1]


class Dumper(yaml.SafeDumper):
    """Booleans written as inspectors write them, `yes` and `no` (YAML 1.1 reads both as booleans)."""


Dumper.add_representer(
    bool, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:bool", "yes" if value else "no")
)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True)


TYPES = ["yes_no", "scale", "number", "choice", "multi_choice", "text", "date"]
QUALITY = [{"value": "good", "score": 1}, {"value": "fair", "score": 0.5}, {"value": "poor", "score": 0}]


def bands(draw: st.DrawFn) -> list[dict]:
    out: list[dict] = []
    bound = draw(st.integers(-2, 3))
    for _ in range(draw(st.integers(1, 3))):
        bound += draw(st.integers(1, 4))
        out.append({draw(st.sampled_from(["max", "under"])): bound, "score": draw(st.sampled_from(SCORES))})
    out.append({"score": draw(st.sampled_from(SCORES))})
    if draw(st.booleans()):
        for band in out:
            if draw(st.booleans()):
                band["flag"] = draw(st.booleans())
    return out


def options(draw: st.DrawFn, scored: bool, multi: bool) -> list[dict] | str:
    if not multi and draw(st.integers(0, 3)) == 0:
        return "quality"
    count = draw(st.integers(2, 3))
    out = [{"value": f"o{n}", "score": draw(st.sampled_from(SCORES))} for n in range(count)]
    if not multi and draw(st.integers(0, 3)) == 0:  # the option values "yes" and "no" (7.11)
        out = [{"value": "yes", "score": draw(st.sampled_from(SCORES))}, {"value": "no", "score": 0}]
    if scored and multi and sum(o["score"] for o in out) == 0:
        out[0]["score"] = 1
    if draw(st.booleans()):
        for opt in out:
            if draw(st.booleans()):
                opt["flag"] = draw(st.booleans())
    return out


def item_condition(draw: st.DrawFn, target: dict, std: Standard) -> dict:
    kind = target["type"]
    target_item = std.item(target["id"]) if std else None
    if kind == "yes_no":
        return {"item": target["id"], draw(st.sampled_from(["is", "is_not"])): draw(st.booleans())}
    if kind in ("choice", "multi_choice"):
        values = [o["value"] for o in target_item.options]
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        chosen = [{"yes": True, "no": False}.get(c, c) if draw(st.booleans()) else c for c in chosen]  # YAML yes/no
        return {"item": target["id"], draw(st.sampled_from(["is", "is_not"])): chosen if len(chosen) > 1 else chosen[0]}
    if kind in ("scale", "number"):
        low, high = target.get("min", 0), target.get("max", 12)  # a scale condition stays in its range
        cond: dict[str, Any] = {"item": target["id"]}
        which = draw(st.sampled_from(["min", "max", "both", "is"]))
        if which == "is":
            cond["is"] = draw(st.integers(low, high))
        if which in ("min", "both"):
            cond["min"] = draw(st.integers(low, high))
        if which in ("max", "both"):
            cond["max"] = draw(st.integers(cond.get("min", low), high))
        return cond
    if kind == "date":
        return {"item": target["id"], "is": "2026-03-01"}
    return {"item": target["id"], "is": draw(st.sampled_from(["ok", "na"]))}  # text


def when(draw: st.DrawFn, targets: list[dict], std: Standard) -> dict | None:
    if not targets or draw(st.integers(0, 2)) > 0:
        return None
    first = item_condition(draw, draw(st.sampled_from(targets)), std)
    shape = draw(st.sampled_from(["plain", "plain", "not", "all", "any"]))
    if shape == "plain":
        return first
    if shape == "not":
        return {"not": first}
    return {shape: [first, item_condition(draw, draw(st.sampled_from(targets)), std)]}


@st.composite
def standards(draw: st.DrawFn) -> dict:
    points = draw(st.booleans())
    raw: dict[str, Any] = {
        "schema": "qaudit/standard@2",
        "id": "gen",
        "version": 1,
        "title": "Generated",
        "option_sets": {"quality": [dict(o) for o in QUALITY]},
        "sections": [],
    }
    if draw(st.booleans()):
        raw["option_sets"]["quality"][1]["flag"] = draw(st.booleans())
    if points:
        raw["scoring"] = "points"
    raw["pass_score"] = draw(st.sampled_from([None, 60, 75, 80]))
    raw["critical_failure"] = draw(st.sampled_from(["fail_audit", "zero_score"]))
    if draw(st.booleans()):
        raw["flag_below"] = draw(st.sampled_from([0.5, 0.75, 1]))
    if draw(st.booleans()):
        raw["grades"] = [{"grade": "A", "min": 85}, {"grade": "B", "min": 60}, {"grade": "C", "min": 0}]
    if draw(st.booleans()):
        raw["fields"] = [
            {"id": "room", "text": "Room", "type": "text", "required": True},
            {"id": "kind", "text": "Kind", "type": "choice", "options": "quality"},
            {"id": "day", "text": "Day", "type": "date"},
            {"id": "guests", "text": "Guests", "type": "number"},
        ]
    outside: list[dict] = []  # items outside repeated sections, in order
    n = 0
    for s in range(draw(st.integers(1, 4))):
        sec: dict[str, Any] = {"id": f"s{s}", "title": f"Section {s}", "items": []}
        repeated = s > 0 and draw(st.integers(0, 2)) == 0
        if repeated:
            low = draw(st.integers(1, 2))
            sec["repeat"] = {"min": low}
            if draw(st.booleans()):
                sec["repeat"]["max"] = low + draw(st.integers(0, 2))
        if not points and draw(st.booleans()):
            sec["weight"] = draw(st.sampled_from([1, 2, 3, 0.5]))
        std = Standard({**raw, "sections": [*raw["sections"], {"id": "x", "items": []}]})
        if s > 0:
            condition_ = when(draw, list(outside), std)
            if condition_:
                sec["when"] = condition_
        local: list[dict] = []
        for i in range(draw(st.integers(1, 4))):
            first = s == 0 and i == 0
            kind = draw(st.sampled_from(["yes_no", "scale"] if first else TYPES))
            it: dict[str, Any] = {"id": f"i{n}", "text": f"Item {n}", "type": kind}
            n += 1
            scored = kind not in ("text", "date") and (first or draw(st.integers(0, 5)) > 0)
            if kind not in ("text", "date"):
                if not scored:
                    it["scored"] = False
                if draw(st.booleans()):
                    it["weight"] = draw(st.sampled_from([1, 2, 3, 0.5]))
                if scored and kind in ("yes_no", "scale", "choice") and draw(st.integers(0, 4)) == 0:
                    it["critical"] = True
                if not first and draw(st.integers(0, 4)) == 0:
                    it["na_allowed"] = True
                if scored and draw(st.integers(0, 4)) == 0:
                    it["flag_below"] = draw(st.sampled_from([0.5, 0.75, 1]))
            elif draw(st.booleans()):
                it["required"] = False
            if kind == "scale":
                it["min"] = draw(st.integers(0, 1))
                it["max"] = it["min"] + draw(st.integers(1, 4))
            if kind == "number":
                it["bands"] = bands(draw)
            if kind in ("choice", "multi_choice"):
                it["options"] = options(draw, scored, kind == "multi_choice")
            if not first:
                std = Standard({**raw, "sections": [*raw["sections"], {**sec, "items": [*sec["items"], it]}]})
                condition_ = when(draw, (local if repeated else []) + outside, std)
                if condition_:
                    it["when"] = condition_
            sec["items"].append(it)
            (local if repeated else outside).append(it)
        raw["sections"].append(sec)
    return raw


def answer(draw: st.DrawFn, it: dict, std: Standard) -> Any:
    kind = it["type"]
    if it.get("na_allowed") and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(["na", "N/A", {"value": "na", "comment": "not seen"}]))
    if kind == "yes_no":
        value: Any = draw(st.sampled_from([True, False, True, "pass", "fail"]))
    elif kind == "scale":
        value = draw(st.integers(it["min"], it["max"]))
    elif kind == "number":
        bounds = [b.get("max", b.get("under")) for b in it["bands"] if len(b) > 1]
        near = [x + d for x in bounds if x is not None for d in (-0.5, 0, 0.5)]
        value = draw(st.sampled_from(near + [-3, 0, 7, 20]))
    elif kind == "choice":
        value = draw(st.sampled_from([o["value"] for o in std.item(it["id"]).options]))
        if value in ("yes", "no") and draw(st.booleans()):
            value = value == "yes"  # written unquoted: YAML's yes for the option "yes"
    elif kind == "multi_choice":
        value = draw(st.lists(st.sampled_from([o["value"] for o in std.item(it["id"]).options]), unique=True))
    elif kind == "text":
        value = draw(st.sampled_from(["ok", "na", "Bob", "12"]))
    else:
        value = draw(st.sampled_from([dt.date(2026, 3, 1), dt.date(2026, 2, 28)]))
    if draw(st.integers(0, 4)) == 0:
        return {"value": value, "comment": "seen"}
    return value


def fill(draw: st.DrawFn, sec: dict, std: Standard, applies: bool, known: dict, into: dict) -> None:
    """Answers for one section (or one instance), respecting every condition."""
    for raw_item in sec["items"]:
        it = std.item(raw_item["id"])
        ok = applies and ("when" not in raw_item or condition(raw_item["when"], known))
        if not ok:
            how = draw(st.integers(0, 3))
            if how == 1:
                into[it.id] = "na"
            elif how == 2:
                into[it.id] = {"value": "na", "comment": "does not apply"}
        elif raw_item["type"] in ("text", "date") and raw_item.get("required") is False and draw(st.booleans()):
            pass
        else:
            into[it.id] = answer(draw, raw_item, std)
        known[it.id] = read_answer(it, into, ok, None, std)


@st.composite
def audits(draw: st.DrawFn, raw: dict, number: int) -> dict:
    std = Standard(raw)
    responses: dict[str, Any] = {}
    known: dict = {}
    for sec in raw["sections"]:
        applies = "when" not in sec or condition(sec["when"], known)
        if "repeat" not in sec:
            fill(draw, sec, std, applies, known, responses)
            continue
        if not applies:
            continue
        low = sec["repeat"]["min"]
        count = draw(st.integers(low, sec["repeat"].get("max", low + 2)))
        labels = draw(
            st.lists(st.sampled_from(["101", "102", "a", "b", "Room 7"]), min_size=count, max_size=count, unique=True)
        )
        entries = []
        for label in labels:
            entry: dict[str, Any] = {"instance": label}
            fill(draw, sec, std, True, dict(known), entry)
            entries.append(entry)
        responses[sec["id"]] = entries
    audit: dict[str, Any] = {
        "schema": draw(st.sampled_from(["qaudit/audit@1", "qaudit/audit@2"])),
        "id": f"a{number}",
        "standard": "gen",
        "standard_version": 1,
        "site": draw(st.sampled_from(["s1", "s2"])),
        "inspector": "Ann",
        "date": draw(st.sampled_from([dt.date(2026, 3, 1), dt.date(2026, 3, 2)])),
    }
    subject = draw(st.sampled_from([None, "412", "b"]))
    if subject is not None:
        audit["subject"] = subject
    if raw.get("fields"):
        fields: dict[str, Any] = {"room": draw(st.sampled_from(["412", "Suite"]))}
        if draw(st.booleans()):
            fields["kind"] = "fair"
        if draw(st.booleans()):
            fields["day"] = dt.date(2026, 3, 1)
        if draw(st.booleans()):
            fields["guests"] = draw(st.sampled_from([2, 3.5]))
        audit["fields"] = fields
    if draw(st.booleans()):
        audit["comment"] = "Overall fine."
    audit["responses"] = responses
    return audit


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict, list[dict]]:
    raw = draw(standards())
    return raw, [draw(audits(raw, n)) for n in range(draw(st.integers(1, 3)))]


# No shrinking: one run of the CLI takes a noticeable fraction of a second; a failure prints the whole case.
@settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_random_v2_audits_score_as_the_contract_says(case: tuple[dict, list[dict]]) -> None:
    raw, generated = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "standards").mkdir()
        (root / "standards" / "gen.yaml").write_text(dump(raw), encoding="utf-8")
        for audit in generated:
            (root / f"{audit['id']}.yaml").write_text(dump(audit), encoding="utf-8")
        result = run_cli(
            "score",
            *(str(root / f"{a['id']}.yaml") for a in generated),
            "--standards",
            str(root / "standards"),
            "--format",
            "json",
            "--no-cache",
        )
    shown = dump({"standard": raw, "audits": generated})
    assert "Traceback" not in result.stdout + result.stderr, shown
    assert result.stdout.startswith("{"), (result.stdout, result.stderr, shown)
    out = json.loads(result.stdout)
    assert out["errors"] == [], (out["errors"], shown)
    assert result.code == 0
    got = {a["id"]: a for a in out["audits"]}
    assert sorted(got) == sorted(a["id"] for a in generated)
    for audit in generated:
        want = oracle(raw, audit, audit["id"])
        assert differences(got[audit["id"]], want) == [], shown
