"""config.yaml and SHEETCRM_* variables: defaults, overrides, and one-line errors."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY

from sheetcrm.cli import cli
from sheetcrm.config import load_config
from sheetcrm.errors import ConfigError


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without config.yaml and no SHEETCRM_* in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    return tmp_path


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file(tmp_path, text), environ=environ or {})
    return str(caught.value)


def test_no_config_means_russian_moscow_defaults(no_config):
    cfg = load_config(environ={})
    assert (cfg.source, cfg.language, cfg.timezone, cfg.phone_region) == (
        "",
        "ru",
        "Europe/Moscow",
        "RU",
    )
    assert (cfg.overdue_grace_days, cfg.stale_days, cfg.backups) == (0, 30, 10)
    assert cfg.tab("clients") == "Клиенты"
    assert cfg.tab_candidates("clients") == ("Клиенты", "Clients")
    assert cfg.reasons()[0] == "Дорого"
    assert cfg.status_label("in_progress") == "В работе"


def test_config_yaml_in_the_working_directory_is_found(no_config):
    config_file(no_config, "language: en\nsource: crm.xlsx\n")
    cfg = load_config(environ={})
    assert cfg.language == "en"
    assert cfg.source_location() == str(no_config / "crm.xlsx")


def test_an_empty_config_file_is_all_defaults(tmp_path):
    assert load_config(config_file(tmp_path, "# nothing yet\n"), environ={}).language == "ru"


def test_a_missing_config_file_named_explicitly_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"config file .*nowhere.yaml does not exist"):
        load_config(tmp_path / "nowhere.yaml", environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("langauge: en\n", "langauge: unknown key; did you mean 'language'?"),
        ("overdue_grace: 2\n", "overdue_grace: unknown key; did you mean 'overdue_grace_days'?"),
        ("tabs:\n  client: Clients\n", "tabs.client: unknown key; did you mean 'clients'?"),
        ("notify:\n  smpt:\n    host: x\n", "notify.smpt: unknown key; did you mean 'smtp'?"),
        (
            "columns:\n  next_contcat: Когда\n",
            "columns.next_contcat: unknown field; did you mean 'next_contact'?",
        ),
        (
            "statuses:\n  in_progres: [Думает]\n",
            "statuses.in_progres: unknown status; did you mean 'in_progress'?",
        ),
        ("zzz: 1\n", "zzz: unknown key; known keys: source, language, timezone"),
    ],
)
def test_an_unknown_key_is_named_with_the_closest_known_one(tmp_path, text, message):
    assert message in error_of(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # `routing:` left empty, its keys not indented under it
            "routing:\nrules:\n  - when: {city: Москва}\n    to: [Ольга]\npool: [Иван]\n",
            "rules: unknown key at the top level; did you mean routing.rules?",
        ),
        (  # not 'tabs', the closest top-level name
            "database: crm-history.sqlite\n",
            "database: unknown key at the top level; did you mean history.database?",
        ),
        (
            "working_days: [пн, вт]\n",
            "working_days: unknown key at the top level; "
            "did you mean handover.working_days or schedule.working_days?",
        ),
        (
            "notify:\n  smtp:\n    host: x\n    head_of_sales: [head@x.ru]\n",
            "notify.smtp.head_of_sales: unknown key in notify.smtp; "
            "did you mean notify.head_of_sales?",
        ),
    ],
)
def test_a_key_at_the_wrong_level_names_where_it_belongs(tmp_path, text, message):
    assert error_of(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # as messages name it: "set tabs.managers in config.yaml"
            "tabs.managers: Команда\n",
            "tabs.managers: unknown key; write it nested, each key indented under the one "
            "before: 'tabs:', 'managers: …'",
        ),
        (
            "notify.smtp.host: smtp.yandex.ru\n",
            "notify.smtp.host: unknown key; write it nested, each key indented under the one "
            "before: 'notify:', 'smtp:', 'host: …'",
        ),
        (
            "notify:\n  smtp.port: 465\n",
            "notify.smtp.port: unknown key; write it nested, each key indented under the one "
            "before: 'smtp:', 'port: …'",
        ),
    ],
)
def test_a_key_written_with_dots_is_told_to_be_nested(tmp_path, text, message):
    assert error_of(tmp_path, text) == message


def test_a_variable_with_one_underscore_names_the_key_it_meant(tmp_path):
    message = error_of(tmp_path, "language: ru\n", {"SHEETCRM_SMTP_HOST": "smtp.yandex.ru"})
    assert message == (
        "smtp_host: unknown key at the top level; did you mean notify.smtp.host? "
        "(set by the environment variable SHEETCRM_SMTP_HOST)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("language: fr\n", "language: 'fr' is not allowed; use one of: ru, en"),
        ("overdue_grace_days: x\n", "overdue_grace_days: expected a whole number, got 'x'"),
        ("overdue_grace_days: 1.5\n", "overdue_grace_days: expected a whole number, got 1.5"),
        ("stale_days: -1\n", "stale_days: must be 0 or more, got -1"),
        (  # every sync would drop every event, its own too
            "history:\n  retention_days: -30\n",
            "history.retention_days: must be 0 or more, got -30",
        ),
        (  # every open client would be flagged "postponed 0 times"
            "history:\n  postponed_times: 0\n",
            "history.postponed_times: must be 1 or more, got 0",
        ),
        ("stale_days: true\n", "stale_days: expected a whole number, got True"),
        (
            "timezone: Mars/Phobos\n",
            "timezone: 'Mars/Phobos' is not a known time zone (e.g. Europe/Moscow, UTC)",
        ),
        ("keep_report_tab: maybe\n", "keep_report_tab: expected true or false, got 'maybe'"),
        ("tabs: Clients\n", "tabs: expected a mapping of keys to values, got 'Clients'"),
        ("refusal_reasons: {a: b}\n", "refusal_reasons: expected a list"),
        (
            "notify:\n  via: pigeon\n",
            "notify.via: 'pigeon' is not allowed; use one of: email, telegram, dir",
        ),
        ("- just\n- a list\n", "expected keys and values at the top level"),
        (  # wrong before only `run` read them
            "schedule:\n  working_days: [пн, xx]\n",
            "schedule.working_days: 'xx' is not a day; use mon, tue, wed, thu, fri, sat or sun",
        ),
        ("schedule:\n  notify_at: '8.30'\n", "schedule.notify_at: '8.30' is not a time of day"),
        (  # would write the Problems tab over the clients
            "tabs:\n  problems: клиенты\n",
            "tabs.problems: 'клиенты' is also the name of the clients tab; "
            "give each tab a name of its own",
        ),
        (
            "tabs:\n  today: Team\n  managers: TEAM\n",
            "tabs.managers: 'TEAM' is also the name of the today tab",
        ),
        ("language: [en\n", "not valid YAML"),
    ],
)
def test_a_wrong_value_names_the_key_and_what_is_allowed(tmp_path, text, message):
    assert message in error_of(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "language: ru\nnotify:\n\tvia: dir\n",
            "at line 3: not valid YAML (found character '\\t' that cannot start any token); "
            "a tab character: use spaces instead",
        ),
        (  # as Explorer's "Copy as path" gives it
            'source: "C:\\Users\\Ольга\\Documents\\crm.xlsx"\n',
            "at line 1: not valid YAML (expected escape sequence of 8 hexadecimal numbers, "
            "but found 's'); in double quotes a backslash starts an escape: write a Windows "
            "path in single quotes ('C:\\CRM\\crm.xlsx') or with / for \\",
        ),
        (
            "notify:\n  via: dir\n smtp:\n    host: x\n",
            "at line 3: not valid YAML (expected <block end>, but found '<block mapping start>'); "
            "check the indentation",
        ),
        (
            "routing:\n  rules:\n    - when: {city: Москва}\n    to: [Ольга]\n",
            "at line 4: not valid YAML (expected <block end>, but found '?'); "
            "check the indentation",
        ),
        (
            'schedule:\n  notify_at: "08:30\nlanguage: ru\n',
            "at line 2: not valid YAML (found unexpected end of stream); a quote is not closed",
        ),
        (
            "language:en\n",
            "expected keys and values at the top level; write a space after the colon",
        ),
    ],
)
def test_a_yaml_slip_is_told_what_to_change(tmp_path, text, message):
    assert message in error_of(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "line", "written"),
    [
        ('language: en\nsource: "D:\\new\\table.xlsx"\n', 2, '"D:\\new\\table.xlsx"'),
        ('history:\n  database: "C:\\reports\\base.sqlite"\n', 2, '"C:\\reports\\base.sqlite"'),
        ('google_credentials: "..\\archive\\team.json"\n', 1, '"..\\archive\\team.json"'),
    ],
)
def test_a_windows_path_whose_escapes_are_valid_yaml_is_told_what_to_change(
    tmp_path, text, line, written
):
    """\\n and \\t in double quotes are valid YAML: "D:\\new\\table.xlsx" became "D:", a line
    break, "ew", a tab and "able.xlsx", and the user got a two-line "no such file"."""
    assert error_of(tmp_path, text) == (
        f"{tmp_path / 'config.yaml'} at line {line}: in double quotes a backslash starts an "
        f"escape, so {written} holds a line break, a tab or another control character (\\n, "
        "\\t…); write a Windows path in single quotes ('D:\\new\\crm.xlsx') or with / for \\"
    )


def test_single_quotes_and_slashes_keep_a_windows_path(tmp_path):
    for text in ("source: 'D:\\new\\table.xlsx'\n", 'source: "D:/new/table.xlsx"\n'):
        source = load_config(config_file(tmp_path, text), environ={}).source
        assert source.replace("/", "\\") == "D:\\new\\table.xlsx"


def test_whole_numbers_may_be_written_as_text_or_with_a_zero_fraction(tmp_path):
    cfg = load_config(
        config_file(tmp_path, "overdue_grace_days: '2'\nstale_days: 45.0\n"), environ={}
    )
    assert (cfg.overdue_grace_days, cfg.stale_days) == (2, 45)
    assert isinstance(cfg.stale_days, int)


def test_environment_variables_override_the_file(tmp_path):
    path = config_file(tmp_path, "language: ru\nsource: old.xlsx\ntimezone: Europe/Moscow\n")
    cfg = load_config(
        path,
        environ={
            "SHEETCRM_SOURCE": "/data/crm.xlsx",
            "SHEETCRM_LANGUAGE": "en",
            "SHEETCRM_TIMEZONE": "Asia/Yekaterinburg",
            "SHEETCRM_OVERDUE_GRACE_DAYS": "2",
            "SHEETCRM_TABS__CLIENTS": "База",
            "SHEETCRM_KEEP_REPORT_TAB": "yes",
            "SHEETCRM_SMTP_PASSWORD": "not a config key",
            "HOME": "/root",
        },
    )
    assert (cfg.source, cfg.language, cfg.timezone) == (
        "/data/crm.xlsx",
        "en",
        "Asia/Yekaterinburg",
    )
    assert (cfg.overdue_grace_days, cfg.tabs.clients, cfg.keep_report_tab) == (2, "База", True)


def test_environment_alone_without_a_file(no_config):
    cfg = load_config(environ={"SHEETCRM_LANGUAGE": "en", "SHEETCRM_TIMEZONE": "UTC"})
    assert (cfg.language, cfg.timezone, cfg.stale_days) == ("en", "UTC", 30)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SHEETCRM_LANGUAGE": "fr"},
            "language: 'fr' is not allowed; use one of: ru, en "
            "(set by the environment variable SHEETCRM_LANGUAGE)",
        ),
        (
            {"SHEETCRM_TIMEZONE": "Mars/Phobos"},
            "timezone: 'Mars/Phobos' is not a known time zone (e.g. Europe/Moscow, UTC) "
            "(set by the environment variable SHEETCRM_TIMEZONE)",
        ),
        (
            {"SHEETCRM_NOTIFY__SMTP__PORT": "smtp"},
            "notify.smtp.port: expected a whole number, got 'smtp' "
            "(set by the environment variable SHEETCRM_NOTIFY__SMTP__PORT)",
        ),
        ({"SHEETCRM_LANGAUGE": "en"}, "(set by the environment variable SHEETCRM_LANGAUGE)"),
        (
            {"SHEETCRM_TABS": "x", "SHEETCRM_TABS__CLIENTS": "y"},
            "SHEETCRM_TABS__CLIENTS: tabs is set by itself too (SHEETCRM_TABS)",
        ),
    ],
)
def test_a_wrong_environment_variable_is_named(tmp_path, environ, message):
    assert message in error_of(tmp_path, "language: ru\n", environ)


def test_a_wrong_value_in_the_file_is_not_blamed_on_the_environment(tmp_path):
    message = error_of(tmp_path, "language: fr\n", {"SHEETCRM_TIMEZONE": "UTC"})
    assert message == "language: 'fr' is not allowed; use one of: ru, en"


def test_the_cli_shows_a_config_error_in_one_line_and_exits_2(tmp_path, book):
    path = book([{"client": "A", "status": "New"}])
    for text, message in [
        ("language: fr\n", "Error: language: 'fr' is not allowed; use one of: ru, en\n"),
        (
            "overdue_grace_days: x\n",
            "Error: overdue_grace_days: expected a whole number, got 'x'\n",
        ),
        ("timezone: Mars/Phobos\n", "Error: timezone: 'Mars/Phobos' is not a known time zone"),
        ("langauge: en\n", "Error: langauge: unknown key; did you mean 'language'?\n"),
    ]:
        config = config_file(tmp_path, text)
        result = CliRunner().invoke(
            cli, ["--config", str(config), "today", str(path), "--date", str(TODAY)]
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(message)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stdout == ""


def test_the_cli_reads_the_environment(tmp_path, book, monkeypatch):
    path = book(
        [{"client": "Due", "status": "New", "manager": "Olga", "next_contact": "23.11.2026"}]
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHEETCRM_SOURCE", str(path))
    monkeypatch.setenv("SHEETCRM_LANGUAGE", "en")
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["today", "--date", str(TODAY), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("manager,position,client")
    assert "Olga,1,Due" in result.stdout
    monkeypatch.setenv("SHEETCRM_LANGUAGE", "fr")
    result = CliRunner().invoke(cli, ["today", "--date", str(TODAY)])
    assert result.exit_code == 2
    assert "(set by the environment variable SHEETCRM_LANGUAGE)" in result.stderr


def test_columns_and_statuses_from_the_file_are_used_to_read_the_sheet(tmp_path):
    from sheetcrm.table import RawTable, parse_clients

    cfg = load_config(
        config_file(
            tmp_path,
            "language: ru\n"
            "columns:\n  client: Контрагент (юрлицо)\n  next_contact: Созвон\n"
            "statuses:\n  in_progress: [Прогрев, Думает]\n  won: Оплата\n",
        ),
        environ={},
    )
    assert cfg.statuses == {"in_progress": ["Прогрев", "Думает"], "won": ["Оплата"]}
    raw = RawTable(
        "Клиенты",
        [["Контрагент (юрлицо)", "Статус", "Созвон"], ["ООО Ромашка", "прогрев", "24.11.2026"]],
    )
    table = parse_clients(raw, cfg)
    c = table.clients[0]
    assert (c.client, c.status, c.next_contact.isoformat()) == (
        "ООО Ромашка",
        "in_progress",
        "2026-11-24",
    )
    assert cfg.status_label("in_progress") == "Прогрев" and cfg.status_label("won") == "Оплата"


def test_phone_region_is_a_country_code_in_any_case(tmp_path):
    assert load_config(config_file(tmp_path, "phone_region: kz\n"), environ={}).phone_region == "KZ"
    assert (
        load_config(config_file(tmp_path, "phone_region: ' ru'\n"), environ={}).phone_region == "RU"
    )
    message = error_of(tmp_path, "phone_region: russia\n")
    assert message.startswith(
        "phone_region: 'RUSSIA' is not a country code phones are read in; use"
    )


def test_a_lower_case_phone_region_still_reads_russian_phones(tmp_path):
    from sheetcrm.table import RawTable, parse_clients

    cfg = load_config(config_file(tmp_path, "phone_region: ru\n"), environ={})
    raw = RawTable(
        "Клиенты", [["Клиент", "Телефон"], ["A", "8 (912) 345-67-89"], ["B", "912 345 67 89"]]
    )
    table = parse_clients(raw, cfg)
    assert [(c.phone_norm, c.errors) for c in table.clients] == [
        ("+79123456789", {}),
        ("+79123456789", {}),
    ]


def test_one_label_for_two_statuses_is_an_error(tmp_path):
    message = error_of(tmp_path, "statuses:\n  won: [Закрыт]\n  refused: [Отказ, закрыт]\n")
    assert message == "statuses.refused: 'закрыт' is also a label of won; give it to one"


def test_a_config_saved_in_windows_1251_is_a_one_line_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("language: ru\ncolumns:\n  client: Наименование\n".encode("cp1251"))
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path} at line 3: not UTF-8 text; save it with the UTF-8 encoding"


def test_a_config_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("\ufefflanguage: en\n".encode())
    assert load_config(path, environ={}).language == "en"


def test_a_configured_header_the_sheet_lacks_stops_the_command(tmp_path, book):
    """A typo in columns: would read every client as having no next contact date, and
    sync would write that into every row's flags."""
    path = book([{"client": "A", "status": "New", "manager": "Olga", "next_contact": "23.11.2026"}])
    before = path.read_bytes()
    config = config_file(tmp_path, "language: en\ncolumns:\n  next_contact: Call on\n")
    for command in ("today", "check", "sync"):
        result = CliRunner().invoke(cli, ["--config", str(config), command, str(path)])
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "Error: columns.next_contact: tab 'Clients' has no column 'Call on' (its headers: "
            "'ID', 'Client', 'Phone', 'Email', 'Manager', 'Status', 'Next contact', "
            "'Last contact', 'Created', 'Refusal reason', 'City', 'Product', 'Source', "
            "'Amount', 'Comment'); write the header as it is in the sheet in config.yaml\n"
        )
    assert path.read_bytes() == before


def test_configured_id_and_flags_headers_are_added_once(tmp_path, book):
    """sync added its columns under the built-in names, which the configured ones did not
    match, so every sync added another ID and Flags column."""
    from conftest import EN_HEADERS, read_tab

    row = {"client": "A", "status": "New", "manager": "Olga", "next_contact": "23.11.2026"}
    path = book([row], headers=EN_HEADERS[1:])
    config = config_file(
        tmp_path, "language: en\ncolumns:\n  id: Client code\n  flags: CRM notes\n"
    )
    for _ in range(2):  # the second sync finds the columns the first one added
        result = CliRunner().invoke(cli, ["--config", str(config), "sync", str(path)])
        assert result.exit_code == 0, result.output
    assert read_tab(path, "Clients")[0][-3:] == ["Comment", "Client code", "CRM notes"]
    assert "add column" not in result.stdout


def test_a_list_written_as_text_with_commas_is_a_list(tmp_path):
    from sheetcrm.config import working_days

    cfg = load_config(
        config_file(
            tmp_path,
            "refusal_reasons: Дорого, Нет бюджета\n"
            "holidays: 2027-01-01, 07.01.2027\n"
            "schedule:\n  working_days: mon, tue, wed, thu, fri\n",
        ),
        environ={"SHEETCRM_NOTIFY__HEAD_OF_SALES": "head@example.com, boss@example.com"},
    )
    assert cfg.refusal_reasons == ["Дорого", "Нет бюджета"]
    assert [d.isoformat() for d in cfg.holidays] == ["2027-01-01", "2027-01-07"]
    assert cfg.notify.head_of_sales == ["head@example.com", "boss@example.com"]
    assert working_days(cfg.schedule) == {0, 1, 2, 3, 4}  # it was Monday only


def test_a_single_day_off_is_a_list_of_one(tmp_path):
    cfg = load_config(
        config_file(tmp_path, "holidays: 2027-01-01\nhandover:\n  holidays: 2027-01-07\n"),
        environ={},
    )
    assert sorted(d.isoformat() for d in cfg.days_off()) == ["2027-01-01", "2027-01-07"]


@pytest.mark.parametrize("day", ["Mon-Fri", "monday to friday", "mo"])
def test_a_working_day_must_be_a_day_not_start_with_one(tmp_path, day):
    assert error_of(tmp_path, f"schedule:\n  working_days: [{day}]\n") == (
        f"schedule.working_days: {day!r} is not a day; use mon, tue, wed, thu, fri, sat or sun"
    )


def test_working_days_may_be_written_in_full(tmp_path):
    from sheetcrm.config import working_days

    text = "schedule:\n  working_days: [Monday, tues, Thursday, пт]\n"
    assert working_days(load_config(config_file(tmp_path, text), environ={}).schedule) == {
        0,
        1,
        3,
        4,
    }


def test_the_config_beside_the_workbook_is_used_from_another_folder(tmp_path, monkeypatch):
    """As the README says: copy config.example.yaml to config.yaml beside the workbook. Run
    from elsewhere, sync wrote Russian tabs into an English workbook and took the team's
    own status labels for unknown ones."""
    from conftest import EN_HEADERS, EN_MANAGERS, client_row, write_book

    from sheetcrm.backends.excel import read_workbook

    team = tmp_path / "team"
    team.mkdir()
    row = client_row(client="A", manager="Olga", status="Warming", next_contact="20.11.2026")
    path = write_book(team / "crm.xlsx", {"Clients": [EN_HEADERS, row], "Managers": EN_MANAGERS})
    config_file(team, "language: en\nstatuses:\n  in_progress: [Warming]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["sync", "../team/crm.xlsx", "--date", str(TODAY)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("crm.xlsx: synced.")
    tabs, _ = read_workbook(path, ["Clients"])
    assert tabs["Clients"].rows[1][-1] == "overdue 3d"  # not "unknown status"
    from openpyxl import load_workbook

    assert load_workbook(path).sheetnames[:3] == ["Clients", "Managers", "Today"]
    assert (team / ".sheetcrm-history.sqlite").exists()
    assert not (elsewhere / ".sheetcrm-history.sqlite").exists()


@pytest.mark.parametrize(
    ("written", "hour"), [("9:30", 9), ("18:30", 18), ("08:30", 8), ("10:30", 10)]
)
def test_a_time_of_day_without_quotes_is_that_time(tmp_path, written, hour):
    """YAML 1.1 reads 9:30 as a number in base 60 (570); the error then named '570'."""
    from sheetcrm.config import notify_time

    cfg = load_config(config_file(tmp_path, f"schedule:\n  notify_at: {written}\n"), environ={})
    assert notify_time(cfg.schedule) == time(hour, 30)


def test_a_number_of_days_is_still_a_number(tmp_path):
    cfg = load_config(config_file(tmp_path, "stale_days: 45\nbackups: 0\n"), environ={})
    assert (cfg.stale_days, cfg.backups) == (45, 0)


def test_a_whole_hour_without_quotes_is_that_hour(tmp_path):
    from sheetcrm.config import notify_time

    cfg = load_config(config_file(tmp_path, "schedule:\n  notify_at: 18:00\n"), environ={})
    assert notify_time(cfg.schedule) == time(18, 0)


def test_a_key_left_empty_takes_its_default(tmp_path):
    """`tabs.clients:` with nothing after it said "expected text, got None"."""
    text = "tabs:\n  clients:\nbackups:\nlanguage:\nschedule:\n  working_days:\n"
    cfg = load_config(config_file(tmp_path, text), environ={})
    assert (cfg.tabs.clients, cfg.backups, cfg.language) == ("", 10, "ru")
    assert cfg.schedule.working_days == ["mon", "tue", "wed", "thu", "fri"]


@pytest.mark.parametrize(
    ("word", "value"), [("да", True), ("Нет", False), ("вкл", True), ("выкл", False)]
)
def test_yes_and_no_in_russian_are_booleans(tmp_path, word, value):
    cfg = load_config(config_file(tmp_path, f"keep_report_tab: {word}\n"), environ={})
    assert cfg.keep_report_tab is value


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path):
    """The second one silently won: `backups: 0` at the end quietly turned backups off."""
    text = "language: en\nbackups: 5\nstale_days: 30\nbackups: 0\n"
    assert error_of(tmp_path, text).endswith(
        "config.yaml at line 4: not valid YAML (backups is given twice, on lines 2 and 4; keep one)"
    )
    nested = "notify:\n  via: email\n  smtp:\n    host: a\n    host: b\n"
    assert "host is given twice, on lines 4 and 5" in error_of(tmp_path, nested)


def test_an_empty_header_under_columns_says_to_leave_it_out(tmp_path):
    assert error_of(tmp_path, "columns:\n  phone:\n") == (
        "columns.phone: expected text, got nothing; leave the key out to use the default"
    )


@pytest.mark.parametrize(
    ("value", "days"),
    [("[]", []), (" [ ] ", []), ("[mon, 'tue', \"wed\"]", ["mon", "tue", "wed"])],
)
def test_a_list_in_an_environment_variable_may_be_written_as_in_the_file(no_config, value, days):
    cfg = load_config(environ={"SHEETCRM_SCHEDULE__WORKING_DAYS": value})
    assert cfg.schedule.working_days == days


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_environment_variable_is_as_if_unset(no_config, value):
    """`SHEETCRM_SCHEDULE__WORKING_DAYS=` left blank in an env file meant no working day at
    all: `run` never sent a list. It reads as unset: the file's value, else the default."""
    empty = {
        "SHEETCRM_SCHEDULE__WORKING_DAYS": value,
        "SHEETCRM_SOURCE": value,
        "SHEETCRM_TIMEZONE": value,
    }
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    assert load_config(environ=empty).schedule.working_days == weekdays
    path = config_file(no_config, "source: crm.xlsx\nschedule:\n  working_days: mon, tue\n")
    cfg = load_config(path, environ=empty)
    assert (cfg.schedule.working_days, cfg.source, cfg.timezone) == (
        ["mon", "tue"],
        "crm.xlsx",
        "Europe/Moscow",
    )
