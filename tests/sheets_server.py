"""A local, in-memory Google Sheets API v4 server for the tests.

It implements the part of the API sheetcrm uses, as Google behaves: the
OAuth token endpoint (checking the service account's RS256-signed JWT),
spreadsheets.get and spreadsheets.batchUpdate, and values.get, batchGet,
update, batchUpdate, clear and batchClear. Responses follow Google's shapes:
no `values` key for an empty range, trailing empty cells and rows trimmed,
inner empty rows as [], numbers unformatted, dates as serial numbers, errors
as {"error": {"code", "message", "status"}}, 400 for a write outside the grid.

It counts requests per endpoint, can fail (429/500...) or delay chosen
requests, and runs hooks just before a chosen request (to move rows while a
sync is under way).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

EPOCH = datetime(1899, 12, 30)
DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # the audience google-auth signs for


class Formula:
    """A cell holding a formula (entered with USER_ENTERED); its value is not computed
    except for plain arithmetic."""

    def __init__(self, text: str) -> None:
        self.text = text
        expr = text[1:]
        if re.fullmatch(r"[\d\s.+\-*/()]+", expr):
            try:
                self.value: Any = float(eval(expr, {"__builtins__": {}}))  # noqa: S307 (digits only)
            except Exception:
                self.value = "#ERROR!"
        else:
            self.value = "#NAME?"


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


# -- the data ---------------------------------------------------------------


@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int = DEFAULT_ROWS
    columns: int = DEFAULT_COLUMNS
    frozen_rows: int = 0
    cells: list[list[Any]] = field(default_factory=list)  # None = empty
    dates: set[tuple[int, int]] = field(default_factory=set)  # cells with a date format
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # numberFormat type
    bold_rows: set[int] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # half-open GridRanges

    def merges_json(self) -> list[dict[str, int]]:
        """As the API gives them: a GridRange each, a start of 0 left out (proto3 JSON)."""
        names = ("startRowIndex", "startColumnIndex", "endRowIndex", "endColumnIndex")
        return [
            {"sheetId": self.sheet_id, **{n: v for n, v in zip(names, m, strict=True) if v}}
            for m in self.merges
        ]

    def get(self, r: int, c: int) -> Any:
        if r < len(self.cells) and c < len(self.cells[r]):
            return self.cells[r][c]
        return None

    def reorder(self, order: list[int | None]) -> None:
        """Rows rearranged as people do it: row i becomes old row order[i] (None: a new blank
        row); rows left out are deleted. The grid grows or shrinks with them."""
        old_cells, old_dates = self.cells, self.dates
        self.cells = [
            list(old_cells[o]) if o is not None and o < len(old_cells) else [] for o in order
        ]
        self.dates = {(i, c) for i, o in enumerate(order) for (r, c) in old_dates if r == o}
        self.rows += len(order) - len(old_cells)

    def insert_row(self, index: int) -> None:
        self.reorder([*range(index), None, *range(index, len(self.cells))])

    def delete_row(self, index: int) -> None:
        self.reorder([r for r in range(len(self.cells)) if r != index])

    def insert_column(self, index: int) -> None:
        """A blank column before column `index` (0-based), as Insert > Column left does."""
        for row in self.cells:
            if index < len(row):
                row.insert(index, None)
        self.dates = {(r, c + 1 if c >= index else c) for r, c in self.dates}
        self.columns += 1

    def sort_rows(
        self, key: Callable[[list[Any]], Any], start: int = 1, reverse: bool = False
    ) -> None:
        """Sort rows from `start` (0-based) by key(row), as Data > Sort range does."""
        body = sorted(
            range(start, len(self.cells)), key=lambda r: key(self.cells[r]), reverse=reverse
        )
        self.reorder([*range(start), *body])

    def put(self, r: int, c: int, value: Any) -> None:
        while len(self.cells) <= r:
            self.cells.append([])
        row = self.cells[r]
        while len(row) <= c:
            row.append(None)
        row[c] = value


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    shared: dict[str, str] = field(default_factory=dict)  # e-mail -> "writer" | "reader"
    locale: str = "ru_RU"

    def sheet(self, title: str) -> Sheet:
        for s in self.sheets:
            if s.title == title:
                return s
        raise KeyError(title)

    def by_id(self, sheet_id: int) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise ApiError(400, f"No grid with id: {sheet_id}")


def to_serial(value: date) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return (moment - EPOCH).total_seconds() / 86400


def from_serial(serial: float) -> datetime:
    from datetime import timedelta

    return EPOCH + timedelta(days=serial)


# -- A1 notation --------------------------------------------------------------


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_title(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(
        r"[A-Za-z]{1,3}\d+", title
    ):
        return title
    return "'" + title.replace("'", "''") + "'"


_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


@dataclass
class Range:
    sheet: Sheet
    r0: int
    c0: int
    r1: int | None  # exclusive; None = to the end of the grid
    c1: int | None
    single: bool = False  # one cell named: a write starts there and extends as far as needed

    def bounded(self) -> tuple[int, int, int, int]:
        r1 = self.sheet.rows if self.r1 is None else self.r1
        c1 = self.sheet.columns if self.c1 is None else self.c1
        return self.r0, self.c0, r1, c1

    def a1(self) -> str:
        r0, c0, r1, c1 = self.bounded()
        return (
            f"{quote_title(self.sheet.title)}!{col_letters(c0)}{r0 + 1}:{col_letters(c1 - 1)}{r1}"
        )


def _quoted(text: str) -> tuple[str, str] | None:
    """(tab name, what follows the "!") of a range starting with a quoted tab name: a quote
    inside is doubled ('Jon''s Data'!A1), or left single where the next character cannot
    end the name ('Jon's_Data'!A1:D5, the API guide's own example, reads too). None when
    the quote is never closed or something other than "!" follows it."""
    name, i = [], 1
    while i < len(text):
        if text[i] != "'":
            name.append(text[i])
        elif text[i + 1 : i + 2] == "'":
            name.append("'")
            i += 1
        elif i + 1 == len(text) or text[i + 1] == "!":
            return "".join(name), text[i + 2 :]
        else:
            name.append("'")
        i += 1
    return None


def parse_range(book: Spreadsheet, text: str) -> Range:
    bad = ApiError(400, f"Unable to parse range: {text}")
    if text.startswith("'"):
        quoted = _quoted(text)
        if quoted is None:
            raise bad
        name, cells = quoted
    elif "!" in text:
        name, _, cells = text.partition("!")
    elif any(s.title == text for s in book.sheets):
        name, cells = text, ""
    else:
        name, cells = book.sheets[0].title, text
    try:
        sheet = book.sheet(name)
    except KeyError:
        raise bad from None
    if not cells:
        return Range(sheet, 0, 0, None, None)
    parts = cells.split(":")
    if len(parts) > 2:
        raise bad
    m0 = _CELL.match(parts[0])
    if not m0 or not (m0[1] or m0[2]):
        raise bad
    c0 = col_index(m0[1]) if m0[1] else 0
    r0 = int(m0[2]) - 1 if m0[2] else 0
    if len(parts) == 1:
        if not (m0[1] and m0[2]):
            raise bad
        return Range(sheet, r0, c0, r0 + 1, c0 + 1, single=True)
    m1 = _CELL.match(parts[1])
    if not m1 or not (m1[1] or m1[2]):
        raise bad
    c1 = col_index(m1[1]) + 1 if m1[1] else None
    r1 = int(m1[2]) if m1[2] else None
    return Range(sheet, r0, c0, r1, c1)


def grid_error(rng: Range, r: int, c: int) -> ApiError:
    s = rng.sheet
    return ApiError(
        400,
        f"Range ({quote_title(s.title)}!{col_letters(c)}{r + 1}) exceeds grid limits. "
        f"Max rows: {s.rows}, max columns: {s.columns}",
    )


# -- values: rendering and input ------------------------------------------------


def render(sheet: Sheet, r: int, c: int, value_option: str, date_option: str) -> Any:
    v = sheet.get(r, c)
    if v is None:
        return ""
    if isinstance(v, Formula):
        if value_option == "FORMULA":
            return v.text
        v = v.value
    is_date = (r, c) in sheet.dates and isinstance(v, float)
    if value_option == "FORMATTED_VALUE" or (is_date and date_option == "FORMATTED_STRING"):
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if is_date:
            moment = from_serial(v)
            return moment.strftime("%d.%m.%Y" if v.is_integer() else "%d.%m.%Y %H:%M:%S")
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else repr(v)
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def read_values(rng: Range, major: str, value_option: str, date_option: str) -> dict[str, Any]:
    r0, c0, r1, c1 = rng.bounded()
    s = rng.sheet
    if r1 > s.rows or c1 > s.columns:
        if rng.r1 is not None and r1 > s.rows or rng.c1 is not None and c1 > s.columns:
            raise grid_error(rng, min(r1, s.rows + 1) - 1 if r1 > s.rows else r0, c1 - 1)
    r1, c1 = min(r1, s.rows), min(c1, s.columns)
    r1 = min(r1, len(s.cells))
    grid = []
    for r in range(r0, r1):
        row = s.cells[r] if r < len(s.cells) else []
        grid.append(
            [render(s, r, c, value_option, date_option) for c in range(c0, min(c1, len(row)))]
        )
    if major == "COLUMNS":
        width = max((len(row) for row in grid), default=0)
        grid = [[row[c] if c < len(row) else "" for row in grid] for c in range(width)]
    for row in grid:
        while row and row[-1] == "":
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    out: dict[str, Any] = {"range": rng.a1(), "majorDimension": major}
    if grid:
        out["values"] = grid
    return out


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def user_entered(value: Any) -> tuple[Any, bool]:
    """What Sheets stores for typed input (ru_RU locale): (value, is a date)."""
    if not isinstance(value, str):
        return value, False
    if value.startswith("'"):
        return value[1:], False
    if value.startswith("="):
        return Formula(value), False
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE", False
    for rx, order in ((_DMY, (3, 2, 1)), (_YMD, (1, 2, 3))):
        if m := rx.match(value.strip()):
            try:
                return to_serial(date(int(m[order[0]]), int(m[order[1]]), int(m[order[2]]))), True
            except ValueError:
                return value, False
    try:
        return float(value.replace(",", ".").replace(" ", "")), False
    except ValueError:
        return value, False


def write_values(
    rng: Range, body: dict[str, Any], option: str, check_only: bool = False
) -> dict[str, Any]:
    """Write a ValueRange (or, with check_only, raise the error writing it would give)."""
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "Invalid valueInputOption: " + str(option))
    values = body.get("values") or []
    if body.get("majorDimension", "ROWS") == "COLUMNS":
        width = max((len(col) for col in values), default=0)
        values = [[col[r] if r < len(col) else None for col in values] for r in range(width)]
    s = rng.sheet
    height = len(values)
    width = max((len(row) for row in values), default=0)
    if rng.single:
        rng = Range(s, rng.r0, rng.c0, None, None)
    too_low = rng.r1 is not None and rng.r0 + height > rng.r1
    if too_low or rng.c1 is not None and rng.c0 + width > rng.c1:
        where = (
            f"row [{rng.r0 + height}]" if too_low else f"column [{col_letters(rng.c0 + width - 1)}]"
        )
        raise ApiError(
            400, f"Requested writing within range [{rng.a1()}], but tried writing to {where}"
        )
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if v is not None and (rng.r0 + r >= s.rows or rng.c0 + c >= s.columns):
                raise grid_error(rng, rng.r0 + r, rng.c0 + c)
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if isinstance(v, (dict, list)):
                raise ApiError(400, f"Invalid values[{r}][{c}]: {json.dumps(v)}")
    if check_only:
        return {}
    cells = 0
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if v is None:
                continue  # null leaves the cell as it is
            at = (rng.r0 + r, rng.c0 + c)
            if v == "":
                stored, is_date = None, False
            elif option == "RAW":
                stored, is_date = (
                    (float(v) if isinstance(v, int) and not isinstance(v, bool) else v),
                    False,
                )
            else:
                stored, is_date = user_entered(v)
            if isinstance(stored, int) and not isinstance(stored, bool):
                stored = float(stored)  # Sheets keeps every number as a double
            s.put(*at, stored)
            if is_date:
                s.dates.add(at)
            cells += 1
    r1 = rng.r0 + max(height, 1)
    c1 = rng.c0 + max(width, 1)
    return {
        "spreadsheetId": "",
        "updatedRange": Range(s, rng.r0, rng.c0, r1, c1).a1(),
        "updatedRows": height,
        "updatedColumns": width,
        "updatedCells": cells,
    }


def clear(rng: Range) -> str:
    r0, c0, r1, c1 = rng.bounded()
    s = rng.sheet
    for r in range(r0, min(r1, len(s.cells))):
        row = s.cells[r]
        for c in range(c0, min(c1, len(row))):
            row[c] = None
    return rng.a1()


# -- the HTTP server ------------------------------------------------------------


@dataclass
class Fault:
    endpoint: str | None  # None = any API endpoint (not the token endpoint)
    status: int
    times: int  # -1 = for ever
    message: str = ""
    after: bool = False  # carry the request out, then answer with the error (a lost reply)


@dataclass
class Account:
    email: str
    public_key: Any
    key_id: str
    revoked: bool = False


class SheetsServer:
    """Start with `with SheetsServer() as server:`; `server.url` is the API root."""

    def __init__(self) -> None:
        self.books: dict[str, Spreadsheet] = {}
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, str] = {}  # access token -> e-mail
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []  # (endpoint, path?query) per request
        self.bodies: list[tuple[str, Any]] = []  # (endpoint, JSON body) of the write requests
        self.faults: list[Fault] = []
        self.delays: dict[str, float] = {}
        self.hooks: list[tuple[str, int, Callable[[SheetsServer], None]]] = []
        self.lock = threading.RLock()
        self._next_sheet_id = 1000
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.token_uri = self.url + "/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> SheetsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- set-up from tests -----------------------------------------------
    def add_book(
        self,
        tabs: dict[str, list[list[Any]]],
        title: str = "CRM",
        key: str | None = None,
        shared: dict[str, str] | None = None,
    ) -> str:
        """A spreadsheet with these tabs; date/datetime values become date-formatted serials."""
        key = key or secrets.token_urlsafe(33).replace("-", "x").replace("_", "y")[:44]
        book = Spreadsheet(key, title, shared=dict(shared or {}))
        for name, rows in tabs.items():
            book.sheets.append(self.new_sheet(name, rows))
        self.books[key] = book
        return key

    def new_sheet(self, title: str, rows: list[list[Any]]) -> Sheet:
        self._next_sheet_id += 1
        sheet = Sheet(self._next_sheet_id, title)
        sheet.rows = max(DEFAULT_ROWS, len(rows))
        sheet.columns = max([DEFAULT_COLUMNS, *(len(r) for r in rows)])
        self.fill(sheet, rows)
        return sheet

    @staticmethod
    def fill(sheet: Sheet, rows: list[list[Any]]) -> None:
        sheet.cells, sheet.dates = [], set()
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, date):
                    sheet.put(r, c, to_serial(v))
                    sheet.dates.add((r, c))
                elif isinstance(v, int) and not isinstance(v, bool):
                    sheet.put(r, c, float(v))
                else:
                    sheet.put(r, c, v)

    def values(self, key: str, title: str) -> list[list[Any]]:
        """A tab as UNFORMATTED_VALUE/SERIAL_NUMBER would return it, rows trimmed."""
        sheet = self.books[key].sheet(title)
        got = read_values(
            Range(sheet, 0, 0, None, None), "ROWS", "UNFORMATTED_VALUE", "SERIAL_NUMBER"
        )
        return got.get("values", [])

    def fail(
        self,
        status: int,
        endpoint: str | None = None,
        times: int = 1,
        message: str = "",
        after: bool = False,
    ) -> None:
        self.faults.append(Fault(endpoint, status, times, message, after))

    def before(self, endpoint: str, hook: Callable[[SheetsServer], None], nth: int = 1) -> None:
        """Run `hook` just before the nth request to `endpoint` (counted from now)."""
        self.hooks.append((endpoint, self.counts[endpoint] + nth, hook))

    def api_requests(self) -> Counter[str]:
        return Counter({k: v for k, v in self.counts.items() if k != "token"})

    # -- request handling --------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> tuple[int, dict]:
        if path == "/token" and method == "POST":
            return self._token(body)
        endpoint, key, rest = _route(method, path)
        with self.lock:
            self.counts[endpoint] += 1
            self.log.append((endpoint, path))
            for hook in [
                h for h in self.hooks if h[0] == endpoint and h[1] == self.counts[endpoint]
            ]:
                self.hooks.remove(hook)
                hook[2](self)
            lost = None
            for f in self.faults:
                if f.times != 0 and f.endpoint in (None, endpoint):
                    f.times -= 1 if f.times > 0 else 0
                    if f.after:
                        lost = f
                        break
                    return f.status, _error(
                        f.status, f.message or _FAULT_MESSAGES.get(f.status, "Error")
                    )
        if endpoint in self.delays:
            time.sleep(self.delays[endpoint])
        auth = headers.get("Authorization", "")
        email = self.tokens.get(auth.removeprefix("Bearer ").strip())
        if email is None:
            return 401, _error(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
            )
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return 400, _error(400, "Invalid JSON payload received.")
        with self.lock:
            try:
                book = self.books.get(key)
                if book is None or endpoint == "unknown":
                    raise ApiError(404, "Requested entity was not found.")
                role = book.shared.get(email)
                writes = endpoint not in ("spreadsheets.get", "values.get", "values.batchGet")
                if role is None or (writes and role != "writer"):
                    raise ApiError(403, "The caller does not have permission")
                if writes:
                    self.bodies.append((endpoint, data))
                reply = getattr(self, "_" + endpoint.replace(".", "_"))(book, rest, query, data)
                if lost is not None:
                    message = lost.message or _FAULT_MESSAGES.get(lost.status, "Error")
                    return lost.status, _error(lost.status, message)
                return 200, reply
            except ApiError as exc:
                return exc.code, _error(exc.code, exc.message)

    def _token(self, body: bytes) -> tuple[int, dict]:
        self.counts["token"] += 1
        for f in self.faults:
            if f.times != 0 and f.endpoint == "token":
                f.times -= 1 if f.times > 0 else 0
                return f.status, {"error": "internal_failure", "error_description": "Backend Error"}
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "Invalid grant_type: ",
            }
        try:
            header, claims = self._verify(form.get("assertion", ""))
        except ValueError as exc:
            return 400, {"error": "invalid_grant", "error_description": str(exc)}
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens[token] = claims["iss"]
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _verify(self, assertion: str) -> tuple[dict, dict]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            h64, c64, s64 = assertion.split(".")
            header = json.loads(_b64(h64))
            claims = json.loads(_b64(c64))
            signature = _b64(s64)
        except ValueError:
            raise ValueError(
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
            ) from None
        account = self.accounts.get(claims.get("iss", ""))
        if header.get("alg") != "RS256" or account is None or account.key_id != header.get("kid"):
            raise ValueError("Invalid JWT Signature.")
        try:
            account.public_key.verify(
                signature, f"{h64}.{c64}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            raise ValueError("Invalid JWT Signature.") from None
        if account.revoked:
            raise ValueError("Invalid JWT Signature.")
        now = time.time()
        if claims.get("aud") not in (GOOGLE_TOKEN_URI, self.token_uri) or not (
            claims.get("iat", 0) - 300 <= now < claims.get("exp", 0)
        ):
            raise ValueError(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                "timeframe. "
                "Check your iat and exp values in the JWT claim."
            )
        if not claims.get("scope"):
            raise ValueError("Invalid OAuth scope or ID token audience provided.")
        return header, claims

    # -- endpoints ----------------------------------------------------------
    def _spreadsheets_get(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        return {
            "spreadsheetId": book.key,
            "properties": {
                "title": book.title,
                "locale": book.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Europe/Moscow",
            },
            "sheets": [
                {
                    "properties": {
                        "sheetId": s.sheet_id,
                        "title": s.title,
                        "index": i,
                        "sheetType": "GRID",
                        "gridProperties": {
                            "rowCount": s.rows,
                            "columnCount": s.columns,
                            **({"frozenRowCount": s.frozen_rows} if s.frozen_rows else {}),
                        },
                    },
                    **({"merges": s.merges_json()} if s.merges else {}),
                }
                for i, s in enumerate(book.sheets)
            ],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        }

    @staticmethod
    def _render_options(query: dict) -> tuple[str, str, str]:
        major = query.get("majorDimension", ["ROWS"])[0]
        value_option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        date_option = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        return major, value_option, date_option

    def _values_get(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        return read_values(parse_range(book, rest), *self._render_options(query))

    def _values_batchGet(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        options = self._render_options(query)
        ranges = [parse_range(book, r) for r in query.get("ranges", [])]
        return {
            "spreadsheetId": book.key,
            "valueRanges": [read_values(r, *options) for r in ranges],
        }

    def _values_update(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        rng = parse_range(book, rest)
        out = write_values(rng, data, query.get("valueInputOption", [""])[0])
        return {**out, "spreadsheetId": book.key}

    def _values_batchUpdate(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        # all or nothing: every range is checked before any is written
        option = data.get("valueInputOption", "")
        todo = [(parse_range(book, vr.get("range", "")), vr) for vr in data.get("data", [])]
        for rng, vr in todo:
            write_values(rng, vr, option, check_only=True)
        responses = [
            {**write_values(rng, vr, option), "spreadsheetId": book.key} for rng, vr in todo
        ]
        return {
            "spreadsheetId": book.key,
            "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
            "totalUpdatedColumns": sum(r["updatedColumns"] for r in responses),
            "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
            "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in responses}),
            "responses": responses,
        }

    def _values_clear(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        return {"spreadsheetId": book.key, "clearedRange": clear(parse_range(book, rest))}

    def _values_batchClear(self, book: Spreadsheet, rest: str, query: dict, data: dict) -> dict:
        ranges = [parse_range(book, r) for r in data.get("ranges", [])]
        return {"spreadsheetId": book.key, "clearedRanges": [clear(r) for r in ranges]}

    def _spreadsheets_batchUpdate(
        self, book: Spreadsheet, rest: str, query: dict, data: dict
    ) -> dict:
        work = copy.deepcopy(book)
        replies = []
        for i, request in enumerate(data.get("requests", [])):
            if len(request) != 1:
                raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request expected")
            kind, body = next(iter(request.items()))
            handler = getattr(self, "_req_" + kind, None)
            if handler is None:
                raise ApiError(
                    400,
                    f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]'",
                )
            try:
                replies.append(handler(work, body))
            except ApiError as exc:
                raise ApiError(400, f"Invalid requests[{i}].{kind}: {exc.message}") from None
        book.sheets = work.sheets
        return {"spreadsheetId": book.key, "replies": replies}

    def _req_addSheet(self, book: Spreadsheet, body: dict) -> dict:
        props = body.get("properties", {})
        title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
        if any(s.title.casefold() == title.casefold() for s in book.sheets):
            raise ApiError(
                400, f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        sheet = self.new_sheet(title, [])
        if "sheetId" in props:
            if any(s.sheet_id == props["sheetId"] for s in book.sheets):
                raise ApiError(400, f"A sheet with the id {props['sheetId']} already exists.")
            sheet.sheet_id = props["sheetId"]
        grid = props.get("gridProperties", {})
        sheet.rows = grid.get("rowCount", DEFAULT_ROWS)
        sheet.columns = grid.get("columnCount", DEFAULT_COLUMNS)
        sheet.frozen_rows = grid.get("frozenRowCount", 0)
        index = props.get("index", len(book.sheets))
        book.sheets.insert(index, sheet)
        out = {
            "sheetId": sheet.sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {
                "rowCount": sheet.rows,
                "columnCount": sheet.columns,
                **({"frozenRowCount": sheet.frozen_rows} if sheet.frozen_rows else {}),
            },
        }
        return {"addSheet": {"properties": out}}

    def _req_appendDimension(self, book: Spreadsheet, body: dict) -> dict:
        sheet = book.by_id(body.get("sheetId", 0))
        length = int(body.get("length", 0))
        if length <= 0:
            raise ApiError(400, "length must be positive")
        if body.get("dimension") == "ROWS":
            sheet.rows += length
        elif body.get("dimension") == "COLUMNS":
            sheet.columns += length
        else:
            raise ApiError(400, "dimension must be ROWS or COLUMNS")
        return {}

    def _req_updateSheetProperties(self, book: Spreadsheet, body: dict) -> dict:
        props = body.get("properties", {})
        sheet = book.by_id(props.get("sheetId", 0))
        fields = body.get("fields", "")
        grid = props.get("gridProperties", {})
        if "title" in props and ("title" in fields or fields == "*"):
            sheet.title = props["title"]
        for name, attr in (
            ("rowCount", "rows"),
            ("columnCount", "columns"),
            ("frozenRowCount", "frozen_rows"),
        ):
            if name in grid and (name in fields or fields == "*"):
                setattr(sheet, attr, grid[name])
        return {}

    def _req_deleteSheet(self, book: Spreadsheet, body: dict) -> dict:
        book.sheets.remove(book.by_id(body.get("sheetId", 0)))
        return {}

    def _req_repeatCell(self, book: Spreadsheet, body: dict) -> dict:
        g = body.get("range", {})
        sheet = book.by_id(g.get("sheetId", 0))
        fmt = body.get("cell", {}).get("userEnteredFormat", {})
        r0, r1 = g.get("startRowIndex", 0), g.get("endRowIndex", sheet.rows)
        c0, c1 = g.get("startColumnIndex", 0), g.get("endColumnIndex", sheet.columns)
        if r1 > sheet.rows or c1 > sheet.columns:
            raise ApiError(400, "Range exceeds grid limits")
        # the fields mask says what is set: a field it names but the cell lacks is cleared
        fields = body.get("fields", "")
        for r in range(r0, r1):
            for c in range(c0, c1):
                if fields != "*" and "numberFormat" not in fields:
                    continue
                kind = fmt.get("numberFormat", {}).get("type")
                if kind in ("DATE", "DATE_TIME"):
                    sheet.dates.add((r, c))
                else:
                    sheet.dates.discard((r, c))
                if kind:
                    sheet.formats[(r, c)] = kind
                else:
                    sheet.formats.pop((r, c), None)
            if fmt.get("textFormat", {}).get("bold"):
                sheet.bold_rows.add(r)
        return {}


_FAULT_MESSAGES = {
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    408: "Request timed out.",
}


def _error(code: int, message: str) -> dict:
    return {"error": {"code": code, "message": message, "status": STATUS.get(code, "UNKNOWN")}}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


_ROUTES = [
    ("GET", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchGet$"), "values.batchGet"),
    ("POST", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchUpdate$"), "values.batchUpdate"),
    ("POST", re.compile(r"^/v4/spreadsheets/([^/:]+)/values:batchClear$"), "values.batchClear"),
    ("POST", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+):clear$"), "values.clear"),
    ("GET", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+)$"), "values.get"),
    ("PUT", re.compile(r"^/v4/spreadsheets/([^/:]+)/values/(.+)$"), "values.update"),
    ("POST", re.compile(r"^/v4/spreadsheets/([^/:]+):batchUpdate$"), "spreadsheets.batchUpdate"),
    ("GET", re.compile(r"^/v4/spreadsheets/([^/:]+)$"), "spreadsheets.get"),
]


def _route(method: str, path: str) -> tuple[str, str, str]:
    for verb, rx, name in _ROUTES:
        if verb == method and (m := rx.match(path)):
            return name, unquote(m[1]), unquote(m[2]) if rx.groups > 1 else ""
    return "unknown", "", ""


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up waiting (a timeout test) is no error of the server


def _handler(server: SheetsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = parse_qs(parts.query, keep_blank_values=True)
            status, payload = server.handle(method, parts.path, query, self.headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

    return Handler


# -- service accounts ---------------------------------------------------------


def make_service_account(
    server: SheetsServer, folder: Path, email: str = "crm-bot@sheetcrm-test.iam.gserviceaccount.com"
) -> Path:
    """A service-account JSON key file, freshly generated, whose token_uri is the server's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = secrets.token_hex(20)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    server.accounts[email] = Account(email, key.public_key(), key_id)
    info = {
        "type": "service_account",
        "project_id": "sheetcrm-test",
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": email,
        "client_id": "1" * 21,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": server.token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "",
        "universe_domain": "googleapis.com",
    }
    path = folder / f"{email.split('@')[0]}.json"
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return path


# -- the pytest fixture ---------------------------------------------------------


@dataclass
class GoogleEnv:
    """A running server, a service account known to it, and sheetcrm pointed at it."""

    server: SheetsServer
    key_file: Path
    email: str
    waits: list[float]

    def add(self, tabs: dict[str, list[list[Any]]], **kwargs: Any) -> str:
        """A spreadsheet shared with the service account as Editor; its key."""
        kwargs.setdefault("shared", {self.email: "writer"})
        return self.server.add_book(tabs, **kwargs)

    def url(self, key: str) -> str:
        return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"


@pytest.fixture
def google(tmp_path: Path, monkeypatch: Any) -> Any:
    """The fixture; a test module uses it with pytest_plugins = ["sheets_server"]."""
    yield from google_env(tmp_path, monkeypatch)


def google_env(tmp_path: Path, monkeypatch: Any) -> Any:
    """A running server with a service account, sheetcrm pointed at it (a generator)."""
    from google.oauth2 import service_account

    from sheetcrm.backends import gsheets
    from sheetcrm.backends.google_http import RetryPolicy, Settings

    # google-auth looks up the account's "regional access boundary" at
    # iamcredentials.googleapis.com after a token refresh; no network in tests
    monkeypatch.setattr(
        service_account.Credentials,
        "_is_regional_access_boundary_lookup_required",
        lambda self: False,
    )
    waits: list[float] = []
    with SheetsServer() as server:
        key_file = make_service_account(server, tmp_path)
        email = json.loads(key_file.read_text())["client_email"]
        retry = RetryPolicy(attempts=5, base=0.5, cap=8, total=30, sleep=waits.append)
        monkeypatch.setattr(
            gsheets, "SETTINGS", Settings(api_url=server.url, retry=retry, timeout=(5, 5))
        )
        monkeypatch.setenv("SHEETCRM_GOOGLE_CREDENTIALS", str(key_file))
        yield GoogleEnv(server, key_file, email, waits)
