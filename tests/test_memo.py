"""Answers read and scored once per standard give what reading and scoring afresh gives.

Each standard remembers how its items' recurring answers read and score
(:class:`qaudit.model.standard.Memo`), the serialiser the JSON of recurring item results,
and the fast reader the lines it has read. Whatever is remembered, every audit
reads, scores and serialises exactly as it would the first time, and the fast
reader gives libyaml's mapping or gives up.
"""

from __future__ import annotations

import dataclasses
import json
import os

from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fast_path import typed

from qaudit.io.fastaudit import parse_simple
from qaudit.io.yamlsrc import Document, parse
from qaudit.load.audits import build_audit, load_audit
from qaudit.load.standards import StandardLibrary, load_standards
from qaudit.model.audit import Audit
from qaudit.model.standard import Standard
from qaudit.problems import InvalidInput
from qaudit.results.serialise import dumps, pack, to_dict
from qaudit.scoring.scorer import NothingToScore, score

HERE = os.path.dirname(__file__)
SPEC = os.path.join(HERE, "data", "spec", "standards")
WARM = load_standards(SPEC)
"""Standards shared by every example: their memos fill up as the examples run."""
COLD = load_standards(SPEC)
"""The same standards with their memos emptied before each use."""


def _cold() -> StandardLibrary:
    for standard in COLD:
        standard.__dict__.pop("memo", None)
    return COLD


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


def _outcome(text: str, library: StandardLibrary) -> object:
    """What scoring one audit text gives: its packed result, or its problems."""
    try:
        audit = load_audit("a.yaml", library, text=text)
    except InvalidInput as exc:
        return [str(p) for p in exc.problems]
    standard = library.get(audit.standard, audit.standard_version)
    assert standard is not None
    result = score(standard, audit)
    # Scored without its item results, or its section results too (as rescoring does), all else is the same.
    assert score(standard, audit, items=False) == dataclasses.replace(result, items=())
    assert score(standard, audit, items=False, sections=False) == dataclasses.replace(result, items=(), sections=())
    return pack(result)


@settings(max_examples=600, deadline=None)
@given(audit_texts())
def test_a_remembered_answer_reads_scores_and_serialises_as_a_fresh_one(text: str) -> None:
    warm = _outcome(text, WARM)
    assert warm == _outcome(text, _cold()), text
    assert warm == _outcome(text, WARM), text  # and again, every memo warm
    if not isinstance(warm, list):
        event("scored")


@settings(max_examples=300, deadline=None)
@given(audits())
def test_a_remembered_answer_is_validated_as_a_fresh_one(data: dict[str, object]) -> None:
    warm, warm_problems = build_audit(Document("a.yaml", data), WARM)
    cold, cold_problems = build_audit(Document("a.yaml", data), _cold())
    assert warm == cold
    assert [str(p) for p in warm_problems] == [str(p) for p in cold_problems]


@settings(max_examples=600, deadline=None)
@given(audit_texts())
def test_the_fast_reader_reads_everyday_texts_as_libyaml_does_or_gives_up(text: str) -> None:
    fast = parse_simple(text)
    if fast is None:
        return
    event("read by the fast reader")
    try:
        doc = parse(text, "a.yaml", locate=False)
    except InvalidInput:
        raise AssertionError(f"the fast reader read what libyaml refuses: {text!r}") from None
    assert not doc.problems
    assert typed(fast) == typed(doc.data), text
    assert typed(parse_simple(text)) == typed(fast)  # again, its lines remembered


def test_equal_values_of_other_types_are_serialised_apart() -> None:
    path = os.path.join(HERE, "data", "spec", "audits", "yvn-01-2026-11-20.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    audit = load_audit(path, WARM, text=text)
    standard = WARM.get(audit.standard, audit.standard_version)
    assert standard is not None
    result = score(standard, audit)
    first = result.items[0]
    # 1, 1.0 and True are equal (and hash alike) in Python; the JSON of each keeps its own type.
    for value in (1, 1.0, True, 0, 0.0, -0.0, False):
        changed = dataclasses.replace(result, items=(first._replace(value=value), *result.items[1:]))
        assert dumps(changed) == json.dumps(to_dict(changed), ensure_ascii=False, separators=(",", ":"))
        assert json.loads(dumps(changed))["items"][0]["value"] == value


def _scores(standard: Standard, audit: Audit) -> object:
    try:
        return dataclasses.replace(score(standard, audit), items=())
    except NothingToScore:
        return None


def test_carrying_over_onto_the_same_version_gives_the_audit_back() -> None:
    """Rescoring reads stored results as item texts, each distinct text carried over once per version:
    carried onto its own version, every audit scores exactly as it did (comments, waivers, instances and
    all), the first time and from the memo; without comments (as rescoring reads them), to the same score."""
    from qaudit.analytics.rescore import _carry, carry_over
    from qaudit.results.serialise import head_and_item_texts
    from qaudit.run.workspace import score_paths

    root = os.path.dirname(HERE)
    checked = 0
    for data, standards in (
        (os.path.join(HERE, "data", "followup_v2"), None),
        (os.path.join(HERE, "data", "followup"), None),
        (os.path.join(root, "examples"), os.path.join(root, "standards")),
    ):
        run = score_paths(
            [os.path.join(data, "audits")], standards or os.path.join(data, "standards"), sites=None, waivers=None
        )
        for result in run.results:
            _, blob = pack(result)
            target = run.library.get(result.standard, result.standard_version)
            assert target is not None
            for _ in range(2):  # the second time from the memo
                carried, dropped, unanswered = carry_over(result, target)
                assert pack(score(target, carried))[1] == blob  # every output shows this form
                assert dropped == unanswered == []  # every item of its own version has its result
                head, texts = head_and_item_texts(blob)
                bare, _, _ = _carry(head, texts, target, comments=False)
                assert _scores(target, bare) == _scores(target, carried)
                checked += 1
    assert checked > 100


def test_one_response_object_given_to_several_items_scores_each_by_its_own_item() -> None:
    """The scorer finds a bare answer's item result by the response object's identity: the same object
    answering other items (or other rooms) still scores each by its own item, as fresh objects would."""
    from qaudit.model.responses import Instance, Response

    path = os.path.join(HERE, "data", "spec", "audits", "yvn-01-2026-11-20.yaml")
    audit = load_audit(path, WARM)
    standard = WARM.get(audit.standard, audit.standard_version)
    assert standard is not None
    kinds = {item_id: standard.items[item_id].type for item_id in audit.responses}
    for value, types in ((True, {"yes_no"}), (False, {"yes_no"}), (3, {"number", "scale"}), (4, {"number", "scale"})):
        shared = Response(value)
        answered = [item_id for item_id, kind in kinds.items() if kind in types]
        assert len(answered) >= 2
        shared_audit = dataclasses.replace(audit, responses={**audit.responses, **dict.fromkeys(answered, shared)})
        fresh_audit = dataclasses.replace(
            audit, responses={**audit.responses, **{item_id: Response(value) for item_id in answered}}
        )
        for _ in range(2):  # the second time from the memo, by identity
            assert pack(score(standard, shared_audit))[1] == pack(score(standard, fresh_audit))[1]
    rooms = os.path.join(HERE, "data", "followup_v2")
    library = load_standards(os.path.join(rooms, "standards"))
    for name in sorted(os.listdir(os.path.join(rooms, "audits"))):
        audit = load_audit(os.path.join(rooms, "audits", name), library)
        if not audit.instances:
            continue
        standard = library.get(audit.standard, audit.standard_version)
        assert standard is not None
        before = pack(score(standard, audit))[1]
        # Every room answered with the first room's very response objects, then each with its own again.
        first = {s: group[0].responses for s, group in audit.instances.items()}
        same = {s: tuple(Instance(i.label, first[s]) for i in group) for s, group in audit.instances.items()}
        shared_rooms = dataclasses.replace(audit, instances=same)
        copied = {
            s: tuple(Instance(i.label, {k: Response(*r) for k, r in first[s].items()}) for i in group)
            for s, group in audit.instances.items()
        }
        assert (
            pack(score(standard, shared_rooms))[1]
            == pack(score(standard, dataclasses.replace(audit, instances=copied)))[1]
        )
        assert pack(score(standard, audit))[1] == before
        return
    raise AssertionError("no audit with rooms to score")
