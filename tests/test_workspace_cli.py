"""The workspace file ``qaudit.toml``, ``qaudit init`` and the command line's manners (--version, -h, help)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import Result, run_cli

from qaudit import __version__
from qaudit.cli import app

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


def command_paths() -> list[list[str]]:
    """Every command and subcommand, as the words that name it."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the example workspace (its qaudit.toml names ../standards) and the standards beside it."""
    shutil.copytree(ROOT / "standards", tmp_path / "standards")
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns(".qaudit", "*.py"))
    (tmp_path / "reports").mkdir()
    return tmp_path / "examples"


def scored(done: Result, cwd: Path) -> dict[str, Any]:
    """``score --format json`` output with every file name made absolute, so runs from any folder compare."""
    data = json.loads(done.stdout)
    for entry in [*data["audits"], *data["errors"]]:
        entry["file"] = os.path.realpath(cwd / entry["file"])
    return data


# --version, -h and help texts


def test_version_is_eager_and_needs_no_command() -> None:
    done = run_cli("--version")
    assert done.code == 0
    assert done.stdout == f"qaudit {__version__}\n"
    assert re.fullmatch(r"qaudit \d+\.\d+\.\d+\n", done.stdout)


def test_version_in_a_real_process() -> None:
    done = run_cli("--version", real=True, timeout=60)
    assert (done.code, done.stdout, done.stderr) == (0, f"qaudit {__version__}\n", "")


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "qaudit")
def test_dash_h_is_help_everywhere_with_plain_metavars(path: list[str]) -> None:
    short = run_cli(*path, "-h")
    assert short.code == 0, short.stderr
    assert short.stdout.startswith("Usage: qaudit")
    assert short.stdout == run_cli(*path, "--help").stdout
    for noise in ("[[", "]...]...", "<list", "<str>", "<int>", "{", "int range>"):
        assert noise not in short.stdout, f"{noise!r} in the help of {' '.join(path)}"
    assert "-h, --help" in short.stdout


def test_help_details() -> None:
    rescore = run_cli("rescore", "-h").stdout
    assert "--standard-version N" in rescore and "[default: 0]" not in rescore and "required" in rescore
    show = run_cli("show", "-h").stdout
    assert "--standard-version N" in show and "-v," not in show
    new = run_cli("new", "-h").stdout
    assert "-o, --out FILE" in new and "--output" not in new
    assert "Usage: qaudit score [OPTIONS] [PATH]..." in run_cli("score", "-h").stdout
    assert "Usage: qaudit show [OPTIONS] STANDARD" in show
    assert "KIND  File kind: standard, audit, sites, waivers." in run_cli("schema", "-h").stdout
    top = run_cli("-h").stdout
    assert "--install-completion" in top and "--show-completion" in top


def test_old_spellings_still_work(tmp_path: Path) -> None:
    standards = str(ROOT / "standards")
    shown = run_cli("show", "client-service-core", "--version", "1", "--standards", standards)
    assert (
        shown.code == 0
        and shown.stdout
        == run_cli("show", "client-service-core", "--standard-version", "1", "--standards", standards).stdout
    )
    assert run_cli("show", "client-service-core", "-v", "1", "--standards", standards).code == 2
    for spelling in ("--out", "--output", "-o"):
        target = tmp_path / f"{spelling.strip('-')}.yaml"
        done = run_cli(
            "new", "client-service-core", "--site", "yvn-01", "--inspector", "A", spelling, str(target),
            "--standards", standards,
        )  # fmt: skip
        assert done.code == 0 and target.exists(), done.stderr


def test_rescore_without_a_version_is_one_line() -> None:
    done = run_cli("rescore", str(EXAMPLES / "audits"), "--standards", str(ROOT / "standards"))
    assert done.code == 2
    assert done.stderr == "qaudit: error: give the version to score against with --standard-version N\n"


def test_shell_completion_script() -> None:
    done = run_cli("--show-completion", "bash")
    assert done.code == 0 and "_QAUDIT_COMPLETE=complete_bash" in done.stdout


# The workspace file


def test_a_subfolder_with_no_options_scores_like_explicit_options(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = workspace.parent
    monkeypatch.chdir(top)
    explicit = run_cli(
        "score", "examples/audits", "--standards", "standards", "--sites", "examples/sites.yaml",
        "--waivers", "examples/waivers.yaml", "--no-cache", "-f", "json",
    )  # fmt: skip
    assert explicit.code == 0, explicit.stderr
    expected = scored(explicit, top)
    for folder in (workspace, workspace / "audits" / "2026-11"):
        monkeypatch.chdir(folder)
        done = run_cli("score", "--no-cache", "-f", "json")
        assert done.code == 0, done.stderr
        got = scored(done, folder)
        assert got["audits"] == expected["audits"] and got["errors"] == expected["errors"]
    # File names read the way one would type them from where qaudit runs.
    monkeypatch.chdir(workspace)
    first = json.loads(run_cli("score", "--no-cache", "-f", "json").stdout)["audits"][0]["file"]
    assert first == "audits/2026-07/bat-01-2026-07-08.yaml"
    # The waivers are the file's: leaving --waivers out changes no score.
    assert any(item.get("waived") for audit in got["audits"] for item in audit["items"])


def test_the_example_main_job_runs_with_no_options(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    assert run_cli("lint", "--strict").code == 0
    assert run_cli("report", "--no-cache").code == 0
    assert (workspace.parent / "reports" / "index.html").exists()
    assert run_cli("export", "--no-cache").code == 0
    assert (workspace.parent / "reports" / "scorecards.xlsx").exists()
    csv_export = run_cli("export", "--no-cache", "-f", "csv")
    assert csv_export.code == 0 and (workspace.parent / "reports" / "audits.csv").exists()


def waived(done: Result) -> list[str]:
    return [i["id"] for a in json.loads(done.stdout)["audits"] for i in a["items"] if i.get("waived")]


def test_an_option_beats_the_file(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    (workspace / "none.yaml").write_text("schema: qaudit/waivers@1\nwaivers: []\n", encoding="utf-8")
    everything = json.loads(run_cli("score", "--no-cache", "-f", "json").stdout)["audits"]
    one = next(a["file"] for a in everything if any(i.get("waived") for i in a["items"]))
    with_file = run_cli("score", one, "--no-cache", "-f", "json")
    assert len(json.loads(with_file.stdout)["audits"]) == 1 and waived(with_file)
    assert waived(run_cli("score", one, "--waivers", "none.yaml", "--no-cache", "-f", "json")) == []
    elsewhere = workspace / "out"
    assert run_cli("report", one, "--out", str(elsewhere), "--no-cache").code == 0
    assert (elsewhere / "index.html").exists() and not (workspace.parent / "reports" / "index.html").exists()


def write_toml(folder: Path, text: str) -> None:
    (folder / "qaudit.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "located"),
    [
        (
            '[qaudit]\nstandards = "../standards"\nsitez = "sites.yaml"\n',
            "qaudit.toml:3:1 error unknown-key unknown key 'sitez'; did you mean 'sites'?",
        ),
        (
            '[qaudit]\nstandards = "../standards"\naudits = ["audits", "missing"]\n',
            "qaudit.toml:3:21 error missing-path audits = 'missing': no such file or folder",
        ),
        ('[qaudit]\nstandards = "../standards"\nwaivers = "gone.yaml"\n', "qaudit.toml:3:11 error missing-path"),
        ('[qaudit]\nstandards = "../standards"\naudits = "audits\n', "qaudit.toml:3:17 error toml-syntax"),
        ("[qaudit]\nreports = 3\n", "qaudit.toml:2:11 error wrong-type 'reports' must be a path in quotes"),
        ('[qaudt]\nstandards = "x"\n', "qaudit.toml:1:1 error unknown-key unknown key 'qaudt'; did you mean 'qaudit'?"),
    ],
    ids=["unknown-key", "missing-audits", "missing-waivers", "syntax", "wrong-type", "unknown-table"],
)
def test_mistakes_in_the_file_are_located(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, text: str, located: str
) -> None:
    write_toml(workspace, text)
    monkeypatch.chdir(workspace)
    done = run_cli("score", "--no-cache")
    assert done.code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(located), done.stderr
    assert len(done.stderr.splitlines()) == 1
    # From a subfolder the same problem points at the same file, by a path from there.
    monkeypatch.chdir(workspace / "audits")
    below = run_cli("lint")
    assert below.code == 2 and below.stderr.startswith("../" + located)


def test_every_mistake_is_reported_at_once(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(workspace, '[qaudit]\nstandard = "../standards"\nsites = "nope.yaml"\n')
    monkeypatch.chdir(workspace)
    done = run_cli("trends")
    assert done.code == 2
    assert [line.split(" error ")[0] for line in done.stderr.splitlines()] == ["qaudit.toml:2:1", "qaudit.toml:3:9"]


def test_unset_keys_take_the_defaults_in_the_workspace_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("init", str(tmp_path / "ws")).code == 0
    write_toml(tmp_path / "ws", "[qaudit]\n")
    monkeypatch.chdir(tmp_path / "ws" / "standards")
    done = run_cli("score", "--no-cache", "-f", "json")
    assert done.code == 0, done.stderr
    assert [a["file"] for a in json.loads(done.stdout)["audits"]] == ["../audits/main-office-2026-01-15.yaml"]


# qaudit init


def test_init_writes_a_workspace_that_scores_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new"
    done = run_cli("init", str(target))
    assert done.code == 0, done.stderr
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert written == [
        "audits/main-office-2026-01-15.yaml",
        "qaudit.toml",
        "sites.yaml",
        "standards/front-desk.yaml",
        "waivers.yaml",
    ]
    monkeypatch.chdir(target)
    assert run_cli("score", "--no-cache").code == 0
    assert run_cli("lint", "--strict").code == 0
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    again = run_cli("init")
    assert again.code == 2
    assert again.stderr.startswith("qaudit: error: ") and "nothing was written" in again.stderr
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def test_init_refuses_when_any_file_is_there(tmp_path: Path) -> None:
    write_toml(tmp_path, "# mine\n")
    done = run_cli("init", str(tmp_path))
    assert done.code == 2 and "qaudit.toml already exists" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["qaudit.toml"]
    assert (tmp_path / "qaudit.toml").read_text(encoding="utf-8") == "# mine\n"


def test_absolute_paths_and_a_byte_order_mark(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    standards = workspace.parent / "standards"
    (workspace / "qaudit.toml").write_bytes(
        f'\ufeff[qaudit]\nstandards = "{standards}"\naudits = ["audits/2026-07"]\n'.encode()
    )
    monkeypatch.chdir(workspace)
    done = run_cli("score", "--no-cache", "-f", "json")
    assert done.code == 0, done.stderr
    files = [a["file"] for a in json.loads(done.stdout)["audits"]]
    assert files and all(f.startswith("audits/2026-07/") for f in files)
