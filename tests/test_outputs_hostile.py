"""Outputs that never replace what they should not, inputs that never vanish or misreport.

Special files named as outputs, special files inside output sets, unreadable
and linked folders, file names that are not UTF-8, stale pages, user templates
that try to write huge pages, and a guided audit into a read-only folder.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import threading
from pathlib import Path

import pytest
from conftest import cli_command, run_cli
from faults import (
    FAULT_CASES,
    GOOD_AUDIT,
    STD,
    audits,
    faults_table,
    leftovers,
    one_line_error,
    snapshot,
    without_root_powers,
)
from openpyxl import load_workbook

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "hostile-input.md"
VISIT = ("--site", "yvn-01", "--inspector", "Anna Petrosyan", "--date", "2026-11-20")


def test_docs_table_of_faults_matches_the_cases() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- faults -->") + len("<!-- faults -->\n")
    end = text.index("<!-- /faults -->")
    if os.environ.get("QAUDIT_UPDATE_DOCS"):
        DOC.write_text(text[:start] + faults_table() + text[end:], encoding="utf-8")
        return
    assert text[start:end] == faults_table(), "run with QAUDIT_UPDATE_DOCS=1 to refresh docs/hostile-input.md"


def test_every_fault_row_names_a_test() -> None:
    import test_fault_injection

    tests = set(globals()) | set(vars(test_fault_injection))
    assert [case.test for case in FAULT_CASES if case.test not in tests] == []


# ---- one output file: what `-o` names ----------------------------------------------------------------


def _filled_form(folder: Path) -> Path:
    """A form filled as an inspector would, for ``convert``."""
    form = folder / "filled.xlsx"
    assert run_cli("form", "client-service-core", *VISIT, "-o", str(form), *STD[:2]).code == 0
    answers = {"start-delay": 7, "addressed-by-name": "yes", "greeting-warmth": 4, "needs-identified": "partial"}
    answers["no-arguing"] = "yes"
    book = load_workbook(form)
    sheet = book["Audit"]
    for row in sheet.iter_rows():
        names = [c.value for c in row]
        if "ID" in names and "Response" in names:
            id_col, response_col = names.index("ID"), names.index("Response")
            for below in sheet.iter_rows(min_row=row[0].row + 1):
                if below[id_col].value in answers:
                    below[response_col].value = answers[below[id_col].value]
            break
    book.save(form)
    return form


def _writers(folder: Path) -> dict[str, tuple[str, ...]]:
    """Every command that writes one output file, without its ``-o``."""
    audit = folder / "good.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    form = _filled_form(folder)
    return {
        "new": ("new", "client-service-core", *VISIT, "--force", *STD[:2]),
        "form": ("form", "client-service-core", *VISIT, "--force", *STD[:2]),
        "convert": ("convert", str(form), "--force", *STD[:2]),
        "export": ("export", str(audit), *STD),
        "actions": ("actions", str(audit), "-f", "xlsx", "--today", "2026-11-21", *STD),
    }


def _name(command: str, stem: str) -> str:
    return f"{stem}.xlsx" if command in ("form", "export", "actions") else f"{stem}.yaml"


def test_a_linked_output_is_written_to_its_target_and_stays_a_link(tmp_path: Path) -> None:
    for command, args in _writers(tmp_path).items():
        target = tmp_path / _name(command, f"{command}-target")
        target.write_bytes(b"old")
        link = tmp_path / _name(command, f"{command}-link")
        link.symlink_to(target.name)
        done = run_cli(*args, "-o", str(link))
        assert done.code == 0, (command, done.err_bytes)
        assert link.is_symlink() and os.readlink(link) == target.name, command
        assert target.read_bytes() not in (b"old", b""), command
        # A dangling link names the file to create; it stays a link too.
        dangling = tmp_path / _name(command, f"{command}-dangling")
        dangling.symlink_to(_name(command, f"{command}-created"))
        assert run_cli(*args, "-o", str(dangling)).code == 0, command
        assert dangling.is_symlink() and (tmp_path / _name(command, f"{command}-created")).stat().st_size > 0
    assert leftovers(tmp_path) == []


def test_devices_and_pipes_are_written_through_never_replaced(tmp_path: Path) -> None:
    writers = _writers(tmp_path)
    for command, args in writers.items():
        # A pipe that a program reads: the output streams to it; the pipe stays a pipe.
        fifo = tmp_path / _name(command, f"{command}-pipe")
        os.mkfifo(fifo)
        received: list[bytes] = []
        reader = threading.Thread(target=lambda f=fifo, into=received: into.append(f.read_bytes()))
        reader.start()
        done = run_cli(*args, "-o", str(fifo))
        reader.join(timeout=30)
        assert done.code == 0, (command, done.err_bytes)
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and len(received[0]) > 100, command
        # A pipe nobody reads: one clear error at once, never a wait.
        line = one_line_error(run_cli(*args, "-o", str(fifo)))
        assert "named pipe that no program is reading" in line, line
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
        # A device: /dev/full through a link named like the output (as root, /dev itself is never touched).
        full = tmp_path / _name(command, f"{command}-full")
        full.symlink_to("/dev/full")
        line = one_line_error(run_cli(*args, "-o", str(full)))
        assert "No space left on device" in line, line
        assert full.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)
    # `-o /dev/stdout` streams the file to standard output (a pipe here).
    done = run_cli(*writers["new"], "-o", "/dev/stdout", real=True)  # a process's own standard output
    assert done.code == 0 and done.out_bytes.startswith(b"#"), done.err_bytes
    assert os.path.islink("/dev/stdout")
    if os.geteuid() == 0:
        done = run_cli(*writers["new"], "-o", "/dev/full")
        assert "No space left on device" in one_line_error(done)
        assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)  # root's run did not replace the system's node


def test_sockets_and_folders_are_refused(tmp_path: Path) -> None:
    writers = _writers(tmp_path)
    for command, args in writers.items():
        path = tmp_path / _name(command, f"{command}-socket")
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        try:
            line = one_line_error(run_cli(*args, "-o", str(path)))
            assert "is a socket" in line, line
            assert stat.S_ISSOCK(path.lstat().st_mode)
        finally:
            server.close()
        folder = tmp_path / _name(command, f"{command}-folder")
        folder.mkdir()
        line = one_line_error(run_cli(*args, "-o", str(folder)))
        assert folder.is_dir() and list(folder.iterdir()) == [], line
    if os.path.exists("/dev/loop0") and stat.S_ISBLK(os.stat("/dev/loop0").st_mode):
        link = tmp_path / "disk.xlsx"
        link.symlink_to("/dev/loop0")
        assert "is a block device" in one_line_error(run_cli(*writers["export"], "-o", str(link)))
    assert leftovers(tmp_path) == []


def test_special_files_inside_an_output_set_are_refused(tmp_path: Path) -> None:
    source = audits(tmp_path / "audits", 14, sites=2)
    out, csv = tmp_path / "report", tmp_path / "csv"
    assert run_cli("report", str(source), "--out", str(out), *STD).code == 0
    assert run_cli("export", str(source), "-f", "csv", "--out", str(csv), *STD).code == 0
    (source / "site-0-01.yaml").write_text(GOOD_AUDIT.replace("yvn-01", "site-0").replace("2026-11-20", "2026-12-01"))
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("mine")
    page = out / "sites" / "site-1.html"
    page.unlink()
    page.symlink_to(elsewhere)
    items = csv / "items.csv"
    items.unlink()
    os.mkfifo(items)
    report_before = {p: b for p, b in snapshot(out).items() if p != "sites/site-1.html"}
    summary_before = (csv / "summary.csv").read_bytes()
    line = one_line_error(run_cli("report", str(source), "--out", str(out), *STD))
    assert "is a symbolic link" in line and "site-1.html" in line, line
    assert page.is_symlink() and elsewhere.read_text() == "mine"
    assert {p: b for p, b in snapshot(out).items() if p != "sites/site-1.html"} == report_before
    line = one_line_error(run_cli("export", str(source), "-f", "csv", "--out", str(csv), *STD))
    assert "is a named pipe" in line and "items.csv" in line, line
    assert stat.S_ISFIFO(items.lstat().st_mode) and (csv / "summary.csv").read_bytes() == summary_before
    assert leftovers(tmp_path) == []


# ---- inputs that must not vanish ----------------------------------------------------------------------


def _locked_tree(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    (folder / "locked" / "hidden.yaml").write_text(GOOD_AUDIT.replace("yvn-01", "lck-01"), encoding="utf-8")
    (folder / "closed.yaml").write_text(GOOD_AUDIT.replace("yvn-01", "cls-01"), encoding="utf-8")
    (folder / "locked").chmod(0)
    (folder / "closed.yaml").chmod(0)
    return folder


def test_an_unreadable_folder_or_file_is_a_located_error(tmp_path: Path) -> None:
    folder = _locked_tree(tmp_path)
    try:
        # Real processes, without root's power over permissions.
        done = run_cli("score", str(folder), "-f", "json", *STD, real=True, preexec_fn=without_root_powers())
        assert done.code == 1 and b"Traceback" not in done.err_bytes
        out = json.loads(done.out_bytes)
        assert [a["site"] for a in out["audits"]] == ["yvn-01"]  # the readable audit is still scored
        errors = {(e["file"], e["line"], e["column"], e["rule"]) for e in out["errors"]}
        assert errors == {
            (str(folder / "locked"), 1, 1, "unreadable"),
            (str(folder / "closed.yaml"), 1, 1, "unreadable"),
        }
        for args in (("report", "--out", str(tmp_path / "r")), ("export", "--out", str(tmp_path / "x.xlsx"))):
            done = run_cli(*args, str(folder), *STD, real=True, preexec_fn=without_root_powers())
            err = done.err_bytes.decode()
            assert done.code == 1 and "Traceback" not in err, (args, err)
            assert (
                f"{folder / 'locked'}:1:1 error unreadable this folder cannot be read (permission denied), "
                "so none of its audits was scored; make it readable for this user\n"
            ) in err
            assert f"{folder / 'closed.yaml'}:1:1 error unreadable permission denied" in err
    finally:
        (folder / "locked").chmod(0o755)


def test_a_linked_folder_is_a_warning_never_silent(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "other.yaml").write_text(GOOD_AUDIT.replace("yvn-01", "oth-01"), encoding="utf-8")
    (folder / "shared").symlink_to(shared, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    warning = (
        "{}:1:1 warning folder-link is a link to a folder and was not followed (its audits were not scored); "
        "name the folder it links to to score them\n"
    )
    for args in (
        ("score",),
        ("score", "-f", "json"),
        ("score", "-f", "csv"),
        ("report", "--out", str(tmp_path / "r")),
        ("export", "--out", str(tmp_path / "x.xlsx")),
    ):
        done = run_cli(*args, str(folder), *STD)
        err = done.err_bytes.decode()
        assert done.code == 0, (args, err)
        assert warning.format(folder / "loop") in err and warning.format(folder / "shared") in err, (args, err)
    # Named on the command line, the linked folder is read.
    done = run_cli("score", str(folder / "shared"), "-f", "json", *STD)
    assert done.code == 0 and [a["site"] for a in json.loads(done.out_bytes)["audits"]] == ["oth-01"]


def test_names_that_are_not_utf8_or_hold_control_characters(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    with_id = GOOD_AUDIT.replace("schema: qaudit/audit@1\n", "schema: qaudit/audit@1\nid: named-{}\n")
    raw = os.fsencode(folder)
    for n, name in enumerate((b"latin\xe9.yaml", b"esc\x1b[31mred.yaml", b"dir\xff/inside.yaml")):
        path = raw + b"/" + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(with_id.format(n).replace("yvn-01", f"odd-0{n}"))
    expected = {
        f"{folder}/latin\\xe9.yaml": "bytes that are not UTF-8 text",
        f"{folder}/esc\\u001b[31mred.yaml": "the control character U+001B",
        f"{folder}/dir\\xff": "bytes that are not UTF-8 text",
    }
    done = run_cli("score", str(folder), "-f", "json", *STD)
    assert done.code == 1 and b"Traceback" not in done.err_bytes and b"\x1b" not in done.out_bytes
    out = json.loads(done.out_bytes)
    assert [a["id"] for a in out["audits"]] == ["good"]
    assert {e["file"]: e["rule"] for e in out["errors"]} == dict.fromkeys(expected, "file-name")
    csv_out = tmp_path / "csv"
    for args in (
        ("score",),
        ("score", "-f", "csv"),
        ("report", "--out", str(tmp_path / "r")),
        ("export", "--out", str(tmp_path / "x.xlsx")),
        ("export", "-f", "csv", "--out", str(csv_out)),
        ("actions", "--today", "2026-11-21"),
        ("actions", "-f", "csv", "--today", "2026-11-21"),
    ):
        done = run_cli(*args, str(folder), *STD)
        assert done.code == 1 and b"Traceback" not in done.err_bytes, (args, done.err_bytes)
        assert b"\x1b" not in done.out_bytes + done.err_bytes and b"\xff" not in done.out_bytes + done.err_bytes, args
        err = done.err_bytes.decode("utf-8")
        for shown, what in expected.items():
            assert f"{shown}:1:1 error file-name the name holds {what} (shown escaped); rename it" in err, (args, err)
    assert all(b"\x1b" not in data for data in snapshot(csv_out).values())


# ---- output sets --------------------------------------------------------------------------------------


def test_a_report_removes_only_its_own_stale_pages(tmp_path: Path) -> None:
    source = audits(tmp_path / "audits", 9, sites=3)
    out = tmp_path / "report"
    assert run_cli("report", str(source), "--out", str(out), *STD).code == 0
    assert sorted(p.name for p in (out / "sites").iterdir()) == ["site-0.html", "site-1.html", "site-2.html"]
    (out / "sites" / "notes.html").write_text("the team's own notes")  # never written by qaudit
    edited = (out / "sites" / "site-1.html").read_text() + "<!-- kept by hand -->"
    (out / "sites" / "site-1.html").write_text(edited)
    for n in (1, 2):  # sites 1 and 2 leave the input
        for path in source.glob(f"site-{n}-*.yaml"):
            path.unlink()
    done = run_cli("report", str(source), "--out", str(out), *STD)
    assert done.code == 0, done.err_bytes
    # site-2's page was qaudit's and unchanged: removed with the commit; site-1's was edited: kept.
    assert sorted(p.name for p in (out / "sites").iterdir()) == ["notes.html", "site-0.html", "site-1.html"]
    assert (out / "sites" / "site-1.html").read_text() == edited
    assert "site-2" not in (out / "index.html").read_text()
    # site-2's scorecard and the pages of the 6 audits of sites 1 and 2.
    assert done.err_bytes.decode().endswith("removed 7 pages of sites or audits no longer in the input\n"), done.stderr
    # A Markdown report into the same folder leaves the HTML pages alone.
    assert run_cli("report", str(source), "--out", str(out), "-f", "md", *STD).code == 0
    assert (out / "index.html").exists() and (out / "sites" / "site-0.html").exists()
    assert leftovers(tmp_path) == []


# ---- user templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template, refusal",
    [
        ("{{ 'x'|center(300000000) }}", "center() 300,000,000 is wider than the 1,000,000 characters allowed"),
        ("{{ '%300000000s'|format('x') }}", "the format width 300,000,000 is wider than"),
        ("{{ ('x'*1000)|replace('x', 'y'*10000) }}", "replace() would make a text of 10,000,000 characters"),
        ("{{ 'x'.ljust(300000000) }}", "ljust() 300,000,000 is wider than"),
        ("{{ '{:>{}}'.format(1, 300000000) }}", "the format width 300,000,000 is wider than"),
        ("{{ '%*d' % (300000000, 1) }}", "a width taken from the values ('*') is not allowed"),
        ("{{ 'x'|indent(300000000, true) }}", "indent() would make a text of 300,000,001 characters"),
        ("{{ (['x' * 1000000] * 100)|join }}", "join() would make a text of 100,000,000 characters"),
        (
            "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "joining texts with '~' would make a text of 2,000,000 characters",
        ),
        ("{% for i in range(100000) %}{{ 'y' * 1000 }}{% endfor %}", "the page grew past 50,000,000 characters"),
    ],
)
def test_user_templates_cannot_build_huge_pages(tmp_path: Path, template: str, refusal: str) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html.j2").write_text("<h1>{{ title }}</h1>\n" + template + "\n")
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    out = tmp_path / "out"
    done = run_cli("report", str(audit), "--out", str(out), "--templates", str(mine), *STD)
    err = done.err_bytes.decode()
    assert done.code == 1 and "Traceback" not in err, err
    location = f"{mine / 'index.html.j2'}:{1 if 'page grew' in refusal else 2}:1 error template "
    assert err.startswith(location + "unsafe operation refused: " + refusal), err
    assert err.endswith("; nothing was written\n") and len(err.splitlines()) == 1, err
    assert not out.exists()


def test_user_templates_keep_everyday_padding_and_formatting(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    text = "{{ 'ok'|center(6) }}|{{ '%5.1f'|format(3.14159) }}|{{ 'a-b'|replace('-', '+') }}|{{ [1, 2]|join(',') }}"
    (mine / "index.html.j2").write_text(text + "|{{ '{:>4}'.format('<i>') }}|{{ 'x' ~ 'y' }}\n")
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    done = run_cli("report", str(audit), "--out", str(tmp_path / "out"), "--templates", str(mine), *STD)
    assert done.code == 0, done.err_bytes
    assert (tmp_path / "out" / "index.html").read_text() == "  ok  |  3.1|a+b|1,2| &lt;i&gt;|xy\n"


# ---- the guided audit ---------------------------------------------------------------------------------


def test_run_into_a_read_only_folder_asks_nothing(tmp_path: Path) -> None:
    import pexpect
    from faults import without_root_powers

    folder = tmp_path / "audits"
    folder.mkdir()
    folder.chmod(0o555)
    # A real process, on a terminal.
    command = cli_command("run", "client-service-core", *VISIT, "-o", str(folder / "v.yaml"), *STD[:2])
    drop = without_root_powers()
    if drop is not None:  # as root: spawn through a child that drops root's powers, then runs qaudit
        code = (
            "import os; from faults import without_root_powers; without_root_powers()(); "
            f"os.execv({command[0]!r}, {command!r})"
        )
        child = pexpect.spawn(sys.executable, ["-c", code], cwd=str(HERE), encoding="utf-8", timeout=30)
    else:
        child = pexpect.spawn(command[0], command[1:], encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2, child.before
    shown = child.before.strip()
    assert shown.startswith(f"qaudit: error: -o {folder / 'v.yaml'}: its folder cannot be written"), shown
    assert "nothing was asked" in shown and "1/5" not in shown and "> " not in shown
    assert list(folder.iterdir()) == []
    folder.chmod(0o755)
