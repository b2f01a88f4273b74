"""Shares in the tabs sync writes (a refusal reason's share, a manager's conversion) show
as percentages, as in the terminal, not as 0.5; counts beside them stay counts."""

from __future__ import annotations

from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row
from openpyxl import load_workbook

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]


def refused(client: str, manager: str, reason: str) -> dict[str, str]:
    return {"client": client, "manager": manager, "status": "Refused", "refusal_reason": reason}


ROWS = [
    refused("Alfa", "Olga", "Too expensive"),
    refused("Beta", "Olga", "Too expensive"),
    refused("Gamma", "Ivan", "Chose a competitor"),
    refused("Delta", "Ivan", "Too expensive"),
]


def test_refusal_shares_in_an_excel_workbook_are_percent_cells(book, run):
    path = book(ROWS)
    assert run("sync", str(path), *DAY).exit_code == 0
    ws = load_workbook(path)["Refusals"]
    rows = [[c.value for c in r] for r in ws.iter_rows(max_col=4)]
    assert rows[0][:3] == ["Reason", "Count", "Share"]
    assert rows[1][:3] == ["Too expensive", 3, 0.75]
    assert ws["C2"].number_format == "0.0%" and ws["C3"].number_format == "0.0%"
    assert ws["B2"].number_format == "General"  # the count is a count
    share = rows[0].index("Share")
    manager_rows = [i + 1 for i, r in enumerate(rows) if r[0] in ("Olga", "Ivan")]
    assert manager_rows
    for r in manager_rows:  # by manager, the share is one column further right
        assert ws.cell(r, share + 2).number_format == "0.0%"
        assert ws.cell(r, share + 1).number_format == "General"


def test_the_report_tab_shows_conversion_as_a_percentage(book, run, tmp_path):
    config = tmp_path / "report.yaml"
    config.write_text("language: en\nkeep_report_tab: true\n", encoding="utf-8")
    path = book(ROWS)
    assert run("sync", str(path), *DAY, config=config).exit_code == 0
    ws = load_workbook(path)["Report"]
    header = [c.value for c in ws[2]]
    col = header.index("Conversion") + 1
    assert ws.cell(3, col).value == 0  # nobody won: 0 of what was closed
    assert ws.cell(3, col).number_format == "0.0%"


def percent_cells(google, key: str) -> list[tuple[int, int]]:
    formats = google.server.books[key].sheet("Refusals").formats
    return sorted(rc for rc, kind in formats.items() if kind == "PERCENT")


def test_google_shows_shares_as_percentages_and_clears_them_where_rows_moved(google, run):
    key = google.add(
        {"Clients": [EN_HEADERS, *(client_row(**r) for r in ROWS)], "Managers": EN_MANAGERS}
    )
    assert run("sync", google.url(key), *DAY).exit_code == 0
    values = google.server.values(key, "Refusals")
    percent = percent_cells(google, key)
    assert percent == [(1, 2), (2, 2), (5, 3), (6, 3), (7, 3)]
    assert [values[r][c] for r, c in percent] == [0.75, 0.25, 0.5, 0.5, 1]

    # four reasons, then one: the by-manager counts move up to where shares were
    reason = EN_HEADERS.index("Refusal reason")
    for r, text in enumerate(["No budget", "Went silent", "Chose a competitor"], start=1):
        google.server.books[key].sheet("Clients").cells[r][reason] = text
    assert run("sync", google.url(key), *DAY).exit_code == 0
    assert (4, 2) in percent_cells(google, key)  # the fourth reason's share
    for r in (1, 2, 3):
        google.server.books[key].sheet("Clients").cells[r][reason] = "Too expensive"
    assert run("sync", google.url(key), *DAY).exit_code == 0
    values = google.server.values(key, "Refusals")
    assert values[3][:3] == ["Manager", "Reason", "Count"]
    assert values[4][:3] == ["Ivan", "Too expensive", 2]
    assert percent_cells(google, key) == [(1, 2), (4, 3), (5, 3)]  # not the count at (4, 2)
