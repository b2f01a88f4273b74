"""A Russian team's workbook and config: everything the core commands print is in Russian."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import write_book

from sheetcrm.cli import cli

HEADERS = ["Клиент", "Тел.", "Ответственный", "Статус", "Дата след. контакта", "Причина отказа"]


def russian_book(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [
                HEADERS,
                ["ООО Ромашка", "8 (912) 345-67-89", "Ольга", "В работе", "20.11.2026", ""],
                ["ИП Кузнецов", "", "Ольга", "Новый", "23.11.2026 10:00", ""],
                ["АО Вектор", "", "Ольга", "Отказ", "", ""],
                ["ЗАО Дубль", "89123456789", "Ольга", "Перенос", "31.02.2026", ""],
            ],
            "Менеджеры": [["Имя", "Активен"], ["Ольга", "да"], ["Иван", "да"]],
        },
    )


def run(tmp_path: Path, *args: str):
    config = tmp_path / "config.yaml"
    config.write_text("language: ru\n", encoding="utf-8")
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def test_check_problems_and_refusals_summaries_in_russian(tmp_path):
    path = str(russian_book(tmp_path))
    result = run(tmp_path, "check", path, "--date", "2026-11-23")
    assert result.exit_code == 1
    assert "'31.02.2026' — такой даты нет" in result.stdout
    assert "Дата след. контакта" in result.stdout
    assert result.stderr == "Строк с клиентами: 4; ошибок: 2, предупреждений: 2.\n"
    result = run(tmp_path, "problems", path, "--date", "2026-11-23")
    assert result.stderr.startswith("Проблем: ")
    assert result.stderr.endswith("; строк с клиентами: 4.\n")
    result = run(tmp_path, "refusals", path, "--since", "2026-11-01")
    assert result.stderr == "Отказов: 0.\n"
    assert "Отказов без даты, не попавших ни в один период: 1" in result.stdout


def test_today_and_next_in_russian(tmp_path):
    path = str(russian_book(tmp_path))
    result = run(tmp_path, "next", path, "--manager", "ольга", "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "Клиент: ООО Ромашка" in result.stdout
    assert result.stdout.endswith("(после этого ещё: 1)\n")
    result = run(tmp_path, "today", path, "--date", "2026-11-01")
    assert result.stdout == "На 01.11.2026 звонков нет.\n"
    result = run(tmp_path, "next", path, "--manager", "Иван", "--date", "2026-11-23")
    assert result.stdout == "Иван: на 23.11.2026 звонков нет.\n"


def test_next_finds_a_manager_off_the_roster_however_the_rows_spell_her(tmp_path):
    path = write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [
                HEADERS,
                ["ООО Ромашка", "", "Иванова", "В работе", "20.11.2026", ""],
                ["ИП Сидоров", "", "иванова ", "В работе", "23.11.2026", ""],
            ],
            "Менеджеры": [["Имя", "Активен"], ["Ольга", "да"]],
        },
    )
    for spelled in ("иванова", "Иванова"):
        result = run(tmp_path, "next", str(path), "--manager", spelled, "--date", "2026-11-23")
        assert result.exit_code == 0, result.output
        assert "Менеджер: Иванова\n" in result.stdout
        assert "Клиент: ООО Ромашка" in result.stdout
        assert result.stdout.endswith("(после этого ещё: 1)\n")


def test_a_date_column_named_for_calls_is_the_next_contact(tmp_path):
    headers = ["Клиент", "Менеджер", "Статус", "Дата след. звонка"]
    path = write_book(
        tmp_path / "база.xlsx",
        {"Клиенты": [headers, ["ООО Ромашка", "Ольга", "Новый", "20.11.2026"]]},
    )
    result = run(tmp_path, "today", str(path), "--date", "2026-11-23", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert ",ООО Ромашка," in result.stdout and ",3," in result.stdout
    assert result.stderr == ""


def test_no_next_contact_column_is_named_where_nothing_is_due(tmp_path):
    headers = ["Клиент", "Менеджер", "Статус", "Позвонить в"]
    path = write_book(
        tmp_path / "база.xlsx",
        {"Клиенты": [headers, ["ООО Ромашка", "Ольга", "Новый", "20.11.2026"]]},
    )
    warning = (
        "Warning: tab 'Клиенты' has no next contact column ('Следующий контакт', "
        "'Next contact', …), so no client is due: rename the column of dates or name it "
        "in config.yaml (columns: next_contact: ...)\n"
    )
    for command in ("today", "check", "problems"):
        result = run(tmp_path, command, str(path), "--date", "2026-11-23")
        assert warning in result.stderr, command
    result = run(tmp_path, "next", str(path), "--manager", "Ольга", "--date", "2026-11-23")
    assert result.stdout == "Ольга: на 23.11.2026 звонков нет.\n"
    assert result.stderr == warning


def test_a_date_with_its_month_in_words_is_a_date(tmp_path):
    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт"]
    path = write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [
                headers,
                ["ООО Ромашка", "Ольга", "Новый", "23 ноября 2026 г."],
                ["ИП Кузнецов", "Ольга", "Новый", "20 Нояб. 2026"],
                ["АО Вектор", "Ольга", "Новый", "23 ноября"],
            ]
        },
    )
    result = run(tmp_path, "check", str(path), "--date", "2026-11-23")
    assert "'23 ноября' — дата без года; напишите её как ДД.ММ.ГГГГ" in result.stdout
    assert "Ромашка" not in result.stdout and "Кузнецов" not in result.stdout
    result = run(tmp_path, "today", str(path), "--date", "2026-11-23", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "ООО Ромашка" in result.stdout and "ИП Кузнецов" in result.stdout


def test_a_tab_or_a_non_breaking_space_before_the_time_is_a_space(tmp_path):
    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт", "Причина отказа"]
    path = write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [
                headers,
                ["ООО Ромашка", "Ольга", "Новый", "23.11.2026\u00a014:30", ""],
                ["ИП Кузнецов", "Ольга", "Новый", "23.11.2026\t09:00", ""],
                ["АО Вектор", "Ольга", "Новый", "завтра\u00a0утром", ""],
                ["ЗАО Дубль", "Ольга", "Отказ", "", "дорого\u00a0очень"],
            ]
        },
    )
    config = tmp_path / "config.yaml"
    config.write_text("language: ru\nrefusal_reasons: [Дорого]\n", encoding="utf-8")
    args = ["--config", str(config), "check", str(path), "--date", "2026-11-23"]
    result = CliRunner().invoke(cli, args)
    assert "'завтра утром' — не дата" in result.stdout
    assert "'дорого очень'" in result.stdout
    assert "Ромашка" not in result.stdout and "Кузнецов" not in result.stdout
    assert "\\x" not in result.stdout and "\\t" not in result.stdout
    result = run(tmp_path, "today", str(path), "--date", "2026-11-23", "--format", "csv")
    assert "ООО Ромашка" in result.stdout and "ИП Кузнецов" in result.stdout


def test_no_manager_column_is_named_once_not_blamed_on_every_row(tmp_path):
    headers = ["Клиент", "Статус", "Следующий контакт"]
    rows = [["ООО Ромашка", "Новый", "20.11.2026"], ["ИП Кузнецов", "Новый", "23.11.2026"]]
    path = write_book(
        tmp_path / "база.xlsx",
        {"Клиенты": [headers, *rows], "Менеджеры": [["Имя"], ["Ольга"]]},
    )
    warning = (
        "Warning: tab 'Клиенты' has no manager column ('Менеджер', 'Manager', …), so no "
        "client has a manager: rename the column of managers or name it in config.yaml "
        "(columns: manager: ...)\n"
    )
    for command in ("check", "problems", "today", "sync", "report"):
        result = run(tmp_path, command, str(path), "--date", "2026-11-23")
        assert result.exit_code == 0, result.output
        assert warning in result.stderr, command
        assert "нет менеджера" not in result.stdout, command
    chart = run(tmp_path, "chart", "load", str(path), "--out", str(tmp_path / "load.png"))
    assert chart.exit_code == 0 and warning in chart.stderr  # a chart of "nobody" says why
    problems = run(tmp_path, "problems", str(path), "--date", "2026-11-23", "--format", "csv")
    assert problems.stdout.count("\n") == 2  # the header and the overdue client
    assert "overdue" in problems.stdout


def test_a_manager_written_short_gets_the_roster_name_as_a_hint(tmp_path):
    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт"]
    path = write_book(
        tmp_path / "база.xlsx",
        {
            "Клиенты": [headers, ["ООО Ромашка", "ольга иванова", "Новый", "24.11.2026"]],
            "Менеджеры": [["Имя"], ["Иванова Ольга"], ["Петров Сергей"]],
        },
    )
    result = run(tmp_path, "check", str(path), "--date", "2026-11-23")
    assert "'ольга иванова': менеджера нет в списке" in result.stdout
    assert (
        "«ольга иванова» нет во вкладке «Менеджеры»; если это «Иванова Ольга», напишите имя "
        "так же, как там"
    ) in result.stdout


def test_the_log_names_fields_in_russian_and_undo_reads_them(tmp_path):
    """The Log's "Поле" column held sheetcrm's internal names (manager, comment, active, id)
    in a Russian workbook. Rows of older Logs, with those names, are read as before (see
    test_team_undo)."""
    from conftest import read_tab

    path = russian_book(tmp_path)
    args = ["handover", str(path), "Ольга", "--to", "Иван", "--apply", "--date", "2026-11-23"]
    assert run(tmp_path, *args).exit_code == 0
    log = read_tab(path, "Журнал")
    assert log[0][4] == "Поле"
    fields = {"ID", "Активен", "Комментарий", "Менеджер", "Следующий контакт"}
    assert {row[4] for row in log[1:]} == fields
    shown = json.loads(run(tmp_path, "log", str(path), "--format", "json").stdout)
    assert {e["field"] for e in shown} == {"id", "active", "comment", "manager", "next_contact"}
    result = run(tmp_path, "undo", str(path), "--apply")
    assert result.exit_code == 0, result.output
    assert [row[2] for row in read_tab(path, "Клиенты")[1:]] == ["Ольга"] * 4
    undone = [row[4] for row in read_tab(path, "Журнал")[1:] if row[1] == "undo"]
    assert undone and set(undone) <= fields - {"ID"}
