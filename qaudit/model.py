"""The standard file format (``qaudit/standard@1``) as typed, validating models.

These models are the single source of truth for standard files: they validate
what loaders read, they are what the scorer and renderers use, and they produce
the JSON Schema that ``qaudit schema standard`` prints for editors.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

STANDARD_SCHEMA = "qaudit/standard@1"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
ITEM_TYPES = ("yes_no", "scale", "number", "choice")

ItemType = Literal["yes_no", "scale", "number", "choice"]
Text = Annotated[
    str | dict[str, str],
    Field(description="Plain text, or a mapping from language code to text."),
]


def localize(text: Text | None, lang: str | None, default: str | None = None) -> str:
    """The text in ``lang``, else in ``default``, else the first one given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for code in (lang, default):
        if code and code in text:
            return text[code]
    return next(iter(text.values()), "")


class FileModel(BaseModel):
    """Base of every file model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        allow_inf_nan=False,
        str_strip_whitespace=False,
    )


class Band(FileModel):
    """One scoring band of a ``number`` item: the first band whose ``max`` ≥ value wins."""

    max: float | None = Field(None, description="Upper bound (inclusive); omit on the last, catch-all band.")
    score: float = Field(description="Item score in [0, 1] for values in this band.", ge=0, le=1)


class Option(FileModel):
    """One answer of a ``choice`` item."""

    value: str = Field(description="What the inspector writes; unique within the item.")
    score: float = Field(description="Item score in [0, 1] for this answer.", ge=0, le=1)
    label: Text | None = Field(None, description="What the inspector reads; defaults to the value.")


class Item(FileModel):
    """One checklist item an inspector answers."""

    id: str = Field(description="Slug, unique in the whole standard.", pattern=SLUG_PATTERN)
    text: Text = Field(description="The question or requirement, as the inspector reads it.")
    guidance: Text | None = Field(None, description="How the inspector should judge the item.")
    type: ItemType = Field(description="yes_no | scale | number | choice")
    weight: float = Field(1, description="Relative weight within the section (> 0).", gt=0)
    critical: bool = Field(False, description="A critical item scored 0 fails the whole audit.")
    na_allowed: bool = Field(False, description="Whether the inspector may answer N/A.")
    unit: str | None = Field(None, description="number items: the unit of the value, e.g. minutes.")
    bands: list[Band] | None = Field(
        None, description="number items: scoring bands, by increasing max; the last one has no max.", min_length=1
    )
    min: int | None = Field(None, description="scale items: the lowest value.")
    max: int | None = Field(None, description="scale items: the highest value.")
    options: list[Option] | None = Field(None, description="choice items: the allowed answers.")

    def score_of(self, value: object) -> float:
        """Item score in [0, 1] of a value already checked to fit this item."""
        kind = self.type
        if kind == "yes_no":
            return 1.0 if value else 0.0
        if kind == "scale":
            assert self.min is not None and self.max is not None
            return (float(value) - self.min) / (self.max - self.min)  # type: ignore[arg-type]
        if kind == "number":
            return self.bands[self.band_index(value)].score  # type: ignore[index]
        return self.option(str(value)).score  # type: ignore[union-attr]

    def band_index(self, value: object) -> int:
        """Index of the band a ``number`` value falls into (the last one if none matches)."""
        bands = self.bands or []
        number = float(value)  # type: ignore[arg-type]
        for index, band in enumerate(bands):
            if band.max is not None and number <= band.max:
                return index
        return len(bands) - 1

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        for option in self.options or ():
            if option.value == value:
                return option
        return None


class Section(FileModel):
    """A group of items with its own weight in the total."""

    id: str = Field(description="Slug, unique in the standard.", pattern=SLUG_PATTERN)
    title: Text
    weight: float = Field(1, description="Relative weight of the section in the total (> 0).", gt=0)
    items: list[Item] = Field(description="At least one item.", min_length=1)


class Grade(FileModel):
    """A grade and the lowest score that earns it."""

    grade: str = Field(description="The grade's name, e.g. A.")
    min: float = Field(description="Lowest score for this grade; strictly decreasing, the last one 0.", ge=0, le=100)


DEFAULT_GRADES = (
    Grade(grade="A", min=90),
    Grade(grade="B", min=80),
    Grade(grade="C", min=65),
    Grade(grade="D", min=0),
)


class Standard(FileModel):
    """One version of a service standard: the checklist and how it is scored."""

    schema_: Literal["qaudit/standard@1"] = Field(alias="schema", description="Always qaudit/standard@1.")
    id: str = Field(description="Slug naming the standard.", pattern=SLUG_PATTERN)
    version: int = Field(description="Positive integer; id + version identify one standard file.", gt=0)
    title: Text
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] | None = Field(
        None, description="Languages every text must cover; the first one is the default."
    )
    pass_score: float = Field(80, description="Score needed to pass, 0..100.", ge=0, le=100)
    grades: list[Grade] = Field(
        default_factory=lambda: list(DEFAULT_GRADES),
        description="Ordered best first; min strictly decreasing, the last one 0.",
        min_length=1,
    )
    critical_failure: Literal["fail_audit", "zero_score"] = Field(
        "fail_audit", description="What a failed critical item does to the score."
    )
    sections: list[Section] = Field(description="At least one section.", min_length=1)

    @property
    def key(self) -> tuple[str, int]:
        """``(id, version)``: what identifies this standard in a library."""
        return (self.id, self.version)

    @property
    def label(self) -> str:
        """``id@version`` as shown to users."""
        return f"{self.id}@{self.version}"

    @property
    def default_language(self) -> str | None:
        """The first declared language, if any."""
        return self.languages[0] if self.languages else None

    @cached_property
    def items(self) -> dict[str, Item]:
        """Every item by id, in standard order."""
        return {item.id: item for section in self.sections for item in section.items}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        """The section of every item, by item id."""
        return {item.id: section for section in self.sections for item in section.items}

    @cached_property
    def fingerprint(self) -> str:
        """Short hash of the standard's content: changes whenever anything in it does."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def text(self, value: Text | None, lang: str | None = None) -> str:
        """A text of this standard in ``lang`` (falling back to the default language)."""
        return localize(value, lang, self.default_language)

    def grade_for(self, score: float, critical_failure: bool) -> str:
        """The grade of a rounded score (the lowest grade on a critical failure)."""
        if critical_failure:
            return self.grades[-1].grade
        for grade in self.grades:
            if grade.min <= score:
                return grade.grade
        return self.grades[-1].grade
