"""The standard file formats (``qaudit/standard@1`` and ``@2``) as typed, validating models.

These models are the single source of truth for standard files: they validate
what loaders read, they are what the scorer and renderers use, and they produce
the JSON Schema that ``qaudit schema standard`` prints for editors.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from .memo import Memo

STANDARD_SCHEMA = "qaudit/standard@1"
STANDARD_SCHEMA_V2 = "qaudit/standard@2"
STANDARD_SCHEMAS = (STANDARD_SCHEMA, STANDARD_SCHEMA_V2)
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
ITEM_TYPES = ("yes_no", "scale", "number", "choice", "multi_choice", "text", "date")
UNSCORED_TYPES = frozenset(("text", "date"))
"""Item types that are recorded but never scored."""

ItemType = Literal["yes_no", "scale", "number", "choice", "multi_choice", "text", "date"]
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
    """One scoring band of a ``number`` item: the first band whose bound holds for the value wins."""

    max: float | None = Field(None, description="Upper bound (inclusive); omit on the last, catch-all band.")
    under: float | None = Field(None, description="Upper bound (exclusive, @2); at most one of max and under.")
    score: float = Field(description="Item score in [0, 1] for values in this band.", ge=0, le=1)
    flag: bool | None = Field(None, description="@2: whether a value in this band is a finding.")

    @property
    def bound(self) -> float | None:
        """The band's upper bound, ``max`` or ``under`` alike."""
        return self.max if self.max is not None else self.under

    def holds(self, value: float) -> bool:
        """Whether ``value`` falls within this band's bound (the catch-all holds for every value)."""
        if self.max is not None:
            return value <= self.max
        if self.under is not None:
            return value < self.under
        return True


class Option(FileModel):
    """One answer of a ``choice`` or ``multi_choice`` item (or of a header field)."""

    value: str = Field(description="What the inspector writes; unique within the item.")
    score: float | None = Field(
        None, description="Item score in [0, 1] for this answer (required on scored items).", ge=0, le=1
    )
    label: Text | None = Field(None, description="What the inspector reads; defaults to the value.")
    flag: bool | None = Field(None, description="@2: whether this answer is a finding.")


_CONDITION_SCALAR = {"type": ["string", "number", "boolean"]}
ConditionValue = Annotated[
    str | list[str],
    # Files are read with every scalar as text, but editors read `is: yes` as a boolean and `is: 3`
    # as a number (YAML 1.1): the schema they validate against accepts those too.
    WithJsonSchema({"anyOf": [_CONDITION_SCALAR, {"type": "array", "items": _CONDITION_SCALAR}]}),
]


class Condition(FileModel):
    """A ``when`` condition (@2): on an earlier item's answer, or a combination of conditions."""

    item: str | None = Field(
        None, description="The id of an earlier item whose answer is tested.", pattern=SLUG_PATTERN
    )
    is_: ConditionValue | None = Field(None, alias="is", description="The answer equals one of these values.")
    is_not: ConditionValue | None = Field(None, description="The item is answered and `is` would be false.")
    min: float | None = Field(None, description="number and scale items: the answer is at least this.")
    max: float | None = Field(None, description="number and scale items: the answer is at most this.")
    all: list[Condition] | None = Field(None, description="Every condition holds.", min_length=1)
    any: list[Condition] | None = Field(None, description="At least one condition holds.", min_length=1)
    not_: Condition | None = Field(None, alias="not", description="The condition does not hold.")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [name for name, value in (("is", self.is_), ("is_not", self.is_not)) if value is not None]
        ranged = self.min is not None or self.max is not None
        combined = [
            name for name, value in (("all", self.all), ("any", self.any), ("not", self.not_)) if value is not None
        ]
        if self.item is not None:
            if combined:
                raise ValueError(f"a condition on 'item' cannot also have '{combined[0]}'; nest it under all/any")
            if len(tests) + ranged != 1:
                raise ValueError("a condition on an item needs exactly one test: 'is', 'is_not', or 'min'/'max'")
            return self
        if tests or ranged:
            raise ValueError("this condition tests an answer but names no 'item'; add 'item: <item id>'")
        if len(combined) != 1:
            raise ValueError("a condition is one of {item: ...}, {all: [...]}, {any: [...]} or {not: ...}")
        return self

    @property
    def values(self) -> list[str]:
        """The values of ``is`` or ``is_not`` as a list."""
        found = self.is_ if self.is_ is not None else self.is_not
        if found is None:
            return []
        return list(found) if isinstance(found, list) else [found]

    def items(self) -> list[str]:
        """Every item id this condition names, in order."""
        if self.item is not None:
            return [self.item]
        found: list[str] = []
        for part in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            found.extend(part.items())
        return found

    def describe(self) -> str:
        """The condition in words, for messages: ``'dining-mode' is drive-thru``."""
        if self.item is not None:
            if self.is_ is not None or self.is_not is not None:
                shown = " or ".join(self.values)
                verb = "is" if self.is_ is not None else "is not"
                return f"'{self.item}' {verb} {shown}"
            if self.min is not None and self.max is not None:
                return f"'{self.item}' is between {self.min:g} and {self.max:g}"
            if self.min is not None:
                return f"'{self.item}' is at least {self.min:g}"
            return f"'{self.item}' is at most {self.max:g}"
        if self.not_ is not None:
            return f"not ({self.not_.describe()})"
        parts = self.all if self.all is not None else self.any or []
        joiner = " and " if self.all is not None else " or "
        return joiner.join(f"({part.describe()})" for part in parts)


class Require(FileModel):
    """What a response must carry besides its value (@2)."""

    comment: Literal["never", "findings", "always"] = Field(
        "never", description="never | findings (when the answer is a finding) | always (whenever answered)."
    )
    evidence: Literal["never", "findings", "always"] = Field(
        "never", description="never | findings (when the answer is a finding) | always (whenever answered)."
    )


class Repeat(FileModel):
    """A section filled once per instance: a room, an area, a call (@2)."""

    min: int = Field(1, description="Fewest instances (at least 1).")
    max: int | None = Field(None, description="Most instances (at least min); no limit when left out.")
    label: Text | None = Field(None, description="What one instance is called, e.g. Room.")


class HeaderField(FileModel):
    """A header fact the inspector records once per audit, never scored (@2)."""

    id: str = Field(description="Slug, unique among the fields.", pattern=SLUG_PATTERN)
    text: Text = Field(description="What the inspector reads.")
    type: Literal["text", "number", "date", "choice"] = Field(description="text | number | date | choice")
    required: bool = Field(False, description="Whether every audit must give it.")
    options: list[Option] | str | None = Field(
        None, description="choice fields: the allowed values, or the name of an option set."
    )


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
    options: list[Option] | str | None = Field(
        None, description="choice and multi_choice items: the allowed answers, or the name of an option set (@2)."
    )
    scored: bool | None = Field(
        None, description="@2: false records the answer without scoring it (text and date items are never scored)."
    )
    required: bool | None = Field(None, description="@2, text and date items: false lets the answer be left out.")
    require: Require | None = Field(None, description="@2: a comment or evidence the response must carry.")
    flag_below: float | None = Field(
        None,
        description="@2: a scored answer below this item score is a finding (the standard's by default).",
        gt=0,
        le=1,
    )
    when: Condition | None = Field(None, description="@2: the item applies only when this condition holds.")

    @property
    def is_scored(self) -> bool:
        """Whether answers to this item count in scores."""
        return self.type not in UNSCORED_TYPES and self.scored is not False

    @property
    def is_required(self) -> bool:
        """Whether an applicable item must be answered (text and date items may opt out)."""
        return self.required is not False

    @property
    def choices(self) -> list[Option]:
        """The options of a choice or multi_choice item (option sets resolved when the standard loaded)."""
        return self.options if isinstance(self.options, list) else []

    @property
    def flag_mode(self) -> bool:
        """Whether any option or band says ``flag``: then only ``flag: true`` makes a finding."""
        return any(o.flag is not None for o in self.choices) or any(b.flag is not None for b in self.bands or ())

    def score_of(self, value: object) -> float:
        """Item score in [0, 1] of a value already checked to fit this (scored) item."""
        kind = self.type
        if kind == "yes_no":
            return 1.0 if value else 0.0
        if kind == "scale":
            assert self.min is not None and self.max is not None
            return (float(value) - self.min) / (self.max - self.min)  # type: ignore[arg-type]
        if kind == "number":
            return self.bands[self.band_index(value)].score  # type: ignore[index]
        if kind == "multi_choice":
            chosen = set(value)  # type: ignore[call-overload]
            total = sum(o.score or 0.0 for o in self.choices)
            return sum(o.score or 0.0 for o in self.choices if o.value in chosen) / total
        return self.option(str(value)).score or 0.0  # type: ignore[union-attr]

    def finding_of(self, value: object, score: float | None, standard_flag_below: float) -> bool:
        """Whether an answered (not N/A) response is a finding (contract 7.5), apart from critical failures."""
        if self.flag_mode:
            if self.type == "number":
                return bool(self.bands[self.band_index(value)].flag)  # type: ignore[index]
            if self.type == "multi_choice":
                chosen = set(value)  # type: ignore[call-overload]
                return any(o.flag for o in self.choices if o.value in chosen)
            option = self.option(str(value))
            return bool(option is not None and option.flag)
        if score is None or not self.is_scored:
            return False
        limit = self.flag_below if self.flag_below is not None else standard_flag_below
        return score < limit

    def band_index(self, value: object) -> int:
        """Index of the band a ``number`` value falls into (the last one if none matches)."""
        bands = self.bands or []
        number = float(value)  # type: ignore[arg-type]
        for index, band in enumerate(bands):
            if band.bound is not None and band.holds(number):
                return index
        return len(bands) - 1

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        for option in self.choices:
            if option.value == value:
                return option
        return None


class Section(FileModel):
    """A group of items with its own weight in the total."""

    id: str = Field(description="Slug, unique in the standard.", pattern=SLUG_PATTERN)
    title: Text
    weight: float = Field(1, description="Relative weight of the section in the total (> 0).", gt=0)
    items: list[Item] = Field(description="At least one item.", min_length=1)
    when: Condition | None = Field(None, description="@2: the section applies only when this condition holds.")
    repeat: Repeat | None = Field(None, description="@2: the section is filled once per instance (a room, a call).")


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

    schema_: Literal["qaudit/standard@1", "qaudit/standard@2"] = Field(
        alias="schema", description="qaudit/standard@1, or qaudit/standard@2 for the keys of contract v2."
    )
    id: str = Field(description="Slug naming the standard.", pattern=SLUG_PATTERN)
    version: int = Field(description="Positive integer; id + version identify one standard file.", gt=0)
    title: Text
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] | None = Field(
        None, description="Languages every text must cover; the first one is the default."
    )
    scoring: Literal["sections", "points"] = Field(
        "sections", description="@2: sections (weighted section scores) or points (earned / possible)."
    )
    pass_score: float | None = Field(
        80, description="Score needed to pass, 0..100; null (@2): no pass mark, passed is null.", ge=0, le=100
    )
    flag_below: float = Field(
        1, description="@2: a scored answer is a finding when its item score is below this.", gt=0, le=1
    )
    option_sets: dict[str, list[Option]] | None = Field(
        None, description="@2: shared answer lists by name; an item's options may name one."
    )
    fields: list[HeaderField] | None = Field(
        None, description="@2: header facts recorded once per audit, never scored."
    )
    grades: list[Grade] = Field(
        default_factory=lambda: list(DEFAULT_GRADES),
        description="Ordered best first; min strictly decreasing, the last one 0.",
        min_length=1,
    )
    critical_failure: Literal["fail_audit", "zero_score"] = Field(
        "fail_audit", description="What a failed critical item does to the score."
    )
    sections: list[Section] = Field(description="At least one section.", min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _resolve_option_sets(cls, data: Any) -> Any:
        """Items and fields naming an option set get its options (an unknown name stays a name for lint)."""
        if not isinstance(data, dict) or not isinstance(data.get("option_sets"), dict):
            return data
        sets = data["option_sets"]

        def resolve(node: Any) -> Any:
            if isinstance(node, dict) and isinstance(node.get("options"), str) and node["options"] in sets:
                return {**node, "options": sets[node["options"]]}
            return node

        data = dict(data)
        if isinstance(data.get("fields"), list):
            data["fields"] = [resolve(f) for f in data["fields"]]
        if isinstance(data.get("sections"), list):
            data["sections"] = [
                {**sec, "items": [resolve(i) for i in sec["items"]]}
                if isinstance(sec, dict) and isinstance(sec.get("items"), list)
                else sec
                for sec in data["sections"]
            ]
        return data

    @property
    def is_v2(self) -> bool:
        """Whether the file declares ``qaudit/standard@2``."""
        return self.schema_ == STANDARD_SCHEMA_V2

    @cached_property
    def plain(self) -> bool:
        """Whether the standard uses only what contract v1 has: no conditions, repeats, unscored or new types."""
        if self.scoring != "sections" or self.pass_score is None or self.flag_below != 1 or self.fields:
            return False
        for section in self.sections:
            if section.when is not None or section.repeat is not None:
                return False
            for item in section.items:
                if (
                    item.type not in ("yes_no", "scale", "number", "choice")
                    or item.when is not None
                    or item.scored is not None
                    or item.require is not None
                    or item.flag_below is not None
                    or item.flag_mode
                    or any(b.under is not None for b in item.bands or ())
                ):
                    return False
        return True

    @cached_property
    def memo(self) -> Memo:
        """Answers to this standard's items already read and scored (see :class:`Memo`)."""
        return Memo()

    @cached_property
    def field_map(self) -> dict[str, HeaderField]:
        """The header fields by id."""
        return {f.id: f for f in self.fields or ()}

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
    def conditional(self) -> bool:
        """Whether any section or item applies only under a ``when`` condition."""
        return any(s.when is not None or any(i.when is not None for i in s.items) for s in self.sections)

    @cached_property
    def top_item_ids(self) -> tuple[str, ...]:
        """The ids of the items outside repeated sections, in standard order."""
        return tuple(item.id for section in self.sections if section.repeat is None for item in section.items)

    @cached_property
    def answer_keys(self) -> dict[str, None]:
        """The keys an audit's ``responses`` may hold: the ids of the items outside repeated sections,
        then those of the repeated sections (in standard order)."""
        repeated = [section.id for section in self.sections if section.repeat is not None]
        return dict.fromkeys([*self.top_item_ids, *repeated])

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
