"""The results cache and parallel scoring: never a stale score, always the same output."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, run_cli, start_cli

HERE = Path(__file__).parent
SPEC = HERE / "data" / "spec"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(SPEC / "standards", tmp_path / "standards")
    audits = tmp_path / "audits"
    audits.mkdir()
    good = (SPEC / "audits" / "yvn-01-2026-11-20.yaml").read_text(encoding="utf-8")
    for n in range(400):  # enough to start worker processes
        text = good.replace("id: yvn-01-2026-11-20", f"id: a{n:03d}").replace("site: yvn-01", f"site: s{n % 37:02d}")
        (audits / f"a{n:03d}.yaml").write_text(
            text.replace("start-delay: 7", f"start-delay: {n % 9}"), encoding="utf-8"
        )
    return tmp_path


def score(ws: Path, *args: str, real: bool = False) -> Result:
    """Score the workspace's audits as JSON (400 of them: with more than one job, in worker processes)."""
    return run_cli("score", "audits", "-f", "json", *args, cwd=ws, real=real)


def entries(ws: Path) -> int:
    with sqlite3.connect(ws / ".qaudit" / "cache.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM results").fetchone()[0])


def test_same_output_whatever_the_jobs_and_the_cache(workspace: Path) -> None:
    # A real process: the pool of worker processes forks from qaudit, not from the test run.
    one = score(workspace, "--no-cache", "-j", "1", real=True).stdout
    two = score(workspace, "--no-cache", "-j", "2", real=True).stdout
    cold = score(workspace).stdout
    warm = score(workspace).stdout
    assert one == two == cold == warm
    assert entries(workspace) == 400


def test_a_changed_audit_is_scored_again(workspace: Path) -> None:
    score(workspace)
    path = workspace / "audits" / "a005.yaml"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    # Same size and same modification time: only the content hash can tell.
    path.write_text(text.replace("greeting-warmth: 4", "greeting-warmth: 1"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fresh = score(workspace, "--no-cache").stdout
    assert score(workspace).stdout == fresh


def test_a_changed_standard_is_never_served_stale(workspace: Path) -> None:
    before = score(workspace).stdout
    std = workspace / "standards" / "client-service-core.yaml"
    std.write_text(std.read_text(encoding="utf-8").replace("weight: 2", "weight: 1", 1), encoding="utf-8")
    after = score(workspace).stdout
    assert after != before and after == score(workspace, "--no-cache").stdout


def test_invalid_audits_are_never_cached(workspace: Path) -> None:
    bad = workspace / "audits" / "bad.yaml"
    bad.write_text((workspace / "audits" / "a000.yaml").read_text().replace("greeting-warmth: 4", "greeting-warmth: 9"))
    assert score(workspace).code == 1
    assert entries(workspace) == 400
    assert score(workspace).code == 1


def test_a_corrupt_or_foreign_cache_is_discarded_with_a_warning(workspace: Path) -> None:
    expected = score(workspace, "--no-cache").stdout
    (workspace / ".qaudit").mkdir(exist_ok=True)
    (workspace / ".qaudit" / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    done = score(workspace)
    assert done.stdout == expected and done.stderr.count("qaudit: warning:") == 1 and "moved" in done.stderr
    foreign = workspace / ".qaudit" / "cache.sqlite"
    foreign.unlink()
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', '5'), ('application', 'something-else')")
    done = score(workspace)
    assert done.stdout == expected and "not a qaudit cache" in done.stderr and "moved" in done.stderr


def test_two_processes_at_once(workspace: Path) -> None:
    # Two processes at once, sharing one cache file.
    runs = [
        start_cli("score", "audits", "-f", "json", cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert all(r.returncode == 0 for r in runs)
    assert outputs[0][0] == outputs[1][0] == score(workspace, "--no-cache").stdout.encode()
    assert not any(b"Traceback" in err for _, err in outputs)


def test_cache_clear(workspace: Path) -> None:
    score(workspace)
    assert "removed" in run_cli("cache", "clear", cwd=workspace).stdout
    assert not (workspace / ".qaudit" / "cache.sqlite").exists()
    assert "no cache" in run_cli("cache", "clear", cwd=workspace).stdout


def test_an_edit_within_the_same_second_is_seen(workspace: Path) -> None:
    path = workspace / "audits" / "a001.yaml"
    score(workspace)
    time.sleep(0.01)
    path.write_text(
        path.read_text(encoding="utf-8").replace("greeting-warmth: 4", "greeting-warmth: 2"), encoding="utf-8"
    )
    assert score(workspace).stdout == score(workspace, "--no-cache").stdout


def test_a_change_to_qaudit_itself_is_never_served_stale(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qaudit
    from qaudit.results import cache_keys

    monkeypatch.chdir(workspace)
    first = qaudit.score_paths(["audits"], "standards", cache=True)
    with sqlite3.connect(workspace / ".qaudit" / "cache.sqlite") as db:
        salts = {row[0] for row in db.execute("SELECT DISTINCT salt FROM results")}
    assert len(salts) == 1 and cache_keys.code_fingerprint() in salts.pop()
    # Same version number, other code (an upgrade without a version bump, an edited checkout).
    monkeypatch.setattr(cache_keys, "code_fingerprint", lambda: "0123456789abcdef")
    second = qaudit.score_paths(["audits"], "standards", cache=True)
    with sqlite3.connect(workspace / ".qaudit" / "cache.sqlite") as db:
        salts = {row[0] for row in db.execute("SELECT DISTINCT salt FROM results")}
    assert salts == {cache_keys.salt_for(None)} and "0123456789abcdef" in salts.pop()  # every audit scored again
    assert list(first.results.texts()) == list(second.results.texts())


# An edit that keeps the size and restores the modification time (git checkout, rsync, a restore
# from backup): only the change time, the inode or the content can tell. Run in-process, so that the
# cache's clock can be moved and its reads counted: nothing here depends on how fast the machine is.

EDITED = "audits/a005.yaml"


def in_process(ws: Path, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[list[str], list[str]]:
    """Score the workspace in this process: the results' JSON texts and the problems' rules."""
    import qaudit

    monkeypatch.chdir(ws)
    run = qaudit.score_paths(["audits"], "standards", sites=None, **options)
    return list(run.results.texts()), [p.rule for p in run.problems]


def clock_ahead(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Entries stamped ``seconds`` later than now: as if written long after the files last changed."""
    import qaudit.results.cache

    real = qaudit.results.cache._fs_time
    monkeypatch.setattr(qaudit.results.cache, "_fs_time", lambda folder: real(folder) + int(seconds * 1e9))


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the cache reads to compare their content (the stat alone did not settle them)."""
    import qaudit.results.cache

    read: list[str] = []
    real = qaudit.results.cache.read_bytes

    def spy(path: str, limit: int | None = None) -> bytes:
        read.append(path)
        return real(path, limit)

    monkeypatch.setattr(qaudit.results.cache, "read_bytes", spy)
    return read


def edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "greeting-warmth: 4" in text
    path.write_text(text.replace("greeting-warmth: 4", "greeting-warmth: 1"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_edit_keeping_size_and_mtime_is_seen_by_its_change_time(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        clock_ahead(m, 3600)  # every entry trusted on its stat alone
        cached, _ = in_process(workspace, m, cache=True)
    path = workspace / EDITED
    ctime = path.stat().st_ctime_ns
    time.sleep(0.05)  # the change time moves on, whatever the file system's clock granularity
    edit_keeping_size_and_mtime(path)
    assert path.stat().st_ctime_ns != ctime
    fresh, _ = in_process(workspace, monkeypatch, cache=False)
    assert fresh != cached  # the edit changes the score
    reads = count_reads(monkeypatch)
    assert in_process(workspace, monkeypatch, cache=True)[0] == fresh
    assert reads == [EDITED]  # the others were trusted on their stat, unread


def test_a_replaced_file_with_the_same_size_and_times_is_seen(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        clock_ahead(m, 3600)
        in_process(workspace, m, cache=True)
    path = workspace / EDITED
    before = path.stat()
    spare = workspace / "a005.new"
    shutil.copy2(path, spare)
    edit_keeping_size_and_mtime(spare)
    os.utime(spare, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(spare, path)  # as an atomic save does: another inode
    assert path.stat().st_ino != before.st_ino
    assert in_process(workspace, monkeypatch, cache=True) == in_process(workspace, monkeypatch, cache=False)


def test_an_edit_within_the_timestamp_of_the_entry_is_seen(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The racy case: the edit lands in the same clock tick as the stat the entry was made from,
    # so that every time and the size are the same as the entry's. Only the content can tell.
    in_process(workspace, monkeypatch, cache=True)
    path = workspace / EDITED
    edit_keeping_size_and_mtime(path)
    info = path.stat()
    with sqlite3.connect(workspace / ".qaudit" / "cache.sqlite") as db:
        db.execute(
            "UPDATE results SET size = ?, mtime = ?, ctime = ?, ino = ?, dev = ?, stamp = ? WHERE path = ?",
            (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_ctime_ns, EDITED),
        )
    reads = count_reads(monkeypatch)
    assert in_process(workspace, monkeypatch, cache=True) == in_process(workspace, monkeypatch, cache=False)
    assert EDITED in reads


def test_a_racy_entry_is_read_until_it_is_refreshed(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cached right after the files were written: every entry is racy, so the next run reads each
    # file once, finds it unchanged and stamps the entry anew; from then on the stat suffices.
    first, _ = in_process(workspace, monkeypatch, cache=True)
    with monkeypatch.context() as m:
        clock_ahead(m, 3600)
        reads = count_reads(m)
        assert in_process(workspace, m, cache=True)[0] == first
        assert len(reads) == 400
    with monkeypatch.context() as m:
        clock_ahead(m, 7200)
        reads = count_reads(m)
        assert in_process(workspace, m, cache=True)[0] == first
        assert reads == []


WAIVERS = """schema: qaudit/waivers@1
waivers:
  - site: s01
    item: {item}
    reason: The site has no such service.
    until: 2030-12-31
"""


def test_the_cache_is_salted_with_the_waivers_that_were_applied(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qaudit.load.registry

    waivers = workspace / "waivers.yaml"
    waivers.write_text(WAIVERS.format(item="greeting-warmth"), encoding="utf-8")
    real = qaudit.load.registry.load
    edited: list[str] = []

    def load_then_edit(path: str, **options: Any) -> Any:
        # The file is edited right after qaudit parsed it: the run must not salt the cache
        # with a second reading of the file.
        doc = real(path, **options)
        if path.endswith("waivers.yaml") and not edited:
            edited.append(path)
            waivers.write_text(WAIVERS.format(item="no-arguing"), encoding="utf-8")
        return doc

    with monkeypatch.context() as m:
        m.setattr(qaudit.load.registry, "load", load_then_edit)
        old, _ = in_process(workspace, m, cache=True, waivers="waivers.yaml")
    assert edited
    fresh, _ = in_process(workspace, monkeypatch, cache=False, waivers="waivers.yaml")
    assert fresh != old
    assert in_process(workspace, monkeypatch, cache=True, waivers="waivers.yaml")[0] == fresh
