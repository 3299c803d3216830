"""The results cache and parallel scoring: never a stale score, always the same output."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SPEC = HERE / "data" / "spec"


def qaudit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "qaudit", *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in done.stderr
    return done


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


def score(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return qaudit(ws, "score", "audits", "-f", "json", *args)


def entries(ws: Path) -> int:
    with sqlite3.connect(ws / ".qaudit" / "cache.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM results").fetchone()[0])


def test_same_output_whatever_the_jobs_and_the_cache(workspace: Path) -> None:
    one = score(workspace, "--no-cache", "-j", "1").stdout
    two = score(workspace, "--no-cache", "-j", "2").stdout
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
    assert score(workspace).returncode == 1
    assert entries(workspace) == 400
    assert score(workspace).returncode == 1


def test_a_corrupt_or_foreign_cache_is_discarded_with_a_warning(workspace: Path) -> None:
    expected = score(workspace, "--no-cache").stdout
    (workspace / ".qaudit").mkdir(exist_ok=True)
    (workspace / ".qaudit" / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    done = score(workspace)
    assert done.stdout == expected and "warning" in done.stderr and "discarded" in done.stderr
    foreign = workspace / ".qaudit" / "cache.sqlite"
    foreign.unlink()
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', '5'), ('application', 'something-else')")
    done = score(workspace)
    assert done.stdout == expected and "discarded" in done.stderr


def test_two_processes_at_once(workspace: Path) -> None:
    command = [sys.executable, "-m", "qaudit", "score", "audits", "-f", "json"]
    runs = [subprocess.Popen(command, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert all(r.returncode == 0 for r in runs)
    assert outputs[0][0] == outputs[1][0] == score(workspace, "--no-cache").stdout.encode()
    assert not any(b"Traceback" in err for _, err in outputs)


def test_cache_clear(workspace: Path) -> None:
    score(workspace)
    assert "removed" in qaudit(workspace, "cache", "clear").stdout
    assert not (workspace / ".qaudit" / "cache.sqlite").exists()
    assert "no cache" in qaudit(workspace, "cache", "clear").stdout


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
    import qaudit.cache

    monkeypatch.chdir(workspace)
    first = qaudit.score_paths(["audits"], "standards", cache=True)
    with sqlite3.connect(workspace / ".qaudit" / "cache.sqlite") as db:
        salts = {row[0] for row in db.execute("SELECT DISTINCT salt FROM results")}
    assert len(salts) == 1 and qaudit.cache.code_fingerprint() in salts.pop()
    # Same version number, other code (an upgrade without a version bump, an edited checkout).
    monkeypatch.setattr(qaudit.cache, "code_fingerprint", lambda: "0123456789abcdef")
    second = qaudit.score_paths(["audits"], "standards", cache=True)
    with sqlite3.connect(workspace / ".qaudit" / "cache.sqlite") as db:
        salts = {row[0] for row in db.execute("SELECT DISTINCT salt FROM results")}
    assert salts == {qaudit.cache.salt_for(None)} and "0123456789abcdef" in salts.pop()  # every audit scored again
    assert list(first.results.texts()) == list(second.results.texts())
