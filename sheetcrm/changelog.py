"""The Log tab: one row per cell sheetcrm changed in the team's data. Append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sheetcrm.config import Config
from sheetcrm.errors import DataError
from sheetcrm.i18n import t
from sheetcrm.plan import CellChange
from sheetcrm.schema import CLIENT_FIELDS, MANAGER_FIELDS, fold
from sheetcrm.table import RawTable
from sheetcrm.values import day_of, is_blank, parse_date, text

LOG_COLUMNS = (
    ("when", "col_when"),
    ("command", "col_command"),
    ("id", "col_id"),
    ("client", "col_client"),
    ("field", "col_field"),
    ("old", "col_old"),
    ("new", "col_new"),
    ("by", "col_by"),
    ("why", "col_why"),
    ("batch", "col_batch"),
)
# A Log begun before the Batch column existed lacks it; its rows are grouped by time and command.
_REQUIRED = tuple(key for key, _ in LOG_COLUMNS if key != "batch")


# The Log names a field by its header in the workbook's language ("Менеджер"); older Logs
# wrote the internal name ("manager"). Either reads back as the internal name.
_FIELDS = {f.name: f for f in (*MANAGER_FIELDS, *CLIENT_FIELDS)}  # a client field wins
_FIELD_NAMES = {fold(n): f.name for f in _FIELDS.values() for n in (f.en, f.ru, f.name)}


def field_label(name: str, lang: str) -> str:
    """What the Log's field column shows for a field."""
    f = _FIELDS.get(name)
    return f.header(lang) if f else name


def field_name(label: Any) -> str:
    """The field a Log row's field cell names, as written now or by an older version."""
    return _FIELD_NAMES.get(fold(text(label)), text(label))


def log_header(cfg: Config) -> list[str]:
    return [t(cfg.language, label) for _, label in LOG_COLUMNS]


def log_rows(
    changes: list[CellChange],
    command: str,
    when: str,
    by: str,
    ids: dict[int, str],
    batch: str,
    lang: str,
) -> list[list[Any]]:
    """Rows for the Log; `ids` gives the client ID of rows that had none before, `batch`
    names the one apply the rows belong to, `lang` the language fields are named in."""
    return [
        [
            when,
            command,
            c.key or ids.get(c.row, ""),
            c.client,
            field_label(c.field, lang),
            c.old,
            c.new,
            by,
            c.why,
            batch,
        ]
        for c in changes
    ]


def log_names() -> dict[str, str]:
    """Folded header (either language, or the internal name) -> Log column key."""
    names = {fold(t(lang, label)): key for key, label in LOG_COLUMNS for lang in ("en", "ru")}
    names.update({fold(key): key for key, _ in LOG_COLUMNS})
    return names


def log_columns(header: list[Any]) -> dict[str, int]:
    """Log column key -> its 0-based column under this header row."""
    names = log_names()
    return {names[fold(text(h))]: i for i, h in enumerate(header) if fold(text(h)) in names}


def placed(header: list[Any], rows: list[list[Any]]) -> list[list[Any]]:
    """Log rows (in LOG_COLUMNS order) laid out under an existing Log's header, whose
    columns the team may have moved: each value goes under its own column. A Batch column
    missing from an old Log comes right of its header, where it is added."""
    where = log_columns(header)
    if any(key not in where for key in _REQUIRED):
        return rows  # not a Log sheetcrm reads back (read_log says so): as they are
    width = len(header)
    while width and is_blank(header[width - 1]):
        width -= 1
    where.setdefault("batch", width)
    order = [where[key] for key, _ in LOG_COLUMNS]
    if order == list(range(len(order))):
        return rows
    out = []
    for row in rows:
        cells: list[Any] = [""] * (max(order) + 1)
        for value, column in zip(row, order, strict=False):
            cells[column] = value
        out.append(cells)
    return out


@dataclass(frozen=True)
class LogEntry:
    row: int  # sheet row of the Log tab
    when: str
    command: str
    id: str
    client: str
    field: str
    old: Any
    new: Any
    by: str
    why: str
    batch: str  # the apply the row belongs to

    @property
    def day(self) -> date | None:
        try:
            return day_of(parse_date(self.when[:10])) if self.when else None
        except ValueError:
            return None


def read_log(raw: RawTable | None) -> list[LogEntry]:
    """The Log tab's rows, oldest first; its header may be in either language."""
    if raw is None or not raw.rows:
        return []
    header = raw.rows[0]
    where = log_columns(header)
    missing = [key for key in _REQUIRED if key not in where]
    if missing:
        raise DataError(
            f"tab '{raw.name}', row 1: not a sheetcrm log header "
            f"(no column for {', '.join(missing)})"
        )
    entries = []
    for number, row in enumerate(raw.rows[1:], start=2):
        if all(is_blank(c) for c in row):
            continue
        cell = {key: row[i] if i < len(row) else "" for key, i in where.items()}
        batch = text(cell["batch"]) if "batch" in where else _unheaded_batch(header, row)
        when, command = text(cell["when"]), text(cell["command"])
        entries.append(
            LogEntry(
                number,
                when,
                command,
                text(cell["id"]),
                text(cell["client"]),
                field_name(cell["field"]),
                cell["old"],
                cell["new"],
                text(cell["by"]),
                text(cell["why"]),
                batch or f"{command} {when}",
            )
        )
    return entries


def _unheaded_batch(header: list[Any], row: list[Any]) -> str:
    """The batch written right of an old Log's header, whose Batch header was never added."""
    width = len(header)
    while width and is_blank(header[width - 1]):
        width -= 1
    return text(row[width]) if width < len(row) else ""


def filter_log(
    entries: list[LogEntry], client: str | None = None, since: date | None = None
) -> list[LogEntry]:
    """Entries for a client (its ID exactly, or part of its name) on or after `since`."""
    out = entries
    if client:
        key = fold(client)
        out = [e for e in out if fold(e.id) == key or key in fold(e.client)]
    if since:
        out = [e for e in out if e.day is not None and e.day >= since]
    return out
