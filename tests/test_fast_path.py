"""The fast readers are only readers: turning them off (QAUDIT_FAST_PATH=0) changes no output, and
both ways refuse the same audits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Result, run_cli
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qaudit.io.fastaudit import parse_simple
from qaudit.io.yamlsrc import QStr, parse
from qaudit.problems import InvalidInput

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _score(paths: list[str], fast: bool, *extra: str) -> Result:
    env = {"QAUDIT_FAST_PATH": "1" if fast else "0"}
    return run_cli("score", *paths, "--format", "json", "--no-cache", *extra, cwd=ROOT, env=env)


def test_the_example_workspace_scores_byte_identically_either_way() -> None:
    options = ["--sites", "examples/sites.yaml", "--waivers", "examples/waivers.yaml"]
    fast = _score(["examples/audits"], True, *options)
    slow = _score(["examples/audits"], False, *options)
    assert fast.code == slow.code == 0, fast.stderr + slow.stderr
    assert fast.stdout == slow.stdout
    assert len(json.loads(fast.stdout)["audits"]) >= 40


def test_a_generated_workspace_scores_byte_identically_either_way(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(tmp_path), "--sites", "60", "--audits", "6"],
        check=True,
        capture_output=True,
    )
    audits = str(tmp_path / "audits")
    fast = _score([audits], True, "--sites", str(tmp_path / "sites.yaml"))
    slow = _score([audits], False, "--sites", str(tmp_path / "sites.yaml"))
    assert fast.code == slow.code
    assert fast.stdout == slow.stdout
    assert len(json.loads(fast.stdout)["audits"]) == 360


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "full"])
@pytest.mark.parametrize(
    ("line", "value", "where"),
    [("site", '"bat-01\\n"', 6), ("id", '"evil\\n"', 2), ("standard", '"hospitality-housekeeping\\n"', 4)],
)
def test_ids_carrying_a_newline_are_refused_on_both_paths(
    tmp_path: Path, fast: bool, line: str, value: str, where: int
) -> None:
    source = (EXAMPLES / "audits" / "2026-07" / "bat-01-2026-07-08.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    lines.insert(1, 'id: "bat-01-2026-07-08"')
    text = "\n".join(f"{line}: {value}" if row.startswith(f"{line}: ") else row for row in lines) + "\n"
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    done = _score([str(tmp_path)], fast)
    assert done.code == 1
    result = json.loads(done.stdout)
    assert result["audits"] == []
    assert result["errors"][0]["line"] == where


def test_a_null_key_is_read_as_yaml_reads_it() -> None:
    text = "schema: qaudit/audit@1\nresponses:\n  null: yes\n  ~: no\n"
    assert parse_simple(text) is None or parse_simple(text) == parse(text, "a.yaml", locate=False).data
    assert parse_simple("null: 1\n") is None
    assert parse("null: 1\n", "a.yaml", locate=False).data == {"": "1"}  # the full loader: an empty key


# Whole audit texts: quoted and escaped values, null/~/? keys, unusual spacing.
PIECE = st.sampled_from(list("ab yes07.:-#'\"{}[],!&*|>%@`\\Աბ") + ["\\n", "''", "na", ": ", " #", "\u2028"])
SCALAR = st.lists(PIECE, max_size=6).map("".join)
KEY = st.sampled_from(["start-delay", "a.b", "null", "~", "?", "yes", "1", "Null", "na", "2026-01-01", "x y"])
SPACE = st.sampled_from([" ", "  ", " \t", ""])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


VALUE = st.one_of(
    SCALAR,
    SCALAR.map(_quoted),
    SCALAR.map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.builds(lambda v, c: "{value: " + v + ", comment: " + c + "}", SCALAR, st.one_of(SCALAR, SCALAR.map(_quoted))),
)


@st.composite
def audit_texts(draw: st.DrawFn) -> str:
    head = ["schema: qaudit/audit@1", f"site:{draw(SPACE)}{draw(VALUE)}", f"{draw(KEY)}: {draw(VALUE)}"]
    lines = [*head, "responses:"]
    for _ in range(draw(st.integers(0, 5))):
        lines.append(f"  {draw(KEY)}:{draw(SPACE)}{draw(VALUE)}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))


def _full(text: str) -> object:
    try:
        doc = parse(text, "a.yaml", locate=False)
    except InvalidInput:
        return InvalidInput
    return InvalidInput if doc.problems else doc.data


def typed(data: object) -> object:
    """The mapping with each text's quoted-ness, so that 'no' and no are told apart."""
    if isinstance(data, dict):
        return {(typed(k)): typed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [typed(v) for v in data]
    if isinstance(data, str):
        return (type(data) is QStr, str(data))
    return data


@settings(max_examples=400, deadline=None)
@given(audit_texts())
@example("schema: qaudit/audit@1\nresponses:\n  null: yes\n")
@example("schema: qaudit/audit@1\n~: x\nresponses:\n  a: yes\n")
@example("schema: qaudit/audit@1\nresponses:\n  ?: yes\n")
def test_the_fast_reader_gives_the_full_loaders_mapping_or_gives_up(text: str) -> None:
    fast = parse_simple(text)
    if fast is None:
        return
    assert typed(fast) == typed(_full(text))


def test_the_switch_is_documented_and_ci_runs_the_scoring_tests_with_it_off() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "QAUDIT_FAST_PATH=0" in ci
    assert "QAUDIT_FAST_PATH" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
