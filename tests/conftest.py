"""Shared test set-up.

Tests that need a real browser or a real spreadsheet program are skipped on a
machine without them, but never in CI (`CI` set, as `.ci/run` runs there):
there a skipped check is a failure, so that no check is skipped silently.

Tests run the ``qaudit`` command one way, :func:`run_cli` (``from conftest import run_cli``):
in this process through Typer's test runner and the console script's own entry point
(``qaudit.cli.run_cli``), so exit statuses and messages are those of ``qaudit``; or, with
``real=True``, as a ``python -m qaudit`` process, for what only a process has: its exit through
the interpreter, pipes, signals, a terminal, fork pools, environment read at import, or a crash.
A test that must hold the process while it runs (to interrupt or kill it) starts it with
:func:`start_cli`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import traceback
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

Env = Mapping[str, str | None]
"""Environment changes for one run: a value sets a variable, None removes it."""


@dataclass(frozen=True)
class Result:
    """How one run of ``qaudit`` ended: its exit status and what it wrote."""

    code: int
    out_bytes: bytes
    err_bytes: bytes

    @property
    def stdout(self) -> str:
        """Standard output as text, line ends read as ``subprocess.run(..., text=True)`` reads them."""
        return _text(self.out_bytes)

    @property
    def stderr(self) -> str:
        """Standard error as text."""
        return _text(self.err_bytes)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def cli_command(*args: str | os.PathLike[str]) -> list[str]:
    """The command line of a real ``qaudit`` process."""
    return [sys.executable, "-m", "qaudit", *map(os.fspath, args)]


def _environ(env: Env | None) -> dict[str, str] | None:
    if env is None:
        return None
    merged = dict(os.environ)
    for key, value in env.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def start_cli(*args: str | os.PathLike[str], env: Env | None = None, **popen: Any) -> subprocess.Popen[Any]:
    """Start a real ``qaudit`` process and return at once (``popen`` goes to :class:`subprocess.Popen`)."""
    return subprocess.Popen(cli_command(*args), env=_environ(env), **popen)


def run_cli(
    *args: str | os.PathLike[str],
    cwd: str | os.PathLike[str] | None = None,
    env: Env | None = None,
    input: str | bytes | None = None,
    real: bool = False,
    timeout: float = 120,
    **popen: Any,
) -> Result:
    """Run ``qaudit ARGS`` in ``cwd`` with ``env`` changed and ``input`` on stdin (empty when None).

    In this process unless ``real``: then a ``python -m qaudit`` process, ended after ``timeout``
    seconds, and ``popen`` goes to :func:`subprocess.run` (``stdin``, ``stdout``, ``preexec_fn``, ...).
    A run that prints a traceback fails the test.
    """
    if real:
        if input is not None:
            popen["input"] = input.encode() if isinstance(input, str) else input
        else:
            popen.setdefault("stdin", subprocess.DEVNULL)
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        done = subprocess.run(cli_command(*args), cwd=cwd, env=_environ(env), timeout=timeout, **popen)
        result = Result(done.returncode, done.stdout or b"", done.stderr or b"")
    else:
        assert not popen, f"only a real process takes {sorted(popen)}"
        result = _in_process([os.fspath(a) for a in args], cwd, env, input)
    assert "Traceback" not in result.stderr, result.stderr  # whatever the run was meant to do, it did not crash
    return result


class _ProcessEnded(BaseException):
    """``os._exit`` called by the command in this process: the run ends there, with that status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@contextlib.contextmanager
def _as_the_console_script(args: list[str], cwd: str | os.PathLike[str] | None) -> Iterator[None]:
    """What a ``qaudit`` process starts with, and nothing of it left behind: folder, argv, handlers, state."""
    from qaudit.commands import base, options

    folder = os.getcwd()
    saved_argv, saved_main, saved_stdout = sys.argv, sys.modules["__main__"], sys.__stdout__
    saved_hooks = (sys.excepthook, sys.unraisablehook)
    saved_sigint = signal.getsignal(signal.SIGINT)
    real_exit, owner = os._exit, os.getpid()

    def exit_here(status: int) -> None:
        if os.getpid() != owner:  # a worker forked by the command ends as always
            real_exit(status)
        raise _ProcessEnded(status)

    base.interrupt_state.update(taken=False, said=False)
    options._loaded.clear()
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["qaudit", *args]
        # Click names the program after how Python started: as the installed script, "qaudit".
        sys.modules["__main__"] = types.ModuleType("__main__")
        # Standard output is not a terminal, as when it is piped: help is as wide as `qaudit -h | cat`.
        sys.__stdout__ = sys.stdout
        os._exit = exit_here  # type: ignore[assignment]
        yield
    finally:
        os._exit = real_exit
        os.chdir(folder)
        sys.argv, sys.modules["__main__"], sys.__stdout__ = saved_argv, saved_main, saved_stdout
        sys.excepthook, sys.unraisablehook = saved_hooks
        signal.signal(signal.SIGINT, saved_sigint)
        base.interrupt_state.update(taken=False, said=False)
        options._loaded.clear()


def _in_process(
    args: list[str], cwd: str | os.PathLike[str] | None, env: Env | None, input: str | bytes | None
) -> Result:
    from typer._click import formatting
    from typer.testing import CliRunner

    from qaudit.cli import run_cli as console_script

    errors = {name: getattr(getattr(sys, f"__{name}__"), "errors", "strict") for name in ("stdin", "stdout")}
    with CliRunner().isolation(input=input, env=env) as (out, err, _):
        formatting.FORCED_WIDTH = None  # the runner's fixed 80 columns: none, as in a process
        sys.stdin.reconfigure(errors=errors["stdin"])  # type: ignore[attr-defined]
        sys.stdout.reconfigure(errors=errors["stdout"])  # type: ignore[attr-defined]
        try:
            with _as_the_console_script(args, cwd):
                console_script()
            code = 0
        except SystemExit as ended:
            code = _exit_status(ended.code)
        except _ProcessEnded as ended:
            code = ended.status
        except Exception:
            traceback.print_exc()  # as the interpreter would, on the run's stderr
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(ValueError):
                    stream.flush()
        return Result(code, out.getvalue(), err.getvalue())


def _exit_status(code: object) -> int:
    """The status a process ends with after ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not os.environ.get("CI"):
        return
    for mark in item.iter_markers("skipif"):
        if mark.args and mark.args[0]:
            pytest.fail(f"this check cannot run here: {mark.kwargs.get('reason', 'skipped')}", pytrace=False)
