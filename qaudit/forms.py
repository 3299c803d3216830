"""Excel audit forms: written by ``qaudit form``, read wherever an audit file is accepted.

Sheet ``Audit`` holds a header block (standard, version, site, inspector, date,
language) and a table whose header row has the cells ``ID``, ``Section``,
``Item``, ``Guidance``, ``Allowed answers``, ``Response`` and ``Comment``, one
row per item. Each ``Response`` cell has a dropdown (or a number check) that
fits its item; everything but the input cells is protected; the sheet prints on
A4 with the header row repeated. A hidden sheet ``qaudit`` carries the standard
id, version and the fingerprint of the standard's content, so a filled form is
checked against the exact version it was made from, and the dropdown lists.

A formula typed into a response cell is refused, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import warnings
from typing import Any, NamedTuple

from . import i18n
from .audits import Audit, Response, read_value, safe_name
from .model import SLUG_PATTERN, Item, Standard
from .problems import InvalidInput, Problem, error
from .standards import StandardLibrary
from .validation import did_you_mean

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
    table = i18n.words(lang)
    return table["answer_yes"], table["answer_no"], table["answer_na"]


def header_labels(lang: str | None) -> tuple[str, ...]:
    """The labels of the header block (standard, version, site, inspector, date, language) in ``lang``."""
    table = i18n.words(lang)
    return tuple(table[key] for key in HEADER_KEYS)


def _form_labels(lang: str) -> tuple[str, ...]:
    """The header block's labels, then the line that says what to fill in."""
    return (*header_labels(lang), i18n.words(lang)["form_instruction"])


_FORMULA_START = ("=", "+", "@")
# LibreOffice saves a TRUE or FALSE typed into a cell as these formulas: they are constants,
# read as such; any other formula is refused.
_LITERAL_FORMULAS = {"=TRUE()": True, "=FALSE()": False}


# Cursor keys typed in a terminal without line editing arrive as escape sequences.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-9;?]*[@-~]|O[@-~])?")


def clean_text(text: str) -> str:
    """A comment or name without control characters (which an audit file may not hold)."""
    from .source import CONTROL_CHARACTERS

    return CONTROL_CHARACTERS.sub("", _ESCAPE_SEQUENCE.sub("", text))


def _cell_name(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
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


def write_form(
    standard: Standard,
    *,
    site: str,
    inspector: str,
    date: dt.date,
    lang: str | None = None,
    instances: int | None = None,
) -> bytes:
    """An Excel audit form for ``standard``, as the bytes of an .xlsx file.

    A ``qaudit/standard@2`` standard gets the layout of Forms v2 (:func:`write_form_v2`), with
    ``instances`` blank blocks per repeated section (default: the section's ``min``).
    """
    if standard.is_v2:
        return write_form_v2(standard, site=site, inspector=inspector, date=date, lang=lang, instances=instances)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = lang or standard.default_language or "en"
    labels = _form_labels(lang)
    site, inspector = clean_text(site), clean_text(inspector)  # a worksheet cannot hold control characters
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = AUDIT_SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)

    _put(ws, 1, 1, standard.text(standard.title, lang))
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:G1")
    header = [
        (labels[0], standard.id, False),
        (labels[1], standard.version, False),
        (labels[2], site, True),
        (labels[3], inspector, True),
        (labels[4], date, True),
        (labels[5], lang, False),
    ]
    for offset, (label, value, editable) in enumerate(header):
        row = 2 + offset
        ws.cell(row, 1, label).font = bold
        cell = _put(ws, row, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(horizontal="left")
        if editable:
            cell.protection = unlocked
            cell.fill = input_fill
    ws.cell(8, 1, labels[6]).font = Font(italic=True)
    ws.merge_cells("A8:G8")

    for column, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, column, name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")

    meta.append(["key", "value"])
    for key, value in (
        ("schema", FORM_SCHEMA),
        ("standard", standard.id),
        ("version", standard.version),
        ("fingerprint", standard.fingerprint),
        ("language", lang),
    ):
        meta.append([key, value])
    list_column = 4  # dropdown lists live in the hidden sheet from column D on
    row = HEADER_ROW
    for section in standard.sections:
        for item in section.items:
            row += 1
            answers = allowed_answers(item, standard, lang)
            shown = ", ".join(answers)
            if item.type == "number":
                unit = f" ({item.unit})" if item.unit else ""
                shown = f"number{unit}" + (f", {answers[0]}" if answers else "")
            values = [
                item.id,
                standard.text(section.title, lang),
                standard.text(item.text, lang) + ("  [CRITICAL]" if item.critical else ""),
                standard.text(item.guidance, lang),
                shown,
            ]
            for column, value in enumerate(values, start=1):
                _put(ws, row, column, value).alignment = wrap
            for column in (6, 7):
                cell = ws.cell(row, column)
                cell.protection = unlocked
                cell.fill = input_fill
                cell.alignment = wrap
            response = _cell_name(row, 6)
            if item.type == "number":
                na = answers[0] if answers else None
                check = f"ISNUMBER({response})" + (f',{response}="{na}"' if na else "")
                validation = DataValidation(type="custom", formula1=f"OR({check})", allow_blank=True)
                validation.error = "Type a number" + (f" or {na}" if na else "")
            else:
                letter = _column_letter(list_column)
                for offset, answer in enumerate(answers, start=1):
                    # Scale steps are numbers, so that a number typed by hand matches the list.
                    number = item.type == "scale" and re.fullmatch(r"-?\d+", answer)
                    _put(meta, offset + 10, list_column, int(answer) if number else answer)
                span = f"{META_SHEET}!${letter}${11}:${letter}${10 + len(answers)}"
                meta.cell(10, list_column, item.id)
                list_column += 1
                # Stored as Excel stores it: a reference without a leading '='.
                validation = DataValidation(type="list", formula1=span, allow_blank=True)
                validation.error = f"Choose one of: {', '.join(answers)}"
            validation.errorTitle = item.id
            validation.showErrorMessage = True
            ws.add_data_validation(validation)
            validation.add(response)

    for letter, width in zip("ABCDEFG", (22, 20, 48, 40, 24, 16, 36), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.gridLines = True
    # The hidden sheet carries the fingerprint and the lists: it is locked too, and so is the
    # workbook's structure, so that it cannot be unhidden and edited by accident.
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _problem(path: str, row: int, column: int, rule: str, message: str) -> Problem:
    return error(path, row, column, rule, f"cell {AUDIT_SHEET}!{_cell_name(row, column)}: {message}")


def _raw(value: Any) -> Any:
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


MAX_FORM_UNPACKED = 64 * 1024 * 1024
"""The most a form may unpack to: a filled form of 2,000 items unpacks to a few megabytes."""


def _refuse_bomb(path: str, data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than any form could (a zip bomb), before opening it."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: opening it says so
    if unpacked > MAX_FORM_UNPACKED:
        raise InvalidInput(
            [
                error(
                    path,
                    1,
                    1,
                    "file-too-large",
                    f"unpacks to {unpacked:,} bytes, more than any audit form ({MAX_FORM_UNPACKED:,}); "
                    "make the form again with 'qaudit form'",
                )
            ]
        )


def _refuse_dtd(path: str, data: bytes) -> None:
    """Refuse a workbook any part of which declares a DTD: no spreadsheet program writes one, and
    its entities are how XML is made to expand, or to reach outside the file."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        if b"<!DOCTYPE" in tail + chunk:
                            raise InvalidInput([_damaged(path, f"its part {info.filename} holds a DTD")])
                        tail = chunk[-8:]
    except InvalidInput:
        raise
    except Exception:  # a damaged archive raises many kinds (zlib, zipfile, CRC): opening it says so
        return


def _damaged(path: str, why: str) -> Problem:
    return error(
        path,
        1,
        1,
        "unreadable",
        f"the form is damaged ({why}); save it again from Excel, or make a new one with 'qaudit form'",
    )


def read_form(path: str, library: StandardLibrary, data: bytes | None = None) -> Audit:
    """Read a filled form as an audit; raise :class:`InvalidInput` with cell-located problems.

    ``data``: the file's bytes when the caller has read them (the cache hashes what is scored).
    """
    from openpyxl import load_workbook

    from .source import read_bytes

    if data is None:
        data = read_bytes(path)
    _refuse_bomb(path, data)
    _refuse_dtd(path, data)
    try:
        with warnings.catch_warnings():  # e.g. dates out of range: the cells are checked below, located
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(
            [
                error(
                    path,
                    1,
                    1,
                    "unreadable",
                    f"is not a readable .xlsx workbook ({type(exc).__name__}); save it again from Excel",
                )
            ]
        ) from None
    try:
        with warnings.catch_warnings():  # cells are read lazily: the same warnings may come here
            warnings.simplefilter("ignore")
            return _read(path, wb, library)
    finally:
        wb.close()


def _read(path: str, wb: Any, library: StandardLibrary) -> Audit:
    if AUDIT_SHEET not in wb.sheetnames:
        raise InvalidInput(
            [error(path, 1, 1, "not-a-form", f"has no sheet '{AUDIT_SHEET}'; make the form with 'qaudit form'")]
        )
    sheet = wb[AUDIT_SHEET]
    try:  # the sheets' XML is read here, lazily: a part cut short or broken fails only now
        rows = list(sheet.iter_rows(min_row=1, max_row=MAX_FORM_ROWS, values_only=True))
        meta = _meta(wb)
    except Exception as exc:  # openpyxl and the XML parsers raise many kinds for a damaged part
        raise InvalidInput([_damaged(path, f"a sheet cannot be read: {type(exc).__name__}")]) from None
    header_row, columns = _find_header(rows)
    if header_row is None:
        raise InvalidInput(
            [
                error(
                    path,
                    1,
                    1,
                    "not-a-form",
                    f"sheet {AUDIT_SHEET} has no header row with ID, Response and Comment cells",
                )
            ]
        )
    block = _header_block(rows, header_row)
    standard_row, standard_cell = block[0]
    version_row, version_cell = block[1]
    standard_id = meta.get("standard") or standard_cell
    version_raw = meta.get("version") or version_cell
    try:
        version = int(str(version_raw))
    except ValueError:
        raise InvalidInput(
            [_problem(path, version_row, 2, "wrong-type", f"the standard version {version_raw!r} is not a number")]
        ) from None
    standard = library.get(str(standard_id), version)
    if standard is None:
        versions = ", ".join(map(str, library.versions(str(standard_id)))) or "none"
        raise InvalidInput(
            [
                _problem(
                    path,
                    standard_row,
                    2,
                    "unknown-standard",
                    f"{standard_id} version {version} is not loaded (loaded versions: {versions})",
                )
            ]
        )
    problems: list[Problem] = []
    fingerprint = meta.get("fingerprint")
    if fingerprint and fingerprint != standard.fingerprint:
        problems.append(
            error(
                path,
                1,
                1,
                "form-outdated",
                f"this form was made from a different content of {standard.label} (fingerprint {fingerprint}, "
                f"now {standard.fingerprint}); the standard changed since: make a new form with 'qaudit form'",
            )
        )
    lang = str(meta.get("language") or standard.default_language or "en")
    (site_row, site), (inspector_row, inspector), (date_row, date_value) = block[2], block[3], block[4]
    site_text = _text(site)
    inspector_text = _text(inspector)
    if not site_text:
        problems.append(_problem(path, site_row, 2, "missing-key", "the site is empty; type the site id"))
    elif not re.fullmatch(SLUG_PATTERN, site_text):
        problems.append(
            _problem(
                path,
                site_row,
                2,
                "invalid-value",
                f"the site {site_text!r} is not a site id; use lowercase letters, digits, '.', '_' and '-'",
            )
        )
    if not inspector_text:
        problems.append(_problem(path, inspector_row, 2, "missing-key", "the inspector is empty; type your name"))
    day = _date(date_value)
    if day is None:
        problems.append(
            _problem(
                path, date_row, 2, "wrong-type", f"the date {_shown(date_value)} is not a date; type it as YYYY-MM-DD"
            )
        )
    if standard.is_v2:
        return _read_v2(
            path,
            rows,
            header_row,
            standard,
            lang,
            problems,
            Visit(site_text, clean_text(inspector_text), day),
        )
    responses: dict[str, Response] = {}
    seen_rows: dict[str, int] = {}
    id_col, response_col, comment_col = columns
    for offset, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        item_id = row[id_col] if id_col < len(row) else None
        cell = row[response_col] if response_col < len(row) else None
        comment = row[comment_col] if comment_col is not None and comment_col < len(row) else None
        if _text(item_id) == "":
            if _text(cell) != "" or _text(comment) != "":
                problems.append(
                    _problem(
                        path,
                        offset,
                        id_col + 1,
                        "missing-key",
                        "this row has an answer but no item ID; put the item's ID back (or clear the row)",
                    )
                )
            continue
        item_id = _text(item_id)
        item = standard.items.get(item_id)
        if item is None:
            problems.append(
                _problem(path, offset, id_col + 1, "unknown-item", f"'{item_id}' is not an item of {standard.label}")
            )
            continue
        if item_id in seen_rows:
            problems.append(
                _problem(
                    path,
                    offset,
                    id_col + 1,
                    "duplicate-key",
                    f"item '{item_id}' is listed again (first in row {seen_rows[item_id]})",
                )
            )
            continue
        seen_rows[item_id] = offset
        cell = _LITERAL_FORMULAS.get(cell.strip().upper(), cell) if isinstance(cell, str) else cell
        if _is_formula(cell):
            problems.append(
                _problem(
                    path,
                    offset,
                    response_col + 1,
                    "formula",
                    "holds a formula; formulas are never evaluated: type the answer itself",
                )
            )
            continue
        raw = _raw(cell)
        if isinstance(raw, str):
            raw = answer_text(item, raw)
        value, na, message = read_value(item, raw)
        if message is not None:
            if _text(raw) == "":
                rule = "missing-response"
            else:
                rule = "na-not-allowed" if "N/A" in message else "invalid-value"
                message += _labels_hint(item, standard, lang)
            problems.append(_problem(path, offset, response_col + 1, rule, message))
            continue
        if _is_formula(comment) and not isinstance(comment, str):
            problems.append(
                _problem(path, offset, (comment_col or 0) + 1, "formula", "holds a formula; type the comment as text")
            )
            continue
        # A comment that starts with '=' is kept as the text it is, never evaluated.
        text = clean_text(_raw(comment)) if _text(comment) != "" else None
        responses[item_id] = Response(value, na, text)
    missing = [item_id for item_id in standard.items if item_id not in seen_rows]
    if missing:
        problems.append(
            _problem(
                path, header_row + 1, id_col + 1, "missing-response", f"no row for items {', '.join(missing)}; add them"
            )
        )
    if not problems and all(r.na for r in responses.values()):
        problems.append(error(path, 1, 1, "nothing-scored", "every item is N/A, so the audit has no score"))
    if problems:
        raise InvalidInput(problems)
    assert day is not None
    audit_id = _form_id(path)
    return Audit(
        id=audit_id,
        file=path,
        standard=standard.id,
        standard_version=standard.version,
        site=site_text,
        inspector=clean_text(inspector_text),
        date=day,
        responses={k: responses[k] for k in standard.items if k in responses},
        language=lang,
        source="xlsx",
    )


def _form_id(path: str) -> str:
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


def _text(value: Any) -> str:
    """A cell's value as stripped text ('' for an empty cell)."""
    return "" if value is None else str(value).strip()


def _shown(value: Any) -> str:
    return repr(value if isinstance(value, (str, int, float)) else _text(value))


def _is_formula(value: Any) -> bool:
    """Whether a cell (read with formulas, not cached values) holds a formula of any kind."""
    if isinstance(value, str):
        return value.startswith(_FORMULA_START)
    # Array and data-table formulas come back as objects, not as text.
    return value is not None and not isinstance(value, (bool, int, float, dt.date, dt.time, dt.timedelta))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def answer_text(item: Item, raw: str) -> str:
    """What the YAML reader accepts for a typed or chosen answer: option labels and localised words
    become option values, ``yes``/``no``/``na`` (only this item's own words, so that a label never
    stands for another item's option)."""
    if item.type == "choice" and item.option(raw.strip()) is not None:
        return raw.strip()
    folded = _fold(raw)
    if item.type == "choice":
        for option in item.choices:
            label = option.label
            texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
            if folded == _fold(option.value) or folded in (_fold(t) for t in texts):
                return option.value
    for yes, no, na in (answer_words(lang) for lang in i18n.LANGUAGES):
        if folded == _fold(na):
            return "na"
        if item.type == "yes_no" and folded == _fold(yes):
            return "yes"
        if item.type == "yes_no" and folded == _fold(no):
            return "no"
    return raw


def _labels_hint(item: Item, standard: Standard, lang: str) -> str:
    """For a choice item, the dropdown's labels too (the inspector sees labels, not values)."""
    if item.type != "choice" or not any(o.label is not None for o in item.choices):
        return ""
    return f" (or the labels: {', '.join(allowed_answers(item, standard, lang))})"


def _meta(wb: Any) -> dict[str, Any]:
    if META_SHEET not in wb.sheetnames:
        return {}
    found: dict[str, Any] = {}
    for row in wb[META_SHEET].iter_rows(min_row=2, max_row=9, max_col=2, values_only=True):
        if row and row[0]:
            found[str(row[0])] = row[1]
    return found


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int | None, tuple[int, int, int | None]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [str(v).strip() if v is not None else "" for v in row]
        if "ID" in names and "Response" in names:
            comment = names.index("Comment") if "Comment" in names else None
            return index, (names.index("ID"), names.index("Response"), comment)
    return None, (0, 0, None)


def _header_block(rows: list[tuple[Any, ...]], header_row: int) -> list[tuple[int, Any]]:
    """(sheet row, value) of the standard, version, site, inspector, date and language cells.

    Each is found by its label in column A (in any form language), so that rows inserted above
    the table do not shift them; a label not found falls back to the row the form put it in.
    """
    found: dict[int, tuple[int, Any]] = {}
    for index, row in enumerate(rows[:header_row]):
        label = _fold(str(row[0])) if row and row[0] is not None else ""
        for labels in (header_labels(lang) for lang in i18n.LANGUAGES):
            for key, name in enumerate(labels[:6]):
                if label == _fold(name) and key not in found:
                    found[key] = (index + 1, row[1] if len(row) > 1 else None)
    block = []
    for key in range(6):
        if key in found:
            block.append(found[key])
        else:
            row = rows[1 + key] if len(rows) > 1 + key else ()
            block.append((2 + key, row[1] if len(row) > 1 else None))
    return block


def _date(value: Any) -> dt.date | None:
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


def audit_yaml(audit: Audit, standard: Standard) -> str:
    """An audit as a YAML file (``qaudit/audit@1``, or ``@2`` for a ``@2`` standard), with the item
    texts as comments."""
    from . import yamlwrite

    lang = audit.language or standard.default_language
    if standard.is_v2:
        return yamlwrite.document(
            [
                f"# {yamlwrite.comment(f'{standard.text(standard.title, lang)} ({standard.label})')}",
                *yamlwrite.header_lines(
                    audit_id=audit.id,
                    standard=standard.id,
                    version=standard.version,
                    site=audit.site,
                    inspector=audit.inspector,
                    date=audit.date.isoformat(),
                    language=audit.language,
                    schema="qaudit/audit@2",
                ),
                *yamlwrite.audit_lines(
                    standard,
                    lang=lang,
                    responses=audit.responses,
                    instances={k: [(i.label, i.responses) for i in v] for k, v in audit.instances.items()},
                    fields=audit.fields,
                    subject=audit.subject,
                    comment=audit.comment,
                ),
            ]
        )
    lines = [
        f"# {yamlwrite.comment(f'{standard.text(standard.title, lang)} ({standard.label})')}",
        *yamlwrite.header_lines(
            audit_id=audit.id,
            standard=standard.id,
            version=standard.version,
            site=audit.site,
            inspector=audit.inspector,
            date=audit.date.isoformat(),
            language=audit.language,
        ),
    ]
    lines.append("responses:")
    for item_id, item in standard.items.items():
        lines.append(f"  # {yamlwrite.comment(standard.text(item.text, lang))}")
        lines.append(yamlwrite.response_line(item, audit.responses[item_id]))
    return yamlwrite.document(lines)


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
_LINE_HEIGHT = 15.0


def _row_height(values: list[tuple[str, float]]) -> float:
    """A row height (points) that shows every wrapped text of the row in full."""
    import math

    lines = 1
    for text, width in values:
        per_line = max(4, int(width * 0.9) - 1)  # conservative: wide letters and word breaks waste room
        count = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return lines * _LINE_HEIGHT + 3


def _hint(item: Item, standard: Standard, lang: str, condition: str | None) -> str:
    """What the ``Allowed answers`` cell of an item says."""
    answers = allowed_answers(item, standard, lang)
    if item.type == "number":
        unit = f" ({item.unit})" if item.unit else ""
        shown = f"number{unit}" + (f", {answers[0]}" if answers else "")
    elif item.type == "multi_choice":
        options = (
            o.value + (f" ({standard.text(o.label, lang)})" if o.label is not None else "") for o in item.choices
        )
        shown = "any of, separated by commas ([] for none): " + ", ".join(options)
    elif item.type == "text":
        shown = "free text" + ("" if item.is_required else "; may stay empty")
    elif item.type == "date":
        shown = "date YYYY-MM-DD" + ("" if item.is_required else "; may stay empty")
    else:
        shown = ", ".join(answers)
    notes = []
    if not item.is_scored and item.type not in ("text", "date"):
        notes.append("not scored")
    if item.require is not None:
        for what in ("comment", "evidence"):
            need = getattr(item.require, what)
            if need != "never":
                notes.append(f"{what} required {'on a finding' if need == 'findings' else 'always'}")
    if condition is not None:
        notes.append(f"{condition}; otherwise leave it empty")
    return shown + "".join(f"\n{n}" for n in notes)


def write_form_v2(
    standard: Standard,
    *,
    site: str,
    inspector: str,
    date: dt.date,
    lang: str | None = None,
    instances: int | None = None,
) -> bytes:
    """An Excel audit form of Forms v2 (contract section 8) for a ``@2`` standard.

    The table's header row holds ``ID``, ``Section``, ``Item``, ``Guidance``, ``Allowed answers``,
    ``Instance``, ``Response``, ``Comment`` and ``Evidence``. Header fields are rows ``field:<id>``,
    then ``audit:subject``; the items follow in standard order, a repeated section as ``instances``
    blocks (default its ``min``) of one row per item; ``audit:comment`` is the last row.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    from .blank import condition_note, describe_field, instance_count

    lang = lang or standard.default_language or "en"
    labels = _form_labels(lang)
    table = i18n.words(lang)
    words = (table["header"], table["subject_question"], table["form_overall_comment"])
    site, inspector = clean_text(site), clean_text(inspector)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = AUDIT_SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    last_letter = _column_letter(len(COLUMNS_V2))
    col = {name: index for index, name in enumerate(COLUMNS_V2, start=1)}

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    block_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)

    _put(ws, 1, 1, standard.text(standard.title, lang))
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(f"A1:{last_letter}1")
    for offset, (label, value, editable) in enumerate(
        [
            (labels[0], standard.id, False),
            (labels[1], standard.version, False),
            (labels[2], site, True),
            (labels[3], inspector, True),
            (labels[4], date, True),
            (labels[5], lang, False),
        ]
    ):
        row = 2 + offset
        ws.cell(row, 1, label).font = bold
        cell = _put(ws, row, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(horizontal="left")
        if editable:
            cell.protection = unlocked
            cell.fill = input_fill
    ws.cell(8, 1, labels[6]).font = Font(italic=True)
    ws.merge_cells(f"A8:{last_letter}8")
    ws.cell(9, 1, V2_NOTE).font = Font(italic=True)
    ws.cell(9, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A9:{last_letter}9")
    ws.row_dimensions[9].height = _row_height([(V2_NOTE, sum(WIDTHS_V2))])
    for column, name in enumerate(COLUMNS_V2, start=1):
        cell = ws.cell(HEADER_ROW, column, name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)

    meta.append(["key", "value"])
    for key, value in (
        ("schema", FORM_SCHEMA_V2),
        ("standard", standard.id),
        ("version", standard.version),
        ("fingerprint", standard.fingerprint),
        ("language", lang),
    ):
        meta.append([key, value])
    lists: dict[tuple[str, ...], str] = {}

    def dropdown(answers: list[str], title: str, numbers: bool = False) -> DataValidation:
        key = tuple(answers)
        if key not in lists:
            column = 4 + len(lists)  # dropdown lists live in the hidden sheet from column D on
            letter = _column_letter(column)
            meta.cell(10, column, title)
            for offset, answer in enumerate(answers, start=1):
                number = numbers and re.fullmatch(r"-?\d+", answer)
                _put(meta, 10 + offset, column, int(answer) if number else answer)
            lists[key] = f"{META_SHEET}!${letter}$11:${letter}${10 + len(answers)}"
        validation = DataValidation(type="list", formula1=lists[key], allow_blank=True)
        validation.error = f"Choose one of: {', '.join(answers)}"
        return validation

    row = HEADER_ROW

    def add_row(ident: str, section: str, text: str, guidance: str, hint: str, *, instance: bool = False) -> int:
        nonlocal row
        row += 1
        for column, value in zip(range(1, 6), (ident, section, text, guidance, hint), strict=True):
            _put(ws, row, column, value).alignment = wrap
        inputs = ["Response"] if ident.startswith((FIELD_PREFIX, "audit:")) else ["Response", "Comment", "Evidence"]
        if instance:
            inputs.append("Instance")
        for name in inputs:
            cell = ws.cell(row, col[name])
            cell.protection = unlocked
            cell.fill = input_fill
            cell.alignment = wrap
            if name != "Response":
                cell.number_format = "@"
        ws.row_dimensions[row].height = _row_height(
            [(str(v), WIDTHS_V2[i]) for i, v in enumerate((ident, section, text, guidance, hint)) if v]
        )
        return row

    def check(at: int, validation: DataValidation, title: str) -> None:
        validation.errorTitle = title[:32]
        validation.showErrorMessage = True
        ws.add_data_validation(validation)
        validation.add(_cell_name(at, col["Response"]))

    def typed(at: int, kind: str, title: str, answers: list[str], na: str | None = None) -> None:
        """The check of a Response cell by the answer's kind."""
        cell = ws.cell(at, col["Response"])
        response = _cell_name(at, col["Response"])
        if kind == "text":
            cell.number_format = "@"
        elif kind == "date":
            cell.number_format = "yyyy-mm-dd"
            validation = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            validation.error = "Type a date, YYYY-MM-DD"
            check(at, validation, title)
        elif kind == "number":
            test = f"ISNUMBER({response})" + (f',{response}="{na}"' if na else "")
            validation = DataValidation(type="custom", formula1=f"OR({test})", allow_blank=True)
            validation.error = "Type a number" + (f" or {na}" if na else "")
            check(at, validation, title)
        elif kind == "multi_choice":
            cell.number_format = "@"
            # A list check holds one value only: several are typed, separated by commas, and checked on reading.
            prompt = DataValidation(allow_blank=True, showInputMessage=True)
            prompt.promptTitle = title[:32]
            prompt.prompt = ("Any of, separated by commas ([] for none): " + ", ".join(answers))[:255]
            ws.add_data_validation(prompt)
            prompt.add(response)
        else:
            check(at, dropdown(answers, title, numbers=kind == "scale"), title)

    for field_ in standard.fields or ():
        text = standard.text(field_.text, lang) + (" (required)" if field_.required else "")
        at = add_row(f"{FIELD_PREFIX}{field_.id}", words[0], text, "", describe_field(field_, standard, lang))
        options = field_.options if isinstance(field_.options, list) else []
        shown = [standard.text(o.label, lang) if o.label is not None else o.value for o in options]
        typed(at, field_.type, field_.id, shown)
    at = add_row(SUBJECT_ID, words[0], words[1], "", "free text; may stay empty")
    typed(at, "text", SUBJECT_ID, [])

    def item_rows(item: Item, section_title: str, condition: str | None, instance: bool) -> None:
        at = add_row(
            item.id,
            section_title,
            standard.text(item.text, lang) + ("  [CRITICAL]" if item.critical else ""),
            standard.text(item.guidance, lang),
            _hint(item, standard, lang, condition),
            instance=instance,
        )
        answers = allowed_answers(item, standard, lang)
        if item.type == "multi_choice":
            answers = [o.value for o in item.choices]
        na = answers[0] if item.type == "number" and answers else None
        typed(at, item.type, item.id, answers, na)

    for section in standard.sections:
        title = standard.text(section.title, lang)
        section_note = condition_note(section.when)
        if section.repeat is None:
            for item in section.items:
                item_rows(item, title, condition_note(item.when) or section_note, False)
            continue
        label = standard.text(section.repeat.label, lang) if section.repeat.label is not None else "Instance"
        for number in range(1, instance_count(section, instances) + 1):
            first = row + 1
            for item in section.items:
                notes = " and ".join(n for n in (section_note, condition_note(item.when)) if n)
                item_rows(item, f"{title}\n{label} {number}", notes.replace(" and only when", " and") or None, True)
            for at in range(first, row + 1):
                ws.cell(at, col["Section"]).fill = block_fill
    at = add_row(COMMENT_ID, words[0], words[2], "", "free text; may stay empty")
    typed(at, "text", COMMENT_ID, [])

    for letter_index, width in enumerate(WIDTHS_V2, start=1):
        ws.column_dimensions[_column_letter(letter_index)].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_letter}{row}"
    ws.print_options.gridLines = True
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Visit(NamedTuple):
    """The visit a form's header block names (already checked)."""

    site: str
    inspector: str
    day: dt.date | None


class _Block:
    """Rows of one instance of a repeated section, as found in a form."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, Item, tuple[Any, ...]]] = []
        self.label = ""
        self.label_row: int | None = None
        self.filled = False

    def has(self, item: Item) -> bool:
        return any(entry[1].id == item.id for entry in self.rows)


def _read_v2(
    path: str,
    rows: list[tuple[Any, ...]],
    header_row: int,
    standard: Standard,
    lang: str,
    problems: list[Problem],
    visit: Visit,
) -> Audit:
    """Read a Forms v2 table: the cells become the audit a YAML file with the same answers is, read by
    the same reader (:class:`~qaudit.responses.ResponseReader`), every problem located at its cell."""
    from .audits import _anything_scored
    from .responses import ResponseReader, read_fields
    from .yamlsrc import QStr

    names = [str(v).strip() if v is not None else "" for v in rows[header_row]]
    col = {name: names.index(name) for name in COLUMNS_V2 if name in names}
    id_col, response_col = col["ID"], col["Response"]

    def cell(row: tuple[Any, ...], name: str) -> Any:
        index = col.get(name)
        return row[index] if index is not None and index < len(row) else None

    def problem(at: int, name: str, rule: str, message: str) -> None:
        problems.append(_problem(path, at, col.get(name, id_col) + 1, rule, message))

    where: dict[tuple[Any, ...], tuple[int, int]] = {}
    skip: set[tuple[Any, ...]] = set()  # paths already reported here: the reader says nothing more of them
    raw_fields: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    seen: dict[str, int] = {}
    blocks: dict[str, list[_Block]] = {}
    subject: str | None = None
    overall: str | None = None

    def response_of(at: int, row: tuple[Any, ...], item: Item, base: tuple[Any, ...]) -> Any:
        """The YAML-shaped response of one item row (absent when Response, Comment and Evidence are empty)."""
        path = base + (item.id,)
        where[path] = where[path + ("value",)] = (at, response_col + 1)
        if "Comment" in col:
            where[path + ("comment",)] = (at, col["Comment"] + 1)
        if "Evidence" in col:
            where[path + ("evidence",)] = (at, col["Evidence"] + 1)
        value = cell(row, "Response")
        value = _LITERAL_FORMULAS.get(value.strip().upper(), value) if isinstance(value, str) else value
        if _is_formula(value):
            problem(at, "Response", "formula", "holds a formula; formulas are never evaluated: type the answer itself")
            skip.add(path)
            return None
        comment, evidence = cell(row, "Comment"), cell(row, "Evidence")
        for name, found in (("Comment", comment), ("Evidence", evidence)):
            if _is_formula(found) and not isinstance(found, str):
                problem(at, name, "formula", f"holds a formula; type the {name.lower()} as text")
                skip.add(path)
                return None
        entry = _cell_answer(item, value)
        if entry is None and _text(comment) == "" and _text(evidence) == "":
            return None
        if _text(comment) == "" and _text(evidence) == "":
            return entry
        mapping: dict[str, Any] = {"value": entry}
        if _text(comment) != "":
            mapping["comment"] = clean_text(_raw(comment))
        if _text(evidence) != "":
            mapping["evidence"] = [clean_text(e).strip() for e in _raw(evidence).split(",") if e.strip()]
        return mapping

    for at, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        ident = _text(cell(row, "ID"))
        label = _text(_raw(cell(row, "Instance")))
        if ident == "":
            if any(_text(cell(row, n)) != "" for n in ("Instance", "Response", "Comment", "Evidence")):
                problem(at, "ID", "missing-key", "this row has an answer but no ID; put the ID back (or clear the row)")
            continue
        if ident in seen and not (ident in standard.items and standard.section_of[ident].repeat is not None):
            problem(at, "ID", "duplicate-key", f"'{ident}' is listed again (first in row {seen[ident]})")
            continue
        if ident.startswith(FIELD_PREFIX):
            field_id = ident[len(FIELD_PREFIX) :]
            seen[ident] = at
            where[("fields", field_id)] = (at, response_col + 1)
            if field_id not in standard.field_map:
                known = list(standard.field_map)
                hint = did_you_mean(field_id, known) or (
                    f"; fields of {standard.label}: {', '.join(known)}" if known else ""
                )
                problem(at, "ID", "unknown-field", f"'{field_id}' is not a field of {standard.label}{hint}")
                continue
            value = cell(row, "Response")
            if _is_formula(value):
                problem(at, "Response", "formula", "holds a formula; type the value itself")
                skip.add(("fields", field_id))
                continue
            if _text(value) != "":
                raw_fields[field_id] = _field_answer(standard.field_map[field_id], value)
            continue
        if ident in (SUBJECT_ID, COMMENT_ID):
            seen[ident] = at
            value = cell(row, "Response")
            text = clean_text(_raw(value)).strip() if _text(value) != "" else None
            if ident == SUBJECT_ID:
                subject = text
            else:
                overall = text
            continue
        item = standard.items.get(ident)
        if item is None:
            hint = did_you_mean(ident, [*standard.items, *(f"field:{f}" for f in standard.field_map)])
            problem(at, "ID", "unknown-item", f"'{ident}' is not an item of {standard.label}{hint}")
            continue
        section = standard.section_of[ident]
        if section.repeat is None:
            seen[ident] = at
            if label:
                problem(
                    at,
                    "Instance",
                    "invalid-instance",
                    f"'{ident}' is not in a repeated section; leave its Instance cell empty",
                )
                continue
            entry = response_of(at, row, item, ("responses",))
            if entry is not None:
                raw[ident] = entry
            continue
        found = blocks.setdefault(section.id, [])
        if not found or found[-1].has(item) or (label and found[-1].label and label != found[-1].label):
            found.append(_Block())
        block = found[-1]
        block.rows.append((at, item, row))
        if label and not block.label:
            block.label, block.label_row = label, at
        if label or _text(cell(row, "Response")) != "":
            block.filled = True
    for section_id, found in blocks.items():
        kept = [b for b in found if b.filled]
        if not kept:
            continue
        first_row = kept[0].label_row or kept[0].rows[0][0]
        where[("responses", section_id)] = (first_row, col.get("Instance", id_col) + 1)
        entries: list[dict[str, Any]] = []
        for block in kept:
            base = ("responses", section_id, len(entries))
            if not block.label:
                section = standard.section_of[block.rows[0][1].id]
                what = standard.text(section.repeat.label, lang) if section.repeat and section.repeat.label else ""
                problem(
                    block.rows[0][0],
                    "Instance",
                    "invalid-instance",
                    f"this block of '{section_id}' has answers but no label; write the {what.lower() or 'instance'}"
                    " label (the room number, the call id) in Instance",
                )
                continue
            assert block.label_row is not None
            where[base] = where[base + ("instance",)] = (block.label_row, col.get("Instance", id_col) + 1)
            instance_entry: dict[str, Any] = {"instance": QStr(clean_text(block.label))}
            for at, item, row in block.rows:
                response = response_of(at, row, item, base)
                if response is not None:
                    instance_entry[item.id] = response
            entries.append(instance_entry)
        raw[section_id] = entries

    def locate(path: tuple[Any, ...]) -> tuple[int, int]:
        for end in range(len(path), 0, -1):
            if path[:end] in where:
                return where[path[:end]]
        return (header_row + 1, id_col + 1)

    def add(path: tuple[Any, ...], rule: str, message: str, *, key: bool = False) -> None:
        if path in skip or (len(path) > 1 and path[:-1] in skip and path[-1] == "value"):
            return
        if rule == "missing-field":
            named = re.search(r"'([^']+)'", message)
            if named:
                path = ("fields", named.group(1))
        if rule == "missing-response" and path == ("responses",):
            named = re.search(r"'([^']+)'", message)
            section_id = named.group(1) if named else ""
            section = next((s for s in standard.sections if s.id == section_id), None)
            if section is not None and section.repeat is not None:
                message = (
                    f"no block of the repeated section '{section_id}' is filled in; write the label in Instance "
                    f"and the answers of at least {section.repeat.min}"
                )
        item = standard.items.get(str(path[-2] if path[-1] == "value" else path[-1])) if len(path) > 1 else None
        if rule == "invalid-value" and item is not None:
            message += _labels_hint(item, standard, lang)
        line, column = locate(path)
        problems.append(_problem(path_name, line, column, rule, message))

    path_name = path

    def missing(at_path: tuple[Any, ...], item: Item) -> None:
        if at_path in skip:
            return
        if at_path not in where:
            add(
                at_path[:-1] if len(at_path) > 2 else ("responses",),
                "missing-response",
                f"no row for item '{item.id}'; add it (make a new form with 'qaudit form')",
            )
            return
        from .responses import allowed_values

        add(at_path, "missing-response", f"item '{item.id}' has no response; {allowed_values(item)}")

    reader = ResponseReader(standard, add, on_missing=missing)
    responses, instances = reader.read(raw)
    fields = read_fields(standard, raw_fields, add)
    if not problems and not _anything_scored(standard, responses, instances):
        problems.append(
            error(
                path,
                1,
                1,
                "nothing-scored",
                "no scored item is answered (each is N/A, unscored or does not apply), so the audit has no score; "
                "answer at least one scored item",
            )
        )
    if problems:
        raise InvalidInput(sorted(problems))
    assert visit.day is not None
    return Audit(
        id=_form_id(path),
        file=path,
        standard=standard.id,
        standard_version=standard.version,
        site=visit.site,
        inspector=visit.inspector,
        date=visit.day,
        responses=responses,
        language=lang,
        source="xlsx",
        subject=subject,
        fields=fields,
        comment=overall,
        instances=instances,
    )


def _split_values(text: str) -> list[str]:
    """The values of a multi-select cell: ``a, b`` or ``[a, b]``; ``[]`` is none."""
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    return [part.strip().strip("'\"").strip() for part in body.split(",") if part.strip().strip("'\"").strip()]


def _cell_answer(item: Item, value: Any) -> Any:
    """A Response cell as the YAML value that means the same; None for an empty cell."""
    if _text(value) == "" and not (item.type == "text" and isinstance(value, str) and value):
        return None
    raw = _raw(value)
    if item.type == "multi_choice":
        return [_option_value(item, part) for part in _split_values(raw)]
    if item.type == "text":
        return clean_text(raw)
    return answer_text(item, raw) if isinstance(raw, str) else raw


def _option_value(item: Item, text: str) -> str:
    """An option's value for its value or its label (in any language); the text itself when neither."""
    folded = _fold(text)
    for option in item.choices:
        label = option.label
        texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
        if folded == _fold(option.value) or folded in (_fold(t) for t in texts):
            return option.value
    return text


def _field_answer(field_: Any, value: Any) -> Any:
    """A header field's cell as the YAML value that means the same (a choice by its value or label)."""
    raw = _raw(value)
    if field_.type == "choice" and isinstance(field_.options, list):
        folded = _fold(raw)
        for option in field_.options:
            label = option.label
            texts = list(label.values()) if isinstance(label, dict) else [label] if isinstance(label, str) else []
            if folded == _fold(option.value) or folded in (_fold(t) for t in texts):
                return option.value
    if field_.type == "text":
        from .yamlsrc import QStr

        return QStr(clean_text(raw))  # taken as written, never as another YAML type
    return raw
