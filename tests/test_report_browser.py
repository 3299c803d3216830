"""Scorecards in a real headless browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

HERE = Path(__file__).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    done = run_cli(
        "report",
        str(HERE / "data" / "report" / "audits"),
        "--out",
        str(out),
        "--standards",
        str(HERE / "data" / "spec" / "standards"),
        "--sites",
        str(HERE / "data" / "report" / "sites.yaml"),
        "--no-cache",
    )
    assert done.code == 0, done.stderr
    return out


def test_portfolio_and_scorecard_in_chromium(pages: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))

        page.goto((pages / "index.html").as_uri())
        row = page.locator("tr[data-site=yvn-01]")
        assert row.locator("[data-score]").inner_text() == "8.33"
        assert row.locator("[data-grade]").inner_text() == "D"
        assert page.locator("tr[data-site=rix-01] [data-score]").inner_text() == "96.67"
        page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)

        page.get_by_role("link", name="Yerevan <Abovyan> 12").click()
        page.wait_for_load_state()
        assert page.url.endswith("sites/yvn-01.html")
        assert page.locator("[data-score]").inner_text() == "8,33"
        assert page.locator("[data-grade]").inner_text() == "D"
        assert "<script>alert('x')</script> late" in page.inner_text("body")  # shown as text, never run
        assert page.get_by_role("img", name="Vērtējumu vēsture: Klientu apkalpošanas pamati").count() == 1
        page.screenshot(path=str(tmp_path / "scorecard.png"), full_page=True)
        pdf = tmp_path / "scorecard.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4", print_background=True)  # what the browser's print gives
        browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    assert (tmp_path / "portfolio.png").stat().st_size > 10_000
    assert (tmp_path / "scorecard.png").stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_hostile_scorecard_runs_nothing_in_chromium(tmp_path: Path) -> None:
    """An inspector's <script> and an <img onerror> are shown as text in a Hungarian scorecard; nothing runs."""
    from playwright.sync_api import sync_playwright

    data = HERE / "data" / "report" / "hostile"
    out = tmp_path / "out"
    done = run_cli(
        "report", str(data / "audits"), "--out", str(out), "--standards", str(data / "standards"), "--no-cache"
    )
    assert done.code == 0, done.stderr
    errors: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((out / "sites" / "evil.html").as_uri())
        assert page.locator("[data-score]").inner_text() == "0,00"
        assert page.locator("[data-grade]").inner_text() == "D"
        assert page.locator("h1").inner_text() == '"><img src=x onerror=alert(1)> <script>alert(1)</script>'
        assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
        assert "Nyers pontszám: 8,33" in page.inner_text("body")
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        browser.close()
    assert errors == [] and dialogs == []
    assert (tmp_path / "hostile.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace's report: sites with two standards, repeated sections, per-audit pages."""
    out = tmp_path_factory.mktemp("examples")
    root = HERE.parent
    command = ["report", str(root / "examples" / "audits"), "--out", str(out)]
    command += ["--standards", str(root / "standards"), "--sites", str(root / "examples" / "sites.yaml")]
    command += ["--waivers", str(root / "examples" / "waivers.yaml"), "--no-cache"]
    done = run_cli(*command)
    assert done.code == 0, done.stderr
    return out


def test_pages_fit_a_phone_and_never_scroll_sideways(examples: Path, tmp_path: Path) -> None:
    """At 390 px (a phone) no page scrolls sideways: tables stack, wide ones scroll inside their own box."""
    from playwright.sync_api import sync_playwright

    pages = [examples / "index.html", *sorted((examples / "sites").glob("*.html"))]
    pages += sorted((examples / "audits").glob("*.html"))
    errors: list[str] = []
    wide: list[tuple[str, int]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for path in pages:
            page.goto(path.as_uri())
            width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > inner:
                wide.append((path.name, width))
        # The headline box of a scorecard fits, and the portfolio's result, trend and date are on screen.
        page.goto((examples / "sites" / "tbs-01.html").as_uri())
        box = page.locator("section.hero").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(tmp_path / "site-390.png"), full_page=True)
        page.goto((examples / "index.html").as_uri())
        for cell in ("[data-score]", ".status", "td.date"):
            found = page.locator(f"tr[data-site=tbs-01] {cell}").bounding_box()
            assert found is not None and found["x"] + found["width"] <= 390, cell
        page.goto((examples / "audits" / "tbs-01-2026-10-21-rooms-floor-4-giorgi.html").as_uri())
        page.screenshot(path=str(tmp_path / "audit-390.png"), full_page=True)
        browser.close()
    assert len(pages) == 75 and wide == [] and errors == []
