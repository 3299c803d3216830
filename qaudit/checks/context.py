"""What a semantic rule sees: a structurally valid standard and where each of its nodes is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..io.yamlsrc import Document, Path
from ..model.standard import Condition, Item, Standard, Text
from ..problems import Problem, error, warning


@dataclass(frozen=True)
class Context:
    """What a semantic rule sees: a structurally valid standard and where its nodes stand."""

    standard: Standard
    doc: Document

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at ``path`` (or its nearest written ancestor)."""
        return self.doc.at(path, key=key)

    def error(self, path: Path, rule: str, message: str, *, key: bool = False) -> Problem:
        """An error located at ``path``."""
        line, col = self.at(path, key=key)
        return error(self.doc.file, line, col, rule, message)

    def warning(self, path: Path, rule: str, message: str, *, key: bool = False) -> Problem:
        """A warning located at ``path``."""
        line, col = self.at(path, key=key)
        return warning(self.doc.file, line, col, rule, message)

    def raw(self, path: Path) -> Any:
        """The value written at ``path`` in the file (None when it is not there)."""
        node: Any = self.doc.data
        for part in path:
            found = (isinstance(node, dict) and isinstance(part, str) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            )
            if not found:
                return None
            node = node[part]
        return node

    def written(self, path: Path) -> bool:
        """Whether the file writes the key at the end of ``path`` (whatever its value, null included)."""
        parent = self.raw(path[:-1])
        return isinstance(parent, dict) and path[-1] in parent

    def set_name(self, path: Path) -> str | None:
        """The option set an item or field at ``path`` names in ``options``, if it names one."""
        options = self.raw(path + ("options",))
        return str(options) if isinstance(options, str) else None

    def texts(self) -> Iterator[tuple[Path, Text, str]]:
        """Every text of the standard with its path and a name for messages.

        Options taken from an option set are yielded once, where the set defines them.
        """
        std = self.standard
        yield ("title",), std.title, "the standard's title"
        for name, options in (std.option_sets or {}).items():
            for oi, option in enumerate(options):
                if option.label is not None:
                    yield (
                        ("option_sets", name, oi, "label"),
                        option.label,
                        f"the label of option '{option.value}' of option set '{name}'",
                    )
        for fi, header in enumerate(std.fields or ()):
            fb: Path = ("fields", fi)
            yield fb + ("text",), header.text, f"the text of field '{header.id}'"
            if self.set_name(fb) is None and isinstance(header.options, list):
                for oi, option in enumerate(header.options):
                    if option.label is not None:
                        yield (
                            fb + ("options", oi, "label"),
                            option.label,
                            f"the label of option '{option.value}' of field '{header.id}'",
                        )
        for si, section in enumerate(std.sections):
            base: Path = ("sections", si)
            yield base + ("title",), section.title, f"the title of section '{section.id}'"
            if section.repeat is not None and section.repeat.label is not None:
                yield (
                    base + ("repeat", "label"),
                    section.repeat.label,
                    f"the instance label of section '{section.id}'",
                )
            for ii, item in enumerate(section.items):
                ib = base + ("items", ii)
                yield ib + ("text",), item.text, f"the text of item '{item.id}'"
                if item.guidance is not None:
                    yield ib + ("guidance",), item.guidance, f"the guidance of item '{item.id}'"
                if self.set_name(ib) is not None:
                    continue
                for oi, option in enumerate(item.choices):
                    if option.label is not None:
                        yield (
                            ib + ("options", oi, "label"),
                            option.label,
                            f"the label of option '{option.value}' of item '{item.id}'",
                        )

    def items(self) -> Iterator[tuple[Path, Item]]:
        """Every item with its path."""
        for si, section in enumerate(self.standard.sections):
            for ii, item in enumerate(section.items):
                yield ("sections", si, "items", ii), item

    def positions(self) -> dict[str, tuple[int, int]]:
        """Every item id with its place in standard order and its section's index (first of duplicates)."""
        found: dict[str, tuple[int, int]] = {}
        for si, section in enumerate(self.standard.sections):
            for item in section.items:
                found.setdefault(item.id, (len(found), si))
        return found

    def conditions(self) -> Iterator[ConditionAt]:
        """Every condition on an item (``{item: ...}``) with its path and what it belongs to."""
        for si, section in enumerate(self.standard.sections):
            if section.when is not None:
                yield from _leaves(section.when, ("sections", si, "when"), si, None)
            for ii, item in enumerate(section.items):
                if item.when is not None:
                    yield from _leaves(item.when, ("sections", si, "items", ii, "when"), si, item)


@dataclass(frozen=True)
class ConditionAt:
    """A condition on one item's answer, where it is written and what it belongs to."""

    path: Path
    condition: Condition
    section: int
    """Index of the section the condition belongs to (its own or its item's)."""
    owner: Item | None
    """The item whose ``when`` holds it; None for a section's ``when``."""


def _leaves(condition: Condition, path: Path, section: int, owner: Item | None) -> Iterator[ConditionAt]:
    if condition.item is not None:
        yield ConditionAt(path, condition, section, owner)
        return
    for key, parts in (("all", condition.all), ("any", condition.any)):
        for index, part in enumerate(parts or ()):
            yield from _leaves(part, path + (key, index), section, owner)
    if condition.not_ is not None:
        yield from _leaves(condition.not_, path + ("not",), section, owner)
