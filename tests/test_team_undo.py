"""The Log read back (`log`) and `undo` of the last handover or assign."""

import json
import re
import zipfile
from datetime import date

import pytest
from conftest import EN_HEADERS, TODAY, formula_over, read_tab
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from sheetcrm.values import parse_date

DAY = ["--date", TODAY.isoformat()]
COL = {h.lower().replace(" ", "_"): i for i, h in enumerate(EN_HEADERS)}


def team_book(book):
    return book(
        [
            {
                "id": "C00001",
                "client": "Far Ltd",
                "manager": "Petr",
                "status": "In progress",
                "next_contact": "20.12.2026",
                "comment": "send the offer",
            },
            {
                "id": "C00002",
                "client": "Near Ltd",
                "manager": "Petr",
                "status": "New",
                "next_contact": "24.11.2026",
            },
            {
                "client": "No ID yet",
                "manager": "Petr",
                "status": "Postponed",
                "next_contact": "30.11.2026",
                "amount": 5000,
            },
            {"id": "C00004", "client": "Won Ltd", "manager": "Petr", "status": "Won"},
        ],
        managers=[
            ["Name", "Email", "Active"],
            ["Olga", "", "yes"],
            ["Ivan", "", "yes"],
            ["Petr", "", "yes"],
        ],
    )


def edit(path, tab, row, column, value):
    wb = load_workbook(path)
    wb[tab].cell(row=row, column=column + 1).value = value
    wb.save(path)


def snapshot(path):
    return read_tab(path, "Clients"), read_tab(path, "Managers")


def test_undo_restores_exactly_the_cells_of_the_last_apply(book, run):
    path = team_book(book)
    clients_before, managers_before = snapshot(path)
    assert run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat()).exit_code == 0
    preview = run("undo", str(path))
    assert preview.exit_code == 0 and "Would restore" in preview.output
    assert run("undo", str(path), "--apply", "--by", "boss").exit_code == 0
    clients_after, managers_after = snapshot(path)
    assert managers_after == managers_before
    # the one ID filled by the handover stays: IDs are never taken back
    filled = clients_after[3][COL["id"]]
    assert filled and clients_before[3][COL["id"]] == ""
    clients_after[3][COL["id"]] = ""
    # cells written back as blank read as '' like cells never written
    assert [[str(c) for c in r] for r in clients_after] == [
        [str(c) for c in r] for r in clients_before
    ]
    log = read_tab(path, "Log")[1:]
    undo_rows = [r for r in log if r[1] == "undo"]
    handover_rows = [r for r in log if r[1] == "handover" and r[4] != "ID"]
    assert len(undo_rows) == len(handover_rows) and all(r[7] == "boss" for r in undo_rows)
    again = run("undo", str(path), "--apply")
    assert "already undone" in again.output


def test_a_renamed_log_is_named_rather_than_nothing_to_undo(book, run):
    path = team_book(book)
    assert run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat()).exit_code == 0
    wb = load_workbook(path)
    wb["Log"].title = "Log old"
    wb.save(path)
    said = (
        "There is no Log tab ('Log'), so no change of sheetcrm's can be listed or undone; "
        "if it was renamed, name it back or set tabs.log in config.yaml."
    )
    undo = run("undo", str(path))
    assert undo.exit_code == 0 and undo.stdout.strip() == said
    log = run("log", str(path))
    assert log.exit_code == 0 and said in log.stderr


def test_undo_leaves_a_cell_edited_since_alone(book, run):
    path = team_book(book)
    assert (
        run(
            "handover", str(path), "Petr", "--to", "Olga", "--apply", "--date", TODAY.isoformat()
        ).exit_code
        == 0
    )
    edit(path, "Clients", 2, COL["comment"], "Olga called: they want a demo")  # Far Ltd
    shown = json.loads(run("undo", str(path), "--format", "json").output)
    alone = [(r["id"], r["field"], r["now"]) for r in shown if r["action"].startswith("left alone")]
    assert alone == [("C00001", "comment", "Olga called: they want a demo")]
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert "1 cell(s) edited since are left alone" in result.output
    far = read_tab(path, "Clients")[1]
    assert far[COL["comment"]] == "Olga called: they want a demo"
    assert far[COL["manager"]] == "Petr"  # the other cells of the same row are restored
    assert parse_date(far[COL["next_contact"]]) == date(2026, 12, 20)


def test_undo_names_the_row_and_column_of_each_cell(book, run):
    path = team_book(book)
    handover = run("handover", str(path), "Petr", "--to", "Olga", "--apply")
    assert handover.exit_code == 0, handover.output
    edit(path, "Clients", 2, COL["comment"], "Olga called: they want a demo")  # Far Ltd
    edit(path, "Clients", 5, COL["id"], "C00002")  # Won Ltd's ID and name pasted over with
    edit(path, "Clients", 5, COL["client"], "Near Ltd")  # Near's
    shown = json.loads(run("undo", str(path), "--format", "json").output)
    where = {(r["client"], r["field"]): (r["column"], r["row"], r["action"]) for r in shown}
    assert where[("Far Ltd", "comment")] == (
        "Comment",
        2,
        "left alone: edited since (sheetcrm wrote 'send the offer\\nhanded over from Petr on "
        "23.11.2026')",
    )
    assert where[("Petr", "active")] == ("Active", 4, "restore")
    assert where[("Near Ltd", "manager")] == (
        "",
        None,
        "left alone: client ID 'C00002' is on several rows (3, 5)",
    )
    text = run("undo", str(path)).output.splitlines()
    assert text[0].split() == [*"ID Client Field Now Restore to Action Column Row".split()]
    assert text[-1].startswith("Would restore 6 cell(s) of the handover of ")
    assert text[-1].endswith(
        "; 1 cell(s) edited since are left alone; 2 cell(s) that cannot be found are left "
        "alone (see Action). Nothing written; run again with --apply."
    )


def test_undo_tells_rows_sharing_an_id_by_the_logged_client_name(book, run):
    path = team_book(book)
    assert run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY).exit_code == 0
    edit(path, "Clients", 5, COL["id"], "C00002")  # Won Ltd's ID pasted over with Near's
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    clients = read_tab(path, "Clients")
    assert [(r[COL["client"]], r[COL["manager"]]) for r in clients[2:5:2]] == [
        ("Near Ltd", "Petr"),
        ("Won Ltd", "Petr"),
    ]
    assert "cannot be found" not in result.output


def test_undo_of_an_assign_and_nothing_to_undo(book, run, tmp_path):
    path = book([{"id": "C00001", "client": "Lead", "status": "New", "next_contact": "24.11.2026"}])
    assert "There is no Log tab ('Log')" in run("undo", str(path)).output  # none made yet
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    assert read_tab(path, "Clients")[1][COL["manager"]] == "Olga"
    assert run("undo", str(path), "--apply").exit_code == 0
    assert read_tab(path, "Clients")[1][COL["manager"]] == ""


def test_undo_with_nothing_to_undo_keeps_json_and_csv_readable(book, run, tmp_path):
    path = book([{"id": "C00001", "client": "Lead", "status": "New", "next_contact": "24.11.2026"}])
    result = run("undo", str(path), "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert "There is no Log tab ('Log')" in result.stderr
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    assert run("undo", str(path), "--apply").exit_code == 0
    result = run("undo", str(path), "--format", "csv")
    assert result.stdout.splitlines() == ["id,client,field,now,restore,action,column,row"]
    assert "already undone" in result.stderr


def test_log_reads_back_filtered_by_client_and_date(book, run):
    path = team_book(book)
    assert (
        run(
            "handover", str(path), "Petr", "--apply", "--by", "boss", "--date", TODAY.isoformat()
        ).exit_code
        == 0
    )
    result = run("log", str(path), "--client", "C00002", "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert {e["field"] for e in entries} == {"manager", "comment"}
    assert all(
        e["id"] == "C00002" and e["command"] == "handover" and e["by"] == "boss" for e in entries
    )
    by_name = json.loads(run("log", str(path), "--client", "no id", "--format", "json").output)
    assert {e["field"] for e in by_name} == {"id", "manager", "comment", "next_contact"}
    assert (
        json.loads(run("log", str(path), "--since", "2999-01-01", "--format", "json").output) == []
    )
    assert (
        len(json.loads(run("log", str(path), "--since", "2000-01-01", "--format", "json").output))
        == len(read_tab(path, "Log")) - 1
    )


def test_undo_takes_only_the_last_change_and_the_log_is_append_only(book, run, tmp_path):
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    path = team_book(book)
    handover = run(
        "handover", str(path), "Petr", "--to", "Olga", "--apply", "--date", TODAY.isoformat()
    )
    assert handover.exit_code == 0
    log_after_handover = read_tab(path, "Log")
    edit(path, "Clients", 2, COL["manager"], "")  # somebody clears Far Ltd's manager
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    assert read_tab(path, "Clients")[1][COL["manager"]] == "Ivan"
    log_after_assign = read_tab(path, "Log")
    assert log_after_assign[: len(log_after_handover)] == log_after_handover
    assert run("undo", str(path), "--apply").exit_code == 0
    rows = read_tab(path, "Clients")[1:]
    # the assign is undone (Far Ltd has no manager again); the handover stays
    assert [r[COL["manager"]] for r in rows] == ["", "Olga", "Olga", "Petr"]
    assert read_tab(path, "Log")[: len(log_after_assign)] == log_after_assign


def sort_log(path, column):
    """Sort the Log tab's rows by one column, as a user would in Excel (a stable sort)."""
    wb = load_workbook(path)
    ws = wb["Log"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows.sort(key=lambda r: str(r[column] or ""))
    for i, row in enumerate(rows, start=2):
        for k, value in enumerate(row, start=1):
            ws.cell(i, k).value = value
    wb.save(path)


def test_undo_refuses_a_sorted_log_until_it_is_back_in_order(book, run, tmp_path, monkeypatch):
    from sheetcrm.cli.common import App

    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    path = team_book(book)
    monkeypatch.setattr(App, "stamp", lambda self: "2026-11-23 10:00:00")
    assert run("handover", str(path), "Petr", "--to", "Olga", "--apply").exit_code == 0
    edit(path, "Clients", 3, COL["manager"], "")  # somebody clears Near Ltd's manager
    monkeypatch.setattr(App, "stamp", lambda self: "2026-11-23 11:00:00")
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    sort_log(path, 3)  # by client, to read one client's changes together
    before = read_tab(path, "Clients")
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 2
    assert "tab 'Log': the rows of one change (batch " in result.stderr
    assert "are not together (rows 2, 3, 4," in result.stderr
    assert "sort the tab by When, oldest first, and run undo again" in result.stderr
    assert read_tab(path, "Clients") == before
    sort_log(path, 0)  # back in the order of the When column
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert "Restored 1 cell(s) of the assign" in result.output
    assert [r[COL["manager"]] for r in read_tab(path, "Clients")[1:]] == [
        "Olga",
        "",
        "Olga",
        "Petr",
    ]


def test_handover_markdown_has_a_checklist_per_receiver(book, run):
    path = team_book(book)
    result = run("handover", str(path), "Petr", "--format", "md", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "## Handover from Petr" in result.output
    assert "## Checklist for Olga: " in result.output and "## Checklist for Ivan: " in result.output
    assert "| Far Ltd | Petr |" in result.output


def test_undo_takes_only_the_last_of_two_applies_in_the_same_second(
    book, run, tmp_path, monkeypatch
):
    from sheetcrm.cli.common import App

    monkeypatch.setattr(App, "stamp", lambda self: "2026-11-23 10:00:00")
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    lead = {"status": "New", "next_contact": "24.11.2026"}
    path = book([{"id": "C00001", "client": "First", **lead}])
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    wb = load_workbook(path)
    wb["Clients"].append(["C00002", "Second", "", "", "", "New", "25.11.2026"])
    wb.save(path)
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    assert [r[COL["manager"]] for r in read_tab(path, "Clients")[1:]] == ["Olga", "Olga"]
    shown = json.loads(run("log", str(path), "--format", "json", config=config).output)
    batches = [e["batch"] for e in shown if e["field"] == "manager"]
    assert len(batches) == 2 and batches[0] != batches[1]
    result = run("undo", str(path), "--apply", config=config)
    assert result.exit_code == 0, result.output
    assert "Restored 1 cell(s)" in result.output
    # the second assign is undone; the first, logged in the same second, stays
    assert [r[COL["manager"]] for r in read_tab(path, "Clients")[1:]] == ["Olga", ""]
    assert "already undone" in run("undo", str(path), config=config).output


def test_a_log_begun_without_the_batch_column_gets_it_and_undo_still_works(book, run, tmp_path):
    old_log = [
        ["When", "Command", "ID", "Client", "Field", "Old value", "New value", "By", "Why"],
        ["2026-11-20 09:00:00", "assign", "C00001", "First", "manager", "", "Olga", "boss", "pool"],
    ]
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    lead = {"status": "New", "next_contact": "24.11.2026"}
    path = book(
        [
            {"id": "C00001", "client": "First", "manager": "Olga", **lead},
            {"id": "C00002", "client": "Second", **lead},
        ],
        extra={"Log": old_log},
    )
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    log = read_tab(path, "Log")
    assert log[0][9] == "Batch" and log[1][9] == ""
    assert log[2][1] == "assign" and len(log[2][9]) == 8
    assert run("undo", str(path), "--apply", config=config).exit_code == 0
    assert [r[COL["manager"]] for r in read_tab(path, "Clients")[1:]] == ["Olga", ""]
    # only the last apply is undone; the older one, from before the Batch column, stays
    assert "already undone" in run("undo", str(path), config=config).output


def test_batches_written_right_of_an_old_log_header_are_read_back(book, run):
    old_header = ["When", "Command", "ID", "Client", "Field", "Old value", "New value", "By", "Why"]
    path = book(
        [{"client": "No ID yet", "status": "New", "next_contact": "24.11.2026"}],
        extra={"Log": [old_header]},
    )
    assert run("sync", str(path), "--date", TODAY.isoformat()).exit_code == 0
    row = read_tab(path, "Log")[1]
    assert row[1] == "sync" and len(row[9]) == 8  # sync leaves the old header as it is
    shown = json.loads(run("log", str(path), "--format", "json").output)
    assert [e["batch"] for e in shown] == [row[9]]


def test_undo_leaves_a_cell_the_team_made_a_formula_since(book, run):
    path = book(
        [{"id": "C00001", "client": "Daisy", "manager": "Olga", "status": "New"}],
    )
    assert run("handover", str(path), "Olga", "--to", "Ivan", "--apply", *DAY).exit_code == 0
    formula_over(path, "E2", "Managers!A3", "Ivan")  # shows what handover wrote
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert "left alone: row 2, column 'Manager' now holds a formula (=Managers!A3)" in (
        result.stdout
    )
    assert "Restored 3 cell(s)" in result.stdout and "1 cell(s) edited since" in result.stdout
    wb = load_workbook(path)
    assert wb["Clients"]["E2"].value == "=Managers!A3"
    assert wb["Clients"]["O2"].value in (None, "")  # the comment handover wrote: taken back


def by_header(rows):
    """The Log's rows as dicts by its own header, whatever the order of its columns."""
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_log_rows_go_under_their_headers_after_the_team_moved_the_logs_columns(book, run):
    path = team_book(book)
    handover = run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY)
    assert handover.exit_code == 0, handover.output
    wb = load_workbook(path)  # the Why column cut and inserted before When
    log = wb["Log"]
    rows = [[c.value for c in r] for r in log.iter_rows()]
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate([r[8], *r[:8], *r[9:]], start=1):
            log.cell(row=i, column=j).value = v
    wb.save(path)
    assert run("undo", str(path), "--apply", "--by", "boss").exit_code == 0
    entries = by_header(read_tab(path, "Log"))
    undone = [e for e in entries if e["Command"] == "undo"]
    assert undone and all(
        e["By"] == "boss" and e["Why"].startswith("undo of batch") and e["When"][:4] == "2026"
        for e in undone
    )
    assert {(e["ID"], e["Field"]) for e in undone} >= {("C00001", "Manager"), ("Petr", "Active")}
    again = run("undo", str(path))
    assert "already undone" in again.output, again.output


def test_an_id_retyped_in_lower_case_or_with_a_cyrillic_c_is_the_same_client(book, run):
    path = team_book(book)
    assert run("sync", str(path), *DAY).exit_code == 0
    handover = run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY)
    assert handover.exit_code == 0, handover.output
    edit(path, "Clients", 2, COL["id"], "c00001")  # Far Ltd
    edit(path, "Clients", 3, COL["id"], "С00002")  # Near Ltd, typed with a Russian keyboard
    assert "0 error(s)" in run("check", str(path), *DAY).output
    shown = json.loads(run("undo", str(path), "--format", "json").output)
    assert {r["id"]: r["action"] for r in shown if r["field"] == "manager"} == {
        "C00001": "restore",
        "C00002": "restore",
        "C00005": "restore",  # No ID yet, given its ID by the sync
    }
    assert run("undo", str(path), "--apply").exit_code == 0
    clients = read_tab(path, "Clients")
    assert [r[COL["manager"]] for r in clients[1:4]] == ["Petr", "Petr", "Petr"]
    sync = run("sync", str(path), *DAY)
    assert "history" not in sync.output  # no client seen removed, nor a new one added
    assert "removed" not in run("history", str(path), "Far Ltd").output


def test_undo_leaves_alone_another_client_that_now_bears_the_id(book, run):
    path = team_book(book)
    handover = run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY)
    assert handover.exit_code == 0, handover.output
    wb = load_workbook(path)  # Near Ltd deleted; a row pasted from another file bears its ID
    wb["Clients"].delete_rows(3)
    wb["Clients"].append(["C00002", "Other Co", "", "", "Olga", "New", "01.12.2026"])
    wb.save(path)
    shown = json.loads(run("undo", str(path), "--format", "json").output)
    near = {r["action"] for r in shown if r["id"] == "C00002"}
    assert near == {
        "left alone: client ID 'C00002' is now on row 5, client 'Other Co', not 'Near Ltd': "
        "check that row and change it by hand"
    }
    assert run("undo", str(path), "--apply").exit_code == 0
    other = read_tab(path, "Clients")[4]
    assert (other[COL["client"]], other[COL["manager"]]) == ("Other Co", "Olga")
    assert read_tab(path, "Clients")[1][COL["manager"]] == "Petr"  # Far Ltd restored


def test_undo_refuses_a_log_sorted_newest_first(book, run, tmp_path, monkeypatch):
    from sheetcrm.cli.common import App

    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    path = team_book(book)
    monkeypatch.setattr(App, "stamp", lambda self: "2026-11-23 10:00:00")
    assert run("assign", str(path), "--apply", config=config).exit_code == 0  # nothing to route
    edit(path, "Clients", 3, COL["manager"], "")  # somebody clears Near Ltd's manager
    assert run("assign", str(path), "--apply", config=config).exit_code == 0
    monkeypatch.setattr(App, "stamp", lambda self: "2026-11-23 11:00:00")
    assert run("handover", str(path), "Petr", "--to", "Olga", "--apply").exit_code == 0
    wb = load_workbook(path)  # Data, Sort, When, newest on top (a stable sort)
    log = wb["Log"]
    rows = [[c.value for c in r] for r in log.iter_rows(min_row=2)]
    rows.sort(key=lambda r: r[0], reverse=True)
    for i, row in enumerate(rows, start=2):
        for k, value in enumerate(row, start=1):
            log.cell(i, k).value = value
    wb.save(path)
    before = read_tab(path, "Clients")
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 2, result.output
    assert (
        "tab 'Log': its rows are not in the order sheetcrm added them (row 2, When "
        "2026-11-23 11:00:00, is above row "
    ) in result.stderr
    assert ", When 2026-11-23 10:00:00): the Log was sorted, newest first maybe" in result.stderr
    assert "sort the tab by When, oldest first, and run undo again" in result.stderr
    assert read_tab(path, "Clients") == before
    sort_log(path, 0)  # oldest first again: the handover is the last change
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert "of the handover" in result.output


def test_undo_allows_a_log_whose_last_change_came_from_a_clock_a_little_behind(book, run):
    header = ["When", "Command", "ID", "Client", "Field", "Old value", "New value", "By", "Why"]
    rows = [
        [*header, "Batch"],
        ["2026-11-20 09:00:00", "sync", "C00001", "First", "ID", "", "C00001", "cron", "", "a1"],
        ["2026-11-20 09:10:00", "sync", "C00002", "Second", "ID", "", "C00002", "cron", "", "a2"],
        ["2026-11-20 09:08:30", "assign", "C00002", "Second", "Manager", "", "Olga", "", "", "a3"],
    ]
    lead = {"status": "New", "next_contact": "24.11.2026"}
    path = book(
        [
            {"id": "C00001", "client": "First", **lead},
            {"id": "C00002", "client": "Second", "manager": "Olga", **lead},
        ],
        extra={"Log": rows},
    )
    result = run("undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert read_tab(path, "Clients")[2][COL["manager"]] == ""


def test_undo_names_the_row_of_a_client_whose_id_was_cleared_or_retyped(book, run):
    path = team_book(book)
    assert run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY).exit_code == 0
    edit(path, "Clients", 2, COL["id"], None)  # Far Ltd's ID cleared
    edit(path, "Clients", 3, COL["id"], "C00009")  # Near Ltd's retyped
    shown = json.loads(run("undo", str(path), "--format", "json").output)
    action = {r["client"]: r["action"] for r in shown if r["field"] == "manager"}
    assert action["Far Ltd"] == (
        "left alone: client ID 'C00001' is no longer in the sheet: the ID cell of row 2 "
        "('Far Ltd') is empty now; type C00001 back there, then undo again"
    )
    assert action["Near Ltd"] == (
        "left alone: client ID 'C00002' is no longer in the sheet: row 3 ('Near Ltd') bears "
        "ID 'C00009' now; type C00002 back there, then undo again"
    )
    edit(path, "Clients", 2, COL["id"], "C00001")
    edit(path, "Clients", 3, COL["id"], "C00002")
    assert run("undo", str(path), "--apply").exit_code == 0
    assert [r[COL["manager"]] for r in read_tab(path, "Clients")[1:]] == ["Petr"] * 4


def _rich_comment(path, shared: bool) -> None:
    """Far Ltd's comment with a bold part, kept inline (openpyxl) or as a shared string (Excel)."""
    wb = load_workbook(path, rich_text=True)
    wb["Clients"]["O2"] = CellRichText([TextBlock(InlineFont(b=True), "Offer:"), " send it"])
    wb.save(path)
    if not shared:
        return
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    inline = re.search(r'<c r="O2"([^>]*) t="inlineStr"><is>(.*?)</is></c>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        inline[0], f'<c r="O2"{inline[1]} t="s"><v>0</v></c>'
    ).encode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{main}"><si>{inline[2]}</si></sst>'.encode()
    rel = (
        '<Relationship Id="rId99" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    rels = parts["xl/_rels/workbook.xml.rels"].decode().replace("</Relationships>", rel)
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)


def _runs(path) -> list[tuple[str, bool]]:
    value = load_workbook(path, rich_text=True)["Clients"]["O2"].value
    if isinstance(value, str):
        return [(value, False)]
    return [(b.text, bool(b.font.b)) if isinstance(b, TextBlock) else (b, False) for b in value]


@pytest.mark.parametrize("shared", [False, True])
def test_a_comment_with_a_bold_part_keeps_it_through_handover_and_undo(book, run, shared):
    path = team_book(book)
    _rich_comment(path, shared)
    assert read_tab(path, "Clients")[1][COL["comment"]] == "Offer: send it"
    handed = run("handover", str(path), "Petr", "--to", "Olga", "--apply", *DAY)
    assert handed.exit_code == 0, handed.output
    note = "handed over from Petr on 23.11.2026"
    assert read_tab(path, "Clients")[1][COL["comment"]] == f"Offer: send it\n{note}"
    assert _runs(path) == [("Offer:", True), (" send it", False), (f"\n{note}", False)]
    assert run("undo", str(path), "--apply").exit_code == 0
    assert _runs(path) == [("Offer:", True), (" send it", False)]
