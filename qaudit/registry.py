"""The optional site registry (``sites.yaml``) and waivers (``waivers.yaml``).

A site registry gives sites their names, regions, languages and managers; a
waiver excuses a site from one item, for a reason, until a date.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from .model import LANGUAGE_PATTERN, SLUG_PATTERN, FileModel
from .problems import InvalidInput, Problem, error
from .standards import id_type_problems, not_a_mapping
from .validation import validation_problems
from .yamlsrc import Document, Path, load

SITES_SCHEMA = "qaudit/sites@1"
WAIVERS_SCHEMA = "qaudit/waivers@1"


class Manager(FileModel):
    """Who answers for a site's corrective actions."""

    name: str
    email: str | None = None


class Site(FileModel):
    """One site of the business."""

    id: str = Field(pattern=SLUG_PATTERN, description="Slug, unique in the registry.")
    name: str | None = Field(None, description="Name shown on scorecards.")
    region: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 code.")
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="Language of the site's scorecard.")
    manager: Manager | None = None


class SitesFile(FileModel):
    """``sites.yaml``: the site registry."""

    schema_: Literal["qaudit/sites@1"] = Field(alias="schema")
    sites: list[Site] = Field(default_factory=list)


class Waiver(FileModel):
    """A site excused from one item, for a reason, until a date."""

    site: str = Field(pattern=SLUG_PATTERN)
    item: str = Field(pattern=SLUG_PATTERN)
    standard: str | None = Field(None, pattern=SLUG_PATTERN, description="Only this standard (default: any).")
    reason: str = Field(min_length=1, description="Why the item does not apply at this site.")
    until: dt.date = Field(description="Last day the waiver applies.")
    from_: dt.date | None = Field(None, alias="from", description="First day the waiver applies (default: always).")

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


def _sites_problems(doc: Document, parsed: SitesFile) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, site in enumerate(parsed.sites):
        if site.id in seen:
            line, col = doc.at(("sites", i, "id"))
            problems.append(
                error(doc.file, line, col, "duplicate-id", f"site id '{site.id}' is listed twice; list each site once")
            )
        seen.add(site.id)
    return problems


def lint_registry_file(doc: Document, kind: str) -> list[Problem] | None:
    """Problems of a site registry or waivers file; None for any other kind of file."""
    if kind == SITES_SCHEMA:
        parsed, problems = _validate(doc, SitesFile, SITES_SCHEMA, "site registry")
        if isinstance(parsed, SitesFile):
            problems += _sites_problems(doc, parsed)
        return problems
    if kind == WAIVERS_SCHEMA:
        _, problems = _validate(doc, WaiversFile, WAIVERS_SCHEMA, "waivers file")
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
    if isinstance(parsed, SitesFile):
        problems += _sites_problems(doc, parsed)
    if problems or not isinstance(parsed, SitesFile):
        raise InvalidInput(problems)
    return SiteRegistry({s.id: s for s in parsed.sites}, path)


def load_waivers(path: str | None) -> list[Waiver]:
    """Load waivers; an absent file means none. Raises :class:`InvalidInput` when invalid."""
    if path is None or not os.path.exists(path):
        return []
    doc = load(path)
    parsed, problems = _validate(doc, WaiversFile, WAIVERS_SCHEMA, "waivers file")
    if problems or not isinstance(parsed, WaiversFile):
        raise InvalidInput(problems)
    return list(parsed.waivers)
