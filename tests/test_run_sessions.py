"""``qaudit run`` against what a terminal can send: bytes that are not UTF-8, line separators,
a second session on the same audit file."""

from __future__ import annotations

import os
from pathlib import Path

import pexpect
import pytest
from conftest import cli_command, run_cli

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"


def _run_args(output: str = "a.yaml", inspector: str = "Anna") -> list[str]:
    return [
        "run",
        "client-service-core",
        "--site",
        "yvn-01",
        "--inspector",
        inspector,
        "--date",
        "2026-11-20",
        "--standards",
        str(STANDARDS),
        "-o",
        output,
    ]


def _spawn(cwd: Path) -> pexpect.spawn:
    env = {**os.environ, "CI": "1", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    command = cli_command(*_run_args())  # a real process, on a terminal
    return pexpect.spawn(command[0], command[1:], cwd=str(cwd), timeout=30, env=env)


def test_bytes_that_are_not_utf8_typed_into_run_are_asked_again(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    child.expect(b"1/5")
    child.expect(b"> ")
    child.send(b"\xff\xfe7\r")
    child.expect(b"not UTF-8 text")
    child.expect(b"> ")
    child.sendline(b"7")
    child.expect(b"Comment")
    child.send(b"late \xc3\r")  # a character cut in half
    # Line editing (readline) drops the half character itself; without it, the line is asked again.
    if child.expect([b"not UTF-8 text", b"2/5"]) == 0:
        child.sendline(b"late")
        child.expect(b"2/5")
    child.expect(b"> ")
    child.sendline(b"q")
    output = child.read()
    child.close()
    assert b"Traceback" not in output
    assert child.exitstatus == 130
    draft = (tmp_path / ".a.yaml.draft").read_text(encoding="utf-8")
    assert 'start-delay: {value: 7, comment: "late"}' in draft


def test_a_line_separator_typed_into_run_is_kept_and_the_audit_is_valid(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    answers = [("7", "late\u2028by seven"), ("yes", "said\x85hello"), ("4", ""), ("full", ""), ("no", "")]
    for value, comment in answers:
        child.expect(b"> ")
        child.sendline(value.encode())
        child.expect(b"Comment")
        child.sendline(comment.encode("utf-8"))
    child.expect(b"Save this audit")
    child.sendline(b"y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    done = run_cli("score", "a.yaml", "--standards", str(STANDARDS), "-f", "json", "--no-cache", cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert "late\\u2028by seven" in (tmp_path / "a.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["run", "new", "form"])
def test_an_inspector_name_that_is_not_utf8_is_one_line_error(tmp_path: Path, command: str) -> None:
    args = _run_args(inspector=os.fsdecode(b"Anna \xff"))  # passed to the process as these bytes
    args[0] = command
    args[-1] = "a.xlsx" if command == "form" else "a.yaml"
    # A real process: the name reaches it as bytes on its command line, decoded as Python starts.
    done = run_cli(*args, cwd=tmp_path, real=True, timeout=60)
    stderr = done.err_bytes.decode("utf-8", "replace")
    assert done.code == 2, stderr
    assert stderr.startswith("qaudit: error: --inspector holds bytes that are not UTF-8 text (byte 0xFF)")
    assert len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a.yaml").exists() and not (tmp_path / "a.xlsx").exists()


def test_a_second_run_session_on_the_same_file_is_refused(tmp_path: Path) -> None:
    first = _spawn(tmp_path)
    first.expect(b"> ")
    first.sendline(b"7")
    first.expect(b"Comment")
    first.sendline(b"")
    first.expect(b"2/5")
    second = _spawn(tmp_path)
    second.expect(pexpect.EOF)
    second.close()
    message = second.before.decode("utf-8")
    assert second.exitstatus == 2
    assert "qaudit: error: another 'qaudit run' session" in message and ".a.yaml.lock" in message
    assert f"process {first.pid}" in message
    # The first session goes on, and nothing of it was lost.
    first.expect(b"> ")
    first.sendline(b"yes")
    first.expect(b"Comment")
    first.sendline(b"")
    first.expect(b"3/5")
    first.sendline(b"q")
    first.expect(pexpect.EOF)
    first.close()
    draft = (tmp_path / ".a.yaml.draft").read_text(encoding="utf-8")
    assert "start-delay: 7" in draft and "addressed-by-name: yes" in draft
    assert not (tmp_path / ".a.yaml.lock").exists()
    # Once the first session has ended, the audit can be resumed.
    again = _spawn(tmp_path)
    again.expect(b"Resuming: 2 of 5")
    again.expect(b"> ")
    again.sendline(b"q")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 130
