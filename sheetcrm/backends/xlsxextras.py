"""What python-calamine does not say about a tab of an .xlsx/.xlsm package.

- Cells that show a formula error (#N/A, #REF!, #DIV/0!…): calamine reads them as
  empty, so a VLOOKUP that found nothing would read as a client with no manager. The
  worksheet's XML marks them (t="e"); they read as their text instead, the way Google
  Sheets gives them.
- The totals rows of its tables (ListObjects): Excel shows sums and a label such as
  "Итого" there, no client.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from sheetcrm.backends.xlsxpackage import Package, SheetEntry, attr_pattern, decode, prefix_for
from sheetcrm.backends.xlsxsheet import SheetXml
from sheetcrm.errors import SheetCrmError
from sheetcrm.refs import col_letter, split_ref

ErrorCells = dict[tuple[int, int], str]  # (0-based row, column) -> "#N/A"
Cell = tuple[int, int]

_CHUNK = 1 << 20
_TYPE_E = re.compile(r"""(?<![\w:.-])t\s*=\s*["']e["']""")
_TABLE = re.compile(r"<(?:[\w.-]+:)?table\b[^>]*>")
_TOTALS, _REF = attr_pattern("totalsRowCount"), attr_pattern("ref")
_SI = attr_pattern("si")


@dataclass
class Extras:
    errors: ErrorCells = field(default_factory=dict)
    footers: frozenset[int] = frozenset()  # 0-based rows


def tab_extras(path: Path, names: list[str]) -> dict[str, Extras]:
    """The extras of each named tab that has any."""
    try:
        pkg = Package(path)
    except (SheetCrmError, zipfile.BadZipFile, OSError):  # not a package (.ods)
        return {}
    out = {}
    try:
        for name in names:
            entry = pkg.sheet(name)
            if entry and entry.kind == "worksheet" and pkg.has(entry.part):
                errors = _errors(pkg, entry.part) if _may_hold_errors(pkg, entry.part) else {}
                extras = Extras(errors, _footers(pkg, entry))
                if extras.errors or extras.footers:
                    out[name] = extras
    except (SheetCrmError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        pass  # calamine has read the tabs: they keep what it read
    finally:
        pkg.close()
    return out


def _footers(pkg: Package, entry: SheetEntry) -> frozenset[int]:
    rows: set[int] = set()
    for part in pkg.table_parts(entry):
        tag = _TABLE.search(pkg.text(part))
        count = _TOTALS.search(tag[0]) if tag else None
        box = split_ref(ref[2]) if tag and (ref := _REF.search(tag[0])) else None
        if count and count[2].isdigit() and box:  # box: 1-based rows
            rows.update(range(box[3] - int(count[2]), box[3]))
    return frozenset(rows)


def _may_hold_errors(pkg: Package, part: str) -> bool:
    """Whether the part holds "e" in quotes anywhere: a sheet without has no error cells,
    and this is all the reading most sheets need (streamed, at the speed of unzipping)."""
    tail = b""
    with pkg.open(part) as f:
        while block := f.read(_CHUNK):
            window = tail + block
            if b'"e"' in window or b"'e'" in window:
                return True
            tail = block[-2:]
    return False


def _sheet_xml(pkg: Package, part: str) -> SheetXml | None:
    """A worksheet part as UTF-8 bytes, None when it is no SpreadsheetML worksheet."""
    data = pkg.read(part)
    head, encoding = decode(data[:65536], lenient=True)
    xml = data if encoding == "utf-8" else decode(data)[0].encode()
    p = prefix_for(head, pkg.main_ns)
    return SheetXml(xml, p) if p is not None else None


def formula_cells(path: Path, tab: str, cells: Collection[tuple[int, int]]) -> dict[Cell, str]:
    """Of `cells` (sheet row, 0-based column) on `tab`, those holding a formula, with its
    text as the cell reads it (one sharing the formula of the cell it was filled down from
    included); {} when the tab cannot be read."""
    wanted: dict[int, set[int]] = {}
    for r, c in cells:
        wanted.setdefault(r, set()).add(c)
    out: dict[Cell, str] = {}
    try:
        pkg = Package(path)
    except (SheetCrmError, zipfile.BadZipFile, OSError):
        return out
    try:
        entry = pkg.sheet(tab)
        sheet = _sheet_xml(pkg, entry.part) if entry and pkg.has(entry.part) else None
        if sheet is None:
            return out
        p, xml = sheet.p, sheet.xml
        formula = re.compile(rf"<{p}f\b([^>]*?)(?:/>|>(.*?)</{p}f\s*>)", re.S)
        shared: dict[Cell, str] = {}  # cells sharing another's formula -> its si
        for number, m in sheet.rows():
            if number not in wanted or m[2]:
                continue
            row = xml[m.start() : sheet.row_end(m)].decode("utf-8")
            for col, cell, _ in sheet.cells(row, 0, len(row)):
                if col in wanted[number] and cell[2] and (f := formula.search(cell[2])):
                    out[(number, col)] = "=" + unescape(f[2] or "")
                    si = _SI.search(f[1])
                    if not f[2] and si:
                        shared[(number, col)] = si[2]
        if shared:
            firsts = _shared_formulas(sheet, formula, set(shared.values()))
            for (number, col), si in shared.items():
                if si in firsts:
                    out[(number, col)] = _moved(*firsts[si], f"{col_letter(col)}{number}")
    except (SheetCrmError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        pass  # writing says what is wrong with the workbook
    finally:
        pkg.close()
    return out


def _shared_formulas(
    sheet: SheetXml, formula: re.Pattern[str], wanted: set[str]
) -> dict[str, tuple[str, str]]:
    """si -> (cell, formula text) of the cells holding the shared formulas `wanted`."""
    out: dict[str, tuple[str, str]] = {}
    for number, m in sheet.rows():
        end = sheet.row_end(m)
        if m[2] or sheet.xml.find(b"shared", m.end(), end) < 0:
            continue
        row = sheet.xml[m.start() : end].decode("utf-8")
        for col, cell, _ in sheet.cells(row, 0, len(row)):
            f = formula.search(cell[2]) if cell[2] else None
            si = _SI.search(f[1]) if f and f[2] else None
            if si and si[2] in wanted:
                out.setdefault(si[2], (f"{col_letter(col)}{number}", "=" + unescape(f[2])))
        if len(out) == len(wanted):
            break
    return out


def _moved(origin: str, text: str, target: str) -> str:
    """A shared formula as the cell `target` reads it: its relative references moved."""
    from openpyxl.formula.translate import Translator, TranslatorError

    try:
        return Translator(text, origin=origin).translate_formula(target)
    except (TranslatorError, ValueError):
        return text


def _errors(pkg: Package, part: str) -> ErrorCells:
    sheet = _sheet_xml(pkg, part)
    if sheet is None:
        return {}
    p, xml = sheet.p, sheet.xml
    value = re.compile(rf"<{p}v\b[^>]*>(.*?)</{p}v\s*>", re.S)
    out: ErrorCells = {}
    for number, m in sheet.rows():
        end = sheet.row_end(m)
        if m[2] or not (xml.find(b'"e"', m.end(), end) >= 0 or xml.find(b"'e'", m.end(), end) >= 0):
            continue
        row = xml[m.start() : end].decode("utf-8")
        for col, cell, _ in sheet.cells(row, 0, len(row)):
            if cell[2] is not None and _TYPE_E.search(cell[1]) and (v := value.search(cell[2])):
                out[(number - 1, col)] = unescape(v[1]).strip()
    return out
