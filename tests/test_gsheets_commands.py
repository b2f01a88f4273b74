"""Every command gives the same result on a Google Sheet as on the same data in an .xlsx."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]

ROWS = [
    {
        "client": "Daisy",
        "phone": "8 (912) 345-67-89",
        "manager": "Olga",
        "status": "In progress",
        "next_contact": "20.11.2026",
        "comment": "send the price",
    },
    {
        "client": "Vector",
        "phone": "+7 912 345 67 89",
        "manager": "Petr",
        "status": "New",
        "next_contact": date(2026, 12, 1),
    },
    {"client": "Orion", "manager": "", "status": "New", "next_contact": date(2026, 11, 23)},
    {"client": "Lost", "manager": "Ivan", "status": "Refused", "last_contact": date(2026, 10, 5)},
    {"id": "C00007", "client": "Kept ID", "manager": "Ivan", "status": "Won", "amount": 150000},
    {
        "id": "00123",
        "client": '=IMPORTXML("http://x";"//a")',
        "phone": 89123456700,
        "manager": "Olga",
        "status": "In progress",
        "next_contact": "2026-11-22",
    },
]


def tabs_of(rows, managers=EN_MANAGERS):
    body = [client_row(EN_HEADERS, **r) for r in rows]
    return {"Clients": [list(EN_HEADERS), *body], "Managers": managers}


@pytest.fixture
def both(book, google):
    """(xlsx path, Google Sheet URL) holding the same rows."""

    def make(rows=ROWS, managers=EN_MANAGERS):
        path = book(rows, managers=managers)
        key = google.add(tabs_of(rows, managers))
        return str(path), google.url(key)

    return make


def plain(out: str) -> str:
    """Output with the source's name, the Log's clock times (seconds apart) and its batch
    IDs (random per apply) made equal."""
    out = out.replace("crm.xlsx", "SOURCE").replace("Google Sheet 'CRM'", "SOURCE")
    out = re.sub(r"\b[0-9a-f]{8}\b", "batch", out)
    return re.sub(r"\d\d:\d\d:\d\d", "hh:mm:ss", out)


def same(run, args_before, args_after, xlsx, sheet):
    a = run(*args_before, xlsx, *args_after)
    b = run(*args_before, sheet, *args_after)
    assert a.exit_code == b.exit_code, (a.output, b.output)
    assert plain(a.stdout) == plain(b.stdout)
    return a, b


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_today_is_the_same_on_google(both, run, fmt):
    xlsx, sheet = both()
    a, b = same(run, ["today"], [*DAY, "--format", fmt], xlsx, sheet)
    assert a.exit_code == 0
    assert "Daisy" in b.stdout and "Orion" in b.stdout


def sheet_tabs(run_cfg, xlsx: str, sheet: str, names: list[str]):
    """Each tab of both sources as text rows, as the backends read them back."""
    from sheetcrm.backends import open_backend
    from sheetcrm.values import text

    def norm(rows):
        out = [[text(c) for c in r] for r in rows]
        for r in out:
            while r and not r[-1]:
                r.pop()
        while out and not out[-1]:
            out.pop()
        return out

    got = []
    for source in (xlsx, sheet):
        snap = open_backend(source, run_cfg).read(names)
        got.append({n: norm(t.rows) for n, t in snap.tabs.items()})
    return got


def without_when(tabs):
    """The Log's time stamps differ between two runs by a second or so, its batch IDs
    are random per apply: both columns are left out, and an undo's Why, which names the
    batch and time it undid, is made plain."""
    if "Log" in tabs:
        tabs["Log"] = [[plain(c) for c in r[1:9]] for r in tabs["Log"]]
    return tabs


@pytest.fixture
def cfg(en_config):
    from sheetcrm.config import load_config

    return load_config(str(en_config))


TABS = ["Clients", "Managers", "Today", "Problems", "Refusals", "Log"]


def test_sync_writes_the_same_cells_and_tabs(both, run, cfg, google):
    xlsx, sheet = both()
    a = run("sync", xlsx, *DAY, "--by", "me")
    b = run("sync", sheet, *DAY, "--by", "me")
    assert a.exit_code == b.exit_code == 0, (a.output, b.output)
    assert b.stdout.startswith("Google Sheet 'CRM': synced.")
    assert a.stdout.split("\n", 1)[1] == b.stdout.split("\n", 1)[1]
    x, g = (without_when(t) for t in sheet_tabs(cfg, xlsx, sheet, TABS))
    assert x == g
    assert g["Clients"][0][-1] == "Flags" and len(g["Log"]) == 5
    # a second sync finds nothing to change on either
    a, b = run("sync", xlsx, *DAY), run("sync", sheet, *DAY)
    assert "up to date" in a.stdout and "up to date" in b.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["today", "--format", "json"],
        ["next", "--manager", "Olga"],
        ["problems", "--format", "csv"],
        ["refusals", "--by", "manager"],
        ["who", "+7 912 345-67-00"],
        ["duplicates"],
        ["log"],
    ],
    ids=lambda a: a[0],
)
def test_read_commands_after_a_sync_give_the_same_output(both, run, args):
    xlsx, sheet = both()
    run("sync", xlsx, *DAY, "--by", "me")
    run("sync", sheet, *DAY, "--by", "me")
    command, rest = args[0], args[1:]
    a, b = same(
        run,
        [command],
        [*rest, *(DAY if command in ("check", "today", "next", "problems") else [])],
        xlsx,
        sheet,
    )
    if command == "log":
        assert "C00008" in b.stdout
    else:
        assert b.stdout.strip()


def test_handover_assign_undo_change_the_same_cells(both, run, cfg, tmp_path):
    pool = tmp_path / "pool.yaml"
    pool.write_text("language: en\ntimezone: Europe/Moscow\nrouting:\n  pool: [Nina]\n")
    managers = [*EN_MANAGERS, ["Nina", "nina@example.com", "yes", "Moscow", ""]]
    rows = [
        *ROWS,
        {"client": "New lead", "city": "Moscow", "status": "New", "next_contact": "24.11.2026"},
    ]
    xlsx, sheet = both(rows, managers)
    for args in (
        ["handover", "Olga", "--to", "Nina", "--to", "Ivan", "--apply", "--by", "me"],
        ["assign", "--apply", "--by", "me"],
        ["undo", "--apply", "--by", "me"],
        ["handover", "Ivan", "--apply", "--by", "me"],
    ):
        day = [] if args[0] == "undo" else DAY  # undo takes no --date
        a = run(args[0], xlsx, *args[1:], *day, config=pool)
        b = run(args[0], sheet, *args[1:], *day, config=pool)
        assert a.exit_code == b.exit_code == 0, (args, a.output, b.output)
        assert plain(a.stdout) == plain(b.stdout), args
        if args[0] == "undo":  # the assign (new leads and Petr's client to Nina) is taken back
            assert "Restored 3 cell(s) of the assign" in b.stdout
        x, g = (without_when(t) for t in sheet_tabs(cfg, xlsx, sheet, TABS))
        assert x == g, args
    assert any(r[4] == "Nina" for r in g["Clients"][1:])
    managers_now = {r[0]: r[2] for r in g["Managers"][1:]}
    assert managers_now["Olga"] == "No" and managers_now["Ivan"] == "No"


def test_an_old_log_on_google_gets_the_batch_column(google, run, cfg, tmp_path):
    old_header = ["When", "Command", "ID", "Client", "Field", "Old value", "New value", "By", "Why"]
    tabs = tabs_of(
        [{"id": "C00001", "client": "Lead", "status": "New", "next_contact": "24.11.2026"}]
    )
    tabs["Log"] = [old_header]
    sheet = google.url(google.add(tabs))
    pool = tmp_path / "pool.yaml"
    pool.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    assert run("assign", sheet, "--apply", config=pool).exit_code == 0
    from sheetcrm.backends import open_backend

    log = open_backend(sheet, cfg).read(["Log"]).tabs["Log"].rows
    assert log[0][9] == "Batch" and log[1][4:7] == ["Manager", "", "Olga"] and len(log[1][9]) == 8
    assert run("undo", sheet, "--apply", config=pool).exit_code == 0


RU_TABS = {
    "Клиенты": [
        ["Отдел продаж, клиенты 2026"],  # a title above the header row
        [
            "№ клиента",
            "Компания",
            "Телефон",
            "Ответственный",
            "Статус",
            "Перезвонить",
            "Мой столбец",
        ],
        ["", "ООО «Ромашка»", "8 (912) 345-67-89", "Ольга", "В работе", date(2026, 11, 20), "x"],
        [],
        ["00123", "ИП Сидоров", 89120001122, "Сергей", "Новый", "23.11.2026", ""],
        ["", '=HYPERLINK("http://x")', "", "", "Новый", date(2026, 11, 23), ""],
    ],
    "Менеджеры": [
        ["Имя", "Email", "Активен"],
        ["Ольга", "o@x.ru", "да"],
        ["Сергей", "s@x.ru", "нет"],
    ],
}


def test_a_russian_sheet_and_a_dry_run(tmp_path, run, google):
    from conftest import write_book

    from sheetcrm.config import load_config

    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\ntimezone: Europe/Moscow\n", encoding="utf-8")
    xlsx = str(write_book(tmp_path / "ru.xlsx", RU_TABS))
    sheet = google.url(google.add(RU_TABS))
    ru = ["--config", str(config)]
    for args in (["sync", "--dry-run"], ["today"], ["sync"], ["problems"], ["check"]):
        a = run(*ru, args[0], xlsx, *args[1:], *DAY, config=None)
        b = run(*ru, args[0], sheet, *args[1:], *DAY, config=None)
        assert a.exit_code == b.exit_code, (args, a.output, b.output)
        assert plain(a.stdout.replace("ru.xlsx", "crm.xlsx")) == plain(b.stdout), args
        if args == ["sync", "--dry-run"]:
            assert not google.server.bodies  # nothing sent to be written
    cfg = load_config(str(config))
    names = ["Клиенты", "Менеджеры", "Сегодня", "Проблемы", "Отказы", "Журнал"]
    x, g = (without_when(t) for t in sheet_tabs(cfg, xlsx, sheet, names))
    x["Журнал"], g["Журнал"] = ([r[1:9] for r in t["Журнал"]] for t in (x, g))  # no time, batch
    assert x == g
    assert g["Клиенты"][1][-1] == "Отметки" and g["Клиенты"][2][0] == "C00001"


def test_a_single_tab_sheet_is_the_client_list_and_metadata_is_read_once(book, run, google):
    from conftest import write_book

    solo = client_row(EN_HEADERS, client="Solo", manager="Olga", next_contact="20.11.2026")
    rows = [list(EN_HEADERS), solo]
    xlsx = str(write_book(book([]).with_name("one.xlsx"), {"Лист1": rows}))
    sheet = google.url(google.add({"Лист1": rows}))
    a, b = same(run, ["today"], DAY, xlsx, sheet)
    assert "Solo" in b.stdout
    # the tab list once; none of the usual tabs is there, so one read: the lone tab
    assert google.server.api_requests() == {"spreadsheets.get": 1, "values.batchGet": 1}


def test_a_team_tab_named_like_an_owned_tab_is_not_written_over_on_google(google, run):
    notes = [["Client", "Date", "Director's comment"], ["Vector", "20.11.2026", "call me"]]
    key = google.add({**tabs_of(ROWS), "Refusals": notes, "Log": [["Date", "Who", "What"]]})
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 2
    assert "tab 'Refusals' is the team's, not one sheetcrm made" in result.stderr
    assert google.server.values(key, "Refusals") == notes
    assert google.server.values(key, "Clients")[1][0] == ""  # no ID filled either


def test_merged_cells_on_google_are_named_and_never_written_into(google, run):
    key = google.add(tabs_of(ROWS))
    sheet = google.server.books[key].sheet("Clients")
    sheet.merges = [(1, 1, 3, 2), (1, 0, 3, 1)]  # B2:B3 (a client's name), A2:A3 (their IDs)
    check = run("check", google.url(key), "--format", "json", *DAY)
    merged = [
        (f["row"], f["problem"]) for f in json.loads(check.stdout) if "merged" in f["problem"]
    ]
    assert (3, "cells B2:B3 are merged: the value shows on row 2 only") in merged
    before = google.server.values(key, "Clients")
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 2
    assert "cells A2:A3 are merged over several rows, and row 2 needs its own ID" in result.stderr
    assert google.server.values(key, "Clients") == before


def test_a_note_right_of_the_header_is_never_written_over(book, google, run, cfg):
    """Teams jot notes in the column right of the last header; the ID and Flags columns
    sheetcrm adds go right of those notes, on Excel and Google alike."""
    headers = EN_HEADERS[1:7]  # Client … Next contact: no ID, no Flags
    rows = [
        ["Daisy", "", "", "Olga", "In progress", "20.11.2026", "VIP: call before noon"],
        ["Vector", "", "", "Ivan", "New", "25.11.2026", "", "", "wants a discount"],
    ]
    xlsx = str(book(rows, headers=headers))
    sheet = google.url(google.add({"Clients": [headers, *rows], "Managers": EN_MANAGERS}))
    for source in (xlsx, sheet):
        for _ in range(2):  # the second sync reads the columns the first one added
            assert run("sync", source, *DAY).exit_code == 0
    x, g = sheet_tabs(cfg, xlsx, sheet, ["Clients"])
    assert x == g
    assert g["Clients"][0][-2:] == ["ID", "Flags"] and len(g["Clients"][0]) == 11
    assert g["Clients"][1][6] == "VIP: call before noon"
    assert g["Clients"][2][6:9] == ["", "", "wants a discount"]
    assert g["Clients"][1][9:] == ["C00001", "overdue 3d"]


def test_owned_tabs_named_in_other_letter_case_are_sheetcrms_own_on_google(google, run, tmp_path):
    """Google Sheets takes "today" and "Today" for one tab name, as Excel does."""
    log = [["When", "Command", "ID", "Client", "Field", "Old value", "New value", "By", "Why"]]
    today = [["Manager", "#", "Client", "Phone", "Status", "Due"], ["Olga", 1, "Gone Ltd"]]
    key = google.add({**tabs_of(ROWS), "today": today, "LOG": log})
    sheet = google.url(key)
    result = run("sync", sheet, *DAY)
    assert result.exit_code == 0, result.output
    titles = [s.title for s in google.server.books[key].sheets]
    assert titles == ["Clients", "Managers", "today", "LOG", "Problems", "Refusals"]
    assert "Gone Ltd" not in str(google.server.values(key, "today"))
    assert google.server.values(key, "today")[1][2] == "Daisy"
    assert len(google.server.values(key, "LOG")) == 1 + 4  # the header, then 4 new IDs
    assert "up to date" in run("sync", sheet, *DAY).stdout
    assert "C00008" in run("log", sheet).stdout
    pool = tmp_path / "pool.yaml"
    pool.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    assert run("assign", sheet, "--apply", *DAY, config=pool).exit_code == 0
    undo = run("undo", sheet, "--apply", config=pool)
    assert "Restored 2 cell(s) of the assign" in undo.stdout


def test_undo_puts_a_date_back_as_a_date_on_google(google, run):
    rows = [
        {"id": "C00001", "client": "Far", "manager": "Petr", "next_contact": date(2026, 12, 20)},
        {"id": "C00002", "client": "Near", "manager": "Petr", "next_contact": "24.11.2026"},
    ]
    managers = [r[:] for r in EN_MANAGERS]
    managers[3][2] = "yes"  # Petr is leaving now
    key = google.add(tabs_of(rows, managers))
    sheet = google.url(key)
    before = google.server.values(key, "Clients")
    assert run("handover", sheet, "Petr", "--to", "Olga", "--apply", *DAY).exit_code == 0
    assert google.server.values(key, "Clients") != before
    assert run("undo", sheet, "--apply").exit_code == 0
    after = google.server.values(key, "Clients")
    assert after[1][6] == 46376  # 20.12.2026: a date cell again, not the text "20.12.2026"
    assert (1, 6) in google.server.books[key].sheet("Clients").dates
    assert after == before


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.google.com/spreadsheets/u/1/d/{key}/edit#gid=0",
        "https://docs.google.com/a/sales.example/spreadsheets/d/{key}/edit?usp=sharing",
    ],
)
def test_sheet_urls_as_the_browser_shows_them(google, run, url):
    key = google.add(tabs_of(ROWS))
    result = run("today", url.format(key=key), *DAY)
    assert result.exit_code == 0, result.output
    assert "Daisy" in result.stdout


def test_tab_names_with_quotes_and_exclamation_marks_on_google(google, run, tmp_path):
    """A range names its tab in quotes ('It''s!'!A1): a "!" or "'" in a tab name is the tab's."""
    config = tmp_path / "odd.yaml"
    config.write_text(
        'language: en\ntabs:\n  clients: "Olga\'s clients!"\n  today: "Today\'s list!"\n'
        '  log: "Log!"\n',
        encoding="utf-8",
    )
    body = tabs_of(ROWS)
    key = google.add({"Olga's clients!": body["Clients"], "Managers": body["Managers"]})
    sheet = google.url(key)
    result = run("sync", sheet, *DAY, config=config)
    assert result.exit_code == 0, result.output
    clients = google.server.values(key, "Olga's clients!")
    assert clients[0][-1] == "Flags" and clients[1][0] == "C00008"
    assert google.server.values(key, "Today's list!")[1][2] == "Daisy"
    assert [r[2] for r in google.server.values(key, "Log!")[1:]] == [
        "C00008",
        "C00009",
        "C00010",
        "C00011",
    ]
    assert "up to date" in run("sync", sheet, *DAY, config=config).stdout


def test_tabs_named_with_a_space_around_are_the_clients_and_managers(tmp_path, run, google):
    from conftest import write_book

    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    tabs = {"Клиенты ": RU_TABS["Клиенты"], " менеджеры": RU_TABS["Менеджеры"]}
    xlsx = str(write_book(tmp_path / "crm.xlsx", tabs))
    key = google.add(tabs)
    sheet = google.url(key)
    ru = ["--config", str(config)]
    for source in (xlsx, sheet):
        result = run(*ru, "problems", source, *DAY, "--format", "json", config=None)
        assert result.exit_code == 0, result.output
        left = [(p["row"], p["code"]) for p in json.loads(result.stdout)]
        assert (5, "inactive_manager") in left  # Сергей is marked inactive
        result = run(*ru, "sync", source, *DAY, config=None)
        assert result.exit_code == 0, result.output
    assert google.server.values(key, "Клиенты ")[2][0] == "C00001"


def test_a_managers_tab_renamed_between_syncs_is_named_in_a_warning(google, run):
    key = google.add(tabs_of(ROWS))
    url = google.url(key)
    assert "inactive_manager" in run("problems", url, *DAY, "--format", "csv").stdout
    google.server.books[key].sheet("Managers").title = "Team 2026"  # Petr left, as before
    for command in ("check", "problems"):
        result = run(command, url, *DAY)
        assert result.exit_code in (0, 1), result.output
        assert (
            "Warning: no Managers tab ('Managers' or 'Менеджеры'), so no manager is checked (a "
            "manager who left, a name not on the team): name the tab so or set tabs.managers"
        ) in result.stderr, command


def test_history_of_a_russian_sheet_sums_up_in_russian(tmp_path, run, google, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a Google Sheet's history is kept in the current folder
    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    ru = ["--config", str(config)]
    sheet = google.url(google.add(RU_TABS))
    assert run(*ru, "sync", sheet, *DAY, config=None).exit_code == 0
    result = run(*ru, "history", sheet, "C00001", config=None)
    assert result.exit_code == 0, result.output
    assert result.stderr == "Событий: 0; клиентов: 1.\n"


OLGAS_CLIENTS = [
    {"id": f"C0000{k}", "client": f"Client {k}", "manager": "Olga", "status": "New"}
    for k in range(1, 4)
]


def test_a_sum_row_below_the_managers_is_no_manager(google, run):
    managers = [*EN_MANAGERS, [], ["Total", 3]]  # the team counts itself
    key = google.add(tabs_of(OLGAS_CLIENTS, managers))
    result = run("handover", google.url(key), "Olga", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert [r[4] for r in google.server.values(key, "Clients")[1:]] == ["Ivan"] * 3
    assert run("check", google.url(key), *DAY, "--format", "csv").stdout.count("Total") == 0


def test_a_second_header_row_on_the_managers_tab_is_no_manager(google, run):
    managers = [
        ["Имя", "Email", "Активен"],
        ["Ольга", "o@x.ru", "да"],
        ["Name", "Email", "Active"],  # pasted with the English half of the team
        ["Olga", "olga@example.com", "yes"],
        ["Ivan", "ivan@example.com", "yes"],
    ]
    key = google.add(tabs_of(OLGAS_CLIENTS, managers))
    result = run("handover", google.url(key), "Olga", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert {r[4] for r in google.server.values(key, "Clients")[1:]} == {"Ivan", "Ольга"}
