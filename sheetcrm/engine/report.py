"""The head of sales' report: per-group figures for a period.

Won and refused count in the period they were closed. The date comes from
a "closed on" column when the sheet has one, else from the history's status
change events; when neither gives any date, closed clients are counted by
their current status and the report says so.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sheetcrm.engine.closing import closing_column
from sheetcrm.engine.events import Event, first_seen, status_dates
from sheetcrm.engine.flags import days_overdue
from sheetcrm.schema import first_spelling
from sheetcrm.table import Client, ClientTable
from sheetcrm.values import day_of

GROUPINGS = ("manager", "city", "product", "source")


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.since <= day <= self.until

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @property
    def name(self) -> str:
        """2026-11 for a whole month, else 2026-11-01_2026-11-15."""
        if self == Period.month(self.since.year, self.since.month):
            return self.since.isoformat()[:7]
        return f"{self.since.isoformat()}_{self.until.isoformat()}"


@dataclass
class Figures:
    group: str  # "" for clients with no value in the grouping column
    clients: int = 0
    open: int = 0
    new: int = 0
    due: int = 0  # open clients whose next contact falls in the period
    overdue: int = 0  # open clients overdue today
    won: int = 0
    won_amount: float = 0.0
    refused: int = 0
    overdue_days: int = 0  # summed over the overdue clients, for the average

    @property
    def conversion(self) -> float | None:
        """Won out of closed; None when nothing was closed."""
        closed = self.won + self.refused
        return self.won / closed if closed else None

    @property
    def avg_overdue_days(self) -> float | None:
        return self.overdue_days / self.overdue if self.overdue else None

    def add(self, other: Figures) -> None:
        for name in (
            "clients",
            "open",
            "new",
            "due",
            "overdue",
            "won",
            "won_amount",
            "refused",
            "overdue_days",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    period: Period
    by: str
    groups: list[Figures]
    total: Figures
    by_current_status: bool = False  # no closing date anywhere: won/refused as they stand now
    undated: int = 0  # closed clients left out for want of a closing date
    unreadable: int = 0  # of those, the ones whose closing date cell is not a date
    closing_header: str = ""  # the closing date column as written, when the sheet has one


def _group(c: Client, by: str, manager_of: dict[int, str]) -> str:
    return manager_of.get(c.row, c.manager) if by == "manager" else c.get(by)


def build_report(
    table: ClientTable,
    period: Period,
    today: date,
    events: list[Event],
    by: str = "manager",
    grace_days: int = 0,
    manager_of: dict[int, str] | None = None,
) -> Report:
    """Figures per group and in total; `events` are the history, oldest first."""
    column = closing_column(table)
    in_column, bad = (column.dates, column.errors) if column else ({}, {})
    changed = status_dates(events)
    seen = first_seen(events)
    closing: dict[int, date] = {}
    for c in table.clients:
        if c.is_open:
            continue
        when = in_column.get(c.row) or changed.get(c.id)
        if when is not None:
            closing[c.row] = when
    closed = [c for c in table.clients if not c.is_open]
    # a closing date the team typed wrong still means they date closings: never count by status
    unreadable = sum(c.row in bad and c.row not in closing for c in closed)
    by_status = bool(closed) and not closing and not unreadable
    groups: dict[str, Figures] = {}
    spelled = first_spelling()  # "Москва" and "москва " are one city
    undated = 0
    for c in table.clients:
        name = spelled(_group(c, by, manager_of or {}))
        g = groups.setdefault(name, Figures(name))
        g.clients += 1
        created = day_of(c.created) if c.created is not None else seen.get(c.id)
        g.new += created in period
        if c.is_open:
            g.open += 1
            g.due += c.next_contact is not None and day_of(c.next_contact) in period
            late = days_overdue(c, today)
            if late is not None and late > grace_days:
                g.overdue += 1
                g.overdue_days += late
            continue
        if not by_status:
            if c.row not in closing:
                undated += 1
                continue
            if closing[c.row] not in period:
                continue
        if c.status == "won":
            g.won += 1
            g.won_amount += c.amount or 0
        else:
            g.refused += 1
    ordered = [groups[k] for k in sorted(groups, key=lambda k: (k == "", k.casefold()))]
    total = Figures("")
    for g in ordered:
        total.add(g)
    header = column.header if column else ""
    return Report(period, by, ordered, total, by_status, undated, unreadable, header)
