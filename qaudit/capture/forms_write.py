"""Writing a blank Excel audit form (Forms v1, and Forms v2 for standards with fields,
subjects, repeated sections or conditions): one row per item, dropdowns of the allowed
answers, every word from the catalogue in the form's language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from ..i18n import words as catalogue_words
from ..load.form_cells import (
    AUDIT_SHEET,
    COLUMNS,
    COLUMNS_V2,
    COMMENT_ID,
    FIELD_PREFIX,
    FORM_SCHEMA,
    FORM_SCHEMA_V2,
    HEADER_ROW,
    META_SHEET,
    SUBJECT_ID,
    V2_NOTE,
    WIDTHS_V2,
    allowed_answers,
    cell_name,
    clean_text,
    column_letter,
    form_labels,
    put_cell,
)
from ..model.standard import Item, Standard


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
    labels = form_labels(lang)
    site, inspector = clean_text(site), clean_text(inspector)  # a worksheet cannot hold control characters
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = AUDIT_SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="1F4E79")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)

    _title_and_visit(ws, standard, labels, site, inspector, date, lang, "G")

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
                put_cell(ws, row, column, value).alignment = wrap
            for column in (6, 7):
                cell = ws.cell(row, column)
                cell.protection = unlocked
                cell.fill = input_fill
                cell.alignment = wrap
            response = cell_name(row, 6)
            if item.type == "number":
                na = answers[0] if answers else None
                check = f"ISNUMBER({response})" + (f',{response}="{na}"' if na else "")
                validation = DataValidation(type="custom", formula1=f"OR({check})", allow_blank=True)
                validation.error = "Type a number" + (f" or {na}" if na else "")
            else:
                letter = column_letter(list_column)
                for offset, answer in enumerate(answers, start=1):
                    # Scale steps are numbers, so that a number typed by hand matches the list.
                    number = item.type == "scale" and re.fullmatch(r"-?\d+", answer)
                    put_cell(meta, offset + 10, list_column, int(answer) if number else answer)
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
    labels = form_labels(lang)
    table = catalogue_words(lang)
    words = (table["header"], table["subject_question"], table["form_overall_comment"])
    site, inspector = clean_text(site), clean_text(inspector)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = AUDIT_SHEET
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    last_letter = column_letter(len(COLUMNS_V2))
    col = {name: index for index, name in enumerate(COLUMNS_V2, start=1)}

    header_fill = PatternFill("solid", fgColor="1F4E79")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    block_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)

    _title_and_visit(ws, standard, labels, site, inspector, date, lang, last_letter)
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
            letter = column_letter(column)
            meta.cell(10, column, title)
            for offset, answer in enumerate(answers, start=1):
                number = numbers and re.fullmatch(r"-?\d+", answer)
                put_cell(meta, 10 + offset, column, int(answer) if number else answer)
            lists[key] = f"{META_SHEET}!${letter}$11:${letter}${10 + len(answers)}"
        validation = DataValidation(type="list", formula1=lists[key], allow_blank=True)
        validation.error = f"Choose one of: {', '.join(answers)}"
        return validation

    row = HEADER_ROW

    def add_row(ident: str, section: str, text: str, guidance: str, hint: str, *, instance: bool = False) -> int:
        nonlocal row
        row += 1
        for column, value in zip(range(1, 6), (ident, section, text, guidance, hint), strict=True):
            put_cell(ws, row, column, value).alignment = wrap
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
        validation.add(cell_name(at, col["Response"]))

    def typed(at: int, kind: str, title: str, answers: list[str], na: str | None = None) -> None:
        """The check of a Response cell by the answer's kind."""
        cell = ws.cell(at, col["Response"])
        response = cell_name(at, col["Response"])
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
        ws.column_dimensions[column_letter(letter_index)].width = width
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


def _title_and_visit(
    ws: Any,
    standard: Standard,
    labels: tuple[str, ...],
    site: str,
    inspector: str,
    date: dt.date,
    lang: str | None,
    last_letter: str,
) -> None:
    """Rows 1 to 8 of a form: the title, the visit (site, inspector and date to fill in) and the note."""
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    put_cell(ws, 1, 1, standard.text(standard.title, lang))
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(f"A1:{last_letter}1")
    bold = Font(bold=True)
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)
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
        cell = put_cell(ws, row, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(horizontal="left")
        if editable:
            cell.protection = unlocked
            cell.fill = input_fill
    ws.cell(8, 1, labels[6]).font = Font(italic=True)
    ws.merge_cells(f"A8:{last_letter}8")
