"""Every command gives the same result on a Google Sheet as on the same data in an .xlsx."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row
from sheets_server import google_env

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


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from google_env(tmp_path, monkeypatch)


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


def same(run, args_before, args_after, xlsx, sheet):
    a = run(*args_before, xlsx, *args_after)
    b = run(*args_before, sheet, *args_after)
    assert a.exit_code == b.exit_code, (a.output, b.output)
    assert a.stdout == b.stdout
    return a, b


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_today_is_the_same_on_google(both, run, fmt):
    xlsx, sheet = both()
    a, b = same(run, ["today"], [*DAY, "--format", fmt], xlsx, sheet)
    assert a.exit_code == 0
    assert "Daisy" in b.stdout and "Orion" in b.stdout
