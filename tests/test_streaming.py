"""Follow-up commands, CSV and tables read the results one site at a time, and write as they go.

The streamed outputs must be the very text the whole-list functions give; the
follow-up code must read each result a bounded number of times and decode in
full only what its output shows item by item; a status line shows on a
terminal's stderr and never in a pipe.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from qaudit.analytics import actions, calibration, failed_items, rescore, trends
from qaudit.render.results import _score_row, csv_chunks, render_table, table_lines
from qaudit.render.row_files import CsvRow, WrittenRows, csv_lines, json_chunks, row_text, rows_csv, rows_json
from qaudit.render.tables import render_rows
from qaudit.results import resultset, serialise
from qaudit.results.resultset import ResultSet
from qaudit.results.serialise import SortKey, head_of
from qaudit.run.workspace import ScoreRun, score_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
V2 = Path(__file__).parent / "data" / "followup_v2"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated workspace on every bundled standard (30 sites × 8 audits), some visits audited twice."""
    folder = tmp_path_factory.mktemp("chain")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(folder), "--sites", "30", "--audits", "8"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    rng = random.Random(7)
    files = sorted((folder / "audits").rglob("*.yaml"))
    for path in rng.sample(files, 40):
        # The same visit by a second inspector who sees a few answers differently: calibration pairs.
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^inspector: .*$", "inspector: Zara Second", text, count=1, flags=re.M)
        text = re.sub(r": yes$", lambda m: ": no" if rng.random() < 0.2 else m.group(0), text, flags=re.M)
        path.with_name(path.stem + "-second.yaml").write_text(text, encoding="utf-8")
    return folder


def _run(folder: Path, standards: Path, waivers: str | None = None) -> ScoreRun:
    sites = folder / "sites.yaml"
    return score_paths(
        [str(folder / "audits")],
        str(standards),
        sites=str(sites) if sites.exists() else None,
        waivers=waivers,
    )


@pytest.fixture(scope="module")
def runs(chain: Path) -> list[ScoreRun]:
    return [
        _run(chain, ROOT / "standards"),
        _run(EXAMPLES, ROOT / "standards", str(EXAMPLES / "waivers.yaml")),
        _run(V2, V2 / "standards"),
    ]


class CountingResultSet(ResultSet):
    """A result set that counts how often each result is read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[int] = Counter()

    def blob_at(self, index: int) -> bytes:
        self.reads[index] += 1
        return super().blob_at(index)

    def blobs_between(self, start: int, stop: int) -> Iterator[tuple[SortKey, bytes]]:
        for index, found in zip(range(start, stop), super().blobs_between(start, stop), strict=True):
            self.reads[index] += 1
            yield found


def _counting(run: ScoreRun) -> CountingResultSet:
    found = CountingResultSet()
    for key, blob in run.results.blobs_between(0, len(run.results)):
        found.add(key, blob)
    return found


@pytest.fixture()
def decodes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many results were decoded in full (by audit id)."""
    counted: Counter[str] = Counter()
    real = serialise.loads

    def loads(text: str) -> Any:
        found = real(text)
        counted[found.id] += 1
        return found

    # The decoder, and the name the result set decodes with.
    monkeypatch.setattr(serialise, "loads", loads)
    monkeypatch.setattr(resultset, "loads", loads)
    return counted


def _last_two_visits(run: ScoreRun) -> int:
    """How many audits are in the latest two visits of each site and standard."""
    dates: dict[tuple[str, str], Counter[str]] = {}
    for blob in run.results.blobs():
        head = head_of(blob, sections=False)
        dates.setdefault((head["site"], head["standard"]), Counter())[head["date"]] += 1
    return sum(sum(counts[d] for d in sorted(counts)[-2:]) for counts in dates.values())


def _streamed_actions(run: ScoreRun, today: dt.date) -> str:
    closed: list[dict[str, Any]] = []

    def opened() -> Iterator[dict[str, Any]]:
        for found, shut in actions.site_actions(run.results, run.library, run.sites, today=today):
            closed.extend(shut)
            yield from found

    return "".join(json_chunks([("actions", opened()), ("closed", lambda: closed)]))


def _streamed_trends(run: ScoreRun, sections: bool) -> str:
    summary = trends.TrendSummary()
    rows = (summary.add(r) for r in trends.trend_rows(run.results, run.sites, sections=sections))
    later = [(k, lambda k=k: summary.result()[k]) for k in trends.TrendSummary.KEYS]
    return "".join(json_chunks([("sites", rows), *later]))


def test_follow_ups_stream_to_the_text_of_the_whole_list_functions(
    runs: list[ScoreRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qaudit.run.engine.PARALLEL_THRESHOLD", 20)  # rescore in workers even these few audits
    today = dt.date(2026, 12, 1)
    for run in runs:
        every = list(run.results)  # the whole-list path: results held, sorted by the functions
        assert _streamed_actions(run, today) == rows_json(actions.actions(every, run.library, run.sites, today=today))
        for sections in (False, True):
            assert _streamed_trends(run, sections) == rows_json(trends.trends(every, run.sites, sections=sections))
        found = calibration.Calibration(run.library)
        pairs = list(found.pairs(run.results))
        assert rows_json({"pairs": pairs, **found.result()}) == rows_json(calibration.calibration(every, run.library))
        counted = failed_items.failed_items(every, run.library, run.sites)
        assert failed_items.failed_items(run.results, run.library, run.sites) == counted
        assert failed_items.failed_items(run.results, run.library, run.sites, jobs=2) == counted
        for standard, version in {(s.id, s.version) for s in run.library}:
            want_rows = rescore.rescore(every, run.library, standard, version)
            assert list(rescore.rescore_rows(run.results, run.library, standard, version)) == want_rows
            assert list(rescore.rescore_rows(run.results, run.library, None, version, jobs=2)) == rescore.rescore(
                every, run.library, None, version
            )
            # Rows written by the workers that rescore them: the text of the rows written whole.
            texts = rescore.rescore_rows(run.results, run.library, standard, version, jobs=2, shape=row_text)
            assert "".join(json_chunks([("audits", WrittenRows(texts))])) == rows_json({"audits": want_rows})
            assert "".join(csv_lines(iter(want_rows), ["site", "audit", "new_score"])) == rows_csv(
                want_rows, ["site", "audit", "new_score"]
            )


@pytest.mark.parametrize("jobs", [1, 2])
def test_rescoring_begun_while_the_audits_are_read_gives_the_rows_of_the_whole_list(
    chain: Path, runs: list[ScoreRun], jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts of the results go to the workers as the run adds them; the rows come out in output order,
    as dictionaries, JSON text or CSV lines, exactly as rescoring the whole list gives them."""
    monkeypatch.setattr(rescore.Rescoring, "PART", 13)
    every = list(runs[0].results)
    columns = ["site", "audit", "new_score", "change", "not_carried_over"]
    for standard, version in sorted({(s.id, s.version) for s in runs[0].library}) + [(None, 2)]:
        want = rescore.rescore(every, runs[0].library, standard, version)
        for shape, text in (
            (None, lambda rows: rows),
            (row_text, lambda rows: "".join(json_chunks([("audits", WrittenRows(rows))]))),
            (CsvRow(columns), lambda rows: "".join(csv_lines(WrittenRows(rows), columns))),
        ):
            with rescore.Rescoring(standard, version, jobs=jobs, shape=shape) as rescoring:
                run = score_paths([str(chain / "audits")], str(ROOT / "standards"), alongside=rescoring)
                assert rescoring.handed == len(run.results) // 13 * 13 > 0  # while the audits were read
                rows = list(rescoring.rows())
            if shape is None:
                assert rows == want
            elif shape is row_text:
                assert text(rows) == rows_json({"audits": want})
            else:
                assert text(rows) == rows_csv(want, columns)


def test_follow_ups_read_each_result_a_bounded_number_of_times(runs: list[ScoreRun], decodes: Counter[str]) -> None:
    run = runs[0]
    results = _counting(run)
    assert len(results) > 250
    multi = sum(n for n in Counter((k[0], k[1]) for k, _ in results.blobs_between(0, len(results))).values() if n > 1)
    results.reads.clear()

    for _ in actions.site_actions(results, run.library, run.sites, today=dt.date(2026, 12, 1)):
        pass
    # Read once in order; the latest two visits of each standard again, each decoded once in full.
    assert max(results.reads.values()) <= 3
    assert sum(decodes.values()) <= _last_two_visits(run) < len(results)
    assert max(decodes.values()) == 1

    for reader in (
        lambda: list(trends.trend_rows(results, run.sites, sections=True)),
        lambda: failed_items.failed_items(results, run.library, run.sites),
    ):
        results.reads.clear()
        decodes.clear()
        reader()
        assert max(results.reads.values()) <= 2
        assert not decodes  # from the heads and the score texts alone

    results.reads.clear()
    found = calibration.Calibration(run.library)
    pairs = list(found.pairs(results))
    assert pairs and max(results.reads.values()) <= 2
    # Only audits of a visit audited more than once are decoded, once each.
    assert 0 < sum(decodes.values()) <= multi and max(decodes.values()) == 1


def test_score_csv_and_table_are_read_from_the_heads_and_equal_the_whole_rendering(
    runs: list[ScoreRun], decodes: Counter[str]
) -> None:
    from qaudit.render.tables import Column

    for run in runs:
        decodes.clear()
        csv_text = "".join(csv_chunks(run, batch=7))
        table = "".join(table_lines(run, None))
        assert not decodes
        assert csv_text == _whole_csv(run)
        rows = [_score_row(json.loads(blob)) for blob in run.results.blobs()]
        keys = [
            k
            for k in (
                "site",
                "date",
                "subject",
                "standard",
                "id",
                "inspector",
                "score",
                "grade",
                "result",
                "coverage",
                "critical_failures",
            )
            if k != "subject" or any(r["subject"] for r in rows)
        ]
        columns = {"score": Column("Score", "score", priority=1), "standard": Column("Standard", priority=4, width=30)}
        lines = table.splitlines(keepends=True)
        summary = lines[-1].strip()
        assert summary.startswith(f"{len(rows)} audits scored")
        assert table == render_table(run)
        assert table == "".join(render_rows(rows, keys, summary=summary, columns=columns))


def _whole_csv(run: ScoreRun) -> str:
    """The score CSV as worked out from every full result (the rendering before it was streamed)."""
    import csv
    import io

    from qaudit.render.cells import csv_text

    keys: list[tuple[str, str]] = []
    owners: dict[str, set[str]] = {}
    for result in run.results:
        for section in result.sections:
            if (result.standard, section.id) not in keys:
                keys.append((result.standard, section.id))
                owners.setdefault(section.id, set()).add(result.standard)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "file",
            "site",
            "date",
            "inspector",
            "standard",
            "standard_version",
            "score",
            "raw_score",
            "coverage",
            "grade",
            "passed",
            "critical_failures",
        ]
        + [f"section:{sid}" if len(owners[sid]) == 1 else f"section:{standard}/{sid}" for standard, sid in keys]
    )
    for r in run.results:
        scores = {(r.standard, s.id): s.score for s in r.sections}
        writer.writerow(
            [csv_text(v) for v in (r.id, r.file, r.site)]
            + [r.date.isoformat(), csv_text(r.inspector), r.standard, r.standard_version]
            + [f"{r.score:.2f}", f"{r.raw_score:.2f}", f"{r.coverage:.4f}", r.grade]
            + ["" if r.passed is None else "true" if r.passed else "false", ";".join(r.critical_failures)]
            + ["" if scores.get(key) is None else f"{scores[key]:.2f}" for key in keys]
        )
    return out.getvalue()


def test_json_chunks_write_exactly_what_json_dumps_writes() -> None:
    rng = random.Random(3)
    scalars: list[Any] = [
        None,
        True,
        False,
        0,
        1,
        -7,
        2**70,
        0.5,
        -0.25,
        1e-9,
        1e22,
        0.1 + 0.2,
        float("nan"),
        float("inf"),
        -float("inf"),
        "",
        "x",
        'é "q" \\ \n\t\u2028\x00 ',
        "Հայ",
    ]

    def value(depth: int = 0) -> Any:
        pick = rng.random()
        if depth > 3 or pick < 0.4:
            return rng.choice(scalars)
        if pick < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        if pick < 0.65:
            return tuple(value(depth + 1) for _ in range(rng.randint(0, 2)))
        if pick < 0.7:
            return {1: "a key that is not text", "b": [2]}
        return {rng.choice(["a", "é", '"k']) + str(n): value(depth + 1) for n in range(rng.randint(0, 3))}

    for _ in range(2000):
        fields = [(f"field{n}", value()) for n in range(rng.randint(0, 4))]
        want = json.dumps(dict(fields), ensure_ascii=False, indent=1) + "\n"
        assert rows_json(dict(fields)) == want
        given: list[tuple[str, Any]] = []
        for key, found in fields:
            if isinstance(found, list) and rng.random() < 0.6:
                given.append((key, iter(found)))
            elif rng.random() < 0.3:
                given.append((key, lambda found=found: found))
            else:
                given.append((key, found))
        assert "".join(json_chunks(given)) == want
        written = [(k, WrittenRows(map(row_text, v)) if isinstance(v, list) else v) for k, v in fields]
        assert "".join(json_chunks(written)) == want


def _piped_stderr(args: list[str], cwd: Path) -> bytes:
    """What a real process writes on stderr when its streams are pipes, not a terminal."""
    with open(os.devnull, "wb") as sink:
        done = run_cli(*args, cwd=cwd, env={"CI": None}, real=True, stdout=sink)
    assert done.code == 0, done.stderr
    return done.err_bytes


def _read_all(fd: int) -> bytes:
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed
            return seen
        if not chunk:
            return seen
        seen += chunk


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_slow_step_shows_a_status_line_on_a_terminal(chain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pty
    import time

    from qaudit.run import workspace

    monkeypatch.delenv("CI", raising=False)
    real = workspace.load_library

    def slow_library(folder: str) -> Any:
        time.sleep(1.2)  # standards that take a while to load
        return real(folder)

    monkeypatch.setattr(workspace, "load_library", slow_library)
    controller, follower = pty.openpty()
    terminal = open(follower, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        run = score_paths([str(chain / "audits")], str(ROOT / "standards"), sites=None, waivers=None, progress=True)
    finally:
        terminal.close()
    seen = _read_all(controller)
    os.close(controller)
    assert len(run.results) > 250
    assert b"\rloading standards and sites" in seen and b"1 s" in seen
    assert seen.endswith(b"\r\x1b[K")  # erased when the step ended: nothing is left on the screen
    assert b"finding audit files" not in seen  # a quick step shows nothing


def test_a_status_line_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import pty

    from qaudit.run.progress import Step

    monkeypatch.delenv("CI", raising=False)
    controller, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        bar = Step("analysing", 200, unit="audits", delay=0, stream=terminal)
        bar.advance(100)
        bar.close()
    seen = _read_all(controller)
    os.close(controller)
    assert seen.startswith(b"\ranalysing") and seen.endswith(b"\r\x1b[K")
    piped = io.StringIO()
    bar = Step("analysing", 200, delay=0, stream=piped)
    bar.advance(200)
    bar.close()
    assert piped.getvalue() == ""
    monkeypatch.setattr(sys, "stdout", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    controller, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        bar = Step("writing", 10, delay=0, output=True, stream=terminal)  # the output itself is on the terminal
        bar.advance(10)
        bar.close()
    assert _read_all(controller) == b""
    os.close(controller)


def test_no_status_line_in_a_pipe(chain: Path, tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    shutil.copytree(chain, folder)
    for args in (["trends", "audits", "-f", "json"], ["score", "audits", "-f", "csv"], ["actions", "audits"]):
        piped = _piped_stderr([*args, "--standards", str(ROOT / "standards"), "--no-cache"], folder)
        assert b"\r" not in piped and b"\x1b" not in piped, args
