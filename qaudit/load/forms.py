"""Reading a filled Excel audit form into an audit, every problem located at its cell.

A workbook is checked before it is opened (no zip bomb, no DTD), then its Audit
sheet is read: a Forms v1 table here, a Forms v2 table by :mod:`qaudit.load.forms_v2`.
Writing forms is :mod:`qaudit.capture.forms_write`.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

from ..i18n import LANGUAGES
from ..model.audit import Audit
from ..model.responses import Response, read_value
from ..model.standard import SLUG_PATTERN
from ..problems import InvalidInput, Problem, error
from .form_cells import (
    AUDIT_SHEET,
    HEADER_SEARCH_ROWS,
    LITERAL_FORMULAS,
    MAX_FORM_ROWS,
    META_SHEET,
    answer_text,
    cell_date,
    cell_problem,
    cell_text,
    clean_text,
    fold_text,
    form_id,
    header_labels,
    is_formula,
    labels_hint,
    raw_cell,
    shown_cell,
)
from .forms_v2 import Visit, read_v2
from .standards import StandardLibrary

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

    from ..io.source import read_bytes

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
            [cell_problem(path, version_row, 2, "wrong-type", f"the standard version {version_raw!r} is not a number")]
        ) from None
    standard = library.get(str(standard_id), version)
    if standard is None:
        versions = ", ".join(map(str, library.versions(str(standard_id)))) or "none"
        raise InvalidInput(
            [
                cell_problem(
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
    site_text = cell_text(site)
    inspector_text = cell_text(inspector)
    if not site_text:
        problems.append(cell_problem(path, site_row, 2, "missing-key", "the site is empty; type the site id"))
    elif not re.fullmatch(SLUG_PATTERN, site_text):
        problems.append(
            cell_problem(
                path,
                site_row,
                2,
                "invalid-value",
                f"the site {site_text!r} is not a site id; use lowercase letters, digits, '.', '_' and '-'",
            )
        )
    if not inspector_text:
        problems.append(cell_problem(path, inspector_row, 2, "missing-key", "the inspector is empty; type your name"))
    day = cell_date(date_value)
    if day is None:
        problems.append(
            cell_problem(
                path,
                date_row,
                2,
                "wrong-type",
                f"the date {shown_cell(date_value)} is not a date; type it as YYYY-MM-DD",
            )
        )
    if standard.is_v2:
        return read_v2(
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
        if cell_text(item_id) == "":
            if cell_text(cell) != "" or cell_text(comment) != "":
                problems.append(
                    cell_problem(
                        path,
                        offset,
                        id_col + 1,
                        "missing-key",
                        "this row has an answer but no item ID; put the item's ID back (or clear the row)",
                    )
                )
            continue
        item_id = cell_text(item_id)
        item = standard.items.get(item_id)
        if item is None:
            problems.append(
                cell_problem(
                    path, offset, id_col + 1, "unknown-item", f"'{item_id}' is not an item of {standard.label}"
                )
            )
            continue
        if item_id in seen_rows:
            problems.append(
                cell_problem(
                    path,
                    offset,
                    id_col + 1,
                    "duplicate-key",
                    f"item '{item_id}' is listed again (first in row {seen_rows[item_id]})",
                )
            )
            continue
        seen_rows[item_id] = offset
        cell = LITERAL_FORMULAS.get(cell.strip().upper(), cell) if isinstance(cell, str) else cell
        if is_formula(cell):
            problems.append(
                cell_problem(
                    path,
                    offset,
                    response_col + 1,
                    "formula",
                    "holds a formula; formulas are never evaluated: type the answer itself",
                )
            )
            continue
        raw = raw_cell(cell)
        if isinstance(raw, str):
            raw = answer_text(item, raw)
        value, na, message = read_value(item, raw)
        if message is not None:
            if cell_text(raw) == "":
                rule = "missing-response"
            else:
                rule = "na-not-allowed" if "N/A" in message else "invalid-value"
                message += labels_hint(item, standard, lang)
            problems.append(cell_problem(path, offset, response_col + 1, rule, message))
            continue
        if is_formula(comment) and not isinstance(comment, str):
            problems.append(
                cell_problem(
                    path, offset, (comment_col or 0) + 1, "formula", "holds a formula; type the comment as text"
                )
            )
            continue
        # A comment that starts with '=' is kept as the text it is, never evaluated.
        text = clean_text(raw_cell(comment)) if cell_text(comment) != "" else None
        responses[item_id] = Response(value, na, text)
    missing = [item_id for item_id in standard.items if item_id not in seen_rows]
    if missing:
        problems.append(
            cell_problem(
                path, header_row + 1, id_col + 1, "missing-response", f"no row for items {', '.join(missing)}; add them"
            )
        )
    if not problems and all(r.na for r in responses.values()):
        problems.append(error(path, 1, 1, "nothing-scored", "every item is N/A, so the audit has no score"))
    if problems:
        raise InvalidInput(problems)
    assert day is not None
    audit_id = form_id(path)
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
        label = fold_text(str(row[0])) if row and row[0] is not None else ""
        for labels in (header_labels(lang) for lang in LANGUAGES):
            for key, name in enumerate(labels[:6]):
                if label == fold_text(name) and key not in found:
                    found[key] = (index + 1, row[1] if len(row) > 1 else None)
    block = []
    for key in range(6):
        if key in found:
            block.append(found[key])
        else:
            row = rows[1 + key] if len(rows) > 1 + key else ()
            block.append((2 + key, row[1] if len(row) > 1 else None))
    return block
