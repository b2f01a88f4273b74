"""What a command wants written: cell changes, added columns, whole owned tabs.

A plan is data. Backends apply it; `--dry-run` and previews print it.
Cell changes carry the row number seen when reading *and* the key (client
ID) that row had, so a backend whose rows can move under it (Google Sheets)
can find the row again and never write into the wrong client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4


@dataclass(slots=True)  # a first sync of 100,000 rows plans 100,000: not frozen, 3x quicker to make
class CellChange:
    tab: str
    row: int  # sheet row number when read
    column: int  # 0-based column index (may be a column the plan adds)
    field: str  # canonical field name, for messages and the log
    old: Any
    new: Any
    key: str = ""  # the row's client ID (or manager name) when read; "" if it had none
    client: str = ""  # the client's name, for messages and the log
    why: str = ""


@dataclass(frozen=True)
class NewColumn:
    tab: str
    header_row: int
    column: int  # 0-based index: right of the existing table
    header: str


@dataclass
class Plan:
    columns: list[NewColumn] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    # owned tabs replaced whole: name -> rows (the first row is the header)
    tabs: dict[str, list[list[Any]]] = field(default_factory=dict)
    # rows appended to a tab (the Log); the header row is written if the tab is new
    appends: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    # written into every Log row of this plan, so `undo` takes back exactly one apply
    batch: str = field(default_factory=lambda: uuid4().hex[:8])

    def is_empty(self) -> bool:
        return not (self.columns or self.cells or self.tabs or self.appends)
