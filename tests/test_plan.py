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
            text = handle.read()
        if "schema: qaudit/audit@2" in text:
            continue  # audits of v2 checklists take the full path
        data = parse_simple(text)
        quick = quick_audit(data, path, library)
        assert quick is not None
        standard = library.get(quick.standard, quick.standard_version)
        assert standard is not None
        assert fast_packed(data, path, library) == pack(score(standard, quick))
        checked += 1
    assert checked == 41


LINE_VALUE = st.one_of(
    RAW,
    RAW.map(lambda v: f'"{v}"'),
    RAW.map(lambda v: f"'{v}'"),
    st.builds(lambda v, c: "{value: " + v + ", comment: " + c + "}", RAW, st.sampled_from(['"ok"', '"Ք # ő"', "ok"])),
    st.builds(lambda v: "{value: " + v + ", evidence: [a.jpg, 'b c.png']}", RAW),
    st.builds(lambda v: '{value: "' + v + '", comment: "x"}', RAW),
    st.sampled_from(["", "{}", "[yes]", "&a yes", "*a", "!!str yes", "|", "null", "~", "yes # checked", "yes  "]),
)


@st.composite
def audit_texts(draw: st.DrawFn) -> str:
    """Audit files in the everyday shape and near it: quoting, comments, blank lines, odd indents."""
    header = [
        "schema: qaudit/audit@1",
        "standard: client-service-core",
        "standard_version: " + _pick(draw, ["3", "'3'", "3 # v3"], ["2", "3.0"]),
        "site: " + _pick(draw, ["yvn-01", '"yvn-01"'], ["no", "Yvn"]),
        "inspector: " + _pick(draw, ["Anna Petrosyan", '"Līga Ozola"', "'O''Neil'"], ["", "[a]"]),
        "date: " + _pick(draw, ["2026-11-20", '"2026-11-20"'], ["2026-02-30", "20.11.2026"]),
    ]
    if draw(st.booleans()):
        header.append("id: " + _pick(draw, ["a-1", "'a-2'"], ["x y", "1"]))
    if draw(st.booleans()):
        header.append("language: " + _pick(draw, ["hy", "en", "~"], ["xx_YY", "1"]))
    header = draw(st.permutations(header))
    lines = (["---"] if draw(st.integers(0, 4)) == 0 else []) + header
    lines.append("responses:" + draw(st.sampled_from(["", "", "  # filled", " "])))
    indent = " " * draw(st.sampled_from([2, 2, 4, 1]))
    items = list(VALID)
    if draw(st.integers(0, 9)) == 0:
        items = draw(st.permutations(items + ["unknown-item"]))
    for item in items:
        if draw(st.integers(0, 39)) == 0:
            continue
        value = draw(st.sampled_from(VALID.get(item, ["yes"]))) if draw(st.integers(0, 15)) else draw(LINE_VALUE)
        if draw(st.integers(0, 5)) == 0:
            value = "{value: " + value + ', comment: "' + draw(st.sampled_from(["fine", "Անուն", "a: b"])) + '"}'
        odd = indent if draw(st.integers(0, 39)) else indent + " "
        lines.append(odd + item + ":" + draw(st.sampled_from([" ", " ", "  "])) + value)
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", indent + "# inside", "   "])))
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["language: hy", "  extra: yes", "...", "---"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=1000, deadline=None)
@given(audit_texts())
def test_reading_straight_from_the_text_gives_exactly_the_one_pass_result(text: str) -> None:
    from qaudit.fastaudit import parse_simple
    from qaudit.plan import fast_packed, fast_packed_text

    fast = fast_packed_text(text, "a.yaml", LIBRARY)
    if fast is None:
        return
    event("read straight from the text")
    data = parse_simple(text)
    assert data is not None, text
    assert fast[0] == fast_packed(data, "a.yaml", LIBRARY), text
    assert fast[1] == "client-service-core@3"


def test_everyday_files_are_read_straight_from_the_text() -> None:
    import glob

    from qaudit.plan import fast_packed, fast_packed_text
    from qaudit.source import read_text

    root = os.path.dirname(HERE)
    library = load_standards(os.path.join(root, "standards"))
    paths = sorted(glob.glob(os.path.join(root, "examples", "audits", "*", "*.yaml")))
    paths = [p for p in paths if "schema: qaudit/audit@1" in read_text(p)]  # v2 audits take the full path
    for path in paths:
        from qaudit.fastaudit import parse_simple

        text = read_text(path)
        fast = fast_packed_text(text, path, library)
        assert fast is not None, path
        assert fast[0] == fast_packed(parse_simple(text), path, library)
    # A site with waivers takes the ordinary path, which applies them.
    site = os.path.basename(paths[0]).rsplit("-", 3)[0]
    assert fast_packed_text(read_text(paths[0]), paths[0], library, frozenset({site})) is None
