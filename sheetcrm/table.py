"""The in-memory table: typed client and manager rows with their sheet row numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cached_property
from itertools import chain, islice
from types import MappingProxyType
from typing import Any

from sheetcrm import values as v
from sheetcrm.client_ids import canonical
from sheetcrm.config import Config
from sheetcrm.errors import ConfigError, DataError
from sheetcrm.schema import (
    CLIENT_FIELDS,
    CLOSED,
    MANAGER_FIELDS,
    OWNED_FIELDS,
    Field,
    fold,
    header_names,
    is_active,
    is_away,
    match_headers,
)

# A title or instructions may stand above the header row; a data row found this far down
# would not name more fields than the header does, so looking further is safe and cheap.
HEADER_SCAN_ROWS = 50


@dataclass
class RawTable:
    """One tab as a backend read it: rows[i] is sheet row i + 1."""

    name: str
    rows: list[list[Any]]
    # merged cell ranges (first row, first col, last row, last col), 0-based like rows
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # cells showing a formula error, (row, col) -> "#N/A", where the reader gave them as
    # empty: reading the tab again must give them the same way
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # rows that hold no client whatever their cells show (an Excel table's totals row)
    footers: frozenset[int] = frozenset()


NO_ERRORS: Mapping[str, ValueError] = MappingProxyType({})


@dataclass(slots=True)  # one per row: slots keep 100,000 of them small and quick to fill
class Client:
    row: int
    cells: list[Any]
    id: str = ""
    client: str = ""
    phone: str = ""
    phone_norm: str = ""
    other_phones: tuple[str, ...] = ()  # further phones written in the same cell
    email: str = ""
    email_norm: str = ""
    other_emails: tuple[str, ...] = ()  # further e-mails written in the same cell
    manager: str = ""
    status: str | None = None  # canonical; None when blank or unknown
    status_text: str = ""
    next_contact: v.DateValue | None = None
    last_contact: v.DateValue | None = None
    created: v.DateValue | None = None
    refusal_reason: str = ""
    city: str = ""
    product: str = ""
    source: str = ""
    amount: float | None = None
    comment: str = ""
    flags: str = ""
    # field -> what is wrong with the cell (the value could not be parsed); most rows
    # share one empty mapping, which cannot be changed by mistake
    errors: Mapping[str, ValueError] = field(default_factory=lambda: NO_ERRORS)

    @property
    def phones(self) -> tuple[str, ...]:
        """Every phone of the client, normalised."""
        return (self.phone_norm, *self.other_phones) if self.phone_norm else ()

    @property
    def emails(self) -> tuple[str, ...]:
        """Every e-mail of the client, normalised."""
        return (self.email_norm, *self.other_emails) if self.email_norm else ()

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def get(self, name: str) -> str:
        """A field as text, for matching (routing rules, grouping)."""
        value = getattr(self, name, None)
        return "" if value is None else v.text(value)


def used_width(width: int, rows: Iterable[list[Any]]) -> int:
    """`width`, or one past the last cell holding a value in `rows` when that lies further
    right: the team's notes in a column without a header are theirs all the same."""
    for row in rows:
        if len(row) > width:
            taken = [i for i, c in enumerate(row[width:], start=width) if c != "" and c is not None]
            width = max(width, taken[-1] + 1) if taken else width
    return width


@dataclass
class ClientTable:
    tab: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    clients: list[Client]
    date1904: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # as in RawTable
    notes: list[list[Any]] = field(default_factory=list)  # rows holding no client (see below)
    zone: tzinfo | None = None  # the team's time zone, which dates with a zone are moved into

    def header(self, name: str, lang: str = "en") -> str:
        """The column header as written in the sheet (or the default name)."""
        if name in self.columns:
            return self.headers[self.columns[name]]
        return next(f for f in CLIENT_FIELDS if f.name == name).header(lang)

    @cached_property
    def width(self) -> int:
        """Columns taken: up to the last header, or further where a client row holds a
        value in a column without one (a column sheetcrm adds goes right of it)."""
        rows = chain((c.cells for c in self.clients), self.notes)
        return used_width(len(self.headers), rows)


@dataclass
class Manager:
    row: int
    name: str
    email: str = ""
    active: bool = True
    cities: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    limit: int | None = None
    telegram: str = ""
    limit_text: str = ""  # a Limit cell that is not a number, as written ("" when fine)
    away: bool = False  # on leave: keeps her clients, is given no new ones
    active_text: str = ""  # the Active cell as written
    under: tuple[int, str] | None = None  # (row, label) of a leavers' section she is listed in


@dataclass
class Roster:
    """The Managers tab; `known` is False when the workbook has none."""

    managers: list[Manager]
    known: bool = True
    tab: str = ""
    header_row: int = 1
    headers: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)

    def find(self, name: str) -> Manager | None:
        key = fold(name)
        return next((m for m in self.managers if fold(m.name) == key), None)

    def active(self) -> list[Manager]:
        return [m for m in self.managers if m.active]

    def likely(self, name: str) -> list[Manager]:
        """The managers a name not on the roster may mean: the same words in another
        order ("Ольга Иванова" for "Иванова Ольга"), or some of them, initials allowed
        ("Иванова", "Иванова О.")."""
        words = alike(name).split()
        return [m for m in self.managers if words and _names_part(words, alike(m.name).split())]

    def lookalike(self, name: str) -> tuple[Manager, str] | None:
        """The manager whose name `name` is but for letters of the other alphabet that look
        the same ("Нoвикова" with a Latin o), and those letters as `name` has them."""
        key, folded = alike(name), fold(name)
        for m in self.managers:
            theirs = fold(m.name)
            if alike(m.name) == key and theirs != folded:
                differ = {a for a, b in zip(folded, theirs, strict=True) if a != b}
                return m, "".join(dict.fromkeys(ch for ch in name if ch.casefold() in differ))
        return None

    def suggest(self, name: str) -> Manager | None:
        """The one manager a name not on the roster may mean. Only a hint: two people may
        share a surname."""
        found = self.likely(name)
        return found[0] if len(found) == 1 else None

    def problems(self) -> list[str]:
        """What handover and assign stop on: a Limit the team typed but sheetcrm cannot
        read, one message per cell; two rows whose names read as one manager."""
        header = self.headers[self.columns["limit"]] if "limit" in self.columns else ""
        out = [
            f"tab '{self.tab}', row {m.row}, column '{header}': {v.quoted(m.limit_text)} is not a "
            "number; write the most open clients as a whole number, such as 30, or leave it empty"
            for m in self.managers
            if m.limit_text
        ]
        return out + self._twins() + self._leavers_unmarked()

    def _leavers_unmarked(self) -> list[str]:
        """Managers listed under a leavers' section ("Уволенные:") with a blank Active cell,
        which reads as active: they carry no clients, so they would be given the most."""
        return [said for m in self.managers if (said := self.unmarked_leaver(m))]

    def unmarked_leaver(self, m: Manager) -> str:
        """Why `m`, under a leavers' section with a blank Active cell, may have left ('' when
        she is not)."""
        if m.under is None:
            return ""
        row, label = m.under
        column = self.columns.get("active")
        where = f"tab '{self.tab}', row {m.row}: {v.quoted(m.name)} is listed under "
        where += f"{v.quoted(label)} (row {row}) but"
        if column is None:
            blank = "the tab has no Active column, so counts as active; add one and write"
        else:
            blank = f"the '{self.headers[column]}' cell is blank, which counts as active; write"
        return f"{where} {blank} 'no' (нет) there if {m.name} left, 'yes' (да) if not"

    def _twins(self) -> list[str]:
        """Rows after the first whose name matches it: clients of either would go to the first
        ("Иванова О." and "иванова_о" may be two people, each with their own e-mail)."""
        header = self.headers[self.columns["name"]] if "name" in self.columns else ""
        first: dict[str, Manager] = {}
        out = []
        for m in self.managers:
            seen = first.setdefault(fold(m.name), m)
            if seen is not m:
                out.append(
                    f"tab '{self.tab}', rows {seen.row} and {m.row}, column '{header}': "
                    f"{v.quoted(seen.name)} and {v.quoted(m.name)} read as one manager (names "
                    f"match ignoring case, spaces, dots and underscores), so only row {seen.row} "
                    "counts; give each person a name of their own, or delete the extra row"
                )
        return out


# Latin letters that, as capitals or small, look like Cyrillic ones: a name typed partly on
# the other keyboard layout reads the same to a user and matched nobody
_LOOKALIKE = str.maketrans("abcehkmoptxy", "авсенкмортху")


def alike(name: str) -> str:
    """A name folded, with its look-alike Latin letters read as Cyrillic."""
    return fold(name).translate(_LOOKALIKE)


def _names_part(words: list[str], full: list[str]) -> bool:
    """Whether each word is a distinct word of `full`, or its initial, and one is whole."""
    left = list(full)
    for w in sorted(words, key=len, reverse=True):  # whole words first, then initials
        match = next((f for f in left if f == w or (len(w) == 1 and f.startswith(w))), None)
        if match is None:
            return False
        left.remove(match)
    return any(len(w) > 1 for w in words)


def _locate_header(
    raw: RawTable, fields: tuple[Field, ...], overrides: dict[str, str]
) -> tuple[int, dict[str, int]]:
    """The header row (0-based) and its field -> column map."""
    header_idx, columns, _ = _find_header(raw, fields, overrides)
    return header_idx, columns


def _find_header(
    raw: RawTable, fields: tuple[Field, ...], overrides: dict[str, str]
) -> tuple[int, dict[str, int], list[str]]:
    """The header row (0-based), its field -> column map and its headers.

    A header may be two rows tall: group titles merged across the columns
    above, and cells merged down from the upper row, which read as blank in
    the lower one. There the lower row's blanks take the upper row's text.
    """
    required = [f.name for f in fields if f.required]
    best: tuple[int, dict[str, int], list[str]] = (-1, {}, [])
    above: list[str] = []
    for i, row in enumerate(raw.rows[:HEADER_SCAN_ROWS]):
        own = [v.text(c) for c in row]
        tall = [h or (above[j] if j < len(above) else "") for j, h in enumerate(own)]
        for headers in (own, tall + above[len(own) :]):
            columns = match_headers(headers, fields, overrides)
            if all(r in columns for r in required) and len(columns) > len(best[1]):
                best = (i, columns, headers)
        above = own
    return best


def _headers_found(raw: RawTable) -> str:
    for row in raw.rows[:HEADER_SCAN_ROWS]:
        found = [v.text(c) for c in row if not v.is_blank(c)]
        if found:
            return ", ".join(repr(h) for h in found)
    return "none (the tab is empty)"


def _missing_columns_error(
    raw: RawTable, fields: tuple[Field, ...], overrides: dict[str, str]
) -> DataError:
    missing = [f for f in fields if f.required]
    names = "; ".join(
        f"{f.name}: "
        + (
            repr(overrides[f.name])
            if f.name in overrides
            else ", ".join(repr(a) for a in (f.en, f.ru, *f.aliases))
        )
        for f in missing
    )
    searched = min(len(raw.rows), HEADER_SCAN_ROWS)
    where = f" in rows 1-{searched}" if searched > 1 else ""
    return DataError(
        f"tab '{raw.name}': no header row with the required column(s) found{where}. "
        f"Headers found: {_headers_found(raw)}. Accepted names: {names}"
    )


def _check_configured(
    tab: str, headers: list[str], columns: dict[str, int], overrides: dict[str, str]
) -> None:
    """A header named in config.yaml that the sheet lacks would leave its field empty on
    every row (no next contact anywhere); sheetcrm's own columns are added when missing."""
    present = {fold(h) for h in headers if h}
    for name, header in overrides.items():
        if name in columns or name in OWNED_FIELDS or fold(header) in present:
            continue
        found = ", ".join(repr(h) for h in headers if h)
        raise ConfigError(
            f"columns.{name}: tab '{tab}' has no column {header!r} (its headers: {found}); "
            "write the header as it is in the sheet in config.yaml"
        )


def parse_clients(raw: RawTable, cfg: Config, date1904: bool = False) -> ClientTable:
    header_idx, columns, headers = _find_header(raw, CLIENT_FIELDS, cfg.columns)
    if header_idx < 0:
        raise _missing_columns_error(raw, CLIENT_FIELDS, cfg.columns)
    _check_configured(raw.name, headers, columns, cfg.columns)
    while headers and not headers[-1]:
        headers.pop()
    statuses = cfg.status_lookup()
    # A row the team cleared may keep sheetcrm's old flags text: no client there.
    flags_col = columns.get("flags", -1)
    share_repeats(raw.rows, header_idx + 1)
    parse = _RowParser(columns, statuses, cfg.phone_region, date1904, cfg.zone())
    keys = [columns[name] for name in KEY_FIELDS if name in columns]
    footers = raw.footers | _sum_rows(raw.rows, header_idx, columns, keys)
    header_again = _header_again(columns["client"], cfg.columns)
    clients, notes = [], []
    for i, row in enumerate(raw.rows):
        if i <= header_idx or i in footers:
            continue
        if _has_data(row, flags_col, keys):
            c = parse(i + 1, row)
            # a header's text is no date: only such rows can be a header again
            if (c.errors or c.next_contact is None) and header_again(row):
                continue
            clients.append(c)
        elif _has_data(row, flags_col):
            notes.append(row)
    merged = [m for m in raw.merged if m[2] > m[0] and m[2] > header_idx]  # over 2+ rows
    table = ClientTable(
        raw.name, header_idx + 1, headers, columns, clients, date1904, merged, zone=parse.zone
    )
    table.notes = notes
    return table


_SHARED_TYPES = frozenset({str, date, datetime})
_SAMPLE = 500


def share_repeats(rows: list[list[Any]], first: int) -> None:
    """In columns that repeat a few values (manager, status, city, dates), equal cells
    become one object: a reader makes a new one per cell, tens of MB at 100,000 rows.

    A column qualifies when a sample of its text and date cells has at most one
    distinct value in four; numbers are left alone (1 == 1.0 == True).
    """
    sample = rows[first : first + _SAMPLE]
    width = max(map(len, sample), default=0)
    columns = []
    for i in range(width):
        values = [r[i] for r in sample if i < len(r) and type(r[i]) in _SHARED_TYPES]
        if values and len(set(values)) * 4 <= len(values):
            columns.append(i)
    if not columns:
        return
    memos: list[dict[Any, Any]] = [{} for _ in columns]
    pairs = list(zip(columns, (m.setdefault for m in memos), strict=True))
    shared = _SHARED_TYPES
    for row in islice(rows, first, None):
        n = len(row)
        for i, share in pairs:
            if i < n and type(value := row[i]) in shared:
                row[i] = share(value, value)


# a sum row's whole label: a client may be called "Всего понемногу", none "Итого по отделу"
SUM_LABELS = frozenset(
    {"итого", "итог", "всего", "сумма", "total", "totals", "grand total", "subtotal", "sum"}
)


# a count line under the sum row, its only text: "Всего клиентов: 3", "Total clients 12"
_COUNT_LINE = re.compile(
    r"(?:" + "|".join(sorted(SUM_LABELS, key=len, reverse=True)) + r")(?:\s+[^\W\d_]+)+:?\s*\d+"
)


def _sum_rows(
    rows: list[list[Any]], header_idx: int, columns: dict[str, int], keys: list[int] | None = None
) -> frozenset[int]:
    """The plain sum rows below the last client (0-based): a label such as "Итого", "Всего"
    or "Total" and nothing else but numbers (what sum formulas show). Such a row is no client:
    it would get an ID, flags and a manager. sheetcrm's own ID and Flags cells do not count,
    as a sync before this rule may have filled them. Below the sum rows the search passes
    over notes (nothing in the `keys` columns) and count lines ("Всего клиентов: 3"); a count
    line goes with the sums above it. A row with a name and a phone or a date stops it."""
    own = {columns.get("id"), columns.get("flags")}
    out: set[int] = set()
    counts: list[int] = []
    for i in range(len(rows) - 1, header_idx, -1):
        if not _has_data(rows[i], -1):
            continue
        filled = [c for j, c in enumerate(rows[i]) if j not in own and not v.is_blank(c)]
        labels = [c for c in filled if not _is_figure(c)]
        label = fold(labels[0]) if len(labels) == 1 and isinstance(labels[0], str) else ""
        if label in SUM_LABELS or label.startswith("итого "):
            out.add(i)
            out.update(counts)
            counts = []
        elif out:
            break
        elif len(filled) == 1 and _COUNT_LINE.fullmatch(label):
            counts.append(i)
        elif keys is None or _has_data(rows[i], -1, keys):
            break
    return frozenset(out)


def _is_figure(c: Any) -> bool:
    """What a sum formula shows: a number, or the error of a formula that fails."""
    if isinstance(c, str):
        return c.strip().upper() in v.FORMULA_ERRORS
    return isinstance(c, int | float) and not isinstance(c, bool)


def _header_again(client_col: int, overrides: dict[str, str]) -> Callable[[list[Any]], bool]:
    """Whether a row below the header is a header too (repeated, or in another language):
    its client cell and another cell bear header names. No client lives there."""
    client = next(f for f in CLIENT_FIELDS if f.name == "client")
    names = header_names(client, overrides)

    def again(row: list[Any]) -> bool:
        if client_col >= len(row) or fold(v.text(row[client_col])) not in names:
            return False  # most rows: one look at the client cell
        return len(match_headers([v.text(c) for c in row], CLIENT_FIELDS, overrides)) > 1

    return again


# A row with none of these is a note or a total (only a comment, a sum, the team's own
# columns), not a client: nothing to call, nobody to call it, so no ID and no flags.
KEY_FIELDS = (
    "client",
    "id",
    "phone",
    "email",
    "manager",
    "status",
    "next_contact",
    "last_contact",
    "created",
    "refusal_reason",
)


def _has_data(row: list[Any], skip: int, only: list[int] | None = None) -> bool:
    """Whether any cell but column `skip` (of columns `only`, when given) is not blank."""
    n = len(row)
    for j in range(n) if only is None else only:
        if j < n and j != skip and (c := row[j]) is not None:
            if not isinstance(c, str) or c.strip():
                return True
    return False


_TEXT_FIELDS = (
    "id",
    "client",
    "phone",
    "email",
    "manager",
    "refusal_reason",
    "city",
    "product",
    "source",
    "comment",
    "flags",
)
_DATE_FIELDS = ("next_contact", "last_contact", "created")


class _RowParser:
    """Turns one sheet row into a Client. Dates repeat a lot across rows, so each
    distinct cell value is parsed once per table (the memo lives only as long as
    this parser: one table, one date system)."""

    def __init__(
        self,
        columns: dict[str, int],
        statuses: dict[str, str],
        region: str,
        date1904: bool,
        zone: tzinfo | None = None,
    ) -> None:
        self.texts = [(name, columns[name]) for name in _TEXT_FIELDS if name in columns]
        self.dates = [(name, columns[name]) for name in _DATE_FIELDS if name in columns]
        self.amount = columns.get("amount")
        self.status = columns.get("status")
        self.statuses = statuses
        self.region = region
        self.date1904 = date1904
        self.zone = zone  # the team's: a time written with another zone is moved into it
        # (type, value) -> date: True, 1 and 1.0 are equal keys but not the same cell
        self.parsed_dates: dict[tuple[type, Any], v.DateValue | None] = {}
        self.known_statuses: dict[str, str | None] = {}  # as written -> canonical

    def date(self, value: Any) -> v.DateValue | None:
        key = (type(value), value)
        try:
            return self.parsed_dates[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: parse it each time
            return v.parse_date(value, self.date1904, self.zone)
        parsed = self.parsed_dates[key] = v.parse_date(
            value, self.date1904, self.zone
        )  # errors not kept
        return parsed

    def __call__(self, number: int, cells: list[Any]) -> Client:
        c = Client(row=number, cells=cells)
        n = len(cells)
        text = v.text
        errors: dict[str, ValueError] = {}
        for name, i in self.texts:
            if i < n:
                value = cells[i]
                setattr(c, name, value.strip() if type(value) is str else text(value))
        if c.id:
            c.id = canonical(c.id)  # an ID retyped as c00007 is still that client's
        for name, i in self.dates:
            if i < n:
                try:
                    setattr(c, name, self.date(cells[i]))
                except ValueError as exc:
                    errors[name] = exc
        if self.amount is not None and self.amount < n:
            try:
                c.amount = v.parse_number(cells[self.amount])
            except ValueError as exc:
                errors["amount"] = exc
        if c.phone:
            try:
                c.phone_norm, *others = v.normalize_phones(c.phone, self.region)
                if others:
                    c.other_phones = tuple(others)
            except ValueError as exc:
                errors["phone"] = exc
        if c.email:
            try:
                c.email_norm, *others = v.normalize_emails(c.email)
                if others:
                    c.other_emails = tuple(others)
            except ValueError as exc:
                errors["email"] = exc
        if self.status is not None and self.status < n:
            c.status_text = text(cells[self.status])
            if c.status_text:
                c.status = self.status_of(c.status_text)
                if c.status is None:
                    errors["status"] = v.not_a("status_unknown", c.status_text)
        if errors:
            c.errors = errors
        return c

    def status_of(self, status_text: str) -> str | None:
        try:
            return self.known_statuses[status_text]
        except KeyError:
            found = self.known_statuses[status_text] = self.statuses.get(fold(status_text))
            return found


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in v.text(value).replace(";", ",").split(",") if part.strip()]


def parse_managers(raw: RawTable | None) -> Roster:
    if raw is None:
        return Roster([], known=False)
    header_idx, columns, headers = _find_header(raw, MANAGER_FIELDS, {})
    if header_idx < 0:
        raise _missing_columns_error(raw, MANAGER_FIELDS, {})
    managers = []
    section: tuple[int, str] | None = None  # the leavers' section label above ("Уволенные:")
    # a count or sum below the team ("Итого", 5) is nobody to hand clients to
    footers = raw.footers | _sum_rows(raw.rows, header_idx, {})
    for i, row in enumerate(raw.rows[header_idx + 1 :], start=header_idx + 2):
        # a header repeated below, or in the other language, is nobody either
        if i - 1 in footers or len(match_headers([v.text(c) for c in row], MANAGER_FIELDS)) > 1:
            continue

        def cell(name: str, row: list[Any] = row) -> Any:
            j = columns.get(name)
            return row[j] if j is not None and j < len(row) else None

        name = v.text(cell("name"))
        # a section label alone on its row ("Уволенные:", "Стажёры:") is nobody either
        if not name or (name.endswith(":") and not _has_data(row, columns["name"])):
            if name:  # "Стажёры:" ends the leavers' section a "Уволенные:" began
                section = None if is_active(name) else (i, name)
            continue
        limit, limit_text = None, ""
        try:
            number = v.parse_number(cell("limit"))
            limit = int(number) if number is not None else None
        except ValueError:
            limit_text = v.text(cell("limit"))
        managers.append(
            Manager(
                row=i,
                name=name,
                email=v.text(cell("email")),
                active=is_active(v.text(cell("active"))),
                away=is_away(v.text(cell("active"))),
                cities=_split_list(cell("cities")),
                products=_split_list(cell("products")),
                limit=limit,
                telegram=v.text(cell("telegram")),
                limit_text=limit_text,
                active_text=v.text(cell("active")),
                under=section if v.is_blank(cell("active")) else None,
            )
        )
    return Roster(managers, True, raw.name, header_idx + 1, headers, columns)
