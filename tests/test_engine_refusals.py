"""Refusal-reason summaries on plain tables."""

from __future__ import annotations

import math
from datetime import date

from plain import EN, TEAM, clients_table

from sheetcrm.engine.agenda import manager_name
from sheetcrm.engine.refusals import summarize
from sheetcrm.listings import refusals_listing


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
