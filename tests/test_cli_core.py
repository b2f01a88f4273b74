"""The everyday commands through the CLI, on real workbooks."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from conftest import EN_MANAGERS, TODAY, write_book

DAY = ["--date", TODAY.isoformat()]


def rows_basic():
    return [
        {
            "client": "Overdue Old",
            "phone": "+7 912 000-00-01",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": "10.11.2026",
            "comment": "promised a price",
        },
        {
            "client": "Overdue New",
            "phone": "+7 912 000-00-02",
            "manager": "Olga",
            "status": "New",
            "next_contact": "2026-11-20",
        },
        {
            "client": "Today Late",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": "23.11.2026 16:00",
        },
        {
            "client": "Today Early",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": "23.11.2026 09:30",
        },
        {
            "client": "Tomorrow",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": "24.11.2026",
        },
        {
            "client": "Ivan's",
            "manager": "Ivan",
            "status": "Postponed",
            "next_contact": "23.11.2026",
        },
        {"client": "Won Deal", "manager": "Ivan", "status": "Won", "last_contact": "01.11.2026"},
        {
            "client": "Lost A",
            "manager": "Ivan",
            "status": "Refused",
            "refusal_reason": "Too expensive",
            "last_contact": "05.11.2026",
        },
        {
            "client": "Lost B",
            "manager": "Olga",
            "status": "Refused",
            "refusal_reason": "too  EXPENSIVE",
            "last_contact": "06.10.2026",
        },
    ]


def test_today_lists_each_manager_in_deck_order(book, run):
    path = book(rows_basic())
    result = run("today", str(path), *DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    olga = [r["client"] for r in rows if r["manager"] == "Olga"]
    assert olga == ["Overdue Old", "Overdue New", "Today Early", "Today Late"]
    assert [r["days_overdue"] for r in rows if r["manager"] == "Olga"] == [13, 3, 0, 0]
    assert [r["client"] for r in rows if r["manager"] == "Ivan"] == ["Ivan's"]
    top = next(r for r in rows if r["manager"] == "Olga")
    assert (top["position"], top["promised"], top["phone"]) == (
        1,
        "promised a price",
        "+7 912 000-00-01",
    )


def test_today_for_one_manager_and_unknown_manager(book, run):
    path = book(rows_basic())
    result = run("today", str(path), *DAY, "--manager", "ivan", "--format", "csv")
    assert result.exit_code == 0
    listed = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["client"] for r in listed] == ["Ivan's"]
    result = run("today", str(path), *DAY, "--manager", "Nobody")
    assert result.exit_code == 2
    assert "no manager named 'Nobody'" in result.output
    assert "Ivan" in result.output and "Olga" in result.output


def test_next_shows_the_top_card(book, run):
    path = book(rows_basic())
    result = run("next", str(path), "--manager", "Olga", *DAY)
    assert result.exit_code == 0
    assert "Client: Overdue Old" in result.output
    assert "Days overdue: 13" in result.output
    assert "(3 more after this one)" in result.output
    result = run("next", str(path), "--manager", "Ivan", "--date", "2026-11-01")
    assert "Nothing due for Ivan on 01.11.2026." in result.output


def test_next_with_nothing_due_prints_an_empty_listing_in_json_and_csv(book, run):
    path = book(rows_basic())
    result = run("next", str(path), "--manager", "Ivan", "--date", "2026-11-01", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    result = run("next", str(path), "--manager", "Ivan", "--date", "2026-11-01", "--format", "csv")
    assert result.stdout.startswith("manager,position,client,")


def test_text_output_is_a_plain_table_when_piped(book, run):
    path = book(rows_basic())
    result = run("today", str(path), *DAY)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["Manager", "#", "Client"]
    assert lines[1].startswith("Ivan ")
    assert "│" not in result.stdout


def test_markdown_format(book, run):
    path = book(rows_basic())
    result = run("problems", str(path), *DAY, "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.startswith("| Row | Client | Manager | Problem |")
    assert "| 2 | Overdue Old | Olga | overdue 13d |" in result.stdout


def test_check_clean_workbook_exits_0(book, run):
    path = book(
        [
            {
                "client": "Fine",
                "manager": "Olga",
                "status": "New",
                "next_contact": "01.12.2026",
                "phone": "+7 912 345-67-89",
            }
        ]
    )
    result = run("check", str(path), *DAY)
    assert result.exit_code == 0
    assert "1 client rows: 0 error(s), 0 warning(s)." in result.stderr


def test_check_names_row_column_what_and_what_would_be_right(book, run):
    path = book(
        [
            {"client": "Fine", "manager": "Olga", "status": "New", "next_contact": "01.12.2026"},
            {
                "client": "Bad Date",
                "manager": "Olga",
                "status": "New",
                "next_contact": "32.13.2026",
            },
            {"client": "No Reason", "manager": "Olga", "status": "Refused"},
            {
                "client": "",
                "manager": "Olga",
                "status": "New",
                "next_contact": "01.12.2026",
                "comment": "who?",
            },
            {
                "client": "Odd Status",
                "manager": "Olga",
                "status": "Maybe",
                "next_contact": "01.12.2026",
            },
        ]
    )
    result = run("check", str(path), *DAY, "--format", "json")
    assert result.exit_code == 1
    found = {(f["row"], f["column"]): f for f in json.loads(result.stdout)}
    bad = found[(3, "Next contact")]
    assert bad["severity"] == "error"
    assert "'32.13.2026' is not a real date" in bad["problem"]
    assert "23.11.2026" in bad["expected"]
    assert found[(4, "Refusal reason")]["problem"] == "refused, no reason"
    assert found[(5, "Client")]["problem"] == "no client name"
    assert "'Maybe' is not a known status" in found[(6, "Status")]["problem"]
    assert "In progress" in found[(6, "Status")]["expected"]
    assert not any(row == 2 for row, _ in found)


def test_check_source_problems_exit_2(tmp_path, run):
    result = run("check", str(tmp_path / "missing.xlsx"))
    assert result.exit_code == 2
    assert "missing.xlsx: no such file" in result.stderr
    (tmp_path / "old.xls").write_bytes(b"x")
    result = run("check", str(tmp_path / "old.xls"))
    assert result.exit_code == 2 and "save it as .xlsx" in result.stderr
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    result = run("check", str(tmp_path / "broken.xlsx"))
    assert result.exit_code == 2 and "cannot be read as a workbook" in result.stderr
    assert "Traceback" not in result.output
    (tmp_path / "empty.xlsx").write_bytes(b"")
    result = run("check", str(tmp_path / "empty.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.endswith("empty.xlsx: the file is empty (0 bytes), not a workbook\n")


def test_refusals_period_backwards_is_a_usage_error(book, run):
    path = book([{"client": "Lost", "manager": "Ivan", "status": "Refused"}])
    result = run("refusals", str(path), "--since", "2026-12-01", "--until", "2026-01-01")
    assert result.exit_code == 2
    assert "--until 01.01.2026 is before --since 01.12.2026" in result.stderr


def test_missing_required_column_lists_headers_found_and_accepted(tmp_path, run):
    path = write_book(
        tmp_path / "crm.xlsx",
        {"Clients": [["Телефон", "Менеджер"], ["+7 912 345-67-89", "Olga"]], "Other": [["x"]]},
    )
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "Headers found: 'Телефон', 'Менеджер'" in result.stderr
    assert "'Клиент'" in result.stderr and "'Client'" in result.stderr


def test_missing_clients_tab_names_tabs_found(tmp_path, run):
    path = write_book(tmp_path / "crm.xlsx", {"Sheet1": [["Client"]], "Sheet2": [["x"]]})
    result = run("today", str(path))
    assert result.exit_code == 2
    assert "tabs found: 'Sheet1', 'Sheet2'" in result.stderr


def test_source_from_config_and_missing_source(tmp_path, book, run):
    path = book(rows_basic())
    config = tmp_path / "team.yaml"
    config.write_text(f"language: en\nsource: {path.name}\n", encoding="utf-8")
    result = run("today", *DAY, "--manager", "Ivan", "--format", "json", config=config)
    assert result.exit_code == 0, result.output
    assert [r["client"] for r in json.loads(result.stdout)] == ["Ivan's"]
    result = run("today")
    assert result.exit_code == 2
    assert "no source given" in result.stderr


def test_bad_config_is_a_one_line_error(tmp_path, book, run):
    config = tmp_path / "bad.yaml"
    config.write_text("langauge: en\n", encoding="utf-8")
    result = run("today", str(book(rows_basic())), config=config)
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: langauge: unknown key; did you mean 'language'?"


def test_refusals_merges_spellings_and_keeps_no_reason_line(book, run):
    rows = rows_basic() + [
        {"client": "Lost C", "manager": "Ivan", "status": "Refused", "last_contact": "07.11.2026"}
    ]
    path = book(rows)
    result = run("refusals", str(path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"reason": "Too expensive", "count": 2, "share": 0.6667},
        {"reason": "(no reason given)", "count": 1, "share": 0.3333},
    ]
    result = run(
        "refusals", str(path), "--since", "2026-11-01", "--by", "manager", "--format", "json"
    )
    assert json.loads(result.stdout) == [
        {"group": "Ivan", "reason": "Too expensive", "count": 1, "share": 0.5},
        {"group": "Ivan", "reason": "(no reason given)", "count": 1, "share": 0.5},
    ]
    result = run("refusals", str(path), "--by", "month", "--format", "csv")
    assert result.stdout.splitlines()[1:] == [
        "2026-10,Too expensive,1,1.0",
        "2026-11,Too expensive,1,0.5",
        "2026-11,(no reason given),1,0.5",
    ]


def test_russian_headers_title_rows_empty_rows_and_extra_columns(tmp_path, run):
    headers = [
        "№ клиента",
        "Компания",
        "Телефон",
        "Ответственный",
        "Статус",
        "Дата следующего контакта",
        "Наш столбец",
        "Причина отказа",
    ]
    path = write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [
                ["База клиентов отдела продаж"],
                [],
                headers,
                [
                    "",
                    "ООО «Ромашка»",
                    "8 (912) 345-67-89",
                    "Ольга",
                    "В работе",
                    "20.11.2026",
                    "своё",
                    "",
                ],
                [],
                [],
                ["", "ИП Кузнецов", "", "Ольга", "Новый", datetime(2026, 11, 23, 11, 0), "", ""],
                ["", "АО Вектор", "", "Ольга", "Отказ", "", "", "дорого"],
            ],
            "Менеджеры": [["Имя", "Активен"], ["Ольга", "да"]],
            "Заметки": [["не трогать"]],
        },
    )
    result = run("today", str(path), *DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["client"], r["row"], r["days_overdue"]) for r in rows] == [
        ("ООО «Ромашка»", 4, 3),
        ("ИП Кузнецов", 7, 0),
    ]
    assert rows[1]["due"] == "2026-11-23T11:00:00"
    result = run("check", str(path), *DAY)
    assert result.exit_code == 0, result.output


def test_formula_cells_give_their_values(tmp_path, run):
    # A workbook saved by a spreadsheet program carries the formula's cached value.
    from openpyxl import load_workbook

    path = write_book(
        tmp_path / "crm.xlsx",
        {
            "Clients": [
                ["Client", "Manager", "Status", "Next contact"],
                ["Daisy", "Olga", "New", "01.12.2026"],
            ],
            "Managers": EN_MANAGERS,
        },
    )
    wb = load_workbook(path)
    wb["Clients"]["B2"] = '="Ol"&"ga"'
    wb.save(path)
    _add_cached_value(path, "B2", "Olga")
    result = run("today", str(path), "--date", "2026-12-01", "--format", "json")
    assert [r["manager"] for r in json.loads(result.stdout)] == ["Olga"]


def _add_cached_value(path, ref, value):
    """Give a formula cell the cached string value Excel would have saved."""
    import re
    import shutil
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml = re.sub(
                    rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                    rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
                    xml,
                )
                data = xml.encode()
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    from pathlib import Path

    from click.testing import CliRunner

    from sheetcrm.cli import cli

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert command.help, f"{name} has no help text"
        assert command.epilog and "Example: sheetcrm" in command.epilog, f"{name} has no example"
        assert f"sheetcrm {name}" in readme, f"{name} is not in the README"


def test_check_names_a_limit_that_is_not_a_number(book, run):
    managers = [["Name", "Active", "Limit"], ["Olga", "yes", "abc"], ["Ivan", "yes", 30]]
    path = book(
        [{"client": "A", "manager": "Olga", "status": "New", "next_contact": "24.11.2026"}],
        managers=managers,
    )
    result = run("check", str(path), "--date", "2026-11-23")
    assert result.exit_code == 1
    assert (
        "Error: tab 'Managers', row 2, column 'Limit': 'abc' is not a number; write the most "
        "open clients as a whole number, such as 30, or leave it empty\n"
    ) in result.stderr


def test_check_warns_of_a_field_in_two_columns_and_a_rule_on_a_missing_column(
    tmp_path, run, en_config
):
    en_config.write_text(
        "language: en\nrouting:\n  rules:\n    - when: {Segment: VIP}\n      to: [Olga]\n",
        encoding="utf-8",
    )
    headers = ["Client", "Manager", "Status", "Next contact", "Comment", "Next contact"]
    rows = [["A", "Olga", "New", "24.11.2026", "", "01.12.2026"]]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    result = run("check", str(path), "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: tab 'Clients': columns D ('Next contact') and F ('Next contact') are both "
        "Next contact; only D is read\n"
    ) in result.stderr
    assert (
        "Warning: routing.rules[0].when: tab 'Clients' has no column 'Segment', "
        "so the rule never matches\n"
    ) in result.stderr


def test_check_warns_of_two_tabs_that_are_both_the_clients_tab(tmp_path, run, en_config):
    en_config.write_text("language: en\n", encoding="utf-8")
    headers = ["Client", "Manager", "Status", "Next contact"]
    old = [["Old copy", "Olga", "New", "01.10.2026"]]
    new = [["A", "Olga", "New", "24.11.2026"]]
    tabs = {"Клиенты": [headers, *old], "Clients": [headers, *new], "Managers": EN_MANAGERS}
    path = write_book(tmp_path / "crm.xlsx", tabs)
    result = run("check", str(path), "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: tabs 'Клиенты' and 'Clients' are both the clients tab; only 'Clients' is "
        "read: rename or delete the other, or set tabs.clients in config.yaml\n"
    ) in result.stderr
    alone = write_book(tmp_path / "one.xlsx", {"Clients": [headers, *new]})
    assert "are both" not in run("check", str(alone), "--date", "2026-11-23").stderr


def test_check_warns_of_a_managers_field_in_two_columns(tmp_path, run, en_config):
    en_config.write_text("language: en\n", encoding="utf-8")
    headers = ["Client", "Manager", "Status", "Next contact"]
    rows = [["A", "Olga", "New", "24.11.2026"]]
    managers = [["Имя", "Telegram", "Email", "Telegram"], ["Olga", "", "o@x.ru", "123456"]]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": managers})
    result = run("check", str(path), "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: tab 'Managers': columns B ('Telegram') and D ('Telegram') are both "
        "Telegram; only B is read\n"
    ) in result.stderr


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("31.02.2026", "'31.02.2026' is not a real date"),
        ("2026-13-01", "'2026-13-01' is not a real date"),
        ("tomorrow", "'tomorrow' does not match the formats"),
    ],
)
def test_a_date_option_that_is_no_day_says_why(book, run, day, message):
    result = run("today", str(book([{"client": "A"}])), "--date", day)
    assert result.exit_code == 2
    assert message in result.stderr


def test_verbose_and_config_are_taken_after_the_command_too(book, en_config, run, monkeypatch):
    """The bug message says "run again with -v": `sheetcrm sync crm.xlsx -v` said
    "No such option: -v"; so did --config after the command."""
    path = book(rows_basic())
    config = en_config.rename(en_config.parent / "team.yaml")  # not found unless given

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("sheetcrm.sync.sync", broken)
    result = run("sync", str(path), *DAY, "-v", "--config", str(config), config=None)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "unexpected RuntimeError: boom" in result.stderr
    result = run("today", str(path), *DAY, "--config", str(config), config=None)
    assert result.exit_code == 0, result.output
    assert "Overdue Old" in result.stdout


def test_config_after_the_command_is_listed_in_its_help(run):
    result = run("auth", "check", "--help", config=None)
    assert "--config" in result.stdout and "--verbose" in result.stdout


def test_timestamps_from_an_export_are_dates_in_the_teams_time_zone(book, run):
    """A CRM export writes 2026-11-22T22:30:00Z: 23.11 01:30 in Moscow, due today."""
    rows = [
        {
            "client": "Zulu",
            "manager": "Olga",
            "status": "New",
            "next_contact": "2026-11-22T22:30:00Z",
        },
        {"client": "Weekday", "manager": "Olga", "status": "New", "next_contact": "пн, 23.11.2026"},
        {
            "client": "Clock",
            "manager": "Olga",
            "status": "New",
            "next_contact": "23.11.2026 2:30 PM",
        },
    ]
    path = book(rows)
    result = run("check", str(path), *DAY)
    assert "not a date" not in result.stdout, result.stdout
    assert "overdue" not in run("problems", str(path), *DAY).stdout
    today = run("today", str(path), *DAY).stdout
    assert all(name in today for name in ("Zulu", "Weekday", "Clock")), today
