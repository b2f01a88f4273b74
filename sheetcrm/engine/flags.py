"""Operational problems: overdue, orphaned, duplicates, stale, closed-but-due."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import cache

from sheetcrm.config import Config
from sheetcrm.engine.findings import CODES, Finding
from sheetcrm.engine.validate import finding, validate
from sheetcrm.i18n import t
from sheetcrm.table import Client, ClientTable, Manager, Roster
from sheetcrm.values import day_of, quoted, text


def days_overdue(c: Client, today: date) -> int | None:
    """Whole days the promised contact is late; None when not due yet or closed."""
    if not c.is_open or c.next_contact is None:
        return None
    late = (today - day_of(c.next_contact)).days
    return late if late > 0 else None


def flags(table: ClientTable, roster: Roster, cfg: Config, today: date) -> list[Finding]:
    lang = cfg.language
    out: list[Finding] = []
    reasons = ", ".join(cfg.reasons())
    has_last = "last_contact" in table.columns
    # a few managers named on 100,000 rows: look each name up once
    find, suggest = cache(roster.find), cache(roster.suggest)
    for c in table.clients:
        if c.is_open:
            late = days_overdue(c, today)
            if late is not None and late > cfg.overdue_grace_days:
                out.append(
                    finding(
                        table,
                        cfg,
                        c,
                        "overdue",
                        "next_contact",
                        t(lang, "overdue", days=late),
                        t(lang, "hint_overdue", date=text(c.next_contact)),
                        days=late,
                    )
                )
            out.extend(_orphan(table, roster, cfg, c, find, suggest))
            if c.next_contact is None and "next_contact" not in c.errors:
                out.append(
                    finding(
                        table,
                        cfg,
                        c,
                        "no_next_contact",
                        "next_contact",
                        t(lang, "no_next_contact"),
                        t(lang, "hint_no_next_contact"),
                    )
                )
            seen = c.last_contact or c.created
            if has_last and seen is not None:
                idle = (today - day_of(seen)).days
                if idle > cfg.stale_days:
                    out.append(
                        finding(
                            table,
                            cfg,
                            c,
                            "stale",
                            "last_contact",
                            t(lang, "stale", days=idle),
                            # no last contact: the date is when the row was created
                            t(
                                lang,
                                "hint_stale" if c.last_contact else "hint_stale_created",
                                date=text(seen),
                            ),
                            days=idle,
                        )
                    )
        else:
            if c.status == "refused" and not c.refusal_reason:
                out.append(
                    finding(
                        table,
                        cfg,
                        c,
                        "refused_no_reason",
                        "refusal_reason",
                        t(lang, "refused_no_reason"),
                        t(lang, "hint_refused_no_reason", reasons=reasons),
                    )
                )
            if c.next_contact is not None:
                out.append(
                    finding(
                        table,
                        cfg,
                        c,
                        "closed_with_next",
                        "next_contact",
                        t(lang, "closed_with_next"),
                        t(lang, "hint_closed_with_next"),
                    )
                )
    out.extend(_duplicates(table, cfg))
    return out


def _orphan(
    table: ClientTable,
    roster: Roster,
    cfg: Config,
    c: Client,
    find: Callable[[str], Manager | None],
    suggest: Callable[[str], Manager | None],
) -> list[Finding]:
    lang = cfg.language
    if not c.manager:
        if "manager" not in table.columns:
            return []  # the tab has no manager column: one warning says so, not every row
        return [
            finding(
                table,
                cfg,
                c,
                "no_manager",
                "manager",
                t(lang, "no_manager"),
                t(lang, "hint_no_manager"),
            )
        ]
    if not roster.known:
        return []
    m = find(c.manager)
    if m is None:
        like = suggest(c.manager)
        hint = (
            t(lang, "hint_unknown_manager_like", name=c.manager, roster=like.name)
            if like
            else t(lang, "hint_unknown_manager", name=c.manager)
        )
        if alike := roster.lookalike(c.manager):  # the same name to the eye
            (same, letters), latin = alike, alike[1].isascii()
            script = t(lang, "latin_letters" if latin else "cyrillic_letters")
            where = dict(name=c.manager, roster=same.name, letters=letters, script=script)
            hint = t(lang, "hint_manager_lookalike", **where)
        return [
            finding(
                table,
                cfg,
                c,
                "unknown_manager",
                "manager",
                f"{quoted(c.manager)}: {t(lang, 'unknown_manager')}",
                hint,
            )
        ]
    if not m.active:
        return [
            finding(
                table,
                cfg,
                c,
                "inactive_manager",
                "manager",
                f"{m.name}: {t(lang, 'inactive_manager')}",
                t(lang, "hint_inactive_manager", name=m.name),
            )
        ]
    return []


def _one(value: str) -> tuple[str, ...]:
    return (value,) if value else ()


def duplicate_groups(clients: list[Client]) -> list[tuple[str, str, list[Client]]]:
    """(field, normalised value, rows) for every phone or e-mail on two or more rows."""
    groups: list[tuple[str, str, list[Client]]] = []
    values_of = {  # every phone and e-mail of a cell, each once
        "phone_norm": lambda c: dict.fromkeys(c.phones) if c.other_phones else _one(c.phone_norm),
        "email_norm": lambda c: dict.fromkeys(c.emails) if c.other_emails else _one(c.email_norm),
    }
    for name, values in values_of.items():
        by_value: dict[str, list[Client]] = defaultdict(list)
        for c in clients:
            for value in values(c):
                by_value[value].append(c)
        groups.extend((name, value, rows) for value, rows in by_value.items() if len(rows) > 1)
    return groups


def _duplicates(table: ClientTable, cfg: Config) -> list[Finding]:
    lang = cfg.language
    out = []
    for name, value, group in duplicate_groups(table.clients):
        field = "phone" if name == "phone_norm" else "email"
        what = t(lang, f"{field}_word")
        for c in group:
            rows = ", ".join(str(o.row) for o in group if o is not c)
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "duplicate",
                    field,
                    t(lang, "duplicate", rows=rows),
                    t(lang, "hint_duplicate", what=what, value=value, rows=rows),
                    rows=rows,
                )
            )
    return out


def all_findings(
    table: ClientTable,
    roster: Roster,
    cfg: Config,
    today: date,
    extra: list[Finding] | None = None,
    owners: dict[str, int] | None = None,
) -> list[Finding]:
    """Every finding, by row then column order; `extra` are found elsewhere (history), as
    are `owners`, the rows of the clients whose IDs are on several rows."""
    found = validate(table, cfg, owners) + flags(table, roster, cfg, today) + (extra or [])
    # left to right as the sheet has them; a field with no column last
    return sorted(found, key=lambda f: (f.row, table.columns.get(f.field, len(table.headers))))


def flags_text(found: list[Finding]) -> dict[int, str]:
    """Sheet row -> the text for its flags cell."""
    by_row: dict[int, list[str]] = defaultdict(list)
    priority = {code: i for i, code in enumerate(CODES)}
    for f in sorted(found, key=lambda f: priority[f.code]):
        if f.label not in by_row[f.row]:
            by_row[f.row].append(f.label)
    return {row: "; ".join(labels) for row, labels in by_row.items()}
