"""Cells showing a formula error (#N/A, #REF!…): python-calamine reads them as empty,
Google Sheets as their text. Both read as the text, and `check` says the formula fails
instead of calling the cell missing."""

from __future__ import annotations

import json
import zipfile

import pytest
from conftest import EN_HEADERS, TODAY, read_tab
from openpyxl import load_workbook

from sheetcrm.values import CellError, normalize_phones, parse_date, parse_number

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]
ROWS = [
    {"id": "C00001", "client": "Alfa", "manager": "Olga", "status": "New", "next_contact": "#N/A"},
    {
        "client": "Beta",
        "manager": "Olga",
        "status": "New",
        "next_contact": "24.11.2026",
        "phone": "#REF!",
        "amount": "#DIV/0!",
    },
]
NEXT = EN_HEADERS.index("Next contact")


def findings(result) -> list[tuple[int, str, str]]:
    return [(f["row"], f["column"], f["problem"]) for f in json.loads(result.stdout)]


def test_check_says_a_formula_fails_on_excel_and_on_google_alike(book, google, run):
    path = book(ROWS)
    assert load_workbook(path)["Clients"].cell(2, NEXT + 1).data_type == "e"  # an error cell
    key = google.add(
        {
            "Clients": [
                EN_HEADERS,
                *([r.get(h.lower().replace(" ", "_"), "") for h in EN_HEADERS] for r in ROWS),
            ],
            "Managers": [["Name", "Active"], ["Olga", "yes"]],
        }
    )
    excel = run("check", str(path), "--format", "json", *DAY)
    sheet = run("check", google.url(key), "--format", "json", *DAY)
    assert excel.exit_code == 1
    fails = "its formula fails; fix the formula or type the value"
    assert findings(excel) == [
        (2, "Next contact", f"shows #N/A: {fails}"),
        (3, "Phone", f"shows #REF!: {fails}"),
        (3, "Amount", f"shows #DIV/0!: {fails}"),
    ]
    assert findings(sheet) == findings(excel)


def test_an_error_cell_reads_as_its_text_and_others_are_unchanged(book):
    path = book(ROWS)
    rows = read_tab(path, "Clients")
    assert rows[1][NEXT] == "#N/A"
    assert rows[2][EN_HEADERS.index("Phone")] == "#REF!"
    assert rows[2][NEXT] == "24.11.2026"
    assert rows[1][EN_HEADERS.index("Client")] == "Alfa"


def test_sync_keeps_error_cells_and_their_formulas_as_they_were(book, run):
    path = book(ROWS)
    with zipfile.ZipFile(path) as z:  # as Excel saves a failing lookup: formula and error
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    error = b'<c r="G2" t="e"><v>#N/A</v></c>'
    assert error in parts[sheet]
    formula = b'<c r="G2" t="e"><f>VLOOKUP(B2,Plan!A:B,2,0)</f><v>#N/A</v></c>'
    parts[sheet] = parts[sheet].replace(error, formula)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)

    result = run("sync", str(path), *DAY)

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as z:
        assert formula in z.read(sheet)
    ws = load_workbook(path)["Clients"]
    assert ws.cell(3, 1).value == "C00002"  # the new client got an ID
    assert ws.cell(3, EN_HEADERS.index("Phone") + 1).value == "#REF!"
    assert ws.cell(1, len(EN_HEADERS) + 1).value == "Flags"
    assert ws.cell(2, len(EN_HEADERS) + 1).value == "bad date"  # not "no next contact"


@pytest.mark.parametrize(
    ("parse", "cell"),
    [
        (parse_date, "#N/A"),
        (parse_date, "#VALUE!"),
        (parse_number, "#DIV/0!"),
        (normalize_phones, "#REF!"),
        (normalize_phones, "#DIV/0!"),  # a slash would split phones
        (parse_date, "#ERROR!"),  # Google Sheets' parse error
    ],
)
def test_a_formula_error_is_named_by_every_parser(parse, cell):
    with pytest.raises(CellError) as caught:
        parse(cell)
    assert caught.value.key == "formula_error"
    assert str(caught.value).startswith(f"shows {cell}: its formula fails")
