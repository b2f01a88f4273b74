"""The Excel writer edits the package: what it changes, what it keeps, what it refuses."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row, read_tab, write_book
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.table import Table

from sheetcrm.backends.excel import ExcelBackend
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.plan import CellChange, Plan

DAY = ["--date", TODAY.isoformat()]
ROWS = [
    client_row(
        id="C00001", client="Daisy", manager="Olga", status="New", next_contact="20.11.2026"
    ),
    client_row(
        id="C00002", client="Vector", manager="Ivan", status="New", next_contact="01.12.2026"
    ),
    client_row(client="Orion", manager="", status="New", next_contact="23.11.2026"),
]


def crm(tmp_path: Path, name: str = "crm.xlsx") -> Path:
    return write_book(tmp_path / name, {"Clients": [EN_HEADERS, *ROWS], "Managers": EN_MANAGERS})


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def patch(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Rewrite one part of the package as another writer would have saved it."""
    data = parts(path)
    data[part] = change(data[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)


def add_part(path: Path, part: str, content: bytes) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(part, content)


def apply(path: Path, plan: Plan) -> None:
    backend = ExcelBackend(path, Config(language="en"))
    backend.apply(plan, backend.read(["Clients", "Managers", "Log"]))


def test_parts_it_does_not_own_stay_byte_identical(tmp_path, run):
    path = crm(tmp_path)
    # a drawing with a text box, which the former writer (openpyxl) had to refuse
    shape = b'<xdr:wsDr xmlns:xdr="urn:x"><xdr:sp><xdr:txBody>note</xdr:txBody></xdr:sp></xdr:wsDr>'
    add_part(path, "xl/drawings/drawing1.xml", shape)
    before = parts(path)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    after = parts(path)
    changed = {n for n in before if after.get(n) != before[n]}
    # the Clients sheet (ID, Flags), the workbook and content types naming the new tabs, styles
    assert changed == {
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
    }
    assert after["xl/drawings/drawing1.xml"] == shape
    assert load_workbook(path).sheetnames == [
        "Clients",
        "Managers",
        "Today",
        "Problems",
        "Refusals",
        "Log",
    ]


EXCEL_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Excel</Application><HeadingPairs>"
    '<vt:vector size="4" baseType="variant">'
    "<vt:variant><vt:lpstr>Листы</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant>"
    "<vt:variant><vt:lpstr>Именованные диапазоны</vt:lpstr></vt:variant>"
    "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
    '<TitlesOfParts><vt:vector size="{size}" baseType="lpstr">{titles}'
    "<vt:lpstr>Clients!Print_Area</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
)


def app_xml(*titles: str) -> str:
    listed = "".join(f"<vt:lpstr>{t}</vt:lpstr>" for t in titles)
    return EXCEL_APP_XML.format(n=len(titles), size=len(titles) + 1, titles=listed)


def test_the_tab_list_in_the_document_properties_names_the_new_tabs(tmp_path, run):
    path = crm(tmp_path)
    patch(path, "docProps/app.xml", lambda _: app_xml("Clients", "Managers"))
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    tabs = ("Clients", "Managers", "Today", "Problems", "Refusals", "Log")
    assert parts(path)["docProps/app.xml"].decode() == app_xml(*tabs)
    assert tuple(load_workbook(path).sheetnames) == tabs
    again = run("sync", str(path), *DAY)  # nothing added: the list stays as it is
    assert again.exit_code == 0, again.output
    assert parts(path)["docProps/app.xml"].decode() == app_xml(*tabs)


def test_a_tab_list_that_does_not_match_the_workbook_is_left_alone(tmp_path, run):
    path = crm(tmp_path)
    patch(path, "docProps/app.xml", lambda _: app_xml("Sheet1", "Clients"))
    before = parts(path)["docProps/app.xml"]
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert parts(path)["docProps/app.xml"] == before


def test_only_owned_cells_change_in_the_clients_sheet(tmp_path, run):
    path = crm(tmp_path)
    before = read_tab(path, "Clients")
    assert run("sync", str(path), *DAY).exit_code == 0
    after = read_tab(path, "Clients")
    assert after[0] == [*EN_HEADERS, "Flags"]
    assert [r[:-1] for r in after[1:3]] == before[1:3]
    assert after[3][0] == "C00003" and after[3][1:-1] == before[3][1:]
    assert [r[-1] for r in after[1:]] == ["overdue 3d", "", "no manager"]


def test_a_table_over_the_clients_grows_with_the_added_column(tmp_path, run):
    path = crm(tmp_path)
    wb = load_workbook(path)
    wb["Clients"].add_table(Table(displayName="ClientList", ref="A1:O4"))
    wb.save(path)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    table = load_workbook(path)["Clients"].tables["ClientList"]
    assert table.ref == "A1:P4"
    assert table.autoFilter.ref == "A1:P4"
    assert [c.name for c in table.tableColumns][-2:] == ["Comment", "Flags"]
    assert len({c.id for c in table.tableColumns}) == 16


def test_the_totals_row_of_a_table_over_the_clients_is_no_client(tmp_path, run):
    headers = ["Client", "Manager", "Status", "Next contact", "Amount"]
    rows = [
        ["Daisy", "Olga", "New", "20.11.2026", 1000],
        ["Vector", "Ivan", "New", "01.12.2026", 2000],
        ["Total", "", "", "", 3000],  # what Excel shows in the table's totals row
    ]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    wb = load_workbook(path)
    table = Table(displayName="ClientList", ref="A1:E4", totalsRowCount=1)
    table._initialise_columns()
    for column, header in zip(table.tableColumns, headers, strict=True):
        column.name = header
    table.tableColumns[0].totalsRowLabel = "Total"
    table.tableColumns[4].totalsRowFunction = "sum"
    wb["Clients"].add_table(table)
    wb.save(path)
    checked = run("check", str(path), *DAY)
    assert "Total" not in checked.stdout
    assert "2 client rows: 0 error(s), 0 warning(s)." in checked.stderr
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert "fill 2 missing client ID(s)" in result.stdout
    after = read_tab(path, "Clients")
    assert after[0] == [*headers, "ID", "Flags"]
    assert after[1][5:] == ["C00001", "overdue 3d"]
    assert after[3] == [*rows[2], "", ""]
    assert load_workbook(path)["Clients"].tables["ClientList"].ref == "A1:G4"


@pytest.mark.parametrize("label", ["Итого", "Total:", "ВСЕГО"])
def test_a_sum_row_below_the_clients_outside_a_table_is_no_client(tmp_path, run, label):
    headers = ["Client", "Manager", "Status", "Next contact", "Amount", "Deals"]
    rows = [
        ["Daisy", "Olga", "New", "20.11.2026", 1000, 1],
        ["Vector", "Ivan", "New", "01.12.2026", 2000, 2],
        [],
        [label, "", "", "", 3000, 3],
    ]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    patch(  # the sums are formulas, as a team types them
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(
            '<c r="E5" t="n"><v>3000</v>', '<c r="E5"><f>SUM(E2:E3)</f><v>3000</v>'
        ).replace('<c r="F5" t="n"><v>3</v>', '<c r="F5"><f>SUM(F2:F3)</f><v>3</v>'),
    )
    assert "SUM(E2:E3)" in parts(path)["xl/worksheets/sheet1.xml"].decode()
    checked = run("check", str(path), *DAY)
    assert label not in checked.stdout
    assert "2 client rows: 0 error(s), 0 warning(s)." in checked.stderr
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga]\n", encoding="utf-8")
    assert "Nothing to assign." in run("assign", str(path), *DAY, config=config).stderr
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert "fill 2 missing client ID(s)" in result.stdout
    after = read_tab(path, "Clients")
    assert after[0] == [*headers, "ID", "Flags"]
    assert after[1][6:] == ["C00001", "overdue 3d"]
    assert after[4] == [label, "", "", "", 3000, 3, "", ""]
    assert "SUM(E2:E3)" in parts(path)["xl/worksheets/sheet1.xml"].decode()


def test_a_lead_at_the_bottom_named_like_a_sum_is_a_client(tmp_path, run):
    headers = ["Client", "Manager", "Status", "Next contact", "Amount"]
    rows = [["Daisy", "Olga", "New", "20.11.2026", 1000], ["Всего понемногу", "", "", "", 5000]]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    checked = run("check", str(path), *DAY)
    assert "2 client rows" in checked.stderr and "Всего понемногу" in checked.stdout


def test_the_sheet_autofilter_grows_and_the_header_keeps_its_look(tmp_path, run):
    path = crm(tmp_path)
    wb = load_workbook(path)
    ws = wb["Clients"]
    ws.auto_filter.ref = "A1:O4"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wb.save(path)
    assert run("sync", str(path), *DAY).exit_code == 0
    ws = load_workbook(path)["Clients"]
    assert ws.auto_filter.ref == "A1:P4"
    assert (ws["P1"].value, ws["P1"].font.b) == ("Flags", True)


def test_a_cell_written_where_none_was_takes_the_look_of_its_row_or_column(tmp_path, run):
    # Excel keeps the format of a whole row or column on the row or column, not on its empty
    # cells: a cell made there without a style of its own would show as plain
    path = crm(tmp_path)
    wb = load_workbook(path)
    ws = wb["Clients"]
    ws.column_dimensions["A"].fill = PatternFill("solid", fgColor="FFEEEEEE")
    ws.column_dimensions["A"].number_format = "@"
    ws.row_dimensions[2].fill = PatternFill("solid", fgColor="FFFFFF00")  # Daisy, highlighted
    wb.save(path)
    assert run("sync", str(path), *DAY).exit_code == 0
    ws = load_workbook(path)["Clients"]
    assert (ws["A4"].value, ws["A4"].fill.fgColor.rgb, ws["A4"].number_format) == (
        "C00003",
        "FFEEEEEE",
        "@",
    )
    assert (ws["P2"].value, ws["P2"].fill.fgColor.rgb) == ("overdue 3d", "FFFFFF00")
    assert ws["P4"].fill.fill_type is None  # no look to take


def test_a_column_added_where_the_team_hid_the_unused_columns_shows(tmp_path, run):
    path = crm(tmp_path)
    wb = load_workbook(path)
    ws = wb["Clients"]  # columns P to XFD hidden, as tidy sheets have them
    ws.column_dimensions["P"] = ColumnDimension(ws, min=16, max=16384, width=12, hidden=True)
    wb.save(path)
    assert run("sync", str(path), *DAY).exit_code == 0
    ws = load_workbook(path)["Clients"]
    assert (ws["P1"].value, ws["P2"].value) == ("Flags", "overdue 3d")
    cols = {(d.min, d.max): (d.hidden, d.width) for d in ws.column_dimensions.values()}
    assert cols[16, 16] == (False, 12)
    assert cols[17, 16384] == (True, 12)  # the rest stays hidden


def test_the_filter_range_libreoffice_names_grows_with_the_autofilter(tmp_path, run):
    path = crm(tmp_path)
    wb = load_workbook(path)
    wb["Clients"].auto_filter.ref = "A1:O4"
    wb.save(path)
    patch(  # as LibreOffice saves it: the attributes in another order
        path,
        "xl/workbook.xml",
        lambda x: re.sub(
            r"<definedName [^>]*>",
            '<definedName function="false" hidden="true" localSheetId="0" '
            'name="_xlnm._FilterDatabase" vbProcedure="false">',
            x,
        ),
    )
    assert run("sync", str(path), *DAY).exit_code == 0
    assert load_workbook(path)["Clients"].auto_filter.ref == "A1:P4"
    names = re.findall(r"<definedName [^>]*>([^<]*)<", parts(path)["xl/workbook.xml"].decode())
    assert names == ["'Clients'!$A$1:$P$4"]


def test_owned_tabs_have_a_bold_frozen_header(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    today = load_workbook(path)["Today"]
    assert today.freeze_panes == "A2"
    assert today["A1"].font.b and not today["A2"].font.b


def test_an_owned_tab_is_replaced_in_place(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    first = load_workbook(path).sheetnames
    assert run("sync", str(path), "--date", "2026-12-01").exit_code == 0
    assert load_workbook(path).sheetnames == first
    with zipfile.ZipFile(path) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]) == len(first)
    assert {r[2] for r in read_tab(path, "Today")[1:]} == {"Daisy", "Vector", "Orion"}


def test_a_chart_put_on_an_owned_tab_stays_when_the_tab_is_rewritten(tmp_path, run):
    from openpyxl.chart import PieChart, Reference

    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    wb = load_workbook(path)
    refusals = wb["Refusals"]
    pie = PieChart()
    pie.add_data(Reference(refusals, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    refusals.add_chart(pie, "F2")
    wb["Clients"]["F2"] = "Refused"  # a refusal more: the tab is rewritten
    wb.save(path)
    result = run("sync", str(path), *DAY)
    assert "did rewrite tab(s): Today, Problems, Refusals" in result.stdout
    rels = parts(path)["xl/worksheets/_rels/sheet5.xml.rels"].decode()
    (rid,) = [
        re.search(r'Id="(\w+)"', r)[1]
        for r in re.findall(r"<Relationship [^>]*>", rels)
        if '/drawing"' in r
    ]
    sheet = parts(path)["xl/worksheets/sheet5.xml"].decode()
    assert sheet.endswith(f'</sheetData><drawing r:id="{rid}"/></worksheet>')
    assert read_tab(path, "Refusals")[1][:2] == ["(no reason given)", 1]
    assert run("sync", str(path), *DAY).stdout.strip() == "crm.xlsx: up to date, nothing to change."


def _table_on(path: Path, tab: str, ref: str, **kwargs) -> None:
    from openpyxl.worksheet.table import TableStyleInfo

    wb = load_workbook(path)
    table = Table(displayName="Mine", ref=ref, **kwargs)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    wb[tab].add_table(table)
    # a client more: Today is rewritten
    wb["Clients"].append(client_row(client="Nova", manager="Olga", next_contact="22.11.2026"))
    wb.save(path)


def test_a_table_made_on_an_owned_tab_follows_the_tab_rewritten(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    header = read_tab(path, "Today")[0]
    _table_on(path, "Today", "A1:E4")  # narrower than the tab, one row short
    result = run("sync", str(path), *DAY)
    assert "did rewrite tab(s): Today" in result.stdout, result.output
    rows = read_tab(path, "Today")
    assert "Nova" in {r[2] for r in rows[1:]}
    table = load_workbook(path)["Today"].tables["Mine"]
    last = chr(ord("A") + len(header) - 1)
    assert table.ref == f"A1:{last}{len(rows)}"
    assert table.autoFilter.ref == table.ref
    assert [c.name for c in table.tableColumns] == header
    assert table.tableStyleInfo.name == "TableStyleMedium9"
    assert run("sync", str(path), *DAY).stdout.strip() == "crm.xlsx: up to date, nothing to change."


def test_a_table_with_a_totals_row_on_an_owned_tab_is_left_out_not_broken(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    _table_on(path, "Today", "A1:E4", totalsRowCount=1)
    assert run("sync", str(path), *DAY).exit_code == 0
    assert load_workbook(path)["Today"].tables.items() == []
    assert "Nova" in {r[2] for r in read_tab(path, "Today")[1:]}


@pytest.mark.parametrize("totals", [0, 1])
def test_a_table_made_on_the_log_takes_the_rows_added_under_it(tmp_path, run, totals):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    height = len(read_tab(path, "Log"))
    last = chr(ord("A") + len(read_tab(path, "Log")[0]) - 1)
    _table_on(path, "Log", f"A1:{last}{height}", totalsRowCount=totals)
    result = run("sync", str(path), *DAY)  # Nova's new ID: a Log row
    assert result.exit_code == 0, result.output
    assert read_tab(path, "Log")[height][3] == "Nova"
    table = load_workbook(path)["Log"].tables["Mine"]
    grown = f"A1:{last}{height + 1}" if not totals else f"A1:{last}{height}"  # not under totals
    assert (table.ref, table.autoFilter.ref if table.autoFilter else grown) == (grown, grown)


def test_styles_do_not_grow_from_one_sync_to_the_next(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    first = parts(path)["xl/styles.xml"]
    assert run("sync", str(path), "--date", "2026-12-01").exit_code == 0  # tabs rewritten
    assert parts(path)["xl/styles.xml"] == first


def test_a_sync_with_nothing_new_leaves_the_file_untouched(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.stdout.strip() == "crm.xlsx: up to date, nothing to change."
    assert path.read_bytes() == before
    patch(path, "xl/worksheets/sheet3.xml", lambda x: x.replace("Daisy", "Dasy"))  # Today
    result = run("sync", str(path), *DAY)
    assert "did rewrite tab(s): Today" in result.stdout
    assert "Daisy" in {r[2] for r in read_tab(path, "Today")[1:]}


def test_owned_tabs_saved_by_another_program_are_compared_by_their_text(tmp_path, run):
    path = crm(tmp_path)
    assert run("sync", str(path), *DAY).exit_code == 0
    wb = load_workbook(path)
    wb.save(path)  # as Excel would: every sheet written its own way, the same cells
    assert run("sync", str(path), *DAY).stdout.strip() == "crm.xlsx: up to date, nothing to change."
    wb = load_workbook(path)
    wb["Today"]["C2"] = "someone else"
    wb.save(path)
    result = run("sync", str(path), *DAY)
    assert "did rewrite tab(s): Today" in result.stdout
    assert "someone else" not in {r[2] for r in read_tab(path, "Today")}


def test_dates_are_written_as_dates_keeping_the_cell_look(tmp_path):
    path = crm(tmp_path)
    wb = load_workbook(path)
    wb["Clients"]["G2"].font = Font(bold=True, color="FFFF0000")
    wb.save(path)
    apply(
        path,
        Plan(
            cells=[
                CellChange("Clients", 2, 6, "next_contact", "20.11.2026", date(2026, 12, 1)),
                CellChange(
                    "Clients", 3, 6, "next_contact", "01.12.2026", datetime(2026, 12, 2, 15, 30)
                ),
            ]
        ),
    )
    ws = load_workbook(path)["Clients"]
    assert (ws["G2"].value, ws["G2"].number_format) == (datetime(2026, 12, 1), "DD.MM.YYYY")
    assert (ws["G2"].font.b, ws["G2"].font.color.rgb) == (True, "FFFF0000")
    assert (ws["G3"].value, ws["G3"].number_format) == (
        datetime(2026, 12, 2, 15, 30),
        "DD.MM.YYYY HH:MM",
    )
    assert read_tab(path, "Clients")[1][6] == date(2026, 12, 1)


def test_dates_in_a_1904_workbook(tmp_path):
    path = crm(tmp_path)
    wb = load_workbook(path)
    wb.epoch = datetime(1904, 1, 1)
    wb.save(path)
    apply(path, Plan(cells=[CellChange("Clients", 2, 6, "next_contact", "", date(2026, 12, 1))]))
    assert read_tab(path, "Clients")[1][6] == date(2026, 12, 1)
    assert load_workbook(path)["Clients"]["G2"].value == datetime(2026, 12, 1)


def test_text_numbers_and_booleans_keep_their_type(tmp_path):
    path = crm(tmp_path)
    values = ["=SUM(A1:A2)", "  spaced  ", "a_x0041_b", "tab\there", 1500.5, 42, True, "<&>"]
    apply(
        path,
        Plan(
            cells=[CellChange("Clients", 2, 14, "comment", "", v) for v in values[:1]],
            tabs={"Notes": [["value"], *([v] for v in values)]},
        ),
    )
    assert [r[0] for r in read_tab(path, "Notes")[1:]] == values
    ws = load_workbook(path)["Notes"]
    got = [ws.cell(row=r, column=1) for r in range(2, 10)]
    # openpyxl leaves the _xHHHH_ escape Excel and calamine decode as stored
    assert [c.value for c in got] == [*values[:2], "a_x005F_x0041_b", *values[3:]]
    assert got[0].data_type == "s"
    assert load_workbook(path)["Clients"]["O2"].data_type == "s"


def test_log_rows_go_after_the_last_row_with_a_value(tmp_path):
    path = write_book(
        tmp_path / "crm.xlsx",
        {
            "Clients": [EN_HEADERS, *ROWS],
            "Log": [["When", "What"], ["2026-11-20", "first"]],
        },
    )
    wb = load_workbook(path)
    wb["Log"]["A5"].font = Font(bold=True)  # an empty but formatted row further down
    wb.save(path)
    apply(
        path,
        Plan(
            appends={"Log": (["When", "What"], [["2026-11-23", "second"], ["2026-11-23", "third"]])}
        ),
    )
    assert read_tab(path, "Log") == [
        ["When", "What"],
        ["2026-11-20", "first"],
        ["2026-11-23", "second"],
        ["2026-11-23", "third"],
    ]


def test_a_sheet_with_prefixed_tags_and_cells_without_references(tmp_path, run):
    path = crm(tmp_path)

    def as_other_writers_save_it(xml: str) -> str:
        xml = re.sub(r"<(/?)(\w+)", r"<\1x:\2", xml).replace('xmlns="', 'xmlns:x="')
        return xml.replace('<x:c r="B2"', "<x:c")  # placed by position, right of A2

    patch(path, "xl/worksheets/sheet1.xml", as_other_writers_save_it)
    before = read_tab(path, "Clients")
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    after = read_tab(path, "Clients")
    assert [r[:-1] for r in after[1:3]] == before[1:3]
    assert [(r[0], r[-1]) for r in after[1:]] == [
        ("C00001", "overdue 3d"),
        ("C00002", ""),
        ("C00003", "no manager"),
    ]
    assert load_workbook(path)["Clients"]["P2"].value == "overdue 3d"


def test_a_formula_cell_it_overwrites_leaves_the_calculation_chain(tmp_path):
    path = crm(tmp_path)
    formula = '<c r="O2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
    patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace('</row><row r="3"', formula + '</row><row r="3"', 1),
    )
    add_part(
        path,
        "xl/calcChain.xml",
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="O2" i="1"/></calcChain>',
    )
    patch(
        path,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(
            "</Relationships>",
            (
                '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"'
                ' Target="calcChain.xml"/></Relationships>'
            ),
        ),
    )
    assert read_tab(path, "Clients")[1][14] == "ab"
    apply(path, Plan(cells=[CellChange("Clients", 2, 14, "comment", "ab", "plain now")]))
    assert read_tab(path, "Clients")[1][14] == "plain now"
    assert "xl/calcChain.xml" not in parts(path)
    assert "calcChain" not in parts(path)["xl/_rels/workbook.xml.rels"].decode()


@pytest.mark.parametrize("calc", ['<calcPr calcId="191029"/>', ""])
def test_the_teams_formulas_over_cells_it_wrote_are_recalculated_on_opening(tmp_path, run, calc):
    # Excel shows a formula's saved result until something recalculates it: after a
    # handover, a VLOOKUP of the manager's e-mail showed the former manager's
    path = crm(tmp_path)
    patch(path, "xl/workbook.xml", lambda x: re.sub(r"<calcPr[^>]*>", calc, x))
    assert run("sync", str(path), *DAY).exit_code == 0
    xml = parts(path)["xl/workbook.xml"].decode()
    assert re.search(r'</sheets>.*<calcPr [^>]*fullCalcOnLoad="1"[^>]*/></workbook>', xml)
    assert load_workbook(path).calculation.fullCalcOnLoad


def test_a_shared_formula_it_would_break_is_refused(tmp_path):
    path = crm(tmp_path)
    patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(
            '</row><row r="3"',
            '<c r="O2"><f t="shared" ref="O2:O3" si="0">A2</f><v>0</v></c></row><row r="3"',
            1,
        ),
    )
    before = path.read_bytes()
    with pytest.raises(SourceError, match="cell O2 holds a formula other cells share"):
        apply(path, Plan(cells=[CellChange("Clients", 2, 14, "comment", "", "x")]))
    assert path.read_bytes() == before


def flags_by_formula(path: Path, *cells: str) -> None:
    """A Flags header in P1, then the given cells in P2, P3…"""
    cells = ('<c r="P1" t="inlineStr"><is><t>Flags</t></is></c>', *cells)

    def put(xml: str) -> str:
        for row, cell in enumerate(cells, start=1):
            xml = re.sub(rf'(<row r="{row}">.*?)</row>', lambda m, c=cell: m[1] + c + "</row>", xml)
        return xml

    patch(path, "xl/worksheets/sheet1.xml", put)


def test_a_shared_formula_in_the_flags_column_is_named_with_its_tab_and_what_to_do(tmp_path, run):
    path = crm(tmp_path)
    flags_by_formula(  # filled down in Excel: a shared formula
        path,
        '<c r="P2" t="str"><f t="shared" ref="P2:P4" si="0">F2</f><v>New</v></c>',
        '<c r="P3" t="str"><f t="shared" si="0"/><v>New</v></c>',
        '<c r="P4" t="str"><f t="shared" si="0"/><v>New</v></c>',
    )
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: tab 'Clients', cell P2 holds a formula other cells share (a shared"
        " or array formula), which writing there would break; paste the formulas of column P"
        " as values; nothing was written\n"
    )
    assert path.read_bytes() == before


def test_a_formula_that_is_an_array_of_its_own_cell_is_written_over(tmp_path, run):
    path = crm(tmp_path)
    flags_by_formula(  # Excel 365 saves a formula as a one-cell array
        path, '<c r="P2" cm="1" t="str"><f t="array" ref="P2">F2</f><v>New</v></c>'
    )
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    flags = read_tab(path, "Clients")[1][15]
    assert flags and flags != "New"
    assert "<f" not in parts(path)["xl/worksheets/sheet1.xml"].decode().split('r="P2"')[1][:80]


@pytest.mark.parametrize("suffix", [".xls", ".xlsb"])
def test_binary_workbooks_are_refused(tmp_path, run, suffix):
    path = tmp_path / f"crm{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert f"{suffix} workbooks are not supported; save it as .xlsx" in result.stderr


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_an_ods_workbook_reads_but_is_not_written(tmp_path, run):
    source = crm(tmp_path, "crm.xlsx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    ods = tmp_path / "crm.ods"
    result = run("today", str(ods), *DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Daisy" in result.stdout
    before = ods.read_bytes()
    result = run("sync", str(ods), *DAY)
    assert result.exit_code == 2 and "read-only" in result.stderr
    assert ods.read_bytes() == before


def test_a_write_that_does_not_read_back_leaves_the_workbook_as_it_was(tmp_path, monkeypatch):
    from sheetcrm.backends import xlsxsheet

    path = crm(tmp_path)
    before = path.read_bytes()
    wrong = xlsxsheet.CellWriter.cell

    def cell(self, ref, value, style=None):  # a writer bug: every new text loses its last letter
        return wrong(self, ref, value[:-1] if isinstance(value, str) else value, style)

    monkeypatch.setattr(xlsxsheet.CellWriter, "cell", cell)
    with pytest.raises(SourceError, match="did not read back as expected.*nothing was written"):
        apply(path, Plan(cells=[CellChange("Clients", 2, 14, "comment", "", "call back")]))
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".crm.sheetcrm-tmp*"))


@pytest.mark.parametrize(("row", "name"), [(2, "Daisy"), (3, "Vector")])  # planned row or not
def test_a_write_that_changes_a_team_cell_leaves_the_workbook_as_it_was(
    tmp_path, monkeypatch, row, name
):
    from sheetcrm.backends import xlsxpackage

    path = crm(tmp_path)
    before = path.read_bytes()
    replace = xlsxpackage.Package.replace

    def corrupt(self, part, data):  # a writer bug: the client name of one row is lost
        if part.endswith("sheet1.xml"):
            xml = b"".join(data) if isinstance(data, list) else data
            data = re.sub(rb'(<c r="B%d"[^>]*?)(?: t="\w+")?>.*?</c>' % row, rb"\1/>", xml)
        replace(self, part, data)

    monkeypatch.setattr(xlsxpackage.Package, "replace", corrupt)
    with pytest.raises(SourceError, match=rf"row {row}, column 2: '{name}' became ''\); nothing"):
        apply(path, Plan(cells=[CellChange("Clients", 2, 14, "comment", "", "call back")]))
    assert path.read_bytes() == before
