"""Faults around the results cache: damaged, cut short, read-only, locked or missing caches, runs
killed at random moments, two runs at once. Whatever happens, a run gives exactly the results and
the exit status of a run without the cache, and never a traceback."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import Result, run_cli, start_cli

HERE = Path(__file__).parent
ROOT = HERE.parent
SPEC = HERE / "data" / "spec"
DOC = ROOT / "docs" / "hostile-input.md"
CACHE = Path(".qaudit") / "cache.sqlite"


class CacheCase(NamedTuple):
    """A row of the cache table in docs/hostile-input.md."""

    name: str
    answer: str
    test: str


CACHE_CASES = [
    CacheCase(
        "an audit edited keeping its size, its modification time restored (`git checkout`, rsync, a backup)",
        "scored afresh: its change time (or inode) differs from the entry's, so its content is compared",
        "test_an_edit_keeping_size_and_mtime_is_seen_by_its_change_time",
    ),
    CacheCase(
        "an audit replaced by a file of the same size and times (an atomic save)",
        "scored afresh: another inode",
        "test_a_replaced_file_with_the_same_size_and_times_is_seen",
    ),
    CacheCase(
        "an edit in the same clock tick as the stat the entry was made from (every time unchanged)",
        "scored afresh: a file changed less than 2 s before the entry's stamp is compared by content",
        "test_an_edit_within_the_timestamp_of_the_entry_is_seen",
    ),
    CacheCase(
        "the waivers file edited while a run reads it",
        "the cache is salted with the very bytes the waivers in force were parsed from (read once)",
        "test_the_cache_is_salted_with_the_waivers_that_were_applied",
    ),
    CacheCase(
        "damaged entries: bad JSON, a text result, a text that is not UTF-8, a mangled path or size",
        "each a miss, scored again and replaced; one warning line",
        "test_damaged_entries_are_misses_and_are_replaced",
    ),
    CacheCase(
        "a cache file cut short, or not a database at all",
        "moved aside to `cache.sqlite.damaged` with one warning line; a new cache is started",
        "test_a_cache_cut_short_is_moved_aside",
    ),
    CacheCase(
        "a read-only cache",
        "read but not updated, one warning line (or, if it cannot even be read, not used)",
        "test_a_read_only_cache_is_read_and_left_unchanged",
    ),
    CacheCase(
        "a cache locked by another program",
        "waited for 10 s, then the run goes on without it (or without updating it), one warning line",
        "test_a_locked_cache_is_waited_for_then_left_alone",
    ),
    CacheCase(
        "a cache folder deleted, or a file in its place",
        "made again; or, when it cannot be, the run goes on without a cache, one warning line",
        "test_a_missing_cache_or_a_file_in_its_place",
    ),
    CacheCase(
        "an audit now unreadable, over the size limit or replaced by a named pipe",
        "never served from the cache: the same error and exit status as `--no-cache`",
        "test_what_scoring_refuses_is_never_served_from_the_cache",
    ),
    CacheCase(
        "`qaudit score` killed (`kill -9`) at random moments while it fills and reads the cache",
        "the next run gives exactly the output of `--no-cache`",
        "test_runs_killed_at_random_moments_leave_a_cache_that_serves_exact_results",
    ),
    CacheCase(
        "two runs at once on one cache (`score`, and `report` into one folder)",
        "both complete with the results of `--no-cache`; no `database is locked`",
        "test_two_runs_at_once_on_one_cache_and_one_output_folder",
    ),
]


def cache_table() -> str:
    lines = ["| situation | qaudit's answer | test |", "| --- | --- | --- |"]
    lines += [f"| {case.name} | {case.answer} | `{case.test}` |" for case in CACHE_CASES]
    return "\n".join(lines) + "\n"


def test_docs_cache_table_matches_the_cases() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- cache -->") + len("<!-- cache -->\n")
    end = text.index("<!-- /cache -->")
    if os.environ.get("QAUDIT_UPDATE_DOCS"):
        DOC.write_text(text[:start] + cache_table() + text[end:], encoding="utf-8")
        return
    assert text[start:end] == cache_table(), "run with QAUDIT_UPDATE_DOCS=1 to refresh docs/hostile-input.md"


def test_every_cache_row_names_a_test() -> None:
    import test_cache

    missing = [c.test for c in CACHE_CASES if not callable(globals().get(c.test) or getattr(test_cache, c.test, None))]
    assert missing == []


# Helpers ---------------------------------------------------------------------------------------


def score(ws: Path, *args: str, env: dict[str, str] | None = None, real: bool = False) -> Result:
    """Score the workspace's audits as JSON."""
    return run_cli("score", "audits", "-f", "json", *args, cwd=ws, env=env, real=real)


def warnings(done: Result) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("qaudit: warning:")]


def same_as_without_cache(ws: Path, done: Result, *args: str, **env: str) -> None:
    """The run's output and exit status are those of a run without the cache."""
    plain = score(ws, "--no-cache", *args, env=env)
    assert (done.code, done.stdout) == (plain.code, plain.stdout)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """60 audits of the spec's standard, across 7 sites."""
    shutil.copytree(SPEC / "standards", tmp_path / "standards")
    audits = tmp_path / "audits"
    audits.mkdir()
    good = (SPEC / "audits" / "yvn-01-2026-11-20.yaml").read_text(encoding="utf-8")
    for n in range(60):
        text = good.replace("id: yvn-01-2026-11-20", f"id: a{n:03d}").replace("site: yvn-01", f"site: s{n % 7:02d}")
        (audits / f"a{n:03d}.yaml").write_text(text.replace("start-delay: 7", f"start-delay: {n % 9}"), "utf-8")
    return tmp_path


@pytest.fixture()
def generated(tmp_path: Path) -> Path:
    """300 realistic audits (25 sites × 12 months, several standards) made by the benchmark's generator."""
    ws = tmp_path / "ws"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(ws), "--sites", "25", "--audits", "12"]
        + ["--standards", str(ROOT / "bench" / "standards")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    shutil.copytree(ROOT / "bench" / "standards", ws / "standards")
    return ws


def age_cache(ws: Path) -> None:
    """Stamp every entry an hour later: as if cached long after the files last changed, so that
    each is trusted on its stat alone, without its file being read."""
    with sqlite3.connect(ws / CACHE) as db:
        db.execute("UPDATE results SET stamp = stamp + 3600000000000")


def same_size_edit(path: Path, rng: random.Random) -> None:
    """Change one letter of the inspector's name, keeping the file's size and modification time."""
    before = path.stat()
    data = path.read_bytes()
    at = data.index(b"inspector: ") + len(b"inspector: ")
    if data[at : at + 1] == b'"':
        at += 1
    letter = bytes([rng.choice([c for c in b"BCDFGHJKMNPQRSTVWXZ" if c != data[at]])])
    path.write_bytes(data[:at] + letter + data[at + 1 :])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


# Damaged, cut short, read-only, locked, missing ------------------------------------------------


def test_damaged_entries_are_misses_and_are_replaced(workspace: Path) -> None:
    score(workspace)
    with sqlite3.connect(workspace / CACHE) as db:
        paths = [row[0] for row in db.execute("SELECT path FROM results ORDER BY path LIMIT 6")]
        db.execute("UPDATE results SET result = CAST('{\"id\": bad' AS BLOB) WHERE path = ?", (paths[0],))
        db.execute("UPDATE results SET result = 'not json' WHERE path = ?", (paths[1],))
        db.execute("UPDATE results SET site = CAST(X'FFFE' AS TEXT) WHERE path = ?", (paths[2],))
        db.execute("UPDATE results SET path = CAST(X'FF' AS TEXT) WHERE path = ?", (paths[3],))
        db.execute("UPDATE results SET size = 'x', mtime = 1.5 WHERE path = ?", (paths[4],))
        db.execute("UPDATE results SET result = CAST(substr(result, 1, 40) AS BLOB) WHERE path = ?", (paths[5],))
    done = score(workspace)
    same_as_without_cache(workspace, done)
    assert len(warnings(done)) == 1 and "damaged" in done.stderr
    again = score(workspace)
    assert again.stdout == done.stdout and warnings(again) == []  # replaced
    with sqlite3.connect(workspace / CACHE) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 60


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.999])
def test_a_cache_cut_short_is_moved_aside(workspace: Path, keep: float) -> None:
    score(workspace)
    cache = workspace / CACHE
    with open(cache, "r+b") as handle:
        handle.truncate(int(cache.stat().st_size * keep))
    done = score(workspace)
    same_as_without_cache(workspace, done)
    assert len(warnings(done)) <= 1
    if warnings(done):  # the file set aside, or only the entries on the lost pages ignored
        assert (workspace / ".qaudit" / "cache.sqlite.damaged").exists() or "damaged entr" in done.stderr
    again = score(workspace)
    assert again.stdout == done.stdout and warnings(again) == []


def test_a_read_only_cache_is_read_and_left_unchanged(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qaudit

    monkeypatch.chdir(workspace)
    first = list(qaudit.score_paths(["audits"], "standards", cache=True).results.texts())
    (workspace / "audits" / "a000.yaml").write_text(
        (workspace / "audits" / "a000.yaml").read_text(encoding="utf-8").replace("start-delay: 0", "start-delay: 8"),
        encoding="utf-8",
    )
    before = (workspace / CACHE).read_bytes()
    folder = workspace / ".qaudit"
    if os.geteuid() == 0:
        # Permissions do not bind root: refuse writing as a read-only mount would.
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
    else:
        (workspace / CACHE).chmod(0o444)
        folder.chmod(0o555)
    try:
        stderr = _capture_stderr(monkeypatch)
        again = list(qaudit.score_paths(["audits"], "standards", cache=True).results.texts())
    finally:
        folder.chmod(0o755)
    fresh = list(qaudit.score_paths(["audits"], "standards", cache=False).results.texts())
    assert again == fresh != first
    assert len(stderr) == 1 and ("read-only" in stderr[0] or "cannot be used" in stderr[0])
    assert (workspace / CACHE).read_bytes() == before


def _capture_stderr(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    lines: list[str] = []

    class Capture:
        def write(self, text: str) -> int:
            lines.extend(line for line in text.splitlines() if line)
            return len(text)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stderr", Capture())
    return lines


def test_a_locked_cache_is_waited_for_then_left_alone(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import qaudit
    import qaudit.results.cache_file

    monkeypatch.chdir(workspace)
    monkeypatch.setattr(qaudit.results.cache_file, "BUSY_TIMEOUT", 0.2)
    qaudit.score_paths(["audits"], "standards", cache=True)
    edited = workspace / "audits" / "a001.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("greeting-warmth: 4", "greeting-warmth: 2"), "utf-8")
    expected = list(qaudit.score_paths(["audits"], "standards", cache=False).results.texts())
    for how in ("write", "exclusive"):
        # Another program writing (readers go on, the run's own update waits), or holding the file
        # exclusively (nothing can be read).
        other = sqlite3.connect(workspace / CACHE, isolation_level=None)
        if how == "exclusive":
            other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("DELETE FROM results WHERE path = 'audits/a002.yaml'")
        try:
            with monkeypatch.context() as m:
                stderr = _capture_stderr(m)
                run = qaudit.score_paths(["audits"], "standards", cache=True)
            assert list(run.results.texts()) == expected and run.problems == []
            assert len(stderr) == 1 and "locked" in stderr[0], stderr
        finally:
            other.execute("ROLLBACK")
            other.close()


def test_a_missing_cache_or_a_file_in_its_place(workspace: Path) -> None:
    expected = score(workspace, "--no-cache")
    assert score(workspace).stdout == expected.stdout
    shutil.rmtree(workspace / ".qaudit")
    done = score(workspace)
    assert done.stdout == expected.stdout and warnings(done) == [] and (workspace / CACHE).exists()
    shutil.rmtree(workspace / ".qaudit")
    (workspace / ".qaudit").write_text("not a folder", encoding="utf-8")
    done = score(workspace)
    assert done.stdout == expected.stdout and done.code == 0
    assert len(warnings(done)) == 1 and "running without it" in done.stderr


def test_what_scoring_refuses_is_never_served_from_the_cache(workspace: Path) -> None:
    audits = workspace / "audits"
    large = audits / "a007.yaml"
    large.write_text(large.read_text(encoding="utf-8") + "# " + "x" * 30000 + "\n", encoding="utf-8")
    assert score(workspace).code == 0  # every audit cached
    age_cache(workspace)  # and trusted on its stat alone
    limit = {"QAUDIT_MAX_FILE_BYTES": "20000"}
    done = score(workspace, env=limit)
    assert done.code == 1
    same_as_without_cache(workspace, done, **limit)
    (audits / "a008.yaml").chmod(0)
    fifo = audits / "a009.yaml"
    fifo.unlink()
    os.mkfifo(fifo)
    done = score(workspace)
    same_as_without_cache(workspace, done)
    assert done.code == 1  # the pipe (and, but for root, the unreadable file)
    assert ("a008.yaml" in done.stderr) == (os.geteuid() != 0)


def test_the_cache_never_trusts_a_file_this_user_cannot_read(tmp_path: Path) -> None:
    from qaudit.results.cache import ResultCache
    from qaudit.results.cache_keys import salt_for

    cache = ResultCache(str(tmp_path / CACHE), salt_for(None))
    path = tmp_path / "a.yaml"
    path.write_text("x", encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(path, 4321, 4321)  # root reads everything: the checks are for other users
    info = path.stat()
    cache.euid, cache.groups = info.st_uid + 1, frozenset({info.st_gid + 1})  # neither owner nor in its group
    for mode, readable in ((0o644, True), (0o640, False), (0o400, False), (0o004, True), (0, False)):
        path.chmod(mode)
        assert (cache.key(path.stat()) is not None) == readable, oct(mode)
    cache.euid = info.st_uid
    path.chmod(0o044)
    assert cache.key(path.stat()) is None  # the owner's own bits decide for the owner
    cache.close()


# Killed runs and runs at once ------------------------------------------------------------------


def _kill_group(process: subprocess.Popen[Any]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def test_runs_killed_at_random_moments_leave_a_cache_that_serves_exact_results(generated: Path) -> None:
    rng = random.Random(20261120)
    audits = sorted(generated.glob("audits/*/*.yaml"))
    command = ("score", "audits", "-f", "json", "-j", "2")
    start = time.monotonic()
    score(generated, "-j", "2", real=True)  # a first run fills the cache: how long a process takes here
    span = time.monotonic() - start
    for _ in range(5):
        for path in rng.sample(audits, 5):
            same_size_edit(path, rng)
        if rng.random() < 0.3:
            shutil.rmtree(generated / ".qaudit", ignore_errors=True)  # kill one that fills an empty cache
        run = start_cli(
            *command, cwd=generated, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        time.sleep(rng.uniform(0.3, 1.0) * span)
        _kill_group(run)  # the command and its workers, mid-way
        assert run.stderr is not None and b"Traceback" not in run.stderr.read()
        run.stderr.close()
    for path in rng.sample(audits, 5):
        same_size_edit(path, rng)
    done = score(generated)
    same_as_without_cache(generated, done)
    assert done.code == 0 and warnings(done) == []


@pytest.mark.parametrize("command, folder", [("score", "generated"), ("report", "workspace")])
def test_two_runs_at_once_on_one_cache_and_one_output_folder(
    command: str, folder: str, request: pytest.FixtureRequest
) -> None:
    ws = request.getfixturevalue(folder)
    args = ["score", "audits", "-f", "json"] if command == "score" else ["report", "audits", "-o", "out"]
    # Both fill an empty cache at once; then (score) both read it at once.
    for _ in ("filling", "reading")[: 2 if command == "score" else 1]:
        runs = [start_cli(*args, cwd=ws, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        for _, err in outputs:
            assert b"Traceback" not in err and b"locked" not in err and b"warning" not in err, err
    plain = run_cli(*args[:2], *(["-f", "json"] if command == "score" else ["-o", "plain"]), "--no-cache", cwd=ws)
    if command == "score":
        assert outputs[0][0].decode() == outputs[1][0].decode() == plain.stdout
    else:
        assert _tree(ws / "out") == _tree(ws / "plain")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
