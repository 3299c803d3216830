"""The one YAML writer: what qaudit writes, qaudit reads back as the same audit.

Blank audits (``qaudit new``), guided-audit drafts (``qaudit run``) and converted
forms (``qaudit convert``) are all written by :mod:`qaudit.capture.yamlwrite`; every text
in them, whatever characters it holds, reads back through qaudit's own loader.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qaudit.capture import yamlwrite
from qaudit.capture.blank import blank_audit
from qaudit.capture.guided.run import run_session
from qaudit.capture.guided.session import Session, draft_path
from qaudit.capture.yamlwrite import audit_yaml
from qaudit.io.source import decode
from qaudit.io.yamlsrc import parse
from qaudit.load.audits import Audit, Response, load_audit
from qaudit.load.standards import load_standards
from qaudit.problems import InvalidInput

HERE = Path(__file__).parent
LIBRARY = load_standards(HERE / "data" / "spec" / "standards")
STANDARD = LIBRARY.get("client-service-core", 3)
assert STANDARD is not None

# Every character YAML reads as a line break or a file may not hold, and the ones JSON escapes.
HOSTILE = "\u2028\u2029\x85\ufeff\x00\x07\x08\x0c\x1b\x7f\x9f\ufffe\uffff\ud800\udcff\"\\\n\r\t#:{}[],&*!|>'%@`"
texts = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=40)


def _expected(text: str) -> str:
    """A text as an audit holds it: what no audit may hold is left out (see yamlwrite.clean)."""
    return yamlwrite.clean(text)


def _audit(inspector: str, comments: list[str | None], evidence: list[list[str]], delay: float | int) -> Audit:
    values = {"start-delay": delay, "addressed-by-name": True, "greeting-warmth": 4, "needs-identified": "partial"}
    values["no-arguing"] = False
    responses = {}
    for n, item_id in enumerate(STANDARD.items):
        responses[item_id] = Response(values[item_id], False, comments[n % len(comments)], tuple(evidence[n % 2]))
    return Audit(
        id="visit-1",
        file="visit-1.yaml",
        standard=STANDARD.id,
        standard_version=STANDARD.version,
        site="yvn-01",
        inspector=inspector,
        date=dt.date(2026, 11, 20),
        responses=responses,
        language=None,
    )


def _load(tmp_path: Path, text: str) -> Audit:
    path = tmp_path / "visit-1.yaml"
    path.write_bytes(text.encode("utf-8"))
    return load_audit(str(path), LIBRARY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    inspector=texts.filter(lambda t: _expected(t) != ""),
    comments=st.lists(st.one_of(st.none(), texts), min_size=1, max_size=5),
    evidence=st.lists(st.lists(texts, max_size=3), min_size=2, max_size=2),
    delay=st.one_of(st.integers(0, 10_000), st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 2))),
)
@example(
    inspector="Anna\u2028Petrosyan", comments=["see\u2028photo\x85 3\u2029", None], evidence=[["\ufeffa"], []], delay=7
)
def test_a_converted_audit_reads_back_as_the_same_audit(
    tmp_path: Path, inspector: str, comments: list[str | None], evidence: list[list[str]], delay: float
) -> None:
    audit = _audit(inspector, comments, evidence, delay)
    loaded = _load(tmp_path, audit_yaml(audit, STANDARD))
    assert loaded.inspector == _expected(inspector)
    assert loaded.site == audit.site and loaded.date == audit.date
    for item_id, response in audit.responses.items():
        got = loaded.responses[item_id]
        assert got.value == response.value and got.na == response.na
        assert got.comment == (None if response.comment is None else _expected(response.comment))
        assert got.evidence == tuple(_expected(e) for e in response.evidence)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inspector=texts.filter(lambda t: _expected(t).strip() != ""), comment=texts)
@example(inspector="Anna", comment="a\u2028b\x85c")
def test_a_guided_audit_draft_reads_back_with_the_same_answers(tmp_path: Path, inspector: str, comment: str) -> None:
    output = tmp_path / "audits" / "visit.yaml"
    output.parent.mkdir(exist_ok=True)
    Path(draft_path(str(output))).unlink(missing_ok=True)
    kept = yamlwrite.clean(inspector)
    session = Session(STANDARD, "yvn-01", kept, dt.date(2026, 11, 20), None, str(output))
    session.answers["addressed-by-name"] = Response(True, False, comment or None)
    session.answers["needs-identified"] = Response("full", False, None)
    session.save_draft()
    resumed = Session(STANDARD, "yvn-01", kept, dt.date(2026, 11, 20), None, str(output))
    assert resumed.load_draft() == 2
    assert resumed.answers["addressed-by-name"].comment == (_expected(comment) or None)
    assert resumed.answers["needs-identified"] == Response("full", False, None)


@settings(max_examples=100, deadline=None)
@given(inspector=texts.filter(lambda t: _expected(t) != ""))
@example(inspector="Anna\u2028\x85\ufeff")
def test_a_blank_audit_reads_back_with_the_same_header(inspector: str) -> None:
    text = blank_audit(STANDARD, site="yvn-01", inspector=inspector, date=dt.date(2026, 11, 20))
    data = parse(decode("blank.yaml", text.encode("utf-8")), "blank.yaml").data
    assert data["inspector"] == _expected(inspector)
    assert list(data["responses"]) == list(STANDARD.items)


@pytest.mark.parametrize(
    ("word", "written"),
    [
        ("client-service-core", "client-service-core"),
        ("no", '"no"'),
        ("on", '"on"'),
        ("1.0", '"1.0"'),
        ("2026-01-01", '"2026-01-01"'),
        ("null", '"null"'),
        ("12", '"12"'),
        ("a b", '"a b"'),
    ],
)
def test_a_word_yaml_would_read_as_another_type_is_quoted(word: str, written: str) -> None:
    assert yamlwrite.plain(word) == written
    assert parse(f"k: {written}\n", "f").data["k"] == word


def test_ordinary_text_is_written_as_json_writes_it() -> None:
    for text in ("Anna Petrosyan", 'a "quoted" \\ word', "line\nbreak\ttab", "Հաճախորդ 😀", ""):
        assert yamlwrite.quoted(text) == json.dumps(text, ensure_ascii=False)


def test_line_separators_are_escaped_and_controls_left_out() -> None:
    assert yamlwrite.quoted("a\u2028b\u2029c\x85d\ufeffe") == '"a\\u2028b\\u2029c\\u0085d\\ufeffe"'
    assert yamlwrite.quoted("a\x00b\x07c\x1bd\x9fe") == '"abcde"'
    assert yamlwrite.quoted("a\udcffb") == '"a\ufffdb"'
    assert yamlwrite.comment("one\u2028two\x85three\ufeff four\x07") == "one two three four"


def test_a_form_comment_with_a_line_separator_survives_convert(tmp_path: Path) -> None:
    audit = _audit("Anna", ["the door\u2028was open"], [[], []], 7)
    loaded = _load(tmp_path, audit_yaml(audit, STANDARD))
    assert loaded.responses["start-delay"].comment == "the door\u2028was open"


def test_u2028_and_nel_typed_into_run_resume_and_save(tmp_path: Path) -> None:
    output = tmp_path / "visit-1.yaml"
    session = Session(STANDARD, "yvn-01", "Anna", dt.date(2026, 11, 20), None, str(output))
    replies = iter(["7", "late\u2028by seven", "yes", "", "q"])
    said: list[str] = []
    with pytest.raises(Exception) as stopped:
        run_session(session, lambda prompt: next(replies), said.append)
    assert type(stopped.value).__name__ == "Quit"
    resumed = Session(STANDARD, "yvn-01", "Anna", dt.date(2026, 11, 20), None, str(output))
    assert resumed.load_draft() == 2
    assert resumed.answers["start-delay"].comment == "late\u2028by seven"
    replies = iter(["5", "warm\x85welcome", "full", "", "no", "", "y"])
    assert run_session(resumed, lambda prompt: next(replies), said.append) is not None
    saved = load_audit(str(output), LIBRARY)
    assert saved.responses["start-delay"].comment == "late\u2028by seven"
    assert saved.responses["greeting-warmth"].comment == "warm\x85welcome"


def test_a_draft_written_by_the_writer_is_never_refused(tmp_path: Path) -> None:
    session = Session(STANDARD, "yvn-01", "Anna\u2028P", dt.date(2026, 11, 20), None, str(tmp_path / "v.yaml"))
    session.answers["no-arguing"] = Response(False, False, "\ufeff[see photo 3]\u2029")
    try:
        decode("draft", session.to_yaml().encode("utf-8"))
    except InvalidInput as exc:  # pragma: no cover - the failure being pinned
        pytest.fail(str(exc.problems))
