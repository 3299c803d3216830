"""Per-audit pages (contract section 8), the portfolio headline, one number policy, and PDF scorecards."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import Result, run_cli

HERE = Path(__file__).parent
ROOT = HERE.parent
EXAMPLES = ROOT / "examples"
ENV: dict[str, str | None] = {"SOURCE_DATE_EPOCH": "1796083200"}  # 2026-12-01
GEORGIAN_AUDIT = "tbs-01-2026-10-21-rooms-floor-4-giorgi"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def report(audits: Path, out: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    """Report on ``audits`` into ``out`` with the example workspace's standards, sites and waivers."""
    command = ["report", str(audits), "--out", str(out)]
    command += ["--standards", str(ROOT / "standards"), "--sites", str(EXAMPLES / "sites.yaml")]
    command += ["--waivers", str(EXAMPLES / "waivers.yaml"), "--no-cache", *args]
    return run_cli(*command, env=env or ENV)


def png(width: int = 2, height: int = 2) -> bytes:
    """A small red PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example audits, with one evidence photo that exists beside its audit (and one that does not)."""
    audits = tmp_path_factory.mktemp("workspace") / "audits"
    shutil.copytree(EXAMPLES / "audits", audits)
    audit = audits / "2026-10" / f"{GEORGIAN_AUDIT}.yaml"
    text = audit.read_text(encoding="utf-8")
    assert "photos/tbs-01-2026-10-21-412-basin.jpg" in text
    audit.write_text(text.replace("photos/tbs-01-2026-10-21-412-basin.jpg", "photos/basin.png"), encoding="utf-8")
    (audits / "2026-10" / "photos").mkdir()
    (audits / "2026-10" / "photos" / "basin.png").write_bytes(png())
    return audits


@pytest.fixture(scope="module")
def built(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = report(workspace, out)
    assert done.code == 0, done.stderr
    return out


def test_every_audit_has_a_page_and_its_site_links_to_it(workspace: Path, built: Path) -> None:
    audits = sorted(p.stem for p in workspace.rglob("*.yaml"))
    assert sorted(p.stem for p in (built / "audits").glob("*.html")) == audits
    site = (built / "sites" / "tbs-01.html").read_text(encoding="utf-8")
    assert f'<a href="../audits/{GEORGIAN_AUDIT}.html">' in site
    page = (built / "audits" / f"{GEORGIAN_AUDIT}.html").read_text(encoding="utf-8")
    assert '<a href="../sites/tbs-01.html">' in page and '<a href="../index.html">' in page


def test_audit_page_shows_every_question_answer_and_the_header(built: Path) -> None:
    page = (built / "audits" / f"{GEORGIAN_AUDIT}.html").read_text(encoding="utf-8")
    assert '<html lang="ka">' in page and f'content="{CSP}"' in page
    assert "<h1>სასტუმროს ნომრის ინსპექტირება</h1>" in page  # the standard's title, not its id
    assert "<dd data-subject>floor 4</dd>" in page
    assert '<dd data-field="inspection-type">კალიბრაცია (ორი ინსპექტორი)</dd>' in page  # a choice by its label
    assert '<dd data-field="room-attendant">Nana Gelashvili</dd>' in page
    assert '<dd data-field="follow-up-date">18 ნოე. 2026</dd>' in page  # a date in the language's format
    assert "თამარ ლომიძესთან ერთად შევამოწმეთ" in page  # the overall comment
    # Instances of the repeated section, each under its label, in the audit's order.
    assert re.findall(r'<h3 data-instance="(\d+)">ნომერი \1 ', page) == ["409", "412", "416"]
    # Every item result of the audit is on the page (instances of the repeated section included).
    assert page.count('<li class="q') == len(_scored(built.parent, GEORGIAN_AUDIT)["items"]) == 45
    # Multi-select as a list of labels; yes/no in words; a finding marked, with its comment.
    assert '<ul class="choices"><li>' in page
    assert '<span class="answer value">დიახ</span>' in page
    assert "⚑ ხარვეზი" in page and "საწოლის ქვეშ და პლინტუსზე მტვრის ფენაა" in page
    # A question that does not apply is listed as such, with the condition that was not met.
    skipped = page.split('<li class="q skipped" data-item="guest-belongings-respected">')[1].split("</li>")[0]
    assert "არ ეხება" in skipped and "დაკავებული (სტუმარი რჩება)" in skipped
    assert '<div class="big" data-score>82,19</div>' in page and "41,92 / 51,00" in page


def test_evidence_that_exists_is_embedded_and_a_missing_file_is_named(built: Path) -> None:
    page = (built / "audits" / f"{GEORGIAN_AUDIT}.html").read_text(encoding="utf-8")
    found = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]*: photos/basin.png">', page)
    assert [base64.b64decode(b) for b in found] == [png()]
    other = (built / "audits" / "bat-01-2026-11-04-rooms-floor-3.html").read_text(encoding="utf-8")
    assert 'photos/bat-01-2026-11-04-305-mattress-1.jpg <span class="muted">(ფაილი ვერ მოიძებნა)</span>' in other
    assert "<img" not in other
    for path in (built / "audits").glob("*.html"):  # nothing is ever loaded from outside the page
        assert not re.search(r"(src|href)=\"(https?:|file:|/)", path.read_text(encoding="utf-8")), path


def test_site_scorecard_shows_findings_and_one_history_per_standard(built: Path) -> None:
    site = (built / "sites" / "tbs-01.html").read_text(encoding="utf-8")
    # tbs-01 is audited against two standards: two charts, never one series mixing them.
    assert site.count("<svg") == 2
    assert "<h3>სასტუმროს ნომრის ინსპექტირება</h3>" in site
    assert "<h3>სტუმართმოყვარეობა და საოჯახო მომსახურება</h3>" in site
    assert "hospitality-housekeeping@1" not in site and "hotel-room-inspection@1" not in site
    assert '<h2 id="findings">ხარვეზები</h2>' in site
    assert re.search(r'<text class="value" x="[\d.]+" y="[\d.]+" text-anchor="\w+">99,31</text>', site)


def test_portfolio_headline_and_titles(built: Path) -> None:
    index = (built / "index.html").read_text(encoding="utf-8")
    assert '<div class="value" data-average>83.78</div>' in index
    assert '<div class="value" data-passing>6 of 9</div>' in index  # bud-03's standard has no pass mark
    assert '<time datetime="2026-12-01" data-generated>1 Dec 2026</time>' in index
    assert '<th scope="col">Result</th>' in index and '<th scope="col"></th>' not in index.split("<h2")[2]
    assert "<caption" not in index.split("Section scores by site")[0]  # no caption repeats its heading
    assert "Hospitality and housekeeping" in index and "hospitality-housekeeping@1" not in index


def test_stale_audit_pages_are_removed_only_when_qaudit_wrote_them(workspace: Path, tmp_path: Path) -> None:
    audits = tmp_path / "audits"
    shutil.copytree(workspace, audits)
    out = tmp_path / "out"
    assert report(audits, out).code == 0
    gone = next(audits.rglob("yvn-02-2026-07-08.yaml"))
    gone.unlink()
    mine = out / "audits" / "notes.html"
    mine.write_text("mine", encoding="utf-8")
    done = report(audits, out)
    assert done.code == 0, done.stderr
    assert not (out / "audits" / "yvn-02-2026-07-08.html").exists() and mine.exists()
    assert "removed 1 page of sites or audits no longer in the input" in done.stderr


def test_numbers_round_half_away_from_zero_with_the_language_separator() -> None:
    from qaudit.render.language import formatter

    lv = formatter("lv")
    assert lv.number(76.25) == "76,25" and lv.number(76.25, 1) == "76,3" and lv.number(91.25, 1) == "91,3"
    assert lv.percent(0.7625) == "76,3%" and lv.percent(0.926) == "92,6%" and lv.percent(1.0) == "100%"
    assert lv.percent(0.99996, exact=True) == "99,9%"  # a share short of 1 never shows as 100 %
    assert formatter("en").signed(-0.005) == "−0.01" and formatter("en").number(2.675) == "2.68"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium-family browser (.ci/run installs chromium)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (.ci/run installs it)")
def test_pdf_report_of_the_example_workspace(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    done = report(workspace, out, "--format", "pdf", "--jobs", "1")
    assert done.code == 0, done.stderr
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    audits = len(list(workspace.rglob("*.yaml")))
    assert "index.pdf" in pages and len(pages) == 1 + 10 + audits
    assert {p for p in pages if p.startswith("sites/")} == {f"sites/{s}.pdf" for s in _example_sites()}
    assert not list(out.rglob("*.html")) and not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for page in pages:
        assert (out / page).read_bytes().startswith(b"%PDF")

    def text(page: str) -> str:
        found = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / page), "-"], capture_output=True, timeout=60)
        return found.stdout.decode("utf-8")

    armenian, georgian = text("sites/yvn-01.pdf"), text("sites/tbs-01.pdf")
    assert re.search("[\u0531-\u058f]{4,}", armenian) and "Սպասարկման գնահատման քարտ" in armenian
    assert re.search("[\u10a0-\u10ff]{4,}", georgian) and "მომსახურების შეფასების ბარათი" in georgian
    assert "Nana Gelashvili" in text(f"audits/{GEORGIAN_AUDIT}.pdf")
    info = subprocess.run(["pdfinfo", str(out / "index.pdf")], capture_output=True, text=True, timeout=60)
    assert "(A4)" in info.stdout


def _scored(workspace: Path, audit_id: str) -> dict:
    import json

    file = next((EXAMPLES / "audits").rglob(f"{audit_id}.yaml"))
    command = ["score", str(file), "--format", "json", "--no-cache"]
    command += ["--standards", str(ROOT / "standards"), "--sites", str(EXAMPLES / "sites.yaml")]
    done = run_cli(*command, env=ENV)
    return json.loads(done.stdout)["audits"][0]


def _example_sites() -> list[str]:
    return sorted({p.name.split("-20")[0] for p in (EXAMPLES / "audits").rglob("*.yaml")})


def test_pdf_without_a_browser_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {**ENV, "QAUDIT_CHROMIUM": None, "PATH": str(tmp_path)}  # no browser anywhere on it
    done = report(EXAMPLES / "audits", tmp_path / "out", "--format", "pdf", env=env)
    assert done.code == 2
    assert done.stderr == (
        "qaudit: error: --format pdf needs Chromium (or Google Chrome); install it, e.g. apt-get install chromium\n"
    )
    assert not (tmp_path / "out").exists()
