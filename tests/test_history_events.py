"""The pure diff of two snapshots, and one history per workbook."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.engine.events import Event, Key, diff, explained, manual_reassignments, postponements

DAY = date(2026, 11, 10)


def test_diff_names_each_kind_of_change():
    old = {
        "C1": Key("Alfa", "Olga", "new", "2026-11-05"),
        "C2": Key("Beta", "Ivan", "in_progress", "2026-11-10"),
        "C3": Key("Gamma", "Olga", "in_progress", "2026-11-12"),
        "C4": Key("Delta", "Olga", "new", ""),
    }
    new = {
        "C1": Key("Alfa", "olga", "in_progress", "2026-11-05"),  # case of a name is no change
        "C2": Key("Beta", "Olga", "in_progress", "2026-11-08"),  # brought forward: not postponed
        "C3": Key("Gamma", "Olga", "in_progress", "2026-11-15"),
        "C5": Key("Echo", "Ivan", "new", "2026-11-11"),
    }
    events = diff(old, new, DAY, explained([("C2", "OLGA")]))
    assert events == [
        Event(DAY, "C1", "Alfa", "status", "new", "in_progress"),
        Event(DAY, "C2", "Beta", "manager", "Ivan", "Olga", by_sheetcrm=True),
        Event(DAY, "C3", "Gamma", "postponed", "2026-11-12", "2026-11-15"),
        Event(DAY, "C5", "Echo", "added", "", "new"),
        Event(DAY, "C4", "Delta", "removed", "new", ""),
    ]


def test_a_date_set_for_the_first_time_is_no_postponement():
    old = {"C1": Key("Alfa", "Olga", "new", "")}
    new = {"C1": Key("Alfa", "Olga", "new", "2026-11-20")}
    assert diff(old, new, DAY, frozenset()) == []


def test_postponements_count_since_the_last_status_change():
    def moved(day: int) -> Event:
        return Event(date(2026, 11, day), "C1", "Alfa", "postponed", "", "")

    status = Event(date(2026, 11, 4), "C1", "Alfa", "status", "new", "in_progress")
    assert postponements([moved(1), moved(2), moved(3)]) == {"C1": 3}
    assert postponements([moved(1), moved(2), status, moved(5)]) == {"C1": 1}


def test_only_the_last_manager_change_counts_and_only_when_by_hand():
    by_hand = Event(date(2026, 11, 1), "C1", "Alfa", "manager", "Ivan", "Olga")
    undone = Event(date(2026, 11, 2), "C1", "Alfa", "manager", "Olga", "Ivan", by_sheetcrm=True)
    assert manual_reassignments([by_hand], DAY, 30) == {"C1": by_hand}
    assert manual_reassignments([by_hand, undone], DAY, 30) == {}
    assert manual_reassignments([by_hand], DAY, 5) == {}  # 9 days ago, outside the window


def test_each_workbook_has_its_own_history(book, run):
    from test_history import edit, sync_on

    rows = [{"client": "Alfa", "manager": "Olga", "status": "New", "next_contact": "05.11.2026"}]
    first, second = book(rows, name="first.xlsx"), book(rows, name="second.xlsx")
    for path in (first, second):
        sync_on(run, path, "2026-11-02")
    edit(second, "C00001", status="In progress")
    for path in (first, second):
        sync_on(run, path, "2026-11-03")

    def events(*args: str) -> list[str]:
        result = run("history", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return [r["event"] for r in json.loads(result.stdout)]

    assert events(str(first), "C00001") == []
    assert events(str(second), "C00001") == ["status"]
    assert events("C00001") == ["status"]  # no SOURCE and none in config: every workbook


_keys = st.builds(
    Key,
    st.sampled_from(["Alfa", "Beta"]),
    st.sampled_from(["", "Olga", "Ivan", "olga"]),
    st.sampled_from(["new", "in_progress", "won", "Отказ"]),
    st.sampled_from(["", "2026-11-01", "2026-11-15", "2026-12-01"]),
)
_snapshots = st.dictionaries(st.sampled_from([f"C{i}" for i in range(6)]), _keys, max_size=6)


@given(_snapshots, _snapshots)
def test_diff_reports_exactly_what_differs(old, new):
    events = diff(old, new, DAY, frozenset())
    kinds = {(e.client_id, e.kind) for e in events}
    assert len(kinds) == len(events)  # one event per client and kind
    assert {cid for cid, k in kinds if k == "added"} == new.keys() - old.keys()
    assert {cid for cid, k in kinds if k == "removed"} == old.keys() - new.keys()
    both = old.keys() & new.keys()
    assert {cid for cid, k in kinds if k == "status"} == {
        cid for cid in both if old[cid].status != new[cid].status
    }
    assert {cid for cid, k in kinds if k == "manager"} == {
        cid for cid in both if old[cid].manager.casefold() != new[cid].manager.casefold()
    }
    assert {cid for cid, k in kinds if k == "postponed"} == {
        cid for cid in both if "" < old[cid].next_contact < new[cid].next_contact
    }
    assert diff(new, new, DAY, frozenset()) == []
