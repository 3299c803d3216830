"""`qaudit lint`: every rule as data (input and expected problems), every output format, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli

from qaudit.lint import lint_paths
from qaudit.lint.catalog import all_rules, markdown

HERE = Path(__file__).parent
ROOT = HERE.parent
CASES = [
    case
    for name in ("structural.yaml", "semantic.yaml", "v2.yaml")
    for case in yaml.safe_load((HERE / "lint_cases" / name).read_text(encoding="utf-8"))
]
GOOD = HERE / "data" / "spec" / "standards" / "client-service-core.yaml"
SARIF_SCHEMA = HERE / "data" / "schemas" / "sarif-schema-2.1.0.json"  # the OASIS SARIF 2.1.0 schema


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}: {c['description']}" for c in CASES])
def test_rule_case(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "standard.yaml"
    if "bytes" in case:
        path.write_bytes(case["bytes"].encode("latin-1"))
    else:
        path.write_text(case["input"], encoding="utf-8")
    problems = lint_paths([str(path)]).problems
    got = [(p.rule, p.line, p.column) for p in problems]
    want = [(e["rule"], e["line"], e["column"]) for e in case["expect"]]
    assert sorted(got) == sorted(want), [p.message for p in problems]
    for expected in case["expect"]:
        match = next(
            p
            for p in problems
            if (p.rule, p.line, p.column) == (expected["rule"], expected["line"], expected["column"])
        )
        assert match.severity == expected.get("severity", "error")
        if "message" in expected:
            assert expected["message"] in match.message


def test_every_rule_has_a_case() -> None:
    covered = {e["rule"] for case in CASES for e in case["expect"]} | {c["rule"] for c in CASES}
    elsewhere = {"unreadable", "file-too-large", "duplicate-standard", "unknown-site", "too-large", "too-many-problems"}
    single_file = {r.id for r in all_rules()} - elsewhere
    assert single_file <= covered, single_file - covered


def test_rule_docs_are_current() -> None:
    assert (ROOT / "docs" / "lint-rules.md").read_text(encoding="utf-8") == markdown()


def test_bundled_standards_lint_clean_in_five_languages() -> None:
    done = run_cli("lint", str(ROOT / "standards"), "--strict")
    assert done.code == 0, done.stdout
    from qaudit.load.standards import load_standards

    library = load_standards(ROOT / "standards")
    assert set(library.ids()) >= {
        "client-service-core",
        "office-cleaning-service",
        "hospitality-housekeeping",
        "service-responsiveness",
    }
    for standard in library:
        assert standard.languages == ["en", "hy", "ka", "lv", "hu"]
        # v1 standards show every v1 item type; v2 ones encode real checklists as they are.
        assert (
            standard.is_v2
            or {i.type for i in standard.items.values()} >= {"yes_no", "scale", "number", "choice"}
            or len(standard.items) < 8
        )
        assert any(i.critical for i in standard.items.values())


def test_exit_codes(tmp_path: Path) -> None:
    assert run_cli("lint", str(GOOD)).code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.read_text(encoding="utf-8").replace("weight: 2", "weight: 0"), encoding="utf-8")
    assert run_cli("lint", str(bad)).code == 1
    warn = tmp_path / "warn.yaml"
    warn.write_text(
        GOOD.read_text(encoding="utf-8").replace(
            "        critical: true", "        critical: true\n        na_allowed: true"
        ),
        encoding="utf-8",
    )
    assert run_cli("lint", str(warn)).code == 0
    assert run_cli("lint", str(warn), "--strict").code == 1
    missing = run_cli("lint", str(tmp_path / "nope"))
    assert missing.code == 2 and missing.stderr.startswith("qaudit: error:")
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    assert run_cli("lint", str(empty)).code == 2
    assert run_cli("lint", str(GOOD), "--format", "xml").code == 2


def test_duplicate_id_and_version_across_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    out = json.loads(run_cli("lint", str(tmp_path), "-f", "json").stdout)
    assert [(p["file"].endswith("b.yaml"), p["rule"], p["line"]) for p in out] == [(True, "duplicate-standard", 3)]


def test_a_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "a.yaml").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    done = run_cli("lint", "std", "./std/a.yaml", "std/../std/a.yaml", cwd=tmp_path)
    assert (done.code, done.stdout) == (0, "")
    assert done.stderr == "1 file checked: 0 errors, 0 warnings\n"


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken, file.yaml"
    text = GOOD.read_text(encoding="utf-8").replace("        weight: 3", "        wieght: 3")
    path.write_text(
        text.replace("guidance: {en: Any argument", "# no guidance\n        x_guidance: {en: Any argument"),
        encoding="utf-8",
    )
    return path


def test_text_format(broken: Path) -> None:
    done = run_cli("lint", str(broken))
    lines = done.stdout.splitlines()
    assert lines and all(re.match(r"^.+:\d+:\d+ (error|warning) [a-z-]+ .+$", line) for line in lines)
    assert "error unknown-key unknown key 'wieght' in item 'no-arguing'; did you mean 'weight'?" in done.stdout


def test_json_format(broken: Path) -> None:
    out = json.loads(run_cli("lint", str(broken), "-f", "json").stdout)
    assert out and all(set(p) == {"file", "line", "column", "severity", "rule", "message"} for p in out)


def test_github_format(broken: Path) -> None:
    lines = run_cli("lint", str(broken), "-f", "github").stdout.splitlines()
    assert lines and all(re.match(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+::.+", line) for line in lines)
    assert "broken%2C file.yaml" in lines[0]
    problems = json.loads(run_cli("lint", str(broken), "-f", "json").stdout)
    file = str(broken).replace(":", "%3A").replace(",", "%2C")
    assert lines == [
        f"::{p['severity']} file={file},line={p['line']},col={p['column']}::{p['message']}" for p in problems
    ]


def test_sarif_format_is_valid(broken: Path) -> None:
    import jsonschema

    log = json.loads(run_cli("lint", str(broken), "-f", "sarif").stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert run["results"] and all(r["ruleId"] in ids and ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_schema_command_and_the_example_validates() -> None:
    import jsonschema

    schema = json.loads(run_cli("schema", "standard").stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    for path in (ROOT / "standards").rglob("*.yaml"):
        jsonschema.Draft7Validator(schema).validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    audit_schema = json.loads(run_cli("schema", "audit").stdout)
    jsonschema.Draft7Validator.check_schema(audit_schema)
    example = yaml.load(
        (HERE / "data" / "spec" / "audits" / "yvn-01-2026-11-20.yaml").read_text(), Loader=yaml.BaseLoader
    )
    jsonschema.Draft7Validator(audit_schema).validate({**example, "standard_version": 3})


def test_show_in_another_language() -> None:
    done = run_cli("show", "client-service-core", "--lang", "ka", "--standards", str(ROOT / "standards"))
    assert done.code == 0
    assert "კლიენტთა მომსახურების ძირითადი სტანდარტი" in done.stdout and "CRITICAL" in done.stdout


def test_show_in_a_language_the_standard_is_not_written_in_is_a_usage_error() -> None:
    done = run_cli("show", "client-service-core", "--lang", "fr", "--standards", str(ROOT / "standards"))
    assert done.code == 2 and done.stdout == ""
    assert done.stderr == (
        "qaudit: error: --lang fr: client-service-core@2 is written in en, hy, ka, lv, hu; choose one of those\n"
    )


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    binary = tmp_path / "image.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    done = run_cli("lint", str(binary))
    assert done.code == 1 and len(done.stdout.splitlines()) == 1 and "encoding" in done.stdout
    big = tmp_path / "big.yaml"
    big.write_text("schema: qaudit/standard@1\n" + "# padding\n" * 600_000)
    done = run_cli("lint", str(big))
    assert done.code == 1 and "file-too-large" in done.stdout


def test_limits_on_items_and_problems(tmp_path: Path) -> None:
    items = "".join(f"      - {{id: i{n}, text: T, type: yes_no, guidance: g}}\n" for n in range(2001))
    head = "schema: qaudit/standard@1\nid: s\nversion: 1\ntitle: T\nsections:\n  - id: a\n    title: A\n    items:\n"
    (tmp_path / "huge.yaml").write_text(head + items, encoding="utf-8")
    problems = lint_paths([str(tmp_path / "huge.yaml")]).problems
    assert [(p.rule, p.line) for p in problems] == [("too-large", 5)]
    noisy = "".join(f"      - {{id: i{n}, text: T, type: yes_no, wieght: 1}}\n" for n in range(80))
    (tmp_path / "noisy.yaml").write_text(head + noisy, encoding="utf-8")
    problems = lint_paths([str(tmp_path / "noisy.yaml")]).problems
    assert len(problems) == 51 and problems[-1].rule == "too-many-problems" and "30 more" in problems[-1].message
