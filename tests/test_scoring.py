"""The scoring model (contract §3): hand-computed examples for every rule, and properties for all inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qaudit.load.audits import Audit, Response
from qaudit.model.standard import Standard
from qaudit.scoring.scorer import NothingToScore, score


def standard(sections: list[dict[str, Any]], **extra: Any) -> Standard:
    return Standard.model_validate(
        {"schema": "qaudit/standard@1", "id": "s", "version": 1, "title": "T", "sections": sections, **extra}
    )


def audit(answers: dict[str, Any]) -> Audit:
    responses = {
        k: Response(None, True) if v == "na" else (v if isinstance(v, Response) else Response(v))
        for k, v in answers.items()
    }
    return Audit("a", "a.yaml", "s", 1, "site", "Inspector", dt.date(2026, 11, 20), responses)


YES_NO = {"type": "yes_no", "text": "t"}
BANDS = [{"max": 0, "score": 1}, {"max": 5, "score": 0.5}, {"score": 0}]


def test_item_scores_by_type() -> None:
    std = standard(
        [
            {
                "id": "a",
                "title": "A",
                "items": [
                    {"id": "y", **YES_NO},
                    {"id": "s", "type": "scale", "text": "t", "min": 1, "max": 5},
                    {"id": "n", "type": "number", "text": "t", "bands": BANDS},
                    {
                        "id": "c",
                        "type": "choice",
                        "text": "t",
                        "options": [
                            {"value": "full", "score": 1},
                            {"value": "partial", "score": 0.5},
                            {"value": "none", "score": 0},
                        ],
                    },
                ],
            }
        ]
    )
    r = score(std, audit({"y": True, "s": 4, "n": 5, "c": "partial"}))
    # yes 1; scale (4-1)/(5-1) = 0.75; 5 is in the band max 5 → 0.5; partial 0.5.
    assert [i.score for i in r.items] == [1.0, 0.75, 0.5, 0.5]
    # Section = 100 × (1 + 0.75 + 0.5 + 0.5) / 4 = 68.75.
    assert r.sections[0].score == 68.75 and r.score == 68.75 and r.raw_score == 68.75
    # Bands: 0 → first band; 5.0001 → the catch-all; -3 → first band (max 0 ≥ -3); above every max → last.
    for value, expected in [(0, 1.0), (0.0001, 0.5), (5.0001, 0.0), (-3, 1.0), (1000, 0.0)]:
        assert score(std, audit({"y": True, "s": 1, "n": value, "c": "none"})).items[2].score == expected
    no = score(std, audit({"y": False, "s": 1, "n": 99, "c": "none"}))
    assert no.score == 0.0 and no.grade == "D" and not no.passed


def test_weighted_items_and_sections() -> None:
    std = standard(
        [
            {
                "id": "a",
                "title": "A",
                "weight": 2,
                "items": [{"id": "a1", **YES_NO, "weight": 3}, {"id": "a2", **YES_NO}],
            },
            {"id": "b", "title": "B", "weight": 1, "items": [{"id": "b1", **YES_NO}, {"id": "b2", **YES_NO}]},
        ]
    )
    r = score(std, audit({"a1": True, "a2": False, "b1": False, "b2": False}))
    # a = 100 × 3/4 = 75; b = 0; total = (2 × 75 + 1 × 0) / 3 = 50.
    assert [s.score for s in r.sections] == [75.0, 0.0]
    assert r.score == 50.0 and r.grade == "D" and not r.passed


def test_na_is_left_out_of_numerator_and_denominator() -> None:
    std = standard(
        [
            {
                "id": "a",
                "title": "A",
                "items": [{"id": "x", **YES_NO, "weight": 2}, {"id": "y", **YES_NO, "na_allowed": True, "weight": 5}],
            }
        ]
    )
    r = score(std, audit({"x": True, "y": "na"}))
    assert r.score == 100.0 and r.items[1].na and r.items[1].score is None
    # Coverage: answered item weight 2 of 7.
    assert r.coverage == round(2 / 7, 4)


def test_section_with_all_items_na_has_no_score_and_is_left_out() -> None:
    std = standard(
        [
            {"id": "a", "title": "A", "weight": 3, "items": [{"id": "a1", **YES_NO, "na_allowed": True}]},
            {
                "id": "b",
                "title": "B",
                "weight": 1,
                "items": [{"id": "b1", "type": "scale", "text": "t", "min": 0, "max": 4}],
            },
        ]
    )
    r = score(std, audit({"a1": "na", "b1": 3}))
    assert r.sections[0].score is None and r.sections[1].score == 75.0
    assert r.score == 75.0  # only b counts: 3/4
    # Coverage: section a answered 0 of its weight, b all: (3 × 0 + 1 × 1) / 4.
    assert r.coverage == 0.25
    only_na = standard([{"id": "a", "title": "A", "items": [{"id": "a1", **YES_NO, "na_allowed": True}]}])
    with pytest.raises(NothingToScore):
        score(only_na, audit({"a1": "na"}))


CRITICAL = [
    {
        "id": "a",
        "title": "A",
        "items": [
            {"id": "ok", **YES_NO, "weight": 3},
            {
                "id": "crit",
                "type": "choice",
                "text": "t",
                "critical": True,
                "na_allowed": True,
                "options": [
                    {"value": "full", "score": 1},
                    {"value": "half", "score": 0.5},
                    {"value": "none", "score": 0},
                ],
            },
        ],
    }
]


def test_critical_failure_fail_audit_keeps_the_score_but_fails() -> None:
    r = score(standard(CRITICAL), audit({"ok": True, "crit": "none"}))
    # raw = 100 × 3/4 = 75; fail_audit: score stays 75, not passed, lowest grade.
    assert (r.score, r.raw_score, r.passed, r.grade, r.critical_failures) == (75.0, 75.0, False, "D", ("crit",))


def test_critical_failure_zero_score() -> None:
    r = score(standard(CRITICAL, critical_failure="zero_score"), audit({"ok": True, "crit": "none"}))
    assert (r.score, r.raw_score, r.passed, r.grade) == (0.0, 75.0, False, "D")


def test_critical_item_fails_only_at_exactly_zero() -> None:
    half = score(standard(CRITICAL), audit({"ok": True, "crit": "half"}))
    assert half.critical_failures == () and half.score == 87.5 and half.grade == "B" and half.passed
    na = score(standard(CRITICAL, critical_failure="zero_score"), audit({"ok": True, "crit": "na"}))
    assert na.critical_failures == () and na.score == 100.0 and na.passed


def test_rounding_before_pass_and_grade() -> None:
    # Weights 1 and 4 on a 0..1000 scale: raw = 79.996 → rounds to 80.0, which passes at pass_score 80.
    std = standard(
        [
            {
                "id": "a",
                "title": "A",
                "items": [{"id": "s", "type": "scale", "text": "t", "min": 0, "max": 1000, "weight": 5}],
            }
        ]
    )
    r = score(std, audit({"s": 799.96}))
    assert r.raw_score == 80.0 and r.score == 80.0 and r.passed and r.grade == "B"
    # raw 89.996 → 90.0: grade A although the unrounded score is below 90.
    r = score(std, audit({"s": 899.96}))
    assert r.score == 90.0 and r.grade == "A"
    r = score(std, audit({"s": 899.94}))
    assert r.score == 89.99 and r.grade == "B"


def test_custom_grades_and_pass_score() -> None:
    std = standard(
        [{"id": "a", "title": "A", "items": [{"id": "s", "type": "scale", "text": "t", "min": 0, "max": 100}]}],
        grades=[{"grade": "Gold", "min": 95}, {"grade": "Silver", "min": 70}, {"grade": "Bronze", "min": 0}],
        pass_score=60,
    )
    assert [score(std, audit({"s": v})).grade for v in (100, 95, 94.99, 70, 69, 0)] == [
        "Gold",
        "Gold",
        "Silver",
        "Silver",
        "Bronze",
        "Bronze",
    ]
    assert score(std, audit({"s": 60})).passed and not score(std, audit({"s": 59.99})).passed


# ---- properties -------------------------------------------------------------------------------------

WEIGHTS = st.sampled_from([0.5, 1, 1, 2, 3, 7.5])


@st.composite
def items(draw: st.DrawFn, prefix: str) -> list[dict[str, Any]]:
    found = []
    for n in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["yes_no", "scale", "number", "choice"]))
        item: dict[str, Any] = {
            "id": f"{prefix}-{n}",
            "type": kind,
            "text": "t",
            "weight": draw(WEIGHTS),
            "critical": draw(st.booleans()) and draw(st.booleans()),
        }
        item["na_allowed"] = not item["critical"] and draw(st.booleans())
        if kind == "scale":
            low = draw(st.integers(-5, 5))
            item.update(min=low, max=low + draw(st.integers(1, 10)))
        elif kind == "number":
            maxima = sorted(set(draw(st.lists(st.integers(-20, 60), min_size=1, max_size=3))))
            item["bands"] = [{"max": m, "score": draw(st.sampled_from([0, 0.25, 0.5, 1]))} for m in maxima]
            item["bands"].append({"score": draw(st.sampled_from([0, 0.5, 1]))})
        elif kind == "choice":
            item["options"] = [
                {"value": f"o{k}", "score": draw(st.sampled_from([0, 0.3, 0.5, 1]))}
                for k in range(draw(st.integers(2, 4)))
            ]
        found.append(item)
    return found


@st.composite
def standards(draw: st.DrawFn) -> Standard:
    sections = [
        {"id": f"s{k}", "title": "S", "weight": draw(WEIGHTS), "items": draw(items(f"s{k}"))}
        for k in range(draw(st.integers(1, 4)))
    ]
    return standard(
        sections,
        critical_failure=draw(st.sampled_from(["fail_audit", "zero_score"])),
        pass_score=draw(st.sampled_from([0, 50, 80, 100])),
    )


def answer(draw: st.DrawFn, item: Any) -> Any:
    if item.na_allowed and draw(st.integers(0, 4)) == 0:
        return "na"
    if item.type == "yes_no":
        return draw(st.booleans())
    if item.type == "scale":
        return draw(st.integers(item.min, item.max))
    if item.type == "number":
        return draw(st.floats(-50, 100, allow_nan=False))
    return draw(st.sampled_from([o.value for o in item.options]))


@st.composite
def scored_pairs(draw: st.DrawFn) -> tuple[Standard, dict[str, Any]]:
    std = draw(standards())
    answers = {item_id: answer(draw, item) for item_id, item in std.items.items()}
    assume(any(v != "na" for v in answers.values()))
    return std, answers


@settings(max_examples=300, deadline=None)
@given(scored_pairs())
def test_score_is_always_within_0_and_100(pair: tuple[Standard, dict[str, Any]]) -> None:
    std, answers = pair
    r = score(std, audit(answers))
    assert 0 <= r.score <= 100 and 0 <= r.raw_score <= 100
    assert all(s.score is None or 0 <= s.score <= 100 for s in r.sections)
    if r.passed:
        assert r.score >= std.pass_score and not r.critical_failures


@settings(max_examples=200, deadline=None)
@given(scored_pairs(), st.integers(0, 3))
def test_adding_an_na_item_changes_nothing(pair: tuple[Standard, dict[str, Any]], where: int) -> None:
    std, answers = pair
    data = std.model_dump(by_alias=True)
    section = data["sections"][where % len(data["sections"])]
    section["items"].append({"id": "extra-na", "type": "yes_no", "text": "t", "na_allowed": True, "weight": 9})
    bigger = Standard.model_validate(data)
    before, after = score(std, audit(answers)), score(bigger, audit({**answers, "extra-na": "na"}))
    assert (before.score, before.raw_score, before.grade, before.passed, before.critical_failures) == (
        after.score,
        after.raw_score,
        after.grade,
        after.passed,
        after.critical_failures,
    )


@settings(max_examples=200, deadline=None)
@given(scored_pairs(), st.sampled_from([2.5, 7, 0.25]))
def test_scaling_every_weight_changes_nothing(pair: tuple[Standard, dict[str, Any]], factor: float) -> None:
    std, answers = pair
    data = std.model_dump(by_alias=True)
    for section in data["sections"]:
        section["weight"] *= factor
        for item in section["items"]:
            item["weight"] *= factor
    scaled = score(Standard.model_validate(data), audit(answers))
    base = score(std, audit(answers))
    assert abs(scaled.raw_score - base.raw_score) <= 0.01 and abs(scaled.score - base.score) <= 0.01
    assert scaled.critical_failures == base.critical_failures


@settings(max_examples=300, deadline=None)
@given(scored_pairs(), st.data())
def test_improving_one_response_never_lowers_the_raw_score(
    pair: tuple[Standard, dict[str, Any]], data: st.DataObject
) -> None:
    std, answers = pair
    item_id = data.draw(st.sampled_from([k for k, v in answers.items() if v != "na"]))
    item = std.items[item_id]
    before = score(std, audit(answers))
    old = item.score_of(answers[item_id])
    better = data.draw(st.sampled_from([v for v in candidate_values(item) if item.score_of(v) >= old]))
    after = score(std, audit({**answers, item_id: better}))

    def raw(r: Any) -> float:
        scored = [s for s in r.sections if s.score is not None]
        return sum(s.weight * s.score for s in scored) / sum(s.weight for s in scored)

    assert raw(after) >= raw(before) - 1e-9
    assert after.raw_score >= before.raw_score


def candidate_values(item: Any) -> list[Any]:
    if item.type == "yes_no":
        return [False, True]
    if item.type == "scale":
        return list(range(item.min, item.max + 1))
    if item.type == "number":
        return [b.max for b in item.bands if b.max is not None] + [1000]
    return [o.value for o in item.options]


@settings(max_examples=200, deadline=None)
@given(scored_pairs())
def test_a_critical_failure_under_zero_score_always_gives_zero(pair: tuple[Standard, dict[str, Any]]) -> None:
    std, answers = pair
    data = std.model_dump(by_alias=True)
    data["critical_failure"] = "zero_score"
    data["sections"][0]["items"].append({"id": "must", "type": "yes_no", "text": "t", "critical": True})
    r = score(Standard.model_validate(data), audit({**answers, "must": False}))
    assert (
        r.score == 0.0
        and not r.passed
        and "must" in r.critical_failures
        and r.grade == Standard.model_validate(data).grades[-1].grade
    )
