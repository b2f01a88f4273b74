"""The history between syncs, kept in a SQLite file beside config.yaml.

A spreadsheet forgets its own past. Each sync that writes (never a dry run)
stores a compact snapshot of every client's key fields and the events that
differ from the previous snapshot, in one transaction: a sync that fails
leaves the history as it was. Events older than history.retention_days go.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetcrm.backends.base import find_tab
from sheetcrm.changelog import field_name, read_log
from sheetcrm.client_ids import SQL_IS_ID, SQL_NUMBER
from sheetcrm.config import Config, History
from sheetcrm.engine.events import (
    Event,
    Key,
    diff,
    explained,
    has_twin_ids,
    history_findings,
    id_owners,
    snapshot,
)
from sheetcrm.engine.findings import Finding
from sheetcrm.errors import DataError, SheetCrmError, SourceError
from sheetcrm.plan import Plan
from sheetcrm.schema import fold
from sheetcrm.table import Client
from sheetcrm.values import text
from sheetcrm.workspace import Workspace

SCHEMA = """
CREATE TABLE IF NOT EXISTS syncs (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, day TEXT NOT NULL, at TEXT NOT NULL,
    clients INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot (
    source TEXT NOT NULL, id TEXT NOT NULL, client TEXT NOT NULL, manager TEXT NOT NULL,
    status TEXT NOT NULL, next_contact TEXT NOT NULL, PRIMARY KEY (source, id));
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, sync INTEGER NOT NULL, source TEXT NOT NULL, day TEXT NOT NULL,
    client_id TEXT NOT NULL, client TEXT NOT NULL, kind TEXT NOT NULL, old TEXT NOT NULL,
    new TEXT NOT NULL, by_sheetcrm INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_client ON events (source, client_id);
CREATE TABLE IF NOT EXISTS ids_given (source TEXT PRIMARY KEY, top INTEGER NOT NULL);
"""


def database(cfg: Config, backend: Any = None) -> Path:
    """Where the history is kept: history.database, relative to config.yaml; without a
    config.yaml (nor the key), beside the workbook as its backups are, so that a cron job
    and a run by hand from other folders keep one history; else the current folder."""
    return _beside(cfg, backend) or cfg.path(cfg.history.database)


def _beside(cfg: Config, backend: Any) -> Path | None:
    return cfg.beside(cfg.history.database, History().database, getattr(backend, "path", None))


def left_here(cfg: Config, backend: Any, ids: Collection[str] = ()) -> Path | None:
    """The history of this workbook that an earlier version kept in the current folder,
    while there is none beside the workbook yet: read until the next sync copies it there."""
    beside, old = _beside(cfg, backend), cfg.path(cfg.history.database)
    if beside is None or beside.exists() or not old.is_file() or old.resolve() == beside:
        return None
    con = _connect(old, create=False)
    assert con is not None
    try:
        source = source_key(backend)
        mine = _last_sync(con, source) is not None or _moved_from(con, source, set(ids))
    except sqlite3.Error as exc:
        raise failed(old, "read", exc) from None
    finally:
        con.close()
    return old if mine else None


def _reading(cfg: Config, backend: Any, ids: Collection[str] = ()) -> Path:
    return left_here(cfg, backend, ids) or database(cfg, backend)


def source_key(backend: Any) -> str:
    """What the history of one sheet is filed under: the workbook's full path or the sheet key."""
    path = getattr(backend, "path", None)
    if path is not None:
        return str(Path(path).expanduser().resolve())
    return str(getattr(backend, "key", "") or backend.label)


def failed(path: Path, doing: str, exc: Exception) -> SourceError:
    """The error for a history that cannot be used; a damaged file is told what to do."""
    message = f"{path}: cannot {doing} the history database ({exc})"
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_CORRUPT,
    ):
        message += (
            "; the file is damaged: move it aside or delete it (a new history begins with the "
            "next sync), or put back a copy of it from a backup"
        )
    return SourceError(message)


def _connect(path: Path, create: bool) -> sqlite3.Connection | None:
    if not create and not path.is_file():
        return None
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path)
        con.executescript(SCHEMA)
        return con
    except (sqlite3.Error, OSError) as exc:
        raise failed(path, "open", exc) from None


def _last_sync(con: sqlite3.Connection, source: str) -> int | None:
    return con.execute("SELECT max(id) FROM syncs WHERE source = ?", (source,)).fetchone()[0]


def _moved_from(con: sqlite3.Connection, source: str, ids: Collection[str]) -> str | None:
    """The workbook whose history `source` continues: a file the history knows that is
    gone, whose last snapshot shares most of its IDs with the sheet (the workbook, or
    its folder, was moved or renamed). A copy, its original still there, begins its own."""
    if not ids or _last_sync(con, source) is not None:
        return None
    best, most = None, 0
    for (old,) in con.execute("SELECT DISTINCT source FROM snapshot WHERE source != ?", (source,)):
        if not Path(old).is_absolute() or Path(old).exists():
            continue  # a Google Sheet's key, or a workbook still in its place
        known = [r[0] for r in con.execute("SELECT id FROM snapshot WHERE source = ?", (old,))]
        shared = sum(1 for cid in known if cid in ids)
        if shared * 2 > len(known) and shared > most:
            best, most = old, shared
    return best


def highest_id_given(cfg: Config, backend: Any, ids: Collection[str] = ()) -> int:
    """The number of the highest client ID the sheet has had (0 without a history);
    `ids` are those in the sheet, which tell a moved workbook's history. A history from
    before IDs were remembered still knows the IDs of its snapshot and events."""
    path = _reading(cfg, backend, ids)
    con = _connect(path, create=False)
    if con is None:
        return 0
    source = source_key(backend)
    known = " UNION ALL ".join(
        f"SELECT {SQL_NUMBER.format(col)} FROM {table} WHERE source = ?1 AND "
        + SQL_IS_ID.format(col)
        for table, col in (("snapshot", "id"), ("events", "client_id"))
    )
    try:
        source = _moved_from(con, source, set(ids)) or source
        row = con.execute(
            f"SELECT max(n) FROM (SELECT top AS n FROM ids_given WHERE source = ?1 "
            f"UNION ALL {known})",
            (source,),
        ).fetchone()
        return row[0] or 0
    except sqlite3.Error as exc:
        raise failed(path, "read", exc) from None
    finally:
        con.close()


def vanished_ids(cfg: Config, backend: Any, ids: Collection[str]) -> dict[str, str]:
    """Folded client name -> ID, for the clients of the last sync whose ID is no longer in
    the sheet (`ids`), each name held by one of them only: a row whose ID cell was cleared
    gets its ID back rather than a new one that would read as another client."""
    path = _reading(cfg, backend, ids)
    con = _connect(path, create=False)
    if con is None:
        return {}
    try:
        source = source_key(backend)
        source = _moved_from(con, source, ids) or source
        rows = con.execute("SELECT id, client FROM snapshot WHERE source = ?", (source,))
        names: dict[str, list[str]] = {}
        for cid, client in rows:
            names.setdefault(fold(client), []).append(cid)
    except sqlite3.Error as exc:
        raise failed(path, "read", exc) from None
    finally:
        con.close()
    return {
        name: found[0]
        for name, found in names.items()
        if name and len(found) == 1 and found[0] not in ids
    }


def _read(con: sqlite3.Connection, source: str) -> tuple[dict[str, Key] | None, list[Event]]:
    """The last snapshot of `source` (None before its first sync) and its events, oldest first."""
    if _last_sync(con, source) is None:
        return None, []
    rows = con.execute(
        "SELECT id, client, manager, status, next_contact FROM snapshot WHERE source = ?",
        (source,),
    )
    previous = {r[0]: Key._make(r[1:]) for r in rows}
    events = con.execute(
        "SELECT day, client_id, client, kind, old, new, by_sheetcrm FROM events "
        "WHERE source = ? ORDER BY seq",
        (source,),
    )
    return previous, [_event(r) for r in events]


def _event(r: tuple[Any, ...]) -> Event:
    return Event(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4], r[5], bool(r[6]))


def _made_by_sheetcrm(ws: Workspace, plan: Plan | None) -> list[tuple[str, str]]:
    """(client ID, new manager) of every manager change the Log records, and the plan's own."""
    name = ws.cfg.tab("log")
    raw = ws.tab("log")
    if raw is None:
        tabs = ws.backend.read([name]).tabs  # read only when a manager changed
        raw = tabs.get(find_tab(tabs, name) or "")
    try:
        entries = [(e.id, text(e.new)) for e in read_log(raw) if e.field == "manager"]
    except DataError:
        entries = []  # a Log tab that is not sheetcrm's explains nothing
    if plan is not None and name in plan.appends:
        # the Log rows this sync is about to add: [when, command, id, client, field, old, new, ...]
        rows = plan.appends[name][1]
        entries += [(text(r[2]), text(r[6])) for r in rows if field_name(r[4]) == "manager"]
    return entries


@dataclass
class Pending:
    """What this sync saw, not yet stored: the snapshot and the new events."""

    path: Path
    source: str
    day: date
    retention_days: int
    clients: list[Client]  # the snapshot is taken of them again only to store it whole
    past: list[Event] = field(default_factory=list)
    new: list[Event] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # what differs from the stored snapshot (None: store it whole), and the sync that stored it
    changes: tuple[list[tuple[str, Key]], list[str]] | None = None
    previous_sync: int | None = None
    count: int = 0  # clients in the snapshot
    moved_from: str | None = None  # the workbook's former path, whose history this takes over
    copied_from: Path | None = None  # a history left in the current folder, copied to `path`
    owners: dict[str, int] = field(default_factory=dict)  # ID on several rows -> its client's

    @property
    def events(self) -> list[Event]:
        return [*self.past, *self.new]

    def commit(self, at: str) -> None:
        """Store the snapshot and the new events in one transaction; drop expired events."""
        con = _connect(self.path, create=True)
        assert con is not None
        if self.copied_from is not None:
            self._copy_in(con)
        cutoff = (self.day - timedelta(days=self.retention_days)).isoformat()
        try:
            with con:  # commits on success, rolls back on any error
                if self.moved_from:
                    for table in ("syncs", "snapshot", "events", "ids_given"):
                        con.execute(
                            f"UPDATE {table} SET source = ? WHERE source = ?",
                            (self.source, self.moved_from),
                        )
                stale = _last_sync(con, self.source) != self.previous_sync
                new = self._not_yet_stored(con) if stale else self.new
                cur = con.execute(
                    "INSERT INTO syncs (source, day, at, clients) VALUES (?, ?, ?, ?)",
                    (self.source, self.day.isoformat(), at, self.count),
                )
                con.executemany(
                    "INSERT INTO events (sync, source, day, client_id, client, kind, old, new, "
                    "by_sheetcrm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            cur.lastrowid,
                            self.source,
                            e.day.isoformat(),
                            e.client_id,
                            e.client,
                            e.kind,
                            e.old,
                            e.new,
                            int(e.by_sheetcrm),
                        )
                        for e in new
                    ],
                )
                self._store_snapshot(con, whole=stale)
                con.execute(  # the snapshot holds every ID in the sheet now
                    f"INSERT INTO ids_given SELECT ?1, max({SQL_NUMBER.format('id')}) "
                    f"FROM snapshot WHERE source = ?1 AND {SQL_IS_ID.format('id')} "
                    "GROUP BY source "
                    "ON CONFLICT (source) DO UPDATE SET top = max(top, excluded.top)",
                    (self.source,),
                )
                con.execute(
                    "DELETE FROM events WHERE source = ? AND day < ?", (self.source, cutoff)
                )
                con.execute(
                    "DELETE FROM syncs WHERE source = ? AND day < ? AND id < ?",
                    (self.source, cutoff, cur.lastrowid),
                )
        except sqlite3.Error as exc:
            raise failed(self.path, "write", exc) from None
        finally:
            con.close()

    def _copy_in(self, con: sqlite3.Connection) -> None:
        """Take the history kept in the current folder along; that file stays as it was."""
        if con.execute("SELECT 1 FROM syncs LIMIT 1").fetchone():
            return  # another sync took it along meanwhile: it is stale here
        try:
            old = sqlite3.connect(self.copied_from)
            try:
                old.backup(con)
            finally:
                old.close()
        except sqlite3.Error as exc:
            con.close()
            raise SourceError(
                f"{self.path}: cannot copy the history from {self.copied_from} ({exc})"
            ) from None

    def _not_yet_stored(self, con: sqlite3.Connection) -> list[Event]:
        """The new events less those a sync stored after this one read the history (two
        syncs at once, the daemon's and one by hand, see the same edits)."""
        stored = set(
            con.execute(
                "SELECT day, client_id, kind, old, new FROM events WHERE source = ? AND sync > ?",
                (self.source, self.previous_sync or 0),
            )
        )
        return [
            e
            for e in self.new
            if (e.day.isoformat(), e.client_id, e.kind, e.old, e.new) not in stored
        ]

    def _store_snapshot(self, con: sqlite3.Connection, whole: bool) -> None:
        """Only the clients that changed since the stored snapshot are written (a day
        changes a few thousand of 100,000 rows); the whole snapshot on a first sync or
        when another sync stored one after this one read it."""
        source = self.source
        if whole or self.changes is None:
            con.execute("DELETE FROM snapshot WHERE source = ?", (source,))
            changed: Iterable[tuple[str, Key]] = snapshot(self.clients, self.owners).items()
            gone: list[str] = []
        else:
            changed, gone = self.changes
        con.executemany(
            "DELETE FROM snapshot WHERE source = ? AND id = ?", [(source, cid) for cid in gone]
        )
        con.executemany(
            "INSERT OR REPLACE INTO snapshot VALUES (?, ?, ?, ?, ?, ?)",
            [(source, cid, *k) for cid, k in changed],
        )


def _changes(
    previous: dict[str, Key], current: dict[str, Key]
) -> tuple[list[tuple[str, Key]], list[str]]:
    """(the clients new or changed, the IDs gone): what storing `current` over `previous`
    takes. Kept instead of `previous`, which is tens of MB at 100,000 clients."""
    get = previous.get
    changed = [(cid, k) for cid, k in current.items() if get(cid) != k]
    return changed, list(previous.keys() - current.keys())


# snapshot, events, the sync that stored them, and the former path of a moved workbook
Stored = tuple[dict[str, Key] | None, list[Event], int | None, str | None]


def recall(cfg: Config, backend: Any, ids: Collection[str] = ()) -> Stored:
    """What the history holds for the backend's source: the last snapshot (None before
    the first sync), its events oldest first, the ID of the sync that stored it, and
    the path it was filed under when the workbook (with the IDs `ids`) was moved."""
    path = _reading(cfg, backend, ids)
    con = _connect(path, create=False)
    if con is None:
        return None, [], None, None
    try:
        source = source_key(backend)
        moved = _moved_from(con, source, ids)
        # the sync first: one stored in between shows as stale when this one stores
        seen = _last_sync(con, moved or source)
        previous, past = _read(con, moved or source)
        return previous, past, seen, moved
    except sqlite3.Error as exc:
        raise failed(path, "read", exc) from None
    finally:
        con.close()


def known_owners(ws: Workspace) -> dict[str, int]:
    """`id_owners` of the sheet as read, for a command that keeps no history (`check`): the
    history is read only when an ID is on several rows, and one it cannot read tells none."""
    if not has_twin_ids(ws.table.clients):
        return {}
    try:
        previous = recall(ws.cfg, ws.backend, [c.id for c in ws.table.clients if c.id])[0]
    except SheetCrmError:
        return {}  # `sync` and `problems` say what is wrong with it
    return id_owners(ws.table.clients, previous)


def pending_history(ws: Workspace, plan: Plan | None = None) -> Pending:
    """Compare the sheet as read (with the IDs and managers `plan` gives) with the last
    stored snapshot; the result holds the new events and the problems history shows."""
    path, source = database(ws.cfg, ws.backend), source_key(ws.backend)
    current = snapshot(ws.table.clients)
    copied_from = left_here(ws.cfg, ws.backend, current.keys())
    previous, past, seen, moved = recall(ws.cfg, ws.backend, current.keys())
    new: list[Event] = []
    owners = id_owners(ws.table.clients, previous)
    if owners:  # a copy of a client's row, above it, is not the client changed
        current = snapshot(ws.table.clients, owners)
    if previous is not None:
        new = diff(previous, current, ws.today, frozenset())
        if any(e.kind == "manager" for e in new):
            new = diff(previous, current, ws.today, explained(_made_by_sheetcrm(ws, plan)))
    pending = Pending(
        path,
        source,
        ws.today,
        ws.cfg.history.retention_days,
        ws.table.clients,
        past,
        new,
        changes=_changes(previous, current) if previous is not None else None,
        previous_sync=seen,
        count=len(current),
        moved_from=moved,
        copied_from=copied_from,
        owners=owners,
    )
    pending.findings = history_findings(ws.table, ws.cfg, pending.events, ws.today, owners)
    return pending


@dataclass
class ClientStory:
    client_id: str
    client: str
    current: Key | None  # as the last sync saw it
    events: list[Event]


def stories(cfg: Config, query: str, backend: Any = None) -> list[ClientStory]:
    """Every client whose ID is `query` or whose name contains it, with its events: of the
    backend's sheet, or of every sheet the history knows."""
    source = source_key(backend) if backend is not None else None
    path = _reading(cfg, backend)
    con = _connect(path, create=False)
    if con is None:
        hint = ""
        if backend is None and cfg.config_file is None:  # kept beside the workbook, not here
            hint = " (without config.yaml it is kept beside the workbook: name it, as in "
            hint += f"`sheetcrm history crm.xlsx {query}`)"
        raise DataError(f"{path}: no history yet; it starts with the first `sheetcrm sync`{hint}")
    where, args = ("WHERE source = ?", [source]) if source else ("", [])
    try:
        keys = {
            (r[0], r[1]): (r[2], Key(*r[2:]))
            for r in con.execute(
                f"SELECT source, id, client, manager, status, next_contact FROM snapshot {where}",
                args,
            )
        }
        events = [
            (r[0], _event(r[1:]))
            for r in con.execute(
                "SELECT source, day, client_id, client, kind, old, new, by_sheetcrm FROM events "
                f"{where} ORDER BY seq",
                args,
            )
        ]
    except sqlite3.Error as exc:
        raise failed(path, "read", exc) from None
    finally:
        con.close()
    return _matching(query, keys, events)


Filed = tuple[str, str]  # (source, ID): the workbooks of one history each have a C00001


def _matching(
    query: str, keys: dict[Filed, tuple[str, Key]], events: list[tuple[str, Event]]
) -> list[ClientStory]:
    told: dict[Filed, list[Event]] = {}
    for src, e in events:
        told.setdefault((src, e.client_id), []).append(e)
    names = {k: story[-1].client for k, story in told.items()}
    names.update({k: name for k, (name, _) in keys.items()})
    wanted = fold(query)
    found = [k for k in names if fold(k[1]) == wanted]
    if not found:  # a client renamed since is found by the names its events show too
        seen = names.items() | {((src, e.client_id), e.client) for src, e in events}
        found = list({k for k, name in seen if wanted in fold(name)})
    return [
        ClientStory(k[1], names[k], keys[k][1] if k in keys else None, told.get(k, []))
        for k in sorted(found, key=lambda k: (k[1], k[0]))
    ]
