"""Handing a leaver's open clients over, fairly.

Fair means two things at once. Final loads: each receiver ends with about
the same number of open clients, counting what they already carry (the
quotas fill the least-loaded first). Mix: walking the clients from warmest
to coldest, each client goes to the receiver furthest behind their
proportional share so far, so every receiver gets a like share of the warm
ones; ties go to whoever has had the colder clients so far, which turns an
even split into snake order (A B C, C B A, ...).

A receiver's limit (the Managers tab's Limit column) caps what they carry
after the handover. When the receivers cannot take every client, the
warmest that fit are dealt and the coldest are left with no receiver.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sheetcrm.table import Client
from sheetcrm.values import DateValue, day_of

WARMTH = {"in_progress": 0, "postponed": 1, "new": 2}  # open statuses, warmest first; unknown last


@dataclass(frozen=True)
class Move:
    client: Client
    receiver: str  # "" when no receiver has room left under their limit
    next_contact: DateValue | None  # the date after the handover
    date_changed: bool


def warmth_key(c: Client) -> tuple:
    """Warmest first: status, then the nearer next contact, then the bigger amount."""
    due = day_of(c.next_contact) if c.next_contact is not None else date.max
    return (WARMTH.get(c.status or "new", 3), due, -(c.amount or 0), c.row)


MON_TO_FRI = frozenset(range(5))


def add_working_days(
    day: date, n: int, holidays: Collection[date] = (), week: Collection[int] = MON_TO_FRI
) -> date:
    """The n-th day after `day` whose weekday (Monday = 0) is in `week` and that is not one
    of `holidays` (n = 0 gives `day`); an empty `week` is Monday to Friday."""
    week = week or MON_TO_FRI
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() in week and day not in holidays:
            n -= 1
    return day


def quotas(count: int, loads: list[int], limits: list[int | None] | None = None) -> list[int]:
    """How many of `count` clients each receiver takes so final loads are as even as
    possible, nobody going past their limit (None: no limit); the sum may fall short."""
    caps = limits or [None] * len(loads)
    heap = [(load, i) for i, load in enumerate(loads) if caps[i] is None or load < caps[i]]
    heapq.heapify(heap)
    taken = [0] * len(loads)
    for _ in range(count):
        if not heap:
            break
        load, i = heapq.heappop(heap)
        taken[i] += 1
        cap = caps[i]
        if cap is None or load + 1 < cap:
            heapq.heappush(heap, (load + 1, i))
    return taken


def deal(
    clients: list[Client],
    receivers: list[str],
    loads: list[int],
    limits: list[int | None] | None = None,
) -> dict[int, str]:
    """Sheet row -> receiver, for clients given warmest first; those that fit nowhere
    (the coldest) are left out."""
    quota = quotas(len(clients), loads, limits)
    total = sum(quota)
    ordered = sorted(clients, key=warmth_key)[:total]
    given = [0] * len(receivers)
    coldness = [0] * len(receivers)  # sum of warmth ranks received: larger = colder so far
    out: dict[int, str] = {}
    for k, c in enumerate(ordered):
        open_ = [i for i in range(len(receivers)) if given[i] < quota[i]]
        i = max(open_, key=lambda j: (quota[j] * (k + 1) / total - given[j], coldness[j], -j))
        given[i] += 1
        coldness[i] += k
        out[c.row] = receivers[i]
    return out


def plan_moves(
    clients: list[Client],
    receivers: list[str],
    loads: list[int],
    today: date,
    working_days: int,
    limits: list[int | None] | None = None,
    holidays: Collection[date] = (),
    week: Collection[int] = MON_TO_FRI,
) -> list[Move]:
    """Every client, warmest first, with its receiver ("" when none has room) and the
    date the new manager should call by."""
    by_row = deal(clients, receivers, loads, limits)
    deadline = add_working_days(today, working_days, holidays, week)
    moves = []
    for c in sorted(clients, key=warmth_key):
        due = c.next_contact
        later = due is None or day_of(due) > deadline
        moves.append(Move(c, by_row.get(c.row, ""), deadline if later else due, later))
    return moves


def checklist(moves: list[Move], today: date, days: int = 14) -> dict[str, list[Move]]:
    """Receiver -> their overdue promises (oldest first), then what falls due within `days`."""
    horizon = today + timedelta(days=days)
    out: dict[str, list[Move]] = {}
    for m in sorted(moves, key=lambda m: _due_key(m.next_contact)):
        if m.receiver and m.next_contact is not None and day_of(m.next_contact) <= horizon:
            out.setdefault(m.receiver, []).append(m)
    return out


def _due_key(due: DateValue | None) -> tuple:
    if due is None:
        return (date.max, datetime.min.time())
    return (day_of(due), due.time() if isinstance(due, datetime) else datetime.min.time())
