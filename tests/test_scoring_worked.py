"""The worked numbers of docs/scoring.md (contract v2: points, a repeated section, a skipped section)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

DATA = Path(__file__).resolve().parent / "data" / "worked"


def _scored() -> dict[str, dict]:
    done = run_cli(
        "score", str(DATA / "audits"), "--standards", str(DATA / "standards"), "--format", "json", "--no-cache"
    )
    assert done.code == 0, done.stderr
    return {a["standard"]: a for a in json.loads(done.stdout)["audits"]}


def test_points_pool_every_instance_and_skip_what_does_not_apply() -> None:
    audit = _scored()["room-check"]
    assert (audit["points"], audit["points_possible"], audit["score"]) == (4.5, 7, 64.29)
    assert [(s["id"], s["score"]) for s in audit["sections"]] == [
        ("arrival", 100.0),
        ("rooms", 58.33),
        ("restaurant", None),
    ]
    menu = next(i for i in audit["items"] if i["id"] == "menu-offered")
    assert (menu["applicable"], menu["na"], menu["value"], menu["score"]) == (False, False, None, None)


def test_sections_average_instances_then_sections() -> None:
    audit = _scored()["room-check-sections"]
    assert (audit["score"], audit["raw_score"], audit["points"], audit["points_possible"]) == (79.17, 79.17, 4.5, 7)
    assert audit["passed"] is False and audit["grade"] == "C"


def test_findings_are_listed_per_instance() -> None:
    audit = _scored()["room-check"]
    found = [(i["id"], i["instance"]) for i in audit["items"] if i["finding"]]
    assert found == [("bed-made", "412"), ("bathroom", "412")]
    restaurant = next(i for i in audit["items"] if i["id"] == "has-restaurant")
    assert (restaurant["scored"], restaurant["score"], restaurant["value"]) == (False, None, False)
