"""`report`: every figure checked against numbers worked out by hand from the rows."""

from __future__ import annotations

import json

from conftest import EN_HEADERS, read_tab
from openpyxl import load_workbook

HEADERS = [*EN_HEADERS, "Closed on"]
TODAY = ["--date", "2026-11-23"]

# Today is 23.11.2026; the period is November 2026.
# fmt: off
ROWS = [
    # Olga
    {"client": "O1", "manager": "Olga", "status": "New", "next_contact": "25.11.2026",
     "created": "05.11.2026", "city": "Moscow"},  # new, due, not overdue
    {"client": "O2", "manager": "Olga", "status": "In progress", "next_contact": "20.11.2026",
     "created": "15.10.2026", "city": "Moscow"},  # due, overdue 3 days
    {"client": "O3", "manager": "Olga", "status": "Postponed", "next_contact": "10.10.2026",
     "created": "01.09.2026", "city": "Kazan"},  # overdue 44 days, due before the period
    {"client": "O4", "manager": "Olga", "status": "Won", "amount": 100000,
     "closed_on": "12.11.2026", "created": "01.10.2026", "city": "Moscow"},  # won in the period
    {"client": "O5", "manager": "Olga", "status": "Won", "amount": 50000,
     "closed_on": "28.10.2026", "city": "Moscow"},  # won before the period
    {"client": "O6", "manager": "Olga", "status": "Refused", "refusal_reason": "Too expensive",
     "closed_on": "03.11.2026", "created": "02.11.2026", "city": "Kazan"},  # new, refused
    # Ivan
    {"client": "I1", "manager": "Ivan", "status": "In progress", "next_contact": "01.12.2026",
     "created": "20.11.2026", "city": "Kazan"},  # new, due after the period
    {"client": "I2", "manager": "Ivan", "status": "Won", "amount": 70000,
     "closed_on": "20.11.2026", "city": "Kazan"},
    {"client": "I3", "manager": "Ivan", "status": "Refused", "refusal_reason": "No need",
     "closed_on": "21.11.2026", "city": "Moscow"},
    {"client": "I4", "manager": "Ivan", "status": "Refused", "refusal_reason": "No need",
     "city": "Kazan"},  # no closing date: left out, and said so
    {"client": "I5", "manager": "Ivan", "status": "In progress", "next_contact": "22.11.2026"},
    # nobody
    {"client": "N1", "status": "New", "next_contact": "23.11.2026", "created": "23.11.2026",
     "city": "Moscow"},  # new, due today: not overdue
]
# fmt: on

KEYS = [
    "group",
    "clients",
    "open",
    "new",
    "due",
    "overdue",
    "won",
    "won_amount",
    "refused",
    "conversion",
    "avg_days_overdue",
]


def figures(run, path, *args: str) -> list[list]:
    result = run("report", str(path), *TODAY, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [[row[k] for k in KEYS] for row in json.loads(result.stdout)]


def test_by_manager_every_figure(book, run):
    path = book(ROWS, headers=HEADERS)
    assert figures(run, path, "--period", "2026-11") == [
        # group     clients open new due overdue won amount refused conversion avg overdue
        ["Ivan", 5, 2, 1, 1, 1, 1, 70000.0, 1, 0.5, 1.0],
        ["Olga", 6, 3, 2, 2, 2, 1, 100000.0, 1, 0.5, 23.5],  # (3 + 44) / 2
        ["(nobody)", 1, 1, 1, 1, 0, 0, 0.0, 0, None, None],
        ["Total", 12, 6, 4, 4, 3, 2, 170000.0, 2, 0.5, 16.0],  # (1 + 3 + 44) / 3
    ]


def test_by_city_every_figure(book, run):
    path = book(ROWS, headers=HEADERS)
    assert figures(run, path, "--period", "2026-11", "--by", "city") == [
        ["Kazan", 5, 2, 2, 0, 1, 1, 70000.0, 1, 0.5, 44.0],
        ["Moscow", 6, 3, 2, 3, 1, 1, 100000.0, 1, 0.5, 3.0],
        ["(none)", 1, 1, 0, 1, 1, 0, 0.0, 0, None, 1.0],
        ["Total", 12, 6, 4, 4, 3, 2, 170000.0, 2, 0.5, 16.0],
    ]


def test_since_until_and_another_month(book, run):
    path = book(ROWS, headers=HEADERS)
    total = figures(run, path, "--since", "2026-11-20", "--until", "23.11.2026")[-1]
    # new: I1 (20.11), N1 (23.11); due: O2, I5, N1; won: I2; refused: I3
    assert total == ["Total", 12, 6, 2, 3, 3, 1, 70000.0, 1, 0.5, 16.0]
    october = figures(run, path, "--period", "2026-10")[-1]
    # new: O2 (15.10), O4 (01.10); due: O3 (10.10); won: O5; nothing refused
    assert october == ["Total", 12, 6, 2, 1, 3, 1, 50000.0, 0, 1.0, 16.0]


def test_text_output_has_title_totals_and_the_undated_note(book, run):
    path = book(ROWS, headers=HEADERS)
    result = run("report", str(path), *TODAY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Report 01.11.2026 – 30.11.2026 by manager"
    assert lines[1].split("  ")[0] == "Manager"
    assert lines[5].split() == [
        "Total",
        "12",
        "6",
        "4",
        "4",
        "3",
        "2",
        "170000",
        "2",
        "50.0%",
        "16",
    ]
    assert lines[6] == (
        "1 won/refused client(s) have no closing date (closed-on column or history) "
        "and are left out of won/refused"
    )


def test_without_closing_dates_counts_by_current_status_and_says_so(book, run):
    rows = [{k: v for k, v in r.items() if k != "closed_on"} for r in ROWS]
    path = book(rows)
    total = figures(run, path, "--period", "2026-11")[-1]
    # all five won/refused rows count, whatever the period: won O4, O5, I2; refused O6, I3, I4
    assert total == ["Total", 12, 6, 4, 4, 3, 3, 220000.0, 3, 0.5, 16.0]
    text = run("report", str(path), *TODAY).stdout
    assert "no closed-on column and no history of status changes: won and refused are" in text


def test_a_blank_closed_on_column_is_named_in_the_note(book, run):
    path = book([{**r, "closed_on": ""} for r in ROWS], headers=HEADERS)
    text = run("report", str(path), *TODAY).stdout
    assert (
        "the 'Closed on' column holds no date and there is no history of status changes: "
        "won and refused are counted by current status, whatever the period"
    ) in text
    assert "no closed-on column" not in text


def test_history_dates_the_closings_when_there_is_no_closed_on_column(book, run):
    from test_history import edit, sync_on

    rows = [
        {
            "client": "A",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": "05.10.2026",
            "amount": 1000,
        },
        {"client": "B", "manager": "Olga", "status": "In progress", "next_contact": "05.10.2026"},
        {"client": "C", "manager": "Ivan", "status": "Won", "amount": 5000},  # won before history
    ]
    path = book(rows)
    sync_on(run, path, "2026-10-30")
    edit(path, "C00001", status="Won", next_contact=None)
    sync_on(run, path, "2026-11-02")
    edit(path, "C00002", status="Refused", next_contact=None, refusal_reason="No need")
    sync_on(run, path, "2026-11-10")
    november = figures(run, path, "--period", "2026-11")
    assert november == [
        ["Ivan", 1, 0, 0, 0, 0, 0, 0.0, 0, None, None],
        ["Olga", 2, 0, 0, 0, 0, 1, 1000.0, 1, 0.5, None],
        ["Total", 3, 0, 0, 0, 0, 1, 1000.0, 1, 0.5, None],
    ]
    assert figures(run, path, "--period", "2026-10")[-1][6:9] == [0, 0.0, 0]
    text = run("report", str(path), *TODAY).stdout
    assert "1 won/refused client(s) have no closing date" in text


def test_new_clients_without_created_date_count_from_when_history_first_saw_them(book, run):
    from test_history import add_row, sync_on

    path = book(
        [{"client": "Old", "manager": "Olga", "status": "New", "next_contact": "01.12.2026"}]
    )
    sync_on(run, path, "2026-10-30")
    add_row(path, client="Fresh", manager="Olga", status="New", next_contact="01.12.2026")
    sync_on(run, path, "2026-11-03")
    assert figures(run, path, "--period", "2026-11")[-1][:4] == ["Total", 2, 2, 1]
    assert figures(run, path, "--period", "2026-10")[-1][:4] == ["Total", 2, 2, 0]


def test_markdown_and_csv(book, run):
    path = book(ROWS, headers=HEADERS)
    md = run("report", str(path), *TODAY, "--format", "md").stdout
    assert md.startswith("## Report 01.11.2026 – 30.11.2026 by manager\n")
    assert "| Olga | 6 | 3 | 2 | 2 | 2 | 1 | 100000 | 1 | 50.0% | 23.50 |" in md
    csv = run("report", str(path), *TODAY, "--format", "csv", "--by", "product").stdout.splitlines()
    assert csv[0] == ",".join(KEYS)
    assert csv[-1] == "Total,12,6,4,4,3,2,170000.0,2,0.5,16.0"


def test_xlsx_workbook(book, run, tmp_path):
    path = book(ROWS, headers=HEADERS)
    out = tmp_path / "nov.xlsx"
    result = run("report", str(path), *TODAY, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out}")
    sheet = load_workbook(out)["Report"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][0] == "Report 01.11.2026 – 30.11.2026 by manager"
    assert rows[1][:3] == ["Manager", "Clients", "Open"]
    assert rows[3] == ["Olga", 6, 3, 2, 2, 2, 1, 100000, 1, 0.5, 23.5]
    assert rows[5] == ["Total", 12, 6, 4, 4, 3, 2, 170000, 2, 0.5, 16]
    assert rows[6][0].startswith("1 won/refused client(s) have no closing date")
    assert sheet.cell(6, 10).number_format == "0.0%"


def test_xlsx_default_name_and_out_for_text(book, run, tmp_path, monkeypatch):
    path = book(ROWS, headers=HEADERS)
    monkeypatch.chdir(tmp_path)
    assert (
        run("report", str(path), *TODAY, "--format", "xlsx", "--period", "2026-10").exit_code == 0
    )
    assert (tmp_path / "report-2026-10.xlsx").is_file()
    result = run("report", str(path), *TODAY, "--out", "nov.md", "--format", "md")
    assert result.exit_code == 0
    assert (tmp_path / "nov.md").read_text(encoding="utf-8").startswith("## Report 01.11.2026")


def test_out_never_writes_over_the_client_workbook(book, run, tmp_path, monkeypatch):
    path = book(ROWS, headers=HEADERS)
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    for args in (["--format", "xlsx"], ["--format", "csv"], []):
        for out in (str(path), path.name):  # by its full path or from its folder
            result = run("report", str(path), *TODAY, *args, "--out", out)
            assert result.exit_code == 2
            assert "is the client workbook the report is made from" in result.stderr
            assert path.read_bytes() == before
    result = run("chart", "funnel", str(path), "--out", path.name)
    assert result.exit_code == 2
    assert "is the client workbook the chart is made from" in result.stderr
    assert path.read_bytes() == before


def test_dates_before_the_year_1000_keep_four_digits_of_year(book, run, tmp_path, monkeypatch):
    path = book(ROWS, headers=HEADERS)
    monkeypatch.chdir(tmp_path)
    since = ["--since", "0001-01-01", "--until", "0001-01-31"]
    result = run("report", str(path), *TODAY, *since)
    assert result.stdout.splitlines()[0] == "Report 01.01.0001 – 31.01.0001 by manager"
    assert run("report", str(path), *TODAY, *since, "--format", "xlsx").exit_code == 0
    assert (tmp_path / "report-0001-01.xlsx").exists()
    backwards = run("report", str(path), *TODAY, "--since", "0999-12-01", "--until", "0999-01-01")
    assert "--until 01.01.0999 is before --since 01.12.0999" in backwards.stderr


def test_bad_periods_are_usage_errors(book, run):
    path = book(ROWS, headers=HEADERS)
    for args, message in (
        (["--period", "2026-13"], "use a month such as 2026-11"),
        (["--period", "0000"], "use a month such as 2026-11"),
        (["--period", "0000-05"], "use a month such as 2026-11"),
        (["--period", "2026-11", "--since", "2026-11-01"], "either --period or --since/--until"),
        (["--until", "2026-11-01"], "--until needs --since"),
        (["--since", "2026-11-10", "--until", "2026-11-01"], "is before --since"),
    ):
        result = run("report", str(path), *TODAY, *args)
        assert result.exit_code == 2
        assert message in result.stderr


def test_sync_keeps_a_report_tab_when_configured(book, run, en_config):
    path = book(ROWS, headers=HEADERS)
    assert "Report" not in _tabs(path)
    en_config.write_text("language: en\nkeep_report_tab: true\n", encoding="utf-8")
    result = run("sync", str(path), *TODAY)
    assert result.exit_code == 0, result.output
    assert "Report" in result.stdout
    tab = read_tab(path, "Report")
    assert tab[0][0] == "Report 01.11.2026 – 30.11.2026 by manager"
    assert tab[1][:2] == ["Manager", "Clients"]
    assert tab[5][:9] == ["Total", 12.0, 6.0, 4.0, 4.0, 3.0, 2.0, 170000.0, 2.0]
    again = run("sync", str(path), *TODAY)
    assert again.stdout.strip() == "crm.xlsx: up to date, nothing to change."


def test_russian_report(book, run, en_config):
    en_config.write_text("language: ru\n", encoding="utf-8")
    path = book(ROWS, headers=HEADERS)
    lines = run("report", str(path), *TODAY).stdout.splitlines()
    assert lines[0] == "Отчёт 01.11.2026 – 30.11.2026, по: менеджер"
    assert lines[1].startswith("Менеджер")
    assert lines[5].startswith("Итого")


def _tabs(path) -> list[str]:
    return load_workbook(path, read_only=True).sheetnames


def test_groups_differing_only_in_case_spaces_or_yo_are_one_line(book, run):
    """A city typed "Moscow" on one row and "moscow " on another is one city, as in `refusals`;
    so is a manager off the Managers tab written two ways."""
    rows = [
        {"client": "A", "manager": "Petya", "status": "New", "next_contact": "25.11.2026",
         "city": "Moscow"},
        {"client": "B", "manager": "petya ", "status": "New", "next_contact": "26.11.2026",
         "city": "moscow "},
        {"client": "C", "manager": "Olga", "status": "Won", "amount": 500, "city": "MOSCOW"},
        {"client": "D", "manager": "Olga", "status": "New", "next_contact": "27.11.2026",
         "city": "Kazan"},
    ]  # fmt: skip
    path = book(rows)
    by_city = figures(run, path, "--period", "2026-11", "--by", "city")
    assert [r[:3] for r in by_city] == [["Kazan", 1, 1], ["Moscow", 3, 2], ["Total", 4, 3]]
    by_manager = figures(run, path, "--period", "2026-11")
    assert [r[:3] for r in by_manager] == [["Olga", 2, 1], ["Petya", 2, 2], ["Total", 4, 3]]


def test_out_csv_file_opens_in_excel_with_its_cyrillic(book, run, en_config, tmp_path):
    """Excel reads a CSV file as the system's code page unless it starts with a UTF-8
    byte-order mark: without one, "Итого" showed as "РС‚РѕРіРѕ"."""
    en_config.write_text("language: ru\n", encoding="utf-8")
    path = book(ROWS, headers=HEADERS)
    out = tmp_path / "nov.csv"
    assert run("report", str(path), *TODAY, "--format", "csv", "--out", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"group,clients,")
    assert data.decode("utf-8-sig").splitlines()[-1].startswith("Итого,12,")
    piped = run("report", str(path), *TODAY, "--format", "csv").stdout
    assert piped.startswith("group,clients,")  # no mark for a script reading the output


def test_since_after_today_without_until_names_what_the_user_typed(book, run):
    """`--since 2026-12-01` alone on 23.11.2026 blamed an --until nobody typed."""
    path = book(ROWS, headers=HEADERS)
    result = run("report", str(path), *TODAY, "--since", "2026-12-01")
    assert result.exit_code == 2
    assert "--since 01.12.2026 is after today (23.11.2026)" in result.stderr
    assert "give --until too" in result.stderr
    assert "is before --since" not in result.stderr
    ahead = figures(run, path, "--since", "2026-12-01", "--until", "2026-12-31")
    assert ahead[-1][:5] == ["Total", 12, 6, 0, 1]  # I1 is due on 01.12.2026


def _with_bad_closing_dates() -> list[dict]:
    rows = [dict(r) for r in ROWS]
    rows[7]["closed_on"] = "вчера"  # I2, won: the report cannot date it
    rows[8]["closed_on"] = "31.11.2026"  # I3, refused: no such day
    return rows


def test_a_closing_date_that_is_not_a_date_is_named_by_check_and_counted_by_report(book, run):
    """A "Closed on" cell holding "вчера" was silently taken for no closing date."""
    path = book(_with_bad_closing_dates(), headers=HEADERS)
    result = run("check", str(path), *TODAY, "--format", "json")
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout) if f["column"] == "Closed on"]
    assert found == [
        {
            "row": 9,
            "column": "Closed on",
            "severity": "error",
            "problem": "'вчера' is not a date",
            "expected": "a date such as 23.11.2026 or 2026-11-23",
            "client": "I2",
        },
        {
            "row": 10,
            "column": "Closed on",
            "severity": "error",
            "problem": "'31.11.2026' is not a real date",
            "expected": "a date such as 23.11.2026 or 2026-11-23",
            "client": "I3",
        },
    ]
    # I2 and I3 are left out of won/refused, and the notes tell them from I4 (no date at all)
    assert figures(run, path, "--period", "2026-11")[0][6:9] == [0, 0.0, 0]
    notes = run("report", str(path), *TODAY).stdout.splitlines()[-2:]
    assert notes == [
        "1 won/refused client(s) have no closing date (closed-on column or history) "
        "and are left out of won/refused",
        "2 won/refused client(s) have a 'Closed on' cell that is not a date and are left out "
        "of won/refused; `sheetcrm check` names the cells",
    ]


def test_closing_dates_all_unreadable_are_not_counted_by_current_status(book, run):
    rows = [r for r in _with_bad_closing_dates() if r["client"] in ("I2", "I3", "I5")]
    path = book(rows, headers=HEADERS)
    lines = run("report", str(path), *TODAY).stdout.splitlines()
    assert lines[-2].split()[:9] == ["Total", "3", "1", "0", "1", "1", "0", "0", "0"]
    assert lines[-1].startswith("2 won/refused client(s) have a 'Closed on' cell that is not")


def test_bad_closing_date_in_russian(book, run, en_config):
    en_config.write_text("language: ru\n", encoding="utf-8")
    headers = [*EN_HEADERS[:-1], "Комментарий", "Дата закрытия"]
    rows = [
        ["", "ООО Ромашка", "", "", "Olga", "Успех", "", "", "", "", "", "", "", 5000, "", "вчера"]
    ]
    path = book(rows, headers=headers)
    result = run("check", str(path), *TODAY)
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "Дата закрытия" in x)
    assert line.split()[:2] == ["2", "Дата"]
    assert "'вчера' — не дата" in line
    assert "дата, например 23.11.2026" in line
    report = run("report", str(path), *TODAY).stdout
    assert (
        "у 1 закрытых клиентов в столбце «Дата закрытия» не дата; они не вошли в успех/отказ "
        "(ячейки покажет `sheetcrm check`)"
    ) in report


def test_json_gives_null_for_a_missing_conversion_or_average_other_formats_a_blank(book, run):
    """JSON gave "" where nothing was closed or nobody is overdue: a reader expects null."""
    path = book(ROWS, headers=HEADERS)
    result = run("report", str(path), *TODAY, "--format", "json")
    nobody = json.loads(result.stdout)[2]
    assert nobody["group"] == "(nobody)"
    assert nobody["conversion"] is None and nobody["avg_days_overdue"] is None
    assert '"conversion": null' in result.stdout
    csv = run("report", str(path), *TODAY, "--format", "csv").stdout.splitlines()
    assert csv[3] == "(nobody),1,1,1,1,0,0,0.0,0,,"
    md = run("report", str(path), *TODAY, "--format", "md").stdout
    assert "| (nobody) | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 |  |  |" in md
    text = run("report", str(path), *TODAY).stdout.splitlines()
    assert text[4].split() == ["(nobody)", "1", "1", "1", "1", "0", "0", "0", "0"]


def test_report_by_a_column_the_sheet_lacks_says_so(book, run):
    """A sheet without a City column reported by city showed one "(none)" line holding every
    client, as if no client had a city."""
    rows = [{k: v for k, v in r.items() if k != "city"} for r in ROWS]
    path = book(rows, headers=[h for h in HEADERS if h not in ("City", "Source")])
    for by, message in (
        ("city", "tab 'Clients' has no city column ('Город', 'City', …)"),
        ("source", "rename the column of lead sources or name it in config.yaml"),
    ):
        result = run("report", str(path), *TODAY, "--by", by)
        assert result.exit_code == 2
        assert message in result.stderr
        assert result.stdout == ""
    assert figures(run, path, "--by", "product")[-1][:2] == ["Total", len(ROWS)]
