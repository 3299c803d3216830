"""HTML and Markdown scorecards: content, language, safety, golden files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Result, run_cli

HERE = Path(__file__).parent
DATA = HERE / "data" / "report"
STANDARDS = HERE / "data" / "spec" / "standards"
GOLDEN = HERE / "golden" / "report"
ENV = {"SOURCE_DATE_EPOCH": "1796083200"}  # the portfolio's generation date: 2026-12-01


def report(out: Path, *args: str, audits: Path = DATA / "audits", real: bool = False) -> Result:
    """Report on ``audits`` into ``out``, dated as the golden files are."""
    command = ["report", str(audits), "--out", str(out), "--standards", str(STANDARDS)]
    return run_cli(*command, "--sites", str(DATA / "sites.yaml"), "--no-cache", *args, env=ENV, real=real)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = report(out)
    assert done.code == 0, done.stderr
    return out


def test_writes_index_and_one_page_per_site(built: Path) -> None:
    assert sorted(p.name for p in (built / "sites").iterdir()) == ["rix-01.html", "yvn-01.html"]
    index = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="sites/yvn-01.html"' in index and 'href="sites/rix-01.html"' in index


@pytest.mark.parametrize("page", ["index.html", "sites/yvn-01.html", "audits/yvn-01-11.html"])
def test_golden_pages(built: Path, page: str) -> None:
    got = (built / page).read_text(encoding="utf-8")
    golden = GOLDEN / page
    if os.environ.get("QAUDIT_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8"), "run with QAUDIT_UPDATE_GOLDEN=1 after a deliberate change"


def test_scorecard_shows_latest_result_critical_failure_and_history(built: Path) -> None:
    page = (built / "sites" / "yvn-01.html").read_text(encoding="utf-8")
    # The audit's language (lv) wins over the registry's (hy); Latvian decimals use a comma.
    assert '<html lang="lv">' in page
    assert '<div class="big" data-score>8,33</div>' in page
    assert "data-grade>D</span>" in page
    assert "Kritiski pārkāpumi" in page and "Nekad nestrīdējās ar klientu" in page
    assert "Argued about the bill &amp; refused a refund" in page
    # Raw score beside the score a critical failure changed? fail_audit keeps it; the raw note is absent.
    assert "Sākotnējie punkti" not in page
    assert "photos/0042.jpg" in page
    assert page.count("<circle") == 3  # three audits on the chart
    assert 'role="img"' in page and "<desc" in page


def test_inspector_html_stays_text(built: Path) -> None:
    page = (built / "sites" / "yvn-01.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; late" in page
    index = (built / "index.html").read_text(encoding="utf-8")
    assert "Yerevan &lt;Abovyan&gt; 12" in index and "<Abovyan>" not in index


def test_pages_load_nothing_from_the_network(built: Path) -> None:
    for page in [built / "index.html", *sorted((built / "sites").iterdir())]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"https?://", text), page
        assert "<script" not in text
        assert "@page" in text  # print stylesheet


def test_language_override_formats_numbers(tmp_path: Path) -> None:
    assert report(tmp_path / "hu", "--lang", "hu").code == 0
    page = (tmp_path / "hu" / "sites" / "rix-01.html").read_text(encoding="utf-8")
    assert '<html lang="hu">' in page and "data-score>96,67</div>" in page and "Minősítés" in page
    assert report(tmp_path / "hy", "--lang", "hy").code == 0
    index = (tmp_path / "hy" / "index.html").read_text(encoding="utf-8")
    assert "Սպասարկման որակի ամփոփագիր" in index
    assert report(tmp_path / "ka", "--lang", "ka").code == 0
    assert "ობიექტი" in (tmp_path / "ka" / "index.html").read_text(encoding="utf-8")


def test_markdown_format(tmp_path: Path) -> None:
    assert report(tmp_path, "--format", "md").code == 0
    site = (tmp_path / "sites" / "yvn-01.md").read_text(encoding="utf-8")
    assert site.startswith("# Yerevan &lt;Abovyan&gt; 12\n")
    assert "| Punktualitāte |" in site
    assert "&lt;script&gt;" in site and "<script>" not in site
    assert "[Riga café](sites/rix-01.md)" in (tmp_path / "index.md").read_text(encoding="utf-8")


def test_user_templates_override_one_page_and_cannot_reach_python(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "index.html.j2").write_text("<h1>{{ words.portfolio }}: {{ rows | length }} sites {{ '<b>' }}</h1>\n")
    assert report(tmp_path / "out", "--templates", str(mine)).code == 0
    assert (tmp_path / "out" / "index.html").read_text() == "<h1>Service quality portfolio: 2 sites &lt;b&gt;</h1>\n"
    assert "Kritiski pārkāpumi" in (tmp_path / "out" / "sites" / "yvn-01.html").read_text(encoding="utf-8")
    (mine / "index.html.j2").write_text("{{ words.__class__.__mro__[1].__subclasses__() }}\n")
    done = report(tmp_path / "out", "--templates", str(mine))
    assert done.code == 1 and "unsafe" in done.stderr


def test_failed_run_leaves_previous_reports_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert report(out).code == 0
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "site.html.j2").write_text("{% for x in %}\n")
    done = report(out, "--templates", str(broken))
    assert done.code == 1 and "nothing was written" in done.stderr
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_unsafe_site_id_is_refused_and_the_other_sites_still_reported(tmp_path: Path) -> None:
    audits = tmp_path / "audits"
    audits.mkdir()
    text = (DATA / "audits" / "rix-01-11.yaml").read_text(encoding="utf-8")
    (audits / "a.yaml").write_text(text.replace("site: rix-01", "site: con"), encoding="utf-8")
    (audits / "b.yaml").write_text(text, encoding="utf-8")
    done = report(tmp_path / "out", audits=audits)
    assert done.code == 1, done.stderr
    assert (
        f"{audits / 'a.yaml'}:4:7 error unsafe-site-id site id 'con' cannot be a file name "
        "(reserved name, path separator or '..'); use a slug like 'yvn-01'. The site's scorecard was not written\n"
    ) in done.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "sites").iterdir()) == ["rix-01.html"]
    assert "con" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8").split("<main>")[1]
    # With no other site, nothing is written at all.
    (audits / "b.yaml").unlink()
    done = report(tmp_path / "only", audits=audits)
    assert done.code == 1 and "unsafe-site-id" in done.stderr
    assert done.stderr.endswith("qaudit: error: no site to report on; nothing was written\n")
    assert not (tmp_path / "only").exists()


HOSTILE = DATA / "hostile"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hostile text everywhere, a zero_score critical failure, an all-N/A section, a version change, one lone audit."""
    out = tmp_path_factory.mktemp("hostile")
    for fmt in ("html", "md"):
        done = report(out / fmt, "--standards", str(HOSTILE / "standards"), "--format", fmt, audits=HOSTILE / "audits")
        assert done.code == 0, done.stderr
    return out


def test_hostile_text_stays_text_in_html(hostile: Path) -> None:
    pages = [hostile / "html" / "index.html", *sorted((hostile / "html" / "sites").iterdir())]
    assert [p.name for p in pages] == ["index.html", "evil.html", "solo.html"]
    pages += sorted((hostile / "html" / "audits").iterdir())  # every audit's page too
    assert len(pages) == 3 + 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|img|i|b)\b", text), page
        assert not re.search(r"(src|href)=\"https?://", text), page
    evil = (hostile / "html" / "sites" / "evil.html").read_text(encoding="utf-8")
    assert "<h1>&#34;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in evil
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt; Insp</strong>" in evil  # the inspector
    assert "A tétel &lt;script&gt;alert(1)&lt;/script&gt;" in evil  # an item text from the standard
    assert "Ellenőrzés &lt;b&gt;v2&lt;/b&gt;" in evil  # the standard's title
    assert "Bizonyíték: &lt;img src=x onerror=alert(1)&gt;.jpg" in evil  # evidence


def test_hostile_text_stays_text_in_markdown(hostile: Path) -> None:
    for page in [hostile / "md" / "index.md", *sorted((hostile / "md" / "sites").iterdir())]:
        assert "<" not in page.read_text(encoding="utf-8"), page  # no raw HTML reaches a Markdown renderer
    evil = (hostile / "md" / "sites" / "evil.md").read_text(encoding="utf-8")
    assert evil.startswith('# "&gt;&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt;\n')
    assert "· `evil` · &lt;i&gt;R&lt;/i&gt; ·" in evil  # the region
    # Markup in a comment is literal: no emphasis, no link, no broken table cell.
    assert "\\| pipe \\*bold\\* \\[link\\](javascript:alert(1))" in evil
    changed = "Ellenőrzés &lt;b&gt;v2&lt;/b&gt; (A szabvány verziója megváltozott: v2)"
    assert f"| 2026. márc. 10. | &lt;script&gt;alert(1)&lt;/script&gt; Insp | {changed} | 0,00 | D |" in evil


def test_zero_score_critical_failure_shows_raw_score_coverage_and_empty_section(hostile: Path) -> None:
    evil = (hostile / "html" / "sites" / "evil.html").read_text(encoding="utf-8")
    assert '<html lang="hu">' in evil  # no audit or registry language: the standard's first
    assert '<div class="big" data-score>0,00</div>' in evil and "data-grade>D</span>" in evil
    assert "Nyers pontszám: <strong>8,33</strong>" in evil  # raw score beside the zeroed score
    assert "Lefedettség: <strong>75%</strong>" in evil  # the all-N/A section (weight 1 of 4) left out
    assert (
        '<tr><th scope="row">Második</th><td class="num" data-label="Pontszám">–</td>'
        '<td class="num flat" data-label="Változás az előző audit óta">–</td></tr>'
    ) in evil
    assert (
        '<tr><th scope="row">Harmadik</th><td class="num" data-label="Pontszám">0,00</td>'
        '<td class="num down" data-label="Változás az előző audit óta">−100,00</td></tr>'
    ) in evil
    alert = evil.split('<section class="alert"')[1].split("</section>")[0]
    assert "Kritikus D" in alert and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in alert
    recurring = evil.split("<h2>Visszatérő hibák</h2>")[1].split("</ul>")[0]
    assert re.findall(r'<span class="tag">(\w+)</span>', recurring) == ["a"]  # failed in 2 of the last 3


def test_version_change_marked_on_the_chart_inside_it(hostile: Path) -> None:
    evil = (hostile / "html" / "sites" / "evil.html").read_text(encoding="utf-8")
    assert evil.count('stroke="#a15c00"') == 1
    assert '<line x1="457.9" x2="457.9" y1="24" y2="184" stroke="#a15c00" stroke-dasharray="3 3"/>' in evil
    # Right of the middle, the label ends at the line, above the plot: it never runs off the 600-wide chart.
    assert '<text x="453.9" y="16" text-anchor="end">A szabvány verziója megváltozott: v2</text>' in evil
    # And in the table, beside the standard's title (never its id).
    assert 'Ellenőrzés &lt;b&gt;v2&lt;/b&gt; <span class="tag">A szabvány verziója megváltozott: v2</span>' in evil


def test_site_with_one_audit(hostile: Path) -> None:
    solo = (hostile / "html" / "sites" / "solo.html").read_text(encoding="utf-8")
    assert '<div class="big" data-score>91,67</div>' in solo
    assert solo.count("<circle") == 1
    # One date under the chart, centred on the point, not the same date twice.
    assert re.findall(r'<text x="[\d.]+" y="204"[^>]*>([^<]+)</text>', solo) == ["2026. márc. 11."]
    assert '<text x="314.0" y="204" text-anchor="middle">' in solo
    index = (hostile / "html" / "index.html").read_text(encoding="utf-8")
    row = index.split('<tr data-site="solo">')[1].split("</tr>")[0]
    assert '<div class="few">too few audits to rank fairly (1)</div>' in row
    assert '<td class="num" data-label="Score" data-score>91.67</td>' in row


def test_markdown_portfolio_has_the_heatmap(hostile: Path) -> None:
    index = (hostile / "md" / "index.md").read_text(encoding="utf-8")
    assert "## Section scores by site\n\n### Check &lt;b&gt;v2&lt;/b&gt;\n\n" in index
    assert (
        "| Site | First &lt;script&gt;alert(1)&lt;/script&gt; | Second | Third |\n| --- | ---: | ---: | ---: |\n"
        in index
    )
    assert "| solo | 87.50 | – | 100.00 |\n" in index


@pytest.mark.parametrize("lang", ["xx", "hu_HU", "fr"])
def test_unsupported_language_is_a_usage_error(tmp_path: Path, lang: str) -> None:
    done = report(tmp_path / "out", "--lang", lang)
    assert done.code == 2
    assert (
        done.stderr
        == f"qaudit: error: --lang {lang}: scorecards are written in en, hy, ka, lv, hu; choose one of those\n"
    )
    assert not (tmp_path / "out").exists()


def test_audit_language_without_labels_falls_back(tmp_path: Path) -> None:
    audits = tmp_path / "audits"
    audits.mkdir()
    text = (DATA / "audits" / "yvn-01-11.yaml").read_text(encoding="utf-8")
    (audits / "a.yaml").write_text(text.replace("language: lv", "language: fr"), encoding="utf-8")
    assert "language: fr" in (audits / "a.yaml").read_text(encoding="utf-8")
    assert report(tmp_path / "out", audits=audits).code == 0
    page = (tmp_path / "out" / "sites" / "yvn-01.html").read_text(encoding="utf-8")
    # Not lang="fr" over English words: the registry's language (hy) is next in line.
    assert '<html lang="hy">' in page and "data-score>8,33</div>" in page and "Կրիտիկական" in page


def test_template_error_is_one_located_line(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "index.html.j2").write_text("<h1>{{ words.portfolio }}</h1>\n{{ 1 / 0 }}\n")
    done = report(tmp_path / "out", "--templates", str(mine))
    assert done.code == 1
    assert done.stderr.endswith(
        f"{mine / 'index.html.j2'}:2:1 error template ZeroDivisionError: division by zero; nothing was written\n"
    )
    (mine / "index.html.j2").write_text("{{ ''.__class__.__mro__ }}\n")
    done = report(tmp_path / "out", "--templates", str(mine))
    assert done.code == 1
    assert done.stderr.endswith(
        f"{mine / 'index.html.j2'}:1:1 error template unsafe operation refused: "
        "access to attribute '__class__' of 'str' object is unsafe; nothing was written\n"
    )
    (mine / "index.html.j2").write_text("{% include 'nothere.html.j2' %}\n")
    done = report(tmp_path / "out", "--templates", str(mine))
    assert done.code == 1 and done.stderr.endswith(
        f"{mine / 'index.html.j2'}:1:1 error template 'nothere.html.j2' is neither in the templates folder "
        "nor among the built-in templates; nothing was written\n"
    )
    assert not (tmp_path / "out").exists()


def test_any_html_template_name_is_autoescaped(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "x.html.j2").write_text("{{ rows[0].name }}|{{ '<i>' }}")
    (mine / "index.html.j2").write_text("{% include 'x.html.j2' %}\n")
    assert report(tmp_path / "out", "--templates", str(mine)).code == 0
    assert (tmp_path / "out" / "index.html").read_text(encoding="utf-8") == "Riga café|&lt;i&gt;"


def test_a_write_failure_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert report(out).code == 0
    index = (out / "index.html").read_bytes()
    for page in (out / "sites").iterdir():
        page.unlink()
    (out / "sites").rmdir()
    (out / "sites").write_text("not a folder")  # the site pages cannot be written
    done = report(out, "--lang", "hu")
    assert done.code == 2 and "Traceback" not in done.stderr
    assert (out / "index.html").read_bytes() == index  # no page was swapped in
    assert sorted(p.name for p in out.iterdir()) == [".qaudit-pages.json", "audits", "index.html", "sites"]


def test_a_re_run_rewrites_only_the_pages_that_changed(tmp_path: Path) -> None:
    import shutil

    audits = tmp_path / "audits"
    shutil.copytree(DATA / "audits", audits)
    out = tmp_path / "out"
    assert report(out, audits=audits).code == 0
    pages = ("index.html", "sites/rix-01.html", "sites/yvn-01.html", "audits/rix-01-11.html", "audits/yvn-01-11.html")
    first = {page: os.stat(out / page) for page in pages}
    done = report(out, audits=audits)
    assert done.code == 0
    assert done.stderr.endswith(f"wrote 0 of 7 pages to {out}/ ({out / 'index.html'}); the others were unchanged\n")
    assert all(os.stat(out / page).st_ino == first[page].st_ino for page in pages)  # not even replaced
    rix = audits / "rix-01-11.yaml"
    rix.write_text(rix.read_text(encoding="utf-8").replace("addressed-by-name: yes", "addressed-by-name: no"))
    done = report(out, audits=audits)
    assert done.code == 0 and f"wrote 3 of 7 pages to {out}/" in done.stderr  # rix-01's audit, site, index
    assert os.stat(out / "sites/yvn-01.html").st_ino == first["sites/yvn-01.html"].st_ino
    assert os.stat(out / "audits/yvn-01-11.html").st_ino == first["audits/yvn-01-11.html"].st_ino
    assert os.stat(out / "audits/rix-01-11.html").st_ino != first["audits/rix-01-11.html"].st_ino
    assert os.stat(out / "sites/rix-01.html").st_ino != first["sites/rix-01.html"].st_ino
    assert os.stat(out / "index.html").st_ino != first["index.html"].st_ino  # rix-01's score changed there too
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_failing_late_leaves_no_staged_page_and_no_new_folder(tmp_path: Path, jobs: str) -> None:
    root = HERE.parent
    mine = tmp_path / "mine"
    mine.mkdir()
    # A late site fails: most scorecards were rendered and staged by then, by one worker or two.
    (mine / "site.html.j2").write_text("{{ site.id }}{% if site.id == 'yvn-01' %}{{ 1 // 0 }}{% endif %}\n")
    out = tmp_path / "new" / "out"
    command = ["report", str(root / "examples" / "audits"), "--out", str(out)]
    command += ["--standards", str(root / "standards"), "--sites", str(root / "examples" / "sites.yaml")]
    command += ["--templates", str(mine), "--no-cache", "--jobs", jobs]
    done = run_cli(*command, real=True)  # a real process: its workers fork from qaudit, not from the test run
    assert done.code == 1 and "Traceback" not in done.stderr
    message = "ZeroDivisionError: integer division or modulo by zero; nothing was written"
    assert done.stderr == f"{mine / 'site.html.j2'}:1:1 error template {message}\n"
    assert not (tmp_path / "new").exists()  # the folders this run made are gone with the staged pages


def test_results_read_back_partly_give_the_pages_of_results_read_in_full(tmp_path: Path) -> None:
    from qaudit.render.language import LANGUAGES, labels
    from qaudit.render.pages import PageWriter
    from qaudit.render.report import render_report
    from qaudit.run.workspace import score_paths

    root = HERE.parent
    run = score_paths(
        [str(root / "examples" / "audits")],
        str(root / "standards"),
        sites=str(root / "examples" / "sites.yaml"),
        waivers=str(root / "examples" / "waivers.yaml"),
    )
    pages = {}
    # A result set is read back as far as each page needs it; a list of results is whole.
    for name, results in (("partly", run.results), ("whole", list(run.results))):
        writer = PageWriter(str(tmp_path / name))
        writer.commit(render_report(results, run.library, run.sites, writer=writer).pages)
        folder = tmp_path / name
        pages[name] = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("[!.]*") if p.is_file()}
    # 64 audit pages, 10 scorecards and the portfolio
    assert pages["partly"] == pages["whole"] and len(pages["whole"]) == 75
    headings = [f"<h2>{labels(lang)['recurring']}</h2>".encode() for lang in LANGUAGES]
    recurring = [page for page, text in pages["whole"].items() if any(h in text for h in headings)]
    assert len(recurring) >= 2  # items failed in two of the last three audits are found from their scores alone


def test_a_run_removes_what_killed_runs_of_this_machine_staged_and_nothing_else(tmp_path: Path) -> None:
    from qaudit.render.pages import _HOST

    out = tmp_path / "out"
    assert report(out).code == 0
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)  # a process that has ended
    stale = out / "sites" / f".yvn-01.html.{_HOST}-{dead}-0123abcd.tmp"
    running = out / "sites" / f".yvn-01.html.{_HOST}-{os.getpid()}-0123abcd.tmp"  # a run still going
    elsewhere = out / f".index.html.{'0' * 8 if _HOST != '0' * 8 else '1' * 8}-{dead}-0123abcd.tmp"  # another machine
    mine = out / "notes.txt"
    for path in (stale, running, elsewhere, mine):
        path.write_text("x")
    # A real process: in this one, the run still going (this process) would be the run itself.
    assert report(out, real=True).code == 0
    assert not stale.exists()
    assert running.exists() and elsewhere.exists() and mine.exists()


def test_the_same_pages_whatever_the_number_of_workers(tmp_path: Path) -> None:
    root = HERE.parent
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        command = ["report", str(root / "examples" / "audits"), "--out", str(out)]
        command += ["--standards", str(root / "standards"), "--sites", str(root / "examples" / "sites.yaml")]
        command += ["--waivers", str(root / "examples" / "waivers.yaml"), "--no-cache", "--jobs", jobs]
        done = run_cli(*command, real=True)  # a real process: its workers fork from qaudit, not from the test run
        assert done.code == 0, done.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.html"))})
    assert len(outputs[0]) == 75  # 64 audits, 10 scorecards and the portfolio, each rendered by one of two workers
    assert outputs[0] == outputs[1]


def test_a_user_template_cannot_build_a_huge_value(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "index.html.j2").write_text('{{ "x" * 100000 * 100000 }}\n')
    done = report(tmp_path / "out", "--templates", str(mine))
    assert done.code == 1 and not (tmp_path / "out" / "index.html").exists()
    assert done.stderr.endswith(
        f"{mine / 'index.html.j2'}:1:1 error template unsafe operation refused: a value of 10,000,000,000 "
        "characters or entries is too large; nothing was written\n"
    )
