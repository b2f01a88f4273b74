"""Rows inserted, deleted and sorted while a sync runs: every flag and ID lands on its client.

Between the read and the write (just before the key columns are read
again) the test moves rows the way people do in a shared sheet. Each row
carries a tag in its Comment column (a team column sheetcrm never writes),
so afterwards every row can be checked against what the same sync writes
into an .xlsx whose rows did not move.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row, read_tab

from sheetcrm.values import text

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]
ID, CLIENT, COMMENT = 0, 1, EN_HEADERS.index("Comment")
FLAGS = len(EN_HEADERS)  # the column sync adds


def clients(seed: int, count: int = 40) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for k in range(count):
        row = {
            "client": rnd.choice(["Twin", f"Client {k}", f"Client {k}"]),
            "manager": rnd.choice(["Olga", "Ivan", "Petr", ""]),
            "status": rnd.choice(["New", "In progress", "Refused", "Won"]),
            "next_contact": TODAY + timedelta(days=rnd.randint(-10, 10)),
            "comment": f"tag-{k}",
        }
        if rnd.random() < 0.6:
            row["id"] = f"C{k + 1:05d}"
        rows.append(row)
    return rows


def by_tag(rows: list[list]) -> dict[str, list[str]]:
    out = {}
    for r in rows[1:]:
        cells = [text(c) for c in r] + [""] * (FLAGS + 1 - len(r))
        if cells[COMMENT]:
            out[cells[COMMENT].split("\n")[0]] = cells  # a handover adds a line
    return out


def shuffle(seed: int):
    """Random inserts, deletes and sorts of the data rows of the Clients tab."""

    def hook(server):
        rnd = random.Random(seed * 7919)
        book = next(iter(server.books.values()))
        sheet = book.sheet("Clients")
        for _ in range(rnd.randint(1, 6)):
            height = len(sheet.cells)
            op = rnd.choice(["insert", "delete", "sort", "sort"])
            if op == "insert":
                sheet.insert_row(rnd.randint(1, height))
            elif op == "delete" and height > 2:
                sheet.delete_row(rnd.randint(1, height - 1))
            else:
                col = rnd.choice([CLIENT, 4, 5, 6, COMMENT])
                sheet.sort_rows(
                    lambda r, c=col: text(r[c]) if c < len(r) and r[c] is not None else "",
                    reverse=rnd.random() < 0.5,
                )

    return hook


@pytest.mark.parametrize("seed", range(12))
def test_moved_rows_get_their_own_flags_and_ids(seed, book, google, run):
    rows = clients(seed)
    path = book(rows, managers=EN_MANAGERS)
    assert run("sync", str(path), *DAY).exit_code == 0
    want = by_tag(read_tab(path, "Clients"))

    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})
    before = by_tag(google.server.values(key, "Clients"))
    # the 2nd batchGet is the re-read of the key columns just before writing
    google.server.before("values.batchGet", shuffle(seed), nth=2)
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 0, result.output
    assert google.server.counts["values.batchGet"] == 2

    after_rows = google.server.values(key, "Clients")
    after = by_tag(after_rows)
    written = 0
    for tag, cells in after.items():
        old, expected = before[tag], want[tag]
        # team cells are untouched (dates as serials: compare what the server holds)
        assert [c for i, c in enumerate(cells[:FLAGS]) if i != ID] == [
            c for i, c in enumerate(old[:FLAGS]) if i != ID
        ], tag
        if cells[ID] == expected[ID] and cells[FLAGS] == expected[FLAGS]:
            written += cells[FLAGS] != old[FLAGS] or cells[ID] != old[ID]
        elif cells[ID] != old[ID]:
            # rows alike (same name, no ID) that may have swapped: a new ID, nothing else
            twins = {
                want[t][ID] for t, o in before.items() if not o[ID] and o[CLIENT] == old[CLIENT]
            }
            assert not old[ID] and len(twins) > 1 and cells[ID] in twins, tag
            assert cells[FLAGS] == old[FLAGS], tag
        else:  # skipped: left exactly as it was, never another client's value
            assert cells[FLAGS] == old[FLAGS], tag
    assert written > 0
    # blank rows inserted during the sync received nothing
    for r in after_rows[1:]:
        assert not any(text(c) for c in r) or text(r[COMMENT] if COMMENT < len(r) else ""), r
    # the Log names only IDs that are now in the sheet
    log = google.server.values(key, "Log")
    ids = {cells[ID] for cells in after.values()}
    assert {text(r[2]) for r in log[1:]} <= ids


def test_a_row_whose_client_is_gone_is_skipped_and_reported(book, google, run):
    rows = [
        {
            "id": "C00001",
            "client": "Stays",
            "manager": "Olga",
            "status": "New",
            "next_contact": date(2026, 11, 20),
            "comment": "a",
        },
        {
            "id": "C00002",
            "client": "Deleted",
            "manager": "Olga",
            "status": "New",
            "next_contact": date(2026, 11, 19),
            "comment": "b",
        },
        {"client": "Twin", "manager": "Olga", "status": "New", "comment": "c"},
        {"client": "Twin", "manager": "Ivan", "status": "New", "comment": "d"},
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})

    def move(server):
        sheet = server.books[key].sheet("Clients")
        sheet.delete_row(2)  # "Deleted"
        sheet.sort_rows(lambda r: r[COMMENT], reverse=True)  # the two Twins swap places

    google.server.before("values.batchGet", move, nth=2)
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 0
    assert "ID C00002: no longer in the sheet" in result.stderr
    assert "'Twin' (no ID yet): on several rows that moved" in result.stderr
    after = by_tag(google.server.values(key, "Clients"))
    assert after["a"][FLAGS] == "overdue 3d"
    assert (after["c"][ID], after["c"][FLAGS]) == ("", "")
    assert (after["d"][ID], after["d"][FLAGS]) == ("", "")


def test_handover_while_rows_move_changes_only_the_right_cells(google, run):
    rows = [
        {
            "id": f"C{k:05d}",
            "client": f"Client {k}",
            "manager": ["Olga", "Ivan"][k % 2],
            "status": "In progress",
            "next_contact": date(2026, 11, 25),
            "comment": f"tag-{k}",
        }
        for k in range(1, 11)
    ]
    managers = [*EN_MANAGERS, ["Nina", "nina@example.com", "yes", "", ""]]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": managers})

    def move(server):
        book = server.books[key]
        book.sheet("Managers").insert_row(1)  # a new manager typed in above Olga
        book.sheet("Managers").put(1, 0, "Zoe")
        clients = book.sheet("Clients")
        clients.sort_rows(lambda r: r[COMMENT], reverse=True)
        clients.insert_row(3)

    google.server.before("values.batchGet", move, nth=2)
    result = run("handover", google.url(key), "Olga", "--to", "Nina", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    managers_now = {r[0]: r[2] if len(r) > 2 else "" for r in google.server.values(key, "Managers")}
    assert managers_now == {
        "Name": "Active",
        "Zoe": "",
        "Olga": "No",
        "Ivan": "yes",
        "Petr": "no",
        "Nina": "yes",
    }
    after = by_tag(google.server.values(key, "Clients"))
    for k in range(1, 11):
        cells = after[f"tag-{k}"]
        assert cells[ID] == f"C{k:05d}"
        assert cells[4] == ("Ivan" if k % 2 else "Nina")
        if k % 2:  # Ivan's clients: untouched
            assert text(cells[COMMENT]) == f"tag-{k}"
        else:
            assert cells[COMMENT].startswith(f"tag-{k}\nhanded over from Olga")


def test_rows_alike_without_ids_get_ids_first_and_flags_on_the_next_sync(google, run):
    rows = [
        {"client": "Twin", "manager": "Olga", "status": "New", "comment": "p"},
        {
            "client": "Twin",
            "manager": "",
            "status": "New",
            "next_contact": date(2026, 11, 30),
            "comment": "q",
        },
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})
    first = run("sync", google.url(key), *DAY)
    assert first.exit_code == 0
    assert "several rows named 'Twin' have no ID yet; only their new IDs were written" in (
        first.stderr
    )
    after = by_tag(google.server.values(key, "Clients"))
    assert (after["p"][ID], after["q"][ID]) == ("C00001", "C00002")
    assert after["p"][FLAGS] == after["q"][FLAGS] == ""
    log = google.server.values(key, "Log")
    assert [(r[2], r[4]) for r in log[1:]] == [("C00001", "ID"), ("C00002", "ID")]
    second = run("sync", google.url(key), *DAY)
    assert second.exit_code == 0 and "Warning" not in second.stderr
    after = by_tag(google.server.values(key, "Clients"))
    assert after["p"][FLAGS].startswith("no next contact date")
    assert after["q"][FLAGS].startswith("no manager")


@pytest.mark.parametrize(
    ("command", "reads"),
    [(["sync"], 2), (["handover", "Olga", "--to", "Ivan", "--apply"], 4)],
)
def test_a_column_inserted_while_writing_stops_the_write(google, run, command, reads):
    """Cells are written by column: with a column inserted meanwhile, every change would
    land one column to the right (a flag over the team's comment). A handover reads the
    formulas of the cells it changes too, on each tab (Clients, Managers)."""
    rows = [
        {"id": "C00001", "client": "Daisy", "manager": "Olga", "next_contact": "20.11.2026"},
        {"id": "C00002", "client": "Vector", "manager": "Olga", "comment": "call after lunch"},
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})

    def insert(server):
        clients = server.books[key].sheet("Clients")
        clients.insert_column(2)
        clients.put(0, 2, "Region")

    google.server.before("values.batchGet", insert, nth=reads)  # the last read, before writing
    before = google.server.api_requests()
    result = run(command[0], google.url(key), *command[1:], *DAY)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Google Sheet 'CRM': the header row of tab 'Clients' changed while sheetcrm was "
        "about to write (a column inserted, deleted, moved or renamed meanwhile). Nothing was "
        "written; run the command again.\n"
    )
    assert google.server.api_requests() - before == {
        "spreadsheets.get": 1,
        "values.batchGet": reads,
    }
    assert google.server.values(key, "Clients")[2][COMMENT + 1] == "call after lunch"
    result = run(command[0], google.url(key), *command[1:], *DAY)  # run again: it writes
    assert result.exit_code == 0, result.output
    assert google.server.values(key, "Clients")[2][COMMENT + 1].startswith("call after lunch")


RU_MANAGERS = [
    ["Имя", "Email", "Активен"],
    ["Ольга", "o@x.ru", "да"],
    ["Иван", "i@x.ru", "да"],
    ["Сергей", "s@x.ru", "да"],
]
RU_CLIENTS = [
    ["ID", "Компания", "Ответственный", "Статус", "Перезвонить"],
    ["C00001", "ООО «Ромашка»", "Сергей", "В работе", date(2026, 11, 25)],
    ["C00002", "ИП Сидоров", "Ольга", "Новый", date(2026, 11, 26)],
]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_leaver_renamed_while_handing_over_is_not_said_to_be_inactive(google, run, tmp_path, fmt):
    import json

    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\ntimezone: Europe/Moscow\n", encoding="utf-8")
    key = google.add({"Клиенты": RU_CLIENTS, "Менеджеры": RU_MANAGERS})

    def rename(server):
        server.books[key].sheet("Менеджеры").put(3, 0, "Сергей Волков")

    google.server.before("values.batchGet", rename, nth=2)
    args = ["--config", str(config), "handover", google.url(key), "Сергей", "--to", "Ольга"]
    result = run(*args, "--apply", "--format", fmt, *DAY, config=None)
    assert result.exit_code == 0, result.output
    assert "tab 'Менеджеры', row 4: Имя Сергей: no longer in the sheet" in result.stderr
    managers = google.server.values(key, "Менеджеры")
    assert managers[3] == ["Сергей Волков", "s@x.ru", "да"]  # not written
    assert google.server.values(key, "Клиенты")[1][2] == "Ольга"  # the client moved
    log = google.server.values(key, "Журнал")
    assert [r[4] for r in log[1:]] == ["Менеджер", "Комментарий"]  # no "Активен" row
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["applied"] is True and doc["deactivated"] is False
        assert "Сергей: отметка «Активен: Нет» во вкладке «Менеджеры» не записана" in (
            result.stderr
        )
    else:
        assert "теперь с отметкой «Активен: Нет»" not in result.stdout
        assert "Сергей: отметка «Активен: Нет» во вкладке «Менеджеры» не записана" in result.stdout


def test_log_rows_go_under_their_headers_after_the_team_moved_the_logs_columns(
    google, run, tmp_path
):
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    leads = [["ID", "Client", "Status"], ["C00001", "Lead 1", "New"], ["C00002", "Lead 2", "New"]]
    key = google.add({"Clients": leads, "Managers": EN_MANAGERS})
    url = google.url(key)
    assert run("assign", url, "--apply", *DAY, config=config).exit_code == 0
    for row in google.server.books[key].sheet("Log").cells:  # Old value (blank) moved to A
        row[:] = [row[5], *row[:5], *row[6:]]
    assert run("undo", url, "--apply", "--by", "boss", config=config).exit_code == 0
    rows = google.server.values(key, "Log")
    entries = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    assert [(e["Command"], e["ID"], e["New value"]) for e in entries] == [
        ("assign", "C00001", "Olga"),
        ("assign", "C00002", "Olga"),
        ("undo", "C00001", ""),
        ("undo", "C00002", ""),
    ]
    assert all(e["By"] == "boss" and e["Why"].startswith("undo of batch") for e in entries[2:])
    assert "already undone" in run("undo", url, config=config).output


def test_ids_retyped_in_lower_case_or_cyrillic_find_their_rows_while_rows_move(google, run):
    rows = [
        ["ID", "Client", "Manager", "Status", "Next contact", "Comment"],
        ["c00001", "Alpha", "Olga", "New", date(2026, 11, 25), "tag-1"],
        ["С00002", "Beta", "Olga", "New", date(2026, 11, 26), "tag-2"],  # a Cyrillic С
        ["C00003", "Gamma", "Ivan", "New", date(2026, 11, 26), "tag-3"],
    ]
    key = google.add({"Clients": rows, "Managers": EN_MANAGERS})

    def move(server):
        server.books[key].sheet("Clients").sort_rows(lambda r: r[1], reverse=True)

    google.server.before("values.batchGet", move, nth=2)
    result = run("handover", google.url(key), "Olga", "--to", "Ivan", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    now = {r[1]: (r[0], r[2]) for r in google.server.values(key, "Clients")[1:]}
    assert now == {
        "Gamma": ("C00003", "Ivan"),
        "Beta": ("С00002", "Ivan"),
        "Alpha": ("c00001", "Ivan"),
    }
    log = google.server.values(key, "Log")
    assert [r[2] for r in log[1:] if r[4] == "Manager"] == ["C00001", "C00002"]


def test_a_sync_adds_its_log_rows_under_the_headers_of_a_log_whose_columns_moved(
    google, run, tmp_path
):
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    leads = [["ID", "Client", "Manager", "Status"], ["C00001", "Lead 1", "", "New"]]
    key = google.add({"Clients": leads, "Managers": EN_MANAGERS})
    url = google.url(key)
    assert run("assign", url, "--apply", *DAY, config=config).exit_code == 0
    for row in google.server.books[key].sheet("Log").cells:  # Old value (blank) moved to A
        row[:] = [row[5], *row[:5], *row[6:]]
    before = google.server.values(key, "Log")
    google.server.books[key].sheet("Clients").put(2, 1, "Lead 2")  # a new client, no ID yet
    assert run("sync", url, *DAY, config=config).exit_code == 0
    rows = google.server.values(key, "Log")
    assert rows[: len(before)] == before
    added = dict(zip(rows[0], rows[len(before)], strict=False))
    assert (added["Command"], added["Client"], added["New value"]) == ("sync", "Lead 2", "C00002")


def _with_nina(google, rows):
    """A sheet of clients in progress (due 25.11.2026) and a team with Nina besides; its key."""
    body = [
        client_row(EN_HEADERS, status="In progress", next_contact=date(2026, 11, 25), **r)
        for r in rows
    ]
    managers = [*EN_MANAGERS, ["Nina", "nina@example.com", "yes", "", ""]]
    return google.add({"Clients": [list(EN_HEADERS), *body], "Managers": managers})


def test_handover_while_rows_move_tells_clients_sharing_an_id_by_their_names(google, run):
    rows = [
        {"id": "C00001", "client": "Alpha", "manager": "Olga", "comment": "tag-1"},
        {"id": "C00002", "client": "Beta", "manager": "Ivan", "comment": "tag-2"},
        {"id": "C00001", "client": "Gamma", "manager": "Olga", "comment": "tag-3"},  # pasted
    ]
    key = _with_nina(google, rows)

    def move(server):
        clients = server.books[key].sheet("Clients")
        clients.sort_rows(lambda r: r[COMMENT], reverse=True)
        clients.insert_row(1)

    google.server.before("values.batchGet", move, nth=2)
    result = run("handover", google.url(key), "Olga", "--to", "Nina", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert "Handed 2 client(s) over from Olga; Olga marked inactive." in result.output
    assert "NOT handed over" not in result.output
    after = by_tag(google.server.values(key, "Clients"))
    assert [after[f"tag-{k}"][4] for k in (1, 2, 3)] == ["Nina", "Ivan", "Nina"]


def test_clients_not_handed_over_are_named_with_the_row_they_were_read_on(google, run, tmp_path):
    rows = [
        {"id": "C00001", "client": "Альфа", "manager": "Olga", "comment": "tag-1"},
        {"id": "C00001", "client": "Альфа", "manager": "Olga", "comment": "tag-2"},  # pasted
        {"id": "C00002", "client": "Бета", "manager": "Olga", "comment": "tag-3"},
    ]
    key = _with_nina(google, rows)

    def move(server):
        server.books[key].sheet("Clients").sort_rows(lambda r: r[COMMENT], reverse=True)

    google.server.before("values.batchGet", move, nth=2)
    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    result = run(
        "handover", google.url(key), "Olga", "--to", "Nina", "--apply", *DAY, config=config
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(
        "повторите передачу для них: Альфа (C00001, была в строке 2); "
        "Альфа (C00001, была в строке 3)"
    )
