"""Audit files (contract §2): every invalid case located with a helpful hint; `score` and `new` from the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from qaudit.load.audits import load_audit
from qaudit.load.standards import load_standards
from qaudit.problems import InvalidInput

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
LIBRARY = load_standards(STANDARDS)
GOOD = (HERE / "data" / "spec" / "audits" / "yvn-01-2026-11-20.yaml").read_text(encoding="utf-8")


def problems(tmp_path: Path, text: str, name: str = "a.yaml") -> list[tuple[str, int, int, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_audit(str(path), LIBRARY)
    return [(p.rule, p.line, p.column, p.message) for p in caught.value.problems]


INVALID = [
    (
        "unknown standard",
        GOOD.replace("standard: client-service-core", "standard: client-servce-core"),
        ("unknown-standard", 3, 11, "did you mean 'client-service-core'"),
    ),
    (
        "unknown version",
        GOOD.replace("standard_version: 3", "standard_version: 4"),
        ("unknown-standard", 4, 19, "loaded versions: 3"),
    ),
    (
        "unknown item",
        GOOD.replace("  greeting-warmth: 4", "  greeting-warmht: 4"),
        ("unknown-item", 12, 3, "did you mean 'greeting-warmth'"),
    ),
    (
        "empty response",
        GOOD.replace("  greeting-warmth: 4", "  greeting-warmth:"),
        ("missing-response", 12, 19, "give a number from 1 to 5"),
    ),
    (
        "choice not an option",
        GOOD.replace("needs-identified: partial", "needs-identified: mostly"),
        ("invalid-value", 13, 21, "use one of: full, partial, none"),
    ),
    (
        "scale out of range",
        GOOD.replace("greeting-warmth: 4", "greeting-warmth: 6"),
        ("invalid-value", 12, 20, "from 1 to 5"),
    ),
    (
        "number not a number",
        GOOD.replace("start-delay: 7", "start-delay: late"),
        ("invalid-value", 10, 16, "not a number"),
    ),
    (
        "yes/no not yes or no",
        GOOD.replace("greeting-warmth: 4\n", "greeting-warmth: 4\n").replace(
            "no-arguing: {value: yes", "no-arguing: {value: maybe"
        ),
        ("invalid-value", 14, 23, "answer yes or no"),
    ),
    (
        "N/A not allowed",
        GOOD.replace("start-delay: 7", "start-delay: na"),
        ("na-not-allowed", 10, 16, "does not allow N/A"),
    ),
    ("required field missing", GOOD.replace("inspector: Anna Petrosyan\n", ""), ("missing-key", 1, 1, "'inspector'")),
    ("date not a date", GOOD.replace("date: 2026-11-20", "date: 20.11.2026"), ("wrong-type", 7, 7, "YYYY-MM-DD")),
    (
        "version not a number",
        GOOD.replace("standard_version: 3", "standard_version: three"),
        ("wrong-type", 4, 19, "whole number"),
    ),
    ("repeated key", GOOD + "  start-delay: 0\n", ("duplicate-key", 15, 3, "duplicate key 'start-delay'")),
    (
        "unknown key in a response",
        GOOD.replace('comment: "Used', 'coment: "Used'),
        ("unknown-key", 11, 35, "did you mean 'comment'"),
    ),
    (
        "mapping without value",
        GOOD.replace("{value: yes, comment:", "{comment:"),
        ("missing-key", 11, 22, "no 'value'"),
    ),
    ("site id read as a boolean", GOOD.replace("site: yvn-01", "site: no"), ("id-not-string", 5, 7, "quote it")),
    ("site id not a slug", GOOD.replace("site: yvn-01", "site: Yvn 01"), ("invalid-id", 5, 7, "lowercase letters")),
    (
        "audit id that is a reserved file name",
        GOOD.replace("id: yvn-01-2026-11-20", "id: CON"),
        ("invalid-id", 2, 5, "'id' 'CON' cannot be part of a file name"),
    ),
    (
        "inspector read as a number",
        GOOD.replace("inspector: Anna Petrosyan", "inspector: 42"),
        ("id-not-string", 6, 12, 'quote it: inspector: "42"'),
    ),
    (
        "language not a language code",
        GOOD.replace("language: lv", "language: Latvian"),
        ("invalid-value", 8, 11, "'language' 'Latvian' is not a language code; write one such as en, hy or lv"),
    ),
    (
        "audit id with a path in it",
        GOOD.replace("id: yvn-01-2026-11-20", "id: ../yvn-01"),
        ("invalid-id", 2, 5, "'id' '../yvn-01' is not a valid id; use letters, digits, '.', '_' and '-'"),
    ),
    (
        "date not in the calendar",
        GOOD.replace("date: 2026-11-20", 'date: "2026-02-30"'),
        ("wrong-type", 7, 7, "'2026-02-30' is not a day of the calendar"),
    ),
]


def test_only_the_specific_problem_is_reported(tmp_path: Path) -> None:
    """A site mapping without id is one missing key, not also 'must be text'; no pydantic wording leaks."""
    found = problems(tmp_path, GOOD.replace("site: yvn-01", "site: {name: Abovyan 12}"))
    assert found == [("missing-key", 5, 7, "site is missing the required key 'id'; add it")]
    found = problems(tmp_path, GOOD.replace("date: 2026-11-20", "date: 20/11/2026"))
    assert found == [("wrong-type", 7, 7, "'date' must be a date written YYYY-MM-DD, not '20/11/2026'")]


@pytest.mark.parametrize("name,text,expected", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_audit_is_located_with_a_hint(tmp_path: Path, name: str, text: str, expected: tuple) -> None:
    found = problems(tmp_path, text)
    rule, line, column, hint = expected
    match = [p for p in found if p[:3] == (rule, line, column)]
    assert match, found
    assert hint in match[0][3]


def test_a_misspelt_required_key_is_reported_once(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("inspector: Anna Petrosyan", "inspectr: Anna Petrosyan"))
    assert found == [("unknown-key", 6, 1, "unknown key 'inspectr' in the audit; did you mean 'inspector'?")]


def test_missing_responses_are_all_named_at_the_responses_key(tmp_path: Path) -> None:
    text = GOOD.replace("  greeting-warmth: 4\n", "").replace("  start-delay: 7\n", "")
    [(rule, line, column, message)] = problems(tmp_path, text)
    assert (rule, line, column) == ("missing-response", 9, 1)
    assert "start-delay, greeting-warmth" in message


def test_all_na_is_invalid(tmp_path: Path) -> None:
    std = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "s.yaml").write_text(std.replace("type: yes_no\n", "type: yes_no\n        na_allowed: true\n"))
    library = load_standards(tmp_path / "std")
    text = re.sub(r"  (addressed-by-name|no-arguing): .*\n", lambda m: f"  {m.group(1)}: na\n", GOOD)
    assert library.get("client-service-core") is not None
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    audit = load_audit(str(path), library)  # still scored: other items answered
    assert sum(r.na for r in audit.responses.values()) == 2


@pytest.mark.parametrize(
    "raw,value",
    [
        ("yes", True),
        ("YES", True),
        ('"yes"', True),
        ("true", True),
        ("Pass", True),
        ("no", False),
        ("FAIL", False),
        ("'false'", False),
        ("off", False),
    ],
)
def test_yes_no_spellings(tmp_path: Path, raw: str, value: bool) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        GOOD.replace("greeting-warmth: 4\n", "greeting-warmth: 4\n").replace(
            "addressed-by-name: {value: yes", f"addressed-by-name: {{value: {raw}"
        ),
        encoding="utf-8",
    )
    assert load_audit(str(path), LIBRARY).responses["addressed-by-name"].value is value


def test_valid_forms(tmp_path: Path) -> None:
    text = (
        GOOD.replace("id: yvn-01-2026-11-20\n", "")
        .replace("site: yvn-01", "site: {id: yvn-01, name: Yerevan, region: Caucasus}")
        .replace("start-delay: 7", "start-delay: 07")
    )
    path = tmp_path / "visit-42.yaml"
    path.write_text(text, encoding="utf-8")
    audit = load_audit(str(path), LIBRARY)
    assert audit.id == "visit-42" and audit.site == "yvn-01" and audit.site_name == "Yerevan"
    assert audit.responses["start-delay"].value == 7  # 07 is seven, not octal
    assert audit.responses["addressed-by-name"].comment == "Used the client's name twice"


@pytest.mark.parametrize("na", ["na", "NA", "n/a", "N/A"])
def test_na_spellings(tmp_path: Path, na: str) -> None:
    std_text = (
        (STANDARDS / "client-service-core.yaml")
        .read_text(encoding="utf-8")
        .replace("        type: scale\n", "        type: scale\n        na_allowed: true\n")
    )
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "s.yaml").write_text(std_text, encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(GOOD.replace("greeting-warmth: 4", f"greeting-warmth: {na}"), encoding="utf-8")
    assert load_audit(str(path), load_standards(tmp_path / "std")).responses["greeting-warmth"].na


def test_score_json_shape_order_and_exit(tmp_path: Path) -> None:
    audits = tmp_path / "audits" / "nested"
    audits.mkdir(parents=True)
    (audits / "b.yaml").write_text(GOOD, encoding="utf-8")
    (audits / "a.yaml").write_text(
        GOOD.replace("id: yvn-01-2026-11-20", "id: aaa").replace("site: yvn-01", "site: abc-1"), encoding="utf-8"
    )
    (audits / "bad.yaml").write_text(GOOD.replace("greeting-warmth: 4", "greeting-warmth: 9"), encoding="utf-8")
    done = run_cli("score", str(tmp_path / "audits"), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    assert done.code == 1
    out = json.loads(done.stdout)
    assert [a["site"] for a in out["audits"]] == ["abc-1", "yvn-01"]
    first = out["audits"][1]
    assert {
        "id",
        "file",
        "site",
        "date",
        "inspector",
        "standard",
        "standard_version",
        "score",
        "raw_score",
        "grade",
        "passed",
        "critical_failures",
        "sections",
        "items",
    } <= set(first)
    assert (first["score"], first["raw_score"], first["grade"], first["passed"]) == (61.67, 61.67, "D", False)
    assert [s["id"] for s in first["sections"]] == ["punctuality", "manner"]
    assert first["sections"][0] == {"id": "punctuality", "score": 50.0, "weight": 2, "coverage": 1.0}
    assert [i["id"] for i in first["items"]][:2] == ["start-delay", "addressed-by-name"]
    assert first["items"][0] == {**first["items"][0], "value": 7, "na": False, "score": 0.0}
    [error] = out["errors"]
    assert Path(error["file"]).name == "bad.yaml" and (error["line"], error["column"]) == (12, 20)
    assert (
        run_cli(
            "score", str(tmp_path / "audits" / "nested" / "a.yaml"), "--standards", str(STANDARDS), "--no-cache"
        ).code
        == 0
    )


def test_score_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("score", str(tmp_path / "nowhere"), "--standards", str(STANDARDS)).code == 2
    assert run_cli("score", "--format", "yaml", "--standards", str(STANDARDS)).code == 2
    assert run_cli("score", str(tmp_path), "--standards", str(tmp_path / "no-standards")).code == 2
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    for option in ("--sites", "--waivers"):  # named, an optional file must exist (a typo is not "no registry")
        done = run_cli("score", str(tmp_path), "--standards", str(STANDARDS), option, str(tmp_path / "site.yaml"))
        assert done.code == 2 and done.stdout == ""
        assert done.stderr == f"qaudit: error: {option} {tmp_path / 'site.yaml'}: no such file; " + (
            "check the path (or leave the option out)\n"
        )
    done = run_cli("new", "client-service-core", "--site", "s", "--inspector", "I", "--date", "20261120")
    assert done.code == 2
    assert done.stderr == "qaudit: error: --date '20261120' is not a date; write it as YYYY-MM-DD\n"


def test_score_csv_and_table(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    csv_out = run_cli("score", str(tmp_path), "--standards", str(STANDARDS), "-f", "csv", "--no-cache").stdout
    header, row = csv_out.splitlines()
    assert header.endswith("section:punctuality,section:manner") and row.endswith(",50.00,85.00")
    table = run_cli("score", str(tmp_path), "--standards", str(STANDARDS), "--no-cache").stdout
    assert "yvn-01" in table and "61.67" in table and "FAIL" in table
    assert re.search(r"61\.67  D      FAIL", table), table  # the score right-aligned, then grade and result


def test_score_csv_keeps_a_formula_like_name_with_a_line_break_as_text_in_one_row(tmp_path: Path) -> None:
    import csv
    import io

    text = GOOD.replace("inspector: Anna Petrosyan", 'inspector: "=evil\\rsecond"')
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    out = run_cli("score", str(tmp_path), "--standards", str(STANDARDS), "-f", "csv", "--no-cache").stdout
    header, row = list(csv.reader(io.StringIO(out, newline="")))
    assert row[header.index("inspector")] == "'=evil\nsecond"


def test_score_csv_keeps_same_named_sections_of_different_standards_apart(tmp_path: Path) -> None:
    std = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "a.yaml").write_text(std, encoding="utf-8")
    (tmp_path / "std" / "b.yaml").write_text(
        std.replace("id: client-service-core", "id: other").replace("weight: 2\n", "weight: 1\n"), encoding="utf-8"
    )
    (tmp_path / "audits").mkdir()
    (tmp_path / "audits" / "a.yaml").write_text(GOOD, encoding="utf-8")
    other = GOOD.replace("standard: client-service-core", "standard: other").replace("id: yvn-01-", "id: b-")
    (tmp_path / "audits" / "b.yaml").write_text(other.replace("start-delay: 7", "start-delay: 0"), encoding="utf-8")
    done = run_cli("score", str(tmp_path / "audits"), "--standards", str(tmp_path / "std"), "-f", "csv", "--no-cache")
    assert done.code == 0, done.stderr
    header, first, second = done.stdout.splitlines()
    assert header.endswith(
        "section:other/punctuality,section:other/manner,"
        "section:client-service-core/punctuality,section:client-service-core/manner"
    )
    assert first.startswith("b-2026-11-20,") and first.endswith(",100.00,85.00,,")
    assert second.startswith("yvn-01-2026-11-20,") and second.endswith(",,,50.00,85.00")


def test_new_blank_audit_fills_and_scores(tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    done = run_cli(
        "new",
        "client-service-core",
        "--site",
        "yvn-01",
        "--inspector",
        "Anna",
        "--date",
        "2026-11-20",
        "--lang",
        "lv",
        "-o",
        str(out),
        "--standards",
        str(STANDARDS),
    )
    assert done.code == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"^  ([a-z-]+):$", text, re.M) == [
        "start-delay",
        "addressed-by-name",
        "greeting-warmth",
        "needs-identified",
        "no-arguing",
    ]
    assert "# Kavētās minūtes pakalpojuma sākumā" in text and "N/A not allowed" in text and "CRITICAL" in text
    unfilled = run_cli("score", str(out), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    assert unfilled.code == 1
    assert {e["rule"] for e in json.loads(unfilled.stdout)["errors"]} == {"missing-response"}
    answers = {
        "start-delay": "0",
        "addressed-by-name": "yes",
        "greeting-warmth": "5",
        "needs-identified": "full",
        "no-arguing": "yes",
    }
    out.write_text(
        re.sub(r"^  ([a-z-]+):$", lambda m: f"  {m.group(1)}: {answers[m.group(1)]}", text, flags=re.M),
        encoding="utf-8",
    )
    filled = run_cli("score", str(out), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    assert filled.code == 0 and json.loads(filled.stdout)["audits"][0]["score"] == 100.0
    again = run_cli(
        "new", "client-service-core", "--site", "x", "--inspector", "y", "-o", str(out), "--standards", str(STANDARDS)
    )
    assert again.code == 2 and "already exists" in again.stderr
    assert (
        json.loads(run_cli("score", str(out), "--standards", str(STANDARDS), "-f", "json", "--no-cache").stdout)[
            "audits"
        ][0]["score"]
        == 100.0
    )
    forced = run_cli(
        "new",
        "client-service-core",
        "--site",
        "x",
        "--inspector",
        "y",
        "-o",
        str(out),
        "--force",
        "--standards",
        str(STANDARDS),
    )
    assert forced.code == 0 and 'site: "x"' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "site,inspector,hint", [("Yvn 01", "Anna", "--site 'Yvn 01' is not a site id"), ("yvn-01", " ", "--inspector")]
)
def test_new_refuses_a_site_or_inspector_that_cannot_validate(
    tmp_path: Path, site: str, inspector: str, hint: str
) -> None:
    out = tmp_path / "blank.yaml"
    done = run_cli(
        "new",
        "client-service-core",
        "--site",
        site,
        "--inspector",
        inspector,
        "-o",
        str(out),
        "--standards",
        str(STANDARDS),
    )
    assert done.code == 2 and hint in done.stderr and not out.exists()


def test_unknown_version_names_the_standard_files_skipped_for_errors(tmp_path: Path) -> None:
    std = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "v3.yaml").write_text(std, encoding="utf-8")
    broken = tmp_path / "std" / "v4.yaml"
    broken.write_text(std.replace("version: 3", "version: 4").replace("pass_score: 80", "pass_score: 180"))
    library = load_standards(tmp_path / "std")
    path = tmp_path / "a.yaml"
    path.write_text(GOOD.replace("standard_version: 3", "standard_version: 4"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_audit(str(path), library)
    [problem] = caught.value.problems
    assert (problem.rule, problem.line, problem.column) == ("unknown-standard", 4, 19)
    assert problem.message.endswith(
        f"(loaded versions: 3); use one of those, or add that version to the standards folder "
        f"({broken} has errors and was skipped; run 'qaudit lint')"
    )


def test_library_api_takes_path_objects() -> None:
    import qaudit

    library = qaudit.load_standards(STANDARDS)
    audit = qaudit.load_audit(HERE / "data" / "spec" / "audits" / "yvn-01-2026-11-20.yaml", library)
    standard = library.get(audit.standard, audit.standard_version)
    assert standard is not None
    result = qaudit.score(standard, audit)
    assert audit.file.endswith("yvn-01-2026-11-20.yaml") and isinstance(audit.file, str)
    assert (result.score, result.raw_score, result.grade, result.passed) == (61.67, 61.67, "D", False)
    assert [(s.id, s.score) for s in result.sections] == [("punctuality", 50.0), ("manner", 85.0)]


def test_a_site_missing_from_the_registry_is_a_warning_at_the_audit(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    registry = tmp_path / "sites.yaml"
    registry.write_text("schema: qaudit/sites@1\nsites:\n  - {id: other, name: Other}\n", encoding="utf-8")
    done = run_cli("score", str(tmp_path / "a.yaml"), "--standards", str(STANDARDS), "--sites", str(registry))
    assert done.code == 0
    assert f"{tmp_path / 'a.yaml'}:5:7 warning unknown-site site 'yvn-01' is not in {registry}; check the id" in (
        done.stderr
    )
