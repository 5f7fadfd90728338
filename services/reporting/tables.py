"""Reports as tables with Chinese headers, written as CSV (UTF-8 with BOM, for Excel) or XLSX.

A figure that is unknown (its upstream missing) is an empty cell, never 0, and the table
ends with note rows (注) saying which upstream is missing or cached and how old it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # sheet name (Excel allows 31 characters)
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True, slots=True)
class Tabular:
    title: str
    tables: Sequence[Table]
    notes: Sequence[str] = field(default_factory=tuple)


def percent(value: Decimal | None) -> Decimal | None:
    """A ratio (0.8282) as the plan prints shares: percent with two places (82.82)."""
    return None if value is None else (value * 100).quantize(Decimal("0.01"))


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def to_csv(tabular: Tabular) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, table in enumerate(tabular.tables):
        if i:
            writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows([_text(c) for c in row] for row in table.rows)
    if tabular.notes:
        writer.writerow([])
        writer.writerows([f"注：{note}"] for note in tabular.notes)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tabular: Tabular) -> bytes:
    workbook = Workbook()
    first = True
    bold = Font(bold=True)
    for table in tabular.tables:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = table.name[:31]
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(list(table.headers))
        for cell in sheet[2]:
            cell.font = bold
        for row in table.rows:
            sheet.append(list(row))  # None stays an empty cell
        if tabular.notes:
            sheet.append([])
            for note in tabular.notes:
                sheet.append([f"注：{note}"])
        sheet.freeze_panes = "A3"
        for index, header in enumerate(table.headers, start=1):
            width = max(8, min(40, 2 * len(header) + 2))
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
