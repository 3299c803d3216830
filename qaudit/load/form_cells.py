"""What writing and reading an Excel audit form share: the sheet layout, the words of the
catalogue a form shows, and how an answer is written in or read from a cell.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from ..i18n import LANGUAGES
from ..i18n import words as catalogue_words
from ..model.audit import safe_name
from ..model.standard import Item, Standard
from ..problems import InvalidInput, Problem, error

FORM_SCHEMA = "qaudit/form@1"
AUDIT_SHEET = "Audit"
META_SHEET = "qaudit"
HEADER_ROW = 10
COLUMNS = ("ID", "Section", "Item", "Guidance", "Allowed answers", "Response", "Comment")
MAX_FORM_ROWS = 5000
HEADER_SEARCH_ROWS = 200
"""How far down the sheet the table's header row is looked for (rows may be inserted above it)."""

HEADER_KEYS = ("standard", "version", "site", "inspector", "date", "language")
"""The header block's labels (column A), as keys of the catalogue (:mod:`qaudit.i18n`)."""


def answer_words(lang: str | None) -> tuple[str, str, str]:
    """The yes, no and N/A a yes/no dropdown offers in ``lang`` (English is always accepted too)."""
    table = catalogue_words(lang)
    return table["answer_yes"], table["answer_no"], table["answer_na"]


def header_labels(lang: str | None) -> tuple[str, ...]:
    """The labels of the header block (standard, version, site, inspector, date, language) in ``lang``."""
    table = catalogue_words(lang)
    return tuple(table[key] for key in HEADER_KEYS)


def form_labels(lang: str) -> tuple[str, ...]:
    """The header block's labels, then the line that says what to fill in."""
    return (*header_labels(lang), catalogue_words(lang)["form_instruction"])


_FORMULA_START = ("=", "+", "@")
# LibreOffice saves a TRUE or FALSE typed into a cell as these formulas: they are constants,
# read as such; any other formula is refused.
LITERAL_FORMULAS = {"=TRUE()": True, "=FALSE()": False}


# Cursor keys typed in a terminal without line editing arrive as escape sequences.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-9;?]*[@-~]|O[@-~])?")


def clean_text(text: str) -> str:
    """A comment or name without control characters (which an audit file may not hold)."""
    from ..io.source import CONTROL_CHARACTERS

    return CONTROL_CHARACTERS.sub("", _ESCAPE_SEQUENCE.sub("", text))


def cell_name(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def put_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write a cell; a text that starts with '=' stays text (a standard's words are never a formula)."""
    cell = sheet.cell(row, column)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def allowed_answers(item: Item, standard: Standard, lang: str) -> list[str]:
    """The answers a form's dropdown offers for ``item`` (only N/A, if allowed, for free numbers)."""
    yes, no, na = answer_words(lang)
    tail = [na] if item.na_allowed else []
    if item.type == "yes_no":
        return [yes, no, *tail]
    if item.type == "scale":
        return [str(v) for v in range((item.min or 0), (item.max or 0) + 1)] + tail
    if item.type == "choice":
        return [standard.text(o.label, lang) if o.label is not None else o.value for o in item.choices] + tail
    return tail


def column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def cell_problem(path: str, row: int, column: int, rule: str, message: str) -> Problem:
    return error(path, row, column, rule, f"cell {AUDIT_SHEET}!{cell_name(row, column)}: {message}")


def raw_cell(value: Any) -> Any:
    """A cell value as the text an inspector would have typed in YAML."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_id(path: str) -> str:
    """The audit id a form's file name gives; raises :class:`InvalidInput` when it gives none."""
    # Spreadsheet files get names like "Visit form (2).xlsx": the id is the name with every run of
    # other characters made a '-', as an inspector cannot add an id to a form the way a YAML file can.
    stem = os.path.splitext(os.path.basename(path))[0]
    audit_id = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    if not safe_name(audit_id):
        raise InvalidInput(
            [error(path, 1, 1, "invalid-id", f"the file name gives the unsafe audit id '{stem}'; rename the file")]
        )
    return audit_id


def cell_text(value: Any) -> str:
    """A cell's value as stripped text ('' for an empty cell)."""
    return "" if value is None else str(value).strip()


def shown_cell(value: Any) -> str:
    return repr(value if isinstance(value, (str, int, float)) else cell_text(value))


def is_formula(value: Any) -> bool:
    """Whether a cell (read with formulas, not cached values) holds a formula of any kind."""
    if isinstance(value, str):
        return value.startswith(_FORMULA_START)
    # Array and data-table formulas come back as objects, not as text.
    return value is not None and not isinstance(value, (bool, int, float, dt.date, dt.time, dt.timedelta))


def fold_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def answer_text(item: Item, raw: str) -> str:
    """What the YAML reader accepts for a typed or chosen answer: option labels and localised words
    become option values, ``yes``/``no``/``na`` (only this item's own words, so that a label never
    stands for another item's option)."""
    if item.type == "choice" and item.option(raw.strip()) is not None:
        return raw.strip()
    folded = fold_text(raw)
    if item.type == "choice":
        for option in item.choices:
            label = option.label
            texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
            if folded == fold_text(option.value) or folded in (fold_text(t) for t in texts):
                return option.value
    for yes, no, na in (answer_words(lang) for lang in LANGUAGES):
        if folded == fold_text(na):
            return "na"
        if item.type == "yes_no" and folded == fold_text(yes):
            return "yes"
        if item.type == "yes_no" and folded == fold_text(no):
            return "no"
    return raw


def labels_hint(item: Item, standard: Standard, lang: str) -> str:
    """For a choice item, the dropdown's labels too (the inspector sees labels, not values)."""
    if item.type != "choice" or not any(o.label is not None for o in item.choices):
        return ""
    return f" (or the labels: {', '.join(allowed_answers(item, standard, lang))})"


def cell_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --- Forms v2 (contract section 8) ---------------------------------------------------------------

FORM_SCHEMA_V2 = "qaudit/form@2"
COLUMNS_V2 = ("ID", "Section", "Item", "Guidance", "Allowed answers", "Instance", "Response", "Comment", "Evidence")
WIDTHS_V2 = (20, 16, 42, 36, 26, 12, 20, 30, 20)
FIELD_PREFIX = "field:"
SUBJECT_ID = "audit:subject"
COMMENT_ID = "audit:comment"
V2_NOTE = (
    "Repeated blocks: write the label (the room number, the call id) in Instance; a block left empty is ignored. "
    "Several answers: separate them with commas, [] for none. Evidence: file names separated by commas."
)


def split_values(text: str) -> list[str]:
    """The values of a multi-select cell: ``a, b`` or ``[a, b]``; ``[]`` is none."""
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    return [part.strip().strip("'\"").strip() for part in body.split(",") if part.strip().strip("'\"").strip()]


def option_value(item: Item, text: str) -> str:
    """An option's value for its value or its label (in any language); the text itself when neither."""
    folded = fold_text(text)
    for option in item.choices:
        label = option.label
        texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
        if folded == fold_text(option.value) or folded in (fold_text(t) for t in texts):
            return option.value
    return text
