"""Writing typed values into openpyxl cells as plain values, never formulas."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what openpyxl refuses to store
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


def put(cell: Any, value: Any) -> None:
    """Set a cell to a plain value: text that looks like a formula stays text."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"
        return
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT


def fill_sheet(ws: Any, rows: list[list[Any]], widths: dict[int, float] | None = None) -> None:
    """Write rows from A1 with a bold, frozen header row."""
    from openpyxl.styles import Font

    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            put(ws.cell(row=r, column=c), value)
    if rows:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    width_of: dict[int, int] = {}
    for row in rows[:200]:
        for c, value in enumerate(row, start=1):
            width_of[c] = max(width_of.get(c, 0), len(str(value)) if value is not None else 0)
    for c, w in width_of.items():
        ws.column_dimensions[get_column_letter(c)].width = (widths or {}).get(
            c, min(max(w + 2, 8), 60)
        )
