"""The compiled fast path and the full, located validation agree on every audit."""

from __future__ import annotations

import os

from hypothesis import event, given, settings
from hypothesis import strategies as st

from qaudit.audits import build_audit
from qaudit.plan import quick_audit
from qaudit.standards import load_standards
from qaudit.yamlsrc import parse

HERE = os.path.dirname(__file__)
LIBRARY = load_standards(os.path.join(HERE, "data", "spec", "standards"))

RAW = st.sampled_from(
    [
        "yes",
        "No",
        "TRUE",
        "fail",
        "maybe",
        "na",
        "N/A",
        "1",
        "4",
        "4.5",
        "7",
        "-1",
        "07",
        "1e1",
        "nan",
        "inf",
        "full",
        "partial",
        "none",
        "Full",
        " full",
        "",
        "0x1",
        "1_0",
        "5.0",
    ]
)
VALUE = st.one_of(
    RAW,
    st.builds(lambda v, c: {"value": v, "comment": c}, RAW, st.sampled_from(["ok", "", "=1+1"])),
    st.builds(lambda v: {"value": v, "evidence": ["a.jpg"]}, RAW),
    st.builds(lambda v: {"value": v, "coment": "typo"}, RAW),
    st.just({"comment": "no value"}),
)
VALID = {
    "start-delay": ["0", "5", "7", "07", "-2", "1e1", "5.0", "0.5"],
    "addressed-by-name": ["yes", "No", "TRUE", "fail", "pass", "on"],
    "greeting-warmth": ["1", "3", "4.5", "5", "5.0"],
    "needs-identified": ["full", "partial", "none", " none"],
    "no-arguing": ["yes", "no", "Yes"],
}


def _pick(draw: st.DrawFn, good: list[str], bad: list[str]) -> str:
    return draw(st.sampled_from(good)) if draw(st.integers(0, 9)) else draw(st.sampled_from(bad))


@st.composite
def audits(draw: st.DrawFn) -> dict[str, object]:
    responses: dict[str, object] = {}
    for item, good in VALID.items():
        if draw(st.integers(0, 29)) == 0:
            continue  # a missing response
        value = draw(st.sampled_from(good)) if draw(st.integers(0, 7)) else draw(RAW)
        shape = draw(st.integers(0, 9))
        if shape == 0:
            responses[item] = {"value": value, "comment": draw(st.sampled_from(["ok", "", "=1+1"]))}
        elif shape == 1:
            responses[item] = {"value": value, "evidence": ["a.jpg"]}
        elif shape == 2 and not draw(st.integers(0, 3)):
            responses[item] = draw(VALUE)
        else:
            responses[item] = value
    if draw(st.integers(0, 19)) == 0:
        responses["unknown-item"] = "yes"
    return {
        "schema": "qaudit/audit@1",
        "standard": _pick(draw, ["client-service-core"], ["client-service-cor"]),
        "standard_version": _pick(draw, ["3", "03"], ["2", "x"]),
        "site": _pick(draw, ["yvn-01"], ["no", "Bad Site", "1"]),
        "inspector": _pick(draw, ["Anna"], [""]),
        "date": _pick(draw, ["2026-11-20"], ["2026-13-01", "20.11.2026"]),
        "responses": responses,
    }


@settings(max_examples=400, deadline=None)
@given(audits())
def test_fast_path_accepts_only_what_the_full_validation_accepts(data: dict[str, object]) -> None:
    from qaudit.yamlsrc import Document

    full, problems = build_audit(Document("a.yaml", data), LIBRARY)
    quick = quick_audit(data, "a.yaml", LIBRARY)
    if quick is not None:
        assert full == quick, problems
    if full is None:
        assert quick is None
    else:
        event("valid")


def test_fast_path_reads_the_everyday_audit() -> None:
    path = os.path.join(HERE, "data", "spec", "audits", "yvn-01-2026-11-20.yaml")
    with open(path, encoding="utf-8") as handle:
        doc = parse(handle.read(), path)
    quick = quick_audit(doc.data, path, LIBRARY)
    full, _ = build_audit(doc, LIBRARY)
    assert quick is not None and quick == full


@settings(max_examples=400, deadline=None)
@given(audits())
def test_one_pass_scoring_gives_exactly_the_scored_result(data: dict[str, object]) -> None:
    from qaudit.plan import fast_packed
    from qaudit.resultset import pack
    from qaudit.scoring import score

    quick = quick_audit(data, "a.yaml", LIBRARY)
    packed = fast_packed(data, "a.yaml", LIBRARY)
    if quick is None:
        assert packed is None
        return
    standard = LIBRARY.get(quick.standard, quick.standard_version)
    assert standard is not None
    assert packed == pack(score(standard, quick))


def test_one_pass_scoring_agrees_on_the_examples() -> None:
    import glob

    from qaudit.fastaudit import parse_simple
    from qaudit.plan import fast_packed
    from qaudit.resultset import pack
    from qaudit.scoring import score

    root = os.path.dirname(HERE)
    library = load_standards(os.path.join(root, "standards"))
    checked = 0
    for path in sorted(glob.glob(os.path.join(root, "examples", "audits", "*", "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            data = parse_simple(handle.read())
        quick = quick_audit(data, path, library)
        assert quick is not None
        standard = library.get(quick.standard, quick.standard_version)
        assert standard is not None
        assert fast_packed(data, path, library) == pack(score(standard, quick))
        checked += 1
    assert checked == 41
