"""The optional "closed on" column: read by the report, its cells checked by `check`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sheetcrm.schema import Field, match_headers
from sheetcrm.table import ClientTable
from sheetcrm.values import day_of, parse_date

# Not a client field sheetcrm writes: read only when present.
CLOSED_ON = Field(
    "closed",
    "date",
    "Closed on",
    "Дата закрытия",
    (
        "closed",
        "close date",
        "closed date",
        "date closed",
        "closing date",
        "закрыт",
        "закрыта",
        "дата закрытия сделки",
        "дата сделки",
    ),
)


@dataclass
class ClosingColumn:
    header: str  # as written in the sheet
    dates: dict[int, date] = field(default_factory=dict)  # sheet row -> the day
    errors: dict[int, ValueError] = field(default_factory=dict)  # sheet row -> why not a date


def closing_column(table: ClientTable) -> ClosingColumn | None:
    """The "closed on" column's dates and unreadable cells; None when the sheet has none."""
    column = match_headers(table.headers, (CLOSED_ON,)).get("closed")
    if column is None or column in table.columns.values():
        return None
    out = ClosingColumn(table.headers[column])
    for c in table.clients:
        try:
            cell = c.cells[column] if column < len(c.cells) else None
            value = parse_date(cell, table.date1904, table.zone)
        except ValueError as exc:
            out.errors[c.row] = exc
            continue
        if value is not None:
            out.dates[c.row] = day_of(value)
    return out
