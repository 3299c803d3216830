"""Fault injection: kill -9 at random moments, a commit killed between renames, a full disk, a read-only folder.

After each fault every output file is the old one or the new one, and the next
run gives the full new set with no temporary file left.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli, start_cli
from faults import GOOD_AUDIT, STD, audits, leftovers, one_line_error, small_disk, snapshot, without_root_powers

KINDS = {
    "report": lambda out: ("report", "--out", str(out)),
    "export": lambda out: ("export", "--out", str(out / "book.xlsx")),
    "csv": lambda out: ("export", "-f", "csv", "--out", str(out)),
}


def _outputs(folder: Path) -> dict[str, bytes]:
    """The outputs in ``folder``: every file but temporaries and commit records (a workbook by its cells)."""
    left = set(leftovers(folder)) if folder.exists() else set()
    found = {path: data for path, data in (snapshot(folder) if folder.exists() else {}).items() if path not in left}
    return {path: _cells(data) if path.endswith(".xlsx") else data for path, data in found.items()}


def _cells(data: bytes) -> bytes:
    """A workbook's cell values (its bytes differ from run to run by the time stamps inside the zip)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return repr([list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]).encode()


def _change(source: Path) -> None:
    """Change one audit, so that several output files change."""
    path = source / "site-0-01.yaml"
    path.write_text(GOOD_AUDIT.replace("yvn-01", "site-0").replace("2026-11-20", "2026-10-01"))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kill_9_at_random_moments_leaves_old_or_new_files(tmp_path: Path, kind: str) -> None:
    source = audits(tmp_path / "audits", 60)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    fresh.mkdir()
    assert run_cli(*KINDS[kind](out), str(source), *STD).code == 0
    old = _outputs(out)
    _change(source)
    started = time.monotonic()
    # A real process: how long one takes is how long the kills below have to hit one mid-way.
    assert run_cli(*KINDS[kind](fresh), str(source), *STD, real=True).code == 0
    took = time.monotonic() - started
    new = _outputs(fresh)
    assert new != old
    rng = random.Random(f"{kind}-17")
    for _ in range(3):
        proc = start_cli(*KINDS[kind](out), str(source), *STD, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _outputs(out)
        for path in set(old) | set(new) | set(now):
            assert now.get(path) in (old.get(path), new.get(path)), path  # each file old or new, never a part
        assert all(Path(p).name.startswith(".") for p in leftovers(out))  # what a kill leaves is hidden
    # The next run completes or removes whatever the kills left, and writes the new set.
    assert run_cli(*KINDS[kind](out), str(source), *STD).code == 0
    assert _outputs(out) == new and leftovers(out) == []


def _killed_after(renames: int, commit: Callable[[], None]) -> None:
    """Run ``commit()`` in a child that dies (like kill -9: nothing cleaned up) after ``renames`` renames."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        done = 0
        real = os.replace

        def replace(src: str, dst: str) -> None:
            nonlocal done
            real(src, dst)
            done += 1
            if done == renames:
                os._exit(9)

        os.replace = replace  # type: ignore[assignment]
        try:
            commit()
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9


def test_a_commit_killed_between_renames_is_completed_by_the_next_run(tmp_path: Path) -> None:
    from qaudit.io.staging import OutputSet
    from qaudit.render.pages import Page, PageWriter

    # The CSV set: three files, killed after the commit record and the first file are renamed into place.
    csv = tmp_path / "csv"
    csv.mkdir()
    for name in ("summary.csv", "audits.csv", "items.csv"):
        (csv / name).write_text(f"old {name}\n")

    def write_csv() -> None:  # in the child: its process id is in the names of what it stages
        files = OutputSet(str(csv), sync=True)
        files.prepare()
        names = ("summary.csv", "audits.csv", "items.csv")
        files.commit([(files.stage(name, f"new {name}\n".encode()), name) for name in names])

    _killed_after(2, write_csv)
    mixed = {p.name: p.read_text() for p in csv.iterdir() if not p.name.startswith(".")}
    assert sorted(mixed.values()) == ["new summary.csv\n", "old audits.csv\n", "old items.csv\n"]
    assert [p for p in leftovers(csv) if p.startswith(".qaudit-commit.")]  # the record of the commit is left
    OutputSet(str(csv)).prepare()  # what the next run writing there does first
    assert {p.name: p.read_text() for p in csv.iterdir()} == {n: f"new {n}\n" for n in mixed}
    # A report: pages and the record of pages, killed after the commit record and two pages; then a real run.
    source = audits(tmp_path / "audits", 14, sites=2)
    out = tmp_path / "report"
    assert run_cli("report", str(source), "--out", str(out), *STD).code == 0

    def write_report() -> None:
        writer = PageWriter(str(out))
        writer.prepare(["", "sites"])
        paths = ("sites/site-0.html", "sites/site-1.html", "index.html")
        writer.commit([writer.put(Page(path, f"new {path}\n")) for path in paths])

    _killed_after(3, write_report)
    assert (out / "sites" / "site-0.html").read_text().startswith("new") and leftovers(out)
    PageWriter(str(out)).prepare(["", "sites"])
    assert {p: d for p, d in _outputs(out).items() if not p.startswith(".")} == {
        path: f"new {path}\n".encode() for path in ("sites/site-0.html", "sites/site-1.html", "index.html")
    }
    assert leftovers(out) == []
    assert run_cli("report", str(source), "--out", str(out), *STD).code == 0
    assert "new" not in (out / "index.html").read_text() and leftovers(out) == []


def test_a_full_disk_keeps_every_old_output(tmp_path: Path) -> None:
    source = audits(tmp_path / "audits", 28)
    with small_disk(tmp_path / "disk", "2m") as mounted:
        if not mounted:
            pytest.fail("a full disk is tested on a small tmpfs; run these tests as root where mounting is allowed")
        disk = tmp_path / "disk"
        outs = {kind: disk / kind for kind in KINDS}
        for kind, out in outs.items():
            out.mkdir()
            assert run_cli(*KINDS[kind](out), str(source), *STD).code == 0, kind
        old = {kind: _outputs(out) for kind, out in outs.items()}
        _change(source)
        for name in ("site-1-01.yaml", "site-2-01.yaml"):
            (source / name).unlink()  # fewer pages: removals are part of the commit too
        filler = disk / "filler"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        with open(filler, "r+b") as handle:  # a little room: the first files of a set fit, the later ones not
            handle.truncate(max(filler.stat().st_size - 12288, 0))
        for kind, out in outs.items():
            line = one_line_error(run_cli(*KINDS[kind](out), str(source), *STD))
            assert "No space left on device" in line, (kind, line)
            assert _outputs(out) == old[kind] and leftovers(out) == [], kind
        filler.unlink()
        for kind, out in outs.items():
            assert run_cli(*KINDS[kind](out), str(source), *STD).code == 0, kind
            fresh = tmp_path / "fresh" / kind
            fresh.mkdir(parents=True)
            assert run_cli(*KINDS[kind](fresh), str(source), *STD).code == 0
            assert _outputs(out) == _outputs(fresh) and leftovers(out) == [], kind


def test_a_read_only_output_folder_keeps_every_old_output(tmp_path: Path) -> None:
    source = audits(tmp_path / "audits", 14, sites=2)
    outs = {kind: tmp_path / kind for kind in KINDS}
    for kind, out in outs.items():
        out.mkdir()
        assert run_cli(*KINDS[kind](out), str(source), *STD).code == 0
    blank = tmp_path / "export" / "blank.yaml"
    blank.write_text("an audit being written\n")
    old = {kind: _outputs(out) for kind, out in outs.items()}
    _change(source)
    folders = [p for out in outs.values() for p in (out, out / "sites") if p.is_dir()]
    for folder in folders:
        folder.chmod(0o555)
    try:
        for kind, out in outs.items():
            # A real process, without root's power over permissions.
            done = run_cli(*KINDS[kind](out), str(source), *STD, real=True, preexec_fn=without_root_powers())
            line = one_line_error(done)
            assert "Permission denied" in line, (kind, line)
        visit = ("client-service-core", "--site", "s", "--inspector", "i", "--force", *STD[:2])
        for command, name in (("new", "blank.yaml"), ("form", "form.xlsx")):
            done = run_cli(
                command, *visit, "-o", str(tmp_path / "export" / name), real=True, preexec_fn=without_root_powers()
            )
            assert "Permission denied" in one_line_error(done), command
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert {kind: _outputs(out) for kind, out in outs.items()} == old
    assert all(leftovers(out) == [] for out in outs.values())
