"""The optional site registry (``sites.yaml``) and waivers (``waivers.yaml``).

A site registry gives sites their names, regions, languages and managers; a
waiver excuses a site from one item, for a reason, until a date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from ..io.yamlsrc import Document, Path, load
from ..model.standard import LANGUAGE_PATTERN, SLUG_PATTERN, FileModel
from ..model.validation import validation_problems
from ..problems import InvalidInput, Problem, error, warning
from .standards import id_type_problems, not_a_mapping

COUNTRY_PATTERN = r"^[A-Z]{2}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
SITES_SCHEMA = "qaudit/sites@1"
WAIVERS_SCHEMA = "qaudit/waivers@1"


class Manager(FileModel):
    """Who answers for a site's corrective actions."""

    name: str = Field(json_schema_extra={"pattern": r"\S"})
    email: str | None = Field(None, json_schema_extra={"pattern": EMAIL_PATTERN})

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the manager's 'name' is empty; write who answers for the site's actions")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(EMAIL_PATTERN, value):
            raise ValueError(f"'email' {value!r} is not an e-mail address; write one such as anna@example.com")
        return value


class Site(FileModel):
    """One site of the business."""

    id: str = Field(pattern=SLUG_PATTERN, description="Slug, unique in the registry.")
    name: str | None = Field(None, description="Name shown on scorecards.")
    region: str | None = None
    country: str | None = Field(
        None, description="ISO 3166 alpha-2 code.", json_schema_extra={"pattern": COUNTRY_PATTERN}
    )
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="Language of the site's scorecard.")
    manager: Manager | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(COUNTRY_PATTERN, value):
            raise ValueError(
                f"'country' {value!r} is not an ISO 3166 alpha-2 code; write two capital letters such as AM, GE or LV"
            )
        return value


class SitesFile(FileModel):
    """``sites.yaml``: the site registry."""

    schema_: Literal["qaudit/sites@1"] = Field(alias="schema")
    sites: list[Site] = Field(default_factory=list)


class Waiver(FileModel):
    """A site excused from one item, for a reason, until a date."""

    site: str = Field(pattern=SLUG_PATTERN)
    item: str = Field(pattern=SLUG_PATTERN)
    standard: str | None = Field(None, pattern=SLUG_PATTERN, description="Only this standard (default: any).")
    reason: str = Field(description="Why the item does not apply at this site.", json_schema_extra={"pattern": r"\S"})
    until: dt.date = Field(description="Last day the waiver applies.")
    from_: dt.date | None = Field(None, alias="from", description="First day the waiver applies (default: always).")

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the waiver's 'reason' is empty; write why the item does not apply at this site")
        return value

    def applies(self, site: str, standard: str, item: str, day: dt.date) -> bool:
        """Whether this waiver excuses ``item`` of ``standard`` at ``site`` on ``day``."""
        return (
            self.site == site
            and self.item == item
            and (self.standard is None or self.standard == standard)
            and day <= self.until
            and (self.from_ is None or self.from_ <= day)
        )


class WaiversFile(FileModel):
    """``waivers.yaml``: the items each site is excused from."""

    schema_: Literal["qaudit/waivers@1"] = Field(alias="schema")
    waivers: list[Waiver] = Field(default_factory=list)


@dataclass
class SiteRegistry:
    """Sites by id (empty when there is no registry)."""

    sites: dict[str, Site] = field(default_factory=dict)
    file: str | None = None

    def name(self, site_id: str) -> str:
        """The site's display name (its id when unknown)."""
        site = self.sites.get(site_id)
        return site.name if site and site.name else site_id


def _list_ids(doc: Document, key: str) -> list[Path]:
    entries = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return []
    return [(key, i, "id") for i, e in enumerate(entries) if isinstance(e, dict) and "id" in e]


def _validate(doc: Document, model: type[BaseModel], schema: str, what: str) -> tuple[BaseModel | None, list[Problem]]:
    problems = list(doc.problems)
    if not isinstance(doc.data, dict):
        return None, problems + [not_a_mapping(doc, what, schema)]
    problems += id_type_problems(doc, _list_ids(doc, "sites"))
    try:
        parsed = model.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + validation_problems(exc, doc, model)
    return (None if problems else parsed), problems


def _sites_problems(doc: Document) -> list[Problem]:
    """Site ids listed twice (checked on the raw entries, so other errors do not hide them)."""
    problems = []
    entries = doc.data.get("sites") if isinstance(doc.data, dict) else None
    seen: set[str] = set()
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        site = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(site, str):
            continue
        if site in seen:
            line, col = doc.at(("sites", i, "id"))
            problems.append(
                error(doc.file, line, col, "duplicate-id", f"site id '{site}' is listed twice; list each site once")
            )
        seen.add(site)
    return problems


def _waivers_problems(doc: Document, parsed: WaiversFile) -> list[Problem]:
    """Waivers that can never apply, and (with a ``sites.yaml`` beside the file) unknown sites."""
    problems = []
    for i, waiver in enumerate(parsed.waivers):
        if waiver.from_ is not None and waiver.from_ > waiver.until:
            line, col = doc.at(("waivers", i, "from"))
            problems.append(
                error(
                    doc.file,
                    line,
                    col,
                    "invalid-value",
                    f"'from' {waiver.from_.isoformat()} is after 'until' {waiver.until.isoformat()}, "
                    "so the waiver would never apply; correct one of the dates",
                )
            )
    registry_file = os.path.join(os.path.dirname(doc.file), "sites.yaml")
    try:
        registry = load_sites(registry_file)
    except InvalidInput:
        return problems  # the registry's own lint reports it
    if registry.sites:
        for i, waiver in enumerate(parsed.waivers):
            if waiver.site not in registry.sites:
                line, col = doc.at(("waivers", i, "site"))
                problems.append(
                    warning(
                        doc.file,
                        line,
                        col,
                        "unknown-site",
                        f"site '{waiver.site}' is not in {registry_file}; check the id or add the site",
                    )
                )
    return problems


def lint_registry_file(doc: Document, kind: str) -> list[Problem] | None:
    """Problems of a site registry or waivers file; None for any other kind of file."""
    if kind == SITES_SCHEMA:
        _, problems = _validate(doc, SitesFile, SITES_SCHEMA, "site registry")
        return problems + _sites_problems(doc)
    if kind == WAIVERS_SCHEMA:
        parsed, problems = _validate(doc, WaiversFile, WAIVERS_SCHEMA, "waivers file")
        if isinstance(parsed, WaiversFile):
            problems += _waivers_problems(doc, parsed)
        return problems
    return None


def load_sites(path: str | None) -> SiteRegistry:
    """Load the site registry; an absent default file gives an empty registry.

    Raises :class:`InvalidInput` when the file exists but is not valid.
    """
    if path is None or not os.path.exists(path):
        return SiteRegistry()
    doc = load(path)
    parsed, problems = _validate(doc, SitesFile, SITES_SCHEMA, "site registry")
    problems += _sites_problems(doc)
    if problems or not isinstance(parsed, SitesFile):
        raise InvalidInput(problems)
    return SiteRegistry({s.id: s for s in parsed.sites}, path)


def load_waivers(path: str | None, data: bytes | None = None) -> list[Waiver]:
    """Load waivers; an absent file means none. Raises :class:`InvalidInput` when invalid.

    ``data``: the file's bytes, when the caller has read them (so that what is
    parsed is exactly what it hashed; see :func:`read_waivers`).
    """
    if path is None or (data is None and not os.path.exists(path)):
        return []
    if data is None:
        doc = load(path)
    else:
        from ..io.source import decode

        doc = load(path, text=decode(path, data))
    parsed, problems = _validate(doc, WaiversFile, WAIVERS_SCHEMA, "waivers file")
    if isinstance(parsed, WaiversFile):
        problems += [p for p in _waivers_problems(doc, parsed) if p.severity == "error"]
    if problems or not isinstance(parsed, WaiversFile):
        raise InvalidInput(problems)
    return list(parsed.waivers)


def read_waivers(path: str | None) -> tuple[list[Waiver], bytes | None]:
    """Load waivers and return them with the bytes they were parsed from (None when there is no file).

    The file is read once: a cache salted with these bytes can never hold results
    of other waivers than the ones applied (an edit between two reads would).
    """
    if path is None or not os.path.exists(path):
        return [], None
    from ..io.source import read_bytes

    data = read_bytes(path)
    return load_waivers(path, data), data
