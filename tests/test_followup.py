"""Follow-up numbers (contract §6), checked against values computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qaudit.followup import kappa

DATA = Path(__file__).parent / "data" / "followup"


def run(command: str, *args: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qaudit",
            command,
            str(DATA / "audits"),
            "--standards",
            str(DATA / "standards"),
            "--sites",
            str(DATA / "sites.yaml"),
            "--no-cache",
            "-f",
            "json",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def test_actions_from_each_sites_latest_audit() -> None:
    out = run("actions", "--today", "2026-03-16")
    got = [(a["site"], a["item"], a["score"], a["due"], a["overdue"], a["owner"], a["audit"]) for a in out["actions"]]
    assert got == [
        # site-a: latest is a-bea (same date as a-ann, later id); y2 = no, s1 = 4 on 1..5, n1 = 3 in the 0.5 band.
        ("site-a", "n1", 0.5, "2026-10-15", False, "Mara Manager", "a-bea"),
        ("site-a", "s1", 0.75, "2026-10-15", False, "Mara Manager", "a-bea"),
        ("site-a", "y2", 0.0, "2026-10-15", False, "Mara Manager", "a-bea"),
        # site-x: latest 2026-03-02 level 70 → 0.7; due + 14 days = 2026-03-16, not overdue on that day.
        ("site-x", "level", 0.7, "2026-03-16", False, None, "x3"),
        ("site-y", "level", 0.5, "2026-01-15", True, None, "y1"),
        ("site-z", "level", 0.9, "2026-03-16", False, None, "z3"),
    ]
    first = out["actions"][0]
    assert first["standard"] == "cal" and first["standard_version"] == 1 and first["critical"] is False
    assert first["date"] == "2026-10-01" and first["comment"] is None


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
    # site-a: 83.33 (day 0), 75 and 65 (day 30, same day skipped): median of -8.33/30 and -18.33/30 → -13.33.
    assert sites["site-a"]["slope"] == pytest.approx(-13.33, abs=0.01)
    assert sites["site-a"]["change"] == -10.0
    assert (sites["site-a"]["first"], sites["site-a"]["last"], sites["site-a"]["audits"]) == (
        "2026-09-01",
        "2026-10-01",
        3,
    )
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
    assert pair["agreement"] == pytest.approx(4 / 6, abs=1e-6)
    assert pair["kappa"] == pytest.approx(19 / 31, abs=1e-6)
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
