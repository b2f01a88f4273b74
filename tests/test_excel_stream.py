"""A large sheet edited window by window writes what the whole-part editor writes."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row, read_tab, write_book
from openpyxl import load_workbook
from openpyxl.styles import Font

from sheetcrm.backends import xlsxstream
from sheetcrm.backends.excel import ExcelBackend
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.plan import CellChange, NewColumn, Plan

SHEET = "xl/worksheets/sheet1.xml"
N = 300  # clients: rows 2 .. N + 1
LAST = N + 1
SCATTERED = [2, 3, 17, 64, 65, 128, 199, 250, LAST - 1, LAST]


def crm(path: Path) -> Path:
    rows = [
        client_row(
            id=f"C{i:05d}" if i % 7 else "",
            client=f"Client {i} <&> é",
            manager=["Olga", "Ivan", ""][i % 3],
            status="New",
            next_contact=f"{1 + i % 28:02d}.11.2026",
            city="Moscow",
            amount=1000 + i,
            comment="call back" if i % 5 else "",
        )
        for i in range(1, N + 1)
    ]
    write_book(path, {"Clients": [EN_HEADERS, *rows], "Managers": EN_MANAGERS})
    wb = load_workbook(path)
    for cell in wb["Clients"][1]:  # a bold header: an added header cell takes its look
        cell.font = Font(bold=True)
    wb.save(path)
    return path


def sheet(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(SHEET)


def patch(path: Path, changes: dict[str, Callable[[bytes], bytes]]) -> None:
    """Rewrite (or add) parts of the package as another writer would have saved them."""
    with zipfile.ZipFile(path) as z:
        data = {n: z.read(n) for n in z.namelist()}
    for part, change in changes.items():
        data[part] = change(data.get(part, b""))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)


def apply(path: Path, plan: Plan) -> None:
    backend = ExcelBackend(path, Config(language="en"))
    backend.apply(plan, backend.read(["Clients", "Managers", "Log"]))


@pytest.fixture
def streamed(monkeypatch) -> Callable[[int | None], list[bool]]:
    """streamed(window) forces streaming with that window (None: the whole-part editor); the
    list returned says, per sheet edited, whether it streamed to the end (not fell back)."""
    seen: list[bool] = []
    edit = xlsxstream.SheetStream.edit

    def spy(self, changes, headers=frozenset()):
        edit(self, changes, headers)
        seen.append(self._whole is None)

    monkeypatch.setattr(xlsxstream.SheetStream, "edit", spy)

    def force(window: int | None) -> list[bool]:
        monkeypatch.setattr(xlsxstream, "STREAM_FROM", 1 << 40 if window is None else 0)
        monkeypatch.setattr(xlsxstream, "WINDOW", window or 1 << 20)
        seen.clear()
        return seen

    return force


def both(tmp_path: Path, streamed, window: int, write, layout=None, **parts):
    """The same workbook (its sheet changed by `layout`, other `parts` by theirs) written
    (`write`: a Plan applied, or a function of the path) streaming with `window` and whole:
    (streamed, whole, seen)."""
    if isinstance(write, Plan):
        write = partial(apply, plan=write)
    one = crm(tmp_path / "stream.xlsx")
    patch(one, {SHEET: layout or (lambda x: x)} | parts)
    two = tmp_path / "whole.xlsx"
    shutil.copy(one, two)
    seen = streamed(window)
    write(one)
    seen = list(seen)
    assert streamed(None) == []
    write(two)
    return one, two, seen


def flag_plan(rows=SCATTERED) -> Plan:
    cells = []
    for r in rows:
        cells.append(CellChange("Clients", r, 15, "flags", "", f"flag {r} <&>"))
        if (r - 1) % 7 == 0:  # a client without an ID gets one
            cells.append(CellChange("Clients", r, 0, "id", "", f"C{r - 1:05d}"))
    return Plan(columns=[NewColumn("Clients", 1, 15, "Flags")], cells=cells)


@pytest.mark.parametrize("window", [64, 300, 4096, 1 << 20])
def test_scattered_changes_and_a_new_column_write_the_same_bytes(tmp_path, streamed, window):
    plan = flag_plan()
    before = read_tab(crm(tmp_path / "before.xlsx"), "Clients")
    one, two, seen = both(tmp_path, streamed, window, plan)
    assert seen == [True]
    assert sheet(one) == sheet(two)
    after = read_tab(one, "Clients")
    assert after[0] == [*EN_HEADERS, "Flags"]
    expected = [[*row, ""] for row in before[1:]]
    for c in plan.cells:
        expected[c.row - 2][c.column] = c.new
    assert after[1:] == expected
    assert re.search(rb'<dimension ref="A1:P%d"' % LAST, sheet(one))


@pytest.mark.parametrize("window", [300, 1 << 20])
def test_a_sync_streamed_writes_the_clients_sheet_a_whole_sync_writes(
    tmp_path, streamed, run, window
):
    def sync(path: Path) -> None:
        result = run("sync", str(path), "--date", TODAY.isoformat())
        assert result.exit_code == 0, result.output

    one, two, seen = both(tmp_path, streamed, window, sync)
    assert seen == [True]
    assert sheet(one) == sheet(two)
    after = read_tab(one, "Clients")
    assert after[0][-1] == "Flags" and all(r[0] for r in after[1:])
    assert {r[-1] for r in after[1:]} >= {"", "no manager"}


def _prefixed(xml: bytes) -> bytes:  # x:row, x:c ..., and rows placed by position
    xml = re.sub(rb"<(/?)(\w+)", rb"<\1x:\2", xml).replace(b'xmlns="', b'xmlns:x="')
    return re.sub(rb'<x:row r="\d+"', b"<x:row", xml)


@pytest.mark.parametrize(
    "layout",
    [
        lambda x: re.sub(rb'<row r="\d+"', b"<row", x),  # rows placed by position
        lambda x: re.sub(rb'<row r="(\d+)">', rb'<row spans="1:15" r="\1">', x),
        _prefixed,
        lambda x: re.sub(rb'(<row r="2">.*?</row>)(<row r="3">.*?</row>)', rb"\2\1", x),
        lambda x: b"\xef\xbb\xbf" + x,  # a byte order mark
    ],
    ids=["no_numbers", "number_last", "prefixed", "out_of_order", "bom"],
)
def test_an_unusual_layout_falls_back_to_the_whole_part_editor(tmp_path, streamed, layout):
    one, two, seen = both(tmp_path, streamed, 300, flag_plan(), layout)
    assert seen == [False]
    after = read_tab(one, "Clients")
    assert after[0][-1] == "Flags"
    assert [after[r - 1][15] for r in SCATTERED] == [f"flag {r} <&>" for r in SCATTERED]
    assert after == read_tab(two, "Clients")
    assert sheet(one) == sheet(two)


def test_a_planned_row_missing_from_the_part_falls_back(tmp_path, streamed):
    one, two, seen = both(tmp_path, streamed, 300, flag_plan([2, 64, LAST + 3]))
    assert seen == [False]
    assert sheet(one) == sheet(two)
    assert read_tab(one, "Clients")[LAST + 2][15] == f"flag {LAST + 3} <&>"


def test_a_latin1_sheet_falls_back_and_keeps_its_text(tmp_path, streamed):
    def latin1(xml: bytes) -> bytes:  # ASCII only, as the reader needs, declared Latin-1
        xml = xml.decode("utf-8").replace("é", "e").encode("ascii")
        return b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + xml

    plan = Plan(cells=[CellChange("Clients", r, 14, "comment", "", "café") for r in SCATTERED])
    one, two, seen = both(tmp_path, streamed, 300, plan, latin1)
    assert seen == [False]
    assert load_workbook(two)["Clients"]["O2"].value == "café"
    assert load_workbook(one)["Clients"]["O2"].value == "café"  # not "cafÃ©"
    assert sheet(one) == sheet(two)


def test_an_undersized_dimension_is_widened_as_the_whole_part_editor_does(tmp_path, streamed):
    def small(xml: bytes) -> bytes:  # as writers that do not track the range save it
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml)

    plan = Plan(cells=[CellChange("Clients", r, 0, "id", "", f"X{r}") for r in SCATTERED])
    one, two, seen = both(tmp_path, streamed, 300, plan, small)
    assert seen == [False]  # the head went out first: the whole-part editor takes over
    assert b'<dimension ref="A1:O%d"' % LAST in sheet(two)
    assert b'<dimension ref="A1:O%d"' % LAST in sheet(one)
    assert sheet(one) == sheet(two)


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHAIN = b'<calcChain xmlns="%s"><c r="O151" i="1"/></calcChain>' % MAIN
CHAIN_REL = (
    b'<Relationship Id="rId99" Target="calcChain.xml" Type="http://schemas.openxmlformats.org'
    b'/officeDocument/2006/relationships/calcChain"/></Relationships>'
)


def _formula(cell: bytes) -> Callable[[bytes], bytes]:  # into O151, empty until then
    return lambda x: x.replace(b'</row><row r="152"', cell + b'</row><row r="152"', 1)


def test_a_formula_cell_overwritten_in_a_window_drops_the_calculation_chain(tmp_path, streamed):
    plan = Plan(cells=[CellChange("Clients", 151, 14, "comment", "ab", "plain now")])
    formula = _formula(b'<c r="O151" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>')
    chain = {
        "xl/calcChain.xml": lambda _: CHAIN,
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", CHAIN_REL),
    }
    one, two, seen = both(tmp_path, streamed, 300, plan, formula, **chain)
    assert seen == [True]
    assert read_tab(one, "Clients")[150][14] == "plain now"
    with zipfile.ZipFile(one) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
    assert sheet(one) == sheet(two)


@pytest.mark.parametrize("window", [300, None])
def test_a_shared_formula_in_a_window_is_refused(tmp_path, streamed, window):
    path = crm(tmp_path / "crm.xlsx")
    shared = b'<c r="O151"><f t="shared" ref="O151:O152" si="0">A151</f><v>0</v></c>'
    patch(path, {SHEET: _formula(shared)})
    before = path.read_bytes()
    streamed(window)
    with pytest.raises(SourceError, match="cell O151 holds a formula other cells share"):
        apply(path, Plan(cells=[CellChange("Clients", 151, 14, "comment", "", "x")]))
    assert path.read_bytes() == before


@pytest.mark.parametrize("window", [64, 1000])
def test_the_dimension_and_the_autofilter_take_in_a_column_added_while_streaming(
    tmp_path, streamed, window
):
    def autofilter(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'</sheetData><autoFilter ref="A1:O%d"/>' % LAST)

    one, two, seen = both(tmp_path, streamed, window, flag_plan(), autofilter)
    assert seen == [True]
    ws = load_workbook(one)["Clients"]
    assert (ws.auto_filter.ref, ws.dimensions) == (f"A1:P{LAST}", f"A1:P{LAST}")
    assert (ws["P1"].value, ws["P1"].font.b) == ("Flags", True)
    assert ws[f"P{LAST}"].value == f"flag {LAST} <&>"
    assert sheet(one) == sheet(two)


def log_book(path: Path, entries: int) -> Path:
    log = [
        ["When", "What", "ID"],
        *[[f"2026-11-{1 + i % 20:02d}", f"entry {i}", i] for i in range(entries)],
    ]
    write_book(path, {"Clients": [EN_HEADERS, *ROWS_FEW], "Log": log})
    wb = load_workbook(path)
    wb["Log"].cell(entries + 4, 1).font = Font(bold=True)  # formatted, empty rows below the last
    wb.save(path)
    return path


ROWS_FEW = [client_row(id="C00001", client="Daisy", manager="Olga", status="New")]
LOG_SHEET = "xl/worksheets/sheet2.xml"


@pytest.mark.parametrize("window", [64, 500, 1 << 20])
def test_rows_appended_while_streaming_go_after_the_last_value_as_whole(
    tmp_path, window, monkeypatch
):
    added = [["2026-11-23", f"new {i} <&>", 1000 + i] for i in range(40)]
    plan = Plan(appends={"Log": (["When", "What", "ID"], added)})
    one, two = log_book(tmp_path / "stream.xlsx", 250), log_book(tmp_path / "whole.xlsx", 250)
    calls: list[str] = []
    original = xlsxstream.SheetStream.append

    def spy(self, rows):
        last = original(self, rows)
        calls.append("streamed" if self._whole is None else "whole")
        return last

    monkeypatch.setattr(xlsxstream.SheetStream, "append", spy)
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 0)
    monkeypatch.setattr(xlsxstream, "WINDOW", window)
    apply(one, plan)
    assert calls == ["streamed"]
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 1 << 40)
    apply(two, plan)
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert a.read(LOG_SHEET) == b.read(LOG_SHEET)
    log = read_tab(one, "Log")
    assert len(log) == 1 + 250 + 40
    assert log[250] == ["2026-11-10", "entry 249", 249.0]
    assert log[251:] == [[w, t, float(n)] for w, t, n in added]
    assert re.search(rb'<dimension ref="A1:C291"\s*/>', sheet_part(one, LOG_SHEET))


def sheet_part(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(part)


def test_rows_appended_to_a_log_without_row_numbers_fall_back(tmp_path, monkeypatch):
    added = [["2026-11-23", "new", 7]]
    plan = Plan(appends={"Log": (["When", "What", "ID"], added)})
    one, two = log_book(tmp_path / "stream.xlsx", 30), log_book(tmp_path / "whole.xlsx", 30)
    for path in (one, two):
        patch(path, {LOG_SHEET: lambda x: re.sub(rb'<row r="\d+"', b"<row", x)})
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 0)
    apply(one, plan)
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 1 << 40)
    apply(two, plan)
    assert sheet_part(one, LOG_SHEET) == sheet_part(two, LOG_SHEET)
    assert read_tab(one, "Log")[-1] == ["2026-11-23", "new", 7.0]
    assert len(read_tab(one, "Log")) == 32


@pytest.mark.parametrize("window", [64, 1 << 20])
def test_row_end_tags_with_a_space_stream_like_any_other(tmp_path, window, monkeypatch):
    """`</row >` is well-formed XML: the Log keeps every row, the clients their cells."""
    added = [["2026-11-23", "new", 7]]
    plan = Plan(appends={"Log": (["When", "What", "ID"], added)})
    one, two = log_book(tmp_path / "stream.xlsx", 30), log_book(tmp_path / "whole.xlsx", 30)
    for path in (one, two):
        patch(path, {LOG_SHEET: lambda x: x.replace(b"</row>", b"</row >")})
    monkeypatch.setattr(xlsxstream, "WINDOW", window)
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 0)
    apply(one, plan)
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 1 << 40)
    apply(two, plan)
    assert read_tab(one, "Log") == read_tab(two, "Log")
    assert len(read_tab(one, "Log")) == 32


def test_an_append_that_loses_the_rows_above_is_not_written(tmp_path, monkeypatch):
    path = log_book(tmp_path / "crm.xlsx", 30)
    before = path.read_bytes()
    monkeypatch.setattr(xlsxstream, "STREAM_FROM", 0)
    # a writer bug: the Log is taken to hold nothing, so the new rows replace it
    monkeypatch.setattr(xlsxstream.SheetStream, "_last_valued", lambda self: (0, 0))
    plan = Plan(appends={"Log": (["When", "What", "ID"], [["2026-11-23", "new", 7]])})
    with pytest.raises(SourceError, match="lacks the rows added to tab 'Log' or the rows above"):
        apply(path, plan)
    assert path.read_bytes() == before


def test_a_block_that_fails_to_compress_fails_the_part(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from sheetcrm.backends.xlsxpackage import DeflateStream

    class Failing:  # runs out of memory on the second block, as a worker thread might
        calls = 0

        def compress(self, block: bytes) -> bytes:
            Failing.calls += 1
            if Failing.calls == 2:
                raise MemoryError("no room")
            return b""

        def flush(self) -> bytes:
            return b""

    with ThreadPoolExecutor(1) as pool:
        stream = DeflateStream(pool)
        stream._co = Failing()
        for block in (b"a" * 100, b"b" * 100, b"c" * 100):
            stream.feed(block)
        with pytest.raises(MemoryError):
            stream.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_nothing_stays_open_after_a_dry_run_or_a_refused_write(tmp_path):
    from sheetcrm.config import Config as Cfg
    from sheetcrm.sync import sync
    from sheetcrm.workspace import load

    path = crm(tmp_path / "crm.xlsx")

    def open_on_it() -> int:
        fds = Path("/proc/self/fd").iterdir()
        return sum(1 for fd in fds if fd.exists() and fd.resolve() == path.resolve())

    ws = load(Cfg(language="en"), str(path), TODAY)  # kept, as the daemon keeps it to notify
    sync(ws, "now", "me", dry_run=True, history=False)
    assert open_on_it() == 0
    (tmp_path / "~$crm.xlsx").write_text("someone")  # open in Excel: the write is refused
    ws = load(Cfg(language="en"), str(path), TODAY)
    with pytest.raises(SourceError):
        sync(ws, "now", "me", history=False)
    assert open_on_it() == 0


@pytest.mark.parametrize("window", [64, 1000])
def test_a_cell_made_while_streaming_takes_the_look_of_its_column(tmp_path, streamed, window):
    def formatted(xml: bytes) -> bytes:  # the ID column and the new Flags one formatted whole
        cols = b'<cols><col min="1" max="1" style="1"/><col min="16" max="16" style="1"/></cols>'
        return xml.replace(b"<sheetData>", cols + b"<sheetData>", 1)

    one, two, seen = both(tmp_path, streamed, window, flag_plan(), formatted)
    assert seen == [True]
    assert sheet(one) == sheet(two)
    ws = load_workbook(one)["Clients"]
    assert (ws["A64"].value, ws["A64"].font.b) == ("C00063", True)
    assert (ws[f"P{LAST}"].value, ws[f"P{LAST}"].font.b) == (f"flag {LAST} <&>", True)


def test_a_column_added_while_streaming_is_shown_where_the_unused_ones_are_hidden(
    tmp_path, streamed
):
    def hidden(xml: bytes) -> bytes:
        cols = b'<cols><col min="16" max="16384" width="9" hidden="1"/></cols>'
        return xml.replace(b"<sheetData>", cols + b"<sheetData>", 1)

    one, two, seen = both(tmp_path, streamed, 1000, flag_plan(), hidden)
    assert seen == [True]
    assert sheet(one) == sheet(two)
    ws = load_workbook(one)["Clients"]
    cols = {(d.min, d.max): d.hidden for d in ws.column_dimensions.values()}
    assert (cols[16, 16], cols[17, 16384]) == (False, True)
