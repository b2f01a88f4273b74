"""Listings for the team commands: handover, assign, who, duplicates, log, undo."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from sheetcrm.changelog import LOG_COLUMNS, LogEntry
from sheetcrm.config import Config
from sheetcrm.engine.handover import Move
from sheetcrm.engine.routing import Assignment
from sheetcrm.i18n import t
from sheetcrm.listings import Listing
from sheetcrm.plan import CellChange
from sheetcrm.table import Client, Roster
from sheetcrm.values import day_of

if TYPE_CHECKING:
    from sheetcrm.team import ReceiverTotal, UndoResult


def _listing(cfg: Config, *spec: tuple[str, str], title: str = "") -> Listing:
    return Listing([k for k, _ in spec], [t(cfg.language, label) for _, label in spec], title=title)


def _status(c: Client, cfg: Config) -> str:
    return cfg.status_label(c.status) if c.status else c.status_text


def handover_listing(moves: list[Move], source: str, cfg: Config) -> Listing:
    out = _listing(
        cfg,
        ("client", "col_client"),
        ("from", "col_from"),
        ("to", "col_to"),
        ("status", "col_status"),
        ("next_contact", "col_next_new"),
        ("amount", "col_amount"),
        ("id", "col_id"),
        ("row", "col_row"),
    )
    for mv in moves:
        c = mv.client
        to, due = mv.receiver, mv.next_contact
        if not to:  # no room under the limits: the client would stay as it is
            to, due = t(cfg.language, "no_room"), c.next_contact
        out.rows.append([c.client, source, to, _status(c, cfg), due, c.amount, c.id, c.row])
    return out


def totals_listing(totals: list[ReceiverTotal], cfg: Config) -> Listing:
    """Per receiver: open clients before and after, what they get; the limit if any has one."""
    spec = [
        ("manager", "col_manager"),
        ("before", "col_before"),
        ("received", "col_received"),
        ("warm", "col_warm"),
        ("after", "col_after"),
    ]
    limits = any(r.limit is not None for r in totals)
    out = _listing(cfg, *spec, *([("limit", "col_limit")] if limits else []))
    for r in totals:
        row: list[object] = [r.name, r.before, r.received, r.warm, r.after]
        out.rows.append(row + ([r.limit] if limits else []))  # no limit: null in json
    return out


def checklist_listing(name: str, moves: list[Move], today: date, cfg: Config) -> Listing:
    lang = cfg.language
    out = _listing(
        cfg,
        ("when", "col_when_due"),
        ("due", "col_due"),
        ("client", "col_client"),
        ("phone", "col_phone"),
        ("status", "col_status"),
        ("comment", "col_comment"),
        ("id", "col_id"),
        title=t(cfg.language, "ho_list", name=name, n=len(moves)),
    )
    for mv in moves:
        c = mv.client
        late = mv.next_contact is not None and day_of(mv.next_contact) < today
        out.rows.append(
            [
                t(lang, "overdue_word" if late else "due_word"),
                mv.next_contact,
                c.client,
                c.phone,
                _status(c, cfg),
                c.comment,
                c.id,
            ]
        )
    return out


def assign_listing(
    assignments: list[Assignment], cfg: Config, written: Collection[int] | None = None
) -> Listing:
    """The routing; after an apply, with `written`: the sheet rows whose manager was written
    (a row deleted on a Google Sheet while writing was not)."""
    spec = [("row", "col_row"), ("client", "col_client"), ("from", "col_from")]
    spec += [("to", "col_to"), ("rule", "col_rule"), ("id", "col_id")]
    out = _listing(cfg, *spec, *([("written", "col_written")] if written is not None else []))
    for a in assignments:
        c = a.client
        to = a.manager or t(cfg.language, "nobody")
        row = [c.row, c.client, a.previous, to, a.why, c.id]
        out.rows.append(row if written is None else [*row, c.row in written])
    return out


def who_listing(clients: list[Client], roster: Roster, cfg: Config) -> Listing:
    lang = cfg.language
    out = _listing(
        cfg,
        ("client", "col_client"),
        ("manager", "col_manager"),
        ("active", "col_active"),
        ("status", "col_status"),
        ("next_contact", "col_next"),
        ("comment", "col_comment"),
        ("phone", "col_phone"),
        ("id", "col_id"),
        ("row", "col_row"),
    )
    for c in clients:
        m = roster.find(c.manager) if c.manager else None
        if not c.manager:
            active = ""
        elif m is None:
            active = t(lang, "not_on_roster") if roster.known else ""
        else:
            active = t(lang, "yes_word" if m.active else "no_word")
        last = c.comment.splitlines()[-1] if c.comment else ""
        out.rows.append(
            [
                c.client,
                m.name if m else c.manager,
                active,
                _status(c, cfg),
                c.next_contact,
                last,
                c.phone,
                c.id,
                c.row,
            ]
        )
    return out


def duplicates_listing(groups: list[tuple[str, str, list[Client]]], cfg: Config) -> Listing:
    lang = cfg.language
    out = _listing(
        cfg,
        ("same", "col_by_what"),
        ("value", "col_value"),
        ("rows", "col_rows"),
        ("clients", "col_clients"),
        ("managers", "col_managers"),
    )
    for name, value, rows in groups:
        what = t(lang, "phone_word" if name == "phone_norm" else "email_word")
        out.rows.append(
            [
                what,
                value,
                ", ".join(str(c.row) for c in rows),
                "; ".join(c.client for c in rows),
                "; ".join(c.manager or t(lang, "nobody") for c in rows),
            ]
        )
    return out


def log_listing(entries: list[LogEntry], cfg: Config) -> Listing:
    out = _listing(cfg, *LOG_COLUMNS)
    out.keys.insert(0, "row")
    out.labels.insert(0, t(cfg.language, "col_row"))
    out.rows = [[e.row, *(getattr(e, key) for key, _ in LOG_COLUMNS)] for e in entries]
    return out


def undo_listing(result: UndoResult, cfg: Config, lost: Collection[CellChange] = ()) -> Listing:
    """Each logged cell of the change being undone: restored, or left alone and why; `lost`
    are restores an apply could not write (their rows deleted while writing)."""
    out = _listing(
        cfg,
        ("id", "col_id"),
        ("client", "col_client"),
        ("field", "col_field"),
        ("now", "col_now"),
        ("restore", "col_restore"),
        ("action", "col_action"),
        ("column", "col_column"),
        ("row", "col_row"),
    )
    lang = cfg.language
    for ch in result.reverted:
        restore = t(lang, "not_restored" if ch in lost else "restore_word")
        where = [result.header(ch.tab, ch.column), ch.row]
        out.rows.append([ch.key, ch.client, ch.field, ch.old, ch.new, restore, *where])
    for s in result.skipped:
        e = s.entry
        action = t(lang, "left_alone", reason=s.reason)
        out.rows.append([e.id, e.client, e.field, s.current, e.old, action, s.column, s.row])
    return out
