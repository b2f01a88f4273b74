"""History between syncs: events across a sequence of syncs with edits in between,
the two problems only history shows, retention, and a failed sync leaving it alone."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import EN_HEADERS, read_tab
from openpyxl import load_workbook

from sheetcrm.config import load_config
from sheetcrm.engine.events import Key
from sheetcrm.errors import SourceError
from sheetcrm.history import pending_history
from sheetcrm.workspace import load

COLUMN = {h.lower().replace(" ", "_"): i + 1 for i, h in enumerate(EN_HEADERS)}

ROWS = [
    {"client": "Alfa", "manager": "Olga", "status": "New", "next_contact": "05.11.2026"},
    {"client": "Beta", "manager": "Ivan", "status": "In progress", "next_contact": "10.11.2026"},
    {"client": "Gamma", "manager": "Olga", "status": "In progress", "next_contact": "03.11.2026"},
]


def edit(path: Path, client_id: str, **fields: Any) -> None:
    """Change cells of the row with this ID, as a user would in Excel."""
    wb = load_workbook(path)
    ws = wb["Clients"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, COLUMN["id"]).value == client_id)
    for name, value in fields.items():
        ws.cell(row, COLUMN[name]).value = value
    wb.save(path)


def add_row(path: Path, **fields: Any) -> None:
    wb = load_workbook(path)
    ws = wb["Clients"]
    row = ws.max_row + 1
    for name, value in fields.items():
        ws.cell(row, COLUMN[name]).value = value
    wb.save(path)


def delete_row(path: Path, client_id: str) -> None:
    wb = load_workbook(path)
    ws = wb["Clients"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, COLUMN["id"]).value == client_id)
    ws.delete_rows(row)
    wb.save(path)


def sync_on(run, path: Path, day: str, *extra: str) -> None:
    result = run("sync", str(path), "--date", day, *extra)
    assert result.exit_code == 0, result.output


def story(run, query: str, *extra: str) -> list[tuple[str, ...]]:
    result = run("history", query, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return [
        tuple(str(r[k]) for k in ("date", "id", "event", "old", "new", "by"))
        for r in json.loads(result.stdout)
    ]


def flags_of(path: Path) -> dict[str, str]:
    rows = read_tab(path, "Clients")
    return {r[1]: r[-1] for r in rows[1:]}


def test_events_recorded_across_syncs_with_edits(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")  # the first sync only takes a snapshot: C00001..C00003
    assert story(run, "C00001") == []

    edit(path, "C00001", status="In progress")
    edit(path, "C00002", manager="Olga")  # by hand
    edit(path, "C00003", next_contact="06.11.2026")
    add_row(path, client="Delta", manager="Ivan", status="New", next_contact="09.11.2026")
    sync_on(run, path, "2026-11-05")

    delete_row(path, "C00001")
    edit(path, "C00002", status="Won", next_contact=None)
    sync_on(run, path, "2026-11-09")

    assert story(run, "C00001") == [
        ("2026-11-05", "C00001", "status", "New", "In progress", ""),
        ("2026-11-09", "C00001", "removed", "In progress", "", ""),
    ]
    assert story(run, "beta") == [  # by part of the name, any case
        ("2026-11-05", "C00002", "manager", "Ivan", "Olga", "by hand"),
        ("2026-11-09", "C00002", "status", "In progress", "Won", ""),
    ]
    assert story(run, "C00003") == [
        ("2026-11-05", "C00003", "next contact postponed", "2026-11-03", "2026-11-06", ""),
    ]
    assert story(run, "Delta") == [("2026-11-05", "C00004", "added", "", "New", "")]


def test_history_text_output_and_unknown_client(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00002", status="Refused", next_contact=None, refusal_reason="No need")
    sync_on(run, path, "2026-11-04")
    result = run("history", str(path), "Beta")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Date        ID      Client  Event   Old value    New value  By",
        "04.11.2026  C00002  Beta    status  In progress  Refused",
        "C00002 Beta at the last sync: manager Ivan, status Refused, next contact -",
    ]
    assert "1 event(s) for 1 client(s)." in result.stderr
    missing = run("history", "Omega")
    assert missing.exit_code == 2
    assert "no client with ID or name 'Omega' in the history" in missing.stderr


def test_a_renamed_client_is_found_by_the_name_its_events_show(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00002", manager="Olga")
    sync_on(run, path, "2026-11-03")
    edit(path, "C00002", client="Beta Group LLC", next_contact="12.11.2026")
    sync_on(run, path, "2026-11-04")
    events = [
        ("2026-11-03", "C00002", "manager", "Ivan", "Olga", "by hand"),
        ("2026-11-04", "C00002", "next contact postponed", "2026-11-10", "2026-11-12", ""),
    ]
    assert story(run, "Beta Group") == events
    assert story(run, "beta") == events  # the old name is a part of the new one
    edit(path, "C00002", client="Omega")
    sync_on(run, path, "2026-11-05")
    assert story(run, "Beta Group") == events  # the name printed beside its events


def test_two_workbooks_of_one_config_keep_their_clients_apart(book, run):
    """One config.yaml, one history, two workbooks: each has its own C00001."""
    alfa = book(ROWS[:1], name="east.xlsx")
    zeta = [{"client": "Zeta", "manager": "Ivan", "status": "New", "next_contact": "04.11.2026"}]
    other = book(zeta, name="west.xlsx")
    for path in (alfa, other):
        sync_on(run, path, "2026-11-02")
    edit(alfa, "C00001", status="In progress")
    edit(other, "C00001", next_contact="09.11.2026")
    for path in (alfa, other):
        sync_on(run, path, "2026-11-03")
    assert story(run, "alfa") == [("2026-11-03", "C00001", "status", "New", "In progress", "")]
    assert story(run, "zeta") == [
        ("2026-11-03", "C00001", "next contact postponed", "2026-11-04", "2026-11-09", "")
    ]
    result = run("history", "C00001")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "at the last sync" in line] == [
        "C00001 Alfa at the last sync: manager Olga, status In progress, next contact 05.11.2026",
        "C00001 Zeta at the last sync: manager Ivan, status New, next contact 09.11.2026",
    ]


def test_history_before_any_sync_says_so(run):
    result = run("history", "C00001")
    assert result.exit_code == 2
    assert "no history yet" in result.stderr


def test_postponed_again_and_again_becomes_a_problem_until_the_status_changes(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    for day, due in (("2026-11-03", "06.11.2026"), ("2026-11-06", "09.11.2026")):
        edit(path, "C00003", next_contact=due)
        sync_on(run, path, day)
    assert "postponed" not in flags_of(path)["Gamma"]  # twice is not yet a pattern (N = 3)
    edit(path, "C00003", next_contact="12.11.2026")
    sync_on(run, path, "2026-11-09")
    assert flags_of(path)["Gamma"] == "postponed 3 times"

    problems = run("problems", str(path), "--date", "2026-11-09")
    assert "postponed 3 times" in problems.stdout
    assert "next contact moved 3 times without a status change" in problems.stdout
    tab = read_tab(path, "Problems")
    assert [r[1] for r in tab[1:] if r[6] == "postponed_repeatedly"] == ["Gamma"]

    edit(path, "C00003", status="Postponed", next_contact="20.11.2026")  # a decision
    sync_on(run, path, "2026-11-10")
    assert flags_of(path)["Gamma"] == ""


def test_a_date_moved_several_times_in_one_day_is_one_postponement(book, run):
    """A date typed, then corrected, seen by the syncs every few minutes of `run`: one
    postponement, not three, so no "postponed 3 times" on the client's first move."""
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    for due in ("05.11.2026", "06.11.2026", "16.11.2026"):
        edit(path, "C00003", next_contact=due)
        sync_on(run, path, "2026-11-03")
    assert flags_of(path)["Gamma"] == ""
    assert "postponed" not in run("problems", str(path), "--date", "2026-11-03").stdout
    for day, due in (("2026-11-16", "18.11.2026"), ("2026-11-18", "20.11.2026")):
        edit(path, "C00003", next_contact=due)
        sync_on(run, path, day)
    assert flags_of(path)["Gamma"] == "postponed 3 times"


def test_postponed_times_is_configurable(book, run, en_config):
    en_config.write_text("language: en\nhistory:\n  postponed_times: 1\n", encoding="utf-8")
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00003", next_contact="04.11.2026")
    # problems sees a change the history has not stored yet (no sync since)
    problems = run("problems", str(path), "--date", "2026-11-03")
    assert "postponed 1 times" in problems.stdout
    sync_on(run, path, "2026-11-03")
    assert flags_of(path)["Gamma"] == "postponed 1 times"
    en_config.write_text("language: ru\nhistory:\n  postponed_times: 1\n", encoding="utf-8")
    ru = run("problems", str(path), "--date", "2026-11-03")
    assert "переносов: 1" in ru.stdout
    assert "переносов даты контакта без смены статуса: 1" in ru.stdout


def test_manual_reassignment_is_flagged_in_flags_problems_and_russian(book, run, en_config):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00002", manager="Olga")
    sync_on(run, path, "2026-11-03")
    assert flags_of(path)["Beta"] == "manager changed by hand"
    problems = run("problems", str(path), "--date", "2026-11-03")
    assert "manager changed by hand" in problems.stdout
    assert "changed from Ivan to Olga on 03.11.2026, not by handover or assign" in problems.stdout

    en_config.write_text("language: ru\n", encoding="utf-8")
    ru = run("problems", str(path), "--date", "2026-11-03")
    assert "менеджер сменён вручную" in ru.stdout
    # it stays a problem for stale_days (30) after the change, then drops off
    later = run("problems", str(path), "--date", "2026-12-04", "--format", "json")
    assert all(r["code"] != "reassigned" for r in json.loads(later.stdout))


def test_handover_is_not_flagged_as_reassignment(book, run):
    managers = [["Name", "Email", "Active"], ["Olga", "", "yes"], ["Ivan", "", "yes"]]
    path = book(ROWS, managers=managers)
    sync_on(run, path, "2026-11-02")
    result = run("handover", str(path), "Ivan", "--to", "Olga", "--apply", "--date", "2026-11-03")
    assert result.exit_code == 0, result.output
    sync_on(run, path, "2026-11-03")
    assert story(run, "C00002") == [("2026-11-03", "C00002", "manager", "Ivan", "Olga", "sheetcrm")]
    assert "changed by hand" not in " ".join(flags_of(path).values())
    problems = run("problems", str(path), "--date", "2026-11-03", "--format", "json")
    assert [r for r in json.loads(problems.stdout) if r["code"] == "reassigned"] == []


def test_assign_and_auto_assign_are_not_flagged(book, run, en_config):
    rows = [
        *ROWS,
        {"client": "Left behind", "manager": "Petr", "status": "New", "next_contact": "04.11.2026"},
    ]
    path = book(rows)
    sync_on(run, path, "2026-11-02")
    en_config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    result = run("assign", str(path), "--apply", "--date", "2026-11-03")
    assert result.exit_code == 0, result.output
    sync_on(run, path, "2026-11-03")
    assert story(run, "Left behind") == [
        ("2026-11-03", "C00004", "manager", "Petr", "Ivan", "sheetcrm")
    ]

    # auto-assign inside sync: the Log rows are written by the same sync
    edit(path, "C00001", manager=None)
    en_config.write_text(
        "language: en\nrouting:\n  pool: [Ivan]\n  auto_assign: true\n", encoding="utf-8"
    )
    sync_on(run, path, "2026-11-04")
    assert story(run, "C00001") == [("2026-11-04", "C00001", "manager", "Olga", "Ivan", "sheetcrm")]
    assert "changed by hand" not in " ".join(flags_of(path).values())


def test_retention_drops_old_events(book, run, en_config):
    en_config.write_text("language: en\nhistory:\n  retention_days: 10\n", encoding="utf-8")
    path = book(ROWS)
    sync_on(run, path, "2026-11-01")
    edit(path, "C00001", status="In progress")
    sync_on(run, path, "2026-11-02")
    edit(path, "C00001", status="Postponed")
    sync_on(run, path, "2026-11-11")
    assert [e[0] for e in story(run, "C00001")] == [
        "2026-11-02",
        "2026-11-11",
    ]  # 11-02 is 9 days old
    edit(path, "C00001", status="In progress")
    sync_on(run, path, "2026-11-20")  # keeps 10.11 onwards
    assert [e[0] for e in story(run, "C00001")] == ["2026-11-11", "2026-11-20"]
    with sqlite3.connect(en_config.parent / ".sheetcrm-history.sqlite") as con:
        days = [r[0] for r in con.execute("SELECT day FROM syncs ORDER BY id")]
    assert days == ["2026-11-11", "2026-11-20"]


def test_a_failed_sync_leaves_the_history_unchanged(book, run, en_config):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00001", status="In progress")
    (path.parent / "~$crm.xlsx").write_text("someone")  # Excel has it open: apply refuses
    result = run("sync", str(path), "--date", "2026-11-03")
    assert result.exit_code == 2
    assert story(run, "C00001") == []
    (path.parent / "~$crm.xlsx").unlink()
    sync_on(run, path, "2026-11-04")
    assert story(run, "C00001") == [("2026-11-04", "C00001", "status", "New", "In progress", "")]


def test_dry_run_records_nothing(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00001", status="In progress")
    result = run("sync", str(path), "--date", "2026-11-03", "--dry-run")
    assert "would record 1 change(s) in the history" in result.stdout
    assert story(run, "C00001") == []
    result = run("sync", str(path), "--date", "2026-11-03")
    assert "did record 1 change(s) in the history" in result.stdout


def test_commit_is_one_transaction(book, run, en_config, monkeypatch):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00001", status="Won", next_contact=None)
    cfg = load_config(en_config)
    pending = pending_history(load(cfg, str(path), date(2026, 11, 3)))
    assert [e.kind for e in pending.new] == ["status"]
    # a value sqlite cannot store, met after the sync row and the events were inserted
    pending.changes = ([("C00002", Key(object(), "", "", ""))], [])  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="cannot write the history database"):
        pending.commit("2026-11-03 10:00:00")
    with sqlite3.connect(en_config.parent / ".sheetcrm-history.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM syncs").fetchone() == (1,)
        assert con.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
        assert con.execute("SELECT COUNT(*) FROM snapshot").fetchone() == (3,)


def stored_snapshot(en_config: Path) -> dict[str, tuple[str, ...]]:
    with sqlite3.connect(en_config.parent / ".sheetcrm-history.sqlite") as con:
        rows = con.execute("SELECT id, client, manager, status, next_contact FROM snapshot")
        return {r[0]: tuple(r[1:]) for r in rows}


def test_stored_snapshot_follows_edits_additions_and_deletions(book, run, en_config):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00002", manager="Olga", next_contact="20.11.2026")
    delete_row(path, "C00001")
    add_row(path, client="Delta", manager="Ivan", status="New", next_contact="09.11.2026")
    sync_on(run, path, "2026-11-03")
    assert stored_snapshot(en_config) == {
        "C00002": ("Beta", "Olga", "in_progress", "2026-11-20"),
        "C00003": ("Gamma", "Olga", "in_progress", "2026-11-03"),
        "C00004": ("Delta", "Ivan", "new", "2026-11-09"),
    }


def test_a_sync_stored_meanwhile_makes_the_next_store_its_whole_snapshot(book, run, en_config):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    cfg = load_config(en_config)
    slow = pending_history(load(cfg, str(path), date(2026, 11, 3)))  # reads, then waits
    edit(path, "C00001", manager="Ivan")
    sync_on(run, path, "2026-11-03")  # another sync stores Alfa with Ivan meanwhile
    slow.commit("2026-11-03 10:00:00")  # what the slow one saw is the last word, all of it
    assert stored_snapshot(en_config)["C00001"] == ("Alfa", "Olga", "new", "2026-11-05")


def test_a_sync_stored_while_this_one_reads_the_history_is_not_mixed_in(
    book, run, en_config, monkeypatch
):
    from sheetcrm import history

    path = book(ROWS)
    sync_on(run, path, "2026-11-02")  # Alfa with Olga
    cfg = load_config(en_config)
    slow = load(cfg, str(path), date(2026, 11, 3))  # sees Alfa with Olga
    edit(path, "C00001", manager="Ivan")
    read = history._read

    def then_another(con, source):  # right after this one read the snapshot, another
        found = read(con, source)  # sync stores Alfa with Ivan
        monkeypatch.setattr(history, "_read", read)
        sync_on(run, path, "2026-11-03")
        return found

    monkeypatch.setattr(history, "_read", then_another)
    pending_history(slow).commit("2026-11-03 10:00:00")
    assert stored_snapshot(en_config)["C00001"][1] == "Olga"  # what the slow one saw, whole


def ids_in(path: Path) -> dict[str, str]:
    return {r[1]: r[0] for r in read_tab(path, "Clients")[1:]}


@pytest.mark.parametrize("remembered", [True, False])
def test_an_id_freed_by_a_deletion_is_never_given_again(book, run, en_config, remembered):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")  # C00001..C00003
    delete_row(path, "C00003")
    sync_on(run, path, "2026-11-03")
    if not remembered:  # a history kept before the IDs given were: its events still know
        with sqlite3.connect(en_config.parent / ".sheetcrm-history.sqlite") as con:
            con.execute("DELETE FROM ids_given")
    add_row(path, client="Delta", manager="Ivan", status="New", next_contact="09.11.2026")
    dry = run("sync", str(path), "--dry-run", "--date", "2026-11-04")
    assert dry.exit_code == 0, dry.output
    sync_on(run, path, "2026-11-04")
    assert ids_in(path) == {"Alfa": "C00001", "Beta": "C00002", "Delta": "C00004"}
    # a client of its own, not Gamma renamed
    assert story(run, "C00004") == [("2026-11-04", "C00004", "added", "", "New", "")]
    assert [e[2] for e in story(run, "C00003")] == ["removed"]


def test_ids_given_survive_the_events_expiring(book, run, en_config):
    en_config.write_text("language: en\nhistory:\n  retention_days: 10\n", encoding="utf-8")
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    delete_row(path, "C00003")
    sync_on(run, path, "2026-11-03")
    sync_on(run, path, "2026-11-20")  # the removal is past retention by now
    assert run("history", "C00003").exit_code == 2  # "no client with ID or name 'C00003'"
    add_row(path, client="Delta", manager="Ivan", status="New", next_contact="24.11.2026")
    sync_on(run, path, "2026-11-21")
    assert ids_in(path)["Delta"] == "C00004"


def test_the_first_sync_of_a_sheet_with_a_history_of_another_counts_its_own_ids(book, run):
    other = book(ROWS, name="other.xlsx")
    sync_on(run, other, "2026-11-02")
    path = book(ROWS[:1])
    sync_on(run, path, "2026-11-02")
    assert ids_in(path) == {"Alfa": "C00001"}


def test_a_moved_and_renamed_workbook_keeps_its_history(book, run, tmp_path):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")  # C00001..C00003
    edit(path, "C00001", status="In progress")
    delete_row(path, "C00003")
    sync_on(run, path, "2026-11-03")
    moved = tmp_path / "archive" / "crm-2026.xlsx"
    moved.parent.mkdir()
    path.rename(moved)
    edit(moved, "C00001", status="Won", next_contact=None)
    add_row(moved, client="Delta", manager="Ivan", status="New", next_contact="09.11.2026")
    dry = run("sync", str(moved), "--date", "2026-11-04", "--dry-run")
    assert f"the history of {path} would continue here (the workbook was moved or renamed)" in (
        dry.stdout
    )
    result = run("sync", str(moved), "--date", "2026-11-04")
    assert result.exit_code == 0, result.output
    assert f"the history of {path} continues here (the workbook was moved or renamed)" in (
        result.stdout
    )
    assert "did record 2 change(s) in the history" in result.stdout
    assert ids_in(moved)["Delta"] == "C00004"  # C00003 was a deleted client's
    assert story(run, "C00001") == [
        ("2026-11-03", "C00001", "status", "New", "In progress", ""),
        ("2026-11-04", "C00001", "status", "In progress", "Won", ""),
    ]
    again = run("sync", str(moved), "--date", "2026-11-04")
    assert "continues here" not in again.stdout


def test_a_copy_of_a_workbook_begins_its_own_history(book, run, tmp_path):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    edit(copy, "C00001", status="In progress")
    result = run("sync", str(copy), "--date", "2026-11-03")
    assert result.exit_code == 0, result.output
    assert "history" not in result.stdout  # the original is still there: not moved
    edit(path, "C00002", status="Won", next_contact=None)
    sync_on(run, path, "2026-11-03")
    assert story(run, "C00002") == [("2026-11-03", "C00002", "status", "In progress", "Won", "")]


def test_a_cleared_id_is_given_back_to_its_client(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")  # C00001..C00003
    edit(path, "C00002", id=None, status="Won", next_contact=None)  # the ID cell cleared too
    add_row(path, client="Delta", manager="Ivan", status="New", next_contact="09.11.2026")
    sync_on(run, path, "2026-11-03")
    assert ids_in(path) == {
        "Alfa": "C00001",
        "Beta": "C00002",
        "Gamma": "C00003",
        "Delta": "C00004",
    }
    assert story(run, "Beta") == [("2026-11-03", "C00002", "status", "In progress", "Won", "")]
    log = read_tab(path, "Log")
    assert log[-2][2:7] == ["C00002", "Beta", "ID", "", "C00002"]
    assert log[-2][8] == "the client's ID before its cell was cleared"
    assert log[-1][2:7] == ["C00004", "Delta", "ID", "", "C00004"]
    report = run("report", str(path), "--since", "2026-11-03", "--date", "2026-11-03")
    assert report.stdout.splitlines()[-1].split()[:4] == ["Total", "4", "3", "1"]  # Delta only


def test_a_cleared_id_shared_by_two_rows_of_one_name_is_not_guessed(book, run):
    path = book([*ROWS, {**ROWS[1], "client": "Beta"}])
    sync_on(run, path, "2026-11-02")  # C00001..C00004, two clients named Beta
    edit(path, "C00002", id=None)
    edit(path, "C00004", id=None)
    sync_on(run, path, "2026-11-03")
    assert sorted(r[0] for r in read_tab(path, "Clients")[1:]) == [
        "C00001",
        "C00003",
        "C00005",
        "C00006",
    ]


def test_two_syncs_at_once_record_each_change_once(book, run, en_config):
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00001", status="In progress", next_contact="30.11.2026")
    cfg = load_config(en_config)
    slow = pending_history(load(cfg, str(path), date(2026, 11, 3)))  # reads, then waits
    sync_on(run, path, "2026-11-03")  # the daemon's sync records the change meanwhile
    slow.commit("2026-11-03 10:00:00")
    assert story(run, "C00001") == [
        ("2026-11-03", "C00001", "status", "New", "In progress", ""),
        ("2026-11-03", "C00001", "next contact postponed", "2026-11-05", "2026-11-30", ""),
    ]


def in_folder(folder: Path, monkeypatch, *args: str):
    """The CLI run from `folder` without any config.yaml, as a cron job or a user might."""
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    folder.mkdir(exist_ok=True)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    env = {"SHEETCRM_LANGUAGE": "en"}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def told(folder: Path, monkeypatch, path: Path) -> list[tuple[str, str, str]]:
    """(date, old, new) of the events `history` prints for C00001, run from `folder`."""
    result = in_folder(folder, monkeypatch, "history", str(path), "C00001", "--format", "json")
    return [(e["date"], e["old"], e["new"]) for e in json.loads(result.stdout)]


def test_without_config_the_history_is_kept_beside_the_workbook(book, tmp_path, monkeypatch):
    """It went into the current folder: a cron job and a run by hand started from other
    folders kept two histories of one workbook, each missing the other's changes."""
    path = book(ROWS)
    in_folder(tmp_path / "cron", monkeypatch, "sync", str(path), "--date", "2026-11-02")
    edit(path, "C00001", status="In progress")
    in_folder(tmp_path / "home", monkeypatch, "sync", str(path), "--date", "2026-11-03")
    edit(path, "C00001", status="Won", next_contact=None)
    in_folder(tmp_path / "cron", monkeypatch, "sync", str(path), "--date", "2026-11-04")
    assert (tmp_path / ".sheetcrm-history.sqlite").is_file()
    assert not list(tmp_path.glob("*/.sheetcrm-history.sqlite"))
    assert told(tmp_path / "home", monkeypatch, path) == [
        ("2026-11-03", "New", "In progress"),
        ("2026-11-04", "In progress", "Won"),
    ]


def test_a_history_left_in_the_current_folder_is_taken_along_and_kept(book, tmp_path, monkeypatch):
    """A history an earlier version kept in the folder the sync ran from is copied beside
    the workbook on the next sync (which says so), and the old file is left as it was."""
    path = book(ROWS)
    cron = tmp_path / "cron"
    in_folder(cron, monkeypatch, "sync", str(path), "--date", "2026-11-02")
    old = cron / ".sheetcrm-history.sqlite"
    if not old.exists():  # where an earlier version kept it
        (tmp_path / ".sheetcrm-history.sqlite").rename(old)
    before = old.read_bytes()
    edit(path, "C00001", status="In progress")
    new = tmp_path / ".sheetcrm-history.sqlite"
    in_folder(cron, monkeypatch, "problems", str(path), "--date", "2026-11-03")
    assert not new.exists()  # reading moves nothing
    dry = in_folder(cron, monkeypatch, "sync", str(path), "--date", "2026-11-03", "--dry-run")
    assert "would record 1 change(s) in the history" in dry.stdout
    assert f"the history would be kept beside the workbook from now on: {new}" in dry.stdout
    assert not (tmp_path / ".sheetcrm-history.sqlite").exists()
    result = in_folder(cron, monkeypatch, "sync", str(path), "--date", "2026-11-03")
    assert f"the history is kept beside the workbook from now on: {new}" in result.stdout
    assert f"copied from {old}" in result.stdout
    assert "did record 1 change(s) in the history" in result.stdout
    assert old.read_bytes() == before
    assert told(tmp_path / "home", monkeypatch, path) == [("2026-11-03", "New", "In progress")]


@pytest.mark.parametrize("damage", ["not a database", "malformed"])
def test_a_damaged_history_file_says_what_to_do(book, run, en_config, damage):
    """ "file is not a database" stopped every sync, problems and report with no remedy."""
    path = book(ROWS)
    sync_on(run, path, "2026-11-02")
    history = en_config.parent / ".sheetcrm-history.sqlite"
    if damage == "not a database":
        history.write_text("these are my notes\n", encoding="utf-8")
    else:  # the header survives, the pages after it do not
        data = history.read_bytes()
        history.write_bytes(data[:4096] + b"Z" * (len(data) - 4096))
    for command in (["sync", str(path)], ["problems", str(path)], ["report", str(path)]):
        result = run(*command, "--date", "2026-11-03")
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert message.startswith(f"Error: {history}: ") and "\n" not in message
        assert "the file is damaged: move it aside or delete it" in message
        assert "a new history begins with the next sync" in message
        assert "or put back a copy of it from a backup" in message


def test_a_row_pasted_above_a_client_with_its_id_is_a_copy_not_the_client_changed(book, run):
    path = book(ROWS)
    sync_on(run, path, "2026-11-20")
    wb = load_workbook(path)  # a row from another file, with Alfa's ID, pasted above Alfa
    ws = wb["Clients"]
    ws.insert_rows(2)
    pasted = {"id": "C00001", "client": "Omega", "manager": "Ivan", "status": "Won"}
    for name, value in pasted.items():
        ws.cell(2, COLUMN[name]).value = value
    wb.save(path)
    sync_on(run, path, "2026-11-23")
    # no status or manager change, no "manager changed by hand" for Alfa
    assert json.loads(run("history", str(path), "C00001", "--format", "json").stdout) == []
    clients = read_tab(path, "Clients")
    flags = {r[1]: r[len(EN_HEADERS)] for r in clients[1:]}
    assert flags["Omega"] == "duplicate ID" and "duplicate ID" not in flags["Alfa"]
    check = json.loads(run("check", str(path), "--format", "json", "--date", "2026-11-23").stdout)
    assert [(f["row"], f["client"]) for f in check if "duplicate ID" in f["problem"]] == [
        (2, "Omega")
    ]
