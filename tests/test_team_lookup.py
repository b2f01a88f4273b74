"""who (phone in any form, e-mail, name) and duplicates."""

import json

import pytest
from conftest import TODAY, read_tab

ROWS = [
    {
        "id": "C00001",
        "client": "Daisy Ltd",
        "phone": "8 (912) 345-67-89",
        "email": "Anna@Daisy.example",
        "manager": "Olga",
        "status": "In progress",
        "next_contact": "25.11.2026",
        "comment": "sent the offer\ncall back after the holiday",
    },
    {
        "id": "C00002",
        "client": "Vector LLC",
        "phone": "+7 495 111-22-33",
        "manager": "Petr",
        "status": "New",
        "next_contact": "24.11.2026",
    },
    {
        "id": "C00003",
        "client": "Daisy Ltd (2nd office)",
        "phone": "89123456789",
        "manager": "Ivan",
        "status": "New",
        "next_contact": "24.11.2026",
    },
    {
        "id": "C00004",
        "client": "Orion",
        "email": "anna@daisy.example",
        "manager": "Masha",
        "status": "Won",
    },
]


@pytest.mark.parametrize(
    "query",
    [
        "+7 912 345-67-89",
        "8 (912) 3456789",
        "9123456789",
        "+79123456789",
        "8-912-345-67-89",
        "345-67-89",
    ],
)
def test_every_phone_form_finds_the_same_clients(book, run, query):
    path = book(ROWS)
    result = run("who", str(path), query, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == ["C00001", "C00003"]


def test_who_shows_manager_activity_status_next_contact_and_last_comment(book, run):
    path = book(ROWS)
    result = run("who", str(path), "+7 912 345-67-89", "--format", "json")
    first, second = json.loads(result.output)
    assert (
        first["manager"] == "Olga" and first["active"] == "Yes" and first["status"] == "In progress"
    )
    assert (
        first["next_contact"] == "2026-11-25" and first["comment"] == "call back after the holiday"
    )
    assert second["manager"] == "Ivan"
    petr = json.loads(run("who", str(path), "vector", "--format", "json").output)
    assert [(r["client"], r["active"]) for r in petr] == [("Vector LLC", "No")]
    masha = json.loads(run("who", str(path), "ANNA@daisy.example", "--format", "json").output)
    assert [(r["id"], r["active"]) for r in masha] == [
        ("C00001", "Yes"),
        ("C00004", "not on roster"),
    ]


def test_who_by_part_of_a_name_and_exit_1_when_nothing_matches(book, run):
    path = book(ROWS)
    result = run("who", str(path), "daisy")
    assert result.exit_code == 0
    assert "Daisy Ltd" in result.output and "Daisy Ltd (2nd office)" in result.output
    assert "Vector" not in result.output
    missing = run("who", str(path), "+7 999 000-00-00")
    assert missing.exit_code == 1
    assert "No client matches '+7 999 000-00-00'" in missing.output


def test_duplicates_groups_rows_by_phone_and_email_with_managers(book, run):
    path = book(ROWS)
    result = run("duplicates", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)
    assert [(g["same"], g["value"], g["rows"], g["managers"]) for g in groups] == [
        ("phone", "+79123456789", "2, 4", "Olga; Ivan"),
        ("e-mail", "anna@daisy.example", "2, 5", "Olga; Masha"),
    ]
    single = run("duplicates", str(book(ROWS[1:2], name="one.xlsx")))
    assert single.exit_code == 0 and "0 group(s) of duplicate rows." in single.output


def test_sync_flags_duplicates(book, run):
    path = book(ROWS)
    assert run("sync", str(path), "--date", TODAY.isoformat()).exit_code == 0
    rows = read_tab(path, "Clients")
    flags = rows[0].index("Flags")
    assert "duplicate of row 4" in rows[1][flags] and "duplicate of row 2" in rows[3][flags]


def _olgas_book(book, rows):
    """A workbook of `rows`, each an open client of Olga's due tomorrow."""
    return book(
        [{**row, "manager": "Olga", "status": "New", "next_contact": "24.11.2026"} for row in rows]
    )


def _problems_in(run, path, column):
    """(row, problem) of each finding `check` lists in `column`."""
    check = run("check", str(path), "--format", "json", "--date", TODAY.isoformat())
    return [(f["row"], f["problem"]) for f in json.loads(check.stdout) if f["column"] == column]


def test_two_phones_in_one_cell_are_both_the_clients(book, run):
    rows = [
        {"id": "C00001", "client": "Two lines", "phone": "8 912 345-67-89, 8 (913) 000-00-00"},
        {"id": "C00002", "client": "Second office", "phone": "+7 913 000 00 00"},
        {"id": "C00003", "client": "Lonely", "phone": "8 914 111-22-33"},
    ]
    path = _olgas_book(book, rows)
    for query in ("89123456789", "8 913 000-00-00", "000-00-00"):
        found = json.loads(run("who", str(path), query, "--format", "json").output)
        assert [r["id"] for r in found][:1] == ["C00001"], query
    groups = json.loads(run("duplicates", str(path), "--format", "json").output)
    assert [(g["same"], g["value"], g["rows"]) for g in groups] == [
        ("phone", "+79130000000", "2, 3")
    ]
    phone = _problems_in(run, path, "Phone")
    assert phone == [(2, "duplicate of row 3"), (3, "duplicate of row 2")]  # no "not a phone"


@pytest.mark.parametrize(
    "cell",
    [
        "anna@daisy.example, boss@daisy.example",
        "Anna@Daisy.example; boss@daisy.example",
        "anna@daisy.example boss@daisy.example",
        "Анна <anna@daisy.example>, Boss <Boss@daisy.example>",  # as a mail program writes them
    ],
)
def test_two_emails_in_one_cell_are_both_the_clients(book, run, cell):
    rows = [
        {"id": "C00001", "client": "Two addresses", "email": cell},
        {"id": "C00002", "client": "Boss", "email": "Boss@daisy.example"},
        {"id": "C00003", "client": "Not two", "email": "anna@daisy.example, нет"},
    ]
    path = _olgas_book(book, rows)
    found = json.loads(run("who", str(path), "boss@daisy.example", "--format", "json").output)
    assert [r["id"] for r in found] == ["C00001", "C00002"]
    groups = json.loads(run("duplicates", str(path), "--format", "json").output)
    assert [(g["same"], g["value"], g["rows"]) for g in groups] == [
        ("e-mail", "boss@daisy.example", "2, 3")
    ]
    email = _problems_in(run, path, "Email")
    assert email == [
        (2, "duplicate of row 3"),  # no "not an e-mail address"
        (3, "duplicate of row 2"),
        (4, "'anna@daisy.example, нет' is not an e-mail address"),
    ]


def test_a_phone_with_a_note_after_it_is_the_clients_phone(book, run):
    """ "+7 912 345 67 89 (Ольга)" was "not a phone number" and missed in the duplicates."""
    rows = [
        {"id": "C00001", "client": "Noted", "phone": "+7 912 345 67 89 (Ольга)"},
        {"id": "C00002", "client": "Plain", "phone": "8 912 345-67-89"},
        {"id": "C00003", "client": "Dashed", "phone": "+7 913 000 00 00 — бухгалтерия"},
    ]
    path = _olgas_book(book, rows)
    phone = _problems_in(run, path, "Phone")
    assert phone == [(2, "duplicate of row 3"), (3, "duplicate of row 2")]
    found = json.loads(run("who", str(path), "89130000000", "--format", "json").output)
    assert [r["id"] for r in found] == ["C00003"]


def test_an_email_with_an_invisible_character_is_the_same_address(book, run):
    """A zero-width space pasted from a web page hid a duplicate."""
    rows = [
        {"id": "C00001", "client": "Pasted", "email": "anna@daisy.example\u200b"},
        {"id": "C00002", "client": "Typed", "email": "Anna@daisy.example"},
    ]
    path = _olgas_book(book, rows)
    groups = json.loads(run("duplicates", str(path), "--format", "json").output)
    assert [(g["same"], g["value"], g["rows"]) for g in groups] == [
        ("e-mail", "anna@daisy.example", "2, 3")
    ]
    found = json.loads(run("who", str(path), "anna@daisy.example", "--format", "json").output)
    assert [r["id"] for r in found] == ["C00001", "C00002"]


def test_a_phone_missing_digits_is_no_phone(book, run):
    """ "8 912 345" and "8 (912) 345-67-8" passed `check`: their digits were read as a number
    of their own (+78912345, +78912345678), so a lost digit went unnoticed, and "8 (912)
    345-67-8" and "8912345678" were reported as duplicates of each other."""
    rows = [
        {"id": "C00001", "client": "Stump", "phone": "8 912 345"},
        {"id": "C00002", "client": "One short", "phone": "8 (912) 345-67-8"},
        {"id": "C00003", "client": "Run together", "phone": "8912345678"},
        {"id": "C00004", "client": "No area code", "phone": "345-67-89"},
        {"id": "C00005", "client": "Petersburg", "phone": "(812) 345-67-89"},
        {"id": "C00006", "client": "Petersburg too", "phone": "8123456780"},
        {"id": "C00007", "client": "Kemerovo area", "phone": "8 (38455) 2-34-56"},
        {"id": "C00008", "client": "Toll free", "phone": "8-800-555-35-35"},
    ]
    phone = _problems_in(run, _olgas_book(book, rows), "Phone")
    assert phone == [
        (2, "'8 912 345' is not a phone number"),
        (3, "'8 (912) 345-67-8' is not a phone number"),
        (4, "'8912345678' is not a phone number"),
        (5, "'345-67-89' is not a phone number"),
    ]
