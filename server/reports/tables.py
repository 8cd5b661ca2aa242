"""Tables of figures as CSV or Excel (XLSX) downloads: what the analytics answer in JSON, for a spreadsheet.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return: a
competency name could) is written with a leading apostrophe in CSV and always as text in XLSX (OWASP's advice on
CSV injection). Writing an XLSX is blocking work: call ``to_xlsx`` off the event loop.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Table:
    name: str  # the sheet's name (at most 31 characters in Excel)
    columns: list[str]
    rows: list[list[Any]]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(tables: list[Table]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Chinese text right). One table: its header and rows; several:
    each under a line with its name, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if len(tables) > 1:
            if i:
                writer.writerow([])
            writer.writerow([table.name])
        writer.writerow([_safe(c) for c in table.columns])
        for row in table.rows:
            writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, with a bold header row."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.name[:31])
        for row in [table.columns, *table.rows]:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
