"""A longer fuzzing run than the test suite's: mutated audits, standards and Excel forms.

    python bench/fuzz.py --minutes 5 [--seed 1]

Prints how many cases were tried per loader and every failure found (a case
that raised anything but a located InvalidInput). Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from hostile_cases import GOOD_AUDIT  # noqa: E402
from test_hostile import STANDARD_TEXT, mutate  # noqa: E402

from qaudit.audits import load_audit  # noqa: E402
from qaudit.forms import write_form  # noqa: E402
from qaudit.lint.engine import lint_file  # noqa: E402
from qaudit.problems import InvalidInput  # noqa: E402
from qaudit.standards import load_standards  # noqa: E402
from qaudit.workspace import score_file  # noqa: E402


def located(problems: list) -> bool:
    return bool(problems) and all(p.line >= 1 and p.column >= 1 and p.message for p in problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    library = load_standards(os.path.join(os.path.dirname(HERE), "tests", "data", "spec", "standards"))
    standard = library.get("client-service-core")
    assert standard is not None
    form_bytes = write_form(standard, site="yvn-01", inspector="A", date=dt.date(2026, 11, 20))
    tried = {"audit": 0, "standard": 0, "form": 0}
    failures: list[str] = []
    deadline = time.monotonic() + args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            kind = rng.choice(["audit", "audit", "standard", "form"])
            seed = rng.randrange(2**32)
            local = random.Random(seed)
            path = os.path.join(tmp, f"case.{'xlsx' if kind == 'form' else 'yaml'}")
            try:
                if kind == "audit":
                    with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
                        handle.write(mutate(GOOD_AUDIT, local, local.randint(1, 6)))
                    result, problems = score_file(path, library, [])
                    ok = result is not None or located(problems)
                elif kind == "standard":
                    with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
                        handle.write(mutate(STANDARD_TEXT, local, local.randint(1, 6)))
                    problems, model, _ = lint_file(path)
                    ok = model is not None or located(problems)
                else:
                    data = bytearray(form_bytes)
                    for _ in range(local.randint(1, 8)):
                        data[local.randrange(len(data))] = local.randrange(256)
                    with open(path, "wb") as handle:
                        handle.write(bytes(data[: local.randrange(len(data) // 2, len(data) + 1)]))
                    try:
                        load_audit(path, library)
                        ok = True
                    except InvalidInput as exc:
                        ok = located(exc.problems)
                if not ok:
                    failures.append(f"{kind} seed {seed}: problems without a location")
            except Exception:
                failures.append(f"{kind} seed {seed}:\n{traceback.format_exc()}")
            tried[kind] += 1
    total = sum(tried.values())
    print(
        f"fuzzed for {args.minutes:g} min (seed {args.seed}): {total} cases "
        f"({tried['audit']} audits, {tried['standard']} standards, {tried['form']} forms), {len(failures)} failures"
    )
    for failure in failures[:20]:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
