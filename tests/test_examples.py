"""The bundled example workspace and the README: what a newcomer runs first must work."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_cli

ROOT = Path(__file__).parent.parent
EX = ROOT / "examples"
COMMON = [
    "--standards",
    str(ROOT / "standards"),
    "--sites",
    str(EX / "sites.yaml"),
    "--waivers",
    str(EX / "waivers.yaml"),
    "--no-cache",
]


def test_example_workspace_scores_cleanly() -> None:
    done = run_cli("score", str(EX / "audits"), "-f", "json", *COMMON)
    assert done.code == 0, done.stderr
    audits = json.loads(done.stdout)["audits"]
    assert len(audits) == 64 and len({a["site"] for a in audits}) == 10
    assert {a["standard"] for a in audits} == {
        "client-service-core",
        "office-cleaning-service",
        "hospitality-housekeeping",
        "service-responsiveness",
        "hotel-room-inspection",
        "mystery-shop",
        "contact-centre-qa",
    }
    assert {a["standard_version"] for a in audits if a["standard"] == "client-service-core"} == {1, 2}
    assert sum(bool(a["critical_failures"]) for a in audits) >= 3
    assert any(i["na"] for a in audits for i in a["items"])
    assert any(i.get("waived") for a in audits for i in a["items"])
    assert any(i.get("comment") for a in audits for i in a["items"])


def test_example_trends_and_calibration() -> None:
    sites = {
        s["site"]: s for s in json.loads(run_cli("trends", str(EX / "audits"), "-f", "json", *COMMON).stdout)["sites"]
    }
    assert sites["bud-01"]["slope"] > 0 and sites["bat-01"]["slope"] < 0
    pairs = json.loads(run_cli("calibration", str(EX / "audits"), "-f", "json", *COMMON).stdout)["pairs"]
    assert [(p["site"], p["inspectors"]) for p in pairs] == [
        ("bud-03", ["Horváth Judit", "Tóth Gergely"]),
        ("tbs-01", ["Giorgi Beridze", "Tamar Lomidze"]),
        ("tbs-01", ["Giorgi Beridze", "Tamar Lomidze"]),
    ]


def test_follow_up_formats(tmp_path: Path) -> None:
    table = run_cli("actions", str(EX / "audits"), "--today", "2026-11-24", *COMMON).stdout
    assert "open corrective actions" in table and "bat-01" in table
    csv_out = run_cli("trends", str(EX / "audits"), "-f", "csv", "--sections", *COMMON).stdout.splitlines()
    assert csv_out[0].startswith("site,region,audits") and len(csv_out) == 14  # one row per site and standard
    items = json.loads(run_cli("items", str(EX / "audits"), "-f", "json", *COMMON).stdout)
    assert items["items"] and items["by_region"] and items["by_standard"]
    out = tmp_path / "actions.xlsx"
    done = run_cli("actions", str(EX / "audits"), "-f", "xlsx", "-o", str(out), *COMMON)
    assert done.code == 0 and out.read_bytes()[:2] == b"PK"
    rescored = json.loads(
        run_cli(
            "rescore",
            str(EX / "audits"),
            "--standard",
            "client-service-core",
            "--standard-version",
            "2",
            "-f",
            "json",
            *COMMON,
        ).stdout
    )["audits"]
    assert rescored and all(r["from_version"] == 1 for r in rescored)
    assert all("follow-up" in r["unanswered"] for r in rescored)


def test_every_command_in_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`qaudit (\w+)", readme)) | set(re.findall(r"` / `(\w+)`", readme))
    help_text = run_cli("--help").stdout
    commands = set(re.findall(r"^\s{2}(\w+)\s", help_text, re.M))
    assert listed <= commands, listed - commands
    assert "bash .ci/run" in readme and "python3 -m pip install -e ." in readme


def test_example_workspace_covers_four_countries_monthly_in_each_sites_language() -> None:
    import yaml

    registry = {s["id"]: s for s in yaml.safe_load((EX / "sites.yaml").read_text(encoding="utf-8"))["sites"]}
    audits = json.loads(run_cli("score", str(EX / "audits"), "-f", "json", *COMMON).stdout)["audits"]
    assert {registry[a["site"]]["country"] for a in audits} == {"AM", "GE", "LV", "HU"}
    for site in {a["site"] for a in audits}:
        own = [a for a in audits if a["site"] == site]
        months = sorted({a["date"][:7] for a in own})
        assert months == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"], site
        assert {a["language"] for a in own} == {registry[site]["language"]}, site
    first_last = {
        site: (own[0]["score"], own[-1]["score"])
        for site in registry
        if (own := [a for a in audits if a["site"] == site])
    }
    assert first_last["bud-01"] == (72.92, 85.0) and first_last["bat-01"] == (97.22, 59.26)
