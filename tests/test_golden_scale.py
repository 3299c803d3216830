"""Every output of a generated 10,000-audit workspace stays byte for byte what it was.

The workspace is the benchmark's (`bench/generate.py`, seed 1: 1,000 sites × 10
audits of the 40-item bench standard, comments in five languages, and a version 2
of the standard with its first item dropped, for `rescore`). The digests below
were taken with the code as it was before the package was reorganised into
layers and given one path through reading, scoring and writing (the code that
scored flat audits a second way, from their text), and today's code gives the
same; a change in any of these outputs is a change in behaviour that a user
would see, and must be meant.
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

GOLDEN = {
    ("score", "--format", "json"): "b983d2fdff357de65922f6a1343b441cacfe671f3a9e968f3c813b00de4eaef0",
    ("score", "--format", "csv"): "7ec3f586fdec4f48acc46883c862e19f003530ffbd9a02fd8197fb3d2487b89e",
    ("actions", "--format", "json", "--today", "2026-01-01"): (
        "3ade1c86b1479bd94f134fcc1e665864628d79e7afa1f215e63b8d7ae0fa5da7"
    ),
    ("trends", "--format", "json"): "836dc2343cc2e95ce6d4d9e1befc537714cfa3fe6d80477f76fdf4ea59c2174b",
    ("items", "--format", "json"): "b1fcf42404d04cfbeac7478b6e35216ac5803beb184a66d01676d046509b0c38",
    ("calibration", "--format", "json"): "7d7e12b35d5265c1c4197e5d17ddbebb147bd5c777c682c498c377cf566250d8",
    ("rescore", "--format", "json", "--standard-version", "2"): (
        "fc57a142a8acaa62666461e90b76289180abd4ccfb18e373e1e39d30f5faeb22"
    ),
    ("rescore", "--format", "csv", "--standard-version", "2"): (
        "385f416e2f8885fdb8cb647405910ab18546cf152271fa19e4391eed56082930"
    ),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chain")
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(folder), "--sites", "1000", "--audits", "10"]
        + ["--standards", str(BENCH / "standards")],
        check=True,
        capture_output=True,
    )
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.rescore_standards(str(BENCH / "standards"), str(folder))
    assert sum(1 for _ in (folder / "audits").rglob("*.yaml")) == 10_000
    return folder


def _digest(workspace: Path, name: str, *options: str, env: dict[str, str] | None = None) -> str:
    """The SHA-256 of what ``qaudit NAME audits OPTIONS`` prints in ``workspace``."""
    done = run_cli(
        name, "audits", *options, "--standards", "standards-rescore", "--sites", "sites.yaml", cwd=workspace, env=env
    )
    assert done.code == 0, done.stderr
    return hashlib.sha256(done.out_bytes).hexdigest()


@pytest.mark.parametrize("command", list(GOLDEN), ids=" ".join)
def test_outputs_of_ten_thousand_audits_are_what_they_were(workspace: Path, command: tuple[str, ...]) -> None:
    # The first command fills the workspace's cache; the others read their results from it.
    assert _digest(workspace, *command) == GOLDEN[command]


def test_scoring_without_the_fast_reader_writes_the_same_json(workspace: Path) -> None:
    found = _digest(workspace, "score", "--format", "json", "--no-cache", env={"QAUDIT_FAST_PATH": "0"})
    assert found == GOLDEN[("score", "--format", "json")]
