"""Refusal-reason summaries on plain tables."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from plain import EN, TEAM, clients_table

from sheetcrm.engine.agenda import manager_name
from sheetcrm.engine.refusals import summarize
from sheetcrm.listings import refusals_listing
from sheetcrm.schema import fold
from sheetcrm.table import Client


def refused(reason: str, manager: str, source: str = "", **dates: str) -> dict:
    return {
        "client": f"{manager} {reason}",
        "status": "Refused",
        "refusal_reason": reason,
        "manager": manager,
        "source": source,
        **dates,
    }


TABLE = clients_table(
    [
        refused("Too expensive", "Olga", "Ads", last_contact="05.11.2026"),  # row 2
        refused("too  EXPENSIVE", "Ivan", "Ads", last_contact="10.11.2026"),  # 3
        refused("Всё дорого", "Ivan", "Referral", last_contact="15.10.2026"),  # 4
        refused(" все ДОРОГО ", "Olga", "Ads", created="01.10.2026"),  # 5: dated by creation
        refused("", "Olga", "Referral", last_contact="20.11.2026"),  # 6
        refused("", "Ivan"),  # 7: no date at all
        {"client": "Won", "status": "Won", "manager": "Olga", "last_contact": "01.11.2026"},
        {
            "client": "Open",
            "status": "In progress",
            "refusal_reason": "Too expensive",
            "manager": "Olga",
        },
        refused("Chose a competitor", "olga", "Ads", last_contact="01.11.2026"),  # 10
    ]
)
MANAGERS = {c.row: manager_name(c, TEAM) for c in TABLE.clients}


def counts(summary) -> list[tuple[str, str, int]]:
    return [(r.group, r.reason, r.count) for r in summary.rows]


def shares_per_group(summary) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in summary.rows:
        out[r.group] = out.get(r.group, 0) + r.share
    return out


def test_spellings_differing_in_case_spacing_and_yo_count_as_one_reason():
    summary = summarize(TABLE.clients, EN.reasons())
    assert counts(summary) == [
        ("", "Too expensive", 2),  # the configured spelling, though row 3 wrote it otherwise
        ("", "Всё дорого", 2),  # off the list: as first written
        ("", "Chose a competitor", 1),
        ("", "", 2),  # refused without a reason: their own line, last
    ]
    assert summary.total == 7 and summary.undated == 0
    assert [round(r.share, 4) for r in summary.rows] == [0.2857, 0.2857, 0.1429, 0.2857]
    assert math.isclose(shares_per_group(summary)[""], 1.0)


def test_a_period_keeps_refusals_dated_inside_it_and_counts_the_undated():
    summary = summarize(
        TABLE.clients, EN.reasons(), since=date(2026, 11, 1), until=date(2026, 11, 15)
    )
    assert counts(summary) == [("", "Too expensive", 2), ("", "Chose a competitor", 1)]
    assert (summary.total, summary.undated) == (3, 1)
    only_since = summarize(TABLE.clients, EN.reasons(), since=date(2026, 11, 10))
    assert counts(only_since) == [("", "Too expensive", 1), ("", "", 1)]
    only_until = summarize(TABLE.clients, EN.reasons(), until=date(2026, 10, 31))
    assert counts(only_until) == [("", "Всё дорого", 2)]


def test_by_manager_uses_the_roster_spelling():
    summary = summarize(TABLE.clients, EN.reasons(), by="manager", manager_of=MANAGERS)
    assert counts(summary) == [
        ("Ivan", "Too expensive", 1),
        ("Ivan", "Всё дорого", 1),
        ("Ivan", "", 1),
        ("Olga", "Chose a competitor", 1),
        ("Olga", "Too expensive", 1),
        ("Olga", "Всё дорого", 1),
        ("Olga", "", 1),
    ]
    assert shares_per_group(summary) == {"Ivan": 1.0, "Olga": 1.0}


def test_by_month_of_the_refusal_with_undated_ones_last():
    summary = summarize(TABLE.clients, EN.reasons(), by="month")
    assert counts(summary) == [
        ("2026-10", "Всё дорого", 2),
        ("2026-11", "Too expensive", 2),
        ("2026-11", "Chose a competitor", 1),
        ("2026-11", "", 1),
        ("", "", 1),
    ]
    assert [r.share for r in summary.rows] == [1.0, 0.5, 0.25, 0.25, 1.0]


def test_by_source():
    summary = summarize(TABLE.clients, EN.reasons(), by="source")
    assert counts(summary) == [
        ("Ads", "Too expensive", 2),
        ("Ads", "Chose a competitor", 1),
        ("Ads", "Всё дорого", 1),
        ("Referral", "Всё дорого", 1),
        ("Referral", "", 1),
        ("", "", 1),
    ]


def test_refusals_with_no_source_are_listed_as_none_not_as_nobody():
    listing = refusals_listing(summarize(TABLE.clients, EN.reasons(), by="source"), EN, "source")
    assert listing.rows[-1] == ["(none)", "(no reason given)", 1, 1.0]
    by_manager = refusals_listing(
        summarize(clients_table([refused("Other", "")]).clients, EN.reasons(), by="manager"),
        EN,
        "manager",
    )
    assert by_manager.rows == [["(nobody)", "Other", 1, 1.0]]


def test_the_listed_shares_add_up_to_exactly_one_in_every_group():
    thirds = clients_table([refused(r, "Olga") for r in ("No need", "No budget", "Other")])
    listing = refusals_listing(summarize(thirds.clients, EN.reasons()), EN)
    assert [row[2] for row in listing.rows] == [0.3334, 0.3333, 0.3333]
    by_manager = refusals_listing(
        summarize(TABLE.clients, EN.reasons(), by="manager", manager_of=MANAGERS), EN, "manager"
    )
    totals: dict[str, float] = {}
    for group, _reason, _count, share in by_manager.rows:
        totals[group] = round(totals.get(group, 0) + share, 4)
    assert totals == {"Ivan": 1.0, "Olga": 1.0}
    assert by_manager.rows[2] == ["Ivan", "(no reason given)", 1, 0.3333]


def test_no_refusals_is_an_empty_summary():
    summary = summarize(clients_table([{"client": "A", "status": "Won"}]).clients, EN.reasons())
    assert (summary.rows, summary.total, summary.undated) == ([], 0, 0)


def test_groups_spelled_differently_are_one_group():
    table = clients_table(
        [
            refused("No need", "Sergey", "Avito"),
            refused("No need", "SERGEY", "avito "),
            refused("Other", "Sergey", "АВИТО"),
        ]
    )
    by_source = summarize(table.clients, EN.reasons(), by="source")
    assert counts(by_source) == [("Avito", "No need", 2), ("АВИТО", "Other", 1)]
    by_manager = summarize(table.clients, EN.reasons(), by="manager")  # Sergey is not on the roster
    assert counts(by_manager) == [("Sergey", "No need", 2), ("Sergey", "Other", 1)]


# -- property: counts and shares always add up -------------------------------------

SPELLINGS = [
    "Too expensive",
    "too  expensive",
    "TOO EXPENSIVE",
    "Всё дорого",
    "все дорого",
    "",
    "No need",
]


@st.composite
def refusals_table(draw: st.DrawFn) -> list[Client]:
    n = draw(st.integers(min_value=0, max_value=15))
    return [
        Client(
            row=row,
            cells=[],
            client=f"Client {row}",
            manager=draw(st.sampled_from(["Olga", "Ivan", "ivan", ""])),
            status=draw(st.sampled_from(["refused", "refused", "won", "in_progress", None])),
            refusal_reason=draw(st.sampled_from(SPELLINGS)),
            source=draw(st.sampled_from(["Ads", "ads", "Referral", ""])),
            last_contact=draw(st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 12, 31)))),
        )
        for row in range(2, n + 2)
    ]


@settings(max_examples=200, deadline=None)
@given(refusals_table(), st.sampled_from([None, "manager", "month", "source"]))
def test_counts_cover_every_refusal_once_and_listed_shares_add_up_to_one(clients, by):
    summary = summarize(clients, EN.reasons(), by=by)
    assert summary.total == sum(c.status == "refused" for c in clients)
    groups: dict[str, list] = {}
    for r in summary.rows:
        groups.setdefault(r.group, []).append(r)
    for rows in groups.values():
        assert math.isclose(sum(r.share for r in rows), 1.0)
        assert len({fold(r.reason) for r in rows}) == len(rows)  # each reason once per group
        assert all(r.reason for r in rows[:-1])  # "no reason" is last when present
    listing = refusals_listing(summary, EN, by)
    units: dict[object, int] = {}
    for row in listing.rows:
        group = row[0] if by else ""
        units[group] = units.get(group, 0) + round(row[-1] * 10000)
    assert all(total == 10000 for total in units.values())
