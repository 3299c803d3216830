"""Generate a realistic synthetic audit workspace for benchmarks.

    python bench/generate.py OUT --sites 1000 --audits 12 [--standards standards] [--seed 1]

Writes OUT/audits/<site>/<audit-id>.yaml (N sites × M monthly audits on the
bundled standards, comments in all five languages, some N/A answers and
failures) and OUT/sites.yaml. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from qaudit.load.standards import load_standards
from qaudit.model.standard import Item, Standard

COMMENTS = {
    "en": ["Greeted the client warmly", "Late because of traffic", "Checklist left unsigned", "Very attentive staff"],
    "hy": ["Հաճախորդին ջերմորեն ողջունեց", "Ուշացավ խցանման պատճառով", "Ստուգաթերթը չստորագրված էր"],
    "ka": ["კლიენტს თბილად მიესალმა", "საცობის გამო დააგვიანა", "ჩამონათვალი ხელმოუწერელი დარჩა"],
    "lv": ["Sirsnīgi sveica klientu", "Nokavējās sastrēguma dēļ", "Kontrolsaraksts palika neparakstīts"],
    "hu": ["Melegen üdvözölte az ügyfelet", "Késett a forgalom miatt", "Az ellenőrzőlista aláíratlan maradt"],
}
COUNTRIES = [
    ("AM", "hy", "Caucasus"),
    ("GE", "ka", "Caucasus"),
    ("LV", "lv", "Baltics"),
    ("HU", "hu", "Central Europe"),
]
INSPECTORS = ["Anna Petrosyan", "Giorgi Beridze", "Līga Ozola", "Kovács Eszter", "Aram Hakobyan", "Nino Kapanadze"]


def answer(item: Item, rng: random.Random, quality: float) -> object:
    """A plausible answer: better sites answer better more often."""
    if item.na_allowed and rng.random() < 0.08:
        return "na"
    good = rng.random() < quality
    if item.type == "yes_no":
        return "yes" if good or rng.random() < 0.3 else "no"
    if item.type == "scale":
        assert item.min is not None and item.max is not None
        return item.max if good else rng.randint(item.min, item.max)
    if item.type == "number":
        bands = item.bands or []
        limits = [b.max for b in bands if b.max is not None]
        if good or not limits:
            return limits[0] if limits else 0
        return round(rng.uniform(limits[0], limits[-1] * 1.5 + 1), rng.choice([0, 1]))
    options = item.choices
    return options[0].value if good else rng.choice(options).value


def audit_text(std: Standard, site: str, lang: str, day: dt.date, inspector: str, rng: random.Random, q: float) -> str:
    lines = [
        "schema: qaudit/audit@1",
        f"standard: {std.id}",
        f"standard_version: {std.version}",
        f"site: {site}",
        f"inspector: {inspector}",
        f"date: {day.isoformat()}",
        f"language: {lang}",
        "responses:",
    ]
    for item in std.items.values():
        value = answer(item, rng, q)
        if rng.random() < 0.15:
            comment = json.dumps(rng.choice(COMMENTS[rng.choice(list(COMMENTS))]), ensure_ascii=False)
            lines.append(f"  {item.id}: {{value: {value}, comment: {comment}}}")
        else:
            lines.append(f"  {item.id}: {value}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--audits", type=int, default=12, help="audits per site (monthly)")
    parser.add_argument("--standards", default="standards")
    parser.add_argument("--standard", action="append", help="only these standard ids (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    library = load_standards(args.standards)
    latest = [library.get(sid) for sid in library.ids() if not args.standard or sid in args.standard]
    # Flat checklists only: the workspace stays the same as new kinds of standard join the library.
    standards = [s for s in latest if s is not None and s.plain]
    if not standards:
        sys.exit(f"no standards in {args.standards}")
    audits_dir = os.path.join(args.out, "audits")
    os.makedirs(audits_dir, exist_ok=True)
    registry = ["schema: qaudit/sites@1", "sites:"]
    start = dt.date(2025, 1, 6)
    count = 0
    for n in range(args.sites):
        country, lang, region = COUNTRIES[n % len(COUNTRIES)]
        site = f"{country.lower()}-{n:05d}"
        registry += [
            f"  - id: {site}",
            f"    name: Site {n}",
            f"    region: {region}",
            f"    country: {country}",
            f"    language: {lang}",
        ]
        std = standards[n % len(standards)]
        quality = rng.uniform(0.5, 0.97)
        folder = os.path.join(audits_dir, site)
        os.makedirs(folder, exist_ok=True)
        for m in range(args.audits):
            day = start + dt.timedelta(days=30 * m + rng.randint(0, 5))
            quality = min(0.99, max(0.3, quality + rng.uniform(-0.05, 0.05)))
            text = audit_text(std, site, lang, day, rng.choice(INSPECTORS), rng, quality)
            with open(os.path.join(folder, f"{site}-{day.isoformat()}.yaml"), "w", encoding="utf-8") as handle:
                handle.write(text)
            count += 1
    with open(os.path.join(args.out, "sites.yaml"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(registry) + "\n")
    print(f"wrote {count} audits for {args.sites} sites in {audits_dir}")


if __name__ == "__main__":
    main()
