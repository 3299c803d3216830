"""The fast audit reader reads exactly what the full YAML loader reads, or gives up."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qaudit.io.fastaudit import parse_simple
from qaudit.io.yamlsrc import QStr, parse
from qaudit.problems import InvalidInput

# Characters that matter to YAML's plain and quoted scalars, plus non-ASCII text.
PIECE = st.sampled_from(list("ab yes07.:-#'\"{}[],!&*|>%@`\\Աბéő") + ["\\n", "''", "na", ": ", " #"])
SCALAR = st.lists(PIECE, max_size=8).map("".join)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


VALUE = st.one_of(
    SCALAR,
    SCALAR.map(_quoted),
    SCALAR.map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.builds(
        lambda v, c: "{value: " + v + ", comment: " + c + "}",
        SCALAR,
        st.one_of(SCALAR, SCALAR.map(_quoted)),
    ),
    st.builds(
        lambda v, e: "{value: " + v + ", evidence: [" + ", ".join(e) + "]}", SCALAR, st.lists(SCALAR, max_size=3)
    ),
)
KEY = st.sampled_from(["start-delay", "addressed-by-name", "a.b", "x_1", "na", "yes"])


@st.composite
def audit_texts(draw: Any) -> str:
    lines = ["schema: qaudit/audit@1"]
    if draw(st.booleans()):
        lines.insert(0, "---")
    lines.append("inspector: " + draw(VALUE))
    lines.append("site: " + draw(SCALAR))
    lines.append("responses:" + draw(st.sampled_from(["", "  # filled", " "])))
    indent = " " * draw(st.integers(1, 4))
    for key in draw(st.lists(KEY, max_size=6)):
        lines.append(indent + key + ": " + draw(VALUE) + draw(st.sampled_from(["", " # note", "  "])))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", indent + "# inside"])))
    return "\n".join(lines) + "\n"


def same(a: Any, b: Any) -> bool:
    """Equal data, and quoted strings are quoted on both sides."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and isinstance(a, QStr) == isinstance(b, QStr)


@settings(max_examples=600, deadline=None)
@given(audit_texts())
@example("schema: qaudit/audit@1\ninspector: \nsite: -: \nresponses:\n")  # '-' and a mapping indicator
@example("schema: qaudit/audit@1\ninspector: x\nsite: {a: -:}\nresponses:\n")
def test_fast_reader_agrees_with_the_yaml_loader(text: str) -> None:
    fast = parse_simple(text)
    if fast is None:
        return
    try:
        full = parse(text, "a.yaml", locate=False)
    except InvalidInput as exc:  # the fast reader accepted what YAML refuses
        raise AssertionError(f"fast reader accepted invalid YAML: {exc.problems[0].message}\n{text}") from None
    assert not full.problems, text
    assert same(fast, full.data), f"{fast!r} != {full.data!r}\n{text}"


def test_everyday_audit_is_read_by_the_fast_reader() -> None:
    text = (
        "schema: qaudit/audit@1\nstandard: client-service-core\nstandard_version: 3\nsite: yvn-01\n"
        "inspector: Anna Petrosyan\ndate: 2026-11-20\nresponses:\n  start-delay: 7\n"
        '  addressed-by-name: {value: yes, comment: "Used the client\'s name twice"}\n'
        "  no-arguing: {value: na, evidence: [photos/0042.jpg]}\n"
    )
    data = parse_simple(text)
    assert data == parse(text, "a.yaml").data
    assert data is not None and data["responses"]["addressed-by-name"]["comment"] == "Used the client's name twice"


def test_unusual_shapes_go_to_the_full_loader() -> None:
    assert parse_simple("a: &x 1\nb: *x\n") is None
    assert parse_simple("a: 1\na: 2\n") is None
    assert parse_simple("a: |\n  text\n") is None
    assert parse_simple("responses:\n  item:\n    value: yes\n") is None
    assert parse_simple("a:\n\t- b\n") is None
    assert parse_simple("a: 1\n---\nb: 2\n") is None
