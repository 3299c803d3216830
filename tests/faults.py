"""Helpers for the tests of outputs under faults (special files, unreadable folders, kills, full disks).

The table of these cases in `docs/hostile-input.md` is generated from
:data:`FAULT_CASES` (a test keeps the page in step with this list).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from conftest import Result
from hostile_cases import GOOD_AUDIT

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
STD = ("--standards", str(STANDARDS), "--no-cache")


@dataclass(frozen=True)
class FaultCase:
    """One fault around the files qaudit reads or writes, and qaudit's answer."""

    name: str
    commands: str
    answer: str
    test: str
    """The test (in tests/test_outputs_hostile.py or tests/test_fault_injection.py) that keeps the answer true."""


FAULT_CASES = [
    FaultCase(
        "`-o` naming a symbolic link",
        "`new`, `form`, `convert`, `export`, `actions -f xlsx`",
        "the link's target is replaced atomically; the link stays a link",
        "test_a_linked_output_is_written_to_its_target_and_stays_a_link",
    ),
    FaultCase(
        "`-o` naming a character device or a named pipe (`/dev/stdout`, `/dev/null`, `/dev/full`, a FIFO)",
        "`new`, `form`, `convert`, `export`, `actions -f xlsx`",
        "written through, never replaced (the node stays what it was); `/dev/full` and a pipe nobody reads "
        "are one line `qaudit: error: ...`, exit 2",
        "test_devices_and_pipes_are_written_through_never_replaced",
    ),
    FaultCase(
        "`-o` naming a socket, a block device or a folder",
        "`new`, `form`, `convert`, `export`, `actions -f xlsx`",
        "refused: one line `qaudit: error: ...`, exit 2; the node is untouched",
        "test_sockets_and_folders_are_refused",
    ),
    FaultCase(
        "a link, a pipe or a folder where a page or a CSV file of an output set goes",
        "`report`, `export -f csv`",
        "refused before anything is renamed: exit 2, every old file kept, no temporary file left",
        "test_special_files_inside_an_output_set_are_refused",
    ),
    FaultCase(
        "a folder of audits, or an audit, that cannot be read (permission denied)",
        "`score`, `report`, `export`",
        "located error `unreadable` for that folder or file, exit 1; the other audits are scored",
        "test_an_unreadable_folder_or_file_is_a_located_error",
    ),
    FaultCase(
        "a link to a folder inside an audit folder",
        "`score` (every format), `report`, `export`",
        "not followed (no loop, no walk out of the folder): warning `folder-link` on stderr, exit 0",
        "test_a_linked_folder_is_a_warning_never_silent",
    ),
    FaultCase(
        "a file or folder name that is not UTF-8 (`\\xff`) or holds a control character (ESC)",
        "`score` (every format), `report`, `export`, `actions`",
        "located error `file-name` with the name escaped (`\\xff`, `\\u001b`), exit 1; no raw byte reaches "
        "the terminal, JSON or CSV; the other audits are scored",
        "test_names_that_are_not_utf8_or_hold_control_characters",
    ),
    FaultCase(
        "a site no longer in the input",
        "`report`",
        "its page is removed with the same commit, if qaudit wrote it (recorded in `.qaudit-pages.json`) "
        "and nobody changed it since; any other file is kept",
        "test_a_report_removes_only_its_own_stale_pages",
    ),
    FaultCase(
        "a user template that pads, formats, replaces, joins or loops its way to a huge page",
        "`report --templates`",
        "located `template` error, exit 1, nothing written: values over 1,000,000 characters and pages "
        "over 50,000,000 are refused before they are built",
        "test_user_templates_cannot_build_huge_pages",
    ),
    FaultCase(
        "a guided audit whose folder is read-only",
        "`run`",
        "one line `qaudit: error: ...`, exit 2, before the first question",
        "test_run_into_a_read_only_folder_asks_nothing",
    ),
    FaultCase(
        "kill -9 at random moments",
        "`report`, `export`, `export -f csv`",
        "each output file is the old one or the new one; the next run completes or removes what was "
        "left and gives the full new set, with no temporary file",
        "test_kill_9_at_random_moments_leaves_old_or_new_files",
    ),
    FaultCase(
        "kill -9 between two renames of a set",
        "`report`, `export -f csv`",
        "the commit record left behind is completed by the next run: the folder holds one run's files",
        "test_a_commit_killed_between_renames_is_completed_by_the_next_run",
    ),
    FaultCase(
        "a full disk (a small tmpfs)",
        "`report`, `export`, `export -f csv`",
        "one line `qaudit: error: ...`, exit 2, every old file intact, no temporary file left; the next run "
        "with space writes the new set",
        "test_a_full_disk_keeps_every_old_output",
    ),
    FaultCase(
        "a read-only output folder holding earlier outputs",
        "`report`, `export`, `export -f csv`, `new`, `form`",
        "one line `qaudit: error: ...`, exit 2, the earlier outputs untouched",
        "test_a_read_only_output_folder_keeps_every_old_output",
    ),
]


def faults_table() -> str:
    """The docs table of :data:`FAULT_CASES`."""
    lines = ["| situation | commands | qaudit's answer | test |", "| --- | --- | --- | --- |"]
    for case in FAULT_CASES:
        lines.append(f"| {case.name} | {case.commands} | {case.answer} | `{case.test}` |")
    return "\n".join(lines) + "\n"


def without_root_powers() -> Callable[[], None] | None:
    """For a child run as root: drop the capabilities that let root read and write any file.

    Permission bits then apply to the child as to any user, so a chmod-000
    folder is unreadable; None when the tests do not run as root.
    """
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone for the program exec'd next
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def one_line_error(done: Result, status: int = 2) -> str:
    """The single ``qaudit: error: ...`` line of a failed run (asserting its form)."""
    err = done.err_bytes.decode("utf-8", "replace")
    assert done.code == status, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qaudit: error: "), err
    return lines[0]


def audits(folder: Path, count: int, sites: int = 7) -> Path:
    """``count`` valid audits of ``sites`` sites."""
    folder.mkdir(parents=True)
    for n in range(count):
        site = f"site-{n % sites}"
        day = 1 + n // sites
        text = GOOD_AUDIT.replace("site: yvn-01", f"site: {site}").replace("2026-11-20", f"2026-10-{day:02d}")
        (folder / f"{site}-{day:02d}.yaml").write_text(text.replace("start-delay: 7", f"start-delay: {n % 9}"))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files and commit records under ``folder``."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith(".qaudit-commit.")
    )


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[bool]:
    """A tmpfs of ``size`` mounted at ``path`` (yields False where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)
