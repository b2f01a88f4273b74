"""History between syncs: two snapshots of the client rows -> what happened.

A snapshot keeps only the key fields of each client, by ID. The events a
diff gives are what the head of sales asks about later: when a client was
won or refused, who moved it to another manager (and whether sheetcrm did),
how often its next contact was pushed back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sheetcrm.config import Config
from sheetcrm.engine.findings import Finding
from sheetcrm.engine.validate import finding
from sheetcrm.i18n import t
from sheetcrm.schema import fold
from sheetcrm.table import Client, ClientTable
from sheetcrm.values import day_of

KINDS = ("added", "removed", "status", "manager", "postponed")


class Key(NamedTuple):
    """A client's fields as one sync saw them (a tuple: a sync builds one per client)."""

    client: str
    manager: str
    status: str  # canonical status, or the sheet's text when it is not a known one
    next_contact: str  # ISO date, "" when blank


@dataclass(frozen=True)
class Event:
    day: date  # the day of the sync that saw it
    client_id: str
    client: str
    kind: str  # one of KINDS
    old: str = ""
    new: str = ""
    by_sheetcrm: bool = False  # a manager change sheetcrm made (handover, assign, undo)


def key_of(c: Client) -> Key:
    due = day_of(c.next_contact).isoformat() if c.next_contact is not None else ""
    return Key(c.client, c.manager, c.status or c.status_text, due)


def snapshot(clients: Iterable[Client], owners: dict[str, int] | None = None) -> dict[str, Key]:
    """ID -> key fields; rows without an ID are left out, and so are repeats of an ID: the
    row kept is its owner's (see `id_owners`), else the first."""
    out: dict[str, Key] = {}
    for c in clients:
        if c.id and (c.id not in out or (owners and owners.get(c.id) == c.row)):
            out[c.id] = key_of(c)
    return out


def has_twin_ids(clients: list[Client]) -> bool:
    """Whether an ID is on several rows (rare: checked at C speed before anything else)."""
    ids = [c.id for c in clients if c.id]
    return len(set(ids)) != len(ids)


def id_owners(clients: list[Client], previous: dict[str, Key] | None) -> dict[str, int]:
    """ID -> sheet row, for each ID on several rows (a row pasted from elsewhere with its
    ID, a retyped ID) one of which bears the name the last sync saw under it: that row is
    the client's, the others are copies, whatever their order in the sheet."""
    if not previous or not has_twin_ids(clients):
        return {}
    rows: dict[str, list[Client]] = {}
    for c in clients:
        if c.id:
            rows.setdefault(c.id, []).append(c)
    out = {}
    for cid, same in rows.items():
        if len(same) > 1 and (was := previous.get(cid)) is not None:
            named = [c for c in same if fold(c.client) == fold(was.client)]
            if len(named) == 1:
                out[cid] = named[0].row
    return out


# (client ID, manager), folded: the Log says sheetcrm gave this client this manager.
# The old value is not compared: between two syncs a manager cleared by hand and
# filled by auto-assign shows as one change, and that one sheetcrm made.
Explained = frozenset[tuple[str, str]]


def explained(rows: Iterable[tuple[str, str]]) -> Explained:
    return frozenset((cid, fold(new)) for cid, new in rows)


def diff(old: dict[str, Key], new: dict[str, Key], day: date, made: Explained) -> list[Event]:
    """Events between two snapshots, in the new snapshot's order, removals last."""
    out: list[Event] = []
    for cid, now in new.items():
        was = old.get(cid)
        if was is None:
            out.append(Event(day, cid, now.client, "added", "", now.status))
            continue
        if was == now:  # most clients, most days: nothing to compare field by field
            continue
        if was.status != now.status:
            out.append(Event(day, cid, now.client, "status", was.status, now.status))
        if fold(was.manager) != fold(now.manager):
            by_us = (cid, fold(now.manager)) in made
            out.append(Event(day, cid, now.client, "manager", was.manager, now.manager, by_us))
        if was.next_contact and now.next_contact > was.next_contact:
            out.append(Event(day, cid, now.client, "postponed", was.next_contact, now.next_contact))
    out += [
        Event(day, cid, was.client, "removed", was.status)
        for cid, was in old.items()
        if cid not in new
    ]
    return out


def manual_reassignments(events: list[Event], today: date, within_days: int) -> dict[str, Event]:
    """ID -> the change, for clients whose last manager change was made by hand
    in the last `within_days` days (oldest events first in `events`)."""
    last: dict[str, Event] = {}
    for e in events:
        if e.kind == "manager":
            last[e.client_id] = e
    since = today - timedelta(days=within_days)
    return {cid: e for cid, e in last.items() if not e.by_sheetcrm and e.day >= since}


def postponements(events: list[Event]) -> dict[str, int]:
    """ID -> on how many days the next contact was pushed back since the status last changed:
    a date typed and corrected between the syncs of one day is one postponement."""
    days: dict[str, set[date]] = {}
    for e in events:
        if e.kind == "postponed":
            days.setdefault(e.client_id, set()).add(e.day)
        elif e.kind in ("status", "added", "removed"):
            days.pop(e.client_id, None)
    return {cid: len(seen) for cid, seen in days.items()}


def status_dates(events: list[Event]) -> dict[str, date]:
    """ID -> the day the client's status last changed (oldest events first)."""
    return {e.client_id: e.day for e in events if e.kind == "status"}


def first_seen(events: list[Event]) -> dict[str, date]:
    """ID -> the day a client first appeared after history began."""
    out: dict[str, date] = {}
    for e in events:
        if e.kind == "added":
            out.setdefault(e.client_id, e.day)
    return out


def history_findings(
    table: ClientTable,
    cfg: Config,
    events: list[Event],
    today: date,
    owners: dict[str, int] | None = None,
) -> list[Finding]:
    """The problems only history shows: reassigned by hand, postponed again and again
    (of the client an ID is on several rows for, told by `owners`: not of its copies)."""
    lang = cfg.language
    moved = manual_reassignments(events, today, cfg.stale_days)
    pushed = postponements(events)
    out = []
    for c in table.clients:
        if owners and owners.get(c.id, c.row) != c.row:
            continue
        e = moved.get(c.id)
        if e is not None and fold(e.new) == fold(c.manager):
            hint = t(
                lang,
                "hint_reassigned",
                old=e.old or t(lang, "nobody"),
                new=e.new,
                date=f"{e.day:%d.%m.%Y}",
            )
            out.append(finding(table, cfg, c, "reassigned", "manager", t(lang, "reassigned"), hint))
        times = pushed.get(c.id, 0)
        if c.is_open and times >= cfg.history.postponed_times:
            hint = t(lang, "hint_postponed_repeatedly", times=times)
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "postponed_repeatedly",
                    "next_contact",
                    t(lang, "postponed_repeatedly", times=times),
                    hint,
                    times=times,
                )
            )
    return out
