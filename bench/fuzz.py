"""A longer fuzzing run than the test suite's: every fuzzer of tests/test_hostile.py, over and over.

    python bench/fuzz.py --minutes 5

Each round runs every hypothesis fuzzer of the test suite once more (a fresh
random seed each time): text mutations of audits, standards, site registries
and waivers (deleted and duplicated lines, wrong types, random Unicode,
truncation, re-indentation), structure-aware edits of audits and standards
(deleted keys, values of the wrong type, random Unicode, duplicated entries),
audits in every encoding with damaged bytes, and Excel forms with junk cells,
deleted and duplicated rows, damaged and truncated workbooks. Every case goes
through the loaders and the scorer and must end in a result or in located
problems. Prints the cases tried per fuzzer and every failure found (with
hypothesis' smallest falsifying example). Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

import test_hostile  # noqa: E402

FUZZERS = {
    "audit text": test_hostile.test_fuzzed_audits_end_in_a_result_or_located_errors,
    "standard text": test_hostile.test_fuzzed_standards_end_in_a_model_or_located_errors,
    "sites/waivers text": test_hostile.test_fuzzed_site_registries_and_waivers_end_in_data_or_located_errors,
    "audit structure": test_hostile.test_structurally_edited_audits_end_in_a_result_or_located_errors,
    "standard structure": test_hostile.test_structurally_edited_standards_end_in_a_model_or_located_errors,
    "audit bytes": test_hostile.test_audits_in_any_encoding_with_damaged_bytes_end_in_a_result_or_located_errors,
    "Excel form": test_hostile.test_fuzzed_forms_end_in_an_audit_or_located_errors,
}

tried: Counter[str] = Counter()
current = ""


def _counting(name: str, only: str | None = None) -> None:
    original = getattr(test_hostile, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if only is None or current == only:
            tried[current] += 1
        return original(*args, **kwargs)

    setattr(test_hostile, name, wrapper)


def main() -> None:
    global current
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    # Count a case each time a fuzzer hands a file to the checks (the form fuzzer calls load_audit).
    for name in ("check_audit_file", "check_standard_file", "check_registry_file"):
        _counting(name)
    _counting("load_audit", only="Excel form")
    failures: list[str] = []
    repeats: Counter[str] = Counter()
    rounds = 0
    started = time.monotonic()
    deadline = started + args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            rounds += 1
            for label, fuzzer in FUZZERS.items():
                if time.monotonic() >= deadline:
                    break
                current = label
                folder = Path(tmp) / f"{rounds}-{len(tried)}-{label.replace(' ', '-').replace('/', '-')}"
                folder.mkdir()
                try:
                    fuzzer(tmp_path=folder)
                except Exception as exc:
                    # Hypothesis replays a failure it found in later rounds: report each one once.
                    key = f"{label}: {exc}"[:500]
                    repeats[key] += 1
                    if repeats[key] == 1:
                        failures.append(f"{label}:\n{traceback.format_exc(limit=3)}")
    total = sum(tried.values())
    minutes = (time.monotonic() - started) / 60
    print(
        f"fuzzed for {minutes:.1f} min, {rounds} rounds: {total} cases, {len(failures)} distinct failures"
        f" ({sum(repeats.values())} failing rounds)"
    )
    for label in FUZZERS:
        print(f"  {label:<20} {tried[label]:>7} cases")
    for failure in failures[:20]:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
