"""Ctrl-C during a long command: one line on stderr, status 130, and no process left behind.

Each test runs a real ``qaudit`` process in a session of its own and sends SIGINT to
the whole process group, as a terminal does, at a chosen moment of the run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli, start_cli

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not hasattr(os, "killpg") or not os.path.isdir("/proc"), reason="needs process groups and /proc"
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of 3,000 audits (250 sites, 12 each): long enough a run to interrupt."""
    folder = tmp_path_factory.mktemp("interrupts")
    shutil.copytree(ROOT / "standards" / "client-service-core", folder / "standards" / "client-service-core")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(folder), "--sites", "250", "--audits", "12"]
        + ["--standards", str(folder / "standards")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _workers_started(pid: int, seen: set[int]) -> bool:
    """The first moment workers run (scoring has started)."""
    return bool(_children(pid))


def _workers_done(pid: int, seen: set[int]) -> bool:
    """The first moment after the scoring workers have ended (the command is writing its output)."""
    now = set(_children(pid))
    if now:
        seen.update(now)
        return False
    return bool(seen)


def _second_workers_started(pid: int, seen: set[int]) -> bool:
    """The first moment a second set of workers runs (a report's pages being rendered, after scoring): a
    worker that was not seen before, once one that was has ended. Watching only for the scoring workers to
    end could miss the short gap between the two sets and fire after the report was written."""
    now = set(_children(pid))
    if seen - now and now - seen:
        return True
    seen.update(now)
    return False


def _interrupt(folder: Path, args: list[str], when: Callable[[int, set[int]], bool]) -> subprocess.CompletedProcess:
    """Run ``qaudit args`` and send SIGINT to its process group at ``when``; retried if the run ends first."""
    for _ in range(3):
        process = start_cli(  # a real process, and a group of its own, to interrupt
            *args,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        seen: set[int] = set()
        deadline = time.monotonic() + 120
        while process.poll() is None and not when(process.pid, seen) and time.monotonic() < deadline:
            time.sleep(0.005)
        if process.poll() is not None:
            process.communicate()
            continue  # it finished before the moment came: try again
        os.killpg(process.pid, signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"qaudit {args[0]} did not stop within a minute of Ctrl-C")
        # Nothing of the command is left: no worker, no zombie (the group is gone).
        time.sleep(0.1)
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)
        return subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
    pytest.fail(f"qaudit {args[0]} finished each time before it could be interrupted")


def _assert_quiet(done: subprocess.CompletedProcess) -> None:
    assert done.stderr == "qaudit: interrupted\n", done.stderr
    assert done.returncode == 130


def test_ctrl_c_while_score_scores_in_parallel(workspace: Path) -> None:
    _assert_quiet(_interrupt(workspace, ["score", "--no-cache", "-f", "json", "-j", "2"], _workers_started))


def test_ctrl_c_while_score_scores_with_the_cache(workspace: Path) -> None:
    _assert_quiet(_interrupt(workspace, ["score", "--cache", "-f", "json", "-j", "2"], _workers_started))


def test_ctrl_c_while_report_scores(workspace: Path, tmp_path: Path) -> None:
    args = ["report", "--no-cache", "-j", "2", "-o", str(tmp_path / "report")]
    _assert_quiet(_interrupt(workspace, args, _workers_started))


def test_ctrl_c_while_report_renders(workspace: Path, tmp_path: Path) -> None:
    args = ["report", "--no-cache", "-j", "2", "-o", str(tmp_path / "report")]
    _assert_quiet(_interrupt(workspace, args, _second_workers_started))


def test_ctrl_c_while_export_scores(workspace: Path, tmp_path: Path) -> None:
    args = ["export", "--no-cache", "-j", "2", "-o", str(tmp_path / "out.xlsx")]
    _assert_quiet(_interrupt(workspace, args, _workers_started))


def test_ctrl_c_while_export_writes_the_workbook(workspace: Path, tmp_path: Path) -> None:
    args = ["export", "--no-cache", "-j", "2", "-o", str(tmp_path / "out.xlsx")]
    for _ in range(3):
        done = _interrupt(workspace, args, _workers_done)
        if not done.stderr.startswith("wrote "):
            break
        # The workbook was written whole before the Ctrl-C came (the export is quick): try again.
        (tmp_path / "out.xlsx").unlink()
    _assert_quiet(done)
    assert not (tmp_path / "out.xlsx").exists()


def test_ctrl_c_while_rescore_rescores_as_the_audits_are_read(workspace: Path) -> None:
    # From a warm cache, so that the first workers to run are the ones rescoring while the rest is read.
    warmed = run_cli("score", "--cache", "-f", "json", cwd=workspace)
    assert warmed.code == 0, warmed.stderr
    _assert_quiet(
        _interrupt(workspace, ["rescore", "--standard-version", "1", "-f", "json", "-j", "2"], _workers_started)
    )
