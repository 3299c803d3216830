"""Follow-up under contract v2 (FORMATS.md 7.10): visits, per-standard histories, subjects and instances.

The workspace (tests/data/followup_v2) holds site h1 audited against two standards:
`rooms` (a floor per audit: `subject` is the floor, rooms are instances of a repeated
section; an unscored choice flags `major`; a multi-choice; a free-text note) and `desk`
(contract v1), and site h2 audited twice on one day against `floor` with no room in
common. Scores, worked out by hand from sections 3 and 7:

    h1-0401        rooms  Ann 2026-04-01 floor 4   lobby no, extras a+b, 412 yes/5   → (50 + 100) / 2 = 75
    h1-0501-ann    rooms  Ann 2026-05-01 floor 4   general 100; 412 no/4 → 37.5, 418 → 100 → 84.38
    h1-0501-bea    rooms  Bea 2026-05-01 floor 4   extras a → 75; 412 no/na → 0, 420 yes/2 → 62.5 → 53.12
    h1-0501-ann-5  rooms  Ann 2026-05-01 floor 5   lobby no → 50; 510 → 100 → 75
    h1-0501-cid    rooms  Cid 2026-05-01 (none)    general 100; 400 yes/3 → 75 → 87.5
    h1-desk-1/2/3  desk   Bea, Bea, Cid on 04-15, 05-15, 06-14: 100, 50, 75
    h2-ann, h2-bea floor  Ann, Bea 2026-05-02      room 1 yes → 100; room 2 no → 0
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

DATA = Path(__file__).parent / "data" / "followup_v2"


@pytest.fixture(autouse=True)
def _outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No workspace file, registry or waivers of the repository may change the results."""
    monkeypatch.chdir(tmp_path)


def run(command: str, *args: str, data: Path = DATA) -> dict:
    result = run_cli(
        command, str(data / "audits"), "--standards", str(data / "standards"), "--no-cache", "-f", "json", *args
    )
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def action(site: str, item: str, standard: str, subject: str | None, instance: str | None, **rest: object) -> dict:
    return {"site": site, "item": item, "standard": standard, "subject": subject, "instance": instance, **rest}


def test_actions_of_each_standards_latest_visit_one_per_subject_and_instance() -> None:
    out = run("actions", "--today", "2026-05-16")
    fields = ("audit", "audits", "date", "score", "critical", "comment", "standard_version", "due", "overdue")
    got = [{k: a[k] for k in ("site", "item", "standard", "subject", "instance", *fields)} for a in out["actions"]]
    rooms = {"standard_version": 1, "date": "2026-05-01", "comment": None, "critical": False, "overdue": True}
    assert got == [
        # desk: its latest visit (06-14) is later than the rooms' one, which still gives the rooms' actions.
        action(
            "h1", "speed", "desk", None, None, audit="h1-desk-3", audits=["h1-desk-3"], date="2026-06-14", score=0.5,
            critical=False, comment=None, standard_version=1, due="2026-06-28", overdue=False,
        ),
        # Found by Ann and Bea in room 412 of floor 4: one action, both audits, the first by id; critical: 2 days.
        action(
            "h1", "bed-made", "rooms", "4", "412", **{**rooms, "critical": True},
            audit="h1-0501-ann", audits=["h1-0501-ann", "h1-0501-bea"], score=0.0, due="2026-05-03",
        ),
        action("h1", "extras", "rooms", "4", None, **rooms, audit="h1-0501-bea", audits=["h1-0501-bea"], score=0.5,
               due="2026-05-15"),
        # An unscored choice whose option is flagged: a finding with no score.
        action("h1", "issue-reported", "rooms", "4", None, **rooms, audit="h1-0501-ann", audits=["h1-0501-ann"],
               score=None, due="2026-05-15"),
        action("h1", "lobby-clean", "rooms", "5", None, **rooms, audit="h1-0501-ann-5", audits=["h1-0501-ann-5"],
               score=0.0, due="2026-05-15"),
        # Subject null first, then floor 4's rooms 412 and 420 (instance order).
        action("h1", "towels", "rooms", None, "400", **{**rooms, "comment": "Stained"}, audit="h1-0501-cid",
               audits=["h1-0501-cid"], score=0.5, due="2026-05-15"),
        action("h1", "towels", "rooms", "4", "412", **rooms, audit="h1-0501-ann", audits=["h1-0501-ann"], score=0.75,
               due="2026-05-15"),
        action("h1", "towels", "rooms", "4", "420", **{**rooms, "comment": "Thin towels"}, audit="h1-0501-bea",
               audits=["h1-0501-bea"], score=0.25, due="2026-05-15"),
        # Due on --today itself: not overdue (strictly before).
        action("h2", "floor-bed", "floor", None, "2", audit="h2-bea", audits=["h2-bea"], date="2026-05-02", score=0.0,
               critical=False, comment=None, standard_version=1, due="2026-05-16", overdue=False),
    ]  # fmt: skip
    # Bea answered N/A to towels in 412 and no one else found a towel problem there but Ann: Bea's audit is not listed.
    # The previous visit of each standard: desk's greeting and floor 4's lobby were fixed by the same subject.
    assert out["closed"] == [
        {"site": "h1", "item": "greeted", "standard": "desk", "subject": None, "instance": None, "audit": "h1-desk-3",
         "opened_in": "h1-desk-2", "status": "fixed", "reason": "scored 1 in h1-desk-3 on 2026-06-14"},
        {"site": "h1", "item": "lobby-clean", "standard": "rooms", "subject": "4", "instance": None,
         "audit": "h1-0501-ann", "opened_in": "h1-0401", "status": "fixed",
         "reason": "scored 1 in h1-0501-ann on 2026-05-01"},
    ]  # fmt: skip


def test_a_finding_is_fixed_only_by_the_same_subject_and_instance(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "ws"
    shutil.copytree(DATA, data)
    # A later visit of floor 5 only: floor 4's actions are not re-checked, so nothing of floor 4 closes,
    # and floor 5's lobby (a finding on 05-01) is clean now.
    (data / "audits" / "h1-0601-ann-5.yaml").write_text(
        "schema: qaudit/audit@2\nstandard: rooms\nstandard_version: 1\nsite: h1\ninspector: Ann\ndate: 2026-06-01\n"
        'subject: "5"\nresponses:\n  lobby-clean: yes\n  issue-reported: none\n  extras: [a, b]\n  room:\n'
        '    - {instance: "412", bed-made: yes, towels: 5}\n',
        encoding="utf-8",
    )
    out = run("actions", "--today", "2026-06-02", data=data)
    assert [(a["standard"], a["item"]) for a in out["actions"]] == [("desk", "speed"), ("floor", "floor-bed")]
    assert [(c["item"], c["subject"], c["status"], c["opened_in"]) for c in out["closed"]] == [
        ("greeted", None, "fixed", "h1-desk-2"),
        ("lobby-clean", "5", "fixed", "h1-0501-ann-5"),
    ]


def test_trends_per_site_and_standard_visit_by_visit() -> None:
    out = run("trends")
    keys = ("site", "standard", "audits", "visits", "first", "last", "latest_score", "change", "slope")
    assert [{k: row[k] for k in keys} for row in out["sites"]] == [
        # desk: 100, 50, 75 at days 0, 30, 60: slopes −5/3, −5/12, 5/6 → median −5/12 → −12.5 per 30 days.
        {"site": "h1", "standard": "desk", "audits": 3, "visits": 3, "first": "2026-04-15", "last": "2026-06-14",
         "latest_score": 75.0, "change": 25.0, "slope": -12.5},
        # rooms: 75, then one visit of four audits: (84.38 + 53.12 + 75 + 87.5) / 4 = 75.
        {"site": "h1", "standard": "rooms", "audits": 5, "visits": 2, "first": "2026-04-01", "last": "2026-05-01",
         "latest_score": 75.0, "change": 0.0, "slope": None},
        {"site": "h2", "standard": "floor", "audits": 2, "visits": 1, "first": "2026-05-02", "last": "2026-05-02",
         "latest_score": 50.0, "change": None, "slope": None},
    ]  # fmt: skip
    rooms = out["sites"][1]
    assert rooms["series"][1] == {
        "date": "2026-05-01",
        "score": 75.0,
        "audit": "h1-0501-cid",
        "audits": ["h1-0501-cid", "h1-0501-ann", "h1-0501-bea", "h1-0501-ann-5"],  # output order: no subject first
    }
    assert out["most_declined"] == ["h1"] and out["most_improved"] == []


def test_calibration_compares_only_audits_of_one_subject() -> None:
    out = run("calibration")
    # Floor 4 by Ann and Bea; floor 5 (Ann) and the audit without a subject (Cid) have no partner.
    # Compared: lobby yes/yes, issue major/minor (unscored, compared), extras (a, b)/(a) (sorted lists),
    # 412's bed no/no and towels 4/na; not the note (text) nor rooms 418 and 420 (in one audit only).
    # po = 2/5; label counts give Σ n_a·n_b = 2 (yes, no): kappa = (2·5 − 2) / (25 − 2) = 8/23.
    assert out["pairs"] == [
        {"site": "h1", "date": "2026-05-01", "standard": "rooms", "standard_version": 1, "subject": "4",
         "inspectors": ["Ann", "Bea"], "audits": ["h1-0501-ann", "h1-0501-bea"], "items": 5, "agreement": 0.4,
         "kappa": 8 / 23},
        # No room in common and only a text item outside the rooms: nothing compared.
        {"site": "h2", "date": "2026-05-02", "standard": "floor", "standard_version": 1, "subject": None,
         "inspectors": ["Ann", "Bea"], "audits": ["h2-ann", "h2-bea"], "items": 0, "agreement": None, "kappa": None},
    ]  # fmt: skip
    # mean_difference against the same site's audits of the same standard by others:
    # Ann: rooms 75, 84.38, 75 against mean(53.12, 87.5) = 70.31; floor 100 against 0.
    # Bea: rooms 53.12 against mean(75, 84.38, 75, 87.5) = 80.47; desk 100 and 50 against 75; floor 0 against 100.
    # Cid: rooms 87.5 against mean(75, 84.38, 75, 53.12) = 71.875; desk 75 against mean(100, 50) = 75.
    inspectors = {i["inspector"]: (i["audits"], i["mean_difference"]) for i in out["inspectors"]}
    assert inspectors == {
        "Ann": (4, pytest.approx((4.69 + 14.07 + 4.69 + 100) / 4, abs=1e-9)),
        "Bea": (4, pytest.approx((-27.35 + 25 - 25 - 100) / 4, abs=1e-9)),
        "Cid": (2, pytest.approx((15.625 + 0) / 2, abs=1e-9)),
    }
    assert list(inspectors) == ["Ann", "Bea", "Cid"]


def test_most_failed_items_count_findings_and_leave_unscored_items_out() -> None:
    rows = {(r["standard"], r["item"]): r for r in run("items")["items"]}
    # bed-made: 7 answers (every room), 2 of them no; towels: 6 scored answers (412 N/A for Bea),
    # three findings above 0 (0.75, 0.25, 0.5).
    assert [rows[("rooms", "bed-made")][k] for k in ("audits", "failed", "partial")] == [7, 2, 0]
    assert [rows[("rooms", "towels")][k] for k in ("audits", "failed", "partial")] == [6, 0, 3]
    assert ("rooms", "issue-reported") not in rows and ("rooms", "notes") not in rows


def test_rescore_carries_rooms_instance_by_instance() -> None:
    rows = {r["audit"]: r for r in run("rescore", "--standard-version", "2", "--standard", "rooms")["audits"]}
    assert list(rows) == ["h1-0401", "h1-0501-cid", "h1-0501-ann", "h1-0501-bea", "h1-0501-ann-5"]
    bea = rows["h1-0501-bea"]
    # v2 has no lobby item and a minibar in every room (unanswered: N/A). General: extras a → 50;
    # rooms as before: 412 → 0, 420 → 62.5 → 31.25; (50 + 31.25) / 2 = 40.625 → 40.62.
    assert (bea["subject"], bea["old_score"], bea["new_score"], bea["change"]) == ("4", 53.12, 40.62, -12.5)
    assert (bea["not_carried_over"], bea["unanswered"], bea["passed"]) == (["lobby-clean"], ["minibar"], False)


def test_report_and_export_read_a_v2_workspace(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    common = [str(DATA / "audits"), "--standards", str(DATA / "standards"), "--no-cache"]
    done = run_cli("report", *common, "--out", str(tmp_path / "r"))
    assert done.code == 0, done.stderr
    page = (tmp_path / "r" / "sites" / "h1.html").read_text(encoding="utf-8")
    # h1's latest audit is the desk's: its chart (the first) holds the desk's three audits, never a rooms audit.
    charts = [re.findall(r"<title>(\d+ \w+ 2026: [\d.]+) \(", chart) for chart in page.split("</svg>")[:-1]]
    assert charts[0] == ["15 Apr 2026: 100.00", "15 May 2026: 50.00", "14 Jun 2026: 75.00"]
    assert len(charts) == 2 and not set(charts[0]) & set(charts[1])  # the rooms audits have a chart of their own
    target = tmp_path / "w.xlsx"
    done = run_cli("export", *common, "--out", str(target))
    assert done.code == 0, done.stderr
    actions = list(load_workbook(target)["Actions"].values)
    # The rooms' findings of 05-01 are open although h1's latest audit is the desk's.
    site, item = actions[0].index("Site"), actions[0].index("Item")
    assert sorted({(r[site], r[item]) for r in actions[1:]}) == [
        ("h1", "bed-made"),
        ("h1", "extras"),
        ("h1", "issue-reported"),
        ("h1", "lobby-clean"),
        ("h1", "speed"),
        ("h1", "towels"),
        ("h2", "floor-bed"),
    ]


def test_item_scores_and_findings_read_without_decoding_agree_with_the_full_result() -> None:
    from qaudit.load.audits import load_audit
    from qaudit.load.standards import load_standards
    from qaudit.results.serialise import head_and_score_texts, pack
    from qaudit.scoring.scorer import score

    library = load_standards(str(DATA / "standards"))
    audit = load_audit(str(DATA / "audits" / "h1-0501-bea.yaml"), library)
    standard = library.get(audit.standard, audit.standard_version)
    assert standard is not None
    result = score(standard, audit)
    # Instance labels that look like the serialised keys around them.
    tricky = {"412": 'x","finding":true,"a":"\\', "420": '4,2"0'}
    items = tuple(i._replace(instance=tricky.get(i.instance, i.instance)) for i in result.items)
    _, blob = pack(dataclasses.replace(result, items=items))
    _, texts = head_and_score_texts(blob)
    full = json.loads(blob)["items"]
    assert [(i.decode(), json.loads(s), json.loads(f)) for i, s, f in texts] == [
        (i["id"], i["score"], i["finding"]) for i in full
    ]
    assert sum(json.loads(f) for _, _, f in texts) == 3  # extras, bed-made in 412, towels in 420
