"""Contract v2 (FORMATS.md section 7), checked through `qaudit score --format json` against a
reference computed independently from the contract (tests/v2_oracle.py) and numbers worked out
by hand (in the comments here and in tests/data/v2/audits)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from v2_oracle import Scored, actions, calibration, differences, oracle, public, sort_key, trends

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "v2"


def run_json(*args: str) -> tuple[int, dict]:
    """The exit status of a command asked for JSON, and its output read."""
    result = run_cli(*args)
    return result.code, json.loads(result.stdout)


def score(*paths: Path | str, standards: Path | str = DATA / "standards") -> tuple[int, dict]:
    return run_json("score", *map(str, paths), "--standards", str(standards), "--format", "json", "--no-cache")


@functools.cache
def load_standards(folder: Path) -> dict[tuple[str, int], dict]:
    out = {}
    for path in sorted(folder.rglob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[(raw["id"], raw["version"])] = raw
    return out


def expected(path: Path, standards: Path = DATA / "standards") -> dict:
    audit = yaml.safe_load(path.read_text(encoding="utf-8"))
    std = load_standards(standards)[(audit["standard"], audit["standard_version"])]
    return oracle(std, audit, path.stem)


@pytest.fixture(autouse=True)
def _outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No workspace file, site registry or waivers of the repository may change the results."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        code, out = score(DATA / "audits")
    assert out["errors"] == [] and code == 0
    return {a["id"]: a for a in out["audits"]}


def item(result: dict, item_id: str, instance: str | None = None) -> dict:
    rows = [r for r in result["items"] if r["id"] == item_id and r.get("instance") == instance]
    assert len(rows) == 1, (item_id, instance, rows)
    return rows[0]


def section(result: dict, section_id: str) -> float | None:
    return next(s["score"] for s in result["sections"] if s["id"] == section_id)


# ---------------------------------------------------------------- the oracle against v1


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        return score(ROOT / "examples" / "audits", standards=ROOT / "standards")


def test_the_oracle_agrees_with_qaudit_on_every_v1_example(examples: tuple[int, dict]) -> None:
    """The reference is validated on the bundled examples by the keys and rules of contract v1."""
    code, out = examples
    assert code == 0 and out["errors"] == []
    got = {a["id"]: a for a in out["audits"]}
    paths = sorted((ROOT / "examples" / "audits").rglob("*.yaml"))
    wanted = [expected(p, ROOT / "standards") for p in paths]
    assert len(got) == len(wanted) == len(paths) > 30
    for want in wanted:
        assert differences(got[want["id"]], want, v1=True) == []
    assert [a["id"] for a in out["audits"]] == [w["id"] for w in sorted(wanted, key=sort_key)]


def test_every_bundled_example_matches_the_reference_with_the_v2_keys(examples: tuple[int, dict]) -> None:
    code, out = examples
    assert code == 0
    got = {a["id"]: a for a in out["audits"]}
    for path in sorted((ROOT / "examples" / "audits").rglob("*.yaml")):
        want = expected(path, ROOT / "standards")
        assert differences(got[want["id"]], want) == []


# ---------------------------------------------------------------- every hand-written v2 audit


@pytest.mark.parametrize("name", sorted(p.stem for p in (DATA / "audits").glob("*.yaml")))
def test_v2_audit_matches_the_reference(results: dict[str, dict], name: str) -> None:
    want = expected(DATA / "audits" / f"{name}.yaml")
    assert differences(results[name], want) == []


# ---------------------------------------------------------------- worked numbers


def test_points_total_differs_from_section_averaging(results: dict[str, dict]) -> None:
    points, sections = results["room-412-points"], results["room-412-sections"]
    # 7 of 9 points: 77.78 %, C, below the pass mark of 80
    assert (points["score"], points["raw_score"], points["grade"], points["passed"]) == (77.78, 77.78, "C", False)
    assert (points["points"], points["points_possible"]) == (7, 9)
    assert [section(points, s) for s in ("arrival", "bathroom", "bedroom")] == [100.0, 72.22, 76.67]
    # the same answers averaged by section with weights 1, 1, 2: 81.39 %, B, passed
    assert (sections["score"], sections["grade"], sections["passed"]) == (81.39, "B", True)
    assert (sections["points"], sections["points_possible"]) == (7, 9)
    assert [s["weight"] for s in sections["sections"]] == [1, 1, 2]
    # a multi-select scores chosen / all; a `max` band includes its bound
    assert item(points, "minibar")["score"] == 0.5 and item(points, "minibar")["value"] == ["snacks"]
    assert item(points, "window-gap-mm")["score"] == 1.0
    assert points["subject"] == "412" and points["fields"] == {} and points["comment"] is None


def test_repeated_section_is_the_mean_of_its_rooms(results: dict[str, dict]) -> None:
    visit = results["rooms-visit"]
    assert section(visit, "rooms") == 65.0 and section(visit, "common") == 100.0  # mean(80, 50)
    assert (visit["score"], visit["grade"], visit["passed"]) == (76.67, "C", False)
    assert (visit["points"], visit["points_possible"]) == (6, 8)
    assert [(r["id"], r["instance"]) for r in visit["items"]] == [("lobby-clean", None)] + [
        (i, room)
        for room in ("412", "518")
        for i in ("bed-made", "bathroom", "smoke-detector", "minibar-used", "minibar-restocked")
    ]
    # the condition reads the same room: restocked applies in 412, not in 518
    assert item(visit, "minibar-restocked", "412")["applicable"] is True
    skipped = item(visit, "minibar-restocked", "518")
    assert (skipped["applicable"], skipped["na"], skipped["value"], skipped["score"], skipped["finding"]) == (
        False,
        False,
        None,
        None,
        False,
    )
    # N/A is applicable, never a finding; `fair` is flag: false; `no` scores 0 < 1
    na = item(visit, "bathroom", "518")
    assert (na["na"], na["applicable"], na["score"], na["finding"]) == (True, True, None, False)
    assert item(visit, "bathroom", "412")["finding"] is False and item(visit, "bathroom", "412")["score"] == 0.5
    assert item(visit, "bed-made", "518")["finding"] is True
    unscored = item(visit, "minibar-used", "412")
    assert (unscored["scored"], unscored["score"], unscored["value"], unscored["finding"]) == (False, None, True, False)
    assert visit["comment"] == "Floor 4 and 5 checked." and visit["subject"] is None


def test_repeated_section_under_points_pools_its_rooms(results: dict[str, dict]) -> None:
    visit = results["rooms-visit-points"]
    assert (visit["score"], visit["points"], visit["points_possible"]) == (75.0, 6, 8)
    assert section(visit, "rooms") == 71.43  # (4 + 1) / (5 + 2), not mean(80, 50)


def test_critical_failure_in_two_rooms_is_listed_once(results: dict[str, dict]) -> None:
    audit = results["rooms-critical"]
    assert audit["critical_failures"] == ["smoke-detector"]
    assert (audit["score"], audit["raw_score"], audit["grade"], audit["passed"]) == (33.33, 33.33, "D", False)
    assert item(audit, "smoke-detector", "101")["finding"] and item(audit, "smoke-detector", "102")["finding"]
    assert item(audit, "bathroom", "102")["finding"] is True  # poor: flag true


def test_skipped_sections_count_nowhere(results: dict[str, dict]) -> None:
    drive = results["drive-thru"]
    assert [section(drive, s) for s in ("visit", "stall", "drive-thru", "problem", "wrap-up")] == [
        70.0,
        None,
        87.5,
        None,
        75.0,
    ]
    assert (drive["score"], drive["grade"], drive["passed"]) == (77.5, "C", False)
    assert (drive["points"], drive["points_possible"]) == (5.35, 7)
    for skipped in ("stall-order-taken-promptly", "tray-clean", "problem-resolved", "problem-notes", "manager-called"):
        row = item(drive, skipped)
        assert (row["applicable"], row["na"], row["value"], row["finding"]) == (False, False, None, False), skipped
    assert item(drive, "asked-to-return")["applicable"] is True
    assert [r["id"] for r in drive["items"] if r["finding"]] == ["extras-offered", "overall"]
    assert item(drive, "extras-offered")["value"] == ["dessert", "upsize"]
    assert item(drive, "extras-offered")["score"] == pytest.approx(0.6)
    assert item(drive, "order-minutes")["score"] == 0.5  # `under: 3` is strict
    assert item(drive, "server-name")["value"] == "Bob" and item(drive, "server-name")["scored"] is False
    assert item(drive, "follow-up-date")["value"] == "2026-03-10"
    assert drive["fields"] == {"shopper": "Lilit", "review-type": "spot", "visit-day": "2026-03-01"} or {
        k: v for k, v in drive["fields"].items() if v is not None
    } == {"shopper": "Lilit", "review-type": "spot", "visit-day": "2026-03-01"}
    assert drive["subject"] == "lunch" and drive["comment"] == "Quick service."


def test_conditions_not_any_all_and_flagged_bands(results: dict[str, dict]) -> None:
    stall = results["stall-problem"]
    assert [section(stall, s) for s in ("visit", "stall", "drive-thru", "problem", "wrap-up")] == [
        0.0,
        50.0,
        None,
        100.0,
        0.0,
    ]
    assert stall["score"] == 37.5 and stall["critical_failures"] == []
    assert item(stall, "manager-called")["applicable"] is True  # any: 12 >= 10
    assert item(stall, "asked-to-return")["applicable"] is False  # not: a problem
    assert item(stall, "order-minutes")["finding"] is True  # the band says flag: true
    optional = item(stall, "server-name")  # optional text left out
    assert (optional["applicable"], optional["value"], optional["finding"]) == (True, None, False)
    assert item(stall, "extras-offered")["value"] == [] and item(stall, "extras-offered")["score"] == 0.0
    na = results["drive-thru-na"]
    assert na["score"] == 83.33 and na["grade"] == "B" and na["passed"] is True
    assert item(na, "had-problem")["na"] is True and item(na, "had-problem")["scored"] is False
    assert item(na, "asked-to-return")["applicable"] is True  # not(N/A is yes) is true
    assert item(na, "tray-clean")["applicable"] is False and item(na, "tray-clean")["na"] is False


def test_no_pass_mark_own_grades_and_zero_score(results: dict[str, dict]) -> None:
    good, bad = results["kiosk-good"], results["kiosk-critical"]
    assert (good["score"], good["grade"], good["passed"]) == (87.5, "Silver", None)
    assert item(good, "queue")["score"] == 0.5 and item(good, "queue")["finding"] is False
    assert (bad["score"], bad["raw_score"], bad["grade"], bad["passed"]) == (0, 39.58, "Bronze", None)
    assert bad["critical_failures"] == ["safe-locked"]
    assert [r["finding"] for r in bad["items"]] == [True, True, True]  # critical; 0.25 < 0.5; 2/3 < 1


# ---------------------------------------------------------------- ordering (7.9)

KIOSK = """\
schema: qaudit/audit@2
id: {id}
standard: kiosk
standard_version: 1
site: {site}
inspector: Anna Petrosyan
date: {date}
{subject}responses: {{safe-locked: yes, queue: 1, smile: 3}}
"""


def test_audits_sorted_by_site_date_subject_null_first_then_id(tmp_path: Path) -> None:
    rows = [
        ("k-9", "kiosk-2", "2026-01-01", None),
        ("k-8", "kiosk-1", "2026-01-02", "b"),
        ("k-7", "kiosk-1", "2026-01-02", "a"),
        ("k-6", "kiosk-1", "2026-01-02", None),
        ("k-5", "kiosk-1", "2026-01-02", "a"),
        ("k-4", "kiosk-1", "2026-01-01", "z"),
        ("k-3", "kiosk-1", "2026-01-02", None),
    ]
    for audit_id, site, date, subject in rows:
        text = KIOSK.format(id=audit_id, site=site, date=date, subject=f'subject: "{subject}"\n' if subject else "")
        (tmp_path / f"{audit_id}.yaml").write_text(text, encoding="utf-8")
    code, out = score(tmp_path)
    assert code == 0
    assert [a["id"] for a in out["audits"]] == ["k-4", "k-3", "k-6", "k-5", "k-7", "k-8", "k-9"]
    assert [a["subject"] for a in out["audits"]] == ["z", None, None, "a", "a", "b", None]


# ---------------------------------------------------------------- invalid v2 audits

SHOP = """\
schema: qaudit/standard@2
id: shop
version: 1
title: Shop visit
option_sets:
  review:
    - {value: spot}
    - {value: calibration}
fields:
  - {id: shopper, text: Shopper, type: text, required: true}
  - {id: review-type, text: Review type, type: choice, options: review}
  - {id: visit-day, text: Visit day, type: date}
  - {id: party-size, text: Party size, type: number}
sections:
  - id: visit
    title: Visit
    items:
      - id: dining-mode
        text: Dining mode
        type: choice
        scored: false
        options: [{value: stall}, {value: drive-thru}]
      - id: stall-order-taken-promptly
        text: Order taken promptly at the stall
        type: yes_no
        when: {item: dining-mode, is: stall}
      - id: bathroom-clean
        text: Bathroom clean
        type: yes_no
        require: {comment: findings, evidence: findings}
      - id: extras-offered
        text: Extras offered
        type: multi_choice
        options: [{value: dessert, score: 1}, {value: drink, score: 1}]
      - {id: server-name, text: Server name, type: text}
      - {id: visit-notes, text: Notes, type: text, required: false}
  - id: tables
    title: Tables
    repeat: {min: 1, max: 2, label: Table}
    items:
      - {id: table-clean, text: Table clean, type: yes_no}
"""

GOOD = """\
schema: qaudit/audit@2
standard: shop
standard_version: 1
site: shop-1
inspector: Anna Petrosyan
date: 2026-03-01
fields:
  shopper: Anna
  review-type: spot
  party-size: 2
responses:
  dining-mode: drive-thru
  bathroom-clean: yes
  extras-offered: [dessert]
  server-name: Bob
  tables:
    - instance: "1"
      table-clean: yes
"""


def change(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of needle in text."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# (name, audit text, rule, acceptable locations as (needle, nth), words the message must contain)
INVALID = [
    (
        "not-applicable",
        change("  bathroom-clean: yes\n", "  stall-order-taken-promptly: yes\n  bathroom-clean: yes\n"),
        "not-applicable",
        [("stall-order-taken-promptly", 1), ("yes\n  bathroom", 1)],
        ["stall-order-taken-promptly", "dining-mode", "drive-thru"],
    ),
    (
        "not-applicable-mapping",
        change(
            "  bathroom-clean: yes\n",
            "  stall-order-taken-promptly: {value: no, comment: slow}\n  bathroom-clean: yes\n",
        ),
        "not-applicable",
        [("stall-order-taken-promptly", 1), ("{value: no", 1), ("no, comment", 1)],
        ["stall-order-taken-promptly", "dining-mode"],
    ),
    (
        "comment-required",
        change("bathroom-clean: yes", "bathroom-clean: {value: no, evidence: [sink.jpg]}"),
        "comment-required",
        [("bathroom-clean", 1), ("{value: no", 1), ("no, evidence", 1)],
        ["bathroom-clean"],
    ),
    (
        "evidence-required",
        change("bathroom-clean: yes", "bathroom-clean: {value: no, comment: Hair in the sink}"),
        "evidence-required",
        [("bathroom-clean", 1), ("{value: no", 1), ("no, comment", 1)],
        ["bathroom-clean"],
    ),
    (
        "unknown-field",
        change("  review-type: spot", "  reveiw-type: spot"),
        "unknown-field",
        [("reveiw-type", 1)],
        ["reveiw-type", "review-type"],
    ),
    (
        "missing-field",
        change("  shopper: Anna\n", ""),
        "missing-field",
        [("fields:", 1), ("review-type: spot", 1)],
        ["shopper"],
    ),
    (
        "field-wrong-type",
        change("party-size: 2", "party-size: many"),
        "invalid-field",
        [("many", 1)],
        ["party-size", "many"],
    ),
    (
        "field-impossible-date",
        change("  party-size: 2", "  party-size: 2\n  visit-day: 2026-02-31"),
        "invalid-field",
        [("2026-02-31", 1)],
        ["visit-day", "2026-02-31"],
    ),
    (
        "field-not-an-option",
        change("review-type: spot", "review-type: callibration"),
        "invalid-field",
        [("callibration", 1)],
        ["review-type", "'callibration'", "calibration"],
    ),
    (
        "too-few-instances",
        change('    - instance: "1"\n      table-clean: yes\n', "").replace("  tables:\n", "  tables: []\n"),
        "instance-count",
        [("tables", 1), ("[]", 1)],
        ["tables"],
    ),
    (
        "too-many-instances",
        change(
            "      table-clean: yes\n",
            '      table-clean: yes\n    - instance: "2"\n      table-clean: yes\n'
            '    - instance: "3"\n      table-clean: no\n',
        ),
        "instance-count",
        [("tables", 1), ("- instance", 1), ("- instance", 3), ('"3"', 1), ('instance: "3"', 1)],
        ["tables"],
    ),
    (
        "duplicate-instance",
        change("      table-clean: yes\n", '      table-clean: yes\n    - instance: "1"\n      table-clean: no\n'),
        "duplicate-instance",
        [('"1"', 2), ('instance: "1"', 2), ('- instance: "1"', 2)],
        ["'1'"],
    ),
    (
        "instance-not-a-string",
        change('instance: "1"', "instance: 1"),
        "invalid-instance",
        [("1\n      table", 1), ("instance: 1", 1)],
        ["tables"],
    ),
    (
        "instance-empty",
        change('instance: "1"', 'instance: ""'),
        "invalid-instance",
        [('""', 1), ('instance: ""', 1)],
        ["tables"],
    ),
    (
        "multi-choice-repeat",
        change("[dessert]", "[dessert, dessert]"),
        "invalid-value",
        [("[dessert", 1), ("dessert]", 1), ("extras-offered", 1)],
        ["extras-offered", "dessert"],
    ),
    (
        "multi-choice-unknown",
        change("[dessert]", "[dessert, cake]"),
        "invalid-value",
        [("[dessert", 1), ("cake", 1), ("extras-offered", 1)],
        ["extras-offered", "cake"],
    ),
    (
        "repeated-section-left-out",
        change('  tables:\n    - instance: "1"\n      table-clean: yes\n', ""),
        "missing-response",
        [("responses:", 1), ("dining-mode", 1)],
        ["tables"],
    ),
    (
        "required-text-left-out",
        change("  server-name: Bob\n", ""),
        "missing-response",
        [("responses:", 1), ("dining-mode", 1)],
        ["server-name"],
    ),
    (
        "required-text-empty",
        change("server-name: Bob", 'server-name: ""'),
        "missing-response",
        [('""', 1), ("server-name", 1), ("responses:", 1), ("dining-mode", 1)],
        ["server-name"],
    ),
]


@pytest.mark.parametrize(("name", "text", "rule", "places", "words"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_v2_audit_is_located(
    tmp_path: Path, name: str, text: str, rule: str, places: list[tuple[str, int]], words: list[str]
) -> None:
    (tmp_path / "standards").mkdir()
    (tmp_path / "standards" / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    code, out = score(tmp_path / "good.yaml", tmp_path / "bad.yaml", standards=tmp_path / "standards")
    assert code == 1
    assert [a["id"] for a in out["audits"]] == ["good"]  # the valid audit is still scored
    assert out["errors"], "no error reported"
    assert all(Path(e["file"]).name == "bad.yaml" for e in out["errors"])
    found = [e for e in out["errors"] if e.get("rule") == rule]
    assert found, f"no {rule} error among {out['errors']}"
    error = found[0]
    allowed = {at(text, needle, nth) for needle, nth in places}
    assert (error["line"], error["column"]) in allowed, (error, allowed)
    for word in words:
        assert word in error["message"], (word, error["message"])


def test_the_valid_shop_audit_is_scored(tmp_path: Path) -> None:
    (tmp_path / "standards").mkdir()
    (tmp_path / "standards" / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, out = score(tmp_path / "good.yaml", standards=tmp_path / "standards")
    assert code == 0 and out["errors"] == []
    want = oracle(yaml.safe_load(SHOP), yaml.safe_load(GOOD), "good")
    assert differences(out["audits"][0], want) == []
    # visit: bathroom 1, extras 1/2 -> 75; tables: 100; raw 87.5
    assert public(want)["score"] == out["audits"][0]["score"] == 87.5


# ---------------------------------------------------------------- follow-up (7.10)

SUITE = """\
schema: qaudit/standard@2
id: suite
version: 1
title: Suite inspection
sections:
  - id: entry
    title: Entry
    items:
      - {id: door-closes, text: Door closes, type: yes_no, critical: true}
  - id: areas
    title: Areas
    repeat: {min: 1, max: 4, label: Area}
    items:
      - {id: surface-clean, text: Surfaces clean, type: yes_no}
      - {id: lights, text: Lights working, type: scale, min: 1, max: 3}
"""

DESK = """\
schema: qaudit/standard@2
id: desk
version: 1
title: Front desk
sections:
  - id: main
    title: Main
    items:
      - {id: greeting, text: Greeting, type: yes_no}
      - {id: wait, text: Wait, type: choice, options: [{value: short, score: 1}, {value: long, score: 0}]}
"""

SITES = """\
schema: qaudit/sites@1
sites:
  - {id: h1, name: Harbour Hotel, manager: {name: Mara Manager, email: mara@example.com}}
"""


def suite_audit(inspector: str, date: str, subject: str, door: str, areas: str) -> str:
    return (
        f"schema: qaudit/audit@2\nstandard: suite\nstandard_version: 1\nsite: h1\ninspector: {inspector}\n"
        f'date: {date}\nsubject: "{subject}"\nresponses:\n  door-closes: {door}\n  areas:\n{areas}'
    )


def area(name: str, surface: str, lights: int) -> str:
    return f"    - instance: {name}\n      surface-clean: {surface}\n      lights: {lights}\n"


FOLLOW_UP = {
    # suite visits: 2026-01-05 (100), 2026-02-01 (75), 2026-03-01 (mean of 68.75, 87.5, 50 = 68.75)
    "s-0105": suite_audit("Ann", "2026-01-05", "412", "yes", area("bath", "yes", 3) + area("bed", "yes", 3)),
    "s-0201": suite_audit("Bea", "2026-02-01", "412", "yes", area("bath", "no", 3)),  # (100 + 50) / 2
    # the same room audited by Ann and Bea on 2026-03-01 (a calibration pair), and room 518 by Ann
    "s-0301-412-ann": suite_audit(  # areas mean(25, 50) = 37.5 -> (100 + 37.5) / 2 = 68.75
        "Ann",
        "2026-03-01",
        "412",
        "yes",
        "    - instance: bath\n      surface-clean: {value: no, comment: Soap stains}\n      lights: 2\n"
        + area("bed", "no", 3),
    ),
    "s-0301-412-bea": suite_audit(  # areas mean(50, 100) = 75 -> 87.5
        "Bea",
        "2026-03-01",
        "412",
        "yes",
        "    - instance: bath\n      surface-clean: {value: no, comment: Stains}\n      lights: 3\n"
        + area("bed", "yes", 3),
    ),
    "s-0301-518-ann": suite_audit("Ann", "2026-03-01", "518", "no", area("bath", "yes", 3)),  # (0 + 100) / 2 = 50
    # the second standard of the same site; its latest visit is later than the suite's
    "d-0215": "schema: qaudit/audit@2\nstandard: desk\nstandard_version: 1\nsite: h1\ninspector: Cid\n"
    "date: 2026-02-15\nresponses: {greeting: yes, wait: long}\n",
    "d-0305": "schema: qaudit/audit@2\nstandard: desk\nstandard_version: 1\nsite: h1\ninspector: Cid\n"
    "date: 2026-03-05\nresponses: {greeting: no, wait: short}\n",
}


@pytest.fixture
def follow_up(tmp_path: Path) -> Path:
    (tmp_path / "standards").mkdir()
    (tmp_path / "standards" / "suite.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "standards" / "desk.yaml").write_text(DESK, encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(SITES, encoding="utf-8")
    (tmp_path / "audits").mkdir()
    for name, text in FOLLOW_UP.items():
        (tmp_path / "audits" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def follow(command: str, ws: Path, *extra: str) -> dict:
    code, out = run_json(
        command,
        str(ws / "audits"),
        "--standards",
        str(ws / "standards"),
        "--sites",
        str(ws / "sites.yaml"),
        "--format",
        "json",
        "--no-cache",
        *extra,
    )
    assert code == 0
    return out


def scored_workspace(ws: Path) -> list[Scored]:
    standards = {"suite": yaml.safe_load(SUITE), "desk": yaml.safe_load(DESK)}
    out = []
    for name in FOLLOW_UP:
        audit = yaml.safe_load((ws / "audits" / f"{name}.yaml").read_text(encoding="utf-8"))
        out.append(Scored.of(standards[audit["standard"]], audit, name))
    return out


def test_the_follow_up_workspace_scores_as_worked_out(follow_up: Path) -> None:
    code, out = score(follow_up / "audits", standards=follow_up / "standards")
    assert code == 0
    assert {a["id"]: a["score"] for a in out["audits"]} == {
        "s-0105": 100.0,
        "s-0201": 75.0,
        "s-0301-412-ann": 68.75,
        "s-0301-412-bea": 87.5,
        "s-0301-518-ann": 50.0,
        "d-0215": 50.0,
        "d-0305": 50.0,
    }


ACTION_KEYS = (
    "site",
    "standard",
    "item",
    "subject",
    "instance",
    "standard_version",
    "audit",
    "audits",
    "date",
    "score",
    "critical",
    "comment",
    "owner",
    "due",
    "overdue",
)


def test_actions_per_standard_from_the_whole_latest_visit(follow_up: Path) -> None:
    got = follow("actions", follow_up, "--today", "2026-03-14")["actions"]
    want = [
        # desk: its own latest visit (2026-03-05), not hidden behind or hiding the suite's
        {
            "site": "h1",
            "standard": "desk",
            "item": "greeting",
            "subject": None,
            "instance": None,
            "standard_version": 1,
            "audit": "d-0305",
            "audits": ["d-0305"],
            "date": "2026-03-05",
            "score": 0.0,
            "critical": False,
            "comment": None,
            "owner": "Mara Manager",
            "due": "2026-03-19",
            "overdue": False,
        },
        # room 518's critical door: due 2 days after, overdue on 2026-03-14
        {
            "site": "h1",
            "standard": "suite",
            "item": "door-closes",
            "subject": "518",
            "instance": None,
            "standard_version": 1,
            "audit": "s-0301-518-ann",
            "audits": ["s-0301-518-ann"],
            "date": "2026-03-01",
            "score": 0.0,
            "critical": True,
            "comment": None,
            "owner": "Mara Manager",
            "due": "2026-03-03",
            "overdue": True,
        },
        {
            "site": "h1",
            "standard": "suite",
            "item": "lights",
            "subject": "412",
            "instance": "bath",
            "standard_version": 1,
            "audit": "s-0301-412-ann",
            "audits": ["s-0301-412-ann"],
            "date": "2026-03-01",
            "score": 0.5,
            "critical": False,
            "comment": None,
            "owner": "Mara Manager",
            "due": "2026-03-15",
            "overdue": False,
        },
        # a finding in both audits of room 412: one action, the first audit's comment, the lowest score
        {
            "site": "h1",
            "standard": "suite",
            "item": "surface-clean",
            "subject": "412",
            "instance": "bath",
            "standard_version": 1,
            "audit": "s-0301-412-ann",
            "audits": ["s-0301-412-ann", "s-0301-412-bea"],
            "date": "2026-03-01",
            "score": 0.0,
            "critical": False,
            "comment": "Soap stains",
            "owner": "Mara Manager",
            "due": "2026-03-15",
            "overdue": False,
        },
        {
            "site": "h1",
            "standard": "suite",
            "item": "surface-clean",
            "subject": "412",
            "instance": "bed",
            "standard_version": 1,
            "audit": "s-0301-412-ann",
            "audits": ["s-0301-412-ann"],
            "date": "2026-03-01",
            "score": 0.0,
            "critical": False,
            "comment": None,
            "owner": "Mara Manager",
            "due": "2026-03-15",
            "overdue": False,
        },
    ]
    assert [{k: a.get(k, "<absent>") for k in ACTION_KEYS} for a in got] == want
    assert actions(scored_workspace(follow_up), "2026-03-14", {"h1": "Mara Manager"}) == want


def test_trends_per_site_and_standard_over_visits(follow_up: Path) -> None:
    got = follow("trends", follow_up)["sites"]
    # suite visits 0, 27, 55 days after 2026-01-05 at 100, 75, 68.75: pairwise slopes -25/27, -31.25/55,
    # -6.25/28; median -31.25/55 per day, x 30 = -17.045 points per 30 days.
    want = [
        {
            "site": "h1",
            "standard": "desk",
            "audits": 2,
            "visits": 2,
            "first": "2026-02-15",
            "last": "2026-03-05",
            "latest_score": 50.0,
            "change": 0.0,
            "slope": None,
        },
        {
            "site": "h1",
            "standard": "suite",
            "audits": 5,
            "visits": 3,
            "first": "2026-01-05",
            "last": "2026-03-01",
            "latest_score": 68.75,
            "change": -6.25,
            "slope": -31.25 / 55 * 30,
        },
    ]
    assert trends(scored_workspace(follow_up)) == want
    assert [(t["site"], t["standard"]) for t in got] == [("h1", "desk"), ("h1", "suite")]
    for g, w in zip(got, want, strict=True):
        for key in ("audits", "visits", "first", "last"):
            assert g[key] == w[key], key
        for key in ("latest_score", "change", "slope"):
            assert (g[key] is None) == (w[key] is None), key
            if w[key] is not None:
                assert g[key] == pytest.approx(w[key], abs=0.01), key


def test_calibration_compares_only_the_same_subject(follow_up: Path) -> None:
    got = follow("calibration", follow_up)
    # room 412 by Ann and Bea: door yes/yes, bath surface no/no, bath lights 2/3, bed surface no/yes,
    # bed lights 3/3: 3 of 5 agree. pe = 1/5 x 2/5 (yes) + 2/5 x 1/5 (no) + 1/5 x 2/5 (3) = 0.24,
    # kappa = (0.6 - 0.24) / 0.76. Room 518 (Ann alone) is compared with nobody.
    pair = {
        "site": "h1",
        "date": "2026-03-01",
        "standard": "suite",
        "standard_version": 1,
        "subject": "412",
        "inspectors": ["Ann", "Bea"],
        "items": 5,
        "agreement": 0.6,
        "kappa": 0.36 / 0.76,
    }
    reference = calibration(scored_workspace(follow_up))
    assert len(reference["pairs"]) == len(got["pairs"]) == 1
    for found in (reference["pairs"][0], got["pairs"][0]):
        assert {k: found.get(k, "<absent>") for k in pair if k != "kappa"} == {
            k: v for k, v in pair.items() if k != "kappa"
        }
        assert found["kappa"] == pytest.approx(pair["kappa"])
    # mean differences against the same site's audits of the same standard by others:
    # Ann (100, 68.75, 50) against Bea's mean 81.25: (18.75 - 12.5 - 31.25) / 3 = -8.33;
    # Bea (75, 87.5) against Ann's mean 72.92: (2.08 + 14.58) / 2 = 8.33; Cid (desk) has no others.
    inspectors = [
        {"inspector": "Ann", "audits": 3, "mean_difference": -25 / 3},
        {"inspector": "Bea", "audits": 2, "mean_difference": 25 / 3},
        {"inspector": "Cid", "audits": 2, "mean_difference": None},
    ]
    for found in (reference["inspectors"], got["inspectors"]):
        assert [(i["inspector"], i["audits"]) for i in found] == [(i["inspector"], i["audits"]) for i in inspectors]
        assert [i["mean_difference"] for i in found] == pytest.approx([i["mean_difference"] for i in inspectors])


def test_calibration_of_the_v2_audits_matches_the_reference(tmp_path: Path) -> None:
    code, got = run_json(
        "calibration", str(DATA / "audits"), "--standards", str(DATA / "standards"), "--format", "json", "--no-cache"
    )
    assert code == 0
    standards = load_standards(DATA / "standards")
    scored = []
    for path in sorted((DATA / "audits").glob("*.yaml")):
        audit = yaml.safe_load(path.read_text(encoding="utf-8"))
        scored.append(Scored.of(standards[(audit["standard"], audit["standard_version"])], audit, path.stem))
    want = calibration(scored)["pairs"]
    # the edge pair: answered-phone yes/no, hazards [clutter, wet-floor]/[none], temperature band 2/1,
    # signed yes/no; greeted, the follow-up, launch-day and room a's clean do not apply in both; texts
    # and dates are left out. 0 of 4 agree; no label shared, pe = 0, kappa 0.
    assert [(p["site"], p["inspectors"], p["items"], p["agreement"], p["kappa"]) for p in want] == [
        ("e1", ["Ann", "Bea"], 4, 0.0, 0.0)
    ]
    keys = ("site", "date", "standard", "standard_version", "subject", "inspectors", "items", "agreement")
    assert [{k: p.get(k, "<absent>") for k in keys} for p in got["pairs"]] == [{k: p[k] for k in keys} for p in want]
    assert [p["kappa"] for p in got["pairs"]] == pytest.approx([p["kappa"] for p in want])


def test_a_comment_required_always_is_required_on_a_passing_answer(tmp_path: Path) -> None:
    text = (DATA / "audits" / "edge-ann.yaml").read_text(encoding="utf-8")
    bad = text.replace("signed: {value: yes, comment: ok}", "signed: yes")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    code, out = score(tmp_path / "bad.yaml", DATA / "audits" / "edge-bea.yaml")
    assert code == 1 and [a["id"] for a in out["audits"]] == ["edge-bea"]
    errors = [e for e in out["errors"] if e.get("rule") == "comment-required"]
    assert errors and (errors[0]["line"], errors[0]["column"]) in {at(bad, "signed"), at(bad, "yes\n  rooms")}
    assert "signed" in errors[0]["message"]
