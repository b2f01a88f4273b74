"""Who gets a client nobody (active) is responsible for.

The first rule whose `when` matches the client and names an available
manager decides; among its managers the one carrying the fewest open
clients wins, ties going to whoever was given a client longest ago (round
robin). No rule matches: the pool, the same way. Inactive managers, those
on leave, names not on the roster and managers at their limit are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from sheetcrm.config import Routing, RoutingRule
from sheetcrm.schema import CLIENT_FIELDS, fold, header_names
from sheetcrm.table import Client, ClientTable, Manager, Roster

_FIELDS = frozenset(f.name for f in CLIENT_FIELDS)
# any name a field's column may bear ("Город", "City", "Регион"): a rule names it so too
_FIELD_BY_NAME = {n: f.name for f in CLIENT_FIELDS for n in header_names(f)}


@dataclass(frozen=True)
class Assignment:
    client: Client
    manager: str  # the roster's spelling; "" when nobody could be found
    rule: int | None  # the rule that decided (unassigned: the first that matched); None: pool
    why: str
    previous: str = ""  # the manager cell before routing
    like: tuple[str, ...] = ()  # active managers the cell may mean: left to the team to say


def needs_manager(c: Client, roster: Roster, unknown: bool = True) -> bool:
    """An open client with no manager, or one who left or (`unknown`) is not on the roster."""
    if not c.is_open or not roster.known:
        return False
    if not c.manager:
        return True
    m = roster.find(c.manager)
    return not m.active if m is not None else unknown


def may_mean(name: str, roster: Roster) -> tuple[str, ...]:
    """The active managers a Manager cell not on the roster may mean ("Иванова О.", "Ольга
    Иванова", "Ольга" of two Ольгас): routing such a client would take it from its manager
    on a guess, where writing the name as the Managers tab does is all it needs."""
    if not name or roster.find(name) is not None:
        return ()
    return tuple(m.name for m in roster.likely(name) if m.active)


def open_loads(clients: list[Client], roster: Roster) -> dict[str, int]:
    """Roster name -> open clients carried (every manager on the roster, even at 0)."""
    loads = {m.name: 0 for m in roster.managers}
    for c in clients:
        m = roster.find(c.manager) if c.is_open and c.manager else None
        if m is not None:
            loads[m.name] += 1
    return loads


def rule_field(key: str, headers: list[str]) -> str | None:
    """The client field a rule's key names: its own name, or a name of its column ("Город"
    when the tab heads it "Регион"); None for one of the team's own columns, by header."""
    if key in _FIELDS:
        return key
    if fold(key) in {fold(h) for h in headers if h}:
        return None
    return _FIELD_BY_NAME.get(fold(key))


def column_getter(table: ClientTable) -> Callable[[Client, str], str]:
    """(client, key) -> the cell as text; key is a field name or any column header."""
    from sheetcrm.values import text

    headers = {fold(h): i for i, h in enumerate(table.headers) if h}
    fields: dict[str, str | None] = {}  # each key resolved once, not once a row

    def get(c: Client, key: str) -> str:
        if key not in fields:
            fields[key] = rule_field(key, table.headers)
        if (name := fields[key]) is not None:
            return c.get(name)
        i = headers.get(fold(key))
        return text(c.cells[i]) if i is not None and i < len(c.cells) else ""

    return get


def matches(rule: RoutingRule, c: Client, get: Callable[[Client, str], str]) -> bool:
    for key, wanted in rule.when.items():
        options = [wanted] if isinstance(wanted, str) else wanted
        if fold(get(c, key)) not in {fold(o) for o in options}:
            return False
    return True


class _Dealer:
    """Least-loaded pick with round-robin ties, remembering what it gave."""

    def __init__(self, roster: Roster, loads: dict[str, int], given: Sequence[str] = ()) -> None:
        self.roster = roster
        self.loads = dict(loads)
        self.last_given: dict[str, int] = {}
        self.turn = 0
        for name in given:  # earlier runs: a tie goes on from where the last run left it
            if (m := roster.find(name)) is not None:
                self.turn += 1
                self.last_given[m.name] = self.turn

    def available(self, names: list[str]) -> list[Manager]:
        out: list[Manager] = []
        for name in names:
            m = self.roster.find(name)
            if m is None or not m.active or m.away or m in out:
                continue
            if m.limit is not None and self.loads.get(m.name, 0) >= m.limit:
                continue
            out.append(m)
        return out

    def pick(self, managers: list[Manager]) -> str:
        order = {m.name: i for i, m in enumerate(managers)}
        best = min(
            managers,
            key=lambda m: (
                self.loads.get(m.name, 0),
                self.last_given.get(m.name, -1),
                order[m.name],
            ),
        )
        self.turn += 1
        self.last_given[best.name] = self.turn
        self.loads[best.name] = self.loads.get(best.name, 0) + 1
        return best.name


def route(
    table: ClientTable,
    roster: Roster,
    routing: Routing,
    unknown: bool = True,
    given: Sequence[str] = (),
) -> list[Assignment]:
    """An Assignment for every client that needs a manager, in sheet order; with `unknown`
    False, not those of a name off the roster (a typo, a manager renamed on one tab only).
    `given` names the managers earlier runs gave clients to, oldest first (the Log's memory
    of turns)."""
    get = column_getter(table)
    dealer = _Dealer(roster, open_loads(table.clients, roster), given)
    out: list[Assignment] = []
    like = cache(lambda name: may_mean(name, roster))  # a few names on many rows
    for c in table.clients:
        if not needs_manager(c, roster, unknown):
            continue
        if names := like(c.manager):
            out.append(Assignment(c, "", None, "name like a manager's", c.manager, names))
            continue
        chosen: Assignment | None = None
        matched = None  # the first rule that matches, whether or not its managers are free
        for i, rule in enumerate(routing.rules):
            if not matches(rule, c, get):
                continue
            matched = i if matched is None else matched
            if managers := dealer.available(rule.to):
                chosen = Assignment(
                    c, dealer.pick(managers), i, "rule " + rule_text(rule), c.manager
                )
                break
        if chosen is None and (managers := dealer.available(routing.pool)):
            chosen = Assignment(c, dealer.pick(managers), None, "pool", c.manager)
        out.append(chosen or Assignment(c, "", matched, "no free manager", c.manager))
    return out


def unknown_names(routing: Routing, roster: Roster) -> list[str]:
    """Names in routing that match nobody on the Managers tab (a typo, a Latin letter among
    Cyrillic ones): they are given no clients, and nothing else would say so."""
    if not roster.known:
        return []
    places = [(f"routing.rules[{i}].to", rule.to) for i, rule in enumerate(routing.rules)]
    return [
        f"{where}: {name!r} is not on the Managers tab, so it is given no clients; "
        "write the name as the tab does"
        for where, names in [*places, ("routing.pool", routing.pool)]
        for name in names
        if roster.find(name) is None
    ]


def rule_text(rule: RoutingRule) -> str:
    """The rule's condition, e.g. city=Moscow, product=Lease/Credit."""
    parts = [f"{k}={v if isinstance(v, str) else '/'.join(v)}" for k, v in rule.when.items()]
    return ", ".join(parts) or "(any)"
