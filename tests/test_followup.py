"""Follow-up numbers (contract §6), checked against values computed by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import Result, run_cli

from qaudit.analytics.calibration import kappa, label
from qaudit.model.standard import Item

DATA = Path(__file__).parent / "data" / "followup"


def run(command: str, *args: str, data: Path = DATA) -> dict:
    done = run_cli(
        command,
        str(data / "audits"),
        "--standards",
        str(data / "standards"),
        "--sites",
        str(data / "sites.yaml"),
        *(["--waivers", str(data / "waivers.yaml")] if (data / "waivers.yaml").exists() else []),
        "--no-cache",
        "-f",
        "json",
        *args,
    )
    assert done.code == 0, done.stderr
    return json.loads(done.stdout)


def workspace(tmp_path: Path, **audits: str) -> Path:
    """A copy of the fixture workspace with extra audit files (name → YAML text)."""
    target = tmp_path / "ws"
    shutil.copytree(DATA, target)
    for name, text in audits.items():
        (target / "audits" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return target


def cal_audit(site: str, inspector: str, date: str, y1: str, y2: str, s1: str, n1: str, c1: str, y3: str) -> str:
    return (
        "schema: qaudit/audit@1\nstandard: cal\nstandard_version: 1\n"
        f"site: {site}\ninspector: {inspector}\ndate: {date}\nresponses:\n"
        f"  y1: {y1}\n  y2: {y2}\n  s1: {s1}\n  n1: {n1}\n  c1: {c1}\n  y3: {y3}\n"
    )


def test_actions_from_each_sites_latest_audit() -> None:
    out = run("actions", "--today", "2026-03-16")
    got = [(a["site"], a["item"], a["score"], a["due"], a["overdue"], a["owner"], a["audit"]) for a in out["actions"]]
    assert got == [
        # site-a: the latest visit (2026-10-01) is a-ann and a-bea (contract 7.10): n1 = 7 (0) for Ann and 3 (0.5)
        # for Bea → the lowest, 0, with Ann's audit first; s1 = 4 on 1..5 for both; y2 = no for Bea only.
        ("site-a", "n1", 0.0, "2026-10-15", False, "Mara Manager", "a-ann"),
        ("site-a", "s1", 0.75, "2026-10-15", False, "Mara Manager", "a-ann"),
        ("site-a", "y2", 0.0, "2026-10-15", False, "Mara Manager", "a-bea"),
        # site-x: latest 2026-03-02 level 70 → 0.7; due + 14 days = 2026-03-16, not overdue on that day.
        ("site-x", "level", 0.7, "2026-03-16", False, None, "x3"),
        ("site-y", "level", 0.5, "2026-01-15", True, None, "y1"),
        ("site-z", "level", 0.9, "2026-03-16", False, None, "z3"),
    ]
    first = out["actions"][0]
    assert first["standard"] == "cal" and first["standard_version"] == 1 and first["critical"] is False
    assert first["date"] == "2026-10-01" and first["comment"] is None
    assert (first["audits"], out["actions"][2]["audits"]) == (["a-ann", "a-bea"], ["a-bea"])
    assert (first["subject"], first["instance"]) == (None, None)


def test_critical_actions_are_due_in_two_days(tmp_path: Path) -> None:
    config = tmp_path / "qaudit.yaml"
    config.write_text("schema: qaudit/config@1\nactions:\n  standards:\n    mini: {other: 7}\n", encoding="utf-8")
    out = run("actions", "--today", "2026-03-10", "--config", str(config))
    dues = {(a["site"], a["item"]): (a["due"], a["overdue"]) for a in out["actions"]}
    assert dues[("site-x", "level")] == ("2026-03-09", True)  # mini: 7 days from 2026-03-02
    assert dues[("site-a", "y2")] == ("2026-10-15", False)


def test_trends_theil_sen_slope_per_30_days() -> None:
    sites = {s["site"]: s for s in run("trends")["sites"]}
    # site-z: 60, 70, 90 at days 0, 30, 60: pairwise slopes 1/3, 1/2, 2/3 → median 1/2 → 15 per 30 days.
    assert (sites["site-z"]["slope"], sites["site-z"]["change"], sites["site-z"]["latest_score"]) == (15.0, 20.0, 90.0)
    # site-x: 80, 60, 70: slopes -2/3, -1/6, 1/3 → median -1/6 → -5.
    assert (sites["site-x"]["slope"], sites["site-x"]["change"]) == (-5.0, 10.0)
    # site-a: two visits (contract 7.10): 83.33 on 2026-09-01, then a-ann 75 and a-bea 65 on 2026-10-01,
    # one visit scoring their mean, 70 → change −13.33 and too few visits for a slope.
    assert sites["site-a"]["slope"] is None
    # site-z in full precision too: not rounded to two decimals.
    assert sites["site-z"]["slope"] == pytest.approx(15.0, abs=1e-9)
    assert (sites["site-a"]["change"], sites["site-a"]["latest_score"]) == (-13.33, 70.0)
    assert (sites["site-a"]["first"], sites["site-a"]["last"], sites["site-a"]["audits"]) == (
        "2026-09-01",
        "2026-10-01",
        3,
    )
    assert (sites["site-a"]["visits"], sites["site-a"]["standard"], sites["site-z"]["visits"]) == (2, "cal", 3)
    assert sites["site-y"]["change"] is None and sites["site-y"]["slope"] is None and sites["site-y"]["audits"] == 1
    assert list(sites) == sorted(sites)


def test_calibration_kappa_and_leniency() -> None:
    out = run("calibration")
    [pair] = out["pairs"]
    assert (pair["site"], pair["date"], pair["standard"], pair["inspectors"], pair["items"]) == (
        "site-a",
        "2026-10-01",
        "cal",
        ["Ann", "Bea"],
        6,
    )
    # Ann: yes yes 4 band2 full na; Bea: yes no 4 band1 full na → po = 4/6, pe = 5/36, kappa = 19/31.
    # Unrounded: an independent computation agrees to the last digit.
    assert pair["agreement"] == 4 / 6
    assert pair["kappa"] == 19 / 31
    inspectors = {i["inspector"]: i for i in out["inspectors"]}
    assert list(inspectors) == ["Ann", "Bea", "Cid"]
    # Ann: 75-65, 83.33-65, 80-mean(60,70); her site-y audit has no other inspector.
    assert inspectors["Ann"]["mean_difference"] == pytest.approx((10 + 18.33 + 15) / 3, abs=0.01)
    assert inspectors["Ann"]["audits"] == 4
    # Bea: 65-mean(75,83.33), 60-80, 70-80.
    assert inspectors["Bea"]["mean_difference"] == pytest.approx((65 - 79.165 - 20 - 10) / 3, abs=0.01)
    assert inspectors["Cid"]["mean_difference"] is None


def test_kappa_edge_cases() -> None:
    assert kappa(["yes", "yes"], ["yes", "yes"]) == (1.0, 1.0)  # pe = 1 and po = 1
    agreement, k = kappa(["yes", "no"], ["no", "yes"])
    assert agreement == 0.0 and k == pytest.approx(-1.0)


def test_items_failure_rates() -> None:
    out = run("items")
    rows = {(r["standard"], r["item"]): r for r in out["items"]}
    # y1 answered 3 times, failed once (a-ann-sep); y2 failed once (a-bea).
    assert (rows[("cal", "y1")]["audits"], rows[("cal", "y1")]["failed"]) == (3, 1)
    assert rows[("cal", "y1")]["failure_rate"] == pytest.approx(1 / 3, abs=1e-4)
    # n1: 3 (0.5, partial), 7 (0, failed), 0 (1).
    assert (rows[("cal", "n1")]["failed"], rows[("cal", "n1")]["partial"]) == (1, 1)
    assert rows[("cal", "y3")]["audits"] == 1  # two N/A answers are not counted


def test_rescore_against_another_version() -> None:
    out = run("rescore", "--standard-version", "2", "--standard", "cal")
    rows = {r["audit"]: r for r in out["audits"]}
    bea = rows["a-bea"]
    # v2 keeps y1 (yes) and s1 (4 → 0.75); c1 became yes/no so 'full' cannot carry over; new1 unanswered.
    assert bea["new_score"] == 87.5 and bea["old_score"] == 65.0 and bea["change"] == 22.5
    assert bea["not_carried_over"] == ["y2", "n1", "c1", "y3"]
    assert bea["unanswered"] == ["new1"]
    assert len(rows) == 3


def test_calibration_pairs_only_different_inspectors(tmp_path: Path) -> None:
    # Ann audits the 2026-10-01 visit of site-a a second time: Ann–Ann is no calibration pair,
    # so the visit gives two pairs, Ann–Bea (the fixture) and Ann(again)–Bea.
    data = workspace(
        tmp_path, **{"a-ann2": cal_audit("site-a", "Ann", "2026-10-01", "no", "no", "2", "7", "none", "no")}
    )
    out = run("calibration", data=data)
    assert [(p["inspectors"], p["audits"]) for p in out["pairs"]] == [
        (["Ann", "Bea"], ["a-ann", "a-bea"]),
        (["Ann", "Bea"], ["a-ann2", "a-bea"]),
    ]
    second = out["pairs"][1]
    # Ann again: no no 2 band2 none no; Bea: yes no 4 band1 full na → only y2 agrees: po = 1/6.
    # Ann's labels no,no,2.0,2,none,no (2.0 and band 2 are one label); Bea's yes,no,4.0,1,full,na.
    # pe = (3/6·1/6) [no] = 3/36; kappa = (1/6 − 3/36) / (1 − 3/36) = 3/33 = 1/11.
    assert second["agreement"] == 1 / 6
    assert second["kappa"] == pytest.approx(1 / 11, abs=1e-12)


def test_calibration_labels_keep_numbers_and_option_values_apart() -> None:
    band = Item.model_validate(
        {
            "id": "n",
            "text": "N",
            "type": "number",
            "bands": [{"max": 0, "score": 1}, {"max": 5, "score": 0.5}, {"score": 0}],
        }
    )
    scale = Item.model_validate({"id": "s", "text": "S", "type": "scale", "min": 1, "max": 5})
    choice = Item.model_validate(
        {"id": "c", "text": "C", "type": "choice", "options": [{"value": "2", "score": 1}, {"value": "x", "score": 0}]}
    )
    answer = lambda value: SimpleNamespace(na=False, value=value)  # noqa: E731
    assert label(band, answer(7)) == 2 and label(band, answer(0)) == 0
    assert label(scale, answer(2)) == 2.0 and label(scale, answer(3.5)) == 3.5
    assert label(choice, answer("2")) == "2"
    assert label(scale, SimpleNamespace(na=True, value=None)) == "na"
    # scale 2 against band 2 agree; option "2" against scale 2 does not.
    assert kappa([label(scale, answer(2)), "2"], [label(band, answer(7)), label(scale, answer(2))])[0] == 0.5


def lint(tmp_path: Path, name: str, text: str) -> Result:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return run_cli("lint", name, cwd=tmp_path)


def test_lint_refuses_waivers_without_reason_or_expiry(tmp_path: Path) -> None:
    done = lint(
        tmp_path,
        "waivers.yaml",
        "schema: qaudit/waivers@1\n"
        "waivers:\n"
        "  - site: site-a\n"
        "    item: y3\n"
        "    until: 2027-06-30\n"
        "  - site: site-a\n"
        "    item: y2\n"
        "    reason: No reception desk\n"
        "  - site: site-a\n"
        "    item: y1\n"
        '    reason: "  "\n'
        "    until: 2027-06-30\n",
    )
    assert done.code == 1
    assert done.stdout.splitlines()[:3] == [
        "waivers.yaml:3:5 error missing-key waiver is missing the required key 'reason'; add it",
        "waivers.yaml:6:5 error missing-key waiver is missing the required key 'until'; add it",
        "waivers.yaml:11:13 error wrong-type the waiver's 'reason' is empty; write why the item does not apply "
        "at this site",
    ]


def test_lint_waiver_dates_and_unknown_sites(tmp_path: Path) -> None:
    shutil.copy(DATA / "sites.yaml", tmp_path / "sites.yaml")
    done = lint(
        tmp_path,
        "waivers.yaml",
        "schema: qaudit/waivers@1\n"
        "waivers:\n"
        "  - {site: site-q, item: y3, reason: No desk, until: 2027-06-30}\n"
        "  - {site: site-a, item: y3, reason: Works, from: 2026-05-02, until: 2026-05-01}\n",
    )
    assert done.code == 1
    assert done.stdout.splitlines()[:2] == [
        "waivers.yaml:3:12 warning unknown-site site 'site-q' is not in sites.yaml; check the id or add the site",
        "waivers.yaml:4:51 error invalid-value 'from' 2026-05-02 is after 'until' 2026-05-01, so the waiver would "
        "never apply; correct one of the dates",
    ]


def test_lint_site_registry(tmp_path: Path) -> None:
    done = lint(
        tmp_path,
        "sites.yaml",
        "schema: qaudit/sites@1\n"
        "sites:\n"
        "  - {id: site-a, country: am, manager: {name: '', email: nobody}}\n"
        "  - {id: site-a, nmae: A}\n",
    )
    assert done.code == 1
    assert done.stdout.splitlines()[:5] == [
        "sites.yaml:3:27 error wrong-type 'country' 'am' is not an ISO 3166 alpha-2 code; write two capital "
        "letters such as AM, GE or LV",
        "sites.yaml:3:47 error wrong-type the manager's 'name' is empty; write who answers for the site's actions",
        "sites.yaml:3:58 error wrong-type 'email' 'nobody' is not an e-mail address; write one such as "
        "anna@example.com",
        "sites.yaml:4:10 error duplicate-id site id 'site-a' is listed twice; list each site once",
        "sites.yaml:4:18 error unknown-key unknown key 'nmae' in site 'site-a'; did you mean 'name'?",
    ]
    ok = lint(tmp_path, "sites.yaml", (DATA / "sites.yaml").read_text(encoding="utf-8"))
    assert ok.code == 0, ok.stdout


V2_AUDIT = (
    "schema: qaudit/audit@1\nstandard: cal\nstandard_version: 2\nsite: site-a\ninspector: Ann\ndate: 2026-10-20\n"
    "responses:\n  y1: no\n  s1: 5\n  c1: {value: no, comment: No towels}\n  new1: yes\n"
)


def test_actions_close_when_fixed_or_dropped_and_critical_due_in_two_days(tmp_path: Path) -> None:
    # site-a's latest audit is now on cal v2: y1 (critical) and c1 fail; s1 (0.75 before) scores 1;
    # y2 and n1 are gone from v2.
    data = workspace(tmp_path, **{"a-v2": V2_AUDIT})
    out = run("actions", "--today", "2026-10-23", data=data)
    site_a = [
        (a["item"], a["score"], a["critical"], a["due"], a["overdue"], a["comment"], a["audit"])
        for a in out["actions"]
        if a["site"] == "site-a"
    ]
    assert site_a == [
        ("c1", 0.0, False, "2026-11-03", False, "No towels", "a-v2"),
        ("y1", 0.0, True, "2026-10-22", True, None, "a-v2"),  # critical: 2026-10-20 + 2 days
    ]
    # The previous visit is a-ann and a-bea: an action opened in both names the first of them.
    assert [(c["item"], c["status"], c["reason"], c["opened_in"]) for c in out["closed"]] == [
        ("n1", "dropped", "the item is not in cal@2", "a-ann"),
        ("s1", "fixed", "scored 1 in a-v2 on 2026-10-20", "a-ann"),
        ("y2", "dropped", "the item is not in cal@2", "a-bea"),
    ]
    (data / "qaudit.yaml").write_text(
        "schema: qaudit/config@1\nactions:\n  due_days: {critical: 1}\n  standards:\n    mini: {other: 3}\n",
        encoding="utf-8",
    )
    out = run("actions", "--today", "2026-10-23", "--config", str(data / "qaudit.yaml"), data=data)
    dues = {(a["site"], a["item"]): a["due"] for a in out["actions"]}
    assert dues[("site-a", "y1")] == "2026-10-21" and dues[("site-a", "c1")] == "2026-11-03"
    assert dues[("site-x", "level")] == "2026-03-05"  # mini: 3 days from 2026-03-02
    table = run_cli("actions", "audits", "--standards", "standards", "--no-cache", "--today", "2026-10-23", cwd=data)
    assert "3 closed since the previous visit" in table.stdout
    assert [line.split()[:3] for line in table.stdout.splitlines() if "fixed" in line] == [["site-a", "s1", "fixed"]]


def test_actions_config_and_today_errors(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "schema: qaudit/config@1\nactions:\n  due_day: {critical: 1}\n  standards:\n    mini: {other: x, critcal: 3}\n",
        encoding="utf-8",
    )
    common = ("actions", str(DATA / "audits"), "--standards", str(DATA / "standards"), "--no-cache")
    done = run_cli(*common, "--config", str(config))
    assert done.code == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{config}:3:3 error unknown-key unknown key 'due_day' in 'actions'; did you mean 'due_days'?",
        f"{config}:5:22 error unknown-key unknown key 'critcal' in 'mini'; did you mean 'critical'?",
        f"{config}:5:19 error wrong-type 'other' must be a whole number of days (0 or more)",
    ]
    done = run_cli(*common, "--config", str(tmp_path / "missing.yaml"))
    assert (done.code, done.stderr.strip()) == (
        2,
        f"qaudit: error: {tmp_path / 'missing.yaml'}: no such file; check the --config path",
    )
    done = run_cli(*common, "--today", "2026-02-30")
    assert (done.code, done.stderr.strip()) == (
        2,
        "qaudit: error: --today '2026-02-30' is not a date; write it as YYYY-MM-DD",
    )


def test_rescore_keeps_waivers_and_refuses_unknown_versions(tmp_path: Path) -> None:
    data = workspace(tmp_path)
    (data / "waivers.yaml").write_text(
        "schema: qaudit/waivers@1\nwaivers:\n  - {site: site-a, item: y1, reason: No desk, until: 2027-06-30}\n",
        encoding="utf-8",
    )
    rows = {r["audit"]: r for r in run("rescore", "--standard-version", "2", data=data)["audits"]}
    bea = rows["a-bea"]
    # y1 stays waived (N/A) on v2 although v2 does not allow N/A; s1 4 → 0.75 is all that is scored.
    assert (bea["old_score"], bea["new_score"]) == (56.25, 75.0)  # v1 without y1 (y3 N/A): (0 + 0.75 + 0.5 + 1) / 4
    assert bea["not_carried_over"] == ["y2", "n1", "c1", "y3"] and bea["unanswered"] == ["new1"]
    common = ("rescore", "audits", "--standards", "standards", "--no-cache")
    done = run_cli(*common, "--standard-version", "9", cwd=data)
    assert (done.code, done.stderr.strip()) == (
        2,
        "qaudit: error: no loaded standard has version 9 in standards; check --standard-version",
    )
    table = run_cli(*common, "--standard-version", "2", cwd=data)
    # The audit id is among the columns a narrow terminal leaves out: the site and the title always show.
    assert table.code == 0 and "site-a" in table.stdout and "Rescored against version 2" in table.stdout


def test_section_trends_and_items_by_standard(tmp_path: Path) -> None:
    sites = {s["site"]: s for s in run("trends", "--sections")["sites"]}
    # site-z: mini's one section follows the score: 60, 70, 90 → slope 15 per 30 days.
    assert sites["site-z"]["sections"] == [
        {"standard": "mini", "section": "only", "audits": 3, "latest_score": 90.0, "change": 20.0, "slope": 15.0}
    ]
    assert sites["site-y"]["enough_audits"] is False and sites["site-z"]["enough_audits"] is True
    table = run_cli("trends", "audits", "--standards", "standards", "--no-cache", "--sections", cwd=DATA).stdout
    assert "Section trends" in table and "only" in table
    by_standard = {s["standard"]: s for s in run("items")["by_standard"]}
    # cal: three audits of six items, two of them N/A → 16 answers; y1, y2, n1 and c1 each failed once.
    assert by_standard["cal"]["audits"] == 3 and by_standard["mini"]["audits"] == 7


def test_actions_csv_and_xlsx(tmp_path: Path) -> None:
    import csv
    import datetime as dt
    import io

    from openpyxl import load_workbook

    common = ("actions", "audits", "--standards", "standards", "--no-cache", "--today", "2026-03-16")
    done = run_cli(*common, "-f", "csv", cwd=DATA)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["site"], r["site_name"], r["item"], r["due"], r["owner"]) for r in rows][:2] == [
        ("site-a", "Site A", "n1", "2026-10-15", "Mara Manager"),
        ("site-a", "Site A", "s1", "2026-10-15", "Mara Manager"),
    ]
    target = tmp_path / "out" / "actions.xlsx"
    done = run_cli(*common, "-f", "xlsx", "-o", str(target), cwd=DATA)
    assert done.code == 0 and done.stdout == ""
    sheet = load_workbook(target)["Actions"]
    values = list(sheet.values)
    assert values[0][:3] == ("site", "site_name", "item") and len(values) == 7
    assert values[3][:6] == ("site-a", "Site A", "y2", 0, False, dt.datetime(2026, 10, 15))
    done = run_cli(*common, "-f", "xlsx", "-o", str(tmp_path), cwd=DATA)
    assert (done.code, done.stderr.strip()) == (
        2,
        f"qaudit: error: {tmp_path} is a folder; give the workbook's file name, e.g. -o {tmp_path / 'actions.xlsx'}",
    )


def test_tallies_of_shares_of_the_audits_merge_into_the_tally_of_all() -> None:
    from qaudit.analytics.failed_items import ItemTally

    audits = [
        ("site-a", "north", "std", [("x", 1.0), ("y", 0.0), ("z", None)]),
        ("site-b", "south", "std", [("x", 0.5), ("y", 0.0)]),
        ("site-c", "north", "other", [("x", 0.0)]),
    ]
    whole, first, second = ItemTally(), ItemTally(), ItemTally()
    for n, audit in enumerate(audits):
        whole.count(*audit)
        (first if n < 1 else second).count(*audit)
    first.merge(second)
    whole.settle()
    assert (first.overall, first.by_region, first.audits) == (whole.overall, whole.by_region, whole.audits)
    assert first.overall[("std", "y")] == [2, 2, 0] and first.overall[("std", "x")] == [2, 0, 1]


def test_scores_counted_as_their_serialised_texts_count_as_the_scores_themselves() -> None:
    from qaudit.analytics.failed_items import ItemTally

    decoded, texts = ItemTally(), ItemTally()
    decoded.count("site-a", "north", "std", [("x", 1.0), ("y", 0.0), ("z", None), ("w", 0.25)])
    decoded.count("site-b", None, "std", [("x", 0.0)])
    texts.count("site-a", "north", "std", [(b"x", b"1.0"), (b"y", b"0.0"), (b"z", b"null"), (b"w", b"0.25")])
    texts.count("site-b", None, "std", [(b"x", b"0.0")])
    decoded.settle()
    texts.settle()
    assert (texts.overall, texts.by_region, texts.audits) == (decoded.overall, decoded.by_region, decoded.audits)
    assert texts.overall == {("std", "x"): [2, 1, 0], ("std", "y"): [1, 1, 0], ("std", "w"): [1, 0, 1]}
    assert texts.by_region[("", "std", "x")] == [1, 1, 0]
