"""Hostile and broken input: every case ends in a result or a located error, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli, start_cli
from hostile_cases import CASES, GOOD_AUDIT, OUTPUT_CASES, Case
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qaudit.capture.forms_write import write_form
from qaudit.lint.engine import lint_file
from qaudit.load.audits import load_audit
from qaudit.load.standards import load_standards
from qaudit.problems import InvalidInput
from qaudit.results.serialise import pack
from qaudit.run.engine import score_many
from qaudit.run.score_one import score_file

HERE = Path(__file__).parent
STANDARDS = HERE / "data" / "spec" / "standards"
STANDARD_TEXT = (STANDARDS / "client-service-core.yaml").read_text(encoding="utf-8")
LIBRARY = load_standards(STANDARDS)
FORM = write_form(LIBRARY.get("client-service-core"), site="yvn-01", inspector="A", date=dt.date(2026, 11, 20))  # type: ignore[arg-type]
DOC = HERE.parent / "docs" / "hostile-input.md"
GIB = 1 << 30
"""Each hostile case must end within 20 seconds in at most this much address space."""


def capped(memory: int) -> Callable[[], None]:
    """Set-up of a real process that caps its address space (bytes), so that a blow-up fails instead of swapping."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return limit


def make_case_file(case: Case, folder: Path) -> Path:
    """Write the case's input into ``folder`` (with a valid audit beside the special files)."""
    path = folder / "case.yaml"
    if not case.special:
        path.write_bytes(case.content)
        return path
    (folder / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    if case.special == "fifo":
        os.mkfifo(path)
    elif case.special == "sparse":
        with open(path, "wb") as handle:
            handle.truncate(1 << 30)
    elif case.special == "device":
        path.symlink_to("/dev/zero")
    elif case.special == "folder":
        path.mkdir()
    elif case.special == "loop":
        path.symlink_to(path)
    elif case.special == "dangling":
        path.symlink_to(folder / "deleted-meanwhile.yaml")
    else:  # pragma: no cover - a typo in hostile_cases.py
        raise AssertionError(case.special)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    target = make_case_file(case, folder)
    # A real process, held to the case's bounds of time and memory (and reading special files).
    bounds = {"real": True, "timeout": 20, "preexec_fn": capped(GIB)}
    if case.command == "score":
        done = run_cli("score", str(target), "--standards", str(STANDARDS), "-f", "json", "--no-cache", **bounds)
        out = json.loads(done.stdout)
        errors = out["errors"]
        if case.special:  # the valid audit beside the hostile file is still scored
            assert [a["id"] for a in out["audits"]] == ["good"]
    else:
        done = run_cli("lint", str(target), "-f", "json", **bounds)
        errors = json.loads(done.stdout)
    assert "Traceback" not in done.stderr
    assert done.code == case.exit, done.stderr
    if case.rule:
        assert (errors[0]["rule"], errors[0]["line"]) == (case.rule, case.line), errors[0]
        assert errors[0]["column"] >= 1 and errors[0]["message"]
        assert Path(errors[0]["file"]).name == "case.yaml"
    else:
        assert errors == []


def hostile_table() -> str:
    lines = ["| input | command | exit | rule (line) | qaudit's answer |", "| --- | --- | --- | --- | --- |"]
    for case in CASES:
        rule = f"`{case.rule}` ({case.line})" if case.rule else "—"
        lines.append(f"| {case.name} | `qaudit {case.command}` | {case.exit} | {rule} | {case.answer} |")
    return "\n".join(lines) + "\n"


def outputs_table() -> str:
    lines = ["| situation | commands | qaudit's answer | test |", "| --- | --- | --- | --- |"]
    for case in OUTPUT_CASES:
        lines.append(f"| {case.name} | {case.commands} | {case.answer} | `{case.test}` |")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("marker, table", [("cases", hostile_table), ("outputs", outputs_table)])
def test_docs_table_matches_the_cases(marker: str, table: Callable[[], str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- {marker} -->") + len(f"<!-- {marker} -->\n")
    end = text.index(f"<!-- /{marker} -->")
    if os.environ.get("QAUDIT_UPDATE_DOCS"):
        DOC.write_text(text[:start] + table() + text[end:], encoding="utf-8")
        return
    assert text[start:end] == table(), "run with QAUDIT_UPDATE_DOCS=1 to refresh docs/hostile-input.md"


def test_every_output_row_names_a_test_of_this_file() -> None:
    missing = [case.test for case in OUTPUT_CASES if not callable(globals().get(case.test))]
    assert missing == []


# ---- fuzzing: mutated valid files through every loader --------------------------------------------


def mutate(text: str, rng: random.Random, edits: int) -> str:
    lines = text.split("\n")
    for _ in range(edits):
        op = rng.randrange(8)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[i]  # delete a line (a key)
        elif op == 1 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])  # duplicate a line
        elif op == 2 and lines:
            line = lines[i]
            cut = rng.randrange(len(line) + 1)
            lines[i] = (
                line[:cut]
                + rng.choice(
                    ["", ":", " ", "{", "[", "'", '"', "&a", "*a", "!!str", "\t", "#", "é", "\u0000", "\u2028"]
                )
                + line[cut:]
            )
        elif op == 3 and lines:
            lines[i] = lines[i].replace(": ", ": [", 1)  # wrong type
        elif op == 4:
            return "\n".join(lines)[: rng.randrange(len(text) + 1)]  # truncation
        elif op == 5 and lines:
            lines[i] = "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(12)))  # random Unicode
        elif op == 6 and lines:
            lines[i] = lines[i].replace("yes", "1").replace("full", "ful").replace("7", "seven")
        elif op == 7 and lines:
            lines[i] = " " * rng.randrange(6) + lines[i].lstrip()  # re-indent
    return "\n".join(lines)


def assert_located(problems: list, path: Path | None = None) -> None:
    """Every problem names a rule, a message and a 1-based place inside the file."""
    assert problems
    lines = None
    if path is not None and path.suffix == ".yaml" and path.is_file():
        # Line breaks as qaudit reads them: CRLF, LF or a lone CR (an old Mac file).
        lines = len(re.split(rb"\r\n|\r|\n", path.read_bytes()))
    for p in problems:
        assert p.line >= 1 and p.column >= 1 and p.message and p.rule, p
        assert lines is None or p.line <= lines, (p, lines)


SITES_TEXT = (HERE.parent / "examples" / "sites.yaml").read_text(encoding="utf-8")
WAIVERS_TEXT = (HERE.parent / "examples" / "waivers.yaml").read_text(encoding="utf-8")


def check_audit_file(path: Path) -> None:
    """An audit file ends in a scored result or in located problems, through every reading path."""
    result, problems = score_file(str(path), LIBRARY, [])
    if result is None:
        assert_located(problems, path)
    else:
        assert 0 <= result.score <= 100 and 0 <= result.raw_score <= 100
        assert result.grade in {g.grade for g in LIBRARY.get(result.standard, result.standard_version).grades}
    # The CLI's path: everyday audits are read, scored and serialised in one pass.
    [(packed, cli_problems)] = list(score_many([str(path)], LIBRARY, []))
    if result is None:
        assert packed is None
        assert_located(cli_problems, path)
    else:
        assert packed == pack(result) and cli_problems == []
    try:
        audit = load_audit(str(path), LIBRARY)  # reads the file itself, with the text from disk
    except InvalidInput as exc:
        assert_located(exc.problems, path)
        assert result is None  # both readings agree on validity
    else:
        assert result is not None and audit.id == result.id


def check_standard_file(path: Path) -> None:
    """A standard file ends in a model or located problems, alone (lint) and in a folder (load_standards)."""
    problems, standard, _ = lint_file(str(path))
    if standard is None:
        assert_located(problems, path)
    library = load_standards(path.parent)
    if library.problems:
        assert_located([p for p in library.problems if p.severity == "error"] or library.problems, path)
    assert standard is None or library.get(standard.id, standard.version) is not None or library.problems
    if standard is not None and library.get(standard.id, standard.version) is not None:
        # The scorer with the edited standard (other weights, bands, options, grades...).
        audit = GOOD_AUDIT.replace("client-service-core", standard.id).replace(
            "standard_version: 3", f"standard_version: {standard.version}"
        )
        target = path.parent.parent / "audit.yaml"
        target.write_text(audit, encoding="utf-8")
        result, problems = score_file(str(target), library, [])
        if result is None:
            assert_located(problems, target)
        else:
            assert 0 <= result.score <= 100 and 0 <= result.raw_score <= 100


def check_registry_file(path: Path, loader: Callable[[str], object]) -> None:
    try:
        loader(str(path))
    except InvalidInput as exc:
        assert_located(exc.problems, path)
    problems, _, _ = lint_file(str(path))
    for p in problems:
        assert p.line >= 1 and p.column >= 1 and p.message and p.rule


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 4))
def test_fuzzed_audits_end_in_a_result_or_located_errors(tmp_path: Path, seed: int, edits: int) -> None:
    check_audit_file(_write(tmp_path / "fuzz.yaml", mutate(GOOD_AUDIT, random.Random(seed), edits)))


@FUZZ
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 4))
def test_fuzzed_standards_end_in_a_model_or_located_errors(tmp_path: Path, seed: int, edits: int) -> None:
    folder = tmp_path / "standards"
    folder.mkdir(exist_ok=True)
    check_standard_file(_write(folder / "std.yaml", mutate(STANDARD_TEXT, random.Random(seed), edits)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 4), sites=st.booleans())
def test_fuzzed_site_registries_and_waivers_end_in_data_or_located_errors(
    tmp_path: Path, seed: int, edits: int, sites: bool
) -> None:
    from qaudit.load.registry import load_sites, load_waivers

    text = mutate(SITES_TEXT if sites else WAIVERS_TEXT, random.Random(seed), edits)
    check_registry_file(_write(tmp_path / "reg.yaml", text), load_sites if sites else load_waivers)


# Structure-aware mutations: edit the parsed data (delete a key, put a value of the wrong
# type, random Unicode) and write it back as YAML, so that the edits reach the validators
# instead of stopping at a syntax error.

WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates().map(str),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(0, 3), max_size=3),
)


def _paths(node: object, here: tuple = ()) -> list[tuple]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, here + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, here + (index,))
    return found


def edit_data(data: object, draw: Callable, edits: int) -> object:
    import copy

    data = copy.deepcopy(data)
    for _ in range(edits):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]  # type: ignore[index]
        action = draw(st.sampled_from(["delete", "wrong-type", "unicode", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]  # type: ignore[arg-type, union-attr]
        elif action == "wrong-type":
            parent[path[-1]] = draw(WRONG_VALUES)  # type: ignore[index]
        elif action == "unicode":
            parent[path[-1]] = draw(st.text(st.characters(codec="utf-8"), max_size=40))  # type: ignore[index]
        elif isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))  # type: ignore[call-overload]
    return data


def _dump(data: object) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(data=st.data(), edits=st.integers(1, 4))
def test_structurally_edited_audits_end_in_a_result_or_located_errors(tmp_path: Path, data, edits: int) -> None:
    import yaml

    edited = edit_data(yaml.safe_load(GOOD_AUDIT), data.draw, edits)
    check_audit_file(_write(tmp_path / "edited.yaml", _dump(edited)))


@FUZZ
@given(data=st.data(), edits=st.integers(1, 4))
def test_structurally_edited_standards_end_in_a_model_or_located_errors(tmp_path: Path, data, edits: int) -> None:
    import yaml

    folder = tmp_path / "standards"
    folder.mkdir(exist_ok=True)
    edited = edit_data(yaml.safe_load(STANDARD_TEXT), data.draw, edits)
    check_standard_file(_write(folder / "std.yaml", _dump(edited)))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]


@FUZZ
@example(encoding="utf-8-sig", crlf=True, flips=[(785, b"\x00")], cut=None)  # a NUL for the last LF: a lone CR
@given(
    encoding=st.sampled_from(ENCODINGS),
    crlf=st.booleans(),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=3)), max_size=4),
    cut=st.none() | st.integers(0, 10**6),
)
def test_audits_in_any_encoding_with_damaged_bytes_end_in_a_result_or_located_errors(
    tmp_path: Path, encoding: str, crlf: bool, flips: list[tuple[int, bytes]], cut: int | None
) -> None:
    text = GOOD_AUDIT.replace("Anna Petrosyan", "Kovács Éva").replace("\n", "\r\n" if crlf else "\n")
    raw = bytearray(text.encode(encoding, errors="replace"))
    for at, junk in flips:
        raw[at % len(raw) : at % len(raw) + len(junk)] = junk
    if cut is not None:
        raw = raw[: cut % (len(raw) + 1)]
    path = tmp_path / "bytes.yaml"
    path.write_bytes(bytes(raw))
    check_audit_file(path)
    if not flips and cut is None and encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        assert score_file(str(path), LIBRARY, [])[0] is not None  # these are read as they are


FORM_JUNK = st.one_of(
    st.none(),
    st.sampled_from(["", "yes", "no", "=1+1", "+1", "@x", "partial", "Fully", "na", "N/A", "x"]),
    st.integers(-5, 10),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=300),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(st.integers(1, 20), st.integers(1, 8), FORM_JUNK), min_size=1, max_size=12),
    delete_row=st.none() | st.integers(1, 16),
    duplicate_row=st.none() | st.integers(1, 16),
    damage=st.none() | st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=4)),
    truncate=st.none() | st.floats(0, 1),
)
def test_fuzzed_forms_end_in_an_audit_or_located_errors(
    tmp_path: Path,
    cells: list,
    delete_row: int | None,
    duplicate_row: int | None,
    damage: tuple[float, bytes] | None,
    truncate: float | None,
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "form.xlsx"
    path.write_bytes(FORM)
    wb = load_workbook(path)
    ws = wb["Audit"]
    for row, column, value in cells:
        cell = ws.cell(row, column)
        if type(cell).__name__ != "MergedCell":
            cell.value = value
    if duplicate_row is not None:
        ws.insert_rows(duplicate_row + 1)
        for column in range(1, 9):
            source = ws.cell(duplicate_row, column)
            if (
                type(source).__name__ != "MergedCell"
                and type(ws.cell(duplicate_row + 1, column)).__name__ != "MergedCell"
            ):
                ws.cell(duplicate_row + 1, column).value = source.value
    if delete_row is not None:
        ws.delete_rows(delete_row)
    wb.save(path)
    data = bytearray(path.read_bytes())
    if damage is not None:
        at = int(damage[0] * (len(data) - 1))
        data[at : at + len(damage[1])] = damage[1]
    if truncate is not None:
        data = data[: int(truncate * len(data))]
    path.write_bytes(bytes(data))
    try:
        audit = load_audit(str(path), LIBRARY)
    except InvalidInput as exc:
        assert_located(exc.problems)
    else:
        assert audit.standard == "client-service-core"
    result, problems = score_file(str(path), LIBRARY, [])
    assert result is not None or problems
    if result is None:
        assert_located(problems)


# ---- nothing lost -----------------------------------------------------------------------------------


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = Path("/proc/qaudit-cannot-write-here")  # even root cannot write into /proc
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    std = ("--standards", str(STANDARDS))
    for args in (
        ("new", "client-service-core", "--site", "s", "--inspector", "i", "-o", str(folder / "blank.yaml"), *std),
        ("report", str(audit), "--out", str(folder / "reports"), "--no-cache", *std),
        ("export", str(audit), "--out", str(folder / "x.xlsx"), "--no-cache", *std),
    ):
        done = run_cli(*args)
        assert done.code == 2, (args[0], done.stderr)
        assert "Traceback" not in done.stderr and done.stderr.startswith("qaudit: error:"), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_disappearing_files_and_symlink_loops_are_reported_and_skipped(tmp_path: Path) -> None:
    audits = tmp_path / "audits"
    audits.mkdir()
    (audits / "good.yaml").write_text(GOOD_AUDIT, encoding="utf-8")
    (audits / "gone.yaml").symlink_to(audits / "deleted-meanwhile.yaml")  # dangling: deleted after listing
    (audits / "loop-a.yaml").symlink_to(audits / "loop-b.yaml")
    (audits / "loop-b.yaml").symlink_to(audits / "loop-a.yaml")
    (audits / "sub").mkdir()
    (audits / "sub" / "back").symlink_to(audits, target_is_directory=True)  # a folder loop
    done = run_cli("score", str(audits), "--standards", str(STANDARDS), "-f", "json", "--no-cache")
    out = json.loads(done.stdout)
    assert done.code == 1 and "Traceback" not in done.stderr
    assert [a["id"] for a in out["audits"]] == ["good"]
    assert sorted(Path(e["file"]).name for e in out["errors"]) == ["gone.yaml", "loop-a.yaml", "loop-b.yaml"]


def test_reading_commands_never_modify_an_audit(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(GOOD_AUDIT, encoding="utf-8")
    second = tmp_path / "b.yaml"
    second.write_text(GOOD_AUDIT.replace("Anna Petrosyan", "Ben Ode"), encoding="utf-8")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (path, second)}
    std = ("--standards", str(STANDARDS))
    runs = [
        (command, str(path), str(second), *std) for command in ("score", "actions", "trends", "items", "calibration")
    ]
    runs += [
        ("report", str(path), str(second), "--out", str(tmp_path / "r"), *std),
        ("export", str(path), str(second), "--out", str(tmp_path / "x.xlsx"), *std),
        ("lint", str(path)),
    ]
    for args in runs:
        done = run_cli(*args, cwd=tmp_path)
        assert "Traceback" not in done.stderr, args
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (path, second)} == before


def _report_folder(out: Path) -> dict[str, bytes]:
    """The pages in ``out`` (not the hidden files a run stages them in)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _spec_audits(folder: Path, count: int) -> Path:
    """``count`` valid audits of a few sites, enough for a run to take a moment."""
    folder.mkdir()
    for n in range(count):
        site = f"site-{n % 7}"
        day = 1 + n // 7
        text = GOOD_AUDIT.replace("site: yvn-01", f"site: {site}").replace("2026-11-20", f"2026-10-{day:02d}")
        (folder / f"{site}-{day:02d}.yaml").write_text(text.replace("start-delay: 7", f"start-delay: {n % 9}"))
    return folder


def _workbook_values(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return [[row for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]


def test_a_killed_run_leaves_previous_outputs_intact(tmp_path: Path) -> None:
    audits = _spec_audits(tmp_path / "audits", 140)
    std = ("--standards", str(STANDARDS), "--no-cache")
    out, workbook = tmp_path / "reports", tmp_path / "x.xlsx"
    assert run_cli("report", str(audits), "--out", str(out), *std).code == 0
    assert run_cli("export", str(audits), "--out", str(workbook), *std).code == 0
    old_pages, old_book = _report_folder(out), _workbook_values(workbook)
    (audits / "site-0-01.yaml").write_text(GOOD_AUDIT.replace("yvn-01", "site-0").replace("7", "0"))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert run_cli("report", str(audits), "--out", str(fresh / "r"), *std).code == 0
    assert run_cli("export", str(audits), "--out", str(fresh / "x.xlsx"), *std).code == 0
    new_pages, new_book = _report_folder(fresh / "r"), _workbook_values(fresh / "x.xlsx")
    assert new_pages != old_pages and new_book != old_book
    killed = 0
    for delay in (0.3, 0.6, 0.9, 1.2):
        for args in (("report", str(audits), "--out", str(out)), ("export", str(audits), "--out", str(workbook))):
            proc = start_cli(*args, *std, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            proc.kill()
            killed += proc.wait() != 0
            # Killed at any point, the outputs are the whole previous set or the whole new one.
            if args[0] == "report":
                assert _report_folder(out) in (old_pages, new_pages)
            else:
                assert _workbook_values(workbook) in (old_book, new_book)
    assert killed >= 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audits", "fresh", "reports", "x.xlsx"]
    # What a killed run had staged is removed by the next run (its process is gone).
    assert run_cli("report", str(audits), "--out", str(out), *std).code == 0
    assert _report_folder(out) == new_pages
    # Only the record of the pages written (so that a later run can remove its own stale pages) is hidden.
    assert all(not p.name.startswith((".", "tmp")) for p in out.rglob("*") if p.name != ".qaudit-pages.json")


def test_two_processes_writing_the_same_report_folder(tmp_path: Path) -> None:
    audits = _spec_audits(tmp_path / "audits", 40)
    std = ("--standards", str(STANDARDS), "--no-cache")
    alone = tmp_path / "alone"
    assert run_cli("report", str(audits), "--out", str(alone), *std).code == 0
    out = tmp_path / "shared"
    for _ in range(2):
        procs = [
            start_cli("report", str(audits), "--out", str(out), *std, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        assert _report_folder(out) == _report_folder(alone)


def test_an_audit_replaced_during_a_run(tmp_path: Path) -> None:
    audits = _spec_audits(tmp_path / "audits", 60)
    target = audits / "site-0-01.yaml"
    texts = [target.read_text(), "schema: qaudit/audit@1\nresponses: [\n"]
    stop = threading.Event()

    def churn() -> None:
        n = 0
        while not stop.is_set():
            spare = audits / f".swap-{n}.tmp"
            spare.write_text(texts[n % 2])
            os.replace(spare, target)
            n += 1

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        runs = [
            run_cli("score", str(audits), "--standards", str(STANDARDS), "-f", "json", "--no-cache") for _ in range(3)
        ]
    finally:
        stop.set()
        thread.join()
    for done in runs:
        assert done.code in (0, 1) and "Traceback" not in done.stderr
        out = json.loads(done.stdout)
        ids = {a["id"] for a in out["audits"]}
        errors = {Path(e["file"]).name for e in out["errors"]}
        assert len(ids) == 60 - ("site-0-01.yaml" in errors)  # the other 59 are always scored
        assert errors <= {"site-0-01.yaml"}


def test_two_processes_writing_the_same_output_do_not_corrupt_it(tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    results: list[int] = []

    def write() -> None:
        for _ in range(3):
            done = run_cli(  # real processes: two at once
                "new",
                "client-service-core",
                "--site",
                "s",
                "--inspector",
                "i",
                "--date",
                "2026-11-20",
                "-o",
                str(out),
                "--force",
                "--standards",
                str(STANDARDS),
                real=True,
            )
            results.append(done.code)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [0] * 6
    expected = run_cli(
        "new",
        "client-service-core",
        "--site",
        "s",
        "--inspector",
        "i",
        "--date",
        "2026-11-20",
        "--standards",
        str(STANDARDS),
    ).stdout
    assert out.read_text(encoding="utf-8") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["blank.yaml"]  # no temporary files left behind


def test_user_templates_cannot_reach_python_internals(tmp_path: Path) -> None:
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    marker = tmp_path / "PWNED"
    attacks = [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}",
        "{% include '/etc/passwd' %}",
        "{{ range(10**9) | list }}",
    ]
    out = tmp_path / "reports"
    for attack in attacks:
        (templates / "index.html.j2").write_text(attack, encoding="utf-8")
        done = run_cli(  # a real process, so that an attack on memory or time ends in it, not in the tests
            "report",
            str(audit),
            "--out",
            str(out),
            "--templates",
            str(templates),
            "--standards",
            str(STANDARDS),
            "--no-cache",
            real=True,
            timeout=20,
        )
        assert done.code != 0 and "Traceback" not in done.stderr, attack
        first = done.stderr.strip().splitlines()[0]
        assert first.startswith(f"{templates / 'index.html.j2'}:1:1 error template "), first
        assert not out.exists() and not marker.exists()


INJECTED = ["=1+2", "+1", "-2+3", "@SUM(A1)", "\\t=1", "=cmd|' /C calc'!A0"]


def test_injected_text_is_escaped_and_neutralised(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    standards = tmp_path / "standards"
    standards.mkdir()
    script = "<script>alert(1)</script>"
    (standards / "s.yaml").write_text(STANDARD_TEXT.replace("Warmth of the greeting", script), encoding="utf-8")
    audits = tmp_path / "audits"
    audits.mkdir()
    for n, text in enumerate(INJECTED):
        value = f'"{text}"'
        (audits / f"a{n}.yaml").write_text(
            GOOD_AUDIT.replace("site: yvn-01", f'site: {{id: s{n}, name: "{script}", region: {value}}}')
            .replace("inspector: Anna Petrosyan", f"inspector: {value}")
            .replace("greeting-warmth: 4", f'greeting-warmth: {{value: 4, comment: "{script}{text}"}}')
            .replace("no-arguing: yes", f"no-arguing: {{value: no, comment: {value}}}"),
            encoding="utf-8",
        )
    std = ("--standards", str(standards), "--no-cache")
    out = tmp_path / "reports"
    assert run_cli("report", str(audits), "--out", str(out), *std).code == 0
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    assert len(pages) == 1 + 2 * len(INJECTED)  # the portfolio, and a scorecard and an audit page per site
    assert all("<script>alert" not in page for page in pages)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages)

    assert run_cli("export", str(audits), "--out", str(tmp_path / "x.xlsx"), *std).code == 0
    book = load_workbook(tmp_path / "x.xlsx")
    texts = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in texts if c.data_type == "f"]
    stored = {c.value for c in texts}
    assert {"=1+2", "=cmd|' /C calc'!A0", "@SUM(A1)"} <= stored  # kept, as text

    assert run_cli("export", str(audits), "--format", "csv", "--out", str(tmp_path / "csv"), *std).code == 0
    done = run_cli("score", str(audits), "-f", "csv", *std)
    tables = [done.stdout] + [p.read_text(encoding="utf-8") for p in (tmp_path / "csv").glob("*.csv")]
    import csv
    import io

    cells = [cell for table in tables for row in csv.reader(io.StringIO(table)) for cell in row]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
    assert dangerous == []
    assert "'=1+2" in cells and "'@SUM(A1)" in cells


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_carriage_return_never_splits_a_score_csv_row(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(GOOD_AUDIT.replace("inspector: Anna Petrosyan", 'inspector: "\\r=1+2"'), encoding="utf-8")
    done = run_cli("score", str(path), "--standards", str(STANDARDS), "-f", "csv", "--no-cache")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(done.stdout, newline="")))
    assert len(rows) == 2 and rows[1][4] == "'\n=1+2"


def test_a_full_standard_output_is_a_clear_error(tmp_path: Path) -> None:
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT, encoding="utf-8")
    # (A clean lint in text writes nothing on stdout, so nothing fails to be written: it is asked for JSON.
    # tests/test_faults.py runs these with and without PYTHONUNBUFFERED.)
    for args in (
        ("lint", str(STANDARDS), "-f", "json"),
        ("score", str(audit), "--standards", str(STANDARDS), "-f", "json", "--no-cache"),
    ):
        with open("/dev/full", "w") as full:  # a real process, whose standard output is the full device
            done = run_cli(*args, real=True, stdout=full, timeout=60)
        assert done.code == 2 and "Traceback" not in done.stderr, (args[0], done.stderr)
        assert done.stderr.startswith("qaudit: error:") and len(done.stderr.strip().splitlines()) == 1


def test_a_form_that_unpacks_to_gigabytes_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "form.xlsx"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(80):  # 80 MiB of zeros: a few kilobytes packed
            member.write(b"0" * (1 << 20))
    assert bomb.stat().st_size < 200_000
    done = run_cli("score", str(bomb), "--no-cache", "--standards", "standards")
    assert done.code == 1 and "Traceback" not in done.stderr
    assert f"{bomb}:1:1 error file-too-large unpacks to 83,886,080 bytes, more than any audit form" in done.stderr


def test_line_breaks_in_a_value_stay_inside_one_problem_line(tmp_path: Path) -> None:
    audit = tmp_path / "a.yaml"
    audit.write_text(GOOD_AUDIT.replace("start-delay: 7", 'start-delay: "a\\n::warning::pwned"'), encoding="utf-8")
    done = run_cli("score", str(audit), "--no-cache", "--standards", str(STANDARDS))
    assert done.code == 1
    assert [line for line in done.stderr.splitlines() if "::warning" in line] == [
        f"{audit}:8:16 error invalid-value 'a\\n::warning::pwned' is not a number for item 'start-delay'; "
        "give a number (minutes)"
    ]
