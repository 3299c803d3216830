"""Cells of CSV files and workbooks: text a spreadsheet would run as a formula is neutralised,
and CSV rows are written as lines of text."""

from __future__ import annotations

from typing import Any

UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (a leading ' makes it text)."""
    if isinstance(value, str) and value.startswith(UNSAFE_START):
        return "'" + value
    return value


def csv_text(value: Any) -> Any:
    """A CSV field: neutralised like :func:`safe_cell`, with its line breaks as LF.

    The csv module quotes a field holding LF but not one holding a bare CR (lines
    end with LF), and a bare CR splits the row for readers.
    """
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class Lines:
    """A file for :func:`csv.writer` that keeps the lines written to it."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append
