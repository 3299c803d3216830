"""Re-create the example workspace in this folder from the bundled standards.

    python examples/generate.py

Eight sites in Armenia, Georgia, Latvia and Hungary, each audited monthly from
July to November 2026 in the site's language, on every bundled standard.
``bud-01`` improves month by month and ``bat-01`` declines; a few audits have
critical failures, N/A answers and comments; ``tbs-01`` was audited by two
inspectors on the same day in October (for inspector calibration);
``client-service-core`` moves from version 1 to version 2 in September.
The inspectors' comments come from ``comments.yaml`` beside this script: three
that praise and three that note a shortcoming for every item of the standards
used here, in each site language, so every comment is about its own item.

The audits of the contract-v2 standards (``hotel-room-inspection``,
``mystery-shop``, ``contact-centre-qa``) are written by hand: every file that
declares ``schema: qaudit/audit@2`` is kept as it is when the folder is
re-created, and the sites only they audit (``HAND_WRITTEN_SITES``) are added
to the registry. The output is deterministic, so re-running it changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from qaudit.model import Item, Standard  # noqa: E402
from qaudit.standards import load_standards  # noqa: E402

SITES = [
    # id, name, region, country, language, standard, manager, inspectors, starting quality, monthly drift
    (
        "yvn-01",
        "Yerevan, Abovyan St. 12",
        "Caucasus",
        "AM",
        "hy",
        "office-cleaning-service",
        ("Armen Sargsyan", "armen@example.com"),
        ["Anna Petrosyan"],
        0.82,
        0.0,
    ),
    (
        "yvn-02",
        "Yerevan, Mashtots Ave. 5 (salon)",
        "Caucasus",
        "AM",
        "hy",
        "client-service-core",
        ("Lilit Grigoryan", "lilit@example.com"),
        ["Anna Petrosyan"],
        0.9,
        0.0,
    ),
    (
        "tbs-01",
        "Tbilisi, Rustaveli Ave. 20 (hotel)",
        "Caucasus",
        "GE",
        "ka",
        "hospitality-housekeeping",
        ("Nino Kapanadze", "nino@example.com"),
        ["Giorgi Beridze", "Tamar Lomidze"],
        0.88,
        0.0,
    ),
    (
        "bat-01",
        "Batumi, Seaside Hotel",
        "Caucasus",
        "GE",
        "ka",
        "hospitality-housekeeping",
        ("Levan Abashidze", "levan@example.com"),
        ["Giorgi Beridze"],
        0.95,
        -0.08,
    ),
    (
        "rix-01",
        "Riga, Brīvības iela 40 (café)",
        "Baltics",
        "LV",
        "lv",
        "service-responsiveness",
        ("Līga Ozola", "liga@example.com"),
        ["Jānis Bērziņš"],
        0.85,
        0.0,
    ),
    (
        "rix-02",
        "Riga, Old Town salon",
        "Baltics",
        "LV",
        "lv",
        "client-service-core",
        ("Anna Kalniņa", "anna.k@example.com"),
        ["Jānis Bērziņš"],
        0.8,
        0.01,
    ),
    (
        "bud-01",
        "Budapest, Andrássy út 10 (salon)",
        "Central Europe",
        "HU",
        "hu",
        "client-service-core",
        ("Kovács Eszter", "eszter@example.com"),
        ["Szabó Péter"],
        0.55,
        0.09,
    ),
    (
        "bud-02",
        "Debrecen, office park",
        "Central Europe",
        "HU",
        "hu",
        "office-cleaning-service",
        ("Nagy Gábor", "gabor@example.com"),
        ["Szabó Péter"],
        0.86,
        0.0,
    ),
]
HAND_WRITTEN_SITES = [
    # id, name, region, country, language, manager: sites audited only by the hand-written audits
    (
        "yvn-03",
        "Yerevan, Arshakunyats Ave. 34 (drive-in café)",
        "Caucasus",
        "AM",
        "hy",
        ("Gohar Hakobyan", "gohar@example.com"),
    ),
    (
        "bud-03",
        "Budapest, Váci út 33 (contact centre)",
        "Central Europe",
        "HU",
        "hu",
        ("Tóth Katalin", "katalin@example.com"),
    ),
]
HAND_WRITTEN = "schema: qaudit/audit@2"
MONTHS = [dt.date(2026, 7, 8), dt.date(2026, 8, 12), dt.date(2026, 9, 9), dt.date(2026, 10, 14), dt.date(2026, 11, 11)]

COMMENTS_FILE = os.path.join(HERE, "comments.yaml")
LANGUAGES = ("hy", "ka", "lv", "hu")


def load_comments(path: str = COMMENTS_FILE) -> dict[str, dict[str, dict[str, dict[str, list[str]]]]]:
    """The inspectors' comments: standard id -> item id -> language -> ``good``/``bad`` -> three texts.

    Each list must hold exactly three texts: ``audit_text`` draws one with ``rng.choice``, and a
    list of another length would shift the random sequence and so every score generated after it.
    """
    with open(path, encoding="utf-8") as handle:
        comments = yaml.safe_load(handle)
    for standard_id, items in comments.items():
        for item_id, languages in items.items():
            for lang in LANGUAGES:
                for tone in ("good", "bad"):
                    texts = languages[lang][tone]
                    assert len(texts) == 3 and all(texts), (standard_id, item_id, lang, tone)
    return comments


COMMENTS = load_comments()


def answer(item: Item, rng: random.Random, quality: float) -> tuple[object, str]:
    """A response and whether it is good, partial or bad."""
    if item.na_allowed and rng.random() < 0.12:
        return "na", "na"
    roll = rng.random()
    if item.type == "yes_no":
        return ("yes", "good") if roll < quality else ("no", "bad")
    if item.type == "scale":
        assert item.min is not None and item.max is not None
        span = item.max - item.min
        value = item.min + round(span * min(1.0, max(0.0, quality + rng.uniform(-0.25, 0.15))))
        return value, "good" if value == item.max else ("bad" if value == item.min else "partial")
    if item.type == "number":
        limits = [b.max for b in item.bands or () if b.max is not None]
        if roll < quality:
            return int(limits[0]) if limits else 0, "good"
        top = limits[-1] if limits else 10
        value = int(rng.uniform(limits[0] if limits else 0, top * 1.6 + 1))
        return value, "bad" if value > top else "partial"
    options = sorted(item.options or (), key=lambda o: -o.score)
    if roll < quality:
        return options[0].value, "good"
    choice = rng.choice(options[1:])
    return choice.value, "bad" if choice.score == 0 else "partial"


def comment_tone(item: Item, value: object, kind: str) -> str:
    """Whether a comment on this answer praises (``good``) or notes what fell short (``bad``).

    A number drawn as "partial" can still land in the full-marks band (2 minutes where the first
    band ends at 2): it gets a good comment, so that no comment contradicts its own score.
    """
    if kind == "good" or (item.type == "number" and item.score_of(value) == 1.0):
        return "good"
    return "bad"


def audit_text(
    std: Standard,
    site: str,
    lang: str,
    day: dt.date,
    inspector: str,
    rng: random.Random,
    quality: float,
    force_critical_failure: bool,
) -> str:
    lines = [
        f"# {std.text(std.title, lang)} — {site}, {day.isoformat()}",
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
        if force_critical_failure and item.critical:
            value, kind = ("no", "bad") if item.type == "yes_no" else (answer(item, rng, 0.0))
        elif item.critical:
            value, kind = answer(item, rng, max(quality, 0.99))
        else:
            value, kind = answer(item, rng, quality)
        if (kind in ("bad", "partial") and rng.random() < 0.6) or (kind == "good" and rng.random() < 0.08):
            texts = COMMENTS[std.id][item.id][lang][comment_tone(item, value, kind)]
            comment = json.dumps(rng.choice(texts), ensure_ascii=False)
            lines.append(f"  {item.id}: {{value: {value}, comment: {comment}}}")
        else:
            lines.append(f"  {item.id}: {value}")
    return "\n".join(lines) + "\n"


def hand_written_audits(folder: str) -> dict[str, str]:
    """The hand-written audits under ``folder`` (the files declaring ``qaudit/audit@2``): relative path -> text."""
    kept: dict[str, str] = {}
    for root, _dirs, files in os.walk(folder):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", newline="") as handle:
                text = handle.read()
            if HAND_WRITTEN in text.splitlines():
                kept[os.path.relpath(path, folder)] = text
    return kept


def main() -> None:
    rng = random.Random(2026)
    library = load_standards(os.path.join(os.path.dirname(HERE), "standards"))
    audits = os.path.join(HERE, "audits")
    kept = hand_written_audits(audits)
    shutil.rmtree(audits, ignore_errors=True)
    registry = ["# The example chain's site registry (qaudit/sites@1).", "schema: qaudit/sites@1", "sites:"]
    count = 0
    for site, name, region, country, lang, standard_id, manager, inspectors, quality, drift in SITES:
        registry += [
            f"  - id: {site}",
            f"    name: {json.dumps(name, ensure_ascii=False)}",
            f"    region: {region}",
            f"    country: {country}",
            f"    language: {lang}",
            f"    manager: {{name: {json.dumps(manager[0], ensure_ascii=False)}, email: {manager[1]}}}",
        ]
        for month, day in enumerate(MONTHS):
            versions = library.versions(standard_id)
            version = versions[0] if day.month < 9 else versions[-1]
            std = library.get(standard_id, version)
            assert std is not None, standard_id
            q = min(0.99, max(0.2, quality + drift * month))
            critical = (site, month) in {("bat-01", 4), ("yvn-01", 2), ("rix-02", 3)}
            folder = os.path.join(audits, day.strftime("%Y-%m"))
            os.makedirs(folder, exist_ok=True)
            visits = inspectors if (site == "tbs-01" and month == 3) else inspectors[:1]
            for n, inspector in enumerate(visits):
                suffix = f"-{inspector.split()[0].lower()}" if len(visits) > 1 else ""
                text = audit_text(std, site, lang, day, inspector, random.Random(rng.random() + n * 0), q, critical)
                with open(os.path.join(folder, f"{site}-{day.isoformat()}{suffix}.yaml"), "w", encoding="utf-8") as f:
                    f.write(text)
                count += 1
    for site, name, region, country, lang, manager in HAND_WRITTEN_SITES:
        registry += [
            f"  - id: {site}",
            f"    name: {json.dumps(name, ensure_ascii=False)}",
            f"    region: {region}",
            f"    country: {country}",
            f"    language: {lang}",
            f"    manager: {{name: {json.dumps(manager[0], ensure_ascii=False)}, email: {manager[1]}}}",
        ]
    for relative, text in kept.items():
        path = os.path.join(audits, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    with open(os.path.join(HERE, "sites.yaml"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(registry) + "\n")
    print(f"wrote {count} audits for {len(SITES)} sites under {audits}, kept {len(kept)} hand-written audits")


if __name__ == "__main__":
    main()
