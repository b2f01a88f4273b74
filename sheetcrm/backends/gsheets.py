"""Google Sheets through gspread's HTTP client, in a small constant number of requests.

A read is the spreadsheet's metadata (once per backend) and one
values:batchGet of every tab wanted, unformatted, dates as serial numbers.
A write re-reads the key columns and header rows (one values:batchGet), stops
when a header row changed, maps every change to the row where its key now is,
adds tabs or grid space in one spreadsheets:batchUpdate only when needed, and
writes everything in one RAW values:batchUpdate (split only past ~1.8 MB).
RAW keeps "=…" as text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click

from sheetcrm.backends import safety
from sheetcrm.backends.base import Backend, Snapshot, find_tab
from sheetcrm.backends.google_http import Settings, SheetsHTTPClient
from sheetcrm.backends.row_keys import KeyColumns
from sheetcrm.config import Config
from sheetcrm.errors import SheetCrmError, SourceError
from sheetcrm.plan import Plan
from sheetcrm.schema import CLIENT_FIELDS, DATE_FIELDS, MANAGER_FIELDS
from sheetcrm.table import (
    RawTable,
    _locate_header,  # the header detection parse_clients uses
)
from sheetcrm.values import from_serial, text

#: where requests go and how they are retried; tests point this at a local server
SETTINGS = Settings()
CHUNK_BYTES = 1_800_000  # Google advises keeping a request under 2 MB
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}


def a1(title: str, cells: str = "") -> str:
    """A range on a tab, the tab's name quoted ('Клиенты'!A1:B2)."""
    quoted = "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{cells}" if cells else quoted


def column_letters(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class TabInfo:
    sheet_id: int
    title: str
    index: int
    rows: int
    columns: int
    # merged ranges as RawTable keeps them: (first row, first col, last row, last col)
    merges: tuple[tuple[int, int, int, int], ...] = ()


def _numbers_as_floats(rows: list[list[Any]]) -> list[list[Any]]:
    """Rectangular rows of floats, text and bools, as python-calamine gives an .xlsx."""
    width = max((len(r) for r in rows), default=0)
    return [
        [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in r]
        + [""] * (width - len(r))
        for r in rows
    ]


def _dates_from_serials(raw: RawTable, cfg: Config) -> None:
    """Serial numbers in a client tab's date columns become dates, as an .xlsx date cell reads.

    Only the column's meaning says a number is a date: UNFORMATTED_VALUE drops
    the format.
    """
    header, columns = _locate_header(raw, CLIENT_FIELDS, cfg.columns)
    if header < 0:
        return
    for name in DATE_FIELDS:
        col = columns.get(name)
        if col is None:
            continue
        for row in raw.rows[header + 1 :]:
            v = row[col] if col < len(row) else None
            if isinstance(v, float):
                try:
                    row[col] = from_serial(v)
                except ValueError:
                    pass  # left as a number: the table reports it


def _cell(value: Any, dates_as_text: bool) -> Any:
    """A value for a RAW write: "" clears, dates are serials (team cells) or text (own tabs)."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    if isinstance(value, date):
        if dates_as_text:
            return text(value)
        moment = (
            value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        )
        serial = (moment.replace(tzinfo=None) - datetime(1899, 12, 30)).total_seconds() / 86400
        return int(serial) if serial.is_integer() else serial
    return text(value)


class GoogleSheetsBackend(Backend):
    log_keeps_dates = False  # the Log's cells are written as text, dates DD.MM.YYYY

    def __init__(
        self, key: str, cfg: Config, settings: Settings | None = None, account: Any = None
    ) -> None:
        self.key = key
        self.cfg = cfg
        self.settings = settings or SETTINGS
        self.label = f"Google Sheet {key}" if key else "Google"
        self.title = ""
        self._account: Any = account  # a ServiceAccount, loaded when first needed
        self._http: SheetsHTTPClient | None = None
        self._tabs: dict[str, TabInfo] | None = None

    def writing(self) -> AbstractContextManager[None]:
        # beside the history (config.yaml's folder): cron and a run by hand share it; two
        # writers at once would both add the same events after the Log's last row
        return safety.one_writer(self.cfg.path(self.key), self.label)

    # -- the connection ---------------------------------------------------
    @property
    def account(self) -> Any:
        if self._account is None:
            from sheetcrm.backends.google_auth import load_service_account

            self._account = load_service_account(self.cfg)
        return self._account

    @property
    def account_email(self) -> str:
        return self._account.email if self._account is not None else "the service account"

    @property
    def http(self) -> SheetsHTTPClient:
        if self._http is None:
            import gspread

            client = gspread.Client(
                self.account.credentials,
                http_client=SheetsHTTPClient.with_settings(self.settings),
            )
            self._http = client.http_client  # type: ignore[assignment]
        assert self._http is not None
        return self._http

    def _call(self, what: str, fn: Any, *args: Any, writing: bool = False, **kwargs: Any) -> Any:
        """Call the API, turning every failure into a one-line SourceError."""
        from sheetcrm.backends.google_errors import explain

        try:
            return fn(*args, **kwargs)
        except SheetCrmError:
            raise
        except Exception as exc:
            error = explain(exc, self, what, writing)
            if error is None:
                raise  # not a failure of Google or the network: a bug, shown as one
            raise error from None

    # -- reading ----------------------------------------------------------
    def tabs_info(self) -> dict[str, TabInfo]:
        """Tab name -> id and grid size, fetched once."""
        if self._tabs is None:
            meta = self._call(
                "open the spreadsheet",
                self.http.fetch_sheet_metadata,
                self.key,
                params={"fields": "properties.title,sheets.properties,sheets.merges"},
            )
            self.title = meta.get("properties", {}).get("title", "")
            self.label = f"Google Sheet '{self.title}'" if self.title else self.label
            self._tabs = {}
            for sheet in meta.get("sheets", []):
                p = sheet["properties"]
                grid = p.get("gridProperties", {})
                rows, columns = grid.get("rowCount", 0), grid.get("columnCount", 0)
                # GridRanges are half open; a missing index is 0 or the end of the grid
                merges = tuple(
                    (
                        g.get("startRowIndex", 0),
                        g.get("startColumnIndex", 0),
                        g.get("endRowIndex", rows) - 1,
                        g.get("endColumnIndex", columns) - 1,
                    )
                    for g in sheet.get("merges", [])
                )
                self._tabs[p["title"]] = TabInfo(
                    p["sheetId"], p["title"], p.get("index", 0), rows, columns, merges
                )
        return self._tabs

    def read(self, tab_names: list[str]) -> Snapshot:
        info = self.tabs_info()
        names = sorted(info, key=lambda n: info[n].index)
        wanted = {n.casefold() for n in tab_names}
        chosen = [n for n in names if n.casefold() in wanted]
        tabs: dict[str, RawTable] = {}
        if chosen:
            got = self._call(
                "read the sheet",
                self.http.values_batch_get,
                self.key,
                [a1(n) for n in chosen],
                params=dict(READ_PARAMS),
            )
            for name, vr in zip(chosen, got.get("valueRanges", []), strict=True):
                raw = RawTable(name, _numbers_as_floats(vr.get("values", [])), [*info[name].merges])
                if name.strip().casefold() not in self._not_client_tabs():
                    _dates_from_serials(raw, self.cfg)
                tabs[name] = raw
        return Snapshot(tabs, names)

    def formulas(self, tab: str, cells: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
        columns = sorted({c for _, c in cells})
        if not columns:
            return {}
        got = self._call(
            "read formulas",
            self.http.values_batch_get,
            self.key,
            [a1(tab, f"{column_letters(c)}:{column_letters(c)}") for c in columns],
            params={"valueRenderOption": "FORMULA", "majorDimension": "COLUMNS"},
        )
        shown = {
            c: (vr.get("values") or [[]])[0]
            for c, vr in zip(columns, got.get("valueRanges", []), strict=False)
        }
        out = {}
        for r, c in cells:
            value = shown[c][r - 1] if c in shown and r - 1 < len(shown[c]) else ""
            if isinstance(value, str) and value.startswith("="):
                out[(r, c)] = value
        return out

    def _not_client_tabs(self) -> set[str]:
        keys = ("managers", "today", "refusals", "problems", "log", "report")
        return {n.casefold() for k in keys for n in self.cfg.tab_candidates(k)}

    # -- writing ----------------------------------------------------------
    def _add(self, write: Any, requests: list[dict[str, Any]]) -> Any:
        """spreadsheets:batchUpdate. When a retry finds its tab already there, the first
        attempt was carried out and only its reply was lost: look again, send what is left."""
        from gspread.exceptions import APIError

        try:
            return self.http.batch_update(self.key, {"requests": requests})
        except APIError as exc:
            if exc.response.status_code != 400 or "already exists" not in str(exc.error):
                raise
        self._tabs = None
        write.info = self.tabs_info()
        rest = write.structure()
        return self.http.batch_update(self.key, {"requests": rest}) if rest else {"replies": []}

    def apply(self, plan: Plan, snapshot: Snapshot) -> None:
        from sheetcrm.backends.gsheets_write import Write

        self.not_written = ()
        if plan.is_empty():
            return
        _as_titled(plan, self.tabs_info())
        write = Write(plan, snapshot, self.tabs_info(), self.cfg)
        columns: list[list[Any]] = []
        ranges: list[list[list[Any]]] = []
        if write.reread:
            got = self._call(
                "read the key columns again",
                self.http.values_batch_get,
                self.key,
                [r.range for r in write.reread],
                params={**READ_PARAMS, "majorDimension": "COLUMNS"},
            )
            ranges = [vr.get("values") or [] for vr in got.get("valueRanges", [])]
            if moved := write.moved_columns(ranges):
                raise SourceError(
                    f"{self.label}: the header row of tab '{moved}' changed while sheetcrm was "
                    "about to write (a column inserted, deleted, moved or renamed meanwhile). "
                    "Nothing was written; run the command again."
                )
            columns = [(values or [[]])[0] for values in ranges]
        write.place(columns)
        write.lay_out_log(ranges)
        for message in write.skipped:  # whoever runs the sync must hear of it
            click.echo(f"Warning: {self.label}: not written: {message}", err=True)
        self.not_written = tuple(write.not_written)
        requests = write.structure()
        if requests:
            reply = self._call("add tabs or columns", self._add, write, requests, writing=True)
            write.grown(reply.get("replies", []))
        bodies = _chunks(write.data())
        for done, body in enumerate(bodies):
            try:
                self._call("write", self.http.values_batch_update, self.key, body, writing=True)
            except SourceError as exc:
                if not (done or requests):
                    raise
                part = (
                    f"{done} of {len(bodies)} value writes" if done else "only new tabs or columns"
                )
                raise SourceError(
                    str(exc).replace(" Nothing was written.", "")
                    + f" Part of the change was written ({part}); run the command again to finish."
                ) from None


def _as_titled(plan: Plan, info: dict[str, TabInfo]) -> None:
    """Name the owned tabs as the sheet does: Google ignores case in tab names, so a tab
    "Today" cannot be added beside "today"; sheetcrm writes into "today" instead."""
    for tabs in (plan.tabs, plan.appends):
        for name in list(tabs):
            actual = find_tab(info, name)
            if actual is not None and actual != name:
                tabs[actual] = tabs.pop(name)  # type: ignore[assignment]


_BLOCK = re.compile(r"^(.*)!([A-Z]+)(\d+):([A-Z]+)(\d+)$")


def _split(vr: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """A ValueRange too big for one request, as blocks of rows each under `limit`."""
    size = len(json.dumps(vr).encode())
    m = _BLOCK.match(vr["range"])
    rows = vr["values"]
    if size <= limit or m is None or len(rows) < 2:
        return [vr]
    tab, left, top, right = m[1], m[2], int(m[3]), m[4]
    half = len(rows) // 2
    first = {"range": f"{tab}!{left}{top}:{right}{top + half - 1}", "values": rows[:half]}
    rest = {
        "range": f"{tab}!{left}{top + half}:{right}{top + len(rows) - 1}",
        "values": rows[half:],
    }
    return [*_split(first, limit), *_split(rest, limit)]


def _chunks(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """values:batchUpdate bodies, each under CHUNK_BYTES of JSON (one, unless the write is big)."""
    bodies: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for vr in (part for whole in data for part in _split(whole, CHUNK_BYTES - 100)):
        n = len(json.dumps(vr).encode()) + 2  # and the ", " between items
        if current and size + n > CHUNK_BYTES - 100:
            bodies.append({"valueInputOption": "RAW", "data": current})
            current, size = [], 0
        current.append(vr)
        size += n
    if current:
        bodies.append({"valueInputOption": "RAW", "data": current})
    return bodies


def key_columns(raw: RawTable, cfg: Config, plan: Plan) -> KeyColumns | None:
    """Where a client tab keeps its IDs (and names), or the Managers tab its names."""
    # "Менеджеры " is the Managers tab too (see workspace.load)
    if raw.name.strip().casefold() in {n.casefold() for n in cfg.tab_candidates("managers")}:
        header, columns = _locate_header(raw, MANAGER_FIELDS, {})
        if header < 0:
            return None
        name = columns.get("name")
        return KeyColumns(header + 1, name, None, _label(raw, header, name, "Name"))
    header, columns = _locate_header(raw, CLIENT_FIELDS, cfg.columns)
    if header >= 0:
        key = columns.get("id")
        if key is None:  # the plan adds the ID column and fills it
            key = next(
                (c.column for c in plan.cells if c.tab == raw.name and c.field == "id"), None
            )
        return KeyColumns(header + 1, key, columns.get("client"), _label(raw, header, key, "ID"))
    return None


def _label(raw: RawTable, header: int, col: int | None, default: str) -> str:
    """The header of column `col` as the sheet writes it (`default` where it has none yet)."""
    row = raw.rows[header]
    return (text(row[col]).strip() if col is not None and col < len(row) else "") or default
