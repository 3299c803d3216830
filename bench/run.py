"""The scale benchmark: every figure beside its floor, measured in the same run.

    python bench/run.py [--audits 20000] [--sites 1000] [--work bench/work] [--standards bench/standards]

Generates (once, then reuses) a synthetic workspace of N audits with
`bench/generate.py`, then times, each as a fresh `qaudit` process:

| figure | floor (same run, same files) | target |
| --- | --- | --- |
| `score --format json`, cold (no cache) | plain `yaml.CSafeLoader` parse with one process per core | ≤ 0.6× |
| `score --format json`, cold, filling an empty cache (a first run) | the same | (reported) |
| `score --format json`, warm (cache) | — | ≤ 4 s at 100,000 audits |
| peak memory of the cold score | — | ≤ 250 MB at 100,000 audits |
| `report` of a year (N sites × 12 audits, warm) into a new folder, minus the warm score | — | ≤ 1.2 s for 1,000 sites |
| the same `report` again over the previous one (no page changed) | — | (reported) |
| `export` of 10,000 audits (warm) | openpyxl write-only writing the same values (read back from the export) | ≤ 0.6× |
| the same | openpyxl write-only writing the same cells with their styles | (reported) |
| `--help`, `lint` of one file | `python -c pass` | ≤ 0.2 s, ≤ 0.25 s |
| `score` as CSV and table, `actions`, `trends`, `items`, `calibration`, `rescore` (warm) | the warm JSON | ≤ 2× + 1 s |

Absolute times vary by up to 50% between runs on shared machines: compare the
ratios, which are measured in one run.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def timed(command: list[str], cwd: str, runs: int = 1) -> tuple[float, float]:
    """Median wall time (s) and peak RSS (MB) of a command, each run a fresh process."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command] if os.path.exists("/usr/bin/time") else command,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        times.append(time.perf_counter() - start)
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        peaks.append(int(last) / 1024 if last.isdigit() else float("nan"))
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return statistics.median(times), max(peaks)


def _parse_chunk(paths: list[str]) -> int:
    import yaml

    for path in paths:
        with open(path, "rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
    return len(paths)


def csafe_floor(files: list[str]) -> float:
    """A naive script: parse every file with CSafeLoader, one process per core."""
    chunks = [files[i : i + 256] for i in range(0, len(files), 256)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        sum(pool.imap_unordered(_parse_chunk, chunks))
    return time.perf_counter() - start


def _style(cell: Any) -> tuple[str | None, tuple[Any, Any, Any] | None] | None:
    """What a plain script would copy of a cell's style: its number format, and fill, font and alignment if filled."""
    number_format = getattr(cell, "number_format", "General")
    filled = getattr(cell, "fill", None) is not None and cell.fill.fill_type is not None
    if number_format == "General" and not filled:
        return None
    return (
        None if number_format == "General" else number_format,
        (cell.fill, cell.font, cell.alignment) if filled else None,
    )


def read_cells(workbook: str) -> list[tuple[str, list[list[tuple[Any, Any]]]]]:
    """Every sheet of ``workbook``: its title and rows of (value, style as :func:`_style` copies it)."""
    from openpyxl import load_workbook

    source = load_workbook(workbook, read_only=True)
    sheets = [(ws.title, [[(c.value, _style(c)) for c in row] for row in ws.iter_rows()]) for ws in source.worksheets]
    source.close()
    return sheets


def openpyxl_floor(sheets: list[tuple[str, list[list[tuple[Any, Any]]]]], *, styled: bool = True) -> float:
    """openpyxl write-only writing the same cells (from :func:`read_cells`) into a new workbook.

    ``styled``: each cell with its number format, and its fill, font and
    alignment where it is filled (headers, failed critical items), as a plain
    script would write it: a new cell for each styled one. Otherwise the values
    alone. Tables, charts and conditional formats are not written: they are
    qaudit's own cost.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    start = time.perf_counter()
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = wb.create_sheet(title)
        for row in rows:
            cells = []
            for value, style in row:
                if style is None or not styled:
                    cells.append(value)
                    continue
                c = WriteOnlyCell(sheet, value=value)
                number_format, fill = style
                if number_format is not None:
                    c.number_format = number_format
                if fill is not None:
                    c.fill, c.font, c.alignment = fill
                cells.append(c)
            sheet.append(cells)
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "qaudit-floor.xlsx")
    wb.save(path)
    os.unlink(path)
    return time.perf_counter() - start


def bench_export(files: list[str], work: str, qaudit: list[str], common: list[str], add: Any) -> None:
    """``qaudit export`` of ``files`` (warm) beside openpyxl write-only writing the same values, in this run."""
    subset = sorted(set(files))
    export_dir = os.path.join(work, f"export-{len(subset)}")
    if not os.path.isdir(export_dir):
        os.makedirs(export_dir)
        for path in subset:
            target = os.path.join(export_dir, os.path.relpath(path, os.path.join(work, "audits")))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(path, target) if hasattr(os, "link") else shutil.copy(path, target)
    out = os.path.join(work, "x.xlsx")
    try:
        timed([*qaudit, "score", export_dir, "-f", "json", *common], work)  # warm the cache
        export_time, export_mb = timed([*qaudit, "export", export_dir, "--out", out, *common], work)
        cells = read_cells(out)
        values_floor = openpyxl_floor(cells, styled=False)
        styled_floor = openpyxl_floor(cells)
        rows = sum(len(sheet) for _, sheet in cells)
        del cells
        add(
            f"export of {len(subset)} audits (warm)",
            f"{export_time:.2f} s",
            f"openpyxl values: {values_floor:.2f} s",
            f"{export_time / values_floor:.2f}× (target ≤ 0.6×; {export_mb:.0f} MB, {rows:,} rows)",
        )
        add(
            "  the same, beside the styled cells",
            "",
            f"openpyxl styled: {styled_floor:.2f} s",
            f"{export_time / styled_floor:.2f}× (reported)",
        )
    except SystemExit as exc:
        add("export", "unavailable", "", str(exc).splitlines()[0])


COMMANDS = [
    ("score --format csv", ["score", "audits", "-f", "csv"]),
    ("score (table, to a file)", ["score", "audits"]),
    ("actions --format json", ["actions", "audits", "-f", "json", "--today", "2030-01-01"]),
    ("actions (table)", ["actions", "audits", "--today", "2030-01-01"]),
    ("trends --format json", ["trends", "audits", "-f", "json"]),
    ("trends (table)", ["trends", "audits"]),
    ("items --format json", ["items", "audits", "-f", "json"]),
    ("calibration --format json", ["calibration", "audits", "-f", "json"]),
    ("rescore --format json (every audit)", ["rescore", "audits", "-f", "json", "--standard-version", "2"]),
    ("rescore --format csv (every audit)", ["rescore", "audits", "-f", "csv", "--standard-version", "2"]),
]
"""The commands timed beside the warm ``score --format json`` (each as a fresh process, warm cache)."""


def rescore_standards(standards: str, work: str) -> str:
    """``standards`` and a version 2 of each standard in it (its first item dropped), for ``rescore``."""
    import re

    folder = os.path.join(work, "standards-rescore")
    os.makedirs(folder, exist_ok=True)
    for path in glob.glob(os.path.join(standards, "*.yaml")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        shutil.copy(path, os.path.join(folder, os.path.basename(path)))
        second = re.sub(r"^version: 1$", "version: 2", text, count=1, flags=re.M)
        # Drop the first item: an answer that is not carried over, as after a real revision.
        items = [m.start() for m in re.finditer(r"^      - id: ", second, flags=re.M)]
        if len(items) > 1:
            second = second[: items[0]] + second[items[1] :]
        name = os.path.splitext(os.path.basename(path))[0] + "-v2.yaml"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(second)
    return folder


def bench_commands(work: str, qaudit: list[str], common: list[str], add: Any) -> list[tuple[str, float, float]]:
    """Every command over the workspace's audits (warm cache) beside the warm ``score --format json``, in this run.

    Target: at most 2× the warm JSON + 1 s, and 250 MB at 100,000 audits.
    Returns (command, seconds, peak MB) with the floor first.
    """
    timed([*qaudit, "score", "audits", "-f", "json", *common], work)  # warm the cache for these standards
    floor, floor_mb = timed([*qaudit, "score", "audits", "-f", "json", *common], work, runs=3)
    budget = 2 * floor + 1
    add("score --format json, warm (the floor)", f"{floor:.2f} s", "", f"({floor_mb:.0f} MB)")
    found = [("score --format json (floor)", floor, floor_mb)]
    for name, command in COMMANDS:
        took, peak = timed([*qaudit, *command, *common], work, runs=3)
        found.append((name, took, peak))
        add(
            name,
            f"{took:.2f} s",
            f"2 × {floor:.2f} s + 1 s = {budget:.2f} s",
            f"{took / budget:.2f}× of the budget ({'met' if took <= budget else 'NOT met'}; {peak:.0f} MB)",
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audits", type=int, default=20000)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--work", default=os.path.join(HERE, "work"))
    parser.add_argument("--standards", default=os.path.join(HERE, "standards"))
    parser.add_argument("--export-audits", type=int, default=10000, help="audits in the export benchmark")
    parser.add_argument(
        "--commands-only", action="store_true", help="time only the commands beside the warm JSON (a few minutes)"
    )
    args = parser.parse_args()
    qaudit = [sys.executable, "-m", "qaudit"]
    per_site = max(1, args.audits // args.sites)
    standards = os.path.abspath(args.standards)

    def workspace(sites: int, audits: int) -> str:
        """The synthetic workspace of ``sites`` × ``audits``, generated once and reused."""
        folder = os.path.abspath(os.path.join(args.work, f"{sites}x{audits}"))
        if not os.path.isdir(os.path.join(folder, "audits")):
            print(f"generating {sites} sites × {audits} audits in {folder} ...", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    os.path.join(HERE, "generate.py"),
                    folder,
                    *("--sites", str(sites), "--audits", str(audits), "--standards", standards),
                ],
                check=True,
            )
        return folder

    work = workspace(args.sites, per_site)
    files = sorted(glob.glob(os.path.join(work, "audits", "*", "*.yaml")))
    n = len(files)
    common = ["--standards", standards, "--sites", os.path.join(work, "sites.yaml")]
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, floor: str, verdict: str) -> None:
        rows.append((name, value, floor, verdict))
        print(f"{name:<38} {value:>18} {floor:>22}   {verdict}", flush=True)

    # As installed, qaudit runs from compiled bytecode; with PYTHONDONTWRITEBYTECODE set (some
    # containers set it), an editable checkout would otherwise compile every module at every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "qaudit")], check=True)
    print(f"{n} audit files, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print(f"{'figure':<38} {'qaudit':>18} {'floor':>22}   verdict")
    if args.commands_only:
        bench_commands(work, qaudit, ["--standards", rescore_standards(standards, work), *common[2:]], add)
        return
    # Read every file once first: the floor and qaudit then both read from the page cache,
    # whatever the machine last did with these files.
    for path in files:
        with open(path, "rb") as handle:
            handle.read()
    # Medians of three: single runs on these machines vary by a tenth or more.
    floor = statistics.median(csafe_floor(files) for _ in range(3))
    shutil.rmtree(os.path.join(work, ".qaudit"), ignore_errors=True)
    cold, cold_mb = timed([*qaudit, "score", "audits", "-f", "json", "--no-cache", *common], work, runs=3)
    add(
        "score --format json, cold (--no-cache)",
        f"{cold:.2f} s {n / cold:,.0f}/s",
        f"CSafeLoader ×{os.cpu_count()}: {floor:.2f} s",
        f"{cold / floor:.2f}× (target ≤ 0.6×)",
    )
    add("peak memory, cold score", f"{cold_mb:.0f} MB", "", "(target ≤ 250 MB at 100,000)")
    # The first run of a new workspace: nothing cached yet, every result stored for the next run.
    filling, filling_mb = timed([*qaudit, "score", "audits", "-f", "json", *common], work)
    add(
        "score --format json, cold (filling the cache)",
        f"{filling:.2f} s {n / filling:,.0f}/s",
        f"CSafeLoader ×{os.cpu_count()}: {floor:.2f} s",
        f"{filling / floor:.2f}× ({filling_mb:.0f} MB)",
    )
    warm, warm_mb = timed([*qaudit, "score", "audits", "-f", "json", *common], work, runs=3)
    add("score --format json, warm", f"{warm:.2f} s", "", f"(target ≤ 4 s at 100,000; {warm_mb:.0f} MB)")
    one = glob.glob(os.path.join(standards, "*.yaml"))[0]
    base, _ = timed([sys.executable, "-c", "pass"], work, runs=5)
    helptime, _ = timed([*qaudit, "--help"], work, runs=5)
    add("qaudit --help", f"{helptime:.3f} s", f"python -c pass: {base:.3f} s", "(target ≤ 0.2 s)")
    lint1, _ = timed([*qaudit, "lint", one], work, runs=5)
    add("qaudit lint (one file)", f"{lint1:.3f} s", "", "(target ≤ 0.25 s)")
    lint_all, _ = timed([*qaudit, "lint", standards], work)
    add("qaudit lint (standards)", f"{lint_all:.3f} s", "", "")
    new_folders: list[str] = []
    try:
        # A year of a chain: every site audited monthly (the report's own target).
        year = workspace(args.sites, 12)
        year_common = ["--standards", standards, "--sites", os.path.join(year, "sites.yaml")]
        timed([*qaudit, "score", "audits", "-f", "json", *year_common], year)  # fill the cache
        year_warm, _ = timed([*qaudit, "score", "audits", "-f", "json", *year_common], year, runs=3)
        # Every run writes into a folder of its own; the folders are deleted only at the end, as
        # some file systems make new files slow for minutes after many were deleted (ext4 without
        # a journal skips recently freed inodes one by one).
        fresh, fresh_mb = [], 0.0
        for run in range(3):
            out = os.path.join(year, f"report-new-{run}")
            new_folders.append(out)
            shutil.rmtree(out, ignore_errors=True)
            took, peak = timed([*qaudit, "report", "audits", "--out", out, *year_common], year)
            fresh.append(took)
            fresh_mb = max(fresh_mb, peak)
        add(
            "report, new folder − score (warm)",
            f"{statistics.median(fresh) - year_warm:.2f} s",
            f"{args.sites} sites × 12 audits",
            f"(target ≤ 1.2 s; {fresh_mb:.0f} MB)",
        )
        again, again_mb = timed([*qaudit, "report", "audits", "--out", out, *year_common], year, runs=3)
        add(
            "report, re-run unchanged − score (warm)",
            f"{again - year_warm:.2f} s",
            f"{args.sites} sites × 12 audits",
            f"({again_mb:.0f} MB)",
        )
    except SystemExit as exc:
        add("report", "unavailable", "", str(exc).splitlines()[0])
    rescore = rescore_standards(standards, work)
    bench_commands(work, qaudit, ["--standards", rescore, *common[2:]], add)
    bench_export(files[: args.export_audits], work, qaudit, common, add)
    for folder in new_folders:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
