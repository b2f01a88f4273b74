"""Turning a Plan into the Google Sheets requests that carry it out.

The same effect as the Excel backend: changed cells and added column headers
in place, owned tabs replaced whole (new values written over the old extent,
padded with "" so nothing stale is left), Log rows appended after the last
one. Changes to the team's tabs go to the row where their key is now.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sheetcrm.backends.base import Snapshot, rows_differ
from sheetcrm.backends.row_keys import KeyColumns, relocate
from sheetcrm.changelog import field_name, log_columns, placed
from sheetcrm.config import Config
from sheetcrm.plan import CellChange, Plan
from sheetcrm.table import RawTable
from sheetcrm.values import PERCENT_FORMAT, Percent, text

if TYPE_CHECKING:
    from sheetcrm.backends.gsheets import TabInfo

NEW_TAB_ROWS, NEW_TAB_COLUMNS = 1000, 26  # what Google gives a new tab
# Rows added beyond what a write needs, so that a growing Log or Problems tab does not
# cost a spreadsheets:batchUpdate on every sync.
SPARE_ROWS = 1000


@dataclass
class Reread:
    range: str
    tab: str
    role: str  # "header", "key", "name", "log" or "log header"


@dataclass
class Write:
    plan: Plan
    snapshot: Snapshot
    info: dict[str, TabInfo]
    cfg: Config
    reread: list[Reread] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why changes were left out, for the user
    not_written: list[CellChange] = field(default_factory=list)  # those changes
    cells: dict[tuple[str, int, int], Any] = field(default_factory=dict)  # (tab, row, col) -> value
    date_cells: list[tuple[str, int, int, bool]] = field(default_factory=list)  # ..., has a time
    keys: dict[str, KeyColumns] = field(default_factory=dict)
    log_ends: dict[str, int] = field(default_factory=dict)  # Log tab -> its last used row
    new_ids: dict[str, int] = field(default_factory=dict)  # tabs to add -> chosen sheetId
    existing: set[str] = field(default_factory=set)  # tabs there before writing

    def __post_init__(self) -> None:
        from sheetcrm.backends.gsheets import a1, column_letters, key_columns

        self.existing = set(self.info)
        for tab in dict.fromkeys(c.tab for c in self.plan.cells):
            raw = self.snapshot.tabs.get(tab)
            cols = key_columns(raw, self.cfg, self.plan) if raw is not None else None
            if cols is None:
                continue
            self.keys[tab] = cols
            # the header row too: a column inserted meanwhile shifts every cell to change
            row = cols.header_row
            self.reread.append(Reread(a1(tab, f"{row}:{row}"), tab, "header"))
            grid = self.info[tab].columns if tab in self.info else 0
            for role, col in (("key", cols.key), ("name", cols.name)):
                if col is not None and col < grid:
                    letter = column_letters(col)
                    self.reread.append(Reread(a1(tab, f"{letter}:{letter}"), tab, role))
        for tab in self.plan.appends:
            if tab in self.info:
                # its last row is the last one with a time: a column moved to A may be blank
                read = self.snapshot.tabs.get(tab)
                when = log_columns(read.rows[0]).get("when", 0) if read and read.rows else 0
                letter = column_letters(when)
                self.reread.append(Reread(a1(tab, f"{letter}:{letter}"), tab, "log"))
                self.reread.append(Reread(a1(tab, "1:1"), tab, "log header"))

    # -- where each change goes ---------------------------------------------
    def moved_columns(self, ranges: list[list[list[Any]]]) -> str | None:
        """The first tab whose header row, read again (`ranges` in `reread` order, by
        columns), differs from the one read: its columns moved, so would every change."""
        for r, values in zip(self.reread, ranges, strict=True):
            if r.role == "header":
                now = [col[0] if col else "" for col in values]
                read = self.snapshot.tabs[r.tab].rows[self.keys[r.tab].header_row - 1]
                if rows_differ(RawTable(r.tab, [read]), [now]):
                    return r.tab
        return None

    def lay_out_log(self, ranges: list[list[list[Any]]]) -> None:
        """Lay the Log rows out under the Log's header row as read again (`ranges` in
        `reread` order, by columns): the team may have moved its columns."""
        for r, values in zip(self.reread, ranges, strict=True):
            if r.role == "log header" and r.tab in self.plan.appends:
                header = [col[0] if col else "" for col in values]
                names, rows = self.plan.appends[r.tab]
                self.plan.appends[r.tab] = (names, placed(header, rows))

    def place(self, columns: list[list[Any]]) -> None:
        """Given the re-read columns (in `reread` order), fix the row of every change."""
        got: dict[tuple[str, str], list[Any]] = {
            (r.tab, r.role): col for r, col in zip(self.reread, columns, strict=True)
        }
        for tab, role in got:
            if role == "log":
                self.log_ends[tab] = len(got[tab, role])
        by_tab: dict[str, list[CellChange]] = {}
        for ch in self.plan.cells:
            by_tab.setdefault(ch.tab, []).append(ch)
        gone = self.not_written = []
        for tab, changes in by_tab.items():
            held: set[int] = set()
            if tab not in self.keys:
                rows = {ch.row: ch.row for ch in changes}
            else:
                wanted = {ch.row: ch.key for ch in changes}
                rows, why, twins = relocate(
                    self.snapshot.tabs[tab].rows,
                    got.get((tab, "key"), []),
                    got.get((tab, "name"), []),
                    self.keys[tab],
                    wanted,
                )
                for row, reason in why.items():
                    self.skipped.append(f"tab '{tab}', row {row}: {reason}")
                for row in sorted(twins):
                    if any(ch.row == row and ch.field != "id" for ch in changes):
                        self.skipped.append(
                            f"tab '{tab}', row {row}: several rows named "
                            f"{text(self.snapshot.tabs[tab].rows[row - 1][self.keys[tab].name])!r} "
                            "have no ID yet; only their new IDs were written, the rest waits "
                            "for the next run"
                        )
                rows = dict(rows)
                held = {ch.row for ch in changes if ch.row in twins and ch.field != "id"}
            for ch in changes:
                if ch.row not in rows or (ch.row in held and ch.field != "id"):
                    gone.append(ch)
                    continue
                self._put(tab, rows[ch.row], ch.column, ch.new)
        for col in self.plan.columns:
            self.cells[col.tab, col.header_row, col.column] = col.header
        self._drop_log_rows(gone)

    def _put(self, tab: str, row: int, column: int, value: Any) -> None:
        from sheetcrm.backends.gsheets import _cell

        self.cells[tab, row, column] = _cell(value, dates_as_text=False)
        if isinstance(value, date):
            self.date_cells.append((tab, row, column, isinstance(value, datetime)))

    def _drop_log_rows(self, gone: list[CellChange]) -> None:
        """The Log keeps only what was written: rows of skipped changes are taken out."""
        for name, (header, rows) in list(self.plan.appends.items()):
            kept = list(rows)
            for ch in gone:
                for i, r in enumerate(kept):
                    if (
                        len(r) > 6
                        and r[3] == ch.client
                        and field_name(r[4]) == ch.field
                        and text(r[6]) == text(ch.new)
                        and (not ch.key or r[2] == ch.key)
                    ):
                        del kept[i]
                        break
            self.plan.appends[name] = (header, kept)

    # -- structure: tabs and grid space -----------------------------------------
    def _needed(self) -> dict[str, tuple[int, int]]:
        """Tab -> (rows, columns) the writes need."""
        need: dict[str, tuple[int, int]] = {}

        def grow(tab: str, rows: int, cols: int) -> None:
            r, c = need.get(tab, (0, 0))
            need[tab] = (max(r, rows), max(c, cols))

        for tab, row, col in self.cells:
            grow(tab, row, col + 1)
        for name, rows in self.plan.tabs.items():
            grow(name, len(rows), max((len(r) for r in rows), default=0))
        for name, (header, rows) in self.plan.appends.items():
            start = self.log_ends.get(name, 0) if name in self.existing else 1
            grow(name, start + len(rows), max([len(header), *(len(r) for r in rows)]))
        return need

    def structure(self) -> list[dict[str, Any]]:
        """The spreadsheets:batchUpdate requests needed before writing ([] usually)."""
        requests: list[dict[str, Any]] = []
        used = {t.sheet_id for t in self.info.values()}
        for tab, (rows, cols) in self._needed().items():
            if tab not in self.info:
                sheet_id = _free_id(used)
                self.new_ids[tab] = sheet_id
                props: dict[str, Any] = {
                    "sheetId": sheet_id,
                    "title": tab,
                    "gridProperties": {
                        "rowCount": max(NEW_TAB_ROWS, rows + SPARE_ROWS),
                        "columnCount": max(NEW_TAB_COLUMNS, cols),
                        "frozenRowCount": 1,
                    },
                }
                requests.append({"addSheet": {"properties": props}})
                requests.append(_bold_header(sheet_id))
                continue
            t = self.info[tab]
            if rows > t.rows:
                requests.append(_append(t.sheet_id, "ROWS", rows - t.rows + SPARE_ROWS))
            if cols > t.columns:
                requests.append(_append(t.sheet_id, "COLUMNS", cols - t.columns))
        for tab, row, col, has_time in self.date_cells:
            sheet_id = self.info[tab].sheet_id
            requests.append(_number_format(sheet_id, col, row - 1, row, _DATE_FORMATS[has_time]))
        return requests + self._percent_formats()

    def _percent_formats(self) -> list[dict[str, Any]]:
        """An owned tab's shares shown as percentages. Its number formats are cleared first:
        a tab rewritten with other rows would show a count where a share was as 300.0%."""
        requests: list[dict[str, Any]] = []
        for name, rows in self.plan.tabs.items():
            runs = _percent_runs(rows)
            if not runs:
                continue
            sheet_id = self.new_ids.get(name) or self.info[name].sheet_id
            if name in self.info:
                requests.append(_number_format(sheet_id, None, 0, None, None))
            for col, top, bottom in runs:
                requests.append(_number_format(sheet_id, col, top, bottom, _PERCENT))
        return requests

    def grown(self, replies: list[dict[str, Any]]) -> None:
        """Keep the tab list current after the structure requests."""
        from sheetcrm.backends.gsheets import TabInfo

        for reply in replies:
            if "addSheet" in reply:
                p = reply["addSheet"]["properties"]
                grid = p.get("gridProperties", {})
                self.info[p["title"]] = TabInfo(
                    p["sheetId"],
                    p["title"],
                    p.get("index", len(self.info)),
                    grid.get("rowCount", 0),
                    grid.get("columnCount", 0),
                )
        for tab, (rows, cols) in self._needed().items():
            t = self.info.get(tab)
            if t is not None and tab in self.existing:
                t.rows = rows + SPARE_ROWS if rows > t.rows else t.rows
                t.columns = max(t.columns, cols)

    # -- the values -------------------------------------------------------------
    def data(self) -> list[dict[str, Any]]:
        """ValueRanges for one RAW values:batchUpdate."""
        from sheetcrm.backends.gsheets import _cell, a1, column_letters

        out: list[dict[str, Any]] = []
        columns: dict[tuple[str, int], dict[int, Any]] = {}
        for (tab, row, col), value in self.cells.items():
            columns.setdefault((tab, col), {})[row] = value
        for (tab, col), rows in sorted(columns.items()):
            top, bottom = min(rows), max(rows)
            letter = column_letters(col)
            # one range per column; [] leaves the rows in between untouched
            values = [[rows[r]] if r in rows else [] for r in range(top, bottom + 1)]
            out.append({"range": a1(tab, f"{letter}{top}:{letter}{bottom}"), "values": values})
        for name, rows in self.plan.tabs.items():
            old = self.snapshot.tabs.get(name)
            if old is not None:
                old_h, old_w = len(old.rows), max((len(r) for r in old.rows), default=0)
            elif name in self.existing:  # never read: cover the whole grid
                old_h, old_w = self.info[name].rows, self.info[name].columns
            else:
                old_h = old_w = 0
            h = max(old_h, len(rows))
            w = max([old_w, *(len(r) for r in rows)])
            grid = [
                [_cell(v, dates_as_text=True) for v in (rows[r] if r < len(rows) else [])]
                for r in range(h)
            ]
            grid = [r + [""] * (w - len(r)) for r in grid]
            if old is not None:
                grid = _changes_only(grid, old.rows)
            if grid and w:
                out.append({"range": a1(name, f"A1:{column_letters(w - 1)}{h}"), "values": grid})
        for name, (header, rows) in self.plan.appends.items():
            if name in self.existing:
                start, block = self.log_ends.get(name, 0) + 1, list(rows)
            else:
                start, block = 1, [header, *rows]
            if block:
                values = [[_cell(v, dates_as_text=True) for v in r] for r in block]
                w = max(len(r) for r in values)
                rng = f"A{start}:{column_letters(w - 1)}{start + len(values) - 1}"
                out.append({"range": a1(name, rng), "values": values})
        return out


def _same(old: Any, new: Any) -> bool:
    """The cell already holds this value (as Sheets returns it: numbers as floats)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return isinstance(old, str) and isinstance(new, str) and old == new


def _changes_only(grid: list[list[Any]], old: list[list[Any]]) -> list[list[Any]]:
    """The rows to write over a tab as read: null (left as is) where a cell already holds its
    value, [] for a row with no change, so a sync that changes a few lines of a big tab
    stays a small request."""
    out: list[list[Any]] = []
    for r, row in enumerate(grid):
        before = old[r] if r < len(old) else []
        cells = [None if c < len(before) and _same(before[c], v) else v for c, v in enumerate(row)]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def _free_id(used: set[int]) -> int:
    while True:
        candidate = secrets.randbelow(2**31 - 1) + 1
        if candidate not in used:
            used.add(candidate)
            return candidate


def _append(sheet_id: int, dimension: str, length: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def _bold_header(sheet_id: int) -> dict[str, Any]:
    return {
        "repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
            "fields": "userEnteredFormat.textFormat.bold",
        }
    }


_DATE_FORMATS = {
    False: {"type": "DATE", "pattern": "dd.mm.yyyy"},
    True: {"type": "DATE_TIME", "pattern": "dd.mm.yyyy hh:mm"},
}
_PERCENT = {"type": "PERCENT", "pattern": PERCENT_FORMAT}


def _number_format(
    sheet_id: int, col: int | None, top: int, bottom: int | None, pattern: dict[str, str] | None
) -> dict[str, Any]:
    """Rows top..bottom (0-based, half-open) of column `col` (None: the whole tab) shown
    with `pattern` (None: as plain values)."""
    grid: dict[str, int] = {"sheetId": sheet_id, "startRowIndex": top}
    if bottom is not None:
        grid["endRowIndex"] = bottom
    if col is not None:
        grid.update(startColumnIndex=col, endColumnIndex=col + 1)
    return {
        "repeatCell": {
            "range": grid,
            "cell": {"userEnteredFormat": {"numberFormat": pattern} if pattern else {}},
            "fields": "userEnteredFormat.numberFormat",
        }
    }


def _percent_runs(rows: list[list[Any]]) -> list[tuple[int, int, int]]:
    """(column, first row, row after) of each run of Percent cells down a column, 0-based."""
    runs: list[tuple[int, int, int]] = []
    open_runs: dict[int, int] = {}  # column -> first row of the run going on
    width = max((len(r) for r in rows), default=0)
    for r, row in enumerate([*rows, []]):
        for c in range(width):
            here = c < len(row) and type(row[c]) is Percent
            if here and c not in open_runs:
                open_runs[c] = r
            elif not here and c in open_runs:
                runs.append((c, open_runs.pop(c), r))
    return runs
