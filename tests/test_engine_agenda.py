"""The daily list (deck order) on plain tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from conftest import TODAY
from hypothesis import given, settings
from hypothesis import strategies as st
from plain import TEAM, clients_table, roster, table_of

from sheetcrm.engine.agenda import agenda
from sheetcrm.schema import STATUSES
from sheetcrm.table import Client
from sheetcrm.values import day_of


def open_row(name: str, next_contact: str, manager: str = "Olga", **more: object) -> dict:
    return {
        "client": name,
        "manager": manager,
        "status": "In progress",
        "next_contact": next_contact,
        **more,
    }


def deck_of(decks: dict, manager: str) -> list[tuple[str, int, int]]:
    """(client, position, days overdue) for each card of one manager's deck."""
    return [(card.client.client, card.position, card.days_overdue) for card in decks[manager]]


def test_overdue_oldest_first_then_today_timed_ones_by_time_then_the_rest():
    table = clients_table(
        [
            open_row("Promised 20th", "20.11.2026"),
            open_row("Promised 10th", "10.11.2026"),
            open_row("Today 16:00", "23.11.2026 16:00"),
            open_row("Today, no time", "23.11.2026"),
            open_row("Today 09:30", "2026-11-23 09:30"),
            open_row("Tomorrow", "24.11.2026"),
            open_row("Also promised 20th", "20.11.2026"),
            {
                "client": "Won, date left",
                "manager": "Olga",
                "status": "Won",
                "next_contact": "01.11.2026",
            },
            {
                "client": "Refused",
                "manager": "Olga",
                "status": "Refused",
                "next_contact": "22.11.2026",
            },
        ]
    )
    decks = agenda(table, TEAM, TODAY)
    assert list(decks) == ["Olga"]
    assert deck_of(decks, "Olga") == [
        ("Promised 10th", 1, 13),
        ("Promised 20th", 2, 3),
        ("Also promised 20th", 3, 3),  # same day as the one above: sheet order
        ("Today 09:30", 4, 0),
        ("Today 16:00", 5, 0),
        ("Today, no time", 6, 0),
    ]


def test_ties_keep_sheet_order_whatever_order_the_rows_arrive_in():
    table = clients_table([open_row(f"Client {i}", "23.11.2026") for i in range(1, 6)])
    table.clients.reverse()
    names = [card.client.client for card in agenda(table, TEAM, TODAY)["Olga"]]
    assert names == ["Client 1", "Client 2", "Client 3", "Client 4", "Client 5"]


def test_at_the_same_moment_the_bigger_deal_comes_first():
    table = clients_table(
        [
            open_row("Small", "23.11.2026", amount="10 000"),
            open_row("No amount", "23.11.2026"),
            open_row("Big", "23.11.2026", amount=500000),
        ]
    )
    names = [card.client.client for card in agenda(table, TEAM, TODAY)["Olga"]]
    assert names == ["Big", "Small", "No amount"]


def test_one_deck_per_manager_including_the_leaver_and_nobody_last():
    table = clients_table(
        [
            open_row("Ivan's", "23.11.2026", manager="Ivan"),
            open_row("Olga's", "23.11.2026", manager="olga"),  # roster spelling wins
            open_row("Left with Petr", "20.11.2026", manager="Petr"),
            open_row("Nobody's", "22.11.2026", manager=""),
            open_row("Sergey's", "23.11.2026", manager="Sergey"),  # not on the roster
        ]
    )
    decks = agenda(table, TEAM, TODAY)
    assert list(decks) == ["Ivan", "Olga", "Petr", "Sergey", ""]
    assert deck_of(decks, "Olga") == [("Olga's", 1, 0)]
    assert deck_of(decks, "Petr") == [("Left with Petr", 1, 3)]
    assert deck_of(decks, "") == [("Nobody's", 1, 1)]


def test_manager_filter_shows_one_deck_matched_like_a_header():
    table = clients_table(
        [
            open_row("Olga's", "23.11.2026"),
            open_row("Ivan's", "23.11.2026", manager="Ivan"),
            open_row("Alena's", "22.11.2026", manager="Алёна"),
        ]
    )
    assert list(agenda(table, TEAM, TODAY, manager="OLGA")) == ["Olga"]
    assert list(agenda(table, TEAM, TODAY, manager="Ivan")) == ["Ivan"]
    # not on the roster: matched against the sheet's spelling, ё/е and spacing aside
    assert deck_of(agenda(table, TEAM, TODAY, manager=" алена "), "Алёна") == [("Alena's", 1, 1)]
    assert agenda(table, TEAM, TODAY, manager="Nobody") == {}


def test_manager_filter_uses_the_roster_spelling():
    team = roster("Алёна Петрова")
    table = clients_table([open_row("A", "23.11.2026", manager="алена  петрова")])
    assert deck_of(agenda(table, team, TODAY, manager="Алена Петрова"), "Алёна Петрова") == [
        ("A", 1, 0)
    ]


def test_nothing_is_due_before_its_day_and_closed_clients_never_are():
    table = clients_table(
        [
            open_row("Next week", "30.11.2026"),
            open_row("No date", ""),
            {"client": "Won", "manager": "Olga", "status": "Won", "next_contact": "20.11.2026"},
        ]
    )
    assert agenda(table, TEAM, TODAY) == {}
    assert deck_of(agenda(table, TEAM, TODAY.replace(day=30)), "Olga") == [("Next week", 1, 0)]


def test_a_manager_off_the_roster_spelled_two_ways_has_one_deck():
    table = clients_table(
        [
            open_row("First", "22.11.2026", manager="Sergey"),
            open_row("Second", "23.11.2026", manager="SERGEY"),
        ]
    )
    decks = agenda(table, roster(), TODAY)
    assert deck_of(decks, "Sergey") == [("First", 1, 1), ("Second", 2, 0)]
    assert list(decks) == ["Sergey"]


# -- property: any table gives a well-formed deck ---------------------------------

DAYS = st.integers(min_value=-20, max_value=3).map(lambda n: TODAY + timedelta(days=n))
WHEN = st.one_of(
    st.none(),
    DAYS,
    st.builds(datetime.combine, DAYS, st.times(max_value=time(23, 59))),
)


@st.composite
def random_clients(draw: st.DrawFn) -> list[Client]:
    n = draw(st.integers(min_value=0, max_value=15))
    return [
        Client(
            row=row,
            cells=[],
            client=f"Client {row}",
            manager=draw(st.sampled_from(["Olga", "olga", "Ivan", "Petr", "Sergey", "SERGEY", ""])),
            status=draw(st.sampled_from([*STATUSES, None])),
            next_contact=draw(WHEN),
            amount=draw(st.sampled_from([None, 0.0, 1000.0, 50000.0])),
        )
        for row in range(2, n + 2)
    ]


@settings(max_examples=200, deadline=None)
@given(random_clients())
def test_every_due_open_client_is_on_exactly_one_deck_in_deck_order(clients):
    decks = agenda(table_of(clients), TEAM, TODAY)
    listed = [card.client.row for cards in decks.values() for card in cards]
    due = [
        c.row for c in clients if c.is_open and c.next_contact and day_of(c.next_contact) <= TODAY
    ]
    assert sorted(listed) == sorted(due)
    for name, cards in decks.items():
        assert [card.position for card in cards] == list(range(1, len(cards) + 1))
        assert {card.manager for card in cards} == {name}
        for card in cards:
            assert card.days_overdue == (TODAY - day_of(card.due)).days
        days = [day_of(card.due) for card in cards]
        assert days == sorted(days)  # overdue first, oldest promise first, then today's
        for a, b in zip(cards, cards[1:], strict=False):
            if day_of(a.due) == day_of(b.due):
                timed_a, timed_b = isinstance(a.due, datetime), isinstance(b.due, datetime)
                assert timed_a >= timed_b  # the day's timed calls before the untimed ones
                if timed_a and timed_b:
                    assert a.due <= b.due
                if a.due == b.due and (a.client.amount or 0) == (b.client.amount or 0):
                    assert a.client.row < b.client.row  # ties in sheet order
        if name:
            assert agenda(table_of(clients), TEAM, TODAY, manager=name) == {name: cards}
