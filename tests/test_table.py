"""The row parser: headers by alias, typed rows with their sheet row numbers,
and a finding for every cell it cannot read (property tests included)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, datetime, time

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY
from hypothesis import given, settings
from hypothesis import strategies as st
from plain import EN, TEAM, clients_table, roster

from sheetcrm.engine.agenda import agenda
from sheetcrm.engine.flags import all_findings
from sheetcrm.engine.refusals import summarize
from sheetcrm.errors import DataError
from sheetcrm.schema import CLIENT_FIELDS, MANAGER_FIELDS, fold, match_headers
from sheetcrm.table import KEY_FIELDS, SUM_LABELS, RawTable, parse_clients, parse_managers
from sheetcrm.values import is_blank

RU_HEADERS = [
    "ID", "Клиент", "Телефон", "Email", "Менеджер", "Статус", "Следующий контакт",
    "Последний контакт", "Создан", "Причина отказа", "Город", "Продукт", "Источник",
    "Сумма", "Комментарий",
]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("  СЛЕДУЮЩИЙ   контакт ", "next_contact"),
        ("Дата следующего контакта", "next_contact"),
        ("Дата след. контакта", "next_contact"),
        ("Следующий контакт:", "next_contact"),
        ("Перезвонить", "next_contact"),
        ("Ответственный", "manager"),
        ("ОТВЕТСТВЕННЫЙ МЕНЕДЖЕР", "manager"),
        ("Наименование", "client"),
        ("ФИО", "client"),
        ("Тел.", "phone"),
        ("Номер  телефона", "phone"),
        ("Эл. почта", "email"),
        ("Е-mail", "email"),  # with a Cyrillic Е
        ("Причина\u00a0отказа", "refusal_reason"),
        ("Дата последнего контакта", "last_contact"),
        ("Next Contact Date", "next_contact"),
        ("next_contact", "next_contact"),
        ("FOLLOW-UP", "next_contact"),
        ("Responsible", "manager"),
        ("Sales rep", "manager"),
        ("Company name", "client"),
        ("Phone number", "phone"),
        ("E-Mail", "email"),
        ("Email address", "email"),
        ("Lost reason", "refusal_reason"),
        ("Deal value", "amount"),
        ("Client ID", "id"),
    ],
)
def test_headers_match_by_alias_whatever_the_case_spacing_and_dots(header, field):
    assert match_headers([header], CLIENT_FIELDS) == {field: 0}


@pytest.mark.parametrize(
    ("header", "field"),
    [("ФИО", "name"), ("Работает", "active"), ("макс. клиентов", "limit"), ("E-mail", "email")],
)
def test_roster_headers_match_by_alias(header, field):
    assert match_headers([header], MANAGER_FIELDS) == {field: 0}


def test_fold_treats_yo_as_ye():
    assert fold("Всё  ДОРОГО ") == fold("все дорого") == "все дорого"


def test_headers_that_are_not_ours_are_the_teams_columns():
    assert match_headers(["Клиент", "Дата договора", "Номер договора"], CLIENT_FIELDS) == {
        "client": 0
    }


def test_a_russian_sheet_is_told_in_russian_with_its_own_headers():
    headers = [h if h != "Следующий контакт" else "  Дата след. контакта " for h in RU_HEADERS]
    row = dict.fromkeys(RU_HEADERS, "")
    row.update({"Клиент": "ООО Ромашка", "Менеджер": "Ольга", "Статус": "В работе",
                "Следующий контакт": "31.02.2026", "Сумма": "сто тысяч"})  # fmt: skip
    table = parse_clients(
        RawTable("Клиенты", [headers, list(row.values())]), replace(EN, language="ru")
    )
    found = all_findings(table, roster("Ольга"), replace(EN, language="ru"), TODAY)
    assert [(f.row, f.column, f.message) for f in found if f.for_check] == [
        (2, "Дата след. контакта", "'31.02.2026' — такой даты нет"),
        (2, "Сумма", "'сто тысяч' — не число"),
    ]
    assert found[0].hint == "дата, например 23.11.2026"


def test_title_rows_above_the_header_keep_sheet_row_numbers():
    table = clients_table(
        [{"client": "First", "status": "New"}, {"client": "Second", "status": "New"}],
        above=[["Client base, sales team"], [], ["updated 23.11.2026"]],
    )
    assert table.header_row == 4
    assert [(c.row, c.client) for c in table.clients] == [(5, "First"), (6, "Second")]


def test_a_header_below_many_rows_of_instructions_is_found():
    instructions = [[f"{n}. Заполняйте дату следующего контакта"] for n in range(1, 21)]
    table = clients_table([{"client": "First", "status": "New"}], above=instructions)
    assert table.header_row == 21
    assert [(c.row, c.client) for c in table.clients] == [(22, "First")]


def test_a_header_too_far_down_is_an_error_naming_the_rows_searched():
    rows = [[f"note {n}"] for n in range(1, 61)] + [["Client"], ["Acme"]]
    with pytest.raises(DataError) as caught:
        parse_clients(RawTable("Clients", rows), EN)
    assert "no header row with the required column(s) found in rows 1-50." in str(caught.value)


def test_empty_rows_are_skipped_and_the_rest_keep_their_sheet_rows():
    blank = [""] * len(EN_HEADERS)
    spaces = ["  "] * 3
    table = clients_table(
        [{"client": "A"}, blank, spaces, [None] * 4, {"client": "B"}, blank, [], blank]
    )
    assert [(c.row, c.client) for c in table.clients] == [(2, "A"), (6, "B")]


def test_no_header_row_is_an_error_listing_headers_found_and_names_accepted():
    raw = RawTable("Clients", [["Company", "When"], ["Acme", "today"]])
    raw.rows[0][0] = "Firm"
    with pytest.raises(DataError) as caught:
        parse_clients(raw, EN)
    message = str(caught.value)
    assert message.startswith(
        "tab 'Clients': no header row with the required column(s) found in rows 1-2."
    )
    assert "Headers found: 'Firm', 'When'" in message
    assert "client: 'Client', 'Клиент', 'name', 'company'" in message


def test_ids_and_phones_typed_as_numbers_are_still_ids_and_phones():
    table = clients_table(
        [
            {"id": "00123", "client": "Text id", "phone": "8 (912) 345-67-89"},
            {"id": 124.0, "client": "Number id", "phone": 89123456780.0},
            {"id": 125, "client": "Int id", "phone": 9123456781},
        ]
    )
    assert [(c.id, c.phone, c.phone_norm) for c in table.clients] == [
        ("00123", "8 (912) 345-67-89", "+79123456789"),
        ("124", "89123456780", "+79123456780"),
        ("125", "9123456781", "+79123456781"),
    ]


def test_the_teams_columns_pass_through_untouched():
    headers = [*EN_HEADERS, "Contract no.", "Birthday"]
    row = [""] * len(EN_HEADERS) + ["007/2026", date(1990, 5, 1)]
    row[1] = "Acme"
    table = clients_table([row], headers=headers)
    assert table.clients[0].cells[-2:] == ["007/2026", date(1990, 5, 1)]
    assert table.headers[-2:] == ["Contract no.", "Birthday"]
    assert "Contract no." not in [table.header(name) for name in table.columns]


def test_configured_column_headers_and_status_labels():
    cfg = replace(
        EN,
        columns={"next_contact": "Перезвонить когда", "comment": "Отчёт о звонке"},
        statuses={"postponed": ["Перенесён", "Думает"], "refused": ["Слив"]},
    )
    headers = ["Клиент", "Статус", "Перезвонить  когда", "Отчет о звонке", "Next contact"]
    rows = [
        ["A", "перенесен", "24.11.2026", "обещал подумать", "01.01.2027"],
        ["B", "Думает", "", "", ""],
        ["C", "Отказ", "", "", ""],  # the built-in labels still count
        ["D", "Лид", "", "", ""],
    ]
    table = parse_clients(RawTable("Clients", [headers, *rows]), cfg)
    assert table.columns["next_contact"] == 2  # the configured header wins over the alias
    a = table.clients[0]
    assert (a.status, a.next_contact, a.comment) == (
        "postponed",
        date(2026, 11, 24),
        "обещал подумать",
    )
    assert [c.status for c in table.clients] == ["postponed", "postponed", "refused", None]
    found = [f for f in all_findings(table, TEAM, cfg, TODAY) if f.code == "unknown_status"]
    assert [(f.row, f.column, f.message) for f in found] == [
        (5, "Статус", "'Лид' is not a known status")
    ]
    assert found[0].hint.startswith("one of: New, In progress, Перенесён, Won, Слив")


def test_managers_tab_active_words_and_lists():
    raw = RawTable(
        "Менеджеры",
        [
            ["Имя", "Активен", "Города", "Лимит"],
            ["Ольга", "да", "Москва; Тверь", "30"],
            ["Пётр", "Уволен", "", ""],
            ["", "", "", ""],
            ["Иван", "", "Казань,Самара", "много"],
            ["Анна", "-", "", ""],
        ],
    )
    team = parse_managers(raw)
    assert [(m.row, m.name, m.active, m.cities, m.limit) for m in team.managers] == [
        (2, "Ольга", True, ["Москва", "Тверь"], 30),
        (3, "Пётр", False, [], None),
        (5, "Иван", True, ["Казань", "Самара"], None),  # blank "active" means active
        (6, "Анна", False, [], None),
    ]
    assert team.find("петр").name == "Пётр"


@pytest.mark.parametrize(
    "word", ["уволился", "Уволилась", "не активна", "не активен", "неактивна", "not active"]
)
def test_a_leaver_written_in_other_words_is_inactive(word):
    raw = RawTable("Менеджеры", [["Имя", "Активен"], ["Сергей", word], ["Анна", "работает"]])
    assert [(m.name, m.active) for m in parse_managers(raw).managers] == [
        ("Сергей", False),
        ("Анна", True),
    ]


@pytest.mark.parametrize(
    "word",
    ["ушла", "Ушёл", "ушел", "ушла в декрет", "архив", "В архиве", "в декрете", "декрет", "✗"],
)
def test_a_manager_gone_or_on_leave_is_inactive(word):
    raw = RawTable("Менеджеры", [["Имя", "Активен"], ["Сергей", word], ["Анна", "x"]])
    assert [(m.name, m.active) for m in parse_managers(raw).managers] == [
        ("Сергей", False),
        ("Анна", True),  # "x" is as often a tick as a cross: left as it was, active
    ]


def test_clients_of_a_manager_marked_gone_are_flagged(book, run):
    managers = [*EN_MANAGERS[:2], ["Sergey", "", "ушла в декрет", "", ""]]
    path = book([{"client": "Daisy", "manager": "Sergey", "status": "New"}], managers=managers)
    result = run("problems", str(path), "--date", "2026-11-23")
    assert "manager left" in result.stdout, result.output


# -- property tests: random rows through the parser and the whole engine -------

PROPERTY = settings(max_examples=200, deadline=None)
HEADERS = [*EN_HEADERS, "Flags", "Team notes"]
LETTERS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12)
STATUS_WORDS = set(EN.status_lookup())

ANY_CELL = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=30),
    st.floats(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
GOOD = {
    "date": st.one_of(
        st.dates(min_value=date(1900, 3, 1)),
        st.datetimes(min_value=datetime(1900, 3, 1)),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(
            lambda d: d.strftime("%d.%m.%Y")
        ),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(
            lambda d: d.strftime("%d.%m.%y")
        ),
        st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10),
        st.integers(min_value=61, max_value=2958465),
        st.floats(min_value=61, max_value=2958465),
    ),
    "number": st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}".replace(",", " ") + " ₽"),
    ),
    "phone": st.integers(min_value=9000000000, max_value=9999999999).flatmap(
        lambda n: st.sampled_from(
            [f"+7 {n}", f"8{n}", float(f"8{n}"), f"8 ({str(n)[:3]}) {str(n)[3:]}"]
        )
    ),
    "email": st.from_regex(r"[a-z0-9]{1,8}@[a-z]{1,8}\.(ru|com)", fullmatch=True),
    "status": st.sampled_from(sorted(STATUS_WORDS)).map(str.upper),
}
BAD = {
    "date": st.one_of(
        LETTERS, st.booleans(), st.just(math.nan), st.integers(max_value=0), st.just(60)
    ),
    "number": st.one_of(LETTERS, st.booleans(), st.just(math.inf)),
    "phone": LETTERS,
    "email": LETTERS,
    "status": LETTERS.filter(lambda s: fold(s) not in STATUS_WORDS),
}
KIND = {"next_contact": "date", "last_contact": "date", "created": "date", "amount": "number",
        "phone": "phone", "email": "email", "status": "status"}  # fmt: skip
COLUMN = {f.name: f.en for f in CLIENT_FIELDS}


@st.composite
def client_rows(draw: st.DrawFn) -> tuple[list, dict[str, bool]]:
    """A row with every typed field good or bad (known which), the rest anything."""
    typed = {HEADERS.index(COLUMN[field]): field for field in KIND}
    verdict = {field: draw(st.booleans()) for field in KIND}
    row = [
        draw((GOOD if verdict[typed[i]] else BAD)[KIND[typed[i]]]) if i in typed else draw(ANY_CELL)
        for i in range(len(HEADERS))
    ]
    return row, verdict


@PROPERTY
@given(st.lists(client_rows(), min_size=1, max_size=4))
def test_every_bad_cell_is_a_finding_on_its_row_and_column(drawn):
    table = parse_clients(RawTable("Clients", [HEADERS, *(row for row, _ in drawn)]), EN)
    unreadable = {"bad_date", "bad_number", "bad_phone", "bad_email", "unknown_status"}
    found = {
        (f.row, f.column) for f in all_findings(table, TEAM, EN, TODAY) if f.code in unreadable
    }
    assert [c.row for c in table.clients] == list(range(2, len(drawn) + 2))
    for number, (_, verdict) in enumerate(drawn, start=2):
        for field, good in verdict.items():
            assert ((number, COLUMN[field]) in found) is not good, (number, field)


@PROPERTY
@given(
    st.lists(st.lists(ANY_CELL, max_size=len(HEADERS) + 3), max_size=8),
    st.sampled_from(["en", "ru"]),
    st.booleans(),
)
def test_no_cell_value_makes_the_engine_raise(rows, language, date1904):
    cfg = replace(EN, language=language)
    table = parse_clients(RawTable("Clients", [HEADERS, *rows]), cfg, date1904)
    found = all_findings(table, TEAM, cfg, TODAY)
    agenda(table, TEAM, TODAY)
    summarize(table.clients, cfg.reasons(), since=TODAY, by="month")
    nonblank = [i + 2 for i, row in enumerate(rows) if not all(is_blank(c) for c in row)]
    # a row with a value only in the amount, comment, city… or the team's columns is a note
    keys = [HEADERS.index(COLUMN[f]) for f in KEY_FIELDS if COLUMN[f] in HEADERS]
    with_key = [
        i + 2
        for i, row in enumerate(rows)
        if any(not is_blank(row[j]) for j in keys if j < len(row))
    ]
    assert {c.row for c in table.clients} <= set(with_key)
    for number in set(with_key) - {c.row for c in table.clients}:  # a sum or header row only
        label = fold(str(rows[number - 2][HEADERS.index("Client")]))
        assert label in SUM_LABELS or label.startswith("итого ") or label == "client", label
    assert {f.column for f in found} <= set(HEADERS)
    assert {f.row for f in found} <= set(nonblank)
    for c in table.clients:
        for field in c.errors:
            assert (c.row, COLUMN[field]) in {(f.row, f.column) for f in found}


# -- real workbooks: what openpyxl and Excel put in a sheet -----------------------


def styled_book(path, rows, build=None):
    """An .xlsx with a Clients and a Managers tab; `build(ws)` adds merges, hidden rows, styles."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Clients"
    for row in rows:
        ws.append(row)
    managers = wb.create_sheet("Managers")
    for row in [["Name", "Active"], ["Olga", "yes"], ["Ivan", "yes"]]:
        managers.append(row)
    if build:
        build(ws)
    wb.save(path)
    return path


def load_book(path):
    from sheetcrm.workspace import load

    return load(EN, str(path), TODAY)


def due(name, when="23.11.2026", manager="Olga"):
    # ID, Client, Phone, Manager, Status, Next contact
    return ["", name, "", manager, "In progress", when]


SHORT = ["ID", "Client", "Phone", "Manager", "Status", "Next contact"]


def test_hidden_and_filtered_out_rows_are_clients_all_the_same(tmp_path, run):
    def hide(ws):
        ws.row_dimensions[3].hidden = True
        ws.auto_filter.ref = "A1:F5"
        ws.column_dimensions["C"].hidden = True

    path = styled_book(
        tmp_path / "crm.xlsx",
        [SHORT, due("Seen"), due("Hidden"), due("Ivan's", manager="Ivan"), due("Last")],
        hide,
    )
    ws = load_book(path)
    assert [(c.row, c.client) for c in ws.table.clients] == [
        (2, "Seen"),
        (3, "Hidden"),
        (4, "Ivan's"),
        (5, "Last"),
    ]
    result = run("today", str(path), "--date", str(TODAY), "--manager", "Olga", "--format", "csv")
    assert [line.split(",")[2] for line in result.stdout.splitlines()[1:]] == [
        "Seen",
        "Hidden",
        "Last",
    ]


def test_styled_empty_rows_in_the_middle_and_at_the_end_are_no_clients(tmp_path, run):
    from openpyxl.styles import Border, PatternFill, Side

    def style_empty_rows(ws):
        fill = PatternFill("solid", fgColor="FFFF00")
        line = Side(style="thin")
        for r in [*range(3, 5), *range(7, 40)]:  # rows 3-4 and 7-39 hold nothing but formats
            for c in range(1, 7):
                ws.cell(r, c).fill = fill
                ws.cell(r, c).border = Border(bottom=line)
        ws.cell(20, 2).value = "   "  # a stray space is still an empty row

    rows = [SHORT, due("First"), [], [], due("Second", "20.11.2026"), due("Third", "bad")]
    path = styled_book(tmp_path / "crm.xlsx", rows, style_empty_rows)
    ws = load_book(path)
    assert [(c.row, c.client) for c in ws.table.clients] == [
        (2, "First"),
        (5, "Second"),
        (6, "Third"),
    ]
    result = run("check", str(path), "--date", str(TODAY), "--format", "json")
    assert [(f["row"], f["column"]) for f in json.loads(result.stdout)] == [(6, "Next contact")]
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    from conftest import read_tab

    ids = [row[0] for row in read_tab(path, "Clients")[1:]]
    assert [i for i in ids if i] == ["C00001", "C00002", "C00003"]
    assert [r + 2 for r, i in enumerate(ids) if i] == [2, 5, 6]  # none on an empty row


def test_a_merged_title_above_the_header(tmp_path, run):
    def merge_title(ws):
        ws.merge_cells("A1:F1")

    rows = [["Client base, sales team 2026"], SHORT, due("Late", "20.11.2026"), due("Now")]
    path = styled_book(tmp_path / "crm.xlsx", rows, merge_title)
    ws = load_book(path)
    assert ws.table.header_row == 2
    assert [(c.row, c.client) for c in ws.table.clients] == [(3, "Late"), (4, "Now")]
    result = run("today", str(path), "--date", str(TODAY), "--format", "json")
    assert [(r["client"], r["row"], r["days_overdue"]) for r in json.loads(result.stdout)] == [
        ("Late", 3, 3),
        ("Now", 4, 0),
    ]


def test_a_two_row_header_with_merged_cells(tmp_path, run):
    def merge_header(ws):
        for cells in ("A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2", "G1:G2"):
            ws.merge_cells(cells)

    rows = [
        ["ID", "Клиент", "Контакты", None, "Менеджер", "Статус", "Следующий контакт"],
        [None, None, "Телефон", "Email", None, None, None],
        ["", "ООО Ромашка", "8 912 345 67 89", "a@romashka.ru", "Olga", "В работе", "31.02.2026"],
        ["", "ИП Кузнецов", "+7 912 345-67-89", "", "Olga", "Новый", "23.11.2026"],
    ]
    path = styled_book(tmp_path / "crm.xlsx", rows, merge_header)
    ws = load_book(path)
    table = ws.table
    assert table.header_row == 2
    fields = ("id", "client", "phone", "email", "manager", "next_contact")
    assert [table.header(f) for f in fields] == [
        "ID", "Клиент", "Телефон", "Email", "Менеджер", "Следующий контакт",
    ]  # fmt: skip
    assert [(c.row, c.client, c.phone_norm) for c in table.clients] == [
        (3, "ООО Ромашка", "+79123456789"),
        (4, "ИП Кузнецов", "+79123456789"),
    ]
    result = run("check", str(path), "--date", str(TODAY), "--format", "json")
    assert [(f["row"], f["column"], f["problem"]) for f in json.loads(result.stdout)] == [
        (3, "Телефон", "duplicate of row 4"),
        (3, "Следующий контакт", "'31.02.2026' is not a real date"),
        (4, "Телефон", "duplicate of row 3"),
    ]
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    from conftest import read_tab

    after = read_tab(path, "Clients")
    assert after[1][7] == "Flags" and after[2][0] == "C00001" and after[3][0] == "C00002"
    assert after[0][:3] == ["ID", "Клиент", "Контакты"]  # the upper header row is as it was


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31.02.2026", "'31.02.2026' is not a real date"),
        ("завтра", "'завтра' is not a date"),
        ("13/13/2026", "'13/13/2026' is not a real date"),
        ("23.11.2026 24:00", "'23.11.2026 24:00' is not a real date"),
        ("23.11", "'23.11' has no year; write it as DD.MM.YYYY"),  # not serial 23.11
        ("5.12.", "'5.12.' has no year; write it as DD.MM.YYYY"),
        (60, "60 is 29.02.1900, a day that does not exist"),
        (True, "TRUE is not a date"),
    ],
)
def test_an_unreadable_date_is_a_finding_naming_row_and_header_as_written(cell, message):
    headers = ["Клиент", "Статус", "Когда перезвонить"]
    cfg = replace(EN, columns={"next_contact": "Когда перезвонить"})
    rows = [["OK", "Новый", "24.11.2026"], [], ["Bad", "Новый", cell]]
    table = parse_clients(RawTable("Клиенты", [headers, *rows]), cfg)
    found = [f for f in all_findings(table, TEAM, cfg, TODAY) if f.for_check]
    assert [(f.row, f.column, f.message, f.hint) for f in found] == [
        (4, "Когда перезвонить", message, "a date such as 23.11.2026 or 2026-11-23")
    ]


@pytest.mark.parametrize("system", ["1900", "1904"])
def test_date_cells_and_plain_serial_numbers_in_either_date_system(tmp_path, run, system):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    # 20.11.2026 is serial 46346 counted from 30.12.1899, 1462 days fewer from 01.01.1904
    serial = 46346 if system == "1900" else 46346 - 1462

    def epoch(ws):
        if system == "1904":
            ws.parent.epoch = CALENDAR_MAC_1904

    rows = [
        SHORT,
        due("Date cell", date(2026, 11, 20)),
        due("Date and time", datetime(2026, 11, 23, 14, 30)),
        due("General number", serial),
        due("Number with a time", serial + 0.75),
    ]
    path = styled_book(tmp_path / f"crm{system}.xlsx", rows, epoch)
    assert load_book(path).snapshot.date1904 is (system == "1904")
    result = run("today", str(path), "--date", str(TODAY), "--format", "json")
    assert [(r["client"], r["due"], r["days_overdue"]) for r in json.loads(result.stdout)] == [
        ("Number with a time", "2026-11-20T18:00:00", 3),  # a day's timed promises come first
        ("Date cell", "2026-11-20", 3),
        ("General number", "2026-11-20", 3),
        ("Date and time", "2026-11-23T14:30:00", 0),
    ]


def test_every_unreadable_cell_is_described_in_the_sheets_language():
    ru = replace(EN, language="ru")
    headers = ["Клиент", "Статус", "Следующий контакт", "Создан", "Сумма", "Телефон", "Email"]
    rows = [
        ["A", "Думает", "31.02.2026", 60, "много", "звонить", "a@b"],
        ["B", "Новый", "завтра", time(9, 30), "1e999", "12", ""],
        ["C", "Новый", -1, True, "", "+7 912", ""],
    ]
    table = parse_clients(RawTable("Клиенты", [headers, *rows]), ru)
    found = [
        (f.row, f.column, f.message) for f in all_findings(table, TEAM, ru, TODAY) if f.for_check
    ]
    assert found == [
        (2, "Статус", "'Думает' — неизвестный статус"),
        (2, "Следующий контакт", "'31.02.2026' — такой даты нет"),
        (2, "Создан", "60 — это 29.02.1900, такого дня не было"),
        (2, "Сумма", "'много' — не число"),
        (2, "Телефон", "'звонить' — в номере нет цифр"),
        (2, "Email", "'a@b' — не адрес e-mail"),
        (3, "Следующий контакт", "'завтра' — не дата"),
        (3, "Создан", "только время, без даты"),
        (3, "Сумма", "'1e999' — не число"),
        (3, "Телефон", "'12' — не номер телефона"),
        (4, "Следующий контакт", "-1 — не номер даты Excel"),
        (4, "Создан", "TRUE — не дата"),
        (4, "Телефон", "'+7 912' — не номер телефона"),
    ]


def test_a_cleared_row_keeping_only_old_flags_is_no_client():
    headers = [*EN_HEADERS, "Flags"]
    left = [""] * len(EN_HEADERS) + ["overdue 3d; no manager"]
    table = clients_table([{"client": "A"}, left, {"client": "B"}], headers=headers)
    assert [(c.row, c.client) for c in table.clients] == [(2, "A"), (4, "B")]
    assert {f.row for f in all_findings(table, TEAM, EN, TODAY)} == {2, 4}  # nothing on row 3


def test_sync_gives_no_id_to_a_row_holding_only_old_flags(book, run):
    from conftest import client_row, read_tab

    headers = [*EN_HEADERS, "Flags"]
    rows = [
        client_row(headers, client="A", manager="Olga", status="New", next_contact="24.11.2026"),
        client_row(headers, flags="overdue 3d"),
        client_row(headers, client="B", manager="Olga", status="New", next_contact="24.11.2026"),
    ]
    path = book(rows, headers=headers)
    assert run("check", str(path), "--date", str(TODAY)).exit_code == 0
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    ids = [row[0] for row in read_tab(path, "Clients")[1:4]]
    assert ids == ["C00001", "", "C00002"]


def test_repeated_date_cells_parse_by_their_own_type_and_date_system():
    """Dates are parsed once per distinct cell value: a serial, the same number as
    TRUE, and the same serial under the 1904 system must still read differently."""
    from sheetcrm.config import Config

    headers = ["Client", "Next contact"]
    rows = [
        headers,
        ["A", 46349],
        ["B", True],
        ["C", 46349.0],
        ["D", 46349],
        ["E", "bad"],
        ["F", "bad"],
    ]
    cfg = Config()
    plain = parse_clients(RawTable("Clients", rows), cfg).clients
    day = date(2026, 11, 23)
    assert [c.next_contact for c in plain] == [day, None, day, day, None, None]
    assert "next_contact" in plain[1].errors
    assert "next_contact" in plain[4].errors and "next_contact" in plain[5].errors
    shifted = parse_clients(RawTable("Clients", rows), cfg, date1904=True).clients
    assert shifted[0].next_contact == date(2030, 11, 24)


def test_loading_leaves_garbage_collection_as_it_was():
    import gc

    from sheetcrm.workspace import gc_paused

    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_id_typed_in_lower_case_is_the_same_id(book, run):
    from conftest import read_tab

    rows = [
        {"id": "c00007", "client": "A", "manager": "Olga", "status": "New"},
        {"id": "C00007", "client": "B", "manager": "Olga", "status": "New"},
        {"client": "C", "manager": "Olga", "status": "New", "next_contact": "24.11.2026"},
    ]
    for row in rows:
        row.setdefault("next_contact", "24.11.2026")
    path = book(rows)
    check = run("check", str(path), "--format", "json", "--date", str(TODAY))
    found = [(f["row"], f["problem"]) for f in json.loads(check.stdout) if "ID" in f["problem"]]
    assert found == [(3, "'C00007': duplicate ID")]
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    assert read_tab(path, "Clients")[3][0] == "C00008"  # after c00007, not a second C00007


@pytest.mark.parametrize(
    "second",
    [
        ["Client", "Phone", "Manager", "Status", "Next contact"],  # the header repeated
        ["Клиент", "Телефон", "Менеджер", "Статус ", "Дата след. контакта"],  # in Russian
    ],
)
def test_a_second_header_row_is_no_client(book, run, second):
    from conftest import read_tab

    headers = ["Client", "Phone", "Manager", "Status", "Next contact"]
    rows = [second, ["Romashka", "89123456789", "Olga", "New", "23.11.2026"]]
    path = book(rows, headers=headers)
    result = run("check", str(path), "--date", str(TODAY), "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    after = read_tab(path, "Clients")
    assert after[1] == [*second, "", ""]  # no ID, no flags in the second header row
    assert after[2][:6] == ["Romashka", "89123456789", "Olga", "New", "23.11.2026", "C00001"]


def test_rows_holding_only_a_comment_a_sum_or_the_teams_notes_are_no_clients(book, run):
    from conftest import read_tab

    headers = ["Client", "Manager", "Status", "Next contact", "Amount", "Comment", "Our notes"]
    rows = [
        ["Romashka", "Olga", "New", "23.11.2026", 1500, "", ""],
        ["", "", "", "", "", "call back after the holidays", ""],
        ["Vector", "Olga", "New", "24.11.2026", 2500, "", ""],
        ["", "", "", "", 4000, "", "total"],
        ["", "", "", "", "", "", "", "", "see the price list"],  # a note right of the table
        ["", "Olga", "New", "24.11.2026", "", "who?", ""],  # a client without a name
    ]
    path = book(rows, headers=headers)
    result = run("check", str(path), "--date", str(TODAY), "--format", "json")
    assert [(f["row"], f["column"]) for f in json.loads(result.stdout)] == [(7, "Client")]
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    after = read_tab(path, "Clients")
    assert after[0][7:] == ["", "", "ID", "Flags"]  # added right of the note in column I
    assert [row[9] for row in after[1:]] == ["C00001", "", "C00002", "", "", "C00003"]
    assert [row[10] for row in after[1:]] == ["", "", "", "", "", "no client name"]
    assert after[2][5] == "call back after the holidays" and after[5][8] == "see the price list"


@pytest.mark.parametrize(
    "below",
    [
        [["Всего клиентов: 3", "", "", "", ""]],
        [["", "", "", "", ""], ["", "", "", "", "", "цены без НДС"]],
        [["Total clients 3", "", "", "", ""], ["", "", "", "", "", "see the price list"]],
    ],
)
def test_a_sum_row_above_a_count_line_or_a_note_is_no_client(book, run, below):
    """An "Итого" row above "Всего клиентов: 3" (or a note) was read as a client: flagged."""
    from conftest import read_tab

    headers = ["Client", "Phone", "Manager", "Status", "Next contact", "Amount", "Comment"]
    rows = [
        ["Romashka", "89123456789", "Olga", "New", "25.11.2026", 1500],
        ["Vector", "89123456780", "Olga", "New", "25.11.2026", 2500],
        ["Итого", "", "", "", "", 4000],
        *below,
    ]
    path = book(rows, headers=headers)
    result = run("check", str(path), "--date", str(TODAY), "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert run("sync", str(path), "--date", str(TODAY)).exit_code == 0
    ids = [row[7] for row in read_tab(path, "Clients")[1:]]
    assert ids[:3] == ["C00001", "C00002", ""] and not any(ids[3:])


def test_a_client_below_the_sum_row_or_a_lone_count_line_is_still_read():
    table = clients_table(
        [
            ["Romashka", "89123456789", "Olga", "New", "23.11.2026"],
            ["Итого", "", "", "", ""],
            ["Всего понемногу", "89123456780", "Olga", "New", "24.11.2026"],
            ["Всего клиентов: 3", "", "", "", ""],
        ],
        headers=["Client", "Phone", "Manager", "Status", "Next contact"],
    )
    assert {2, 4} <= {c.row for c in table.clients}  # "Всего понемногу" has a phone
