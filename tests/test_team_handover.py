"""handover: fairness, dates, notes, the leaver made inactive, preview and apply, the Log."""

import json
import random
import zipfile
from datetime import date

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, formula_over, read_tab

from sheetcrm.changelog import field_name
from sheetcrm.values import parse_date

DAY = ["--date", TODAY.isoformat()]

COL = {h.lower().replace(" ", "_"): i for i, h in enumerate(EN_HEADERS)}
STATUSES = ["New", "In progress", "Postponed"]


def random_team(seed: int) -> tuple[list[dict], list[list], list[str]]:
    """A leaver (Lena) with many open clients; receivers already carrying a few."""
    rng = random.Random(seed)
    receivers = [f"R{i}" for i in range(rng.randint(2, 5))]
    managers = [
        ["Name", "Email", "Active"],
        ["Lena", "", "yes"],
        *([r, "", "yes"] for r in receivers),
    ]
    rows = []
    for r in receivers:
        for _ in range(rng.randint(0, 3)):
            rows.append(
                {
                    "client": f"{r} own {len(rows)}",
                    "manager": r,
                    "status": "In progress",
                    "next_contact": "01.12.2026",
                }
            )
    for i in range(rng.randint(12, 40)):
        rows.append(
            {
                "client": f"Lena client {i}",
                "manager": "Lena",
                "status": rng.choice(STATUSES),
                "next_contact": f"{rng.randint(1, 28):02d}.{rng.choice([11, 12]):02d}.2026",
                "amount": rng.choice(["", 1000, 50000, 250000]),
            }
        )
    rows.append({"client": "Lena won", "manager": "Lena", "status": "Won"})
    return rows, managers, receivers


def clients(path):
    return read_tab(path, "Clients")[1:]


@pytest.mark.parametrize("seed", range(6))
def test_handover_is_fair_in_warm_share_and_final_load(book, run, seed):
    rows, managers, receivers = random_team(seed)
    path = book(rows, managers=managers)
    result = run("handover", str(path), "Lena", "--apply", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    after = clients(path)
    open_rows = [r for r in after if r[COL["status"]] != "Won"]
    load = {r: sum(row[COL["manager"]] == r for row in open_rows) for r in receivers}
    assert max(load.values()) - min(load.values()) <= 1, load
    assert not [r for r in open_rows if r[COL["manager"]] == "Lena"]
    moved = [r for r in after if str(r[COL["client"]]).startswith("Lena client")]
    warm = [r for r in moved if r[COL["status"]] == "In progress"]
    received = {r: sum(row[COL["manager"]] == r for row in moved) for r in receivers}
    for r in receivers:
        fair = len(warm) * received[r] / len(moved)  # warm clients in proportion to the share taken
        got = sum(row[COL["manager"]] == r for row in warm)
        assert abs(got - fair) <= 1, (r, got, fair, received)


@pytest.mark.parametrize("seed", range(4))
def test_equal_teams_get_warm_clients_within_one_of_each_other(book, run, seed):
    rng = random.Random(100 + seed)
    rows = [
        {
            "client": f"C{i}",
            "manager": "Lena",
            "status": rng.choice(STATUSES),
            "next_contact": "25.11.2026",
            "amount": rng.randint(1, 9) * 1000,
        }
        for i in range(rng.randint(9, 30))
    ]
    path = book(
        rows,
        managers=[["Name", "Active"], ["Lena", "yes"], ["A", "yes"], ["B", "yes"], ["C", "yes"]],
    )
    assert run("handover", str(path), "Lena", "--apply", "--date", TODAY.isoformat()).exit_code == 0
    after = clients(path)
    warm = [
        sum(r[COL["manager"]] == m and r[COL["status"]] == "In progress" for r in after)
        for m in "ABC"
    ]
    assert max(warm) - min(warm) <= 1, warm
    totals = [sum(r[COL["manager"]] == m for r in after) for m in "ABC"]
    assert max(totals) - min(totals) <= 1


def small_book(book):
    return book(
        [
            {
                "id": "C00001",
                "client": "Far Ltd",
                "phone": "+7 912 000-00-01",
                "manager": "Petr",
                "status": "In progress",
                "next_contact": "20.12.2026",
                "comment": "send the offer",
            },
            {
                "id": "C00002",
                "client": "Near Ltd",
                "manager": "petr",
                "status": "New",
                "next_contact": "24.11.2026",
            },
            {
                "id": "C00003",
                "client": "Late Ltd",
                "manager": "Petr",
                "status": "Postponed",
                "next_contact": "10.11.2026",
                "comment": "promised a discount",
            },
            {"id": "C00004", "client": "Won Ltd", "manager": "Petr", "status": "Won"},
            {
                "id": "C00005",
                "client": "Olga's own",
                "manager": "Olga",
                "status": "New",
                "next_contact": "01.12.2026",
            },
        ],
        managers=[
            ["Name", "Email", "Active"],
            ["Olga", "", "yes"],
            ["Ivan", "", "yes"],
            ["Petr", "", "yes"],
        ],
    )


def test_preview_changes_nothing(book, run):
    path = small_book(book)
    before = path.read_bytes()
    result = run("handover", str(path), "Petr", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "Preview: 3 client(s) would move from Petr" in result.output
    assert "Far Ltd" in result.output and "Won Ltd" not in result.output
    assert path.read_bytes() == before


def test_apply_moves_open_clients_sets_dates_notes_and_marks_the_leaver_inactive(book, run):
    path = small_book(book)
    result = run(
        "handover", str(path), "Petr", "--to", "Ivan", "--apply", "--date", TODAY.isoformat()
    )
    assert result.exit_code == 0, result.output
    rows = {r[COL["id"]]: r for r in clients(path)}
    assert [
        rows[i][COL["manager"]] for i in ("C00001", "C00002", "C00003", "C00004", "C00005")
    ] == ["Ivan", "Ivan", "Ivan", "Petr", "Olga"]
    due = {i: parse_date(rows[i][COL["next_contact"]]) for i in ("C00001", "C00002", "C00003")}
    # three working days after Monday 23.11 is Thursday 26.11; nearer dates stay
    assert due == {
        "C00001": date(2026, 11, 26),
        "C00002": date(2026, 11, 24),
        "C00003": date(2026, 11, 10),
    }
    assert rows["C00001"][COL["comment"]] == "send the offer\nhanded over from Petr on 23.11.2026"
    assert rows["C00002"][COL["comment"]] == "handed over from Petr on 23.11.2026"
    assert rows["C00004"][COL["comment"]] == ""
    managers = read_tab(path, "Managers")
    assert managers[3][:3] == ["Petr", "", "No"]


def test_apply_logs_exactly_the_cells_it_changed_and_a_second_apply_changes_nothing(book, run):
    path = small_book(book)
    before = {r[COL["id"]]: r for r in clients(path)}
    assert (
        run(
            "handover", str(path), "Petr", "--apply", "--by", "boss", "--date", TODAY.isoformat()
        ).exit_code
        == 0
    )
    after = {r[COL["id"]]: r for r in clients(path)}
    changed = {
        (cid, h)
        for cid in before
        for h, i in COL.items()
        if str(before[cid][i] if i < len(before[cid]) else "")
        != str(after[cid][i] if i < len(after[cid]) else "")
    }
    log = read_tab(path, "Log")
    assert log[0][:8] == [
        "When",
        "Command",
        "ID",
        "Client",
        "Field",
        "Old value",
        "New value",
        "By",
    ]
    logged = {(r[2], field_name(r[4])) for r in log[1:] if r[4] != "Active"}
    assert logged == changed
    assert all(r[1] == "handover" and r[7] == "boss" for r in log[1:])
    assert [r[4:7] for r in log[1:] if r[4] == "Active"] == [["Active", "yes", "No"]]

    again = path.read_bytes()
    second = run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat())
    assert second.exit_code == 0
    assert second.output == "Petr has no open clients to hand over.\n"
    assert path.read_bytes() == again


def test_leaver_receives_nothing_from_a_later_assign(book, run, tmp_path):
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Petr, Olga, Ivan]\n", encoding="utf-8")
    path = small_book(book)
    assert run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat()).exit_code == 0
    # a new lead with nobody responsible, and one still written down for Petr
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Clients"].append(["C00006", "New lead"] + [""] * 3 + ["New", "25.11.2026"])
    wb["Clients"].append(["C00007", "Old habit", "", "", "Petr", "New", "25.11.2026"])
    wb.save(path)
    result = run("assign", str(path), "--apply", config=config)
    assert result.exit_code == 0, result.output
    managers = {r[COL["id"]]: r[COL["manager"]] for r in clients(path)}
    # Petr is first in the pool and carries nothing open, but has left
    assert managers["C00006"] in ("Olga", "Ivan") and managers["C00007"] in ("Olga", "Ivan")


def test_checklist_json_lists_overdue_first_with_phones_and_comments(book, run):
    path = small_book(book)
    result = run(
        "handover",
        str(path),
        "Petr",
        "--to",
        "Olga",
        "--format",
        "json",
        "--date",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["applied"] is False and doc["deadline"] == "2026-11-26"
    items = doc["checklists"]["Olga"]
    assert [i["client"] for i in items] == ["Late Ltd", "Near Ltd", "Far Ltd"]
    assert items[0]["when"] == "overdue" and items[0]["comment"] == "promised a discount"
    assert items[2]["phone"] == "+7 912 000-00-01"
    assert [t["received"] for t in doc["totals"]] == [3]


def test_unknown_or_inactive_receiver_is_a_clear_error(book, run):
    path = small_book(book)
    result = run("handover", str(path), "Petr", "--to", "Nobody")
    assert result.exit_code != 0 and "'Nobody': not on the Managers tab" in result.output
    path2 = book(
        [{"client": "X", "manager": "Olga", "status": "New", "next_contact": "24.11.2026"}],
        managers=EN_MANAGERS,
        name="b.xlsx",
    )
    result = run("handover", str(path2), "Olga", "--to", "Petr")
    assert result.exit_code != 0 and "marked inactive" in result.output


def test_a_workbook_without_a_managers_tab_is_told_so(book, run):
    """It said "no active manager other than Olga to hand the clients to"."""
    rows = [{"client": "X", "manager": "Olga", "status": "New", "next_contact": "24.11.2026"}]
    path = book(rows, managers=None)
    for to in ([], ["--to", "Ivan"]):
        result = run("handover", str(path), "Olga", *to, *DAY)
        assert result.exit_code == 2
        assert "crm.xlsx: no Managers tab, so there is nobody to hand the clients to" in (
            result.stderr
        )


def test_russian_sheet_without_comment_column_gets_one_and_a_russian_note(book, run, tmp_path):
    config = tmp_path / "ru.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    headers = ["Клиент", "Телефон", "Менеджер", "Статус", "Следующий контакт"]
    rows = [["ООО Ромашка", "8 (912) 345-67-89", "Пётр", "В работе", "01.12.2026"]]
    path = book(
        rows,
        headers=headers,
        clients_tab="Клиенты",
        managers=None,
        extra={"Менеджеры": [["Имя", "Активен"], ["Пётр", "да"], ["Ольга", "да"]]},
    )
    result = run(
        "handover", str(path), "Пётр", "--apply", "--date", TODAY.isoformat(), config=config
    )
    assert result.exit_code == 0, result.output
    clients = read_tab(path, "Клиенты")
    assert clients[0][5:] == ["ID", "Комментарий"]  # both added right of the table
    row = dict(zip(clients[0], clients[1], strict=False))
    assert row["Менеджер"] == "Ольга" and row["Комментарий"] == "передан от Пётр 23.11.2026"
    assert parse_date(row["Следующий контакт"]) == date(2026, 11, 26)
    assert read_tab(path, "Менеджеры")[1] == ["Пётр", "Нет"]
    assert read_tab(path, "Журнал")[0][:3] == ["Когда", "Команда", "ID"]


def limited_book(book, limits):
    """Lena leaves with five open clients; A carries two, B one; limits as given."""
    rows = [
        {"client": "A own 1", "manager": "A", "status": "New", "next_contact": "01.12.2026"},
        {"client": "A own 2", "manager": "A", "status": "New", "next_contact": "01.12.2026"},
        {"client": "B own", "manager": "B", "status": "New", "next_contact": "01.12.2026"},
    ]
    for i, status in enumerate(["In progress", "In progress", "Postponed", "New", "New"]):
        rows.append(
            {"client": f"L{i}", "manager": "Lena", "status": status, "next_contact": "30.11.2026"}
        )
    managers = [["Name", "Active", "Limit"], ["Lena", "yes", ""], ["A", "yes", limits[0]]]
    managers.append(["B", "yes", limits[1]])
    return book(rows, managers=managers)


def test_a_receiver_at_their_limit_receives_no_more(book, run):
    path = limited_book(book, (3, ""))
    result = run("handover", str(path), "Lena", "--apply", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    got = [r[COL["manager"]] for r in clients(path) if str(r[COL["client"]]).startswith("L")]
    assert got.count("A") == 1 and got.count("B") == 4


def test_handover_beyond_the_receivers_limits_is_previewed_and_refused(book, run):
    path = limited_book(book, (3, 2))  # room for one client each: two of five fit
    before = path.read_bytes()
    preview = run("handover", str(path), "Lena", "--format", "json", "--date", TODAY.isoformat())
    assert preview.exit_code == 0, preview.output
    doc = json.loads(preview.output)
    assert doc["left_over"] == 3
    assert [(t["manager"], t["after"], t["limit"]) for t in doc["totals"]] == [
        ("A", 3, 3),
        ("B", 2, 2),
    ]
    # the warmest are dealt; the coldest have nowhere to go
    assert [(m["client"], m["to"]) for m in doc["moves"]][2:] == [
        ("L2", "(no room: limits)"),
        ("L3", "(no room: limits)"),
        ("L4", "(no room: limits)"),
    ]
    text = run("handover", str(path), "Lena", "--date", TODAY.isoformat())
    assert "3 of 5 client(s) fit nobody" in text.output
    refused = run("handover", str(path), "Lena", "--apply", "--date", TODAY.isoformat())
    assert refused.exit_code != 0
    assert "limits leave room for 2 of 5 open clients of Lena" in refused.output
    assert "A 3/3, B 2/2" in refused.output
    assert path.read_bytes() == before


def test_a_limit_that_is_not_a_number_is_an_error_not_ignored(book, run, tmp_path):
    path = limited_book(book, ("3 clients", ""))
    before = path.read_bytes()
    result = run("handover", str(path), "Lena", "--apply", "--date", TODAY.isoformat())
    assert result.exit_code != 0
    assert "tab 'Managers', row 3, column 'Limit': '3 clients' is not a number" in result.output
    assert path.read_bytes() == before
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [A, B]\n", encoding="utf-8")
    assigned = run("assign", str(path), config=config)
    assert assigned.exit_code != 0 and "'3 clients' is not a number" in assigned.output


def test_working_days_come_from_config_and_skip_the_weekend(book, run, tmp_path):
    config = tmp_path / "one.yaml"
    config.write_text("language: en\nhandover:\n  working_days: 1\n", encoding="utf-8")
    path = small_book(book)
    friday = "2026-11-27"
    result = run(
        "handover", str(path), "Petr", "--to", "Olga", "--apply", "--date", friday, config=config
    )
    assert result.exit_code == 0, result.output
    rows = {r[COL["id"]]: r for r in clients(path)}
    # Far Ltd (20.12) is brought forward to Monday; Near Ltd (24.11, overdue) keeps its date
    assert parse_date(rows["C00001"][COL["next_contact"]]) == date(2026, 11, 30)
    assert parse_date(rows["C00002"][COL["next_contact"]]) == date(2026, 11, 24)
    assert rows["C00002"][COL["comment"]] == "handed over from Petr on 27.11.2026"


@pytest.mark.parametrize(
    ("week", "today", "call_by"),
    [
        ("[sun, mon, tue, wed, thu]", "2026-11-26", date(2026, 11, 29)),  # Thursday -> Sunday
        ("[пн, вт, ср, чт, пт, сб]", "2026-11-27", date(2026, 11, 28)),  # Friday -> Saturday
        ("[]", "2026-11-27", date(2026, 11, 30)),  # no lists sent: Monday to Friday
    ],
)
def test_working_days_are_the_teams_working_week(book, run, tmp_path, week, today, call_by):
    config = tmp_path / "week.yaml"
    config.write_text(
        f"language: en\nhandover:\n  working_days: 1\nschedule:\n  working_days: {week}\n",
        encoding="utf-8",
    )
    path = small_book(book)
    result = run(
        "handover", str(path), "Petr", "--to", "Olga", "--apply", "--date", today, config=config
    )
    assert result.exit_code == 0, result.output
    rows = {r[COL["id"]]: r for r in clients(path)}
    assert parse_date(rows["C00001"][COL["next_contact"]]) == call_by


@pytest.mark.parametrize("where", ["", "  "], ids=["holidays", "handover.holidays"])
def test_holidays_from_config_are_no_working_days(book, run, tmp_path, where):
    config = tmp_path / "holidays.yaml"
    config.write_text(
        "language: en\nhandover:\n  working_days: 3\n"
        f"{where}holidays: [2027-01-01, '04.01.2027', 2027-01-05, 2027-01-06, 2027-01-07, "
        "2027-01-08]\n",
        encoding="utf-8",
    )
    path = book(
        [{"client": "Far Ltd", "manager": "Petr", "status": "New", "next_contact": "01.03.2027"}],
        managers=[["Name", "Active"], ["Olga", "yes"], ["Petr", "yes"]],
    )
    result = run(
        "handover",
        str(path),
        "Petr",
        "--to",
        "Olga",
        "--apply",
        "--date",
        "2026-12-30",
        config=config,
    )
    assert result.exit_code == 0, result.output
    (far,) = clients(path)
    # Thursday 31.12 is one; the New Year days off and the weekends are not: then 11.01, 12.01
    assert parse_date(far[COL["next_contact"]]) == date(2027, 1, 12)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("handover:\n  holidays: [1 January]\n", encoding="utf-8")
    refused = run("handover", str(path), "Petr", config=wrong)
    assert refused.exit_code == 2
    assert "handover.holidays[0]: expected a date such as 2027-01-01, got '1 January'" in (
        refused.stderr
    )


@pytest.mark.parametrize(("active", "inactive"), [(True, False), (1, 0), ("yes", "No")])
def test_the_leaver_is_marked_inactive_the_way_the_tab_writes_it(book, run, active, inactive):
    path = book(
        [{"client": "X", "manager": "Petr", "status": "New", "next_contact": "24.11.2026"}],
        managers=[["Name", "Active"], ["Olga", active], ["Petr", active]],
    )
    result = run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert read_tab(path, "Managers")[2] == ["Petr", inactive]


def test_an_active_column_it_adds_goes_right_of_notes_without_a_header(book, run):
    path = book(
        [{"client": "X", "manager": "Petr", "status": "New", "next_contact": "24.11.2026"}],
        managers=[
            ["Name", "Email"],
            ["Olga", "o@x.ru"],
            ["Petr", "p@x.ru", "on leave till 01.12"],
        ],
    )
    result = run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    managers = read_tab(path, "Managers")
    assert managers[0] == ["Name", "Email", "", "Active"]
    assert managers[2] == ["Petr", "p@x.ru", "on leave till 01.12", "No"]


def test_undo_gives_a_checkbox_back_its_tick(book, run):
    path = book(
        [{"client": "X", "manager": "Petr", "status": "New", "next_contact": "24.11.2026"}],
        managers=[["Name", "Active"], ["Olga", True], ["Petr", True]],
    )
    assert run("handover", str(path), "Petr", "--apply", "--date", TODAY.isoformat()).exit_code == 0
    assert run("undo", str(path), "--apply").exit_code == 0
    assert read_tab(path, "Managers")[2] == ["Petr", True]


def test_a_note_that_would_overflow_a_cell_is_refused(book, run):
    long = "x" * 32_760
    path = book(
        [{"client": "Full", "manager": "Petr", "status": "New", "comment": long}],
        managers=[["Name", "Email", "Active"], ["Ivan", "", "yes"], ["Petr", "", "yes"]],
    )
    before = path.read_bytes()
    result = run("handover", str(path), "Petr", "--to", "Ivan", "--apply", *DAY)
    assert result.exit_code == 2
    assert "tab 'Clients', row 2, column 'Comment': the new text would be 32,796 characters" in (
        result.stderr
    )
    assert "more than the 32,767 a cell holds; shorten the cell. Nothing was written." in (
        result.stderr
    )
    assert path.read_bytes() == before


def test_handover_json_gives_null_for_a_receiver_without_a_limit(book, run):
    path = limited_book(book, (5, ""))
    result = run("handover", str(path), "Lena", "--format", "json", "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    assert [(t["manager"], t["limit"]) for t in totals] == [("A", 5), ("B", None)]
    text = run("handover", str(path), "Lena", "--date", TODAY.isoformat()).output.splitlines()
    row = next(x for x in text if x.startswith("B ") and "Limit" not in x)
    assert row.split() == ["B", "1", "3", "1", "4"]  # no limit: a blank cell


TWINS = [
    ["Name", "Email", "Active"],
    ["Ivanova O.", "olga@example.com", "yes"],
    ["Petr", "petr@example.com", "yes"],
    ["ivanova_o", "oksana@example.com", "yes"],
]


def test_two_managers_read_as_one_are_named_and_stop_handover_and_assign(book, run, tmp_path):
    """Names match ignoring case, dots, underscores and spaces: two rows of the Managers
    tab that read alike would get each other's clients, so check names them and the
    commands that move clients stop."""
    rows = [
        {"client": "Alpha", "manager": "Ivanova O.", "status": "New", "next_contact": "24.11.2026"},
        {"client": "Beta", "manager": "ivanova_o", "status": "New", "next_contact": "24.11.2026"},
        {"client": "Gamma", "status": "New", "next_contact": "24.11.2026"},
    ]
    path = book(rows, managers=TWINS)
    before = path.read_bytes()
    message = (
        "tab 'Managers', rows 2 and 4, column 'Name': 'Ivanova O.' and 'ivanova_o' read as one "
        "manager (names match ignoring case, spaces, dots and underscores), so only row 2 "
        "counts; give each person a name of their own, or delete the extra row"
    )
    checked = run("check", str(path), *DAY)
    assert checked.exit_code == 1
    assert f"Error: {message}\n" in checked.stderr
    handed = run("handover", str(path), "ivanova_o", "--to", "Petr", "--apply", *DAY)
    assert handed.exit_code != 0 and message in handed.stderr
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Petr]\n", encoding="utf-8")
    assigned = run("assign", str(path), "--apply", *DAY, config=config)
    assert assigned.exit_code != 0 and message in assigned.stderr
    assert path.read_bytes() == before


def test_handover_refuses_to_write_over_a_formula_and_names_it(book, run):
    """--apply wrote plain values over the team's formulas (a comment a formula builds)."""
    leads = [
        {"id": "C00001", "client": "Daisy", "manager": "Olga", "status": "New", "comment": "x"},
        {"id": "C00002", "client": "Rose", "manager": "Olga", "status": "New"},
    ]
    path = book([{**r, "next_contact": "24.11.2026"} for r in leads])
    formula_over(path, "O2", 'CONCAT("call ",B2)', "call Daisy")
    formula = '=CONCAT("call ",B2)'
    said = f"row 2, column 'Comment' holds a formula ({formula})"
    preview = run("handover", str(path), "Olga", "--to", "Ivan", *DAY)
    assert preview.exit_code == 0, preview.output
    assert said in preview.stdout and "Daisy" in preview.stdout
    doc = json.loads(run("handover", str(path), "Olga", "--to", "Ivan", "--format", "json").stdout)
    assert doc["formulas"] == [
        {"id": "C00001", "client": "Daisy", "row": 2, "column": "Comment", "formula": formula}
    ]
    before = path.read_bytes()
    result = run("handover", str(path), "Olga", "--to", "Ivan", "--apply", *DAY)
    assert result.exit_code == 2
    assert said in result.stderr and "nothing was written" in result.stderr
    assert path.read_bytes() == before


def test_a_formula_shared_down_a_column_is_named_as_its_cell_reads_it(book, run):
    """A formula filled down (Excel saves it once, shared by the cells below) was named
    "(=)" in every cell but the first."""
    leads = [
        {"id": f"C0000{i}", "client": name, "manager": "Olga", "status": "New", "comment": "x"}
        for i, name in enumerate(["Daisy", "Rose"], start=1)
    ]
    path = book([{**r, "next_contact": "24.11.2026"} for r in leads])
    formula_over(path, "O2", "B2&amp;C2", "Daisy")
    formula_over(path, "O3", "", "Rose")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<f>B2", '<f t="shared" ref="O2:O3" si="0">B2')
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<f></f>", '<f t="shared" si="0"/>').encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    preview = run("handover", str(path), "Olga", "--to", "Ivan", *DAY)
    assert "row 2, column 'Comment' holds a formula (=B2&C2)" in preview.stdout
    assert "row 3, column 'Comment' holds a formula (=B3&C3)" in preview.stdout


def test_a_section_label_on_the_managers_tab_is_no_manager(book, run):
    managers = [
        ["Name", "Email", "Active"],
        ["Olga", "olga@example.com", "yes"],
        ["Ivan", "ivan@example.com", "yes"],
        ["Стажёры:"],
        ["Petr", "petr@example.com", "yes"],
        ["Уволенные: ", None, ""],
        ["Lena", "", "no"],
    ]
    rows = [{"client": f"Client {k}", "manager": "Olga", "status": "New"} for k in range(6)]
    path = book(rows, managers=managers)
    result = run("handover", str(path), "Olga", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert sorted({r[COL["manager"]] for r in clients(path)}) == ["Ivan", "Petr"]
    check = run("check", str(path), *DAY, "--format", "csv")
    assert "Стажёры" not in check.output and "Уволенные" not in check.output


def test_a_manager_on_leave_receives_nothing_but_keeps_her_clients(book, run):
    """ "в отпуске" in the Active column read as active: a leaver's clients were dealt to a
    manager on leave, to be called within three working days while she was away."""
    managers = [
        ["Name", "Email", "Active"],
        ["Olga", "olga@example.com", "в отпуске до 07.12"],
        ["Ivan", "ivan@example.com", "yes"],
        ["Petr", "petr@example.com", "yes"],
    ]
    rows = [
        {"client": f"Petr {i}", "manager": "Petr", "status": "New", "next_contact": "25.11.2026"}
        for i in range(4)
    ]
    rows.append({"client": "Olga's own", "manager": "Olga", "status": "New"})
    path = book(rows, managers=managers)
    day = ["--date", TODAY.isoformat()]
    result = run("handover", str(path), "Petr", "--apply", *day)
    assert result.exit_code == 0, result.output
    assert [r[COL["manager"]] for r in clients(path)] == ["Ivan"] * 4 + ["Olga"]
    problems = run("problems", str(path), "--format", "json", *day)
    assert [p["problem"] for p in json.loads(problems.stdout)] == ["no next contact date"]

    refused = run("handover", str(path), "Ivan", "--to", "Olga", *day)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "Error: --to 'Olga': away or leaving (tab 'Managers', row 2, column 'Active': "
        "'в отпуске до 07.12'); hand the clients to someone staying at work, or clear that "
        "cell when Olga is back"
    )
    alone = run("handover", str(path), "Ivan", *day)
    assert alone.exit_code == 2
    assert "no active manager other than Ivan to hand the clients to; Olga is away or" in (
        alone.stderr
    )


def test_two_managers_leaving_at_once_get_none_of_each_others_clients(book, run):
    """Both marked "увольняется" (serving notice), handing the first over dealt her clients
    to the second too, and they moved again at the second's handover a week later."""
    managers = [
        ["Name", "Email", "Active"],
        ["Anna", "", "увольняется"],
        ["Boris", "", "уходит 30.11"],
        ["Olga", "", "yes"],
        ["Ivan", "", "yes"],
    ]
    rows = [
        {"client": f"{m} {i}", "manager": m, "status": "New", "next_contact": "25.11.2026"}
        for m, n in (("Anna", 4), ("Boris", 1), ("Olga", 2), ("Ivan", 2))
        for i in range(n)
    ]
    path = book(rows, managers=managers)
    day = ["--date", TODAY.isoformat()]
    assert json.loads(run("problems", str(path), "--format", "json", *day).stdout) == []
    result = run("handover", str(path), "Anna", "--apply", *day)
    assert result.exit_code == 0, result.output
    got = [r[COL["manager"]] for r in clients(path)]
    assert sorted(got[:4]) == ["Ivan", "Ivan", "Olga", "Olga"] and got[4] == "Boris"
    refused = run("handover", str(path), "Boris", "--to", "Anna", *day)
    assert "'Anna': marked inactive" in refused.stderr
    refused = run("handover", str(path), "Olga", "--to", "Boris", *day)
    assert "'Boris': away or leaving (tab 'Managers', row 3" in refused.stderr


def test_clients_written_otherwise_that_may_be_the_leavers_stop_the_handover(book, run):
    """Clients whose Manager cell reads as the leaver's name written otherwise ("Ivanova O.",
    the names swapped) were silently left behind: the others moved, she was marked
    inactive, and they sat with a name on nobody's list. The preview names them and
    --apply refuses until the names are fixed."""
    team = [["Name", "Active"], ["Ivanova Olga", "yes"], ["Smirnov Ivan", "yes"]]
    lead = {"status": "New", "next_contact": "24.11.2026"}
    rows = [
        {"client": "Hers", "manager": "Ivanova Olga", **lead},
        {"id": "C00007", "client": "Initial", "manager": "Ivanova O.", **lead},
        {"client": "Swapped", "manager": "Olga Ivanova", **lead},
        {"client": "Closed", "manager": "Ivanova O.", "status": "Won"},
        {"client": "Someone else's", "manager": "Kuznetsova", **lead},
    ]
    path = book(rows, managers=team)
    before = path.read_bytes()
    preview = run("handover", str(path), "Ivanova Olga", *DAY)
    assert preview.exit_code == 0, preview.output
    assert preview.output.splitlines()[-1] == (
        "2 open client(s) name a manager who may be Ivanova Olga, written otherwise "
        "(Initial (C00007, row 3: 'Ivanova O.'); Swapped (row 4: 'Olga Ivanova')): not moved; "
        "write the name as the Managers tab does. --apply refuses until then."
    )
    doc = json.loads(run("handover", str(path), "Ivanova Olga", "--format", "json", *DAY).output)
    assert [(a["client"], a["manager"]) for a in doc["astray"]] == [
        ("Initial", "Ivanova O."),
        ("Swapped", "Olga Ivanova"),
    ]
    refused = run("handover", str(path), "Ivanova Olga", "--apply", *DAY)
    assert refused.exit_code != 0
    assert "2 open client(s) name a manager who may be Ivanova Olga" in refused.output
    assert "nothing was written" in refused.output
    assert path.read_bytes() == before
    # the names written as the Managers tab does, every client moves
    rows[1]["manager"] = rows[2]["manager"] = "Ivanova Olga"
    path = book(rows, managers=team)
    done = run("handover", str(path), "Ivanova Olga", "--apply", *DAY)
    assert done.exit_code == 0, done.output
    assert [r[COL["manager"]] for r in clients(path)] == [
        "Smirnov Ivan",
        "Smirnov Ivan",
        "Smirnov Ivan",
        "Ivanova O.",
        "Kuznetsova",
    ]


def test_an_away_or_leaving_date_that_has_passed_is_named(book, run):
    """ "в отпуске до 20.11" read as away for good: three days after she was back, nothing
    said why she was given no clients. "уходит 20.11" the same: after she had gone, her
    clients were flagged for nobody. check and problems name the cell and the day."""
    managers = [
        ["Name", "Active"],
        ["Olga", "в отпуске до 20.11"],
        ["Ivan", "уходит 20.11"],
        ["Anna", "отпуск 01.11.2026-15.11.2026"],
        ["Maria", "в отпуске до 07.12"],  # not yet back
        ["Petr", "в отпуске с 10.11"],  # since: no day to be back by
        ["Oleg", "увольняется 30.11"],  # not yet gone
        ["Lena", "в отпуске до 31.12.2025"],  # the year written: long past
    ]
    path = book([{"client": "Ivan's", "manager": "Ivan", "status": "New"}], managers=managers)
    day = ["--date", TODAY.isoformat()]
    check = run("check", str(path), *day)
    warned = [line for line in check.stderr.splitlines() if line.startswith("Warning:")]
    back = "which has passed, yet is still given no clients; clear the cell if they are back, "
    back += "or write the new date"
    assert warned == [
        "Warning: tab 'Managers', row 2, column 'Active': 'в отпуске до 20.11': Olga was away "
        f"until 20.11.2026, {back}",
        "Warning: tab 'Managers', row 3, column 'Active': 'уходит 20.11': Ivan was to leave on "
        "20.11.2026, which has passed, yet keeps their clients, none flagged as orphaned; "
        "once gone, write 'No' there and hand the clients over",
        "Warning: tab 'Managers', row 4, column 'Active': 'отпуск 01.11.2026-15.11.2026': Anna "
        f"was away until 15.11.2026, {back}",
        "Warning: tab 'Managers', row 8, column 'Active': 'в отпуске до 31.12.2025': Lena was "
        f"away until 31.12.2025, {back}",
    ]
    problems = run("problems", str(path), *day)
    assert [line for line in problems.stderr.splitlines() if line.startswith("Warning:")] == warned


def test_a_leaver_listed_under_a_leavers_section_with_a_blank_active_cell_stops_handover(book, run):
    """A manager under "Уволенные:" with a blank Active cell read as active: carrying no
    clients, she was dealt the most of a handover (and of assign). handover, assign and
    check now name the row until the cell says whether she left."""
    managers = [
        ["Name", "Email", "Active"],
        ["Olga", "olga@example.com", "yes"],
        ["Ivan", "ivan@example.com", ""],
        ["Уволенные:"],
        ["Lena", "lena@example.com", ""],
        ["Стажёры:"],  # a section of its own: Petr is no leaver
        ["Petr", "petr@example.com", ""],
    ]
    rows = [{"client": f"Client {k}", "manager": "Olga", "status": "New"} for k in range(4)]
    path = book(rows, managers=managers)
    before = path.read_bytes()
    said = (
        "tab 'Managers', row 5: 'Lena' is listed under 'Уволенные:' (row 4) but the 'Active' "
        "cell is blank, which counts as active; write 'no' (нет) there if Lena left, "
        "'yes' (да) if not"
    )
    refused = run("handover", str(path), "Olga", *DAY)
    assert refused.exit_code == 2 and refused.stderr.strip() == f"Error: {said}"
    assert run("assign", str(path), *DAY).stderr.strip() == f"Error: {said}"
    check = run("check", str(path), *DAY)
    assert check.exit_code == 1 and f"Error: {said}" in check.stderr.splitlines()
    assert path.read_bytes() == before
    managers[4][2] = "no"
    path = book(rows, managers=managers)
    done = run("handover", str(path), "Olga", "--apply", *DAY)
    assert done.exit_code == 0, done.output
    assert sorted({r[COL["manager"]] for r in clients(path)}) == ["Ivan", "Petr"]
