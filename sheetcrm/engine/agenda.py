"""The daily list in deck order: the most urgent card on top.

Overdue promises come first, the oldest first; then today's, those with a
time in time order, then the rest. Within the same moment a bigger deal
comes first, then sheet order, so the order never depends on who is looking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sheetcrm.schema import first_spelling, fold
from sheetcrm.table import Client, ClientTable, Roster
from sheetcrm.values import day_of


@dataclass(slots=True)  # tens of thousands per sync: a frozen one takes 3x as long to make
class Card:
    manager: str
    position: int  # 1 = call this one first
    client: Client
    days_overdue: int  # 0 when due today

    @property
    def due(self) -> date | datetime:
        assert self.client.next_contact is not None
        return self.client.next_contact


def _deck_key(c: Client) -> tuple:
    due = c.next_contact
    assert due is not None
    timed = isinstance(due, datetime)
    return (
        day_of(due),
        0 if timed else 1,
        due.time() if timed else time(),
        -(c.amount or 0),
        c.row,
    )


def manager_name(c: Client, roster: Roster) -> str:
    """The roster's spelling of the client's manager, or the sheet's."""
    m = roster.find(c.manager) if c.manager else None
    return m.name if m else c.manager


def agenda(
    table: ClientTable, roster: Roster, today: date, manager: str | None = None
) -> dict[str, list[Card]]:
    """Manager -> their cards for `today`, in deck order.

    Clients with no manager are listed under "". A manager not on the roster
    is listed as first spelled in the sheet. A manager who left keeps
    a list too: those clients still need calling, and seeing them is how a
    head of sales notices.
    """
    due: dict[str, list[Client]] = {}
    spelled = first_spelling()  # "olga" and "Olga" off the roster are one person
    for c in table.clients:
        if not c.is_open or c.next_contact is None or day_of(c.next_contact) > today:
            continue
        name = spelled(manager_name(c, roster))
        due.setdefault(name, []).append(c)
    if manager is not None:
        m = roster.find(manager)
        wanted = fold(m.name if m else manager)
        due = {name: cards for name, cards in due.items() if fold(name) == wanted}
    decks: dict[str, list[Card]] = {}
    for name in sorted(due, key=lambda n: (n == "", n.casefold())):
        ordered = sorted(due[name], key=_deck_key)
        decks[name] = [
            Card(name, i, c, max(0, (today - day_of(c.next_contact)).days))  # type: ignore[arg-type]
            for i, c in enumerate(ordered, start=1)
        ]
    return decks
